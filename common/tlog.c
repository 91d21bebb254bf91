/* SPDX-License-Identifier: MIT */
/* tlog.c — the stored transparency log (see tlog.h). catch_up keeps the
 * right edge of the tree — its compact range, one perfect subtree per bit
 * of the size — in memory, loaded once from tlog_nodes, so that appending a
 * leaf costs one hash and one insert, plus one of each for every perfect
 * parent the leaf completes (one on average), and never a read. */
#include "tlog.h"
#include "sql.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "ledger.h"
#include "merkle.h"

static const char savepoint_sql[] = "SAVEPOINT tlog_catch_up";
static const char release_sql[] = "RELEASE tlog_catch_up";
static const char rollback_sql[] = "ROLLBACK TO tlog_catch_up";

cb_err
cb_tlog_size(struct cb_store *st, uint64_t *size, struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT idx FROM tlog_nodes WHERE level = 0 "
				  "ORDER BY idx DESC LIMIT 1";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	int r;

	if (!s)
		return CB_EIO;
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW) {
		sqlite3_int64 idx = cb_sql_column_int64(s, 0);

		cb_sql_reset(s);
		if (idx < 0)
			return cb_error(eb, CB_EIO,
			                "the transparency log in '%s' is "
			                "damaged: a leaf has index %lld",
			                cb_store_path(st), (long long)idx);
		*size = (uint64_t)idx + 1;
		return CB_OK;
	}
	if (r != CB_SQL_DONE)
		return cb_store_error(st, eb,
		                      "cannot read the transparency log size");
	cb_sql_reset(s);
	*size = 0;
	return CB_OK;
}

cb_err
cb_tlog_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
             struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT hash FROM tlog_nodes WHERE level = ? AND idx = ?";
	struct cb_store *st = ctx;
	struct cb_stmt *s;
	int r;

	if (level > 63 || index > INT64_MAX)
		return cb_error(eb, CB_EINVAL,
		                "no transparency log node at level %u index "
		                "%" PRIu64 ": out of range",
		                level, index);
	s = cb_sql(st, sql, eb);
	if (!s)
		return CB_EIO;
	cb_sql_bind_int64(s, 1, (int)level);
	cb_sql_bind_int64(s, 2, (int64_t)index);
	r = cb_sql_step(s);
	if (r == CB_SQL_DONE) {
		cb_sql_reset(s);
		return cb_error(eb, CB_ENOTFOUND,
		                "the transparency log has no node at level %u "
		                "index %" PRIu64,
		                level, index);
	}
	if (r != CB_SQL_ROW)
		return cb_store_error(st, eb,
		                      "cannot read the transparency log");
	if (cb_sql_column_bytes(s, 0) != 32) {
		cb_sql_reset(s);
		return cb_error(eb, CB_EIO,
		                "the transparency log in '%s' is damaged: node "
		                "at level %u index %" PRIu64 " is not 32 bytes",
		                cb_store_path(st), level, index);
	}
	memcpy(out, cb_sql_column_blob(s, 0), 32);
	cb_sql_reset(s);
	return CB_OK;
}

/* The compact range of the stored tree of `size` leaves: the perfect
 * subtrees of size's binary digits, largest (leftmost) first. */
static cb_err
load_right_edge(struct cb_store *st, uint64_t size, uint8_t stack[64][32],
                unsigned *top, struct cb_errbuf *eb)
{
	uint64_t pos = 0;
	unsigned n = 0;
	cb_err rc;

	for (unsigned level = 64; level-- > 0;) {
		uint64_t width = UINT64_C(1) << level;

		if (!(size & width))
			continue;
		rc = cb_tlog_node(st, level, pos >> level, stack[n++], eb);
		if (rc == CB_ENOTFOUND)
			return cb_error_prefix(
				eb, CB_EIO,
				"the transparency log in '%s' is "
				"damaged",
				cb_store_path(st));
		if (rc)
			return rc;
		pos += width;
	}
	*top = n;
	return CB_OK;
}

static cb_err
put_node(struct cb_store *st, struct cb_stmt *ins, unsigned level, uint64_t idx,
         const uint8_t hash[32], struct cb_errbuf *eb)
{
	cb_sql_bind_int64(ins, 1, (int)level);
	cb_sql_bind_int64(ins, 2, (int64_t)idx);
	cb_sql_bind_blob(ins, 3, hash, 32);
	if (cb_sql_step(ins) != CB_SQL_DONE) {
		cb_err rc = cb_store_error(
			st, eb, "cannot store a transparency log node");

		cb_sql_reset(ins);
		return rc;
	}
	cb_sql_reset(ins);
	return CB_OK;
}

/* Is the log at least as long as the tree? A tree past the log means
 * entries were removed behind its back. */
static cb_err
check_log_end(struct cb_store *st, uint64_t size, struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT max(lsn) FROM entries";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	sqlite3_int64 last;

	if (!s)
		return CB_EIO;
	if (cb_sql_step(s) != CB_SQL_ROW) {
		cb_err rc = cb_store_error(st, eb, "cannot read the log");

		cb_sql_reset(s);
		return rc;
	}
	last = cb_sql_column_int64(s, 0); /* 0 for NULL: no entries */
	cb_sql_reset(s);
	if (last < 0 || (uint64_t)last < size)
		return cb_error(eb, CB_EIO,
		                "the transparency log in '%s' has %" PRIu64
		                " leaves but the log ends at lsn %lld: entries "
		                "were removed; restore the hub from a backup",
		                cb_store_path(st), size, (long long)last);
	return CB_OK;
}

static cb_err
append_new(struct cb_store *st, uint64_t *size_io, uint64_t *added,
           struct cb_errbuf *eb)
{
	static const char sel_sql[] =
		"SELECT lsn, bytes FROM entries WHERE lsn > ? ORDER BY lsn";
	static const char ins_sql[] =
		"INSERT INTO tlog_nodes (level, idx, hash) VALUES (?, ?, ?)";
	static const uint8_t nothing[1] = { 0 };
	uint8_t stack[64][32], h[32];
	uint64_t size = *size_io, count = 0;
	struct cb_stmt *sel, *ins;
	unsigned top = 0;
	cb_err rc;
	int r;

	rc = load_right_edge(st, size, stack, &top, eb);
	if (rc)
		return rc;
	sel = cb_sql(st, sel_sql, eb);
	if (!sel)
		return CB_EIO;
	ins = cb_sql(st, ins_sql, eb);
	if (!ins)
		return CB_EIO;
	cb_sql_bind_int64(sel, 1, (int64_t)size);
	while ((r = cb_sql_step(sel)) == CB_SQL_ROW) {
		sqlite3_int64 lsn = cb_sql_column_int64(sel, 0);
		const uint8_t *bytes = cb_sql_column_blob(sel, 1);
		int n = cb_sql_column_bytes(sel, 1);
		uint64_t idx = size;
		unsigned level = 0;

		if ((uint64_t)lsn != size + 1) {
			cb_sql_reset(sel);
			return cb_error(
				eb, CB_ECHAIN,
				"cannot extend the transparency log: "
				"entry lsn %lld follows lsn %" PRIu64
				", but the log's lsn must run 1, 2, 3, … "
				"without gaps",
				(long long)lsn, size);
		}
		cb_merkle_leaf_hash(bytes ? bytes : nothing, (size_t)n, h);
		rc = put_node(st, ins, 0, idx, h, eb);
		/* Every trailing 1 bit of size is a perfect subtree on the
		 * right edge that this leaf completes into a parent. */
		for (uint64_t v = size; !rc && (v & 1); v >>= 1) {
			cb_merkle_node_hash(stack[--top], h, h);
			level++;
			idx >>= 1;
			rc = put_node(st, ins, level, idx, h, eb);
		}
		if (rc) {
			cb_sql_reset(sel);
			return rc;
		}
		memcpy(stack[top++], h, 32);
		size++;
		count++;
	}
	if (r != CB_SQL_DONE) {
		rc = cb_store_error(st, eb, "cannot read the log");
		cb_sql_reset(sel);
		return rc;
	}
	cb_sql_reset(sel);
	*size_io = size;
	*added = count;
	return CB_OK;
}

cb_err
cb_tlog_catch_up(struct cb_store *st, uint64_t *added, struct cb_errbuf *eb)
{
	uint64_t size, count = 0;
	cb_err rc;

	rc = cb_store_run(st, savepoint_sql, eb);
	if (rc)
		return rc;
	rc = cb_tlog_size(st, &size, eb);
	if (!rc)
		rc = check_log_end(st, size, eb);
	if (!rc)
		rc = append_new(st, &size, &count, eb);
	if (rc) {
		/* keep the first message: no eb for the rollback */
		if (cb_store_run(st, rollback_sql, NULL) ||
		    cb_store_run(st, release_sql, NULL))
			return CB_EIO;
		return rc;
	}
	rc = cb_store_run(st, release_sql, eb);
	if (rc)
		return rc;
	*added = count;
	return CB_OK;
}

cb_err
cb_tlog_checkpoint_add(struct cb_store *st, uint64_t size,
                       const uint8_t root[32], const char *note,
                       int64_t made_ms, struct cb_errbuf *eb)
{
	static const char sql[] = "INSERT INTO checkpoints (size, root, note, "
				  "made_ms) VALUES (?, ?, ?, ?)";
	struct cb_stmt *s;
	int r;

	if (size > INT64_MAX)
		return cb_error(eb, CB_EINVAL,
		                "checkpoint size %" PRIu64 " is out of range",
		                size);
	s = cb_sql(st, sql, eb);
	if (!s)
		return CB_EIO;
	cb_sql_bind_int64(s, 1, (int64_t)size);
	cb_sql_bind_blob(s, 2, root, 32);
	cb_sql_bind_text(s, 3, note);
	cb_sql_bind_int64(s, 4, made_ms);
	r = cb_sql_step(s);
	if (r == CB_SQL_DONE) {
		cb_sql_reset(s);
		return CB_OK;
	}
	if (cb_sql_constraint(st)) {
		cb_sql_reset(s);
		return cb_error(eb, CB_EEXIST,
		                "a checkpoint of size %" PRIu64
		                " was issued already",
		                size);
	}
	{
		cb_err rc =
			cb_store_error(st, eb, "cannot record a checkpoint");

		cb_sql_reset(s);
		return rc;
	}
}

cb_err
cb_tlog_checkpoint_latest(struct cb_store *st, uint64_t *size, uint8_t root[32],
                          char **note, struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT size, root, note FROM checkpoints "
				  "ORDER BY size DESC LIMIT 1";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	const char *text;
	char *copy;
	int r;

	if (!s)
		return CB_EIO;
	r = cb_sql_step(s);
	if (r == CB_SQL_DONE) {
		cb_sql_reset(s);
		return cb_error(eb, CB_ENOTFOUND,
		                "no checkpoint was issued yet");
	}
	if (r != CB_SQL_ROW)
		return cb_store_error(st, eb, "cannot read the checkpoints");
	if (cb_sql_column_int64(s, 0) < 0 || cb_sql_column_bytes(s, 1) != 32 ||
	    !(text = cb_sql_column_text(s, 2))) {
		cb_sql_reset(s);
		return cb_error(eb, CB_EIO,
		                "the latest checkpoint in '%s' is damaged",
		                cb_store_path(st));
	}
	copy = strdup((const char *)text);
	if (!copy) {
		cb_sql_reset(s);
		return cb_error(eb, CB_ENOMEM, "out of memory");
	}
	*size = (uint64_t)cb_sql_column_int64(s, 0);
	memcpy(root, cb_sql_column_blob(s, 1), 32);
	*note = copy;
	cb_sql_reset(s);
	return CB_OK;
}

void
cb_tlog_origin(const char *org, char *out, size_t n)
{
	snprintf(out, n, "chibo/hub/%s", org);
}

cb_err
cb_tlog_sign(struct cb_store *st, const char *org, const unsigned char *sk,
             struct cb_errbuf *eb)
{
	struct cb_checkpoint cp = { 0 };
	uint8_t last_root[CB_MERKLE_HASH];
	uint64_t added = 0, last = 0;
	char *note = NULL;
	cb_err rc;

	if ((rc = cb_tlog_catch_up(st, &added, eb)) ||
	    (rc = cb_tlog_size(st, &cp.size, eb)))
		return rc;
	rc = cb_tlog_checkpoint_latest(st, &last, last_root, &note, eb);
	free(note);
	note = NULL;
	if (rc == CB_OK && last == cp.size)
		return CB_OK;
	if (rc && rc != CB_ENOTFOUND)
		return rc;
	cb_tlog_origin(org, cp.origin, sizeof(cp.origin));
	if ((rc = cb_merkle_root(cb_tlog_node, st, cp.size, cp.root, eb)) ||
	    (rc = cb_checkpoint_sign(&cp, cp.origin, sk, &note, eb)))
		return rc;
	rc = cb_tlog_checkpoint_add(st, cp.size, cp.root, note, cb_now_ms(),
	                            eb);
	free(note);
	return rc;
}

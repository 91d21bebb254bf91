/* SPDX-License-Identifier: MIT */
/* log_sql.c — the log interface's SQL backend (log.h): a store's entries,
 * tlog_nodes, checkpoints and meta tables (schema/), through the statement
 * layer (sql.h), so that it serves whichever engine holds the store.
 * Transactions are the store's (store.h); a cursor is a meta row holding
 * its number. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql.h"
#include "store.h"

struct sql_log {
	struct cb_log base;
	struct cb_store *st;
};

#define ST(log) (((struct sql_log *)(void *)(log))->st)

static void
sql_free(struct cb_log *log)
{
	free(log);
}

static cb_err
sql_begin(struct cb_log *log, struct cb_errbuf *eb)
{
	return cb_store_begin(ST(log), eb);
}

static cb_err
sql_commit(struct cb_log *log, struct cb_errbuf *eb)
{
	return cb_store_commit(ST(log), eb);
}

static void
sql_rollback(struct cb_log *log)
{
	cb_store_rollback(ST(log));
}

static cb_err
sql_append(struct cb_log *log, const struct cb_entry *e, const char *state,
           const char *reason, bool evidence, int64_t *lsn,
           struct cb_errbuf *eb)
{
	/* The position comes back with the insert: on PostgreSQL, asking
	 * for it afterwards would be a round trip of its own. */
	static const char sql[] = "INSERT INTO entries (id, author, seq, op, "
				  "time_ms, bytes, state, reason, evidence) "
				  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
				  "RETURNING lsn";
	struct cb_stmt *s = cb_sql(ST(log), sql, eb);
	cb_err rc;

	if (!s)
		return CB_EIO;
	cb_sql_bind_blob(s, 1, e->id, CB_HASH_BYTES);
	cb_sql_bind_blob(s, 2, e->author, CB_KEY_BYTES);
	cb_sql_bind_int64(s, 3, (int64_t)e->seq);
	cb_sql_bind_text(s, 4, e->op);
	cb_sql_bind_int64(s, 5, e->time_ms);
	cb_sql_bind_blob(s, 6, e->bytes, e->len);
	cb_sql_bind_text(s, 7, state);
	cb_sql_bind_text(s, 8, reason);
	cb_sql_bind_int64(s, 9, evidence);
	if (cb_sql_step(s) != CB_SQL_ROW) {
		rc = cb_sql_constraint(ST(log))
		             ? cb_error(eb, CB_EEXIST,
		                        _("the log holds that entry already"))
		             : cb_store_error(ST(log), eb,
		                              "cannot store an entry");
		cb_sql_reset(s);
		return rc;
	}
	*lsn = cb_sql_column_int64(s, 0);
	/* SQLite writes the row as the statement runs to its end */
	rc = cb_sql_step(s) == CB_SQL_DONE
	             ? CB_OK
	             : cb_store_error(ST(log), eb, "cannot store an entry");
	cb_sql_reset(s);
	return rc;
}

/* The one integer a query gives (0 for none), binding blob p (n bytes)
 * to ?1 if p. */
static cb_err
one_int(struct cb_log *log, const char *sql, const void *p, size_t n,
        int64_t *v, struct cb_errbuf *eb)
{
	struct cb_stmt *s = cb_sql(ST(log), sql, eb);
	int r;

	if (!s)
		return CB_EIO;
	if (p)
		cb_sql_bind_blob(s, 1, p, n);
	r = cb_sql_step(s);
	*v = r == CB_SQL_ROW ? cb_sql_column_int64(s, 0) : 0;
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return CB_ENOTFOUND;
	return r == CB_SQL_ROW
	               ? CB_OK
	               : cb_store_error(ST(log), eb, "cannot read the log");
}

static cb_err
sql_size(struct cb_log *log, int64_t *lsn, struct cb_errbuf *eb)
{
	return one_int(log, "SELECT coalesce(max(lsn), 0) FROM entries", NULL,
	               0, lsn, eb);
}

/* Visit the (lsn, bytes) rows of s, a statement of its own (the visitor
 * may use the cached ones), then finalize it. */
static cb_err
visit_rows(struct cb_log *log, struct cb_stmt *s, cb_log_visit_fn fn, void *ctx,
           struct cb_errbuf *eb)
{
	cb_err rc = CB_OK;
	int r;

	while ((r = cb_sql_step(s)) == CB_SQL_ROW)
		if ((rc = fn(ctx, cb_sql_column_int64(s, 0),
		             cb_sql_column_blob(s, 1),
		             cb_sql_column_bytes(s, 1))))
			break;
	if (!rc && r != CB_SQL_DONE)
		rc = cb_store_error(ST(log), eb, "cannot read the log");
	cb_sql_finalize(s);
	return rc;
}

static cb_err
sql_read_after(struct cb_log *log, int64_t after, size_t max,
               cb_log_visit_fn fn, void *ctx, struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT lsn, bytes FROM entries WHERE lsn > "
				  "?1 ORDER BY lsn LIMIT ?2";
	struct cb_stmt *s = NULL;
	cb_err rc;

	if ((rc = cb_sql_prepare(ST(log), sql, &s, eb)))
		return rc;
	cb_sql_bind_int64(s, 1, after);
	cb_sql_bind_int64(s, 2, max ? (int64_t)max : INT64_MAX);
	return visit_rows(log, s, fn, ctx, eb);
}

static cb_err
sql_read_chain(struct cb_log *log, const unsigned char author[CB_KEY_BYTES],
               uint64_t after, size_t max, cb_log_visit_fn fn, void *ctx,
               struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT lsn, bytes FROM entries WHERE author = ?1 AND seq > ?2 "
		"AND evidence = 0 ORDER BY seq LIMIT ?3";
	struct cb_stmt *s = NULL;
	cb_err rc;

	if ((rc = cb_sql_prepare(ST(log), sql, &s, eb)))
		return rc;
	cb_sql_bind_blob(s, 1, author, CB_KEY_BYTES);
	cb_sql_bind_int64(s, 2, (int64_t)after);
	cb_sql_bind_int64(s, 3, max ? (int64_t)max : INT64_MAX);
	return visit_rows(log, s, fn, ctx, eb);
}

static cb_err
sql_lsn_of(struct cb_log *log, const unsigned char id[CB_HASH_BYTES],
           int64_t *lsn, struct cb_errbuf *eb)
{
	return one_int(log, "SELECT lsn FROM entries WHERE id = ?1", id,
	               CB_HASH_BYTES, lsn, eb);
}

static cb_err
sql_head(struct cb_log *log, const unsigned char author[CB_KEY_BYTES],
         struct cb_chain_head *h, struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT seq, id FROM entries WHERE author = ? AND evidence = 0 "
		"ORDER BY seq DESC LIMIT 1";
	struct cb_stmt *s = cb_sql(ST(log), sql, eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_blob(s, 1, author, CB_KEY_BYTES);
	r = cb_sql_step(s);
	memset(h, 0, sizeof(*h));
	if (r == CB_SQL_ROW) {
		h->seq = (uint64_t)cb_sql_column_int64(s, 0);
		memcpy(h->id, cb_sql_column_blob(s, 1), CB_HASH_BYTES);
	}
	cb_sql_reset(s);
	if (r != CB_SQL_ROW && r != CB_SQL_DONE)
		return cb_store_error(ST(log), eb,
		                      "cannot read the author's head");
	return CB_OK;
}

static cb_err
sql_id_at(struct cb_log *log, const unsigned char author[CB_KEY_BYTES],
          uint64_t seq, unsigned char id[CB_HASH_BYTES], struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT id FROM entries WHERE author = ? "
				  "AND seq = ? AND evidence = 0 LIMIT 1";
	struct cb_stmt *s = cb_sql(ST(log), sql, eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_blob(s, 1, author, CB_KEY_BYTES);
	cb_sql_bind_int64(s, 2, (int64_t)seq);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW && cb_sql_column_bytes(s, 0) == CB_HASH_BYTES)
		memcpy(id, cb_sql_column_blob(s, 0), CB_HASH_BYTES);
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return CB_ENOTFOUND;
	return r == CB_SQL_ROW
	               ? CB_OK
	               : cb_store_error(ST(log), eb, "cannot read the log");
}

static cb_err
sql_node_get(struct cb_log *log, unsigned level, uint64_t idx, uint8_t out[32],
             struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT hash FROM tlog_nodes WHERE level = ? AND idx = ?";
	struct cb_stmt *s = cb_sql(ST(log), sql, eb);
	cb_err rc = CB_OK;
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_int64(s, 1, level);
	cb_sql_bind_int64(s, 2, (int64_t)idx);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW && cb_sql_column_bytes(s, 0) == 32)
		memcpy(out, cb_sql_column_blob(s, 0), 32);
	else if (r == CB_SQL_ROW)
		rc = cb_error(eb, CB_EIO,
		              _("the transparency log's node (%u, %llu) is "
		                "damaged"),
		              level, (unsigned long long)idx);
	else if (r == CB_SQL_DONE)
		rc = CB_ENOTFOUND;
	else
		rc = cb_store_error(ST(log), eb,
		                    "cannot read the transparency log");
	cb_sql_reset(s);
	return rc;
}

static cb_err
sql_node_put(struct cb_log *log, unsigned level, uint64_t idx,
             const uint8_t hash[32], struct cb_errbuf *eb)
{
	static const char sql[] =
		"INSERT INTO tlog_nodes (level, idx, hash) VALUES (?, ?, ?)";
	struct cb_stmt *s = cb_sql(ST(log), sql, eb);
	cb_err rc = CB_OK;

	if (!s)
		return CB_EIO;
	cb_sql_bind_int64(s, 1, level);
	cb_sql_bind_int64(s, 2, (int64_t)idx);
	cb_sql_bind_blob(s, 3, hash, 32);
	if (cb_sql_step(s) != CB_SQL_DONE)
		rc = cb_sql_constraint(ST(log))
		             ? cb_error(eb, CB_EEXIST,
		                        _("the tree holds node (%u, %llu) "
		                          "already"),
		                        level, (unsigned long long)idx)
		             : cb_store_error(ST(log), eb,
		                              "cannot extend the transparency "
		                              "log");
	cb_sql_reset(s);
	return rc;
}

/* Nodes a statement at a time, NODE_ROWS rows each (a store on a server
 * answers each statement in a round trip); the rest, and any batch the
 * store refuses, one by one, so that a node held already is named. */
#define NODE_ROW "(?, ?, ?)"
#define NODE_ROWS4 NODE_ROW ", " NODE_ROW ", " NODE_ROW ", " NODE_ROW
#define NODE_ROWS16 NODE_ROWS4 ", " NODE_ROWS4 ", " NODE_ROWS4 ", " NODE_ROWS4
#define NODE_ROWS 32

static cb_err
sql_nodes_put(struct cb_log *log, const struct cb_log_node *nodes, size_t n,
              struct cb_errbuf *eb)
{
	static const char many[] = "INSERT INTO tlog_nodes (level, idx, hash) "
				   "VALUES " NODE_ROWS16 ", " NODE_ROWS16;
	size_t i = 0;
	cb_err rc = CB_OK;

	for (; i + NODE_ROWS <= n; i += NODE_ROWS) {
		struct cb_stmt *s = cb_sql(ST(log), many, eb);
		int r;

		if (!s)
			return CB_EIO;
		for (int k = 0; k < NODE_ROWS; k++) {
			const struct cb_log_node *d = &nodes[i + (size_t)k];

			cb_sql_bind_int64(s, 3 * k + 1, d->level);
			cb_sql_bind_int64(s, 3 * k + 2, (int64_t)d->idx);
			cb_sql_bind_blob(s, 3 * k + 3, d->hash, 32);
		}
		r = cb_sql_step(s);
		cb_sql_reset(s);
		/* refused: one by one, to name the node or say why */
		if (r != CB_SQL_DONE)
			break;
	}
	for (; i < n && !rc; i++)
		rc = sql_node_put(log, nodes[i].level, nodes[i].idx,
		                  nodes[i].hash, eb);
	return rc;
}

static cb_err
sql_tree_size(struct cb_log *log, uint64_t *size, struct cb_errbuf *eb)
{
	int64_t n;
	cb_err rc = one_int(log,
	                    "SELECT coalesce(max(idx) + 1, 0) FROM tlog_nodes "
	                    "WHERE level = 0",
	                    NULL, 0, &n, eb);

	if (!rc)
		*size = (uint64_t)n;
	return rc;
}

static cb_err
sql_checkpoint_add(struct cb_log *log, uint64_t size, const uint8_t root[32],
                   const char *note, int64_t made_ms, struct cb_errbuf *eb)
{
	static const char sql[] = "INSERT INTO checkpoints (size, root, note, "
				  "made_ms) VALUES (?, ?, ?, ?)";
	struct cb_stmt *s = cb_sql(ST(log), sql, eb);
	cb_err rc = CB_OK;

	if (!s)
		return CB_EIO;
	cb_sql_bind_int64(s, 1, (int64_t)size);
	cb_sql_bind_blob(s, 2, root, 32);
	cb_sql_bind_text(s, 3, note);
	cb_sql_bind_int64(s, 4, made_ms);
	if (cb_sql_step(s) != CB_SQL_DONE)
		rc = cb_sql_constraint(ST(log))
		             ? cb_error(
				       eb, CB_EEXIST,
				       _("a checkpoint of size %llu was issued "
		                         "already"),
				       (unsigned long long)size)
		             : cb_store_error(ST(log), eb,
		                              "cannot record a checkpoint");
	cb_sql_reset(s);
	return rc;
}

static cb_err
sql_checkpoint_latest(struct cb_log *log, uint64_t *size, uint8_t root[32],
                      char **note, struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT size, root, note FROM checkpoints "
				  "ORDER BY size DESC LIMIT 1";
	struct cb_stmt *s = cb_sql(ST(log), sql, eb);
	const char *text;
	cb_err rc = CB_OK;
	int r;

	if (!s)
		return CB_EIO;
	r = cb_sql_step(s);
	if (r == CB_SQL_DONE)
		rc = cb_error(eb, CB_ENOTFOUND,
		              _("no checkpoint was issued yet"));
	else if (r != CB_SQL_ROW)
		rc = cb_store_error(ST(log), eb, "cannot read the checkpoints");
	else if (cb_sql_column_int64(s, 0) < 0 ||
	         cb_sql_column_bytes(s, 1) != 32 ||
	         !(text = cb_sql_column_text(s, 2)))
		rc = cb_error(eb, CB_EIO,
		              _("the latest checkpoint in '%s' is damaged"),
		              cb_store_path(ST(log)));
	else if (!(*note = strdup(text)))
		rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
	else {
		*size = (uint64_t)cb_sql_column_int64(s, 0);
		memcpy(root, cb_sql_column_blob(s, 1), 32);
	}
	cb_sql_reset(s);
	return rc;
}

static cb_err
sql_cursor_get(struct cb_log *log, const char *name, int64_t *v,
               struct cb_errbuf *eb)
{
	char *text = NULL, *end;
	long long n;
	cb_err rc = cb_store_meta_get(ST(log), name, &text, eb);

	if (rc)
		return rc;
	errno = 0;
	n = strtoll(text, &end, 10);
	rc = errno || end == text || *end
	             ? cb_error(eb, CB_EIO,
	                        _("'%s' holds a %s of '%.40s', not a number: "
	                          "the store is damaged"),
	                        cb_store_path(ST(log)), name, text)
	             : CB_OK;
	free(text);
	if (!rc)
		*v = n;
	return rc;
}

static cb_err
sql_cursor_set(struct cb_log *log, const char *name, int64_t v,
               struct cb_errbuf *eb)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	return cb_store_meta_set(ST(log), name, num, eb);
}

static const struct cb_log_be sql_be = {
	.name = "sql",
	.free = sql_free,
	.begin = sql_begin,
	.commit = sql_commit,
	.rollback = sql_rollback,
	.append = sql_append,
	.size = sql_size,
	.read_after = sql_read_after,
	.read_chain = sql_read_chain,
	.lsn_of = sql_lsn_of,
	.head = sql_head,
	.id_at = sql_id_at,
	.node_get = sql_node_get,
	.node_put = sql_node_put,
	.nodes_put = sql_nodes_put,
	.tree_size = sql_tree_size,
	.checkpoint_add = sql_checkpoint_add,
	.checkpoint_latest = sql_checkpoint_latest,
	.cursor_get = sql_cursor_get,
	.cursor_set = sql_cursor_set,
};

struct cb_log *
cb_log_sql_new(struct cb_store *st)
{
	struct sql_log *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->base.be = &sql_be;
	l->st = st;
	return &l->base;
}

/* SPDX-License-Identifier: MIT */
/* accept.c — see accept.h. */
#include "accept.h"
#include "sql.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "chain.h"
#include "ledger.h"
#include "project.h"
#include "stream.h"

static cb_err
held(struct cb_store *st, const unsigned char id[CB_HASH_BYTES], bool *yes,
     struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT 1 FROM entries WHERE id = ?";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_blob(s, 1, id, CB_HASH_BYTES);
	r = cb_sql_step(s);
	cb_sql_reset(s);
	*yes = r == CB_SQL_ROW;
	return r == CB_SQL_ROW || r == CB_SQL_DONE
	               ? CB_OK
	               : cb_store_error(st, eb, "cannot read the log");
}

/* Does e fit the neighbours held of its chain (chain.h)? Fills why if
 * not. */
static cb_err
fits(struct cb_store *st, const struct cb_entry *e, bool *ok, char *why,
     size_t n, struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT bytes FROM entries WHERE author = ? "
				  "AND seq = ? AND evidence = 0 LIMIT 1";
	struct cb_chain_head h;
	struct cb_entry next = CB_ENTRY_INIT;
	struct cb_stmt *s;
	cb_err rc;
	int r;

	*ok = false;
	/* at its seq: nothing held (it is no duplicate, checked before) */
	h.seq = e->seq;
	rc = cb_ledger_id_at(st, e->author, e->seq, h.id, eb);
	if (rc == CB_OK && cb_chain_place(&h, h.id, e) == CB_CHAIN_FORK) {
		snprintf(why, n, "fork: another entry holds seq %" PRIu64,
		         e->seq);
		return CB_OK;
	}
	if (rc != CB_ENOTFOUND && rc != CB_OK)
		return rc;
	/* after the entry held before it */
	if (e->seq > 1) {
		h.seq = e->seq - 1;
		rc = cb_ledger_id_at(st, e->author, h.seq, h.id, eb);
		if (rc == CB_OK &&
		    cb_chain_place(&h, NULL, e) == CB_CHAIN_BROKEN) {
			snprintf(why, n,
			         "fork: does not chain onto the entry "
			         "held at seq %" PRIu64,
			         h.seq);
			return CB_OK;
		}
		if (rc && rc != CB_ENOTFOUND)
			return rc;
	}
	/* under the entry held after it */
	if (!(s = cb_sql(st, sql, eb)))
		return CB_EIO;
	cb_sql_bind_blob(s, 1, e->author, CB_KEY_BYTES);
	cb_sql_bind_int64(s, 2, (int64_t)(e->seq + 1));
	r = cb_sql_step(s);
	rc = r == CB_SQL_ROW
	             ? cb_entry_decode(cb_sql_column_blob(s, 0),
	                               (size_t)cb_sql_column_bytes(s, 0), &next,
	                               eb)
	     : r == CB_SQL_DONE ? CB_ENOTFOUND
	                        : cb_store_error(st, eb, "cannot read the log");
	cb_sql_reset(s);
	h.seq = e->seq;
	memcpy(h.id, e->id, CB_HASH_BYTES);
	if (rc == CB_OK && cb_chain_place(&h, NULL, &next) == CB_CHAIN_BROKEN) {
		snprintf(why, n,
		         "fork: the entry held at seq %" PRIu64
		         " does not chain onto it",
		         e->seq + 1);
		cb_entry_release(&next);
		return CB_OK;
	}
	cb_entry_release(&next);
	if (rc && rc != CB_ENOTFOUND)
		return rc;
	*ok = true;
	return CB_OK;
}

cb_err
cb_accept_pulled(struct cb_store *st, const unsigned char own[CB_KEY_BYTES],
                 const void *stream, size_t len, struct cb_accept_result *r,
                 struct cb_errbuf *eb)
{
	struct cb_stream_reader rd;
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_accept_result res = { 0 };
	cb_err rc;

	cb_stream_reader_init(&rd, stream, len);
	while ((rc = cb_stream_next(&rd, &e, eb)) == CB_OK) {
		char why[CB_ERRBUF_SIZE];
		struct cb_errbuf pe;
		cb_err verdict;
		bool yes;

		if ((rc = cb_entry_verify_signature(&e, eb))) {
			cb_error_prefix(eb, rc, "entry %zu from the hub",
			                rd.index);
			goto out;
		}
		if (!sodium_memcmp(e.author, own, CB_KEY_BYTES)) {
			rc = cb_error(eb, CB_ECHAIN,
			              "the hub sent entry %" PRIu64
			              " of this replica's own key; its chain "
			              "is written here only",
			              e.seq);
			goto out;
		}
		if ((rc = held(st, e.id, &yes, eb)))
			goto out;
		if (yes) {
			res.duplicates++;
			continue;
		}
		if ((rc = fits(st, &e, &yes, why, sizeof(why), eb)))
			goto out;
		if (!yes) {
			if ((rc = cb_ledger_store_evidence(st, &e, why, eb)))
				goto out;
			res.forks++;
			continue;
		}
		if ((rc = cb_ledger_take(st, &e, &verdict, &pe, eb)))
			goto out;
		res.stored++;
		res.rejected += verdict && verdict != CB_EPENDING;
		res.pending += verdict == CB_EPENDING;
	}
	if (rc == CB_ENOTFOUND) {
		rc = CB_OK;
		*r = res;
	}
out:
	cb_entry_release(&e);
	return rc;
}

cb_err
cb_accept_own(struct cb_store *st, const unsigned char own[CB_KEY_BYTES],
              const void *stream, size_t len, struct cb_accept_result *r,
              struct cb_errbuf *eb)
{
	struct cb_stream_reader rd;
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_accept_result res = { 0 };
	struct cb_chain_head head;
	cb_err rc;

	if ((rc = cb_ledger_head(st, own, &head.seq, head.id, eb)))
		return rc;
	cb_stream_reader_init(&rd, stream, len);
	while ((rc = cb_stream_next(&rd, &e, eb)) == CB_OK) {
		struct cb_errbuf pe;
		cb_err verdict;

		if ((rc = cb_entry_verify_signature(&e, eb))) {
			cb_error_prefix(eb, rc, "entry %zu from the hub",
			                rd.index);
			goto out;
		}
		if (sodium_memcmp(e.author, own, CB_KEY_BYTES)) {
			rc = cb_error(
				eb, CB_ECHAIN,
				"the hub sent another key's entry as this "
				"replica's own");
			goto out;
		}
		if (cb_chain_place(&head, NULL, &e) != CB_CHAIN_NEXT) {
			rc = cb_error(eb, CB_ECHAIN,
			              "the hub's entry %" PRIu64 " of this key "
			              "does not follow this replica's entry "
			              "%" PRIu64 ": the key signed two "
			              "histories; a person must look",
			              e.seq, head.seq);
			goto out;
		}
		if ((rc = cb_ledger_take(st, &e, &verdict, &pe, eb)))
			goto out;
		res.stored++;
		res.rejected += verdict && verdict != CB_EPENDING;
		res.pending += verdict == CB_EPENDING;
		head.seq = e.seq;
		memcpy(head.id, e.id, CB_HASH_BYTES);
	}
	if (rc == CB_ENOTFOUND) {
		rc = CB_OK;
		*r = res;
	}
out:
	cb_entry_release(&e);
	return rc;
}

cb_err
cb_accept_restore(struct cb_store *st, const unsigned char own[CB_KEY_BYTES],
                  const void *stream, size_t len, struct cb_accept_result *r,
                  size_t *own_taken, struct cb_errbuf *eb)
{
	struct cb_buf mine = CB_BUF_INIT, others = CB_BUF_INIT;
	struct cb_stream_reader rd;
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_accept_result ro = { 0 };
	struct cb_chain_head head;
	cb_err rc;

	*own_taken = 0;
	if ((rc = cb_ledger_head(st, own, &head.seq, head.id, eb)))
		return rc;
	/* This key's entries the replica holds must be the ones it holds;
	 * the rest of its chain is taken back first, then the others. */
	cb_stream_reader_init(&rd, stream, len);
	while ((rc = cb_stream_next(&rd, &e, eb)) == CB_OK) {
		unsigned char held[CB_HASH_BYTES];
		struct cb_buf *to = &others;

		if (!sodium_memcmp(e.author, own, CB_KEY_BYTES)) {
			if (e.seq > head.seq) {
				to = &mine;
			} else if ((rc = cb_ledger_id_at(st, own, e.seq, held,
			                                 eb)) ||
			           cb_chain_place(&head, held, &e) !=
			                   CB_CHAIN_HELD) {
				if (!rc || rc == CB_ENOTFOUND)
					rc = cb_error(
						eb, CB_ECHAIN,
						"the bundle's entry %" PRIu64
						" of this key differs from the "
						"one this replica holds: the "
						"key signed two histories; a "
						"person must look",
						e.seq);
				goto out;
			} else {
				continue;
			}
		}
		if (cb_stream_append(to, &e)) {
			rc = cb_error(eb, CB_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (rc != CB_ENOTFOUND)
		goto out;
	if ((rc = cb_accept_own(st, own, mine.data, mine.len, &ro, eb)) ||
	    (rc = cb_accept_pulled(st, own, others.data, others.len, r, eb)))
		goto out;
	*own_taken = ro.stored;
out:
	cb_entry_release(&e);
	cb_buf_release(&mine);
	cb_buf_release(&others);
	return rc;
}

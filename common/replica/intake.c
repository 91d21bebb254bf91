/* SPDX-License-Identifier: MIT */
/* intake.c — the one intake (see intake.h): where an entry from elsewhere
 * stands against its author's chain as held, under the stream's policy. */
#include "intake.h"
#include "sql.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ledger.h"
#include "log.h"

cb_err
cb_intake_start(struct cb_store *st, struct cb_intake *in,
                enum cb_intake_policy policy, const unsigned char *key,
                struct cb_errbuf *eb)
{
	memset(in, 0, sizeof(*in));
	in->policy = policy;
	in->holder = N_("this store");
	if (key) {
		memcpy(in->key, key, CB_KEY_BYTES);
		in->has_key = true;
	}
	if (policy != CB_INTAKE_OWN)
		return CB_OK;
	if (!key)
		return cb_error(eb, CB_EINVAL,
		                _("an intake of one chain needs "
		                  "its author"));
	return cb_ledger_head(st, key, &in->head.seq, in->head.id, eb);
}

static cb_err
held_id(struct cb_store *st, const unsigned char id[CB_HASH_BYTES], bool *yes,
        struct cb_errbuf *eb)
{
	int64_t lsn;
	cb_err rc = cb_log_lsn_of(cb_store_log(st), id, &lsn, eb);

	*yes = rc == CB_OK;
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

/* The entry held after e's seq in its author's chain, if any. */
static cb_err
held_next(struct cb_store *st, const struct cb_entry *e, struct cb_entry *next,
          struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT bytes FROM entries WHERE author = ? "
				  "AND seq = ? AND evidence = 0 LIMIT 1";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	cb_err rc;
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_blob(s, 1, e->author, CB_KEY_BYTES);
	cb_sql_bind_int64(s, 2, (int64_t)(e->seq + 1));
	r = cb_sql_step(s);
	rc = r == CB_SQL_ROW
	             ? cb_entry_decode(cb_sql_column_blob(s, 0),
	                               (size_t)cb_sql_column_bytes(s, 0), next,
	                               eb)
	     : r == CB_SQL_DONE ? CB_ENOTFOUND
	                        : cb_store_error(st, eb, "cannot read the log");
	cb_sql_reset(s);
	return rc;
}

/* PARTIAL: does e fit the neighbours held of its chain? (It is no
 * duplicate: checked before.) */
static cb_err
fits(struct cb_store *st, const struct cb_entry *e, enum cb_intake_fate *fate,
     struct cb_errbuf *why, struct cb_errbuf *eb)
{
	struct cb_chain_head h;
	struct cb_entry next = CB_ENTRY_INIT;
	cb_err rc;

	*fate = CB_INTAKE_EVIDENCE;
	/* at its seq: another entry */
	h.seq = e->seq;
	rc = cb_ledger_id_at(st, e->author, e->seq, h.id, eb);
	if (rc == CB_OK && cb_chain_place(&h, h.id, e) == CB_CHAIN_FORK) {
		cb_error(why, CB_ECHAIN,
		         _("fork: another entry holds seq %llu"),
		         (unsigned long long)e->seq);
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
			cb_error(
				why, CB_ECHAIN,
				_("fork: does not chain onto the entry held at "
			          "seq %llu"),
				(unsigned long long)h.seq);
			return CB_OK;
		}
		if (rc && rc != CB_ENOTFOUND)
			return rc;
	}
	/* under the entry held after it */
	rc = held_next(st, e, &next, eb);
	h.seq = e->seq;
	memcpy(h.id, e->id, CB_HASH_BYTES);
	if (rc == CB_OK && cb_chain_place(&h, NULL, &next) == CB_CHAIN_BROKEN) {
		cb_error(why, CB_ECHAIN,
		         _("fork: the entry held at seq %llu does not chain "
		           "onto it"),
		         (unsigned long long)(e->seq + 1));
		cb_entry_release(&next);
		return CB_OK;
	}
	cb_entry_release(&next);
	if (rc && rc != CB_ENOTFOUND)
		return rc;
	*fate = CB_INTAKE_NEW;
	return CB_OK;
}

/* OWN and RELAY: e against its author's head. */
static cb_err
in_order(struct cb_store *st, struct cb_intake *in, const struct cb_entry *e,
         enum cb_intake_fate *fate, struct cb_errbuf *why, struct cb_errbuf *eb)
{
	struct cb_chain_head relay, *head = &in->head;
	unsigned char held[CB_HASH_BYTES];
	bool is_held = false;
	cb_err rc;

	if (in->policy == CB_INTAKE_RELAY) {
		head = &relay;
		if ((rc = cb_ledger_head(st, e->author, &relay.seq, relay.id,
		                         eb)))
			return rc;
	}
	if (e->seq <= head->seq) {
		rc = cb_ledger_id_at(st, e->author, e->seq, held, eb);
		if (rc && rc != CB_ENOTFOUND)
			return rc;
		is_held = rc == CB_OK;
	}
	switch (cb_chain_place(head, is_held ? held : NULL, e)) {
	case CB_CHAIN_NEXT: *fate = CB_INTAKE_NEW; return CB_OK;
	case CB_CHAIN_HELD: *fate = CB_INTAKE_DUPLICATE; return CB_OK;
	case CB_CHAIN_FORK:
		*fate = CB_INTAKE_EVIDENCE;
		cb_error(why, CB_ECHAIN,
		         N_("fork: entry %llu differs from the one %s "
		            "holds; the key is frozen"),
		         (unsigned long long)e->seq, in->holder);
		return cb_ledger_store_evidence(
			st, e, N_("fork: another entry holds this seq"), eb);
	case CB_CHAIN_BROKEN:
		cb_error(why, CB_ECHAIN,
		         N_("entry %llu does not chain onto entry %llu held "
		            "here"),
		         (unsigned long long)e->seq,
		         (unsigned long long)head->seq);
		if (in->policy == CB_INTAKE_OWN) {
			*fate = CB_INTAKE_STOP;
			return CB_OK;
		}
		/* a relay: another history than the one held, kept */
		*fate = CB_INTAKE_EVIDENCE;
		return cb_ledger_store_evidence(
			st, e, N_("fork: does not chain onto the entry held"),
			eb);
	case CB_CHAIN_GAP: break;
	}
	*fate = CB_INTAKE_STOP;
	cb_error(why, CB_ECHAIN,
	         N_("gap: entry %llu follows %llu; send from %llu"),
	         (unsigned long long)e->seq, (unsigned long long)head->seq,
	         (unsigned long long)(head->seq + 1));
	return CB_OK;
}

cb_err
cb_intake_judge(struct cb_store *st, struct cb_intake *in,
                const struct cb_entry *e, enum cb_intake_fate *fate,
                struct cb_errbuf *why, struct cb_errbuf *eb)
{
	bool mine = in->has_key &&
	            sodium_memcmp(e->author, in->key, CB_KEY_BYTES) == 0;
	bool yes;
	cb_err rc;

	why->msg[0] = 0;
	switch (in->policy) {
	case CB_INTAKE_OWN:
		if (!mine) {
			*fate = CB_INTAKE_REFUSED;
			cb_error(why, CB_EINVAL,
			         N_("entry %llu is by another key than the "
			            "chain's"),
			         (unsigned long long)e->seq);
			return CB_OK;
		}
		return in_order(st, in, e, fate, why, eb);
	case CB_INTAKE_RELAY: return in_order(st, in, e, fate, why, eb);
	case CB_INTAKE_PARTIAL: break;
	}
	if (mine) {
		*fate = CB_INTAKE_REFUSED;
		cb_error(why, CB_ECHAIN,
		         N_("entry %llu is of this store's own key; its "
		            "chain is written here only"),
		         (unsigned long long)e->seq);
		return CB_OK;
	}
	if ((rc = held_id(st, e->id, &yes, eb)))
		return rc;
	if (yes) {
		*fate = CB_INTAKE_DUPLICATE;
		return CB_OK;
	}
	if ((rc = fits(st, e, fate, why, eb)) || *fate != CB_INTAKE_EVIDENCE)
		return rc;
	return cb_ledger_store_evidence(st, e, why->msg, eb);
}

cb_err
cb_intake_take(struct cb_store *st, struct cb_intake *in,
               const struct cb_entry *e, cb_err *verdict, struct cb_errbuf *why,
               struct cb_errbuf *eb)
{
	cb_err rc = cb_ledger_take(st, e, verdict, why, eb);

	if (!rc && in->policy == CB_INTAKE_OWN) {
		in->head.seq = e->seq;
		memcpy(in->head.id, e->id, CB_HASH_BYTES);
	}
	return rc;
}

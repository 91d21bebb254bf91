/* SPDX-License-Identifier: MIT */
/* ingest.c — a hub's side of a push (see ingest.h). The whole push is one
 * transaction: verified, chained and projected entries are stored and
 * committed together, so an acknowledged entry is on disk and a push cut
 * off in the middle leaves nothing half-done. The entries come from a
 * cb_verifier, which decodes them and verifies their signatures on other
 * cores ahead of this loop; the loop takes them strictly in order, so the
 * outcome is what verifying each entry just before storing it gives. */
#include "ingest.h"
#include "sql.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "intake.h"
#include "ledger.h"
#include "project.h"
#include "tlog.h"

/* With a log, the Merkle tree is extended every this many entries. */
#define TLOG_EVERY 1000

/* A revoked key refused (CB_ECRYPTO), and why: revoked, or succeeded by
 * another key (org.succeed), which the office writes with now. */
static cb_err
revoked_why(struct cb_store *st, const char *hex, struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT new_key, org, succeeded_on FROM "
				  "successions WHERE old_key = ?";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	cb_err rc;
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, hex);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW)
		rc = cb_error(
			eb, CB_ECRYPTO,
			_("key %.12s was succeeded by key %.12s for '%s' on "
		          "%s: it signs no more; the office writes with its "
		          "new key"),
			hex, cb_sql_column_text(s, 0), cb_sql_column_text(s, 1),
			cb_sql_column_text(s, 2));
	else if (r == CB_SQL_DONE)
		rc = cb_error(eb, CB_ECRYPTO, _("key %.12s was revoked"), hex);
	else
		rc = cb_store_error(st, eb, "cannot read successions");
	cb_sql_reset(s);
	return rc;
}

/* cb_ingest_admit, and with hub, the role 'hub' too: one read of the
 * enrolment. *revoked (if given) says whether it was refused as revoked. */
static cb_err
admit(struct cb_store *st, const unsigned char key[CB_KEY_BYTES], bool hub,
      bool *revoked_out, struct cb_errbuf *eb)
{
	static const char enrolled[] = "SELECT revoked_by IS NOT NULL, role "
				       "FROM enrolments WHERE key = ?";
	static const char frozen[] = "SELECT 1 FROM entries WHERE author = ? "
				     "AND evidence = 1 LIMIT 1";
	static const char below[] =
		"WITH RECURSIVE up(k, n) AS (SELECT enrolled_by, 0 FROM "
		"enrolments WHERE key = ?1 UNION ALL SELECT e.enrolled_by, "
		"up.n + 1 FROM enrolments e JOIN up ON e.key = up.k WHERE up.n "
		"< 32) SELECT 1 FROM up WHERE k = (SELECT value FROM meta "
		"WHERE "
		"key = 'authority') LIMIT 1";
	char hex[2 * CB_KEY_BYTES + 1], role[16] = "";
	struct cb_stmt *s;
	int r, revoked = 0;

	cb_hex_encode(key, CB_KEY_BYTES, hex);
	if (!(s = cb_sql(st, enrolled, eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, hex);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW) {
		revoked = cb_sql_column_int64(s, 0);
		snprintf(role, sizeof(role), "%s", cb_sql_column_text(s, 1));
	}
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return cb_error(eb, CB_ECRYPTO,
		                _("key %.12s is not enrolled at "
		                  "this hub"),
		                hex);
	if (r != CB_SQL_ROW)
		return cb_store_error(st, eb, "cannot read enrolments");
	if (revoked && revoked_out)
		*revoked_out = true;
	if (revoked)
		return revoked_why(st, hex, eb);
	/* Enrolled from here: by this hub's key, or by a hub key it
	 * enrolled so (a lower hub's communes). A hub that joined a higher
	 * one holds the enrolments of the whole chain above it, for its
	 * communes to judge who may write; those keys sync with their own
	 * hubs, never with this one. */
	if (!(s = cb_sql(st, below, eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, hex);
	r = cb_sql_step(s);
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return cb_error(
			eb, CB_ECRYPTO,
			_("key %.12s is not enrolled at this hub (its "
		          "enrolment is another hub's: it syncs there)"),
			hex);
	if (r != CB_SQL_ROW)
		return cb_store_error(st, eb, "cannot read enrolments");
	if (!(s = cb_sql(st, frozen, eb)))
		return CB_EIO;
	cb_sql_bind_blob(s, 1, key, CB_KEY_BYTES);
	r = cb_sql_step(s);
	cb_sql_reset(s);
	if (r == CB_SQL_ROW)
		return cb_error(
			eb, CB_ERULE,
			_("key %.12s is frozen: it signed two different "
		          "entries with one seq (a fork); a person must "
		          "look"),
			hex);
	if (r != CB_SQL_DONE)
		return cb_store_error(st, eb, "cannot read entries");
	if (hub && strcmp(role, "hub"))
		return cb_error(eb, CB_ESCOPE,
		                _("key %.12s is enrolled as %s, not as a hub: "
		                  "it may push its own entries only"),
		                hex, role);
	return CB_OK;
}

cb_err
cb_ingest_admit(struct cb_store *st, const unsigned char key[CB_KEY_BYTES],
                struct cb_errbuf *eb)
{
	return admit(st, key, false, NULL, eb);
}

cb_err
cb_ingest_admit_revoked(struct cb_store *st,
                        const unsigned char key[CB_KEY_BYTES], bool *revoked,
                        struct cb_errbuf *eb)
{
	*revoked = false;
	return admit(st, key, false, revoked, eb);
}

/* An org.init a hub refuses outright, for the organisation it would
 * found: one whose code another organisation already has (it would be
 * kept as rejected and sent to every commune as directory), or whose
 * parent is not a committee this hub holds (a typo naming another commune
 * would put the new commune inside that commune's subtree, and send it all
 * of the new commune's members). CB_ESCOPE with the reason, or CB_OK. */
static cb_err
org_init_refused(struct cb_store *st, const struct cb_entry *e,
                 struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT level FROM orgs WHERE code = ?";
	static const char mine[] = "SELECT 1 FROM enrolments WHERE key = "
				   "lower(hex(?1)) AND org = ?2";
	const char *code = json_string_value(json_object_get(e->json, "code"));
	const char *parent =
		json_string_value(json_object_get(e->json, "parent"));
	const char *names[2] = { code, parent };
	char level[2][16] = { "", "" };
	struct cb_stmt *s;
	int r;

	/* Not the key's own organisation: the projection says so. */
	if (!code || !(s = cb_sql(st, mine, eb)))
		return code ? CB_EIO : CB_OK;
	cb_sql_bind_blob(s, 1, e->author, CB_KEY_BYTES);
	cb_sql_bind_text(s, 2, code);
	r = cb_sql_step(s);
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return CB_OK;
	if (r != CB_SQL_ROW)
		return cb_store_error(st, eb, "cannot read enrolments");
	for (int i = 0; i < 2 && names[i]; i++) {
		if (!(s = cb_sql(st, sql, eb)))
			return CB_EIO;
		cb_sql_bind_text(s, 1, names[i]);
		r = cb_sql_step(s);
		if (r == CB_SQL_ROW)
			snprintf(level[i], sizeof(level[i]), "%s",
			         cb_sql_column_text(s, 0));
		cb_sql_reset(s);
		if (r != CB_SQL_ROW && r != CB_SQL_DONE)
			return cb_store_error(st, eb, "cannot read orgs");
	}
	if (level[0][0])
		return cb_error(eb, CB_ESCOPE,
		                _("org.init of '%s': this hub already holds an "
		                  "organisation with that code"),
		                code);
	if (!parent)
		return cb_error(
			eb, CB_ESCOPE,
			_("org.init of '%s' names no parent: make the "
		          "replica again with --parent, the code of the "
		          "committee above it"),
			code);
	if (strcmp(level[1], "committee"))
		return cb_error(
			eb, CB_ESCOPE,
			_("org.init of '%s' names parent '%s', which is "
		          "%s: make the replica again with --parent, the "
		          "code of the committee above it"),
			code, parent,
			level[1][0] ? "not a committee"
				    : "no organisation of this hub");
	return CB_OK;
}

cb_err
cb_ingest_push(struct cb_store *st, const unsigned char author[CB_KEY_BYTES],
               const void *stream, size_t len, struct cb_push_result *r,
               struct cb_errbuf *eb)
{
	struct cb_verifier *v =
		cb_verifier_new(stream, len, CB_PUSH_MAX_ENTRIES, NULL);
	cb_err rc;

	if (!v)
		return cb_error(eb, CB_ENOMEM,
		                _("out of memory reading a push"));
	rc = cb_ingest_push_from(st, author, v, NULL, r, eb);
	cb_verifier_free(&v);
	return rc;
}

/* The entry as messages name it: "entry 5", and in a relay, of many
 * keys, "entry 5 of key 3f9a0c11d2e4". */
static const char *
entry_name(const struct cb_intake *in, const struct cb_entry *e, char out[64])
{
	char key[2 * CB_KEY_BYTES + 1];

	if (in->policy != CB_INTAKE_RELAY) {
		snprintf(out, 64, N_("entry %llu"), (unsigned long long)e->seq);
		return out;
	}
	cb_hex_encode(e->author, CB_KEY_BYTES, key);
	snprintf(out, 64, N_("entry %llu of key %.12s"),
	         (unsigned long long)e->seq, key);
	return out;
}

/* A push (policy own: author's chain) or a relay (many authors' chains):
 * see ingest.h. */
static cb_err
ingest(struct cb_store *st, enum cb_intake_policy policy,
       const unsigned char *author, struct cb_verifier *v,
       const struct cb_ingest_log *log, struct cb_push_result *r,
       struct cb_errbuf *eb)
{
	char name[64];
	const struct cb_entry *e;
	struct cb_push_result res = { .status = 200 };
	struct cb_intake in;
	enum cb_intake_fate fate;
	struct cb_errbuf why;
	cb_err verdict;
	bool verified;
	uint64_t added;
	int64_t now_ms = cb_now_ms();
	cb_err rc;

	if ((rc = cb_store_begin(st, eb)))
		return rc;
	if ((rc = cb_intake_start(st, &in, policy, author, eb)))
		goto fail;
	in.holder = N_("this hub");
	while ((rc = cb_verifier_next(v, &e, &verified, eb)) == CB_OK) {
		size_t index = cb_verifier_index(v);

		if (index > CB_PUSH_MAX_ENTRIES) {
			rc = cb_error(eb, CB_ETOOBIG,
			              _("a push holds at most %d entries"),
			              CB_PUSH_MAX_ENTRIES);
			goto fail;
		}
		if (author &&
		    sodium_memcmp(e->author, author, CB_KEY_BYTES) != 0) {
			rc = cb_error(
				eb, CB_EINVAL,
				_("entry %zu is by another author than the "
			          "request's key"),
				index);
			goto fail;
		}
		if (!verified) {
			/* Verified again, for its message. */
			if (cb_entry_verify_signature(e, eb) == CB_OK)
				cb_error(eb, CB_ECRYPTO,
				         _("%s: the signature does not verify"),
				         entry_name(&in, e, name));
			rc = CB_EINVAL;
			goto fail;
		}
		if ((rc = cb_intake_judge(st, &in, e, &fate, &why, eb)))
			goto fail;
		if (fate == CB_INTAKE_DUPLICATE) {
			res.duplicates++;
			continue;
		}
		if (fate == CB_INTAKE_EVIDENCE && policy == CB_INTAKE_RELAY) {
			/* kept as evidence; the relay goes on */
			res.forks++;
			continue;
		}
		if (fate != CB_INTAKE_NEW) {
			/* a fork (kept as evidence), a gap, a broken chain */
			res.status = 409;
			if (policy == CB_INTAKE_RELAY) {
				char key[2 * CB_KEY_BYTES + 1];

				cb_hex_encode(e->author, CB_KEY_BYTES, key);
				cb_error(eb, CB_ECHAIN, "key %.12s: %s", key,
				         why.msg);
			} else {
				cb_error(eb, CB_ECHAIN, "%s", why.msg);
			}
			break;
		}
		/* An entry dated well ahead of this hub's clock: the author's
		 * clock is wrong, and the dates it checks its records
		 * against are too (a meeting a year ahead would pass). */
		if (e->time_ms > now_ms + CB_INGEST_AHEAD_MS) {
			char day[11];

			cb_project_date_of(e->time_ms, day);
			res.status = 409;
			cb_error(eb, CB_ECHAIN,
			         _("clock: %s is dated %s, %lld hours ahead of "
			           "this hub's clock; set the computer's clock "
			           "right (the entries wait until the hub's "
			           "clock "
			           "reaches their date)"),
			         entry_name(&in, e, name), day,
			         (long long)((e->time_ms - now_ms) / 3600000));
			break;
		}
		/* (A relay is a lower hub's log, which can no more be
		 * rewritten than refused in part: what its door let in is
		 * judged by the projection alone, below.) */
		if (policy != CB_INTAKE_RELAY && !strcmp(e->op, "org.init") &&
		    (rc = org_init_refused(st, e, eb))) {
			if (rc == CB_ESCOPE)
				cb_error_prefix(eb, rc, "%s",
				                entry_name(&in, e, name));
			goto fail;
		}
		/* The projection's rules include the enrolment's scope, so
		 * that a replay of the log gives the same verdicts. */
		if ((rc = cb_intake_take(st, &in, e, &verdict, &why, eb)))
			goto fail;
		if (verdict == CB_ESCOPE && policy != CB_INTAKE_RELAY) {
			/* not the author's to write at all: refuse the push
			 * (a relay keeps it, rejected: the lower hub's log
			 * goes on after it, and its chain with it) */
			rc = cb_error(eb, verdict, "%s: %s",
			              entry_name(&in, e, name), why.msg);
			goto fail;
		}
		res.accepted++;
		res.rejected += verdict && verdict != CB_EPENDING;
		res.pending += verdict == CB_EPENDING;
		if (log && res.accepted % TLOG_EVERY == 0 &&
		    (rc = cb_tlog_catch_up(cb_store_log(st), &added, eb)))
			goto fail;
	}
	if (rc != CB_ENOTFOUND && rc != CB_OK)
		goto fail;
	if (log) {
		/* keep the 409's message: signing has its own errbuf */
		struct cb_errbuf seb;

		if ((rc = cb_tlog_sign(cb_store_log(st), log->org, log->sk,
		                       &seb))) {
			cb_error(eb, rc, _("cannot sign a checkpoint: %s"),
			         seb.msg);
			goto fail;
		}
	}
	if ((rc = cb_store_commit(st, eb)))
		return rc;
	res.head = in.head.seq;
	*r = res;
	return CB_OK;
fail:
	cb_store_rollback(st);
	return rc;
}

cb_err
cb_ingest_push_from(struct cb_store *st,
                    const unsigned char author[CB_KEY_BYTES],
                    struct cb_verifier *v, const struct cb_ingest_log *log,
                    struct cb_push_result *r, struct cb_errbuf *eb)
{
	return ingest(st, CB_INTAKE_OWN, author, v, log, r, eb);
}

cb_err
cb_ingest_relay_from(struct cb_store *st, struct cb_verifier *v,
                     const struct cb_ingest_log *log, struct cb_push_result *r,
                     struct cb_errbuf *eb)
{
	return ingest(st, CB_INTAKE_RELAY, NULL, v, log, r, eb);
}

cb_err
cb_ingest_relay(struct cb_store *st, const void *stream, size_t len,
                struct cb_push_result *r, struct cb_errbuf *eb)
{
	struct cb_verifier *v =
		cb_verifier_new(stream, len, CB_PUSH_MAX_ENTRIES, NULL);
	cb_err rc;

	if (!v)
		return cb_error(eb, CB_ENOMEM,
		                _("out of memory reading a relay"));
	rc = cb_ingest_relay_from(st, v, NULL, r, eb);
	cb_verifier_free(&v);
	return rc;
}

cb_err
cb_ingest_admit_hub(struct cb_store *st, const unsigned char key[CB_KEY_BYTES],
                    struct cb_errbuf *eb)
{
	return admit(st, key, true, NULL, eb);
}

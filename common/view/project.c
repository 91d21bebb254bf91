/* SPDX-License-Identifier: MIT */
/* project.c — the rules of each operation and how it changes the tables
 * (docs/OPERATIONS.md). Every function here reads only the tables and the
 * entry, never the clock or the environment, so replaying the log gives the
 * same tables byte for byte. A rule broken is a rejection with a one-line
 * reason; the projection then changes nothing. */
#include "project_int.h"
#include "sql.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "calendar.h"
#include "date.h"
#include "ops.h"
#include "scope.h"
#include "text.h"

static cb_err verdict(struct cb_apply *c, cb_err code, const char *fmt,
                      va_list ap) CB_PRINTF(3, 0);

static cb_err
verdict(struct cb_apply *c, cb_err code, const char *fmt, va_list ap)
{
	if (c->eb)
		vsnprintf(c->eb->msg, sizeof(c->eb->msg), fmt, ap);
	return code;
}

cb_err
pj_reject(struct cb_apply *c, const char *fmt, ...)
{
	va_list ap;
	cb_err rc;

	va_start(ap, fmt);
	rc = verdict(c, CB_ERULE, fmt, ap);
	va_end(ap);
	return rc;
}

/* A rejection because the record is not the author's to write at all. */
cb_err
pj_out_of_scope(struct cb_apply *c, const char *fmt, ...)
{
	va_list ap;
	cb_err rc;

	va_start(ap, fmt);
	rc = verdict(c, CB_ESCOPE, fmt, ap);
	va_end(ap);
	return rc;
}

const char *
pj_str(const json_t *b, const char *k)
{
	return json_string_value(json_object_get(b, k));
}

void
cb_project_date_of(int64_t time_ms, char out[11])
{
	int64_t secs = time_ms / 1000 + 7 * 3600;
	int64_t days = secs / 86400 - (secs % 86400 < 0);
	struct cb_date d = cb_date_from_days(days);

	cb_date_format(&d, out);
}

/* A date is not after the entry's own date (nobody records the future). */
cb_err
pj_not_future(struct cb_apply *c, const char *what, const char *date)
{
	if (date && strcmp(date, c->today) > 0)
		return pj_reject(
			c, _("%s %s is after the day it was recorded (%s)"),
			_(what), date, c->today);
	return CB_OK;
}

/* --- dispatch -------------------------------------------------------- */

/* Is h among e's deps? */
bool
pj_in_deps(const struct cb_entry *e, const char *hex)
{
	unsigned char h[CB_HASH_BYTES];

	if (!hex || cb_hex_decode(hex, h, sizeof(h), NULL))
		return false;
	for (size_t i = 0; i < e->ndeps; i++)
		if (!memcmp(e->deps[i], h, CB_HASH_BYTES))
			return true;
	return false;
}

/* The row s is on: its columns, in order, into cols (a member's id as
 * hex). */
void
pj_row_cols(struct cb_stmt *s, const struct col *cols, size_t ncols)
{
	char hex[CB_HASH_HEX];

	for (size_t i = 0; i < ncols; i++)
		snprintf(cols[i].to, cols[i].size, "%s",
		         cb_sql_column_shown(s, (int)i, hex));
}

/* The row (sql, by the entry id in field) of the entry this entry names,
 * what (noun) is: in its deps, held and applied. Its columns, in order,
 * into cols; unreadable is the store error's words. */
cb_err
pj_row_named(struct cb_apply *c, const char *what, const char *noun,
             const char *field, const char *sql, const char *unreadable,
             const struct col *cols, size_t ncols)
{
	const char *id = pj_str(c->b, field);
	struct cb_stmt *s;
	int r;

	if (!pj_in_deps(c->e, id))
		return pj_reject(c, _("%s does not name %s %.12s in its deps"),
		                 what, noun, id);
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, id);
	if ((r = cb_sql_step(s)) == CB_SQL_ROW)
		pj_row_cols(s, cols, ncols);
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return pj_reject(
			c, _("%s %.12s was not applied (it was rejected)"),
			noun, id);
	return r == CB_SQL_ROW ? CB_OK
	                       : cb_store_error(c->st, c->eb, unreadable);
}

/* The state of the entry id in the log, outside fork evidence: NULL if
 * not held. */
static cb_err
state_of(struct cb_store *st, const unsigned char *id, char out[16],
         struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT state FROM entries WHERE id = ? AND "
				  "evidence = 0";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_blob(s, 1, id, CB_HASH_BYTES);
	r = cb_sql_step(s);
	out[0] = 0;
	if (r == CB_SQL_ROW)
		snprintf(out, 16, "%s", cb_sql_column_text(s, 0));
	cb_sql_reset(s);
	return r == CB_SQL_ROW || r == CB_SQL_DONE
	               ? CB_OK
	               : cb_store_error(st, eb, "cannot read the log");
}

/* May e be judged now? It waits (CB_EPENDING) while one of its deps is
 * not held or pending, or while its previous entry is held and pending:
 * what it says is judged after what it names. */
static cb_err
ready(struct cb_store *st, const struct cb_entry *e, struct cb_errbuf *eb)
{
	char state[16];
	cb_err rc;

	for (size_t i = 0; i < e->ndeps; i++) {
		char h[13];

		if ((rc = state_of(st, e->deps[i], state, eb)))
			return rc;
		if (!state[0] || !strcmp(state, "pending")) {
			cb_hash_short(e->deps[i], h);
			return cb_error(
				eb, CB_EPENDING, _("waits for entry %s, %s"), h,
				state[0] ? "itself waiting" : "not held here");
		}
	}
	if (e->seq > 1) {
		if ((rc = state_of(st, e->prev, state, eb)))
			return rc;
		if (!strcmp(state, "pending"))
			return cb_error(eb, CB_EPENDING,
			                _("waits for its author's entry %llu"),
			                (unsigned long long)(e->seq - 1));
	}
	return CB_OK;
}

static cb_err
project_entry(struct cb_store *st, const struct cb_entry *e,
              struct cb_errbuf *eb)
{
	struct cb_apply c = { .st = st, .e = e, .b = e->json, .eb = eb };
	const struct cb_op *op;
	cb_err rc;

	if (cb_ops_check(e->op, e->json, eb))
		return CB_ERULE;
	if ((rc = ready(st, e, eb)))
		return rc;
	cb_hash_hex(e->id, c.id);
	cb_project_date_of(e->time_ms, c.today);
	if (!(op = cb_op_find(e->op)))
		return CB_ERULE;
	if ((rc = pj_after_succession(&c)))
		return rc;
	/* An op that rejects before writing leaves nothing to undo: no
	 * savepoint, whose undo copy of every page it changes cost a hub
	 * about a tenth of its ingest of member.adds (PERFORMANCE.md). */
	if (op->flags & CB_OP_NO_SAVEPOINT) {
		rc = op->apply(&c);
		return rc == CB_EINVAL ? CB_ERULE : rc;
	}
	if ((rc = cb_store_run(st, "SAVEPOINT project", eb)))
		return rc;
	rc = op->apply(&c);
	if (rc) {
		/* keep the rejection's message: no eb for the rollback */
		if (cb_store_run(st, "ROLLBACK TO project", NULL) ||
		    cb_store_run(st, "RELEASE project", NULL))
			return CB_EIO;
		return rc == CB_EINVAL ? CB_ERULE : rc;
	}
	return cb_store_run(st, "RELEASE project", eb);
}

/* A rejection's reason is recorded with the entry (entries.reason) and
 * must be the same sentence on every replica: written in English, whatever
 * the locale of the program that projects it. */
cb_err
cb_project_entry(struct cb_store *st, const struct cb_entry *e,
                 struct cb_errbuf *eb)
{
	cb_err rc;

	cb_lang_english_begin();
	rc = project_entry(st, e, eb);
	cb_lang_english_end();
	return rc;
}

cb_err
cb_project_try(struct cb_store *st, const struct cb_entry *e,
               struct cb_errbuf *eb)
{
	return project_entry(st, e, eb);
}

static const char *const tables[] = {
	"SELECT * FROM orgs ORDER BY code",
	"SELECT * FROM congresses ORDER BY org, term",
	MEMBERS_DIGEST,
	MEMBERSHIPS_DIGEST,
	"SELECT * FROM meetings ORDER BY id",
	"SELECT * FROM attendance ORDER BY meeting, member",
	"SELECT * FROM meeting_marks ORDER BY meeting",
	/* a subject as hex: bytes or an organisation's code, alike on
	 * every engine (schema/pg/) */
	"SELECT subject_kind, hex(subject), period, stage, level, score, "
	"note, entry FROM ratings ORDER BY subject_kind, subject, period, "
	"stage",
	"SELECT * FROM rating_tally ORDER BY org, period, subject_kind, level",
	"SELECT * FROM member_tally ORDER BY org, dim, value",
	"SELECT * FROM enrolments ORDER BY key",
	"SELECT * FROM transfers ORDER BY release",
	"SELECT * FROM holidays ORDER BY date",
	"SELECT * FROM dissolutions ORDER BY plan",
	"SELECT * FROM candidates ORDER BY id",
	"SELECT * FROM temporaries ORDER BY id",
	"SELECT * FROM authorities ORDER BY key",
	"SELECT * FROM witnesses ORDER BY hub",
	"SELECT * FROM exemptions ORDER BY org",
	"SELECT * FROM mergers ORDER BY org",
	"SELECT * FROM org_moves ORDER BY entry",
	"SELECT * FROM successions ORDER BY old_key",
	"SELECT id, state, reason FROM entries ORDER BY id",
};

cb_err
cb_project_reset(struct cb_store *st, struct cb_errbuf *eb)
{
	/* the tally's pending deltas (store.h) emptied with it */
	cb_err rc = cb_store_fold(st, eb);

	if (rc)
		return rc;
	return cb_store_exec(st,
	                     "DELETE FROM orgs; DELETE FROM congresses;"
	                     "DELETE FROM members; DELETE FROM memberships;"
	                     "DELETE FROM meetings; DELETE FROM attendance;"
	                     "DELETE FROM meeting_marks;"
	                     "DELETE FROM rating_tally;"
	                     "DELETE FROM member_tally;"
	                     "DELETE FROM ratings; DELETE FROM enrolments;"
	                     "DELETE FROM transfers;"
	                     "DELETE FROM holidays WHERE entry IS NOT NULL;"
	                     "DELETE FROM dissolutions;"
	                     "DELETE FROM candidates;"
	                     "DELETE FROM temporaries;"
	                     "DELETE FROM authorities;"
	                     "DELETE FROM witnesses;"
	                     "DELETE FROM exemptions;"
	                     "DELETE FROM mergers;"
	                     "DELETE FROM org_moves;"
	                     "DELETE FROM successions;"
	                     "UPDATE entries SET state = 'pending', "
	                     "reason = NULL WHERE evidence = 0;",
	                     eb);
}

cb_err
cb_project_digest(struct cb_store *st, unsigned char out[32],
                  struct cb_errbuf *eb)
{
	return cb_project_digest_over(
		st, tables, sizeof(tables) / sizeof(tables[0]), NULL, out, eb);
}

/* Queries asked another way since digests were first taken over them,
 * and their earlier text: a digest covers a query's text, and keeps the
 * earlier one, so that the same rows give the same digest whichever
 * chibo computes it (a hub and its communes need not be upgraded
 * together). Schemas 033 and 034 keyed members by an integer, which the
 * digests leave out. */
static const struct {
	const char *now, *was;
} renamed[] = {
	{ MEMBERS_DIGEST, "SELECT * FROM members ORDER BY id" },
	{ MEMBERSHIPS_DIGEST,
	  "SELECT * FROM memberships ORDER BY member, entry" },
	{ CB_SQL_SUBTREE MEMBERS_SUBTREE_DIGEST,
	  CB_SQL_SUBTREE "SELECT * FROM members WHERE org IN sub ORDER BY id" },
	{ CB_SQL_SUBTREE MEMBERSHIPS_SUBTREE_DIGEST,
	  CB_SQL_SUBTREE "SELECT * FROM memberships WHERE member IN (SELECT "
	                 "id FROM members WHERE org IN sub) ORDER BY member, "
	                 "entry" },
};

static const char *
digest_name(const char *q)
{
	for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++)
		if (!strcmp(q, renamed[i].now))
			return renamed[i].was;
	return q;
}

cb_err
cb_project_digest_over(struct cb_store *st, const char *const *queries,
                       size_t nq, const char *param, unsigned char out[32],
                       struct cb_errbuf *eb)
{
	crypto_hash_sha256_state h;
	cb_err rc;

	/* what the engine keeps behind until the commit, brought up to date */
	if ((rc = cb_store_fold(st, eb)))
		return rc;
	crypto_hash_sha256_init(&h);
	for (size_t t = 0; t < nq; t++) {
		struct cb_stmt *s = NULL;
		const char *name;
		int r;

		if (cb_sql_prepare(st, queries[t], &s, NULL) != CB_OK)
			return cb_store_error(st, eb, "cannot digest tables");
		if (param)
			cb_sql_bind_named(s, ":root", param);
		name = digest_name(queries[t]);
		crypto_hash_sha256_update(&h, (const unsigned char *)name,
		                          strlen(name) + 1);
		while ((r = cb_sql_step(s)) == CB_SQL_ROW)
			cb_sql_digest_row(s, &h);
		cb_sql_finalize(s);
		if (r != CB_SQL_DONE)
			return cb_store_error(st, eb, "cannot digest tables");
	}
	crypto_hash_sha256_final(&h, out);
	return CB_OK;
}

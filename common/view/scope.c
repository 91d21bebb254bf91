/* SPDX-License-Identifier: MIT */
/* scope.c — the read scope of a key (scope.h): one SQL predicate over the
 * log, used both to serve a pull and to digest what a scope sees. */
#include "scope.h"
#include "stream.h"
#include "sql.h"

#include <stdio.h>
#include <string.h>

#include "project.h"

/* The subtree of :root, for the queries below. */
#define SUBTREE CB_SQL_SUBTREE

#define NOT_EVIDENCE "evidence = 0 "

/* The transfers that bring members into the subtree, and before each the
 * transfer that had brought the member to its sender (accepted by the
 * sender before it released the member: not one that brought the member
 * back to it later), and so on: whose history up to the release travels
 * with the member. */
/* x wrote it by the hand of c: the same key, no later than c's entry
 * (cmp: "<" or "<="); or a key c's key succeeded — by a key succession or
 * a merger (successions) — no later than that key's last covered entry.
 * pred(heir, k, upto) lists every key a key succeeded, through every
 * step. */
#define PRED                                                                   \
	", pred(heir, k, upto) AS (SELECT new_key, old_key, through_seq FROM " \
	"successions UNION SELECT p.heir, s.old_key, s.through_seq FROM pred " \
	"p JOIN successions s ON s.new_key = p.k) "
#define BY_HAND_OF(x, c, cmp)                                                  \
	"((" x ".author = " c ".author AND " x ".seq " cmp " " c ".seq) OR "   \
	"EXISTS (SELECT 1 FROM pred WHERE pred.heir = lower(hex(" c            \
	".author)) AND pred.k = lower(hex(" x ".author)) AND " x ".seq <= "    \
	"pred.upto)) "
#define CHAIN_FROM(seed, tseed)                                                \
	PRED ", chain(member, author, seq, from_org) AS (SELECT member, "      \
	     "author, "                                                        \
	     "seq, from_org FROM transfers WHERE " seed                        \
	     " UNION SELECT member, "                                          \
	     "author, seq, from_org FROM temporaries WHERE " tseed             \
	     " UNION SELECT "                                                  \
	     "p.member, p.author, p.seq, p.from_org FROM transfers p JOIN "    \
	     "chain c "                                                        \
	     "ON p.member = c.member AND p.to_org = c.from_org AND p.state = " \
	     "'accepted' JOIN entries a ON a.id = chibo_unhex(p.closed_by) "   \
	     "AND " BY_HAND_OF("a", "c", "<") ") "
#define CHAIN CHAIN_FROM("to_org IN sub", "to_org IN sub")

/* The entries the scope's predicates name, as the bytes of their ids (for
 * the index on entries.id; the tables keep them as hex): SELECTs joined
 * by UNION ALL, over the CTEs sub, pred and chain.
 *
 * A member's dossier: what each sender in the chain wrote about the
 * member up to its release (what an entry is about is in entry_refs, but
 * for a member.add, whose id is the member's: schema 12), and the answers
 * that moved the member. */
#define NAMED_RECORDS                                                          \
	"SELECT j.entry FROM chain c JOIN entry_refs j ON j.member = "         \
	"c.member JOIN entries x ON x.id = j.entry WHERE " BY_HAND_OF(         \
		"x", "c",                                                      \
		"<=") "UNION ALL SELECT m.id FROM chain c JOIN "               \
		      "entries m ON m.id = c.member WHERE m.op = "             \
		      "'member.add' AND " BY_HAND_OF(                          \
			      "m", "c",                                        \
			      "<=") "UNION ALL SELECT "                        \
				    "chibo_unhex(t.closed_by) FROM "           \
				    "transfers t JOIN chain c ON "             \
				    "t.member = c.member AND " BY_HAND_OF(     \
					    "t", "c",                          \
					    "<=") "WHERE t.closed_by IS NOT "  \
						  "NULL "
/* The acceptances and ends of the member's temporary stays, wherever and
 * whenever they were written. */
#define NAMED_STAYS                                                            \
	"SELECT chibo_unhex(t.accepted_by) FROM temporaries t JOIN chain c "   \
	"ON t.member = c.member WHERE t.accepted_by IS NOT NULL UNION ALL "    \
	"SELECT chibo_unhex(t.ended_by) FROM temporaries t JOIN chain c ON "   \
	"t.member = c.member WHERE t.ended_by IS NOT NULL "
/* The answer to a release out of the subtree, a strike-off of a member
 * released out of or into it, the acceptance and end of a temporary stay
 * out of it, the approval of its dissolutions, its exemptions. */
#define NAMED_BASE                                                             \
	"SELECT chibo_unhex(closed_by) FROM transfers WHERE from_org IN sub "  \
	"AND closed_by IS NOT NULL UNION ALL SELECT chibo_unhex(struck_by) "   \
	"FROM transfers WHERE (from_org IN sub OR to_org IN sub) AND "         \
	"struck_by IS NOT NULL UNION ALL SELECT chibo_unhex(accepted_by) "     \
	"FROM temporaries WHERE from_org IN sub AND accepted_by IS NOT NULL "  \
	"UNION ALL SELECT chibo_unhex(ended_by) FROM temporaries WHERE "       \
	"from_org IN sub AND ended_by IS NOT NULL UNION ALL SELECT "           \
	"chibo_unhex(approved_by) FROM dissolutions WHERE org IN sub AND "     \
	"approved_by IS NOT NULL UNION ALL SELECT chibo_unhex(entry) FROM "    \
	"exemptions WHERE org IN sub "
/* A release or temporary transfer into the subtree. */
#define NAMED_RELEASES                                                         \
	"SELECT chibo_unhex(release) FROM transfers WHERE to_org IN sub "      \
	"UNION ALL SELECT chibo_unhex(id) FROM temporaries WHERE to_org IN "   \
	"sub "
/* The keys whose every entry the subtree sees: the authority's and a
 * delegated hub key's (authorities: the chain of authority every store
 * follows), a hub's below, and those enrolled inside the subtree. */
#define KEYS_SEEN                                                              \
	"SELECT chibo_unhex(value) FROM meta WHERE key = 'authority' UNION "   \
	"ALL SELECT chibo_unhex(key) FROM authorities UNION ALL SELECT "       \
	"chibo_unhex(key) FROM enrolments WHERE org IN sub OR role = 'hub' "

/* The log positions in (?2, ?3] of the entries a subtree sees, found
 * through indexes (entries_directory, entries_author_lsn, the id's) so
 * that a read costs what it finds, not the length of the log: the
 * directory (what the projection did not reject: a key writing junk must
 * not fill every commune's replica), every entry of KEYS_SEEN, and the
 * entries named (a NAMED_… union). */
#define POSITIONS(named, range)                                                \
	"SELECT lsn FROM entries WHERE op IN ('org.init', 'cell.create', "     \
	"'cell.rename') AND " range "AND state <> 'rejected' UNION SELECT "    \
	"lsn FROM entries WHERE author IN (" KEYS_SEEN ") AND " range          \
	"UNION SELECT lsn FROM entries WHERE id IN (" named ") AND " range
#define WINDOW "lsn > ?2 AND lsn <= ?3 "
#define WHOLE_LOG "lsn > 0 "
/* What the subtree sees (docs/PROTOCOL.md, "Pull and scope"): the
 * positions above, with a member's dossier. */
#define IN_SCOPE(range)                                                        \
	"lsn IN (" POSITIONS(NAMED_BASE "UNION ALL " NAMED_RECORDS             \
	                                "UNION ALL " NAMED_STAYS,              \
	                     range) ") "
/* What a read sends in its place in the log: a member's records before
 * its release into the subtree are not, but come with the release, just
 * before it and in log order (dossier()), so that a reader whose cursor
 * lies among them is never sent a later one (a move, an acceptance)
 * before an earlier one (the member.add). The stays' acceptances and
 * ends may come after the release: those come in their place. */
#define IN_READ                                                                \
	"lsn IN (" POSITIONS(NAMED_BASE "UNION ALL " NAMED_RELEASES            \
	                                "UNION ALL " NAMED_STAYS,              \
	                     WINDOW) ") "

void
cb_scope_bind_root(struct cb_stmt *s, const char *root)
{
	cb_sql_bind_named(s, ":root", root);
}

cb_err
cb_scope_of(struct cb_store *st, const unsigned char key[CB_KEY_BYTES],
            struct cb_scope *sc, struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT org, role FROM enrolments WHERE key = ?";
	char hex[2 * CB_KEY_BYTES + 1];
	struct cb_stmt *s = cb_sql(st, sql, eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_hex_encode(key, CB_KEY_BYTES, hex);
	cb_sql_bind_text(s, 1, hex);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW) {
		memcpy(sc->reader, key, CB_KEY_BYTES);
		snprintf(sc->root, sizeof(sc->root), "%s",
		         cb_sql_column_text(s, 0));
		sc->all = !strcmp(cb_sql_column_text(s, 1), "auditor");
		sc->hub = !strcmp(cb_sql_column_text(s, 1), "hub");
	}
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return cb_error(eb, CB_ENOTFOUND,
		                _("key %.12s is not enrolled"), hex);
	return r == CB_SQL_ROW
	               ? CB_OK
	               : cb_store_error(st, eb, "cannot read enrolments");
}

/* Every row of s (its column 0, an entry's bytes) onto the stream out,
 * counted; s finalized. */
static cb_err
stream_rows(struct cb_store *st, struct cb_stmt *s, struct cb_buf *out,
            size_t *count, struct cb_errbuf *eb)
{
	int r;

	while ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		uint32_t n = (uint32_t)cb_sql_column_bytes(s, 0);

		if (cb_stream_append_bytes(out, cb_sql_column_blob(s, 0), n)) {
			cb_sql_finalize(s);
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		}
		++*count;
	}
	cb_sql_finalize(s);
	return r == CB_SQL_DONE ? CB_OK
	                        : cb_store_error(st, eb, "cannot read the log");
}

/* Before a release addressed into the subtree (at log position at): the
 * member's dossier, what the log holds of it before the release, in log
 * order. What the reader holds already comes again and is skipped. */
static cb_err
dossier(struct cb_store *st, const struct cb_scope *sc, const void *release,
        int64_t at, struct cb_buf *out, size_t *count, struct cb_errbuf *eb)
{
	static const char sql[] = SUBTREE CHAIN_FROM(
		"release = lower(hex(?2)) AND to_org IN sub",
		"id = lower(hex(?2)) AND to_org IN sub") "SELECT bytes FROM "
							 "entries WHERE id IN "
							 "(" NAMED_RECORDS
							 "UNION "
							 "ALL " NAMED_STAYS
							 ") AND lsn < ?3 AND "
							 "author <> ?4 "
							 "AND " NOT_EVIDENCE
							 "ORDER BY lsn";
	struct cb_stmt *s;

	if (cb_sql_prepare(st, sql, &s, NULL))
		return cb_store_error(st, eb, "cannot read the log");
	cb_scope_bind_root(s, sc->root);
	cb_sql_bind_blob(s, 2, release, CB_HASH_BYTES);
	cb_sql_bind_int64(s, 3, at);
	cb_sql_bind_blob(s, 4, sc->reader, CB_KEY_BYTES);
	return stream_rows(st, s, out, count, eb);
}

/* Before a merger into the subtree (an org.merge at log position at), or
 * the move of an organisation into it from outside (an org.move): that
 * organisation's history, what the log holds in its scope before that
 * entry, in log order — its own entries, the answers to its releases,
 * the dossiers of members released to it — for a reader that did not
 * read them in their place (they were outside its subtree then). What
 * the reader holds already comes again and is skipped. Nothing for an
 * entry that brings nothing into the reader's subtree. */
static cb_err
merged_history(struct cb_store *st, const struct cb_scope *sc,
               const void *merger, int64_t at, struct cb_buf *out,
               size_t *count, struct cb_errbuf *eb)
{
	/* merged into the subtree; or moved into it from outside it */
	static const char into_sub[] = SUBTREE
		"SELECT m.org FROM mergers m WHERE m.entry = "
		"lower(hex(?2)) AND m.into_org IN sub UNION ALL SELECT "
		"v.org FROM org_moves v WHERE v.entry = lower(hex(?2)) "
		"AND v.to_parent IN sub AND coalesce(v.from_parent, '') "
		"NOT IN sub";
	static const char sql[] =
		"WITH RECURSIVE sub(code) AS (SELECT :root UNION SELECT o.code "
		"FROM orgs o JOIN sub ON o.parent = sub.code AND o.level <> "
		"'cell') " CHAIN "SELECT bytes FROM entries WHERE " IN_SCOPE(
			"lsn < ?3 ") "AND author <> ?4 AND " NOT_EVIDENCE
				     "ORDER BY lsn";
	char merged[CB_CODE_MAX + 1];
	struct cb_stmt *s;
	int r;

	if (cb_sql_prepare(st, into_sub, &s, NULL))
		return cb_store_error(st, eb, "cannot read mergers");
	cb_scope_bind_root(s, sc->root);
	cb_sql_bind_blob(s, 2, merger, CB_HASH_BYTES);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW)
		snprintf(merged, sizeof(merged), "%s",
		         cb_sql_column_text(s, 0));
	cb_sql_finalize(s);
	if (r == CB_SQL_DONE)
		return CB_OK;
	if (r != CB_SQL_ROW)
		return cb_store_error(st, eb, "cannot read mergers");
	if (cb_sql_prepare(st, sql, &s, NULL))
		return cb_store_error(st, eb, "cannot read the log");
	cb_scope_bind_root(s, merged);
	cb_sql_bind_int64(s, 3, at);
	cb_sql_bind_blob(s, 4, sc->reader, CB_KEY_BYTES);
	return stream_rows(st, s, out, count, eb);
}

cb_err
cb_scope_read(struct cb_store *st, const struct cb_scope *sc, int64_t after,
              size_t max, size_t max_bytes, struct cb_buf *out,
              struct cb_scope_page *pg, struct cb_errbuf *eb)
{
	static const char last[] = "SELECT coalesce(max(lsn), 0) FROM entries";
	static const char scoped[] = SUBTREE CHAIN
		"SELECT lsn, bytes, id, op FROM entries WHERE " IN_READ
		"AND author <> ?4 AND " NOT_EVIDENCE "ORDER BY lsn";
	static const char below[] = SUBTREE CHAIN
		"SELECT lsn, bytes, id, op FROM entries WHERE " IN_READ
		"AND author <> ?4 AND " NOT_EVIDENCE "AND author NOT IN "
		"(SELECT chibo_unhex(key) FROM enrolments WHERE org IN sub) "
		"ORDER BY lsn";
	static const char everything[] = "SELECT lsn, bytes, id, op FROM "
					 "entries WHERE lsn > ?2 AND lsn <= ?3 "
					 "AND author <> ?4 ORDER BY lsn";
	struct cb_stmt *s;
	bool full = false;
	int r;

	memset(pg, 0, sizeof(*pg));
	if (!(s = cb_sql(st, last, eb)))
		return CB_EIO;
	r = cb_sql_step(s);
	pg->end = r == CB_SQL_ROW ? cb_sql_column_int64(s, 0) : 0;
	cb_sql_reset(s);
	if (r != CB_SQL_ROW)
		return cb_store_error(st, eb, "cannot read the log");
	pg->next = after < 0 ? 0 : after;
	if (!(s = cb_sql(st,
	                 sc->all   ? everything
	                 : sc->hub ? below
	                           : scoped,
	                 eb)))
		return CB_EIO;
	/* A window of the log at a time, so that what a statement gathers
	 * and sorts stays bounded; the windows go on until the page is
	 * full or the log ends: one that holds nothing in scope costs a few
	 * index probes. */
	while (!full && pg->next < pg->end) {
		int64_t limit = pg->end - pg->next > CB_SCOPE_SCAN
		                        ? pg->next + CB_SCOPE_SCAN
		                        : pg->end;

		cb_scope_bind_root(s, sc->root);
		cb_sql_bind_int64(s, 2, pg->next);
		cb_sql_bind_int64(s, 3, limit);
		cb_sql_bind_blob(s, 4, sc->reader, CB_KEY_BYTES);
		while ((r = cb_sql_step(s)) == CB_SQL_ROW) {
			uint32_t n = (uint32_t)cb_sql_column_bytes(s, 1);
			const char *op = cb_sql_column_text(s, 3);

			if (pg->count == max || out->len >= max_bytes) {
				/* Stop before this one: it is read next
				 * time. */
				limit = cb_sql_column_int64(s, 0) - 1;
				full = true;
				break;
			}
			if (!sc->all &&
			    (!strcmp(op, "member.release") ||
			     !strcmp(op, "member.temporary")) &&
			    dossier(st, sc, cb_sql_column_blob(s, 2),
			            cb_sql_column_int64(s, 0), out, &pg->count,
			            eb)) {
				cb_sql_reset(s);
				return CB_EIO;
			}
			if (!sc->all &&
			    (!strcmp(op, "org.merge") ||
			     !strcmp(op, "org.move")) &&
			    merged_history(st, sc, cb_sql_column_blob(s, 2),
			                   cb_sql_column_int64(s, 0), out,
			                   &pg->count, eb)) {
				cb_sql_reset(s);
				return CB_EIO;
			}
			if (cb_stream_append_bytes(
				    out, cb_sql_column_blob(s, 1), n)) {
				cb_sql_reset(s);
				return cb_error(eb, CB_ENOMEM,
				                _("out of memory"));
			}
			pg->count++;
		}
		cb_sql_reset(s);
		if (r != CB_SQL_ROW && r != CB_SQL_DONE)
			return cb_store_error(st, eb, "cannot read the log");
		pg->next = limit;
	}
	pg->more = pg->next < pg->end;
	return CB_OK;
}

cb_err
cb_scope_read_own(struct cb_store *st, const unsigned char key[CB_KEY_BYTES],
                  uint64_t after, size_t max, size_t max_bytes,
                  struct cb_buf *out, struct cb_scope_page *pg,
                  struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT seq, bytes FROM entries WHERE author = ?1 AND seq > ?2 "
		"AND " NOT_EVIDENCE "ORDER BY seq LIMIT ?3";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	int r;

	memset(pg, 0, sizeof(*pg));
	pg->next = (int64_t)after;
	if (!s)
		return CB_EIO;
	cb_sql_bind_blob(s, 1, key, CB_KEY_BYTES);
	cb_sql_bind_int64(s, 2, (int64_t)after);
	cb_sql_bind_int64(s, 3, (int64_t)max + 1);
	while ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		uint32_t n = (uint32_t)cb_sql_column_bytes(s, 1);

		if (pg->count == max || out->len >= max_bytes) {
			pg->more = true;
			break;
		}
		if (cb_stream_append_bytes(out, cb_sql_column_blob(s, 1), n)) {
			cb_sql_reset(s);
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		}
		pg->next = cb_sql_column_int64(s, 0);
		pg->count++;
	}
	cb_sql_reset(s);
	if (r != CB_SQL_ROW && r != CB_SQL_DONE)
		return cb_store_error(st, eb, "cannot read the log");
	pg->end = pg->next;
	return CB_OK;
}

cb_err
cb_scope_digest(struct cb_store *st, const char *root, unsigned char out[32],
                struct cb_errbuf *eb)
{
	static const char *const queries[] = {
		/* the directory: a cell outside the subtree is known by
		 * its code and name, not by whether it was dissolved */
		SUBTREE "SELECT code, parent, level, kind, name, name_fold, "
			"CASE WHEN code IN sub THEN state END, founded_on, "
			"owner, CASE WHEN code IN sub THEN entry END FROM orgs "
			"ORDER BY code",
		SUBTREE "SELECT * FROM congresses WHERE org IN sub ORDER BY "
			"org, term",
		SUBTREE MEMBERS_SUBTREE_DIGEST,
		SUBTREE MEMBERSHIPS_SUBTREE_DIGEST,
		SUBTREE "SELECT * FROM meetings WHERE cell IN sub ORDER BY id",
		SUBTREE "SELECT * FROM attendance WHERE meeting IN (SELECT id "
			"FROM meetings WHERE cell IN sub) ORDER BY meeting, "
			"member",
		/* chibo_unhex(code): the code as ratings keep it (sql.md) */
		SUBTREE
		"SELECT subject_kind, hex(subject), period, stage, "
		"level, score, note, entry FROM ratings WHERE "
		"(subject_kind = 'org' AND subject IN (SELECT "
		"chibo_unhex(code) FROM sub)) OR (subject_kind = 'member' AND "
		"subject IN (SELECT id FROM members WHERE org IN sub)) "
		"ORDER BY subject_kind, subject, period, stage",
		"SELECT * FROM enrolments ORDER BY key",
		SUBTREE "SELECT * FROM candidates WHERE org IN sub ORDER BY "
			"id",
		SUBTREE "SELECT * FROM dissolutions WHERE org IN sub ORDER BY "
			"plan",
		SUBTREE "SELECT * FROM temporaries WHERE from_org IN sub OR "
			"to_org IN sub ORDER BY id",
		SUBTREE "SELECT * FROM exemptions WHERE org IN sub ORDER BY "
			"org",
		SUBTREE "SELECT * FROM mergers WHERE org IN sub OR into_org "
			"IN sub ORDER BY org",
		SUBTREE "SELECT * FROM org_moves WHERE org IN sub ORDER BY "
			"entry",
		SUBTREE "SELECT * FROM successions WHERE org IN sub ORDER BY "
			"old_key",
		SUBTREE CHAIN
		"SELECT id, state, reason FROM entries WHERE " IN_SCOPE(
			WHOLE_LOG) "AND " NOT_EVIDENCE "ORDER BY id",
	};

	return cb_project_digest_over(st, queries,
	                              sizeof(queries) / sizeof(queries[0]),
	                              root, out, eb);
}

cb_err
cb_scope_digest_hex(struct cb_store *st, const char *root, char hex[65],
                    struct cb_errbuf *eb)
{
	unsigned char d[32];
	cb_err rc = cb_store_begin(st, eb);

	if (rc)
		return rc;
	rc = root ? cb_scope_digest(st, root, d, eb)
	          : cb_project_digest(st, d, eb);
	cb_store_rollback(st);
	if (!rc)
		cb_hex_encode(d, sizeof(d), hex);
	return rc;
}

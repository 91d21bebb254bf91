/* SPDX-License-Identifier: MIT */
/* project.h — the projection: the deterministic function from entries to
 * the tables of schema/ (DESIGN.md principle 1). Applying an entry either
 * changes the tables or rejects it with a reason and changes nothing; the
 * same entries applied in the same order always give the same tables. */
#ifndef CB_PROJECT_H
#define CB_PROJECT_H

#include "entry.h"
#include "err.h"
#include "store.h"

#define CB_REASON_MAX 256

/* The version of the projection's rules. A store keeps the version its
 * tables were projected under (meta 'rules'); a store projected under an
 * older one is projected again, once, when it is opened (ledger.c), so
 * that its tables are what these rules give. 1: before meta 'rules'.
 * 2: a card or national ID number held by two members is kept, not
 * rejected (schema 14); an org.init by a key no enrolment names is
 * rejected, in a store that knows its authority, unless it is the
 * store's own (meta 'self'); names with
 * bidirectional or C1 control characters are rejected.
 * 3: a chain of authority (schema 17): a key enrolled with the role 'hub'
 * may enrol and revoke keys, and found its committee, inside the subtree
 * it was delegated; an enrolment may name the committee its organisation
 * sits under, and the org.init must then name it too. */
#define CB_PROJECT_RULES 3

/* Apply e's op to the tables. CB_OK: applied. CB_ERULE: rejected, with the
 * reason in eb, and the tables unchanged; CB_ESCOPE: the same, but the
 * record is not the author's to write at all (another organisation's, an
 * org.init outside its enrolment, an authority's op), which a hub refuses
 * outright rather than keep. CB_EPENDING: not judged yet, the tables
 * unchanged — a dep of e is not held or is pending, or e's previous entry
 * is held and pending (cb_ledger_take stores it as pending and judges it
 * when they settle). Anything else: a storage error, the tables
 * unchanged (the caller should roll back). Must be called inside a
 * transaction. The body is checked with cb_ops_check first. */
cb_err cb_project_entry(struct cb_store *st, const struct cb_entry *e,
                        struct cb_errbuf *eb) CB_MUST_CHECK;
/* cb_project_entry for an entry this replica is about to record: refused,
 * it is not kept (cb_ledger_append), so its reason is for the person
 * recording it and is written in their language (lang.h). */
cb_err cb_project_try(struct cb_store *st, const struct cb_entry *e,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* The check every op that writes into an organisation makes first: does
 * code exist, of level (NULL: any), active, and belong to e's author?
 * CB_OK; CB_ERULE or CB_ESCOPE with the reason apply_* would give; or a
 * storage error. Reads only (chibo-audit asks it of entries it does not
 * replay). */
cb_err cb_project_writable(struct cb_store *st, const struct cb_entry *e,
                           const char *code, const char *level,
                           struct cb_errbuf *eb) CB_MUST_CHECK;

/* Empty every projection table (entries stay); inside a transaction. */
cb_err cb_project_reset(struct cb_store *st,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* SHA-256 over every projection table's rows in primary-key order, and over
 * each entry's (id, state, reason): equal digests mean identical tables. */
cb_err cb_project_digest(struct cb_store *st, unsigned char out[32],
                         struct cb_errbuf *eb) CB_MUST_CHECK;

/* The digests' queries of members and their stays (cb_project_digest;
 * after CB_SQL_SUBTREE, cb_scope_digest; CB_SQL_MEMBER_COLS is sql.h's):
 * by the member's id, not its key, which is the store's own (schemas 033,
 * 034). A digest covers them under their earlier text (project.c). */
#define MEMBERS_DIGEST "SELECT " CB_SQL_MEMBER_COLS " FROM members ORDER BY id"
#define MEMBERSHIPS_DIGEST                                                     \
	"SELECT m.id, s.entry, s.cell, s.kind, s.since, s.until FROM "         \
	"memberships s JOIN members m ON m.mkey = s.member ORDER BY m.id, "    \
	"s.entry"
#define MEMBERS_SUBTREE_DIGEST                                                 \
	"SELECT " CB_SQL_MEMBER_COLS " FROM members WHERE org IN sub ORDER "   \
	"BY id"
#define MEMBERSHIPS_SUBTREE_DIGEST                                             \
	"SELECT m.id, s.entry, s.cell, s.kind, s.since, s.until FROM "         \
	"memberships s JOIN members m ON m.mkey = s.member WHERE m.org IN "    \
	"sub ORDER BY m.id, s.entry"

/* The same over other queries (each row's columns hashed in order, after
 * the query's text, or the text it had before it was asked another way);
 * param, if not NULL, is bound to each query's :root. */
cb_err cb_project_digest_over(struct cb_store *st, const char *const *queries,
                              size_t nq, const char *param,
                              unsigned char out[32],
                              struct cb_errbuf *eb) CB_MUST_CHECK;

/* The date (YYYY-MM-DD, Vietnam time, UTC+7) of a Unix time in ms. */
void cb_project_date_of(int64_t time_ms, char out[11]);

#endif

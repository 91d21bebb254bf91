/* SPDX-License-Identifier: MIT */
/* project_int.h — what the projection's files share (project.c and one
 * project_FAMILY.c per family of records): the state an op is applied
 * with, the helpers every family uses to read and reject, and the apply
 * function of every op, which the op registry (ops.c) names. Nothing
 * outside the projection includes it. */
#ifndef CB_PROJECT_INT_H
#define CB_PROJECT_INT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "ops.h"
#include "project.h"
#include "sql.h"

/* An entry being applied: the store, the entry and its body, its id as
 * hex, the date it claims (UTC+7) and where a rejection's reason goes. */
struct cb_apply {
	struct cb_store *st;
	const struct cb_entry *e;
	const json_t *b;
	char id[CB_HASH_HEX]; /* hex id of the entry */
	char today[11];       /* the entry's claimed date */
	struct cb_errbuf *eb;
};

struct org {
	char level[16];
	char state[16];
	char kind[32];
	char parent[CB_CODE_MAX + 1];
	int owned; /* owner == entry author */
};

/* A member's key (members.mkey, memberships.member: schemas 033, 034),
 * from its id bound at the next parameter (sql.h). */
#define PJ_MKEY CB_SQL_MKEY("?")

/* A column of row_named's row and where it goes. */
struct col {
	char *to;
	size_t size;
};

/* A rejection: CB_ERULE with the reason; out_of_scope: CB_ESCOPE, the
 * record is not the author's to write at all. */
cb_err pj_reject(struct cb_apply *c, const char *fmt, ...) CB_PRINTF(2, 3);
cb_err pj_out_of_scope(struct cb_apply *c, const char *fmt, ...)
	CB_PRINTF(2, 3);

const char *pj_str(const json_t *b, const char *k);
cb_err pj_not_future(struct cb_apply *c, const char *what, const char *date);
/* An enrolment as the projection's rules read it (project_enrol.c). */
struct pj_enrolment {
	char org[CB_CODE_MAX + 1];
	char role[16];
	char parent[CB_CODE_MAX + 1];  /* "" when it names none */
	char by[2 * CB_KEY_BYTES + 1]; /* the enrolling key; "" if unknown */
	bool revoked;
};
/* The enrolment of key (64 hex digits), or of the entry's author:
 * CB_ENOTFOUND, or CB_OK. */
cb_err pj_enrolment_of(struct cb_apply *c, const char *key,
                       struct pj_enrolment *en);
cb_err pj_author_enrolment(struct cb_apply *c, struct pj_enrolment *en);
/* An org.init or hub.init names the parent its author's enrolment en
 * names, if it names one; and if it names none and a delegated hub key
 * made it, a parent inside that key's subtree: CB_OK, or the entry
 * refused (CB_ESCOPE). */
cb_err pj_placed_as_enrolled(struct cb_apply *c, const char *what,
                             const char *code, const struct pj_enrolment *en);
cb_err pj_org_get(struct cb_apply *c, const char *code, struct org *o);
/* The organisation org's records belong to now: org, or the one it was
 * merged into, and so on (mergers), into out. */
cb_err pj_org_successor(struct cb_apply *c, const char *org,
                        char out[CB_CODE_MAX + 1]);
/* The entry refused (CB_ESCOPE) for writing what (a quoted code, "member
 * ID") that another key owns: "… belongs to another organisation's key;
 * only its owner may change <it>". (A merged or succeeded key's later
 * entries never get here: pj_after_succession refuses them first, saying
 * why.) */
cb_err pj_not_owner(struct cb_apply *c, const char *what, const char *it);
/* Key succession (project_succeed.c). The entry refused (CB_ESCOPE) if
 * its author was succeeded by another key before it (its seq after the
 * last entry the succession names); else CB_OK. */
cb_err pj_after_succession(struct cb_apply *c);
/* Does the entry's author own what owner (a key's len bytes) owns: is it
 * owner, or a key that owner succeeded, directly or through others? Only
 * asked of an entry pj_after_succession let through. */
cb_err pj_owns(struct cb_apply *c, const void *owner, size_t len, int *yes);
/* The key that owns what the entry's author founds: the author, or the
 * last key of the successions from it (the records of a succeeded key
 * are its heir's, whichever a store received first). */
cb_err pj_heir(struct cb_apply *c, unsigned char out[CB_KEY_BYTES]);
/* The key that owns org's record (its org.init's author, or the key
 * that succeeded it) and the key that enrolled that one ("" if none
 * did), as hex. */
cb_err pj_org_keys(struct cb_apply *c, const char *org, char owner[65],
                   char enroller[65]);
/* CB_OK if no organisation code exists; else the entry refused. */
cb_err pj_org_absent(struct cb_apply *c, const char *code);
cb_err pj_org_writable(struct cb_apply *c, const char *code, const char *level,
                       struct org *o);
cb_err pj_org_insert(struct cb_apply *c, const char *code, const char *parent,
                     const char *level, const char *kind, const char *name,
                     const char *founded_on);
/* The columns of a member record, in the members table's order, NULL
 * at the end. */
extern const char *const pj_member_cols[];
cb_err pj_member_get(struct cb_apply *c, const char *id, json_t **out,
                     int *owned);
bool pj_in_deps(const struct cb_entry *e, const char *hex);
cb_err pj_member_writable(struct cb_apply *c, const char *id, json_t **m);
cb_err pj_member_validate(struct cb_apply *c, const json_t *m);
cb_err pj_member_save(struct cb_apply *c, const char *id, const json_t *m,
                      bool insert);
cb_err pj_membership_open(struct cb_apply *c, const char *member,
                          const char *cell, const char *kind,
                          const char *since);
/* The row s is on: its columns, in order, into cols (a member's id as
 * hex). */
void pj_row_cols(struct cb_stmt *s, const struct col *cols, size_t ncols);
cb_err pj_row_named(struct cb_apply *c, const char *what, const char *noun,
                    const char *field, const char *sql, const char *unreadable,
                    const struct col *cols, size_t ncols);
cb_err pj_office_above(struct cb_apply *c, const char *org, bool *yes);
/* The chain of authority: may the author enrol or revoke a key for org,
 * or found org (under parent, if it names one)? The store's authority
 * may, anywhere; a hub key delegated an organisation, inside its subtree.
 * CB_OK, or the entry refused (CB_ESCOPE, CB_ERULE). */
cb_err pj_delegated(struct cb_apply *c, const char *what, const char *org,
                    const char *parent);

/* The ops: each applies its entry or rejects it (project.h,
 * cb_project_entry). */
cb_err cb_apply_org_init(struct cb_apply *c);
cb_err cb_apply_cell_create(struct cb_apply *c);
cb_err cb_apply_cell_rename(struct cb_apply *c);
cb_err cb_apply_org_congress(struct cb_apply *c);
cb_err cb_apply_member_add(struct cb_apply *c);
cb_err cb_apply_member_update(struct cb_apply *c);
cb_err cb_apply_member_status(struct cb_apply *c);
cb_err cb_apply_member_move(struct cb_apply *c);
cb_err cb_apply_member_release(struct cb_apply *c);
cb_err cb_apply_member_accept(struct cb_apply *c);
cb_err cb_apply_member_decline(struct cb_apply *c);
cb_err cb_apply_member_strike_off(struct cb_apply *c);
cb_err cb_apply_member_temporary(struct cb_apply *c);
cb_err cb_apply_member_temporary_accept(struct cb_apply *c);
cb_err cb_apply_member_temporary_end(struct cb_apply *c);
cb_err cb_apply_candidate_add(struct cb_apply *c);
cb_err cb_apply_candidate_helpers(struct cb_apply *c);
cb_err cb_apply_candidate_move(struct cb_apply *c);
cb_err cb_apply_candidate_admit(struct cb_apply *c);
cb_err cb_apply_cell_dissolve_plan(struct cb_apply *c);
cb_err cb_apply_cell_dissolve_approve(struct cb_apply *c);
cb_err cb_apply_cell_dissolve(struct cb_apply *c);
cb_err cb_apply_office_init(struct cb_apply *c);
cb_err cb_apply_campaign_exempt(struct cb_apply *c);
cb_err cb_apply_committee_found(struct cb_apply *c);
cb_err cb_apply_org_merge(struct cb_apply *c);
cb_err cb_apply_org_move(struct cb_apply *c);
cb_err cb_apply_org_succeed(struct cb_apply *c);
cb_err cb_apply_meeting_record(struct cb_apply *c);
cb_err cb_apply_rating_record(struct cb_apply *c);
cb_err cb_apply_hub_init(struct cb_apply *c);
cb_err cb_apply_hub_join(struct cb_apply *c);
cb_err cb_apply_calendar_holiday(struct cb_apply *c);
cb_err cb_apply_key_enroll(struct cb_apply *c);
cb_err cb_apply_key_revoke(struct cb_apply *c);

#endif

/* SPDX-License-Identifier: MIT */
/* ops.h — the operations an entry can carry (docs/OPERATIONS.md): their
 * fields, types and allowed values. Two uses: cb_ops_prepare turns what a
 * user or script typed into the canonical body that gets signed (NFC text,
 * trimmed; full cell codes; member references resolved to member ids), and
 * cb_ops_check validates the body of any entry, ours or another replica's,
 * before the projection applies it. */
#ifndef CB_OPS_H
#define CB_OPS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "entry.h"
#include "err.h"
#include "store.h"

#define CB_NAME_MAX 200   /* bytes of UTF-8 in a name */
#define CB_TEXT_MAX 16000 /* bytes of UTF-8 in content, resolutions */

/* --- the op registry (op_table.c) ------------------------------------ */

struct cb_field; /* an op's body field and its checks (ops_int.h) */
struct cb_apply; /* an entry being applied (project_int.h) */

/* How a recording command's flag becomes a field of the op's input. */
enum cb_op_arg {
	CB_ARG_STR,     /* string field */
	CB_ARG_INT,     /* integer field */
	CB_ARG_MARK,    /* comma-separated members -> attendance[m] = field */
	CB_ARG_OBS,     /* "Name:Role" -> observers[] (repeatable) */
	CB_ARG_SUBJECT, /* --member / --org: subject and subject_kind = field */
};

struct cb_op_flag {
	const char *flag;
	const char *field;
	enum cb_op_arg type;
	const char *metavar;
	const char *help;
};

/* A recording command of 'chibo-agent': the command words ("member",
 * "add"; w2 may be NULL), the field its one positional argument fills (or
 * NULL), a one-line summary and its flags. The summary and the flags'
 * help are marked N_() and shown translated. */
struct cb_op_cli {
	const char *w1, *w2;
	const char *pos_field;
	const char *summary;
	const struct cb_op_flag *flags;
};

/* What record an entry is about (the log's entry_refs, for dossiers). */
enum cb_op_subject {
	CB_SUBJECT_NONE,      /* none, or found otherwise (a member.add: its
	                       * own id is the member's) */
	CB_SUBJECT_MEMBER,    /* the member its "member" field names */
	CB_SUBJECT_CANDIDATE, /* the candidate its "candidate" field names */
	CB_SUBJECT_OWN_ID,    /* the record it creates, named by its id */
	CB_SUBJECT_RATED,     /* its "subject", when subject_kind is member */
};

/* The op's rules read member rows only through the ids and numbers its
 * body names (lazyreplay.c may set member.adds aside around it). */
#define CB_OP_KEYED 1u
/* The op decides every rejection before its first write, and each write
 * is one statement that fails whole: it needs no savepoint (project.c). */
#define CB_OP_NO_SAVEPOINT 2u

/* One operation, everything about it in one row. */
struct cb_op {
	const char *name;                   /* "member.add" */
	const struct cb_field *fields;      /* its body, NULL-terminated */
	cb_err (*apply)(struct cb_apply *); /* its projection */
	unsigned flags;                     /* CB_OP_* */
	enum cb_op_subject subject;
	const struct cb_op_cli *cli; /* NULL: no recording command */
};

extern const struct cb_op cb_ops[];
extern const size_t cb_op_count;

/* The op whose recording command is "w1 w2" (w2 NULL or "" for a
 * command of one word), or NULL. */
const struct cb_op *cb_op_find_cli(const char *w1, const char *w2);

/* One value of the recording command's flag f added to the op's input
 * in (opinput.c), as 'chibo-agent' and its 'ui' both do: a text; a whole
 * number ("--duration needs a whole number, not 'x'"); a mark given to
 * each member of a comma-separated list, in in's "attendance" ("member
 * 'x' is marked twice"); an observer "Name:Role" appended to
 * "observers"; the rated subject ("give --member or --org, not both").
 * CB_EINVAL with one line, in left as it was but for marks already
 * given; CB_ENOMEM. */
cb_err cb_op_input_add(json_t *in, const struct cb_op_flag *f, const char *val,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* What the flags of op must have given, all added: a meeting's
 * attendance ("give the attendance with --present and the other
 * marks"). CB_EINVAL. */
cb_err cb_op_input_finish(const struct cb_op *op, const json_t *in,
                          struct cb_errbuf *eb) CB_MUST_CHECK;

/* The row of op name, or NULL. */
const struct cb_op *cb_op_find(const char *name);

bool cb_ops_known(const char *op);

/* Check body against op's schema: no unknown fields, required fields
 * present, types, ranges and enumerations, dates that exist, strings NFC.
 * Does not look at the database. */
cb_err cb_ops_check(const char *op, const json_t *body,
                    struct cb_errbuf *eb) CB_MUST_CHECK;

/* Build the canonical body of op from input (not modified): strings NFC and
 * trimmed; a cell code without '.' prefixed with "ORG."; member references
 * ("card:NUMBER", "nid:NUMBER", a unique hex prefix of 8+ digits, or a full
 * id) resolved through st; defaults written out. Then cb_ops_check. On
 * success *body is a new reference the caller decrefs. */
cb_err cb_ops_prepare(struct cb_store *st, const char *org, const char *op,
                      const json_t *input, json_t **body,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* What a store refuses to sign, though the projection would apply it: a
 * card or national ID number (in body) that another member of st already
 * holds, most likely a typing mistake. CB_ERULE names that member. Only
 * what st holds is looked at, so this is no rule of the projection: a
 * clash with a record st does not hold is reported, never refused
 * (cb_report_clashes). Call it just before the entry is projected, when
 * everything written before it is in st. */
cb_err cb_ops_local_check(struct cb_store *st, const json_t *body,
                          struct cb_errbuf *eb) CB_MUST_CHECK;

/* Does preparing input for op read the database (it names members by
 * reference)? If not, it can be prepared before earlier ops are applied. */
bool cb_ops_needs_lookup(const char *op, const json_t *input);

/* The deps a body of op names (the release an acceptance or a decline
 * answers, the dissolution plan an approval or a decision follows), sorted
 * and unique, into deps (at most max); their count. */
size_t cb_ops_deps(const char *op, const json_t *body,
                   unsigned char deps[][CB_HASH_BYTES], size_t max);

/* Add the entry id hex (64 hex digits) to deps, kept sorted and unique,
 * if it is valid and there is room (*n < max). */
void cb_ops_dep_add(unsigned char deps[][CB_HASH_BYTES], size_t *n, size_t max,
                    const char *hex);

/* Resolve one member reference as cb_ops_prepare does; out gets 64 hex. */
cb_err cb_ops_resolve_member(struct cb_store *st, const char *ref, char out[65],
                             struct cb_errbuf *eb) CB_MUST_CHECK;

/* Enumerations, shared with the projection and the command line. */
extern const char *const cb_cell_kinds[];
extern const char *const cb_member_statuses[];
extern const char *const cb_work_categories[];
extern const char *const cb_attendance_marks[];
extern const char *const cb_meeting_kinds[];
extern const char *const cb_temporary_purposes[];
extern const char *const cb_rating_levels[];
extern const char *const cb_rating_stages[];
bool cb_enum_has(const char *const *values, const char *v);
/* "a, b or c" for messages; into out. */
void cb_enum_list(const char *const *values, char *out, size_t n);

/* Terminal statuses: struck-off, expelled, resigned, deceased. */
bool cb_status_terminal(const char *status);

/* A period: "YYYY", "YYYY-Qn" or "YYYY-MM". */
bool cb_period_valid(const char *p);

#endif

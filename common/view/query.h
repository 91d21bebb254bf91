/* SPDX-License-Identifier: MIT */
/* query.h — the questions a commune's replica answers about its records:
 * its members, cells, meetings, ratings, transfers, dissolutions and
 * candidates, one member or meeting in full, its log with the verdict on
 * each entry, and the counts 'status' shows. Each question is a query
 * over the projection's tables through the statement layer (sql.h),
 * answering in rows of a small result type that the caller prints as a
 * table or as JSON; nothing here prints. The questions are rows of one
 * table in query.c, with their SQL and headings; docs/internals/query.md
 * says how to add one. */
#ifndef CB_QUERY_H
#define CB_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "store.h"

/* What a question is asked about; each question reads the fields named
 * for it and ignores the others. NULL (false) leaves a filter out. Begin
 * from CB_QUERY_FILTER_INIT, which asks for every entry of the log. */
struct cb_query_filter {
	const char *cell;    /* members, meetings: of this cell, its code in
	                      * full ("26734.01") or short ("01"), in any
	                      * case if only one cell matches */
	const char *status;  /* members: of this status (cb_member_statuses,
	                      * or its word: words.h) */
	const char *name;    /* members: whose names hold these words, with or
	                      * without diacritics (chibo_match) */
	bool all;            /* members: those struck off, expelled, resigned
	                      * or deceased too; transfers: the closed too */
	const char *from;    /* meetings: held on or after (a day in any form
	                      * of cb_date_parse_span, or the first day of a
	                      * month or year: "10/2026", "2026") */
	const char *to;      /* meetings: held on or before (a day, or the
	                      * last of a month or year) */
	const char *period;  /* ratings: of this period (cb_period_valid) */
	const char *subject; /* ratings: of the member whose id starts with
	                      * these hex digits, or the organisation whose code
	                      * starts with them */
	const char *on;      /* transfers: states as of this day, in any form
	                      * of cb_date_parse_loose (NULL: today in
	                      * Vietnam); cell roll: the day */
	const char *op;      /* entries: of this op */
	bool rejected;       /* entries: the rejected only */
	int64_t limit;       /* entries: only the last limit; negative: all */
};

#define CB_QUERY_FILTER_INIT                                                   \
	{                                                                      \
		.limit = -1                                                    \
	}

/* Check f as a usage, before a question is asked: a status must be one a
 * member can have ("unknown status 'x'; …"), from, to and on real days
 * ("--on: date 'x' is not YYYY-MM-DD, …"), a period a real one.
 * CB_EINVAL with one line; each question checks its filter so too. */
cb_err cb_query_check(const struct cb_query_filter *f,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* A value as a row holds it: NULL, an integer, or a text (a member id's
 * 32 bytes as their 64 hex digits). */
enum cb_query_kind { CB_QUERY_NULL, CB_QUERY_INT, CB_QUERY_TEXT };

struct cb_query_value {
	enum cb_query_kind kind;
	int64_t num; /* CB_QUERY_INT */
	size_t text; /* not NULL: its text at this offset in the result's */
};

/* A column: its name in JSON ("full_name"), its heading in a table
 * ("NAME") or NULL when it is shown in JSON only, and whether its values
 * are JSON texts to embed as they are (a meeting's observers). */
struct cb_query_col {
	char *name;
	const char *heading;
	bool json;
};

/* The rows of an answer, in the order the question gives them. Begin
 * from CB_QUERY_RESULT_INIT; cb_query_result_release frees what it holds
 * and leaves it empty, ready for another answer. */
struct cb_query_result {
	size_t ncols;
	struct cb_query_col *cols;
	size_t nrows, cap;
	struct cb_query_value *values; /* nrows * ncols, row-major */
	struct cb_buf texts;           /* every value's text, NUL-ended */
};

#define CB_QUERY_RESULT_INIT                                                   \
	{                                                                      \
		0, NULL, 0, 0, NULL, CB_BUF_INIT                               \
	}

void cb_query_result_release(struct cb_query_result *r);

/* The value at (row, col), both in range. */
const struct cb_query_value *cb_query_value(const struct cb_query_result *r,
                                            size_t row, size_t col);
/* Its text: an integer's decimal digits, an id's hex digits; NULL for
 * NULL. Valid until r is released. */
const char *cb_query_text(const struct cb_query_result *r, size_t row,
                          size_t col);

/* The questions, one row each of query.c's table. A list is of the
 * subtree of an organisation (of: its code, the replica's organisation);
 * a record is of one member or meeting (of: its id). */
enum cb_query_question {
	/* members: the members of the subtree (f: cell, status, name, all;
	 * without all, not those struck off, expelled, resigned or
	 * deceased) and, with status 'temporary', those another
	 * organisation sent for a while and a cell of the subtree holds
	 * today; by cell, name, id. A member in transit shows 'in transit'
	 * as its cell. */
	CB_QUERY_MEMBERS,
	/* the organisation and the cells of its subtree, with their live
	 * members and the term of their last congress; organisations first */
	CB_QUERY_CELLS,
	/* every meeting the replica holds (f: cell, from, to), the current
	 * version of each, with "present/recorded" attendance; by date, cell */
	CB_QUERY_MEETINGS,
	/* every rating the replica holds (f: period, subject), a row per
	 * stage (self, proposed, decided), with the member's or the
	 * organisation's name */
	CB_QUERY_RATINGS,
	/* transfers released by the subtree or to it, in transit (f: all,
	 * closed ones too), with the day the answer is due (30 working days
	 * after the letter, calendar.h) and the state as of f->on: 'overdue'
	 * after the due day, 'over 3 months' when the member may be struck
	 * off, 'struck off' */
	CB_QUERY_TRANSFERS,
	/* the plans to dissolve cells of the subtree, their approval and
	 * decision, and the members each cell still holds */
	CB_QUERY_DISSOLUTIONS,
	/* the admission candidates of the subtree and their helpers' names;
	 * by state, cell, name */
	CB_QUERY_CANDIDATES,
	/* one member in full, of an id of 64 hex digits
	 * (cb_ops_resolve_member turns a prefix, card:N or nid:N into one);
	 * no row for an id not held. Headings are for a record, a field a
	 * line. */
	CB_QUERY_MEMBER,
	/* the member's stays in cells, official and temporary, oldest first */
	CB_QUERY_MEMBER_STAYS,
	/* the member's ratings */
	CB_QUERY_MEMBER_RATINGS,
	/* the meetings whose id is of or starts with it, in full (a record) */
	CB_QUERY_MEETING,
	/* the attendance of the first of them, by name */
	CB_QUERY_MEETING_ATTENDANCE,
	/* the members the cell of f held on the day f->on (NULL: today in
	 * Vietnam), officially or for a while: id, name and the stay's
	 * kind, by name; a meeting's attendance checklist ('chibo-agent
	 * ui'). f->cell is required ("give the cell"). */
	CB_QUERY_CELL_ROLL,
	/* the organisations and cells directly under `of`, with the live
	 * members of each one's subtree (a cell's: those in it) and its
	 * active cells; organisations first, by code (the hub's
	 * dashboard: a province, its communes, a commune's cells) */
	CB_QUERY_CHILDREN,
	/* the organisation `of` and those above it that the store knows,
	 * the highest first: code, name, level; no row for an organisation
	 * it does not know */
	CB_QUERY_ORG_PATH,
	CB_QUERY_QUESTIONS
};

/* Ask question q of `of` with the filter f (NULL: none; each question
 * reads the fields its comment names). On success *out (released first)
 * holds the rows; on failure it is left as it was and eb says what
 * failed: CB_EINVAL for a filter cb_query_check refuses, CB_ENOTFOUND for
 * a filter naming a cell, member or organisation the replica does not
 * know ("no cell '26734.XX' in this replica; …": never an empty answer
 * that would read as "none"), CB_EIO with "cannot query the replica: …"
 * for the store. */
cb_err cb_query_ask(struct cb_store *st, enum cb_query_question q,
                    const char *of, const struct cb_query_filter *f,
                    struct cb_query_result *out,
                    struct cb_errbuf *eb) CB_MUST_CHECK;

/* An entry of the log as cb_query_entries gives it: its position, its
 * bytes as signed (entry.h decodes them), and the view's verdict on it
 * ("applied", "rejected", "pending") with the reason of a rejection
 * (NULL: none). Valid during the call only. */
struct cb_query_entry {
	int64_t lsn;
	const void *bytes;
	size_t len;
	const char *state;
	const char *reason;
};

typedef cb_err (*cb_query_entry_fn)(void *ctx, const struct cb_query_entry *e);

/* The entries of the log (op, rejected; only the last limit), in the
 * order they were recorded or received. A non-zero return of fn stops the
 * read and is returned, eb untouched; else CB_EIO, "cannot read the log:
 * …". fn may not write to st. */
cb_err cb_query_entries(struct cb_store *st, const struct cb_query_filter *f,
                        cb_query_entry_fn fn, void *ctx,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* What 'status' counts, in one read: entries in the log, rejected and
 * pending; active cells of the subtree of root; live members (probationary,
 * official, exempt), meetings and ratings the replica holds; transfers in
 * transit released by the subtree and addressed to it. */
struct cb_query_counts {
	int64_t entries, rejected, pending;
	int64_t cells, members, meetings, ratings;
	int64_t released_in_transit, incoming_in_transit;
};

cb_err cb_query_counts(struct cb_store *st, const char *root,
                       struct cb_query_counts *out,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* The name of the organisation code, and of the member id (64 hex
 * digits), into *name (malloc'd); CB_ENOTFOUND when the replica holds
 * none. */
cb_err cb_query_org_name(struct cb_store *st, const char *code, char **name,
                         struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_query_member_name(struct cb_store *st, const char *id, char **name,
                            struct cb_errbuf *eb) CB_MUST_CHECK;

#endif

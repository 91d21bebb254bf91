/* SPDX-License-Identifier: MIT */
/* report.h — the figures a Party committee reports, computed from the
 * projection tables, for a commune's replica now and a hub's later (the
 * same code). A report is a titled table of text cells plus a summary of
 * totals; it renders as an aligned terminal table (display width, so
 * Vietnamese lines up), CSV that spreadsheets open (UTF-8, optional BOM,
 * quoted fields), or JSON. */
#ifndef CB_REPORT_H
#define CB_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "err.h"
#include "store.h"

struct cb_report {
	char *title;
	size_t ncols;
	char **cols;
	size_t nrows, cap;
	char **cells;    /* nrows * ncols, row-major; owned */
	json_t *summary; /* totals, an object */
	char **notes;    /* summary lines for people */
	size_t nnotes;
};

enum cb_report_format { CB_REPORT_TABLE, CB_REPORT_CSV, CB_REPORT_JSON };

void cb_report_release(struct cb_report *r);

/* Each report covers what the store holds of the subtree of root (a
 * replica's organisation): cells outside it, which a replica knows from
 * the hub's directory, are not counted. Membership and ratings count the
 * members and ratings the store holds, which for a replica is its scope.
 *
 * Members by status, by the kind of their cell, by work category, and by
 * age band on date `on` (YYYY-MM-DD). */
cb_err cb_report_membership(struct cb_store *st, const char *on,
                            struct cb_report *out,
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* Active cells, and whether each held its congress of `term`
 * (YYYY-YYYY): held / all, with the percentage (seed 001: 4,000/4,175 =
 * 95.8%). */
cb_err cb_report_congresses(struct cb_store *st, const char *root,
                            const char *term, struct cb_report *out,
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* Decided ratings of `period`, by level, for members and organisations,
 * with the check that outstanding ≤ 20% of those rated good or better. */
cb_err cb_report_ratings(struct cb_store *st, const char *period,
                         struct cb_report *out,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

/* Per cell, for the months from..to (YYYY-MM): regular meetings held and
 * months missing one, thematic meetings, the attendance rate (present over
 * present + excused + unexcused) and guide 12-HD/BTCTW's criteria:
 * attendance over 85%, no unexcused absence, nobody excused more than 3
 * meetings in a row. */
cb_err cb_report_meetings(struct cb_store *st, const char *root,
                          const char *from, const char *to,
                          struct cb_report *out,
                          struct cb_errbuf *eb) CB_MUST_CHECK;

cb_err cb_report_write(const struct cb_report *r, enum cb_report_format fmt,
                       bool bom, FILE *fp) CB_MUST_CHECK;

/* "95.8%" for 4000 of 4175; "-" when of is 0. */
void cb_report_percent(long long part, long long of, char out[48]);

#endif

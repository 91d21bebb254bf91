/* SPDX-License-Identifier: MIT */
/* report_int.h — what the report's parts share (report.h is the API):
 * building a report, in report_model.c, for the queries of
 * report_query.c. */
#ifndef CB_REPORT_INT_H
#define CB_REPORT_INT_H

#include "report.h"

/* A report is built in the language of _() (lang.h): Vietnamese for a
 * table under a Vietnamese locale, English for JSON and CSV, which
 * cb_report_print runs between cb_lang_english_begin and _end.
 *
 * An empty report of title with ncols columns named cols, all marked
 * N_() and translated here. */
cb_err rp_init(struct cb_report *r, const char *title, size_t ncols,
               const char *const *cols);
/* Add a row of ncols strings (NULL: empty), copied. */
cb_err rp_row(struct cb_report *r, const char *const *cells);
/* Add a note under the table, printf-formatted (fmt already translated). */
cb_err rp_note(struct cb_report *r, const char *fmt, ...) CB_PRINTF(2, 3);
/* 7047 -> "7,047" ("7.047" in Vietnamese): figures of the notes, grouped
 * as the seed articles print them. */
void rp_grouped(long long n, char out[32]);
/* n as a table cell (cb_lang_count: "7047", or "7.047" in Vietnamese). */
void rp_num(long long n, char out[32]);
/* 'report meetings' finds the runs of excused absences of this many
 * cells (those with one) at a time (report_query.c); a test makes it
 * small, to cross a chunk's end with a few cells. */
extern size_t cb_meetings_run_chunk;

#endif

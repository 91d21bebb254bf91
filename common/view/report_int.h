/* SPDX-License-Identifier: MIT */
/* report_int.h — what the report's parts share (report.h is the API):
 * building a report, in report_model.c, for the queries of
 * report_query.c. */
#ifndef CB_REPORT_INT_H
#define CB_REPORT_INT_H

#include "report.h"

/* An empty report of title with ncols columns named cols. */
cb_err rp_init(struct cb_report *r, const char *title, size_t ncols,
               const char *const *cols);
/* Add a row of ncols strings (NULL: empty), copied. */
cb_err rp_row(struct cb_report *r, const char *const *cells);
/* Add a note under the table, printf-formatted. */
cb_err rp_note(struct cb_report *r, const char *fmt, ...) CB_PRINTF(2, 3);
/* 7047 -> "7,047": figures grouped as the seed articles print them. */
void rp_grouped(long long n, char out[32]);
/* "s" unless n is 1: "1 key", "2 keys". */
const char *rp_plural(long long n);
/* n as decimal digits. */
void rp_num(long long n, char out[24]);

#endif

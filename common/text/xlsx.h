/* SPDX-License-Identifier: MIT */
/* xlsx.h — a list or a report as an Excel workbook (--format xlsx --out
 * FILE), written with libxlsxwriter: one sheet, in the user's language,
 * its header row bold, a number a number, a date a date (shown
 * DD/MM/YYYY), a percentage a percentage; everything else text, so that
 * nothing a commune typed runs as a formula. The file is made under a
 * private directory beside FILE and linked to FILE only when complete:
 * a FILE that exists (a file, a directory, a symbolic link) is never
 * written over or through. */
#ifndef CB_XLSX_H
#define CB_XLSX_H

#include <stdbool.h>

#include "err.h"

struct cb_xlsx;

/* FILE checked before any work: a name ending in .xlsx, no control
 * characters, in a directory that exists, naming nothing yet. CB_EINVAL
 * or CB_EEXIST with a one-line message. */
cb_err cb_xlsx_check_path(const char *file, struct cb_errbuf *eb) CB_MUST_CHECK;

/* A workbook for file with one sheet named sheet (cut to what Excel
 * takes). CB_EIO, CB_ENOMEM. */
cb_err cb_xlsx_open(struct cb_xlsx **x, const char *file, const char *sheet,
                    struct cb_errbuf *eb) CB_MUST_CHECK;
/* The next cell of the row: text as it is (bold if asked). */
void cb_xlsx_text(struct cb_xlsx *x, const char *s, bool bold);
/* The next cell of the row: a date if s reads as a day ("2026-03-01",
 * "01/03/2026"); if numbers, a number or a percentage if s reads as one
 * in the user's typography ("7.047" and "95,8 %" in Vietnamese, "7047");
 * else text. A number with a leading zero ("07297") is a code: text. */
void cb_xlsx_value(struct cb_xlsx *x, const char *s, bool numbers);
/* The next cell of the row: n. */
void cb_xlsx_number(struct cb_xlsx *x, double n);
/* The next row. */
void cb_xlsx_end_row(struct cb_xlsx *x);
/* The workbook written and linked to its file; x freed. CB_EEXIST if the
 * file appeared meanwhile, CB_EIO. */
cb_err cb_xlsx_close(struct cb_xlsx *x, struct cb_errbuf *eb) CB_MUST_CHECK;
/* x freed, nothing written. */
void cb_xlsx_discard(struct cb_xlsx *x);

#endif

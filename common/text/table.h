/* SPDX-License-Identifier: MIT */
/* table.h — human tables for a terminal: columns aligned by display width
 * (UAX #11, so Vietnamese with diacritics lines up), long cells cut with
 * "…". Rows are added as strings; the table owns copies. */
#ifndef CB_TABLE_H
#define CB_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

struct cb_table {
	size_t ncols;
	char **cells; /* rows * ncols, row-major; the header is row 0 */
	size_t nrows;
	size_t cap;
	size_t maxwidth; /* a cell wider than this is cut; 0: no limit */
};

/* headers: the first row, or NULL for a table without one; they are
 * labels marked N_() and shown translated (lang.h). */
cb_err cb_table_init(struct cb_table *t, size_t ncols,
                     const char *const *headers) CB_MUST_CHECK;
/* Add a row of ncols strings (NULL prints as empty). */
cb_err cb_table_add(struct cb_table *t, const char *const *cells) CB_MUST_CHECK;
void cb_table_print(const struct cb_table *t, FILE *fp);
void cb_table_release(struct cb_table *t);

#endif

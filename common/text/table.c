/* SPDX-License-Identifier: MIT */
/* table.c — aligned text tables (see table.h). Widths are display columns
 * from cb_text_width, never bytes: "Nguyễn" is 6 columns and 9 bytes. */
#include "table.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

cb_err
cb_table_init(struct cb_table *t, size_t ncols, const char *const *headers)
{
	const char **row;
	cb_err rc;

	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->maxwidth = 40;
	if (!headers)
		return CB_OK;
	if (!(row = calloc(ncols ? ncols : 1, sizeof(*row))))
		return CB_ENOMEM;
	for (size_t i = 0; i < ncols; i++)
		row[i] = headers[i] ? _(headers[i]) : NULL;
	rc = cb_table_add(t, row);
	free(row);
	return rc;
}

cb_err
cb_table_add(struct cb_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **p = realloc(t->cells, cap * t->ncols * sizeof(*p));

		if (!p)
			return CB_ENOMEM;
		t->cells = p;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		char *c = cells[i] ? strdup(cells[i]) : strdup("");

		if (!c) {
			for (size_t k = 0; k < i; k++)
				free(t->cells[t->nrows * t->ncols + k]);
			return CB_ENOMEM;
		}
		t->cells[t->nrows * t->ncols + i] = c;
	}
	t->nrows++;
	return CB_OK;
}

void
cb_table_print(const struct cb_table *t, FILE *fp)
{
	size_t *w = calloc(t->ncols, sizeof(*w));

	if (!w)
		return;
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t cw = cb_text_width(t->cells[r * t->ncols + c]);

			if (t->maxwidth && cw > t->maxwidth)
				cw = t->maxwidth;
			if (cw > w[c])
				w[c] = cw;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			const char *cell = t->cells[r * t->ncols + c];
			char *cut = NULL;
			size_t cw = cb_text_width(cell);

			if (t->maxwidth && cw > t->maxwidth) {
				cut = cb_text_truncate(cell, t->maxwidth);
				if (cut) {
					cell = cut;
					cw = cb_text_width(cut);
				}
			}
			fputs(cell, fp);
			if (c + 1 < t->ncols)
				for (size_t k = cw; k < w[c] + 2; k++)
					fputc(' ', fp);
			free(cut);
		}
		fputc('\n', fp);
	}
	free(w);
}

void
cb_table_release(struct cb_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

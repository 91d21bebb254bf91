/* SPDX-License-Identifier: MIT */
/* report_model.c — a report as the queries build it and the renderers
 * print it (report.h, struct cb_report): a title, columns, rows of
 * strings, notes and a JSON summary; and the ways its figures are
 * written (percentages, grouped thousands, times in UTC+7), in the
 * typography of the locale (lang.h). */
#include "report_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void
cb_report_release(struct cb_report *r)
{
	if (!r)
		return;
	free(r->title);
	for (size_t i = 0; i < r->ncols; i++)
		free(r->cols[i]);
	free(r->cols);
	for (size_t i = 0; i < r->nrows * r->ncols; i++)
		free(r->cells[i]);
	free(r->cells);
	for (size_t i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->notes);
	json_decref(r->summary);
	memset(r, 0, sizeof(*r));
}

cb_err
rp_init(struct cb_report *r, const char *title, size_t ncols,
        const char *const *cols)
{
	memset(r, 0, sizeof(*r));
	r->title = strdup(_(title));
	r->cols = calloc(ncols, sizeof(*r->cols));
	r->summary = json_object();
	if (!r->title || !r->cols || !r->summary)
		return CB_ENOMEM;
	r->ncols = ncols;
	for (size_t i = 0; i < ncols; i++)
		if (!(r->cols[i] = strdup(_(cols[i]))))
			return CB_ENOMEM;
	return CB_OK;
}

/* Add a row of ncols printf-formatted... no: of ncols strings. */
cb_err
rp_row(struct cb_report *r, const char *const *cells)
{
	if (r->nrows == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		char **p = realloc(r->cells, cap * r->ncols * sizeof(*p));

		if (!p)
			return CB_ENOMEM;
		r->cells = p;
		r->cap = cap;
	}
	for (size_t i = 0; i < r->ncols; i++) {
		char *c = strdup(cells[i] ? cells[i] : "");

		if (!c) {
			while (i--)
				free(r->cells[r->nrows * r->ncols + i]);
			return CB_ENOMEM;
		}
		r->cells[r->nrows * r->ncols + i] = c;
	}
	r->nrows++;
	return CB_OK;
}

cb_err
rp_note(struct cb_report *r, const char *fmt, ...)
{
	char **p = realloc(r->notes, (r->nnotes + 1) * sizeof(*p));
	char line[512];
	va_list ap;

	if (!p)
		return CB_ENOMEM;
	r->notes = p;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!(r->notes[r->nnotes] = strdup(line)))
		return CB_ENOMEM;
	r->nnotes++;
	return CB_OK;
}

void
cb_report_percent(long long part, long long of, char out[48])
{
	char num[32];

	if (of <= 0) {
		strcpy(out, "-");
		return;
	}
	/* round half up on tenths, in integers: 4000/4175 -> 95.8 */
	long long tenths = (part * 2000 + of) / (2 * of);

	cb_lang_tenths(tenths, num);
	/* TRANSLATORS: a percentage: %s is the number, e.g. 95.8 (95,8 in
	   Vietnamese, which puts a space before the sign: "95,8 %") */
	snprintf(out, 48, _("%s%%"), num);
}

void
rp_grouped(long long n, char out[32])
{
	cb_lang_number(n, out);
}

void
rp_num(long long n, char out[32])
{
	cb_lang_count(n, out);
}

cb_err
cb_report_add_note(struct cb_report *r, const char *text)
{
	return rp_note(r, "%s", text);
}

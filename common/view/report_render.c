/* SPDX-License-Identifier: MIT */
/* report_render.c — a report (report.h) printed: as a table for people,
 * as CSV for a spreadsheet (formula-looking cells defused), or as JSON;
 * and cb_report_print, a report run and printed. */
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "table.h"

bool
cb_report_format_parse(const char *s, enum cb_report_format *fmt)
{
	if (!strcmp(s, "table"))
		*fmt = CB_REPORT_TABLE;
	else if (!strcmp(s, "csv"))
		*fmt = CB_REPORT_CSV;
	else if (!strcmp(s, "json"))
		*fmt = CB_REPORT_JSON;
	else
		return false;
	return true;
}

/* A spreadsheet runs a cell that starts with = + @ (or - followed by
 * anything but a number, or a tab or CR) as a formula: a name typed as
 * "=HYPERLINK(…)" in one commune would run in the district's Excel. Such a
 * cell is written with a leading apostrophe, which spreadsheets show as
 * text (OWASP, "CSV Injection"). Plain numbers like -5 are left alone. */
static bool
looks_like_formula(const char *s)
{
	char *end;

	if (s[0] == '=' || s[0] == '+' || s[0] == '@' || s[0] == '\t' ||
	    s[0] == '\r')
		return true;
	if (s[0] == '-' && s[1]) {
		(void)strtod(s, &end);
		return *end != 0;
	}
	return false;
}

static void
csv_cell(FILE *fp, const char *s)
{
	if (looks_like_formula(s)) {
		char *t = malloc(strlen(s) + 2);

		if (t) {
			t[0] = '\'';
			strcpy(t + 1, s);
			cb_csv_write_field(fp, t, ',');
			free(t);
			return;
		}
	}
	cb_csv_write_field(fp, s, ',');
}

cb_err
cb_report_write(const struct cb_report *r, enum cb_report_format fmt, bool bom,
                FILE *fp)
{
	if (fmt == CB_REPORT_JSON) {
		json_t *o = json_object(), *cols = json_array(),
		       *rows = json_array(), *notes = json_array();

		for (size_t i = 0; i < r->ncols; i++)
			json_array_append_new(cols, json_string(r->cols[i]));
		for (size_t k = 0; k < r->nrows; k++) {
			json_t *row = json_array();

			for (size_t i = 0; i < r->ncols; i++)
				json_array_append_new(
					row,
					json_string(
						r->cells[k * r->ncols + i]));
			json_array_append_new(rows, row);
		}
		for (size_t i = 0; i < r->nnotes; i++)
			json_array_append_new(notes, json_string(r->notes[i]));
		json_object_set_new(o, "title", json_string(r->title));
		json_object_set_new(o, "columns", cols);
		json_object_set_new(o, "rows", rows);
		json_object_set(o, "summary", r->summary);
		json_object_set_new(o, "notes", notes);
		json_dumpf(o, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', fp);
		json_decref(o);
	} else if (fmt == CB_REPORT_CSV) {
		if (bom)
			fputs("\xef\xbb\xbf", fp);
		for (size_t k = 0; k <= r->nrows; k++) {
			for (size_t i = 0; i < r->ncols; i++) {
				if (i)
					fputc(',', fp);
				csv_cell(fp,
				         k ? r->cells[(k - 1) * r->ncols + i]
				           : r->cols[i]);
			}
			fputs("\r\n", fp);
		}
	} else {
		struct cb_table t;

		if (cb_table_init(&t, r->ncols, (const char *const *)r->cols))
			return CB_ENOMEM;
		for (size_t k = 0; k < r->nrows; k++)
			if (cb_table_add(&t, (const char *const *)r->cells +
			                             k * r->ncols)) {
				cb_table_release(&t);
				return CB_ENOMEM;
			}
		fprintf(fp, "%s\n\n", r->title);
		cb_table_print(&t, fp);
		cb_table_release(&t);
		if (r->nnotes)
			fputc('\n', fp);
		for (size_t i = 0; i < r->nnotes; i++)
			fprintf(fp, "%s\n", r->notes[i]);
	}
	return ferror(fp) ? CB_EIO : CB_OK;
}

cb_err
cb_report_print(struct cb_store *st, const struct cb_report_query *q,
                enum cb_report_format fmt, bool bom, FILE *fp,
                struct cb_errbuf *eb)
{
	struct cb_report r = { 0 };
	bool english = fmt != CB_REPORT_TABLE, written;
	cb_err rc;

	if ((rc = cb_store_exec(st, "BEGIN", eb)))
		return rc;
	/* JSON and CSV are for programs and spreadsheets: the same words and
	 * figures in every locale. A table is for people: their language. */
	if (english)
		cb_lang_english_begin();
	rc = cb_report_run(st, q, &r, eb);
	written = !rc && cb_report_write(&r, fmt, bom, fp) == CB_OK;
	if (english)
		cb_lang_english_end();
	if (!rc && !written)
		rc = cb_error(eb, CB_EIO, _("cannot write the report"));
	cb_store_rollback(st);
	cb_report_release(&r);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* output.c — the output options and CSV rows of every list and report
 * (see output.h). */
#include "output.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "args.h"
#include "csv.h"
#include "xlsx.h"

cb_err
cb_output_parse(const char *format, const char *sep, bool bom, const char *file,
                bool json, struct cb_output *out, struct cb_errbuf *eb)
{
	cb_err rc;

	struct cb_output o = CB_OUTPUT_INIT;

	if (json)
		o.format = CB_OUTPUT_JSON;
	if (format) {
		enum cb_output_format f;

		if (!strcmp(format, "text") || !strcmp(format, "table"))
			f = CB_OUTPUT_TEXT;
		else if (!strcmp(format, "csv"))
			f = CB_OUTPUT_CSV;
		else if (!strcmp(format, "json"))
			f = CB_OUTPUT_JSON;
		else if (!strcmp(format, "xlsx"))
			f = CB_OUTPUT_XLSX;
		else
			return cb_error(eb, CB_EINVAL,
			                _("--format '%s': give text, csv, json "
			                  "or xlsx"),
			                format);
		if (json && f != CB_OUTPUT_JSON)
			return cb_error(eb, CB_EINVAL,
			                _("--json and --format %s contradict "
			                  "each other: give one"),
			                format);
		o.format = f;
	}
	if (sep) {
		if (!strcmp(sep, ",") || !strcmp(sep, "comma"))
			o.sep = ',';
		else if (!strcmp(sep, ";") || !strcmp(sep, "semicolon"))
			o.sep = ';';
		else if (!strcmp(sep, "tab") || !strcmp(sep, "\t"))
			o.sep = '\t';
		else
			return cb_error(eb, CB_EINVAL,
			                _("--separator '%s': give ',', ';' or "
			                  "'tab'"),
			                sep);
	}
	if ((sep || bom) && o.format != CB_OUTPUT_CSV)
		return cb_error(eb, CB_EINVAL,
		                _("--separator and --bom are for CSV: add "
		                  "--format csv"));
	if (o.format == CB_OUTPUT_XLSX && !file)
		return cb_error(eb, CB_EINVAL,
		                _("--format xlsx writes a file: add --out "
		                  "FILE.xlsx"));
	if (file && o.format != CB_OUTPUT_XLSX)
		return cb_error(eb, CB_EINVAL,
		                _("--out is for xlsx: add --format xlsx"));
	if (file && (rc = cb_xlsx_check_path(file, eb)))
		return rc;
	o.bom = bom;
	o.file = file;
	*out = o;
	return CB_OK;
}

cb_err
cb_output_parse_args(const struct args *v, int at, bool json,
                     struct cb_output *out, struct cb_errbuf *eb)
{
	return cb_output_parse(cb_args_get(v, at), cb_args_get(v, at + 1),
	                       cb_args_get(v, at + 2) != NULL,
	                       cb_args_get(v, at + 3), json, out, eb);
}

void
cb_output_csv_begin(const struct cb_output *o, FILE *fp)
{
	if (o->bom)
		fputs("\xef\xbb\xbf", fp);
}

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

void
cb_output_csv_cell(const struct cb_output *o, FILE *fp, const char *s,
                   bool first)
{
	if (!first)
		fputc(o->sep, fp);
	if (!s)
		s = "";
	if (looks_like_formula(s)) {
		/* quoted whatever it holds: the apostrophe goes inside */
		fputs("\"'", fp);
		for (; *s; s++) {
			if (*s == '"')
				putc('"', fp);
			putc(*s, fp);
		}
		putc('"', fp);
		return;
	}
	cb_csv_write_field(fp, s, o->sep);
}

const char *
cb_output_csv_undefuse(const char *s)
{
	return s[0] == '\'' && looks_like_formula(s + 1) ? s + 1 : s;
}

void
cb_output_csv_end_row(FILE *fp)
{
	fputs("\r\n", fp);
}

int
cb_output_args(const char *cmd, const struct args *v, int at, bool rows,
               struct cb_output *o)
{
	struct cb_output got;
	struct cb_errbuf eb;
	const char *format = cb_args_get(v, at + 1);

	if (!rows && format &&
	    (!strcmp(format, "csv") || !strcmp(format, "xlsx")))
		return cb_args_usage(cmd,
		                     _("--format %s: '%s' prints a record, not "
		                       "rows; give text or json"),
		                     format, cmd);
	if (rows ? cb_output_parse_args(v, at + 1, cb_args_get(v, at) != NULL,
	                                &got, &eb)
	         : cb_output_parse(format, NULL, false, NULL,
	                           cb_args_get(v, at) != NULL, &got, &eb))
		return cb_args_usage(cmd, "%s", eb.msg);
	*o = got;
	return 0;
}

int
cb_output_no_xlsx(const char *cmd, const struct cb_output *o)
{
	if (o->format != CB_OUTPUT_XLSX)
		return 0;
	return cb_args_usage(cmd, _("--format xlsx is for the lists of records "
	                            "and the reports; give text, csv or json"));
}

void
cb_output_csv_json(const struct cb_output *o, FILE *fp, const json_t *rows,
                   const char *const *cols)
{
	char num[32];

	cb_output_csv_begin(o, fp);
	for (size_t c = 0; cols[c]; c++)
		cb_output_csv_cell(o, fp, cols[c], c == 0);
	cb_output_csv_end_row(fp);
	for (size_t i = 0; i < json_array_size(rows); i++) {
		const json_t *row = json_array_get(rows, i);

		for (size_t c = 0; cols[c]; c++) {
			const json_t *v = json_object_get(row, cols[c]);
			char *dump = NULL;
			const char *cell = "";

			if (json_is_string(v)) {
				cell = json_string_value(v);
			} else if (json_is_integer(v)) {
				snprintf(num, sizeof(num),
				         "%" JSON_INTEGER_FORMAT,
				         json_integer_value(v));
				cell = num;
			} else if (json_is_boolean(v)) {
				cell = json_is_true(v) ? "true" : "false";
			} else if (v && !json_is_null(v)) {
				dump = json_dumps(v, JSON_COMPACT |
				                             JSON_SORT_KEYS);
				cell = dump ? dump : "";
			}
			cb_output_csv_cell(o, fp, cell, c == 0);
			free(dump);
		}
		cb_output_csv_end_row(fp);
	}
}

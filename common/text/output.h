/* SPDX-License-Identifier: MIT */
/* output.h — how a list or a report is printed: as text for people, as
 * CSV for a spreadsheet (RFC 4180 with a chosen separator and an optional
 * UTF-8 byte order mark, which Excel needs to read UTF-8), or as JSON for
 * programs, or as an Excel workbook (--format xlsx --out FILE; xlsx.h).
 * One option vocabulary for every command that prints rows: --format
 * text|csv|json|xlsx, --separator, --bom, --out (and --json, the older
 * spelling of --format json, where a command had it). */
#ifndef CB_OUTPUT_H
#define CB_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"

enum cb_output_format {
	CB_OUTPUT_TEXT,
	CB_OUTPUT_CSV,
	CB_OUTPUT_JSON,
	CB_OUTPUT_XLSX
};

struct cb_output {
	enum cb_output_format format;
	char sep;         /* CSV: ',', ';' or '\t' */
	bool bom;         /* CSV: starts with EF BB BF */
	const char *file; /* XLSX: the new file to write (--out) */
};

#define CB_OUTPUT_INIT                                                         \
	{                                                                      \
		CB_OUTPUT_TEXT, ',', false, NULL                               \
	}

/* The options, as struct argdef rows (args.h), in this order. */
#define CB_OUTPUT_ARGDEFS                                                      \
	{ "format", "FORMAT", N_("text (default), csv, json or xlsx") },       \
		{ "separator", "SEP",                                          \
		  N_("csv: , (default) or ; (Excel under Vietnamese "          \
		     "settings) or tab") },                                    \
		{ "bom", NULL,                                                 \
		  N_("csv: start with a UTF-8 byte order mark (for "           \
		     "Excel)") },                                              \
	{                                                                      \
		"out", "FILE", N_("xlsx: the new file to write (*.xlsx)")      \
	}
#define CB_OUTPUT_NARGS 4

/* The options of a command that prints rows: --json (the older spelling
 * of --format json), then CB_OUTPUT_ARGDEFS — CB_OUTPUT_ROWS_NARGS rows.
 * Of one that prints a record (a status, a verdict): --json and --format
 * text|json — CB_OUTPUT_RECORD_NARGS rows. */
#define CB_OUTPUT_JSON_ARGDEF                                                  \
	{                                                                      \
		"json", NULL, N_("print JSON (as --format json)")              \
	}
#define CB_OUTPUT_ROWS_ARGDEFS CB_OUTPUT_JSON_ARGDEF, CB_OUTPUT_ARGDEFS
#define CB_OUTPUT_ROWS_NARGS (1 + CB_OUTPUT_NARGS)
#define CB_OUTPUT_RECORD_ARGDEFS                                               \
	CB_OUTPUT_JSON_ARGDEF,                                                 \
	{                                                                      \
		"format", "FORMAT", N_("text (default) or json")               \
	}
#define CB_OUTPUT_RECORD_NARGS 2

struct args;
struct json_t;

/* CSV of rows that a command also prints as JSON (objects of one
 * shape): the byte order mark if asked for, a header of cols, then for
 * each object its cols — a string as it is, a number in decimal, true
 * or false, nothing for null or a missing one, anything else as compact
 * JSON. */
void cb_output_csv_json(const struct cb_output *o, FILE *fp,
                        const struct json_t *rows, const char *const *cols);

/* The output options of command cmd, parsed by cb_args_command into v
 * from index at (CB_OUTPUT_ROWS_ARGDEFS if rows, else
 * CB_OUTPUT_RECORD_ARGDEFS), into *o. A record has no CSV. On a usage
 * error prints it (cb_args_usage) and returns 2, *o unchanged; else 0. */
int cb_output_args(const char *cmd, const struct args *v, int at, bool rows,
                   struct cb_output *o);

/* A command whose rows have no workbook (only the lists of members,
 * cells, meetings, ratings and such, and the reports, have one): if o
 * asks for xlsx, prints the usage error and returns 2; else 0. */
int cb_output_no_xlsx(const char *cmd, const struct cb_output *o);

/* The values of --format (text, or table as reports spelled it; csv;
 * json; xlsx), --separator (",", ";", "tab" or a tab), --bom, --out and
 * --json (any of them NULL/false when not given) into *out. --separator
 * and --bom need CSV; xlsx needs --out, a new file (cb_xlsx_check_path),
 * and --out needs xlsx; --json with another --format is a contradiction.
 * CB_EINVAL (CB_EEXIST: --out names a file that exists) with a one-line
 * message naming the accepted values; *out unchanged. */
cb_err cb_output_parse(const char *format, const char *sep, bool bom,
                       const char *file, bool json, struct cb_output *out,
                       struct cb_errbuf *eb) CB_MUST_CHECK;
/* cb_output_parse of the CB_OUTPUT_ARGDEFS rows of v from index at. */
cb_err cb_output_parse_args(const struct args *v, int at, bool json,
                            struct cb_output *out,
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* CSV: the byte order mark if asked for (call first). */
void cb_output_csv_begin(const struct cb_output *o, FILE *fp);
/* CSV: one cell of a row; the separator before every cell but the first.
 * A cell a spreadsheet would run as a formula (=, +, @, a tab, a CR, or
 * - not followed by a number) gets a leading apostrophe (OWASP, "CSV
 * Injection"): a name typed "=HYPERLINK(…)" in one commune must not run
 * in the district's Excel. Quoted as cb_csv_write_field does. */
void cb_output_csv_cell(const struct cb_output *o, FILE *fp, const char *s,
                        bool first);
/* What cb_output_csv_cell wrote s as, read back: s without the apostrophe
 * it added to a cell that looks like a formula; s itself otherwise. */
const char *cb_output_csv_undefuse(const char *s);
/* CSV: the end of a row (CRLF, as RFC 4180 and spreadsheets write). */
void cb_output_csv_end_row(FILE *fp);

#endif

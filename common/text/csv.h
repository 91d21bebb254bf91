/* SPDX-License-Identifier: MIT */
/* csv.h — a CSV reader for files as spreadsheets export them (RFC 4180):
 * UTF-8 with or without a BOM, comma, semicolon or tab separated, quoted
 * fields with doubled quotes, CRLF or LF line ends, newlines inside
 * quotes. (Other encodings are converted first: decode.h.) */
#ifndef CB_CSV_H
#define CB_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

struct cb_csv_row {
	char **fields; /* NUL-terminated, owned by the row */
	size_t nfields;
	size_t line; /* 1-based line number where the record starts */
};

struct cb_csv {
	FILE *fp;
	char sep;    /* ',', ';' or '\t' (detected from the first line) */
	char want;   /* the separator set by cb_csv_set_separator, or 0 */
	size_t line; /* current line number */
	int started;
	/* private */
	char *pending;
	size_t pending_len;
};

/* Start reading fp (not owned). The separator is detected from the first
 * record: of ',', ';' and tab, the one it has most of outside quotes (','
 * when none is more). A leading UTF-8 BOM is skipped. */
void cb_csv_init(struct cb_csv *c, FILE *fp);
/* Read with this separator (',', ';' or '\t') instead of detecting it;
 * before the first cb_csv_next. */
void cb_csv_set_separator(struct cb_csv *c, char sep);
void cb_csv_release(struct cb_csv *c);

/* Read the next record into row (released first). Returns CB_OK with
 * row->nfields > 0, or CB_ENOTFOUND at end of file, or CB_EINVAL for
 * invalid UTF-8 or an unterminated quote (message names the line). Blank
 * lines are skipped. */
cb_err cb_csv_next(struct cb_csv *c, struct cb_csv_row *row,
                   struct cb_errbuf *eb) CB_MUST_CHECK;

void cb_csv_row_release(struct cb_csv_row *row);

/* Write one field to fp, quoted when it holds the separator, a quote, CR
 * or LF, or leading/trailing space (quotes doubled). */
void cb_csv_write_field(FILE *fp, const char *s, char sep);

#endif

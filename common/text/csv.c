/* SPDX-License-Identifier: MIT */
/* csv.c — reading CSV as spreadsheets export it (RFC 4180): an optional UTF-8
 * BOM, ',', ';' or tab as separator (guessed from the first record), quoted
 * fields with "" for a quote, CRLF or LF line ends and line breaks inside
 * quotes. Beyond RFC 4180, and as spreadsheets read it, a quote inside an
 * unquoted field and text after a closing quote are kept as data; a CR outside
 * quotes is part of the line end only when LF or the end of the file follows.
 * Every field must be UTF-8 without NUL bytes.
 *
 * One byte-at-a-time state machine does all the work. To guess the separator
 * it first runs over the first record with ',', ';' and tab all splitting
 * fields, counting each outside quotes; the bytes it read are kept in
 * c->pending and parsed again, with the separator chosen, before reading on
 * from the file. */
#include "csv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"

enum csv_state {
	CSV_FIELD_START, /* nothing of the field read yet */
	CSV_UNQUOTED,    /* in a field that did not start with a quote */
	CSV_QUOTED,      /* in a quoted field */
	CSV_QUOTE_SEEN,  /* a quote in a quoted field: closes it or doubles */
};

struct csv_scan {
	enum csv_state st;
	char sep;    /* 0 while guessing: ',', ';' and tab all split */
	bool keep;   /* build fields (false while guessing) */
	bool cr;     /* a CR outside quotes waits to see if LF follows */
	bool begun;  /* the record has content: it is not a blank line */
	size_t line; /* line of the next byte */
	size_t record_line, field_line, quote_line;
	size_t commas, semicolons, tabs; /* separators outside quotes */
	cb_err bad; /* first invalid field; the record is still read */
	struct cb_buf field;
	char **fields;
	size_t nfields, cap;
};

static void
scan_init(struct csv_scan *sc, char sep, bool keep, size_t line)
{
	memset(sc, 0, sizeof(*sc));
	sc->st = CSV_FIELD_START;
	sc->sep = sep;
	sc->keep = keep;
	sc->line = line;
	sc->record_line = line;
	sc->field_line = line;
	cb_buf_init(&sc->field);
}

static void
free_fields(char **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
	free(fields);
}

static void
scan_release(struct csv_scan *sc)
{
	free_fields(sc->fields, sc->nfields);
	sc->fields = NULL;
	sc->nfields = 0;
	sc->cap = 0;
	cb_buf_release(&sc->field);
}

static cb_err
field_add(struct csv_scan *sc, int b, struct cb_errbuf *eb)
{
	if (!sc->keep)
		return CB_OK;
	if (cb_buf_add_u8(&sc->field, (uint8_t)b))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	return CB_OK;
}

/* Line of the first invalid byte of a field that starts on `line`. No UTF-8
 * sequence spans a LF, so that is the first invalid LF-separated piece. */
static size_t
invalid_line(const char *p, size_t len, size_t line)
{
	size_t start = 0;

	for (;;) {
		const char *lf = memchr(p + start, '\n', len - start);
		size_t end = lf ? (size_t)(lf - p) : len;

		if (!lf || !cb_utf8_valid(p + start, end - start))
			return line;
		start = end + 1;
		line++;
	}
}

/* Append a copy of the field buffer to the record's fields. */
static cb_err
push_field(struct csv_scan *sc, struct cb_errbuf *eb)
{
	size_t len = sc->field.len;
	char *copy;

	if (sc->nfields == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 8;
		char **f = NULL;

		if (cap < SIZE_MAX / sizeof(*f))
			f = realloc(sc->fields, cap * sizeof(*f));
		if (!f)
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		sc->fields = f;
		sc->cap = cap;
	}
	copy = malloc(len + 1);
	if (!copy)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if (len)
		memcpy(copy, sc->field.data, len);
	copy[len] = 0;
	sc->fields[sc->nfields++] = copy;
	cb_buf_reset(&sc->field);
	return CB_OK;
}

/* The field read so far is complete: check it and move it to the list. An
 * invalid field is remembered in sc->bad, and the rest of the record is read
 * without keeping it, so the next record starts in the right place. */
static cb_err
field_end(struct csv_scan *sc, struct cb_errbuf *eb)
{
	const char *p = (const char *)sc->field.data;
	size_t len = sc->field.len, line;

	sc->st = CSV_FIELD_START;
	if (!sc->keep) {
		cb_buf_reset(&sc->field);
		return CB_OK;
	}
	if (cb_utf8_valid(p ? p : "", len))
		return push_field(sc, eb);
	line = invalid_line(p, len, sc->field_line);
	sc->bad = cb_error(eb, CB_EINVAL,
	                   _("CSV line %zu, field %zu: not valid UTF-8; save "
	                     "the file as CSV UTF-8"),
	                   line, sc->nfields + 1);
	sc->keep = false;
	scan_release(sc);
	return CB_OK;
}

static bool
is_sep(const struct csv_scan *sc, int b)
{
	if (sc->sep)
		return b == sc->sep;
	return b == ',' || b == ';' || b == '\t';
}

/* A line ends outside quotes: the record ends, unless it was blank. */
static cb_err
line_end(struct csv_scan *sc, bool *done, struct cb_errbuf *eb)
{
	cb_err rc;

	sc->line++;
	if (!sc->begun)
		return CB_OK;
	rc = field_end(sc, eb);
	if (!rc)
		*done = true;
	return rc;
}

/* A byte outside quotes that is neither CR nor LF. */
static cb_err
outside_byte(struct csv_scan *sc, int b, struct cb_errbuf *eb)
{
	if (!sc->begun) {
		sc->begun = true;
		sc->record_line = sc->line;
	}
	if (sc->st == CSV_FIELD_START)
		sc->field_line = sc->line;
	if (is_sep(sc, b)) {
		if (b == ',')
			sc->commas++;
		else if (b == ';')
			sc->semicolons++;
		else
			sc->tabs++;
		return field_end(sc, eb);
	}
	switch (sc->st) {
	case CSV_FIELD_START:
		if (b == '"') {
			sc->st = CSV_QUOTED;
			sc->quote_line = sc->line;
			return CB_OK;
		}
		sc->st = CSV_UNQUOTED;
		break;
	case CSV_QUOTE_SEEN:
		if (b == '"') { /* "" inside quotes is one quote */
			sc->st = CSV_QUOTED;
			break;
		}
		sc->st = CSV_UNQUOTED; /* text after the closing quote */
		break;
	case CSV_UNQUOTED:
	case CSV_QUOTED: break;
	}
	return field_add(sc, b, eb);
}

/* Feed one byte; *done is set when it completes a record. */
static cb_err
scan_byte(struct csv_scan *sc, int b, bool *done, struct cb_errbuf *eb)
{
	cb_err rc;

	if (sc->cr) {
		sc->cr = false;
		if (b == '\n')
			return line_end(sc, done, eb);
		rc = outside_byte(sc, '\r', eb); /* a lone CR is data */
		if (rc)
			return rc;
	}
	if (sc->st == CSV_QUOTED) {
		if (b == '"') {
			sc->st = CSV_QUOTE_SEEN;
			return CB_OK;
		}
		if (b == '\n')
			sc->line++;
		return field_add(sc, b, eb);
	}
	if (b == '\r') {
		sc->cr = true;
		return CB_OK;
	}
	if (b == '\n')
		return line_end(sc, done, eb);
	return outside_byte(sc, b, eb);
}

/* End of file: completes the record being read, if there is one. */
static cb_err
scan_eof(struct csv_scan *sc, bool *done, struct cb_errbuf *eb)
{
	cb_err rc;

	/* A CR waiting in sc->cr just before the end is a line end: drop it. */
	if (sc->st == CSV_QUOTED)
		return cb_error(
			eb, CB_EINVAL,
			_("CSV line %zu: a quoted field is never closed; "
		          "add the missing '\"'"),
			sc->quote_line);
	if (!sc->begun)
		return CB_OK;
	rc = field_end(sc, eb);
	if (!rc)
		*done = true;
	return rc;
}

void
cb_csv_init(struct cb_csv *c, FILE *fp)
{
	c->fp = fp;
	c->sep = ',';
	c->want = 0;
	c->line = 1;
	c->started = 0;
	c->pending = NULL;
	c->pending_len = 0;
}

void
cb_csv_set_separator(struct cb_csv *c, char sep)
{
	c->want = sep;
}

void
cb_csv_release(struct cb_csv *c)
{
	free(c->pending);
	c->pending = NULL;
	c->pending_len = 0;
}

void
cb_csv_row_release(struct cb_csv_row *row)
{
	free_fields(row->fields, row->nfields);
	row->fields = NULL;
	row->nfields = 0;
	row->line = 0;
}

/* Skip a BOM, read the first record into c->pending and choose c->sep: the
 * one set, else of ',', ';' and tab the one the record has most of outside
 * quotes (',' on a tie). */
static cb_err
guess_separator(struct cb_csv *c, struct cb_errbuf *eb)
{
	static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };
	struct cb_buf raw = CB_BUF_INIT;
	struct csv_scan sc;
	unsigned char head[3];
	size_t nhead = 0;
	bool done = false;
	cb_err rc = CB_OK;
	int b;

	scan_init(&sc, c->want, false, c->line);
	while (nhead < sizeof(head) && (b = getc(c->fp)) != EOF)
		head[nhead++] = (unsigned char)b;
	if (nhead == sizeof(bom) && memcmp(head, bom, sizeof(bom)) == 0)
		nhead = 0;
	for (size_t i = 0; i < nhead && !rc; i++) {
		if (cb_buf_add_u8(&raw, head[i]))
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
		else if (!done)
			rc = scan_byte(&sc, head[i], &done, eb);
	}
	while (!rc && !done && (b = getc(c->fp)) != EOF) {
		if (cb_buf_add_u8(&raw, (uint8_t)b))
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
		else
			rc = scan_byte(&sc, b, &done, eb);
	}
	scan_release(&sc);
	if (rc) {
		cb_buf_release(&raw);
		return rc;
	}
	if (c->want)
		c->sep = c->want;
	else if (sc.tabs > sc.commas && sc.tabs > sc.semicolons)
		c->sep = '\t';
	else
		c->sep = sc.semicolons > sc.commas ? ';' : ',';
	c->pending = (char *)cb_buf_detach(&raw, &c->pending_len);
	return CB_OK;
}

cb_err
cb_csv_next(struct cb_csv *c, struct cb_csv_row *row, struct cb_errbuf *eb)
{
	struct csv_scan sc;
	size_t pos = 0;
	bool done = false;
	cb_err rc = CB_OK;

	cb_csv_row_release(row);
	if (!c->started) {
		rc = guess_separator(c, eb);
		if (rc)
			return rc;
		c->started = 1;
	}
	scan_init(&sc, c->sep, true, c->line);
	while (!rc && !done) {
		int b = pos < c->pending_len ? (unsigned char)c->pending[pos++]
		                             : getc(c->fp);

		if (b != EOF) {
			rc = scan_byte(&sc, b, &done, eb);
		} else if (ferror(c->fp)) {
			rc = cb_error(eb, CB_EIO, _("cannot read CSV: %s"),
			              strerror(errno));
		} else {
			rc = scan_eof(&sc, &done, eb);
			if (!rc && !done)
				rc = cb_error(eb, CB_ENOTFOUND,
				              _("no more CSV records"));
		}
	}
	if (!rc)
		rc = sc.bad;
	if (!rc) {
		row->fields = sc.fields;
		row->nfields = sc.nfields;
		row->line = sc.record_line;
		sc.fields = NULL;
		sc.nfields = 0;
	}
	c->line = sc.line;
	if (pos >= c->pending_len) {
		free(c->pending);
		c->pending = NULL;
		c->pending_len = 0;
	} else if (pos > 0) {
		memmove(c->pending, c->pending + pos, c->pending_len - pos);
		c->pending_len -= pos;
	}
	scan_release(&sc);
	return rc;
}

void
cb_csv_write_field(FILE *fp, const char *s, char sep)
{
	size_t n;
	bool quote;

	if (!s)
		s = "";
	n = strlen(s);
	quote = n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
	                  s[n - 1] == '\t');
	for (size_t i = 0; !quote && i < n; i++)
		quote = s[i] == sep || s[i] == '"' || s[i] == '\r' ||
		        s[i] == '\n';
	if (!quote) {
		fputs(s, fp);
		return;
	}
	putc('"', fp);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			putc('"', fp);
		putc(s[i], fp);
	}
	putc('"', fp);
}

/* SPDX-License-Identifier: MIT */
/* xlsx.c — a list or a report as an Excel workbook (see xlsx.h). */
#define _GNU_SOURCE /* renameat2 */
#include "xlsx.h"

#include <fcntl.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "date.h"
#include "lang.h"

/* columns whose width is fitted to what they hold */
#define FIT_COLS 64

struct cb_xlsx {
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *date, *percent;
	char *file, *dir, *tmp; /* FILE, its private directory, the draft */
	lxw_row_t row;
	lxw_col_t col;
	unsigned width[FIT_COLS];
	bool failed;
};

/* The directory part of file ("." for a bare name), or NULL. */
static char *
dir_of(const char *file)
{
	const char *slash = strrchr(file, '/');

	if (!slash)
		return strdup(".");
	if (slash == file)
		return strdup("/");
	return strndup(file, (size_t)(slash - file));
}

cb_err
cb_xlsx_check_path(const char *file, struct cb_errbuf *eb)
{
	size_t n = strlen(file);
	struct stat st;
	char *dir;
	bool isdir;

	for (const unsigned char *p = (const unsigned char *)file; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return cb_error(eb, CB_EINVAL,
			                _("--out: a file name with control "
			                  "characters is refused"));
	if (n < 6 || strcmp(file + n - 5, ".xlsx") || file[n - 6] == '/')
		return cb_error(eb, CB_EINVAL,
		                _("--out '%s': give a file name ending in "
		                  ".xlsx"),
		                file);
	if (lstat(file, &st) == 0 || errno != ENOENT)
		return cb_error(eb, CB_EEXIST,
		                _("--out '%s' exists: give the name of a new "
		                  "file (nothing is written over)"),
		                file);
	if (!(dir = dir_of(file)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	isdir = stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	free(dir);
	if (!isdir)
		return cb_error(eb, CB_EINVAL,
		                _("--out '%s': its directory does not exist"),
		                file);
	return CB_OK;
}

static void
release(struct cb_xlsx *x)
{
	if (x->tmp)
		unlink(x->tmp);
	if (x->dir)
		rmdir(x->dir);
	free(x->tmp);
	free(x->dir);
	free(x->file);
	free(x);
}

cb_err
cb_xlsx_open(struct cb_xlsx **out, const char *file, const char *sheet,
             struct cb_errbuf *eb)
{
	struct cb_xlsx *x = calloc(1, sizeof(*x));
	char *parent = NULL, name[32];
	size_t n;
	lxw_workbook_options opt = { 0 };

	*out = NULL;
	if (!x || !(x->file = strdup(file)) || !(parent = dir_of(file)) ||
	    !(x->dir = malloc(strlen(parent) + 32)))
		goto oom;
	sprintf(x->dir, "%s/.chibo-xlsx-XXXXXX", parent);
	free(parent);
	parent = NULL;
	if (!mkdtemp(x->dir)) {
		int e = errno;

		free(x->dir);
		x->dir = NULL;
		release(x);
		return cb_error(eb, CB_EIO,
		                _("--out '%s': cannot write there: %s"), file,
		                strerror(e));
	}
	if (!(x->tmp = malloc(strlen(x->dir) + 16)))
		goto oom;
	sprintf(x->tmp, "%s/draft.xlsx", x->dir);
	opt.tmpdir = x->dir;
	if (!(x->wb = workbook_new_opt(x->tmp, &opt)))
		goto oom;
	/* Excel's sheet names: 31 characters, none of []:*?/\ */
	n = 0;
	for (const char *p = sheet; *p && n < 31; p++)
		name[n++] = strchr("[]:*?/\\", *p) ? ' ' : *p;
	while (n && ((unsigned char)name[n - 1] & 0xc0) == 0x80)
		n--; /* a character cut in two */
	if (n && (unsigned char)name[n - 1] >= 0xc0)
		n--;
	name[n] = 0;
	if (!(x->ws = workbook_add_worksheet(x->wb, n ? name : NULL)) ||
	    !(x->bold = workbook_add_format(x->wb)) ||
	    !(x->date = workbook_add_format(x->wb)) ||
	    !(x->percent = workbook_add_format(x->wb)))
		goto oom;
	format_set_bold(x->bold);
	format_set_num_format(x->date, "dd/mm/yyyy");
	format_set_num_format(x->percent, "0.0%");
	*out = x;
	return CB_OK;
oom:
	free(parent);
	if (x) {
		if (x->wb)
			workbook_close(x->wb);
		release(x);
	}
	return cb_error(eb, CB_ENOMEM, _("out of memory"));
}

static void
fit(struct cb_xlsx *x, unsigned chars)
{
	if (x->col < FIT_COLS && chars > x->width[x->col])
		x->width[x->col] = chars;
	x->col++;
}

static unsigned
chars_of(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void
cb_xlsx_text(struct cb_xlsx *x, const char *s, bool bold)
{
	if (!s)
		s = "";
	if (*s && worksheet_write_string(x->ws, x->row, x->col, s,
	                                 bold ? x->bold : NULL) != LXW_NO_ERROR)
		x->failed = true;
	fit(x, chars_of(s));
}

void
cb_xlsx_number(struct cb_xlsx *x, double n)
{
	if (worksheet_write_number(x->ws, x->row, x->col, n, NULL) !=
	    LXW_NO_ERROR)
		x->failed = true;
	fit(x, 10);
}

/* The locale's marks, as the figures people read are written (lang.h). */
static void
marks(char *decimal, char *group)
{
	char b[32];

	cb_lang_tenths(15, b); /* "1.5" or "1,5" */
	*decimal = b[1];
	cb_lang_number(1000, b); /* "1,000", "1.000" or "1000" */
	*group = b[1] == '0' ? 0 : b[1];
}

/* s as a number in the user's typography, with an optional "%" after
 * it (spaces allowed before it): into *v (a percentage divided by 100). */
static bool
read_number(const char *s, double *v, bool *percent)
{
	char decimal, group, clean[64];
	size_t n = 0, digits = 0, since_group = 0;
	bool grouped = false;
	const char *p = s;

	marks(&decimal, &group);
	if (*p == '-')
		clean[n++] = *p++;
	if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
		return false; /* a code: 07297 */
	for (; n < sizeof(clean) - 8; p++) {
		if (*p >= '0' && *p <= '9') {
			clean[n++] = *p;
			digits++;
			since_group++;
		} else if (group && *p == group && digits &&
		           (!grouped || since_group == 3)) {
			grouped = true;
			since_group = 0;
		} else {
			break;
		}
	}
	if (!digits || (grouped && since_group != 3))
		return false;
	if (*p == decimal && p[1] >= '0' && p[1] <= '9') {
		clean[n++] = '.';
		for (p++; *p >= '0' && *p <= '9' && n < sizeof(clean) - 1; p++)
			clean[n++] = *p;
	}
	clean[n] = 0;
	*percent = false;
	while (*p == ' ' || !strncmp(p, "\xc2\xa0", 2) ||
	       !strncmp(p, "\xe2\x80\xaf", 3))
		p += *p == ' ' ? 1 : (unsigned char)*p == 0xc2 ? 2 : 3;
	if (*p == '%') {
		*percent = true;
		p++;
	}
	if (*p)
		return false;
	*v = strtod(clean, NULL) / (*percent ? 100 : 1);
	return true;
}

void
cb_xlsx_value(struct cb_xlsx *x, const char *s, bool numbers)
{
	struct cb_date d;
	struct cb_errbuf eb;
	double v;
	bool percent;
	size_t n = s ? strlen(s) : 0;

	if (n >= 8 && n <= 10 && s[0] >= '0' && s[0] <= '9' &&
	    cb_date_parse_loose(s, &d, &eb) == CB_OK) {
		lxw_datetime dt = { d.year, d.month, d.day, 0, 0, 0 };

		if (worksheet_write_datetime(x->ws, x->row, x->col, &dt,
		                             x->date) != LXW_NO_ERROR)
			x->failed = true;
		fit(x, 10);
		return;
	}
	if (numbers && n && read_number(s, &v, &percent)) {
		if (worksheet_write_number(x->ws, x->row, x->col, v,
		                           percent ? x->percent : NULL) !=
		    LXW_NO_ERROR)
			x->failed = true;
		fit(x, chars_of(s));
		return;
	}
	cb_xlsx_text(x, s, false);
}

void
cb_xlsx_end_row(struct cb_xlsx *x)
{
	x->row++;
	x->col = 0;
}

void
cb_xlsx_discard(struct cb_xlsx *x)
{
	if (!x)
		return;
	workbook_close(x->wb);
	release(x);
}

cb_err
cb_xlsx_close(struct cb_xlsx *x, struct cb_errbuf *eb)
{
	lxw_error e;
	cb_err rc = CB_OK;

	for (lxw_col_t c = 0; c < FIT_COLS; c++)
		if (x->width[c])
			worksheet_set_column(
				x->ws, c, c,
				x->width[c] > 60 ? 60 : x->width[c] + 2, NULL);
	e = workbook_close(x->wb);
	x->wb = NULL;
	if (x->failed || e != LXW_NO_ERROR)
		rc = cb_error(eb, CB_EIO, _("cannot write '%s': %s"), x->file,
		              x->failed ? _("a cell was refused")
		                        : lxw_strerror(e));
	/* never over, nor through, what is there now: a rename that
	 * refuses an existing name, or a link where the file system has no
	 * such rename */
	else if (renameat2(AT_FDCWD, x->tmp, AT_FDCWD, x->file,
	                   RENAME_NOREPLACE) != 0 &&
	         (errno == EEXIST || link(x->tmp, x->file) != 0))
		rc = errno == EEXIST
		             ? cb_error(eb, CB_EEXIST,
		                        _("--out '%s' exists: give the name of "
		                          "a new file (nothing is written "
		                          "over)"),
		                        x->file)
		             : cb_error(eb, CB_EIO, _("cannot write '%s': %s"),
		                        x->file, strerror(errno));
	release(x);
	return rc;
}

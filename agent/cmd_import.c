/* SPDX-License-Identifier: MIT */
/* cmd_import.c — chibo-agent import-members: a member list as spreadsheets
 * export it (CSV in UTF-8 with or without BOM, UTF-16 or Windows-1258 —
 * converted by common/text/decode.h; comma, semicolon or tab; quoted
 * fields). Headers are recognised in English (the op's field names) or
 * Vietnamese, with or without diacritics ("Họ và tên", "ho va ten"); values
 * ("Nữ", "Chính thức", "21/11/1980") are read as 'apply' reads them
 * (cb_ops_prepare: common/view/words.h, date.h). All
 * rows or none: each row becomes a member.add through the same path as
 * 'apply'; any bad row writes nothing. --dry-run shows what would be added
 * (every rule checked, then rolled back). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "args.h"
#include "csv.h"
#include "decode.h"
#include "output.h"
#include "table.h"
#include "text.h"

static const struct {
	const char *field;
	const char *aliases; /* folded, separated by '|' */
} columns[] = {
	{ "full_name", "full_name|name|full name|ho va ten|ho ten|ten" },
	{ "birth_date", "birth_date|birth|date of birth|ngay sinh|ngay thang "
	                "nam sinh" },
	{ "sex", "sex|gender|gioi tinh" },
	{ "card_no", "card_no|card|party card|so the dang|so the|the dang" },
	{ "national_id", "national_id|national id|cccd|so cccd|can cuoc|so "
	                 "can cuoc|so dinh danh" },
	{ "admitted_on", "admitted_on|admitted|ngay vao dang|ngay ket nap" },
	{ "official_on", "official_on|official|ngay chinh thuc" },
	{ "status", "status|trang thai" },
	{ "work_category", "work_category|work|cong viec|doi tuong" },
	{ "council_area", "council_area|council area|dai bieu hdnd|khu vuc "
	                  "ung cu" },
	{ "cell", "cell|chi bo|ma chi bo" },
	{ "cell_since", "cell_since|sinh hoat tu" },
	/* what 'members --format csv' writes besides: the record's id and
	 * organisation (a new replica gives its own), the day of its status */
	{ NULL, "id|org|status_on" },
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))
#define IGNORED (-2) /* a column of the export that is not an input */

/* A file larger than this is not a member list. */
#define IMPORT_MAX (64u << 20)

static int
column_of(const char *header)
{
	char *f = NULL;
	int found = -1;

	if (cb_text_fold(header, &f, NULL))
		return -1;
	for (size_t c = 0; c < NCOLUMNS && found < 0; c++) {
		const char *p = columns[c].aliases;
		size_t n = strlen(f);

		while (p && *p) {
			const char *bar = strchr(p, '|');
			size_t len = bar ? (size_t)(bar - p) : strlen(p);

			if (len == n && strncmp(p, f, n) == 0) {
				found = (int)c;
				break;
			}
			p = bar ? bar + 1 : NULL;
		}
	}
	free(f);
	return found >= 0 && !columns[found].field ? IGNORED : found;
}

/* The whole of path ("-": stdin) into *out, at most IMPORT_MAX bytes;
 * prints why not and returns false. */
static bool
read_all(const char *path, unsigned char **out, size_t *n)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!fp) {
		agent_error(_("cannot open '%s': %s"), path, strerror(errno));
		return false;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			unsigned char *p;

			cap = cap ? cap * 2 : 65536;
			if (cap > IMPORT_MAX + 1)
				cap = IMPORT_MAX + 1;
			if (len == cap) {
				agent_error(_("'%s' is over 64 MiB: not a "
				              "member list"),
				            path);
				goto fail;
			}
			if (!(p = realloc(buf, cap))) {
				agent_error(_("out of memory"));
				goto fail;
			}
			buf = p;
		}
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		agent_error(_("cannot read '%s': %s"), path, strerror(errno));
		goto fail;
	}
	if (fp != stdin)
		fclose(fp);
	*out = buf;
	*n = len;
	return true;
fail:
	free(buf);
	if (fp != stdin)
		fclose(fp);
	return false;
}

static const struct argdef defs[] = {
	{ "dry-run", NULL,
	  N_("check every row and show what would be added; "
	     "write nothing") },
	{ "cell", "CODE", N_("the cell of rows that have no cell column") },
	{ "separator", "SEP",
	  N_("the separator: , ; or tab (default: the one the first row "
	     "has most of)") },
	{ "encoding", "NAME",
	  N_("the file's encoding: utf-8, utf-16, windows-1258, … "
	     "(default: from its bytes)") },
	{ NULL, NULL, NULL },
};

/* Say one line of im's, formatted. */
static void CB_PRINTF(3, 4)
	said(struct agent_import *im, bool error, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	im->say(im->ctx, error, line);
}

int
agent_import(struct agent *a, struct cb_ledger *lg, const unsigned char *raw,
             size_t rawlen, struct agent_import *im)
{
	struct cb_csv csv;
	struct cb_csv_row row = { 0 };
	char *text = NULL;
	size_t textlen = 0;
	const char *encoding = NULL;
	const char *name = im->file;
	struct cb_output as_written;
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	int map[64], ncols = 0, rc = 1;
	cb_err r0;
	bool have_cell = false, own = !lg;
	FILE *fp = NULL;

	im->added = im->bad = 0;
	cb_csv_init(&csv, NULL);
	/* the separators the lists write are the ones read */
	if (im->sep && cb_output_parse("csv", im->sep, false, NULL, false,
	                               &as_written, &eb)) {
		said(im, true, "%s", eb.msg);
		goto out;
	}
	if (cb_decode_text(raw, rawlen, im->encoding, &text, &textlen,
	                   &encoding, &eb)) {
		said(im, true, _("cannot read '%s': %s"), name, eb.msg);
		goto out;
	}
	/* say what was guessed: a wrong guess shows in the names */
	if (!im->encoding && strcmp(encoding, "UTF-8"))
		said(im, false,
		     _("read '%s' as %s (--encoding chooses another)"), name,
		     encoding);
	if (!textlen) {
		said(im, true,
		     _("'%s' is empty: export the member list with its "
		       "header row"),
		     name);
		goto out;
	}
	if (!(fp = fmemopen(text, textlen, "r"))) {
		said(im, true, _("out of memory"));
		goto out;
	}
	cb_csv_init(&csv, fp);
	if (im->sep)
		cb_csv_set_separator(&csv, as_written.sep);
	if ((r0 = cb_csv_next(&csv, &row, &eb))) {
		if (r0 == CB_ENOTFOUND)
			said(im, true,
			     _("'%s' has only blank lines: export the "
			       "member list with its header row"),
			     name);
		else
			said(im, true, "'%s': %s", name, eb.msg);
		goto out;
	}
	ncols = (int)row.nfields;
	if (ncols > 64) {
		said(im, true, _("'%s' has %d columns; at most 64"), name,
		     ncols);
		goto out;
	}
	for (int i = 0; i < ncols; i++) {
		map[i] = column_of(row.fields[i]);
		if (map[i] == -1 && ncols == 1) {
			said(im, true,
			     _("'%s': the first row is one column, "
			       "'%s', not a member field: are the "
			       "columns separated by , ; or a tab? give "
			       "--separator"),
			     name, row.fields[i]);
			goto out;
		}
		if (map[i] == -1 && row.fields[i][0]) {
			said(im, true,
			     _("'%s': column '%s' is not a member field; "
			       "see 'chibo-agent import-members --help'"),
			     name, row.fields[i]);
			goto out;
		}
		if (map[i] >= 0 && !strcmp(columns[map[i]].field, "cell"))
			have_cell = true;
	}
	if (!have_cell && !im->cell) {
		said(im, true, _("'%s' has no cell column; give --cell CODE"),
		     name);
		goto out;
	}
	if (own && !(lg = agent_open(a)))
		goto out;
	if (cb_ledger_unseal(lg, &eb) || cb_ledger_begin(lg, &eb)) {
		said(im, true, "%s", eb.msg);
		goto out;
	}
	for (;;) {
		cb_err r = cb_csv_next(&csv, &row, &eb);
		json_t *in;

		if (r == CB_ENOTFOUND)
			break;
		if (r) {
			said(im, true, "'%s': %s", name, eb.msg);
			goto out;
		}
		in = json_object();
		if (im->cell)
			json_object_set_new(in, "cell", json_string(im->cell));
		for (int i = 0; i < ncols && i < (int)row.nfields; i++) {
			if (map[i] < 0 || !row.fields[i][0])
				continue;
			json_object_set_new(in, columns[map[i]].field,
			                    json_string(cb_output_csv_undefuse(
						    row.fields[i])));
		}
		r = cb_ledger_append(lg, "member.add", in, &e, &eb);
		json_decref(in);
		if (r == CB_EINVAL || cb_is_rejection(r)) {
			im->row(im->ctx, row.line, NULL, eb.msg);
			im->bad++;
			continue;
		}
		if (r) {
			said(im, true, "%s", eb.msg);
			goto out;
		}
		im->added++;
		im->row(im->ctx, row.line, &e, NULL);
	}
	if (im->bad) {
		said(im, true,
		     P_("%zu bad row in '%s'; nothing was written — fix "
		        "it and import again",
		        "%zu bad rows in '%s'; nothing was written — fix "
		        "them and import again",
		        im->bad),
		     im->bad, name);
		goto out;
	}
	if (im->commit && cb_ledger_commit(lg, &eb)) {
		said(im, true, "%s", eb.msg);
		goto out;
	}
	rc = 0;
out:
	if (lg && lg->in_batch)
		cb_ledger_abort(lg);
	if (own)
		cb_ledger_free(&lg);
	cb_entry_release(&e);
	cb_csv_row_release(&row);
	cb_csv_release(&csv);
	if (fp)
		fclose(fp);
	free(text);
	return rc;
}

/* The command line's rows: a refusal said, a row kept for the dry run's
 * table. */
struct cli_import {
	struct cb_table t;
	bool oom;
};

static void
cli_row(void *ctx, size_t line, const struct cb_entry *e, const char *why)
{
	struct cli_import *c = ctx;
	char n[24];

	if (why) {
		agent_error(_("line %zu: %s"), line, why);
		return;
	}
	snprintf(n, sizeof(n), "%zu", line);
	if (cb_table_add(&c->t, (const char *const[]){
					n,
					json_string_value(json_object_get(
						e->json, "full_name")),
					json_string_value(json_object_get(
						e->json, "birth_date")),
					json_string_value(json_object_get(
						e->json, "card_no")),
					json_string_value(json_object_get(
						e->json, "cell")) }))
		c->oom = true;
}

static void
cli_say(void *ctx, bool error, const char *line)
{
	(void)ctx;
	if (error)
		agent_error("%s", line);
	else
		fprintf(stderr, "%s\n", line);
}

int
cmd_import_members(struct agent *a, int argc, char **argv)
{
	struct agent_import im = { 0 };
	struct cli_import c = { 0 };
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	struct args v;
	int rc;

	rc = cb_args_command(
		"import-members",
		N_("usage: chibo-agent import-members [--dry-run] [--cell "
	           "CODE] [--separator SEP]\n"
	           "                                  [--encoding NAME] "
	           "FILE.csv\n\nAdds the members of a spreadsheet's CSV "
	           "export: one member.add entry per\nrow, all rows or none. "
	           "The first row names the columns, in English\n(full_name, "
	           "birth_date, sex, card_no, national_id, admitted_on,\n"
	           "official_on, status, work_category, council_area, cell, "
	           "cell_since) or\nVietnamese (Họ và tên, Ngày sinh, Giới "
	           "tính, Số thẻ đảng, Số CCCD,\nNgày vào Đảng, Ngày chính "
	           "thức, Trạng thái, Chi bộ, …). Dates may be\nDD/MM/YYYY; "
	           "'Nam'/'Nữ', 'Dự bị'/'Chính thức' are understood.\n"
	           "The columns id, org and status_on of 'chibo-agent members "
	           "--format csv'\nare skipped, so its export imports into "
	           "another replica (a cell it wrote as '=… is read back as "
	           "=…).\n\n"
	           "The file may be CSV UTF-8 (with or without a byte order "
	           "mark), UTF-16\n(Excel's 'Unicode Text') or Windows-1258 "
	           "(Excel's 'CSV' on Vietnamese\nWindows): the encoding is "
	           "read from the bytes and said when it is not\nUTF-8; names "
	           "are stored in NFC. The separator (, ; or tab) is the one\n"
	           "the first row has most of.\n"
	           "\n"),
		defs, argc, argv, &v, 1, 1, N_("give one CSV file"));
	if (rc >= 0)
		return rc;
	im.file = v.pos[0];
	im.commit = cb_args_get(&v, 0) == NULL;
	im.cell = cb_args_get(&v, 1);
	im.sep = cb_args_get(&v, 2);
	im.encoding = cb_args_get(&v, 3);
	im.row = cli_row;
	im.say = cli_say;
	im.ctx = &c;
	/* a separator that is none is a usage error, before the file */
	if (im.sep) {
		struct cb_output as_written;
		struct cb_errbuf eb;

		if (cb_output_parse("csv", im.sep, false, NULL, false,
		                    &as_written, &eb))
			return cb_args_usage("import-members", "%s", eb.msg);
	}
	if (!read_all(v.pos[0], &raw, &rawlen))
		return 1;
	if (cb_table_init(&c.t, 5,
	                  (const char *const[]){ N_("LINE"), N_("NAME"),
	                                         N_("BORN"), N_("CARD"),
	                                         N_("CELL") })) {
		free(raw);
		agent_error(_("out of memory"));
		return 1;
	}
	rc = agent_import(a, NULL, raw, rawlen, &im);
	if (!rc && c.oom) {
		agent_error(_("out of memory"));
		rc = 1;
	} else if (!rc && !im.commit) {
		cb_table_print(&c.t, stdout);
		printf(P_("dry run: %zu member would be added; nothing was "
		          "written\n",
		          "dry run: %zu members would be added; nothing was "
		          "written\n",
		          im.added),
		       im.added);
	} else if (!rc) {
		printf(P_("imported %zu member from '%s'\n",
		          "imported %zu members from '%s'\n", im.added),
		       im.added, v.pos[0]);
	}
	cb_table_release(&c.t);
	free(raw);
	return rc;
}

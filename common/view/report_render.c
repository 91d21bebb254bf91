/* SPDX-License-Identifier: MIT */
/* report_render.c — a report (report.h) printed: as a table for people,
 * as CSV for a spreadsheet (formula-looking cells defused), or as JSON;
 * and cb_report_print, a report run and printed. */
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "csv.h"
#include "date.h"
#include "log.h"
#include "table.h"
#include "tlog.h"
#include "xlsx.h"

/* JSON and CSV are for programs and spreadsheets' formulas: the same
 * words and figures in every locale. A table and a workbook are for
 * people: their language. */
static bool
in_english(const struct cb_output *out)
{
	return out->format == CB_OUTPUT_CSV || out->format == CB_OUTPUT_JSON;
}

/* r as a workbook: its title, the table under a bold header, the notes
 * under it. */
static cb_err
write_xlsx(const struct cb_report *r, const struct cb_output *out,
           struct cb_errbuf *eb)
{
	struct cb_xlsx *x;
	cb_err rc;

	if ((rc = cb_xlsx_open(&x, out->file, r->title, eb)))
		return rc;
	cb_xlsx_text(x, r->title, true);
	cb_xlsx_end_row(x);
	cb_xlsx_end_row(x);
	for (size_t i = 0; i < r->ncols; i++)
		cb_xlsx_text(x, r->cols[i], true);
	cb_xlsx_end_row(x);
	for (size_t k = 0; k < r->nrows; k++) {
		for (size_t i = 0; i < r->ncols; i++)
			cb_xlsx_value(x, r->cells[k * r->ncols + i], true);
		cb_xlsx_end_row(x);
	}
	if (r->nnotes)
		cb_xlsx_end_row(x);
	for (size_t i = 0; i < r->nnotes; i++) {
		cb_xlsx_text(x, r->notes[i], false);
		cb_xlsx_end_row(x);
	}
	return cb_xlsx_close(x, eb);
}

cb_err
cb_report_write(const struct cb_report *r, const struct cb_output *out,
                FILE *fp, struct cb_errbuf *eb)
{
	if (out->format == CB_OUTPUT_XLSX)
		return write_xlsx(r, out, eb);
	if (out->format == CB_OUTPUT_JSON) {
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
	} else if (out->format == CB_OUTPUT_CSV) {
		json_t *cp = json_object_get(r->summary, "checkpoint");

		cb_output_csv_begin(out, fp);
		for (size_t k = 0; k <= r->nrows; k++) {
			for (size_t i = 0; i < r->ncols; i++)
				cb_output_csv_cell(
					out, fp,
					k ? r->cells[(k - 1) * r->ncols + i]
					  : r->cols[i],
					i == 0);
			cb_output_csv_end_row(fp);
		}
		/* a sheet has no place for notes: the checkpoint, after an
		 * empty row, says what the figures were computed at */
		if (cp)
			fprintf(fp, "\r\ncheckpoint%c%s%c%lld%c%s\r\n",
			        out->sep,
			        json_string_value(
					json_object_get(cp, "origin")),
			        out->sep,
			        (long long)json_integer_value(
					json_object_get(cp, "size")),
			        out->sep,
			        json_string_value(json_object_get(cp, "root")));
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
	return ferror(fp) ? cb_error(eb, CB_EIO, _("cannot write the report"))
	                  : CB_OK;
}

cb_err
cb_report_read(struct cb_store *st, const struct cb_report_query *q,
               struct cb_report *out, struct cb_errbuf *eb)
{
	cb_err rc;

	if ((rc = cb_store_exec(st, "BEGIN", eb)))
		return rc;
	rc = cb_report_run(st, q, out, eb);
	cb_store_rollback(st);
	return rc;
}

cb_err
cb_report_print(struct cb_store *st, const struct cb_report_query *q,
                const struct cb_output *out, FILE *fp, struct cb_errbuf *eb)
{
	struct cb_report r = { 0 };
	bool english = in_english(out);
	cb_err rc;

	if (english)
		cb_lang_english_begin();
	rc = cb_report_read(st, q, &r, eb);
	if (!rc)
		rc = cb_report_write(&r, out, fp, eb);
	if (english)
		cb_lang_english_end();
	cb_report_release(&r);
	return rc;
}

/* The options of q as a command line gives them again: " --to
 * 2019-09-30", for the note that tells an auditor how to recompute. */
static void
query_options(const struct cb_report_query *q, char *out, size_t n)
{
	const struct {
		const char *name, *v;
	} o[] = { { "term", q->term },
		  { "period", q->period },
		  { "from", q->from },
		  { "to", q->to },
		  { "on", q->on } };
	size_t len = 0;

	out[0] = 0;
	for (size_t i = 0; i < sizeof(o) / sizeof(o[0]) && len < n; i++)
		if (o[i].v)
			len += (size_t)snprintf(out + len, n - len, " --%s %s",
			                        o[i].name, o[i].v);
	if (q->overdue && len < n)
		snprintf(out + len, n - len, " --overdue");
}

/* The report r, of query q, stated at the signed checkpoint note: its
 * summary's "checkpoint", and a note naming it and the command that
 * recomputes it (with --org unless q's root is the checkpoint's hub's
 * own committee); after that note, `caveat` if not NULL. */
static cb_err
stamp(struct cb_report *r, const struct cb_report_query *q, const char *note,
      const char *caveat, struct cb_errbuf *eb)
{
	char origin[CB_CHECKPOINT_ORIGIN_MAX + 1], b64[64], opts[320];
	const char *l2 = strchr(note, '\n'),
		   *l3 = l2 ? strchr(l2 + 1, '\n') : NULL;
	const char *end = l3 ? strchr(l3 + 1, '\n') : NULL;
	unsigned long long size;
	char *after;
	size_t n;

	/* the checkpoint's text: origin, size, root (checked when it was
	 * signed or received; here only read) */
	if (!cb_note_origin(note, origin, sizeof(origin)) || !end ||
	    (size_t)(end - l3 - 1) >= sizeof(b64) ||
	    (size = strtoull(l2 + 1, &after, 10), after != l3))
		return cb_error(eb, CB_EIO,
		                _("the checkpoint held is not one"));
	snprintf(b64, sizeof(b64), "%.*s", (int)(end - l3 - 1), l3 + 1);
	n = strlen("chibo/hub/");
	opts[0] = 0;
	if (q->root &&
	    (strncmp(origin, "chibo/hub/", n) || strcmp(origin + n, q->root)))
		snprintf(opts, sizeof(opts), " --org %s", q->root);
	n = strlen(opts);
	query_options(q, opts + n, sizeof(opts) - n);
	if (json_object_set_new(r->summary, "checkpoint",
	                        json_pack("{s:s, s:I, s:s, s:s}", "origin",
	                                  origin, "size", (json_int_t)size,
	                                  "root", b64, "note", note)) ||
	    rp_note(r,
	            _("Computed at checkpoint %s, size %llu, root %s: "
	              "'chibo-audit report %s%s --at CHECKPOINT' recomputes it "
	              "from the signed log."),
	            origin, size, b64, q->kind, opts) ||
	    (caveat && rp_note(r, "%s", caveat)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	return CB_OK;
}

/* q, with the day a transfers report is judged on made explicit (today,
 * unless --on says), so that the figures can be recomputed later: into
 * at, the day's text in today. */
static void
explicit_day(const struct cb_report_query *q, struct cb_report_query *at,
             char today[11])
{
	*at = *q;
	if (!q->on && !strcmp(q->kind, "transfers")) {
		struct cb_date d = cb_date_today();

		cb_date_format(&d, today);
		at->on = today;
	}
}

cb_err
cb_report_run_at_checkpoint(struct cb_store *st,
                            const struct cb_report_query *q,
                            struct cb_report *out, struct cb_errbuf *eb)
{
	struct cb_log *log = cb_store_log(st);
	struct cb_report_query at;
	struct cb_report r = { 0 };
	char today[11];
	uint8_t root[32];
	uint64_t size = 0;
	int64_t held = 0;
	char *note = NULL;
	cb_err rc;

	explicit_day(q, &at, today);
	if ((rc = cb_store_exec(st, "BEGIN", eb)))
		return rc;
	rc = cb_tlog_checkpoint_latest(log, &size, root, &note, eb);
	if (rc == CB_ENOTFOUND)
		rc = cb_error(eb, CB_EAGAIN, _("no checkpoint signed yet"));
	if (!rc)
		rc = cb_log_size(log, &held, eb);
	if (!rc && (uint64_t)held != size)
		rc = cb_error(eb, CB_EAGAIN,
		              _("the log holds %lld entries, its latest "
		                "checkpoint %llu: sign one first"),
		              (long long)held, (unsigned long long)size);
	if (!rc)
		rc = cb_report_run(st, &at, &r, eb);
	cb_store_rollback(st);
	if (!rc)
		rc = stamp(&r, &at, note, NULL, eb);
	free(note);
	if (!rc)
		*out = r;
	else
		cb_report_release(&r);
	return rc;
}

cb_err
cb_report_print_at_checkpoint(struct cb_store *st,
                              const struct cb_report_query *q,
                              const struct cb_output *out, FILE *fp,
                              struct cb_errbuf *eb)
{
	struct cb_report r = { 0 };
	bool english = in_english(out);
	cb_err rc;

	/* as cb_report_print: JSON and CSV in English, the rest translated */
	if (english)
		cb_lang_english_begin();
	rc = cb_report_run_at_checkpoint(st, q, &r, eb);
	if (!rc)
		rc = cb_report_write(&r, out, fp, eb);
	if (english)
		cb_lang_english_end();
	cb_report_release(&r);
	return rc;
}

cb_err
cb_report_print_as_synced(struct cb_store *st, const struct cb_report_query *q,
                          const struct cb_output *out, FILE *fp,
                          const char *note, uint64_t unsynced,
                          struct cb_errbuf *eb)
{
	struct cb_report_query at;
	struct cb_report r = { 0 };
	char today[11], caveat[320];
	bool english = in_english(out);
	cb_err rc;

	explicit_day(q, &at, today);
	if ((rc = cb_store_exec(st, "BEGIN", eb)))
		return rc;
	/* as cb_report_print: JSON and CSV in English, the rest translated */
	if (english)
		cb_lang_english_begin();
	rc = cb_report_run(st, &at, &r, eb);
	cb_store_rollback(st);
	snprintf(caveat, sizeof(caveat),
	         P_("%llu entry recorded here since is not in that log yet: "
	            "sync, then report again, to state figures the hub's log "
	            "proves.",
	            "%llu entries recorded here since are not in that log yet: "
	            "sync, then report again, to state figures the hub's log "
	            "proves.",
	            (unsigned long)unsynced),
	         (unsigned long long)unsynced);
	if (!rc && note)
		rc = stamp(&r, &at, note, unsynced ? caveat : NULL, eb);
	else if (!rc && rp_note(&r, "%s",
	                        _("This replica has not synced yet: no "
	                          "checkpoint of the hub's log to state.")))
		rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
	if (!rc)
		rc = cb_report_write(&r, out, fp, eb);
	if (english)
		cb_lang_english_end();
	cb_report_release(&r);
	return rc;
}

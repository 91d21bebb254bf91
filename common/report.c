/* SPDX-License-Identifier: MIT */
/* report.c — the reports of report.h, each a few SQL queries over the
 * projection tables. Counts are exact integers; percentages are rounded to
 * one decimal only when printed. */
#include "report.h"
#include "scope.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "entry.h"
#include "ops.h"
#include "table.h"

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

static cb_err
report_init(struct cb_report *r, const char *title, size_t ncols,
            const char *const *cols)
{
	memset(r, 0, sizeof(*r));
	r->title = strdup(title);
	r->cols = calloc(ncols, sizeof(*r->cols));
	r->summary = json_object();
	if (!r->title || !r->cols || !r->summary)
		return CB_ENOMEM;
	r->ncols = ncols;
	for (size_t i = 0; i < ncols; i++)
		if (!(r->cols[i] = strdup(cols[i])))
			return CB_ENOMEM;
	return CB_OK;
}

/* Add a row of ncols printf-formatted... no: of ncols strings. */
static cb_err
report_row(struct cb_report *r, const char *const *cells)
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

static cb_err report_note(struct cb_report *r, const char *fmt, ...)
	CB_PRINTF(2, 3);

static cb_err
report_note(struct cb_report *r, const char *fmt, ...)
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
	if (of <= 0) {
		strcpy(out, "-");
		return;
	}
	/* round half up on tenths, in integers: 4000/4175 -> 95.8 */
	long long tenths = (part * 2000 + of) / (2 * of);

	snprintf(out, 48, "%lld.%lld%%", tenths / 10, tenths % 10);
}

static cb_err
fail_sql(struct cb_store *st, struct cb_errbuf *eb)
{
	return cb_store_error(st, eb, "cannot compute the report");
}

/* The first ncols integer columns of a one-row query with up to three
 * text binds (NULL binds NULL). */
static cb_err
ints_of(struct cb_store *st, const char *sql, const char *a, const char *b,
        const char *c, long long *n, int ncols, struct cb_errbuf *eb)
{
	sqlite3_stmt *s = NULL;
	cb_err rc = CB_OK;

	if (sqlite3_prepare_v2(cb_store_db(st), sql, -1, &s, NULL))
		return fail_sql(st, eb);
	cb_bind_text(s, 1, a);
	cb_bind_text(s, 2, b);
	cb_bind_text(s, 3, c);
	if (sqlite3_step(s) == SQLITE_ROW)
		for (int i = 0; i < ncols; i++)
			n[i] = sqlite3_column_int64(s, i);
	else
		rc = fail_sql(st, eb);
	sqlite3_finalize(s);
	return rc;
}

static cb_err
count_of(struct cb_store *st, const char *sql, const char *a, const char *b,
         long long *n, struct cb_errbuf *eb)
{
	return ints_of(st, sql, a, b, NULL, n, 1, eb);
}

#define LIVE "status IN ('probationary', 'official', 'exempt')"

cb_err
cb_report_membership(struct cb_store *st, const char *on, struct cb_report *out,
                     struct cb_errbuf *eb)
{
	static const char *const cols[] = { "GROUP", "VALUE", "MEMBERS" };
	static const char *const bands[][3] = {
		{ "under 30", "0", "29" },      { "30-39", "30", "39" },
		{ "40-49", "40", "49" },        { "50-59", "50", "59" },
		{ "60 and over", "60", "999" },
	};
	static const char by_status[] =
		"SELECT count(*) FROM members WHERE status = ?1";
	static const char by_kind[] =
		"SELECT count(*) FROM members m JOIN orgs o ON o.code = m.cell "
		"WHERE m." LIVE " AND o.kind = ?1";
	static const char by_work[] =
		"SELECT count(*) FROM members WHERE " LIVE
		" AND coalesce(work_category, 'unspecified') = ?1";
	static const char by_age[] =
		"SELECT count(*) FROM (SELECT CAST(substr(?1, 1, 4) AS "
		"INTEGER) - "
		"CAST(substr(birth_date, 1, 4) AS INTEGER) - "
		"(substr(?1, 6) < substr(birth_date, 6)) AS age FROM members "
		"WHERE " LIVE ") WHERE age BETWEEN CAST(?2 AS INTEGER) AND "
		"CAST(substr(?2, instr(?2, '-') + 1) AS INTEGER)";
	struct cb_report r;
	json_t *j;
	char num[32], range[16];
	long long n, live = 0;
	cb_err rc;

	if ((rc = report_init(&r, "Membership", 3, cols)))
		goto nomem;
	j = json_object();
	json_object_set_new(r.summary, "by_status", j);
	for (size_t i = 0; cb_member_statuses[i]; i++) {
		if ((rc = count_of(st, by_status, cb_member_statuses[i], NULL,
		                   &n, eb)))
			goto out;
		if (!cb_status_terminal(cb_member_statuses[i]))
			live += n;
		json_object_set_new(j, cb_member_statuses[i], json_integer(n));
		snprintf(num, sizeof(num), "%lld", n);
		if (report_row(&r, (const char *const[]){ "status",
		                                          cb_member_statuses[i],
		                                          num }))
			goto nomem;
	}
	json_object_set_new(r.summary, "live", json_integer(live));
	j = json_object();
	json_object_set_new(r.summary, "by_cell_kind", j);
	for (size_t i = 0; cb_cell_kinds[i]; i++) {
		if ((rc = count_of(st, by_kind, cb_cell_kinds[i], NULL, &n,
		                   eb)))
			goto out;
		json_object_set_new(j, cb_cell_kinds[i], json_integer(n));
		snprintf(num, sizeof(num), "%lld", n);
		if (report_row(&r,
		               (const char *const[]){ "cell kind",
		                                      cb_cell_kinds[i], num }))
			goto nomem;
	}
	j = json_object();
	json_object_set_new(r.summary, "by_work_category", j);
	for (size_t i = 0; i <= 5; i++) {
		const char *w = cb_work_categories[i] ? cb_work_categories[i]
		                                      : "unspecified";

		if ((rc = count_of(st, by_work, w, NULL, &n, eb)))
			goto out;
		json_object_set_new(j, w, json_integer(n));
		snprintf(num, sizeof(num), "%lld", n);
		if (report_row(&r, (const char *const[]){ "work", w, num }))
			goto nomem;
		if (!cb_work_categories[i])
			break;
	}
	j = json_object();
	json_object_set_new(r.summary, "by_age", j);
	for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]); i++) {
		snprintf(range, sizeof(range), "%s-%s", bands[i][1],
		         bands[i][2]);
		if ((rc = count_of(st, by_age, on, range, &n, eb)))
			goto out;
		json_object_set_new(j, bands[i][0], json_integer(n));
		snprintf(num, sizeof(num), "%lld", n);
		if (report_row(&r, (const char *const[]){ "age", bands[i][0],
		                                          num }))
			goto nomem;
	}
	json_object_set_new(r.summary, "on", json_string(on));
	if (report_note(&r,
	                "%lld live members (probationary, official or "
	                "exempt); ages on %s",
	                live, on))
		goto nomem;
	*out = r;
	return CB_OK;
nomem:
	rc = cb_error(eb, CB_ENOMEM, "out of memory");
out:
	cb_report_release(&r);
	return rc;
}

cb_err
cb_report_congresses(struct cb_store *st, const char *root, const char *term,
                     struct cb_report *out, struct cb_errbuf *eb)
{
	static const char *const cols[] = { "CELL", "NAME", "KIND", "HELD ON" };
	static const char sql[] = CB_SQL_SUBTREE
		"SELECT o.code, o.name, o.kind, c.held_on FROM orgs o "
		"LEFT JOIN congresses c ON c.org = o.code AND c.term = :term "
		"WHERE o.level = 'cell' AND o.state = 'active' AND o.code IN "
		"sub "
		"ORDER BY o.code";
	struct cb_report r;
	sqlite3_stmt *s = NULL;
	long long held = 0, all = 0;
	char pct[48];
	cb_err rc;
	int step;

	if ((rc = report_init(&r, "Congresses", 4, cols)))
		goto nomem;
	if (sqlite3_prepare_v2(cb_store_db(st), sql, -1, &s, NULL)) {
		rc = fail_sql(st, eb);
		goto out;
	}
	cb_bind_text(s, sqlite3_bind_parameter_index(s, ":term"), term);
	cb_scope_bind_root(s, root);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(s, 3);

		all++;
		held += h != NULL;
		if (report_row(&r,
		               (const char *const[]){
				       (const char *)sqlite3_column_text(s, 0),
				       (const char *)sqlite3_column_text(s, 1),
				       (const char *)sqlite3_column_text(s, 2),
				       h ? h : "not held" }))
			goto nomem;
	}
	if (step != SQLITE_DONE) {
		rc = fail_sql(st, eb);
		goto out;
	}
	cb_report_percent(held, all, pct);
	json_object_set_new(r.summary, "term", json_string(term));
	json_object_set_new(r.summary, "held", json_integer(held));
	json_object_set_new(r.summary, "cells", json_integer(all));
	json_object_set_new(r.summary, "percent", json_string(pct));
	if (report_note(&r, "%lld/%lld cells held their %s congress (%s)", held,
	                all, term, pct))
		goto nomem;
	sqlite3_finalize(s);
	*out = r;
	return CB_OK;
nomem:
	rc = cb_error(eb, CB_ENOMEM, "out of memory");
out:
	sqlite3_finalize(s);
	cb_report_release(&r);
	return rc;
}

cb_err
cb_report_ratings(struct cb_store *st, const char *period,
                  struct cb_report *out, struct cb_errbuf *eb)
{
	static const char *const cols[] = { "SUBJECTS", "LEVEL", "COUNT",
		                            "SHARE" };
	static const char sql[] =
		"SELECT count(*) FROM ratings WHERE period = ?1 AND stage = "
		"'decided' AND subject_kind = ?2 AND level = ?3";
	static const char *const kinds[] = { "member", "org" };
	struct cb_report r;
	sqlite3_stmt *s = NULL;
	cb_err rc;

	if ((rc = report_init(&r, "Ratings", 4, cols)))
		goto nomem;
	if (sqlite3_prepare_v2(cb_store_db(st), sql, -1, &s, NULL)) {
		rc = fail_sql(st, eb);
		goto out;
	}
	json_object_set_new(r.summary, "period", json_string(period));
	for (size_t k = 0; k < 2; k++) {
		long long n[4] = { 0 }, total = 0, good_or_better;
		char num[32], pct[48];
		json_t *j = json_object();
		bool within;

		json_object_set_new(r.summary, kinds[k], j);
		for (size_t l = 0; l < 4; l++) {
			sqlite3_reset(s);
			cb_bind_text(s, 1, period);
			cb_bind_text(s, 2, kinds[k]);
			cb_bind_text(s, 3, cb_rating_levels[l]);
			if (sqlite3_step(s) != SQLITE_ROW) {
				rc = fail_sql(st, eb);
				goto out;
			}
			n[l] = sqlite3_column_int64(s, 0);
			total += n[l];
			json_object_set_new(j, cb_rating_levels[l],
			                    json_integer(n[l]));
		}
		for (size_t l = 0; l < 4; l++) {
			snprintf(num, sizeof(num), "%lld", n[l]);
			cb_report_percent(n[l], total, pct);
			if (report_row(&r,
			               (const char *const[]){
					       k ? "organisations" : "members",
					       cb_rating_levels[l], num, pct }))
				goto nomem;
		}
		/* outstanding ≤ 20% of those rated good or better */
		good_or_better = n[0] + n[1];
		within = n[0] * 5 <= good_or_better;
		cb_report_percent(n[0], good_or_better, pct);
		json_object_set_new(j, "outstanding_within_20_percent",
		                    json_boolean(within));
		if (report_note(
			    &r,
			    "%s: %lld outstanding of %lld rated good or better "
			    "(%s): %s the 20%% limit",
			    k ? "organisations" : "members", n[0],
			    good_or_better, pct, within ? "within" : "OVER"))
			goto nomem;
	}
	sqlite3_finalize(s);
	*out = r;
	return CB_OK;
nomem:
	rc = cb_error(eb, CB_ENOMEM, "out of memory");
out:
	sqlite3_finalize(s);
	cb_report_release(&r);
	return rc;
}

/* The longest run of 'excused' in a row for any member of the cell, over
 * the cell's meetings from..to in date order (exempt marks are skipped;
 * present and unexcused end a run). */
static cb_err
longest_excused_run(struct cb_store *st, const char *cell, const char *from,
                    const char *to, long long *out, struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT a.member, a.mark FROM attendance a JOIN meetings m ON "
		"m.id = a.meeting WHERE m.cell = ?1 AND substr(m.date, 1, 7) "
		"BETWEEN ?2 AND ?3 ORDER BY a.member, m.date, m.id";
	sqlite3_stmt *s = NULL;
	char member[CB_HASH_HEX] = "";
	long long run = 0, best = 0;
	int step;

	if (sqlite3_prepare_v2(cb_store_db(st), sql, -1, &s, NULL))
		return fail_sql(st, eb);
	cb_bind_text(s, 1, cell);
	cb_bind_text(s, 2, from);
	cb_bind_text(s, 3, to);
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(s, 0);
		const char *mark = (const char *)sqlite3_column_text(s, 1);

		if (strcmp(m, member)) {
			snprintf(member, sizeof(member), "%s", m);
			run = 0;
		}
		if (!strcmp(mark, "excused")) {
			if (++run > best)
				best = run;
		} else if (strcmp(mark, "exempt")) {
			run = 0;
		}
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE)
		return fail_sql(st, eb);
	*out = best;
	return CB_OK;
}

static int
months_between(const char *from, const char *to)
{
	int y1 = atoi(from), m1 = atoi(from + 5), y2 = atoi(to),
	    m2 = atoi(to + 5);

	return (y2 - y1) * 12 + (m2 - m1) + 1;
}

cb_err
cb_report_meetings(struct cb_store *st, const char *root, const char *from,
                   const char *to, struct cb_report *out, struct cb_errbuf *eb)
{
	static const char *const cols[] = {
		"CELL",       "NAME",      "MONTHS",
		"HELD",       "MISSING",   "THEMATIC",
		"ATTENDANCE", "UNEXCUSED", "MAX EXCUSED RUN",
		"12-HD"
	};
	static const char cells[] = CB_SQL_SUBTREE
		"SELECT code, name FROM orgs WHERE level = 'cell' AND state = "
		"'active' AND code IN sub ORDER BY code";
	static const char held[] =
		"SELECT count(DISTINCT substr(date, 1, 7)) FROM meetings WHERE "
		"cell = ?1 AND kind = 'regular' AND substr(date, 1, 7) BETWEEN "
		"?2 AND ?3";
	static const char thematic[] =
		"SELECT count(*) FROM meetings WHERE cell = ?1 AND kind = "
		"'thematic' AND substr(date, 1, 7) BETWEEN ?2 AND ?3";
	static const char marks[] =
		"SELECT sum(a.mark = 'present'), sum(a.mark IN ('present', "
		"'excused', 'unexcused')), sum(a.mark = 'unexcused') FROM "
		"attendance a JOIN meetings m ON m.id = a.meeting WHERE m.cell "
		"= "
		"?1 AND substr(m.date, 1, 7) BETWEEN ?2 AND ?3";
	struct cb_report r;
	sqlite3_stmt *c = NULL;
	int nmonths = months_between(from, to), step;
	long long meeting_ok = 0, ncells = 0;
	cb_err rc;

	if (nmonths < 1 || nmonths > 240)
		return cb_error(eb, CB_EINVAL,
		                "months %s to %s: give from ≤ to, at most 20 "
		                "years",
		                from, to);
	if ((rc = report_init(&r, "Cell meetings", 10, cols)))
		goto nomem;
	if (sqlite3_prepare_v2(cb_store_db(st), cells, -1, &c, NULL)) {
		rc = fail_sql(st, eb);
		goto out;
	}
	cb_scope_bind_root(c, root);
	while ((step = sqlite3_step(c)) == SQLITE_ROW) {
		const char *code = (const char *)sqlite3_column_text(c, 0);
		long long h = 0, t = 0, present = 0, counted = 0, unexcused = 0,
			  run = 0;
		char months[24], sh[24], smiss[24], st_[24], pct[48], sun[24],
			srun[24];
		bool ok;

		ncells++;
		long long sums[3] = { 0 };

		if ((rc = ints_of(st, held, code, from, to, &h, 1, eb)) ||
		    (rc = ints_of(st, thematic, code, from, to, &t, 1, eb)) ||
		    (rc = ints_of(st, marks, code, from, to, sums, 3, eb)))
			goto out;
		present = sums[0];
		counted = sums[1];
		unexcused = sums[2];
		if ((rc = longest_excused_run(st, code, from, to, &run, eb)))
			goto out;
		/* attendance over 85%: present * 100 > 85 * counted */
		ok = counted > 0 && present * 100 > 85 * counted &&
		     unexcused == 0 && run <= 3;
		meeting_ok += ok;
		snprintf(months, sizeof(months), "%d", nmonths);
		snprintf(sh, sizeof(sh), "%lld", h);
		snprintf(smiss, sizeof(smiss), "%lld", nmonths - h);
		snprintf(st_, sizeof(st_), "%lld", t);
		cb_report_percent(present, counted, pct);
		snprintf(sun, sizeof(sun), "%lld", unexcused);
		snprintf(srun, sizeof(srun), "%lld", run);
		if (report_row(&r,
		               (const char *const[]){
				       code,
				       (const char *)sqlite3_column_text(c, 1),
				       months, sh, smiss, st_, pct, sun, srun,
				       ok ? "met" : "not met" }))
			goto nomem;
	}
	if (step != SQLITE_DONE) {
		rc = fail_sql(st, eb);
		goto out;
	}
	json_object_set_new(r.summary, "from", json_string(from));
	json_object_set_new(r.summary, "to", json_string(to));
	json_object_set_new(r.summary, "cells", json_integer(ncells));
	json_object_set_new(r.summary, "meeting_12hd_criteria",
	                    json_integer(meeting_ok));
	if (report_note(&r,
	                "%lld/%lld cells met the 12-HD/BTCTW criteria "
	                "from %s to %s",
	                meeting_ok, ncells, from, to))
		goto nomem;
	sqlite3_finalize(c);
	*out = r;
	return CB_OK;
nomem:
	rc = cb_error(eb, CB_ENOMEM, "out of memory");
out:
	sqlite3_finalize(c);
	cb_report_release(&r);
	return rc;
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

/* SPDX-License-Identifier: MIT */
/* test_report.c — every report computed from a fixed scenario and compared
 * with figures worked out by hand (in the comments beside them), a CSV
 * round trip through the CSV reader, and table columns aligned by display
 * width with Vietnamese names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "csv.h"
#include "ledger.h"
#include "report.h"
#include "text.h"

static char dir[64];
static struct cb_ledger *lg;

static void
op(const char *name, const char *json)
{
	struct cb_errbuf eb;
	json_t *in = json_loads(json, 0, NULL);

	if (!in)
		fail_msg("bad test JSON: %s", json);
	if (cb_ledger_append(lg, name, in, NULL, &eb))
		fail_msg("%s refused: %s", name, eb.msg);
	json_decref(in);
}

static void
member(const char *card, const char *name, const char *born,
       const char *admitted, const char *official, const char *work,
       const char *cell)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
	         "{\"full_name\": \"%s\", \"birth_date\": \"%s\", \"sex\": "
	         "\"male\", \"card_no\": \"%s\", \"admitted_on\": \"%s\", "
	         "%s%s%s %s%s%s \"cell\": \"%s\"}",
	         name, born, card, admitted,
	         official ? "\"official_on\": \"" : "",
	         official ? official : "", official ? "\"," : "",
	         work ? "\"work_category\": \"" : "", work ? work : "",
	         work ? "\"," : "", cell);
	op("member.add", buf);
}

static void
meeting(const char *cell, const char *date, const char *kind, const char *att)
{
	char buf[512];

	snprintf(buf, sizeof(buf),
	         "{\"cell\": \"%s\", \"date\": \"%s\", \"kind\": \"%s\", "
	         "\"duration_min\": 90, \"attendance\": {%s}}",
	         cell, date, kind, att);
	op("meeting.record", buf);
}

static void
rating(const char *kind, const char *subject, const char *level, int score,
       const char *stage)
{
	char buf[512];

	char score_field[32] = "";

	if (score)
		snprintf(score_field, sizeof(score_field), "\"score\": %d, ",
		         score);
	snprintf(buf, sizeof(buf),
	         "{\"subject_kind\": \"%s\", \"subject\": \"%s\", \"period\": "
	         "\"2025\", \"level\": \"%s\", %s\"stage\": \"%s\"}",
	         kind, subject, level, score_field, stage);
	op("rating.record", buf);
}

static int
setup(void **state)
{
	struct cb_errbuf eb;
	json_t *init;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/chibo-report-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	strcat(dir, "/r");
	init = json_pack("{s:s, s:s, s:s}", "code", "26734", "name",
	                 "Đảng bộ xã Quế Nham", "kind", "party-committee");
	if (cb_ledger_create(dir, init, &lg, &eb))
		return -1;
	json_decref(init);
	op("cell.create", "{\"code\": \"01\", \"name\": \"Chi bộ thôn Đông\", "
	                  "\"kind\": \"residential\"}");
	op("cell.create", "{\"code\": \"02\", \"name\": \"Chi bộ thôn Tây\", "
	                  "\"kind\": \"residential\"}");
	op("cell.create", "{\"code\": \"03\", \"name\": \"Chi bộ thôn Bắc\", "
	                  "\"kind\": \"residential\"}");
	op("cell.create", "{\"code\": \"04\", \"name\": \"Chi bộ cơ quan xã\", "
	                  "\"kind\": \"commune-agency\"}");
	member("A", "Nguyễn Văn An", "1980-03-02", "2005-05-19", "2006-05-19",
	       "commune-cadre", "04");
	member("B", "Trần Thị Bình", "1990-08-15", "2020-01-10", NULL,
	       "commune-civil-servant", "04");
	member("C", "Lê Văn Cường", "1960-01-01", "1985-01-01", "1986-01-01",
	       "retired", "01");
	member("D", "Phạm Văn Dũng", "1996-12-01", "2016-01-01", "2017-01-01",
	       NULL, "02");
	member("E", "Hoàng Văn Em", "1970-05-05", "1995-01-01", "1996-01-01",
	       NULL, "03");
	op("member.status",
	   "{\"member\": \"card:E\", \"status\": \"deceased\", "
	   "\"on\": \"2024-01-01\"}");
	for (const char *c = "01\0"
	                     "02\0"
	                     "04\0";
	     *c; c += 3) {
		char buf[128];

		snprintf(buf, sizeof(buf),
		         "{\"org\": \"%s\", \"term\": \"2020-2025\", "
		         "\"held_on\": \"2020-06-01\"}",
		         c);
		op("org.congress", buf);
	}
	rating("member", "card:A", "good", 85, "self");
	rating("member", "card:A", "outstanding", 92, "decided");
	rating("member", "card:B", "good", 80, "decided");
	rating("member", "card:C", "good", 75, "decided");
	rating("member", "card:D", "good", 71, "decided");
	rating("org", "01", "good", 0, "decided");
	rating("org", "02", "good", 0, "decided");
	rating("org", "03", "good", 0, "decided");
	rating("org", "04", "good", 0, "decided");
	rating("org", "26734", "outstanding", 0, "decided");
	meeting("04", "2026-08-05", "regular",
	        "\"card:A\": \"present\", \"card:B\": \"present\"");
	meeting("04", "2026-09-05", "regular",
	        "\"card:A\": \"present\", \"card:B\": \"excused\"");
	meeting("04", "2026-09-20", "thematic",
	        "\"card:A\": \"present\", \"card:B\": \"excused\"");
	meeting("04", "2026-10-05", "regular",
	        "\"card:A\": \"present\", \"card:B\": \"excused\"");
	meeting("01", "2026-08-10", "regular", "\"card:C\": \"present\"");
	meeting("01", "2026-10-10", "regular", "\"card:C\": \"present\"");
	meeting("02", "2026-09-10", "regular", "\"card:D\": \"unexcused\"");
	/* outside the reported months: must not count */
	meeting("02", "2026-07-10", "regular", "\"card:D\": \"present\"");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	cb_ledger_free(&lg);
	dir[strlen(dir) - 2] = 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static long long
summary_int(const struct cb_report *r, const char *a, const char *b)
{
	json_t *v = json_object_get(r->summary, a);

	if (b)
		v = json_object_get(v, b);
	if (!json_is_integer(v))
		fail_msg("summary %s.%s is not a number", a, b ? b : "");
	return json_integer_value(v);
}

static const char *
cell_of(const struct cb_report *r, const char *key, size_t col)
{
	for (size_t k = 0; k < r->nrows; k++)
		if (!strcmp(r->cells[k * r->ncols], key))
			return r->cells[k * r->ncols + col];
	fail_msg("no row '%s'", key);
	return NULL;
}

static void
test_percent(void **state)
{
	char p[48];

	(void)state;
	cb_report_percent(4000, 4175, p); /* seed 001: 95.808… */
	assert_string_equal(p, "95.8%");
	cb_report_percent(7047, 7057, p); /* seed 000: 99.858… */
	assert_string_equal(p, "99.9%");
	cb_report_percent(321, 322, p); /* seed 000: 99.689… */
	assert_string_equal(p, "99.7%");
	cb_report_percent(2, 3, p);
	assert_string_equal(p, "66.7%");
	cb_report_percent(1, 8, p); /* 12.5 rounds half up */
	assert_string_equal(p, "12.5%");
	cb_report_percent(0, 0, p);
	assert_string_equal(p, "-");
}

static void
test_membership(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;

	(void)state;
	if (cb_report_membership(lg->st, "2026-11-21", &r, &eb))
		fail_msg("%s", eb.msg);
	/* A, C, D official; B probationary; E deceased */
	assert_int_equal(summary_int(&r, "by_status", "official"), 3);
	assert_int_equal(summary_int(&r, "by_status", "probationary"), 1);
	assert_int_equal(summary_int(&r, "by_status", "deceased"), 1);
	assert_int_equal(summary_int(&r, "live", NULL), 4);
	/* live: C (01) and D (02) residential, A and B commune-agency */
	assert_int_equal(summary_int(&r, "by_cell_kind", "residential"), 2);
	assert_int_equal(summary_int(&r, "by_cell_kind", "commune-agency"), 2);
	assert_int_equal(summary_int(&r, "by_work_category", "retired"), 1);
	assert_int_equal(summary_int(&r, "by_work_category", "unspecified"), 1);
	/* on 2026-11-21: D 29 (birthday 1 Dec not yet), B 36, A 46, C 66 */
	assert_int_equal(summary_int(&r, "by_age", "under 30"), 1);
	assert_int_equal(summary_int(&r, "by_age", "30-39"), 1);
	assert_int_equal(summary_int(&r, "by_age", "40-49"), 1);
	assert_int_equal(summary_int(&r, "by_age", "50-59"), 0);
	assert_int_equal(summary_int(&r, "by_age", "60 and over"), 1);
	cb_report_release(&r);
	/* a day later D turns 30 */
	if (cb_report_membership(lg->st, "2026-12-01", &r, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(summary_int(&r, "by_age", "under 30"), 0);
	assert_int_equal(summary_int(&r, "by_age", "30-39"), 2);
	cb_report_release(&r);
}

static void
test_congresses(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;

	(void)state;
	if (cb_report_congresses(lg->st, lg->org, "2020-2025", &r, &eb))
		fail_msg("%s", eb.msg);
	/* 01, 02, 04 held; 03 did not: 3/4 */
	assert_int_equal(summary_int(&r, "held", NULL), 3);
	assert_int_equal(summary_int(&r, "cells", NULL), 4);
	assert_string_equal(
		json_string_value(json_object_get(r.summary, "percent")),
		"75.0%");
	assert_string_equal(cell_of(&r, "26734.03", 3), "not held");
	assert_string_equal(cell_of(&r, "26734.01", 3), "2020-06-01");
	assert_string_equal(r.notes[0],
	                    "3/4 cells held their 2020-2025 congress (75.0%)");
	cb_report_release(&r);
}

static void
test_ratings(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;

	(void)state;
	if (cb_report_ratings(lg->st, "2025", &r, &eb))
		fail_msg("%s", eb.msg);
	/* decided only: A outstanding; B, C, D good (A's self-rating is not
	 * counted). 1 of 4 good-or-better = 25% > 20%. */
	assert_int_equal(summary_int(&r, "member", "outstanding"), 1);
	assert_int_equal(summary_int(&r, "member", "good"), 3);
	assert_false(json_is_true(
		json_object_get(json_object_get(r.summary, "member"),
	                        "outstanding_within_20_percent")));
	/* orgs: 26734 outstanding; 01-04 good: 1 of 5 = 20%, within */
	assert_int_equal(summary_int(&r, "org", "outstanding"), 1);
	assert_int_equal(summary_int(&r, "org", "good"), 4);
	assert_true(
		json_is_true(json_object_get(json_object_get(r.summary, "org"),
	                                     "outstanding_within_20_percent")));
	assert_string_equal(r.notes[0],
	                    "members: 1 outstanding of 4 rated good "
	                    "or better (25.0%): OVER the 20% limit");
	cb_report_release(&r);
}

static void
test_meetings(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;

	(void)state;
	if (cb_report_meetings(lg->st, lg->org, "2026-08", "2026-10", &r, &eb))
		fail_msg("%s", eb.msg);
	/* columns: CELL NAME MONTHS HELD MISSING THEMATIC ATTENDANCE
	 * UNEXCUSED RUN 12-HD */
	/* 04: regular in 08, 09, 10; one thematic; present A×4 + B×1 of 8
	 * = 62.5%; B excused 3 in a row; attendance fails */
	assert_string_equal(cell_of(&r, "26734.04", 3), "3");
	assert_string_equal(cell_of(&r, "26734.04", 4), "0");
	assert_string_equal(cell_of(&r, "26734.04", 5), "1");
	assert_string_equal(cell_of(&r, "26734.04", 6), "62.5%");
	assert_string_equal(cell_of(&r, "26734.04", 8), "3");
	assert_string_equal(cell_of(&r, "26734.04", 9), "not met");
	/* 01: 08 and 10, all present: 100%, met (a missing month is shown,
	 * not a 12-HD criterion) */
	assert_string_equal(cell_of(&r, "26734.01", 3), "2");
	assert_string_equal(cell_of(&r, "26734.01", 4), "1");
	assert_string_equal(cell_of(&r, "26734.01", 6), "100.0%");
	assert_string_equal(cell_of(&r, "26734.01", 9), "met");
	/* 02: September, unexcused; July is outside the months */
	assert_string_equal(cell_of(&r, "26734.02", 3), "1");
	assert_string_equal(cell_of(&r, "26734.02", 6), "0.0%");
	assert_string_equal(cell_of(&r, "26734.02", 7), "1");
	assert_string_equal(cell_of(&r, "26734.02", 9), "not met");
	/* 03: nobody left, no meetings */
	assert_string_equal(cell_of(&r, "26734.03", 4), "3");
	assert_string_equal(cell_of(&r, "26734.03", 6), "-");
	assert_int_equal(summary_int(&r, "meeting_12hd_criteria", NULL), 1);
	cb_report_release(&r);
	assert_int_equal(cb_report_meetings(lg->st, lg->org, "2026-10",
	                                    "2026-08", &r, &eb),
	                 CB_EINVAL);
}

static void
test_csv_round_trip_and_widths(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;
	struct cb_csv csv;
	struct cb_csv_row row = { 0 };
	char *text = NULL, *line, *save = NULL;
	size_t len = 0, k = 0, col = (size_t)-1;
	FILE *fp;

	(void)state;
	if (cb_report_congresses(lg->st, lg->org, "2020-2025", &r, &eb))
		fail_msg("%s", eb.msg);
	fp = tmpfile();
	assert_int_equal(cb_report_write(&r, CB_REPORT_CSV, true, fp), 0);
	rewind(fp);
	cb_csv_init(&csv, fp);
	assert_int_equal(cb_csv_next(&csv, &row, &eb), 0); /* BOM skipped */
	assert_string_equal(row.fields[0], "CELL");
	while (cb_csv_next(&csv, &row, &eb) == CB_OK) {
		assert_int_equal(row.nfields, r.ncols);
		for (size_t i = 0; i < r.ncols; i++)
			assert_string_equal(row.fields[i],
			                    r.cells[k * r.ncols + i]);
		k++;
	}
	assert_int_equal(k, r.nrows);
	cb_csv_row_release(&row);
	cb_csv_release(&csv);
	fclose(fp);
	/* table: the KIND column starts at one display column on every line,
	 * whatever the bytes of the Vietnamese names before it */
	fp = open_memstream(&text, &len);
	assert_int_equal(cb_report_write(&r, CB_REPORT_TABLE, false, fp), 0);
	fclose(fp);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *at = strstr(line, "residential");

		if (!at)
			at = strstr(line, "commune-agency");
		if (!at)
			at = strstr(line, "KIND");
		if (!at || strstr(line, "cells held"))
			continue;
		*at = 0;
		if (col == (size_t)-1)
			col = cb_text_width(line);
		assert_int_equal(cb_text_width(line), col);
	}
	assert_true(col != (size_t)-1);
	free(text);
	cb_report_release(&r);
}

/* Last: it adds a cell. A name that a spreadsheet would run as a formula
 * is neutralised in CSV, and only there. */
static void
test_csv_formula_injection(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;
	char *text = NULL;
	size_t len = 0;
	FILE *fp;

	(void)state;
	op("cell.create", "{\"code\": \"05\", \"name\": "
	                  "\"=HYPERLINK(\\\"http://x\\\",\\\"y\\\")\", "
	                  "\"kind\": \"other\"}");
	if (cb_report_congresses(lg->st, lg->org, "2020-2025", &r, &eb))
		fail_msg("%s", eb.msg);
	fp = open_memstream(&text, &len);
	assert_int_equal(cb_report_write(&r, CB_REPORT_CSV, false, fp), 0);
	fclose(fp);
	assert_non_null(
		strstr(text, "26734.05,\"'=HYPERLINK(\"\"http://x\"\","));
	assert_null(strstr(text, ",=HYPERLINK"));
	free(text);
	/* the name itself is untouched */
	assert_string_equal(cell_of(&r, "26734.05", 1),
	                    "=HYPERLINK(\"http://x\",\"y\")");
	cb_report_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percent),
		cmocka_unit_test(test_membership),
		cmocka_unit_test(test_congresses),
		cmocka_unit_test(test_ratings),
		cmocka_unit_test(test_meetings),
		cmocka_unit_test(test_csv_round_trip_and_widths),
		cmocka_unit_test(test_csv_formula_injection),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

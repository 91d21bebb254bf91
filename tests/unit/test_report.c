/* SPDX-License-Identifier: MIT */
/* test_report.c — every report computed from a fixed scenario and compared
 * with figures worked out by hand (in the comments beside them), a CSV
 * round trip through the CSV reader, and table columns aligned by display
 * width with Vietnamese names. Two scenarios: one commune's replica, and a
 * district — a hub, its committee's office and communes that sync with it
 * through push and pull — for the campaign of dissolving commune-agency
 * cells, transfers (overdue across weekends and public holidays) and the
 * hub's sync health. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "accept.h"
#include "buf.h"
#include "store_sqlite.h"
#include "calendar.h"
#include "csv.h"
#include "ingest.h"
#include "ledger.h"
#include "report.h"
#include "report_int.h"
#include "scope.h"
#include "text.h"
#include "xorshift.h"

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

/* A meeting recorded first on was_date as the other kind, with every
 * member of was_att excused, and then corrected to date, kind and att
 * (supersedes). */
static void
meeting_corrected(const char *cell, const char *date, const char *kind,
                  const char *att, const char *was_date, const char *was_att)
{
	char buf[768], id[CB_HASH_HEX];
	struct cb_errbuf eb;
	struct cb_entry e;
	json_t *in;

	snprintf(buf, sizeof(buf),
	         "{\"cell\": \"%s\", \"date\": \"%s\", \"kind\": \"%s\", "
	         "\"duration_min\": 90, \"attendance\": {%s}}",
	         cell, was_date,
	         strcmp(kind, "regular") ? "regular" : "thematic", was_att);
	if (!(in = json_loads(buf, 0, NULL)))
		fail_msg("bad test JSON: %s", buf);
	cb_entry_init(&e);
	if (cb_ledger_append(lg, "meeting.record", in, &e, &eb))
		fail_msg("meeting.record refused: %s", eb.msg);
	json_decref(in);
	cb_hex_encode(e.id, sizeof(e.id), id);
	cb_entry_release(&e);
	snprintf(buf, sizeof(buf),
	         "{\"cell\": \"%s\", \"date\": \"%s\", \"kind\": \"%s\", "
	         "\"duration_min\": 90, \"attendance\": {%s}, "
	         "\"supersedes\": \"%s\"}",
	         cell, date, kind, att, id);
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

/* r as CSV (',', no byte order mark) into fp. */
static void
write_csv(const struct cb_report *r, FILE *fp)
{
	static const struct cb_output csv = { CB_OUTPUT_CSV, ',', false, NULL };
	struct cb_errbuf eb;

	assert_int_equal(cb_report_write(r, &csv, fp, &eb), 0);
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
	if (cb_report_membership(lg->st, lg->org, "2026-11-21", &r, &eb))
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
	if (cb_report_membership(lg->st, lg->org, "2026-12-01", &r, &eb))
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
	if (cb_report_ratings(lg->st, lg->org, "2025", &r, &eb))
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

/* A tally whose excused members were edited outside chibo (schema 036:
 * 64 hex digits each, as many as it counts) is refused with a line, not
 * read as other runs; a rebuild makes it again. */
static void
test_meetings_forged_tally(void **state)
{
	static const char *const forged[] = {
		/* an id cut short */
		"UPDATE meeting_marks SET excused_by = substr(excused_by, 2) "
		"WHERE excused > 0",
		/* fewer ids than the tally counts */
		"UPDATE meeting_marks SET excused_by = '' WHERE excused > 0",
		/* more */
		"UPDATE meeting_marks SET excused_by = excused_by || "
		"excused_by WHERE excused > 0",
	};
	uint64_t applied = 0, rejected = 0;
	struct cb_report r;
	struct cb_errbuf eb;

	(void)state;
	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		assert_int_equal(sqlite3_exec(cb_store_db(lg->st), forged[i],
		                              NULL, NULL, NULL),
		                 SQLITE_OK);
		assert_int_equal(cb_report_meetings(lg->st, lg->org, "2026-08",
		                                    "2026-10", &r, &eb),
		                 CB_EIO);
		assert_non_null(strstr(eb.msg, "cannot be read"));
		if (cb_ledger_rebuild(lg, &applied, &rejected, &eb))
			fail_msg("%s", eb.msg);
	}
	if (cb_report_meetings(lg->st, lg->org, "2026-08", "2026-10", &r, &eb))
		fail_msg("%s", eb.msg);
	assert_string_equal(cell_of(&r, "26734.04", 8), "3");
	cb_report_release(&r);
}

/* The longest run of excused absences, as the report reads it from the
 * excused members each tally keeps and the marks between two of a
 * member's (schemas 035, 036), against the plain reading: each member's
 * marks in date order, exempt ones skipped, present and unexcused ending
 * a run, a meeting without a mark of theirs passed over. 100 cells (the
 * report finding runs 32 cells at a time, cb_meetings_run_chunk, to
 * cross a chunk's end) of 5 members, 14 meetings each over 2025 (a day
 * apart in months with two) with random marks, excused the likeliest,
 * and some members left unmarked; the months reported, 2025-03 to
 * 2025-10, cut runs at both ends; a meeting of every third cell first
 * recorded in December, its members all excused, and then corrected. A
 * ledger of its own. */
#define RUN_CELLS 100
#define RUN_MEMBERS 5
#define RUN_MEETINGS 14

static void
test_excused_runs(void **state)
{
	static const char *const marks[] = { "excused",   "excused", "present",
		                             "unexcused", "exempt",  NULL };
	struct cb_ledger *home = lg;
	char rdir[64], cmd[96];
	struct cb_report r;
	struct cb_errbuf eb;
	long long want[RUN_CELLS];
	json_t *init;

	(void)state;
	rng = 0x9e3779b97f4a7c15ULL;
	snprintf(rdir, sizeof(rdir), "/tmp/chibo-runs-XXXXXX");
	assert_non_null(mkdtemp(rdir));
	strcat(rdir, "/r");
	init = json_pack("{s:s, s:s, s:s}", "code", "26734", "name",
	                 "Đảng bộ xã Quế Nham", "kind", "party-committee");
	if (cb_ledger_create(rdir, init, &lg, &eb))
		fail_msg("%s", eb.msg);
	json_decref(init);
	for (int c = 0; c < RUN_CELLS; c++) {
		char code[8], buf[160], card[16];
		/* marks[k] of member m at meeting j, or -1: no mark */
		int mark[RUN_MEETINGS][RUN_MEMBERS];

		snprintf(code, sizeof(code), "%02d", 10 + c);
		snprintf(buf, sizeof(buf),
		         "{\"code\": \"%s\", \"name\": \"Chi bộ %s\", "
		         "\"kind\": \"residential\"}",
		         code, code);
		op("cell.create", buf);
		for (int m = 0; m < RUN_MEMBERS; m++) {
			snprintf(card, sizeof(card), "R%s%d", code, m);
			member(card, "Đỗ Văn Khang", "1970-01-01", "2000-01-01",
			       "2001-01-01", NULL, code);
		}
		for (int j = 0; j < RUN_MEETINGS; j++) {
			char att[400] = "", date[16];
			size_t n = 0;

			for (int m = 0; m < RUN_MEMBERS; m++) {
				mark[j][m] = rnd(7) < 6 ? (int)rnd(5) : -1;
				if (mark[j][m] < 0)
					continue;
				n += (size_t)snprintf(
					att + n, sizeof(att) - n,
					"%s\"card:R%s%d\": \"%s\"",
					n ? ", " : "", code, m,
					marks[mark[j][m]]);
			}
			/* months 1..12, and again on the next day in 5, 9 */
			snprintf(date, sizeof(date), "2025-%02d-%02d",
			         j < 5    ? j + 1
			         : j < 10 ? j
			                  : j - 1,
			         j == 5 || j == 10 ? 11 : 10);
			/* every third cell's sixth meeting first recorded
			 * in December, its members excused, then corrected */
			if (j == 6 && c % 3 == 0) {
				char was[400] = "";

				for (int m = 0, w = 0; m < RUN_MEMBERS; m++)
					w += snprintf(was + w, sizeof(was) - w,
					              "%s\"card:R%s%d\": "
					              "\"excused\"",
					              m ? ", " : "", code, m);
				meeting_corrected(code, date, "regular", att,
				                  "2025-12-28", was);
			} else
				meeting(code, date,
				        j == 5 || j == 10 ? "thematic"
				                          : "regular",
				        att);
		}
		/* the plain reading over 2025-03..2025-10: meetings 2..11 */
		want[c] = 0;
		for (int m = 0; m < RUN_MEMBERS; m++) {
			long long run = 0;

			for (int j = 2; j <= 11; j++) {
				int k = mark[j][m];

				if (k < 0 || k == 4)
					continue;
				run = k <= 1 ? run + 1 : 0;
				if (run > want[c])
					want[c] = run;
			}
		}
	}
	cb_meetings_run_chunk = 32;
	if (cb_report_meetings(lg->st, lg->org, "2025-03", "2025-10", &r, &eb))
		fail_msg("%s", eb.msg);
	cb_meetings_run_chunk = 2048;
	for (int c = 0; c < RUN_CELLS; c++) {
		char key[16], n[24];

		snprintf(key, sizeof(key), "26734.%02d", 10 + c);
		snprintf(n, sizeof(n), "%lld", want[c]);
		assert_string_equal(cell_of(&r, key, 8), n);
	}
	cb_report_release(&r);
	/* the tallies (their cell's order, dates, excused members) are
	 * the projection's: replayed, the tables are the same */
	{
		struct cb_verify_report vr;

		if (cb_ledger_verify(lg, &vr, NULL, NULL, &eb))
			fail_msg("%s", eb.msg);
	}
	cb_ledger_free(&lg);
	lg = home;
	rdir[strlen(rdir) - 2] = 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", rdir);
	assert_int_equal(system(cmd), 0);
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
	assert_int_equal(cb_report_write(&r,
	                                 &(struct cb_output){ CB_OUTPUT_CSV,
	                                                      ',', true, NULL },
	                                 fp, NULL),
	                 0);
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
	assert_int_equal(cb_report_write(&r, &(struct cb_output)CB_OUTPUT_INIT,
	                                 fp, NULL),
	                 0);
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
	write_csv(&r, fp);
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

/* --- a district through its hub -------------------------------------- */

/* The district of Lạng Giang: its hub, the office of its committee, and
 * four communes that sync with it (E, a commune of elsewhere, never does).
 * Every entry goes through the real ledger, push and pull; dates are in
 * the past, and every report is asked as of a given day. */
static char droot[64];
static struct cb_ledger *hub, *qa, *qb, *qc, *qd, *qe, *office;
static int64_t cursor[6];
static char t1[65], t2[65], t3[65], t4[65], te[65];

static struct cb_ledger *
district_replica(const struct cb_ledger_kind *kind, const char *name,
                 json_t *init)
{
	struct cb_ledger *r = NULL;
	struct cb_errbuf eb;
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", droot, name);
	if (cb_ledger_create_kind(path, kind, init, &r, &eb))
		fail_msg("%s: %s", name, eb.msg);
	json_decref(init);
	return r;
}

static json_t *
commune_init(const char *code, const char *name)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "code", code, "name", name,
	                 "kind", "party-committee", "parent", "BG.LG");
}

/* Append op to r; the new entry's id into id (64 hex) if not NULL. */
static void
rop(struct cb_ledger *r, const char *name, json_t *in, char *id)
{
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;

	if (!in)
		fail_msg("%s: bad test JSON", name);
	if (cb_ledger_append(r, name, in, &e, &eb))
		fail_msg("%s refused: %s", name, eb.msg);
	if (id)
		cb_hash_hex(e.id, id);
	cb_entry_release(&e);
	json_decref(in);
}

static void
rmember(struct cb_ledger *r, const char *card, const char *name,
        const char *cell)
{
	rop(r, "member.add",
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "full_name", name,
	              "birth_date", "1975-05-05", "sex", "male", "card_no",
	              card, "admitted_on", "2000-01-01", "official_on",
	              "2001-01-01", "cell", cell),
	    NULL);
}

static void
rmove(struct cb_ledger *r, const char *card, const char *cell, const char *on)
{
	rop(r, "member.move",
	    json_pack("{s:s, s:s, s:s}", "member", card, "cell", cell, "on",
	              on),
	    NULL);
}

static void
rrelease(struct cb_ledger *r, const char *card, const char *to,
         const char *letter, const char *on, char *id)
{
	rop(r, "member.release",
	    json_pack("{s:s, s:s, s:s, s:s, s:s}", "member", card, "to_org", to,
	              "letter_no", letter, "letter_date", on, "on", on),
	    id);
}

/* The entries of r's own chain as one entry stream. */
static void
own_chain(struct cb_ledger *r, struct cb_buf *out)
{
	sqlite3_stmt *s;

	cb_buf_init(out);
	sqlite3_prepare_v2(cb_store_db(r->st),
	                   "SELECT bytes FROM entries WHERE author = ? ORDER "
	                   "BY seq",
	                   -1, &s, NULL);
	sqlite3_bind_blob(s, 1, r->key.pk, 32, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		uint32_t n = (uint32_t)sqlite3_column_bytes(s, 0);

		if (cb_buf_add_be32(out, n) ||
		    cb_buf_add(out, sqlite3_column_blob(s, 0), n))
			fail_msg("out of memory");
	}
	sqlite3_finalize(s);
}

/* What 'chibo-agent sync' does, without HTTP: push the whole chain (what
 * the hub holds counts as duplicates), then pull the scope after the
 * cursor. */
static void
dsync(struct cb_ledger *r, int64_t *cur)
{
	struct cb_push_result pr;
	struct cb_accept_result ar;
	struct cb_scope_page pg;
	struct cb_scope sc;
	struct cb_errbuf eb;
	struct cb_buf b;

	own_chain(r, &b);
	if (cb_ingest_push(hub->st, r->key.pk, b.data, b.len, &pr, &eb))
		fail_msg("push: %s", eb.msg);
	assert_int_equal(pr.status, 200);
	cb_buf_release(&b);
	if (cb_scope_of(hub->st, r->key.pk, &sc, &eb))
		fail_msg("scope: %s", eb.msg);
	do {
		cb_buf_init(&b);
		if (cb_scope_read(hub->st, &sc, *cur, 100000, 64u << 20, &b,
		                  &pg, &eb) ||
		    cb_store_begin(r->st, &eb) ||
		    cb_accept_pulled(r->st, r->key.pk, b.data, b.len, &ar,
		                     &eb) ||
		    cb_store_commit(r->st, &eb))
			fail_msg("pull: %s", eb.msg);
		cb_buf_release(&b);
		*cur = pg.next;
	} while (pg.more);
}

#define SYNC_A dsync(qa, &cursor[0])
#define SYNC_B dsync(qb, &cursor[1])
#define SYNC_C dsync(qc, &cursor[2])
#define SYNC_D dsync(qd, &cursor[3])
#define SYNC_OFFICE dsync(office, &cursor[4])

static void
enroll(struct cb_ledger *r, const char *org, const char *role, const char *name)
{
	char key[65];

	cb_hex_encode(r->key.pk, 32, key);
	/* 'chibo-agent hub --key': the replica trusts the hub's enrolments */
	{
		char hk[65];
		struct cb_errbuf eb;

		cb_hex_encode(hub->key.pk, 32, hk);
		if (cb_store_meta_set(r->st, "authority", hk, &eb))
			fail_msg("%s", eb.msg);
	}
	rop(hub, "key.enroll",
	    json_pack("{s:s, s:s, s:s, s:s}", "key", key, "org", org, "role",
	              role, "name", name),
	    NULL);
}

static int
district_setup(void **state)
{
	char plan[65];

	(void)state;
	snprintf(droot, sizeof(droot), "/tmp/chibo-district-XXXXXX");
	if (!mkdtemp(droot))
		return -1;
	hub = district_replica(&cb_ledger_hub, "hub",
	                       json_pack("{s:s, s:s, s:s}", "code", "BG.LG",
	                                 "name", "Huyện ủy Lạng Giang", "level",
	                                 "district"));
	qa = district_replica(&cb_ledger_agent, "a",
	                      commune_init("07297", "Đảng bộ xã Quế Nham"));
	qb = district_replica(&cb_ledger_agent, "b",
	                      commune_init("07298", "Đảng bộ xã Tân Hưng"));
	qc = district_replica(&cb_ledger_agent, "c",
	                      commune_init("07299", "Đảng bộ xã Ngọc Thiện"));
	qd = district_replica(&cb_ledger_agent, "d",
	                      commune_init("07300", "Đảng bộ xã Cao Thượng"));
	qe = district_replica(&cb_ledger_agent, "e",
	                      commune_init("07301", "Đảng bộ xã Phúc Hòa"));
	office = district_replica(&cb_ledger_office, "office",
	                          json_pack("{s:s, s:s}", "code", "BG.LG",
	                                    "name",
	                                    "Văn phòng Huyện ủy Lạng Giang"));
	enroll(qa, "07297", "commune", "Văn phòng Đảng ủy xã Quế Nham");
	enroll(qb, "07298", "commune", "Văn phòng Đảng ủy xã Tân Hưng");
	enroll(qc, "07299", "commune", "Văn phòng Đảng ủy xã Ngọc Thiện");
	enroll(qd, "07300", "commune", "Văn phòng Đảng ủy xã Cao Thượng");
	/* enrolled, but it never syncs */
	enroll(qe, "07301", "commune", "Văn phòng Đảng ủy xã Phúc Hòa");
	enroll(office, "BG.LG", "district", "Văn phòng Huyện ủy");

	/* Quế Nham: an agency cell of three, a village cell's member a4 */
	rop(qa, "cell.create",
	    json_pack("{s:s, s:s, s:s}", "code", "CA", "name",
	              "Chi bộ cơ quan xã", "kind", "commune-agency"),
	    NULL);
	rop(qa, "cell.create",
	    json_pack("{s:s, s:s, s:s}", "code", "01", "name",
	              "Chi bộ thôn Ngọc Trì", "kind", "residential"),
	    NULL);
	rop(qa, "cell.create",
	    json_pack("{s:s, s:s, s:s}", "code", "02", "name",
	              "Chi bộ thôn Đại Giáp", "kind", "residential"),
	    NULL);
	rmember(qa, "QN-01", "Nguyễn Văn Hợp", "CA");
	rmember(qa, "QN-02", "Dương Đăng Quyền", "CA");
	rmember(qa, "QN-03", "Nguyễn Hữu Văn", "CA");
	rmember(qa, "QN-04", "Trần Văn Tư", "01");
	/* T2: Friday 17 July; never answered */
	rrelease(qa, "card:QN-04", "07299", "07-GGT/ĐU", "2026-07-17", t2);
	/* Tân Hưng: an agency cell of three, a village cell's member b3 */
	rop(qb, "cell.create",
	    json_pack("{s:s, s:s, s:s}", "code", "CA", "name",
	              "Chi bộ cơ quan xã", "kind", "commune-agency"),
	    NULL);
	rop(qb, "cell.create",
	    json_pack("{s:s, s:s, s:s}", "code", "01", "name",
	              "Chi bộ thôn Tân Lập", "kind", "residential"),
	    NULL);
	rmember(qb, "TH-01", "Lê Thị Hoa", "CA");
	rmember(qb, "TH-02", "Phạm Văn Bình", "CA");
	rmember(qb, "TH-04", "Hoàng Văn Bốn", "CA");
	rmember(qb, "TH-03", "Vũ Thị Ba", "01");
	/* Ngọc Thiện: c2 left the agency cell in March, long before a plan */
	rop(qc, "cell.create",
	    json_pack("{s:s, s:s, s:s}", "code", "CA", "name",
	              "Chi bộ cơ quan xã", "kind", "commune-agency"),
	    NULL);
	rop(qc, "cell.create",
	    json_pack("{s:s, s:s, s:s}", "code", "01", "name",
	              "Chi bộ thôn Đông", "kind", "residential"),
	    NULL);
	rmember(qc, "NT-01", "Đỗ Văn Một", "CA");
	rmember(qc, "NT-02", "Ngô Thị Hai", "CA");
	rmember(qc, "NT-03", "Bùi Văn Ba", "01");
	rmove(qc, "card:NT-02", "07299.01", "2026-03-01");
	/* Cao Thượng: no agency cell */
	rop(qd, "cell.create",
	    json_pack("{s:s, s:s, s:s}", "code", "01", "name",
	              "Chi bộ thôn Cao Thượng", "kind", "residential"),
	    NULL);
	rmember(qd, "CT-01", "Lý Văn Sáu", "01");
	SYNC_A;
	SYNC_B;
	SYNC_C;
	SYNC_D;
	SYNC_OFFICE;

	/* Quế Nham dissolves its agency cell in September */
	rop(qa, "cell.dissolve_plan",
	    json_pack("{s:s, s:s}", "cell", "CA", "on", "2026-09-01"), plan);
	SYNC_A;
	SYNC_OFFICE;
	rop(office, "cell.dissolve_approve",
	    json_pack("{s:s, s:s, s:s}", "plan", plan, "decision_no",
	              "412-QĐ/HU", "on", "2026-09-05"),
	    NULL);
	SYNC_OFFICE;
	SYNC_A;
	rmove(qa, "card:QN-01", "01", "2026-09-10");
	rmove(qa, "card:QN-02", "01", "2026-09-10");
	/* T1: a3 to Tân Hưng, accepted five days later */
	rrelease(qa, "card:QN-03", "07298", "12-GGT/ĐU", "2026-09-10", t1);
	SYNC_A;
	SYNC_B;
	rop(qb, "member.accept",
	    json_pack("{s:s, s:s, s:s}", "release", t1, "cell", "01",
	              "reported_on", "2026-09-15"),
	    NULL);
	SYNC_B;
	SYNC_A;
	rop(qa, "cell.dissolve",
	    json_pack("{s:s, s:s}", "plan", plan, "on", "2026-09-20"), NULL);
	SYNC_A;

	/* Tân Hưng in October; b4 dies after the plan */
	rop(qb, "cell.dissolve_plan",
	    json_pack("{s:s, s:s}", "cell", "CA", "on", "2026-10-01"), plan);
	SYNC_B;
	SYNC_OFFICE;
	rop(office, "cell.dissolve_approve",
	    json_pack("{s:s, s:s, s:s}", "plan", plan, "decision_no",
	              "415-QĐ/HU", "on", "2026-10-02"),
	    NULL);
	SYNC_OFFICE;
	SYNC_B;
	rop(qb, "member.status",
	    json_pack("{s:s, s:s, s:s}", "member", "card:TH-04", "status",
	              "deceased", "on", "2026-10-03"),
	    NULL);
	rmove(qb, "card:TH-01", "01", "2026-10-05");
	rmove(qb, "card:TH-02", "01", "2026-10-05");
	rop(qb, "cell.dissolve",
	    json_pack("{s:s, s:s}", "plan", plan, "on", "2026-10-10"), NULL);
	/* T3: b3 to Quế Nham, declined */
	rrelease(qb, "card:TH-03", "07297", "31-GGT/ĐU", "2026-10-20", t3);
	SYNC_B;
	SYNC_A;
	rop(qa, "member.decline",
	    json_pack("{s:s, s:s}", "release", t3, "on", "2026-10-22"), NULL);
	SYNC_A;
	SYNC_B;

	/* Ngọc Thiện plans, no more; T4: c3 to Quế Nham, in transit */
	rop(qc, "cell.dissolve_plan",
	    json_pack("{s:s, s:s}", "cell", "CA", "on", "2026-10-15"), NULL);
	rrelease(qc, "card:NT-03", "07297", "45-GGT/ĐU", "2026-11-02", t4);
	SYNC_C;
	SYNC_A;

	/* Cao Thượng: a member whose card number Quế Nham's a4 holds (both
	 * kept, the clash reported), and the acceptance of a release from
	 * Phúc Hòa, which reached it on a file and not the hub (the hub
	 * holds it waiting) */
	rop(qe, "cell.create",
	    json_pack("{s:s, s:s, s:s}", "code", "01", "name",
	              "Chi bộ thôn Phúc Hòa", "kind", "residential"),
	    NULL);
	rmember(qe, "PH-01", "Tạ Văn Bảy", "01");
	rrelease(qe, "card:PH-01", "07300", "5-GGT/ĐU", "2026-11-10", te);
	{
		struct cb_accept_result ar;
		struct cb_errbuf eb;
		struct cb_buf b;

		own_chain(qe, &b);
		if (cb_store_begin(qd->st, &eb) ||
		    cb_accept_pulled(qd->st, qd->key.pk, b.data, b.len, &ar,
		                     &eb) ||
		    cb_store_commit(qd->st, &eb))
			fail_msg("bundle: %s", eb.msg);
		cb_buf_release(&b);
	}
	rmember(qd, "QN-04", "Lý Văn Tám", "01");
	rop(qd, "member.accept",
	    json_pack("{s:s, s:s, s:s}", "release", te, "cell", "01",
	              "reported_on", "2026-11-12"),
	    NULL);
	SYNC_D;
	SYNC_A;
	SYNC_B;
	SYNC_C;
	SYNC_OFFICE;
	/* the hub took every entry but Cao Thượng's acceptance */
	{
		sqlite3_stmt *s;

		sqlite3_prepare_v2(
			cb_store_db(hub->st),
			"SELECT sum(state = 'rejected'), sum(state = "
			"'pending') FROM entries",
			-1, &s, NULL);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), 0);
		assert_int_equal(sqlite3_column_int(s, 1), 1);
		sqlite3_finalize(s);
	}
	/* two keys have reached the hub over HTTPS (hub/contact.c) */
	{
		char sql[512], ka[65], kb[65];

		cb_hex_encode(qa->key.pk, 32, ka);
		cb_hex_encode(qb->key.pk, 32, kb);
		snprintf(
			sql, sizeof(sql),
			"INSERT INTO contacts (key, last_ms, last_kind) VALUES "
			"('%s', 1795138200000, "
			"'push'), ('%s', 1795010707000, 'pull')",
			ka, kb);
		assert_int_equal(sqlite3_exec(cb_store_db(hub->st), sql, NULL,
		                              NULL, NULL),
		                 SQLITE_OK);
	}
	return 0;
}

static int
district_teardown(void **state)
{
	char cmd[128];

	(void)state;
	cb_ledger_free(&hub);
	cb_ledger_free(&qa);
	cb_ledger_free(&qb);
	cb_ledger_free(&qc);
	cb_ledger_free(&qd);
	cb_ledger_free(&qe);
	cb_ledger_free(&office);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", droot);
	return system(cmd) == 0 ? 0 : -1;
}

/* The row whose column col holds key. */
static size_t
row_of(const struct cb_report *r, size_t col, const char *key)
{
	for (size_t k = 0; k < r->nrows; k++)
		if (!strcmp(r->cells[k * r->ncols + col], key))
			return k;
	fail_msg("no row with '%s'", key);
	return 0;
}

/* Row `key` (column 0), columns from..from+n-1, joined by spaces. */
static void
assert_row(const struct cb_report *r, const char *key, size_t from,
           const char *want)
{
	size_t k = row_of(r, 0, key);
	char got[256] = "";

	for (size_t i = from; i < r->ncols; i++) {
		if (i > from)
			strcat(got, " ");
		strcat(got, r->cells[k * r->ncols + i]);
	}
	if (strcmp(got, want))
		fail_msg("row %s: expected '%s', got '%s'", key, want, got);
}

static void
test_campaign(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;

	(void)state;
	if (cb_report_campaign(hub->st, "BG.LG", NULL, NULL, &r, &eb))
		fail_msg("%s", eb.msg);
	/* columns from DISTRICT: DISTRICT ORGS FINISHED EXEMPT AGENCY-CELLS
	 * DISSOLVED MEMBERS MOVED EXEMPT-BECAUSE.
	 * Quế Nham: plan 1 Sep; a1, a2 to village cell 01, a3 accepted by
	 * Tân Hưng: 3 of 3 moved, its cell dissolved. */
	assert_row(&r, "07297", 2, "BG.LG 1 1 0 1 1 3 3 ");
	assert_string_equal(r.cells[row_of(&r, 0, "07297") * r.ncols + 1],
	                    "Đảng bộ xã Quế Nham");
	/* Tân Hưng: b1, b2 moved; b4 died (not counted); dissolved */
	assert_row(&r, "07298", 2, "BG.LG 1 1 0 1 1 2 2 ");
	/* Ngọc Thiện: planned only; c1 still in the cell; c2 left in March,
	 * before the plan (not counted) */
	assert_row(&r, "07299", 2, "BG.LG 1 0 0 1 0 1 0 ");
	/* Cao Thượng has no agency cell: not in the campaign */
	for (size_t k = 0; k < r.nrows; k++)
		assert_string_not_equal(r.cells[k * r.ncols], "07300");
	/* the district: 2 of 3 organisations, 5 of 6 members */
	assert_row(&r, "BG.LG", 1, "Huyện ủy Lạng Giang BG.LG 3 2 0 3 2 6 5 ");
	assert_row(&r, "total", 3, "3 2 0 3 2 6 5 ");
	assert_int_equal(r.nrows, 5);
	assert_int_equal(summary_int(&r, "districts", "finished"), 0);
	assert_int_equal(summary_int(&r, "districts", "total"), 1);
	assert_int_equal(summary_int(&r, "organisations", "finished"), 2);
	assert_int_equal(summary_int(&r, "organisations", "total"), 3);
	assert_int_equal(summary_int(&r, "members", "moved"), 5);
	assert_int_equal(summary_int(&r, "members", "total"), 6);
	assert_string_equal(r.notes[0], "0/1 districts; 2/3 communes; "
	                                "5/6 members moved");
	cb_report_release(&r);

	/* as of 30 September: Tân Hưng's plan (1 October) is later, so its
	 * members are those in the cell on the 30th — b1, b2 and b4, alive
	 * then — none moved yet; Ngọc Thiện's likewise: c1 */
	if (cb_report_campaign(hub->st, "BG.LG", NULL, "2026-09-30", &r, &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "07297", 3, "1 1 0 1 1 3 3 ");
	assert_row(&r, "07298", 3, "1 0 0 1 0 3 0 ");
	assert_row(&r, "07299", 3, "1 0 0 1 0 1 0 ");
	assert_row(&r, "total", 3, "3 1 0 3 1 7 3 ");
	assert_string_equal(r.notes[0], "0/1 districts; 1/3 communes; "
	                                "3/7 members moved");
	cb_report_release(&r);

	/* from 25 September: Quế Nham's cell, dissolved on the 20th, belongs
	 * to an earlier round */
	if (cb_report_campaign(hub->st, "BG.LG", "2026-09-25", NULL, &r, &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "total", 3, "2 1 0 2 1 3 2 ");
	for (size_t k = 0; k < r.nrows; k++)
		assert_string_not_equal(r.cells[k * r.ncols], "07297");
	cb_report_release(&r);

	/* one commune's subtree: its district finished with it */
	if (cb_report_campaign(hub->st, "07298", NULL, NULL, &r, &eb))
		fail_msg("%s", eb.msg);
	assert_string_equal(r.notes[0], "1/1 districts; 1/1 communes; "
	                                "2/2 members moved");
	cb_report_release(&r);

	/* Quế Nham's own replica gives its own figures: it holds Tân Hưng's
	 * acceptance of a3, so a3 is moved there too */
	if (cb_report_campaign(qa->st, qa->org, NULL, NULL, &r, &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "07297", 2, "BG.LG 1 1 0 1 1 3 3 ");
	assert_row(&r, "BG.LG", 1, "Huyện ủy Lạng Giang BG.LG 1 1 0 1 1 3 3 ");
	assert_string_equal(r.notes[0], "1/1 districts; 1/1 communes; "
	                                "3/3 members moved");
	cb_report_release(&r);
}

static void
test_transfers(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;

	(void)state;
	/* as of Friday 20 November. Columns from INTERNAL MOVES: internal,
	 * released, accepted, declined, in transit, overdue, over 3 months.
	 * Quế Nham: moves of a1, a2; T1 accepted; T2 (letter 17 July, due
	 * 28 August) in transit, overdue, and over 3 months since 17
	 * October */
	if (cb_report_transfers(hub->st, "BG.LG", NULL, NULL, "2026-11-20", &r,
	                        &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "07297", 2, "2 2 1 0 1 1 1 0 0");
	/* Tân Hưng: moves of b1, b2; T3 declined on 22 October */
	assert_row(&r, "07298", 2, "2 1 0 1 0 0 0 0 0");
	/* Ngọc Thiện: the move of c2 in March; T4 (2 November, due 14
	 * December) in transit, not overdue */
	assert_row(&r, "07299", 2, "1 1 0 0 1 0 0 0 0");
	/* Cao Thượng: its acceptance waits at the hub; nothing applied */
	assert_row(&r, "07300", 2, "0 0 0 0 0 0 0 0 0");
	assert_row(&r, "outside", 2, " 0 0 0 0 0 0 0 ");
	assert_row(&r, "total", 2, "5 4 1 1 2 1 1 0 0");
	assert_int_equal(summary_int(&r, "released", NULL), 4);
	assert_int_equal(summary_int(&r, "overdue", NULL), 1);
	assert_int_equal(summary_int(&r, "internal_moves", NULL), 5);
	assert_string_equal(r.notes[0],
	                    "4 official transfers released: 1 accepted, 1 "
	                    "declined, 2 in transit (1 overdue, 1 over 3 "
	                    "months), 0 struck off; 5 internal moves; 0 "
	                    "temporary transfers");
	cb_report_release(&r);

	/* released in September and October: T1 and T3; the moves of a1,
	 * a2, b1, b2 (c2's was in March) */
	if (cb_report_transfers(hub->st, "BG.LG", "2026-09-01", "2026-10-31",
	                        "2026-11-20", &r, &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "total", 2, "4 2 1 1 0 0 0 0 0");
	cb_report_release(&r);

	/* as of 3 September only T2 had been released; c2's move */
	if (cb_report_transfers(hub->st, "BG.LG", NULL, NULL, "2026-09-03", &r,
	                        &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "07297", 2, "0 1 0 0 1 1 0 0 0");
	assert_row(&r, "total", 2, "1 1 0 0 1 1 0 0 0");
	cb_report_release(&r);

	/* as of 14 September T1 was in transit; accepted on the 15th */
	if (cb_report_transfers(hub->st, "07297", NULL, NULL, "2026-09-14", &r,
	                        &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "07297", 2, "2 2 0 0 2 1 0 0 0");
	cb_report_release(&r);

	/* Quế Nham's replica: its own, and those released to it from
	 * elsewhere — T3 (declined) and T4 (in transit) */
	if (cb_report_transfers(qa->st, qa->org, NULL, NULL, "2026-11-20", &r,
	                        &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "07297", 2, "2 2 1 0 1 1 1 0 0");
	assert_row(&r, "outside", 2, " 2 0 1 1 0 0 0 ");
	assert_row(&r, "total", 2, "2 4 1 1 2 1 1 0 0");
	cb_report_release(&r);
}

static void
test_overdue(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;

	(void)state;
	/* T2: letter Friday 17 July; 30 working days (six plain weeks from
	 * Monday 20 July) end on Friday 28 August. On Thursday 3 September:
	 * Saturday 29 and Sunday 30 are off, Monday 31 August works, 1 and 2
	 * September are the National Day holidays, Thursday 3 works: 2
	 * working days late. */
	if (cb_report_overdue(hub->st, "BG.LG", NULL, NULL, "2026-09-03", &r,
	                      &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(r.nrows, 1);
	assert_row(&r, "07-GGT/ĐU", 1,
	           "2026-07-17 Trần Văn Tư QN-04 07297 07299 2026-07-17 "
	           "2026-08-28 2 no");
	assert_string_equal(r.notes[0],
	                    "1 overdue transfer on 2026-09-03 (not answered "
	                    "30 working days after the letter), 0 of them "
	                    "over 3 months");
	cb_report_release(&r);
	/* on the due day itself: not overdue */
	if (cb_report_overdue(hub->st, "BG.LG", NULL, NULL, "2026-08-28", &r,
	                      &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(r.nrows, 0);
	cb_report_release(&r);
	/* the Saturday after: overdue, 0 working days late */
	if (cb_report_overdue(hub->st, "BG.LG", NULL, NULL, "2026-08-29", &r,
	                      &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "07-GGT/ĐU", 8, "0 no");
	cb_report_release(&r);
	/* on 20 November: Monday 31 August, 3-4 September, then eleven
	 * weeks of five (7 September - 20 November): 1 + 2 + 55 = 58; over
	 * 3 months since 17 October. T4's letter of 2 November is due on 14
	 * December: not listed. */
	if (cb_report_overdue(hub->st, "BG.LG", NULL, NULL, "2026-11-20", &r,
	                      &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(r.nrows, 1);
	assert_row(&r, "07-GGT/ĐU", 8, "58 yes");
	cb_report_release(&r);
	/* the receiving side lists it too; another commune's subtree not */
	if (cb_report_overdue(hub->st, "07299", NULL, NULL, "2026-11-20", &r,
	                      &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(r.nrows, 1);
	cb_report_release(&r);
	if (cb_report_overdue(hub->st, "07298", NULL, NULL, "2026-11-20", &r,
	                      &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(r.nrows, 0);
	cb_report_release(&r);
}

static void
test_working_days(void **state)
{
	struct cb_store *db = hub->st;
	struct cb_errbuf eb;
	int n = -1;

	(void)state;
	/* Tết 2026: Monday 16 - Friday 20 February off; from Friday 13 to
	 * Monday 23: only the 23rd */
	assert_int_equal(cb_calendar_working_days(db, "2026-02-13",
	                                          "2026-02-23", &n, &eb),
	                 CB_OK);
	assert_int_equal(n, 1);
	/* 30 April and 1 May 2026 (Thursday, Friday): the week of 27 April
	 * has three working days */
	assert_int_equal(cb_calendar_working_days(db, "2026-04-26",
	                                          "2026-05-03", &n, &eb),
	                 CB_OK);
	assert_int_equal(n, 3);
	assert_int_equal(cb_calendar_working_days(db, "2026-05-03",
	                                          "2026-04-26", &n, &eb),
	                 CB_OK);
	assert_int_equal(n, 0);
	assert_int_not_equal(cb_calendar_working_days(db, "2026-02-30",
	                                              "2026-03-01", &n, &eb),
	                     CB_OK);
}

static void
test_sync(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;
	size_t k;

	(void)state;
	if (cb_report_sync(hub->st, NULL, &r, &eb))
		fail_msg("%s", eb.msg);
	/* six keys, by organisation; the office's BG.LG sorts last.
	 * Columns: KEY ORG ROLE NAME CONTACT VIA LAST-ENTRY SEQ WAITING
	 * REJECTED FORKS STATE */
	assert_int_equal(r.nrows, 6);
	k = row_of(&r, 1, "07297");
	/* 1 795 138 200 000 ms = 20 November 2026, 01:30 UTC */
	assert_string_equal(r.cells[k * r.ncols + 4],
	                    "2026-11-20T08:30:00+07:00");
	assert_string_equal(r.cells[k * r.ncols + 5], "push");
	/* Quế Nham wrote 15 entries: org.init, 3 cells, 4 members, T2, the
	 * plan, 2 moves, T1, the decision, the decline */
	assert_string_equal(r.cells[k * r.ncols + 7], "15");
	assert_string_equal(r.cells[k * r.ncols + 8], "0");
	assert_string_equal(r.cells[k * r.ncols + 11], "active");
	k = row_of(&r, 1, "07298");
	assert_string_equal(r.cells[k * r.ncols + 4],
	                    "2026-11-18T21:05:07+07:00");
	assert_string_equal(r.cells[k * r.ncols + 5], "pull");
	assert_string_equal(r.cells[k * r.ncols + 7], "14");
	k = row_of(&r, 1, "07299");
	assert_string_equal(r.cells[k * r.ncols + 4], "never");
	assert_string_equal(r.cells[k * r.ncols + 7], "9");
	/* Cao Thượng: 5 entries; the member with a taken card number
	 * kept, the acceptance of a release the hub lacks waiting */
	k = row_of(&r, 1, "07300");
	assert_string_equal(r.cells[k * r.ncols + 7], "5");
	assert_string_equal(r.cells[k * r.ncols + 8], "1");
	assert_string_equal(r.cells[k * r.ncols + 9], "0");
	assert_string_equal(r.cells[k * r.ncols + 10], "0");
	/* Phúc Hòa: enrolled, never synced */
	k = row_of(&r, 1, "07301");
	assert_string_equal(r.cells[k * r.ncols + 4], "never");
	assert_string_equal(r.cells[k * r.ncols + 7], "0");
	k = row_of(&r, 1, "BG.LG");
	assert_int_equal(k, 5);
	assert_string_equal(r.cells[k * r.ncols + 2], "district");
	assert_string_equal(r.cells[k * r.ncols + 3], "Văn phòng Huyện ủy");
	assert_string_equal(r.cells[k * r.ncols + 7], "3");
	assert_int_equal(summary_int(&r, "keys", NULL), 6);
	assert_int_equal(summary_int(&r, "never_contacted", NULL), 4);
	assert_int_equal(summary_int(&r, "waiting", NULL), 1);
	assert_int_equal(summary_int(&r, "rejected", NULL), 0);
	assert_string_equal(r.notes[0], "6 keys, 4 never in contact; 1 "
	                                "entry waiting, 0 rejected; 0 keys "
	                                "with a fork");
	cb_report_release(&r);
	/* a subtree: Tân Hưng's key only */
	if (cb_report_sync(hub->st, "07298", &r, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(r.nrows, 1);
	assert_string_equal(r.cells[1], "07298");
	cb_report_release(&r);
}

static void
test_queries(void **state)
{
	struct cb_report_query q = { .kind = "campaign", .root = "BG.LG" };
	struct cb_report r;
	struct cb_errbuf eb;

	(void)state;
	/* the command line's way in gives what the functions give */
	if (cb_report_run(hub->st, &q, &r, &eb))
		fail_msg("%s", eb.msg);
	assert_string_equal(r.notes[0], "0/1 districts; 2/3 communes; "
	                                "5/6 members moved");
	cb_report_release(&r);
	q.kind = "transfers";
	q.on = "2026-09-03";
	q.overdue = true;
	if (cb_report_run(hub->st, &q, &r, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(r.nrows, 1);
	cb_report_release(&r);
	/* meetings take months, or days of them */
	q = (struct cb_report_query){ .kind = "meetings",
		                      .root = "BG.LG",
		                      .from = "15/08/2026",
		                      .to = "10/2026" };
	if (cb_report_run(hub->st, &q, &r, &eb))
		fail_msg("%s", eb.msg);
	assert_string_equal(
		json_string_value(json_object_get(r.summary, "from")),
		"2026-08");
	cb_report_release(&r);
	/* usage errors, one line each */
	q = (struct cb_report_query){ .kind = "sync", .from = "2026-01-01" };
	assert_int_equal(cb_report_check(&q, &eb), CB_EINVAL);
	assert_string_equal(eb.msg, "sync takes no --from or --to");
	q = (struct cb_report_query){ .kind = "campaign",
		                      .root = "x",
		                      .from = "2026-10-01",
		                      .to = "2026-09-01" };
	assert_int_equal(cb_report_check(&q, &eb), CB_EINVAL);
	assert_string_equal(eb.msg, "campaign: --from 2026-10-01 is after "
	                            "--to 2026-09-01");
	q.from = "2026-02-30";
	assert_int_equal(cb_report_check(&q, &eb), CB_EINVAL);
	assert_non_null(strstr(eb.msg, "--from"));
	/* days typed the Vietnamese way, compared as days */
	q.from = "2/9/2026";
	q.to = "10/09/2026";
	assert_int_equal(cb_report_check(&q, &eb), CB_OK);
	q.from = "11/09/2026";
	assert_int_equal(cb_report_check(&q, &eb), CB_EINVAL);
	assert_string_equal(eb.msg, "campaign: --from 2026-09-11 is after "
	                            "--to 2026-09-10");
	q.from = "garbage";
	assert_int_equal(cb_report_check(&q, &eb), CB_EINVAL);
	assert_string_equal(eb.msg, "--from: date 'garbage' is not "
	                            "YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or "
	                            "DD-MM-YYYY");
	q.from = "2026-09"; /* a month where a day is meant */
	assert_int_equal(cb_report_check(&q, &eb), CB_EINVAL);
	q = (struct cb_report_query){ .kind = "meetings",
		                      .root = "x",
		                      .from = "10/2026",
		                      .to = "01/09/2026" };
	assert_int_equal(cb_report_check(&q, &eb), CB_EINVAL);
	assert_string_equal(eb.msg, "meetings: --from 2026-10 is after --to "
	                            "2026-09");
	q = (struct cb_report_query){ .kind = "congresses", .root = "x" };
	assert_int_equal(cb_report_check(&q, &eb), CB_EINVAL);
	assert_string_equal(eb.msg, "congresses needs --term YYYY-YYYY");
	q = (struct cb_report_query){ .kind = "campaign",
		                      .root = "x",
		                      .overdue = true };
	assert_int_equal(cb_report_check(&q, &eb), CB_EINVAL);
	assert_string_equal(eb.msg, "campaign takes no --overdue");
	q = (struct cb_report_query){ .kind = "campaigns", .root = "x" };
	assert_int_equal(cb_report_check(&q, &eb), CB_EINVAL);
	assert_string_equal(eb.msg, "unknown report 'campaigns'");
}

/* Vietnamese names through CSV and back, and a table aligned by display
 * width: the campaign report's NAME column holds them. */
static void
test_campaign_csv_and_table(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;
	struct cb_csv csv;
	struct cb_csv_row row = { 0 };
	char *text = NULL, *line, *save = NULL;
	size_t len = 0, k = 0, col = (size_t)-1, lines = 0;
	FILE *fp;

	(void)state;
	if (cb_report_campaign(hub->st, "BG.LG", NULL, NULL, &r, &eb))
		fail_msg("%s", eb.msg);
	fp = tmpfile();
	write_csv(&r, fp);
	rewind(fp);
	cb_csv_init(&csv, fp);
	assert_int_equal(cb_csv_next(&csv, &row, &eb), 0);
	assert_string_equal(row.fields[0], "ORGANISATION");
	while (cb_csv_next(&csv, &row, &eb) == CB_OK) {
		for (size_t i = 0; i < r.ncols; i++)
			assert_string_equal(row.fields[i],
			                    r.cells[k * r.ncols + i]);
		k++;
	}
	assert_int_equal(k, r.nrows);
	cb_csv_row_release(&row);
	cb_csv_release(&csv);
	fclose(fp);
	fp = open_memstream(&text, &len);
	assert_int_equal(cb_report_write(&r, &(struct cb_output)CB_OUTPUT_INIT,
	                                 fp, NULL),
	                 0);
	fclose(fp);
	/* the DISTRICT column starts at one display column on each row */
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		bool header = !strncmp(line, "ORGANISATION", 12);
		char *at;

		if (!header && strncmp(line, "07", 2))
			continue;
		at = header ? strstr(line, "DISTRICT")
		            : strstr(line, " BG.LG ");
		assert_non_null(at);
		at += !header;
		*at = 0;
		if (col == (size_t)-1)
			col = cb_text_width(line);
		assert_int_equal(cb_text_width(line), col);
		lines++;
	}
	assert_int_equal(lines, 4);
	free(text);
	cb_report_release(&r);
}

/* r refuses op with a message holding want. */
static void
refused(struct cb_ledger *r, const char *name, json_t *in, const char *want)
{
	struct cb_errbuf eb;

	if (!cb_ledger_append(r, name, in, NULL, &eb))
		fail_msg("%s was not refused", name);
	if (!strstr(eb.msg, want))
		fail_msg("%s: expected '%s' in '%s'", name, want, eb.msg);
	json_decref(in);
}

static long long
scalar(struct cb_ledger *r, const char *sql)
{
	sqlite3_stmt *s;
	long long n;

	sqlite3_prepare_v2(cb_store_db(r->st), sql, -1, &s, NULL);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* The hub's view of a subtree equals the subtree's own replica. */
static void
same_scope(struct cb_ledger *r, const char *root)
{
	unsigned char h[32], g[32];
	struct cb_errbuf eb;

	assert_int_equal(cb_store_begin(hub->st, &eb), CB_OK);
	assert_int_equal(cb_scope_digest(hub->st, root, h, &eb), CB_OK);
	cb_store_rollback(hub->st);
	assert_int_equal(cb_store_begin(r->st, &eb), CB_OK);
	assert_int_equal(cb_scope_digest(r->st, root, g, &eb), CB_OK);
	cb_store_rollback(r->st);
	if (memcmp(h, g, 32))
		fail_msg("%s: the hub's scope digest differs", root);
}

static void
rmeeting(struct cb_ledger *r, const char *cell, const char *date,
         const char *who, const char *want)
{
	json_t *in = json_pack("{s:s, s:s, s:s, s:i, s:{s:s}}", "cell", cell,
	                       "date", date, "kind", "regular", "duration_min",
	                       90, "attendance", who, "present");

	if (want)
		refused(r, "meeting.record", in, want);
	else
		rop(r, "meeting.record", in, NULL);
}

/* T2 went unanswered: the district office strikes Trần Văn Tư off; the
 * mark reaches both sides, and a late acceptance still moves him. Then
 * Tân Hưng sends Vũ Thị Ba to Quế Nham for work: Quế Nham lists her in a
 * village cell, as temporary, until it ends her stay. Last in the group:
 * it changes the figures the tests above worked out. */
static void
test_strike_off_and_temporary(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;
	char tmp[65];

	(void)state;
	refused(qa, "member.strike_off",
	        json_pack("{s:s, s:s, s:s}", "release", t2, "decision_no",
	                  "52-QĐ/HU", "on", "2026-10-19"),
	        "only the office of a committee above '07297'");
	/* letter 17 July: three months end on 17 October */
	refused(office, "member.strike_off",
	        json_pack("{s:s, s:s, s:s}", "release", t2, "decision_no",
	                  "52-QĐ/HU", "on", "2026-10-17"),
	        "not over three months old until after 2026-10-17");
	rop(office, "member.strike_off",
	    json_pack("{s:s, s:s, s:s}", "release", t2, "decision_no",
	              "52-QĐ/HU", "on", "2026-10-19"),
	    NULL);
	SYNC_OFFICE;
	SYNC_A;
	SYNC_B;
	SYNC_C;
	/* columns from INTERNAL MOVES to STRUCK OFF */
	if (cb_report_transfers(hub->st, "07297", NULL, NULL, "2026-10-18", &r,
	                        &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "07297", 2, "2 2 1 0 1 1 1 0 0");
	cb_report_release(&r);
	if (cb_report_transfers(qa->st, "07297", NULL, NULL, "2026-11-20", &r,
	                        &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "07297", 2, "2 2 1 0 0 0 0 1 0");
	assert_int_equal(summary_int(&r, "struck_off", NULL), 1);
	cb_report_release(&r);
	/* both sides hold the mark; Tân Hưng does not */
	assert_int_equal(scalar(qc, "SELECT count(*) FROM transfers WHERE "
	                            "struck_no = '52-QĐ/HU'"),
	                 1);
	assert_int_equal(scalar(qb, "SELECT count(*) FROM entries WHERE op = "
	                            "'member.strike_off'"),
	                 0);
	/* no longer overdue: struck off */
	if (cb_report_overdue(hub->st, "BG.LG", NULL, NULL, "2026-11-20", &r,
	                      &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(r.nrows, 0);
	cb_report_release(&r);
	/* he reports to Ngọc Thiện after all */
	rop(qc, "member.accept",
	    json_pack("{s:s, s:s, s:s}", "release", t2, "cell", "01",
	              "reported_on", "2026-11-16"),
	    NULL);
	SYNC_C;
	SYNC_A;
	if (cb_report_transfers(hub->st, "07297", NULL, NULL, "2026-11-20", &r,
	                        &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "07297", 2, "2 2 2 0 0 0 0 0 0");
	cb_report_release(&r);
	assert_int_equal(scalar(hub, "SELECT count(*) FROM members WHERE "
	                             "card_no = 'QN-04' AND org = '07299'"),
	                 1);
	assert_int_equal(scalar(qa, "SELECT count(*) FROM entries WHERE state "
	                            "<> 'applied'"),
	                 0);

	/* Temporary: three months or more, under a year for work */
	refused(qb, "member.temporary",
	        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "member",
	                  "card:TH-03", "to_org", "07297", "letter_no",
	                  "40-GGT/ĐU", "letter_date", "2026-10-25", "since",
	                  "2026-11-01", "until", "2027-01-15", "purpose",
	                  "work"),
	        "lasts three months or more");
	refused(qb, "member.temporary",
	        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "member",
	                  "card:TH-03", "to_org", "07297", "letter_no",
	                  "40-GGT/ĐU", "letter_date", "2026-10-25", "since",
	                  "2026-11-01", "until", "2027-11-01", "purpose",
	                  "work"),
	        "lasts under a year");
	rop(qb, "member.temporary",
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "member",
	              "card:TH-03", "to_org", "07297", "letter_no", "40-GGT/ĐU",
	              "letter_date", "2026-10-25", "since", "2026-11-01",
	              "until", "2027-05-01", "purpose", "work"),
	    tmp);
	/* the sender may not list her in a cell of its own */
	refused(qb, "member.temporary_accept",
	        json_pack("{s:s, s:s, s:s}", "temporary", tmp, "cell",
	                  "07298.01", "reported_on", "2026-11-03"),
	        "addressed to '07297'");
	SYNC_B;
	SYNC_A;
	/* her record came with the letter */
	assert_int_equal(scalar(qa, "SELECT count(*) FROM members WHERE "
	                            "card_no = 'TH-03' AND org = '07298'"),
	                 1);
	rop(qa, "member.temporary_accept",
	    json_pack("{s:s, s:s, s:s}", "temporary", tmp, "cell", "01",
	              "reported_on", "2026-11-03"),
	    NULL);
	rmeeting(qa, "07297.01", "2026-11-02", "card:TH-03", "was not");
	rmeeting(qa, "07297.01", "2026-11-10", "card:TH-03", NULL);
	/* her own cell's meetings still count her */
	rmeeting(qb, "07298.01", "2026-11-11", "card:TH-03", NULL);
	rop(qa, "member.temporary_end",
	    json_pack("{s:s, s:s}", "temporary", tmp, "on", "2026-11-15"),
	    NULL);
	rmeeting(qa, "07297.01", "2026-11-16", "card:TH-03", "was not");
	SYNC_A;
	SYNC_B;
	assert_int_equal(scalar(qb, "SELECT count(*) FROM memberships WHERE "
	                            "kind = 'temporary' AND since = "
	                            "'2026-11-03' AND until = '2026-11-15'"),
	                 1);
	assert_int_equal(scalar(hub, "SELECT count(*) FROM entries WHERE "
	                             "state = 'rejected'"),
	                 0);
	/* a temporary transfer is counted by kind, by its sender */
	if (cb_report_transfers(hub->st, "BG.LG", NULL, NULL, "2026-11-20", &r,
	                        &eb))
		fail_msg("%s", eb.msg);
	assert_row(&r, "07298", 2, "2 1 0 1 0 0 0 0 1");
	assert_row(&r, "07297", 2, "2 2 2 0 0 0 0 0 0");
	cb_report_release(&r);
	same_scope(qa, "07297");
	same_scope(qb, "07298");
	same_scope(qc, "07299");
}

/* Cao Thượng recorded a member with Quế Nham's card number QN-04 (that
 * member is on its way to Ngọc Thiện): both kept, and the clash shown to each
 * organisation that holds one of them and to the district, not to
 * others. */
static void
test_clashes(void **state)
{
	struct cb_report_query q = { .kind = "clashes", .root = "BG.LG" };
	struct cb_report r;
	struct cb_errbuf eb;

	(void)state;
	if (cb_report_run(hub->st, &q, &r, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(r.nrows, 2);
	assert_string_equal(r.cells[0], "QN-04");
	assert_string_equal(r.cells[1], "party card");
	assert_string_equal(r.cells[4], "07297");
	assert_string_equal(r.cells[r.ncols + 4], "07300");
	assert_string_equal(r.cells[r.ncols + 3], "Lý Văn Tám");
	assert_int_equal(summary_int(&r, "numbers", NULL), 1);
	assert_int_equal(summary_int(&r, "members", NULL), 2);
	assert_non_null(strstr(r.notes[0], "1 number recorded for more than "
	                                   "one member (2 members)"));
	cb_report_release(&r);
	q.root = "07300";
	if (cb_report_run(hub->st, &q, &r, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(r.nrows, 2);
	cb_report_release(&r);
	q.root = "07298";
	if (cb_report_run(hub->st, &q, &r, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(r.nrows, 0);
	assert_int_equal(summary_int(&r, "numbers", NULL), 0);
	cb_report_release(&r);
	/* Cao Thượng's own replica holds only its own: no clash there */
	q.root = "07300";
	if (cb_report_run(qd->st, &q, &r, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(r.nrows, 0);
	cb_report_release(&r);
	/* and both members are applied everywhere they are held */
	assert_int_equal(scalar(hub, "SELECT count(*) FROM members WHERE "
	                             "card_no = 'QN-04'"),
	                 2);
	assert_int_equal(scalar(qd, "SELECT count(*) FROM members WHERE "
	                            "card_no = 'QN-04'"),
	                 1);
}

/* The rows of a query over lg's store, one line each, '|' between
 * columns: for comparing two ways of counting. */
static char *
rows_of(const char *sql)
{
	sqlite3_stmt *s = NULL;
	struct cb_buf b = CB_BUF_INIT;

	if (sqlite3_prepare_v2(cb_store_db(lg->st), sql, -1, &s, NULL))
		fail_msg("%s: %s", sql, sqlite3_errmsg(cb_store_db(lg->st)));
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(s); i++) {
			const char *v = (const char *)sqlite3_column_text(s, i);

			if (cb_buf_addf(&b, "%s|", v ? v : "NULL"))
				fail_msg("out of memory");
		}
		if (cb_buf_addstr(&b, "\n"))
			fail_msg("out of memory");
	}
	sqlite3_finalize(s);
	if (cb_buf_add(&b, "", 1))
		fail_msg("out of memory");
	return (char *)b.data;
}

/* The tally of decided ratings (schema 025) is what counting them where
 * their members are now gives. */
static void
assert_tally_counts(void)
{
	char *tally = rows_of("SELECT org, period, subject_kind, level, n "
	                      "FROM rating_tally ORDER BY 1, 2, 3, 4");
	char *count = rows_of(
		"SELECT CASE r.subject_kind WHEN 'org' THEN r.subject ELSE "
		"m.org END AS o, r.period, r.subject_kind, r.level, count(*) "
		"FROM ratings r LEFT JOIN members m ON r.subject_kind = "
		"'member' AND m.id = r.subject WHERE r.stage = 'decided' "
		"GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4");

	assert_string_equal(tally, count);
	free(tally);
	free(count);
}

/* The tally follows a correction, a member that moves (as a merger moves
 * them, by SQL here) and back, and a rebuild of the projection; the
 * report reads it. Last of its group: it changes the scenario. */
static void
test_rating_tally(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;
	uint64_t applied = 0, rejected = 0;

	(void)state;
	assert_tally_counts();
	rating("member", "card:B", "outstanding", 90, "decided");
	assert_tally_counts();
	if (cb_report_ratings(lg->st, lg->org, "2025", &r, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(summary_int(&r, "member", "outstanding"), 2);
	assert_int_equal(summary_int(&r, "member", "good"), 2);
	cb_report_release(&r);
	assert_int_equal(sqlite3_exec(cb_store_db(lg->st),
	                              "UPDATE members SET org = '99999' "
	                              "WHERE card_no IN ('A', 'C')",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_tally_counts();
	if (cb_report_ratings(lg->st, lg->org, "2025", &r, &eb))
		fail_msg("%s", eb.msg);
	/* A (outstanding) and C (good) counted elsewhere now */
	assert_int_equal(summary_int(&r, "member", "outstanding"), 1);
	assert_int_equal(summary_int(&r, "member", "good"), 1);
	cb_report_release(&r);
	assert_int_equal(sqlite3_exec(cb_store_db(lg->st),
	                              "UPDATE members SET org = '26734' "
	                              "WHERE card_no IN ('A', 'C')",
	                              NULL, NULL, NULL),
	                 SQLITE_OK);
	assert_tally_counts();
	if (cb_ledger_rebuild(lg, &applied, &rejected, &eb))
		fail_msg("%s", eb.msg);
	assert_tally_counts();
	if (cb_report_ratings(lg->st, lg->org, "2025", &r, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(summary_int(&r, "member", "outstanding"), 2);
	assert_int_equal(summary_int(&r, "member", "good"), 2);
	assert_int_equal(summary_int(&r, "org", "good"), 4);
	cb_report_release(&r);
}

/* sql run in a transaction of the store's, whose commit folds the
 * member tally's deltas in (store.h). */
static void
write_sql(const char *sql)
{
	struct cb_errbuf eb;

	if (cb_store_begin(lg->st, &eb))
		fail_msg("%s", eb.msg);
	if (sqlite3_exec(cb_store_db(lg->st), sql, NULL, NULL, NULL))
		fail_msg("%s: %s", sql, sqlite3_errmsg(cb_store_db(lg->st)));
	if (cb_store_commit(lg->st, &eb))
		fail_msg("%s", eb.msg);
}

/* The member tally (schema 032) is what counting the members gives. */
static void
assert_member_tally_counts(void)
{
#define LIVE_M "status IN ('probationary', 'official', 'exempt')"
	char *tally = rows_of("SELECT org, dim, value, n FROM member_tally "
	                      "ORDER BY 1, 2, 3");
	char *count = rows_of(
		"SELECT * FROM (SELECT org, 'status', status, count(*) FROM "
		"members GROUP BY 1, 3 UNION ALL SELECT org, 'cell', cell, "
		"count(*) FROM members WHERE " LIVE_M " GROUP BY 1, 3 "
		"UNION ALL SELECT "
		"org, 'work', coalesce(work_category, 'unspecified'), "
		"count(*) FROM members WHERE " LIVE_M " GROUP BY 1, 3 UNION "
		"ALL SELECT org, 'born', substr(birth_date, 1, 4), count(*) "
		"FROM members WHERE " LIVE_M
		" GROUP BY 1, 3) ORDER BY 1, 2, 3");
#undef LIVE_M

	assert_string_equal(tally, count);
	free(tally);
	free(count);
}

/* The report's age bands on day `on`, against each live member's age
 * worked out here, one by one. */
static void
assert_ages(const char *on)
{
	static const char *const names[] = { "under 30", "30-39", "40-49",
		                             "50-59", "60 and over" };
	long long want[5] = { 0 };
	struct cb_report r;
	struct cb_errbuf eb;
	sqlite3_stmt *s;

	sqlite3_prepare_v2(cb_store_db(lg->st),
	                   "SELECT birth_date FROM members m WHERE org IN "
	                   "(SELECT code FROM orgs WHERE code = '26734' OR "
	                   "parent = '26734') AND status IN ('probationary', "
	                   "'official', 'exempt')",
	                   -1, &s, NULL);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *b = (const char *)sqlite3_column_text(s, 0);
		int age = atoi(on) - atoi(b) - (strcmp(on + 5, b + 5) < 0);

		if (age >= 0)
			want[age < 30 ? 0 : age >= 60 ? 4 : age / 10 - 2]++;
	}
	sqlite3_finalize(s);
	if (cb_report_membership(lg->st, lg->org, on, &r, &eb))
		fail_msg("%s", eb.msg);
	for (size_t i = 0; i < 5; i++)
		if (summary_int(&r, "by_age", names[i]) != want[i])
			fail_msg("on %s, %s: %lld, not %lld", on, names[i],
			         summary_int(&r, "by_age", names[i]), want[i]);
	cb_report_release(&r);
}

static void
assert_ages_around(void)
{
	/* the members' birthdays and the days either side, a band's edge
	 * in each of these years for one of them, and the day of birth
	 * itself (age 0) */
	static const char *const days[] = {
		"2026-11-30", "2026-12-01", "2026-12-02", "2010-03-01",
		"2010-03-02", "2010-03-03", "2020-08-14", "2020-08-15",
		"2030-01-01", "2020-01-01", "2019-12-31", "2026-03-01",
		"1996-12-01", "1996-11-30", "2000-02-29", "2056-12-31",
	};

	for (size_t i = 0; i < sizeof(days) / sizeof(*days); i++)
		assert_ages(days[i]);
}

/* The member tally follows members recorded, corrected, moved and
 * changing status (by SQL here, as any code might), a cell's row that
 * comes after its members' and a cell whose kind changes (the report
 * finds the kind when it reads), and a rebuild of the projection; the
 * report reads it, ages included. Last of its group: it changes the
 * scenario, and its rebuild puts it back. */
static void
test_member_tally(void **state)
{
	struct cb_report r;
	struct cb_errbuf eb;
	uint64_t applied = 0, rejected = 0;

	(void)state;
	assert_member_tally_counts();
	assert_ages_around();
	write_sql("UPDATE members SET status = 'expelled' WHERE "
	          "card_no = 'B'; UPDATE members SET "
	          "work_category = 'other', birth_date = "
	          "'1986-12-02' WHERE card_no = 'A'; UPDATE "
	          "members SET org = '99999' WHERE card_no = 'C'");
	assert_member_tally_counts();
	assert_ages_around();
	if (cb_report_membership(lg->st, lg->org, "2026-11-21", &r, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(summary_int(&r, "by_status", "expelled"), 1);
	assert_int_equal(summary_int(&r, "live", NULL), 2);
	assert_int_equal(summary_int(&r, "by_work_category", "other"), 1);
	assert_int_equal(summary_int(&r, "by_work_category", "retired"), 0);
	cb_report_release(&r);
	/* a member whose cell's row is not there yet, then is */
	write_sql("INSERT INTO members (id, full_name, name_fold, "
	          "name_lower, birth_date, sex, admitted_on, "
	          "status, cell, org, entry) VALUES (x'01', 'X', "
	          "'x', 'x', '1996-11-30', 'female', "
	          "'2020-01-01', 'exempt', '26734.09', '26734', "
	          "x'01')");
	assert_member_tally_counts();
	write_sql("INSERT INTO orgs (code, parent, level, kind, "
	          "name, name_fold, state, owner, entry) VALUES "
	          "('26734.09', '26734', 'cell', 'enterprise', "
	          "'X', 'x', 'active', x'01', x'01')");
	assert_member_tally_counts();
	if (cb_report_membership(lg->st, lg->org, "2026-11-21", &r, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(summary_int(&r, "by_status", "exempt"), 1);
	assert_int_equal(summary_int(&r, "by_cell_kind", "enterprise"), 1);
	cb_report_release(&r);
	write_sql("UPDATE orgs SET kind = 'residential' "
	          "WHERE code = '26734.09'");
	assert_member_tally_counts();
	assert_ages_around();
	if (cb_report_membership(lg->st, lg->org, "2026-11-21", &r, &eb))
		fail_msg("%s", eb.msg);
	/* live: A (04), D (02) and X (09); C counts in 99999 now */
	assert_int_equal(summary_int(&r, "live", NULL), 3);
	assert_int_equal(summary_int(&r, "by_cell_kind", "enterprise"), 0);
	assert_int_equal(summary_int(&r, "by_cell_kind", "residential"), 2);
	cb_report_release(&r);
	assert_int_equal(scalar(lg, "SELECT count(*) FROM member_tally_delta"),
	                 0);
	if (cb_ledger_rebuild(lg, &applied, &rejected, &eb))
		fail_msg("%s", eb.msg);
	assert_member_tally_counts();
	assert_ages_around();
	if (cb_report_membership(lg->st, lg->org, "2026-11-21", &r, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(summary_int(&r, "live", NULL), 4);
	assert_int_equal(summary_int(&r, "by_work_category", "retired"), 1);
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
		cmocka_unit_test(test_meetings_forged_tally),
		cmocka_unit_test(test_excused_runs),
		cmocka_unit_test(test_csv_round_trip_and_widths),
		cmocka_unit_test(test_csv_formula_injection),
		cmocka_unit_test(test_rating_tally),
		cmocka_unit_test(test_member_tally),
	};

	const struct CMUnitTest district[] = {
		cmocka_unit_test(test_campaign),
		cmocka_unit_test(test_transfers),
		cmocka_unit_test(test_overdue),
		cmocka_unit_test(test_working_days),
		cmocka_unit_test(test_sync),
		cmocka_unit_test(test_clashes),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_campaign_csv_and_table),
		cmocka_unit_test(test_strike_off_and_temporary),
	};
	int failed = cmocka_run_group_tests(tests, setup, teardown);

	return failed + cmocka_run_group_tests_name("district", district,
	                                            district_setup,
	                                            district_teardown);
}

/* SPDX-License-Identifier: MIT */
/* test_query.c — the replica's questions (common/view/query.h) on one
 * commune: a short cell code asked as its full one, columns for JSON only
 * and JSON-valued ones as the column names say, ids as hex, a member in
 * transit, transfer states as of a day, the log read with its filters and
 * stopped by its reader, the counts, filters refused as usages with the
 * answer left as it was, and filters naming what the replica does not
 * know refused rather than answered with no rows. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "entry.h"
#include "ledger.h"
#include "query.h"

static char dir[64];
static struct cb_ledger *lg;
static char member_a[65], member_b[65], meeting[65];

/* Append op name with the JSON text in; its id into id (if not NULL). */
static void
op(const char *name, const char *json, char id[65])
{
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	json_t *in = json_loads(json, 0, NULL);

	if (!in)
		fail_msg("bad test JSON: %s", json);
	if (cb_ledger_append(lg, name, in, &e, &eb))
		fail_msg("%s refused: %s", name, eb.msg);
	if (id)
		cb_hash_hex(e.id, id);
	cb_entry_release(&e);
	json_decref(in);
}

static int
setup(void **state)
{
	struct cb_errbuf eb;
	json_t *init;
	char buf[256];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/chibo-query-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	strcat(dir, "/r");
	init = json_pack("{s:s, s:s, s:s}", "code", "26734", "name",
	                 "Đảng bộ xã Quế Nham", "kind", "party-committee");
	if (cb_ledger_create(dir, init, &lg, &eb))
		return -1;
	json_decref(init);
	op("cell.create",
	   "{\"code\": \"01\", \"name\": \"Chi bộ thôn Đông\", \"kind\": "
	   "\"residential\"}",
	   NULL);
	op("cell.create",
	   "{\"code\": \"02\", \"name\": \"Chi bộ thôn Tây\", \"kind\": "
	   "\"residential\"}",
	   NULL);
	op("member.add",
	   "{\"full_name\": \"Nguyễn Văn Hợp\", \"birth_date\": "
	   "\"1970-03-02\", \"sex\": \"male\", \"card_no\": \"111\", "
	   "\"admitted_on\": \"1995-05-19\", \"official_on\": \"1996-05-19\", "
	   "\"cell\": \"01\"}",
	   member_a);
	op("member.add",
	   "{\"full_name\": \"Trần Thị Hương\", \"birth_date\": "
	   "\"1985-07-01\", \"sex\": \"female\", \"card_no\": \"222\", "
	   "\"admitted_on\": \"2010-02-03\", \"official_on\": \"2011-02-03\", "
	   "\"cell\": \"02\"}",
	   member_b);
	op("meeting.record",
	   "{\"cell\": \"01\", \"date\": \"2026-10-05\", \"kind\": "
	   "\"regular\", \"duration_min\": 95, \"attendance\": {\"card:111\": "
	   "\"present\"}, \"observers\": [{\"name\": \"Lê Văn Tám\", "
	   "\"role\": \"Huyện ủy viên\"}]}",
	   meeting);
	snprintf(buf, sizeof(buf),
	         "{\"member\": \"%s\", \"to_org\": \"07298\", \"letter_no\": "
	         "\"125-GGT/ĐU\", \"letter_date\": \"2026-11-02\", \"on\": "
	         "\"2026-11-02\"}",
	         member_b);
	op("member.release", buf, NULL);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	cb_ledger_free(&lg);
	dir[strlen(dir) - 2] = 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The column named name, which must be there. */
static size_t
col(const struct cb_query_result *r, const char *name)
{
	for (size_t c = 0; c < r->ncols; c++)
		if (strcmp(r->cols[c].name, name) == 0)
			return c;
	fail_msg("no column '%s'", name);
	return 0;
}

static void
ask(enum cb_query_question q, const char *of, const struct cb_query_filter *f,
    struct cb_query_result *r)
{
	struct cb_errbuf eb;

	if (cb_query_ask(lg->st, q, of, f, r, &eb))
		fail_msg("question %d: %s", (int)q, eb.msg);
}

static void
test_members(void **state)
{
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;
	size_t id, cell, nid;

	(void)state;
	ask(CB_QUERY_MEMBERS, lg->org, NULL, &r);
	assert_int_equal(r.nrows, 2);
	id = col(&r, "id");
	cell = col(&r, "cell");
	nid = col(&r, "national_id"); /* "_national_id": JSON only */
	assert_string_equal(r.cols[id].heading, "ID");
	assert_null(r.cols[nid].heading);
	assert_false(r.cols[nid].json);
	/* ids as their 64 hex digits; by cell: 01, then 'in transit' */
	assert_string_equal(cb_query_text(&r, 0, id), member_a);
	assert_string_equal(cb_query_text(&r, 0, cell), "26734.01");
	assert_string_equal(cb_query_text(&r, 1, id), member_b);
	assert_string_equal(cb_query_text(&r, 1, cell), "in transit");
	assert_int_equal(cb_query_value(&r, 0, nid)->kind, CB_QUERY_NULL);
	assert_null(cb_query_text(&r, 0, nid));

	/* a short cell code is the organisation's cell; a name without
	 * diacritics finds one with them */
	f.cell = "01";
	ask(CB_QUERY_MEMBERS, lg->org, &f, &r);
	assert_int_equal(r.nrows, 1);
	assert_string_equal(cb_query_text(&r, 0, col(&r, "full_name")),
	                    "Nguyễn Văn Hợp");
	/* a status in Vietnamese, with or without diacritics */
	f.cell = NULL;
	f.status = "Chính thức";
	ask(CB_QUERY_MEMBERS, lg->org, &f, &r);
	assert_int_equal(r.nrows, 2);
	f.status = "du bi";
	ask(CB_QUERY_MEMBERS, lg->org, &f, &r);
	assert_int_equal(r.nrows, 0);
	f.status = NULL;
	f.name = "huong";
	ask(CB_QUERY_MEMBERS, lg->org, &f, &r);
	assert_int_equal(r.nrows, 1);
	assert_string_equal(cb_query_text(&r, 0, col(&r, "id")), member_b);
	cb_query_result_release(&r);
	assert_int_equal(r.nrows, 0);
	assert_null(r.cols);
}

/* Question q with f is refused with code and, unless NULL, msg (which
 * cb_query_check gives too for a usage); r is left as it was. */
static void
refused(enum cb_query_question q, const struct cb_query_filter *f, cb_err code,
        const char *msg, struct cb_query_result *r)
{
	struct cb_errbuf eb;

	assert_int_equal(cb_query_check(f, &eb),
	                 code == CB_EINVAL ? CB_EINVAL : CB_OK);
	assert_int_equal(cb_query_ask(lg->st, q, lg->org, f, r, &eb), code);
	if (msg)
		assert_string_equal(eb.msg, msg);
}

static void
test_refused(void **state)
{
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;
	struct cb_errbuf eb;

	(void)state;
	ask(CB_QUERY_CELLS, lg->org, NULL, &r);
	assert_int_equal(r.nrows, 3); /* the committee, 01, 02 */
	f.status = "asleep";
	refused(CB_QUERY_MEMBERS, &f, CB_EINVAL,
	        "unknown status 'asleep'; give probationary, official, exempt, "
	        "struck-off, expelled, resigned or deceased (or the Vietnamese "
	        "word)",
	        &r);
	f.status = NULL;
	f.on = "2026-02-30";
	refused(CB_QUERY_TRANSFERS, &f, CB_EINVAL,
	        "--on: date '2026-02-30' does not exist", &r);
	f.on = NULL;
	/* a date that is no date, a period that is none: usages */
	f.from = "garbage";
	refused(CB_QUERY_MEETINGS, &f, CB_EINVAL,
	        "--from: date 'garbage' is not a day (YYYY-MM-DD, DD/MM/YYYY, "
	        "D/M/YYYY or DD-MM-YYYY), a month (YYYY-MM or MM/YYYY) or a "
	        "year (YYYY)",
	        &r);
	f.from = NULL;
	f.to = "31/02/2026";
	refused(CB_QUERY_MEETINGS, &f, CB_EINVAL,
	        "--to: date '31/02/2026' does not exist", &r);
	f.to = NULL;
	f.period = "2025-13";
	refused(CB_QUERY_RATINGS, &f, CB_EINVAL,
	        "--period: '2025-13' is not a period: YYYY, YYYY-Q1..Q4 or "
	        "YYYY-MM",
	        &r);
	f.period = NULL;
	/* a cell or subject the replica does not know: not an empty answer */
	f.cell = "XX";
	refused(CB_QUERY_MEMBERS, &f, CB_ENOTFOUND,
	        "no cell '26734.XX' in this replica; 'cells' lists them", &r);
	refused(CB_QUERY_MEETINGS, &f, CB_ENOTFOUND, NULL, &r);
	f.cell = "26734"; /* the organisation, not a cell */
	refused(CB_QUERY_MEMBERS, &f, CB_ENOTFOUND, NULL, &r);
	f.cell = NULL;
	f.subject = "zz";
	refused(CB_QUERY_RATINGS, &f, CB_ENOTFOUND,
	        "no member id or organisation code starts with 'zz' in this "
	        "replica",
	        &r);
	assert_int_equal(cb_query_ask(lg->st, CB_QUERY_QUESTIONS, lg->org, NULL,
	                              &r, &eb),
	                 CB_EINVAL);
	/* the answer before is left as it was */
	assert_int_equal(r.nrows, 3);
	assert_string_equal(cb_query_text(&r, 0, 0), "26734");
	cb_query_result_release(&r);
}

/* Cell 01's meetings from..to number n. */
static void
expect_meetings(const char *from, const char *to, size_t n)
{
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;

	f.cell = "01";
	f.from = from;
	f.to = to;
	ask(CB_QUERY_MEETINGS, lg->org, &f, &r);
	if (r.nrows != n)
		fail_msg("--from %s --to %s: %zu meetings, not %zu",
		         from ? from : "-", to ? to : "-", r.nrows, n);
	cb_query_result_release(&r);
}

static void
test_meetings(void **state)
{
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;
	char prefix[9];
	size_t obs;
	json_t *j;

	(void)state;
	f.cell = "01";
	f.from = "2026-10";
	ask(CB_QUERY_MEETINGS, lg->org, &f, &r);
	assert_int_equal(r.nrows, 1);
	assert_string_equal(cb_query_text(&r, 0, col(&r, "present")), "1/1");
	obs = col(&r, "observers"); /* "_observers_json" */
	assert_true(r.cols[obs].json);
	assert_null(r.cols[obs].heading);
	j = json_loads(cb_query_text(&r, 0, obs), 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(j, 0), "name")),
	                    "Lê Văn Tám");
	json_decref(j);
	f.from = "2026-11";
	ask(CB_QUERY_MEETINGS, lg->org, &f, &r);
	assert_int_equal(r.nrows, 0);
	/* days typed the Vietnamese way are days, not text to compare; --to
	 * a month or a year is its last day */
	expect_meetings("01/11/2026", NULL, 0);
	expect_meetings("5/10/2026", NULL, 1);
	expect_meetings("06-10-2026", NULL, 0);
	expect_meetings(NULL, "2026-10", 1);
	expect_meetings(NULL, "9/2026", 0);
	expect_meetings(NULL, "2026", 1);
	f.from = NULL;

	/* one meeting in full, by a prefix of its id */
	memcpy(prefix, meeting, 8);
	prefix[8] = 0;
	ask(CB_QUERY_MEETING, prefix, NULL, &r);
	assert_int_equal(r.nrows, 1);
	obs = col(&r, "observers"); /* "observers_json": shown too */
	assert_true(r.cols[obs].json);
	assert_string_equal(r.cols[obs].heading, "OBSERVERS");
	assert_int_equal(cb_query_value(&r, 0, col(&r, "duration_min"))->num,
	                 95);
	ask(CB_QUERY_MEETING_ATTENDANCE, prefix, NULL, &r);
	assert_int_equal(r.nrows, 1);
	assert_string_equal(cb_query_text(&r, 0, 0), member_a);
	assert_string_equal(cb_query_text(&r, 0, 2), "present");
	cb_query_result_release(&r);
}

/* The state of the one transfer as of a day. */
static void
transfer_state(const char *on, const char *want)
{
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;

	f.on = on;
	ask(CB_QUERY_TRANSFERS, lg->org, &f, &r);
	assert_int_equal(r.nrows, 1);
	assert_string_equal(cb_query_text(&r, 0, col(&r, "state")), want);
	assert_string_equal(cb_query_text(&r, 0, col(&r, "member")), member_b);
	cb_query_result_release(&r);
}

static void
test_transfers(void **state)
{
	(void)state;
	/* due 30 working days after the letter of 2026-11-02; a member may
	 * be struck off 3 months after it */
	transfer_state("2026-11-03", "in-transit");
	transfer_state("2027-01-10", "overdue");
	transfer_state("2027-02-03", "over 3 months");
}

struct reading {
	int64_t last_lsn;
	size_t n, stop_at;
	char op[CB_OP_MAX + 1];
};

static cb_err
read_entry(void *ctx, const struct cb_query_entry *q)
{
	struct reading *rd = ctx;
	struct cb_entry e = CB_ENTRY_INIT;

	assert_true(q->lsn > rd->last_lsn);
	assert_string_equal(q->state, "applied");
	assert_null(q->reason);
	assert_int_equal(cb_entry_decode(q->bytes, q->len, &e, NULL), CB_OK);
	snprintf(rd->op, sizeof(rd->op), "%s", e.op);
	cb_entry_release(&e);
	rd->last_lsn = q->lsn;
	return ++rd->n == rd->stop_at ? CB_ERULE : CB_OK;
}

static void
test_entries(void **state)
{
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;
	struct cb_query_counts n;
	struct reading rd = { 0 };
	struct cb_errbuf eb = { "untouched" };

	(void)state;
	assert_int_equal(cb_query_counts(lg->st, lg->org, &n, NULL), CB_OK);
	assert_int_equal(cb_query_entries(lg->st, &f, read_entry, &rd, NULL),
	                 CB_OK);
	assert_int_equal(rd.n, n.entries);
	assert_string_equal(rd.op, "member.release");
	/* the last 2 of them, in log order */
	memset(&rd, 0, sizeof(rd));
	f.limit = 2;
	assert_int_equal(cb_query_entries(lg->st, &f, read_entry, &rd, NULL),
	                 CB_OK);
	assert_int_equal(rd.n, 2);
	assert_string_equal(rd.op, "member.release");
	/* of one op */
	memset(&rd, 0, sizeof(rd));
	f.limit = -1;
	f.op = "member.add";
	assert_int_equal(cb_query_entries(lg->st, &f, read_entry, &rd, NULL),
	                 CB_OK);
	assert_int_equal(rd.n, 2);
	f.rejected = true;
	memset(&rd, 0, sizeof(rd));
	assert_int_equal(cb_query_entries(lg->st, &f, read_entry, &rd, NULL),
	                 CB_OK);
	assert_int_equal(rd.n, 0);
	/* the reader stops it: its code back, eb untouched */
	f = (struct cb_query_filter)CB_QUERY_FILTER_INIT;
	memset(&rd, 0, sizeof(rd));
	rd.stop_at = 3;
	assert_int_equal(cb_query_entries(lg->st, &f, read_entry, &rd, &eb),
	                 CB_ERULE);
	assert_int_equal(rd.n, 3);
	assert_string_equal(eb.msg, "untouched");
}

static void
test_counts_and_names(void **state)
{
	struct cb_query_counts n;
	struct cb_errbuf eb;
	char *name = NULL;

	(void)state;
	assert_int_equal(cb_query_counts(lg->st, lg->org, &n, &eb), CB_OK);
	assert_int_equal(n.rejected, 0);
	assert_int_equal(n.pending, 0);
	assert_int_equal(n.cells, 2);
	assert_int_equal(n.members, 2);
	assert_int_equal(n.meetings, 1);
	assert_int_equal(n.ratings, 0);
	assert_int_equal(n.released_in_transit, 1);
	assert_int_equal(n.incoming_in_transit, 0);

	assert_int_equal(cb_query_org_name(lg->st, "26734.02", &name, &eb),
	                 CB_OK);
	assert_string_equal(name, "Chi bộ thôn Tây");
	free(name);
	assert_int_equal(cb_query_member_name(lg->st, member_a, &name, &eb),
	                 CB_OK);
	assert_string_equal(name, "Nguyễn Văn Hợp");
	free(name);
	name = NULL;
	assert_int_equal(cb_query_org_name(lg->st, "99999", &name, &eb),
	                 CB_ENOTFOUND);
	assert_null(name);
}

/* Who a cell held on a day: the checklist of a meeting in the web
 * interface. */
static void
test_cell_roll(void **state)
{
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;
	struct cb_errbuf eb;

	(void)state;
	f.cell = "01";
	f.on = "05/10/2026";
	ask(CB_QUERY_CELL_ROLL, lg->org, &f, &r);
	assert_int_equal(r.nrows, 1);
	assert_string_equal(cb_query_text(&r, 0, col(&r, "id")), member_a);
	assert_string_equal(cb_query_text(&r, 0, col(&r, "full_name")),
	                    "Nguyễn Văn Hợp");
	assert_string_equal(cb_query_text(&r, 0, col(&r, "kind")), "official");
	/* before the member came, the cell held nobody */
	f.on = "1995-05-18";
	ask(CB_QUERY_CELL_ROLL, lg->org, &f, &r);
	assert_int_equal(r.nrows, 0);
	f.on = "1995-05-19";
	ask(CB_QUERY_CELL_ROLL, lg->org, &f, &r);
	assert_int_equal(r.nrows, 1);
	f.cell = "26734.02";
	f.on = "2026-10-05";
	ask(CB_QUERY_CELL_ROLL, lg->org, &f, &r);
	assert_int_equal(r.nrows, 1);
	assert_string_equal(cb_query_text(&r, 0, 0), member_b);
	/* refusals leave the answer as it was */
	f.on = "31/02/2026";
	assert_int_equal(
		cb_query_ask(lg->st, CB_QUERY_CELL_ROLL, lg->org, &f, &r, &eb),
		CB_EINVAL);
	f.on = NULL;
	f.cell = "XX";
	assert_int_equal(
		cb_query_ask(lg->st, CB_QUERY_CELL_ROLL, lg->org, &f, &r, &eb),
		CB_ENOTFOUND);
	f.cell = NULL;
	assert_int_equal(
		cb_query_ask(lg->st, CB_QUERY_CELL_ROLL, lg->org, &f, &r, &eb),
		CB_EINVAL);
	assert_string_equal(eb.msg, "give the cell");
	assert_int_equal(r.nrows, 1);
	cb_query_result_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_meetings),
		cmocka_unit_test(test_transfers),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_counts_and_names),
		cmocka_unit_test(test_cell_roll),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

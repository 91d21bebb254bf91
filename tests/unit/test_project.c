/* SPDX-License-Identifier: MIT */
/* test_project.c — each operation's projection and rules, through the
 * ledger: what an op writes to the tables, each rule that refuses one
 * (leaving log and tables unchanged), ownership, and that a rebuild from
 * the entries gives exactly the tables incremental application gave. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger.h"
#include "old_schema.h"
#include "store_sqlite.h"
#include "project.h"

struct fx {
	char dir[64];
	struct cb_ledger *lg;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cb_errbuf eb;
	json_t *init;

	if (sodium_init() < 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/chibo-unit-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	strcat(f->dir, "/r");
	init = json_pack("{s:s, s:s, s:s}", "code", "26734", "name",
	                 "Đảng bộ xã Quế Nham", "kind", "party-committee");
	if (cb_ledger_create(f->dir, init, &f->lg, &eb)) {
		fprintf(stderr, "%s\n", eb.msg);
		return -1;
	}
	json_decref(init);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];

	cb_ledger_free(&f->lg);
	f->dir[strlen(f->dir) - 2] = 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* Append op with fields given as JSON text; returns the result code and
 * leaves the message in eb. */
static cb_err
op(struct fx *f, const char *name, const char *json, struct cb_errbuf *eb)
{
	json_error_t jerr;
	json_t *in = json_loads(json, 0, &jerr);
	cb_err rc;

	if (!in)
		fail_msg("bad test JSON: %s: %s", jerr.text, json);
	rc = cb_ledger_append(f->lg, name, in, NULL, eb);
	json_decref(in);
	return rc;
}

static void
ok_op(struct fx *f, const char *name, const char *json)
{
	struct cb_errbuf eb;

	if (op(f, name, json, &eb))
		fail_msg("%s refused: %s", name, eb.msg);
}

static long long
count_entries(struct fx *f)
{
	sqlite3_stmt *s;
	long long n;

	sqlite3_prepare_v2(cb_store_db(f->lg->st),
	                   "SELECT count(*) FROM entries", -1, &s, NULL);
	sqlite3_step(s);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* The refusal must name its reason and change neither log nor tables. */
static void
refused(struct fx *f, const char *name, const char *json, const char *why)
{
	unsigned char before[32], after[32];
	struct cb_errbuf eb;
	long long n = count_entries(f);
	cb_err rc;

	assert_int_equal(cb_project_digest(f->lg->st, before, NULL), 0);
	eb.msg[0] = 0;
	rc = op(f, name, json, &eb);
	if (rc != CB_ERULE && rc != CB_EINVAL)
		fail_msg("%s %s: expected a refusal, got %d (%s)", name, json,
		         rc, eb.msg);
	if (!strstr(eb.msg, why))
		fail_msg("%s: expected '%s' in '%s'", name, why, eb.msg);
	assert_int_equal(count_entries(f), n);
	assert_int_equal(cb_project_digest(f->lg->st, after, NULL), 0);
	assert_memory_equal(before, after, 32);
}

static char *
text(struct fx *f, const char *sql)
{
	sqlite3_stmt *s;
	char *v = NULL;

	if (sqlite3_prepare_v2(cb_store_db(f->lg->st), sql, -1, &s, NULL))
		fail_msg("bad SQL %s", sql);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		v = strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

static void
expect_text(struct fx *f, const char *sql, const char *want)
{
	char *v = text(f, sql);

	if (!v || strcmp(v, want))
		fail_msg("%s: expected '%s', got '%s'", sql, want,
		         v ? v : "(null)");
	free(v);
}

#define MEMBER_A                                                                    \
	"{\"full_name\": \"Nguyễn Văn Hợp\", \"birth_date\": \"1980-03-02\", " \
	"\"sex\": \"male\", \"card_no\": \"111\", \"national_id\": "                \
	"\"079080000123\", \"admitted_on\": \"2005-05-19\", \"official_on\": "      \
	"\"2006-05-19\", \"cell\": \"01\"}"
#define MEMBER_B                                                                     \
	"{\"full_name\": \"Trần Thị Hương\", \"birth_date\": \"1990-08-15\", " \
	"\"sex\": \"female\", \"card_no\": \"222\", \"admitted_on\": "               \
	"\"2020-01-10\", \"cell\": \"01\", \"cell_since\": \"2021-01-01\"}"

static void
cells(struct fx *f)
{
	ok_op(f, "cell.create",
	      "{\"code\": \"01\", \"name\": \"Chi bộ thôn Đông\", \"kind\": "
	      "\"residential\"}");
	ok_op(f, "cell.create",
	      "{\"code\": \"26734.02\", \"name\": \"Chi bộ cơ quan\", "
	      "\"kind\": "
	      "\"commune-agency\", \"founded_on\": \"2008-04-08\"}");
}

static void
test_org_and_cells(void **state)
{
	struct fx *f = *state;

	expect_text(f,
	            "SELECT name || '|' || level FROM orgs WHERE code = "
	            "'26734'",
	            "Đảng bộ xã Quế Nham|grassroots");
	cells(f);
	expect_text(f,
	            "SELECT parent || '|' || kind || '|' || state FROM orgs "
	            "WHERE code = '26734.01'",
	            "26734|residential|active");
	expect_text(f, "SELECT name_fold FROM orgs WHERE code = '26734.01'",
	            "chi bo thon dong");
	refused(f, "cell.create",
	        "{\"code\": \"01\", \"name\": \"X\", \"kind\": \"other\"}",
	        "already exists");
	refused(f, "cell.create",
	        "{\"code\": \"99999.01\", \"name\": \"X\", \"kind\": "
	        "\"other\"}",
	        "no grassroots '99999'");
	refused(f, "cell.create",
	        "{\"code\": \"05\", \"name\": \"X\", \"kind\": \"other\", "
	        "\"founded_on\": \"2150-01-01\"}",
	        "after the day it was recorded");
	refused(f, "cell.create", "{\"code\": \"05\", \"name\": \"X\"}",
	        "field 'kind' is required");
	refused(f, "cell.create",
	        "{\"code\": \"05\", \"name\": \"X\", \"kind\": \"other\", "
	        "\"colour\": \"red\"}",
	        "unknown field 'colour'");
	ok_op(f, "cell.rename",
	      "{\"code\": \"01\", \"name\": \"Chi bộ Đông A\"}");
	expect_text(f, "SELECT name FROM orgs WHERE code = '26734.01'",
	            "Chi bộ Đông A");
	refused(f, "cell.rename", "{\"code\": \"07\", \"name\": \"X\"}",
	        "no cell '26734.07'");
	/* a short code always means a cell of this organisation */
	refused(f, "cell.rename", "{\"code\": \"26734\", \"name\": \"X\"}",
	        "no cell '26734.26734'");
	ok_op(f, "org.congress",
	      "{\"org\": \"01\", \"term\": \"2020-2025\", \"held_on\": "
	      "\"2020-06-01\"}");
	ok_op(f, "org.congress",
	      "{\"org\": \"26734\", \"term\": \"2020-2025\", \"held_on\": "
	      "\"2020-08-01\"}");
	refused(f, "org.congress",
	        "{\"org\": \"01\", \"term\": \"2020-2025\", \"held_on\": "
	        "\"2020-07-01\"}",
	        "already held");
	refused(f, "org.congress",
	        "{\"org\": \"01\", \"term\": \"2020-2030\", \"held_on\": "
	        "\"2020-07-01\"}",
	        "at most 5 years");
	refused(f, "org.init",
	        "{\"code\": \"26734\", \"name\": \"X\", \"kind\": "
	        "\"party-committee\"}",
	        "already exists");
}

static void
test_members(void **state)
{
	struct fx *f = *state;
	char *id;

	cells(f);
	ok_op(f, "member.add", MEMBER_A);
	ok_op(f, "member.add", MEMBER_B);
	expect_text(f,
	            "SELECT status || '|' || org || '|' || name_fold FROM "
	            "members WHERE card_no = '111'",
	            "official|26734|nguyen van hop");
	expect_text(f, "SELECT status FROM members WHERE card_no = '222'",
	            "probationary");
	expect_text(f,
	            "SELECT since FROM memberships m JOIN members x ON "
	            "x.mkey = m.member WHERE x.card_no = '222'",
	            "2021-01-01");
	/* the member id is the entry id */
	expect_text(f,
	            "SELECT count(*) FROM members m JOIN entries e ON "
	            "e.id = m.id",
	            "2");
	/* keyed by their entry's position in the log (schema 034), their
	 * stays by that key */
	expect_text(f,
	            "SELECT count(*) FROM members x JOIN entries e ON e.lsn = "
	            "x.mkey AND e.id = x.id JOIN memberships m ON m.member = "
	            "x.mkey",
	            "2");
	refused(f, "member.add",
	        "{\"full_name\": \"X\", \"birth_date\": \"1980-01-01\", "
	        "\"sex\": "
	        "\"male\", \"card_no\": \"111\", \"admitted_on\": "
	        "\"2005-01-01\", "
	        "\"cell\": \"01\"}",
	        "party card number 111 already belongs");
	refused(f, "member.add",
	        "{\"full_name\": \"X\", \"birth_date\": \"1980-01-01\", "
	        "\"sex\": "
	        "\"male\", \"national_id\": \"079080000123\", \"admitted_on\": "
	        "\"2005-01-01\", \"cell\": \"01\"}",
	        "national ID 079080000123 already belongs");
	refused(f, "member.add",
	        "{\"full_name\": \"X\", \"birth_date\": \"1980-01-01\", "
	        "\"sex\": "
	        "\"male\", \"admitted_on\": \"2005-01-01\", \"cell\": \"09\"}",
	        "no cell '26734.09'");
	/* text that displays other than it is stored, or holds controls */
	refused(f, "member.add",
	        "{\"full_name\": \"Nguy\u1ec5n \u202enahT\", \"birth_date\": "
	        "\"1980-01-01\", \"sex\": \"male\", \"admitted_on\": "
	        "\"2005-01-01\", \"cell\": \"01\"}",
	        "holds U+202E, a character that changes the direction");
	refused(f, "member.add",
	        "{\"full_name\": \"L\u00ea \u2067B\u2069\", \"birth_date\": "
	        "\"1980-01-01\", \"sex\": \"male\", \"admitted_on\": "
	        "\"2005-01-01\", \"cell\": \"01\"}",
	        "holds U+2067");
	refused(f, "member.add",
	        "{\"full_name\": \"L\u00ea \\u0085B\", \"birth_date\": "
	        "\"1980-01-01\", \"sex\": \"male\", \"admitted_on\": "
	        "\"2005-01-01\", \"cell\": \"01\"}",
	        "holds U+0085, a control character");
	refused(f, "member.add",
	        "{\"full_name\": \"L\u00ea B\", \"birth_date\": "
	        "\"1980-01-01\", \"sex\": \"male\", \"admitted_on\": "
	        "\"2005-01-01\", \"cell\": \"01\", \"council_area\": "
	        "\"Th\u00f4n \u2028\u0110\u00f4ng\"}",
	        "holds U+2028");
	refused(f, "member.add",
	        "{\"full_name\": \"X\", \"birth_date\": \"1980-01-01\", "
	        "\"sex\": "
	        "\"male\", \"admitted_on\": \"1997-12-31\", \"cell\": \"01\"}",
	        "before the 18th birthday");
	refused(f, "member.add",
	        "{\"full_name\": \"X\", \"birth_date\": \"1980-01-01\", "
	        "\"sex\": "
	        "\"male\", \"admitted_on\": \"2005-01-01\", \"status\": "
	        "\"official\", \"cell\": \"01\"}",
	        "needs an official date");
	refused(f, "member.add",
	        "{\"full_name\": \"X\", \"birth_date\": \"1980-01-01\", "
	        "\"sex\": "
	        "\"male\", \"admitted_on\": \"2005-01-01\", \"cell_since\": "
	        "\"2004-01-01\", \"cell\": \"01\"}",
	        "before admission");
	refused(f, "member.add",
	        "{\"full_name\": \"  \", \"birth_date\": \"1980-01-01\", "
	        "\"sex\": "
	        "\"male\", \"admitted_on\": \"2005-01-01\", \"cell\": \"01\"}",
	        "full_name");
	/* update and status */
	ok_op(f, "member.update",
	      "{\"member\": \"card:222\", \"council_area\": \"Khu vực 2\", "
	      "\"card_no\": \"333\"}");
	expect_text(f, "SELECT council_area FROM members WHERE card_no = '333'",
	            "Khu vực 2");
	ok_op(f, "member.update",
	      "{\"member\": \"card:333\", \"card_no\": \"\"}");
	expect_text(f, "SELECT count(*) FROM members WHERE card_no IS NULL",
	            "1");
	id = text(f,
	          "SELECT lower(hex(id)) FROM members WHERE card_no IS NULL");
	{
		char buf[200];

		snprintf(buf, sizeof(buf),
		         "{\"member\": \"%.10s\", \"status\": \"official\", "
		         "\"on\": \"2021-01-10\"}",
		         id);
		ok_op(f, "member.status", buf);
	}
	free(id);
	expect_text(f,
	            "SELECT status || '|' || official_on FROM members WHERE "
	            "card_no IS NULL",
	            "official|2021-01-10");
	refused(f, "member.update",
	        "{\"member\": \"card:111\", \"official_on\": \"2004-01-01\"}",
	        "before the admission date");
	refused(f, "member.status",
	        "{\"member\": \"card:111\", \"status\": \"official\", \"on\": "
	        "\"2020-01-01\"}",
	        "already official");
	refused(f, "member.status",
	        "{\"member\": \"card:111\", \"status\": \"probationary\", "
	        "\"on\": \"2020-01-01\"}",
	        "cannot go from official to probationary");
	ok_op(f, "member.status",
	      "{\"member\": \"card:111\", \"status\": \"deceased\", \"on\": "
	      "\"2024-05-01\", \"reason\": \"ốm\"}");
	expect_text(f,
	            "SELECT until FROM memberships m JOIN members x ON "
	            "x.mkey = m.member WHERE x.card_no = '111'",
	            "2024-05-01");
	refused(f, "member.status",
	        "{\"member\": \"card:111\", \"status\": \"official\", \"on\": "
	        "\"2024-06-01\"}",
	        "cannot go from deceased");
}

static void
test_meetings(void **state)
{
	struct fx *f = *state;
	char *first, *b, buf[600];

	cells(f);
	ok_op(f, "member.add", MEMBER_A);
	ok_op(f, "member.add", MEMBER_B);
	ok_op(f, "meeting.record",
	      "{\"cell\": \"01\", \"date\": \"2026-10-05\", \"kind\": "
	      "\"regular\", \"duration_min\": 95, \"chair\": \"card:111\", "
	      "\"attendance\": {\"card:111\": \"present\", \"card:222\": "
	      "\"excused\"}, \"observers\": [{\"name\": \"Lê Văn Tám\", "
	      "\"role\": \"Huyện ủy viên\"}], \"rating\": \"good\"}");
	expect_text(f,
	            "SELECT count(*) || '|' || sum(mark = 'present') FROM "
	            "attendance",
	            "2|1");
	expect_text(f, "SELECT observers FROM meetings",
	            "[{\"name\":\"Lê Văn Tám\",\"role\":\"Huyện ủy viên\"}]");
	/* B joined the cell on 2021-01-01 */
	refused(f, "meeting.record",
	        "{\"cell\": \"01\", \"date\": \"2020-10-05\", \"kind\": "
	        "\"regular\", \"duration_min\": 90, \"attendance\": "
	        "{\"card:222\": \"present\"}}",
	        "was not in cell '26734.01' on 2020-10-05");
	/* the whole list is checked at once; the one who was not there is
	 * named, whichever place in the list is hers */
	b = text(f, "SELECT lower(hex(id)) FROM members WHERE card_no = '222'");
	snprintf(buf, sizeof(buf), "attendance names member %.12s, who was", b);
	refused(f, "meeting.record",
	        "{\"cell\": \"01\", \"date\": \"2020-10-05\", \"kind\": "
	        "\"regular\", \"duration_min\": 90, \"attendance\": "
	        "{\"card:111\": \"present\", \"card:222\": \"present\"}}",
	        buf);
	free(b);
	refused(f, "meeting.record",
	        "{\"cell\": \"02\", \"date\": \"2026-10-05\", \"kind\": "
	        "\"regular\", \"duration_min\": 90, \"attendance\": "
	        "{\"card:111\": \"present\"}}",
	        "not in cell '26734.02'");
	refused(f, "meeting.record",
	        "{\"cell\": \"01\", \"date\": \"2026-10-06\", \"kind\": "
	        "\"regular\", \"duration_min\": 90, \"clerk\": \"card:222\", "
	        "\"attendance\": {\"card:111\": \"present\", \"card:222\": "
	        "\"unexcused\"}}",
	        "the clerk");
	refused(f, "meeting.record",
	        "{\"cell\": \"01\", \"date\": \"2026-10-06\", \"kind\": "
	        "\"party\", \"duration_min\": 90, \"attendance\": {}}",
	        "must be regular, thematic or extraordinary");
	refused(f, "meeting.record",
	        "{\"cell\": \"01\", \"date\": \"2026-10-06\", \"kind\": "
	        "\"regular\", \"duration_min\": 90, \"attendance\": "
	        "{\"card:111\": \"asleep\"}}",
	        "attendance mark");
	/* correction */
	first = text(f, "SELECT id FROM meetings");
	snprintf(buf, sizeof(buf),
	         "{\"cell\": \"01\", \"date\": \"2026-10-05\", \"kind\": "
	         "\"regular\", \"duration_min\": 100, \"attendance\": "
	         "{\"card:111\": \"present\"}, \"supersedes\": \"%s\"}",
	         first);
	ok_op(f, "meeting.record", buf);
	expect_text(f, "SELECT versions || '|' || duration_min FROM meetings",
	            "2|100");
	expect_text(f, "SELECT count(*) FROM attendance", "1");
	refused(f, "meeting.record", buf, "not the current record");
	free(first);
}

static void
test_ratings(void **state)
{
	struct fx *f = *state;

	cells(f);
	ok_op(f, "member.add", MEMBER_A);
	ok_op(f, "rating.record",
	      "{\"subject_kind\": \"member\", \"subject\": \"card:111\", "
	      "\"period\": \"2025\", \"level\": \"good\", \"score\": 84, "
	      "\"stage\": \"self\"}");
	ok_op(f, "rating.record",
	      "{\"subject_kind\": \"member\", \"subject\": \"card:111\", "
	      "\"period\": \"2025\", \"level\": \"outstanding\", \"score\": "
	      "90, "
	      "\"stage\": \"decided\"}");
	ok_op(f, "rating.record",
	      "{\"subject_kind\": \"org\", \"subject\": \"01\", \"period\": "
	      "\"2025-Q3\", \"level\": \"completed\", \"stage\": "
	      "\"proposed\"}");
	ok_op(f, "rating.record",
	      "{\"subject_kind\": \"member\", \"subject\": \"card:111\", "
	      "\"period\": \"2025\", \"level\": \"completed\", \"score\": 60, "
	      "\"stage\": \"self\"}");
	expect_text(f,
	            "SELECT group_concat(stage || ':' || level, ',') FROM "
	            "(SELECT * FROM ratings ORDER BY subject_kind, stage)",
	            "decided:outstanding,self:completed,proposed:completed");
	refused(f, "rating.record",
	        "{\"subject_kind\": \"member\", \"subject\": \"card:111\", "
	        "\"period\": \"2025\", \"level\": \"good\", \"score\": 69, "
	        "\"stage\": \"self\"}",
	        "a score of 69 is rated completed");
	refused(f, "rating.record",
	        "{\"subject_kind\": \"member\", \"subject\": \"card:111\", "
	        "\"period\": \"2025-13\", \"level\": \"good\", \"stage\": "
	        "\"self\"}",
	        "a period is");
	refused(f, "rating.record",
	        "{\"subject_kind\": \"org\", \"subject\": \"77\", \"period\": "
	        "\"2025\", \"level\": \"good\", \"stage\": \"self\"}",
	        "no organisation '26734.77'");
	refused(f, "rating.record",
	        "{\"subject_kind\": \"member\", \"subject\": \"card:111\", "
	        "\"period\": \"2025\", \"level\": \"good\", \"score\": 101, "
	        "\"stage\": \"self\"}",
	        "outside 0..100");
}

/* An entry signed by another key may not change our records: the projection
 * rejects it (this is how entries from other replicas will be treated). */
static void
test_only_the_owner_writes(void **state)
{
	struct fx *f = *state;
	unsigned char pk[32], sk[64];
	struct cb_entry_fields ef = { 0 };
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	json_t *body = json_pack("{s:s, s:s}", "code", "26734.01", "name",
	                         "Đổi tên trái phép");

	cells(f);
	crypto_sign_keypair(pk, sk);
	ef.author = pk;
	ef.secret_key = sk;
	ef.seq = 1;
	ef.time_ms = cb_now_ms();
	ef.op = "cell.rename";
	ef.body = body;
	assert_int_equal(cb_entry_build(&ef, &e, &eb), 0);
	assert_int_equal(cb_store_begin(f->lg->st, NULL), 0);
	assert_int_equal(cb_project_entry(f->lg->st, &e, &eb), CB_ESCOPE);
	assert_non_null(strstr(eb.msg, "only its owner may change it"));
	cb_store_rollback(f->lg->st);
	cb_entry_release(&e);
	json_decref(body);
}

static void
test_rebuild_equals_incremental(void **state)
{
	struct fx *f = *state;
	unsigned char before[32], after[32], empty[32];
	uint64_t applied = 0, rejected = 0;
	struct cb_errbuf eb;

	test_meetings(state);
	ok_op(f, "rating.record",
	      "{\"subject_kind\": \"member\", \"subject\": \"card:111\", "
	      "\"period\": \"2025\", \"level\": \"good\", \"stage\": "
	      "\"self\"}");
	ok_op(f, "member.status",
	      "{\"member\": \"card:222\", \"status\": \"resigned\", \"on\": "
	      "\"2026-11-01\"}");
	assert_int_equal(cb_project_digest(f->lg->st, before, &eb), 0);
	assert_int_equal(cb_store_begin(f->lg->st, NULL), 0);
	assert_int_equal(cb_project_reset(f->lg->st, NULL), 0);
	assert_int_equal(cb_project_digest(f->lg->st, empty, NULL), 0);
	cb_store_rollback(f->lg->st);
	assert_memory_not_equal(before, empty, 32);
	if (cb_ledger_rebuild(f->lg, &applied, &rejected, &eb))
		fail_msg("rebuild: %s", eb.msg);
	assert_int_equal(rejected, 0);
	assert_int_equal((long long)applied, count_entries(f));
	assert_int_equal(cb_project_digest(f->lg->st, after, &eb), 0);
	assert_memory_equal(before, after, 32);
	{
		struct cb_verify_report r;

		assert_int_equal(cb_ledger_verify(f->lg, &r, NULL, NULL, &eb),
		                 0);
		assert_int_equal(r.faults, 0);
		assert_int_equal(r.authors, 1);
	}
}

/* Schemas 033 and 034 keyed members by an integer, and the digests read
 * members and their stays another way: over the same rows they give what
 * a chibo from before gave (the earlier queries over the earlier tables),
 * so that a hub and its communes need not be upgraded together. */
static void
test_digest_outlives_member_keys(void **state)
{
	static const char *const now[] = { MEMBERS_DIGEST, MEMBERSHIPS_DIGEST };
	static const char *const was[] = {
		"SELECT * FROM members ORDER BY id",
		"SELECT * FROM memberships ORDER BY member, entry",
	};
	struct fx *f = *state;
	unsigned char a[32], b[32];
	struct cb_errbuf eb;

	cells(f);
	ok_op(f, "member.add", MEMBER_A);
	ok_op(f, "member.add", MEMBER_B);
	assert_int_equal(
		cb_project_digest_over(f->lg->st, now, 2, NULL, a, &eb), 0);
	assert_int_equal(sqlite3_exec(cb_store_db(f->lg->st),
	                              CB_TEST_UNDO_MEMBER_KEYS, NULL, NULL,
	                              NULL),
	                 SQLITE_OK);
	assert_int_equal(
		cb_project_digest_over(f->lg->st, was, 2, NULL, b, &eb), 0);
	assert_memory_equal(a, b, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_org_and_cells, setup,
		                                teardown),
		cmocka_unit_test_setup_teardown(test_members, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meetings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ratings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_the_owner_writes,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_digest_outlives_member_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_equals_incremental,
		                                setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

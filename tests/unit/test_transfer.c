/* SPDX-License-Identifier: MIT */
/* test_transfer.c — transfers between grassroots organisations, and the
 * tables as a function of the set of entries: a release by Quế Nham, an
 * acceptance and an edit by Tân Hưng, delivered to fresh replicas in every
 * kind of interleaving (each author's entries in their order, the two
 * authors mixed at random, with duplicates) give identical tables; an
 * acceptance that arrives before its release waits, and so does what its
 * author wrote after it. And the rules: a member in transit is neither
 * released again nor changed by the sender, a release is answered once,
 * only by its addressee. */
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
#include "old_schema.h"
#include "store_sqlite.h"
#include "calendar.h"
#include "ingest.h"
#include "ledger.h"
#include "project.h"
#include "scope.h"
#include "stream.h"

static char root[64];
static struct cb_ledger *a, *b;
static char member[65], release[65];
/* each author's entries in chain order */
static struct cb_buf chain_a[8], chain_b[8];
static size_t na, nb;

static struct cb_ledger *
replica(const char *code)
{
	static int n;
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	char path[128];
	json_t *init = json_pack("{s:s, s:s, s:s, s:s}", "code", code, "name",
	                         "Đảng bộ xã", "kind", "party-committee",
	                         "parent", "BG.LG");

	snprintf(path, sizeof(path), "%s/r%d", root, n++);
	if (cb_ledger_create(path, init, &lg, &eb))
		fail_msg("%s", eb.msg);
	json_decref(init);
	return lg;
}

static cb_err
op(struct cb_ledger *lg, const char *name, json_t *in, struct cb_entry *out,
   struct cb_errbuf *eb)
{
	cb_err rc = cb_ledger_append(lg, name, in, out, eb);

	json_decref(in);
	return rc;
}

static void
must(struct cb_ledger *lg, const char *name, json_t *in, struct cb_entry *out)
{
	struct cb_errbuf eb;

	if (op(lg, name, in, out, &eb))
		fail_msg("%s: %s", name, eb.msg);
}

/* Every entry of lg's own chain, each as a one-entry stream. */
static size_t
chain_of(struct cb_ledger *lg, struct cb_buf *out)
{
	sqlite3_stmt *s;
	size_t n = 0;

	sqlite3_prepare_v2(cb_store_db(lg->st),
	                   "SELECT bytes FROM entries WHERE author = ? ORDER "
	                   "BY seq",
	                   -1, &s, NULL);
	sqlite3_bind_blob(s, 1, lg->key.pk, 32, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		uint32_t len = (uint32_t)sqlite3_column_bytes(s, 0);

		cb_buf_init(&out[n]);
		assert_int_equal(cb_buf_add_be32(&out[n], len), 0);
		assert_int_equal(
			cb_buf_add(&out[n], sqlite3_column_blob(s, 0), len), 0);
		n++;
	}
	sqlite3_finalize(s);
	return n;
}

static void
deliver(struct cb_ledger *to, const struct cb_buf *s,
        struct cb_accept_result *r)
{
	struct cb_errbuf eb;

	assert_int_equal(cb_store_begin(to->st, NULL), CB_OK);
	if (cb_accept_pulled(to->st, to->key.pk, s->data, s->len, r, &eb))
		fail_msg("deliver: %s", eb.msg);
	assert_int_equal(cb_store_commit(to->st, NULL), CB_OK);
}

static long long
count(struct cb_ledger *lg, const char *sql)
{
	sqlite3_stmt *s;
	long long n;

	sqlite3_prepare_v2(cb_store_db(lg->st), sql, -1, &s, NULL);
	sqlite3_step(s);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static int
setup(void **state)
{
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_accept_result r;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(root, sizeof(root), "/tmp/chibo-transfer-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	a = replica("07297");
	b = replica("07298");
	must(a, "cell.create",
	     json_pack("{s:s, s:s, s:s}", "code", "01", "name",
	               "Chi bộ cơ quan", "kind", "commune-agency"),
	     NULL);
	must(b, "cell.create",
	     json_pack("{s:s, s:s, s:s}", "code", "01", "name", "Chi bộ thôn",
	               "kind", "residential"),
	     NULL);
	must(a, "member.add",
	     json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "full_name",
	               "Dương Đăng Quyền", "birth_date", "1972-04-12", "sex",
	               "male", "card_no", "07297001", "admitted_on",
	               "1998-05-19", "official_on", "1999-05-19", "cell", "01"),
	     &e);
	cb_hash_hex(e.id, member);
	must(a, "member.release",
	     json_pack("{s:s, s:s, s:s, s:s, s:s}", "member", member, "to_org",
	               "07298", "letter_no", "125-GGT/ĐU", "letter_date",
	               "2026-11-01", "on", "2026-11-02"),
	     &e);
	cb_hash_hex(e.id, release);
	cb_entry_release(&e);
	na = chain_of(a, chain_a);
	for (size_t i = 0; i < na; i++)
		deliver(b, &chain_a[i], &r);
	must(b, "member.accept",
	     json_pack("{s:s, s:s, s:s}", "release", release, "cell", "01",
	               "reported_on", "2026-11-05"),
	     NULL);
	must(b, "member.update",
	     json_pack("{s:s, s:s}", "member", member, "work_category",
	               "commune-cadre"),
	     NULL);
	nb = chain_of(b, chain_b);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	for (size_t i = 0; i < na; i++)
		cb_buf_release(&chain_a[i]);
	for (size_t i = 0; i < nb; i++)
		cb_buf_release(&chain_b[i]);
	cb_ledger_free(&a);
	cb_ledger_free(&b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_the_accepting_side(void **state)
{
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(count(b, "SELECT count(*) FROM members WHERE org = "
	                          "'07298' AND cell = '07298.01' AND transit "
	                          "IS NULL AND work_category = "
	                          "'commune-cadre'"),
	                 1);
	assert_int_equal(count(b, "SELECT count(*) FROM transfers WHERE state "
	                          "= 'accepted'"),
	                 1);
	/* answered once */
	assert_int_equal(
		op(b, "member.accept",
	           json_pack("{s:s, s:s, s:s}", "release", release, "cell",
	                     "01", "reported_on", "2026-11-06"),
	           NULL, &eb),
		CB_ERULE);
	assert_non_null(strstr(eb.msg, "already accepted"));
	assert_int_equal(op(b, "member.decline",
	                    json_pack("{s:s, s:s}", "release", release, "on",
	                              "2026-11-06"),
	                    NULL, &eb),
	                 CB_ERULE);
}

static void
test_the_releasing_side(void **state)
{
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(op(a, "member.update",
	                    json_pack("{s:s, s:s}", "member", member,
	                              "work_category", "retired"),
	                    NULL, &eb),
	                 CB_ERULE);
	assert_non_null(strstr(eb.msg, "in transit"));
	assert_int_equal(
		op(a, "member.release",
	           json_pack("{s:s, s:s, s:s, s:s, s:s}", "member", member,
	                     "to_org", "07299", "letter_no", "9", "letter_date",
	                     "2026-11-03", "on", "2026-11-03"),
	           NULL, &eb),
		CB_ERULE);
	assert_non_null(strstr(eb.msg, "in transit"));
}

static void
test_only_the_addressee_answers(void **state)
{
	struct cb_ledger *c = replica("07299");
	struct cb_accept_result r;
	struct cb_errbuf eb;

	(void)state;
	must(c, "cell.create",
	     json_pack("{s:s, s:s, s:s}", "code", "01", "name", "Chi bộ",
	               "kind", "residential"),
	     NULL);
	for (size_t i = 0; i < na; i++)
		deliver(c, &chain_a[i], &r);
	assert_int_equal(
		op(c, "member.accept",
	           json_pack("{s:s, s:s, s:s}", "release", release, "cell",
	                     "01", "reported_on", "2026-11-05"),
	           NULL, &eb),
		CB_ESCOPE);
	assert_non_null(strstr(eb.msg, "addressed to '07298'"));
	cb_ledger_free(&c);
}

static uint64_t rng;

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* The digest of what every observer must agree on: the tables and the
 * verdicts, leaving out each observer's own organisation (its own key). */
static void
digest(struct cb_ledger *lg, unsigned char out[64])
{
	static const char *const q[] = {
		"SELECT * FROM orgs WHERE code NOT LIKE '0999%' ORDER BY code",
		"SELECT " CB_SQL_MEMBER_COLS " FROM members ORDER BY id",
		"SELECT m.id, s.entry, s.cell, s.kind, s.since, s.until FROM "
		"memberships s JOIN members m ON m.mkey = s.member ORDER BY "
		"m.id, s.entry",
		"SELECT * FROM transfers ORDER BY release",
		"SELECT * FROM ratings ORDER BY subject, period, stage",
		"SELECT id, state, reason FROM entries WHERE id NOT IN (SELECT "
		"entry FROM orgs WHERE code LIKE '0999%') ORDER BY id",
	};
	struct cb_errbuf eb;

	assert_int_equal(cb_project_digest_over(lg->st, q, 6, NULL, out, &eb),
	                 CB_OK);
	memset(out + 32, 0, 32);
}

static void
test_any_interleaving_gives_the_same_tables(void **state)
{
	unsigned char want[64], got[64];
	bool have = false;
	int cases = getenv("CHIBO_TRANSFER_CASES")
	                    ? atoi(getenv("CHIBO_TRANSFER_CASES"))
	                    : 60;

	(void)state;
	for (int seed = 1; seed <= cases; seed++) {
		struct cb_ledger *x = replica("09999");
		struct cb_accept_result r;
		size_t ia = 0, ib = 0;

		rng = 0x9e3779b97f4a7c15ull * (uint64_t)seed;
		while (ia < na || ib < nb) {
			bool pick_a = ib == nb || (ia < na && next_rand() % 2);
			const struct cb_buf *s =
				pick_a ? &chain_a[ia++] : &chain_b[ib++];

			deliver(x, s, &r);
			if (next_rand() % 4 == 0) /* a duplicate */
				deliver(x, s, &r);
		}
		if (count(x, "SELECT count(*) FROM entries WHERE state = "
		             "'pending'") != 0 ||
		    count(x, "SELECT count(*) FROM entries WHERE state = "
		             "'rejected'") != 0)
			fail_msg("seed %d: pending or rejected entries left",
			         seed);
		digest(x, got);
		if (have && memcmp(want, got, sizeof(got)))
			fail_msg("seed %d: the tables differ", seed);
		memcpy(want, got, sizeof(got));
		have = true;
		cb_ledger_free(&x);
	}
}

static void
test_an_acceptance_before_its_release_waits(void **state)
{
	struct cb_ledger *x = replica("09998");
	struct cb_accept_result r;

	(void)state;
	/* B's whole chain first: the acceptance and the edit after it wait */
	for (size_t i = 0; i < nb; i++)
		deliver(x, &chain_b[i], &r);
	assert_int_equal(count(x, "SELECT count(*) FROM entries WHERE state "
	                          "= 'pending'"),
	                 2);
	for (size_t i = 0; i < na; i++)
		deliver(x, &chain_a[i], &r);
	assert_int_equal(count(x, "SELECT count(*) FROM entries WHERE state "
	                          "= 'pending'"),
	                 0);
	assert_int_equal(count(x, "SELECT count(*) FROM members WHERE org = "
	                          "'07298' AND work_category = "
	                          "'commune-cadre'"),
	                 1);
	/* a rebuild gives the same */
	{
		unsigned char before[64], after[64];
		struct cb_errbuf eb;

		digest(x, before);
		assert_int_equal(cb_ledger_rebuild(x, NULL, NULL, &eb), CB_OK);
		digest(x, after);
		assert_memory_equal(before, after, 64);
	}
	cb_ledger_free(&x);
}

static void
push(struct cb_ledger *hub, struct cb_ledger *from, const struct cb_buf *chain,
     size_t n, struct cb_push_result *r)
{
	struct cb_buf all = CB_BUF_INIT;
	struct cb_errbuf eb;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(cb_buf_add(&all, chain[i].data, chain[i].len),
		                 0);
	if (cb_ingest_push(hub->st, from->key.pk, all.data, all.len, r, &eb))
		fail_msg("push: %s", eb.msg);
	assert_int_equal(r->status, 200);
	cb_buf_release(&all);
}

static void
test_a_hub_holds_an_early_acceptance_until_its_release(void **state)
{
	struct cb_ledger *hub = NULL;
	struct cb_push_result r;
	struct cb_errbuf eb;
	char path[128];
	json_t *init = json_pack("{s:s, s:s, s:s}", "code", "BG.LG", "name",
	                         "Huyện ủy", "level", "district");

	(void)state;
	snprintf(path, sizeof(path), "%s/hub", root);
	assert_int_equal(
		cb_ledger_create_kind(path, &cb_ledger_hub, init, &hub, &eb),
		CB_OK);
	json_decref(init);
	for (int i = 0; i < 2; i++) {
		char key[65];

		cb_hex_encode((i ? b : a)->key.pk, 32, key);
		must(hub, "key.enroll",
		     json_pack("{s:s, s:s, s:s}", "key", key, "org",
		               i ? "07298" : "07297", "role", "commune"),
		     NULL);
	}
	/* Tân Hưng got the release another way (a bundle) and syncs first */
	push(hub, b, chain_b, nb, &r);
	assert_int_equal(r.accepted, nb);
	assert_int_equal(r.pending, 2);
	assert_int_equal(count(hub, "SELECT count(*) FROM members"), 0);
	push(hub, a, chain_a, na, &r);
	assert_int_equal(r.pending, 0);
	assert_int_equal(count(hub, "SELECT count(*) FROM entries WHERE state "
	                            "<> 'applied'"),
	                 0);
	assert_int_equal(count(hub, "SELECT count(*) FROM members WHERE org = "
	                            "'07298' AND work_category = "
	                            "'commune-cadre'"),
	                 1);
	/* the authority adds a day off; a commune key may not */
	{
		char due[11];

		must(hub, "calendar.holiday",
		     json_pack("{s:s, s:s}", "date", "2026-03-16", "name",
		               "Nghỉ bù"),
		     NULL);
		assert_int_equal(
			cb_calendar_due(hub->st, "2026-01-30", 30, due, &eb),
			CB_OK);
		assert_string_equal(due, "2026-03-23");
		assert_int_equal(op(a, "calendar.holiday",
		                    json_pack("{s:s, s:s}", "date",
		                              "2026-03-17", "name", "Giả"),
		                    NULL, &eb),
		                 CB_ERULE);
	}
	{
		struct cb_verify_report vr;

		assert_int_equal(cb_ledger_verify(hub, &vr, NULL, NULL, &eb),
		                 CB_OK);
	}
	cb_ledger_free(&hub);
}

static void
test_working_days_skip_weekends_and_holidays(void **state)
{
	struct cb_errbuf eb;
	char due[11];

	(void)state;
	/* Friday 2 January 2026: six plain weeks */
	assert_int_equal(cb_calendar_due(a->st, "2026-01-02", 30, due, &eb),
	                 CB_OK);
	assert_string_equal(due, "2026-02-13");
	/* Friday 30 January 2026: Tết (16-20 February) is a week off */
	assert_int_equal(cb_calendar_due(a->st, "2026-01-30", 30, due, &eb),
	                 CB_OK);
	assert_string_equal(due, "2026-03-20");
	/* the same through SQL, as the transfers list asks it */
	{
		sqlite3_stmt *s;

		sqlite3_prepare_v2(cb_store_db(a->st),
		                   "SELECT chibo_due('2026-04-24', 3)", -1, &s,
		                   NULL);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		/* Fri 24 April; Mon 27, Tue 28, Wed 29; Thu 30 April is off */
		assert_string_equal((const char *)sqlite3_column_text(s, 0),
		                    "2026-04-29");
		sqlite3_finalize(s);
	}
	assert_int_not_equal(cb_calendar_due(a->st, "2026-13-01", 3, due, &eb),
	                     CB_OK);
}

/* A replica of schema 13 whose projection rejected another commune's
 * member for a card number one of its own members holds, opened by this
 * chibo: the migration drops the unique index, and the replica is
 * projected again under rules 2 — both members kept, the tables equal
 * a fresh projection (verify), once. */
static void
test_a_store_under_the_old_rules_is_projected_again(void **state)
{
	struct cb_ledger *c = replica("07299");
	struct cb_accept_result r;
	struct cb_verify_report vr;
	struct cb_errbuf eb;
	char path[160], dir[128], *rules = NULL;
	sqlite3 *db;

	(void)state;
	must(c, "cell.create",
	     json_pack("{s:s, s:s, s:s}", "code", "01", "name", "Chi bộ",
	               "kind", "residential"),
	     NULL);
	must(c, "member.add",
	     json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "full_name",
	               "Lý Văn Tám", "birth_date", "1975-01-01", "sex", "male",
	               "card_no", "07297001", "admitted_on", "2000-01-01",
	               "cell", "01"),
	     NULL);
	for (size_t i = 0; i < na; i++)
		deliver(c, &chain_a[i], &r);
	assert_int_equal(count(c, "SELECT count(*) FROM members WHERE "
	                          "card_no = '07297001'"),
	                 2);
	/* as chibo before schema 14 left it */
	snprintf(dir, sizeof(dir), "%s", c->dir);
	snprintf(path, sizeof(path), "%s/replica.db", dir);
	cb_ledger_free(&c);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(
			db,
			CB_TEST_UNDO_MEMBER_KEYS
			"DELETE FROM memberships WHERE member = (SELECT id "
			"FROM members WHERE card_no = '07297001' AND org = "
			"'07297'); DELETE FROM members WHERE card_no = "
			"'07297001' AND org = '07297'; UPDATE entries SET "
			"state = 'rejected', reason = 'party card number "
			"07297001 already belongs to member 0123456789ab' "
			"WHERE op = 'member.add' AND id NOT IN (SELECT id FROM "
			"members); DELETE FROM transfers; DROP INDEX "
			"members_card; CREATE UNIQUE INDEX members_card ON "
			"members (card_no); DROP INDEX entries_forks; ALTER "
			"TABLE entries DROP COLUMN evidence; CREATE INDEX "
			"entries_forks ON entries (author) WHERE reason LIKE "
			"'fork:%'; ALTER TABLE contacts DROP COLUMN "
			"created_max; ALTER TABLE contacts DROP COLUMN "
			"refused; ALTER TABLE contacts DROP COLUMN "
			"refused_ms; DELETE FROM meta WHERE key IN ('rules', "
			"'self'); DROP TABLE authorities; DROP TABLE "
			"witnessed; DROP TABLE witnesses; DROP TABLE "
			"exemptions; DROP TABLE mergers; DROP TABLE org_moves; "
			"DROP TABLE successions; DROP INDEX "
			"entries_directory; DROP INDEX entries_author_lsn; "
			"DROP INDEX transfers_from; DROP INDEX "
			"temporaries_from; DROP INDEX members_org_born; "
			"DROP TRIGGER chibo_fold; DROP VIEW chibo_fold; "
			"DROP TABLE member_tally; DROP TABLE "
	                "member_tally_delta; "
			"DROP INDEX "
			"memberships_cell_since; DROP INDEX "
			"entries_pending_author; DROP TABLE meeting_marks; "
			"DROP INDEX attendance_excused; "
			"DROP TABLE rating_tally; "
			"DROP TABLE dashboard_sessions; "
			"DROP TABLE dashboard_accounts; "
			"PRAGMA user_version = 13",
			NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	if (cb_ledger_open(dir, &c, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(count(c, "SELECT count(*) FROM members WHERE "
	                          "card_no = '07297001'"),
	                 2);
	assert_int_equal(count(c, "SELECT count(*) FROM entries WHERE state "
	                          "= 'rejected'"),
	                 0);
	assert_int_equal(cb_store_meta_get(c->st, "rules", &rules, &eb), CB_OK);
	assert_int_equal(atoi(rules), CB_PROJECT_RULES);
	free(rules);
	assert_int_equal(cb_ledger_verify(c, &vr, NULL, NULL, &eb), CB_OK);
	cb_ledger_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_accepting_side),
		cmocka_unit_test(test_the_releasing_side),
		cmocka_unit_test(test_only_the_addressee_answers),
		cmocka_unit_test(test_any_interleaving_gives_the_same_tables),
		cmocka_unit_test(test_an_acceptance_before_its_release_waits),
		cmocka_unit_test(
			test_a_hub_holds_an_early_acceptance_until_its_release),
		cmocka_unit_test(test_working_days_skip_weekends_and_holidays),
		cmocka_unit_test(
			test_a_store_under_the_old_rules_is_projected_again),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

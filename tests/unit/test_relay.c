/* SPDX-License-Identifier: MIT */
/* test_relay.c — a province hub taking a district hub's log (a relay,
 * ingest.h): the district hub's key enrolled with the role 'hub' for its
 * committee; the district's own log (its hub.init, the commune it enrolled,
 * the commune's records) relayed byte for byte, projected at the province
 * as at the district, a second relay all duplicates; and what a lower hub
 * must not do — drop an entry, change a byte — refused with nothing
 * applied; an enrolment outside its subtree kept, rejected; and hub.join,
 * the chain of authority above the district. */
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
#include "ingest.h"
#include "ledger.h"
#include "log.h"
#include "sql.h"
#include "stream.h"

static char root[64];
static struct cb_ledger *prov, *dist, *commune;

static struct cb_ledger *
make(const char *dir, const struct cb_ledger_kind *kind, json_t *init)
{
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	if (cb_ledger_create_kind(path, kind, init, &lg, &eb))
		fail_msg("%s: %s", dir, eb.msg);
	json_decref(init);
	return lg;
}

static void
record(struct cb_ledger *lg, const char *op, json_t *in)
{
	struct cb_errbuf eb;

	if (cb_ledger_append(lg, op, in, NULL, &eb))
		fail_msg("%s: %s", op, eb.msg);
	json_decref(in);
}

static void
enroll(struct cb_ledger *by, const struct cb_ledger *whom, const char *org,
       const char *role, const char *parent)
{
	char key[65];

	cb_hex_encode(whom->key.pk, 32, key);
	record(by, "key.enroll",
	       json_pack("{s:s, s:s, s:s, s:s}", "key", key, "org", org, "role",
	                 role, "parent", parent));
}

static void
member(const char *card)
{
	record(commune, "member.add",
	       json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "full_name",
	                 "Nguyễn Thị Hoa", "birth_date", "1985-03-02", "sex",
	                 "female", "card_no", card, "admitted_on", "2010-05-19",
	                 "cell", "01"));
}

static cb_err
add(void *ctx, int64_t lsn, const void *bytes, size_t len)
{
	(void)lsn;
	return cb_stream_append_bytes(ctx, bytes, len);
}

/* The commune pushes its chain (from seq after + 1) to the district. */
static void
push(uint64_t after)
{
	struct cb_buf s = CB_BUF_INIT;
	struct cb_push_result r;
	struct cb_errbuf eb;

	assert_int_equal(cb_log_read_chain(cb_store_log(commune->st),
	                                   commune->key.pk, after, 0, add, &s,
	                                   &eb),
	                 CB_OK);
	if (cb_ingest_push(dist->st, commune->key.pk, s.data, s.len, &r, &eb))
		fail_msg("push: %s", eb.msg);
	assert_int_equal(r.status, 200);
	cb_buf_release(&s);
}

/* The district's log after position after, as a stream. */
static void
district_log(int64_t after, struct cb_buf *s)
{
	struct cb_errbuf eb;

	assert_int_equal(cb_log_read_after(cb_store_log(dist->st), after, 0,
	                                   add, s, &eb),
	                 CB_OK);
}

static long long
count(struct cb_ledger *lg, const char *sql)
{
	struct cb_errbuf eb;
	struct cb_stmt *s;
	long long n;

	assert_int_equal(cb_sql_prepare(lg->st, sql, &s, &eb), CB_OK);
	assert_int_equal(cb_sql_step(s), CB_SQL_ROW);
	n = cb_sql_column_int64(s, 0);
	cb_sql_finalize(s);
	return n;
}

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(root, sizeof(root), "/tmp/chibo-relay-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	prov = make("prov", &cb_ledger_hub,
	            json_pack("{s:s, s:s, s:s}", "code", "BG", "name",
	                      "Tỉnh ủy Bắc Giang", "level", "province"));
	dist = make("dist", &cb_ledger_hub,
	            json_pack("{s:s, s:s, s:s, s:s}", "code", "BG.LG", "name",
	                      "Huyện ủy Lạng Giang", "level", "district",
	                      "parent", "BG"));
	commune = make("commune", &cb_ledger_agent,
	               json_pack("{s:s, s:s, s:s, s:s}", "code", "07297",
	                         "name", "Đảng bộ xã Quế Nham", "kind",
	                         "party-committee", "parent", "BG.LG"));
	enroll(prov, dist, "BG.LG", "hub", "BG");
	enroll(dist, commune, "07297", "commune", "BG.LG");
	record(commune, "cell.create",
	       json_pack("{s:s, s:s, s:s}", "code", "07297.01", "name",
	                 "Chi bộ thôn 1", "kind", "residential"));
	member("C0001");
	member("C0002");
	push(0);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	cb_ledger_free(&prov);
	cb_ledger_free(&dist);
	cb_ledger_free(&commune);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

/* Who may relay: the hub key, not a commune's. */
static void
test_admit(void **state)
{
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(cb_ingest_admit_hub(prov->st, dist->key.pk, &eb),
	                 CB_OK);
	assert_int_equal(cb_ingest_admit_hub(prov->st, commune->key.pk, &eb),
	                 CB_ECRYPTO); /* not enrolled here yet */
}

/* The district's whole log goes up and is projected as at the district;
 * again, it is all held. */
static void
test_relay(void **state)
{
	struct cb_buf s = CB_BUF_INIT;
	struct cb_push_result r;
	struct cb_errbuf eb;
	long long held = count(dist, "SELECT count(*) FROM entries");

	(void)state;
	district_log(0, &s);
	assert_int_equal(cb_ingest_relay(prov->st, s.data, s.len, &r, &eb),
	                 CB_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal((long long)r.accepted, held);
	assert_int_equal(r.rejected, 0);
	assert_int_equal(count(prov, "SELECT count(*) FROM members"), 2);
	assert_int_equal(count(prov, "SELECT count(*) FROM orgs WHERE code = "
	                             "'BG.LG' AND level = 'committee'"),
	                 1);
	assert_int_equal(cb_ingest_admit_hub(prov->st, commune->key.pk, &eb),
	                 CB_ESCOPE);
	assert_non_null(strstr(eb.msg, "not as a hub"));

	assert_int_equal(cb_ingest_relay(prov->st, s.data, s.len, &r, &eb),
	                 CB_OK);
	assert_int_equal(r.accepted, 0);
	assert_int_equal((long long)r.duplicates, held);
	cb_buf_release(&s);
}

/* A dropped entry is a gap (send from the author's head); a changed byte
 * a bad signature: nothing of either relay is kept. */
static void
test_tampered(void **state)
{
	struct cb_buf s = CB_BUF_INIT;
	struct cb_push_result r;
	struct cb_errbuf eb;
	int64_t size;
	long long before;

	(void)state;
	assert_int_equal(cb_log_size(cb_store_log(dist->st), &size, &eb),
	                 CB_OK);
	member("C0003");
	member("C0004");
	push(4);
	before = count(prov, "SELECT count(*) FROM entries");
	/* the last entry alone: C0003's is missing */
	district_log(size + 1, &s);
	assert_int_equal(cb_ingest_relay(prov->st, s.data, s.len, &r, &eb),
	                 CB_OK);
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(eb.msg, "gap: entry 6 follows 4; send from 5"));
	assert_int_equal(count(prov, "SELECT count(*) FROM entries"), before);
	cb_buf_release(&s);

	district_log(size, &s);
	s.data[s.len - 70] ^= 1; /* inside the last entry's signed bytes */
	assert_int_not_equal(cb_ingest_relay(prov->st, s.data, s.len, &r, &eb),
	                     CB_OK);
	assert_int_equal(count(prov, "SELECT count(*) FROM members"), 2);
	s.data[s.len - 70] ^= 1;
	assert_int_equal(cb_ingest_relay(prov->st, s.data, s.len, &r, &eb),
	                 CB_OK);
	assert_int_equal(count(prov, "SELECT count(*) FROM members"), 4);
	cb_buf_release(&s);
}

/* A lower hub enrolling a key outside the subtree it was delegated: the
 * entry is kept, rejected with the reason, and the relay goes on (the
 * lower hub's log cannot be rewritten, and its chain continues after
 * it); nothing of it applies. */
static void
test_outside(void **state)
{
	struct cb_ledger *x;
	struct cb_buf s = CB_BUF_INIT;
	struct cb_push_result r;
	struct cb_errbuf eb;
	int64_t size;

	(void)state;
	assert_int_equal(cb_log_size(cb_store_log(dist->st), &size, &eb),
	                 CB_OK);
	x = make("x", &cb_ledger_agent,
	         json_pack("{s:s, s:s, s:s, s:s}", "code", "08000", "name",
	                   "Đảng bộ xã khác", "kind", "party-committee",
	                   "parent", "BG"));
	enroll(dist, x, "08000", "commune", "BG");
	member("C0005");
	push(5);
	district_log(size, &s);
	assert_int_equal(cb_ingest_relay(prov->st, s.data, s.len, &r, &eb),
	                 CB_OK);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.accepted, 2);
	assert_int_equal(r.rejected, 1);
	assert_int_equal(count(prov, "SELECT count(*) FROM enrolments WHERE "
	                             "org = '08000'"),
	                 0);
	assert_int_equal(count(prov, "SELECT count(*) FROM entries WHERE op = "
	                             "'key.enroll' AND state = 'rejected' AND "
	                             "reason LIKE '%delegated ''BG.LG'' only'"),
	                 1);
	assert_int_equal(count(prov, "SELECT count(*) FROM members"), 5);
	cb_buf_release(&s);
	cb_ledger_free(&x);
}

/* hub.join: the district hub names the province's authority as the chain
 * above it. At the district (the author is its authority) that key
 * becomes an authority, and what it enrols counts there; at the province
 * the entry changes nothing, its key being the province's authority; a
 * hub.join naming another key is rejected there. */
static void
test_join(void **state)
{
	struct cb_ledger *y;
	struct cb_buf s = CB_BUF_INIT;
	struct cb_push_result r;
	struct cb_errbuf eb;
	char key[65];
	int64_t size;

	(void)state;
	assert_int_equal(cb_log_size(cb_store_log(dist->st), &size, &eb),
	                 CB_OK);
	cb_hex_encode(prov->key.pk, 32, key);
	record(dist, "hub.join",
	       json_pack("{s:s, s:s}", "authority", key, "above", "BG"));
	assert_int_equal(count(dist, "SELECT count(*) FROM authorities"), 1);
	/* the province enrols a commune of another district: at the
	 * district it is an enrolment by an authority now */
	y = make("y", &cb_ledger_agent,
	         json_pack("{s:s, s:s, s:s, s:s}", "code", "09000", "name",
	                   "Đảng bộ xã Tân Dĩnh", "kind", "party-committee",
	                   "parent", "BG"));
	enroll(prov, y, "09000", "commune", "BG");
	{
		struct cb_buf p = CB_BUF_INIT;
		struct cb_errbuf peb;
		int64_t psize;
		struct cb_accept_result ar;

		assert_int_equal(
			cb_log_size(cb_store_log(prov->st), &psize, &peb),
			CB_OK);
		assert_int_equal(cb_log_read_after(cb_store_log(prov->st),
		                                   psize - 1, 0, add, &p, &peb),
		                 CB_OK);
		assert_int_equal(cb_store_begin(dist->st, &peb), CB_OK);
		assert_int_equal(cb_accept_pulled(dist->st, dist->key.pk,
		                                  p.data, p.len, &ar, &peb),
		                 CB_OK);
		assert_int_equal(cb_store_commit(dist->st, &peb), CB_OK);
		assert_int_equal(ar.stored, 1);
		assert_int_equal(ar.rejected, 0);
		cb_buf_release(&p);
	}
	assert_int_equal(count(dist, "SELECT count(*) FROM enrolments WHERE "
	                             "org = '09000'"),
	                 1);
	/* up: applied, changing nothing */
	district_log(size, &s);
	assert_int_equal(cb_ingest_relay(prov->st, s.data, s.len, &r, &eb),
	                 CB_OK);
	assert_int_equal(r.rejected, 0);
	assert_int_equal(count(prov, "SELECT count(*) FROM authorities"), 0);
	cb_buf_release(&s);
	/* another chain than the province's */
	assert_int_equal(cb_log_size(cb_store_log(dist->st), &size, &eb),
	                 CB_OK);
	cb_hex_encode(y->key.pk, 32, key);
	record(dist, "hub.join", json_pack("{s:s}", "authority", key));
	district_log(size, &s);
	assert_int_equal(cb_ingest_relay(prov->st, s.data, s.len, &r, &eb),
	                 CB_OK);
	assert_int_equal(r.rejected, 1);
	assert_int_equal(count(prov, "SELECT count(*) FROM entries WHERE op = "
	                             "'hub.join' AND reason LIKE '%another "
	                             "chain of authority%'"),
	                 1);
	cb_buf_release(&s);
	cb_ledger_free(&y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_admit),    cmocka_unit_test(test_relay),
		cmocka_unit_test(test_tampered), cmocka_unit_test(test_outside),
		cmocka_unit_test(test_join),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

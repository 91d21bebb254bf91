/* SPDX-License-Identifier: MIT */
/* test_ingest.c — a hub's acceptance of pushed entries: the chain from the
 * head, gaps, duplicates, forks kept as evidence and freezing the author,
 * entries of another author or with a bad signature refused with nothing
 * stored, and enrolment (unenrolled, revoked). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ingest.h"
#include "ledger.h"
#include "stream.h"

static char dir[64];
static struct cb_ledger *hub;
static unsigned char pk[32], sk[64];
static struct cb_entry chain[6];

static void
build(struct cb_entry *e, uint64_t seq, const unsigned char *prev,
      const char *name)
{
	struct cb_entry_fields f = { 0 };
	json_t *body = json_pack("{s:s, s:s, s:s}", "code", "07297", "name",
	                         name, "kind", "party-committee");

	f.author = pk;
	f.secret_key = sk;
	f.seq = seq;
	f.prev = prev;
	f.time_ms = 1763683200000;
	f.op = seq == 1 ? "org.init" : "cell.rename";
	if (seq > 1) {
		json_decref(body);
		body = json_pack("{s:s, s:s}", "code", "07297.01", "name",
		                 name);
	}
	f.body = body;
	cb_entry_init(e);
	if (cb_entry_build(&f, e, NULL))
		fail_msg("build");
	json_decref(body);
}

static int
setup(void **state)
{
	struct cb_errbuf eb;
	json_t *init, *enroll;
	char key[65];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/chibo-ingest-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	strcat(dir, "/h");
	init = json_pack("{s:s, s:s, s:s}", "code", "BG.LG", "name", "Huyện",
	                 "level", "district");
	if (cb_ledger_create_kind(dir, &cb_ledger_hub, init, &hub, &eb))
		return -1;
	json_decref(init);
	crypto_sign_keypair(pk, sk);
	cb_hex_encode(pk, 32, key);
	enroll = json_pack("{s:s, s:s, s:s}", "key", key, "org", "07297",
	                   "role", "commune");
	if (cb_ledger_append(hub, "key.enroll", enroll, NULL, &eb))
		return -1;
	json_decref(enroll);
	for (int i = 0; i < 6; i++)
		build(&chain[i], (uint64_t)i + 1, i ? chain[i - 1].id : NULL,
		      "Đảng bộ xã Quế Nham");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	for (int i = 0; i < 6; i++)
		cb_entry_release(&chain[i]);
	cb_ledger_free(&hub);
	dir[strlen(dir) - 2] = 0;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static cb_err
push(int from, int to, struct cb_push_result *r, struct cb_errbuf *eb)
{
	struct cb_buf b = CB_BUF_INIT;
	cb_err rc;

	for (int i = from; i < to; i++)
		assert_int_equal(cb_stream_append(&b, &chain[i]), 0);
	rc = cb_ingest_push(hub->st, pk, b.data, b.len, r, eb);
	cb_buf_release(&b);
	return rc;
}

static long long
count(const char *sql)
{
	sqlite3_stmt *s;
	long long n;

	sqlite3_prepare_v2(cb_store_db(hub->st), sql, -1, &s, NULL);
	sqlite3_step(s);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void
test_chain_gap_duplicates_fork(void **state)
{
	struct cb_push_result r;
	struct cb_errbuf eb;
	struct cb_entry other;

	(void)state;
	assert_int_equal(cb_ingest_admit(hub->st, pk, &eb), 0);
	/* entries 1-2 */
	assert_int_equal(push(0, 2, &r, &eb), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.head, 2);
	assert_int_equal(r.accepted, 2);
	/* a gap: 4-5 while the hub holds up to 2 */
	assert_int_equal(push(3, 5, &r, &eb), 0);
	assert_int_equal(r.status, 409);
	assert_int_equal(r.head, 2);
	assert_int_equal(r.accepted, 0);
	assert_non_null(strstr(eb.msg, "gap: entry 4 follows 2; send from 3"));
	/* 1-4: two duplicates, two new */
	assert_int_equal(push(0, 4, &r, &eb), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.duplicates, 2);
	assert_int_equal(r.accepted, 2);
	assert_int_equal(r.head, 4);
	/* entry 2 renamed the cell that does not exist: rejected, kept */
	assert_int_equal(count("SELECT count(*) FROM entries WHERE state = "
	                       "'rejected'"),
	                 3);
	/* a fork: another entry 3 */
	build(&other, 3, chain[1].id, "Khác");
	{
		struct cb_buf b = CB_BUF_INIT;

		assert_int_equal(cb_stream_append(&b, &other), 0);
		assert_int_equal(cb_ingest_push(hub->st, pk, b.data, b.len, &r,
		                                &eb),
		                 0);
		cb_buf_release(&b);
	}
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(eb.msg, "fork: entry 3 differs"));
	assert_int_equal(count("SELECT count(*) FROM entries WHERE reason LIKE "
	                       "'fork:%'"),
	                 1);
	cb_entry_release(&other);
	/* the author is frozen, its head unchanged */
	assert_int_equal(cb_ingest_admit(hub->st, pk, &eb), CB_ERULE);
	assert_non_null(strstr(eb.msg, "frozen"));
	{
		uint64_t head;
		unsigned char id[32];

		assert_int_equal(cb_ledger_head(hub->st, pk, &head, id, &eb), 0);
		assert_int_equal(head, 4);
		assert_memory_equal(id, chain[3].id, 32);
	}
}

static void
test_refused_with_nothing_stored(void **state)
{
	unsigned char pk2[32], sk2[64];
	struct cb_push_result r;
	struct cb_errbuf eb;
	struct cb_buf b = CB_BUF_INIT;
	long long before = count("SELECT count(*) FROM entries");
	unsigned char *p;

	(void)state;
	/* an entry of another author than the request's key */
	assert_int_equal(cb_stream_append(&b, &chain[4]), 0);
	crypto_sign_keypair(pk2, sk2);
	assert_int_equal(cb_ingest_push(hub->st, pk2, b.data, b.len, &r, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "another author"));
	/* a bad signature */
	p = b.data + b.len - 1;
	*p ^= 1;
	assert_int_equal(cb_ingest_push(hub->st, pk, b.data, b.len, &r, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "signature does not verify"));
	/* a malformed stream */
	assert_int_equal(cb_ingest_push(hub->st, pk, b.data, b.len - 3, &r,
	                                &eb),
	                 CB_EINVAL);
	assert_int_equal(count("SELECT count(*) FROM entries"), before);
	cb_buf_release(&b);
	/* unenrolled */
	assert_int_equal(cb_ingest_admit(hub->st, pk2, &eb), CB_ECRYPTO);
	assert_non_null(strstr(eb.msg, "not enrolled"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_gap_duplicates_fork),
		cmocka_unit_test(test_refused_with_nothing_stored),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

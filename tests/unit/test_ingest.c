/* SPDX-License-Identifier: MIT */
/* test_ingest.c — a hub's acceptance of pushed entries: the chain from the
 * head, gaps, duplicates, forks kept as evidence and freezing the author,
 * entries of another author or with a bad signature refused with nothing
 * stored, and enrolment (unenrolled, revoked). A long push with a bad
 * signature at its end or in its middle stores nothing; one verified far
 * ahead of its projection, or behind it, ends as a sequential one does.
 * A push that keeps the hub's log signs what it stored. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include <time.h>

#include "ingest.h"
#include "store_sqlite.h"
#include "ledger.h"
#include "project.h"
#include "stream.h"
#include "tlog.h"

static char dir[64];
static struct cb_ledger *hub;
static unsigned char pk[32], sk[64];
static struct cb_entry chain[6];

static void
build(struct cb_entry *e, uint64_t seq, const unsigned char *prev,
      const char *name)
{
	struct cb_entry_fields f = { 0 };
	json_t *body =
		json_pack("{s:s, s:s, s:s, s:s}", "code", "07297", "name", name,
	                  "kind", "party-committee", "parent", "BG.LG");

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
		assert_int_equal(
			cb_ingest_push(hub->st, pk, b.data, b.len, &r, &eb), 0);
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

		assert_int_equal(cb_ledger_head(hub->st, pk, &head, id, &eb),
		                 0);
		assert_int_equal(head, 4);
		assert_memory_equal(id, chain[3].id, 32);
	}
}

/* key's enrolment marked revoked, or not, behind the hub's back */
static void
set_revoked(const unsigned char *key, bool revoked)
{
	char hex[65], sql[256];

	cb_hex_encode(key, 32, hex);
	snprintf(sql, sizeof(sql),
	         "UPDATE enrolments SET revoked_by = %s, revoked_on = %s "
	         "WHERE key = '%s'",
	         revoked ? "x'01'" : "NULL", revoked ? "'2026-12-06'" : "NULL",
	         hex);
	assert_int_equal(
		sqlite3_exec(cb_store_db(hub->st), sql, NULL, NULL, NULL),
		SQLITE_OK);
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
	assert_int_equal(
		cb_ingest_push(hub->st, pk, b.data, b.len - 3, &r, &eb),
		CB_EINVAL);
	assert_int_equal(count("SELECT count(*) FROM entries"), before);
	cb_buf_release(&b);
	/* unenrolled */
	assert_int_equal(cb_ingest_admit(hub->st, pk2, &eb), CB_ECRYPTO);
	assert_non_null(strstr(eb.msg, "not enrolled"));
	/* refused as unenrolled, or as frozen (the fork of
	 * test_chain_gap_duplicates_fork): not as revoked (the hub records a
	 * revoked key's requests only) */
	bool revoked = true;

	assert_int_equal(cb_ingest_admit_revoked(hub->st, pk2, &revoked, &eb),
	                 CB_ECRYPTO);
	assert_false(revoked);
	revoked = true;
	assert_int_equal(cb_ingest_admit_revoked(hub->st, pk, &revoked, &eb),
	                 CB_ERULE);
	assert_false(revoked);
	/* revoked: refused, and said so */
	set_revoked(pk, true);
	assert_int_equal(cb_ingest_admit_revoked(hub->st, pk, &revoked, &eb),
	                 CB_ECRYPTO);
	assert_true(revoked);
	assert_non_null(strstr(eb.msg, "was revoked"));
	assert_int_equal(cb_ingest_admit(hub->st, pk, &eb), CB_ECRYPTO);
	set_revoked(pk, false);
}

/* A long push: a second commune's log of BIG entries (org.init,
 * cell.create, member.add…) as one stream, offs[i] the byte offset of
 * entry i + 1. Made once; each test takes copies of one hub made with the
 * commune enrolled, so that their digests can be compared. */
#define BIG 3000
static struct cb_buf big;
static size_t offs[BIG + 1];
static unsigned char big_pk[32];
static int hubs;

static void
make_big(void)
{
	struct cb_ledger *lg, *h;
	struct cb_errbuf eb;
	char path[128], key[65];
	json_t *o;
	sqlite3_stmt *s;
	size_t n = 0;

	if (big.len)
		return;
	snprintf(path, sizeof(path), "%.*s/big", (int)strlen(dir) - 2, dir);
	o = json_pack("{s:s, s:s, s:s, s:s}", "code", "07298", "name",
	              "Đảng bộ xã Tân Dĩnh", "kind", "party-committee",
	              "parent", "BG.LG");
	assert_int_equal(cb_ledger_create(path, o, &lg, &eb), 0);
	json_decref(o);
	memcpy(big_pk, lg->key.pk, 32);
	assert_int_equal(cb_ledger_begin(lg, &eb), 0);
	o = json_pack("{s:s, s:s, s:s}", "code", "01", "name", "Chi bộ 1",
	              "kind", "residential");
	assert_int_equal(cb_ledger_append(lg, "cell.create", o, NULL, &eb), 0);
	json_decref(o);
	for (unsigned i = 0; i < BIG - 2; i++) {
		static const char *const names[] = { "Nguyễn Văn Hợp",
			                             "Trần Thị Lan",
			                             "Lê Đức Tuấn" };
		char card[16], nid[16], birth[16];

		snprintf(card, sizeof(card), "%08u", 20000000 + i);
		snprintf(nid, sizeof(nid), "0792%08u", i);
		snprintf(birth, sizeof(birth), "%04u-%02u-%02u", 1950 + i % 40,
		         1 + i % 12, 1 + i % 28);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		              "full_name", names[i % 3], "birth_date", birth,
		              "sex", i % 2 ? "male" : "female", "card_no", card,
		              "national_id", nid, "admitted_on", "2015-05-19",
		              "cell", "01");
		if (cb_ledger_append(lg, "member.add", o, NULL, &eb))
			fail_msg("member.add: %s", eb.msg);
		json_decref(o);
	}
	assert_int_equal(cb_ledger_commit(lg, &eb), 0);
	sqlite3_prepare_v2(cb_store_db(lg->st),
	                   "SELECT bytes FROM entries ORDER BY seq", -1, &s,
	                   NULL);
	while (sqlite3_step(s) == SQLITE_ROW) {
		offs[n++] = big.len;
		assert_int_equal(
			cb_buf_add_be32(&big,
		                        (uint32_t)sqlite3_column_bytes(s, 0)),
			0);
		assert_int_equal(cb_buf_add(&big, sqlite3_column_blob(s, 0),
		                            (size_t)sqlite3_column_bytes(s, 0)),
		                 0);
	}
	sqlite3_finalize(s);
	assert_int_equal(n, BIG);
	offs[BIG] = big.len;
	cb_ledger_free(&lg);
	/* the hub every test copies */
	snprintf(path, sizeof(path), "%.*s/hub0", (int)strlen(dir) - 2, dir);
	o = json_pack("{s:s, s:s, s:s}", "code", "BG.LG", "name", "Huyện",
	              "level", "district");
	assert_int_equal(
		cb_ledger_create_kind(path, &cb_ledger_hub, o, &h, &eb), 0);
	json_decref(o);
	cb_hex_encode(big_pk, 32, key);
	o = json_pack("{s:s, s:s, s:s}", "key", key, "org", "07298", "role",
	              "commune");
	assert_int_equal(cb_ledger_append(h, "key.enroll", o, NULL, &eb), 0);
	json_decref(o);
	cb_ledger_free(&h);
}

/* A copy of hub0: the same entries, the same digest. */
static struct cb_ledger *
hub_copy(void)
{
	struct cb_ledger *h;
	struct cb_errbuf eb;
	char cmd[256], path[128];
	int base = (int)strlen(dir) - 2;

	make_big();
	snprintf(path, sizeof(path), "%.*s/hub%d", base, dir, ++hubs);
	snprintf(cmd, sizeof(cmd), "cp -a %.*s/hub0 %s", base, dir, path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(cb_ledger_open_kind(path, &cb_ledger_hub, &h, &eb), 0);
	return h;
}

static long long
count_in(struct cb_ledger *h, const char *sql)
{
	sqlite3_stmt *s;
	long long n;

	sqlite3_prepare_v2(cb_store_db(h->st), sql, -1, &s, NULL);
	sqlite3_step(s);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* A bad signature at entry seq of the long push: refused, nothing of the
 * entries before it stored. */
static void
refused_at(size_t seq)
{
	struct cb_ledger *h = hub_copy();
	unsigned char *p = malloc(big.len);
	struct cb_push_result r;
	struct cb_errbuf eb;
	char want[64];

	memcpy(p, big.data, big.len);
	p[offs[seq] - 1] ^= 1; /* the last byte of its signature */
	assert_int_equal(cb_ingest_push(h->st, big_pk, p, big.len, &r, &eb),
	                 CB_EINVAL);
	snprintf(want, sizeof(want), "entry %zu of author", seq);
	assert_non_null(strstr(eb.msg, want));
	assert_non_null(strstr(eb.msg, "signature does not verify"));
	assert_int_equal(count_in(h, "SELECT count(*) FROM entries"), 2);
	assert_int_equal(count_in(h, "SELECT count(*) FROM members"), 0);
	/* the good stream goes in whole */
	assert_int_equal(
		cb_ingest_push(h->st, big_pk, big.data, big.len, &r, &eb), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.accepted, BIG);
	assert_int_equal(r.rejected, 0);
	assert_int_equal(count_in(h, "SELECT count(*) FROM members"), BIG - 2);
	free(p);
	cb_ledger_free(&h);
}

static void
test_bad_signature_at_the_end(void **state)
{
	(void)state;
	refused_at(BIG);
}

static void
test_bad_signature_in_the_middle(void **state)
{
	(void)state;
	refused_at(BIG / 2);
}

/* Entries from..to of the long push, with v set up by opts (NULL: the
 * defaults), into h. */
static void
push_big(struct cb_ledger *h, size_t from, size_t to,
         const struct cb_verifier_opts *opts, unsigned settle_ms,
         struct cb_push_result *r)
{
	struct cb_verifier *v =
		cb_verifier_new(big.data + offs[from], offs[to] - offs[from],
	                        CB_PUSH_MAX_ENTRIES, opts);
	struct cb_errbuf eb;

	assert_non_null(v);
	if (settle_ms) {
		/* let the workers get ahead before the reader starts */
		struct timespec ts = { 0, (long)settle_ms * 1000000L };

		nanosleep(&ts, NULL);
	}
	assert_int_equal(cb_ingest_push_from(h->st, big_pk, v, NULL, r, &eb),
	                 0);
	cb_verifier_free(&v);
}

/* However far verification runs ahead of the projection or lags behind
 * it, the hub ends up as verifying each entry just before storing it
 * (no worker) leaves it: the same counts, the same digest. Two pushes
 * that overlap, so that the second has duplicates. */
static void
test_ahead_or_behind_same_result(void **state)
{
	static const struct cb_verifier_opts sequential = { .threads = 0 };
	static const struct {
		struct cb_verifier_opts opts;
		unsigned settle_ms;
	} setups[] = {
		{ { .threads = 1, .window = 100000 }, 300 },  /* far ahead */
		{ { .threads = 2, .job_delay_us = 300 }, 0 }, /* behind */
		{ { .threads = 2, .window = 1 }, 0 },         /* in step */
		{ { .threads = CB_VERIFIER_MAX_THREADS, .window = 8 }, 0 },
		{ { .threads = -1 }, 0 },
	};
	struct cb_push_result want[2], got[2];
	unsigned char want_digest[32], digest[32];
	struct cb_errbuf eb;
	struct cb_ledger *h = hub_copy();

	(void)state;
	push_big(h, 0, 1800, &sequential, 0, &want[0]);
	push_big(h, 1200, BIG, &sequential, 0, &want[1]);
	assert_int_equal(want[0].accepted, 1800);
	assert_int_equal(want[1].duplicates, 600);
	assert_int_equal(want[1].head, BIG);
	assert_int_equal(cb_project_digest(h->st, want_digest, &eb), 0);
	cb_ledger_free(&h);
	for (size_t i = 0; i < sizeof(setups) / sizeof(setups[0]); i++) {
		h = hub_copy();
		push_big(h, 0, 1800, &setups[i].opts, setups[i].settle_ms,
		         &got[0]);
		push_big(h, 1200, BIG, &setups[i].opts, setups[i].settle_ms,
		         &got[1]);
		for (int k = 0; k < 2; k++) {
			assert_int_equal(got[k].head, want[k].head);
			assert_int_equal(got[k].accepted, want[k].accepted);
			assert_int_equal(got[k].rejected, want[k].rejected);
			assert_int_equal(got[k].duplicates, want[k].duplicates);
			assert_int_equal(got[k].status, want[k].status);
		}
		assert_int_equal(cb_project_digest(h->st, digest, &eb), 0);
		assert_memory_equal(digest, want_digest, 32);
		cb_ledger_free(&h);
	}
}

/* A push that keeps the hub's log extends the Merkle tree as it goes and
 * signs a checkpoint of every entry it stored, in its own transaction:
 * the same tree and root as a push followed by cb_tlog_sign. */
static void
test_push_keeps_the_log(void **state)
{
	struct cb_ledger *h[2] = { hub_copy(), hub_copy() };
	uint8_t root[2][32];
	uint64_t size[2], added;
	struct cb_push_result r;
	struct cb_errbuf eb;

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct cb_ingest_log log = { h[k]->org, h[k]->key.sk };
		struct cb_verifier *v = cb_verifier_new(
			big.data, big.len, CB_PUSH_MAX_ENTRIES, NULL);
		char *note = NULL;

		assert_non_null(v);
		assert_int_equal(cb_ingest_push_from(h[k]->st, big_pk, v,
		                                     k ? NULL : &log, &r, &eb),
		                 0);
		cb_verifier_free(&v);
		assert_int_equal(r.accepted, BIG);
		if (k) {
			assert_int_equal(cb_store_begin(h[k]->st, &eb), 0);
			assert_int_equal(cb_tlog_sign(cb_store_log(h[k]->st),
			                              h[k]->org, h[k]->key.sk,
			                              &eb),
			                 0);
			assert_int_equal(cb_store_commit(h[k]->st, &eb), 0);
		}
		assert_int_equal(cb_tlog_checkpoint_latest(
					 cb_store_log(h[k]->st), &size[k],
					 root[k], &note, &eb),
		                 0);
		free(note);
		assert_int_equal(size[k], count_in(h[k], "SELECT count(*) "
		                                         "FROM entries"));
		assert_int_equal(cb_store_begin(h[k]->st, &eb), 0);
		assert_int_equal(
			cb_tlog_catch_up(cb_store_log(h[k]->st), &added, &eb),
			0);
		cb_store_rollback(h[k]->st);
		assert_int_equal(added, 0);
	}
	assert_int_equal(size[0], size[1]);
	assert_memory_equal(root[0], root[1], 32);
	cb_ledger_free(&h[0]);
	cb_ledger_free(&h[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_gap_duplicates_fork),
		cmocka_unit_test(test_refused_with_nothing_stored),
		cmocka_unit_test(test_bad_signature_at_the_end),
		cmocka_unit_test(test_bad_signature_in_the_middle),
		cmocka_unit_test(test_ahead_or_behind_same_result),
		cmocka_unit_test(test_push_keeps_the_log),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

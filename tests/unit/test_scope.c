/* SPDX-License-Identifier: MIT */
/* test_scope.c — what a key may read of a hub's log, read at every cursor
 * and every page size (no request of a commune's returns another's member
 * records), paging that loses and repeats nothing, an auditor reading all,
 * and an agent taking in what it was sent: the same scope digest as the
 * hub's, duplicates counted, and forgeries (a bad signature, its own key's
 * entry, a different entry at a held seq) refused or kept as evidence. */
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
#include "store_sqlite.h"
#include "ingest.h"
#include "ledger.h"
#include "scope.h"
#include "stream.h"

static char root[64];
static struct cb_ledger *hub, *a, *b, *x;

static struct cb_ledger *
commune(const char *name, const char *code, const char *role)
{
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	char path[128], key[65];
	json_t *init =
		json_pack("{s:s, s:s, s:s, s:s}", "code", code, "name", name,
	                  "kind", "party-committee", "parent", "BG.LG");
	json_t *enroll;

	snprintf(path, sizeof(path), "%s/%s", root, code);
	if (cb_ledger_create(path, init, &lg, &eb))
		fail_msg("%s", eb.msg);
	json_decref(init);
	cb_hex_encode(lg->key.pk, 32, key);
	enroll = json_pack("{s:s, s:s, s:s}", "key", key, "org", code, "role",
	                   role);
	if (cb_ledger_append(hub, "key.enroll", enroll, NULL, &eb))
		fail_msg("%s", eb.msg);
	json_decref(enroll);
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
member(struct cb_ledger *lg, const char *name, const char *card)
{
	record(lg, "member.add",
	       json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "full_name", name,
	                 "birth_date", "1980-01-01", "sex", "male", "card_no",
	                 card, "admitted_on", "2005-01-01", "cell", "01"));
}

/* Push lg's entries from seq `from` on to the hub. */
static void
push(struct cb_ledger *lg, uint64_t from)
{
	struct cb_buf s = CB_BUF_INIT;
	struct cb_push_result r;
	struct cb_errbuf eb;
	sqlite3_stmt *q;

	sqlite3_prepare_v2(cb_store_db(lg->st),
	                   "SELECT bytes FROM entries WHERE author = ? AND "
	                   "seq >= ? ORDER BY seq",
	                   -1, &q, NULL);
	sqlite3_bind_blob(q, 1, lg->key.pk, 32, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)from);
	while (sqlite3_step(q) == SQLITE_ROW) {
		uint32_t n = (uint32_t)sqlite3_column_bytes(q, 0);

		assert_int_equal(cb_buf_add_be32(&s, n), 0);
		assert_int_equal(cb_buf_add(&s, sqlite3_column_blob(q, 0), n),
		                 0);
	}
	sqlite3_finalize(q);
	if (cb_ingest_push(hub->st, lg->key.pk, s.data, s.len, &r, &eb))
		fail_msg("push: %s", eb.msg);
	assert_int_equal(r.status, 200);
	cb_buf_release(&s);
}

static int
setup(void **state)
{
	struct cb_errbuf eb;
	char path[128];
	json_t *init;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(root, sizeof(root), "/tmp/chibo-scope-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(path, sizeof(path), "%s/hub", root);
	init = json_pack("{s:s, s:s, s:s}", "code", "BG.LG", "name",
	                 "Huyện ủy Lạng Giang", "level", "district");
	if (cb_ledger_create_kind(path, &cb_ledger_hub, init, &hub, &eb))
		return -1;
	json_decref(init);
	a = commune("Đảng bộ xã Quế Nham", "07297", "commune");
	b = commune("Đảng bộ xã Tân Hưng", "07298", "commune");
	x = commune("Ủy ban Kiểm tra", "UBKT", "auditor");
	for (int i = 0; i < 2; i++) {
		struct cb_ledger *lg = i ? b : a;

		record(lg, "cell.create",
		       json_pack("{s:s, s:s, s:s}", "code", "01", "name",
		                 "Chi bộ thôn Đông", "kind", "residential"));
	}
	member(a, "Nguyễn Văn Hợp", "a1");
	member(b, "Trần Thị Lan", "b1");
	member(b, "Lê Văn Bình", "b2");
	/* interleaved on the hub's log */
	push(b, 1);
	push(a, 1);
	push(x, 1);
	member(a, "Phạm Thị Hoa", "a2");
	push(a, 4);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	cb_ledger_free(&a);
	cb_ledger_free(&b);
	cb_ledger_free(&x);
	cb_ledger_free(&hub);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd) == 0 ? 0 : -1;
}

static int64_t
log_end(void)
{
	sqlite3_stmt *s;
	int64_t n;

	sqlite3_prepare_v2(cb_store_db(hub->st), "SELECT max(lsn) FROM entries",
	                   -1, &s, NULL);
	sqlite3_step(s);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Read the whole scope in pages of `limit` from `after`: the number of
 * entries, checking each with ok(). */
static size_t
walk(const struct cb_scope *sc, int64_t after, size_t limit,
     void (*ok)(const struct cb_entry *e, const struct cb_scope *sc),
     struct cb_buf *all)
{
	struct cb_scope_page pg;
	struct cb_errbuf eb;
	size_t total = 0;

	do {
		struct cb_buf out = CB_BUF_INIT;
		struct cb_stream_reader rd;
		struct cb_entry e = CB_ENTRY_INIT;
		int64_t before = after;

		assert_int_equal(cb_scope_read(hub->st, sc, after, limit,
		                               1u << 20, &out, &pg, &eb),
		                 CB_OK);
		assert_true(pg.count <= limit);
		cb_stream_reader_init(&rd, out.data, out.len);
		while (cb_stream_next(&rd, &e, &eb) == CB_OK) {
			ok(&e, sc);
			total++;
		}
		assert_int_equal(rd.index, pg.count);
		if (all)
			assert_int_equal(cb_buf_add(all, out.data, out.len), 0);
		cb_entry_release(&e);
		cb_buf_release(&out);
		after = pg.next;
		assert_true(after >= before);
	} while (pg.more);
	return total;
}

/* What a commune may read: never another's member records, never its
 * own entries back. */
static void
commune_may_read(const struct cb_entry *e, const struct cb_scope *sc)
{
	assert_memory_not_equal(e->author, sc->reader, 32);
	if (!memcmp(e->author, b->key.pk, 32))
		assert_true(!strcmp(e->op, "org.init") ||
		            !strcmp(e->op, "cell.create"));
	if (!strcmp(e->op, "member.add"))
		assert_memory_equal(e->author, a->key.pk, 32);
}

static void
anything(const struct cb_entry *e, const struct cb_scope *sc)
{
	assert_memory_not_equal(e->author, sc->reader, 32);
}

static void
test_no_cursor_or_page_reads_another_communes_members(void **state)
{
	struct cb_scope sc;
	struct cb_errbuf eb;
	int64_t end = log_end();
	size_t full;

	(void)state;
	/* c: a third commune reading, enrolled like the others */
	assert_int_equal(cb_scope_of(hub->st, b->key.pk, &sc, &eb), CB_OK);
	assert_string_equal(sc.root, "07298");
	assert_false(sc.all);
	/* read as a, every cursor, every page size */
	assert_int_equal(cb_scope_of(hub->st, a->key.pk, &sc, &eb), CB_OK);
	full = walk(&sc, 0, 1000, commune_may_read, NULL);
	/* the hub's own 4 (hub.init, 3 enrolments), b's org.init and
	 * cell.create, x's org.init: a's own 4 are not sent back */
	assert_int_equal(full, 7);
	for (int64_t after = 0; after <= end + 2; after++)
		for (size_t limit = 1; limit <= 8; limit++)
			walk(&sc, after, limit, commune_may_read, NULL);
	assert_int_equal(walk(&sc, 0, 1, commune_may_read, NULL), full);
	/* beyond the end: nothing, and the cursor stays */
	{
		struct cb_buf out = CB_BUF_INIT;
		struct cb_scope_page pg;

		assert_int_equal(cb_scope_read(hub->st, &sc, end + 100, 10,
		                               1u << 20, &out, &pg, &eb),
		                 CB_OK);
		assert_int_equal(pg.count, 0);
		assert_false(pg.more);
		cb_buf_release(&out);
	}
}

static void
test_an_auditor_reads_everything_but_its_own(void **state)
{
	struct cb_scope sc;
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(cb_scope_of(hub->st, x->key.pk, &sc, &eb), CB_OK);
	assert_true(sc.all);
	assert_int_equal(walk(&sc, 0, 3, anything, NULL), log_end() - 1);
}

static void
test_an_unenrolled_key_has_no_scope(void **state)
{
	unsigned char pk[32], sk[64];
	struct cb_scope sc;
	struct cb_errbuf eb;

	(void)state;
	crypto_sign_keypair(pk, sk);
	assert_int_equal(cb_scope_of(hub->st, pk, &sc, &eb), CB_ENOTFOUND);
	assert_non_null(strstr(eb.msg, "not enrolled"));
}

/* The stream a's scope reads, taken in by a fresh replica of a's. */
static cb_err
take(const struct cb_buf *s, struct cb_accept_result *r, struct cb_errbuf *eb)
{
	cb_err rc;

	assert_int_equal(cb_store_begin(a->st, NULL), CB_OK);
	rc = cb_accept_pulled(a->st, a->key.pk, s->data, s->len, r, eb);
	if (rc)
		cb_store_rollback(a->st);
	else
		assert_int_equal(cb_store_commit(a->st, NULL), CB_OK);
	return rc;
}

static long long
entries_of(struct cb_ledger *lg)
{
	sqlite3_stmt *s;
	long long n;

	sqlite3_prepare_v2(cb_store_db(lg->st), "SELECT count(*) FROM entries",
	                   -1, &s, NULL);
	sqlite3_step(s);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static void
test_an_agent_takes_in_its_scope_and_refuses_forgeries(void **state)
{
	struct cb_buf all = CB_BUF_INIT, bad = CB_BUF_INIT;
	struct cb_accept_result r;
	struct cb_scope sc;
	struct cb_errbuf eb;
	unsigned char h[32], g[32];
	long long before = entries_of(a);

	(void)state;
	/* what 'chibo-agent hub --key' records: the hub is the authority */
	{
		char hk[65];

		cb_hex_encode(hub->key.pk, 32, hk);
		assert_int_equal(cb_store_meta_set(a->st, "authority", hk, &eb),
		                 CB_OK);
	}
	assert_int_equal(cb_scope_of(hub->st, a->key.pk, &sc, &eb), CB_OK);
	walk(&sc, 0, 1000, commune_may_read, &all);

	/* a flipped bit in the last signature: nothing taken in */
	assert_int_equal(cb_buf_add(&bad, all.data, all.len), 0);
	bad.data[bad.len - 1] ^= 1;
	assert_int_not_equal(take(&bad, &r, &eb), CB_OK);
	assert_non_null(strstr(eb.msg, "from the hub"));
	assert_int_equal(entries_of(a), before);

	/* a truncated stream: nothing taken in */
	bad.len -= 3;
	bad.data[bad.len - 1] ^= 1;
	assert_int_not_equal(take(&bad, &r, &eb), CB_OK);
	assert_non_null(strstr(eb.msg, "truncated"));
	assert_int_equal(entries_of(a), before);

	/* this replica's own entry, sent back: refused */
	cb_buf_reset(&bad);
	{
		sqlite3_stmt *s;

		sqlite3_prepare_v2(cb_store_db(a->st),
		                   "SELECT bytes FROM entries WHERE seq = 2 "
		                   "AND author = ?",
		                   -1, &s, NULL);
		sqlite3_bind_blob(s, 1, a->key.pk, 32, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(
			cb_buf_add_be32(&bad,
		                        (uint32_t)sqlite3_column_bytes(s, 0)),
			0);
		assert_int_equal(cb_buf_add(&bad, sqlite3_column_blob(s, 0),
		                            (size_t)sqlite3_column_bytes(s, 0)),
		                 0);
		sqlite3_finalize(s);
	}
	assert_int_equal(take(&bad, &r, &eb), CB_ECHAIN);
	assert_int_equal(entries_of(a), before);

	/* the real thing, then again: all duplicates */
	assert_int_equal(take(&all, &r, &eb), CB_OK);
	assert_int_equal(r.stored, 7);
	assert_int_equal(r.forks, 0);
	assert_int_equal(take(&all, &r, &eb), CB_OK);
	assert_int_equal(r.stored, 0);
	assert_int_equal(r.duplicates, 7);
	assert_int_equal(cb_scope_digest(hub->st, "07297", h, &eb), CB_OK);
	assert_int_equal(cb_scope_digest(a->st, "07297", g, &eb), CB_OK);
	assert_memory_equal(h, g, 32);

	/* b signs another entry with a seq a already holds (a fork): kept
	 * as evidence, not projected */
	{
		struct cb_entry_fields f = { 0 };
		struct cb_entry e = CB_ENTRY_INIT, org = CB_ENTRY_INIT;
		sqlite3_stmt *s;
		json_t *body =
			json_pack("{s:s, s:s, s:s}", "code", "07298.09", "name",
		                  "Chi bộ giả", "kind", "residential");

		sqlite3_prepare_v2(cb_store_db(b->st),
		                   "SELECT bytes FROM entries WHERE seq = 1",
		                   -1, &s, NULL);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(
			cb_entry_decode(sqlite3_column_blob(s, 0),
		                        (size_t)sqlite3_column_bytes(s, 0),
		                        &org, &eb),
			CB_OK);
		sqlite3_finalize(s);
		f.author = b->key.pk;
		f.secret_key = b->key.sk;
		f.seq = 2;
		f.prev = org.id;
		f.time_ms = cb_now_ms();
		f.op = "cell.create";
		f.body = body;
		assert_int_equal(cb_entry_build(&f, &e, &eb), CB_OK);
		cb_buf_reset(&bad);
		assert_int_equal(cb_stream_append(&bad, &e), 0);
		assert_int_equal(take(&bad, &r, &eb), CB_OK);
		assert_int_equal(r.forks, 1);
		assert_int_equal(r.stored, 0);
		cb_entry_release(&e);
		cb_entry_release(&org);
		json_decref(body);
	}
	cb_buf_release(&all);
	cb_buf_release(&bad);
}

/* An entry by key (pk, sk) with body, appended to out as a stream. */
static void
signed_entry(const unsigned char *pk, const unsigned char *sk, uint64_t seq,
             const unsigned char *prev, const char *op, json_t *body,
             struct cb_entry *e, struct cb_buf *out)
{
	struct cb_entry_fields f = { 0 };
	struct cb_errbuf eb;

	f.author = pk;
	f.secret_key = sk;
	f.seq = seq;
	f.prev = prev;
	f.time_ms = cb_now_ms();
	f.op = op;
	f.body = body;
	cb_entry_init(e);
	if (cb_entry_build(&f, e, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(cb_stream_append(out, e), 0);
	json_decref(body);
}

static long long
count_in(struct cb_ledger *lg, const char *sql)
{
	sqlite3_stmt *s;
	long long n;

	sqlite3_prepare_v2(cb_store_db(lg->st), sql, -1, &s, NULL);
	sqlite3_step(s);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* A key no enrolment names, whose entries reach a replica that knows its
 * hub (a forged file, a hub gone bad): its organisation is not founded,
 * so its cell and member are not either, and no report counts them. */
static void
test_a_key_no_enrolment_names_founds_nothing(void **state)
{
	unsigned char pk[32], sk[64];
	struct cb_entry e[3];
	struct cb_buf s = CB_BUF_INIT;
	struct cb_accept_result r;
	struct cb_errbuf eb;
	char hk[65];
	long long members = count_in(a, "SELECT count(*) FROM members");

	(void)state;
	cb_hex_encode(hub->key.pk, 32, hk);
	assert_int_equal(cb_store_meta_set(a->st, "authority", hk, &eb), 0);
	crypto_sign_keypair(pk, sk);
	signed_entry(pk, sk, 1, NULL, "org.init",
	             json_pack("{s:s, s:s, s:s, s:s}", "code", "09999", "name",
	                       "Đảng bộ giả", "kind", "party-committee",
	                       "parent", "BG.LG"),
	             &e[0], &s);
	signed_entry(pk, sk, 2, e[0].id, "cell.create",
	             json_pack("{s:s, s:s, s:s}", "code", "09999.01", "name",
	                       "Chi bộ giả", "kind", "residential"),
	             &e[1], &s);
	signed_entry(pk, sk, 3, e[1].id, "member.add",
	             json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "full_name",
	                       "Người Lạ", "birth_date", "1980-01-01", "sex",
	                       "male", "card_no", "X-1", "admitted_on",
	                       "2005-01-01", "cell", "09999.01"),
	             &e[2], &s);
	assert_int_equal(take(&s, &r, &eb), CB_OK);
	assert_int_equal(r.stored, 3);
	assert_int_equal(r.rejected, 3);
	assert_int_equal(count_in(a, "SELECT count(*) FROM orgs WHERE code "
	                             "LIKE '09999%'"),
	                 0);
	assert_int_equal(count_in(a, "SELECT count(*) FROM members"), members);
	{
		sqlite3_stmt *q;

		sqlite3_prepare_v2(cb_store_db(a->st),
		                   "SELECT reason FROM entries WHERE seq = 1 "
		                   "AND author = ?",
		                   -1, &q, NULL);
		sqlite3_bind_blob(q, 1, pk, 32, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_non_null(strstr((const char *)sqlite3_column_text(q, 0),
		                       "which no enrolment in this store "
		                       "names"));
		sqlite3_finalize(q);
	}
	/* the replica's own org.init, before its enrolment, still holds */
	assert_int_equal(cb_ledger_rebuild(a, NULL, NULL, &eb), CB_OK);
	assert_int_equal(count_in(a, "SELECT count(*) FROM orgs WHERE code = "
	                             "'07297'"),
	                 1);
	for (int i = 0; i < 3; i++)
		cb_entry_release(&e[i]);
	cb_buf_release(&s);
}

/* A long pull (its signatures checked by a worker thread ahead of the
 * projection, verifier.h): one forged signature anywhere in it, or a
 * truncated end, and nothing of it is taken in; the message names the
 * entry. Then the stream as signed is taken whole. */
static void
test_a_long_pull_with_one_forgery_takes_nothing(void **state)
{
	enum { N = 300 };
	static const size_t forged[] = { 1, 2, 9, 150, N };
	unsigned char pk[32], sk[64];
	struct cb_entry e = CB_ENTRY_INIT;
	unsigned char prev[32];
	struct cb_buf s = CB_BUF_INIT, bad = CB_BUF_INIT;
	size_t end[N];
	struct cb_accept_result r;
	struct cb_errbuf eb;
	long long before = entries_of(a);

	(void)state;
	crypto_sign_keypair(pk, sk);
	for (size_t i = 0; i < N; i++) {
		char code[32];

		snprintf(code, sizeof(code), "09998.%03zu", i + 1);
		if (i)
			memcpy(prev, e.id, 32);
		cb_entry_release(&e);
		signed_entry(
			pk, sk, i + 1, i ? prev : NULL,
			i ? "cell.create" : "org.init",
			i ? json_pack("{s:s, s:s, s:s}", "code", code, "name",
		                      "Chi bộ xa", "kind", "residential")
			  : json_pack("{s:s, s:s, s:s, s:s}", "code", "09998",
		                      "name", "Đảng bộ xa", "kind",
		                      "party-committee", "parent", "BG.LG"),
			&e, &s);
		end[i] = s.len;
	}
	cb_entry_release(&e);
	for (size_t k = 0; k < sizeof(forged) / sizeof(forged[0]); k++) {
		char want[64];

		cb_buf_reset(&bad);
		assert_int_equal(cb_buf_add(&bad, s.data, s.len), 0);
		/* the last byte of entry forged[k]: its signature's */
		bad.data[end[forged[k] - 1] - 1] ^= 0x20;
		assert_int_equal(take(&bad, &r, &eb), CB_ECRYPTO);
		snprintf(want, sizeof(want), "entry %zu from the hub",
		         forged[k]);
		assert_non_null(strstr(eb.msg, want));
		assert_non_null(strstr(eb.msg, "signature"));
		assert_int_equal(entries_of(a), before);
	}
	/* cut inside the last entry */
	assert_int_not_equal(
		take(&(struct cb_buf){ .data = s.data, .len = s.len - 5 }, &r,
	             &eb),
		CB_OK);
	assert_non_null(strstr(eb.msg, "truncated"));
	assert_int_equal(entries_of(a), before);
	assert_int_equal(take(&s, &r, &eb), CB_OK);
	assert_int_equal(r.stored, N);
	assert_int_equal(entries_of(a), before + N);
	cb_buf_release(&s);
	cb_buf_release(&bad);
}

/* An enrolled key that writes what the projection rejects (a cell that
 * exists, again and again): kept at the hub, with its reason, but not
 * sent to other communes as directory. */
static void
test_rejected_directory_entries_stay_home(void **state)
{
	struct cb_buf s = CB_BUF_INIT;
	struct cb_entry e[4];
	struct cb_push_result pr;
	struct cb_scope sc;
	struct cb_scope_page pg;
	struct cb_stream_reader rd;
	struct cb_entry got = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	unsigned char head[32];
	uint64_t seq;
	size_t junk = 0;

	(void)state;
	assert_int_equal(cb_ledger_head(hub->st, b->key.pk, &seq, head, &eb),
	                 CB_OK);
	for (int i = 0; i < 4; i++)
		signed_entry(b->key.pk, b->key.sk, seq + 1 + (uint64_t)i,
		             i ? e[i - 1].id : head, "cell.create",
		             json_pack("{s:s, s:s, s:s}", "code", "07298.01",
		                       "name", "Chi bộ thôn Đông lần nữa",
		                       "kind", "residential"),
		             &e[i], &s);
	assert_int_equal(
		cb_ingest_push(hub->st, b->key.pk, s.data, s.len, &pr, &eb),
		CB_OK);
	assert_int_equal(pr.accepted, 4);
	assert_int_equal(pr.rejected, 4);
	assert_int_equal(cb_scope_of(hub->st, a->key.pk, &sc, &eb), CB_OK);
	cb_buf_reset(&s);
	assert_int_equal(
		cb_scope_read(hub->st, &sc, 0, 5000, 1u << 24, &s, &pg, &eb),
		CB_OK);
	cb_stream_reader_init(&rd, s.data, s.len);
	while (cb_stream_next(&rd, &got, &eb) == CB_OK)
		junk += !memcmp(got.author, b->key.pk, 32) && got.seq > seq;
	assert_int_equal(junk, 0);
	/* b reads its own subtree's rejections, as ever: not sent back to
	 * itself, but an office above it would get them */
	assert_int_equal(count_in(hub, "SELECT count(*) FROM entries WHERE "
	                               "state = 'rejected' AND op = "
	                               "'cell.create'"),
	                 4);
	cb_entry_release(&got);
	for (int i = 0; i < 4; i++)
		cb_entry_release(&e[i]);
	cb_buf_release(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_no_cursor_or_page_reads_another_communes_members),
		cmocka_unit_test(test_an_auditor_reads_everything_but_its_own),
		cmocka_unit_test(test_an_unenrolled_key_has_no_scope),
		cmocka_unit_test(
			test_an_agent_takes_in_its_scope_and_refuses_forgeries),
		cmocka_unit_test(test_a_key_no_enrolment_names_founds_nothing),
		cmocka_unit_test(
			test_a_long_pull_with_one_forgery_takes_nothing),
		cmocka_unit_test(test_rejected_directory_entries_stay_home),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

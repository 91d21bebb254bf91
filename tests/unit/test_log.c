/* SPDX-License-Identifier: MIT */
/* test_log.c — the log interface (log.h), one suite run against each
 * backend: the SQL one over a real store file, and the memory one. Both
 * must number entries from 1 without gaps, find heads and ids at a seq
 * with fork evidence left out, read after a position in order (and stop
 * when the reader says so), refuse an entry or a node or a checkpoint
 * twice, keep named cursors, and undo everything of a transaction that is
 * rolled back. The transparency log (tlog.h) written through either gives
 * the same tree. A page of a log (log_page.h) stops at its count and its
 * size and says whether the log goes on; a copy of a store opened as a
 * snapshot is read, and a -wal beside it SQLite would not read refused. */
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

#include "log.h"
#include "log_page.h"
#include "merkle.h"
#include "store.h"
#include "tlog.h"

static char dir[64];
static unsigned char pka[32], ska[64], pkb[32], skb[64];
static struct cb_entry a[3], a2x, b1;

static void
build(struct cb_entry *e, const unsigned char *pk, const unsigned char *sk,
      uint64_t seq, const unsigned char *prev, const char *name)
{
	struct cb_entry_fields f = { 0 };
	json_t *body = json_pack("{s:s}", "name", name);

	f.author = pk;
	f.secret_key = sk;
	f.seq = seq;
	f.prev = prev;
	f.time_ms = 1763683200000;
	f.op = "x.test";
	f.body = body;
	cb_entry_init(e);
	if (cb_entry_build(&f, e, NULL))
		fail_msg("build");
	json_decref(body);
}

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/chibo-test-log.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	crypto_sign_keypair(pka, ska);
	crypto_sign_keypair(pkb, skb);
	for (int i = 0; i < 3; i++)
		build(&a[i], pka, ska, (uint64_t)i + 1, i ? a[i - 1].id : NULL,
		      "a");
	build(&a2x, pka, ska, 2, a[0].id, "another a2");
	build(&b1, pkb, skb, 1, NULL, "b");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	for (int i = 0; i < 3; i++)
		cb_entry_release(&a[i]);
	cb_entry_release(&a2x);
	cb_entry_release(&b1);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

struct seen {
	int64_t lsn[16];
	size_t n, stop_after;
};

static cb_err
visit(void *ctx, int64_t lsn, const void *bytes, size_t len)
{
	struct seen *s = ctx;
	struct cb_entry e = CB_ENTRY_INIT;

	assert_int_equal(cb_entry_decode(bytes, len, &e, NULL), CB_OK);
	cb_entry_release(&e);
	s->lsn[s->n++] = lsn;
	return s->stop_after && s->n == s->stop_after ? CB_EEXIST : CB_OK;
}

/* The contract, whatever the backend. */
static void
contract(struct cb_log *log)
{
	struct cb_chain_head h;
	struct cb_errbuf eb;
	struct seen seen = { 0 };
	unsigned char id[32];
	uint8_t node[32], root[32], other[32];
	uint64_t size;
	int64_t lsn, v;
	char *note = NULL;

	/* empty */
	assert_int_equal(cb_log_size(log, &lsn, &eb), CB_OK);
	assert_int_equal(lsn, 0);
	assert_int_equal(cb_log_head(log, pka, &h, &eb), CB_OK);
	assert_int_equal(h.seq, 0);
	assert_int_equal(cb_log_tree_size(log, &size, &eb), CB_OK);
	assert_int_equal(size, 0);
	assert_int_equal(cb_log_checkpoint_latest(log, &size, root, &note, &eb),
	                 CB_ENOTFOUND);
	assert_int_equal(cb_log_cursor_get(log, "pull_cursor", &v, &eb),
	                 CB_ENOTFOUND);

	/* entries, numbered from 1 */
	assert_int_equal(cb_log_begin(log, &eb), CB_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cb_log_append(log, &a[i], "applied", NULL,
		                               false, &lsn, &eb),
		                 CB_OK);
		assert_int_equal(lsn, i + 1);
	}
	assert_int_equal(
		cb_log_append(log, &b1, "rejected", "why", false, &lsn, &eb),
		CB_OK);
	assert_int_equal(lsn, 4);
	assert_int_equal(
		cb_log_append(log, &a[1], "applied", NULL, false, &lsn, &eb),
		CB_EEXIST);
	/* another a2, kept as evidence: not part of a's chain */
	assert_int_equal(cb_log_append(log, &a2x, "rejected", "fork: …", true,
	                               &lsn, &eb),
	                 CB_OK);
	assert_int_equal(lsn, 5);
	assert_int_equal(cb_log_commit(log, &eb), CB_OK);

	assert_int_equal(cb_log_size(log, &lsn, &eb), CB_OK);
	assert_int_equal(lsn, 5);
	assert_int_equal(cb_log_head(log, pka, &h, &eb), CB_OK);
	assert_int_equal(h.seq, 3);
	assert_memory_equal(h.id, a[2].id, 32);
	assert_int_equal(cb_log_head(log, pkb, &h, &eb), CB_OK);
	assert_int_equal(h.seq, 1);
	assert_int_equal(cb_log_id_at(log, pka, 2, id, &eb), CB_OK);
	assert_memory_equal(id, a[1].id, 32);
	assert_int_equal(cb_log_id_at(log, pka, 4, id, &eb), CB_ENOTFOUND);
	assert_int_equal(cb_log_id_at(log, pkb, 2, id, &eb), CB_ENOTFOUND);
	assert_int_equal(cb_log_lsn_of(log, b1.id, &lsn, &eb), CB_OK);
	assert_int_equal(lsn, 4);
	assert_int_equal(cb_log_lsn_of(log, a2x.id, &lsn, &eb), CB_OK);
	assert_int_equal(lsn, 5);
	memset(id, 9, 32);
	assert_int_equal(cb_log_lsn_of(log, id, &lsn, &eb), CB_ENOTFOUND);

	/* an author's chain after a seq, evidence left out */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(cb_log_read_chain(log, pka, 1, 0, visit, &seen, &eb),
	                 CB_OK);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.lsn[0], 2);
	assert_int_equal(seen.lsn[1], 3);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(cb_log_read_chain(log, pka, 0, 2, visit, &seen, &eb),
	                 CB_OK);
	assert_int_equal(seen.n, 2);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(cb_log_read_chain(log, pkb, 1, 0, visit, &seen, &eb),
	                 CB_OK);
	assert_int_equal(seen.n, 0);
	memset(&seen, 0, sizeof(seen));

	/* read after a position, in order; at most max; stopped */
	assert_int_equal(cb_log_read_after(log, 2, 0, visit, &seen, &eb),
	                 CB_OK);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.lsn[0], 3);
	assert_int_equal(seen.lsn[2], 5);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(cb_log_read_after(log, 0, 2, visit, &seen, &eb),
	                 CB_OK);
	assert_int_equal(seen.n, 2);
	memset(&seen, 0, sizeof(seen));
	seen.stop_after = 1;
	assert_int_equal(cb_log_read_after(log, 0, 0, visit, &seen, &eb),
	                 CB_EEXIST);
	assert_int_equal(seen.n, 1);

	/* nodes, checkpoints, cursors */
	memset(node, 1, 32);
	memset(other, 2, 32);
	assert_int_equal(cb_log_begin(log, &eb), CB_OK);
	assert_int_equal(cb_log_node_put(log, 0, 0, node, &eb), CB_OK);
	assert_int_equal(cb_log_node_put(log, 0, 1, other, &eb), CB_OK);
	assert_int_equal(cb_log_node_put(log, 1, 0, node, &eb), CB_OK);
	assert_int_equal(cb_log_node_put(log, 0, 1, node, &eb), CB_EEXIST);
	assert_int_equal(cb_log_checkpoint_add(log, 2, node, "two\n", 1, &eb),
	                 CB_OK);
	assert_int_equal(cb_log_checkpoint_add(log, 4, other, "four\n", 2, &eb),
	                 CB_OK);
	assert_int_equal(cb_log_checkpoint_add(log, 4, node, "again\n", 3, &eb),
	                 CB_EEXIST);
	assert_int_equal(cb_log_cursor_set(log, "pull_cursor", 41, &eb), CB_OK);
	assert_int_equal(cb_log_cursor_set(log, "pull_cursor", 42, &eb), CB_OK);
	assert_int_equal(cb_log_commit(log, &eb), CB_OK);
	assert_int_equal(cb_log_node_get(log, 0, 1, root, &eb), CB_OK);
	assert_memory_equal(root, other, 32);
	assert_int_equal(cb_log_node_get(log, 2, 0, root, &eb), CB_ENOTFOUND);
	assert_int_equal(cb_log_tree_size(log, &size, &eb), CB_OK);
	assert_int_equal(size, 2);
	assert_int_equal(cb_log_checkpoint_latest(log, &size, root, &note, &eb),
	                 CB_OK);
	assert_int_equal(size, 4);
	assert_memory_equal(root, other, 32);
	assert_string_equal(note, "four\n");
	free(note);
	assert_int_equal(cb_log_cursor_get(log, "pull_cursor", &v, &eb), CB_OK);
	assert_int_equal(v, 42);

	/* a rollback undoes all of it */
	{
		struct cb_entry c = CB_ENTRY_INIT;

		build(&c, pkb, skb, 2, b1.id, "b2");
		assert_int_equal(cb_log_begin(log, &eb), CB_OK);
		assert_int_equal(cb_log_append(log, &c, "applied", NULL, false,
		                               &lsn, &eb),
		                 CB_OK);
		assert_int_equal(cb_log_node_put(log, 0, 2, node, &eb), CB_OK);
		assert_int_equal(
			cb_log_checkpoint_add(log, 5, node, "five\n", 4, &eb),
			CB_OK);
		assert_int_equal(cb_log_cursor_set(log, "pull_cursor", 7, &eb),
		                 CB_OK);
		assert_int_equal(cb_log_cursor_set(log, "other", 8, &eb),
		                 CB_OK);
		cb_log_rollback(log);
		assert_int_equal(cb_log_size(log, &lsn, &eb), CB_OK);
		assert_int_equal(lsn, 5);
		assert_int_equal(cb_log_head(log, pkb, &h, &eb), CB_OK);
		assert_int_equal(h.seq, 1);
		assert_int_equal(cb_log_tree_size(log, &size, &eb), CB_OK);
		assert_int_equal(size, 2);
		assert_int_equal(
			cb_log_checkpoint_latest(log, &size, root, &note, &eb),
			CB_OK);
		assert_int_equal(size, 4);
		free(note);
		assert_int_equal(cb_log_cursor_get(log, "pull_cursor", &v, &eb),
		                 CB_OK);
		assert_int_equal(v, 42);
		assert_int_equal(cb_log_cursor_get(log, "other", &v, &eb),
		                 CB_ENOTFOUND);
		/* and the position is taken again */
		assert_int_equal(cb_log_begin(log, &eb), CB_OK);
		assert_int_equal(cb_log_append(log, &c, "applied", NULL, false,
		                               &lsn, &eb),
		                 CB_OK);
		assert_int_equal(lsn, 6);
		assert_int_equal(cb_log_commit(log, &eb), CB_OK);
		cb_entry_release(&c);
	}

	/* many nodes at once: more than a statement's batch, then a batch
	 * holding a node stored already, which is named and undone */
	{
		struct cb_log_node many[75];

		for (size_t i = 0; i < 75; i++) {
			many[i].level = 5;
			many[i].idx = i;
			memset(many[i].hash, (int)i, 32);
		}
		assert_int_equal(cb_log_begin(log, &eb), CB_OK);
		assert_int_equal(cb_log_nodes_put(log, many, 70, &eb), CB_OK);
		assert_int_equal(cb_log_commit(log, &eb), CB_OK);
		assert_int_equal(cb_log_node_get(log, 5, 69, root, &eb), CB_OK);
		assert_memory_equal(root, many[69].hash, 32);
		assert_int_equal(cb_log_node_get(log, 5, 33, root, &eb), CB_OK);
		assert_memory_equal(root, many[33].hash, 32);
		assert_int_equal(cb_log_node_get(log, 5, 70, root, &eb),
		                 CB_ENOTFOUND);
		for (size_t i = 0; i < 40; i++)
			many[i].idx = 100 + i;
		many[35].idx = 12; /* held already */
		assert_int_equal(cb_log_begin(log, &eb), CB_OK);
		assert_int_equal(cb_log_nodes_put(log, many, 40, &eb),
		                 CB_EEXIST);
		assert_non_null(strstr(eb.msg, "(5, 12)"));
		cb_log_rollback(log);
		assert_int_equal(cb_log_node_get(log, 5, 100, root, &eb),
		                 CB_ENOTFOUND);
		assert_int_equal(cb_log_node_get(log, 5, 12, root, &eb), CB_OK);
		assert_memory_equal(root, many[12].hash, 32);
	}
}

static void
test_sql_backend(void **state)
{
	struct cb_store *st = NULL;
	struct cb_errbuf eb;
	char path[96];

	(void)state;
	snprintf(path, sizeof(path), "%s/sql.db", dir);
	assert_int_equal(cb_store_open(path, true, &st, &eb), CB_OK);
	assert_non_null(cb_store_log(st));
	contract(cb_store_log(st));
	cb_store_free(&st);
}

static void
test_memory_backend(void **state)
{
	struct cb_log *log = cb_log_mem_new();

	(void)state;
	assert_non_null(log);
	contract(log);
	cb_log_free(&log);
	assert_null(log);
}

/* Entries a1..a3 and b1 appended to log, at positions 1..4. */
static void
fill(struct cb_log *log)
{
	const struct cb_entry *all[] = { &a[0], &a[1], &a[2], &b1 };
	struct cb_errbuf eb;

	assert_int_equal(cb_log_begin(log, &eb), CB_OK);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(cb_log_append(log, all[i], "applied", NULL,
		                               false, NULL, &eb),
		                 CB_OK);
	assert_int_equal(cb_log_commit(log, &eb), CB_OK);
}

/* Pages of log, which holds a1..a3 and b1. */
static void
pages(struct cb_log *log)
{
	struct cb_buf out = CB_BUF_INIT;
	struct cb_log_page pg;
	struct cb_errbuf eb;

	/* by count: two, and more after */
	assert_int_equal(cb_log_page(log, 0, 2, 0, &out, &pg, &eb), CB_OK);
	assert_int_equal(pg.count, 2);
	assert_int_equal(pg.next, 2);
	assert_true(pg.more);
	assert_int_equal(out.len, 8 + a[0].len + a[1].len);
	assert_memory_equal(out.data + 4, a[0].bytes, a[0].len);
	/* the rest: none after */
	cb_buf_reset(&out);
	assert_int_equal(cb_log_page(log, pg.next, 5, 0, &out, &pg, &eb),
	                 CB_OK);
	assert_int_equal(pg.count, 2);
	assert_int_equal(pg.next, 4);
	assert_false(pg.more);
	/* by size: an entry that would pass it waits for the next page */
	cb_buf_reset(&out);
	assert_int_equal(
		cb_log_page(log, 0, 5, a[0].len + a[1].len - 1, &out, &pg, &eb),
		CB_OK);
	assert_int_equal(pg.count, 1);
	assert_int_equal(pg.next, 1);
	assert_true(pg.more);
	/* past the end: empty, where it was asked from */
	cb_buf_reset(&out);
	assert_int_equal(cb_log_page(log, 4, 5, 0, &out, &pg, &eb), CB_OK);
	assert_int_equal(pg.count, 0);
	assert_int_equal(pg.next, 4);
	assert_false(pg.more);
	assert_int_equal(out.len, 0);
	cb_buf_release(&out);
}

static void
test_page(void **state)
{
	struct cb_log *log = cb_log_mem_new();

	(void)state;
	assert_non_null(log);
	fill(log);
	pages(log);
	cb_log_free(&log);
}

static void
test_snapshot(void **state)
{
	struct cb_store *st = NULL;
	struct cb_errbuf eb;
	char path[96], wal[104];
	int64_t lsn;
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/copy.db", dir);
	assert_int_equal(cb_store_open(path, true, &st, &eb), CB_OK);
	fill(cb_store_log(st));
	cb_store_free(&st);
	assert_int_equal(cb_store_open_snapshot(path, &st, &eb), CB_OK);
	assert_int_equal(cb_log_size(cb_store_log(st), &lsn, &eb), CB_OK);
	assert_int_equal(lsn, 4);
	pages(cb_store_log(st));
	cb_store_free(&st);
	/* a -wal SQLite would not read leaves entries out: refused */
	snprintf(wal, sizeof(wal), "%s-wal", path);
	assert_non_null(fp = fopen(wal, "wb"));
	assert_int_equal(fwrite("not a write-ahead log, not at all", 1, 33, fp),
	                 33);
	fclose(fp);
	assert_int_equal(cb_store_open_snapshot(path, &st, &eb), CB_EIO);
	assert_non_null(strstr(eb.msg, "chibo-hub backup"));
	assert_null(st);
	unlink(wal);
}

/* The transparency log through either backend: the same leaves, the same
 * root, the same proofs, and a checkpoint signed over them. */
static void
test_tlog_over_either(void **state)
{
	struct cb_store *st = NULL;
	struct cb_log *logs[2];
	struct cb_errbuf eb;
	unsigned char hpk[32], hsk[64];
	uint8_t root[2][32], path[2][CB_MERKLE_MAX_PATH][32];
	size_t np[2];
	char fpath[96];

	(void)state;
	snprintf(fpath, sizeof(fpath), "%s/tlog.db", dir);
	assert_int_equal(cb_store_open(fpath, true, &st, &eb), CB_OK);
	logs[0] = cb_store_log(st);
	logs[1] = cb_log_mem_new();
	crypto_sign_keypair(hpk, hsk);
	for (int k = 0; k < 2; k++) {
		uint64_t added = 0, size;
		char *note = NULL;

		assert_int_equal(cb_log_begin(logs[k], &eb), CB_OK);
		for (int i = 0; i < 3; i++)
			assert_int_equal(cb_log_append(logs[k], &a[i],
			                               "applied", NULL, false,
			                               NULL, &eb),
			                 CB_OK);
		assert_int_equal(cb_tlog_catch_up(logs[k], &added, &eb), CB_OK);
		assert_int_equal(added, 3);
		assert_int_equal(cb_log_append(logs[k], &b1, "applied", NULL,
		                               false, NULL, &eb),
		                 CB_OK);
		assert_int_equal(cb_tlog_sign(logs[k], "T", hsk, &eb), CB_OK);
		assert_int_equal(cb_log_commit(logs[k], &eb), CB_OK);
		assert_int_equal(cb_tlog_size(logs[k], &size, &eb), CB_OK);
		assert_int_equal(size, 4);
		assert_int_equal(
			cb_merkle_root(cb_tlog_node, logs[k], 4, root[k], &eb),
			CB_OK);
		assert_int_equal(
			cb_merkle_inclusion_proof(cb_tlog_node, logs[k], 1, 4,
		                                  path[k], &np[k], &eb),
			CB_OK);
		assert_int_equal(cb_tlog_checkpoint_latest(logs[k], &size,
		                                           root[k], &note, &eb),
		                 CB_OK);
		assert_int_equal(size, 4);
		assert_non_null(strstr(note, "chibo/hub/T\n4\n"));
		free(note);
	}
	assert_memory_equal(root[0], root[1], 32);
	assert_int_equal(np[0], np[1]);
	assert_memory_equal(path[0], path[1], np[0] * 32);
	cb_log_free(&logs[1]);
	cb_store_free(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql_backend),
		cmocka_unit_test(test_memory_backend),
		cmocka_unit_test(test_tlog_over_either),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_snapshot),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

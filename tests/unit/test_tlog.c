/* SPDX-License-Identifier: MIT */
/* test_tlog.c — the hub's stored transparency log, in a real SQLite file
 * opened by the store: catching up in uneven steps (and across reopening)
 * gives the root a stream over all the entries' bytes gives, with every
 * perfect subtree stored; inclusion and consistency proofs read from the
 * stored tree verify; a log whose lsn is not dense, a tree longer than the
 * log and a damaged tree are refused without changing the tree; the
 * checkpoints table. Prints the time catch_up takes for
 * $CHIBO_TLOG_LEAVES leaves (default 50,000); no assertion on it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "merkle.h"
#include "store_sqlite.h"
#include "store.h"
#include "tlog.h"

static char dir[64];

static struct cb_store *
open_store(const char *name)
{
	struct cb_store *st = NULL;
	struct cb_errbuf eb;
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (cb_store_open(path, true, &st, &eb))
		fail_msg("%s", eb.msg);
	return st;
}

/* The bytes of leaf i: any bytes will do, an entry's or not; one empty. */
static size_t
leaf_bytes(uint64_t i, uint8_t out[256])
{
	size_t n = i == 5 ? 0 : (size_t)(i * 13 % 200) + 1;

	for (size_t j = 0; j < n; j++)
		out[j] = (uint8_t)(i * 7 + j * 3);
	return n;
}

/* Insert entries with lsn first..first+count-1 straight into the table. */
static void
insert_entries(struct cb_store *st, uint64_t first, uint64_t count)
{
	sqlite3_stmt *s;
	uint8_t author[32] = { 0 };

	if (sqlite3_prepare_v2(cb_store_db(st),
	                       "INSERT INTO entries (lsn, id, author, seq, op, "
	                       "time_ms, bytes, state) VALUES (?, ?, ?, ?, "
	                       "'test.leaf', 0, ?, 'applied')",
	                       -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s", sqlite3_errmsg(cb_store_db(st)));
	for (uint64_t lsn = first; lsn < first + count; lsn++) {
		uint8_t bytes[256], id[32];
		size_t n = leaf_bytes(lsn - 1, bytes);

		crypto_hash_sha256(id, (const uint8_t *)&lsn, sizeof(lsn));
		sqlite3_bind_int64(s, 1, (sqlite3_int64)lsn);
		sqlite3_bind_blob(s, 2, id, 32, SQLITE_STATIC);
		sqlite3_bind_blob(s, 3, author, 32, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, (sqlite3_int64)lsn);
		sqlite3_bind_blob(s, 5, bytes, (int)n, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			fail_msg("%s", sqlite3_errmsg(cb_store_db(st)));
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
}

static uint64_t
catch_up(struct cb_store *st)
{
	struct cb_errbuf eb;
	uint64_t added = 0;

	if (cb_store_begin(st, &eb) ||
	    cb_tlog_catch_up(cb_store_log(st), &added, &eb) ||
	    cb_store_commit(st, &eb))
		fail_msg("%s", eb.msg);
	return added;
}

static uint64_t
tree_size(struct cb_store *st)
{
	struct cb_errbuf eb;
	uint64_t size;

	if (cb_tlog_size(cb_store_log(st), &size, &eb))
		fail_msg("%s", eb.msg);
	return size;
}

static int64_t
count_rows(struct cb_store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t n;

	if (sqlite3_prepare_v2(cb_store_db(st), sql, -1, &s, NULL) !=
	            SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		fail_msg("%s", sqlite3_errmsg(cb_store_db(st)));
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Every perfect subtree of a tree of size leaves is stored: size >> l at
 * level l, and nothing else. */
static void
check_every_node_stored(struct cb_store *st, uint64_t size)
{
	int64_t total = 0;
	char sql[128];

	for (unsigned l = 0; l < 64 && (size >> l); l++) {
		snprintf(sql, sizeof(sql),
		         "SELECT count(*) FROM tlog_nodes WHERE level = %u", l);
		if (count_rows(st, sql) != (int64_t)(size >> l))
			fail_msg("level %u holds %" PRId64
			         " nodes, not %" PRIu64,
			         l, count_rows(st, sql), size >> l);
		total += (int64_t)(size >> l);
	}
	assert_int_equal(count_rows(st, "SELECT count(*) FROM tlog_nodes"),
	                 total);
}

#define MAX_LEAVES 600

/* roots[s]: the root of the first s leaves, from a stream over the bytes */
static uint8_t roots[MAX_LEAVES + 1][32];

static void
stream_roots(void)
{
	struct cb_merkle_stream s;

	cb_merkle_stream_init(&s);
	for (uint64_t i = 0; i <= MAX_LEAVES; i++) {
		uint8_t bytes[256], h[32];
		size_t n;

		cb_merkle_stream_root(&s, roots[i]);
		if (i == MAX_LEAVES)
			break;
		n = leaf_bytes(i, bytes);
		cb_merkle_leaf_hash(bytes, n, h);
		cb_merkle_stream_append(&s, h);
	}
}

static const uint64_t steps[] = { 1, 2, 5, 13, 0, 64, 1, 100, 37, 256, 3 };

static void
test_catch_up_in_steps(void **state)
{
	struct cb_store *st = open_store("steps.db");
	struct cb_errbuf eb;
	uint64_t total = 0;
	uint8_t root[32];

	(void)state;
	stream_roots();
	assert_int_equal(tree_size(st), 0);
	assert_int_equal(catch_up(st), 0);
	if (cb_merkle_root(cb_tlog_node, cb_store_log(st), 0, root, &eb))
		fail_msg("%s", eb.msg);
	assert_memory_equal(root, roots[0], 32);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		insert_entries(st, total + 1, steps[i]);
		assert_int_equal(catch_up(st), steps[i]);
		total += steps[i];
		assert_int_equal(tree_size(st), total);
		if (cb_merkle_root(cb_tlog_node, cb_store_log(st), total, root,
		                   &eb))
			fail_msg("%s", eb.msg);
		if (memcmp(root, roots[total], 32) != 0)
			fail_msg("stored root of %" PRIu64 " differs from the "
			         "stream's",
			         total);
		check_every_node_stored(st, total);
		/* nothing new: nothing added */
		assert_int_equal(catch_up(st), 0);
		/* the right edge is loaded from the file, not remembered */
		if (i % 3 == 2) {
			cb_store_free(&st);
			st = open_store("steps.db");
		}
	}
	assert_true(total <= MAX_LEAVES);
	cb_store_free(&st);
}

static void
test_proofs_from_the_store(void **state)
{
	struct cb_store *st = open_store("steps.db"); /* the test above's */
	uint8_t path[CB_MERKLE_MAX_PATH][32], leaf[256], lh[32];
	const uint8_t(*cpath)[32] = (const uint8_t(*)[32])path;
	uint64_t size = tree_size(st), sizes[16], nsizes = 0, at = 0;
	struct cb_errbuf eb;
	size_t n;

	(void)state;
	assert_true(size > 400);
	for (uint64_t i = 0; i < size; i++) {
		cb_merkle_leaf_hash(leaf, leaf_bytes(i, leaf), lh);
		if (cb_merkle_inclusion_proof(cb_tlog_node, cb_store_log(st), i,
		                              size, path, &n, &eb))
			fail_msg("%s", eb.msg);
		if (!cb_merkle_verify_inclusion(lh, i, size, cpath, n,
		                                roots[size]))
			fail_msg("inclusion of %" PRIu64 " does not verify", i);
		/* and not as another leaf */
		assert_false(cb_merkle_verify_inclusion(lh, i ^ 1, size, cpath,
		                                        n, roots[size]));
	}
	/* from every earlier size to the last */
	for (uint64_t s1 = 1; s1 <= size; s1++) {
		if (cb_merkle_consistency_proof(cb_tlog_node, cb_store_log(st),
		                                s1, size, path, &n, &eb))
			fail_msg("%s", eb.msg);
		if (!cb_merkle_verify_consistency(s1, size, roots[s1],
		                                  roots[size], cpath, n))
			fail_msg("%" PRIu64 " -> %" PRIu64 " does not verify",
			         s1, size);
	}
	/* between every two sizes the steps reached */
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		at += steps[i];
		if (steps[i])
			sizes[nsizes++] = at;
	}
	for (uint64_t a = 0; a < nsizes; a++) {
		for (uint64_t b = a; b < nsizes; b++) {
			if (cb_merkle_consistency_proof(
				    cb_tlog_node, cb_store_log(st), sizes[a],
				    sizes[b], path, &n, &eb))
				fail_msg("%s", eb.msg);
			assert_true(cb_merkle_verify_consistency(
				sizes[a], sizes[b], roots[sizes[a]],
				roots[sizes[b]], cpath, n));
			for (uint64_t i = 0; i < sizes[a]; i += 7) {
				cb_merkle_leaf_hash(leaf, leaf_bytes(i, leaf),
				                    lh);
				if (cb_merkle_inclusion_proof(
					    cb_tlog_node, cb_store_log(st), i,
					    sizes[a], path, &n, &eb))
					fail_msg("%s", eb.msg);
				assert_true(cb_merkle_verify_inclusion(
					lh, i, sizes[a], cpath, n,
					roots[sizes[a]]));
			}
		}
	}
	/* a node the tree does not have */
	assert_int_equal(cb_tlog_node(cb_store_log(st), 0, size, lh, &eb),
	                 CB_ENOTFOUND);
	assert_non_null(strstr(eb.msg, "no node at level 0"));
	assert_int_equal(cb_merkle_inclusion_proof(cb_tlog_node,
	                                           cb_store_log(st), 0,
	                                           size + 1, path, &n, &eb),
	                 CB_ENOTFOUND);
	cb_store_free(&st);
}

static void
test_refusals(void **state)
{
	struct cb_store *st = open_store("gaps.db");
	struct cb_errbuf eb;
	uint64_t added = 77;
	int64_t nodes;

	(void)state;
	insert_entries(st, 1, 5);
	assert_int_equal(catch_up(st), 5);
	nodes = count_rows(st, "SELECT count(*) FROM tlog_nodes");
	/* 6 and 7, then 9: the two are taken back with the refusal */
	insert_entries(st, 6, 2);
	insert_entries(st, 9, 1);
	assert_int_equal(cb_store_begin(st, &eb), 0);
	assert_int_equal(cb_tlog_catch_up(cb_store_log(st), &added, &eb),
	                 CB_ECHAIN);
	assert_string_equal(eb.msg,
	                    "cannot extend the transparency log: entry lsn 9 "
	                    "follows lsn 7, but the log's lsn must run 1, 2, "
	                    "3, … without gaps");
	assert_int_equal(added, 77);
	assert_int_equal(tree_size(st), 5);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM tlog_nodes"),
	                 nodes);
	cb_store_rollback(st);
	/* the gap filled, it goes on */
	insert_entries(st, 8, 1);
	assert_int_equal(catch_up(st), 4);
	check_every_node_stored(st, 9);
	cb_store_free(&st);

	/* a log that does not start at lsn 1 */
	st = open_store("late.db");
	insert_entries(st, 2, 3);
	assert_int_equal(cb_tlog_catch_up(cb_store_log(st), &added, &eb),
	                 CB_ECHAIN);
	assert_non_null(strstr(eb.msg, "entry lsn 2 follows lsn 0"));
	assert_int_equal(tree_size(st), 0);
	cb_store_free(&st);

	/* a tree longer than the log */
	st = open_store("short.db");
	insert_entries(st, 1, 6);
	assert_int_equal(catch_up(st), 6);
	assert_int_equal(
		cb_store_exec(st, "DELETE FROM entries WHERE lsn > 4", &eb), 0);
	assert_int_equal(cb_tlog_catch_up(cb_store_log(st), &added, &eb),
	                 CB_EIO);
	assert_non_null(strstr(eb.msg, "has 6 leaves but the log ends at "
	                               "lsn 4"));
	cb_store_free(&st);

	/* a right-edge node gone: the tree is damaged, not extended */
	st = open_store("damaged.db");
	insert_entries(st, 1, 6);
	assert_int_equal(catch_up(st), 6);
	insert_entries(st, 7, 1);
	assert_int_equal(cb_store_exec(st,
	                               "DELETE FROM tlog_nodes WHERE level = 1 "
	                               "AND idx = 2",
	                               &eb),
	                 0);
	assert_int_equal(cb_tlog_catch_up(cb_store_log(st), &added, &eb),
	                 CB_EIO);
	assert_non_null(strstr(eb.msg, "is damaged"));
	assert_non_null(strstr(eb.msg, "no node at level 1 index 2"));
	assert_int_equal(tree_size(st), 6);
	cb_store_free(&st);
}

static void
test_checkpoints_table(void **state)
{
	struct cb_store *st = open_store("checkpoints.db");
	uint8_t root[32], got[32];
	struct cb_errbuf eb;
	uint64_t size;
	char *note = NULL;

	(void)state;
	assert_int_equal(cb_tlog_checkpoint_latest(cb_store_log(st), &size, got,
	                                           &note, &eb),
	                 CB_ENOTFOUND);
	memset(root, 0x5a, 32);
	if (cb_tlog_checkpoint_add(cb_store_log(st), 3, root, "note of 3\n",
	                           1000, &eb))
		fail_msg("%s", eb.msg);
	memset(root, 0x6b, 32);
	if (cb_tlog_checkpoint_add(cb_store_log(st), 10, root, "note of 10\n",
	                           2000, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(cb_tlog_checkpoint_add(cb_store_log(st), 10, root,
	                                        "again\n", 3000, &eb),
	                 CB_EEXIST);
	if (cb_tlog_checkpoint_latest(cb_store_log(st), &size, got, &note, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(size, 10);
	assert_memory_equal(got, root, 32);
	assert_string_equal(note, "note of 10\n");
	free(note);
	cb_store_free(&st);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A timing, printed: catch_up over many leaves at once. */
static void
test_many_leaves(void **state)
{
	const char *env = getenv("CHIBO_TLOG_LEAVES");
	uint64_t leaves = env ? strtoull(env, NULL, 10) : 50000;
	struct cb_store *st = open_store("many.db");
	struct cb_merkle_stream s;
	struct cb_errbuf eb;
	uint8_t root[32], want[32];
	double t0, t1;

	(void)state;
	assert_int_equal(cb_store_begin(st, &eb), 0);
	insert_entries(st, 1, leaves);
	assert_int_equal(cb_store_commit(st, &eb), 0);
	t0 = now();
	assert_int_equal(catch_up(st), leaves);
	t1 = now();
	print_message("catch_up: %" PRIu64
	              " leaves in %.2f s (%.0f leaves/s)\n",
	              leaves, t1 - t0, (double)leaves / (t1 - t0));
	cb_merkle_stream_init(&s);
	for (uint64_t i = 0; i < leaves; i++) {
		uint8_t bytes[256], h[32];

		cb_merkle_leaf_hash(bytes, leaf_bytes(i, bytes), h);
		cb_merkle_stream_append(&s, h);
	}
	cb_merkle_stream_root(&s, want);
	if (cb_merkle_root(cb_tlog_node, cb_store_log(st), leaves, root, &eb))
		fail_msg("%s", eb.msg);
	assert_memory_equal(root, want, 32);
	cb_store_free(&st);
}

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/chibo-tlog-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catch_up_in_steps),
		cmocka_unit_test(test_proofs_from_the_store),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_checkpoints_table),
		cmocka_unit_test(test_many_leaves),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/* test_store.c — the SQLite store: a WAL checkpointed on a thread of its own
 * (cb_store_checkpoint_behind) loses nothing of what was committed, through
 * commits that ask for a checkpoint and one that does it itself; and a new
 * store says its entry_refs need no filling (schema 12). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

static char dir[64], path[96];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/chibo-test-store.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/s.db", dir);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static int64_t
count_rows(struct cb_store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(cb_store_db(st), sql, -1, &s, NULL),
	                 SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Commits of about 200 pages (no checkpoint), of 2,000 (one asked of the
 * thread) and of 20,000 (past the WAL's bound: the commit checkpoints
 * itself), with the thread running: every row is there after a reopen. */
static void
test_checkpoint_behind_keeps_everything(void **state)
{
	static const int rows[] = { 200, 2000, 20000, 2000, 200, 2000 };
	struct cb_store *st = NULL;
	struct cb_errbuf eb;
	int64_t want = 0;

	(void)state;
	assert_int_equal(cb_store_open(path, true, &st, &eb), CB_OK);
	assert_int_equal(cb_store_checkpoint_behind(st, &eb), CB_OK);
	assert_int_equal(cb_store_checkpoint_behind(st, &eb), CB_OK);
	assert_int_equal(cb_store_exec(st, "CREATE TABLE t (x BLOB)", &eb),
	                 CB_OK);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char sql[160];

		snprintf(sql, sizeof(sql),
		         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT "
		         "i + 1 FROM n WHERE i < %d) INSERT INTO t SELECT "
		         "randomblob(4000) FROM n",
		         rows[i]);
		assert_int_equal(cb_store_begin(st, &eb), CB_OK);
		assert_int_equal(cb_store_exec(st, sql, &eb), CB_OK);
		assert_int_equal(cb_store_commit(st, &eb), CB_OK);
		want += rows[i];
		assert_int_equal(count_rows(st, "SELECT count(*) FROM t"),
		                 want);
	}
	cb_store_free(&st);
	assert_null(st);
	assert_int_equal(cb_store_open(path, false, &st, &eb), CB_OK);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM t"), want);
	assert_int_equal(cb_store_integrity(st, &eb), CB_OK);
	cb_store_free(&st);
}

static void
test_new_store_needs_no_refs_filled(void **state)
{
	struct cb_store *st = NULL;
	struct cb_errbuf eb;
	char *v = NULL;

	(void)state;
	unlink(path);
	assert_int_equal(cb_store_open(path, true, &st, &eb), CB_OK);
	assert_int_equal(cb_store_meta_get(st, "entry_refs", &v, &eb), CB_OK);
	assert_string_equal(v, "filled");
	assert_int_equal(count_rows(st, "SELECT count(*) FROM entry_subjects"),
	                 0);
	free(v);
	cb_store_free(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checkpoint_behind_keeps_everything),
		cmocka_unit_test(test_new_store_needs_no_refs_filled),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

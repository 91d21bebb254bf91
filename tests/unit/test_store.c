/* SPDX-License-Identifier: MIT */
/* test_store.c — the SQLite store: a WAL checkpointed on a thread of its own
 * (cb_store_checkpoint_behind) loses nothing of what was committed, through
 * commits that ask for a checkpoint and one that does it itself; a new
 * store says its entry_refs need no filling (schema 12); a store of
 * schema 12 keeps every member reference, as bytes, through schema 13;
 * fork evidence is a column from schema 15 on; a transaction begun
 * inside another is a savepoint of it; and a bulk write's larger cache
 * lasts as long as its transaction; a new store, copied from a schema
 * made in memory, is what the migrations make; and one newer than this
 * chibo is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "old_schema.h"
#include "schema.h"
#include "store_sqlite.h"
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

/* The first row's first column of sql on db as an integer (-1: no row). */
static int64_t
first_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static int64_t
count_rows(struct cb_store *st, const char *sql)
{
	return first_int(cb_store_db(st), sql);
}

/* sql run on the file, opened by SQLite alone (no store), and its first
 * row's first column as an integer (-1: no row). */
static int64_t
raw_file(const char *file, const char *sql)
{
	sqlite3 *db;
	int64_t n;

	assert_int_equal(sqlite3_open(file, &db), SQLITE_OK);
	n = first_int(db, sql);
	sqlite3_close(db);
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

static void
put(struct cb_store *st, int x)
{
	struct cb_errbuf eb;
	char sql[64];

	snprintf(sql, sizeof(sql), "INSERT INTO n VALUES (%d)", x);
	assert_int_equal(cb_store_exec(st, sql, &eb), CB_OK);
}

/* A transaction opened inside another is a savepoint of it: committed
 * into it, and undone with it; a rollback at any depth undoes the whole,
 * and the outer commit then fails rather than commit half. */
static void
test_nested_transactions(void **state)
{
	struct cb_store *st = NULL;
	struct cb_errbuf eb;

	(void)state;
	unlink(path);
	assert_int_equal(cb_store_open(path, true, &st, &eb), CB_OK);
	assert_int_equal(cb_store_exec(st, "CREATE TABLE n (x)", &eb), CB_OK);
	/* inner committed, outer rolled back: nothing */
	assert_int_equal(cb_store_begin(st, &eb), CB_OK);
	put(st, 1);
	assert_int_equal(cb_store_begin(st, &eb), CB_OK);
	put(st, 2);
	assert_int_equal(cb_store_commit(st, &eb), CB_OK);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM n"), 2);
	cb_store_rollback(st);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM n"), 0);
	/* both committed: both */
	assert_int_equal(cb_store_begin(st, &eb), CB_OK);
	assert_int_equal(cb_store_begin(st, &eb), CB_OK);
	put(st, 3);
	assert_int_equal(cb_store_commit(st, &eb), CB_OK);
	put(st, 4);
	assert_int_equal(cb_store_commit(st, &eb), CB_OK);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM n"), 2);
	/* inner rolled back: all of it, and the outer commit fails */
	assert_int_equal(cb_store_begin(st, &eb), CB_OK);
	put(st, 5);
	assert_int_equal(cb_store_begin(st, &eb), CB_OK);
	cb_store_rollback(st);
	assert_int_not_equal(cb_store_commit(st, &eb), CB_OK);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM n"), 2);
	/* and the store is back to plain transactions */
	assert_int_equal(cb_store_begin(st, &eb), CB_OK);
	put(st, 6);
	assert_int_equal(cb_store_commit(st, &eb), CB_OK);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM n"), 3);
	cb_store_free(&st);
}

/* A bulk write's cache (cb_store_bulk) lasts as long as its transaction:
 * larger inside, back to the store's own 32 MiB after the commit, after a
 * rollback, and not ended by the commit of a savepoint inside it. */
static void
test_bulk_cache_lasts_one_transaction(void **state)
{
	struct cb_store *st = NULL;
	struct cb_errbuf eb;

	(void)state;
	unlink(path);
	assert_int_equal(cb_store_open(path, true, &st, &eb), CB_OK);
	assert_int_equal(count_rows(st, "PRAGMA cache_size"), -32768);
	for (int end = 0; end < 2; end++) {
		assert_int_equal(cb_store_begin(st, &eb), CB_OK);
		cb_store_bulk(st);
		assert_true(count_rows(st, "PRAGMA cache_size") < -32768);
		assert_int_equal(cb_store_begin(st, &eb), CB_OK);
		assert_int_equal(cb_store_commit(st, &eb), CB_OK);
		assert_true(count_rows(st, "PRAGMA cache_size") < -32768);
		if (end)
			cb_store_rollback(st);
		else
			assert_int_equal(cb_store_commit(st, &eb), CB_OK);
		assert_int_equal(count_rows(st, "PRAGMA cache_size"), -32768);
	}
	cb_store_free(&st);
}

/* The first row's first column of sql, as text (or "" if NULL), into out. */
static void
text_of(struct cb_store *st, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *s = NULL;

	assert_int_equal(sqlite3_prepare_v2(cb_store_db(st), sql, -1, &s, NULL),
	                 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	/* all of it, or the comparisons would pass on a prefix */
	assert_true((size_t)sqlite3_column_bytes(s, 0) < size);
	snprintf(out, size, "%s",
	         sqlite3_column_text(s, 0)
	                 ? (const char *)sqlite3_column_text(s, 0)
	                 : "");
	sqlite3_finalize(s);
}

/* A new store is a copy of the schema the migrations made in memory
 * (store_sqlite.c, template_copy): it has the tables, indexes, triggers,
 * views and rows of a store the migrations were applied to one by one —
 * a file that held a table of its own at version 0 — and is in WAL mode;
 * and so is a second new store, copied from the same template. */
static void
test_new_store_is_the_migrations(void **state)
{
	static const char *const what[] = {
		"SELECT group_concat(x, char(10)) FROM (SELECT type || ' ' || "
		"name || ' ' || tbl_name || ' ' || coalesce(sql, '') AS x FROM "
		"sqlite_master WHERE name <> 'chibo_before' ORDER BY type, "
		"name)",
		"SELECT group_concat(date || ' ' || name, char(10)) FROM "
		"(SELECT * FROM holidays ORDER BY date)",
		"SELECT group_concat(key || '=' || value, char(10)) FROM "
		"(SELECT "
		"* FROM meta ORDER BY key)",
		"PRAGMA user_version",
	};
	static char a[200000], b[200000];
	char made[128], copied[128], again[128];
	struct cb_store *old = NULL, *fresh = NULL, *second = NULL;
	struct cb_errbuf eb;

	(void)state;
	snprintf(made, sizeof(made), "%s/made.db", dir);
	snprintf(copied, sizeof(copied), "%s/copied.db", dir);
	snprintf(again, sizeof(again), "%s/again.db", dir);
	assert_int_equal(raw_file(made, "CREATE TABLE chibo_before (x)"), -1);
	assert_int_equal(cb_store_open(made, false, &old, &eb), CB_OK);
	assert_int_equal(cb_store_open(copied, true, &fresh, &eb), CB_OK);
	assert_int_equal(cb_store_open(again, true, &second, &eb), CB_OK);
	for (size_t i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
		text_of(old, what[i], a, sizeof(a));
		assert_true(strlen(a) > 0);
		text_of(fresh, what[i], b, sizeof(b));
		assert_string_equal(a, b);
		text_of(second, what[i], b, sizeof(b));
		assert_string_equal(a, b);
	}
	text_of(fresh, "PRAGMA journal_mode", b, sizeof(b));
	assert_string_equal(b, "wal");
	text_of(second, "PRAGMA journal_mode", b, sizeof(b));
	assert_string_equal(b, "wal");
	/* and it takes writes that survive a reopen */
	assert_int_equal(cb_store_meta_set(fresh, "probe", "1", &eb), CB_OK);
	cb_store_free(&fresh);
	assert_int_equal(cb_store_open(copied, false, &fresh, &eb), CB_OK);
	text_of(fresh, "SELECT value FROM meta WHERE key = 'probe'", b,
	        sizeof(b));
	assert_string_equal(b, "1");
	cb_store_free(&old);
	cb_store_free(&fresh);
	cb_store_free(&second);
}

/* A store whose schema is newer than this chibo's is refused, and
 * nothing in it is changed. */
static void
test_newer_store_is_refused(void **state)
{
	struct cb_store *st = NULL;
	struct cb_errbuf eb;
	char sql[64], p[128];

	(void)state;
	snprintf(p, sizeof(p), "%s/newer.db", dir);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	         cb_store_schema_version() + 1);
	assert_int_equal(raw_file(p, sql), -1);
	assert_int_equal(cb_store_open(p, false, &st, &eb), CB_EVERSION);
	assert_null(st);
	assert_non_null(strstr(eb.msg, "upgrade chibo"));
	assert_int_equal(raw_file(p, "PRAGMA user_version"),
	                 cb_store_schema_version() + 1);
}

#define ID_A "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define ID_B "00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff"

/* A replica of schema 12, with a member referred to in every column that
 * names one, opened by this chibo: each reference is now the id's bytes,
 * an organisation's code stays text, and nothing else changed. */
static void
test_schema_13_keeps_member_references(void **state)
{
	static const char rows[] =
		"INSERT INTO members (id, full_name, name_fold, name_lower, "
		"birth_date, sex, admitted_on, status, cell, org, entry, "
		"transit) VALUES ('" ID_A "', 'Nguyễn Văn Hợp', 'nguyen van "
		"hop', 'nguyễn văn hợp', '1980-01-01', 'male', '2010-01-01', "
		"'official', 'X.01', 'X', x'01', NULL), ('" ID_B "', 'Lê Thị "
		"Lan', 'le thi lan', 'lê thị lan', '1990-01-01', 'female', "
		"'2015-01-01', 'official', 'X.01', 'X', x'02', 'r1');"
		/* the members' entries: schema 034 keys them by their place */
		"INSERT INTO entries (id, author, seq, op, time_ms, bytes, "
		"state) VALUES (x'" ID_A "', x'aa', 1, 'member.add', 0, x'00', "
		"'applied'), (x'" ID_B "', x'aa', 2, 'member.add', 0, x'00', "
		"'applied');"
		"INSERT INTO memberships VALUES ('" ID_A "', x'01', 'X.01', "
		"'official', '2010-01-01', NULL);"
		"INSERT INTO meetings (id, cell, date, kind, duration_min, "
		"chair, clerk, observers, content, resolutions, versions, "
		"entry) VALUES ('m1', 'X.01', '2026-01-05', 'regular', 60, "
		"'" ID_A "', NULL, '[]', '', '', 1, x'03');"
		"INSERT INTO attendance VALUES ('m1', '" ID_B "', 'present');"
		"INSERT INTO ratings VALUES ('member', '" ID_A "', '2025', "
		"'self', 'good', NULL, NULL, x'04'), ('org', 'X.01', '2025', "
		"'self', 'good', NULL, NULL, x'05');"
		"INSERT INTO transfers (release, member, author, seq, "
		"from_org, "
		"from_cell, to_org, letter_no, letter_date, released_on, "
		"state) VALUES ('r1', '" ID_B "', x'06', 3, 'X', 'X.01', 'Y', "
		"'1', '2026-01-01', '2026-01-01', 'in-transit');"
		"INSERT INTO temporaries (id, member, author, seq, from_org, "
		"to_org, letter_no, letter_date, since, until, purpose, state) "
		"VALUES ('t1', '" ID_A "', x'06', 4, 'X', 'Y', '2', "
		"'2026-01-01', '2026-01-01', '2026-06-01', 'work', 'issued');"
		"INSERT INTO candidates (id, full_name, name_fold, birth_date, "
		"sex, cell, org, helper1, helper2, state, entry) VALUES ('c1', "
		"'Trần Văn Nam', 'tran van nam', '2000-01-01', 'male', 'X.01', "
		"'X', '" ID_A "', '" ID_B "', 'candidate', x'07');"
		"INSERT INTO entry_refs VALUES ('" ID_B "', x'08');";
	static const char *const checks[][2] = {
		{ "SELECT count(*) FROM members WHERE id = x'" ID_A "' AND "
		  "full_name = 'Nguyễn Văn Hợp' AND transit IS NULL",
		  "1" },
		{ "SELECT count(*) FROM members WHERE id = x'" ID_B "' AND "
		  "transit = 'r1' AND name_lower = 'lê thị lan'",
		  "1" },
		/* schema 033: the stay names the member by its mkey */
		{ "SELECT count(*) FROM memberships s JOIN members m ON m.mkey "
		  "= s.member WHERE m.id = x'" ID_A "' AND s.cell = 'X.01'",
		  "1" },
		{ "SELECT count(*) FROM meetings WHERE chair = x'" ID_A
		  "' AND clerk IS NULL AND id = 'm1'",
		  "1" },
		{ "SELECT count(*) FROM attendance WHERE member = x'" ID_B "'",
		  "1" },
		{ "SELECT count(*) FROM ratings WHERE subject = x'" ID_A "'",
		  "1" },
		{ "SELECT count(*) FROM ratings WHERE subject = 'X.01'", "1" },
		{ "SELECT count(*) FROM transfers WHERE member = x'" ID_B
		  "' AND release = 'r1'",
		  "1" },
		{ "SELECT count(*) FROM temporaries WHERE member = x'" ID_A "'",
		  "1" },
		{ "SELECT count(*) FROM candidates WHERE helper1 = x'" ID_A
		  "' AND helper2 = x'" ID_B "'",
		  "1" },
		/* its entry_refs row, and its member.add */
		{ "SELECT count(*) FROM entry_subjects WHERE member = x'" ID_B
		  "'",
		  "2" },
		{ "SELECT count(*) FROM members m JOIN memberships s ON "
		  "s.member = m.mkey",
		  "1" },
		{ "SELECT count(*) FROM members m JOIN entries e ON e.lsn = "
		  "m.mkey AND e.id = m.id",
		  "2" },
		{ "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
		  "name IN ('members_cell', 'members_card', "
		  "'members_national_id', 'memberships_member', "
		  "'meetings_cell_date', 'transfers_member', 'transfers_to', "
		  "'temporaries_member', 'temporaries_to', 'candidates_cell')",
		  "10" },
	};
	struct cb_store *st = NULL;
	struct cb_errbuf eb;
	sqlite3 *db;

	(void)state;
	unlink(path);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (size_t i = 0; i < cb_schema_count; i++)
		if (cb_schema_migrations[i].version <= 12)
			assert_int_equal(
				sqlite3_exec(db, cb_schema_migrations[i].sql,
			                     NULL, NULL, NULL),
				SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db, "PRAGMA user_version = 12", NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, rows, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	assert_int_equal(cb_store_open(path, false, &st, &eb), CB_OK);
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		int64_t n = count_rows(st, checks[i][0]);

		if (n != atoll(checks[i][1]))
			fail_msg("%s: %lld, expected %s", checks[i][0],
			         (long long)n, checks[i][1]);
	}
	assert_int_equal(cb_store_integrity(st, &eb), CB_OK);
	cb_store_free(&st);
}

/* A store of schema 14 whose log holds fork evidence (a reason that
 * starts "fork:") and a rejection, opened by this chibo: schema 15 says
 * which is evidence in a column of its own, and the index of frozen keys
 * reads it. */
static void
test_schema_15_marks_fork_evidence(void **state)
{
	static const char rows[] =
		"INSERT INTO entries (id, author, seq, op, time_ms, bytes, "
		"state, reason) VALUES (x'01', x'aa', 1, 'org.init', 0, x'00', "
		"'applied', NULL), (x'02', x'aa', 2, 'cell.create', 0, x'00', "
		"'rejected', 'cell 01 is not the author''s'), (x'03', x'aa', "
		"2, "
		"'cell.create', 0, x'00', 'rejected', 'fork: another entry "
		"holds this seq');";
	struct cb_store *st = NULL;
	struct cb_errbuf eb;
	sqlite3 *db;

	(void)state;
	unlink(path);
	/* schema 14 is today's without the columns of 15 and 16, and
	 * with its index on the reason's words */
	assert_int_equal(cb_store_open(path, true, &st, &eb), CB_OK);
	cb_store_free(&st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db,
	                     CB_TEST_UNDO_MEMBER_KEYS
	                     "DROP INDEX entries_forks; ALTER TABLE entries "
	                     "DROP COLUMN evidence; CREATE INDEX "
	                     "entries_forks ON entries (author) WHERE reason "
	                     "LIKE 'fork:%'; ALTER TABLE contacts DROP "
	                     "COLUMN created_max; ALTER TABLE contacts DROP "
	                     "COLUMN refused; ALTER TABLE contacts DROP "
	                     "COLUMN refused_ms; DROP TABLE authorities; "
	                     "DROP TABLE witnessed; DROP TABLE witnesses; "
	                     "DROP TABLE exemptions; DROP TABLE mergers; "
	                     "DROP TABLE org_moves; "
	                     "DROP TABLE successions; "
	                     "DROP INDEX entries_directory; "
	                     "DROP INDEX entries_author_lsn; "
	                     "DROP INDEX transfers_from; "
	                     "DROP INDEX temporaries_from; "
	                     "DROP INDEX members_org_born; "
	                     "DROP TRIGGER chibo_fold; "
	                     "DROP VIEW chibo_fold; "
	                     "DROP TABLE member_tally; "
	                     "DROP TABLE member_tally_delta; "
	                     "DROP INDEX memberships_cell_since; "
	                     "DROP INDEX entries_pending_author; "
	                     "DROP TABLE meeting_marks; "
	                     "DROP INDEX attendance_excused; "
	                     "DROP TABLE rating_tally; "
	                     "DROP TABLE dashboard_sessions; "
	                     "DROP TABLE dashboard_accounts; "
	                     "PRAGMA user_version = 14",
	                     NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, rows, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(cb_store_open(path, false, &st, &eb), CB_OK);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM entries WHERE "
	                                "evidence = 1 AND id = x'03'"),
	                 1);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM entries WHERE "
	                                "evidence = 0"),
	                 2);
	assert_int_equal(count_rows(st, "SELECT count(*) FROM sqlite_schema "
	                                "WHERE name = 'entries_forks' AND sql "
	                                "LIKE '%evidence = 1%'"),
	                 1);
	assert_int_equal(cb_store_integrity(st, &eb), CB_OK);
	cb_store_free(&st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checkpoint_behind_keeps_everything),
		cmocka_unit_test(test_new_store_needs_no_refs_filled),
		cmocka_unit_test(test_schema_13_keeps_member_references),
		cmocka_unit_test(test_schema_15_marks_fork_evidence),
		cmocka_unit_test(test_nested_transactions),
		cmocka_unit_test(test_bulk_cache_lasts_one_transaction),
		cmocka_unit_test(test_new_store_is_the_migrations),
		cmocka_unit_test(test_newer_store_is_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/* store_sqlite.c — the SQLite engine under store.h (store_engine.h).
 * Durability: WAL journal with synchronous=FULL, so a commit is on disk before
 * it returns and a power cut at any instant leaves the last committed state
 * (SQLite's atomic commit). */
#include "store.h"
#include "store_engine.h"
#include "store_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "calendar.h"
#include "entry.h"
#include "key.h"
#include "log.h"
#include "schema.h"
#include "sql.h"
#include "text.h"

#define STMT_CACHE_MAX 128

/* The SQLite backend of the statement layer (sql.h): a statement is
 * SQLite's, behind the layer's header. */
struct lite_stmt {
	struct cb_stmt base;
	sqlite3_stmt *s;
	bool cached;
};

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
	struct lite_stmt *wrap; /* made on the first cb_sql() of it */
};

/* SQLite's own threshold for checkpointing the WAL after a commit, in
 * pages; and, with a checkpointer, the size past which a commit still
 * checkpoints itself rather than let the WAL grow (about 64 MB). */
#define WAL_CHECKPOINT_PAGES 1000
#define WAL_INLINE_PAGES 16000

/* A second connection that checkpoints the WAL on a thread of its own
 * when a commit asks (cb_store_checkpoint_behind). */
struct checkpointer {
	sqlite3 *db;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;
	bool due, stop;
};

/* A store on SQLite: the common part first (store_engine.h). */
struct lite_store {
	struct cb_store base;
	sqlite3 *db;
	struct checkpointer *cp;
	unsigned nested; /* savepoints cb_store_begin opened in a transaction */
	bool fold;       /* the schema has chibo_fold (032): once migrated */
	bool bulk;       /* the transaction is a bulk write's (lite_bulk) */
	size_t nstmts;
	struct stmt_slot stmts[STMT_CACHE_MAX];
};

#define L(st) ((struct lite_store *)(void *)(st))

static cb_err
lite_backup(struct cb_store *st, const char *path, struct cb_errbuf *eb)
{
	char tmp[CB_FILE_TEMP_MAX];
	sqlite3 *dst = NULL;
	sqlite3_backup *bk;
	cb_err rc;
	int fd, r;

	if ((rc = cb_file_temp(path, 0600, tmp, &fd, eb)))
		return rc;
	rc = CB_EIO;
	if (close(fd) != 0) {
		rc = cb_error(eb, CB_EIO, _("cannot create '%s': %s"), tmp,
		              strerror(errno));
		goto out;
	}
	if (sqlite3_open_v2(tmp, &dst,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
	                    NULL) != SQLITE_OK) {
		rc = cb_error(eb, CB_EIO, _("cannot open '%s': %s"), tmp,
		              dst ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	/* -1: every page in one step, so in one read transaction */
	if (!(bk = sqlite3_backup_init(dst, "main", L(st)->db, "main"))) {
		rc = cb_error(eb, CB_EIO, _("cannot copy '%s': %s"), st->path,
		              sqlite3_errmsg(dst));
		goto out;
	}
	r = sqlite3_backup_step(bk, -1);
	if (sqlite3_backup_finish(bk) != SQLITE_OK || r != SQLITE_DONE) {
		rc = cb_error(eb, CB_EIO, _("cannot copy '%s' to '%s': %s"),
		              st->path, path, sqlite3_errmsg(dst));
		goto out;
	}
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL,
	                 NULL) != SQLITE_OK) {
		rc = cb_error(eb, CB_EIO, _("cannot write '%s': %s"), tmp,
		              sqlite3_errmsg(dst));
		goto out;
	}
	if (sqlite3_close(dst) != SQLITE_OK) {
		rc = cb_error(eb, CB_EIO, _("cannot write '%s'"), tmp);
		dst = NULL;
		goto out;
	}
	dst = NULL;
	fd = open(tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	r = fd >= 0 && fsync(fd) == 0;
	if (!r || rename(tmp, path) != 0) {
		rc = cb_error(eb, CB_EIO, _("cannot write '%s': %s"), path,
		              strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	return cb_file_fsync_dir(path, eb);
out:
	sqlite3_close(dst);
	unlink(tmp);
	return rc;
}

sqlite3 *
cb_store_db(struct cb_store *st)
{
	return L(st)->db;
}

static cb_err
lite_error(struct cb_store *st, struct cb_errbuf *eb, const char *what)
{
	int code = sqlite3_extended_errcode(L(st)->db) & 0xff;

	what = _(what);
	if (code == SQLITE_FULL)
		return cb_error(
			eb, CB_EIO,
			_("%s: the disk holding '%s' is full; free some "
		          "space and try again"),
			what, st->path);
	if (code == SQLITE_READONLY)
		return cb_error(eb, CB_EIO, _("%s: '%s' is read-only"), what,
		                st->path);
	if (code == SQLITE_BUSY)
		return cb_error(
			eb, CB_EIO,
			_("%s: '%s' is in use by another chibo process; "
		          "try again when it finishes"),
			what, st->path);
	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
		return cb_error(eb, CB_EIO,
		                _("%s: '%s' is damaged (%s); restore it from a "
		                  "backup or rebuild it from a hub"),
		                what, st->path, sqlite3_errmsg(L(st)->db));
	return cb_error(eb, CB_EIO, "%s: %s", what, sqlite3_errmsg(L(st)->db));
}

static cb_err
lite_exec(struct cb_store *st, const char *sql, struct cb_errbuf *eb)
{
	if (sqlite3_exec(L(st)->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return cb_store_error(st, eb, "database error");
	return CB_OK;
}

static cb_err
lite_begin(struct cb_store *st, struct cb_errbuf *eb)
{
	if (!sqlite3_get_autocommit(L(st)->db)) {
		if (sqlite3_exec(L(st)->db, "SAVEPOINT cb_nested", NULL, NULL,
		                 NULL))
			return cb_store_error(st, eb,
			                      "cannot start a transaction");
		L(st)->nested++;
		return CB_OK;
	}
	if (sqlite3_exec(L(st)->db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
		return cb_store_error(st, eb, "cannot start a transaction");
	L(st)->nested = 0;
	return CB_OK;
}

static cb_err
lite_begin_read(struct cb_store *st, struct cb_errbuf *eb)
{
	if (sqlite3_exec(L(st)->db, "BEGIN", NULL, NULL, NULL))
		return cb_store_error(st, eb, "cannot start reading");
	L(st)->nested = 0;
	return CB_OK;
}

/* The member tally's deltas added up (schema/032_member_tally.sql). */
#define LITE_FOLD "INSERT INTO chibo_fold VALUES (1)"

static cb_err
lite_fold(struct cb_store *st, struct cb_errbuf *eb)
{
	if (!L(st)->fold)
		return CB_OK;
	return cb_store_run(st, LITE_FOLD, eb);
}

/* The page cache a store opens with, and a bulk write's (cb_store_bulk)
 * until its transaction ends. A failed pragma leaves the cache as it was:
 * slower, no different. */
#define LITE_CACHE_KIB 32768
#define LITE_BULK_MAX_KIB (4 * 1024 * 1024)

static void
lite_cache(struct cb_store *st, int kib)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", kib);
	(void)sqlite3_exec(L(st)->db, sql, NULL, NULL, NULL);
}

static void
lite_bulk(struct cb_store *st)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
	long long kib = pages > 0 && size > 0
	                        ? (long long)pages * (size / 1024) / 4
	                        : LITE_CACHE_KIB;

	if (kib > LITE_BULK_MAX_KIB)
		kib = LITE_BULK_MAX_KIB;
	lite_cache(st, kib > LITE_CACHE_KIB ? (int)kib : LITE_CACHE_KIB);
	L(st)->bulk = true;
}

static cb_err
lite_fill(struct cb_store *st, bool on, struct cb_errbuf *eb)
{
	/* the mode the pragma answers is not checked: a store left under
	 * the rollback journal is put back under the WAL when it opens */
	return cb_store_exec(st,
	                     on ? "PRAGMA journal_mode = DELETE"
	                        : "PRAGMA journal_mode = WAL",
	                     eb);
}

/* A bulk write's transaction has ended: the cache it opened with. */
static void
bulk_end(struct cb_store *st)
{
	if (L(st)->bulk)
		lite_cache(st, LITE_CACHE_KIB);
	L(st)->bulk = false;
}

static cb_err
lite_commit(struct cb_store *st, struct cb_errbuf *eb)
{
	const char *sql = L(st)->nested ? "RELEASE cb_nested" : "COMMIT";

	/* the deltas folded in before the outermost commit, as on
	 * PostgreSQL */
	if ((!L(st)->nested && lite_fold(st, NULL)) ||
	    sqlite3_exec(L(st)->db, sql, NULL, NULL, NULL)) {
		cb_err rc = cb_store_error(st, eb, "cannot commit");

		cb_store_rollback(st);
		return rc;
	}
	if (L(st)->nested)
		L(st)->nested--;
	else
		bulk_end(st);
	return CB_OK;
}

static void
lite_rollback(struct cb_store *st)
{
	L(st)->nested = 0;
	if (!sqlite3_get_autocommit(L(st)->db))
		sqlite3_exec(L(st)->db, "ROLLBACK", NULL, NULL, NULL);
	bulk_end(st);
}

sqlite3_stmt *
cb_store_stmt(struct cb_store *st, const char *sql, struct cb_errbuf *eb)
{
	sqlite3_stmt *s = NULL;

	for (size_t i = 0; i < L(st)->nstmts; i++) {
		if (L(st)->stmts[i].sql == sql) {
			s = L(st)->stmts[i].stmt;
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return s;
		}
	}
	if (sqlite3_prepare_v3(L(st)->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	                       &s, NULL) != SQLITE_OK) {
		cb_store_error(st, eb, "cannot prepare a query");
		return NULL;
	}
	if (L(st)->nstmts < STMT_CACHE_MAX) {
		L(st)->stmts[L(st)->nstmts].sql = sql;
		L(st)->stmts[L(st)->nstmts].stmt = s;
		L(st)->nstmts++;
	} else {
		/* The cache is a fixed table sized for chibo's queries; a
		 * query beyond it is a programming error worth hearing of. */
		sqlite3_finalize(s);
		cb_error(eb, CB_EIO, _("statement cache full"));
		return NULL;
	}
	return s;
}

/* --- the statement layer's SQLite backend (sql.h) ---------------------- */

static const struct cb_sql_be lite_be;

#define LITE(x) (((struct lite_stmt *)(void *)(x))->s)

static cb_err
lite_prepare(struct cb_store *st, const char *sql, bool cached,
             struct cb_stmt **out, struct cb_errbuf *eb)
{
	struct lite_stmt *w;

	if (cached) {
		sqlite3_stmt *s = cb_store_stmt(st, sql, eb);
		size_t i;

		if (!s)
			return CB_EIO;
		for (i = 0; i < L(st)->nstmts && L(st)->stmts[i].stmt != s; i++)
			;
		if (!L(st)->stmts[i].wrap) {
			if (!(w = calloc(1, sizeof(*w))))
				return cb_error(eb, CB_ENOMEM,
				                _("out of memory"));
			w->base.be = &lite_be;
			w->base.st = st;
			w->s = s;
			w->cached = true;
			L(st)->stmts[i].wrap = w;
		}
		*out = &L(st)->stmts[i].wrap->base;
		return CB_OK;
	}
	if (!(w = calloc(1, sizeof(*w))))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if (sqlite3_prepare_v2(L(st)->db, sql, -1, &w->s, NULL) != SQLITE_OK) {
		free(w);
		return cb_store_error(st, eb, "cannot prepare a query");
	}
	w->base.be = &lite_be;
	w->base.st = st;
	*out = &w->base;
	return CB_OK;
}

static void
lite_finalize(struct cb_stmt *s)
{
	struct lite_stmt *w = (struct lite_stmt *)(void *)s;

	if (w->cached) {
		sqlite3_reset(w->s);
		return;
	}
	sqlite3_finalize(w->s);
	free(w);
}

static void
lite_reset(struct cb_stmt *s)
{
	sqlite3_reset(LITE(s));
	sqlite3_clear_bindings(LITE(s));
}

static int
lite_bind_null(struct cb_stmt *s, int i)
{
	return sqlite3_bind_null(LITE(s), i);
}

static int
lite_bind_int64(struct cb_stmt *s, int i, int64_t v)
{
	return sqlite3_bind_int64(LITE(s), i, v);
}

static int
lite_bind_text(struct cb_stmt *s, int i, const char *v, size_t n)
{
	return sqlite3_bind_text(LITE(s), i, v, (int)n, SQLITE_TRANSIENT);
}

static int
lite_bind_blob(struct cb_stmt *s, int i, const void *p, size_t n)
{
	return sqlite3_bind_blob(LITE(s), i, p, (int)n, SQLITE_TRANSIENT);
}

static int
lite_param_index(struct cb_stmt *s, const char *name)
{
	return sqlite3_bind_parameter_index(LITE(s), name);
}

static int
lite_step(struct cb_stmt *s)
{
	int r = sqlite3_step(LITE(s));

	return r == SQLITE_ROW    ? CB_SQL_ROW
	       : r == SQLITE_DONE ? CB_SQL_DONE
	                          : CB_SQL_ERROR;
}

static int
lite_column_count(struct cb_stmt *s)
{
	return sqlite3_column_count(LITE(s));
}

static const char *
lite_column_name(struct cb_stmt *s, int i)
{
	return sqlite3_column_name(LITE(s), i);
}

static enum cb_sql_kind
lite_column_kind(struct cb_stmt *s, int i)
{
	switch (sqlite3_column_type(LITE(s), i)) {
	case SQLITE_INTEGER: return CB_SQL_INT;
	case SQLITE_FLOAT: return CB_SQL_REAL;
	case SQLITE_TEXT: return CB_SQL_TEXT;
	case SQLITE_BLOB: return CB_SQL_BLOB;
	default: return CB_SQL_NULL;
	}
}

static int64_t
lite_column_int64(struct cb_stmt *s, int i)
{
	return sqlite3_column_int64(LITE(s), i);
}

static const char *
lite_column_text(struct cb_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(LITE(s), i);
}

static const void *
lite_column_blob(struct cb_stmt *s, int i)
{
	return sqlite3_column_blob(LITE(s), i);
}

static size_t
lite_column_bytes(struct cb_stmt *s, int i)
{
	return (size_t)sqlite3_column_bytes(LITE(s), i);
}

static int64_t
lite_changes(struct cb_store *st)
{
	return sqlite3_changes(L(st)->db);
}

static bool
lite_constraint(struct cb_store *st)
{
	return (sqlite3_extended_errcode(L(st)->db) & 0xff) ==
	       SQLITE_CONSTRAINT;
}

static const struct cb_sql_be lite_be = {
	.name = "sqlite",
	.prepare = lite_prepare,
	.finalize = lite_finalize,
	.reset = lite_reset,
	.bind_null = lite_bind_null,
	.bind_int64 = lite_bind_int64,
	.bind_text = lite_bind_text,
	.bind_blob = lite_bind_blob,
	.param_index = lite_param_index,
	.step = lite_step,
	.column_count = lite_column_count,
	.column_name = lite_column_name,
	.column_kind = lite_column_kind,
	.column_int64 = lite_column_int64,
	.column_text = lite_column_text,
	.column_blob = lite_column_blob,
	.column_bytes = lite_column_bytes,
	.changes = lite_changes,
	.constraint = lite_constraint,
};

cb_err
cb_store_step_done(struct cb_store *st, sqlite3_stmt *stmt,
                   struct cb_errbuf *eb)
{
	int r = sqlite3_step(stmt);

	if (r != SQLITE_DONE && r != SQLITE_ROW) {
		cb_err rc =
			cb_store_error(st, eb, "cannot write to the database");

		sqlite3_reset(stmt);
		return rc;
	}
	sqlite3_reset(stmt);
	return CB_OK;
}

const char *
cb_column_id(sqlite3_stmt *s, int i, char out[65])
{
	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL: return NULL;
	case SQLITE_BLOB:
		if (sqlite3_column_bytes(s, i) == CB_HASH_BYTES) {
			cb_hex_encode(sqlite3_column_blob(s, i), CB_HASH_BYTES,
			              out);
			return out;
		}
		/* fall through */
	default: {
		const char *t = (const char *)sqlite3_column_text(s, i);

		snprintf(out, 65, "%.*s", sqlite3_column_bytes(s, i),
		         t ? t : "");
		return out;
	}
	}
}

const char *
cb_column_shown(sqlite3_stmt *s, int i, char id[65])
{
	return sqlite3_column_type(s, i) == SQLITE_BLOB
	               ? cb_column_id(s, i, id)
	               : (const char *)sqlite3_column_text(s, i);
}

static cb_err
lite_integrity(struct cb_store *st, struct cb_errbuf *eb)
{
	sqlite3_stmt *s = NULL;
	cb_err rc = CB_OK;

	if (sqlite3_prepare_v2(L(st)->db, "PRAGMA integrity_check", -1, &s,
	                       NULL) != SQLITE_OK)
		return cb_store_error(st, eb, "cannot check integrity");
	if (sqlite3_step(s) != SQLITE_ROW)
		rc = cb_store_error(st, eb, "cannot check integrity");
	else if (strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0)
		rc = cb_error(eb, CB_EIO,
		              _("database '%s' fails its integrity check: %s"),
		              st->path, sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc;
}

/* chibo_match(name, query): cb_text_match as SQL, for name search that
 * ignores case and diacritics ("nguyen van hop" finds "Nguyễn Văn Hợp"). */
static void
sql_match(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *name = sqlite3_value_text(argv[0]);
	const unsigned char *query = sqlite3_value_text(argv[1]);

	(void)argc;
	if (!name || !query) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_int(
		ctx, cb_text_match((const char *)name, (const char *)query));
}

/* chibo_unhex(x): 64 hex digits as their 32 bytes, anything else as it is:
 * a member id given as hex, compared with the bytes the tables keep
 * (schema/013_member_ids.sql, which needs it before any other; SQLite
 * 3.40 has no unhex()). */
static void
sql_unhex(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *t = sqlite3_value_text(argv[0]);
	unsigned char id[CB_HASH_BYTES];

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_TEXT && t &&
	    cb_hex_decode((const char *)t, id, sizeof(id), NULL) == CB_OK)
		sqlite3_result_blob(ctx, id, sizeof(id), SQLITE_TRANSIENT);
	else
		sqlite3_result_value(ctx, argv[0]);
}

/* chibo_due(date, n) (calendar.h): the store is the function's data. */
static void
sql_due(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *start = (const char *)sqlite3_value_text(argv[0]);
	struct cb_errbuf eb;
	char out[11];

	(void)argc;
	if (!start || cb_calendar_due(sqlite3_user_data(ctx), start,
	                              sqlite3_value_int(argv[1]), out, &eb)) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

static int
register_functions(struct cb_store *st)
{
	sqlite3 *db = L(st)->db;
	static const struct {
		const char *name;
		int nargs;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {
		{ "chibo_unhex", 1, sql_unhex },
		{ "chibo_match", 2, sql_match },
	};
	int r;

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if ((r = sqlite3_create_function(
			     db, fns[i].name, fns[i].nargs,
			     SQLITE_UTF8 | SQLITE_DETERMINISTIC |
				     SQLITE_INNOCUOUS,
			     NULL, fns[i].fn, NULL, NULL)) != SQLITE_OK)
			return r;
	return sqlite3_create_function(db, "chibo_due", 2, SQLITE_UTF8, st,
	                               sql_due, NULL, NULL);
}

static int
user_version(sqlite3 *db)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) ==
	            SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* The migrations after version have, in one transaction. */
static cb_err
apply_migrations(struct cb_store *st, int have, struct cb_errbuf *eb)
{
	char sql[64];
	cb_err rc = cb_store_begin(st, eb);

	if (rc)
		return rc;
	for (size_t i = 0; i < cb_schema_count; i++) {
		const struct cb_migration *m = &cb_schema_migrations[i];

		if (m->version <= have)
			continue;
		if (sqlite3_exec(L(st)->db, m->sql, NULL, NULL, NULL)) {
			rc = cb_store_error(st, eb, "cannot apply schema");
			cb_error_prefix(eb, rc, "migration %s", m->name);
			cb_store_rollback(st);
			return rc;
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	         cb_store_schema_version());
	rc = cb_store_exec(st, sql, eb);
	if (!rc)
		rc = cb_store_commit(st, eb);
	if (rc)
		cb_store_rollback(st);
	return rc;
}

/* A new store is a copy of one the migrations made in memory, once in a
 * process: the same migrations, run once where a process that makes many
 * stores (a test of thousands of replicas) ran them for each — 33
 * migrations, some of which rename tables and so make SQLite read the
 * whole schema again, cost a third of such a process's time. The copy is
 * SQLite's online backup, page by page; the template lives as long as the
 * process. */
static pthread_mutex_t template_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cb_store *template_st;

static struct cb_store *store_new(const char *path, struct cb_errbuf *eb);

static cb_err
template_make(struct cb_errbuf *eb)
{
	struct cb_store *t = store_new(":memory:", eb);
	cb_err rc;

	if (!t)
		return CB_ENOMEM;
	if (sqlite3_open_v2(":memory:", &L(t)->db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                    NULL) != SQLITE_OK ||
	    register_functions(t) != SQLITE_OK) {
		rc = cb_store_error(t, eb, "cannot make the schema in memory");
		cb_store_free(&t);
		return rc;
	}
	if ((rc = apply_migrations(t, 0, eb))) {
		cb_store_free(&t);
		return rc;
	}
	template_st = t;
	return CB_OK;
}

static cb_err
template_copy(struct cb_store *st, struct cb_errbuf *eb)
{
	sqlite3_backup *bk;
	cb_err rc = CB_OK;
	int r = SQLITE_NOMEM;

	pthread_mutex_lock(&template_lock);
	if (!template_st)
		rc = template_make(eb);
	if (!rc) {
		bk = sqlite3_backup_init(L(st)->db, "main", L(template_st)->db,
		                         "main");
		if (bk) {
			r = sqlite3_backup_step(bk, -1);
			sqlite3_backup_finish(bk);
		}
	}
	pthread_mutex_unlock(&template_lock);
	if (rc)
		return rc;
	if (r != SQLITE_DONE)
		return cb_store_error(st, eb, "cannot write the schema");
	/* (a backup keeps the destination's WAL mode: test_store) */
	if (user_version(L(st)->db) != cb_store_schema_version())
		return cb_error(eb, CB_EIO, _("cannot write the schema"));
	return CB_OK;
}

/* Does the database hold nothing yet (a file just made)? */
static bool
lite_blank(struct cb_store *st)
{
	sqlite3_stmt *s = NULL;
	bool blank = false;

	if (sqlite3_prepare_v2(L(st)->db, "SELECT count(*) FROM sqlite_master",
	                       -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		blank = sqlite3_column_int64(s, 0) == 0;
	sqlite3_finalize(s);
	return blank;
}

static cb_err
migrate(struct cb_store *st, struct cb_errbuf *eb)
{
	int have = user_version(L(st)->db), want = cb_store_schema_version();

	if (have < 0)
		return cb_store_error(st, eb, "cannot read the schema version");
	if (have > want)
		return cb_store_too_new(st, have, eb);
	if (have == want)
		return CB_OK;
	if (have == 0 && lite_blank(st))
		return template_copy(st, eb);
	return apply_migrations(st, have, eb);
}

/* SQLite's memory statistics cost a process-wide mutex on every
 * allocation, and nothing here reads them. Possible only before SQLite
 * initialises (the first open); later it is refused, and harmless. */
static void
sqlite_settings(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

/* A store of path, not yet opened; NULL when out of memory (eb says). */
static const struct cb_store_engine lite_engine;

static struct cb_store *
store_new(const char *path, struct cb_errbuf *eb)
{
	struct lite_store *ls;

	pthread_once(&sqlite_once, sqlite_settings);
	ls = calloc(1, sizeof(*ls));
	if (!ls || !(ls->base.path = strdup(path))) {
		free(ls);
		cb_error(eb, CB_ENOMEM, _("out of memory"));
		return NULL;
	}
	ls->base.eng = &lite_engine;
	return &ls->base;
}

cb_err
cb_store_sqlite_open(const char *path, bool create, struct cb_store **out,
                     struct cb_errbuf *eb)
{
	struct cb_store *st;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	cb_err rc;

	if (!create && access(path, F_OK) != 0)
		return cb_error(eb, CB_ENOTFOUND, _("no database at '%s'"),
		                path);
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	if (!(st = store_new(path, eb)))
		return CB_ENOMEM;
	if (sqlite3_open_v2(path, &L(st)->db, flags, NULL) != SQLITE_OK) {
		rc = cb_error(eb, CB_EIO, _("cannot open '%s': %s"), path,
		              L(st)->db ? sqlite3_errmsg(L(st)->db)
		                        : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(L(st)->db, 1);
	sqlite3_busy_timeout(L(st)->db, 5000);
	rc = cb_store_exec(st,
	                   "PRAGMA journal_mode = WAL;"
	                   "PRAGMA synchronous = FULL;"
	                   "PRAGMA foreign_keys = OFF;"
	                   "PRAGMA trusted_schema = OFF;"
	                   "PRAGMA temp_store = MEMORY;",
	                   eb);
	if (rc) {
		cb_error_prefix(eb, rc, "cannot open '%s'", path);
		goto fail;
	}
	lite_cache(st, LITE_CACHE_KIB);
	/* before the migrations: 013 uses chibo_unhex */
	if (register_functions(st) != SQLITE_OK) {
		rc = cb_store_error(st, eb, "cannot register functions");
		goto fail;
	}
	rc = migrate(st, eb);
	if (rc)
		goto fail;
	L(st)->fold = true;
	*out = st;
	return CB_OK;
fail:
	cb_store_free(&st);
	return rc;
}

cb_err
cb_store_open_scratch(const char *path, struct cb_store **out,
                      struct cb_errbuf *eb)
{
	struct cb_store *st = NULL;
	cb_err rc = cb_store_sqlite_open(path, true, &st, eb);

	if (!rc)
		rc = cb_store_exec(st, "PRAGMA synchronous = OFF", eb);
	if (rc) {
		cb_store_free(&st);
		return rc;
	}
	*out = st;
	return CB_OK;
}

/* SQLite reads a -wal beside a database whenever its 32-byte header is
 * good (https://sqlite.org/fileformat2.html#walformat): magic 0x377f0682
 * or 0x377f0683 (the checksums' byte order), version 3007000, the page
 * size, and a checksum of the first 24 bytes. */
static bool
wal_header_good(const unsigned char h[32], uint32_t page_size)
{
	uint32_t w[8], s0 = 0, s1 = 0;
	bool big;

	for (int i = 0; i < 8; i++)
		w[i] = (uint32_t)h[4 * i] << 24 | (uint32_t)h[4 * i + 1] << 16 |
		       (uint32_t)h[4 * i + 2] << 8 | h[4 * i + 3];
	if ((w[0] & ~1u) != 0x377f0682u || w[1] != 3007000u ||
	    w[2] != page_size)
		return false;
	big = w[0] & 1;
	for (int i = 0; i < 6; i += 2) {
		uint32_t x0 = w[i], x1 = w[i + 1];

		if (!big) {
			x0 = __builtin_bswap32(x0);
			x1 = __builtin_bswap32(x1);
		}
		s0 += x0 + s1;
		s1 += x1 + s0;
	}
	return s0 == w[6] && s1 == w[7];
}

/* A -wal beside st's file that SQLite did not read — cut short, damaged,
 * of another page size — leaves the newest entries out without a word:
 * CB_EIO saying so. SQLite reads a good one (a live hub.db, or a copy
 * taken with its -wal); a copy made without its -wal cannot be told from
 * a whole file, which is why 'chibo-hub backup' exists. */
static cb_err
wal_unread(struct cb_store *st, struct cb_errbuf *eb)
{
	char wal[4096];
	unsigned char h[32];
	struct stat sb;
	sqlite3_stmt *q = NULL;
	uint32_t page_size = 0;
	bool read_it = false;
	FILE *fp;

	if (snprintf(wal, sizeof(wal), "%s-wal", st->path) >=
	            (int)sizeof(wal) ||
	    stat(wal, &sb) != 0 || sb.st_size == 0)
		return CB_OK;
	if (sqlite3_prepare_v2(L(st)->db, "PRAGMA journal_mode", -1, &q,
	                       NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		read_it =
			!strcmp((const char *)sqlite3_column_text(q, 0), "wal");
	sqlite3_finalize(q);
	if (sqlite3_prepare_v2(L(st)->db, "PRAGMA page_size", -1, &q, NULL) ==
	            SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		page_size = (uint32_t)sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (read_it && (fp = fopen(wal, "rb"))) {
		read_it = fread(h, 1, sizeof(h), fp) == sizeof(h) &&
		          wal_header_good(h, page_size);
		fclose(fp);
	}
	if (read_it)
		return CB_OK;
	return cb_error(
		eb, CB_EIO,
		_("'%s' lies beside '%s', but it is not a write-ahead "
	          "log SQLite reads (cut short or damaged), so it was "
	          "not read and the newest entries may be missing; take "
	          "the copy with 'chibo-hub backup --plain FILE'"),
		wal, st->path);
}

cb_err
cb_store_open_snapshot(const char *path, struct cb_store **out,
                       struct cb_errbuf *eb)
{
	struct cb_store *st = store_new(path, eb);
	cb_err rc;

	if (!st)
		return CB_ENOMEM;
	/* Mapped, the log's pages are read without a copy each. */
	if (sqlite3_open_v2(path, &L(st)->db, SQLITE_OPEN_READONLY, NULL) !=
	            SQLITE_OK ||
	    sqlite3_exec(L(st)->db, "PRAGMA mmap_size = 1099511627776", NULL,
	                 NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(L(st)->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		rc = cb_error(eb, CB_EIO, _("cannot open '%s' to read it: %s"),
		              path,
		              L(st)->db ? sqlite3_errmsg(L(st)->db)
		                        : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(L(st)->db, 1);
	if ((rc = wal_unread(st, eb)))
		goto fail;
	*out = st;
	return CB_OK;
fail:
	cb_store_free(&st);
	return rc;
}

static void *
checkpoint_loop(void *arg)
{
	struct checkpointer *cp = arg;

	pthread_mutex_lock(&cp->mu);
	for (;;) {
		while (!cp->due && !cp->stop)
			pthread_cond_wait(&cp->cond, &cp->mu);
		if (cp->stop)
			break;
		cp->due = false;
		pthread_mutex_unlock(&cp->mu);
		/* PASSIVE copies what no reader still needs and never waits
		 * for the writer. Busy or failed, it is tried again after
		 * the next commit, and a commit checkpoints itself past
		 * WAL_INLINE_PAGES. */
		(void)sqlite3_wal_checkpoint_v2(
			cp->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&cp->mu);
	}
	pthread_mutex_unlock(&cp->mu);
	return NULL;
}

/* sqlite3_wal_hook: after every commit, with the WAL's size in pages. */
static int
on_commit(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct checkpointer *cp = arg;

	if (pages >= WAL_INLINE_PAGES) {
		(void)sqlite3_wal_checkpoint_v2(
			db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	} else if (pages >= WAL_CHECKPOINT_PAGES) {
		pthread_mutex_lock(&cp->mu);
		cp->due = true;
		pthread_cond_signal(&cp->cond);
		pthread_mutex_unlock(&cp->mu);
	}
	return SQLITE_OK;
}

static cb_err
lite_checkpoint_behind(struct cb_store *st, struct cb_errbuf *eb)
{
	struct checkpointer *cp;

	if (L(st)->cp)
		return CB_OK;
	if (!(cp = calloc(1, sizeof(*cp))))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if (sqlite3_open_v2(st->path, &cp->db,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK ||
	    sqlite3_exec(cp->db, "PRAGMA synchronous = FULL", NULL, NULL,
	                 NULL) != SQLITE_OK) {
		cb_error(eb, CB_EIO, _("cannot open '%s' to checkpoint it: %s"),
		         st->path,
		         cp->db ? sqlite3_errmsg(cp->db) : "out of memory");
		sqlite3_close(cp->db);
		free(cp);
		return CB_EIO;
	}
	pthread_mutex_init(&cp->mu, NULL);
	pthread_cond_init(&cp->cond, NULL);
	if (pthread_create(&cp->thread, NULL, checkpoint_loop, cp)) {
		pthread_cond_destroy(&cp->cond);
		pthread_mutex_destroy(&cp->mu);
		sqlite3_close(cp->db);
		free(cp);
		return cb_error(eb, CB_ENOMEM,
		                _("cannot start a thread to checkpoint '%s'"),
		                st->path);
	}
	L(st)->cp = cp;
	sqlite3_wal_hook(L(st)->db, on_commit, cp);
	return CB_OK;
}

static void
checkpointer_free(struct checkpointer *cp)
{
	if (!cp)
		return;
	pthread_mutex_lock(&cp->mu);
	cp->stop = true;
	pthread_cond_signal(&cp->cond);
	pthread_mutex_unlock(&cp->mu);
	pthread_join(cp->thread, NULL);
	pthread_cond_destroy(&cp->cond);
	pthread_mutex_destroy(&cp->mu);
	sqlite3_close(cp->db);
	free(cp);
}

static void
lite_close(struct cb_store *st)
{
	if (L(st)->cp) {
		sqlite3_wal_hook(L(st)->db, NULL, NULL);
		checkpointer_free(L(st)->cp);
	}
	for (size_t i = 0; i < L(st)->nstmts; i++) {
		sqlite3_finalize(L(st)->stmts[i].stmt);
		free(L(st)->stmts[i].wrap);
	}
	sqlite3_close(L(st)->db);
	free(st->path);
	free(L(st));
}

static const struct cb_store_engine lite_engine = {
	.name = "sqlite",
	.sql = &lite_be,
	.close = lite_close,
	.error = lite_error,
	.exec = lite_exec,
	.begin = lite_begin,
	.begin_read = lite_begin_read,
	.commit = lite_commit,
	.rollback = lite_rollback,
	.fold = lite_fold,
	.bulk = lite_bulk,
	.integrity = lite_integrity,
	.backup = lite_backup,
	.checkpoint_behind = lite_checkpoint_behind,
	.fill = lite_fill,
};

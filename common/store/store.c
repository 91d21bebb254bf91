/* SPDX-License-Identifier: MIT */
/* store.c — the front of store.h: what every engine shares, and a call to
 * the store's engine (store_engine.h) for the rest. SQLite
 * (store_sqlite.c) holds a replica and, by default, a hub; PostgreSQL
 * (store_pg.c) a hub whose address is a postgresql:// URI. */
#include "store.h"
#include "store_engine.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "schema.h"
#include "sql.h"

bool
cb_store_is_pg(const char *path)
{
	return path && (!strncmp(path, "postgresql://", 13) ||
	                !strncmp(path, "postgres://", 11));
}

cb_err
cb_store_open(const char *path, bool create, struct cb_store **out,
              struct cb_errbuf *eb)
{
	if (cb_store_is_pg(path))
		return cb_store_pg_open(path, create, out, eb);
	return cb_store_sqlite_open(path, create, out, eb);
}

void
cb_store_free(struct cb_store **pst)
{
	struct cb_store *st = pst ? *pst : NULL;

	if (!st)
		return;
	cb_log_free(&st->log);
	st->eng->close(st);
	*pst = NULL;
}

void
cb_store_on_settled(struct cb_store *st, cb_settled_fn fn, void *ctx)
{
	st->settled = fn;
	st->settled_ctx = ctx;
}

void
cb_store_settled(struct cb_store *st, int64_t lsn, const struct cb_entry *e,
                 cb_err verdict, const char *why)
{
	if (st->settled)
		st->settled(st->settled_ctx, lsn, e, verdict, why);
}

int
cb_store_schema_version(void)
{
	return cb_schema_migrations[cb_schema_count - 1].version;
}

const char *
cb_store_engine_name(const struct cb_store *st)
{
	return st->eng->name;
}

bool
cb_store_lost(struct cb_store *st)
{
	return st && st->eng->lost && st->eng->lost(st);
}

const char *
cb_store_path(const struct cb_store *st)
{
	return st->path;
}

struct cb_log *
cb_store_log(struct cb_store *st)
{
	if (!st->log)
		st->log = cb_log_sql_new(st);
	return st->log;
}

const struct cb_sql_be *
cb_store_sql_be(struct cb_store *st)
{
	return st->eng->sql;
}

struct cb_stmt *
cb_sql(struct cb_store *st, const char *sql, struct cb_errbuf *eb)
{
	struct cb_stmt *s;

	return st->eng->sql->prepare(st, sql, true, &s, eb) ? NULL : s;
}

cb_err
cb_store_backup(struct cb_store *st, const char *path, struct cb_errbuf *eb)
{
	return st->eng->backup(st, path, eb);
}

cb_err
cb_store_checkpoint_behind(struct cb_store *st, struct cb_errbuf *eb)
{
	return st->eng->checkpoint_behind(st, eb);
}

cb_err
cb_store_error(struct cb_store *st, struct cb_errbuf *eb, const char *what)
{
	return st->eng->error(st, eb, what);
}

cb_err
cb_store_exec(struct cb_store *st, const char *sql, struct cb_errbuf *eb)
{
	return st->eng->exec(st, sql, eb);
}

cb_err
cb_store_begin(struct cb_store *st, struct cb_errbuf *eb)
{
	return st->eng->begin(st, eb);
}

cb_err
cb_store_begin_read(struct cb_store *st, struct cb_errbuf *eb)
{
	return st->eng->begin_read(st, eb);
}

cb_err
cb_store_commit(struct cb_store *st, struct cb_errbuf *eb)
{
	return st->eng->commit(st, eb);
}

void
cb_store_rollback(struct cb_store *st)
{
	st->eng->rollback(st);
}

cb_err
cb_store_fold(struct cb_store *st, struct cb_errbuf *eb)
{
	return st->eng->fold ? st->eng->fold(st, eb) : CB_OK;
}

cb_err
cb_store_too_new(const struct cb_store *st, int have, struct cb_errbuf *eb)
{
	return cb_error(eb, CB_EVERSION,
	                _("'%s' has schema version %d but this chibo knows "
	                  "only up to %d; upgrade chibo"),
	                st->path, have, cb_store_schema_version());
}

void
cb_store_bulk(struct cb_store *st)
{
	if (st->eng->bulk)
		st->eng->bulk(st);
}

cb_err
cb_store_fill(struct cb_store *st, bool on, struct cb_errbuf *eb)
{
	return st->eng->fill ? st->eng->fill(st, on, eb) : CB_OK;
}

cb_err
cb_store_integrity(struct cb_store *st, struct cb_errbuf *eb)
{
	return st->eng->integrity(st, eb);
}

cb_err
cb_store_run(struct cb_store *st, const char *sql, struct cb_errbuf *eb)
{
	struct cb_stmt *s = cb_sql(st, sql, eb);

	if (!s)
		return CB_EIO;
	return cb_sql_done(s, eb);
}

cb_err
cb_store_meta_get(struct cb_store *st, const char *key, char **value,
                  struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT value FROM meta WHERE key = ?";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	char *v;
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, key);
	r = cb_sql_step(s);
	if (r == CB_SQL_DONE) {
		cb_sql_reset(s);
		return cb_error(eb, CB_ENOTFOUND, _("no '%s' in the replica"),
		                key);
	}
	if (r != CB_SQL_ROW) {
		cb_err rc =
			cb_store_error(st, eb, "cannot read replica metadata");

		cb_sql_reset(s);
		return rc;
	}
	v = strdup(cb_sql_column_text(s, 0));
	cb_sql_reset(s);
	if (!v)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	*value = v;
	return CB_OK;
}

cb_err
cb_store_meta_set(struct cb_store *st, const char *key, const char *value,
                  struct cb_errbuf *eb)
{
	static const char sql[] =
		"INSERT INTO meta (key, value) VALUES (?, ?) "
		"ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	struct cb_stmt *s = cb_sql(st, sql, eb);

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, key);
	cb_sql_bind_text(s, 2, value);
	return cb_sql_done(s, eb);
}

cb_err
cb_store_meta_delete(struct cb_store *st, const char *key, struct cb_errbuf *eb)
{
	static const char sql[] = "DELETE FROM meta WHERE key = ?";
	struct cb_stmt *s = cb_sql(st, sql, eb);

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, key);
	return cb_sql_done(s, eb);
}

/* SPDX-License-Identifier: MIT */
/* store_pg.c — the PostgreSQL engine under store.h (store_engine.h) and
 * the statement layer's second backend (sql.h), over libpq.
 *
 * A store is a database, named by a postgresql:// URI (libpq's connection
 * URI: https://www.postgresql.org/docs/15/libpq-connect.html). What SQLite
 * does that PostgreSQL does otherwise is made the same here, so that the
 * view above sees one engine:
 *  - parameters: `?N`, `?` and `:name` become `$N`; LIKE becomes ILIKE
 *    (SQLite's LIKE ignores ASCII case);
 *  - a failing statement inside a transaction undoes only itself, as in
 *    SQLite: each runs under a savepoint;
 *  - a write transaction excludes the others (SQLite's BEGIN IMMEDIATE):
 *    an advisory lock taken at BEGIN;
 *  - text orders as bytes: the database's collation must be C;
 *  - the functions sql.md names are in schema/pg/.
 * Results are read whole at the first step, in text form, so that a
 * statement stepping does not hold the connection: the view interleaves
 * reads and writes.
 *
 * A connection lost (the server died, or a failover made it a standby)
 * fails what was running on it, a COMMIT whose answer never came as
 * failed; the store connects again over the same address before its next
 * transaction, which a multi-host address with
 * target_session_attrs=read-write makes the new primary, and prepares its
 * statements there afresh (store.h, cb_store_lost). */
#include "store.h"
#include "store_engine.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "buf.h"
#include "key.h"
#include "schema.h"
#include "sql.h"

#define PG_CACHE_MAX 256
#define PG_PARAMS_MAX 96
/* BEGIN of a write transaction: the advisory lock that makes them one at
 * a time, as SQLite's BEGIN IMMEDIATE does (its number: "chibo" in ASCII,
 * any would do). */
#define PG_BEGIN_WRITE "BEGIN; SELECT pg_advisory_xact_lock(426953499247)"
/* Seconds to wait for each of the address's servers to answer when
 * connecting, unless the address says otherwise (libpq waits forever): a
 * primary that died with its machine is given up and the next host
 * tried. */
#define PG_CONNECT_TIMEOUT "5"

/* Type OIDs (catalog/pg_type.h, stable across versions). */
enum {
	OID_BOOL = 16,
	OID_BYTEA = 17,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_TEXT = 25,
	OID_OID = 26,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_NUMERIC = 1700,
};

struct pg_stmt;

struct pg_store {
	struct cb_store base;
	PGconn *conn;
	unsigned nested;   /* savepoints inside the transaction */
	unsigned prepared; /* server-side statements made, for their names */
	bool in_tx;
	/* the connection is to be made again before the next transaction
	 * (cb_store_lost: read by the server's threads without a lock) */
	atomic_bool lost;
	unsigned gen;  /* connections made, for the statements prepared */
	char state[6]; /* the last error's SQLSTATE, "" if none */
	char *message; /* and its message */
	int64_t changes;
	/* writes sent in pipeline mode and not yet answered (cb_sql_write):
	 * their answers are read with the next statement's */
	size_t queued;
	/* one of them failed: the transaction is lost, and every statement
	 * fails until the rollback */
	bool doomed;
	size_t nstmts;
	struct {
		const char *sql;
		struct pg_stmt *stmt;
	} cache[PG_CACHE_MAX];
};

#define P(st) ((struct pg_store *)(void *)(st))

struct pg_stmt {
	struct cb_stmt base;
	bool cached;
	bool control; /* SAVEPOINT, RELEASE, ROLLBACK…: run bare */
	bool writes;  /* INSERT, UPDATE or DELETE: under a savepoint */
	bool returns; /* … RETURNING: its answer is awaited */
	/* prepared on the server from its second run, with the types of
	 * that run's bindings: "cbN" */
	unsigned runs;
	char name[24];
	unsigned gen; /* the connection (pg_store's gen) it is prepared on */
	Oid prepared_types[PG_PARAMS_MAX];
	char *sql; /* translated */
	int nparams;
	char *names[PG_PARAMS_MAX + 1]; /* [i]: ":name" of $i, or NULL */
	bool used[PG_PARAMS_MAX + 1];   /* [i]: $i is in the text */
	/* [i]: $i's first use is "$i IS [NOT] NULL", from which the server
	 * cannot tell its type: text, unless bound as another */
	bool null_first[PG_PARAMS_MAX + 1];
	Oid types[PG_PARAMS_MAX];
	char *values[PG_PARAMS_MAX];
	int lengths[PG_PARAMS_MAX];
	int formats[PG_PARAMS_MAX];
	PGresult *res;
	PGresult *desc; /* the columns, described before a first step */
	int row, nrows;
	/* the current row's bytea columns, decoded */
	unsigned char **blobs;
	size_t *blob_len;
	int ncols;
};

#define S(x) ((struct pg_stmt *)(void *)(x))

static const struct cb_sql_be pg_be;
static const struct cb_store_engine pg_engine;

/* --- errors ------------------------------------------------------------ */

/* Is the connection gone, or to a server that no longer takes the hub's
 * writes: the old primary made a standby (read-only transaction), one
 * shutting down or starting (57P01–57P03), a connection's failure (class
 * 08)? */
static bool
conn_gone(const struct pg_store *ps)
{
	return PQstatus(ps->conn) != CONNECTION_OK ||
	       !strncmp(ps->state, "08", 2) || !strcmp(ps->state, "25006") ||
	       !strcmp(ps->state, "57P01") || !strcmp(ps->state, "57P02") ||
	       !strcmp(ps->state, "57P03");
}

static void
note_error(struct pg_store *ps, const PGresult *res)
{
	const char *state =
		res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg =
		res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	snprintf(ps->state, sizeof(ps->state), "%s", state ? state : "");
	free(ps->message);
	ps->message = strdup(msg ? msg : PQerrorMessage(ps->conn));
	if (ps->message) {
		size_t n = strlen(ps->message);

		while (n && (ps->message[n - 1] == '\n'))
			ps->message[--n] = '\0';
		/* libpq's message of a multi-host address is a line a
		 * host: one line */
		for (char *p = ps->message; (p = strchr(p, '\n'));)
			*p = ' ';
	}
	if (conn_gone(ps))
		atomic_store(&ps->lost, true);
}

static void
clear_error(struct pg_store *ps)
{
	ps->state[0] = '\0';
}

static cb_err
pg_error(struct cb_store *st, struct cb_errbuf *eb, const char *what)
{
	struct pg_store *ps = P(st);
	const char *msg = ps->message ? ps->message : "unknown error";

	what = _(what);
	if (PQstatus(ps->conn) == CONNECTION_BAD)
		return cb_error(eb, CB_EIO,
		                _("%s: the database server of the hub cannot "
		                  "be reached (%s); start it, or check the "
		                  "hub's database address"),
		                what, msg);
	if (!strcmp(ps->state, "53100"))
		return cb_error(eb, CB_EIO,
		                _("%s: the disk of the hub's database server "
		                  "is full; free some space and try again"),
		                what);
	if (!strcmp(ps->state, "25006"))
		return cb_error(eb, CB_EIO,
		                _("%s: the hub's database is read-only (a "
		                  "standby?)"),
		                what);
	return cb_error(eb, CB_EIO, "%s: %s", what, msg);
}

/* --- writes sent ahead ------------------------------------------------ */

/* At most this many writes wait for their answers: the server's answers
 * must fit its socket's buffer while the hub is still sending. */
#define PG_QUEUE_MAX 256

static bool
failed(const PGresult *r)
{
	ExecStatusType t = PQresultStatus(r);

	return t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK &&
	       t != PGRES_PIPELINE_SYNC;
}

/* A write sent ahead failed (r): its error noted, said to be an earlier
 * statement's, and the transaction lost. */
static void
doom(struct pg_store *ps, const PGresult *r)
{
	char *msg;

	note_error(ps, PQresultStatus(r) == PGRES_PIPELINE_ABORTED ? NULL : r);
	if (ps->message) {
		char said[1024];

		snprintf(said, sizeof(said),
		         _("an earlier write of this transaction failed: %s"),
		         ps->message);
		if ((msg = strdup(said))) {
			free(ps->message);
			ps->message = msg;
		}
	}
	ps->doomed = true;
}

/* The answers of the n writes sent ahead: the first that failed, kept
 * (NULL if none). */
static PGresult *
read_queued(PGconn *c, size_t n)
{
	PGresult *bad = NULL, *r;

	for (size_t q = 0; q < n; q++)
		while ((r = PQgetResult(c))) {
			if (!bad && failed(r))
				bad = r;
			else
				PQclear(r);
		}
	return bad;
}

/* Read what the pipeline still holds, to its sync. */
static void
read_to_sync(PGconn *c)
{
	PGresult *r;

	while ((r = PQgetResult(c))) {
		ExecStatusType t = PQresultStatus(r);

		PQclear(r);
		if (t == PGRES_PIPELINE_SYNC)
			break;
	}
}

/* The answers of the writes sent ahead read, to the pipeline's sync, and
 * the pipeline left: the first that failed (NULL if none). *unsent: the
 * sync could not be sent (the connection failed). */
static PGresult *
collect(struct pg_store *ps, bool *unsent)
{
	PGresult *bad = NULL;
	size_t n = ps->queued;

	ps->queued = 0;
	*unsent = !PQpipelineSync(ps->conn);
	if (!*unsent) {
		bad = read_queued(ps->conn, n);
		read_to_sync(ps->conn);
	}
	(void)PQexitPipelineMode(ps->conn);
	return bad;
}

/* The writes sent ahead answered, before anything else is run on the
 * connection outside the pipeline: false (the error noted) if one of
 * them failed, or one did before. */
static bool
drain(struct pg_store *ps)
{
	PGresult *bad;
	bool unsent;

	if (!ps->queued)
		return !ps->doomed;
	bad = collect(ps, &unsent);
	if (unsent) {
		note_error(ps, NULL);
		ps->doomed = true;
		return false;
	}
	if (bad) {
		doom(ps, bad);
		PQclear(bad);
	}
	return !ps->doomed;
}

/* --- plain commands ---------------------------------------------------- */

/* Run sql (one or more statements, no parameters): CB_OK or the error
 * noted. */
static bool
run(struct pg_store *ps, const char *sql)
{
	PGresult *res;
	ExecStatusType t;
	bool ok;

	if (!drain(ps))
		return false;
	res = PQexec(ps->conn, sql);
	t = PQresultStatus(res);
	ok = t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;

	if (ok)
		clear_error(ps);
	else
		note_error(ps, res);
	PQclear(res);
	return ok;
}

/* Run sql, which undoes a failure, keeping that failure's error (its
 * SQLSTATE and message) for pg_error and pg_constraint. */
static void
undo_keeping_error(struct pg_store *ps, const char *sql)
{
	char *keep = ps->message;
	char state[sizeof(ps->state)];

	memcpy(state, ps->state, sizeof(state));
	ps->message = NULL;
	(void)run(ps, sql);
	free(ps->message);
	ps->message = keep;
	memcpy(ps->state, state, sizeof(state));
}

/* What a session of the hub's sets, on each connection made. */
static bool
session_setup(struct pg_store *ps)
{
	if (!run(ps, "SET client_min_messages = warning;"
	             "SET synchronous_commit = on;"
	             "SET standard_conforming_strings = on"))
		return false;
	if (PQsetClientEncoding(ps->conn, "UTF8") != 0) {
		note_error(ps, NULL);
		return false;
	}
	return true;
}

/* Before a transaction, or a statement outside one: the connection made
 * again over the same address if it was lost, its session set up again;
 * what was prepared on the old one is prepared afresh when next run
 * (ps->gen). Inside a transaction nothing is done: the transaction failed
 * with its connection and is rolled back first. False, with the error
 * noted, if no server takes the hub's writes yet (a standby not yet
 * promoted): the store tries again next time. */
static bool
reconnect(struct pg_store *ps)
{
	if (ps->in_tx ||
	    (!atomic_load(&ps->lost) && PQstatus(ps->conn) == CONNECTION_OK))
		return true;
	ps->gen++;
	PQreset(ps->conn);
	if (PQstatus(ps->conn) != CONNECTION_OK) {
		note_error(ps, NULL);
		return false;
	}
	if (!session_setup(ps))
		return false;
	atomic_store(&ps->lost, false);
	return true;
}

static bool
pg_lost(struct cb_store *st)
{
	return atomic_load(&P(st)->lost);
}

static cb_err
pg_exec(struct cb_store *st, const char *sql, struct cb_errbuf *eb)
{
	struct pg_store *ps = P(st);
	bool ok;

	if (!reconnect(ps))
		return pg_error(st, eb, "database error");
	if (ps->in_tx && !run(ps, "SAVEPOINT cb_stmt"))
		return pg_error(st, eb, "database error");
	ok = run(ps, sql);
	if (ps->in_tx && ok)
		(void)run(ps, "RELEASE SAVEPOINT cb_stmt");
	else if (ps->in_tx)
		undo_keeping_error(ps, "ROLLBACK TO SAVEPOINT cb_stmt; "
		                       "RELEASE SAVEPOINT cb_stmt");
	return ok ? CB_OK : pg_error(st, eb, "database error");
}

static cb_err
pg_begin(struct cb_store *st, struct cb_errbuf *eb)
{
	struct pg_store *ps = P(st);

	if (ps->in_tx) {
		if (!run(ps, "SAVEPOINT cb_nested"))
			return pg_error(st, eb, "cannot start a transaction");
		ps->nested++;
		return CB_OK;
	}
	if (!reconnect(ps) || !run(ps, PG_BEGIN_WRITE))
		return pg_error(st, eb, "cannot start a transaction");
	ps->in_tx = true;
	ps->nested = 0;
	return CB_OK;
}

static cb_err
pg_begin_read(struct cb_store *st, struct cb_errbuf *eb)
{
	struct pg_store *ps = P(st);

	if (!reconnect(ps) || !run(ps, "BEGIN ISOLATION LEVEL REPEATABLE READ"))
		return pg_error(st, eb, "cannot start reading");
	ps->in_tx = true;
	ps->nested = 0;
	return CB_OK;
}

static void
pg_rollback(struct cb_store *st)
{
	struct pg_store *ps = P(st);

	ps->nested = 0;
	if (ps->queued) {
		/* the writes sent ahead: their answers no longer matter */
		bool unsent;

		PQclear(collect(ps, &unsent));
	}
	ps->doomed = false;
	if (PQtransactionStatus(ps->conn) != PQTRANS_IDLE)
		undo_keeping_error(ps, "ROLLBACK");
	ps->in_tx = false;
}

#define PG_FOLD "SELECT chibo_fold()"

static cb_err
pg_fold(struct cb_store *st, struct cb_errbuf *eb)
{
	return run(P(st), PG_FOLD)
	               ? CB_OK
	               : pg_error(st, eb, "cannot add up the tally");
}

static cb_err
pg_commit(struct cb_store *st, struct cb_errbuf *eb)
{
	struct pg_store *ps = P(st);
	const char *sql = ps->nested ? "RELEASE SAVEPOINT cb_nested" : "COMMIT";

	if (!drain(ps)) {
		/* a write sent ahead failed: the transaction is lost */
		cb_err rc = pg_error(st, eb, "cannot commit");

		pg_rollback(st);
		return rc;
	}
	if (!ps->nested && PQtransactionStatus(ps->conn) == PQTRANS_INERROR) {
		/* a statement failed and was not undone: COMMIT would
		 * answer ROLLBACK, and what came before would be lost
		 * without a word */
		pg_rollback(st);
		return cb_error(eb, CB_EIO, "cannot commit: %s",
		                ps->message ? ps->message
		                            : "the transaction failed");
	}
	/* the tally's deltas added up (schema/pg/029), outside any
	 * savepoint */
	if ((!ps->nested && !run(ps, PG_FOLD)) || !run(ps, sql)) {
		cb_err rc = pg_error(st, eb, "cannot commit");

		pg_rollback(st);
		return rc;
	}
	if (ps->nested)
		ps->nested--;
	else
		ps->in_tx = false;
	return CB_OK;
}

static cb_err
pg_integrity(struct cb_store *st, struct cb_errbuf *eb)
{
	/* PostgreSQL checks its pages as it reads them (and with
	 * data_checksums); there is no whole-database check to run here. */
	(void)st;
	(void)eb;
	return CB_OK;
}

/* The tables of the store, but the engine's own: its schema version and
 * the tallies' deltas (schema/pg/029, 032: empty at every commit). */
static const char pg_tables[] =
	"SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
	"AND tablename NOT IN ('chibo_schema', 'rating_tally_delta', "
	"'member_tally_delta') "
	"ORDER BY tablename";

/* A hub's store on PostgreSQL, copied into a new SQLite file at path: one
 * snapshot (REPEATABLE READ) of every table, what an auditor reads as
 * hub.db ('chibo-audit verify --db') and what a backup file holds. As
 * cb_store_backup promises: a temporary mode 0600 beside path, made
 * self-contained, fsynced and renamed over it. */
static cb_err
pg_backup(struct cb_store *st, const char *path, struct cb_errbuf *eb)
{
	struct pg_store *ps = P(st);
	char tmp[CB_FILE_TEMP_MAX];
	struct cb_store *dest = NULL;
	PGresult *res = NULL;
	cb_err rc;
	int fd;

	if ((rc = cb_file_temp(path, 0600, tmp, &fd, eb)))
		return rc;
	close(fd);
	if ((rc = cb_store_sqlite_open(tmp, true, &dest, eb)))
		goto out;
	if ((rc = pg_begin_read(st, eb)))
		goto out;
	res = PQexec(ps->conn, pg_tables);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		note_error(ps, res);
		rc = pg_error(st, eb, "cannot list the tables");
		goto out;
	}
	if ((rc = cb_store_begin(dest, eb)))
		goto out;
	/* the tallies last, once what the copy's triggers counted again
	 * (the copied ratings and members) is folded in: their rows as
	 * they are here replace it */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; !rc && i < PQntuples(res); i++) {
			const char *t = PQgetvalue(res, i, 0);
			char del[96];

			if (pass != (!strcmp(t, "rating_tally") ||
			             !strcmp(t, "member_tally")))
				continue;
			snprintf(del, sizeof(del), "DELETE FROM %s", t);
			if (!(rc = cb_store_exec(dest, del, eb)))
				rc = cb_store_copy_table(st, dest, t, eb);
		}
		if (!rc && !pass)
			rc = cb_store_fold(dest, eb);
	}
	if (!rc)
		rc = cb_store_commit(dest, eb);
	else
		cb_store_rollback(dest);
	if (!rc)
		rc = cb_store_exec(dest, "PRAGMA journal_mode = DELETE", eb);
out:
	PQclear(res);
	if (ps->in_tx)
		pg_rollback(st);
	cb_store_free(&dest);
	if (!rc && ((fd = open(tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	            fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0))
		rc = cb_error(eb, CB_EIO, _("cannot write '%s': %s"), path,
		              strerror(errno));
	if (rc) {
		unlink(tmp);
		return rc;
	}
	return cb_file_fsync_dir(path, eb);
}

static cb_err
pg_checkpoint_behind(struct cb_store *st, struct cb_errbuf *eb)
{
	/* The server checkpoints on its own. */
	(void)st;
	(void)eb;
	return CB_OK;
}

/* --- statements -------------------------------------------------------- */

static bool
name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static bool
word_at(const char *p, const char *start, const char *w)
{
	size_t n = strlen(w);

	return !strncasecmp(p, w, n) && !name_char(p[n]) &&
	       (p == start || !name_char(p[-1]));
}

/* $n is used, followed by the text at after. */
static void
note_use(struct pg_stmt *w, int n, const char *after)
{
	if (!w->used[n]) {
		while (*after == ' ' || *after == '\t' || *after == '\n')
			after++;
		w->null_first[n] = !strncasecmp(after, "IS ", 3);
	}
	w->used[n] = true;
}

/* Does the parenthesis at p hold more than one argument? */
static bool
two_args(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return false;
		else if (*p == ',' && depth == 1)
			return true;
		else if (*p == '\'')
			while (p[1] && *++p != '\'')
				;
	}
	return false;
}

/* Does an IN at p - 2 take a table's name (SQLite's "x IN t") rather than
 * a parenthesised list or query? */
static bool
in_table(const char *p)
{
	const char *e;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!name_char(*p) || (*p >= '0' && *p <= '9'))
		return false;
	for (e = p; name_char(*e); e++)
		;
	while (*e == ' ' || *e == '\t' || *e == '\n')
		e++;
	return *e != '(' && *e != '.';
}

/* SQLite's statement text as PostgreSQL's, into w->sql and w->names. */
static cb_err
translate(struct pg_stmt *w, const char *sql, struct cb_errbuf *eb)
{
	struct cb_buf b = CB_BUF_INIT;
	cb_err rc = CB_OK;
	int next = 0;

	for (const char *p = sql; *p && !rc;) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			const char *e = p + 1;

			while (*e && !(*e == q && e[1] != q))
				e += (*e == q) ? 2 : 1;
			if (*e)
				e++;
			rc = cb_buf_add(&b, p, (size_t)(e - p));
			p = e;
		} else if (p[0] == '-' && p[1] == '-') {
			const char *e = strchr(p, '\n');

			e = e ? e : p + strlen(p);
			rc = cb_buf_add(&b, p, (size_t)(e - p));
			p = e;
		} else if (*p == '?') {
			int n = 0;

			p++;
			if (*p >= '0' && *p <= '9') {
				while (*p >= '0' && *p <= '9' &&
				       n <= PG_PARAMS_MAX)
					n = n * 10 + (*p++ - '0');
			} else {
				n = next + 1;
			}
			if (n < 1 || n > PG_PARAMS_MAX)
				goto too_many;
			if (n > next)
				next = n;
			note_use(w, n, p);
			rc = cb_buf_addf(&b, "$%d", n);
		} else if (*p == ':' && name_char(p[1]) &&
		           (p == sql || p[-1] != ':')) {
			const char *e = p + 1;
			int n = 0;

			while (name_char(*e))
				e++;
			for (int i = 1; i <= next; i++)
				if (w->names[i] &&
				    strlen(w->names[i]) == (size_t)(e - p) &&
				    !strncmp(w->names[i], p, (size_t)(e - p)))
					n = i;
			if (!n) {
				n = ++next;
				if (n > PG_PARAMS_MAX)
					goto too_many;
				if (!(w->names[n] =
				              strndup(p, (size_t)(e - p))))
					rc = CB_ENOMEM;
			}
			note_use(w, n, e);
			if (!rc)
				rc = cb_buf_addf(&b, "$%d", n);
			p = e;
		} else if (word_at(p, sql, "IN") && in_table(p + 2)) {
			/* SQLite's "x IN t", t a table of one column */
			const char *t = p + 2, *e;

			while (*t == ' ' || *t == '\t' || *t == '\n')
				t++;
			for (e = t; name_char(*e); e++)
				;
			rc = cb_buf_addf(&b, "IN (SELECT * FROM %.*s)",
			                 (int)(e - t), t);
			p = e;
		} else if ((word_at(p, sql, "max") || word_at(p, sql, "min")) &&
		           p[3] == '(' && two_args(p + 3)) {
			/* SQLite's max(a, b), a value, not an aggregate */
			rc = cb_buf_addstr(&b, p[1] == 'a' || p[1] == 'A'
			                               ? "greatest"
			                               : "least");
			p += 3;
		} else if (word_at(p, sql, "LIKE")) {
			rc = cb_buf_addstr(&b, "ILIKE");
			p += 4;
		} else {
			rc = cb_buf_add(&b, p, 1);
			p++;
		}
	}
	if (rc || (rc = cb_buf_add(&b, "", 1))) {
		cb_buf_release(&b);
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	w->sql = (char *)cb_buf_detach(&b, NULL);
	w->nparams = next;
	return CB_OK;
too_many:
	cb_buf_release(&b);
	return cb_error(eb, CB_EINVAL, "a statement with over %d parameters",
	                PG_PARAMS_MAX);
}

/* The decoded bytes belong to the result (PQresultAlloc): forget them. */
static void
clear_row(struct pg_stmt *w)
{
	for (int i = 0; i < w->ncols; i++)
		w->blobs[i] = NULL;
}

static void
clear_result(struct pg_stmt *w)
{
	clear_row(w);
	free(w->blobs);
	free(w->blob_len);
	w->blobs = NULL;
	w->blob_len = NULL;
	w->ncols = 0;
	PQclear(w->res);
	w->res = NULL;
	w->row = w->nrows = 0;
}

static void
pg_reset(struct cb_stmt *s)
{
	struct pg_stmt *w = S(s);

	clear_result(w);
	for (int i = 0; i < PG_PARAMS_MAX; i++) {
		free(w->values[i]);
		w->values[i] = NULL;
		w->types[i] = 0;
		w->lengths[i] = 0;
		w->formats[i] = 0;
	}
}

static void
stmt_free(struct pg_stmt *w)
{
	if (!w)
		return;
	pg_reset(&w->base);
	PQclear(w->desc);
	if (w->name[0] && w->gen == P(w->base.st)->gen &&
	    !P(w->base.st)->queued &&
	    PQstatus(P(w->base.st)->conn) == CONNECTION_OK) {
		char sql[48];

		snprintf(sql, sizeof(sql), "DEALLOCATE %s", w->name);
		PQclear(PQexec(P(w->base.st)->conn, sql));
	}
	for (int i = 0; i <= PG_PARAMS_MAX; i++)
		free(w->names[i]);
	free(w->sql);
	free(w);
}

/* A statement that manages transactions itself: wrapped in a savepoint
 * of its own (pg_step), its RELEASE would release what it opened. */
static bool
is_control(const char *sql)
{
	static const char *const words[] = { "SAVEPOINT", "RELEASE", "ROLLBACK",
		                             "BEGIN",     "COMMIT",  "END" };

	while (*sql == ' ' || *sql == '\t' || *sql == '\n')
		sql++;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (word_at(sql, sql, words[i]))
			return true;
	return false;
}

/* Does the statement change rows? (A failed read leaves nothing to undo;
 * a failed write must undo itself alone, as in SQLite.) */
static bool
writes(const char *sql)
{
	for (const char *p = sql; *p; p++) {
		if (*p == '\'') {
			while (p[1] && *++p != '\'')
				;
			continue;
		}
		if (word_at(p, sql, "INSERT") || word_at(p, sql, "UPDATE") ||
		    word_at(p, sql, "DELETE"))
			return true;
	}
	return false;
}

static cb_err
pg_prepare(struct cb_store *st, const char *sql, bool cached,
           struct cb_stmt **out, struct cb_errbuf *eb)
{
	struct pg_store *ps = P(st);
	struct pg_stmt *w;
	cb_err rc;

	if (cached) {
		for (size_t i = 0; i < ps->nstmts; i++)
			if (ps->cache[i].sql == sql) {
				pg_reset(&ps->cache[i].stmt->base);
				*out = &ps->cache[i].stmt->base;
				return CB_OK;
			}
		if (ps->nstmts == PG_CACHE_MAX)
			return cb_error(eb, CB_EIO, _("statement cache full"));
	}
	if (!(w = calloc(1, sizeof(*w))))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	w->base.be = &pg_be;
	w->base.st = st;
	w->cached = cached;
	if ((rc = translate(w, sql, eb))) {
		stmt_free(w);
		return rc;
	}
	w->control = is_control(sql);
	w->writes = !w->control && writes(w->sql);
	w->returns = w->writes && strstr(w->sql, "RETURNING");
	if (cached) {
		ps->cache[ps->nstmts].sql = sql;
		ps->cache[ps->nstmts].stmt = w;
		ps->nstmts++;
	}
	*out = &w->base;
	return CB_OK;
}

static void
pg_finalize(struct cb_stmt *s)
{
	if (S(s)->cached)
		pg_reset(s);
	else
		stmt_free(S(s));
}

static int
bind(struct cb_stmt *s, int i, Oid type, const void *p, size_t n, int format)
{
	struct pg_stmt *w = S(s);
	char *v = NULL;

	if (i < 1 || i > PG_PARAMS_MAX)
		return CB_SQL_ERROR;
	if (p && !(v = malloc(n + 1)))
		return CB_SQL_ERROR;
	if (p) {
		memcpy(v, p, n);
		v[n] = '\0';
	}
	free(w->values[i - 1]);
	w->values[i - 1] = v;
	w->types[i - 1] = type;
	w->lengths[i - 1] = (int)n;
	w->formats[i - 1] = format;
	return 0;
}

static int
pg_bind_null(struct cb_stmt *s, int i)
{
	return bind(s, i, 0, NULL, 0, 0);
}

static int
pg_bind_int64(struct cb_stmt *s, int i, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%lld", (long long)v);

	return bind(s, i, OID_INT8, num, (size_t)n, 0);
}

static int
pg_bind_text(struct cb_stmt *s, int i, const char *v, size_t n)
{
	/* unknown: the server takes the type the statement gives it (a
	 * text, or the bytes of an organisation's code where the column
	 * holds bytes) */
	return bind(s, i, 0, v, n, 0);
}

static int
pg_bind_blob(struct cb_stmt *s, int i, const void *p, size_t n)
{
	return bind(s, i, OID_BYTEA, p ? p : "", n, 1);
}

static int
pg_param_index(struct cb_stmt *s, const char *name)
{
	struct pg_stmt *w = S(s);

	for (int i = 1; i <= w->nparams; i++)
		if (w->names[i] && !strcmp(w->names[i], name))
			return i;
	return 0;
}

/* Is w prepared on the server for its bindings' types, preparing it on
 * its second run (a statement run once is not worth a round trip)? */
static bool
use_prepared(struct pg_store *ps, struct pg_stmt *w)
{
	PGresult *r;

	if (w->name[0] && w->gen != ps->gen) {
		/* prepared on a connection since lost */
		w->name[0] = '\0';
		w->runs = 0;
	}
	if (w->name[0])
		return !memcmp(w->prepared_types, w->types,
		               sizeof(Oid) * (size_t)w->nparams);
	if (++w->runs < 2)
		return false;
	snprintf(w->name, sizeof(w->name), "cb%u", ++ps->prepared);
	w->gen = ps->gen;
	r = PQprepare(ps->conn, w->name, w->sql, w->nparams, w->types);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		w->name[0] = '\0';
		w->runs = 0;
		PQclear(r);
		return false;
	}
	PQclear(r);
	memcpy(w->prepared_types, w->types, sizeof(Oid) * (size_t)w->nparams);
	return true;
}

/* Send w's statement in pipeline mode, prepared (prep) or not. */
static int
send_stmt(struct pg_store *ps, struct pg_stmt *w, bool prep)
{
	if (prep)
		return PQsendQueryPrepared(ps->conn, w->name, w->nparams,
		                           (const char *const *)w->values,
		                           w->lengths, w->formats, 0);
	return PQsendQueryParams(ps->conn, w->sql, w->nparams, w->types,
	                         (const char *const *)w->values, w->lengths,
	                         w->formats, 0);
}

/* Run w's statement at once, outside the pipeline. */
static PGresult *
exec_stmt(struct pg_store *ps, struct pg_stmt *w)
{
	if (use_prepared(ps, w))
		return PQexecPrepared(ps->conn, w->name, w->nparams,
		                      (const char *const *)w->values,
		                      w->lengths, w->formats, 0);
	return PQexecParams(ps->conn, w->sql, w->nparams, w->types,
	                    (const char *const *)w->values, w->lengths,
	                    w->formats, 0);
}

/* Is w prepared on this connection for its bindings' types (without
 * preparing it: inside a pipeline, a prepare is not run at once)? */
static bool
prepared_now(const struct pg_store *ps, const struct pg_stmt *w)
{
	return w->name[0] && w->gen == ps->gen &&
	       !memcmp(w->prepared_types, w->types,
	               sizeof(Oid) * (size_t)w->nparams);
}

/* Is w to run prepared in the pipeline about to be sent (*prep)? Prepared
 * now if it is due and no pipeline is open (preparing is a round trip of
 * its own, and not allowed inside one). Behind writes sent ahead, a
 * statement not prepared yet would go unprepared every time, and the
 * server plan it again each time (a member.add's stay, behind the
 * member's insert, always did: 0.15 ms each); so on its second run there
 * the pipeline is drained first, once, and it is prepared. false: that
 * drain failed (the store doomed, the error noted). */
static bool
prepare_for_pipeline(struct pg_store *ps, struct pg_stmt *w, bool *prep)
{
	bool named = w->name[0] && w->gen == ps->gen;

	if (ps->queued && !named && w->runs++ >= 1 && !drain(ps))
		return false;
	*prep = ps->queued ? prepared_now(ps, w) : use_prepared(ps, w);
	return true;
}

/* Run w's statement in one round trip (libpq's pipeline mode), after the
 * writes sent ahead, whose answers come first, and, if sp, under a
 * savepoint of its own: SAVEPOINT, the statement, RELEASE. If the
 * statement fails, the RELEASE does not run and the transaction waits,
 * aborted, at the savepoint (pg_step rolls back to it). The statement's
 * result; NULL when the connection failed, or when a write sent ahead
 * failed (the store is then doomed, that error noted). */
static PGresult *
exec_pipelined(struct pg_store *ps, struct pg_stmt *w, bool sp)
{
	PGconn *c = ps->conn;
	PGresult *res = NULL, *bad = NULL, *r;
	size_t queued;
	int n = sp ? 3 : 1, mine = sp ? 1 : 0;
	bool prep, sent;

	if (!prepare_for_pipeline(ps, w, &prep))
		return NULL;
	queued = ps->queued;
	ps->queued = 0;
	if (!queued && !PQenterPipelineMode(c))
		return NULL;
	sent = (!sp || PQsendQueryParams(c, "SAVEPOINT cb_stmt", 0, NULL, NULL,
	                                 NULL, NULL, 0)) &&
	       send_stmt(ps, w, prep) &&
	       (!sp || PQsendQueryParams(c, "RELEASE SAVEPOINT cb_stmt", 0,
	                                 NULL, NULL, NULL, NULL, 0)) &&
	       PQpipelineSync(c);
	if (sent)
		bad = read_queued(c, queued);
	/* its results, each followed by NULL, then the sync's */
	for (int q = 0; sent && q < n; q++) {
		while ((r = PQgetResult(c))) {
			if (q == mine && !res)
				res = r;
			else if (q == 0 && sp &&
			         PQresultStatus(r) != PGRES_COMMAND_OK && !res)
				res = r; /* the savepoint failed: say why */
			else
				PQclear(r);
		}
	}
	if (sent)
		read_to_sync(c);
	(void)PQexitPipelineMode(c);
	if (!sent && queued) {
		/* the writes sent ahead are lost with the connection */
		note_error(ps, NULL);
		ps->doomed = true;
		PQclear(res);
		return NULL;
	}
	if (bad) {
		doom(ps, bad);
		PQclear(bad);
		PQclear(res);
		return NULL;
	}
	return res;
}

/* A parameter the text skips (?5 of ?1…?9) has no type to infer: text,
 * as any other. */
static void
default_types(struct pg_stmt *w)
{
	for (int i = 1; i <= w->nparams; i++)
		if ((!w->used[i] || w->null_first[i]) && !w->types[i - 1])
			w->types[i - 1] = OID_TEXT;
}

static int
pg_step(struct cb_stmt *s)
{
	struct pg_stmt *w = S(s);
	struct pg_store *ps = P(s->st);
	ExecStatusType t;
	bool ok;

	if (w->res) {
		clear_row(w);
		return ++w->row < w->nrows ? CB_SQL_ROW : CB_SQL_DONE;
	}
	default_types(w);
	if (ps->doomed || !reconnect(ps))
		return CB_SQL_ERROR; /* the error is noted */
	if (ps->queued || (ps->in_tx && w->writes))
		w->res = exec_pipelined(ps, w, ps->in_tx && w->writes);
	else
		w->res = exec_stmt(ps, w);
	if (ps->doomed)
		return CB_SQL_ERROR;
	t = PQresultStatus(w->res);
	ok = t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK;
	if (!ok)
		note_error(ps, w->res);
	else
		clear_error(ps);
	/* the transaction is aborted at the savepoint: back to it */
	if (!ok && ps->in_tx && w->writes)
		undo_keeping_error(ps, "ROLLBACK TO SAVEPOINT cb_stmt; "
		                       "RELEASE SAVEPOINT cb_stmt");
	if (!ok) {
		if (getenv("CHIBO_PG_TRACE"))
			fprintf(stderr, "chibo: postgresql: %s\n  in: %s\n",
			        ps->message ? ps->message : "?", w->sql);
		PQclear(w->res);
		w->res = NULL;
		return CB_SQL_ERROR;
	}
	if (t == PGRES_COMMAND_OK) {
		const char *n = PQcmdTuples(w->res);

		ps->changes = *n ? strtoll(n, NULL, 10) : 0;
		w->nrows = 0;
		return CB_SQL_DONE;
	}
	w->nrows = PQntuples(w->res);
	w->ncols = PQnfields(w->res);
	w->row = 0;
	if (w->ncols) {
		w->blobs = calloc((size_t)w->ncols, sizeof(*w->blobs));
		w->blob_len = calloc((size_t)w->ncols, sizeof(*w->blob_len));
		if (!w->blobs || !w->blob_len) {
			clear_result(w);
			return CB_SQL_ERROR;
		}
	}
	return w->nrows ? CB_SQL_ROW : CB_SQL_DONE;
}

/* pg_write's: w sent in the pipeline, its answer read later. */
static int
send_ahead(struct pg_store *ps, struct pg_stmt *w, bool prep)
{
	ps->queued++;
	if (!send_stmt(ps, w, prep)) {
		note_error(ps, NULL);
		ps->doomed = true;
		return CB_SQL_ERROR;
	}
	ps->changes = 0; /* not known yet: the caller does not ask */
	if (ps->queued >= PG_QUEUE_MAX && !drain(ps))
		return CB_SQL_ERROR;
	return CB_SQL_DONE;
}

/* A write whose failure fails its transaction (cb_sql_write): inside a
 * write transaction, sent in pipeline mode without waiting for its
 * answer, which is read with the next statement's (or at the commit, or
 * PG_QUEUE_MAX writes on). Anything else runs as pg_step runs it. */
static int
pg_write(struct cb_stmt *s)
{
	struct pg_stmt *w = S(s);
	struct pg_store *ps = P(s->st);
	bool prep;
	int r;

	if (ps->in_tx && w->writes && !w->returns && !ps->doomed) {
		default_types(w);
		if (!prepare_for_pipeline(ps, w, &prep))
			return CB_SQL_ERROR;
		if (ps->queued || PQenterPipelineMode(ps->conn))
			return send_ahead(ps, w, prep);
	}
	r = pg_step(s);
	return r == CB_SQL_ROW ? CB_SQL_DONE : r;
}

/* The statement's columns, as its result has them, or, before its first
 * step, as the server describes them (SQLite names a statement's columns
 * once it is prepared, and the view reads them so). */
static const PGresult *
columns(struct pg_stmt *w)
{
	struct pg_store *ps = P(w->base.st);
	Oid types[PG_PARAMS_MAX];
	PGresult *r;

	if (w->res)
		return w->res;
	if (w->desc)
		return w->desc;
	if (!reconnect(ps) || !drain(ps))
		return NULL;
	for (int i = 0; i < w->nparams; i++)
		types[i] = w->types[i]      ? w->types[i]
		           : w->used[i + 1] ? 0
		                            : OID_TEXT;
	r = PQprepare(ps->conn, "", w->sql, w->nparams, types);
	if (PQresultStatus(r) == PGRES_COMMAND_OK) {
		PQclear(r);
		r = PQdescribePrepared(ps->conn, "");
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			w->desc = r;
			return r;
		}
	}
	note_error(ps, r);
	PQclear(r);
	return NULL;
}

static int
pg_column_count(struct cb_stmt *s)
{
	const PGresult *r = columns(S(s));

	return r ? PQnfields(r) : 0;
}

static const char *
pg_column_name(struct cb_stmt *s, int i)
{
	const PGresult *r = columns(S(s));

	return r && i >= 0 && i < PQnfields(r) ? PQfname(r, i) : NULL;
}

static bool
have(struct pg_stmt *w, int i)
{
	return w->res && w->row < w->nrows && i >= 0 && i < w->ncols &&
	       !PQgetisnull(w->res, w->row, i);
}

static enum cb_sql_kind
pg_column_kind(struct cb_stmt *s, int i)
{
	struct pg_stmt *w = S(s);

	if (!have(w, i))
		return CB_SQL_NULL;
	switch (PQftype(w->res, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID: return CB_SQL_INT;
	case OID_FLOAT4:
	case OID_FLOAT8: return CB_SQL_REAL;
	case OID_NUMERIC:
		return strpbrk(PQgetvalue(w->res, w->row, i), ".eE")
		               ? CB_SQL_REAL
		               : CB_SQL_INT;
	case OID_BYTEA: return CB_SQL_BLOB;
	default: return CB_SQL_TEXT;
	}
}

static int64_t
pg_column_int64(struct cb_stmt *s, int i)
{
	struct pg_stmt *w = S(s);
	const char *v;

	if (!have(w, i))
		return 0;
	v = PQgetvalue(w->res, w->row, i);
	if (PQftype(w->res, i) == OID_BOOL)
		return *v == 't';
	return strtoll(v, NULL, 10);
}

/* Column i's bytes, decoded once per row for a bytea. */
static const unsigned char *
column_bytes_of(struct pg_stmt *w, int i, size_t *n)
{
	if (!have(w, i)) {
		*n = 0;
		return NULL;
	}
	if (PQftype(w->res, i) != OID_BYTEA) {
		*n = (size_t)PQgetlength(w->res, w->row, i);
		return (const unsigned char *)PQgetvalue(w->res, w->row, i);
	}
	if (!w->blobs[i]) {
		/* text form "\x…", decoded; a NUL after, so that the
		 * bytes of a code read as text */
		size_t len = 0;
		unsigned char *raw = PQunescapeBytea(
			(const unsigned char *)PQgetvalue(w->res, w->row, i),
			&len);
		unsigned char *z = raw ? PQresultAlloc(w->res, len + 1) : NULL;

		if (!z) {
			PQfreemem(raw);
			*n = 0;
			return NULL;
		}
		memcpy(z, raw, len);
		z[len] = '\0';
		PQfreemem(raw);
		w->blobs[i] = z;
		w->blob_len[i] = len;
		*n = len;
		return z;
	}
	*n = w->blob_len[i];
	return w->blobs[i];
}

static const char *
pg_column_text(struct cb_stmt *s, int i)
{
	struct pg_stmt *w = S(s);
	size_t n;

	if (!have(w, i))
		return NULL;
	if (PQftype(w->res, i) == OID_BOOL)
		return *PQgetvalue(w->res, w->row, i) == 't' ? "1" : "0";
	return (const char *)column_bytes_of(w, i, &n);
}

static const void *
pg_column_blob(struct cb_stmt *s, int i)
{
	size_t n;

	return column_bytes_of(S(s), i, &n);
}

static size_t
pg_column_bytes(struct cb_stmt *s, int i)
{
	struct pg_stmt *w = S(s);
	size_t n;

	if (have(w, i) && PQftype(w->res, i) == OID_BOOL)
		return 1;
	(void)column_bytes_of(w, i, &n);
	return n;
}

static int64_t
pg_changes(struct cb_store *st)
{
	return P(st)->changes;
}

static bool
pg_constraint(struct cb_store *st)
{
	/* (a write sent ahead that failed is not this statement's) */
	return !P(st)->doomed && !strncmp(P(st)->state, "23", 2);
}

static const struct cb_sql_be pg_be = {
	.name = "postgresql",
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.reset = pg_reset,
	.bind_null = pg_bind_null,
	.bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.param_index = pg_param_index,
	.step = pg_step,
	.write = pg_write,
	.column_count = pg_column_count,
	.column_name = pg_column_name,
	.column_kind = pg_column_kind,
	.column_int64 = pg_column_int64,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.column_bytes = pg_column_bytes,
	.changes = pg_changes,
	.constraint = pg_constraint,
};

/* --- opening ----------------------------------------------------------- */

static void
pg_close(struct cb_store *st)
{
	struct pg_store *ps = P(st);

	for (size_t i = 0; i < ps->nstmts; i++)
		stmt_free(ps->cache[i].stmt);
	PQfinish(ps->conn);
	free(ps->message);
	free(st->path);
	free(ps);
}

/* A one-value query's text into out (empty if none): true if it ran. */
static bool
query_one(struct pg_store *ps, const char *sql, char *out, size_t n)
{
	PGresult *res = PQexec(ps->conn, sql);
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;

	if (!ok)
		note_error(ps, res);
	else
		snprintf(out, n, "%s",
		         PQntuples(res) && !PQgetisnull(res, 0, 0)
		                 ? PQgetvalue(res, 0, 0)
		                 : "");
	PQclear(res);
	return ok;
}

static cb_err
migrate(struct pg_store *ps, bool create, struct cb_errbuf *eb)
{
	struct cb_store *st = &ps->base;
	int want = cb_schema_pg_migrations[cb_schema_pg_count - 1].version;
	int have = 0;
	char v[32];
	cb_err rc;

	if (want != cb_store_schema_version())
		return cb_error(eb, CB_EVERSION,
		                "this chibo's PostgreSQL schema is at version "
		                "%d, its SQLite one at %d",
		                want, cb_store_schema_version());
	if (!query_one(ps, "SELECT to_regclass('chibo_schema')::text", v,
	               sizeof(v)))
		return pg_error(st, eb, "cannot read the schema version");
	if (*v) {
		if (!query_one(ps, "SELECT max(version) FROM chibo_schema", v,
		               sizeof(v)))
			return pg_error(st, eb,
			                "cannot read the schema version");
		have = atoi(v);
	} else if (!create) {
		return cb_error(eb, CB_ENOTFOUND,
		                _("no hub's store in the database '%s'"),
		                st->path);
	}
	if (have > want)
		return cb_store_too_new(st, have, eb);
	if (have == want)
		return CB_OK;
	if ((rc = pg_begin(st, eb)))
		return rc;
	for (size_t i = 0; i < cb_schema_pg_count; i++) {
		const struct cb_migration *m = &cb_schema_pg_migrations[i];
		char sql[96];

		if (m->version <= have)
			continue;
		snprintf(sql, sizeof(sql),
		         "INSERT INTO chibo_schema (version) VALUES (%d)",
		         m->version);
		if (!run(ps, m->sql) || !run(ps, sql)) {
			rc = pg_error(st, eb, "cannot apply schema");
			cb_error_prefix(eb, rc, "migration pg/%s", m->name);
			pg_rollback(st);
			return rc;
		}
	}
	return pg_commit(st, eb);
}

cb_err
cb_store_pg_open(const char *conninfo, bool create, struct cb_store **out,
                 struct cb_errbuf *eb)
{
	struct pg_store *ps = calloc(1, sizeof(*ps));
	char coll[64];
	cb_err rc;

	if (!ps || !(ps->base.path = strdup(conninfo))) {
		free(ps);
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	ps->base.eng = &pg_engine;
	{
		/* the address's own connect_timeout, if it has one, comes
		 * after and wins */
		const char *const keys[] = { "connect_timeout", "dbname",
			                     NULL };
		const char *const vals[] = { PG_CONNECT_TIMEOUT, conninfo,
			                     NULL };

		ps->conn = PQconnectdbParams(keys, vals, 1);
	}
	if (!ps->conn || PQstatus(ps->conn) != CONNECTION_OK) {
		const char *why =
			ps->conn ? PQerrorMessage(ps->conn) : "out of memory";
		size_t n = strcspn(why, "\n");

		rc = cb_error(eb, CB_EIO,
		              _("cannot connect to the hub's database: %.*s"),
		              (int)n, why);
		goto fail;
	}
	if (!session_setup(ps) ||
	    !query_one(ps,
	               "SELECT datcollate FROM pg_database "
	               "WHERE datname = current_database()",
	               coll, sizeof(coll))) {
		rc = pg_error(&ps->base, eb, "cannot open the hub's database");
		goto fail;
	}
	/* SQLite orders text as bytes; so must the hub's database, or
	 * the tables' digests and every ORDER BY would differ. */
	if (strcmp(coll, "C") && strcmp(coll, "POSIX") &&
	    strcmp(coll, "C.UTF-8") && strcmp(coll, "C.utf8")) {
		rc = cb_error(eb, CB_EINVAL,
		              _("the hub's database orders text by the "
		                "collation '%s'; chibo needs 'C' (create it "
		                "with createdb --locale=C --encoding=UTF8 "
		                "--template=template0)"),
		              coll);
		goto fail;
	}
	if ((rc = migrate(ps, create, eb)))
		goto fail;
	*out = &ps->base;
	return CB_OK;
fail:
	pg_close(&ps->base);
	return rc;
}

static const struct cb_store_engine pg_engine = {
	.name = "postgresql",
	.sql = &pg_be,
	.close = pg_close,
	.error = pg_error,
	.exec = pg_exec,
	.begin = pg_begin,
	.begin_read = pg_begin_read,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.integrity = pg_integrity,
	.backup = pg_backup,
	.checkpoint_behind = pg_checkpoint_behind,
	.lost = pg_lost,
	.fold = pg_fold,
};

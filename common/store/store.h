/* SPDX-License-Identifier: MIT */
/* store.h — the SQLite file under a replica (or a hub): opening it with the
 * durability chibo promises (WAL, synchronous=FULL), schema migrations from
 * schema/, transactions and savepoints, and a cache of prepared statements.
 * Everything that touches SQL goes through here or through a module that
 * takes a struct cb_store. */
#ifndef CB_STORE_H
#define CB_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct cb_store;

/* Open the database at path, creating it if create is true (and failing
 * with CB_ENOTFOUND if it is absent and create is false). Migrates an older
 * schema in one transaction; refuses a newer one with CB_EVERSION. */
cb_err cb_store_open(const char *path, bool create, struct cb_store **out,
                     struct cb_errbuf *eb) CB_MUST_CHECK;
/* Close (finalising cached statements); sets *st to NULL; NULL-safe. */
void cb_store_free(struct cb_store **st);

/* Checkpoint the WAL (copy what commits appended to it into the database
 * file) on a thread of its own, through a second connection, instead of
 * in whichever commit finds the WAL over SQLite's threshold: for a
 * long-lived writer (the hub's server), whose commits then return that
 * much sooner. A commit still checkpoints itself if the WAL grows past
 * about 64 MB. Durability is the same: a commit is on disk, in the WAL,
 * before it returns. Stopped by cb_store_free. */
cb_err cb_store_checkpoint_behind(struct cb_store *st,
                                  struct cb_errbuf *eb) CB_MUST_CHECK;

/* A consistent copy of the database to path while others may go on
 * writing: SQLite's online backup of every committed page, the write-ahead
 * log's included, in one read transaction (one snapshot), into a
 * temporary beside path created O_EXCL|O_NOFOLLOW with mode 0600, made
 * self-contained (rollback journal: no -wal to carry along), fsynced and
 * renamed over path, the directory fsynced. A copy is whole or absent; a
 * symlink at path is replaced, never followed. Not inside a transaction
 * of st's. */
cb_err cb_store_backup(struct cb_store *st, const char *path,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* Open a copy of a store to read it only, as an auditor given a hub's
 * hub.db does: read-only (nothing written, no migration: what an older
 * chibo wrote is read as it is), its pages mapped rather than copied, and
 * inside one read transaction that lasts until cb_store_free, so that
 * everything read through it (its log, log.h) is of one snapshot: what
 * was committed when the first read began, a live store's write-ahead log
 * included. A -wal beside path that SQLite would not read (cut short,
 * damaged, of another page size) would leave the newest entries out
 * without a word: it is refused (CB_EIO, saying to take the copy with
 * 'chibo-hub backup --plain'). Do not begin or end transactions on it. */
cb_err cb_store_open_snapshot(const char *path, struct cb_store **out,
                              struct cb_errbuf *eb) CB_MUST_CHECK;

/* A store to throw away once read (the audit's replay of a log): created
 * and migrated as cb_store_open does, but never synced to disk, so that a
 * crash may lose or damage it; nothing needs it after. */
cb_err cb_store_open_scratch(const char *path, struct cb_store **out,
                             struct cb_errbuf *eb) CB_MUST_CHECK;

/* Is path a PostgreSQL database's address (a postgresql:// or
 * postgres:// URI) rather than a file? cb_store_open opens such a store on
 * PostgreSQL (store_pg.c): a hub's, with the same tables and portable SQL
 * (docs/internals/sql.md); not a replica, a snapshot or a scratch store. */
bool cb_store_is_pg(const char *path);
/* "sqlite" or "postgresql". */
const char *cb_store_engine_name(const struct cb_store *st);

/* Has st lost its database server, and is it to connect again at its next
 * transaction (a PostgreSQL store whose primary died, or became a standby:
 * a failover)? What failed for that failed without being done, or, for a
 * COMMIT whose answer was lost, with its outcome unknown: worth another
 * try, which finds the new primary. Never true for SQLite. May be asked
 * from any thread. */
bool cb_store_lost(struct cb_store *st);

/* Copy every row of table t from st into the same table of dest, of
 * either engine, each value of the kind it is (an organisation's code in
 * ratings.subject as each engine keeps it). Inside whatever transactions
 * the caller holds; inside dest's, the rows are sent ahead (cb_sql_write)
 * and a failure may be told at dest's next statement or its commit. */
cb_err cb_store_copy_table(struct cb_store *st, struct cb_store *dest,
                           const char *t, struct cb_errbuf *eb) CB_MUST_CHECK;

/* The engine behind st's statement layer (sql.h). */
const struct cb_sql_be *cb_store_sql_be(struct cb_store *st);
/* st's log (log.h), owned by st: NULL only when out of memory. */
struct cb_log *cb_store_log(struct cb_store *st);
const char *cb_store_path(const struct cb_store *st);
int cb_store_schema_version(void);

/* An entry that waited for another (pending) is judged when that one
 * arrives, inside cb_ledger_take of a later entry (ledger.h): the ledger
 * tells a reader that wants every verdict, such as the audit, through
 * this hook: the entry's log position (lsn), the entry, and its verdict
 * and reason as cb_ledger_take gives them. */
struct cb_entry;
typedef void (*cb_settled_fn)(void *ctx, int64_t lsn, const struct cb_entry *e,
                              cb_err verdict, const char *why);
void cb_store_on_settled(struct cb_store *st, cb_settled_fn fn, void *ctx);
void cb_store_settled(struct cb_store *st, int64_t lsn,
                      const struct cb_entry *e, cb_err verdict,
                      const char *why);

/* Turn the engine's last error into a message "what: the engine says"
 * (a full disk, a read-only file, a server out of reach get a sentence of
 * their own). what is an English literal, said in the reader's language
 * (po/make-pot.sh collects it). Returns CB_EIO. */
cb_err cb_store_error(struct cb_store *st, struct cb_errbuf *eb,
                      const char *what);

cb_err cb_store_exec(struct cb_store *st, const char *sql,
                     struct cb_errbuf *eb) CB_MUST_CHECK;
/* Transactions. cb_store_begin is BEGIN IMMEDIATE; inside a transaction
 * it opens a savepoint instead, which the matching cb_store_commit
 * releases into the enclosing transaction: so a caller can make one
 * transaction of a function that commits its own work (an import of a
 * whole bundle through cb_ingest_push, say) and still roll all of it
 * back. cb_store_rollback, at any depth, rolls back the whole outermost
 * transaction; the commits of the levels above it then fail. A failed
 * commit rolls back as cb_store_rollback does. */
cb_err cb_store_begin(struct cb_store *st, struct cb_errbuf *eb) CB_MUST_CHECK;
/* A read transaction: a deferred BEGIN, which takes no lock until the
 * first read, so that a writer (a running serve) is not held up, and after
 * which every read sees one snapshot. End it with cb_store_rollback. Not
 * inside another transaction of st's. */
cb_err cb_store_begin_read(struct cb_store *st,
                           struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_store_commit(struct cb_store *st, struct cb_errbuf *eb) CB_MUST_CHECK;
void cb_store_rollback(struct cb_store *st);

/* Bring up to date, inside the transaction, what the engine keeps behind
 * until a commit: the tallies whose triggers keep deltas that the store
 * folds in before every commit — the member tally on both engines
 * (schema/032_member_tally.sql: a trigger that counted at once cost more
 * than the member's own insert), and on PostgreSQL the rating tally too
 * (schema/pg/029_tally_deltas.sql: an update of one row per entry, each
 * entry under a savepoint, costs more the more entries the transaction
 * holds); for a read of them before the commit, such as a digest. */
cb_err cb_store_fold(struct cb_store *st, struct cb_errbuf *eb) CB_MUST_CHECK;

/* The transaction under way is a long write: a replay that derives every
 * table at once (a rebuild, a copy of the store). Until it ends (commit or
 * rollback) the engine may hold more of the store in memory: SQLite's
 * page cache grows from 32 MiB to a quarter of the machine's memory, at
 * most 4 GiB, taken only as pages are touched, so that the transaction's
 * dirty pages are not spilled to the WAL and read back from it again and
 * again. PostgreSQL: nothing changes (the server's buffers are its own). */
void cb_store_bulk(struct cb_store *st);

/* The store, empty, is about to be filled in one transaction (on: a copy
 * of another store), or that transaction has ended (!on). SQLite keeps the
 * WAL out of it meanwhile: under a rollback journal, which holds only what
 * a page held before (nothing, for the pages a copy adds), each page is
 * written once, where the WAL wrote it there and again into the file at
 * the checkpoint; !on puts the WAL back. A crash in between leaves the
 * journal, and the next open rolls the file back to empty. PostgreSQL:
 * nothing. Outside a transaction. */
cb_err cb_store_fill(struct cb_store *st, bool on,
                     struct cb_errbuf *eb) CB_MUST_CHECK;

/* Run a statement without results (a savepoint, say) through the cache:
 * sql must be a string literal or live as long as the store. */
cb_err cb_store_run(struct cb_store *st, const char *sql,
                    struct cb_errbuf *eb) CB_MUST_CHECK;

/* meta(key, value): *value is malloc'd; CB_ENOTFOUND when absent. */
cb_err cb_store_meta_get(struct cb_store *st, const char *key, char **value,
                         struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_store_meta_set(struct cb_store *st, const char *key,
                         const char *value, struct cb_errbuf *eb) CB_MUST_CHECK;
/* Remove key (nothing if absent). */
cb_err cb_store_meta_delete(struct cb_store *st, const char *key,
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* PRAGMA integrity_check: CB_OK when "ok", else the first problem. */
cb_err cb_store_integrity(struct cb_store *st,
                          struct cb_errbuf *eb) CB_MUST_CHECK;

#endif

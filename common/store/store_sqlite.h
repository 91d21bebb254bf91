/* SPDX-License-Identifier: MIT */
/* store_sqlite.h — the SQLite backend's own interface, under store.h and
 * sql.h: the handle, its statement cache and the binding of ids as their
 * 32 bytes. For the backend's files (store.c) and for the unit tests
 * that look at a store's tables directly; no program file includes it —
 * agent/, hub/, audit/ and the rest of common/ go through sql.h and
 * log.h, which another engine can serve (issue 17). */
#ifndef CB_STORE_SQLITE_H
#define CB_STORE_SQLITE_H

#include <sqlite3.h>

#include "store.h"

/* The SQLite handle under st. */
sqlite3 *cb_store_db(struct cb_store *st);

/* A prepared statement for sql, cached by the pointer sql (pass a string
 * literal or another string that lives as long as the store), reset and
 * with bindings cleared. NULL on error with eb filled. Do not finalize. */
sqlite3_stmt *cb_store_stmt(struct cb_store *st, const char *sql,
                            struct cb_errbuf *eb);
/* Step a write statement to completion and reset it. */
cb_err cb_store_step_done(struct cb_store *st, sqlite3_stmt *stmt,
                          struct cb_errbuf *eb) CB_MUST_CHECK;

/* Column i as 64 hex digits in out, when it holds an id's 32 bytes; a text
 * (an organisation named where a member may be) is copied, cut at 64
 * bytes. NULL when the column is NULL. */
const char *cb_column_id(sqlite3_stmt *s, int i, char out[65]);

/* Column i as text to show: an id's 32 bytes as hex (in id), anything
 * else as SQLite's text of it; NULL when the column is NULL. */
const char *cb_column_shown(sqlite3_stmt *s, int i, char id[65]);

#endif

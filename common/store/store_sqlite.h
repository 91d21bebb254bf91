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

/* Bind a text that may be NULL. */
int cb_bind_text(sqlite3_stmt *s, int i, const char *v);

/* Member ids are stored as their 32 bytes (schema/013_member_ids.sql) and
 * travel as 64 hex digits. cb_bind_id binds hex digits as those bytes;
 * NULL as NULL; anything else as the text it is, which equals no id. */
int cb_bind_id(sqlite3_stmt *s, int i, const char *hex);

/* Bind parameters i and i + 1 to the least and the greatest id that start
 * with a prefix of 1 to 64 hex digits ("id BETWEEN ?i AND ?i+1"). */
int cb_bind_id_prefix(sqlite3_stmt *s, int i, const char *prefix);

/* Column i as 64 hex digits in out, when it holds an id's 32 bytes; a text
 * (an organisation named where a member may be) is copied, cut at 64
 * bytes. NULL when the column is NULL. */
const char *cb_column_id(sqlite3_stmt *s, int i, char out[65]);

/* Column i as text to show: an id's 32 bytes as hex (in id), anything
 * else as SQLite's text of it; NULL when the column is NULL. */
const char *cb_column_shown(sqlite3_stmt *s, int i, char id[65]);

#endif

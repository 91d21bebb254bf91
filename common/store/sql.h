/* SPDX-License-Identifier: MIT */
/* sql.h — the view's statement layer: prepared statements, in portable
 * SQL, over whichever engine holds a store. The projection, the queries
 * and the reports speak to a store only through this (and store.h's
 * transactions and meta); the engine is a backend table (struct
 * cb_sql_be), as git's ref storage backends or curl's TLS backends are,
 * so that SQLite (sql_sqlite.c) is one row and a second engine another.
 *
 * The SQL itself is the part common to SQLite and PostgreSQL: WITH
 * RECURSIVE, window-free aggregates, `?N` or `?` parameters, and the
 * functions every backend provides: lower(), hex() of a blob (lowercased
 * where compared), coalesce(), substr(), and chibo_unhex(text) (64 hex
 * digits as their 32 bytes). Blobs are bytes, integers 64 bits, text UTF-8.
 *
 * Statements come from cb_sql (cached for the store's life, by the
 * pointer of their SQL: pass a string literal) or cb_sql_prepare (the
 * caller finalizes). Steps answer CB_SQL_ROW, CB_SQL_DONE or CB_SQL_ERROR
 * (then cb_store_error says what failed). A bound blob must stay valid
 * until the statement is reset; text is copied. */
#ifndef CB_SQL_H
#define CB_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct cb_store;

/* A member's key (members.mkey, schemas 033 and 034), from the member's
 * id bound at parameter p ("?" or "?N"): the log position of the entry
 * whose id it is (its member.add, or an admitted candidate's
 * candidate.add). members.id has no index of its own: a member is found
 * through the log's (members WHERE mkey = CB_SQL_MKEY(...)). */
#define CB_SQL_MKEY(p) "(SELECT lsn FROM entries WHERE id = " p ")"

/* The position of the entry whose id is bound at p: where the log holds
 * it, or, for the entry being taken in (projected before it is stored),
 * where it will be — the largest so far plus one, as both engines number
 * the log. A member's key when its row is made. */
#define CB_SQL_POSITION(p)                                                     \
	"coalesce((SELECT lsn FROM entries WHERE id = " p "), (SELECT "        \
	"coalesce(max(lsn), 0) + 1 FROM entries))"

/* A member's columns as digests read them (all but mkey), in the order
 * the table had before schema/033 gave it mkey. */
#define CB_SQL_MEMBER_COLS                                                     \
	"id, full_name, name_fold, name_lower, birth_date, sex, card_no, "     \
	"national_id, admitted_on, official_on, status, status_on, "           \
	"work_category, council_area, cell, org, entry, transit"

/* A prepared statement; backends put this first in their own. */
struct cb_stmt {
	const struct cb_sql_be *be;
	struct cb_store *st;
};

enum { CB_SQL_ERROR = -1, CB_SQL_ROW = 100, CB_SQL_DONE = 101 };

/* What a column holds (cb_sql_column_kind). */
enum cb_sql_kind {
	CB_SQL_INT = 1,
	CB_SQL_REAL = 2,
	CB_SQL_TEXT = 3,
	CB_SQL_BLOB = 4,
	CB_SQL_NULL = 5,
};

/* An engine. Every function is the cb_sql_* of the same name. */
struct cb_sql_be {
	const char *name;
	cb_err (*prepare)(struct cb_store *st, const char *sql, bool cached,
	                  struct cb_stmt **out, struct cb_errbuf *eb);
	void (*finalize)(struct cb_stmt *s);
	void (*reset)(struct cb_stmt *s); /* and clear the bindings */
	int (*bind_null)(struct cb_stmt *s, int i);
	int (*bind_int64)(struct cb_stmt *s, int i, int64_t v);
	int (*bind_text)(struct cb_stmt *s, int i, const char *v, size_t n);
	int (*bind_blob)(struct cb_stmt *s, int i, const void *p, size_t n);
	int (*param_index)(struct cb_stmt *s, const char *name);
	int (*step)(struct cb_stmt *s);
	/* optional: a write whose failure may be told later (cb_sql_write);
	 * CB_SQL_DONE or CB_SQL_ERROR */
	int (*write)(struct cb_stmt *s);
	int (*column_count)(struct cb_stmt *s);
	const char *(*column_name)(struct cb_stmt *s, int i);
	enum cb_sql_kind (*column_kind)(struct cb_stmt *s, int i);
	int64_t (*column_int64)(struct cb_stmt *s, int i);
	const char *(*column_text)(struct cb_stmt *s, int i);
	const void *(*column_blob)(struct cb_stmt *s, int i);
	size_t (*column_bytes)(struct cb_stmt *s, int i);
	int64_t (*changes)(struct cb_store *st);
	bool (*constraint)(struct cb_store *st);
};

/* A cached statement for sql (its pointer is the key: a string literal),
 * reset and with its bindings cleared. NULL on error, eb filled. */
struct cb_stmt *cb_sql(struct cb_store *st, const char *sql,
                       struct cb_errbuf *eb);
/* A statement of its own, for a query run while cached ones are in use
 * or run once; finalize it. */
cb_err cb_sql_prepare(struct cb_store *st, const char *sql,
                      struct cb_stmt **out, struct cb_errbuf *eb) CB_MUST_CHECK;
void cb_sql_finalize(struct cb_stmt *s); /* NULL-safe */
void cb_sql_reset(struct cb_stmt *s);

/* Bindings, numbered from 1. Text NULL binds NULL. */
int cb_sql_bind_null(struct cb_stmt *s, int i);
int cb_sql_bind_int64(struct cb_stmt *s, int i, int64_t v);
int cb_sql_bind_text(struct cb_stmt *s, int i, const char *v);
int cb_sql_bind_textn(struct cb_stmt *s, int i, const char *v, size_t n);
int cb_sql_bind_blob(struct cb_stmt *s, int i, const void *p, size_t n);
/* Bind v to the parameter :name, if the statement has one. */
void cb_sql_bind_named(struct cb_stmt *s, const char *name, const char *v);
/* The index of parameter :name, or 0 when the statement has none. */
int cb_sql_param(struct cb_stmt *s, const char *name);
/* Member ids are stored as their 32 bytes (schema/013_member_ids.sql) and
 * travel as 64 hex digits: bind hex digits as those bytes; NULL as NULL;
 * anything else as the text it is, which equals no id. */
int cb_sql_bind_id(struct cb_stmt *s, int i, const char *hex);
/* Bind i and i + 1 to the least and the greatest id that start with a
 * prefix of 1 to 64 hex digits ("id BETWEEN ?i AND ?i+1"). */
int cb_sql_bind_id_prefix(struct cb_stmt *s, int i, const char *prefix);

int cb_sql_step(struct cb_stmt *s);
/* Step a statement that writes to its end, and reset it. */
cb_err cb_sql_done(struct cb_stmt *s, struct cb_errbuf *eb) CB_MUST_CHECK;
/* The same, for a write whose failure fails the whole transaction it is
 * in (the projection's: a failed write there is never a verdict), and
 * whose changes are not asked: an engine on a server may send it without
 * waiting, and tell its failure at the transaction's next statement or
 * at the commit — each then fails, with that write's error, until the
 * rollback. Outside a transaction, and on SQLite, cb_sql_done. */
cb_err cb_sql_write(struct cb_stmt *s, struct cb_errbuf *eb) CB_MUST_CHECK;

int cb_sql_column_count(struct cb_stmt *s);
const char *cb_sql_column_name(struct cb_stmt *s, int i);
enum cb_sql_kind cb_sql_column_kind(struct cb_stmt *s, int i);
bool cb_sql_column_null(struct cb_stmt *s, int i);
int64_t cb_sql_column_int64(struct cb_stmt *s, int i);
const char *cb_sql_column_text(struct cb_stmt *s, int i); /* NULL: NULL */
const void *cb_sql_column_blob(struct cb_stmt *s, int i);
size_t cb_sql_column_bytes(struct cb_stmt *s, int i);
/* Column i as 64 hex digits in out when it holds an id's 32 bytes; a text
 * is copied, cut at 64 bytes; NULL when the column is NULL. */
const char *cb_sql_column_id(struct cb_stmt *s, int i, char out[65]);
/* Column i as text to show: an id's 32 bytes as hex (in id), anything
 * else as its text; NULL when the column is NULL. */
const char *cb_sql_column_shown(struct cb_stmt *s, int i, char id[65]);

/* How many rows the last statement changed. (The key an INSERT gave its
 * row comes back with it: INSERT … RETURNING, which both engines speak.) */
int64_t cb_sql_changes(struct cb_store *st);
/* Did the last step fail because a constraint (a unique key) refused it? */
bool cb_sql_constraint(struct cb_store *st);

/* Add the canonical encoding of the row s is on to a SHA-256 (a table
 * digest): for each column, one byte for its kind (integer 1, text 3,
 * bytes 4, NULL 5), its value's length as 4 bytes big-endian, and the
 * value (an integer as its decimal digits, "-" first if negative; NULL
 * as nothing). Any engine produces it from the values alone (it is the
 * encoding chibo's digests always had). */
struct crypto_hash_sha256_state;
void cb_sql_digest_row(struct cb_stmt *s, struct crypto_hash_sha256_state *h);

#endif

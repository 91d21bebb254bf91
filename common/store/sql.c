/* SPDX-License-Identifier: MIT */
/* sql.c — the statement layer (sql.h): each call goes to the statement's
 * engine; ids, prefixes and the canonical row encoding are built here, on
 * top of the engine's primitives, the same for every engine. */
#include "sql.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "entry.h"
#include "store.h"

cb_err
cb_sql_prepare(struct cb_store *st, const char *sql, struct cb_stmt **out,
               struct cb_errbuf *eb)
{
	return cb_store_sql_be(st)->prepare(st, sql, false, out, eb);
}

void
cb_sql_finalize(struct cb_stmt *s)
{
	if (s)
		s->be->finalize(s);
}

void
cb_sql_reset(struct cb_stmt *s)
{
	s->be->reset(s);
}

int
cb_sql_bind_null(struct cb_stmt *s, int i)
{
	return s->be->bind_null(s, i);
}

int
cb_sql_bind_int64(struct cb_stmt *s, int i, int64_t v)
{
	return s->be->bind_int64(s, i, v);
}

int
cb_sql_bind_text(struct cb_stmt *s, int i, const char *v)
{
	return v ? s->be->bind_text(s, i, v, strlen(v))
	         : s->be->bind_null(s, i);
}

int
cb_sql_bind_textn(struct cb_stmt *s, int i, const char *v, size_t n)
{
	return s->be->bind_text(s, i, v, n);
}

int
cb_sql_bind_blob(struct cb_stmt *s, int i, const void *p, size_t n)
{
	return s->be->bind_blob(s, i, p, n);
}

void
cb_sql_bind_named(struct cb_stmt *s, const char *name, const char *v)
{
	int i = s->be->param_index(s, name);

	if (i > 0)
		cb_sql_bind_text(s, i, v);
}

int
cb_sql_param(struct cb_stmt *s, const char *name)
{
	return s->be->param_index(s, name);
}

int
cb_sql_step(struct cb_stmt *s)
{
	return s->be->step(s);
}

/* Run s to its end with run (its step, or the engine's write), and reset
 * it. */
static cb_err
finish(struct cb_stmt *s, int (*run)(struct cb_stmt *), struct cb_errbuf *eb)
{
	int r = run(s);
	cb_err rc = CB_OK;

	if (r != CB_SQL_DONE && r != CB_SQL_ROW)
		rc = cb_store_error(s->st, eb, "cannot write to the database");
	s->be->reset(s);
	return rc;
}

cb_err
cb_sql_done(struct cb_stmt *s, struct cb_errbuf *eb)
{
	return finish(s, s->be->step, eb);
}

cb_err
cb_sql_write(struct cb_stmt *s, struct cb_errbuf *eb)
{
	return finish(s, s->be->write ? s->be->write : s->be->step, eb);
}

int
cb_sql_column_count(struct cb_stmt *s)
{
	return s->be->column_count(s);
}

const char *
cb_sql_column_name(struct cb_stmt *s, int i)
{
	return s->be->column_name(s, i);
}

enum cb_sql_kind
cb_sql_column_kind(struct cb_stmt *s, int i)
{
	return s->be->column_kind(s, i);
}

bool
cb_sql_column_null(struct cb_stmt *s, int i)
{
	return s->be->column_kind(s, i) == CB_SQL_NULL;
}

int64_t
cb_sql_column_int64(struct cb_stmt *s, int i)
{
	return s->be->column_int64(s, i);
}

const char *
cb_sql_column_text(struct cb_stmt *s, int i)
{
	return s->be->column_text(s, i);
}

const void *
cb_sql_column_blob(struct cb_stmt *s, int i)
{
	return s->be->column_blob(s, i);
}

size_t
cb_sql_column_bytes(struct cb_stmt *s, int i)
{
	return s->be->column_bytes(s, i);
}

int64_t
cb_sql_changes(struct cb_store *st)
{
	return cb_store_sql_be(st)->changes(st);
}

bool
cb_sql_constraint(struct cb_store *st)
{
	return cb_store_sql_be(st)->constraint(st);
}

int
cb_sql_bind_id(struct cb_stmt *s, int i, const char *hex)
{
	unsigned char id[CB_HASH_BYTES];

	if (hex && cb_hex_decode(hex, id, sizeof(id), NULL) == CB_OK)
		return s->be->bind_blob(s, i, id, sizeof(id));
	return cb_sql_bind_text(s, i, hex);
}

int
cb_sql_bind_id_prefix(struct cb_stmt *s, int i, const char *prefix)
{
	char lo[2 * CB_HASH_BYTES + 1], hi[2 * CB_HASH_BYTES + 1];
	size_t n = strlen(prefix);
	int r;

	if (n > 2 * CB_HASH_BYTES)
		n = 2 * CB_HASH_BYTES;
	memset(lo, '0', 2 * CB_HASH_BYTES);
	memset(hi, 'f', 2 * CB_HASH_BYTES);
	memcpy(lo, prefix, n);
	memcpy(hi, prefix, n);
	lo[2 * CB_HASH_BYTES] = hi[2 * CB_HASH_BYTES] = 0;
	if ((r = cb_sql_bind_id(s, i, lo)))
		return r;
	return cb_sql_bind_id(s, i + 1, hi);
}

const char *
cb_sql_column_id(struct cb_stmt *s, int i, char out[65])
{
	enum cb_sql_kind k = s->be->column_kind(s, i);

	if (k == CB_SQL_NULL)
		return NULL;
	if (k == CB_SQL_BLOB && s->be->column_bytes(s, i) == CB_HASH_BYTES)
		cb_hex_encode(s->be->column_blob(s, i), CB_HASH_BYTES, out);
	else
		snprintf(out, 65, "%s", s->be->column_text(s, i));
	return out;
}

const char *
cb_sql_column_shown(struct cb_stmt *s, int i, char id[65])
{
	if (s->be->column_kind(s, i) == CB_SQL_BLOB &&
	    s->be->column_bytes(s, i) == CB_HASH_BYTES)
		return cb_sql_column_id(s, i, id);
	return s->be->column_text(s, i);
}

void
cb_sql_digest_row(struct cb_stmt *s, struct crypto_hash_sha256_state *h)
{
	for (int i = 0; i < s->be->column_count(s); i++) {
		enum cb_sql_kind k = s->be->column_kind(s, i);
		unsigned char tag[5];
		char num[24];
		const void *p = NULL;
		size_t n = 0;

		if (k == CB_SQL_INT) {
			n = (size_t)snprintf(
				num, sizeof(num), "%lld",
				(long long)s->be->column_int64(s, i));
			p = num;
		} else if (k == CB_SQL_BLOB) {
			p = s->be->column_blob(s, i);
			n = s->be->column_bytes(s, i);
		} else if (k != CB_SQL_NULL) {
			p = s->be->column_text(s, i);
			n = s->be->column_bytes(s, i);
		}
		tag[0] = (unsigned char)k;
		for (int b = 0; b < 4; b++)
			tag[1 + b] = (unsigned char)(n >> (24 - 8 * b));
		crypto_hash_sha256_update(h, tag, sizeof(tag));
		if (n)
			crypto_hash_sha256_update(h, p, n);
	}
}

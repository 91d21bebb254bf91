/* SPDX-License-Identifier: MIT */
/* accounts.c — the dashboard's accounts and sessions (accounts.h), in
 * the statement layer's portable SQL. */
#include "accounts.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "clock.h"
#include "sql.h"

cb_err
cb_account_name_check(const char *name, struct cb_errbuf *eb)
{
	size_t n = name ? strlen(name) : 0;

	if (n < 1 || n > CB_ACCOUNT_NAME_MAX ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") != n ||
	    !strchr("abcdefghijklmnopqrstuvwxyz0123456789", name[0]))
		return cb_error(eb, CB_EINVAL,
		                _("account name '%.80s' is not 1 to %d small "
		                  "letters a-z, digits, '.', '_' or '-', "
		                  "starting with a letter or digit"),
		                name ? name : "", CB_ACCOUNT_NAME_MAX);
	return CB_OK;
}

static cb_err
fail(struct cb_store *st, struct cb_errbuf *eb)
{
	return cb_store_error(st, eb, "cannot read or write the accounts");
}

cb_err
cb_account_add(struct cb_store *st, const char *name, const char *org,
               const char *hash, struct cb_errbuf *eb)
{
	static const char sql[] =
		"INSERT INTO dashboard_accounts (name, org, hash, created_ms) "
		"VALUES (?1, ?2, ?3, ?4) ON CONFLICT (name) DO NOTHING";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	cb_err rc;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, name);
	cb_sql_bind_text(s, 2, org);
	cb_sql_bind_text(s, 3, hash);
	cb_sql_bind_int64(s, 4, cb_now_ms());
	if ((rc = cb_sql_done(s, eb)))
		return rc;
	if (cb_sql_changes(st) == 0)
		return CB_EEXIST;
	return CB_OK;
}

/* Run the cached statement sql with ?1 bound to name, and, when more is
 * not NULL, the next statement with ?1 too; in one transaction.
 * CB_ENOTFOUND when the first changed no row (nothing written). */
static cb_err
on_account(struct cb_store *st, const char *sql, const char *hash,
           const char *more, const char *name, struct cb_errbuf *eb)
{
	struct cb_stmt *s;
	cb_err rc;

	if ((rc = cb_store_begin(st, eb)))
		return rc;
	if (!(s = cb_sql(st, sql, eb))) {
		rc = CB_EIO;
		goto out;
	}
	cb_sql_bind_text(s, 1, name);
	if (hash)
		cb_sql_bind_text(s, 2, hash);
	if ((rc = cb_sql_done(s, eb)))
		goto out;
	if (cb_sql_changes(st) == 0) {
		rc = CB_ENOTFOUND;
		goto out;
	}
	if (more) {
		if (!(s = cb_sql(st, more, eb))) {
			rc = CB_EIO;
			goto out;
		}
		cb_sql_bind_text(s, 1, name);
		if ((rc = cb_sql_done(s, eb)))
			goto out;
	}
	return cb_store_commit(st, eb);
out:
	cb_store_rollback(st);
	return rc;
}

static const char end_sessions[] =
	"DELETE FROM dashboard_sessions WHERE account = ?1";

cb_err
cb_account_passwd(struct cb_store *st, const char *name, const char *hash,
                  struct cb_errbuf *eb)
{
	static const char sql[] =
		"UPDATE dashboard_accounts SET hash = ?2, failures = 0, "
		"locked_ms = 0 WHERE name = ?1";

	return on_account(st, sql, hash, end_sessions, name, eb);
}

cb_err
cb_account_remove(struct cb_store *st, const char *name, struct cb_errbuf *eb)
{
	static const char sql[] =
		"DELETE FROM dashboard_accounts WHERE name = ?1";

	return on_account(st, sql, NULL, end_sessions, name, eb);
}

cb_err
cb_account_unlock(struct cb_store *st, const char *name, struct cb_errbuf *eb)
{
	static const char sql[] =
		"UPDATE dashboard_accounts SET failures = 0, locked_ms = 0 "
		"WHERE name = ?1";

	return on_account(st, sql, NULL, NULL, name, eb);
}

/* The account of the row s is on: name, org, created_ms, failures,
 * locked_ms, last_ms (ACCOUNT_COLUMNS). */
static void
take_account(struct cb_stmt *s, void *into)
{
	struct cb_account *a = into;
	const char *name = cb_sql_column_text(s, 0);
	const char *org = cb_sql_column_text(s, 1);

	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name ? name : "");
	snprintf(a->org, sizeof(a->org), "%s", org ? org : "");
	a->created_ms = cb_sql_column_int64(s, 2);
	a->failures = cb_sql_column_int64(s, 3);
	a->locked_ms = cb_sql_column_int64(s, 4);
	a->last_ms = cb_sql_column_int64(s, 5);
}

/* Step s once: its row to take(s, into) and CB_OK; CB_ENOTFOUND when it
 * has none; or the store's error. s is reset. */
static cb_err
first_row(struct cb_store *st, struct cb_stmt *s,
          void (*take)(struct cb_stmt *, void *), void *into,
          struct cb_errbuf *eb)
{
	int step = cb_sql_step(s);

	if (step == CB_SQL_ROW)
		take(s, into);
	cb_sql_reset(s);
	if (step == CB_SQL_DONE)
		return CB_ENOTFOUND;
	return step == CB_SQL_ROW ? CB_OK : fail(st, eb);
}

#define ACCOUNT_COLUMNS "name, org, created_ms, failures, locked_ms, last_ms"

cb_err
cb_account_each(struct cb_store *st, cb_account_fn fn, void *ctx,
                struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT " ACCOUNT_COLUMNS
				  " FROM dashboard_accounts ORDER BY name";
	struct cb_stmt *s = NULL;
	struct cb_account a;
	cb_err rc = CB_OK;
	int step;

	if (cb_sql_prepare(st, sql, &s, NULL))
		return fail(st, eb);
	while ((step = cb_sql_step(s)) == CB_SQL_ROW) {
		take_account(s, &a);
		if ((rc = fn(ctx, &a, eb)))
			break;
	}
	if (!rc && step != CB_SQL_DONE)
		rc = fail(st, eb);
	cb_sql_finalize(s);
	return rc;
}

cb_err
cb_account_find(struct cb_store *st, const char *name, struct cb_account *out,
                struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT " ACCOUNT_COLUMNS
				  " FROM dashboard_accounts WHERE name = ?1";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	struct cb_account a;
	cb_err rc;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, name);
	if (!(rc = first_row(st, s, take_account, &a, eb)))
		*out = a;
	return rc;
}

/* An account and its hash, for a sign-in. */
struct with_hash {
	struct cb_account a;
	char hash[CB_PWHASH_STR_BYTES];
};

static void
take_with_hash(struct cb_stmt *s, void *into)
{
	struct with_hash *w = into;
	const char *t = cb_sql_column_text(s, 6);

	take_account(s, &w->a);
	snprintf(w->hash, sizeof(w->hash), "%s", t ? t : "");
}

cb_err
cb_account_attempt(struct cb_store *st, const char *name, int64_t now_ms,
                   const struct cb_account_policy *pol, struct cb_account *out,
                   char hash[CB_PWHASH_STR_BYTES], struct cb_errbuf *eb)
{
	static const struct cb_account_policy dflt = CB_ACCOUNT_POLICY_DEFAULT;
	static const char get[] =
		"SELECT " ACCOUNT_COLUMNS
		", hash FROM dashboard_accounts WHERE name = ?1";
	static const char count[] =
		"UPDATE dashboard_accounts SET failures = failures + 1, "
		"locked_ms = CASE WHEN failures + 1 >= ?2 THEN ?3 ELSE "
		"locked_ms END WHERE name = ?1";
	struct with_hash w;
	struct cb_stmt *s;
	cb_err rc;

	if (!pol)
		pol = &dflt;
	if ((rc = cb_store_begin(st, eb)))
		return rc;
	if (!(s = cb_sql(st, get, eb))) {
		rc = CB_EIO;
		goto out;
	}
	cb_sql_bind_text(s, 1, name);
	if ((rc = first_row(st, s, take_with_hash, &w, eb)))
		goto out;
	if (w.a.locked_ms > now_ms) {
		*out = w.a;
		rc = CB_EAGAIN;
		goto out;
	}
	if (!(s = cb_sql(st, count, eb))) {
		rc = CB_EIO;
		goto out;
	}
	cb_sql_bind_text(s, 1, name);
	cb_sql_bind_int64(s, 2, pol->failures_max);
	cb_sql_bind_int64(s, 3, now_ms + pol->lock_ms);
	if ((rc = cb_sql_done(s, eb)) || (rc = cb_store_commit(st, eb)))
		goto out;
	w.a.failures++;
	if (w.a.failures >= pol->failures_max)
		w.a.locked_ms = now_ms + pol->lock_ms;
	*out = w.a;
	memcpy(hash, w.hash, sizeof(w.hash));
	sodium_memzero(&w, sizeof(w));
	return CB_OK;
out:
	cb_store_rollback(st);
	sodium_memzero(&w, sizeof(w));
	return rc;
}

/* 32 random bytes as hex into out, and their SHA-256 into id if not
 * NULL. */
static void
random_hex(char out[CB_SESSION_HEX], unsigned char id[32])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	cb_hex_encode(raw, sizeof(raw), out);
	if (id)
		crypto_hash_sha256(id, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

cb_err
cb_account_signed_in(struct cb_store *st, const char *name, int64_t now_ms,
                     const struct cb_account_policy *pol,
                     char sid[CB_SESSION_HEX], char csrf[CB_SESSION_HEX],
                     struct cb_errbuf *eb)
{
	static const char ok[] =
		"UPDATE dashboard_accounts SET failures = 0, locked_ms = 0, "
		"last_ms = ?2 WHERE name = ?1";
	static const char expired[] =
		"DELETE FROM dashboard_sessions WHERE expires_ms <= ?1";
	static const char open[] =
		"INSERT INTO dashboard_sessions (id, account, csrf, "
		"expires_ms) VALUES (?1, ?2, ?3, ?4)";
	unsigned char id[32];
	char s_hex[CB_SESSION_HEX], c_hex[CB_SESSION_HEX];
	struct cb_stmt *s;
	cb_err rc;

	random_hex(s_hex, id);
	random_hex(c_hex, NULL);
	if ((rc = cb_store_begin(st, eb)))
		return rc;
	if (!(s = cb_sql(st, ok, eb)))
		goto io;
	cb_sql_bind_text(s, 1, name);
	cb_sql_bind_int64(s, 2, now_ms);
	if ((rc = cb_sql_done(s, eb)))
		goto out;
	if (cb_sql_changes(st) == 0) { /* removed meanwhile */
		rc = CB_ENOTFOUND;
		goto out;
	}
	if (!(s = cb_sql(st, expired, eb)))
		goto io;
	cb_sql_bind_int64(s, 1, now_ms);
	if ((rc = cb_sql_done(s, eb)))
		goto out;
	if (!(s = cb_sql(st, open, eb)))
		goto io;
	cb_sql_bind_blob(s, 1, id, sizeof(id));
	cb_sql_bind_text(s, 2, name);
	cb_sql_bind_text(s, 3, c_hex);
	cb_sql_bind_int64(s, 4,
	                  now_ms + (pol ? pol->session_ms : CB_SESSION_MS));
	if ((rc = cb_sql_done(s, eb)) || (rc = cb_store_commit(st, eb)))
		goto out;
	memcpy(sid, s_hex, CB_SESSION_HEX);
	memcpy(csrf, c_hex, CB_SESSION_HEX);
	sodium_memzero(s_hex, sizeof(s_hex));
	return CB_OK;
io:
	rc = CB_EIO;
out:
	cb_store_rollback(st);
	sodium_memzero(s_hex, sizeof(s_hex));
	return rc;
}

/* The SHA-256 of the 32 bytes sid spells in hex into id; false when sid
 * is not 64 hex digits. */
static bool
session_id(const char *sid, unsigned char id[32])
{
	unsigned char raw[32];

	if (!sid || strlen(sid) != 64 ||
	    strspn(sid, "0123456789abcdef") != 64 ||
	    cb_hex_decode(sid, raw, sizeof(raw), NULL))
		return false;
	crypto_hash_sha256(id, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	return true;
}

static void
take_session(struct cb_stmt *s, void *into)
{
	struct cb_session *ses = into;
	const char *csrf = cb_sql_column_text(s, 6);

	take_account(s, &ses->account);
	snprintf(ses->csrf, sizeof(ses->csrf), "%s", csrf ? csrf : "");
	ses->expires_ms = cb_sql_column_int64(s, 7);
}

cb_err
cb_session_find(struct cb_store *st, const char *sid, int64_t now_ms,
                struct cb_session *out, struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT a.name, a.org, a.created_ms, a.failures, a.locked_ms, "
		"a.last_ms, s.csrf, s.expires_ms FROM dashboard_sessions s "
		"JOIN dashboard_accounts a ON a.name = s.account WHERE s.id = "
		"?1 AND s.expires_ms > ?2";
	unsigned char id[32];
	struct cb_session ses;
	struct cb_stmt *s;
	cb_err rc;

	if (!session_id(sid, id))
		return CB_ENOTFOUND;
	if (!(s = cb_sql(st, sql, eb)))
		return CB_EIO;
	cb_sql_bind_blob(s, 1, id, sizeof(id));
	cb_sql_bind_int64(s, 2, now_ms);
	if (!(rc = first_row(st, s, take_session, &ses, eb)))
		*out = ses;
	return rc;
}

cb_err
cb_session_end(struct cb_store *st, const char *sid, struct cb_errbuf *eb)
{
	static const char sql[] =
		"DELETE FROM dashboard_sessions WHERE id = ?1";
	unsigned char id[32];
	struct cb_stmt *s;

	if (!session_id(sid, id))
		return CB_OK;
	if (!(s = cb_sql(st, sql, eb)))
		return CB_EIO;
	cb_sql_bind_blob(s, 1, id, sizeof(id));
	return cb_sql_done(s, eb);
}

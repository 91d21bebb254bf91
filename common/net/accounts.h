/* SPDX-License-Identifier: MIT */
/* accounts.h — who may read a hub's dashboard: the accounts its
 * administrator gives ('chibo-hub account'), their passwords as Argon2id
 * hashes (pwhash.h), a lock after CB_ACCOUNT_FAILURES_MAX failed
 * sign-ins in a row, and the sessions of those signed in, named by the
 * SHA-256 of a cookie's 32 random bytes. Kept in the store's
 * dashboard_accounts and dashboard_sessions (schema/027_dashboard.sql):
 * the hub's own administration, never in the log nor a digest.
 * docs/internals/dashboard.md. */
#ifndef CB_ACCOUNTS_H
#define CB_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "entry.h"
#include "err.h"
#include "pwhash.h"
#include "store.h"

#define CB_ACCOUNT_NAME_MAX 64
#define CB_ACCOUNT_FAILURES_MAX 5                /* failed in a row: locked */
#define CB_ACCOUNT_LOCK_MS (INT64_C(15) * 60000) /* for a quarter hour */
#define CB_SESSION_MS (INT64_C(8) * 3600000)     /* a working day */
#define CB_SESSION_HEX 65                        /* 32 bytes as hex + NUL */

/* How sign-ins are limited and how long a session lasts: the hub's
 * configuration (hub.conf's dashboard_failures, dashboard_lock,
 * dashboard_session) sets them; NULL where one is taken: these defaults. */
struct cb_account_policy {
	int64_t failures_max; /* failed in a row: locked */
	int64_t lock_ms;      /* for this long */
	int64_t session_ms;   /* a session lasts this long */
};

#define CB_ACCOUNT_POLICY_DEFAULT                                              \
	{                                                                      \
		CB_ACCOUNT_FAILURES_MAX, CB_ACCOUNT_LOCK_MS, CB_SESSION_MS     \
	}

struct cb_account {
	char name[CB_ACCOUNT_NAME_MAX + 1];
	char org[CB_CODE_MAX + 1]; /* the subtree it reads; "": the hub's */
	int64_t created_ms;
	int64_t failures;  /* failed sign-ins since the last that worked */
	int64_t locked_ms; /* locked until (Unix ms); 0: never locked */
	int64_t last_ms;   /* the last sign-in; 0: none */
};

/* Is name an account's name: 1 to CB_ACCOUNT_NAME_MAX of a-z, 0-9, '.',
 * '_', '-', starting with a letter or digit? CB_EINVAL saying so. */
cb_err cb_account_name_check(const char *name,
                             struct cb_errbuf *eb) CB_MUST_CHECK;

/* A new account name for org (NULL: the hub's whole tree) whose password
 * hash is hash (cb_pwhash_str's), created now. CB_EEXIST when there is
 * one of that name; nothing written then. */
cb_err cb_account_add(struct cb_store *st, const char *name, const char *org,
                      const char *hash, struct cb_errbuf *eb) CB_MUST_CHECK;
/* A new password hash for name; its failures and lock cleared and its
 * sessions ended. CB_ENOTFOUND when there is no such account. */
cb_err cb_account_passwd(struct cb_store *st, const char *name,
                         const char *hash, struct cb_errbuf *eb) CB_MUST_CHECK;
/* The account name and its sessions gone. CB_ENOTFOUND: no such one. */
cb_err cb_account_remove(struct cb_store *st, const char *name,
                         struct cb_errbuf *eb) CB_MUST_CHECK;
/* Its failures and lock cleared. CB_ENOTFOUND: no such account. */
cb_err cb_account_unlock(struct cb_store *st, const char *name,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

/* The account name into out. CB_ENOTFOUND: no such account. */
cb_err cb_account_find(struct cb_store *st, const char *name,
                       struct cb_account *out,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* Called for each account, by name; a non-zero return stops the read and
 * is returned. */
typedef cb_err (*cb_account_fn)(void *ctx, const struct cb_account *a,
                                struct cb_errbuf *eb);
cb_err cb_account_each(struct cb_store *st, cb_account_fn fn, void *ctx,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* The first half of a sign-in, before the password is checked (which
 * takes a while, and no lock of the store's): the account name's hash
 * into hash and its record into out, the attempt counted in advance —
 * its failures raised by one, and the account locked for pol's lock_ms
 * if that makes its failures_max (pol NULL: the defaults) — so that
 * attempts made at once cannot try more passwords than that. One
 * transaction. CB_ENOTFOUND: no such account (nothing written);
 * CB_EAGAIN: it is locked until out->locked_ms (nothing counted). */
cb_err cb_account_attempt(struct cb_store *st, const char *name, int64_t now_ms,
                          const struct cb_account_policy *pol,
                          struct cb_account *out,
                          char hash[CB_PWHASH_STR_BYTES],
                          struct cb_errbuf *eb) CB_MUST_CHECK;
/* The second half, when the password was right: the failures and lock
 * cleared, the sign-in's time kept, and a session opened until now +
 * pol's session_ms (pol NULL: CB_SESSION_MS) — its cookie's value (the 32
 * random bytes, hex) into sid and the token of its forms into csrf. Expired
 * sessions are removed meanwhile. */
cb_err cb_account_signed_in(struct cb_store *st, const char *name,
                            int64_t now_ms, const struct cb_account_policy *pol,
                            char sid[CB_SESSION_HEX], char csrf[CB_SESSION_HEX],
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* A session as a request finds it. */
struct cb_session {
	struct cb_account account;
	char csrf[CB_SESSION_HEX];
	int64_t expires_ms;
};

/* The session whose cookie's value is sid, open at now_ms and of an
 * account that still exists, into out. CB_ENOTFOUND otherwise (a value
 * that is not 64 hex digits included). */
cb_err cb_session_find(struct cb_store *st, const char *sid, int64_t now_ms,
                       struct cb_session *out,
                       struct cb_errbuf *eb) CB_MUST_CHECK;
/* End the session of sid (nothing if there is none). */
cb_err cb_session_end(struct cb_store *st, const char *sid,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

#endif

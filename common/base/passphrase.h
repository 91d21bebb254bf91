/* SPDX-License-Identifier: MIT */
/* passphrase.h — the passphrase that seals or opens a backup or the
 * signing key: never from the command line (which other users read in
 * /proc). A script names a file holding it in $CHIBO_PASSPHRASE_FILE (its
 * first line; /dev/fd/N reads a descriptor the script opened) — and the
 * new one, when a key's passphrase is changed, in
 * $CHIBO_NEW_PASSPHRASE_FILE; otherwise it is asked on the terminal,
 * without echo, twice when a new one is chosen. */
#ifndef CB_PASSPHRASE_H
#define CB_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define CB_PASSPHRASE_ENV "CHIBO_PASSPHRASE_FILE"
#define CB_PASSPHRASE_NEW_ENV "CHIBO_NEW_PASSPHRASE_FILE"
#define CB_PASSWORD_ENV "CHIBO_PASSWORD_FILE"
#define CB_PASSPHRASE_MAX 1024
#define CB_PASSPHRASE_MIN 8 /* bytes, for a new one */

/* What a passphrase is for: the variable naming a script's file of it,
 * and the prompts (N_() strings, translated when shown). */
struct cb_passphrase_for {
	const char *env;
	const char *prompt;     /* asking for it */
	const char *prompt_new; /* asking for a new one */
};
/* A backup's; the signing key's; the signing key's new one, when it is
 * changed ($CHIBO_NEW_PASSPHRASE_FILE); a dashboard account's password
 * ($CHIBO_PASSWORD_FILE; accounts.h). */
extern const struct cb_passphrase_for cb_passphrase_backup, cb_passphrase_key,
	cb_passphrase_key_new, cb_passphrase_account;

/* Get the passphrase for f: *out is sodium_malloc'd and NUL-terminated,
 * *len its length; release with cb_passphrase_free. With confirm (a new
 * one), the terminal asks twice and both must match, and a passphrase
 * shorter than CB_PASSPHRASE_MIN is refused. On error *out is
 * untouched. */
cb_err cb_passphrase_ask(const struct cb_passphrase_for *f, bool confirm,
                         char **out, size_t *len,
                         struct cb_errbuf *eb) CB_MUST_CHECK;
/* Is a passphrase for f given without a terminal (its variable set)? */
bool cb_passphrase_scripted(const struct cb_passphrase_for *f);

/* A backup's passphrase (cb_passphrase_ask of cb_passphrase_backup): *out is
 * sodium_malloc'd and NUL-terminated, *len its length; release with
 * cb_passphrase_free. With confirm (a new backup), the terminal asks twice and
 * both must match, and a passphrase shorter than CB_PASSPHRASE_MIN is refused.
 * On error *out is untouched. */
cb_err cb_passphrase_get(bool confirm, char **out, size_t *len,
                         struct cb_errbuf *eb) CB_MUST_CHECK;
/* Wipe and free *p; sets *p to NULL; NULL-safe. */
void cb_passphrase_free(char **p);

#endif

/* SPDX-License-Identifier: MIT */
/* passphrase.h — the passphrase that seals or opens a backup: never from
 * the command line (which other users read in /proc). A script names a
 * file holding it in $CHIBO_PASSPHRASE_FILE (its first line; /dev/fd/N
 * reads a descriptor the script opened); otherwise it is asked on the
 * terminal, without echo, twice when a new one is chosen. */
#ifndef CB_PASSPHRASE_H
#define CB_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define CB_PASSPHRASE_ENV "CHIBO_PASSPHRASE_FILE"
#define CB_PASSPHRASE_MAX 1024
#define CB_PASSPHRASE_MIN 8 /* bytes, for a new one */

/* Get the passphrase: *out is sodium_malloc'd and NUL-terminated, *len its
 * length; release with cb_passphrase_free. With confirm (a new backup),
 * the terminal asks twice and both must match, and a passphrase shorter
 * than CB_PASSPHRASE_MIN is refused. On error *out is untouched. */
cb_err cb_passphrase_get(bool confirm, char **out, size_t *len,
                         struct cb_errbuf *eb) CB_MUST_CHECK;
/* Wipe and free *p; sets *p to NULL; NULL-safe. */
void cb_passphrase_free(char **p);

#endif

/* SPDX-License-Identifier: MIT */
/* pwhash.h — a key from a passphrase, for whatever chibo seals with one
 * (a backup, backup.h; the signing key, key.h): Argon2id v1.3 (RFC 9106,
 * libsodium's crypto_pwhash) with a random salt and the cost stored in
 * the clear beside the sealed bytes, so that a later chibo with other
 * defaults still opens it. A reader checks the cost it is asked to pay
 * first: a forged header cannot make it allocate or compute without
 * bound. */
#ifndef CB_PWHASH_H
#define CB_PWHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CB_PWHASH_SALT_BYTES 16
#define CB_PWHASH_OPS_MAX 64                  /* passes */
#define CB_PWHASH_MEM_MAX (UINT64_C(1) << 30) /* bytes */

/* Argon2id's cost. The default is what an old commune laptop derives in
 * about a second (3 passes over 64 MiB). */
struct cb_pwhash_cost {
	uint64_t opslimit;
	uint64_t memlimit; /* bytes */
};
extern const struct cb_pwhash_cost cb_pwhash_default;

/* Is c a cost a reader pays: at least libsodium's minimum, at most
 * CB_PWHASH_OPS_MAX passes and CB_PWHASH_MEM_MAX bytes? */
bool cb_pwhash_cost_ok(const struct cb_pwhash_cost *c);

/* Derive len bytes from the passphrase (pass, passlen) and salt at cost c
 * (which the caller checked with cb_pwhash_cost_ok, or chose) into *key,
 * sodium_malloc'd (sodium_free it). CB_ENOMEM when Argon2id cannot have
 * its memory; *key untouched on error. */
cb_err cb_pwhash_derive(const char *pass, size_t passlen,
                        const unsigned char salt[CB_PWHASH_SALT_BYTES],
                        const struct cb_pwhash_cost *c, size_t len,
                        unsigned char **key,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* A password's hash to store (a hub dashboard's accounts, accounts.h):
 * Argon2id at cost c with a random salt, as libsodium's crypto_pwhash_str
 * writes it ("$argon2id$v=19$m=…,t=…,p=1$salt$hash", the cost in it). */
#define CB_PWHASH_STR_BYTES 128
cb_err cb_pwhash_str(const char *pass, size_t passlen,
                     const struct cb_pwhash_cost *c,
                     char out[CB_PWHASH_STR_BYTES],
                     struct cb_errbuf *eb) CB_MUST_CHECK;
/* Is pass the password of hash (cb_pwhash_str's)? False too for a hash
 * that is not Argon2id's, or whose cost cb_pwhash_cost_ok refuses: a
 * forged row cannot make the reader pay without bound. Compared in
 * constant time. */
bool cb_pwhash_str_verify(const char *hash, const char *pass,
                          size_t passlen) CB_MUST_CHECK;

#endif

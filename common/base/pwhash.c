/* SPDX-License-Identifier: MIT */
/* pwhash.c — Argon2id with a stored, capped cost (pwhash.h). */
#include "pwhash.h"

#include <inttypes.h>

#include <sodium.h>

_Static_assert(CB_PWHASH_SALT_BYTES == crypto_pwhash_SALTBYTES,
               "Argon2id salt");

const struct cb_pwhash_cost cb_pwhash_default = { 3, UINT64_C(64) << 20 };

bool
cb_pwhash_cost_ok(const struct cb_pwhash_cost *c)
{
	return c->opslimit >= crypto_pwhash_OPSLIMIT_MIN &&
	       c->opslimit <= CB_PWHASH_OPS_MAX &&
	       c->memlimit >= crypto_pwhash_MEMLIMIT_MIN &&
	       c->memlimit <= CB_PWHASH_MEM_MAX;
}

cb_err
cb_pwhash_derive(const char *pass, size_t passlen,
                 const unsigned char salt[CB_PWHASH_SALT_BYTES],
                 const struct cb_pwhash_cost *c, size_t len,
                 unsigned char **key, struct cb_errbuf *eb)
{
	unsigned char *k = sodium_malloc(len);

	if (!k)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if (crypto_pwhash(k, len, pass, passlen, salt,
	                  (unsigned long long)c->opslimit, (size_t)c->memlimit,
	                  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		sodium_free(k);
		return cb_error(eb, CB_ENOMEM,
		                _("cannot derive the key from the passphrase: "
		                  "Argon2id needs %" PRIu64 " MiB of memory"),
		                c->memlimit >> 20);
	}
	*key = k;
	return CB_OK;
}

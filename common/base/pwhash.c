/* SPDX-License-Identifier: MIT */
/* pwhash.c — Argon2id with a stored, capped cost (pwhash.h). */
#include "pwhash.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

_Static_assert(CB_PWHASH_SALT_BYTES == crypto_pwhash_SALTBYTES,
               "Argon2id salt");
_Static_assert(CB_PWHASH_STR_BYTES == crypto_pwhash_argon2id_STRBYTES,
               "Argon2id string");

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
		                  "Argon2id needs %llu MiB of memory"),
		                (unsigned long long)(c->memlimit >> 20));
	}
	*key = k;
	return CB_OK;
}

cb_err
cb_pwhash_str(const char *pass, size_t passlen, const struct cb_pwhash_cost *c,
              char out[CB_PWHASH_STR_BYTES], struct cb_errbuf *eb)
{
	if (crypto_pwhash_argon2id_str(out, pass, passlen,
	                               (unsigned long long)c->opslimit,
	                               (size_t)c->memlimit) != 0)
		return cb_error(eb, CB_ENOMEM,
		                _("cannot hash the password: Argon2id needs "
		                  "%llu MiB of memory"),
		                (unsigned long long)(c->memlimit >> 20));
	return CB_OK;
}

bool
cb_pwhash_str_verify(const char *hash, const char *pass, size_t passlen)
{
	struct cb_pwhash_cost c;
	char str[CB_PWHASH_STR_BYTES] = { 0 }; /* libsodium reads so many */
	unsigned long m = 0, t = 0, p = 0;
	size_t len = hash ? strnlen(hash, sizeof(str)) : sizeof(str);
	int n = 0;

	/* the cost first, as pwhash.h's readers check it */
	if (len == sizeof(str) ||
	    sscanf(hash, "$argon2id$v=19$m=%lu,t=%lu,p=%lu$%n", &m, &t, &p,
	           &n) != 3 ||
	    !n || p != 1)
		return false;
	c.opslimit = t;
	c.memlimit = (uint64_t)m << 10;
	if (!cb_pwhash_cost_ok(&c))
		return false;
	memcpy(str, hash, len);
	return crypto_pwhash_argon2id_str_verify(str, pass, passlen) == 0;
}

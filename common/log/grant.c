/* SPDX-License-Identifier: MIT */
/* grant.c — sync keys and their grants (grant.h). The file is text, as a
 * plain key's: a header line "chibo-sync-key-v1", the sync key's 32-byte
 * seed in hex, and the grant in hex (CB_GRANT_BYTES). The grant's bytes:
 * the principal's public key (32), the request key (32), created (8,
 * big-endian Unix seconds), the principal's Ed25519 signature (64) over
 * CB_GRANT_CONTEXT followed by the 72 bytes before it — a context no
 * entry (which starts "CBE1"), checkpoint or request signature base
 * starts with. */
#include "grant.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"

#define SYNC_HEADER "chibo-sync-key-v1\n"
#define SYNC_FILE_LEN                                                          \
	(sizeof(SYNC_HEADER) - 1 + 2 * crypto_sign_SEEDBYTES + 1 +             \
	 2 * CB_GRANT_BYTES + 1)
#define SIGNED_LEN 72
#define CONTEXT_LEN (sizeof(CB_GRANT_CONTEXT) - 1)

_Static_assert(CB_GRANT_B64_LEN == 4 * ((CB_GRANT_BYTES + 2) / 3),
               "grant base64 length");

static void
message(const unsigned char *g, unsigned char m[CONTEXT_LEN + SIGNED_LEN])
{
	memcpy(m, CB_GRANT_CONTEXT, CONTEXT_LEN);
	memcpy(m + CONTEXT_LEN, g, SIGNED_LEN);
}

/* Verify the grant's bytes; g written on success. */
static cb_err
verify(const unsigned char *b, struct cb_grant *g, struct cb_errbuf *eb)
{
	unsigned char m[CONTEXT_LEN + SIGNED_LEN];
	int64_t created = (int64_t)cb_be_get(b + 64, 8);

	if (created < 0)
		return cb_error(eb, CB_EINVAL,
		                _("the grant's time is negative"));
	message(b, m);
	if (crypto_sign_verify_detached(b + SIGNED_LEN, m, sizeof(m), b) != 0)
		return cb_error(eb, CB_ECRYPTO,
		                _("the grant's signature does not verify"));
	memcpy(g->principal, b, CB_KEY_BYTES);
	memcpy(g->request, b + 32, CB_KEY_BYTES);
	g->created = created;
	return CB_OK;
}

cb_err
cb_grant_parse(const char *value, struct cb_grant *g, struct cb_errbuf *eb)
{
	unsigned char b[CB_GRANT_BYTES];
	size_t n = 0;

	if (!value || strlen(value) != CB_GRANT_B64_LEN ||
	    sodium_base642bin(b, sizeof(b), value, CB_GRANT_B64_LEN, NULL, &n,
	                      NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != CB_GRANT_BYTES)
		return cb_error(eb, CB_EINVAL,
		                _("the %s header is not base64 of a %d-byte "
		                  "grant"),
		                CB_GRANT_HEADER, CB_GRANT_BYTES);
	return verify(b, g, eb);
}

void
cb_grant_sign(const struct cb_key *principal,
              const unsigned char rpk[CB_KEY_BYTES], int64_t created,
              unsigned char g[CB_GRANT_BYTES])
{
	unsigned char m[CONTEXT_LEN + SIGNED_LEN];

	memcpy(g, principal->pk, CB_KEY_BYTES);
	memcpy(g + 32, rpk, CB_KEY_BYTES);
	for (int i = 0; i < 8; i++)
		g[64 + i] = (unsigned char)((uint64_t)created >> (56 - 8 * i));
	message(g, m);
	crypto_sign_detached(g + SIGNED_LEN, NULL, m, sizeof(m), principal->sk);
}

cb_err
cb_sync_key_create(const char *path, const struct cb_key *principal,
                   struct cb_errbuf *eb)
{
	unsigned char *seed = sodium_malloc(crypto_sign_SEEDBYTES),
		      *sk = sodium_malloc(CB_SECRET_BYTES), g[CB_GRANT_BYTES];
	unsigned char rpk[CB_KEY_BYTES];
	char *text = sodium_malloc(SYNC_FILE_LEN + 1), *p;
	cb_err rc;

	if (!seed || !sk || !text) {
		rc = cb_error(eb, CB_ENOMEM, _("out of secure memory"));
		goto out;
	}
	if (!principal->sk) {
		rc = cb_error(eb, CB_EINVAL,
		              _("the signing key is sealed and not open"));
		goto out;
	}
	randombytes_buf(seed, crypto_sign_SEEDBYTES);
	crypto_sign_seed_keypair(rpk, sk, seed);
	cb_grant_sign(principal, rpk, (int64_t)time(NULL), g);
	p = text;
	memcpy(p, SYNC_HEADER, sizeof(SYNC_HEADER) - 1);
	p += sizeof(SYNC_HEADER) - 1;
	cb_hex_encode(seed, crypto_sign_SEEDBYTES, p);
	p += 2 * crypto_sign_SEEDBYTES;
	*p++ = '\n';
	cb_hex_encode(g, CB_GRANT_BYTES, p);
	p += 2 * CB_GRANT_BYTES;
	*p++ = '\n';
	rc = cb_file_write_atomic(path, text, SYNC_FILE_LEN, 0600, 0, eb);
out:
	sodium_free(seed);
	sodium_free(sk);
	sodium_free(text);
	return rc;
}

cb_err
cb_sync_key_load(const char *path, const unsigned char principal[CB_KEY_BYTES],
                 struct cb_request_key *out, struct cb_errbuf *eb)
{
	unsigned char *seed = sodium_malloc(crypto_sign_SEEDBYTES),
		      *sk = sodium_malloc(CB_SECRET_BYTES), g[CB_GRANT_BYTES],
		      pk[CB_KEY_BYTES];
	char *text = sodium_malloc(SYNC_FILE_LEN + 2);
	struct cb_grant gr;
	size_t got = 0;
	cb_err rc = CB_EINVAL;

	if (!seed || !sk || !text) {
		rc = cb_error(eb, CB_ENOMEM, _("out of secure memory"));
		goto out;
	}
	if ((rc = cb_key_file_read(path, text, SYNC_FILE_LEN, &got, eb))) {
		if (rc == CB_ENOTFOUND)
			cb_error(eb, rc, _("no sync key '%s'"), path);
		goto out;
	}
	if (got != SYNC_FILE_LEN ||
	    memcmp(text, SYNC_HEADER, sizeof(SYNC_HEADER) - 1) != 0 ||
	    text[sizeof(SYNC_HEADER) - 1 + 2 * crypto_sign_SEEDBYTES] != '\n' ||
	    text[SYNC_FILE_LEN - 1] != '\n') {
		rc = cb_error(eb, CB_EINVAL, _("'%s' is not a chibo sync key"),
		              path);
		goto out;
	}
	text[sizeof(SYNC_HEADER) - 1 + 2 * crypto_sign_SEEDBYTES] = 0;
	text[SYNC_FILE_LEN - 1] = 0;
	if (cb_hex_decode(text + sizeof(SYNC_HEADER) - 1, seed,
	                  crypto_sign_SEEDBYTES, NULL) ||
	    cb_hex_decode(text + sizeof(SYNC_HEADER) +
	                          2 * crypto_sign_SEEDBYTES,
	                  g, sizeof(g), NULL)) {
		rc = cb_error(eb, CB_EINVAL, _("'%s' is not a chibo sync key"),
		              path);
		goto out;
	}
	crypto_sign_seed_keypair(pk, sk, seed);
	if ((rc = verify(g, &gr, eb)) ||
	    sodium_memcmp(gr.principal, principal, CB_KEY_BYTES) != 0 ||
	    sodium_memcmp(gr.request, pk, CB_KEY_BYTES) != 0) {
		rc = cb_error(eb, CB_ECRYPTO,
		              _("sync key '%s' was not granted by this "
		                "replica's signing key: make a new one with "
		                "'chibo-agent key sync-key'"),
		              path);
		goto out;
	}
	memcpy(out->key.pk, pk, CB_KEY_BYTES);
	out->key.sk = sk;
	out->key.sealed = false;
	sk = NULL;
	sodium_bin2base64(out->grant, sizeof(out->grant), g, sizeof(g),
	                  sodium_base64_VARIANT_ORIGINAL);
	rc = CB_OK;
out:
	sodium_free(seed);
	sodium_free(sk);
	sodium_free(text);
	return rc;
}

void
cb_request_key_release(struct cb_request_key *sk)
{
	if (sk)
		cb_key_release(&sk->key);
}

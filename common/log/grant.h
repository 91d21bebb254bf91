/* SPDX-License-Identifier: MIT */
/* grant.h — a replica's sync key (docs/PROTOCOL.md, "Sync keys"): when
 * the signing key is sealed with a passphrase (key.h), a nightly timer
 * cannot sign with it, so the replica keeps a second key, unsealed, that
 * signs its requests to the hub and nothing else. The signing key grants
 * it that once, when it is made: a grant is the signing key's Ed25519
 * signature over (its own key, the sync key, a time), sent with every
 * request in the Chibo-Grant header. A hub that verifies the grant treats
 * the request as the signing key's — its status, its push of entries the
 * signing key signed, its pull — while the sync key itself is enrolled
 * nowhere: any entry it signs is an entry by a stranger, refused at every
 * door. */
#ifndef CB_GRANT_H
#define CB_GRANT_H

#include <stdint.h>

#include "entry.h"
#include "err.h"
#include "key.h"

#define CB_GRANT_BYTES 136   /* principal, request key, created, signature */
#define CB_GRANT_B64_LEN 184 /* its base64 (RFC 4648, padded) */
#define CB_GRANT_HEADER "Chibo-Grant"
#define CB_GRANT_CONTEXT "chibo-grant-v1\n" /* signed before the grant */
#define CB_SYNC_KEY_FILE "sync.key"

struct cb_grant {
	unsigned char principal[CB_KEY_BYTES]; /* the signing key */
	unsigned char request[CB_KEY_BYTES];   /* the sync key */
	int64_t created;                       /* Unix seconds */
};

/* Parse and verify a Chibo-Grant header value: base64 of exactly
 * CB_GRANT_BYTES, created not negative, and the principal's signature
 * over CB_GRANT_CONTEXT and the first 72 bytes. CB_EINVAL for a
 * malformed one, CB_ECRYPTO for a signature that does not verify; g is
 * written only on success. */
cb_err cb_grant_parse(const char *value, struct cb_grant *g,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* The grant by principal (whose secret is open) to the request key rpk,
 * dated created: its bytes into out. */
void cb_grant_sign(const struct cb_key *principal,
                   const unsigned char rpk[CB_KEY_BYTES], int64_t created,
                   unsigned char out[CB_GRANT_BYTES]);

/* A replica's sync key, loaded: the key (never sealed) and its grant, as
 * the header value. */
struct cb_request_key {
	struct cb_key key;
	char grant[CB_GRANT_B64_LEN + 1];
};
#define CB_REQUEST_KEY_INIT                                                    \
	{                                                                      \
		CB_KEY_INIT, ""                                                \
	}

/* Make a fresh sync key granted by principal (whose secret is open), dated
 * now, and write it to path (mode 0600, atomically, replacing the file
 * there: a new sync key makes the old one's grant older). */
cb_err cb_sync_key_create(const char *path, const struct cb_key *principal,
                          struct cb_errbuf *eb) CB_MUST_CHECK;

/* Load the sync key at path, which must be granted by principal:
 * CB_ENOTFOUND when there is no file; CB_EINVAL for a file readable by
 * others, or not exactly a sync key; CB_ECRYPTO for a grant that is not
 * principal's, or not to this key. On error sk is untouched. */
cb_err cb_sync_key_load(const char *path,
                        const unsigned char principal[CB_KEY_BYTES],
                        struct cb_request_key *sk,
                        struct cb_errbuf *eb) CB_MUST_CHECK;
void cb_request_key_release(struct cb_request_key *sk);

#endif

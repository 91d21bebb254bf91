/* SPDX-License-Identifier: MIT */
/* httpsig.h — HTTP Message Signatures (RFC 9421) with Ed25519, the
 * Content-Digest field (RFC 9530, sha-256), and chibo's profile of them for
 * requests to a hub (docs/PROTOCOL.md, "Request signatures"): label
 * "chibo", components "@method" "@authority" "@path" "@query"
 * "content-digest", parameters created, keyid (the hex public key), nonce,
 * alg="ed25519", tag="chibo-v1". The Structured Fields (RFC 8941) parsing
 * is strict and bounded: header values over CB_HTTPSIG_MAX bytes are
 * refused. */
#ifndef CB_HTTPSIG_H
#define CB_HTTPSIG_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "entry.h"
#include "err.h"

#define CB_HTTPSIG_MAX 4096
#define CB_HTTPSIG_LABEL "chibo"
#define CB_HTTPSIG_TAG "chibo-v1"
#define CB_HTTPSIG_NONCE_MAX 64

/* What a signature covers of a request. authority is host[:port] as
 * typed in the URL or sent in Host: signing and verifying normalise it
 * (cb_httpsig_authority); query is without '?' (NULL or "" when there is
 * none). */
struct cb_httpsig_request {
	const char *method;
	const char *authority;
	const char *path;
	const char *query;
	const char *content_digest; /* the Content-Digest header value */
};

/* The verified parameters of a request's signature. */
struct cb_httpsig_params {
	unsigned char key[CB_KEY_BYTES];
	int64_t created;
	char nonce[CB_HTTPSIG_NONCE_MAX + 1];
};

/* The longest normalised authority: a 253-byte host name and ":65535". */
#define CB_HTTPSIG_AUTHORITY_MAX 262

/* The @authority of an https request as RFC 9421 §2.2.3 wants it (RFC 9110
 * §4.2.3): in, a host[:port] as typed in a URL or sent in Host, written to
 * out with the host lower-cased, the default port (443) and an empty port
 * left out, and the port without leading zeros ("HUB.example:443" ->
 * "hub.example"). The host is a DNS name or IPv4 address (letters, digits,
 * '.', '-', '_', '~') or an IPv6 literal in brackets. CB_EINVAL, with a
 * message, for anything else: an empty host, userinfo, a port that is not
 * 1 to 65535, a character outside those, or a longer value. */
cb_err cb_httpsig_authority(const char *in,
                            char out[CB_HTTPSIG_AUTHORITY_MAX + 1],
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* "sha-256=:BASE64:" of the body, malloc'd. */
char *cb_content_digest(const void *body, size_t len);
/* The header must hold a sha-256 digest equal to the body's. */
cb_err cb_content_digest_check(const char *header, const void *body, size_t len,
                               struct cb_errbuf *eb) CB_MUST_CHECK;

/* Sign req for chibo: fills *sig_input and *signature with the values of
 * the Signature-Input and Signature headers (malloc'd). */
cb_err cb_httpsig_sign(const struct cb_httpsig_request *req,
                       const unsigned char pk[CB_KEY_BYTES],
                       const unsigned char *sk, int64_t created,
                       const char *nonce, char **sig_input, char **signature,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* Verify the "chibo" signature of req under the key its keyid names:
 * exactly chibo's components, created within [now - window, now + skew]
 * (skew 60 s), a nonce, tag chibo-v1, alg="ed25519" (required), and the
 * Ed25519 signature over the signature base, whose @authority is req's
 * normalised. The Content-Digest header is covered, but whether it is
 * the body's is the caller's to check (cb_content_digest_check), which
 * it may do later, once the body is read. The caller then checks that
 * the authority is its own, the key enrolled and the nonce not seen
 * before. */
cb_err cb_httpsig_verify(const struct cb_httpsig_request *req,
                         const char *sig_input, const char *signature,
                         int64_t now, int64_t window,
                         struct cb_httpsig_params *out,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

/* Lower level, for any RFC 9421 signature: the signature base for the
 * member `label` of a Signature-Input value, with component values from
 * value(ctx, name) (NULL: the component is absent, which is an error).
 * Also returns the raw signature bytes of `label` from a Signature value
 * when signature is not NULL. */
typedef const char *(*cb_httpsig_lookup)(void *ctx, const char *name);
cb_err cb_httpsig_base(const char *sig_input, const char *label,
                       cb_httpsig_lookup value, void *ctx, struct cb_buf *base,
                       struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_httpsig_signature_bytes(const char *signature, const char *label,
                                  unsigned char out[64],
                                  struct cb_errbuf *eb) CB_MUST_CHECK;

#endif

/* SPDX-License-Identifier: MIT */
/* hubclient.h — one signed HTTPS request to a hub (docs/PROTOCOL.md,
 * "Request signatures"): the hub is trusted by its TLS public-key pin, not
 * a CA; each request carries Content-Digest and an RFC 9421 signature by
 * the caller's key, with a fresh nonce. What an agent's sync and an
 * auditor's verify both send; retries and backoff are the caller's. */
#ifndef CB_HUBCLIENT_H
#define CB_HUBCLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <curl/curl.h>

#include "buf.h"
#include "err.h"
#include "httpsig.h"

struct cb_hubclient {
	CURL *curl;
	char url[512]; /* https://host[:port], no trailing slash */
	/* host[:port] of the URL as signed: normalised (lower case, no
	 * :443), as the hub normalises the Host it receives */
	char authority[CB_HTTPSIG_AUTHORITY_MAX + 1];
	const unsigned char *pk, *sk; /* the caller's key, not owned */
	/* A sync key's grant (grant.h), sent as the Chibo-Grant header of
	 * every request; NULL for none. Not owned. */
	const char *grant;
	struct cb_buf resp;                /* the last response body */
	size_t resp_max;                   /* a longer response is cut off */
	long status;                       /* the last HTTP status */
	uint64_t sent, received, requests; /* what went over the wire */
};

/* Set up a client of the hub at url (https://…) holding the TLS public
 * key pin ("sha256//BASE64"), signing with (pk, sk); responses up to
 * resp_max bytes. CB_EINVAL for a URL without a host, or whose host[:port]
 * is not an authority (cb_httpsig_authority). */
cb_err cb_hubclient_init(struct cb_hubclient *cl, const char *url,
                         const char *pin, const unsigned char *pk,
                         const unsigned char *sk, size_t resp_max,
                         struct cb_errbuf *eb) CB_MUST_CHECK;
void cb_hubclient_release(struct cb_hubclient *cl);

/* One signed request: CURLE_OK with cl->status and cl->resp, or curl's
 * failure. type is the Content-Type (NULL: none); zstd says the body is
 * zstd-compressed. Responses may come back zstd-compressed (the caller
 * inflates them: see Content-Encoding). Sent once, but for a 503 whose
 * Retry-After is 1 to 5 seconds (a hub that restarted refuses what was
 * signed before: the caller's key must sign again with a later created),
 * sent once more after that wait, signed afresh. Other retries are the
 * caller's. */
CURLcode cb_hubclient_send(struct cb_hubclient *cl, const char *method,
                           const char *path, const void *body, size_t len,
                           const char *type, bool zstd);

/* A response header of the last request, or NULL. */
const char *cb_hubclient_header(struct cb_hubclient *cl, const char *name);

#endif

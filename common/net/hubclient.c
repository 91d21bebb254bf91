/* SPDX-License-Identifier: MIT */
/* hubclient.c — one signed HTTPS request to a hub (hubclient.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "httpsig.h"
#include "hubclient.h"

#define EXPECT_OVER (64u << 10) /* bytes of body that wait for 100 */
#define RESIGN_WAIT_MAX 5       /* seconds of a 503 worth one more try */

static size_t
on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct cb_hubclient *cl = ctx;

	if (cl->resp.len + size * n > cl->resp_max)
		return 0; /* a reply is bounded; refuse a flood */
	return cb_buf_add(&cl->resp, p, size * n) ? 0 : size * n;
}

cb_err
cb_hubclient_init(struct cb_hubclient *cl, const char *url, const char *pin,
                  const unsigned char *pk, const unsigned char *sk,
                  size_t resp_max, struct cb_errbuf *eb)
{
	char typed[CB_HTTPSIG_AUTHORITY_MAX + 1];
	const char *h, *end;
	size_t len;

	memset(cl, 0, sizeof(*cl));
	if (strncmp(url, "https://", 8))
		return cb_error(
			eb, CB_EINVAL,
			_("the hub URL '%s' does not start with https://"),
			url);
	h = url + 8;
	end = strchr(h, '/');
	len = end ? (size_t)(end - h) : strlen(h);
	if (len == 0 || len >= sizeof(typed) || strlen(url) >= sizeof(cl->url))
		return cb_error(eb, CB_EINVAL,
		                _("the hub URL '%s' has no host"), url);
	memcpy(typed, h, len);
	typed[len] = 0;
	if (cb_httpsig_authority(typed, cl->authority, eb))
		return cb_error_prefix(eb, CB_EINVAL, _("the hub URL '%s'"),
		                       url);
	snprintf(cl->url, sizeof(cl->url), "%s", url);
	len = strlen(cl->url);
	while (len > 8 && cl->url[len - 1] == '/')
		cl->url[--len] = 0;
	cl->pk = pk;
	cl->sk = sk;
	cl->resp_max = resp_max;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!(cl->curl = curl_easy_init()))
		return cb_error(eb, CB_ENOMEM, _("cannot start libcurl"));
	/* Trust is the pin, not a CA: the certificate is self-signed. */
	curl_easy_setopt(cl->curl, CURLOPT_PINNEDPUBLICKEY, pin);
	curl_easy_setopt(cl->curl, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(cl->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(cl->curl, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(cl->curl, CURLOPT_LOW_SPEED_LIMIT, 100L);
	curl_easy_setopt(cl->curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(cl->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(cl->curl, CURLOPT_WRITEDATA, cl);
	curl_easy_setopt(cl->curl, CURLOPT_NOSIGNAL, 1L);
	/* a poor link's round trip, twice; then the body goes anyway */
	curl_easy_setopt(cl->curl, CURLOPT_EXPECT_100_TIMEOUT_MS, 2000L);
	return CB_OK;
}

void
cb_hubclient_release(struct cb_hubclient *cl)
{
	cb_buf_release(&cl->resp);
	if (cl->curl)
		curl_easy_cleanup(cl->curl);
	cl->curl = NULL;
}

static CURLcode
send_once(struct cb_hubclient *cl, const char *method, const char *path,
          const void *body, size_t len, const char *type, bool zstd)
{
	struct cb_httpsig_request hr = { method, cl->authority, path, "",
		                         NULL };
	struct curl_slist *h = NULL;
	struct cb_errbuf eb;
	unsigned char nb[18];
	char nonce[32], *input = NULL, *sig = NULL, *digest, url[1024],
			line[CB_HTTPSIG_MAX + 64];
	curl_off_t up = 0, down = 0;
	long hdr = 0, req = 0;
	CURLcode cc;

	/* Signed afresh each time: a retry must not be a replay. */
	digest = cb_content_digest(body ? body : "", len);
	randombytes_buf(nb, sizeof(nb));
	sodium_bin2base64(nonce, sizeof(nonce), nb, sizeof(nb),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	hr.content_digest = digest;
	if (!digest || cb_httpsig_sign(&hr, cl->pk, cl->sk, (int64_t)time(NULL),
	                               nonce, &input, &sig, &eb)) {
		free(digest);
		return CURLE_OUT_OF_MEMORY;
	}
	snprintf(line, sizeof(line), "Content-Digest: %s", digest);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "Signature-Input: %s", input);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "Signature: %s", sig);
	h = curl_slist_append(h, line);
	if (cl->grant) {
		snprintf(line, sizeof(line), "Chibo-Grant: %s", cl->grant);
		h = curl_slist_append(h, line);
	}
	/* A large body waits for the hub's word on the headers (100
	 * Continue): a refusal then costs a round trip, not the upload, and
	 * reaches the agent before the hub closes the connection. */
	h = curl_slist_append(h, len > EXPECT_OVER ? "Expect: 100-continue"
	                                           : "Expect:");
	h = curl_slist_append(h, "Accept-Encoding: zstd");
	if (type) {
		snprintf(line, sizeof(line), "Content-Type: %s", type);
		h = curl_slist_append(h, line);
	}
	if (zstd)
		h = curl_slist_append(h, "Content-Encoding: zstd");
	snprintf(url, sizeof(url), "%s%s", cl->url, path);
	cb_buf_reset(&cl->resp);
	curl_easy_setopt(cl->curl, CURLOPT_URL, url);
	curl_easy_setopt(cl->curl, CURLOPT_HTTPHEADER, h);
	if (!strcmp(method, "POST")) {
		curl_easy_setopt(cl->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(cl->curl, CURLOPT_POSTFIELDS,
		                 body ? body : "");
		curl_easy_setopt(cl->curl, CURLOPT_POSTFIELDSIZE, (long)len);
	} else {
		curl_easy_setopt(cl->curl, CURLOPT_HTTPGET, 1L);
	}
	cc = curl_easy_perform(cl->curl);
	curl_easy_getinfo(cl->curl, CURLINFO_REQUEST_SIZE, &req);
	curl_easy_getinfo(cl->curl, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(cl->curl, CURLINFO_HEADER_SIZE, &hdr);
	curl_easy_getinfo(cl->curl, CURLINFO_SIZE_DOWNLOAD_T, &down);
	cl->sent += (uint64_t)req + (uint64_t)up;
	cl->received += (uint64_t)hdr + (uint64_t)down;
	cl->requests++;
	curl_slist_free_all(h);
	free(digest);
	free(input);
	free(sig);
	if (cc == CURLE_OK)
		curl_easy_getinfo(cl->curl, CURLINFO_RESPONSE_CODE,
		                  &cl->status);
	return cc;
}

const char *
cb_hubclient_header(struct cb_hubclient *cl, const char *name)
{
	struct curl_header *hd = NULL;

	if (curl_easy_header(cl->curl, name, 0, CURLH_HEADER, -1, &hd) !=
	    CURLHE_OK)
		return NULL;
	return hd->value;
}

CURLcode
cb_hubclient_send(struct cb_hubclient *cl, const char *method, const char *path,
                  const void *body, size_t len, const char *type, bool zstd)
{
	CURLcode cc = send_once(cl, method, path, body, len, type, zstd);
	const char *after, *replayed;
	long wait;

	/* Refused as a replay of itself: the hub took this very request
	 * before — libcurl sends a request again, unasked, when the
	 * connection it reused was cut before any answer came, and the hub
	 * may have read the first copy. Signed afresh, once. */
	if (cc == CURLE_OK && cl->status == 401 &&
	    (replayed = cb_hubclient_header(cl, "Chibo-Replay")) &&
	    !strcmp(replayed, "1"))
		cc = send_once(cl, method, path, body, len, type, zstd);

	/* A hub that restarted within the second refuses what was signed
	 * in it (PROTOCOL.md, "What a hub checks, and when"): sign again,
	 * with a later created, once. */
	if (cc == CURLE_OK && cl->status == 503 &&
	    (after = cb_hubclient_header(cl, "Retry-After")) &&
	    strspn(after, "0123456789") == strlen(after) && *after &&
	    strlen(after) < 3 && (wait = strtol(after, NULL, 10)) >= 1 &&
	    wait <= RESIGN_WAIT_MAX) {
		struct timespec ts = { (time_t)wait, 0 };

		nanosleep(&ts, NULL);
		cc = send_once(cl, method, path, body, len, type, zstd);
	}
	return cc;
}

/* SPDX-License-Identifier: MIT */
/* cmd_sync.c — chibo-agent hub and sync. 'hub' records the hub's URL, TLS
 * pin and key (given at enrolment). 'sync' asks the hub for its head of
 * this replica's chain and pushes every entry after it, in batches (a zstd
 * entry stream each, docs/PROTOCOL.md), each request signed with the
 * agent's key (RFC 9421) over one kept-alive, pinned TLS connection.
 * Exit codes a timer can act on: 0 synced, 75 the hub cannot be reached
 * (try later), 77 the hub refused (a person must look). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "agent.h"
#include "buf.h"
#include "httpsig.h"
#include "stream.h"
#include "zbody.h"

#define EXIT_TEMPFAIL 75 /* sysexits: try again later */
#define EXIT_NOPERM 77   /* sysexits: refused */
#define BATCH_ENTRIES 1000
#define BATCH_BYTES (1u << 20)

static const struct argdef hub_defs[] = {
	{ "url", "URL", "the hub, e.g. https://10.0.0.5:8443" },
	{ "pin", "PIN", "its TLS pin, sha256//BASE64 (from chibo-hub init)" },
	{ "key", "HEX", "its key (from chibo-hub init)" },
	{ NULL, NULL, NULL },
};

int
cmd_hub(struct agent *a, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	unsigned char raw[CB_KEY_BYTES];
	struct args v;
	int rc;

	rc = cb_args_command(
		"hub",
		"usage: chibo-agent hub --url URL --pin PIN --key HEX\n\n"
		"Records the hub this replica syncs with, as its office was "
		"given them at\nenrolment. The hub's key becomes the replica's "
		"authority: the key whose\nenrolments it trusts.\n\n",
		hub_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1) || !cb_args_get(&v, 2))
		return cb_args_usage("hub", "give --url, --pin and --key");
	if (strncmp(cb_args_get(&v, 0), "https://", 8))
		return cb_args_usage("hub", "the URL must start with https://");
	if (strncmp(cb_args_get(&v, 1), "sha256//", 8) ||
	    strlen(cb_args_get(&v, 1)) != 52)
		return cb_args_usage("hub", "the pin is sha256// and 44 base64 "
		                            "characters");
	if (cb_hex_decode(cb_args_get(&v, 2), raw, sizeof(raw), &eb))
		return cb_args_usage("hub", "--key: %s", eb.msg);
	if (!(lg = agent_open(a)))
		return 1;
	rc = 0;
	{
		char key[2 * CB_KEY_BYTES + 1];

		cb_hex_encode(raw, sizeof(raw), key);
		if (cb_store_meta_set(lg->st, "hub_url", cb_args_get(&v, 0),
		                      &eb) ||
		    cb_store_meta_set(lg->st, "hub_pin", cb_args_get(&v, 1),
		                      &eb) ||
		    cb_store_meta_set(lg->st, "authority", key, &eb)) {
			agent_error("%s", eb.msg);
			rc = 1;
		} else {
			printf("this replica syncs with %s\n",
			       cb_args_get(&v, 0));
		}
	}
	cb_ledger_free(&lg);
	return rc;
}

struct client {
	CURL *curl;
	struct cb_ledger *lg;
	char *url, *pin;
	char authority[256];
	struct cb_buf resp;
	long status;
};

static size_t
on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct client *cl = ctx;

	if (cl->resp.len + size * n > (4u << 20))
		return 0; /* a reply is small; refuse a flood */
	return cb_buf_add(&cl->resp, p, size * n) ? 0 : size * n;
}

/* host[:port] of the URL, as curl will send it in Host. */
static int
authority_of(const char *url, char *out, size_t n)
{
	const char *h = url + strlen("https://"), *end = strchr(h, '/');
	size_t len = end ? (size_t)(end - h) : strlen(h);

	if (len == 0 || len >= n)
		return -1;
	memcpy(out, h, len);
	out[len] = 0;
	return 0;
}

/* One signed request. Returns 0 with cl->status and cl->resp, or a curl
 * failure (printed). */
static int
request(struct client *cl, const char *method, const char *path,
        const void *body, size_t len, bool zstd)
{
	struct cb_httpsig_request hr = { method, cl->authority, path, "",
		                         NULL };
	struct curl_slist *h = NULL;
	struct cb_errbuf eb;
	unsigned char nb[18];
	char nonce[32], *input = NULL, *sig = NULL, *digest, url[1024],
			line[CB_HTTPSIG_MAX + 64];
	CURLcode cc;

	digest = cb_content_digest(body ? body : "", len);
	randombytes_buf(nb, sizeof(nb));
	sodium_bin2base64(nonce, sizeof(nonce), nb, sizeof(nb),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	hr.content_digest = digest;
	if (!digest ||
	    cb_httpsig_sign(&hr, cl->lg->key.pk, cl->lg->key.sk,
	                    (int64_t)time(NULL), nonce, &input, &sig, &eb)) {
		agent_error("cannot sign the request: %s",
		            digest ? eb.msg : "out of memory");
		free(digest);
		return -1;
	}
	snprintf(line, sizeof(line), "Content-Digest: %s", digest);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "Signature-Input: %s", input);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "Signature: %s", sig);
	h = curl_slist_append(h, line);
	h = curl_slist_append(h, "Expect:");
	if (zstd) {
		h = curl_slist_append(h, "Content-Encoding: zstd");
		h = curl_slist_append(h, "Content-Type: application/"
		                         "vnd.chibo.entries");
	}
	snprintf(url, sizeof(url), "%s%s", cl->url, path);
	cb_buf_reset(&cl->resp);
	curl_easy_setopt(cl->curl, CURLOPT_URL, url);
	curl_easy_setopt(cl->curl, CURLOPT_HTTPHEADER, h);
	if (!strcmp(method, "POST")) {
		curl_easy_setopt(cl->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(cl->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(cl->curl, CURLOPT_POSTFIELDSIZE, (long)len);
	} else {
		curl_easy_setopt(cl->curl, CURLOPT_HTTPGET, 1L);
	}
	cc = curl_easy_perform(cl->curl);
	curl_slist_free_all(h);
	free(digest);
	free(input);
	free(sig);
	if (cc != CURLE_OK) {
		agent_error("cannot reach the hub at %s: %s", cl->url,
		            curl_easy_strerror(cc));
		return cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH ? -2 : -1;
	}
	curl_easy_getinfo(cl->curl, CURLINFO_RESPONSE_CODE, &cl->status);
	return 0;
}

/* The reply's JSON (a new reference), or NULL with a message. */
static json_t *
reply_json(struct client *cl)
{
	json_t *o =
		json_loadb((const char *)cl->resp.data, cl->resp.len, 0, NULL);

	if (!json_is_object(o)) {
		json_decref(o);
		agent_error("the hub answered %ld with no JSON", cl->status);
		return NULL;
	}
	return o;
}

/* Our entries after head as one stream, at most a batch; *count of them. */
static int
next_batch(struct client *cl, uint64_t head, struct cb_buf *stream,
           size_t *count)
{
	static const char sql[] = "SELECT bytes FROM entries WHERE author "
				  "= ? AND seq > ? ORDER BY seq LIMIT ?";
	sqlite3_stmt *s = NULL;
	int r;

	cb_buf_reset(stream);
	*count = 0;
	if (sqlite3_prepare_v2(cb_store_db(cl->lg->st), sql, -1, &s, NULL))
		return -1;
	sqlite3_bind_blob(s, 1, cl->lg->key.pk, CB_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)head);
	sqlite3_bind_int(s, 3, BATCH_ENTRIES);
	while ((r = sqlite3_step(s)) == SQLITE_ROW &&
	       stream->len < BATCH_BYTES) {
		uint32_t n = (uint32_t)sqlite3_column_bytes(s, 0);

		if (cb_buf_add_be32(stream, n) ||
		    cb_buf_add(stream, sqlite3_column_blob(s, 0), n)) {
			sqlite3_finalize(s);
			return -1;
		}
		++*count;
	}
	sqlite3_finalize(s);
	return r == SQLITE_ROW || r == SQLITE_DONE ? 0 : -1;
}

int
cmd_sync(struct agent *a, int argc, char **argv)
{
	static const struct argdef none[] = { { NULL, NULL, NULL } };
	struct client cl = { 0 };
	struct cb_buf stream = CB_BUF_INIT, z = CB_BUF_INIT;
	struct cb_errbuf eb;
	struct args v;
	uint64_t head = 0, pushed = 0;
	json_t *o = NULL;
	int rc;

	rc = cb_args_command(
		"sync",
		"usage: chibo-agent sync\n\n"
		"Pushes to the hub every entry of this replica it does not "
		"hold, in\nbatches; safe to interrupt and run again. Exit 0 "
		"synced, 75 the hub\ncannot be reached (try later), 77 the hub "
		"refused (a person must look).\n\n",
		none, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!(cl.lg = agent_open(a)))
		return 1;
	rc = EXIT_NOPERM;
	if (cb_store_meta_get(cl.lg->st, "hub_url", &cl.url, NULL) ||
	    cb_store_meta_get(cl.lg->st, "hub_pin", &cl.pin, NULL)) {
		agent_error("no hub is set; run 'chibo-agent hub --url URL "
		            "--pin PIN --key HEX' with what the hub gave you");
		rc = 1;
		goto out;
	}
	if (authority_of(cl.url, cl.authority, sizeof(cl.authority))) {
		agent_error("the hub URL '%s' has no host", cl.url);
		rc = 1;
		goto out;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!(cl.curl = curl_easy_init())) {
		agent_error("cannot start libcurl");
		rc = 1;
		goto out;
	}
	/* Trust is the pin, not a CA: the certificate is self-signed. */
	curl_easy_setopt(cl.curl, CURLOPT_PINNEDPUBLICKEY, cl.pin);
	curl_easy_setopt(cl.curl, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(cl.curl, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(cl.curl, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(cl.curl, CURLOPT_LOW_SPEED_LIMIT, 100L);
	curl_easy_setopt(cl.curl, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(cl.curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(cl.curl, CURLOPT_WRITEDATA, &cl);
	curl_easy_setopt(cl.curl, CURLOPT_NOSIGNAL, 1L);

	if ((rc = request(&cl, "GET", "/v1/status", NULL, 0, false))) {
		rc = rc == -2 ? EXIT_NOPERM : EXIT_TEMPFAIL;
		goto out;
	}
	if (!(o = reply_json(&cl))) {
		rc = EXIT_TEMPFAIL;
		goto out;
	}
	if (cl.status != 200) {
		agent_error("the hub refused: %s",
		            json_string_value(json_object_get(o, "error")));
		rc = cl.status >= 500 ? EXIT_TEMPFAIL : EXIT_NOPERM;
		goto out;
	}
	head = (uint64_t)json_integer_value(json_object_get(o, "head"));
	if (head) {
		/* The hub's head must be our entry: if it is another, this key
		 * signed two histories (a fork); push ours from there, so that
		 * the hub keeps it as evidence. */
		static const char mine[] = "SELECT lower(hex(id)) FROM entries "
					   "WHERE author = ? AND "
					   "seq = ?";
		const char *hid =
			json_string_value(json_object_get(o, "head_id"));
		sqlite3_stmt *s = NULL;
		int r = SQLITE_ERROR;

		if (sqlite3_prepare_v2(cb_store_db(cl.lg->st), mine, -1, &s,
		                       NULL) == SQLITE_OK) {
			sqlite3_bind_blob(s, 1, cl.lg->key.pk, CB_KEY_BYTES,
			                  SQLITE_STATIC);
			sqlite3_bind_int64(s, 2, (sqlite3_int64)head);
			r = sqlite3_step(s);
		}
		if (r == SQLITE_DONE) {
			sqlite3_finalize(s);
			agent_error(
				"the hub holds entries of this key up to "
				"%" PRIu64
				", beyond this replica's own: the key is used "
				"elsewhere, or entries were lost; a person "
				"must "
				"look",
				head);
			goto out;
		}
		if (r == SQLITE_ROW && hid &&
		    strcmp((const char *)sqlite3_column_text(s, 0), hid))
			head--;
		sqlite3_finalize(s);
	}
	for (;;) {
		size_t count;

		if (next_batch(&cl, head, &stream, &count)) {
			agent_error("cannot read the log to push");
			rc = 1;
			goto out;
		}
		if (count == 0)
			break;
		cb_buf_reset(&z);
		if (cb_zbody_compress(stream.data, stream.len, 3, &z, &eb)) {
			agent_error("%s", eb.msg);
			rc = 1;
			goto out;
		}
		if ((rc = request(&cl, "POST", "/v1/push", z.data, z.len,
		                  true))) {
			rc = rc == -2 ? EXIT_NOPERM : EXIT_TEMPFAIL;
			goto out;
		}
		json_decref(o);
		if (!(o = reply_json(&cl))) {
			rc = EXIT_TEMPFAIL;
			goto out;
		}
		if (cl.status != 200 && cl.status != 409) {
			agent_error(
				"the hub refused the push: %s",
				json_string_value(json_object_get(o, "error")));
			rc = cl.status >= 500 ? EXIT_TEMPFAIL : EXIT_NOPERM;
			goto out;
		}
		if (cl.status == 409 &&
		    !strncmp(json_string_value(json_object_get(o, "error"))
		                     ? json_string_value(
					       json_object_get(o, "error"))
		                     : "",
		             "fork", 4)) {
			agent_error(
				"the hub refused the push: %s",
				json_string_value(json_object_get(o, "error")));
			rc = EXIT_NOPERM;
			goto out;
		}
		{
			uint64_t h = (uint64_t)json_integer_value(
				json_object_get(o, "head"));

			if (h <= head && cl.status == 200) {
				agent_error(
					"the hub did not advance past entry "
					"%" PRIu64,
					head);
				rc = EXIT_NOPERM;
				goto out;
			}
			pushed += h > head ? h - head : 0;
			head = h;
		}
	}
	printf("synced: the hub holds this replica's entries up to %" PRIu64
	       " (%" PRIu64 " pushed now)\n",
	       head, pushed);
	rc = 0;
out:
	json_decref(o);
	cb_buf_release(&stream);
	cb_buf_release(&z);
	cb_buf_release(&cl.resp);
	if (cl.curl)
		curl_easy_cleanup(cl.curl);
	free(cl.url);
	free(cl.pin);
	cb_ledger_free(&cl.lg);
	return rc;
}

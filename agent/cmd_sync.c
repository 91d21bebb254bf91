/* SPDX-License-Identifier: MIT */
/* cmd_sync.c — chibo-agent hub and sync. 'hub' records the hub's URL, TLS
 * pin and key (given at enrolment). 'sync' asks the hub for its head of
 * this replica's chain, pushes every entry after it, then pulls what this
 * organisation may read of the hub's log after its cursor (common/replica/accept.c
 * takes it in), in batches (zstd entry streams, docs/PROTOCOL.md), each
 * request signed with the agent's key (RFC 9421) over one kept-alive,
 * pinned TLS connection, and transient failures retried with backoff.
 * Exit codes a timer can act on: 0 synced, 75 the hub cannot be reached
 * (try later), 77 the hub refused (a person must look). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "accept.h"
#include "agent.h"
#include "buf.h"
#include "checkpoint.h"
#include "httpsig.h"
#include "hubclient.h"
#include "merkle.h"
#include "merkle_json.h"
#include "stream.h"
#include "zbody.h"

#define SYNC_UNREACHABLE 75    /* sysexits EX_TEMPFAIL: try again later */
#define SYNC_REFUSED 77        /* sysexits EX_NOPERM: a person must look */
#define SYNC_RETRY (-1)        /* internal: send a smaller batch */
#define BATCH_ENTRIES 10000    /* a hub takes at most 10,000 a push */
#define BATCH_MIN 25           /* after failures, batches shrink to this */
#define BATCH_BYTES (4u << 20) /* before compression */
#define PULL_ENTRIES 1000
#define PULL_INFLATED (64u << 20) /* what a pull answer may inflate to */
#define RESPONSE_MAX (16u << 20)

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
		char key[2 * CB_KEY_BYTES + 1], *was = NULL;
		bool changed;

		cb_hex_encode(raw, sizeof(raw), key);
		/* Another hub than the one set before (a first hub finds
		 * nothing of others' to judge again: pulls and imports wait
		 * for it). */
		changed = !cb_store_meta_get(lg->st, "authority", &was, NULL) &&
		          strcmp(was, key);
		free(was);
		/* Another hub's log: read it from the start. */
		if (changed &&
		    cb_store_meta_set(lg->st, "pull_cursor", "0", &eb)) {
			agent_error("%s", eb.msg);
			cb_ledger_free(&lg);
			return 1;
		}
		if (cb_store_meta_set(lg->st, "hub_url", cb_args_get(&v, 0),
		                      &eb) ||
		    cb_store_meta_set(lg->st, "hub_pin", cb_args_get(&v, 1),
		                      &eb) ||
		    cb_store_meta_set(lg->st, "authority", key, &eb) ||
		    /* who may enrol and found organisations changed: judge
		     * what the replica holds again under the new authority */
		    (changed && cb_ledger_rebuild(lg, NULL, NULL, &eb))) {
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
	struct cb_hubclient hc; /* the connection, and what went over it */
	struct cb_ledger *lg;
	char *url, *pin;
	/* retries of transient failures, within a time budget */
	int retries;
	int attempt;    /* failures in a row */
	double wait;    /* the next backoff step, seconds */
	bool one_try;   /* return SYNC_RETRY after a backoff: the caller
	                 * sends something smaller */
	size_t batch;   /* entries in the next push (it adapts) */
	size_t ceiling; /* 3/4 of the last push that failed; 0: none yet */
	double started;
	bool progressed; /* a progress line is on the terminal */
	double deadline; /* monotonic seconds */
};

static double
mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Failures worth another try: the network, or a hub that is busy. */
static bool
transient(CURLcode cc, long status)
{
	switch (cc) {
	case CURLE_OK:
		return status == 429 || status == 502 || status == 503 ||
		       status == 504;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2: return true;
	default: return false;
	}
}

/* The seconds the hub's answer asks to wait (Retry-After, as a number
 * of seconds), at most 60; 0 if it asks nothing. */
static double
retry_after(struct client *cl)
{
	const char *v = cb_hubclient_header(&cl->hc, "Retry-After");
	double s;

	if (!v || !*v || strspn(v, "0123456789") != strlen(v))
		return 0;
	s = strtod(v, NULL);
	return s > 60 ? 60 : s;
}

/* A request with retries: exponential backoff from 1 s, doubling to at
 * most 60 s, each wait drawn uniformly from its upper half (jitter, so
 * that communes cut off together do not come back together), never past
 * the deadline; failures in a row count across requests. Returns 0 with
 * cl->hc.status and cl->hc.resp; SYNC_UNREACHABLE or SYNC_REFUSED (a wrong pin)
 * with the message printed; with cl->one_try, SYNC_RETRY after the wait,
 * so that the caller can send a smaller batch. */
static int
request(struct client *cl, const char *method, const char *path,
        const void *body, size_t len, const char *type, bool zstd)
{
	for (;;) {
		CURLcode cc = cb_hubclient_send(&cl->hc, method, path, body,
		                                len, type, zstd);
		double pause;

		if (cc == CURLE_OK && !transient(cc, cl->hc.status)) {
			cl->attempt = 0;
			cl->wait = 1.0;
			return 0;
		}
		if (cc == CURLE_OUT_OF_MEMORY) {
			agent_error("cannot sign the request: out of memory");
			return EXIT_FAILURE;
		}
		if (cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH) {
			agent_error("the hub at %s does not hold the pinned "
			            "public key: %s (a wrong pin, or not your "
			            "hub)",
			            cl->url, curl_easy_strerror(cc));
			return SYNC_REFUSED;
		}
		if (!transient(cc, cl->hc.status)) {
			agent_error("cannot reach the hub at %s: %s", cl->url,
			            curl_easy_strerror(cc));
			return SYNC_UNREACHABLE;
		}
		pause = cl->wait / 2 +
		        (cl->wait / 2) *
		                ((double)randombytes_uniform(1001) / 1000.0);
		/* a hub that says how long to wait is waited for */
		if (cc == CURLE_OK && retry_after(cl) > pause)
			pause = retry_after(cl);
		if (cl->attempt >= cl->retries ||
		    mono_s() + pause > cl->deadline) {
			char spent[48];

			/* say which limit ended it: the tries, or the time */
			if (cl->attempt >= cl->retries)
				snprintf(spent, sizeof(spent), "after %d tr%s",
				         cl->attempt + 1,
				         cl->attempt ? "ies" : "y");
			else
				snprintf(spent, sizeof(spent),
				         "--max-time is spent");
			if (cc == CURLE_OK)
				agent_error("the hub is busy (HTTP %ld, %s); "
				            "try later",
				            cl->hc.status, spent);
			else
				agent_error("cannot reach the hub at %s: %s "
				            "(%s)",
				            cl->url, curl_easy_strerror(cc),
				            spent);
			return SYNC_UNREACHABLE;
		}
		fprintf(stderr, "chibo-agent: %s; trying again in %.1f s\n",
		        cc == CURLE_OK ? "the hub is busy"
		                       : curl_easy_strerror(cc),
		        pause);
		{
			struct timespec ts = {
				(time_t)pause,
				(long)((pause - (double)(time_t)pause) * 1e9)
			};

			nanosleep(&ts, NULL);
		}
		cl->attempt++;
		cl->wait = cl->wait * 2 > 60 ? 60 : cl->wait * 2;
		if (cl->one_try)
			return SYNC_RETRY;
	}
}

/* On a terminal: what moved so far (of total, if known), the bytes, the
 * rate, the time left; one line, rewritten. Quiet when stderr is not a
 * terminal (a timer's log). progress_end() ends the line. */
static void
progress(struct client *cl, const char *what, uint64_t done, uint64_t total)
{
	double t = mono_s() - cl->started;
	double kb = (double)(cl->hc.sent + cl->hc.received) / 1024;

	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r%s %" PRIu64, what, done);
	if (total)
		fprintf(stderr, "/%" PRIu64, total);
	fprintf(stderr, " entries, %.0f KB, %.1f KB/s", kb, t > 0 ? kb / t : 0);
	if (total > done && done > 0)
		fprintf(stderr, ", about %.0f s left",
		        t * (double)(total - done) / (double)done);
	fprintf(stderr, "\033[K");
	cl->progressed = true;
}

static void
progress_end(struct client *cl)
{
	if (cl->progressed)
		fputc('\n', stderr);
	cl->progressed = false;
}

/* The reply's JSON (a new reference), or NULL with a message. */
static json_t *
reply_json(struct client *cl)
{
	json_t *o = json_loadb((const char *)cl->hc.resp.data, cl->hc.resp.len,
	                       0, NULL);

	if (!json_is_object(o)) {
		json_decref(o);
		agent_error("the hub answered %ld with no JSON", cl->hc.status);
		return NULL;
	}
	return o;
}

/* The exit code for a refusal (printed with the hub's message). */
static int
refused(struct client *cl, const char *what, json_t *o)
{
	const char *msg = json_string_value(json_object_get(o, "error"));

	agent_error("the hub refused %s: %s", what,
	            msg ? msg : "(no reason given)");
	return cl->hc.status >= 500 ? SYNC_UNREACHABLE : SYNC_REFUSED;
}

/* Our entries after head as one stream, at most max entries (and about
 * BATCH_BYTES); *count of them. */
static int
next_batch(struct client *cl, uint64_t head, size_t max, struct cb_buf *stream,
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
	sqlite3_bind_int64(s, 3, (sqlite3_int64)max);
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

/* GET /v1/status: the hub's head of our chain (stepped back by one if the
 * hub's entry there is not ours: see below), or an exit code. */
static int
hub_status(struct client *cl, json_t **out)
{
	int rc = request(cl, "GET", "/v1/status", NULL, 0, NULL, false);

	if (rc)
		return rc;
	if (!(*out = reply_json(cl)))
		return SYNC_UNREACHABLE;
	if (cl->hc.status != 200)
		return refused(cl, "this key", *out);
	return 0;
}

/* An entry stream the hub answered (a pull's, an own request's): its
 * entries in *data, *len (inflated into raw when zstd), where to go on
 * from in next (Chibo-Next) and whether there is more (Chibo-More). 0, or
 * SYNC_REFUSED with the message printed. */
static int
stream_answer(struct client *cl, const char *what, struct cb_buf *raw,
              const void **data, size_t *len, char next[32], bool *more)
{
	struct curl_header *hn = NULL, *hm = NULL, *he = NULL;
	struct cb_errbuf eb;

	/* Each curl_easy_header() call reuses the struct it returns: copy a
	 * value before asking for the next. */
	if (curl_easy_header(cl->hc.curl, "Chibo-Next", 0, CURLH_HEADER, -1,
	                     &hn) != CURLHE_OK ||
	    snprintf(next, 32, "%s", hn->value) < 0 ||
	    curl_easy_header(cl->hc.curl, "Chibo-More", 0, CURLH_HEADER, -1,
	                     &hm) != CURLHE_OK) {
		agent_error("the hub's %s answer has no cursor (Chibo-Next, "
		            "Chibo-More)",
		            what);
		return SYNC_REFUSED;
	}
	*more = !strcmp(hm->value, "1");
	*data = cl->hc.resp.data;
	*len = cl->hc.resp.len;
	if (curl_easy_header(cl->hc.curl, "Content-Encoding", 0, CURLH_HEADER,
	                     -1, &he) == CURLHE_OK &&
	    !strcmp(he->value, "zstd")) {
		cb_buf_reset(raw);
		if (cb_zbody_decompress(cl->hc.resp.data, cl->hc.resp.len,
		                        PULL_INFLATED, raw, &eb)) {
			agent_error("the hub's %s answer: %s", what, eb.msg);
			return SYNC_REFUSED;
		}
		*data = raw->data;
		*len = raw->len;
	}
	return 0;
}

/* The hub holds entries of this key after `from`, this replica's head: a
 * replica restored from an old copy. Take them back, page by page, each
 * checked to continue this replica's own chain (accept.h,
 * cb_accept_own), so that nothing it wrote before the copy is lost. */
static int
restore_own(struct client *cl, uint64_t from, uint64_t to)
{
	struct cb_buf raw = CB_BUF_INIT;
	struct cb_errbuf eb;
	uint64_t got = 0;
	int rc = 0;

	fprintf(stderr,
	        "chibo-agent: the hub holds this replica's own entries "
	        "%" PRIu64 " to %" PRIu64 ", which it lacks (restored from "
	        "an old copy?): taking them back\n",
	        from + 1, to);
	for (;;) {
		struct cb_accept_result res;
		char body[64], next[32];
		const void *data;
		size_t len;
		bool more;
		json_t *o;

		snprintf(body, sizeof(body), "{\"after\":%" PRIu64 "}", from);
		if ((rc = request(cl, "POST", "/v1/own", body, strlen(body),
		                  "application/json", false)))
			break;
		if (cl->hc.status != 200) {
			if (!(o = reply_json(cl))) {
				rc = SYNC_UNREACHABLE;
				break;
			}
			rc = refused(cl, "the request for this key's entries",
			             o);
			json_decref(o);
			break;
		}
		if ((rc = stream_answer(cl, "own entries", &raw, &data, &len,
		                        next, &more)))
			break;
		if (cb_store_begin(cl->lg->st, &eb) ||
		    cb_accept_own(cl->lg->st, cl->lg->key.pk, data, len, &res,
		                  &eb) ||
		    cb_store_commit(cl->lg->st, &eb)) {
			cb_store_rollback(cl->lg->st);
			agent_error("cannot take back this replica's entries: "
			            "%s",
			            eb.msg);
			rc = SYNC_REFUSED;
			break;
		}
		got += res.stored;
		from += res.stored;
		if (!more || !res.stored)
			break;
	}
	if (!rc && from < to) {
		agent_error("the hub sent this replica's entries up to "
		            "%" PRIu64 " of %" PRIu64 "; a person must look",
		            from, to);
		rc = SYNC_REFUSED;
	}
	if (!rc)
		fprintf(stderr,
		        "chibo-agent: took back %" PRIu64 " of this replica's "
		        "own entries\n",
		        got);
	cb_buf_release(&raw);
	return rc;
}

/* Push every entry of ours after the hub's head. */
static int
push(struct client *cl, json_t *status, uint64_t *headp, uint64_t *pushed)
{
	struct cb_buf stream = CB_BUF_INIT, z = CB_BUF_INIT;
	struct cb_errbuf eb;
	uint64_t head =
		(uint64_t)json_integer_value(json_object_get(status, "head"));
	json_t *o = NULL;
	uint64_t total;
	int rc = 0;

	if (head) {
		/* The hub's head must be our entry: if it is another, this key
		 * signed two histories (a fork); push ours from there, so that
		 * the hub keeps it as evidence. */
		static const char mine[] = "SELECT lower(hex(id)) FROM entries "
					   "WHERE author = ? AND seq = ?";
		const char *hid =
			json_string_value(json_object_get(status, "head_id"));
		sqlite3_stmt *s = NULL;
		int r = SQLITE_ERROR;

		if (sqlite3_prepare_v2(cb_store_db(cl->lg->st), mine, -1, &s,
		                       NULL) == SQLITE_OK) {
			sqlite3_bind_blob(s, 1, cl->lg->key.pk, CB_KEY_BYTES,
			                  SQLITE_STATIC);
			sqlite3_bind_int64(s, 2, (sqlite3_int64)head);
			r = sqlite3_step(s);
		}
		if (r == SQLITE_DONE) {
			/* Beyond this replica's own head: it was restored
			 * from an old copy, or its last entries were lost. */
			uint64_t top = 0;
			unsigned char tid[CB_HASH_BYTES];

			sqlite3_finalize(s);
			if (cb_ledger_head(cl->lg->st, cl->lg->key.pk, &top,
			                   tid, &eb)) {
				agent_error("%s", eb.msg);
				return EXIT_FAILURE;
			}
			if ((rc = restore_own(cl, top, head)))
				return rc;
			*headp = head;
			return 0;
		}
		if (r == SQLITE_ROW && hid &&
		    strcmp((const char *)sqlite3_column_text(s, 0), hid))
			head--;
		sqlite3_finalize(s);
	}
	{
		unsigned char id[CB_HASH_BYTES];
		uint64_t top = 0;

		total = cb_ledger_head(cl->lg->st, cl->lg->key.pk, &top, id,
		                       &eb) == CB_OK &&
		                        top > head
		                ? top - head
		                : 0;
	}
	for (;;) {
		size_t count;
		const char *err;
		uint64_t h;

		if (next_batch(cl, head, cl->batch, &stream, &count)) {
			agent_error("cannot read the log to push");
			rc = EXIT_FAILURE;
			break;
		}
		if (count == 0)
			break;
		cb_buf_reset(&z);
		if (cb_zbody_compress(stream.data, stream.len, 3, &z, &eb)) {
			agent_error("%s", eb.msg);
			rc = EXIT_FAILURE;
			break;
		}
		cl->one_try = true;
		rc = request(cl, "POST", "/v1/push", z.data, z.len,
		             "application/vnd.chibo.entries", true);
		cl->one_try = false;
		if (rc == SYNC_RETRY) {
			/* A link that breaks: smaller batches get through.
			 * (If the hub had stored the push, the answer being
			 * lost, its entries come back as duplicates.) */
			cl->batch =
				count / 2 > BATCH_MIN ? count / 2 : BATCH_MIN;
			cl->ceiling = count * 3 / 4 > BATCH_MIN ? count * 3 / 4
			                                        : BATCH_MIN;
			fprintf(stderr,
			        "chibo-agent: now pushing %zu entries at a "
			        "time\n",
			        cl->batch);
			continue;
		}
		if (rc)
			break;
		json_decref(o);
		if (!(o = reply_json(cl))) {
			rc = SYNC_UNREACHABLE;
			break;
		}
		err = json_string_value(json_object_get(o, "error"));
		h = (uint64_t)json_integer_value(json_object_get(o, "head"));
		/* A 409 is a gap to fill from the hub's head, unless it is a
		 * fork, an entry dated ahead of the hub's clock, or the head
		 * did not move (sending the same again would change nothing) */
		if ((cl->hc.status != 200 && cl->hc.status != 409) ||
		    (cl->hc.status == 409 &&
		     (!err || !strncmp(err, "fork", 4) ||
		      !strncmp(err, "clock", 5) || h <= head))) {
			rc = refused(cl, "the push", o);
			break;
		}
		if (h <= head && cl->hc.status == 200) {
			agent_error("the hub did not advance past entry "
			            "%" PRIu64,
			            head);
			rc = SYNC_REFUSED;
			break;
		}
		*pushed += h > head ? h - head : 0;
		head = h;
		progress(cl, "pushed", *pushed, total);
		/* and after a success, larger again: doubling while no push
		 * has failed, then by a quarter up to three quarters of the
		 * size that failed last (multiplicative decrease, additive
		 * increase, as TCP does) */
		if (count == cl->batch) {
			size_t up = cl->ceiling ? cl->batch + cl->batch / 4 + 1
			                        : cl->batch * 2;

			if (cl->ceiling && up > cl->ceiling)
				up = cl->ceiling > cl->batch ? cl->ceiling
				                             : cl->batch;
			cl->batch = up < BATCH_ENTRIES ? up : BATCH_ENTRIES;
		}
	}
	progress_end(cl);
	*headp = head;
	json_decref(o);
	cb_buf_release(&stream);
	cb_buf_release(&z);
	return rc;
}

/* Pull what this replica's scope holds after its cursor on the hub's log,
 * each answer taken in and the cursor moved in one transaction. */
static int
pull(struct client *cl, uint64_t *pulled, int64_t *cursor)
{
	struct cb_buf raw = CB_BUF_INIT;
	struct cb_errbuf eb;
	char *saved = NULL;
	size_t limit;
	int rc = 0;

	*cursor = 0;
	if (!cb_store_meta_get(cl->lg->st, "pull_cursor", &saved, NULL))
		*cursor = strtoll(saved, NULL, 10);
	free(saved);
	limit = PULL_ENTRIES;
	for (;;) {
		struct cb_accept_result res;
		char body[64], next[32];
		const void *data;
		size_t len;
		bool more;
		json_t *o;
		cb_err erc;

		snprintf(body, sizeof(body), "{\"after\":%lld,\"limit\":%zu}",
		         (long long)*cursor, limit);
		cl->one_try = true;
		rc = request(cl, "POST", "/v1/pull", body, strlen(body),
		             "application/json", false);
		cl->one_try = false;
		if (rc == SYNC_RETRY) {
			/* smaller answers get through a link that breaks */
			limit = limit / 2 > BATCH_MIN ? limit / 2 : BATCH_MIN;
			continue;
		}
		if (rc)
			break;
		if (limit * 2 <= PULL_ENTRIES)
			limit *= 2;
		if (cl->hc.status != 200) {
			if (!(o = reply_json(cl))) {
				rc = SYNC_UNREACHABLE;
				break;
			}
			rc = refused(cl, "the pull", o);
			json_decref(o);
			break;
		}
		if ((rc = stream_answer(cl, "pull", &raw, &data, &len, next,
		                        &more)))
			break;
		if (strtoll(next, NULL, 10) < *cursor) {
			agent_error("the hub's pull cursor went back from %lld "
			            "to %s",
			            (long long)*cursor, next);
			rc = SYNC_REFUSED;
			break;
		}
		if ((erc = cb_store_begin(cl->lg->st, &eb)) ||
		    (erc = cb_accept_pulled(cl->lg->st, cl->lg->key.pk, data,
		                            len, &res, &eb)) ||
		    (erc = cb_store_meta_set(cl->lg->st, "pull_cursor", next,
		                             &eb)) ||
		    (erc = cb_store_commit(cl->lg->st, &eb))) {
			cb_store_rollback(cl->lg->st);
			agent_error("cannot take in what the hub sent: %s",
			            eb.msg);
			/* this replica's disk (full, read-only) is not the
			 * hub's doing: a failure to retry, not a refusal */
			rc = erc == CB_EIO ? EXIT_FAILURE : SYNC_REFUSED;
			break;
		}
		*pulled += res.stored + res.forks;
		progress(cl, "pulled", *pulled, 0);
		*cursor = strtoll(next, NULL, 10);
		if (!more)
			break;
	}
	progress_end(cl);
	cb_buf_release(&raw);
	return rc;
}

/* Remember what the hub said of us, for 'chibo-agent status'. */
#define PROVE_PER_SYNC 16 /* own entries proven included per sync */

void
agent_keep_log_evidence(struct cb_ledger *lg, const char *held,
                        const char *served, const char *why)
{
	json_t *ev = json_pack("{s:s, s:s, s:s, s:I}", "held", held, "served",
	                       served ? served : "", "reason", why,
	                       "found_ms", (json_int_t)time(NULL) * 1000);
	char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	struct cb_errbuf eb;

	json_decref(ev);
	if (!text || cb_store_meta_set(lg->st, "log_evidence", text, &eb))
		agent_error("cannot keep the evidence: %s",
		            text ? eb.msg : "out of memory");
	free(text);
	agent_error("the hub's log is not the one it showed before: %s. Both "
	            "signed checkpoints are kept as evidence ('chibo-agent "
	            "status'); tell the district and the auditors",
	            why);
}

/* The hub signed a checkpoint that does not extend the one it signed
 * before (or one it cannot prove extends it): keep both, signed, as
 * evidence; stop. */
static int
inconsistent(struct client *cl, const char *old, const char *new,
             const char *why)
{
	agent_keep_log_evidence(cl->lg, old, new, why);
	return SYNC_REFUSED;
}

/* Own entries the hub holds (seq <= head) proven in the tree of cp:
 * the head, and the next PROVE_PER_SYNC not yet proven, in order. */
static int
prove_own(struct client *cl, const struct cb_checkpoint *cp, uint64_t head)
{
	static const char sql[] = "SELECT seq, id, bytes FROM entries WHERE "
				  "author = ? AND (seq = ? OR seq > ?) ORDER "
				  "BY seq LIMIT ?";
	struct {
		uint64_t seq;
		uint8_t leaf[CB_MERKLE_HASH];
	} want[PROVE_PER_SYNC + 1];
	uint8_t path[CB_MERKLE_MAX_PATH][CB_MERKLE_HASH];
	struct cb_errbuf eb;
	char *was = NULL, *body, num[32];
	uint64_t proven = 0, upto;
	size_t n = 0, np;
	json_t *ids = json_array(), *q, *o, *proofs;
	sqlite3_stmt *s;
	int rc;

	if (!cb_store_meta_get(cl->lg->st, "log_proven_seq", &was, NULL))
		proven = strtoull(was, NULL, 10);
	free(was);
	if (!head || proven >= head) {
		json_decref(ids);
		return 0;
	}
	if (!(s = cb_store_stmt(cl->lg->st, sql, &eb))) {
		json_decref(ids);
		agent_error("%s", eb.msg);
		return 1;
	}
	sqlite3_bind_blob(s, 1, cl->lg->key.pk, CB_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)head);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)proven);
	sqlite3_bind_int64(s, 4, PROVE_PER_SYNC + 1);
	while (sqlite3_step(s) == SQLITE_ROW && n < PROVE_PER_SYNC + 1) {
		uint64_t seq = (uint64_t)sqlite3_column_int64(s, 0);
		char hex[CB_HASH_HEX];

		if (seq > head)
			break;
		want[n].seq = seq;
		cb_merkle_leaf_hash(sqlite3_column_blob(s, 2),
		                    (size_t)sqlite3_column_bytes(s, 2),
		                    want[n].leaf);
		cb_hash_hex(sqlite3_column_blob(s, 1), hex);
		json_array_append_new(ids, json_string(hex));
		n++;
	}
	sqlite3_reset(s);
	q = json_pack("{s:I, s:o}", "size", (json_int_t)cp->size, "ids", ids);
	body = q ? json_dumps(q, JSON_COMPACT) : NULL;
	json_decref(q);
	if (!body) {
		agent_error("out of memory");
		return 1;
	}
	rc = request(cl, "POST", "/v1/proof", body, strlen(body),
	             "application/json", false);
	free(body);
	if (rc)
		return rc;
	if (!(o = reply_json(cl)))
		return SYNC_UNREACHABLE;
	if (cl->hc.status != 200) {
		rc = refused(cl, "to prove this replica's entries", o);
		json_decref(o);
		return rc;
	}
	proofs = json_object_get(o, "proofs");
	if (json_array_size(proofs) != n) {
		json_decref(o);
		agent_error("the hub answered a proof request with %zu proofs "
		            "for %zu entries",
		            json_array_size(proofs), n);
		return SYNC_REFUSED;
	}
	upto = proven;
	for (size_t i = 0; i < n; i++) {
		json_t *p = json_array_get(proofs, i);
		json_t *ix = json_object_get(p, "index");

		if (!json_is_integer(ix) || json_integer_value(ix) < 0 ||
		    !cb_merkle_path_from_json(json_object_get(p, "path"), path,
		                              &np) ||
		    !cb_merkle_verify_inclusion(
			    want[i].leaf, (uint64_t)json_integer_value(ix),
			    cp->size, (const uint8_t(*)[32])path, np,
			    cp->root)) {
			json_decref(o);
			agent_error("the hub's checkpoint of size %" PRIu64
			            " does not prove that it holds this "
			            "replica's entry %" PRIu64
			            " (a bad inclusion proof): tell the "
			            "district and the auditors",
			            cp->size, want[i].seq);
			return SYNC_REFUSED;
		}
		if (want[i].seq == upto + 1)
			upto = want[i].seq;
	}
	json_decref(o);
	snprintf(num, sizeof(num), "%" PRIu64, upto);
	if (cb_store_meta_set(cl->lg->st, "log_proven_seq", num, &eb)) {
		agent_error("%s", eb.msg);
		return 1;
	}
	return 0;
}

/* The hub's latest signed checkpoint, checked against the one this
 * replica holds (a consistency proof: the log only grew), and this
 * replica's entries proven in it. The checkpoint is then kept for the
 * next sync. A hub that rewrote, dropped or forked its log is caught
 * here: sync stops with the evidence kept. */
static int
check_log(struct client *cl, uint64_t head)
{
	uint8_t path[CB_MERKLE_MAX_PATH][CB_MERKLE_HASH], pk[CB_KEY_BYTES];
	struct cb_checkpoint held = { 0 }, now = { 0 };
	struct cb_errbuf eb;
	char *old = NULL, *auth = NULL, origin[256], body[64];
	const char *note;
	json_t *o = NULL;
	size_t n = 0;
	int rc;

	if (!cb_store_meta_get(cl->lg->st, "log_evidence", &old, NULL)) {
		free(old);
		agent_error("this replica holds evidence that the hub's log "
		            "changed under it ('chibo-agent status'); sync "
		            "stays stopped until the district resolves it");
		return SYNC_REFUSED;
	}
	if (cb_store_meta_get(cl->lg->st, "authority", &auth, NULL) ||
	    cb_hex_decode(auth, pk, sizeof(pk), &eb)) {
		free(auth);
		agent_error("no hub key is set; run 'chibo-agent hub' again");
		return 1;
	}
	free(auth);
	if (!cb_store_meta_get(cl->lg->st, "log_checkpoint", &old, NULL)) {
		if (!cb_note_origin(old, origin, sizeof(origin)) ||
		    cb_checkpoint_open(old, strlen(old), origin, origin, pk,
		                       &held, &eb)) {
			agent_error("the checkpoint this replica holds is "
			            "damaged: %s",
			            eb.msg);
			free(old);
			return 1;
		}
	}
	snprintf(body, sizeof(body), "{\"from\":%" PRIu64 "}", held.size);
	if ((rc = request(cl, "POST", "/v1/checkpoint", body, strlen(body),
	                  "application/json", false)))
		goto out;
	if (!(o = reply_json(cl))) {
		rc = SYNC_UNREACHABLE;
		goto out;
	}
	note = json_string_value(json_object_get(o, "checkpoint"));
	if (cl->hc.status == 409 && old) {
		rc = inconsistent(
			cl, old, NULL,
			json_string_value(json_object_get(o, "error")));
		goto out;
	}
	if (cl->hc.status != 200 || !note) {
		rc = refused(cl, "its checkpoint", o);
		goto out;
	}
	if (!cb_note_origin(note, origin, sizeof(origin)) ||
	    (old && strcmp(origin, held.origin)) ||
	    cb_checkpoint_open(note, strlen(note), origin, origin, pk, &now,
	                       &eb)) {
		if (old && cb_note_origin(note, origin, sizeof(origin)) &&
		    strcmp(origin, held.origin)) {
			rc = inconsistent(cl, old, note,
			                  "its checkpoint names another log");
			goto out;
		}
		agent_error("the hub's checkpoint is not signed by the hub's "
		            "key: %s",
		            eb.msg);
		rc = SYNC_REFUSED;
		goto out;
	}
	if (old) {
		char why[160];

		if (now.size < held.size) {
			snprintf(why, sizeof(why),
			         "it shrank from %" PRIu64 " to %" PRIu64
			         " entries",
			         held.size, now.size);
			rc = inconsistent(cl, old, note, why);
			goto out;
		}
		if (!cb_merkle_path_from_json(json_object_get(o, "consistency"),
		                              path, &n) ||
		    (held.size == now.size
		             ? memcmp(held.root, now.root, CB_MERKLE_HASH) != 0
		             : !cb_merkle_verify_consistency(
				       held.size, now.size, held.root, now.root,
				       (const uint8_t(*)[32])path, n))) {
			snprintf(why, sizeof(why),
			         "its tree of %" PRIu64
			         " entries does not extend the tree of "
			         "%" PRIu64 " it signed before",
			         now.size, held.size);
			rc = inconsistent(cl, old, note, why);
			goto out;
		}
	}
	if ((rc = prove_own(cl, &now, head)))
		goto out;
	if (cb_store_meta_set(cl->lg->st, "log_checkpoint", note, &eb)) {
		agent_error("%s", eb.msg);
		rc = 1;
	}
out:
	json_decref(o);
	free(old);
	return rc;
}

static void
remember(struct client *cl, json_t *status, bool synced)
{
	struct cb_errbuf eb;
	char num[48], *rej, *clashes;
	json_t *cl_list = json_object_get(status, "clashes");

	if (cb_store_begin(cl->lg->st, &eb))
		return;
	snprintf(num, sizeof(num), "%" PRIu64,
	         (uint64_t)json_integer_value(json_object_get(status, "head")));
	rej = json_dumps(json_object_get(status, "rejected"),
	                 JSON_COMPACT | JSON_ENCODE_ANY);
	clashes = json_is_array(cl_list)
	                  ? json_dumps(cl_list, JSON_COMPACT | JSON_ENCODE_ANY)
	                  : NULL;
	if (cb_store_meta_set(cl->lg->st, "hub_head", num, &eb) ||
	    cb_store_meta_set(cl->lg->st, "hub_rejected", rej ? rej : "[]",
	                      &eb) ||
	    cb_store_meta_set(cl->lg->st, "hub_clashes",
	                      clashes ? clashes : "[]", &eb)) {
		free(clashes);
		goto fail;
	}
	free(clashes);
	snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
	         json_integer_value(json_object_get(status, "log_size")));
	if (cb_store_meta_set(cl->lg->st, "hub_log_size", num, &eb))
		goto fail;
	snprintf(num, sizeof(num), "%lld", (long long)cb_now_ms());
	if (cb_store_meta_set(cl->lg->st, synced ? "last_sync" : "last_try",
	                      num, &eb))
		goto fail;
	free(rej);
	rej = NULL;
	if (!cb_store_commit(cl->lg->st, &eb))
		return;
fail:
	free(rej);
	cb_store_rollback(cl->lg->st);
}

static const struct argdef sync_defs[] = {
	{ "retries", "N",
	  "tries again N times after a network failure or a busy hub "
	  "(default 5)" },
	{ "max-time", "SECONDS",
	  "gives up retrying after this long (default 900)" },
	{ NULL, NULL, NULL },
};

int
cmd_sync(struct agent *a, int argc, char **argv)
{
	struct client cl = { 0 };
	struct args v;
	uint64_t head = 0, pushed = 0, pulled = 0;
	int64_t cursor = 0;
	json_t *o = NULL;
	long max_time = 900;
	int rc;

	rc = cb_args_command(
		"sync",
		"usage: chibo-agent sync [--retries N] [--max-time SECONDS]\n\n"
		"Pushes to the hub every entry of this replica it does not "
		"hold, then\npulls what this organisation may read from the "
		"hub's log, in batches,\neach committed on its own: safe to "
		"interrupt and run again. Network\nfailures and a busy hub "
		"are retried with backoff. Then it checks the\nhub's signed "
		"checkpoint against the one it kept, and proves some of its\n"
		"own entries in it. Exit 0 synced, 75 the hub cannot be "
		"reached (try\nlater), 77 the hub refused, or its signed log "
		"is not the one it showed\nbefore (a person must look: "
		"'chibo-agent status').\n\n",
		sync_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	cl.retries = 5;
	if (cb_args_get(&v, 0)) {
		char *end;

		cl.retries = (int)strtol(cb_args_get(&v, 0), &end, 10);
		if (*end || cl.retries < 0 || cl.retries > 100)
			return cb_args_usage("sync", "--retries takes 0..100");
	}
	if (cb_args_get(&v, 1)) {
		char *end;

		max_time = strtol(cb_args_get(&v, 1), &end, 10);
		if (*end || max_time < 1 || max_time > 86400)
			return cb_args_usage(
				"sync", "--max-time takes 1..86400 seconds");
	}
	cl.deadline = mono_s() + (double)max_time;
	cl.started = mono_s();
	cl.wait = 1.0;
	cl.batch = BATCH_ENTRIES;
	if (!(cl.lg = agent_open(a)))
		return 1;
	rc = SYNC_REFUSED;
	if (cb_store_meta_get(cl.lg->st, "hub_url", &cl.url, NULL) ||
	    cb_store_meta_get(cl.lg->st, "hub_pin", &cl.pin, NULL)) {
		agent_error("no hub is set; run 'chibo-agent hub --url URL "
		            "--pin PIN --key HEX' with what the hub gave you");
		rc = 1;
		goto out;
	}
	{
		/* what the link allowed last time */
		char *b = NULL;

		if (!cb_store_meta_get(cl.lg->st, "push_batch", &b, NULL)) {
			unsigned long n = 0, c = 0;

			if (sscanf(b, "%lu %lu", &n, &c) >= 1 &&
			    n >= BATCH_MIN && n <= BATCH_ENTRIES) {
				cl.batch = n;
				cl.ceiling = c <= BATCH_ENTRIES ? c : 0;
			}
		}
		free(b);
	}
	{
		struct cb_errbuf eb;

		if (cb_hubclient_init(&cl.hc, cl.url, cl.pin, cl.lg->key.pk,
		                      cl.lg->key.sk, RESPONSE_MAX, &eb)) {
			agent_error("%s", eb.msg);
			rc = 1;
			goto out;
		}
	}

	if ((rc = hub_status(&cl, &o)))
		goto out;
	if ((rc = push(&cl, o, &head, &pushed)))
		goto out;
	if ((rc = pull(&cl, &pulled, &cursor)))
		goto out;
	if ((rc = check_log(&cl, head)))
		goto out;
	json_decref(o);
	o = NULL;
	if ((rc = hub_status(&cl, &o)))
		goto out;
	remember(&cl, o, true);
	printf("synced: the hub holds this replica's entries up to %" PRIu64
	       " (%" PRIu64 " pushed now)\n",
	       head, pushed);
	printf("pulled %" PRIu64 " entries; read the hub's log up to "
	       "position %lld\n",
	       pulled, (long long)cursor);
	{
		size_t n = json_array_size(json_object_get(o, "rejected"));

		if (n)
			printf("the hub rejected %zu of this replica's "
			       "entries: see 'chibo-agent status'\n",
			       n);
	}
	printf("sent %" PRIu64 " bytes, received %" PRIu64 " bytes in %" PRIu64
	       " requests\n",
	       cl.hc.sent, cl.hc.received, cl.hc.requests);
out:
	if (cl.hc.curl) {
		/* what the link allowed, for the next run, whatever this one
		 * came to */
		char b[48];
		struct cb_errbuf eb;

		snprintf(b, sizeof(b), "%zu %zu", cl.batch, cl.ceiling);
		if (cb_store_meta_set(cl.lg->st, "push_batch", b, &eb))
			agent_error("%s", eb.msg);
	}
	json_decref(o);
	cb_hubclient_release(&cl.hc);
	free(cl.url);
	free(cl.pin);
	cb_ledger_free(&cl.lg);
	return rc;
}

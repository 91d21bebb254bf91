/* SPDX-License-Identifier: MIT */
/* sync.c — the sync engine (see sync.h): status, push (or take back),
 * pull, the checkpoint, and status again, over one client connection
 * (hubclient.h), with retries; each step's state in syncstate.h. */
#include "sync.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "accept.h"
#include "args.h"
#include "buf.h"
#include "checkpoint.h"
#include "enrolments.h"
#include "hubclient.h"
#include "journal.h"
#include "log.h"
#include "merkle.h"
#include "merkle_json.h"
#include "stream.h"
#include "syncstate.h"
#include "tlog.h"
#include "witness.h"
#include "zbody.h"

#define RETRY_SMALLER (-1)     /* internal: send a smaller batch */
#define BATCH_ENTRIES 10000    /* a hub takes at most 10,000 a push */
#define BATCH_MIN 25           /* after failures, batches shrink to this */
#define BATCH_BYTES (4u << 20) /* before compression */
#define PULL_ENTRIES 1000
#define PULL_INFLATED (64u << 20) /* what a pull answer may inflate to */
/* answers held before they are taken in: what a power cut may cost again */
#define PULL_HOLD_BYTES (4u << 20)
#define PULL_HOLD_S 2.0
#define RESPONSE_MAX (16u << 20)
#define PROVE_PER_SYNC 16 /* own entries proven included per sync */

/* A sync in progress. Every step returns an outcome: CB_SYNC_DONE to go
 * on, anything else with the message in eb. */
struct sync {
	struct cb_hubclient hc; /* the connection, and what went over it */
	/* what signs the requests: the sync key and its grant, or the
	 * store's own key (cb_ledger_request_key) */
	struct cb_request_key rk;
	struct cb_ledger *lg;
	struct cb_sync_state state;
	const struct cb_sync_opts *o;
	struct cb_errbuf *eb;
	/* retries of transient failures, within a time budget */
	int attempt;    /* failures in a row */
	double wait;    /* the next backoff step, seconds */
	bool one_try;   /* return RETRY_SMALLER after a backoff: the caller
	                 * sends something smaller */
	size_t batch;   /* entries in the next push (it adapts) */
	size_t ceiling; /* 3/4 of the last push that failed; 0: none yet */
	double started, deadline;                      /* monotonic seconds */
	char hub_origin[CB_CHECKPOINT_ORIGIN_MAX + 1]; /* of its checkpoints */
};

static double
mono_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void notice(struct sync *s, const char *fmt, ...) CB_PRINTF(2, 3);

static void
notice(struct sync *s, const char *fmt, ...)
{
	char line[CB_ERRBUF_SIZE];
	va_list ap;

	if (!s->o->notice)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->o->notice(s->o->ctx, line);
}

static void
progress(struct sync *s, const char *what, uint64_t done, uint64_t total)
{
	if (s->o->progress)
		s->o->progress(s->o->ctx, what, done, total,
		               s->hc.sent + s->hc.received,
		               mono_s() - s->started);
}

static enum cb_sync_outcome fail(struct sync *s, enum cb_sync_outcome out,
                                 const char *fmt, ...) CB_PRINTF(3, 4);

/* End the sync with out, and a message. */
static enum cb_sync_outcome
fail(struct sync *s, enum cb_sync_outcome out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->eb->msg, sizeof(s->eb->msg), fmt, ap);
	va_end(ap);
	return out;
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
retry_after(struct sync *s)
{
	const char *v = cb_hubclient_header(&s->hc, "Retry-After");
	double secs;

	if (!v || !*v || strspn(v, "0123456789") != strlen(v))
		return 0;
	secs = strtod(v, NULL);
	return secs > 60 ? 60 : secs;
}

/* A request with retries: exponential backoff from 1 s, doubling to at
 * most 60 s, each wait drawn uniformly from its upper half (jitter, so
 * that communes cut off together do not come back together), never past
 * the deadline; failures in a row count across requests. CB_SYNC_DONE
 * with s->hc.status and s->hc.resp; with s->one_try, RETRY_SMALLER after
 * the wait, so that the caller can send something smaller. */
static int
request(struct sync *s, const char *method, const char *path, const void *body,
        size_t len, const char *type, bool zstd)
{
	for (;;) {
		CURLcode cc = cb_hubclient_send(&s->hc, method, path, body, len,
		                                type, zstd);
		double pause;

		if (cc == CURLE_OK && !transient(cc, s->hc.status)) {
			s->attempt = 0;
			s->wait = 1.0;
			return CB_SYNC_DONE;
		}
		if (cc == CURLE_OUT_OF_MEMORY)
			return fail(
				s, CB_SYNC_FAILED,
				_("cannot sign the request: out of memory"));
		if (cc == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
			return fail(
				s, CB_SYNC_REFUSED,
				_("the hub at %s does not hold the pinned "
			          "public key: %s (a wrong pin, or not your "
			          "hub)"),
				s->hc.url, curl_easy_strerror(cc));
		if (!transient(cc, s->hc.status))
			return fail(s, CB_SYNC_UNREACHABLE,
			            _("cannot reach the hub at %s: %s"),
			            s->hc.url, curl_easy_strerror(cc));
		pause = s->wait / 2 +
		        (s->wait / 2) *
		                ((double)randombytes_uniform(1001) / 1000.0);
		/* a hub that says how long to wait is waited for */
		if (cc == CURLE_OK && retry_after(s) > pause)
			pause = retry_after(s);
		if (s->attempt >= s->o->retries ||
		    mono_s() + pause > s->deadline) {
			char spent[48];

			/* say which limit ended it: the tries, or the time */
			if (s->attempt >= s->o->retries)
				snprintf(spent, sizeof(spent), "after %d tr%s",
				         s->attempt + 1,
				         s->attempt ? "ies" : "y");
			else
				snprintf(spent, sizeof(spent),
				         "--max-time is spent");
			if (cc == CURLE_OK)
				return fail(s, CB_SYNC_UNREACHABLE,
				            _("the hub is busy (HTTP %ld, %s); "
				              "try later"),
				            s->hc.status, spent);
			return fail(s, CB_SYNC_UNREACHABLE,
			            _("cannot reach the hub at %s: %s (%s)"),
			            s->hc.url, curl_easy_strerror(cc), spent);
		}
		notice(s, _("%s; trying again in %.1f s"),
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
		s->attempt++;
		s->wait = s->wait * 2 > 60 ? 60 : s->wait * 2;
		if (s->one_try)
			return RETRY_SMALLER;
	}
}

/* The reply's JSON (a new reference), or NULL with the message set. */
static json_t *
reply_json(struct sync *s)
{
	json_t *o = json_loadb((const char *)s->hc.resp.data, s->hc.resp.len, 0,
	                       NULL);

	if (!json_is_object(o)) {
		json_decref(o);
		fail(s, CB_SYNC_UNREACHABLE,
		     _("the hub answered %ld with no JSON"), s->hc.status);
		return NULL;
	}
	return o;
}

/* The outcome for a refusal, with the hub's message. */
static enum cb_sync_outcome
refused(struct sync *s, const char *what, json_t *o)
{
	const char *msg = json_string_value(json_object_get(o, "error"));

	return fail(s,
	            s->hc.status >= 500 ? CB_SYNC_UNREACHABLE : CB_SYNC_REFUSED,
	            _("the hub refused %s: %s"), _(what),
	            msg ? cb_lang_resay(msg) : _("(no reason given)"));
}

/* The answer to a request whose JSON it is: a refusal if not 200. */
static enum cb_sync_outcome
answer(struct sync *s, const char *what, json_t **out)
{
	enum cb_sync_outcome rc;

	if (!(*out = reply_json(s)))
		return CB_SYNC_UNREACHABLE;
	if (s->hc.status == 200)
		return CB_SYNC_DONE;
	rc = refused(s, what, *out);
	json_decref(*out);
	*out = NULL;
	return rc;
}

/* --- status ------------------------------------------------------------ */

static enum cb_sync_outcome
hub_status(struct sync *s, json_t **out)
{
	int rc = request(s, "GET", "/v1/status", NULL, 0, NULL, false);

	return rc ? (enum cb_sync_outcome)rc : answer(s, N_("this key"), out);
}

/* Remember what the hub said of us, for 'status', in one transaction. */
static void
remember(struct sync *s, json_t *status, bool synced)
{
	struct cb_store *st = s->lg->st;
	struct cb_errbuf eb;
	char *rej = json_dumps(json_object_get(status, "rejected"),
	                       JSON_COMPACT | JSON_ENCODE_ANY);
	json_t *cl = json_object_get(status, "clashes");
	char *clashes = json_is_array(cl)
	                        ? json_dumps(cl, JSON_COMPACT | JSON_ENCODE_ANY)
	                        : NULL;

	if (cb_store_begin(st, &eb) ||
	    cb_sync_state_put_num(
		    st, CB_SYNC_HUB_HEAD,
		    json_integer_value(json_object_get(status, "head")), &eb) ||
	    cb_sync_state_put_text(st, CB_SYNC_REJECTED, rej ? rej : "[]",
	                           &eb) ||
	    cb_sync_state_put_text(st, CB_SYNC_CLASHES,
	                           clashes ? clashes : "[]", &eb) ||
	    cb_sync_state_put_num(
		    st, CB_SYNC_HUB_LOG_SIZE,
		    json_integer_value(json_object_get(status, "log_size")),
		    &eb) ||
	    cb_sync_state_put_num(st,
	                          synced ? CB_SYNC_LAST_SYNC : CB_SYNC_LAST_TRY,
	                          cb_now_ms(), &eb) ||
	    cb_store_commit(st, &eb))
		cb_store_rollback(st);
	free(rej);
	free(clashes);
}

/* --- entry streams --------------------------------------------------- */

/* An entry stream the hub answered (a pull's, an own request's): its
 * entries in *data, *len (inflated into raw when zstd), where to go on
 * from (Chibo-Next) and whether there is more (Chibo-More). */
static enum cb_sync_outcome
stream_answer(struct sync *s, const char *what, struct cb_buf *raw,
              const void **data, size_t *len, int64_t *next, bool *more)
{
	const char *v = cb_hubclient_header(&s->hc, "Chibo-Next");
	struct cb_errbuf eb;
	char *end;

	if (!v || !*v || (*next = strtoll(v, &end, 10), *end) ||
	    !(v = cb_hubclient_header(&s->hc, "Chibo-More")))
		return fail(s, CB_SYNC_REFUSED,
		            _("the hub's %s answer has no cursor (Chibo-Next, "
		              "Chibo-More)"),
		            _(what));
	*more = !strcmp(v, "1");
	*data = s->hc.resp.data;
	*len = s->hc.resp.len;
	v = cb_hubclient_header(&s->hc, "Content-Encoding");
	if (v && !strcmp(v, "zstd")) {
		cb_buf_reset(raw);
		if (cb_zbody_decompress(s->hc.resp.data, s->hc.resp.len,
		                        PULL_INFLATED, raw, &eb))
			return fail(s, CB_SYNC_REFUSED,
			            _("the hub's %s answer: %s"), _(what),
			            eb.msg);
		*data = raw->data;
		*len = raw->len;
	}
	return CB_SYNC_DONE;
}

/* Entries appended to an entry stream, up to a number and a size. */
struct batch {
	struct cb_buf *stream;
	size_t count;
	int64_t last; /* the log position of the last entry in it */
};

static cb_err
add_to_batch(void *ctx, int64_t lsn, const void *bytes, size_t len)
{
	struct batch *b = ctx;

	if (b->stream->len >= BATCH_BYTES)
		return CB_ETOOBIG; /* stop: the batch is full */
	if (cb_stream_append_bytes(b->stream, bytes, len))
		return CB_ENOMEM;
	b->count++;
	b->last = lsn;
	return CB_OK;
}

/* --- taking back own entries ----------------------------------------- */

/* The hub holds entries of this key after `from`, this store's head: a
 * store put back from an old copy. Take them back, page by page, each
 * checked to continue this store's own chain (cb_accept_own), so that
 * nothing it wrote before the copy is lost. */
static enum cb_sync_outcome
take_back(struct sync *s, uint64_t from, uint64_t to, uint64_t *got)
{
	struct cb_buf raw = CB_BUF_INIT;
	struct cb_errbuf eb;
	int rc = CB_SYNC_DONE;

	notice(s,
	       _("the hub holds this replica's own entries %llu to %llu, which "
	         "it lacks (restored from an old copy?): taking them "
	         "back"),
	       (unsigned long long)(from + 1), (unsigned long long)to);
	for (;;) {
		struct cb_accept_result res;
		const void *data;
		int64_t next;
		size_t len;
		bool more;
		char body[64];
		json_t *o;

		snprintf(body, sizeof(body), "{\"after\":%" PRIu64 "}", from);
		if ((rc = request(s, "POST", "/v1/own", body, strlen(body),
		                  "application/json", false)))
			break;
		if (s->hc.status != 200) {
			if ((rc = answer(s,
			                 "the request for this key's "
			                 "entries",
			                 &o)) == CB_SYNC_DONE) {
				json_decref(o);
				rc = CB_SYNC_REFUSED;
			}
			break;
		}
		if ((rc = stream_answer(s, N_("own entries"), &raw, &data, &len,
		                        &next, &more)))
			break;
		if (cb_store_begin(s->lg->st, &eb) ||
		    cb_accept_own(s->lg->st, s->lg->key.pk, data, len, &res,
		                  &eb) ||
		    cb_store_commit(s->lg->st, &eb)) {
			cb_store_rollback(s->lg->st);
			rc = fail(s, CB_SYNC_REFUSED,
			          _("cannot take back this replica's entries: "
			            "%s"),
			          eb.msg);
			break;
		}
		*got += res.stored;
		from += res.stored;
		if (!more || !res.stored)
			break;
	}
	if (!rc && from < to)
		rc = fail(s, CB_SYNC_REFUSED,
		          _("the hub sent this replica's entries up to %llu of "
		            "%llu; a person must look"),
		          (unsigned long long)from, (unsigned long long)to);
	if (!rc)
		notice(s, _("took back %llu of this replica's own entries"),
		       (unsigned long long)(*got));
	cb_buf_release(&raw);
	return (enum cb_sync_outcome)rc;
}

/* --- push ------------------------------------------------------------ */

/* After a batch of count failed on the link: half as many next time, and
 * no more than three quarters of it until the link holds again. */
static void
smaller(struct sync *s, size_t count, const char *doing)
{
	s->batch = count / 2 > BATCH_MIN ? count / 2 : BATCH_MIN;
	s->ceiling = count * 3 / 4 > BATCH_MIN ? count * 3 / 4 : BATCH_MIN;
	notice(s, _("now %s %zu entries at a time"), _(doing), s->batch);
}

/* After a full batch of count went through: larger again, doubling while
 * no batch has failed, then by a quarter up to three quarters of the size
 * that failed last (multiplicative decrease, additive increase, as TCP
 * does). */
static void
larger(struct sync *s, size_t count)
{
	size_t up;

	if (count != s->batch)
		return;
	up = s->ceiling ? s->batch + s->batch / 4 + 1 : s->batch * 2;
	if (s->ceiling && up > s->ceiling)
		up = s->ceiling > s->batch ? s->ceiling : s->batch;
	s->batch = up < BATCH_ENTRIES ? up : BATCH_ENTRIES;
}

/* Where to push from: the hub's head of this key, stepped back by one if
 * the hub's entry there is not ours (the key signed two histories: push
 * ours from there, so that the hub keeps the other as evidence); or,
 * when the hub holds more of this key than we do, those taken back. */
static enum cb_sync_outcome
push_from(struct sync *s, json_t *status, uint64_t *head, bool *done,
          struct cb_sync_result *r)
{
	struct cb_log *log = cb_store_log(s->lg->st);
	const char *hid = json_string_value(json_object_get(status, "head_id"));
	unsigned char id[CB_HASH_BYTES], theirs[CB_HASH_BYTES];
	struct cb_errbuf eb;
	struct cb_chain_head mine;
	cb_err rc;

	*head = (uint64_t)json_integer_value(json_object_get(status, "head"));
	*done = false;
	if (!*head)
		return CB_SYNC_DONE;
	rc = cb_log_id_at(log, s->lg->key.pk, *head, id, &eb);
	if (rc == CB_ENOTFOUND) {
		if (cb_log_head(log, s->lg->key.pk, &mine, &eb))
			return fail(s, CB_SYNC_FAILED, "%s", eb.msg);
		*done = true;
		return take_back(s, mine.seq, *head, &r->taken_back);
	}
	if (rc)
		return fail(s, CB_SYNC_FAILED, "%s", eb.msg);
	if (hid && (cb_hex_decode(hid, theirs, sizeof(theirs), NULL) ||
	            memcmp(id, theirs, CB_HASH_BYTES)))
		--*head;
	return CB_SYNC_DONE;
}

/* The outcome of reading the log into a batch (lrc; CB_ETOOBIG: the
 * batch is full), to do what ("push"). */
static int
read_batch(struct sync *s, cb_err lrc, const struct cb_errbuf *eb,
           const char *what)
{
	if (!lrc || lrc == CB_ETOOBIG)
		return CB_SYNC_DONE;
	return fail(s, CB_SYNC_FAILED, _("cannot read the log to %s: %s"), what,
	            lrc == CB_ENOMEM ? "out of memory" : eb->msg);
}

/* Send a batch of entries, zstd-compressed (into z), to path; its JSON
 * answer in *o (the one there before released). RETRY_SMALLER after a
 * try that failed on the link (the next batch is smaller: doing says
 * what, "pushing"), else an outcome. (If the hub had stored the batch,
 * the answer being lost, its entries come back as duplicates.) */
static int
send_batch(struct sync *s, const char *path, const char *doing,
           const struct batch *b, struct cb_buf *z, json_t **o)
{
	struct cb_errbuf eb;
	int rc;

	json_decref(*o);
	*o = NULL;
	cb_buf_reset(z);
	if (cb_zbody_compress(b->stream->data, b->stream->len, 3, z, &eb))
		return fail(s, CB_SYNC_FAILED, "%s", eb.msg);
	s->one_try = true;
	rc = request(s, "POST", path, z->data, z->len,
	             "application/vnd.chibo.entries", true);
	s->one_try = false;
	if (rc == RETRY_SMALLER)
		smaller(s, b->count, doing);
	if (rc)
		return rc;
	return (*o = reply_json(s)) ? CB_SYNC_DONE : CB_SYNC_UNREACHABLE;
}

/* Push every entry of ours after the hub's head. */
static enum cb_sync_outcome
push(struct sync *s, json_t *status, struct cb_sync_result *r)
{
	struct cb_log *log = cb_store_log(s->lg->st);
	struct cb_buf stream = CB_BUF_INIT, z = CB_BUF_INIT;
	struct cb_chain_head mine;
	struct cb_errbuf eb;
	uint64_t head, total;
	json_t *o = NULL;
	bool done;
	int rc;

	if ((rc = push_from(s, status, &head, &done, r)) || done) {
		r->head = head;
		return (enum cb_sync_outcome)rc;
	}
	if (cb_log_head(log, s->lg->key.pk, &mine, &eb))
		return fail(s, CB_SYNC_FAILED, "%s", eb.msg);
	total = mine.seq > head ? mine.seq - head : 0;
	for (;;) {
		struct batch b = { &stream, 0, 0 };
		const char *err;
		uint64_t h;
		cb_err lrc;

		cb_buf_reset(&stream);
		lrc = cb_log_read_chain(log, s->lg->key.pk, head, s->batch,
		                        add_to_batch, &b, &eb);
		if ((rc = read_batch(s, lrc, &eb, "push")) || b.count == 0)
			break;
		rc = send_batch(s, "/v1/push", N_("pushing"), &b, &z, &o);
		if (rc == RETRY_SMALLER) {
			rc = CB_SYNC_DONE;
			continue;
		}
		if (rc)
			break;
		err = json_string_value(json_object_get(o, "error"));
		h = (uint64_t)json_integer_value(json_object_get(o, "head"));
		/* A 409 is a gap to fill from the hub's head, unless it is a
		 * fork, an entry dated ahead of the hub's clock, or the head
		 * did not move (sending the same again would change nothing) */
		if ((s->hc.status != 200 && s->hc.status != 409) ||
		    (s->hc.status == 409 &&
		     (!err || !strncmp(err, "fork", 4) ||
		      !strncmp(err, "clock", 5) || h <= head))) {
			rc = refused(s, N_("the push"), o);
			break;
		}
		if (h <= head && s->hc.status == 200) {
			rc = fail(s, CB_SYNC_REFUSED,
			          _("the hub did not advance past entry "
			            "%llu"),
			          (unsigned long long)head);
			break;
		}
		r->pushed += h > head ? h - head : 0;
		head = h;
		progress(s, N_("pushed"), r->pushed, total);
		larger(s, b.count);
	}
	progress(s, N_("pushed"), UINT64_MAX, 0);
	r->head = head;
	json_decref(o);
	cb_buf_release(&stream);
	cb_buf_release(&z);
	return (enum cb_sync_outcome)rc;
}

/* --- relay (a hub) --------------------------------------------------- */

/* A hub's whole log after its relay cursor, in batches by log position
 * (POST /v1/relay), the cursor moved after each batch the higher hub
 * acknowledged. A gap — the higher hub lacks an author's entries this
 * batch continues, as when it was put back from an old copy — sends the
 * whole log again, once: what it holds comes back as duplicates. */
static enum cb_sync_outcome
relay(struct sync *s, struct cb_sync_result *r)
{
	struct cb_store *st = s->lg->st;
	struct cb_log *log = cb_store_log(st);
	struct cb_buf stream = CB_BUF_INIT, z = CB_BUF_INIT;
	struct cb_errbuf eb;
	int64_t cursor, size;
	bool again = false;
	json_t *o = NULL;
	int rc = CB_SYNC_DONE;

	if (cb_sync_state_get_num(st, CB_SYNC_RELAY_CURSOR, &cursor, &eb) ||
	    cb_log_size(log, &size, &eb))
		return fail(s, CB_SYNC_FAILED, "%s", eb.msg);
	if (cursor > size) {
		notice(s,
		       _("the relay cursor (%lld) is past this hub's log "
		         "(%lld): "
		         "relaying the whole log again"),
		       (long long)cursor, (long long)size);
		cursor = 0;
	}
	while (cursor < size) {
		struct batch b = { &stream, 0, cursor };
		const char *err;
		cb_err lrc;

		cb_buf_reset(&stream);
		lrc = cb_log_read_after(log, cursor, s->batch, add_to_batch, &b,
		                        &eb);
		if ((rc = read_batch(s, lrc, &eb, "relay")) || b.count == 0)
			break;
		rc = send_batch(s, "/v1/relay", N_("relaying"), &b, &z, &o);
		if (rc == RETRY_SMALLER) {
			rc = CB_SYNC_DONE;
			continue;
		}
		if (rc)
			break;
		err = json_string_value(json_object_get(o, "error"));
		if (s->hc.status == 409 && err && strstr(err, "gap") &&
		    !again && cursor > 0) {
			notice(s,
			       _("the higher hub lacks entries this hub "
			         "relayed "
			         "before (%s): relaying the whole log again"),
			       err);
			again = true;
			cursor = 0;
			continue;
		}
		if (s->hc.status != 200) {
			rc = refused(s, N_("the relay"), o);
			break;
		}
		cursor = b.last;
		if (cb_sync_state_put_num(st, CB_SYNC_RELAY_CURSOR, cursor,
		                          &eb)) {
			rc = fail(s, CB_SYNC_FAILED, "%s", eb.msg);
			break;
		}
		r->pushed += b.count;
		progress(s, N_("relayed"), (uint64_t)cursor, (uint64_t)size);
		larger(s, b.count);
	}
	progress(s, N_("relayed"), UINT64_MAX, 0);
	r->relayed = cursor;
	json_decref(o);
	cb_buf_release(&stream);
	cb_buf_release(&z);
	return (enum cb_sync_outcome)rc;
}

/* --- pull ------------------------------------------------------------ */

/* A hub takes in what it pulls from its higher hub, which holds it: it is
 * not relayed back up. If the relay cursor stands at the end of the log
 * when an answer is taken in (*relayed: that position, else -1), it moves
 * past what the answer appended, in the same transaction, so that no
 * entry a commune pushes in between is passed over. */
static cb_err
relayed_before(struct cb_store *st, int64_t *relayed, struct cb_errbuf *eb)
{
	int64_t cursor, size;
	cb_err rc;

	if ((rc = cb_sync_state_get_num(st, CB_SYNC_RELAY_CURSOR, &cursor,
	                                eb)) ||
	    (rc = cb_log_size(cb_store_log(st), &size, eb)))
		return rc;
	*relayed = cursor == size ? size : -1;
	return CB_OK;
}

static cb_err
relayed_after(struct cb_store *st, int64_t relayed, struct cb_errbuf *eb)
{
	int64_t size;
	cb_err rc;

	if (relayed < 0)
		return CB_OK;
	if ((rc = cb_log_size(cb_store_log(st), &size, eb)))
		return rc;
	return cb_sync_state_put_num(st, CB_SYNC_RELAY_CURSOR, size, eb);
}

/* Answers fetched and not yet taken in: their entries end to end (entry
 * streams join so), and where each answer ends, with the cursor after
 * it. */
struct held {
	struct cb_buf stream;
	struct held_answer {
		size_t end;
		int64_t next;
	} * answer;
	size_t count, cap;
	double since; /* when the first came (mono_s) */
};

static bool
hold(struct held *h, const void *data, size_t len, int64_t next)
{
	if (h->count == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 16;
		struct held_answer *a = realloc(h->answer, cap * sizeof(*a));

		if (!a)
			return false;
		h->answer = a;
		h->cap = cap;
	}
	if (cb_buf_add(&h->stream, data, len))
		return false;
	if (!h->count)
		h->since = mono_s();
	h->answer[h->count].end = h->stream.len;
	h->answer[h->count++].next = next;
	return true;
}

/* Take in len bytes of entries and move the cursor to next, in one
 * transaction. */
static enum cb_sync_outcome
take_pulled(struct sync *s, struct cb_sync_result *r, const void *data,
            size_t len, int64_t next)
{
	struct cb_store *st = s->lg->st;
	struct cb_accept_result res;
	struct cb_errbuf eb;
	int64_t relayed = -1;
	cb_err erc;

	if ((erc = cb_store_begin(st, &eb)) ||
	    (s->o->hub && (erc = relayed_before(st, &relayed, &eb))) ||
	    (erc = cb_accept_pulled(st, s->lg->key.pk, data, len, &res, &eb)) ||
	    (s->o->hub && (erc = relayed_after(st, relayed, &eb))) ||
	    /* a hub's log grew: its tree and checkpoint with it */
	    (s->o->hub && res.stored + res.forks > 0 &&
	     (erc = cb_tlog_sign(cb_store_log(st), s->o->hub->org,
	                         s->o->hub->sk, &eb))) ||
	    (erc = cb_sync_state_put_num(st, CB_SYNC_PULL_CURSOR, next, &eb)) ||
	    (erc = cb_store_commit(st, &eb))) {
		cb_store_rollback(st);
		/* this store's disk (full, read-only) is not the hub's
		 * doing: a failure to retry, not a refusal */
		return fail(s, erc == CB_EIO ? CB_SYNC_FAILED : CB_SYNC_REFUSED,
		            _("cannot take in what the hub sent: %s"), eb.msg);
	}
	r->pulled += res.stored + res.forks;
	progress(s, N_("pulled"), r->pulled, 0);
	r->cursor = next;
	return CB_SYNC_DONE;
}

/* Take in what is held, in one transaction. If that fails, answer by
 * answer: those before the one that cannot be taken in (the disk filled,
 * the hub sent a bad entry) are kept, as when each answer was a
 * transaction of its own. Nothing is held after. */
static enum cb_sync_outcome
take_held(struct sync *s, struct cb_sync_result *r, struct held *h)
{
	const unsigned char *p = h->stream.data;
	enum cb_sync_outcome rc;
	size_t start = 0;

	rc = take_pulled(s, r, p, h->stream.len, h->answer[h->count - 1].next);
	if (rc != CB_SYNC_DONE && h->count > 1)
		for (size_t i = 0; i < h->count; i++) {
			rc = take_pulled(s, r, p + start,
			                 h->answer[i].end - start,
			                 h->answer[i].next);
			if (rc != CB_SYNC_DONE)
				break;
			start = h->answer[i].end;
		}
	cb_buf_reset(&h->stream);
	h->count = 0;
	return rc;
}

/* Pull what this store's scope holds after its cursor on the hub's log.
 * Answers stay small for a link that breaks, but are taken in a few at a
 * time (PULL_HOLD_*): a transaction per answer wrote the same index pages
 * and synced the disk again for every 1,000 entries, most of a new
 * commune's first sync after its signatures. What is held is taken in
 * before any failure is reported, so nothing fetched is fetched again. */
static enum cb_sync_outcome
pull(struct sync *s, struct cb_sync_result *r)
{
	struct cb_store *st = s->lg->st;
	struct cb_buf raw = CB_BUF_INIT;
	struct held h = { .stream = CB_BUF_INIT };
	struct cb_errbuf eb;
	size_t limit = PULL_ENTRIES;
	int64_t fetched; /* the cursor after the answers held */
	int rc = CB_SYNC_DONE, taken;

	if (cb_sync_state_get_num(st, CB_SYNC_PULL_CURSOR, &r->cursor, &eb))
		return fail(s, CB_SYNC_FAILED, "%s", eb.msg);
	fetched = r->cursor;
	for (;;) {
		const void *data;
		char body[64];
		int64_t next;
		size_t len;
		bool more;
		json_t *o;

		snprintf(body, sizeof(body), "{\"after\":%lld,\"limit\":%zu}",
		         (long long)fetched, limit);
		s->one_try = true;
		rc = request(s, "POST", "/v1/pull", body, strlen(body),
		             "application/json", false);
		s->one_try = false;
		if (rc == RETRY_SMALLER) {
			/* smaller answers get through a link that breaks */
			limit = limit / 2 > BATCH_MIN ? limit / 2 : BATCH_MIN;
			rc = CB_SYNC_DONE;
			continue;
		}
		if (rc)
			break;
		if (limit * 2 <= PULL_ENTRIES)
			limit *= 2;
		if (s->hc.status != 200) {
			if ((rc = answer(s, N_("the pull"), &o)) ==
			    CB_SYNC_DONE) {
				json_decref(o);
				rc = CB_SYNC_REFUSED;
			}
			break;
		}
		if ((rc = stream_answer(s, N_("pull"), &raw, &data, &len, &next,
		                        &more)))
			break;
		if (next < fetched) {
			rc = fail(s, CB_SYNC_REFUSED,
			          _("the hub's pull cursor went back from %lld "
			            "to "
			            "%lld"),
			          (long long)fetched, (long long)next);
			break;
		}
		if (!hold(&h, data, len, next)) {
			rc = fail(s, CB_SYNC_FAILED, _("out of memory"));
			break;
		}
		fetched = next;
		if (more && h.stream.len < PULL_HOLD_BYTES &&
		    mono_s() - h.since < PULL_HOLD_S)
			continue;
		if ((rc = take_held(s, r, &h)) || !more)
			break;
	}
	/* what came before a failure is kept: it is not fetched again */
	if (h.count && (taken = take_held(s, r, &h)) && !rc)
		rc = taken;
	progress(s, N_("pulled"), UINT64_MAX, 0);
	free(h.answer);
	cb_buf_release(&h.stream);
	cb_buf_release(&raw);
	return (enum cb_sync_outcome)rc;
}

/* --- the hub's checkpoint -------------------------------------------- */

cb_err
cb_sync_keep_evidence(struct cb_store *st, const char *held, const char *served,
                      const char *why, struct cb_errbuf *eb)
{
	json_t *ev = json_pack("{s:s, s:s, s:s, s:I}", "held", held, "served",
	                       served ? served : "", "reason", why, "found_ms",
	                       (json_int_t)cb_now_ms());
	char *text = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
	struct cb_errbuf keb;
	cb_err rc = CB_ECRYPTO;

	json_decref(ev);
	if (!text || cb_sync_state_put_text(st, CB_SYNC_EVIDENCE, text, &keb))
		rc = cb_error(eb, CB_EIO,
		              _("the hub's log is not the one it showed before "
		                "(%s), and the evidence cannot be kept: %s"),
		              why, text ? keb.msg : "out of memory");
	else
		cb_error(eb, rc,
		         _("the hub's log is not the one it showed before: %s. "
		           "Both signed checkpoints are kept as evidence "
		           "('chibo-agent status'); tell the district and the "
		           "auditors"),
		         why);
	free(text);
	return rc;
}

/* The hub signed a checkpoint that does not extend the one it signed
 * before (or one it cannot prove extends it): keep both, signed, as
 * evidence; stop. */
static enum cb_sync_outcome
inconsistent(struct sync *s, const char *old, const char *served,
             const char *why)
{
	cb_sync_keep_evidence(s->lg->st, old, served, why, s->eb);
	return CB_SYNC_REFUSED;
}

/* Own entries the hub holds (seq <= head), for a proof request. */
struct wanted {
	struct {
		uint64_t seq;
		uint8_t leaf[CB_MERKLE_HASH];
	} e[PROVE_PER_SYNC + 1];
	size_t n;
	uint64_t head;
	json_t *ids;
};

static cb_err
want_proof(void *ctx, int64_t lsn, const void *bytes, size_t len)
{
	struct wanted *w = ctx;
	struct cb_entry e = CB_ENTRY_INIT;
	char hex[CB_HASH_HEX];
	cb_err rc;

	(void)lsn;
	if (w->n == PROVE_PER_SYNC + 1)
		return CB_ETOOBIG;
	if ((rc = cb_entry_decode(bytes, len, &e, NULL)))
		return rc;
	if (e.seq > w->head) {
		cb_entry_release(&e);
		return CB_ETOOBIG;
	}
	w->e[w->n].seq = e.seq;
	cb_merkle_leaf_hash(bytes, len, w->e[w->n].leaf);
	cb_hash_hex(e.id, hex);
	cb_entry_release(&e);
	if (json_array_append_new(w->ids, json_string(hex)))
		return CB_ENOMEM;
	w->n++;
	return CB_OK;
}

/* Own entries the hub holds proven in the tree of cp: the next
 * PROVE_PER_SYNC not yet proven, in order, and the head. */
static enum cb_sync_outcome
prove_own(struct sync *s, const struct cb_checkpoint *cp, uint64_t head)
{
	struct cb_log *log = cb_store_log(s->lg->st);
	uint8_t path[CB_MERKLE_MAX_PATH][CB_MERKLE_HASH];
	struct wanted w = { .head = head };
	struct cb_errbuf eb;
	int64_t proven = 0;
	uint64_t upto;
	size_t np;
	char *body;
	json_t *q, *o, *proofs;
	cb_err lrc;
	int rc;

	if (cb_sync_state_get_num(s->lg->st, CB_SYNC_PROVEN_SEQ, &proven, &eb))
		return fail(s, CB_SYNC_FAILED, "%s", eb.msg);
	if (!head || (uint64_t)proven >= head)
		return CB_SYNC_DONE;
	if (!(w.ids = json_array()))
		return fail(s, CB_SYNC_FAILED, _("out of memory"));
	lrc = cb_log_read_chain(log, s->lg->key.pk, (uint64_t)proven,
	                        PROVE_PER_SYNC, want_proof, &w, &eb);
	/* and the head, which the hub showed */
	if ((!lrc || lrc == CB_ETOOBIG) && w.n && w.e[w.n - 1].seq < head) {
		w.head = head;
		lrc = cb_log_read_chain(log, s->lg->key.pk, head - 1, 1,
		                        want_proof, &w, &eb);
	}
	if (lrc && lrc != CB_ETOOBIG) {
		json_decref(w.ids);
		return fail(s, CB_SYNC_FAILED, _("cannot read the log: %s"),
		            lrc == CB_ENOMEM ? "out of memory" : eb.msg);
	}
	q = json_pack("{s:I, s:o}", "size", (json_int_t)cp->size, "ids", w.ids);
	body = q ? json_dumps(q, JSON_COMPACT) : NULL;
	json_decref(q);
	if (!body)
		return fail(s, CB_SYNC_FAILED, _("out of memory"));
	rc = request(s, "POST", "/v1/proof", body, strlen(body),
	             "application/json", false);
	free(body);
	if (rc || (rc = answer(s, N_("to prove this replica's entries"), &o)))
		return (enum cb_sync_outcome)rc;
	proofs = json_object_get(o, "proofs");
	if (json_array_size(proofs) != w.n) {
		json_decref(o);
		return fail(
			s, CB_SYNC_REFUSED,
			_("the hub answered a proof request with %zu proofs "
		          "for %zu entries"),
			json_array_size(proofs), w.n);
	}
	upto = (uint64_t)proven;
	for (size_t i = 0; i < w.n; i++) {
		json_t *p = json_array_get(proofs, i);
		json_t *ix = json_object_get(p, "index");

		if (!json_is_integer(ix) || json_integer_value(ix) < 0 ||
		    !cb_merkle_path_from_json(json_object_get(p, "path"), path,
		                              &np) ||
		    !cb_merkle_verify_inclusion(
			    w.e[i].leaf, (uint64_t)json_integer_value(ix),
			    cp->size, (const uint8_t(*)[32])path, np,
			    cp->root)) {
			json_decref(o);
			return fail(s, CB_SYNC_REFUSED,
			            _("the hub's checkpoint of size %llu does "
			              "not prove that it holds this "
			              "replica's entry %llu (a bad inclusion "
			              "proof): tell the "
			              "district and the auditors"),
			            (unsigned long long)cp->size,
			            (unsigned long long)w.e[i].seq);
		}
		if (w.e[i].seq == upto + 1)
			upto = w.e[i].seq;
	}
	json_decref(o);
	if (cb_sync_state_put_num(s->lg->st, CB_SYNC_PROVEN_SEQ, (int64_t)upto,
	                          &eb))
		return fail(s, CB_SYNC_FAILED, "%s", eb.msg);
	return CB_SYNC_DONE;
}

/* No cosignature by the witness this store requires (cb_sync_opts'
 * witness, kept as CB_SYNC_WITNESS_KEY) on what the hub shows: the
 * checkpoint served is kept as evidence, and the sync stops. */
static enum cb_sync_outcome
unwitnessed(struct sync *s, const char *note, const char *why)
{
	const char *old = s->state.text[CB_SYNC_CHECKPOINT];
	char reason[CB_ERRBUF_SIZE];

	snprintf(reason, sizeof(reason),
	         "no cosignature by the witness %.12s this %s requires: %s",
	         s->state.text[CB_SYNC_WITNESS_KEY], s->lg->kind->what, why);
	if (cb_sync_keep_evidence(s->lg->st, old ? old : note, note, reason,
	                          s->eb) == CB_EIO)
		return CB_SYNC_REFUSED;
	return fail(s, CB_SYNC_REFUSED,
	            _("the hub's checkpoint is not cosigned by the witness "
	              "%.12s this %s requires (%s); it is kept as evidence "
	              "('status'): tell the district and the auditors"),
	            s->state.text[CB_SYNC_WITNESS_KEY], s->lg->kind->what, why);
}

/* The checkpoint the hub shows, now, against the one its higher hub
 * cosigned as its witness (o's "witnessed", with the consistency proof
 * from it), when the store knows the hub's witness (a hub.join named it)
 * or requires one (CB_SYNC_WITNESS_KEY): the cosignature verifies by
 * each such witness's key, the cosigned checkpoint by the hub's, and now
 * extends it. So a hub cannot show this store a log other than the one
 * its witness saw without the evidence being kept. */
static enum cb_sync_outcome
check_witnessed(struct sync *s, json_t *o, const struct cb_checkpoint *now,
                const char *note)
{
	uint8_t path[CB_MERKLE_MAX_PATH][CB_MERKLE_HASH], wpk[2][32];
	const char *w = json_string_value(json_object_get(o, "witnessed"));
	const char *req = s->state.text[CB_SYNC_WITNESS_KEY];
	struct cb_checkpoint wc;
	struct cb_errbuf eb;
	char hub[2 * CB_KEY_BYTES + 1], why[CB_ERRBUF_SIZE];
	size_t n = 0, nw = 0;
	cb_err rc;

	cb_hex_encode(s->state.authority, CB_KEY_BYTES, hub);
	rc = cb_enrolments_witness_of(s->lg->st, hub, wpk[0], &eb);
	if (rc && rc != CB_ENOTFOUND)
		return fail(s, CB_SYNC_FAILED, "%s", eb.msg);
	nw = rc == CB_OK;
	if (req && *req) {
		if (cb_hex_decode(req, wpk[nw], 32, &eb))
			return fail(
				s, CB_SYNC_FAILED,
				_("the witness key this store requires is "
			          "damaged: %s; give it again with --witness"),
				eb.msg);
		if (!w)
			return unwitnessed(s, note,
			                   "it shows no cosigned checkpoint");
		nw++;
	}
	if (!w || !nw)
		return CB_SYNC_DONE;
	for (size_t i = 0; i < nw; i++)
		if (cb_cosigned_open(w, strlen(w), now->origin,
		                     s->state.authority, wpk[i], &wc, NULL,
		                     NULL, &eb)) {
			if (req && *req && i == nw - 1)
				return unwitnessed(s, note, eb.msg);
			snprintf(why, sizeof(why),
			         "the checkpoint it says its witness "
			         "cosigned: %.150s",
			         eb.msg);
			return inconsistent(s, w, note, why);
		}
	if (wc.size > now->size ||
	    !cb_merkle_path_from_json(
		    json_object_get(o, "witnessed_consistency"), path, &n) ||
	    (wc.size == now->size
	             ? memcmp(wc.root, now->root, CB_MERKLE_HASH) != 0
	             : !cb_merkle_verify_consistency(
			       wc.size, now->size, wc.root, now->root,
			       (const uint8_t(*)[32])path, n)))
		return inconsistent(s, w, note,
		                    "the log it shows does not extend the one "
		                    "its witness cosigned: it shows its "
		                    "witness another log than this store");
	return CB_SYNC_DONE;
}

/* The hub's latest signed checkpoint, checked against the one this
 * store holds (a consistency proof: the log only grew), and this
 * store's entries proven in it. The checkpoint is then kept for the
 * next sync. A hub that rewrote, dropped or forked its log is caught
 * here: the sync stops with the evidence kept. */
static enum cb_sync_outcome
check_log(struct sync *s, uint64_t head)
{
	uint8_t path[CB_MERKLE_MAX_PATH][CB_MERKLE_HASH];
	struct cb_checkpoint held = { 0 }, now = { 0 };
	const char *old = s->state.text[CB_SYNC_CHECKPOINT], *note;
	struct cb_errbuf eb;
	char origin[256], body[64], why[160];
	json_t *o = NULL;
	size_t n = 0;
	int rc;

	if (s->state.text[CB_SYNC_EVIDENCE])
		return fail(s, CB_SYNC_REFUSED,
		            _("this replica holds evidence that the hub's log "
		              "changed under it ('chibo-agent status'); sync "
		              "stays stopped until the district resolves it"));
	if (!s->state.has_authority)
		return fail(
			s, CB_SYNC_FAILED,
			_("no hub key is set; run 'chibo-agent hub' again"));
	if (old && (!cb_note_origin(old, origin, sizeof(origin)) ||
	            cb_checkpoint_open(old, strlen(old), origin, origin,
	                               s->state.authority, &held, &eb)))
		return fail(
			s, CB_SYNC_FAILED,
			_("the checkpoint this replica holds is damaged: %s"),
			eb.msg);
	snprintf(body, sizeof(body), "{\"from\":%" PRIu64 "}", held.size);
	if ((rc = request(s, "POST", "/v1/checkpoint", body, strlen(body),
	                  "application/json", false)))
		return (enum cb_sync_outcome)rc;
	if (!(o = reply_json(s)))
		return CB_SYNC_UNREACHABLE;
	note = json_string_value(json_object_get(o, "checkpoint"));
	if (s->hc.status == 409 && old) {
		rc = inconsistent(
			s, old, NULL,
			json_string_value(json_object_get(o, "error")));
		goto out;
	}
	if (s->hc.status != 200 || !note) {
		rc = refused(s, N_("its checkpoint"), o);
		goto out;
	}
	if (!cb_note_origin(note, origin, sizeof(origin)) ||
	    (old && strcmp(origin, held.origin)) ||
	    cb_checkpoint_open(note, strlen(note), origin, origin,
	                       s->state.authority, &now, &eb)) {
		if (old && cb_note_origin(note, origin, sizeof(origin)) &&
		    strcmp(origin, held.origin))
			rc = inconsistent(s, old, note,
			                  "its checkpoint names another log");
		else
			rc = fail(s, CB_SYNC_REFUSED,
			          _("the hub's checkpoint is not signed by the "
			            "hub's key: %s"),
			          eb.msg);
		goto out;
	}
	if (old && now.size < held.size) {
		snprintf(why, sizeof(why),
		         N_("it shrank from %llu to %llu entries"),
		         (unsigned long long)held.size,
		         (unsigned long long)now.size);
		rc = inconsistent(s, old, note, why);
		goto out;
	}
	if (old && (!cb_merkle_path_from_json(json_object_get(o, "consistency"),
	                                      path, &n) ||
	            (held.size == now.size
	                     ? memcmp(held.root, now.root, CB_MERKLE_HASH) != 0
	                     : !cb_merkle_verify_consistency(
				       held.size, now.size, held.root, now.root,
				       (const uint8_t(*)[32])path, n)))) {
		snprintf(why, sizeof(why),
		         N_("its tree of %llu entries does not extend the tree "
		            "of %llu it signed before"),
		         (unsigned long long)now.size,
		         (unsigned long long)held.size);
		rc = inconsistent(s, old, note, why);
		goto out;
	}
	snprintf(s->hub_origin, sizeof(s->hub_origin), "%s", now.origin);
	if ((rc = check_witnessed(s, o, &now, note)) ||
	    (rc = prove_own(s, &now, head)))
		goto out;
	if (cb_sync_state_put_text(s->lg->st, CB_SYNC_CHECKPOINT, note, &eb))
		rc = fail(s, CB_SYNC_FAILED, "%s", eb.msg);
out:
	json_decref(o);
	return (enum cb_sync_outcome)rc;
}

/* --- the witness (a hub) -------------------------------------------- */

/* A hub's latest checkpoint cosigned by its higher hub, as the witness of
 * its log (C2SP tlog-witness add-checkpoint, from the size it cosigned
 * last, with the consistency proof from there), the cosignature checked
 * with the higher hub's key and kept with the checkpoint. A 409 names the
 * size the witness holds: proven from there instead, once. A witness
 * holding more than this log, or refusing the proof, is a log that is not
 * the one it showed before: a person must look. */
static enum cb_sync_outcome
witness(struct sync *s, struct cb_sync_result *r)
{
	uint8_t path[CB_MERKLE_MAX_PATH][CB_MERKLE_HASH], root[32];
	struct cb_store *st = s->lg->st;
	struct cb_log *log = cb_store_log(st);
	struct cb_buf cosigned = CB_BUF_INIT;
	struct cb_errbuf eb;
	int64_t held;
	uint64_t size, ts;
	char *note = NULL, *body = NULL, *end;
	size_t n = 0;
	int rc = CB_SYNC_DONE;
	cb_err lrc;

	lrc = cb_tlog_checkpoint_latest(log, &size, root, &note, &eb);
	if (lrc == CB_ENOTFOUND)
		return CB_SYNC_DONE;
	if (lrc ||
	    cb_sync_state_get_num(st, CB_SYNC_WITNESS_SIZE, &held, &eb)) {
		free(note);
		return fail(s, CB_SYNC_FAILED, "%s", eb.msg);
	}
	for (int tries = 0; tries < 2 && (uint64_t)held != size; tries++) {
		if ((uint64_t)held > size) {
			rc = fail(
				s, CB_SYNC_REFUSED,
				_("the higher hub, as this hub's witness, "
			          "cosigned a checkpoint of size %lld, past "
			          "this "
			          "hub's log (%llu entries): this log was put "
			          "back from an old copy or rewritten; a "
			          "person "
			          "must look"),
				(long long)held, (unsigned long long)size);
			break;
		}
		n = 0;
		if (held > 0 && cb_merkle_consistency_proof(
					cb_tlog_node, log, (uint64_t)held, size,
					path, &n, &eb)) {
			rc = fail(s, CB_SYNC_FAILED, "%s", eb.msg);
			break;
		}
		free(body);
		if (!(body = cb_witness_format((uint64_t)held,
		                               (const uint8_t(*)[32])path, n,
		                               note))) {
			rc = fail(s, CB_SYNC_FAILED, _("out of memory"));
			break;
		}
		if ((rc = request(s, "POST", "/v1/witness/add-checkpoint", body,
		                  strlen(body), "text/plain", false)))
			break;
		if (s->hc.status == 409) {
			/* the size the witness holds */
			cb_buf_reset(&cosigned);
			if (cb_buf_add(&cosigned, s->hc.resp.data,
			               s->hc.resp.len) ||
			    cb_buf_add(&cosigned, "", 1)) {
				rc = fail(s, CB_SYNC_FAILED,
				          _("out of memory"));
				break;
			}
			held = strtoll((char *)cosigned.data, &end, 10);
			if (end == (char *)cosigned.data || *end != '\n' ||
			    held < 0) {
				rc = fail(s, CB_SYNC_REFUSED,
				          _("the witness answered 409 with no "
				            "size"));
				break;
			}
			continue;
		}
		if (s->hc.status != 200) {
			json_t *o = reply_json(s);

			rc = o ? refused(s,
			                 N_("to cosign this hub's checkpoint"),
			                 o)
			       : CB_SYNC_UNREACHABLE;
			json_decref(o);
			break;
		}
		cb_buf_reset(&cosigned);
		if (cb_buf_addstr(&cosigned, note) ||
		    cb_buf_add(&cosigned, s->hc.resp.data, s->hc.resp.len) ||
		    cb_buf_add(&cosigned, "", 1)) {
			rc = fail(s, CB_SYNC_FAILED, _("out of memory"));
			break;
		}
		if (cb_cosig_open((char *)cosigned.data, cosigned.len - 1,
		                  s->hub_origin, s->state.authority, &ts,
		                  &eb)) {
			rc = fail(
				s, CB_SYNC_REFUSED,
				_("the higher hub's cosignature of this hub's "
			          "checkpoint: %s"),
				eb.msg);
			break;
		}
		if (cb_store_begin(st, &eb) ||
		    cb_sync_state_put_num(st, CB_SYNC_WITNESS_SIZE,
		                          (int64_t)size, &eb) ||
		    cb_sync_state_put_text(st, CB_SYNC_WITNESSED,
		                           (char *)cosigned.data, &eb) ||
		    cb_store_commit(st, &eb)) {
			cb_store_rollback(st);
			rc = fail(s, CB_SYNC_FAILED, "%s", eb.msg);
			break;
		}
		held = (int64_t)size;
	}
	if (!rc && (uint64_t)held != size)
		rc = fail(s, CB_SYNC_REFUSED,
		          _("the higher hub would not cosign this hub's "
		            "checkpoint"));
	r->witnessed = (uint64_t)held;
	free(note);
	free(body);
	cb_buf_release(&cosigned);
	return (enum cb_sync_outcome)rc;
}

/* --- a sync on a file ------------------------------------------------ */

/* The bundle's checkpoint cp (its note) against the one lg holds: see
 * cb_sync_import. Inside the caller's transaction. */
static cb_err
import_checkpoint(struct cb_ledger *lg, const struct cb_bundle *b,
                  const struct cb_checkpoint *cp,
                  const unsigned char key[CB_KEY_BYTES], struct cb_errbuf *eb)
{
	struct cb_checkpoint held;
	struct cb_errbuf why;
	char *old = NULL, msg[160];
	cb_err rc;

	if (!cb_store_meta_get(lg->st, "log_evidence", &old, NULL)) {
		free(old);
		return cb_error(
			eb, CB_ECHAIN,
			_("this %s holds evidence that the hub's log "
		          "changed under it (its 'status' shows it); "
		          "imports stay stopped until a person resolves it"),
			lg->kind->what);
	}
	if (cb_store_meta_get(lg->st, "log_checkpoint", &old, NULL))
		return cb_sync_state_put_text(lg->st, CB_SYNC_CHECKPOINT,
		                              b->note, eb);
	rc = cb_checkpoint_open(old, strlen(old), cp->origin, cp->origin, key,
	                        &held, &why);
	if (rc) {
		free(old);
		return cb_error(
			eb, CB_ECRYPTO,
			_("its checkpoint is of the log '%s', and the one "
		          "this %s holds does not verify as it: %s"),
			cp->origin, lg->kind->what, why.msg);
	}
	if (held.size == cp->size &&
	    sodium_memcmp(held.root, cp->root, sizeof(held.root))) {
		snprintf(msg, sizeof(msg),
		         N_("a bundle holds its tree of %llu entries with "
		            "another root"),
		         (unsigned long long)cp->size);
		rc = cb_sync_keep_evidence(lg->st, old, b->note, msg, eb);
		free(old);
		return rc ? rc : CB_ECRYPTO;
	}
	free(old);
	return CB_OK;
}

cb_err
cb_sync_import(struct cb_ledger *lg, const struct cb_bundle *b,
               const struct cb_ingest_log *hub, struct cb_accept_result *r,
               size_t *own, struct cb_errbuf *eb)
{
	struct cb_sync_state ss;
	struct cb_checkpoint cp;
	unsigned char key[CB_KEY_BYTES];
	int64_t cursor, relayed = -1;
	bool has_key;
	cb_err rc;

	memset(r, 0, sizeof(*r));
	*own = 0;
	if (b->kind != CB_BUNDLE_PULL || strcmp(b->org, lg->org))
		return cb_error(
			eb, CB_EINVAL,
			_("it is %s for '%s', not a hub's bundle for this "
		          "%s's '%s'"),
			b->kind == CB_BUNDLE_PULL   ? "a hub's bundle"
			: b->kind == CB_BUNDLE_PUSH ? "an agent's bundle"
						    : "a hub's relay",
			b->org, lg->kind->what, lg->org);
	if ((rc = cb_sync_state_load(lg->st, &ss, eb)))
		return rc;
	has_key = ss.has_authority && (!hub || ss.text[CB_SYNC_UPSTREAM_KEY]);
	memcpy(key, ss.authority, CB_KEY_BYTES);
	cb_sync_state_release(&ss);
	if (!has_key)
		return cb_error(
			eb, CB_EINVAL,
			hub ? _("this hub has no higher hub to check the "
		                "bundle against; run 'chibo-hub upstream' "
		                "first, with what its administrator gave "
		                "you")
			    : "this replica has no hub key to check the "
			      "bundle against; set the hub first: "
			      "chibo-agent hub --url URL --pin PIN --key "
			      "KEY, as the district gave them");
	if ((rc = cb_bundle_check_hub(b, key, &cp, eb)))
		return rc;
	if ((rc = cb_store_begin(lg->st, eb)))
		return rc;
	if ((rc = cb_sync_state_get_num(lg->st, CB_SYNC_PULL_CURSOR, &cursor,
	                                eb))) {
		cb_store_rollback(lg->st);
		return rc;
	}
	if ((rc = import_checkpoint(lg, b, &cp, key, eb))) {
		struct cb_errbuf ceb;

		/* the evidence, if any, is kept */
		if (cb_store_commit(lg->st, &ceb))
			cb_store_rollback(lg->st);
		return rc;
	}
	if ((hub && (rc = relayed_before(lg->st, &relayed, eb))) ||
	    (rc = hub ? cb_accept_pulled(lg->st, lg->key.pk, b->stream.data,
	                                 b->stream.len, r, eb)
	              : cb_accept_restore(lg->st, lg->key.pk, b->stream.data,
	                                  b->stream.len, r, own, eb)) ||
	    (hub && (rc = relayed_after(lg->st, relayed, eb))) ||
	    (hub && r->stored + r->forks > 0 &&
	     (rc = cb_tlog_sign(cb_store_log(lg->st), hub->org, hub->sk,
	                        eb))) ||
	    /* the cursor moves forward only, over what the bundle covers */
	    (b->after <= cursor && b->next > cursor &&
	     (rc = cb_sync_state_put_num(lg->st, CB_SYNC_PULL_CURSOR, b->next,
	                                 eb))) ||
	    (rc = cb_store_commit(lg->st, eb))) {
		cb_store_rollback(lg->st);
		return rc;
	}
	return CB_OK;
}

/* --- the whole ------------------------------------------------------- */

enum cb_sync_outcome
cb_sync(struct cb_ledger *lg, const struct cb_sync_opts *o,
        struct cb_sync_result *r, struct cb_errbuf *eb)
{
	struct sync s = { .lg = lg, .o = o, .eb = eb };
	struct cb_errbuf leb;
	json_t *status = NULL;
	int rc;

	memset(r, 0, sizeof(*r));
	s.started = mono_s();
	s.deadline = s.started + o->max_time;
	s.wait = 1.0;
	s.batch = BATCH_ENTRIES;
	if (o->witness &&
	    cb_sync_state_put_text(lg->st, CB_SYNC_WITNESS_KEY,
	                           strcmp(o->witness, "none") ? o->witness : "",
	                           &leb))
		return fail(&s, CB_SYNC_FAILED, "%s", leb.msg);
	if (cb_sync_state_load(lg->st, &s.state, &leb))
		return fail(&s, CB_SYNC_FAILED, "%s", leb.msg);
	/* a timer retrying this would retry for ever: a person must act */
	if (!s.state.text[CB_SYNC_URL] || !s.state.text[CB_SYNC_PIN]) {
		rc = fail(
			&s, CB_SYNC_REFUSED,
			_("no hub is set; run 'chibo-agent hub --url URL --pin "
		          "PIN --key HEX' with what the hub gave you"));
		goto out;
	}
	/* what the link allowed last time */
	if (s.state.text[CB_SYNC_PUSH_BATCH]) {
		unsigned long n = 0, c = 0;

		if (sscanf(s.state.text[CB_SYNC_PUSH_BATCH], "%lu %lu", &n,
		           &c) >= 1 &&
		    n >= BATCH_MIN && n <= BATCH_ENTRIES) {
			s.batch = n;
			s.ceiling = c <= BATCH_ENTRIES ? c : 0;
		}
	}
	if (cb_ledger_request_key(lg, &s.rk, &leb) ||
	    cb_hubclient_init(&s.hc, s.state.text[CB_SYNC_URL],
	                      s.state.text[CB_SYNC_PIN], s.rk.key.pk,
	                      s.rk.key.sk, RESPONSE_MAX, &leb)) {
		rc = fail(&s, CB_SYNC_FAILED, "%s", leb.msg);
		goto out;
	}
	if (s.rk.grant[0])
		s.hc.grant = s.rk.grant;
	if ((rc = hub_status(&s, &status)))
		goto out;
	if (o->hub)
		r->head = (uint64_t)json_integer_value(
			json_object_get(status, "head"));
	if ((rc = o->hub ? relay(&s, r) : push(&s, status, r)) ||
	    (rc = pull(&s, r)) || (rc = check_log(&s, r->head)) ||
	    (o->hub && (rc = witness(&s, r))))
		goto out;
	json_decref(status);
	status = NULL;
	if ((rc = hub_status(&s, &status)))
		goto out;
	remember(&s, status, true);
	r->hub_rejected = json_array_size(json_object_get(status, "rejected"));
out:
	if (s.hc.curl) {
		/* what the link allowed, for the next run, whatever this one
		 * came to */
		char b[48];

		snprintf(b, sizeof(b), "%zu %zu", s.batch, s.ceiling);
		if (cb_sync_state_put_text(lg->st, CB_SYNC_PUSH_BATCH, b,
		                           &leb) &&
		    !rc)
			rc = fail(&s, CB_SYNC_FAILED, "%s", leb.msg);
		r->sent = s.hc.sent;
		r->received = s.hc.received;
		r->requests = s.hc.requests;
	}
	json_decref(status);
	cb_hubclient_release(&s.hc);
	cb_request_key_release(&s.rk);
	cb_sync_state_release(&s.state);
	return (enum cb_sync_outcome)rc;
}

const struct argdef cb_sync_argdefs[] = {
	CB_SYNC_ARGDEFS,
	{ NULL, NULL, NULL },
};

void
cb_sync_notice(void *ctx, const char *line)
{
	(void)ctx;
	cb_journal(CB_PRIO_NOTICE, "%s: %s", cb_args_prog, line);
}

int
cb_sync_args(const char *retries, const char *max_time, const char *witness,
             const char *cmd, struct cb_sync_opts *o)
{
	uint8_t key[CB_KEY_BYTES];
	struct cb_errbuf eb;
	char *end;

	if (witness && strcmp(witness, "none") &&
	    (cb_hex_decode(witness, key, sizeof(key), &eb) ||
	     crypto_core_ed25519_is_valid_point(key) != 1))
		return cb_args_usage(
			cmd, _("--witness is 64 hex digits of an Ed25519 "
		               "public key, or 'none'"));
	o->witness = witness;

	if (retries) {
		long n = strtol(retries, &end, 10);

		if (!*retries || *end || n < 0 || n > 100)
			return cb_args_usage(cmd, _("--retries takes 0..100"));
		o->retries = (int)n;
	}
	if (max_time) {
		long t = strtol(max_time, &end, 10);

		if (!*max_time || *end || t < 1 || t > 86400)
			return cb_args_usage(
				cmd, _("--max-time takes 1..86400 seconds"));
		o->max_time = (double)t;
	}
	return 0;
}

cb_err
cb_sync_set_hub(struct cb_ledger *lg, const char *url, const char *pin,
                const unsigned char key[CB_KEY_BYTES], struct cb_errbuf *eb)
{
	static const enum cb_sync_key other_log[] = {
		CB_SYNC_PULL_CURSOR, CB_SYNC_HUB_HEAD,   CB_SYNC_HUB_LOG_SIZE,
		CB_SYNC_CHECKPOINT,  CB_SYNC_PROVEN_SEQ,
	};
	struct cb_sync_state was;
	char hex[2 * CB_KEY_BYTES + 1];
	bool changed, in_chain = false;
	cb_err rc = CB_OK;

	if (strncmp(url, "https://", 8))
		return cb_error(eb, CB_EINVAL,
		                _("the URL must start with https://"));
	if (strncmp(pin, "sha256//", 8) || strlen(pin) != 52)
		return cb_error(
			eb, CB_EINVAL,
			_("the pin is sha256// and 44 base64 characters"));
	if ((rc = cb_sync_state_load(lg->st, &was, eb)))
		return rc;
	/* Another hub than the one set before (a first hub finds nothing of
	 * others' to judge again: pulls and imports wait for it). */
	changed = was.has_authority &&
	          memcmp(was.authority, key, CB_KEY_BYTES) != 0;
	cb_sync_state_release(&was);
	cb_hex_encode(key, CB_KEY_BYTES, hex);
	/* A hub in this replica's chain of authority already (the province
	 * above a legacy district's hub, named by that hub's hub.join): the
	 * replica syncs with it and checks its checkpoints by its key
	 * (upstream_key), and keeps trusting enrolments from the authority it
	 * has — every verdict stands. Judging again in this replica's own
	 * order under another anchor could only differ from the new hub. */
	if (changed &&
	    (rc = cb_enrolments_is_authority(lg->st, hex, &in_chain, eb)))
		return rc;
	if ((rc = cb_store_begin(lg->st, eb)))
		return rc;
	/* Another hub's log: read it from the start, and hold it to its own
	 * checkpoints, not to the old hub's. */
	for (size_t i = 0;
	     changed && !rc && i < sizeof(other_log) / sizeof(other_log[0]);
	     i++)
		rc = cb_sync_state_clear(lg->st, other_log[i], eb);
	if (rc || (rc = cb_sync_state_put_text(lg->st, CB_SYNC_URL, url, eb)) ||
	    (rc = cb_sync_state_put_text(lg->st, CB_SYNC_PIN, pin, eb)) ||
	    (rc = in_chain ? cb_sync_state_put_text(
				     lg->st, CB_SYNC_UPSTREAM_KEY, hex, eb)
	                   : cb_sync_state_clear(lg->st, CB_SYNC_UPSTREAM_KEY,
	                                         eb)) ||
	    (!in_chain && (rc = cb_sync_state_put_text(
				   lg->st, CB_SYNC_AUTHORITY, hex, eb))) ||
	    (rc = cb_store_commit(lg->st, eb))) {
		cb_store_rollback(lg->st);
		return rc;
	}
	/* who may enrol and found organisations changed: judge what the
	 * replica holds again under the new authority */
	return changed && !in_chain ? cb_ledger_rebuild(lg, NULL, NULL, eb)
	                            : CB_OK;
}

/* SPDX-License-Identifier: MIT */
/* cmd_serve.c — chibo-hub serve: HTTPS (libmicrohttpd over GnuTLS) with a
 * thread pool, signed requests only (common/net/httpsig.c), and API v1
 * (PROTOCOL.md). A request is judged on its headers, before any byte of
 * its body is read: the authority must be one of the hub's names, the
 * signature must verify, the key be enrolled and admitted, the declared
 * body within the limit, the nonce new and within the key's share
 * (common/net/replay.c), and the key's `created` recorded (hub/contact.c) —
 * a refusal is answered at once and the connection closed; the body's
 * digest is checked once the body is in. Slow and trickling clients are
 * cut by deadlines (common/net/connguard.c) and per-address limits. The
 * response of a request that was let in is queued on the handler's last
 * call, never its first, so connections are kept alive. SIGTERM or
 * SIGINT stops it gracefully. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "connguard.h"
#include "contacts.h"
#include "dashboard.h"
#include "errmap.h"
#include "grant.h"
#include "hub.h"
#include "hubstatus.h"
#include "journal.h"
#include "httpsig.h"
#include "ingest.h"
#include "log_page.h"
#include "replay.h"
#include "scope.h"
#include "checkpoint.h"
#include "merkle.h"
#include "merkle_json.h"
#include "syncstate.h"
#include "tlog.h"
#include "witness.h"
#include "verifier.h"
#include "web.h"
#include "zbody.h"

#define MAX_INFLATED (64u << 20) /* what a push may decompress to */
#define PULL_DEFAULT 1000        /* entries per pull, unless asked */
#define PULL_MAX 5000
#define PULL_BYTES (1u << 20)      /* a pull's entries, before compression */
#define FDS_BESIDES_CONNECTIONS 64 /* the database, logs, epoll, … */
/* Seconds a client waits before trying again a request that found the
 * hub's database server lost (a failover): the hub connects again at each
 * request, and the client's own backoff spaces the tries after that
 * (docs/OPERATIONS.md, "A standby for the hub's database") */
#define STORE_RETRY_AFTER 2

struct server {
	struct cb_ledger *lg;
	pthread_mutex_t mu; /* one SQLite connection, one request at a time */
	/* A second connection for admission, which reads (WAL) while a push
	 * holds the first for its transaction. */
	struct cb_store *admit;
	pthread_mutex_t admit_mu;
	struct cb_replay *replay;
	struct cb_connguard *guard;
	size_t max_body;    /* bytes of a request body (hub.conf max_body) */
	int64_t sig_window; /* seconds a signature is good (signature_window) */
	/* the authorities the hub answers to, normalised */
	char (*names)[CB_HTTPSIG_AUTHORITY_MAX + 1];
	size_t nnames;
	struct hub_dash *dash; /* the pages under /dashboard/ */
};

struct request;
typedef enum MHD_Result (*serve_fn)(struct server *srv,
                                    struct MHD_Connection *c,
                                    struct request *rq,
                                    const unsigned char *key);

/* An endpoint: a row of routes[], below. admit: the step at which its
 * handler's own admission of the key answers (errmap.h). */
struct route {
	const char *path, *method, *method2;
	serve_fn serve;
	enum cb_errmap_step admit;
};

struct request {
	char method[8], path[64];
	struct cb_buf body;
	const struct route *route; /* once the headers were let in */
	unsigned char key[CB_KEY_BYTES];
	struct timespec start;
	char key_short[13];
	int status;
	char note[64];
	/* a page of the dashboard's, not API v1: the authority it was
	 * asked of, for its forms' Origin */
	bool dash;
	char authority[CB_HTTPSIG_AUTHORITY_MAX + 1];
	/* refused as a replay: its nonce was seen (Chibo-Replay) */
	bool replayed;
};

static int64_t
now_s(void)
{
	return (int64_t)time(NULL);
}

/* Answer text (taken, malloc'd) of a Content-Type with status; a
 * Retry-After of retry seconds if not 0. */
static enum MHD_Result
reply_raw(struct MHD_Connection *c, struct request *rq, int status,
          const char *type, char *text, int64_t retry)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	if (!text)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(text), text,
	                                       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", type);
	if (rq->replayed)
		MHD_add_response_header(resp, "Chibo-Replay", "1");
	if (retry > 0) {
		char num[24];

		snprintf(num, sizeof(num), "%lld", (long long)retry);
		MHD_add_response_header(resp, "Retry-After", num);
	}
	rq->status = status;
	r = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* Answer o (taken) with status; a Retry-After of retry seconds if not
 * 0. */
static enum MHD_Result
reply_after(struct MHD_Connection *c, struct request *rq, int status, json_t *o,
            int64_t retry)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(o);
	return reply_raw(c, rq, status, "application/json", text, retry);
}

static enum MHD_Result
reply(struct MHD_Connection *c, struct request *rq, int status, json_t *o)
{
	return reply_after(c, rq, status, o, 0);
}

static enum MHD_Result
fail(struct MHD_Connection *c, struct request *rq, int status, const char *msg)
{
	return reply(c, rq, status, json_pack("{s:s}", "error", msg));
}

/* A refusal worth another try, signed afresh, after retry seconds. */
static enum MHD_Result
fail_retry(struct MHD_Connection *c, struct request *rq, int status,
           int64_t retry, const char *msg)
{
	return reply_after(c, rq, status, json_pack("{s:s}", "error", msg),
	                   retry);
}

/* Answer rc, which came back from step at of the request, with the
 * status the hub's one map gives it (errmap.h) and the message. A hub
 * whose database server was lost (a failover, store.h: cb_store_lost)
 * answers whatever needed it 503 with a Retry-After of
 * STORE_RETRY_AFTER: nothing was done, and the next try finds the new
 * primary. */
static enum MHD_Result
fail_at(struct server *srv, struct MHD_Connection *c, struct request *rq,
        enum cb_errmap_step at, cb_err rc, const char *msg)
{
	if (rc == CB_EIO &&
	    (cb_store_lost(srv->lg->st) || cb_store_lost(srv->admit)))
		return fail_retry(c, rq, 503, STORE_RETRY_AFTER, msg);
	return fail(c, rq, cb_errmap_status(at, rc), msg);
}

static enum MHD_Result
count_args(void *cls, enum MHD_ValueKind kind, const char *key,
           const char *value)
{
	(void)kind;
	(void)key;
	(void)value;
	++*(int *)cls;
	return MHD_YES;
}

/* The hub's view of the key (hubstatus.h): its head, its entries the
 * projection rejected, the numbers of its members others hold too, its
 * scope, and the log's size. */
static enum MHD_Result
serve_status(struct server *srv, struct MHD_Connection *c, struct request *rq,
             const unsigned char *key)
{
	enum cb_errmap_step at = rq->route->admit;
	struct cb_scope sc;
	struct cb_errbuf eb;
	json_t *o = NULL;
	cb_err rc;

	pthread_mutex_lock(&srv->mu);
	rc = cb_ingest_admit(srv->lg->st, key, &eb);
	if (!rc)
		rc = cb_scope_of(srv->lg->st, key, &sc, &eb);
	if (!rc) {
		at = CB_ERRMAP_WORK;
		rc = cb_hubstatus_of_key(srv->lg->st, key, &sc, &o, &eb);
	}
	pthread_mutex_unlock(&srv->mu);
	if (rc)
		return fail_at(srv, c, rq, at, rc, eb.msg);
	return reply(c, rq, 200, o);
}

/* A push (one key's own chain) or, with relay, a lower hub's log (many
 * keys' chains, as its log holds them): a zstd entry stream, taken in one
 * transaction that also signs the checkpoint that covers it. */
static enum MHD_Result
take_stream(struct server *srv, struct MHD_Connection *c, struct request *rq,
            const unsigned char *key, bool relay)
{
	enum cb_errmap_step at = rq->route->admit;
	struct cb_buf raw = CB_BUF_INIT;
	struct cb_push_result res;
	struct cb_errbuf eb;
	const char *enc = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                              "Content-Encoding");
	cb_err (*admit)(struct cb_store *, const unsigned char *,
	                struct cb_errbuf *) =
		relay ? cb_ingest_admit_hub : cb_ingest_admit;
	cb_err rc;

	if (!enc || strcmp(enc, "zstd"))
		return fail(c, rq, 415,
		            relay ? "a relay body is a zstd-compressed entry "
		                    "stream (Content-Encoding: zstd)"
		                  : "a push body is a zstd-compressed entry "
		                    "stream (Content-Encoding: zstd)");
	rc = cb_zbody_decompress(rq->body.data, rq->body.len, MAX_INFLATED,
	                         &raw, &eb);
	if (rc) {
		cb_buf_release(&raw);
		return fail_at(srv, c, rq, CB_ERRMAP_BODY, rc, eb.msg);
	}
	/* Admit the key first, under a short lock; then its entries are
	 * verified on other cores while this request waits for the lock. */
	pthread_mutex_lock(&srv->mu);
	rc = admit(srv->lg->st, key, &eb);
	pthread_mutex_unlock(&srv->mu);
	if (!rc) {
		struct cb_verifier *v = cb_verifier_new(
			raw.data, raw.len, CB_PUSH_MAX_ENTRIES, NULL);

		if (!v) {
			cb_buf_release(&raw);
			return fail_at(srv, c, rq, CB_ERRMAP_WORK, CB_ENOMEM,
			               "out of memory");
		}
		/* What is stored is in the log's checkpoint, signed in the
		 * same transaction, before it is acknowledged. */
		struct cb_ingest_log log = { srv->lg->org, srv->lg->key.sk };

		pthread_mutex_lock(&srv->mu);
		rc = admit(srv->lg->st, key, &eb);
		if (!rc) {
			at = CB_ERRMAP_PUSH;
			rc = relay ? cb_ingest_relay_from(srv->lg->st, v, &log,
			                                  &res, &eb)
			           : cb_ingest_push_from(srv->lg->st, key, v,
			                                 &log, &res, &eb);
		}
		pthread_mutex_unlock(&srv->mu);
		cb_verifier_free(&v);
	}
	cb_buf_release(&raw);
	if (rc)
		return fail_at(srv, c, rq, at, rc, eb.msg);
	snprintf(rq->note, sizeof(rq->note), "accepted=%zu dup=%zu",
	         res.accepted, res.duplicates);
	if (relay)
		return reply(c, rq, res.status,
		             json_pack("{s:I, s:I, s:I, s:I, s:I, s:s?}",
		                       "accepted", (json_int_t)res.accepted,
		                       "rejected", (json_int_t)res.rejected,
		                       "pending", (json_int_t)res.pending,
		                       "duplicates", (json_int_t)res.duplicates,
		                       "forks", (json_int_t)res.forks, "error",
		                       res.status == 200 ? NULL : eb.msg));
	return reply(c, rq, res.status,
	             json_pack("{s:I, s:I, s:I, s:I, s:I, s:s?}", "head",
	                       (json_int_t)res.head, "accepted",
	                       (json_int_t)res.accepted, "rejected",
	                       (json_int_t)res.rejected, "pending",
	                       (json_int_t)res.pending, "duplicates",
	                       (json_int_t)res.duplicates, "error",
	                       res.status == 200 ? NULL : eb.msg));
}

static enum MHD_Result
serve_push(struct server *srv, struct MHD_Connection *c, struct request *rq,
           const unsigned char *key)
{
	return take_stream(srv, c, rq, key, false);
}

/* A lower hub's log, relayed up (docs/PROTOCOL.md, POST /v1/relay). */
static enum MHD_Result
serve_relay(struct server *srv, struct MHD_Connection *c, struct request *rq,
            const unsigned char *key)
{
	return take_stream(srv, c, rq, key, true);
}

/* Does the client take zstd (Accept-Encoding, RFC 9110 12.5.3): a
 * "zstd" element whose weight, if given, is not 0? */
static bool
accepts_zstd(struct MHD_Connection *c)
{
	const char *p = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                            "Accept-Encoding");

	while (p && *p) {
		size_t n;

		p += strspn(p, " \t,");
		n = strcspn(p, " \t;,");
		if (n == 4 && !strncasecmp(p, "zstd", 4)) {
			const char *q = p + n + strspn(p + n, " \t");

			if (*q != ';')
				return true;
			q += 1 + strspn(q + 1, " \t");
			return strncasecmp(q, "q=", 2) ||
			       strtod(q + 2, NULL) > 0;
		}
		p = strchr(p, ',');
	}
	return false;
}

/* An entry stream (out, taken), zstd-compressed when the client takes it,
 * with where to go on from in Chibo-Next, whether there is more in
 * Chibo-More, how many in Chibo-Count. */
static enum MHD_Result
reply_stream(struct MHD_Connection *c, struct request *rq, struct cb_buf *out,
             bool zstd, int64_t next, bool more, size_t count)
{
	struct MHD_Response *resp;
	struct cb_errbuf eb;
	enum MHD_Result r;
	char num[32];

	if (zstd) {
		struct cb_buf z = CB_BUF_INIT;
		cb_err rc = cb_zbody_compress(out->data, out->len, 3, &z, &eb);

		cb_buf_release(out);
		if (rc) {
			cb_buf_release(&z);
			return fail(c, rq, cb_errmap_status(CB_ERRMAP_WORK, rc),
			            eb.msg);
		}
		*out = z;
	}
	resp = MHD_create_response_from_buffer(out->len, out->data,
	                                       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		cb_buf_release(out);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
	                        "application/vnd.chibo.entries");
	if (zstd)
		MHD_add_response_header(resp, "Content-Encoding", "zstd");
	MHD_add_response_header(resp, "Vary", "Accept-Encoding");
	snprintf(num, sizeof(num), "%lld", (long long)next);
	MHD_add_response_header(resp, "Chibo-Next", num);
	MHD_add_response_header(resp, "Chibo-More", more ? "1" : "0");
	snprintf(num, sizeof(num), "%zu", count);
	MHD_add_response_header(resp, "Chibo-Count", num);
	snprintf(rq->note, sizeof(rq->note), "sent=%zu next=%lld", count,
	         (long long)next);
	rq->status = 200;
	r = MHD_queue_response(c, 200, resp);
	MHD_destroy_response(resp);
	return r;
}

/* The entries in the key's scope after a cursor on the hub's log: an
 * entry stream, zstd-compressed when the client takes it; where to go on
 * from in Chibo-Next, whether there is more in Chibo-More. */
static enum MHD_Result
serve_pull(struct server *srv, struct MHD_Connection *c, struct request *rq,
           const unsigned char *key)
{
	enum cb_errmap_step at = rq->route->admit;
	struct cb_buf out = CB_BUF_INIT;
	struct cb_scope_page pg;
	struct cb_scope sc;
	struct cb_errbuf eb;
	json_error_t je;
	json_t *q, *after, *limit;
	json_int_t n = PULL_DEFAULT;
	bool zstd = accepts_zstd(c);
	cb_err rc;

	q = json_loadb((const char *)rq->body.data, rq->body.len,
	               JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(q)) {
		json_decref(q);
		return fail(c, rq, 400,
		            "a pull body is a JSON object "
		            "{\"after\": N, \"limit\": N}");
	}
	after = json_object_get(q, "after");
	limit = json_object_get(q, "limit");
	if (!json_is_integer(after) || json_integer_value(after) < 0 ||
	    (limit &&
	     (!json_is_integer(limit) || json_integer_value(limit) < 1 ||
	      json_integer_value(limit) > PULL_MAX)) ||
	    json_object_size(q) != 1u + (limit != NULL)) {
		json_decref(q);
		return fail(c, rq, 400,
		            "pull takes \"after\" (a log position, 0 or "
		            "more) and an optional \"limit\" (1 to 5000), "
		            "nothing else");
	}
	if (limit)
		n = json_integer_value(limit);
	pthread_mutex_lock(&srv->mu);
	rc = cb_ingest_admit(srv->lg->st, key, &eb);
	if (!rc)
		rc = cb_scope_of(srv->lg->st, key, &sc, &eb);
	if (!rc) {
		at = CB_ERRMAP_WORK;
		rc = cb_scope_read(srv->lg->st, &sc, json_integer_value(after),
		                   (size_t)n, PULL_BYTES, &out, &pg, &eb);
	}
	pthread_mutex_unlock(&srv->mu);
	json_decref(q);
	if (rc) {
		cb_buf_release(&out);
		return fail_at(srv, c, rq, at, rc, eb.msg);
	}
	return reply_stream(c, rq, &out, zstd, pg.next, pg.more, pg.count);
}

/* The request body as a JSON object whose members are all among names
 * (an empty body is an empty object); NULL if it is not. */
static json_t *
body_object(const struct request *rq, const char *const *names)
{
	json_error_t je;
	const char *k;
	json_t *o, *v;

	if (!rq->body.len)
		return json_object();
	o = json_loadb((const char *)rq->body.data, rq->body.len,
	               JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(o)) {
		json_decref(o);
		return NULL;
	}
	json_object_foreach(o, k, v)
	{
		size_t i = 0;

		while (names[i] && strcmp(names[i], k))
			i++;
		if (!names[i]) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* A member that must be an integer in lo..hi if present; *out keeps its
 * default when absent. */
static bool
get_int(json_t *o, const char *name, json_int_t lo, json_int_t hi,
        json_int_t *out)
{
	json_t *v = json_object_get(o, name);

	if (!v)
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi)
		return false;
	*out = json_integer_value(v);
	return true;
}

/* The requesting key's own entries after a seq, as an entry stream: what
 * a replica restored from an old copy lacks of its own chain (PROTOCOL.md,
 * "POST /v1/own"). */
static enum MHD_Result
serve_own(struct server *srv, struct MHD_Connection *c, struct request *rq,
          const unsigned char *key)
{
	static const char *const names[] = { "after", "limit", NULL };
	struct cb_buf out = CB_BUF_INIT;
	struct cb_scope_page pg;
	struct cb_errbuf eb;
	enum cb_errmap_step at = rq->route->admit;
	json_int_t after = -1, n = PULL_DEFAULT;
	json_t *q = body_object(rq, names);
	bool zstd = accepts_zstd(c);
	cb_err rc;

	if (!q || !get_int(q, "after", 0, INT64_MAX, &after) || after < 0 ||
	    !get_int(q, "limit", 1, PULL_MAX, &n)) {
		json_decref(q);
		return fail(c, rq, 400,
		            "an own request is {\"after\": SEQ, \"limit\": 1 "
		            "to 5000}");
	}
	json_decref(q);
	pthread_mutex_lock(&srv->mu);
	rc = cb_ingest_admit(srv->lg->st, key, &eb);
	if (!rc) {
		at = CB_ERRMAP_WORK;
		rc = cb_scope_read_own(srv->lg->st, key, (uint64_t)after,
		                       (size_t)n, PULL_BYTES, &out, &pg, &eb);
	}
	pthread_mutex_unlock(&srv->mu);
	if (rc) {
		cb_buf_release(&out);
		return fail_at(srv, c, rq, at, rc, eb.msg);
	}
	return reply_stream(c, rq, &out, zstd, pg.next, pg.more, pg.count);
}

/* The latest signed checkpoint and, given "from" (the size of the
 * checkpoint the client holds), the proof that this log extends it. */
static enum MHD_Result
serve_checkpoint(struct server *srv, struct MHD_Connection *c,
                 struct request *rq, const unsigned char *key)
{
	static const char *const names[] = { "from", NULL };
	enum cb_errmap_step at = rq->route->admit;
	uint8_t path[CB_MERKLE_MAX_PATH][CB_MERKLE_HASH];
	uint8_t wpath[CB_MERKLE_MAX_PATH][CB_MERKLE_HASH];
	struct cb_errbuf eb;
	json_int_t from = 0;
	uint64_t size = 0;
	int64_t wsize = 0;
	size_t n = 0, wn = 0;
	bool witnessed = false;
	char *note = NULL, *wnote = NULL;
	json_t *q = body_object(rq, names);
	cb_err rc;

	if (!q || !get_int(q, "from", 0, INT64_MAX, &from)) {
		json_decref(q);
		return fail(c, rq, 400,
		            "a checkpoint request is empty or "
		            "{\"from\": SIZE}, the size of the checkpoint "
		            "you hold");
	}
	json_decref(q);
	pthread_mutex_lock(&srv->mu);
	rc = cb_ingest_admit(srv->lg->st, key, &eb);
	if (!rc) {
		at = CB_ERRMAP_WORK;
		rc = hub_log_latest(srv->lg, &size, &note, &eb);
	}
	if (!rc && from && (uint64_t)from > size) {
		at = CB_ERRMAP_ASKED;
		rc = cb_error(
			&eb, CB_ECHAIN,
			_("you hold a checkpoint of size %lld; this hub's "
		          "latest is of size %llu"),
			(long long)from, (unsigned long long)size);
	}
	if (!rc && from)
		rc = cb_merkle_consistency_proof(
			cb_tlog_node, cb_store_log(srv->lg->st), (uint64_t)from,
			size, path, &n, &eb);
	/* this hub's checkpoint its higher hub cosigned as its witness,
	 * and the proof that the latest extends it */
	if (!rc &&
	    cb_store_meta_get(srv->lg->st, "witnessed", &wnote, NULL) ==
	            CB_OK &&
	    cb_sync_state_get_num(srv->lg->st, CB_SYNC_WITNESS_SIZE, &wsize,
	                          &eb) == CB_OK &&
	    wsize > 0 && (uint64_t)wsize <= size &&
	    cb_merkle_consistency_proof(cb_tlog_node, cb_store_log(srv->lg->st),
	                                (uint64_t)wsize, size, wpath, &wn,
	                                &eb) == CB_OK)
		witnessed = true;
	pthread_mutex_unlock(&srv->mu);
	if (rc) {
		free(note);
		free(wnote);
		return fail_at(srv, c, rq, at, rc, eb.msg);
	}
	snprintf(rq->note, sizeof(rq->note), "size=%llu",
	         (unsigned long long)size);
	q = json_pack("{s:s, s:I, s:I, s:o}", "checkpoint", note, "size",
	              (json_int_t)size, "from", from, "consistency",
	              cb_merkle_path_json((const uint8_t(*)[32])path, n));
	if (q && witnessed &&
	    (json_object_set_new(q, "witnessed", json_string(wnote)) ||
	     json_object_set_new(
		     q, "witnessed_consistency",
		     cb_merkle_path_json((const uint8_t(*)[32])wpath, wn)))) {
		json_decref(q);
		q = NULL;
	}
	free(note);
	free(wnote);
	return reply(c, rq, 200, q);
}

/* The witness of the hubs under this one (C2SP tlog-witness
 * add-checkpoint; witness.h): a lower hub's checkpoint, cosigned if it
 * extends the last one cosigned for its log. Only a key enrolled with the
 * role 'hub' may ask, for its own log (chibo/hub/ORG of its enrolment),
 * whose checkpoints that key signs. */
static enum MHD_Result
serve_witness(struct server *srv, struct MHD_Connection *c, struct request *rq,
              const unsigned char *key)
{
	enum cb_errmap_step at = rq->route->admit;
	struct cb_witness_req w;
	char origin[CB_CHECKPOINT_ORIGIN_MAX + 1];
	char name[CB_CHECKPOINT_ORIGIN_MAX + 1];
	struct cb_scope sc;
	struct cb_errbuf eb;
	uint64_t held = 0;
	char *line = NULL;
	cb_err rc;

	pthread_mutex_lock(&srv->mu);
	rc = cb_ingest_admit_hub(srv->lg->st, key, &eb);
	if (!rc)
		rc = cb_scope_of(srv->lg->st, key, &sc, &eb);
	pthread_mutex_unlock(&srv->mu);
	if (rc)
		return fail_at(srv, c, rq, at, rc, eb.msg);
	if (cb_witness_parse(rq->body.data, rq->body.len, &w, &eb))
		return fail(c, rq, 400, eb.msg);
	cb_tlog_origin(sc.root, origin, sizeof(origin));
	cb_tlog_origin(srv->lg->org, name, sizeof(name));
	pthread_mutex_lock(&srv->mu);
	rc = cb_witness_add(srv->lg->st, &w, origin, key, name, srv->lg->key.sk,
	                    now_s(), &held, &line, &eb);
	pthread_mutex_unlock(&srv->mu);
	switch (rc) {
	case CB_OK:
		snprintf(rq->note, sizeof(rq->note), "cosigned %.40s", sc.root);
		return reply_raw(c, rq, 200, "text/plain; charset=utf-8", line,
		                 0);
	case CB_ECHAIN: {
		/* C2SP: the size this witness holds, for the log to prove
		 * from */
		char *n = malloc(24);

		if (n)
			snprintf(n, 24, "%llu\n", (unsigned long long)held);
		return reply_raw(c, rq, 409, "text/x.tlog.size", n, 0);
	}
	case CB_EINVAL: return fail(c, rq, 400, eb.msg);
	case CB_ECRYPTO: return fail(c, rq, 403, eb.msg);
	case CB_ERULE: return fail(c, rq, 422, eb.msg);
	default: return fail_at(srv, c, rq, CB_ERRMAP_WORK, rc, eb.msg);
	}
}

#define PROOF_IDS 64

/* Inclusion proofs of entries, named by id, in the tree of "size"
 * leaves (a checkpoint's). */
static enum MHD_Result
serve_proof(struct server *srv, struct MHD_Connection *c, struct request *rq,
            const unsigned char *key)
{
	static const char *const names[] = { "size", "ids", NULL };
	enum cb_errmap_step at = rq->route->admit;
	unsigned char ids[PROOF_IDS][CB_HASH_BYTES];
	uint8_t path[CB_MERKLE_MAX_PATH][CB_MERKLE_HASH];
	struct cb_errbuf eb;
	struct cb_log *log = cb_store_log(srv->lg->st);
	json_int_t size = 0;
	json_t *q = body_object(rq, names), *list, *out = NULL;
	size_t nids;
	uint64_t tree = 0;
	cb_err rc;

	list = json_object_get(q, "ids");
	nids = json_array_size(list);
	if (!q || !get_int(q, "size", 1, INT64_MAX, &size) || !size ||
	    !json_is_array(list) || nids < 1 || nids > PROOF_IDS) {
		json_decref(q);
		return fail(c, rq, 400,
		            "a proof request is {\"size\": N, \"ids\": [1 to "
		            "64 entry ids in hex]}");
	}
	for (size_t i = 0; i < nids; i++) {
		const char *h = json_string_value(json_array_get(list, i));

		if (!h || strlen(h) != 2 * CB_HASH_BYTES ||
		    cb_hex_decode(h, ids[i], CB_HASH_BYTES, &eb)) {
			json_decref(q);
			return fail(c, rq, 400,
			            "\"ids\" holds entry ids: 64 hex digits "
			            "each");
		}
	}
	json_decref(q);
	pthread_mutex_lock(&srv->mu);
	rc = cb_ingest_admit(srv->lg->st, key, &eb);
	if (!rc) {
		at = CB_ERRMAP_WORK;
		rc = cb_tlog_size(log, &tree, &eb);
	}
	if (!rc && (uint64_t)size > tree) {
		at = CB_ERRMAP_ASKED;
		rc = cb_error(&eb, CB_ENOTFOUND,
		              _("this hub's log has %llu entries, not %lld"),
		              (unsigned long long)tree, (long long)size);
	}
	if (!rc)
		out = json_array();
	for (size_t i = 0; !rc && i < nids; i++) {
		char hex[CB_HASH_HEX];
		int64_t lsn = 0;
		size_t n = 0;

		cb_hash_hex(ids[i], hex);
		rc = cb_log_lsn_of(log, ids[i], &lsn, &eb);
		if ((!rc && lsn > size) || rc == CB_ENOTFOUND) {
			at = CB_ERRMAP_ASKED;
			rc = cb_error(&eb, CB_ENOTFOUND,
			              _("entry %s is not in this hub's log%s"),
			              hex, rc ? "" : " at that size");
		}
		if (!rc)
			rc = cb_merkle_inclusion_proof(
				cb_tlog_node, log, (uint64_t)lsn - 1,
				(uint64_t)size, path, &n, &eb);
		if (!rc)
			json_array_append_new(
				out,
				json_pack("{s:s, s:I, s:o}", "id", hex, "index",
			                  (json_int_t)lsn - 1, "path",
			                  cb_merkle_path_json(
						  (const uint8_t(*)[32])path,
						  n)));
	}
	pthread_mutex_unlock(&srv->mu);
	if (rc) {
		json_decref(out);
		return fail_at(srv, c, rq, at, rc, eb.msg);
	}
	return reply(c, rq, 200,
	             json_pack("{s:I, s:o}", "size", size, "proofs", out));
}

/* The log itself, by index (log_page.h): entries start.. in log order,
 * for an auditor's key only (the whole log is every commune's members). */
static enum MHD_Result
serve_entries(struct server *srv, struct MHD_Connection *c, struct request *rq,
              const unsigned char *key)
{
	static const char *const names[] = { "start", "limit", NULL };
	enum cb_errmap_step at = rq->route->admit;
	struct cb_buf out = CB_BUF_INIT;
	struct cb_log_page pg;
	struct cb_scope sc;
	struct cb_errbuf eb;
	json_int_t start = -1, n = PULL_DEFAULT;
	json_t *q = body_object(rq, names);
	bool zstd = accepts_zstd(c);
	cb_err rc;

	if (!q || !get_int(q, "start", 0, INT64_MAX, &start) || start < 0 ||
	    !get_int(q, "limit", 1, PULL_MAX, &n)) {
		json_decref(q);
		return fail(c, rq, 400,
		            "an entries request is {\"start\": INDEX, "
		            "\"limit\": 1 to 5000}");
	}
	json_decref(q);
	pthread_mutex_lock(&srv->mu);
	rc = cb_ingest_admit(srv->lg->st, key, &eb);
	if (!rc)
		rc = cb_scope_of(srv->lg->st, key, &sc, &eb);
	if (!rc && !sc.all) {
		at = CB_ERRMAP_ASKED;
		rc = cb_error(&eb, CB_ESCOPE,
		              _("the log by index is for auditors' keys; this "
		                "key reads its scope with /v1/pull"));
	}
	if (!rc) {
		at = CB_ERRMAP_WORK;
		rc = cb_log_page(cb_store_log(srv->lg->st), start, (size_t)n,
		                 PULL_BYTES, &out, &pg, &eb);
	}
	pthread_mutex_unlock(&srv->mu);
	if (rc) {
		cb_buf_release(&out);
		return fail_at(srv, c, rq, at, rc, eb.msg);
	}
	return reply_stream(c, rq, &out, zstd, pg.next, pg.more, pg.count);
}

/* API v1 (PROTOCOL.md), one row an endpoint. The last column is the
 * step at which a handler's own admission of the key answers (errmap.h):
 * the four endpoints that came after status, pull and push answer 401
 * to any failure of it, where those answer 503 when the store cannot
 * say; kept as it was (docs/internals/hub-requests.md). */
static const struct route routes[] = {
	{ "/v1/status", "GET", NULL, serve_status, CB_ERRMAP_ADMIT },
	{ "/v1/push", "POST", NULL, serve_push, CB_ERRMAP_ADMIT },
	{ "/v1/relay", "POST", NULL, serve_relay, CB_ERRMAP_ADMIT },
	{ "/v1/witness/add-checkpoint", "POST", NULL, serve_witness,
	  CB_ERRMAP_READMIT },
	{ "/v1/pull", "POST", NULL, serve_pull, CB_ERRMAP_ADMIT },
	{ "/v1/checkpoint", "GET", "POST", serve_checkpoint,
	  CB_ERRMAP_READMIT },
	{ "/v1/proof", "POST", NULL, serve_proof, CB_ERRMAP_READMIT },
	{ "/v1/entries", "POST", NULL, serve_entries, CB_ERRMAP_READMIT },
	{ "/v1/own", "POST", NULL, serve_own, CB_ERRMAP_READMIT },
};

/* The endpoint's index in routes, or -1. */
static int
route_of(const char *url, const char *method)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (!strcmp(url, routes[i].path) &&
		    (!strcmp(method, routes[i].method) ||
		     (routes[i].method2 && !strcmp(method, routes[i].method2))))
			return (int)i;
	return -1;
}

/* Is the request's authority one of the hub's own? msg: why not. */
static int
check_authority(const struct server *srv, const char *host,
                char authority[CB_HTTPSIG_AUTHORITY_MAX + 1], char *msg,
                size_t len)
{
	struct cb_errbuf eb;

	if (!host) {
		snprintf(msg, len, "no Host header");
		return 400;
	}
	if (cb_httpsig_authority(host, authority, &eb)) {
		snprintf(msg, len, "the Host header: %.400s", eb.msg);
		return 400;
	}
	for (size_t i = 0; i < srv->nnames; i++)
		if (!strcmp(authority, srv->names[i]))
			return 0;
	snprintf(msg, len,
	         N_("this hub is not '%s' (it answers to %s%s); if it is "
	            "reached by that name, add it to 'names' in hub.conf"),
	         authority, srv->names[0], srv->nnames > 1 ? ", …" : "");
	return 421;
}

/* A request with a Chibo-Grant header (PROTOCOL.md, "Sync keys"): the
 * grant must verify, be to the key that signed the request and not dated
 * ahead, and that key must be enrolled nowhere here in its own right (a
 * key is one thing: an author, or a sync key). Then p->key becomes the
 * grant's principal, whose admission is the request's. 0, or the status
 * of a refusal with msg saying why. */
static int
admit_grant(struct server *srv, struct MHD_Connection *c,
            struct cb_httpsig_params *p, char *msg, size_t len)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                            CB_GRANT_HEADER);
	struct cb_grant g;
	struct cb_errbuf eb;
	cb_err rc;

	if (!v)
		return 0;
	if (cb_grant_parse(v, &g, &eb)) {
		snprintf(msg, len, "%s", eb.msg);
		return 401;
	}
	if (sodium_memcmp(g.request, p->key, CB_KEY_BYTES) != 0) {
		snprintf(msg, len,
		         "the grant is for another key than the one that "
		         "signed the request");
		return 401;
	}
	if (g.created > now_s() + 60) {
		snprintf(msg, len, N_("the grant is dated in the future"));
		return 401;
	}
	pthread_mutex_lock(&srv->admit_mu);
	rc = cb_ingest_admit(srv->admit, p->key, &eb);
	pthread_mutex_unlock(&srv->admit_mu);
	if (rc == CB_EIO) {
		snprintf(msg, len, "%s", eb.msg);
		return 503;
	}
	if (rc != CB_ECRYPTO) { /* CB_ECRYPTO: not enrolled here */
		char hex[2 * CB_KEY_BYTES + 1];

		cb_hex_encode(p->key, CB_KEY_BYTES, hex);
		snprintf(msg, len,
		         "key %.12s is enrolled itself: it signs its requests "
		         "without a grant",
		         hex);
		return 401;
	}
	memcpy(p->key, g.principal, CB_KEY_BYTES);
	return 0;
}

/* The first call, with the headers only: every check that does not need
 * the body, so that a request that fails one is answered before any byte
 * of its body is read (MHD then closes the connection). Nothing is kept
 * of a request — no nonce, no contact — until its signature verifies and
 * its key is admitted. */
/* A request signed by a key the hub refuses (why) as enrolled and
 * revoked — succeeded, a stolen laptop's: the district is told, in the
 * contacts table ('chibo-hub status') and as a warning in the journal. At
 * most one write per key and second of its created, as for a contact: a
 * revoked key sending in a loop does not make the hub write in a loop;
 * a stranger's keys never make it write. A failure to record is logged;
 * the request is refused anyway. */
static void
note_refused(struct server *srv, const struct cb_httpsig_params *p,
             int endpoint, const char *url, const char *why)
{
	char hex[2 * CB_KEY_BYTES + 1];
	struct cb_errbuf eb;
	bool noted = false;
	/* A refusal's tag is its own (a contact's is the endpoint, >= 0):
	 * a key revoked in the second of its last accepted request to the
	 * same endpoint still has its refusal recorded. */
	int tag = -2 - endpoint;
	cb_err rc;

	if (!cb_replay_unrecorded(srv->replay, p->key, p->created, tag))
		return;
	cb_hex_encode(p->key, CB_KEY_BYTES, hex);
	pthread_mutex_lock(&srv->mu);
	rc = cb_contacts_refused(srv->lg->st, hex,
	                         url + (strncmp(url, "/v1/", 4) ? 0 : 4),
	                         &noted, &eb);
	pthread_mutex_unlock(&srv->mu);
	if (rc)
		cb_journal(CB_PRIO_ERR,
		           "chibo-hub: cannot record the refused request of "
		           "key %.12s: %s",
		           hex, eb.msg);
	if (!noted)
		return;
	cb_replay_recorded(srv->replay, p->key, p->created, tag);
	cb_journal(CB_PRIO_WARNING,
	           "chibo-hub: refused a request signed by revoked key "
	           "%.12s: %s",
	           hex, why);
}

static enum MHD_Result
admit_headers(struct server *srv, struct MHD_Connection *c, struct request *rq,
              const char *url, const char *method)
{
	struct cb_httpsig_request hr = { 0 };
	struct cb_httpsig_params p;
	struct cb_errbuf eb;
	char authority[CB_HTTPSIG_AUTHORITY_MAX + 1], msg[CB_ERRBUF_SIZE];
	const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                              "Content-Length");
	int nargs = 0, status, endpoint;
	bool revoked;
	unsigned long long declared = 0;
	cb_err rc;

	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, count_args, &nargs);
	if (nargs)
		return fail(c, rq, 400, "API v1 takes no query string");
	if ((status = check_authority(
		     srv,
		     MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host"),
		     authority, msg, sizeof(msg))))
		return fail(c, rq, status, msg);
	hr.method = method;
	hr.path = url;
	hr.query = "";
	hr.authority = authority;
	hr.content_digest = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                                "Content-Digest");
	if ((rc = cb_httpsig_verify(
		     &hr,
		     MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                         "Signature-Input"),
		     MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                         "Signature"),
		     now_s(), srv->sig_window, &p, &eb)))
		return fail_at(srv, c, rq, CB_ERRMAP_SIGNED, rc, eb.msg);
	/* A sync key's request is its principal's (grant.h): from here on
	 * p.key is the key the request acts for. */
	if ((status = admit_grant(srv, c, &p, msg, sizeof(msg))))
		return fail(c, rq, status, msg);
	cb_hash_short(p.key, rq->key_short);
	pthread_mutex_lock(&srv->admit_mu);
	rc = cb_ingest_admit_revoked(srv->admit, p.key, &revoked, &eb);
	pthread_mutex_unlock(&srv->admit_mu);
	endpoint = route_of(url, method);
	if (revoked)
		note_refused(srv, &p, endpoint, url, eb.msg);
	if (rc)
		return fail_at(srv, c, rq, CB_ERRMAP_ADMIT, rc, eb.msg);
	if (endpoint < 0)
		return fail(c, rq, 404, N_("no such endpoint"));
	rq->route = &routes[endpoint];
	/* A body comes with its length, so that it is judged before it is
	 * read; chunked uploads are not taken. */
	if (MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                "Transfer-Encoding"))
		return fail(c, rq, 411,
		            "send the body with a Content-Length, not "
		            "chunked");
	if (len && (strspn(len, "0123456789") != strlen(len) || !*len ||
	            strlen(len) > 19 ||
	            (declared = strtoull(len, NULL, 10)) > srv->max_body)) {
		snprintf(msg, sizeof(msg),
		         N_("the request body is over this hub's limit of %zu "
		            "bytes"),
		         srv->max_body);
		return fail(c, rq, 413, msg);
	}
	rc = cb_replay_add(srv->replay, p.key, p.nonce, p.created, now_s(),
	                   &eb);
	/* a full share has room again when its oldest nonce expires; the
	 * hub that cannot say is asked again in a second */
	if ((status = cb_errmap_status(CB_ERRMAP_NONCE, rc)) == 429)
		return fail_retry(c, rq, status,
		                  cb_replay_wait(srv->replay, p.key, now_s()),
		                  eb.msg);
	if (status == 503)
		return fail_retry(c, rq, status, 1, eb.msg);
	/* This very request came before: its sender may sign it again
	 * (PROTOCOL.md, "API v1") */
	rq->replayed = rc == CB_EEXIST;
	if (rc)
		return fail(c, rq, status, eb.msg);
	/* Its created on disk before anything is done for it, so that after
	 * a restart it is refused; and its last contact and endpoint, for
	 * 'report sync'. A key's requests to one endpoint signed in one
	 * second cost one write. */
	if (cb_replay_unrecorded(srv->replay, p.key, p.created, endpoint)) {
		char hex[2 * CB_KEY_BYTES + 1];

		cb_hex_encode(p.key, CB_KEY_BYTES, hex);
		pthread_mutex_lock(&srv->mu);
		rc = cb_contacts_note(srv->lg->st, hex,
		                      url + (strncmp(url, "/v1/", 4) ? 0 : 4),
		                      p.created, &eb);
		pthread_mutex_unlock(&srv->mu);
		if (rc) {
			/* the request log says why; the client, what to do */
			cb_journal(
				CB_PRIO_ERR,
				"chibo-hub: cannot record the contact of key "
				"%.12s: %s",
				hex, eb.msg);
			return fail_retry(
				c, rq, cb_errmap_status(CB_ERRMAP_WORK, rc), 1,
				"the hub cannot record this request "
				"now; try again");
		}
		cb_replay_recorded(srv->replay, p.key, p.created, endpoint);
	}
	memcpy(rq->key, p.key, CB_KEY_BYTES);
	return MHD_YES;
}

/* The last call: the body is in. */
static enum MHD_Result
handle(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
	struct cb_errbuf eb;
	cb_err rc = cb_content_digest_check(
		MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                    "Content-Digest"),
		rq->body.data, rq->body.len, &eb);

	if (rc)
		return fail_at(srv, c, rq, CB_ERRMAP_SIGNED, rc, eb.msg);
	return rq->route->serve(srv, c, rq, rq->key);
}

/* The first call of a request for the dashboard (dashboard.h), with its
 * headers: the hub's names and the limits on a body hold for it as for
 * API v1 (a form is at most HUB_DASH_BODY_MAX bytes); the rest is the
 * dashboard's, on the last call. Its answers are pages and lines of
 * text, not API v1's JSON. */
static enum MHD_Result
dash_headers(struct server *srv, struct MHD_Connection *c, struct request *rq)
{
	const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                              "Content-Length");
	char msg[CB_ERRBUF_SIZE];
	int status;

	rq->dash = true;
	if (!(status = check_authority(
		      srv,
		      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host"),
		      rq->authority, msg, sizeof(msg))) &&
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                "Transfer-Encoding")) {
		status = 411;
		snprintf(msg, sizeof(msg),
		         "send the form with a "
		         "Content-Length, not chunked");
	}
	if (!status && len &&
	    (strspn(len, "0123456789") != strlen(len) || !*len ||
	     strlen(len) > 19 || strtoull(len, NULL, 10) > HUB_DASH_BODY_MAX)) {
		status = 413;
		snprintf(msg, sizeof(msg), "a form is at most %u bytes",
		         (unsigned)HUB_DASH_BODY_MAX);
	}
	if (!status)
		return MHD_YES;
	rq->status = status;
	return cb_web_refuse(c, (unsigned)status, msg);
}

/* The guard's record of a connection (NULL if it has none). */
static struct cb_connguard_conn *
guarded(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static enum MHD_Result
take_request(void *cls, struct MHD_Connection *c, const char *url,
             const char *method, const char *version, const char *upload,
             size_t *upload_size, void **con_cls)
{
	struct server *srv = cls;
	struct request *rq = *con_cls;

	(void)version;
	if (!rq) {
		/* First call: headers only. A request let in is answered on
		 * the last call; one refused is answered now, and MHD reads
		 * none of its body and closes the connection. */
		if (!(rq = calloc(1, sizeof(*rq))))
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &rq->start);
		snprintf(rq->method, sizeof(rq->method), "%s", method);
		snprintf(rq->path, sizeof(rq->path), "%s", url);
		*con_cls = rq;
		cb_connguard_headers_in(srv->guard, guarded(c),
		                        cb_connguard_now());
		if (hub_dash_url(url))
			return dash_headers(srv, c, rq);
		return admit_headers(srv, c, rq, url, method);
	}
	if (*upload_size) {
		/* MHD stops at the Content-Length, which was checked */
		if (rq->body.len + *upload_size >
		            (rq->dash ? HUB_DASH_BODY_MAX : srv->max_body) ||
		    cb_buf_add(&rq->body, upload, *upload_size))
			return MHD_NO;
		cb_connguard_body(srv->guard, guarded(c), *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	cb_connguard_busy(srv->guard, guarded(c));
	if (rq->dash)
		return hub_dash_serve(srv->dash, c, url, method, rq->authority,
		                      (const char *)rq->body.data, rq->body.len,
		                      &rq->status, rq->note);
	return handle(srv, c, rq);
}

/* What the hub answers is the protocol: English, whatever the locale it
 * was started in (an agent shows the hub's words to its user as they
 * are). */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
           const char *method, const char *version, const char *upload,
           size_t *upload_size, void **con_cls)
{
	enum MHD_Result r;

	/* the dashboard's pages are for people: their language */
	if (hub_dash_url(url))
		return take_request(cls, c, url, method, version, upload,
		                    upload_size, con_cls);
	cb_lang_english_begin();
	r = take_request(cls, c, url, method, version, upload, upload_size,
	                 con_cls);
	cb_lang_english_end();
	return r;
}

/* A connection opened or closed: on or off the guard. MHD calls CLOSED
 * before it closes the socket (daemon.c, MHD_cleanup_connections), so
 * the reaper never shuts down a socket number that was reused. */
static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
              enum MHD_ConnectionNotificationCode toe)
{
	struct server *srv = cls;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		cb_connguard_close(srv->guard,
		                   (struct cb_connguard_conn **)socket_context);
		return;
	}
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci)
		*socket_context = cb_connguard_open(srv->guard, ci->connect_fd,
		                                    cb_connguard_now());
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char addr[64] = "?", when[32];
	struct timespec end;
	time_t t = time(NULL);
	struct tm tm;

	if (!rq)
		return;
	/* the next request's headers are due from now */
	cb_connguard_idle(((struct server *)cls)->guard, guarded(c),
	                  cb_connguard_now());
	clock_gettime(CLOCK_MONOTONIC, &end);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;

		if (sa->sa_family == AF_INET)
			inet_ntop(
				AF_INET,
				&((const struct sockaddr_in *)(const void *)sa)
					 ->sin_addr,
				addr, sizeof(addr));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(
				AF_INET6,
				&((const struct sockaddr_in6 *)(const void *)sa)
					 ->sin6_addr,
				addr, sizeof(addr));
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* the hub's own failures (5xx) are errors; a client's refused
	 * request (4xx) a notice; the rest information */
	cb_journal(rq->status >= 500   ? CB_PRIO_ERR
	           : rq->status >= 400 ? CB_PRIO_NOTICE
	                               : CB_PRIO_INFO,
	           "%s %s %s %s %d %ldms key=%s %s%s", when, addr, rq->method,
	           rq->path, rq->status,
	           (long)((end.tv_sec - rq->start.tv_sec) * 1000 +
	                  (end.tv_nsec - rq->start.tv_nsec) / 1000000),
	           rq->key_short[0] ? rq->key_short : "-", rq->note,
	           toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? ""
	                                                      : " (cut off)");
	cb_buf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
}

static const struct argdef defs[] = {
	{ "listen", "HOST:PORT",
	  N_("address to listen on (default "
	     "127.0.0.1:8443; port 0 picks one)") },
	{ "threads", "N", N_("worker threads (default 4)") },
	{ "config", "FILE",
	  N_("read the settings from FILE (default: hub.conf in the hub "
	     "directory, if it is there); --listen and --threads override "
	     "it") },
	{ NULL, NULL, NULL },
};

static char *
read_file(const char *path, struct cb_errbuf *eb)
{
	FILE *fp = fopen(path, "r");
	struct cb_buf b = CB_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!fp) {
		cb_error(eb, CB_EIO, _("cannot open '%s': %s"), path,
		         strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (cb_buf_add(&b, chunk, n)) {
			fclose(fp);
			cb_buf_release(&b);
			return NULL;
		}
	fclose(fp);
	return (char *)cb_buf_detach(&b, NULL);
}

/* A listening TCP socket on sa, non-blocking, with the port it got. */
static int
listen_on(const struct sockaddr_in *sa, unsigned *port)
{
	struct sockaddr_in got;
	socklen_t n = sizeof(got);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
	    on = 1;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) ||
	    listen(fd, SOMAXCONN) ||
	    getsockname(fd, (struct sockaddr *)&got, &n)) {
		close(fd);
		return -1;
	}
	*port = ntohs(got.sin_port);
	return fd;
}

/* Add host:port to srv's names, normalised, unless it is there. */
static void
add_name(struct server *srv, const char *host, unsigned port)
{
	char typed[CB_HTTPSIG_AUTHORITY_MAX + 16];
	char norm[CB_HTTPSIG_AUTHORITY_MAX + 1];
	void *more;

	snprintf(typed, sizeof(typed), "%s:%u", host, port);
	if (cb_httpsig_authority(port ? typed : host, norm, NULL))
		return; /* a host name that is no authority: not ours */
	for (size_t i = 0; i < srv->nnames; i++)
		if (!strcmp(srv->names[i], norm))
			return;
	if (!(more = realloc(srv->names,
	                     (srv->nnames + 1) * sizeof(*srv->names))))
		return;
	srv->names = more;
	memcpy(srv->names[srv->nnames++], norm, sizeof(norm));
}

/* The authorities the hub answers to (PROTOCOL.md, "Request
 * signatures"): the address it listens on (every IPv4 address of the
 * machine when that is 0.0.0.0) and the machine's host name, with the
 * port it listens on; and the configured names (NAT, DNS). */
static void
find_names(struct server *srv, const struct hub_config *cfg, unsigned port)
{
	char host[256];

	if (strcmp(cfg->host, "0.0.0.0")) {
		add_name(srv, cfg->host, port);
	} else {
		struct ifaddrs *ifs = NULL;

		if (!getifaddrs(&ifs))
			for (struct ifaddrs *i = ifs; i; i = i->ifa_next)
				if (i->ifa_addr &&
				    i->ifa_addr->sa_family == AF_INET &&
				    inet_ntop(AF_INET,
				              &((const struct sockaddr_in
				                         *)(const void *)
				                        i->ifa_addr)
				                       ->sin_addr,
				              host, sizeof(host)))
					add_name(srv, host, port);
		freeifaddrs(ifs);
	}
	if (!gethostname(host, sizeof(host))) {
		host[sizeof(host) - 1] = 0;
		add_name(srv, host, port);
	}
	for (unsigned i = 0; i < cfg->nnames; i++)
		add_name(srv, cfg->names[i], 0);
}

/* Enough open files for the connections: the soft limit raised toward
 * the hard one if it is short. */
static cb_err
enough_files(unsigned connections, struct cb_errbuf *eb)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)connections + FDS_BESIDES_CONNECTIONS;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return CB_OK;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need
		                      ? need
		                      : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need)
		return cb_error(eb, CB_EINVAL,
		                _("connection_limit %u needs %llu open files, "
		                  "and this process may open only %llu: lower "
		                  "connection_limit, or raise the limit "
		                  "(LimitNOFILE= in the service)"),
		                connections, (unsigned long long)need,
		                (unsigned long long)rl.rlim_cur);
	return CB_OK;
}

static void
on_cut(void *ctx, struct cb_connguard_cuts n)
{
	const struct hub_config *cfg = ctx;

	cb_journal(CB_PRIO_NOTICE,
	           "chibo-hub: closed %zu connection%s that sent no complete "
	           "headers within %u s, and %zu whose body came slower than "
	           "%u bytes/s",
	           n.headers, n.headers == 1 ? "" : "s", cfg->header_timeout,
	           n.body, cfg->min_body_rate);
}

int
cmd_hub_serve(struct hub *h, int argc, char **argv)
{
	struct server srv = { 0 };
	struct MHD_Daemon *d = NULL;
	struct sockaddr_in sa = { 0 };
	struct hub_config cfg;
	struct cb_account_policy dash_pol;
	struct cb_errbuf eb;
	struct args v;
	const char *conf;
	char *key = NULL, *crt = NULL, *kp = NULL, *cp = NULL, *dflt = NULL;
	sigset_t set;
	unsigned port = 0;
	int rc, sig, lfd;

	rc = cb_args_command(
		"serve",
		N_("usage: chibo-hub serve [--config FILE] [--listen "
	           "HOST:PORT] "
	           "[--threads N]\n\n"
	           "Serves API v1 over HTTPS with the hub's TLS identity: "
	           "signed "
	           "requests\nfrom enrolled keys only (docs/PROTOCOL.md). One "
	           "log "
	           "line per request on\nstderr. SIGTERM or SIGINT stops it "
	           "after "
	           "the requests in flight.\n\n"
	           "The same port serves the dashboard to browsers, under "
	           "/dashboard/, to the\naccounts 'chibo-hub account' "
	           "gives: read-only, after a sign-in.\n\n"
	           "Settings come from --config FILE, else from hub.conf in "
	           "the "
	           "hub directory\nif it is there: 'key = value' lines, '#' "
	           "comments. The keys and their defaults:\n"
	           "  listen = 127.0.0.1:8443       threads = 4\n"
	           "  connection_limit = 1024       per_ip_connection_limit = "
	           "8\n"
	           "  connection_timeout = 30 (s)   max_body = 8388608 "
	           "(bytes)\n"
	           "  signature_window = 300 (s)    requests_per_key = 4096\n"
	           "  header_timeout = 15 (s)       min_body_rate = 1024 "
	           "(bytes/s)\n"
	           "  names = (none: the listen address and host name, with "
	           "the "
	           "port)\n"
	           "See docs/OPERATIONS.md.\n\n"),
		defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	/* Every setting is checked before anything is opened or started. */
	hub_config_init(&cfg);
	if (!(conf = cb_args_get(&v, 2)) &&
	    !(conf = dflt = hub_path(h, HUB_CONFIG_FILE))) {
		hub_error(_("out of memory"));
		return 1;
	}
	if (hub_config_read(&cfg, conf, conf == dflt, &eb)) {
		hub_error("%s", eb.msg);
		free(dflt);
		return 1;
	}
	if (cb_args_get(&v, 0) &&
	    hub_config_set(&cfg, HUB_CONFIG_LISTEN, cb_args_get(&v, 0),
	                   "--listen", &eb)) {
		free(dflt);
		return cb_args_usage("serve", "%s", eb.msg);
	}
	if (cb_args_get(&v, 1) &&
	    hub_config_set(&cfg, HUB_CONFIG_THREADS, cb_args_get(&v, 1),
	                   "--threads", &eb)) {
		free(dflt);
		return cb_args_usage("serve", "%s", eb.msg);
	}
	dash_pol.failures_max = cfg.dashboard_failures;
	dash_pol.lock_ms = (int64_t)cfg.dashboard_lock * 1000;
	dash_pol.session_ms = (int64_t)cfg.dashboard_session * 1000;
	if (hub_config_check(&cfg, &eb)) {
		hub_error("%s", eb.msg);
		free(dflt);
		return 1;
	}
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)cfg.port);
	if (inet_pton(AF_INET, cfg.host, &sa.sin_addr) != 1) {
		hub_error(_("'%s' is not an IPv4 address"), cfg.host);
		free(dflt);
		return 1;
	}
	srv.max_body = cfg.max_body;
	srv.sig_window = cfg.signature_window;
	if (!(srv.lg = hub_open(h))) {
		free(dflt);
		return 1;
	}
	/* What was stored by commands run while it was stopped (enroll,
	 * import), or before a crash, gets its checkpoint now. */
	if (hub_log_checkpoint(srv.lg, &eb)) {
		hub_error("%s", eb.msg);
		free(dflt);
		cb_ledger_free(&srv.lg);
		return 1;
	}
	rc = 1;
	kp = hub_path(h, HUB_TLS_KEY);
	cp = hub_path(h, HUB_TLS_CERT);
	if (!kp || !cp || !(key = read_file(kp, &eb)) ||
	    !(crt = read_file(cp, &eb))) {
		hub_error("%s", kp && cp ? eb.msg : "out of memory");
		goto out;
	}
	if (enough_files(cfg.connection_limit, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	/* A nonce is kept while its request could still verify, and a minute
	 * more for the clocks' skew; each key has its own share. */
	if (!(srv.replay = cb_replay_new(cfg.requests_per_key,
	                                 srv.sig_window + 60)) ||
	    !(srv.guard = cb_connguard_new(cfg.header_timeout,
	                                   cfg.min_body_rate))) {
		hub_error(_("out of memory"));
		goto out;
	}
	/* What each key signed before this start is not taken again. */
	if (cb_contacts_floors(srv.lg->st, srv.replay, &eb) ||
	    cb_store_open(cb_store_path(srv.lg->st), false, &srv.admit, &eb) ||
	    hub_dash_new(cb_store_path(srv.lg->st), srv.lg, &srv.mu, &dash_pol,
	                 &srv.dash, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	pthread_mutex_init(&srv.mu, NULL);
	pthread_mutex_init(&srv.admit_mu, NULL);
	/* Signals are taken by this thread only: block them before any other
	 * thread starts, so that they inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* The WAL is copied into hub.db between pushes, on a thread of its
	 * own, rather than by the push whose commit finds it large. */
	if (cb_store_checkpoint_behind(srv.lg->st, &eb) ||
	    cb_connguard_start(srv.guard, on_cut, &cfg, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	/* The socket is bound here, so that its port (0: the system picks
	 * one) is known for the hub's names before a request comes. */
	if ((lfd = listen_on(&sa, &port)) < 0) {
		hub_error(_("cannot listen on %s:%u (in use, or not an address "
		            "of this machine)"),
		          cfg.host, cfg.port);
		goto out;
	}
	find_names(&srv, &cfg, port);
	d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS | MHD_USE_EPOLL,
		0, NULL, NULL, on_request, &srv, MHD_OPTION_LISTEN_SOCKET, lfd,
		MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT, crt,
		MHD_OPTION_THREAD_POOL_SIZE, cfg.threads,
		MHD_OPTION_CONNECTION_LIMIT, cfg.connection_limit,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg.per_ip_connection_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, cfg.connection_timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, &srv,
		MHD_OPTION_END);
	if (!d) {
		close(lfd);
		hub_error(_("cannot serve on %s:%u (libmicrohttpd would not "
		            "start; see the message above)"),
		          cfg.host, port);
		goto out;
	}
	if (cfg.path)
		cb_journal(CB_PRIO_INFO, "chibo-hub: settings from '%s'",
		           cfg.path);
	{
		struct cb_buf names = CB_BUF_INIT;
		bool ok = true;

		for (size_t i = 0; i < srv.nnames && ok; i++)
			ok = !cb_buf_addf(&names, "%s %s", i ? "," : "",
			                  srv.names[i]);
		if (ok && !cb_buf_add(&names, "", 1))
			cb_journal(CB_PRIO_INFO, "chibo-hub: answers to%s",
			           (const char *)names.data);
		cb_buf_release(&names);
	}
	printf(_("serving %s on https://%s:%u\n"), srv.lg->org, cfg.host, port);
	fflush(stdout);
	sigwait(&set, &sig);
	cb_journal(CB_PRIO_NOTICE, "chibo-hub: %s received, stopping",
	           sig == SIGTERM ? "SIGTERM" : "SIGINT");
	MHD_stop_daemon(d);
	rc = 0;
out:
	if (key)
		sodium_memzero(key, strlen(key));
	free(key);
	free(crt);
	free(kp);
	free(cp);
	free(dflt);
	free(srv.names);
	/* after MHD: no connection is left on the guard */
	cb_connguard_free(&srv.guard);
	cb_replay_free(&srv.replay);
	cb_store_free(&srv.admit);
	hub_dash_free(&srv.dash);
	cb_ledger_free(&srv.lg);
	return rc;
}

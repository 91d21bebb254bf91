/* SPDX-License-Identifier: MIT */
/* cmd_serve.c — chibo-hub serve: HTTPS (libmicrohttpd over GnuTLS) with a
 * thread pool, per-connection limits and timeouts, signed requests only
 * (common/httpsig.c), and the first two endpoints of API v1 (PROTOCOL.md):
 * GET /v1/status and POST /v1/push. The response is queued on the
 * handler's last call, never its first, so connections are kept alive.
 * SIGTERM or SIGINT stops it gracefully. */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>
#include <sodium.h>

#include "hub.h"
#include "httpsig.h"
#include "ingest.h"
#include "replay.h"
#include "zbody.h"

#define MAX_BODY (8u << 20)      /* compressed request body */
#define MAX_INFLATED (64u << 20) /* what a push may decompress to */
#define SIG_WINDOW 300           /* seconds a signature is accepted */

struct server {
	struct cb_ledger *lg;
	pthread_mutex_t mu; /* one SQLite connection, one request at a time */
	struct cb_replay *replay;
};

struct request {
	char method[8], path[64];
	struct cb_buf body;
	bool too_big;
	struct timespec start;
	char key[13];
	int status;
	char note[64];
};

static int64_t
now_s(void)
{
	return (int64_t)time(NULL);
}

static enum MHD_Result
reply(struct MHD_Connection *c, struct request *rq, int status, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	struct MHD_Response *resp;
	enum MHD_Result r;

	json_decref(o);
	if (!text)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(text), text,
	                                       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", "application/json");
	rq->status = status;
	r = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result
fail(struct MHD_Connection *c, struct request *rq, int status, const char *msg)
{
	return reply(c, rq, status, json_pack("{s:s}", "error", msg));
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

static enum MHD_Result
handle(struct server *srv, struct MHD_Connection *c, struct request *rq,
       const char *url, const char *method)
{
	struct cb_httpsig_request hr = { 0 };
	struct cb_httpsig_params p;
	struct cb_errbuf eb;
	int nargs = 0;

	if (rq->too_big)
		return fail(c, rq, 413, "the request body is over 8 MiB");
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, count_args, &nargs);
	if (nargs)
		return fail(c, rq, 400, "API v1 takes no query string");
	hr.method = method;
	hr.path = url;
	hr.query = "";
	hr.authority = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	hr.content_digest = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                                "Content-Digest");
	if (!hr.authority)
		return fail(c, rq, 400, "no Host header");
	if (!MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                 "Signature-Input") ||
	    !MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Signature"))
		return fail(c, rq, 401,
		            "the request is not signed "
		            "(Signature-Input and Signature are "
		            "required)");
	if (cb_content_digest_check(hr.content_digest, rq->body.data,
	                            rq->body.len, &eb))
		return fail(c, rq, 401, eb.msg);
	if (cb_httpsig_verify(&hr,
	                      MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                                  "Signature-Input"),
	                      MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                                  "Signature"),
	                      now_s(), SIG_WINDOW, &p, &eb))
		return fail(c, rq, 401, eb.msg);
	cb_hash_short(p.key, rq->key);
	if (cb_replay_add(srv->replay, p.key, p.nonce, p.created, now_s(), &eb))
		return fail(c, rq, 401, eb.msg);

	if (!strcmp(url, "/v1/status") && !strcmp(method, "GET")) {
		unsigned char id[CB_HASH_BYTES];
		uint64_t head = 0;
		long long size = 0;
		cb_err rc;

		pthread_mutex_lock(&srv->mu);
		rc = cb_ingest_admit(srv->lg->st, p.key, &eb);
		if (!rc)
			rc = cb_ledger_head(srv->lg->st, p.key, &head, id, &eb);
		if (!rc) {
			sqlite3_stmt *s = NULL;

			if (sqlite3_prepare_v2(cb_store_db(srv->lg->st),
			                       "SELECT count(*) FROM entries",
			                       -1, &s, NULL) == SQLITE_OK &&
			    sqlite3_step(s) == SQLITE_ROW)
				size = sqlite3_column_int64(s, 0);
			sqlite3_finalize(s);
		}
		pthread_mutex_unlock(&srv->mu);
		if (rc)
			return fail(c, rq, rc == CB_ERULE ? 403 : 401, eb.msg);
		{
			char hex[CB_HASH_HEX];

			cb_hash_hex(id, hex);
			return reply(c, rq, 200,
			             json_pack("{s:I, s:s?, s:I}", "head",
			                       (json_int_t)head, "head_id",
			                       head ? hex : NULL, "log_size",
			                       (json_int_t)size));
		}
	}
	if (!strcmp(url, "/v1/push") && !strcmp(method, "POST")) {
		struct cb_buf raw = CB_BUF_INIT;
		struct cb_push_result res;
		const char *enc = MHD_lookup_connection_value(
			c, MHD_HEADER_KIND, "Content-Encoding");
		cb_err rc;

		if (!enc || strcmp(enc, "zstd"))
			return fail(c, rq, 415,
			            "a push body is a zstd-compressed "
			            "entry stream (Content-Encoding: "
			            "zstd)");
		rc = cb_zbody_decompress(rq->body.data, rq->body.len,
		                         MAX_INFLATED, &raw, &eb);
		if (rc) {
			cb_buf_release(&raw);
			return fail(c, rq, rc == CB_ETOOBIG ? 413 : 400,
			            eb.msg);
		}
		pthread_mutex_lock(&srv->mu);
		rc = cb_ingest_admit(srv->lg->st, p.key, &eb);
		if (!rc)
			rc = cb_ingest_push(srv->lg->st, p.key, raw.data,
			                    raw.len, &res, &eb);
		pthread_mutex_unlock(&srv->mu);
		cb_buf_release(&raw);
		if (rc == CB_ECRYPTO)
			return fail(c, rq, 401, eb.msg);
		if (rc == CB_ERULE)
			return fail(c, rq, 403, eb.msg);
		if (rc == CB_EINVAL || rc == CB_ETOOBIG)
			return fail(c, rq, rc == CB_ETOOBIG ? 413 : 400,
			            eb.msg);
		if (rc)
			return fail(c, rq, 503, eb.msg);
		snprintf(rq->note, sizeof(rq->note), "accepted=%zu dup=%zu",
		         res.accepted, res.duplicates);
		return reply(c, rq, res.status,
		             json_pack("{s:I, s:I, s:I, s:I, s:s?}", "head",
		                       (json_int_t)res.head, "accepted",
		                       (json_int_t)res.accepted, "rejected",
		                       (json_int_t)res.rejected, "duplicates",
		                       (json_int_t)res.duplicates, "error",
		                       res.status == 200 ? NULL : eb.msg));
	}
	return fail(c, rq, 404, "no such endpoint");
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
           const char *method, const char *version, const char *upload,
           size_t *upload_size, void **con_cls)
{
	struct request *rq = *con_cls;

	(void)version;
	if (!rq) {
		/* First call: headers only. Queueing here would make MHD close
		 * the connection after the response. */
		if (!(rq = calloc(1, sizeof(*rq))))
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &rq->start);
		snprintf(rq->method, sizeof(rq->method), "%s", method);
		snprintf(rq->path, sizeof(rq->path), "%s", url);
		*con_cls = rq;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!rq->too_big && rq->body.len + *upload_size <= MAX_BODY) {
			if (cb_buf_add(&rq->body, upload, *upload_size))
				return MHD_NO;
		} else {
			rq->too_big = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	return handle(cls, c, rq, url, method);
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

	(void)cls;
	if (!rq)
		return;
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
	fprintf(stderr, "%s %s %s %s %d %ldms key=%s %s%s\n", when, addr,
	        rq->method, rq->path, rq->status,
	        (long)((end.tv_sec - rq->start.tv_sec) * 1000 +
	               (end.tv_nsec - rq->start.tv_nsec) / 1000000),
	        rq->key[0] ? rq->key : "-", rq->note,
	        toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (cut off)");
	cb_buf_release(&rq->body);
	free(rq);
	*con_cls = NULL;
}

static const struct argdef defs[] = {
	{ "listen", "HOST:PORT",
	  "address to listen on (default "
	  "127.0.0.1:8443; port 0 picks one)" },
	{ "threads", "N", "worker threads (default 4)" },
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
		cb_error(eb, CB_EIO, "cannot open '%s': %s", path,
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

int
cmd_hub_serve(struct hub *h, int argc, char **argv)
{
	struct server srv = { 0 };
	struct MHD_Daemon *d = NULL;
	struct sockaddr_in sa = { 0 };
	struct cb_errbuf eb;
	struct args v;
	const char *listen = "127.0.0.1:8443", *colon;
	char *key = NULL, *crt = NULL, *kp = NULL, *cp = NULL, host[64];
	unsigned threads = 4;
	sigset_t set;
	int rc, sig;

	rc = cb_args_command(
		"serve",
		"usage: chibo-hub serve [--listen HOST:PORT] [--threads N]\n\n"
		"Serves API v1 over HTTPS with the hub's TLS identity: signed "
		"requests\nfrom enrolled keys only (docs/PROTOCOL.md). One log "
		"line per request on\nstderr. SIGTERM or SIGINT stops it after "
		"the requests in flight.\n\n",
		defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (cb_args_get(&v, 0))
		listen = cb_args_get(&v, 0);
	if (cb_args_get(&v, 1))
		threads = (unsigned)atoi(cb_args_get(&v, 1));
	if (threads < 1 || threads > 64)
		return cb_args_usage("serve", "--threads takes 1..64");
	colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return cb_args_usage("serve", "--listen is HOST:PORT");
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return cb_args_usage("serve",
		                     "--listen needs an IPv4 address, "
		                     "not '%s'",
		                     host);
	if (!(srv.lg = hub_open(h)))
		return 1;
	rc = 1;
	kp = hub_path(h, HUB_TLS_KEY);
	cp = hub_path(h, HUB_TLS_CERT);
	if (!kp || !cp || !(key = read_file(kp, &eb)) ||
	    !(crt = read_file(cp, &eb))) {
		hub_error("%s", kp && cp ? eb.msg : "out of memory");
		goto out;
	}
	srv.replay = cb_replay_new(100000, SIG_WINDOW + 60);
	pthread_mutex_init(&srv.mu, NULL);
	/* Signals are taken by this thread only: block them before MHD's
	 * threads start, so that they inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS | MHD_USE_EPOLL,
		0, NULL, NULL, on_request, &srv, MHD_OPTION_SOCK_ADDR, &sa,
		MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT, crt,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_LIMIT, 256u,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u,
		MHD_OPTION_CONNECTION_TIMEOUT, 30u,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_END);
	if (!d) {
		hub_error("cannot listen on %s (in use, or not an address of "
		          "this machine)",
		          listen);
		goto out;
	}
	{
		const union MHD_DaemonInfo *di =
			MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);

		printf("serving %s on https://%s:%u\n", srv.lg->org, host,
		       di ? di->port : 0);
		fflush(stdout);
	}
	sigwait(&set, &sig);
	fprintf(stderr, "chibo-hub: %s received, stopping\n",
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
	cb_replay_free(&srv.replay);
	cb_ledger_free(&srv.lg);
	return rc;
}

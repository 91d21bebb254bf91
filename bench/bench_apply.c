/* SPDX-License-Identifier: MIT */
/* bench_apply.c — the ledger's write path, measured (not a test: it prints
 * figures). 1) 10,000 member.add operations from a JSON-lines file applied
 * by 'chibo-agent apply' into a fresh replica: entries/s and bytes per
 * entry on disk. 2) The same through the library: the stream (signing on a
 * second core) and one cb_ledger_append after another (one core), each in
 * one batch. 3) Single interactive operations, each its own fsync'd
 * transaction: median and 99th percentile latency. 4) Ed25519 signing
 * alone, the one-core floor. Names are generated deterministically. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "ledger.h"
#include "records.h"

#define N_BATCH 10000
#define N_SINGLE 200

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long
disk_bytes(const char *dir)
{
	const char *names[] = { CB_REPLICA_DB, CB_REPLICA_DB "-wal" };
	long long total = 0;
	char p[4300];
	struct stat sb;

	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		if (stat(p, &sb) == 0)
			total += sb.st_size;
	}
	return total;
}

static struct cb_ledger *
fresh(const char *dir)
{
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	json_t *init =
		json_pack("{s:s, s:s, s:s}", "code", "26734", "name",
	                  "Đảng bộ xã Quế Nham", "kind", "party-committee");
	json_t *cell = json_pack("{s:s, s:s, s:s}", "code", "01", "name",
	                         "Chi bộ thôn Đại Giáp", "kind", "residential");

	if (cb_ledger_create(dir, init, &lg, &eb) ||
	    cb_ledger_append(lg, "cell.create", cell, NULL, &eb)) {
		fprintf(stderr, "bench: %s\n", eb.msg);
		exit(1);
	}
	json_decref(init);
	json_decref(cell);
	return lg;
}

struct feed {
	unsigned i, refused;
};

static int
feed_next(void *ctx, const char **op, json_t **input, size_t *tag,
          struct cb_errbuf *why)
{
	struct feed *f = ctx;

	(void)why;
	if (f->i == N_BATCH)
		return 0;
	*op = "member.add";
	*input = member(f->i);
	*tag = f->i++;
	return 1;
}

static int
feed_done(void *ctx, size_t tag, cb_err rc, const struct cb_entry *e,
          const char *why)
{
	struct feed *f = ctx;

	(void)tag;
	(void)e;
	(void)why;
	if (rc)
		f->refused++;
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(void)
{
	char tmpl[] = "/tmp/chibo-bench-XXXXXX", dir[256], cmd[1024];
	const char *agent = getenv("CHIBO_AGENT");
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	double t0, t1, lat[N_SINGLE];
	unsigned char pk[32], sk[64], sig[64], msg[400] = { 0 };
	FILE *fp;

	if (sodium_init() < 0 || !mkdtemp(tmpl))
		return 1;
	printf("chibo bench: ledger write path (%d entries)\n", N_BATCH);

	/* 1. chibo-agent apply FILE, end to end. */
	snprintf(dir, sizeof(dir), "%s/ops.jsonl", tmpl);
	fp = fopen(dir, "w");
	for (unsigned i = 0; i < N_BATCH; i++) {
		json_t *m = member(i);
		char *s;

		json_object_set_new(m, "op", json_string("member.add"));
		s = json_dumps(m, JSON_COMPACT);
		fprintf(fp, "%s\n", s);
		free(s);
		json_decref(m);
	}
	fclose(fp);
	if (agent) {
		snprintf(dir, sizeof(dir), "%s/cli", tmpl);
		lg = fresh(dir);
		cb_ledger_free(&lg);
		snprintf(
			cmd, sizeof(cmd),
			"%s --replica %s apply --quiet %s/ops.jsonl >/dev/null",
			agent, dir, tmpl);
		t0 = now_s();
		if (system(cmd) != 0) {
			fprintf(stderr, "bench: '%s' failed\n", cmd);
			return 1;
		}
		t1 = now_s();
		printf("  apply (CLI, file of %d lines):  %8.0f entries/s  "
		       "(%.2f s)\n",
		       N_BATCH, N_BATCH / (t1 - t0), t1 - t0);
		printf("  bytes on disk per entry:        %8.0f\n",
		       (double)disk_bytes(dir) / (N_BATCH + 2));
	}

	/* 2a. The library's stream, one batch. */
	snprintf(dir, sizeof(dir), "%s/stream", tmpl);
	lg = fresh(dir);
	{
		struct feed f = { 0 };
		struct cb_append_stream st = { feed_next, feed_done, &f };

		t0 = now_s();
		if (cb_ledger_begin(lg, &eb) ||
		    cb_ledger_append_stream(lg, &st, &eb) ||
		    cb_ledger_commit(lg, &eb))
			goto fail;
		t1 = now_s();
		if (f.refused) {
			fprintf(stderr, "bench: %u refused\n", f.refused);
			return 1;
		}
	}
	printf("  apply (library stream, 2 cores):%8.0f entries/s  (%.2f s)\n",
	       N_BATCH / (t1 - t0), t1 - t0);
	cb_ledger_free(&lg);

	/* 2b. The library, one append after another, one batch. */
	snprintf(dir, sizeof(dir), "%s/lib", tmpl);
	lg = fresh(dir);
	t0 = now_s();
	if (cb_ledger_begin(lg, &eb))
		goto fail;
	for (unsigned i = 0; i < N_BATCH; i++) {
		json_t *m = member(i);
		cb_err rc = cb_ledger_append(lg, "member.add", m, NULL, &eb);

		json_decref(m);
		if (rc)
			goto fail;
	}
	if (cb_ledger_commit(lg, &eb))
		goto fail;
	t1 = now_s();
	printf("  apply (library, one core):      %8.0f entries/s  (%.2f s)\n",
	       N_BATCH / (t1 - t0), t1 - t0);

	/* 3. Interactive: one op, one durable transaction. */
	for (unsigned i = 0; i < N_SINGLE; i++) {
		json_t *m = member(N_BATCH + i);
		cb_err rc;

		t0 = now_s();
		rc = cb_ledger_append(lg, "member.add", m, NULL, &eb);
		lat[i] = (now_s() - t0) * 1000;
		json_decref(m);
		if (rc)
			goto fail;
	}
	qsort(lat, N_SINGLE, sizeof(lat[0]), cmp_double);
	printf("  single op, own fsync'd txn:     median %.2f ms, p99 %.2f "
	       "ms (%d ops)\n",
	       lat[N_SINGLE / 2], lat[N_SINGLE * 99 / 100], N_SINGLE);
	cb_ledger_free(&lg);

	/* 4. The floor: Ed25519 signing of an entry-sized message. */
	crypto_sign_keypair(pk, sk);
	t0 = now_s();
	for (int i = 0; i < 20000; i++)
		crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	t1 = now_s();
	printf("  Ed25519 sign alone (400 B):     %8.0f /s on one core\n",
	       20000 / (t1 - t0));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpl);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", tmpl);
	return 0;
fail:
	fprintf(stderr, "bench: %s\n", eb.msg);
	return 1;
}

/* SPDX-License-Identifier: MIT */
/* bench_hublog.c — a hub's log of N member.add entries, made fast, for
 * bench_audit.sh (not a test: it prints what it made). A real sync of
 * 1,000,000 entries took over two minutes only to fill the agent's
 * replica; this writes the same log directly:
 *
 *   bench_hublog HUBDIR N
 *
 * HUBDIR becomes a hub's directory (hub.db, hub.key) whose log holds the
 * hub.init, the enrolment of one commune key (07297), that commune's
 * org.init and cell 01, and N member.add entries with the records of
 * bench_apply.c — each prepared by cb_ops_prepare, signed by the commune's
 * key on its chain as the agent signs, stored with cb_ledger_store_entry
 * as the hub stores what it ingests — then the Merkle tree and a
 * checkpoint signed by the hub's key (cb_tlog_sign). Only the hub's
 * projection of the member.adds is skipped: its tables, which the audit
 * does not read (it replays the log itself). No TLS identity: the hub
 * cannot serve. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "buf.h"
#include "ledger.h"
#include "ops.h"
#include "records.h"
#include "tlog.h"

#define BATCH 20000

static int
die(const char *what, const char *msg)
{
	fprintf(stderr, "bench_hublog: %s: %s\n", what, msg);
	return 1;
}

/* The commune's next entry: op with the body prepared from input. */
static cb_err
sign_next(struct cb_ledger *hub, const unsigned char *pk,
          const unsigned char *sk, uint64_t *seq, unsigned char head[32],
          const char *op, json_t *input, struct cb_entry *e,
          struct cb_errbuf *eb)
{
	struct cb_entry_fields f = { 0 };
	json_t *body = NULL;
	cb_err rc = cb_ops_prepare(hub->st, "07297", op, input, &body, eb);

	json_decref(input);
	if (rc)
		return rc;
	f.author = pk;
	f.secret_key = sk;
	f.seq = *seq + 1;
	f.prev = *seq ? head : NULL;
	f.time_ms = cb_now_ms();
	f.op = op;
	f.body = body;
	rc = cb_entry_build(&f, e, eb);
	json_decref(body);
	if (!rc) {
		++*seq;
		memcpy(head, e->id, 32);
	}
	return rc;
}

int
main(int argc, char **argv)
{
	unsigned char pk[32], sk[64], head[32];
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_ledger *hub = NULL;
	struct cb_errbuf eb, why;
	char hex[65];
	uint64_t seq = 0, size = 0;
	unsigned long n;
	json_t *init;
	cb_err verdict;
	clock_t t0 = clock();

	if (argc != 3 || (n = strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bench_hublog HUBDIR N\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	init = json_pack("{s:s, s:s, s:s}", "code", "BG.LG", "name",
	                 "Huyện ủy Lạng Giang", "level", "district");
	if (cb_ledger_create_kind(argv[1], &cb_ledger_hub, init, &hub, &eb))
		return die(argv[1], eb.msg);
	json_decref(init);
	crypto_sign_keypair(pk, sk);
	cb_hex_encode(pk, 32, hex);
	if (cb_ledger_append(hub, "key.enroll",
	                     json_pack("{s:s, s:s, s:s}", "key", hex, "org",
	                               "07297", "role", "commune"),
	                     NULL, &eb))
		return die("enroll", eb.msg);
	if (cb_store_begin(hub->st, &eb))
		return die("begin", eb.msg);
	/* The commune's first entries are projected, as the hub would: the
	 * cell must exist for cb_ops_prepare to name it. */
	if (sign_next(hub, pk, sk, &seq, head, "org.init",
	              json_pack("{s:s, s:s, s:s}", "code", "07297", "name",
	                        "Đảng bộ xã X", "kind", "party-committee"),
	              &e, &eb) ||
	    cb_ledger_take(hub->st, &e, &verdict, &why, &eb) || verdict ||
	    sign_next(hub, pk, sk, &seq, head, "cell.create",
	              json_pack("{s:s, s:s, s:s}", "code", "01", "name",
	                        "Chi bộ 1", "kind", "residential"),
	              &e, &eb) ||
	    cb_ledger_take(hub->st, &e, &verdict, &why, &eb) || verdict)
		return die("the commune's first entries",
		           verdict ? why.msg : eb.msg);
	for (unsigned long i = 0; i < n; i++) {
		if (sign_next(hub, pk, sk, &seq, head, "member.add",
		              member((unsigned)i), &e, &eb) ||
		    cb_ledger_store_entry(hub->st, &e, "applied", NULL, &eb))
			return die("member.add", eb.msg);
		if ((i + 1) % BATCH == 0 && (cb_store_commit(hub->st, &eb) ||
		                             cb_store_begin(hub->st, &eb)))
			return die("commit", eb.msg);
	}
	if (cb_tlog_sign(cb_store_log(hub->st), hub->org, hub->key.sk, &eb) ||
	    cb_tlog_size(cb_store_log(hub->st), &size, &eb) ||
	    cb_store_commit(hub->st, &eb))
		return die("the log's tree", eb.msg);
	printf("a hub's log of %llu entries in '%s' (%.1f s of CPU)\n",
	       (unsigned long long)size, argv[1],
	       (double)(clock() - t0) / CLOCKS_PER_SEC);
	sodium_memzero(sk, sizeof(sk));
	cb_entry_release(&e);
	cb_ledger_free(&hub);
	return 0;
}

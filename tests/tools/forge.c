/* SPDX-License-Identifier: MIT */
/* forge.c — what a hostile or broken agent could send, for the negative
 * tests of tests/cli (never installed):
 *
 *   forge request REPLICA METHOD AUTHORITY PATH BODYFILE
 *       prints the Content-Digest, Signature-Input and Signature header
 *       lines of a request signed with the replica's key, so that curl
 *       can send it once, twice (a replay), or with another body;
 *   forge append REPLICA OP JSON
 *       signs OP with body JSON as the replica's next entry and stores it
 *       without projecting it — an entry the agent itself would refuse
 *       (about another commune's cell, say) — so that sync pushes it;
 *       dated CHIBO_FORGE_TIME_MS (Unix ms) if set, as a wrong clock
 *       would date it;
 *   forge resign HUBDIR
 *       what a compromised hub does after changing its hub.db behind the
 *       rules: rebuilds the Merkle tree over the entries as they now are
 *       (renumbered in lsn order) and signs a checkpoint of it with the
 *       hub's key, so that only an audit can tell;
 *   forge bundle KEYFILE IN OUT [after=N] [next=N] [org=CODE] [drop=I]
 *         [swap=I] [flip=I]
 *       reads the bundle IN, changes it — its cursors, its organisation,
 *       entry I (from 0) left out, entries I and I + 1 swapped, byte I of
 *       its entries flipped — and
 *       signs it again with the chibo key in KEYFILE (an agent.key, the
 *       hub.key; '-': a key made up on the spot) into OUT;
 *   forge flood REPLICA|- URL PIN N [SECONDS [FROM]]
 *       a flood: N signed GET /v1/status, one after the other on one
 *       kept-alive connection (or for at most SECONDS; from the local
 *       address FROM, e.g. 127.0.0.8, if given), each signed
 *       afresh with the replica's key, or with a new random key each
 *       ("-": keys no hub enrolled); prints how many got each status,
 *       "200=3 401=997 000=0", 000 for a failure of the network;
 *   forge relay HUBDIR URL PIN BUNDLE [drop=I] [swap=I] [flip=I]
 *       what a hostile lower hub sends its higher hub: the entries of
 *       BUNDLE (a relay file, or an agent's export), changed as 'forge
 *       bundle' changes them, as one POST /v1/relay signed with HUBDIR's
 *       hub.key; prints the status and the answer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "args.h"
#include "bundle.h"
#include "httpsig.h"
#include "hubclient.h"
#include "ledger.h"
#include "ops.h"
#include "tlog.h"
#include "zbody.h"

static int
die(const char *what, const char *msg)
{
	fprintf(stderr, "forge: %s: %s\n", what, msg);
	return 1;
}

static int
request(struct cb_ledger *lg, char **argv)
{
	struct cb_httpsig_request hr = { argv[0], argv[1], argv[2], "", NULL };
	struct cb_errbuf eb;
	char buf[1 << 16], nonce[32], *input = NULL, *sig = NULL, *digest;
	unsigned char nb[18];
	FILE *fp = fopen(argv[3], "rb");
	size_t n;

	if (!fp)
		return die(argv[3], "cannot open");
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	digest = cb_content_digest(buf, n);
	randombytes_buf(nb, sizeof(nb));
	sodium_bin2base64(nonce, sizeof(nonce), nb, sizeof(nb),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	hr.content_digest = digest;
	if (!digest ||
	    cb_httpsig_sign(&hr, lg->key.pk, lg->key.sk, (int64_t)time(NULL),
	                    nonce, &input, &sig, &eb))
		return die("sign", digest ? eb.msg : "out of memory");
	printf("Content-Digest: %s\nSignature-Input: %s\nSignature: %s\n",
	       digest, input, sig);
	free(digest);
	free(input);
	free(sig);
	return 0;
}

static int
append(struct cb_ledger *lg, char **argv)
{
	struct cb_entry_fields f = { 0 };
	struct cb_entry e = CB_ENTRY_INIT;
	unsigned char head_id[CB_HASH_BYTES],
		deps[CB_OPS_MAX_DEPS][CB_HASH_BYTES];
	struct cb_errbuf eb;
	json_error_t je;
	json_t *body = json_loads(argv[1], 0, &je);
	uint64_t head;

	if (!body)
		return die("JSON", je.text);
	if (cb_store_begin(lg->st, &eb) ||
	    cb_ledger_head(lg->st, lg->key.pk, &head, head_id, &eb))
		return die("head", eb.msg);
	f.author = lg->key.pk;
	f.secret_key = lg->key.sk;
	f.seq = head + 1;
	f.prev = head ? head_id : NULL;
	f.time_ms = getenv("CHIBO_FORGE_TIME_MS")
	                    ? strtoll(getenv("CHIBO_FORGE_TIME_MS"), NULL, 10)
	                    : cb_now_ms();
	f.op = argv[0];
	f.body = body;
	/* the deps the agent would list (the release an answer names...) */
	f.ndeps = cb_ops_deps(f.op, body, deps, CB_OPS_MAX_DEPS);
	f.deps = (const unsigned char(*)[CB_HASH_BYTES])deps;
	if (cb_entry_build(&f, &e, &eb) ||
	    cb_ledger_store_entry(lg->st, &e, "rejected", "forged", &eb) ||
	    cb_store_commit(lg->st, &eb))
		return die("append", eb.msg);
	printf("forged entry %" PRIu64 "\n", e.seq);
	cb_entry_release(&e);
	json_decref(body);
	return 0;
}

static int
resign(struct cb_ledger *lg)
{
	static const char renumber[] =
		"CREATE TEMP TABLE k AS SELECT lsn FROM entries ORDER BY lsn;"
		"UPDATE entries SET lsn = -lsn;"
		"UPDATE entries SET lsn = (SELECT k.rowid FROM temp.k k WHERE "
		"k.lsn = -entries.lsn);"
		"DROP TABLE temp.k;"
		"DELETE FROM tlog_nodes; DELETE FROM checkpoints;";
	struct cb_errbuf eb;
	uint64_t size = 0;

	if (cb_store_begin(lg->st, &eb) ||
	    cb_store_exec(lg->st, renumber, &eb) ||
	    cb_tlog_sign(cb_store_log(lg->st), lg->org, lg->key.sk, &eb) ||
	    cb_tlog_size(cb_store_log(lg->st), &size, &eb) ||
	    cb_store_commit(lg->st, &eb))
		return die("resign", eb.msg);
	printf("re-signed a log of %llu entries\n", (unsigned long long)size);
	return 0;
}

/* The entry stream of b without its entry number drop, or with entries
 * swap and swap + 1 in each other's place (the other one: SIZE_MAX). */
static void
recut(struct cb_bundle *b, size_t drop, size_t swap)
{
	struct cb_buf kept = CB_BUF_INIT;
	const unsigned char *held = NULL;
	size_t at = 0, nheld = 0;

	for (size_t i = 0; at + 4 <= b->stream.len; i++) {
		const unsigned char *p = b->stream.data + at;
		size_t n = 4 + ((size_t)p[0] << 24 | (size_t)p[1] << 16 |
		                (size_t)p[2] << 8 | p[3]);

		at += n;
		if (i == drop)
			continue;
		if (i == swap) {
			held = p;
			nheld = n;
			continue;
		}
		if (cb_buf_add(&kept, p, n) ||
		    (held && cb_buf_add(&kept, held, nheld)))
			abort();
		held = NULL;
	}
	cb_buf_release(&b->stream);
	b->stream = kept;
	b->count -= drop != SIZE_MAX;
}

/* The changes args[0..n) ("after=N", "drop=I", …) made to b. */
static int
change(struct cb_bundle *b, char **args, int n)
{
	for (int i = 0; i < n; i++) {
		const char *eq = strchr(args[i], '=');
		long long v = eq ? strtoll(eq + 1, NULL, 10) : 0;

		if (!strncmp(args[i], "after=", 6))
			b->after = v;
		else if (!strncmp(args[i], "next=", 5))
			b->next = v;
		else if (!strncmp(args[i], "org=", 4))
			snprintf(b->org, sizeof(b->org), "%s", eq + 1);
		else if (!strncmp(args[i], "drop=", 5))
			recut(b, (size_t)v, SIZE_MAX);
		else if (!strncmp(args[i], "swap=", 5))
			recut(b, SIZE_MAX, (size_t)v);
		else if (!strncmp(args[i], "flip=", 5) &&
		         (size_t)v < b->stream.len)
			b->stream.data[v] ^= 1;
		else
			return die(args[i], "not a change forge knows");
	}
	return 0;
}

static int
bundle(char **argv, int argc)
{
	struct cb_key key = CB_KEY_INIT;
	struct cb_bundle b;
	struct cb_buf out = CB_BUF_INIT;
	struct cb_errbuf eb;
	int rc = 1;

	if (!strcmp(argv[0], "-")) {
		unsigned char seed[32];

		key.sk = sodium_malloc(CB_SECRET_BYTES);
		randombytes_buf(seed, sizeof(seed));
		crypto_sign_seed_keypair(key.pk, key.sk, seed);
		sodium_memzero(seed, sizeof(seed));
	} else if (cb_key_load(argv[0], &key, &eb)) {
		return die(argv[0], eb.msg);
	}
	if (cb_bundle_read(argv[1], &b, &eb)) {
		cb_key_release(&key);
		return die(argv[1], eb.msg);
	}
	if (change(&b, argv + 3, argc - 3))
		goto out;
	if (cb_bundle_encode(&b, &key, &out, &eb) ||
	    cb_bundle_save(argv[2], &out, &eb)) {
		rc = die(argv[2], eb.msg);
		goto out;
	}
	printf("signed a bundle of %u entries\n", b.count);
	rc = 0;
out:
	cb_buf_release(&out);
	cb_bundle_release(&b);
	cb_key_release(&key);
	return rc;
}

static int
flood(const char *replica, char **argv)
{
	struct cb_ledger *lg = NULL;
	struct cb_hubclient cl;
	struct cb_errbuf eb;
	unsigned char pk[32], sk[64];
	unsigned long n = strtoul(argv[2], NULL, 10), counts[1000] = { 0 };
	double secs = argv[3] ? strtod(argv[3], NULL) : 0;
	time_t until = secs > 0 ? time(NULL) + (time_t)secs : 0;
	int rc = 0;

	if (strcmp(replica, "-") && cb_ledger_open(replica, &lg, &eb))
		return die(replica, eb.msg);
	if (lg) {
		memcpy(pk, lg->key.pk, 32);
		memcpy(sk, lg->key.sk, 64);
	}
	if (cb_hubclient_init(&cl, argv[0], argv[1], pk, sk, 1 << 20, &eb)) {
		cb_ledger_free(&lg);
		return die(argv[0], eb.msg);
	}
	if (argv[3] && argv[4])
		curl_easy_setopt(cl.curl, CURLOPT_INTERFACE, argv[4]);
	for (unsigned long i = 0; i < n && (!until || time(NULL) < until);
	     i++) {
		if (!lg)
			crypto_sign_keypair(pk, sk);
		if (cb_hubclient_send(&cl, "GET", "/v1/status", NULL, 0, NULL,
		                      false) != CURLE_OK)
			counts[0]++;
		else
			counts[cl.status > 0 && cl.status < 1000 ? cl.status
			                                         : 0]++;
	}
	for (int i = 0; i < 1000; i++)
		if (counts[i] || i == 0)
			printf("%s%03d=%lu", i ? " " : "", i, counts[i]);
	putchar('\n');
	cb_hubclient_release(&cl);
	sodium_memzero(sk, sizeof(sk));
	cb_ledger_free(&lg);
	return rc;
}

static int
relay(char **argv, int argc)
{
	struct cb_key key = CB_KEY_INIT;
	struct cb_hubclient cl;
	struct cb_bundle b;
	struct cb_buf z = CB_BUF_INIT;
	struct cb_errbuf eb;
	char *kp = cb_path_join(argv[0], "hub.key");
	int rc = 1;

	if (!kp || cb_key_load(kp, &key, &eb)) {
		free(kp);
		return die(argv[0], kp ? eb.msg : "out of memory");
	}
	free(kp);
	if (cb_bundle_read(argv[3], &b, &eb)) {
		cb_key_release(&key);
		return die(argv[3], eb.msg);
	}
	if (change(&b, argv + 4, argc - 4))
		goto out;
	if (cb_zbody_compress(b.stream.data, b.stream.len, 3, &z, &eb) ||
	    cb_hubclient_init(&cl, argv[1], argv[2], key.pk, key.sk, 1 << 20,
	                      &eb)) {
		rc = die("relay", eb.msg);
		goto out;
	}
	if (cb_hubclient_send(&cl, "POST", "/v1/relay", z.data, z.len,
	                      "application/vnd.chibo.entries",
	                      true) != CURLE_OK) {
		rc = die("relay", "the hub cannot be reached");
	} else {
		printf("%ld %.*s\n", cl.status, (int)cl.resp.len,
		       (const char *)cl.resp.data);
		rc = 0;
	}
	cb_hubclient_release(&cl);
out:
	cb_buf_release(&z);
	cb_bundle_release(&b);
	cb_key_release(&key);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	int rc;

	if (sodium_init() < 0)
		return 1;
	if (argc >= 5 && !strcmp(argv[1], "bundle"))
		return bundle(argv + 2, argc - 2);
	if (argc >= 6 && argc <= 8 && !strcmp(argv[1], "flood"))
		return flood(argv[2], argv + 3);
	if (argc >= 6 && !strcmp(argv[1], "relay"))
		return relay(argv + 2, argc - 2);
	if (argc < 3 || !((!strcmp(argv[1], "request") && argc == 7) ||
	                  (!strcmp(argv[1], "append") && argc == 5) ||
	                  (!strcmp(argv[1], "resign") && argc == 3))) {
		fprintf(stderr, "usage: forge request REPLICA METHOD AUTHORITY "
		                "PATH BODYFILE\n       forge append REPLICA OP "
		                "JSON\n       forge resign HUBDIR\n       "
		                "forge bundle KEYFILE IN OUT [CHANGE...]\n"
		                "       forge flood REPLICA|- URL PIN N "
		                "[SECONDS [FROM]]\n       forge relay HUBDIR "
		                "URL PIN BUNDLE [CHANGE...]\n");
		return 2;
	}
	if (!strcmp(argv[1], "resign")
	            ? cb_ledger_open_kind(argv[2], &cb_ledger_hub, &lg, &eb)
	            : cb_ledger_open(argv[2], &lg, &eb))
		return die(argv[2], eb.msg);
	rc = !strcmp(argv[1], "request")  ? request(lg, argv + 3)
	     : !strcmp(argv[1], "append") ? append(lg, argv + 3)
	                                  : resign(lg);
	cb_ledger_free(&lg);
	return rc;
}

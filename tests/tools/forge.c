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
 *       hub.key; prints the status and the answer;
 *   forge sync-entry REPLICA OP JSON OUT
 *       what a thief holding the replica's unsealed sync key (sync.key)
 *       tries: signs OP with body JSON as that key's entry 1 and writes
 *       it to OUT as a push bundle signed by the sync key;
 *   forge sync-push REPLICA URL PIN BUNDLE HOW
 *       sends BUNDLE's entries as one POST /v1/push signed by the
 *       replica's sync key: HOW 'grant' with its grant (the request is
 *       the signing key's), 'nogrant' without, 'badgrant' with a byte of
 *       the grant's signature flipped, 'future' with a grant dated an
 *       hour ahead, 'stranger' with a grant by a key no hub enrolled,
 *       'mismatch' signed by another key than the grant's, or
 *       'enrolled=REPLICA2' signed by REPLICA2's own (enrolled) key with
 *       a grant to it by REPLICA's signing key (its passphrase from
 *       $CHIBO_PASSPHRASE_FILE); prints the status and the answer;
 *   forge plant HUBDIR BUNDLE
 *       stores BUNDLE's entries in HUBDIR's hub.db as applied, behind the
 *       hub's back (then 'forge resign' makes the log look whole). */
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
		"CREATE TEMP TABLE k AS SELECT lsn AS old, row_number() OVER "
		"(ORDER BY lsn) AS new FROM entries;"
		"UPDATE entries SET lsn = -lsn;"
		"UPDATE entries SET lsn = (SELECT k.new FROM k WHERE "
		"k.old = -entries.lsn);"
		"DROP TABLE k;"
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

/* b's entries as one zstd-compressed POST to path on cl; prints the
 * status and the answer. */
static int
post_entries(struct cb_hubclient *cl, const char *path,
             const struct cb_bundle *b, const char *what)
{
	struct cb_buf z = CB_BUF_INIT;
	struct cb_errbuf eb;
	int rc = 0;

	if (cb_zbody_compress(b->stream.data, b->stream.len, 3, &z, &eb))
		return die(what, eb.msg);
	if (cb_hubclient_send(cl, "POST", path, z.data, z.len,
	                      "application/vnd.chibo.entries",
	                      true) != CURLE_OK)
		rc = die(what, "the hub cannot be reached");
	else
		printf("%ld %.*s\n", cl->status, (int)cl->resp.len,
		       (const char *)cl->resp.data);
	cb_buf_release(&z);
	return rc;
}

static int
relay(char **argv, int argc)
{
	struct cb_key key = CB_KEY_INIT;
	struct cb_hubclient cl;
	struct cb_bundle b;
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
	if (cb_hubclient_init(&cl, argv[1], argv[2], key.pk, key.sk, 1 << 20,
	                      &eb)) {
		rc = die("relay", eb.msg);
		goto out;
	}
	rc = post_entries(&cl, "/v1/relay", &b, "relay");
	cb_hubclient_release(&cl);
out:
	cb_bundle_release(&b);
	cb_key_release(&key);
	return rc;
}

/* The replica's sync key and grant (a sealed replica's). */
static int
sync_key_of(const char *replica, struct cb_ledger **lg,
            struct cb_request_key *rk)
{
	struct cb_errbuf eb;

	if (cb_ledger_open(replica, lg, &eb))
		return die(replica, eb.msg);
	if (cb_ledger_request_key(*lg, rk, &eb) || !rk->grant[0]) {
		cb_ledger_free(lg);
		return die(replica, rk->grant[0] ? eb.msg : "no sync key");
	}
	return 0;
}

static int
sync_entry(char **argv)
{
	struct cb_request_key rk = CB_REQUEST_KEY_INIT;
	struct cb_entry_fields f = { 0 };
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_bundle b = { 0 };
	struct cb_buf out = CB_BUF_INIT;
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	unsigned char len[4];
	json_error_t je;
	json_t *body = json_loads(argv[2], 0, &je);
	int rc = 1;

	if (!body)
		return die("JSON", je.text);
	if (sync_key_of(argv[0], &lg, &rk)) {
		json_decref(body);
		return 1;
	}
	f.author = rk.key.pk;
	f.secret_key = rk.key.sk;
	f.seq = 1;
	f.time_ms = cb_now_ms();
	f.op = argv[1];
	f.body = body;
	b.kind = CB_BUNDLE_PUSH;
	snprintf(b.org, sizeof(b.org), "%s", lg->org);
	b.next = 1;
	b.count = 1;
	if (cb_entry_build(&f, &e, &eb)) {
		rc = die("entry", eb.msg);
		goto out;
	}
	for (int i = 0; i < 4; i++)
		len[i] = (unsigned char)(e.len >> (24 - 8 * i));
	if (cb_buf_add(&b.stream, len, 4) ||
	    cb_buf_add(&b.stream, e.bytes, e.len) ||
	    cb_bundle_encode(&b, &rk.key, &out, &eb) ||
	    cb_bundle_save(argv[3], &out, &eb)) {
		rc = die(argv[3], "cannot write the bundle");
		goto out;
	}
	printf("forged entry 1 of the sync key\n");
	rc = 0;
out:
	cb_buf_release(&out);
	cb_bundle_release(&b);
	cb_entry_release(&e);
	json_decref(body);
	cb_request_key_release(&rk);
	cb_ledger_free(&lg);
	return rc;
}

/* Set up cl's key and grant as sync-push's HOW says (other: a key it
 * signs with instead, kept until the request is sent). */
static int
forge_grant(struct cb_ledger *lg, struct cb_request_key *rk, const char *how,
            struct cb_hubclient *cl, struct cb_key *other,
            char grant[CB_GRANT_B64_LEN + 1])
{
	unsigned char g[CB_GRANT_BYTES], seed[32];
	struct cb_ledger *lg2 = NULL;
	struct cb_errbuf eb;
	size_t n;

	cl->grant = grant;
	snprintf(grant, CB_GRANT_B64_LEN + 1, "%s", rk->grant);
	if (!strcmp(how, "nogrant")) {
		cl->grant = NULL;
		return 0;
	}
	if (!strcmp(how, "grant"))
		return 0;
	if (sodium_base642bin(g, sizeof(g), rk->grant, strlen(rk->grant), NULL,
	                      &n, NULL, sodium_base64_VARIANT_ORIGINAL))
		return die(how, "cannot decode the grant");
	other->sk = sodium_malloc(CB_SECRET_BYTES);
	randombytes_buf(seed, sizeof(seed));
	crypto_sign_seed_keypair(other->pk, other->sk, seed);
	if (!strcmp(how, "badgrant")) {
		g[100] ^= 1;
	} else if (!strcmp(how, "mismatch")) {
		cl->pk = other->pk;
		cl->sk = other->sk;
	} else if (!strcmp(how, "stranger")) {
		cb_grant_sign(other, rk->key.pk, (int64_t)time(NULL), g);
	} else if (!strcmp(how, "future")) {
		if (cb_ledger_unseal(lg, &eb))
			return die(how, eb.msg);
		cb_grant_sign(&lg->key, rk->key.pk, (int64_t)time(NULL) + 3600,
		              g);
	} else if (!strncmp(how, "enrolled=", 9)) {
		if (cb_ledger_unseal(lg, &eb) ||
		    cb_ledger_open(how + 9, &lg2, &eb))
			return die(how, eb.msg);
		memcpy(other->pk, lg2->key.pk, CB_KEY_BYTES);
		memcpy(other->sk, lg2->key.sk, CB_SECRET_BYTES);
		cb_ledger_free(&lg2);
		cb_grant_sign(&lg->key, other->pk, (int64_t)time(NULL), g);
		cl->pk = other->pk;
		cl->sk = other->sk;
	} else {
		return die(how, "not a way forge knows");
	}
	sodium_bin2base64(grant, CB_GRANT_B64_LEN + 1, g, sizeof(g),
	                  sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

static int
sync_push(char **argv)
{
	struct cb_request_key rk = CB_REQUEST_KEY_INIT;
	struct cb_key other = CB_KEY_INIT;
	char grant[CB_GRANT_B64_LEN + 1];
	struct cb_ledger *lg = NULL;
	struct cb_hubclient cl;
	struct cb_bundle b;
	struct cb_errbuf eb;
	int rc = 1;

	if (sync_key_of(argv[0], &lg, &rk))
		return 1;
	if (cb_bundle_read(argv[3], &b, &eb)) {
		rc = die(argv[3], eb.msg);
		goto out_key;
	}
	if (cb_hubclient_init(&cl, argv[1], argv[2], rk.key.pk, rk.key.sk,
	                      1 << 20, &eb)) {
		rc = die("sync-push", eb.msg);
		goto out;
	}
	rc = forge_grant(lg, &rk, argv[4], &cl, &other, grant)
	             ? 1
	             : post_entries(&cl, "/v1/push", &b, "sync-push");
	cb_hubclient_release(&cl);
out:
	cb_bundle_release(&b);
out_key:
	cb_key_release(&other);
	cb_request_key_release(&rk);
	cb_ledger_free(&lg);
	return rc;
}

static int
plant(char **argv)
{
	struct cb_ledger *lg = NULL;
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_bundle b;
	struct cb_errbuf eb;
	size_t at = 0, n = 0;

	if (cb_ledger_open_kind(argv[0], &cb_ledger_hub, &lg, &eb))
		return die(argv[0], eb.msg);
	if (cb_bundle_read(argv[1], &b, &eb)) {
		cb_ledger_free(&lg);
		return die(argv[1], eb.msg);
	}
	if (cb_store_begin(lg->st, &eb))
		return die("plant", eb.msg);
	while (at + 4 <= b.stream.len) {
		const unsigned char *p = b.stream.data + at;
		size_t len = (size_t)p[0] << 24 | (size_t)p[1] << 16 |
		             (size_t)p[2] << 8 | p[3];

		if (cb_entry_decode(p + 4, len, &e, &eb) ||
		    cb_ledger_store_entry(lg->st, &e, "applied", NULL, &eb))
			return die("plant", eb.msg);
		cb_entry_release(&e);
		at += 4 + len;
		n++;
	}
	if (cb_store_commit(lg->st, &eb))
		return die("plant", eb.msg);
	printf("planted %zu entries\n", n);
	cb_bundle_release(&b);
	cb_ledger_free(&lg);
	return 0;
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
	if (argc == 6 && !strcmp(argv[1], "sync-entry"))
		return sync_entry(argv + 2);
	if (argc == 7 && !strcmp(argv[1], "sync-push"))
		return sync_push(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "plant"))
		return plant(argv + 2);
	if (argc < 3 || !((!strcmp(argv[1], "request") && argc == 7) ||
	                  (!strcmp(argv[1], "append") && argc == 5) ||
	                  (!strcmp(argv[1], "resign") && argc == 3))) {
		fprintf(stderr, "usage: forge request REPLICA METHOD AUTHORITY "
		                "PATH BODYFILE\n       forge append REPLICA OP "
		                "JSON\n       forge resign HUBDIR\n       "
		                "forge bundle KEYFILE IN OUT [CHANGE...]\n"
		                "       forge flood REPLICA|- URL PIN N "
		                "[SECONDS [FROM]]\n       forge relay HUBDIR "
		                "URL PIN BUNDLE [CHANGE...]\n       forge "
		                "sync-entry REPLICA OP JSON OUT\n       forge "
		                "sync-push REPLICA URL PIN BUNDLE "
		                "grant|nogrant\n       forge plant HUBDIR "
		                "BUNDLE\n");
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

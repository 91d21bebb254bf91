/* SPDX-License-Identifier: MIT */
/* test_witness.c — a hub as the witness of a lower hub's log (witness.h,
 * C2SP tlog-witness add-checkpoint, tlog-cosignature): a first checkpoint
 * cosigned, a later one cosigned with a consistency proof, the
 * cosignature verifying by the witness's key and by no other; and the
 * forgeries refused, the state unchanged: a note signed by another key
 * (403), a stale old size (409, the size held), a proof that does not
 * verify or another root at the same size (422), malformed bodies and an
 * old size past the checkpoint (400). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "checkpoint.h"
#include "merkle.h"
#include "store.h"
#include "witness.h"

#define ORIGIN "chibo/hub/BG.LG"
#define WITNESS "chibo/hub/BG"
#define LEAVES 40

static char path[64];
static struct cb_store *st;
static uint8_t leaves[LEAVES][32];
static struct cb_merkle_leaves tree = { (const uint8_t (*)[32])leaves, LEAVES };
static uint8_t log_pk[32], log_sk[64], w_pk[32], w_sk[64], x_pk[32], x_sk[64];

/* The signed checkpoint of the first size leaves, by sk. */
static char *
checkpoint(uint64_t size, const uint8_t sk[64])
{
	struct cb_checkpoint c = { .size = size };
	struct cb_merkle_stream ms;
	struct cb_errbuf eb;
	char *note = NULL;

	snprintf(c.origin, sizeof(c.origin), "%s", ORIGIN);
	cb_merkle_stream_init(&ms);
	for (uint64_t i = 0; i < size; i++)
		cb_merkle_stream_append(&ms, leaves[i]);
	cb_merkle_stream_root(&ms, c.root);
	assert_int_equal(cb_checkpoint_sign(&c, ORIGIN, sk, &note, &eb), CB_OK);
	return note;
}

/* Submit the checkpoint of size from old (with the right proof unless
 * bad_proof); the result, the size held, and the cosigned note in *out
 * (or NULL). */
static cb_err
submit(uint64_t old, uint64_t size, const uint8_t sk[64], bool bad_proof,
       uint64_t *held, char **out)
{
	uint8_t proof[CB_MERKLE_MAX_PATH][32];
	struct cb_witness_req rq;
	struct cb_errbuf eb;
	size_t n = 0;
	char *note = checkpoint(size, sk), *body, *line = NULL;
	cb_err rc;

	if (old > 0 && old <= size)
		assert_int_equal(cb_merkle_consistency_proof(
					 cb_merkle_leaves_node, &tree, old,
					 size, proof, &n, &eb),
		                 CB_OK);
	if (bad_proof && n)
		proof[0][0] ^= 1;
	body = cb_witness_format(old, (const uint8_t(*)[32])proof, n, note);
	assert_non_null(body);
	assert_int_equal(cb_witness_parse(body, strlen(body), &rq, &eb), CB_OK);
	rc = cb_witness_add(st, &rq, ORIGIN, log_pk, WITNESS, w_sk, 1765000000,
	                    held, &line, &eb);
	if (out) {
		*out = NULL;
		if (!rc && (*out = malloc(strlen(note) + strlen(line) + 1)))
			strcat(strcpy(*out, note), line);
	}
	free(line);
	free(body);
	free(note);
	return rc;
}

static int
setup(void **state)
{
	struct cb_errbuf eb;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	for (int i = 0; i < LEAVES; i++) {
		char text[24];

		snprintf(text, sizeof(text), "entry %d", i);
		cb_merkle_leaf_hash((const uint8_t *)text, strlen(text),
		                    leaves[i]);
	}
	crypto_sign_keypair(log_pk, log_sk);
	crypto_sign_keypair(w_pk, w_sk);
	crypto_sign_keypair(x_pk, x_sk);
	snprintf(path, sizeof(path), "/tmp/chibo-witness-%d.db", getpid());
	unlink(path);
	return cb_store_open(path, true, &st, &eb) == CB_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	char p[80];

	(void)state;
	cb_store_free(&st);
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	return 0;
}

static void
test_cosigned(void **state)
{
	struct cb_errbuf eb;
	uint64_t held, ts = 0;
	char *note = NULL;

	(void)state;
	assert_int_equal(submit(0, 10, log_sk, false, &held, &note), CB_OK);
	assert_non_null(note);
	assert_int_equal(
		cb_cosig_open(note, strlen(note), WITNESS, w_pk, &ts, &eb),
		CB_OK);
	assert_int_equal(ts, 1765000000);
	/* the log's own key is no witness, nor another key */
	assert_int_equal(
		cb_cosig_open(note, strlen(note), WITNESS, x_pk, &ts, &eb),
		CB_ECRYPTO);
	/* a byte of the checkpoint changed: the cosignature fails */
	note[strlen(ORIGIN) + 1] ^= 1;
	assert_int_equal(
		cb_cosig_open(note, strlen(note), WITNESS, w_pk, &ts, &eb),
		CB_ECRYPTO);
	free(note);
	assert_int_equal(cb_witness_held(st, ORIGIN, &held, &eb), CB_OK);
	assert_int_equal(held, 10);
	/* and on: from 10 to 25, with the proof */
	assert_int_equal(submit(10, 25, log_sk, false, &held, NULL), CB_OK);
	assert_int_equal(submit(25, 25, log_sk, false, &held, NULL), CB_OK);
}

static void
test_forgeries(void **state)
{
	struct cb_witness_req rq;
	struct cb_errbuf eb;
	uint64_t held;
	const char *bodies[] = {
		"",
		"old 01\n\nx\n",
		"old 5\nnot base64\n\nx\n",
		"olde 5\n\nx\n",
		"old 5\n",
		"old 5\n\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		assert_int_equal(cb_witness_parse(bodies[i], strlen(bodies[i]),
		                                  &rq, &eb),
		                 CB_EINVAL);
	/* signed by another key than the log's */
	assert_int_equal(submit(25, 30, x_sk, false, &held, NULL), CB_ECRYPTO);
	/* not the size held: 409 with it */
	assert_int_equal(submit(10, 30, log_sk, false, &held, NULL), CB_ECHAIN);
	assert_int_equal(held, 25);
	/* an old size past the checkpoint */
	assert_int_equal(submit(25, 20, log_sk, false, &held, NULL), CB_EINVAL);
	/* a proof that does not verify */
	assert_int_equal(submit(25, 30, log_sk, true, &held, NULL), CB_ERULE);
	/* another log of the same size: a fork */
	leaves[3][0] ^= 1;
	assert_int_equal(submit(25, 25, log_sk, false, &held, NULL), CB_ERULE);
	assert_int_equal(submit(25, 30, log_sk, false, &held, NULL), CB_ERULE);
	leaves[3][0] ^= 1;
	assert_int_equal(cb_witness_held(st, ORIGIN, &held, &eb), CB_OK);
	assert_int_equal(held, 25);
	/* a log never cosigned holds size 0 */
	assert_int_equal(cb_witness_held(st, "chibo/hub/other", &held, &eb),
	                 CB_OK);
	assert_int_equal(held, 0);
}

/* A cosigned checkpoint opened by the witness's key alone (its name read
 * from the cosignature line): by the witness's key, yes; by another key,
 * or with the log's key wrong, or a byte changed, no. And the witnessed
 * logs walked, as an auditor reads them. */
static cb_err
count_witnessed(void *ctx, const char *origin, uint64_t size,
                const uint8_t root[32], const char *note, struct cb_errbuf *eb)
{
	(void)root;
	(void)eb;
	assert_string_equal(origin, ORIGIN);
	assert_non_null(strstr(note, ORIGIN "\n"));
	*(uint64_t *)ctx = size;
	return CB_OK;
}

static void
test_cosigned_by_key(void **state)
{
	struct cb_checkpoint cp;
	struct cb_errbuf eb;
	char name[CB_CHECKPOINT_ORIGIN_MAX + 1];
	uint64_t held, ts = 0, seen = 0;
	char *note = NULL;

	(void)state;
	assert_int_equal(cb_witness_held(st, ORIGIN, &held, &eb), CB_OK);
	assert_int_equal(submit(held, 30, log_sk, false, &held, &note), CB_OK);
	assert_int_equal(cb_cosigned_open(note, strlen(note), ORIGIN, log_pk,
	                                  w_pk, &cp, name, &ts, &eb),
	                 CB_OK);
	assert_string_equal(name, WITNESS);
	assert_int_equal(cp.size, 30);
	assert_int_equal(ts, 1765000000);
	assert_int_equal(cb_cosigned_open(note, strlen(note), ORIGIN, log_pk,
	                                  x_pk, &cp, NULL, NULL, &eb),
	                 CB_ECRYPTO);
	assert_non_null(strstr(eb.msg, "carries no cosignature by witness"));
	assert_int_not_equal(cb_cosigned_open(note, strlen(note), ORIGIN, x_pk,
	                                      w_pk, &cp, NULL, NULL, &eb),
	                     CB_OK);
	note[strlen(note) - 10] ^= 1; /* inside the cosignature */
	assert_int_not_equal(cb_cosigned_open(note, strlen(note), ORIGIN,
	                                      log_pk, w_pk, &cp, NULL, NULL,
	                                      &eb),
	                     CB_OK);
	free(note);
	assert_int_equal(cb_witness_each(st, count_witnessed, &seen, &eb),
	                 CB_OK);
	assert_int_equal(seen, 30);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cosigned),
		cmocka_unit_test(test_forgeries),
		cmocka_unit_test(test_cosigned_by_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

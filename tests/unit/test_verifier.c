/* SPDX-License-Identifier: MIT */
/* test_verifier.c — the threaded reader of entry streams gives what
 * cb_stream_next and cb_entry_verify_signature give, entry for entry and
 * error for error, however its workers are set up: none, one, many; a
 * window of one entry; workers that lag; entries beyond max read by the
 * reader itself; bad signatures; a corrupted entry, a cut stream and an
 * oversized length in the middle; decoding only; freed half-way. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "stream.h"
#include "verifier.h"

#define N 400

static unsigned char pk[32], sk[64];
static struct cb_buf stream;
static size_t offs[N + 1]; /* of each frame; offs[N] = the end */

static int
setup(void **state)
{
	unsigned char prev[CB_HASH_BYTES];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	crypto_sign_keypair(pk, sk);
	for (int i = 0; i < N; i++) {
		struct cb_entry_fields f = { 0 };
		struct cb_entry e = CB_ENTRY_INIT;
		char name[32];
		json_t *body;

		snprintf(name, sizeof(name), "Chi bộ số %d", i);
		body = json_pack("{s:s, s:s}", "code", "07297.01", "name",
		                 name);
		f.author = pk;
		f.secret_key = sk;
		f.seq = (uint64_t)i + 1;
		f.prev = i ? prev : NULL;
		f.time_ms = 1763683200000;
		f.op = "cell.rename";
		f.body = body;
		if (cb_entry_build(&f, &e, NULL))
			return -1;
		json_decref(body);
		memcpy(prev, e.id, CB_HASH_BYTES);
		offs[i] = stream.len;
		if (cb_stream_append(&stream, &e))
			return -1;
		cb_entry_release(&e);
	}
	offs[N] = stream.len;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cb_buf_release(&stream);
	return 0;
}

/* What the plain reader makes of p: each entry's id and verdict, then the
 * final code and message. */
struct outcome {
	size_t n;
	unsigned char ids[N + 1][CB_HASH_BYTES];
	bool verified[N + 1];
	cb_err rc;
	char msg[CB_ERRBUF_SIZE];
};

static void
read_plain(const unsigned char *p, size_t len, struct outcome *o)
{
	struct cb_stream_reader rd;
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb = { "" };

	memset(o, 0, sizeof(*o));
	cb_stream_reader_init(&rd, p, len);
	while ((o->rc = cb_stream_next(&rd, &e, &eb)) == CB_OK) {
		memcpy(o->ids[o->n], e.id, CB_HASH_BYTES);
		o->verified[o->n++] =
			cb_entry_verify_signature(&e, NULL) == CB_OK;
	}
	snprintf(o->msg, sizeof(o->msg), "%s", eb.msg);
	cb_entry_release(&e);
}

static void
read_threaded(const unsigned char *p, size_t len, size_t max,
              const struct cb_verifier_opts *opts, struct outcome *o)
{
	struct cb_verifier *v = cb_verifier_new(p, len, max, opts);
	struct cb_errbuf eb = { "" };
	const struct cb_entry *e;
	bool ok;

	assert_non_null(v);
	memset(o, 0, sizeof(*o));
	while ((o->rc = cb_verifier_next(v, &e, &ok, &eb)) == CB_OK) {
		memcpy(o->ids[o->n], e->id, CB_HASH_BYTES);
		o->verified[o->n++] = ok;
		assert_int_equal(cb_verifier_index(v), o->n);
	}
	snprintf(o->msg, sizeof(o->msg), "%s", eb.msg);
	cb_verifier_free(&v);
	assert_null(v);
}

static const struct cb_verifier_opts setups[] = {
	{ .threads = 0 },
	{ .threads = 1 },
	{ .threads = 3 },
	{ .threads = CB_VERIFIER_MAX_THREADS },
	{ .threads = 2, .window = 1 },
	{ .threads = 1, .window = 16 },
	{ .threads = 2, .job_delay_us = 200 },
	{ .threads = -1 },
};
#define NSETUPS (sizeof(setups) / sizeof(setups[0]))

/* Every setup, and a max that leaves entries to the reader, give what
 * the plain reader gives on p. */
static void
same_as_plain(const unsigned char *p, size_t len)
{
	static struct outcome want, got;
	const size_t maxes[] = { SIZE_MAX, N / 2, 1, 0 };

	read_plain(p, len, &want);
	for (size_t s = 0; s < NSETUPS; s++)
		for (size_t m = 0; m < sizeof(maxes) / sizeof(maxes[0]); m++) {
			read_threaded(p, len, maxes[m], &setups[s], &got);
			assert_int_equal(got.rc, want.rc);
			assert_string_equal(got.msg, want.msg);
			assert_int_equal(got.n, want.n);
			assert_memory_equal(got.ids, want.ids,
			                    want.n * CB_HASH_BYTES);
			assert_memory_equal(got.verified, want.verified,
			                    want.n * sizeof(bool));
		}
}

static void
test_whole_stream(void **state)
{
	static struct outcome o;

	(void)state;
	read_plain(stream.data, stream.len, &o);
	assert_int_equal(o.rc, CB_ENOTFOUND);
	assert_int_equal(o.n, N);
	same_as_plain(stream.data, stream.len);
	/* an empty stream */
	same_as_plain(stream.data, 0);
}

static void
test_bad_signatures(void **state)
{
	unsigned char *p = malloc(stream.len);
	static struct outcome o;

	(void)state;
	memcpy(p, stream.data, stream.len);
	/* the last byte of a frame is its signature's */
	p[offs[N / 3 + 1] - 1] ^= 1;
	p[offs[N] - 1] ^= 0x80;
	read_plain(p, stream.len, &o);
	assert_false(o.verified[N / 3]);
	assert_false(o.verified[N - 1]);
	assert_true(o.verified[N / 3 + 1]);
	same_as_plain(p, stream.len);
	free(p);
}

static void
test_faults_in_the_middle(void **state)
{
	unsigned char *p = malloc(stream.len);
	static struct outcome o;

	(void)state;
	/* an entry that does not decode: its magic */
	memcpy(p, stream.data, stream.len);
	p[offs[N / 2] + 4] = 'X';
	read_plain(p, stream.len, &o);
	assert_int_equal(o.rc, CB_EINVAL);
	assert_int_equal(o.n, N / 2);
	assert_non_null(strstr(o.msg, "stream entry 201 at byte"));
	same_as_plain(p, stream.len);
	/* a length over the limit */
	memcpy(p, stream.data, stream.len);
	p[offs[N / 4]] = 0x7f;
	read_plain(p, stream.len, &o);
	assert_int_equal(o.rc, CB_ETOOBIG);
	same_as_plain(p, stream.len);
	/* a length past the end, and a stream cut inside a prefix */
	memcpy(p, stream.data, stream.len);
	memcpy(p + offs[N - 3], "\0\0\xff\xff", 4);
	read_plain(p, stream.len, &o);
	assert_non_null(strstr(o.msg, "(truncated)"));
	same_as_plain(p, stream.len);
	same_as_plain(stream.data, offs[N - 1] + 2);
	same_as_plain(stream.data, offs[N - 1] + 40);
	free(p);
}

/* A reader that reports every fault goes on past an entry that does not
 * decode: it gets every other entry, in order, in every setup. */
static void
test_past_a_bad_entry(void **state)
{
	unsigned char *p = malloc(stream.len);
	static struct outcome want;
	(void)state;
	read_plain(stream.data, stream.len, &want);
	memcpy(p, stream.data, stream.len);
	p[offs[N / 3] + 4] = 'X';
	p[offs[N / 3 + 1] + 4] = 'X';
	p[offs[N - 1] + 4] = 'X';
	for (size_t s = 0; s < NSETUPS; s++) {
		struct cb_verifier *v =
			cb_verifier_new(p, stream.len, SIZE_MAX, &setups[s]);
		struct cb_errbuf eb;
		const struct cb_entry *e;
		size_t n = 0, bad = 0;
		cb_err rc;
		bool ok;

		assert_non_null(v);
		while ((rc = cb_verifier_next(v, &e, &ok, &eb)) !=
		       CB_ENOTFOUND) {
			if (rc) {
				assert_int_equal(rc, CB_EINVAL);
				assert_true(n == N / 3 || n == N / 3 + 1 ||
				            n == N - 1);
				bad++;
			} else {
				assert_memory_equal(e->id, want.ids[n],
				                    CB_HASH_BYTES);
				assert_true(ok);
			}
			n++;
			assert_true(n <= N);
		}
		assert_int_equal(n, N);
		assert_int_equal(bad, 3);
		cb_verifier_free(&v);
	}
	free(p);
}

/* decode_only: the same entries and the same faults of decoding, in
 * every setup; no signature is checked, so each entry's verdict is false
 * and a forged one does not stop the reader. */
static void
test_decode_only(void **state)
{
	unsigned char *p = malloc(stream.len);
	static struct outcome want, got;

	(void)state;
	memcpy(p, stream.data, stream.len);
	p[offs[N / 3 + 1] - 1] ^= 1;  /* a signature */
	p[offs[3 * N / 4] + 4] = 'X'; /* an entry that does not decode */
	read_plain(p, stream.len, &want);
	assert_int_equal(want.n, 3 * N / 4);
	for (size_t s = 0; s < NSETUPS; s++) {
		struct cb_verifier_opts o = setups[s];

		o.decode_only = true;
		read_threaded(p, stream.len, SIZE_MAX, &o, &got);
		assert_int_equal(got.rc, want.rc);
		assert_string_equal(got.msg, want.msg);
		assert_int_equal(got.n, want.n);
		assert_memory_equal(got.ids, want.ids, want.n * CB_HASH_BYTES);
		for (size_t i = 0; i < got.n; i++)
			assert_false(got.verified[i]);
	}
	free(p);
}

/* Freed with the workers busy, or before anything was read: no entry
 * leaks and nothing hangs (the sanitizer build checks the first). */
static void
test_free_half_way(void **state)
{
	(void)state;
	for (size_t s = 0; s < NSETUPS; s++) {
		struct cb_verifier *v = cb_verifier_new(stream.data, stream.len,
		                                        SIZE_MAX, &setups[s]);
		const struct cb_entry *e;
		bool ok;

		assert_non_null(v);
		for (int i = 0; i < 7; i++) {
			assert_int_equal(cb_verifier_next(v, &e, &ok, NULL),
			                 CB_OK);
			assert_true(ok);
		}
		cb_verifier_free(&v);
		v = cb_verifier_new(stream.data, stream.len, SIZE_MAX,
		                    &setups[s]);
		cb_verifier_free(&v);
	}
	cb_verifier_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_stream),
		cmocka_unit_test(test_bad_signatures),
		cmocka_unit_test(test_faults_in_the_middle),
		cmocka_unit_test(test_decode_only),
		cmocka_unit_test(test_past_a_bad_entry),
		cmocka_unit_test(test_free_half_way),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

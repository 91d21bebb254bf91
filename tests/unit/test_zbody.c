/* SPDX-License-Identifier: MIT */
/* test_zbody.c — zstd bodies: round trips of several sizes, several frames
 * in a row, and the refusals: a decompression bomb past the cap, a
 * truncated frame, trailing garbage, bytes that are not zstd at all. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "zbody.h"

static void
round_trip(size_t n)
{
	struct cb_buf z = CB_BUF_INIT, out = CB_BUF_INIT;
	struct cb_errbuf eb;
	unsigned char *in = calloc(1, n + 1);

	for (size_t i = 0; i < n; i++)
		in[i] = (unsigned char)(i * 7 % 251);
	assert_int_equal(cb_zbody_compress(in, n, 3, &z, &eb), 0);
	if (cb_zbody_decompress(z.data, z.len, n, &out, &eb))
		fail_msg("n=%zu: %s", n, eb.msg);
	assert_int_equal(out.len, n);
	if (n)
		assert_memory_equal(out.data, in, n);
	/* one byte under the size: refused */
	if (n)
		assert_int_equal(
			cb_zbody_decompress(z.data, z.len, n - 1, &out, &eb),
			CB_ETOOBIG);
	free(in);
	cb_buf_release(&z);
	cb_buf_release(&out);
}

static void
test_round_trips(void **state)
{
	(void)state;
	round_trip(0);
	round_trip(1);
	round_trip(1000);
	round_trip(65536);
	round_trip(65537);
	round_trip(3 * 1024 * 1024 + 17);
}

static void
test_two_frames(void **state)
{
	struct cb_buf z = CB_BUF_INIT, out = CB_BUF_INIT;
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(cb_zbody_compress("hello ", 6, 3, &z, &eb), 0);
	assert_int_equal(cb_zbody_compress("world", 5, 3, &z, &eb), 0);
	assert_int_equal(cb_zbody_decompress(z.data, z.len, 100, &out, &eb), 0);
	assert_string_equal((char *)out.data, "hello world");
	cb_buf_release(&z);
	cb_buf_release(&out);
}

static void
test_bomb_is_refused(void **state)
{
	struct cb_buf z = CB_BUF_INIT, out = CB_BUF_INIT;
	struct cb_errbuf eb;
	size_t n = 200 * 1024 * 1024;
	unsigned char *zeros = calloc(1, n);

	(void)state;
	assert_int_equal(cb_zbody_compress(zeros, n, 19, &z, &eb), 0);
	free(zeros);
	assert_true(z.len < 64 * 1024); /* 200 MiB in a few KB */
	assert_int_equal(cb_zbody_decompress(z.data, z.len, 8 << 20, &out, &eb),
	                 CB_ETOOBIG);
	assert_non_null(strstr(eb.msg, "more than 8388608 bytes"));
	/* and it stopped at the cap, not after inflating everything */
	assert_true(out.len <= (8 << 20) + 65536);
	cb_buf_release(&z);
	cb_buf_release(&out);
}

static void
test_malformed_is_refused(void **state)
{
	struct cb_buf z = CB_BUF_INIT, out = CB_BUF_INIT;
	struct cb_errbuf eb;
	unsigned char text[4000];

	(void)state;
	for (size_t i = 0; i < sizeof(text); i++)
		text[i] = (unsigned char)("chibo"[i % 5] + i % 3);
	assert_int_equal(cb_zbody_compress(text, sizeof(text), 3, &z, &eb), 0);
	for (size_t cut = 1; cut < z.len; cut++) {
		cb_err rc = cb_zbody_decompress(z.data, cut, sizeof(text), &out,
		                                &eb);

		if (rc != CB_EINVAL)
			fail_msg("truncated at %zu of %zu: %d", cut, z.len, rc);
	}
	assert_int_equal(
		cb_zbody_decompress(z.data, z.len - 1, sizeof(text), &out, &eb),
		CB_EINVAL);
	assert_non_null(strstr(eb.msg, "truncated"));
	assert_int_equal(cb_buf_add(&z, "garbage", 7), 0);
	assert_int_equal(
		cb_zbody_decompress(z.data, z.len, sizeof(text), &out, &eb),
		CB_EINVAL);
	assert_int_equal(
		cb_zbody_decompress("{\"not\": \"zstd\"}", 15, 100, &out, &eb),
		CB_EINVAL);
	assert_non_null(strstr(eb.msg, "not valid zstd"));
	cb_buf_release(&z);
	cb_buf_release(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_two_frames),
		cmocka_unit_test(test_bomb_is_refused),
		cmocka_unit_test(test_malformed_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

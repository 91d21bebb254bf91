/* SPDX-License-Identifier: MIT */
/* test_stream.c — entry streams: a round trip, and for every truncation and
 * every corrupted length prefix of a three-entry stream, a refusal that
 * names the entry and offset, after exactly the entries before it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "stream.h"

static struct cb_buf stream = CB_BUF_INIT;
static size_t offsets[4];

static int
setup(void **state)
{
	unsigned char pk[32], sk[64], prev[32];
	struct cb_entry e = CB_ENTRY_INIT;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	crypto_sign_keypair(pk, sk);
	for (int i = 0; i < 3; i++) {
		struct cb_entry_fields f = { 0 };
		json_t *body = json_pack("{s:i, s:s}", "n", i, "name",
		                         "Nguyễn Văn Hợp");

		f.author = pk;
		f.secret_key = sk;
		f.seq = (uint64_t)i + 1;
		f.prev = i ? prev : NULL;
		f.time_ms = 1763683200000;
		f.op = "test.op";
		f.body = body;
		if (cb_entry_build(&f, &e, NULL))
			return -1;
		memcpy(prev, e.id, 32);
		offsets[i] = stream.len;
		if (cb_stream_append(&stream, &e))
			return -1;
		json_decref(body);
	}
	offsets[3] = stream.len;
	cb_entry_release(&e);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cb_buf_release(&stream);
	return 0;
}

/* Read all; return how many entries came before the error (or -1 when the
 * stream ended cleanly). */
static int
read_all(const unsigned char *p, size_t n, struct cb_errbuf *eb)
{
	struct cb_stream_reader r;
	struct cb_entry e = CB_ENTRY_INIT;
	cb_err rc;

	cb_stream_reader_init(&r, p, n);
	while ((rc = cb_stream_next(&r, &e, eb)) == CB_OK)
		;
	cb_entry_release(&e);
	return rc == CB_ENOTFOUND ? -1 : (int)r.index;
}

static void
test_round_trip(void **state)
{
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(read_all(stream.data, stream.len, &eb), -1);
	assert_int_equal(read_all(stream.data, 0, &eb), -1);
}

static void
test_every_truncation_is_named(void **state)
{
	struct cb_errbuf eb;
	char want[64];

	(void)state;
	for (size_t cut = 1; cut < stream.len; cut++) {
		int before = read_all(stream.data, cut, &eb);
		int k = 0;

		while (offsets[k + 1] <= cut)
			k++;
		if (cut == offsets[k]) {
			/* a clean boundary: k whole entries, no error */
			assert_int_equal(before, -1);
			continue;
		}
		assert_int_equal(before, k);
		snprintf(want, sizeof(want), "stream entry %d at byte %zu",
		         k + 1, offsets[k]);
		if (!strstr(eb.msg, want))
			fail_msg("cut %zu: expected '%s' in '%s'", cut, want,
			         eb.msg);
	}
}

static void
test_bad_lengths(void **state)
{
	struct cb_buf b = CB_BUF_INIT;
	struct cb_errbuf eb;

	(void)state;
	/* the second entry's length one larger, one smaller, huge */
	for (int delta = -1; delta <= 1; delta += 2) {
		cb_buf_reset(&b);
		assert_int_equal(cb_buf_add(&b, stream.data, stream.len), 0);
		b.data[offsets[1] + 3] =
			(unsigned char)(b.data[offsets[1] + 3] + delta);
		assert_int_equal(read_all(b.data, b.len, &eb), 1);
		assert_non_null(strstr(eb.msg, "stream entry 2 at byte"));
	}
	cb_buf_reset(&b);
	assert_int_equal(cb_buf_add(&b, stream.data, stream.len), 0);
	b.data[offsets[1]] = 0x7f;
	assert_int_equal(read_all(b.data, b.len, &eb), 1);
	assert_non_null(strstr(eb.msg, "over the limit"));
	/* trailing garbage after the last entry */
	cb_buf_reset(&b);
	assert_int_equal(cb_buf_add(&b, stream.data, stream.len), 0);
	assert_int_equal(cb_buf_add(&b, "\x00\x00", 2), 0);
	assert_int_equal(read_all(b.data, b.len, &eb), 3);
	assert_non_null(strstr(eb.msg, "length prefix is cut short"));
	cb_buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_truncation_is_named),
		cmocka_unit_test(test_bad_lengths),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

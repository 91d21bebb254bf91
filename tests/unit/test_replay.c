/* SPDX-License-Identifier: MIT */
/* test_replay.c — the nonce cache: a replay is refused, other keys and
 * nonces are not, nonces are forgotten only after their window, a full
 * share refuses rather than forgets, a key that fills its share refuses
 * no other key, a floor from before a restart refuses what was signed up
 * to it, and under two threads racing with the same nonces each nonce is
 * accepted exactly once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "replay.h"

static const unsigned char key_a[32] = { 1 }, key_b[32] = { 2 };

static void
test_replay_refused(void **state)
{
	struct cb_replay *r = cb_replay_new(100, 300);
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(
		cb_replay_add(r, key_a, "nonce-0000000001", 1000, 1000, &eb),
		0);
	assert_int_equal(
		cb_replay_add(r, key_a, "nonce-0000000001", 1000, 1010, &eb),
		CB_EEXIST);
	assert_non_null(strstr(eb.msg, "a replay"));
	/* the same nonce from another key, another nonce: new */
	assert_int_equal(
		cb_replay_add(r, key_b, "nonce-0000000001", 1000, 1010, &eb),
		0);
	assert_int_equal(
		cb_replay_add(r, key_a, "nonce-0000000002", 1000, 1010, &eb),
		0);
	/* still remembered at the end of the window, forgotten after */
	assert_int_equal(
		cb_replay_add(r, key_a, "nonce-0000000001", 1000, 1300, &eb),
		CB_EEXIST);
	assert_int_equal(cb_replay_size(r), 3);
	assert_int_equal(
		cb_replay_add(r, key_a, "nonce-0000000003", 1301, 1301, &eb),
		0);
	assert_int_equal(cb_replay_size(r), 1);
	cb_replay_free(&r);
	assert_null(r);
}

static void
test_full_refuses_rather_than_forgets(void **state)
{
	struct cb_replay *r = cb_replay_new(50, 300);
	struct cb_errbuf eb;
	char nonce[32];

	(void)state;
	for (int i = 0; i < 50; i++) {
		snprintf(nonce, sizeof(nonce), "nonce-%010d", i);
		assert_int_equal(
			cb_replay_add(r, key_a, nonce, 1000, 1000, &eb), 0);
	}
	assert_int_equal(
		cb_replay_add(r, key_a, "nonce-new-0000001", 1000, 1000, &eb),
		CB_ETOOBIG);
	/* every one of the 50 is still known */
	for (int i = 0; i < 50; i++) {
		snprintf(nonce, sizeof(nonce), "nonce-%010d", i);
		assert_int_equal(
			cb_replay_add(r, key_a, nonce, 1000, 1100, &eb),
			CB_EEXIST);
	}
	/* once their window has passed there is room again */
	assert_int_equal(
		cb_replay_add(r, key_a, "nonce-new-0000001", 1301, 1301, &eb),
		0);
	cb_replay_free(&r);
}

/* Issue 16: a flood from one key filled the one cache and every other
 * key was refused "too many requests". Now each key has its own share. */
static void
test_a_full_share_refuses_no_other_key(void **state)
{
	struct cb_replay *r = cb_replay_new(50, 300);
	struct cb_errbuf eb;
	unsigned char key[32] = { 0 };
	char nonce[32];

	(void)state;
	for (int i = 0; i < 50; i++) {
		snprintf(nonce, sizeof(nonce), "flood-%010d", i);
		assert_int_equal(
			cb_replay_add(r, key_a, nonce, 1000 + i, 1000 + i, &eb),
			0);
	}
	assert_int_equal(
		cb_replay_add(r, key_a, "flood-one-more-01", 1060, 1060, &eb),
		CB_ETOOBIG);
	assert_non_null(strstr(eb.msg, "retry later"));
	/* room again when its first nonce expires, at 1000 + 300 + 1 */
	assert_int_equal(cb_replay_wait(r, key_a, 1060), 241);
	assert_int_equal(cb_replay_wait(r, key_b, 1060), 0);
	assert_int_equal(
		cb_replay_add(r, key_b, "nonce-0000000001", 1060, 1060, &eb),
		0);
	/* a thousand other keys, a few nonces each: all taken */
	for (int k = 0; k < 1000; k++) {
		key[0] = (unsigned char)k;
		key[1] = (unsigned char)(k >> 8);
		key[2] = 7;
		for (int i = 0; i < 3; i++) {
			snprintf(nonce, sizeof(nonce), "nonce-%010d", i);
			assert_int_equal(
				cb_replay_add(r, key, nonce, 1060, 1060, &eb),
				0);
		}
	}
	assert_int_equal(cb_replay_size(r), 50 + 1 + 3000);
	assert_int_equal(
		cb_replay_add(r, key_a, "flood-one-more-01", 1301, 1301, &eb),
		0);
	/* full again: the next oldest, created at 1001, goes after 1301 */
	assert_int_equal(cb_replay_wait(r, key_a, 1301), 1);
	/* all expired: every ring is freed, and the cache still works */
	assert_int_equal(
		cb_replay_add(r, key_b, "nonce-0000000002", 2000, 2000, &eb),
		0);
	assert_int_equal(cb_replay_size(r), 1);
	cb_replay_free(&r);
}

/* Issue 16: a request captured before a restart was taken again after
 * it. A key's floor (its highest created recorded before) refuses every
 * request of that key created up to it, with CB_EAGAIN. */
static void
test_floor_refuses_what_was_signed_before(void **state)
{
	struct cb_replay *r = cb_replay_new(50, 300);
	struct cb_errbuf eb;

	(void)state;
	assert_true(cb_replay_unrecorded(r, key_a, 900, -1));
	assert_int_equal(cb_replay_floor(r, key_a, 1000), 0);
	assert_int_equal(
		cb_replay_add(r, key_a, "nonce-0000000001", 1000, 1005, &eb),
		CB_EAGAIN);
	assert_non_null(strstr(eb.msg, "sign it again"));
	assert_int_equal(
		cb_replay_add(r, key_a, "nonce-0000000001", 999, 1005, &eb),
		CB_EAGAIN);
	assert_int_equal(cb_replay_size(r), 0);
	assert_int_equal(
		cb_replay_add(r, key_a, "nonce-0000000001", 1001, 1005, &eb),
		0);
	assert_int_equal(
		cb_replay_add(r, key_b, "nonce-0000000001", 1000, 1005, &eb),
		0);
	/* what is recorded: the floor, then what the caller says it wrote,
	 * with its tag (an endpoint): another tag is to record again */
	assert_false(cb_replay_unrecorded(r, key_a, 1000, -1));
	assert_true(cb_replay_unrecorded(r, key_a, 1000, 2));
	assert_true(cb_replay_unrecorded(r, key_a, 1001, -1));
	cb_replay_recorded(r, key_a, 1003, 2);
	assert_false(cb_replay_unrecorded(r, key_a, 1003, 2));
	assert_false(cb_replay_unrecorded(r, key_a, 1002, 2));
	assert_true(cb_replay_unrecorded(r, key_a, 1003, 3));
	assert_true(cb_replay_unrecorded(r, key_a, 1004, 2));
	assert_true(cb_replay_unrecorded(r, key_b, 1000, 2));
	cb_replay_recorded(r, key_b, 1000, 2);
	assert_false(cb_replay_unrecorded(r, key_b, 999, 2));
	cb_replay_free(&r);
}

struct racer {
	struct cb_replay *r;
	int accepted;
};

static void *
race(void *arg)
{
	struct racer *x = arg;
	char nonce[32];

	for (int i = 0; i < 20000; i++) {
		snprintf(nonce, sizeof(nonce), "nonce-%010d", i);
		if (cb_replay_add(x->r, key_a, nonce, 1000, 1000, NULL) == 0)
			x->accepted++;
	}
	return NULL;
}

static void
test_two_threads(void **state)
{
	struct cb_replay *r = cb_replay_new(50000, 300);
	struct racer a = { r, 0 }, b = { r, 0 };
	pthread_t ta, tb;

	(void)state;
	pthread_create(&ta, NULL, race, &a);
	pthread_create(&tb, NULL, race, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.accepted + b.accepted, 20000);
	assert_int_equal(cb_replay_size(r), 20000);
	cb_replay_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_refused),
		cmocka_unit_test(test_full_refuses_rather_than_forgets),
		cmocka_unit_test(test_a_full_share_refuses_no_other_key),
		cmocka_unit_test(test_floor_refuses_what_was_signed_before),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

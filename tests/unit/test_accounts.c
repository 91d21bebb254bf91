/* SPDX-License-Identifier: MIT */
/* test_accounts.c — the dashboard's accounts and sessions (accounts.h)
 * and the password hashes they keep (pwhash.h): names refused, an
 * account added once, sign-in attempts counted before the password is
 * checked and the lock after CB_ACCOUNT_FAILURES_MAX of them, a session
 * found by its cookie only while open and while its account is there,
 * ended by a new password or the account's removal; a hash whose cost
 * or form is forged verifies nothing. */
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

#include "accounts.h"
#include "pwhash.h"
#include "store.h"

static char dir[64];
static struct cb_store *st;
static char hash[CB_PWHASH_STR_BYTES];
/* cheap, for the tests: the minimum Argon2id allows */
static const struct cb_pwhash_cost cheap = { 1, 8192 };

static int
setup(void **state)
{
	struct cb_errbuf eb;
	char path[96];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/chibo-test-accounts.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/hub.db", dir);
	if (cb_store_open(path, true, &st, &eb) ||
	    cb_pwhash_str("mật khẩu đúng", strlen("mật khẩu đúng"), &cheap,
	                  hash, &eb))
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[96];

	(void)state;
	cb_store_free(&st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void
test_names(void **state)
{
	static const char *const bad[] = { "",    "Lan",   "-lan", ".x",
		                           "a b", "lan/x", "lân",  NULL };
	char longest[CB_ACCOUNT_NAME_MAX + 2];
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(cb_account_name_check("lan.nguyen-2_x", &eb), CB_OK);
	assert_int_equal(cb_account_name_check("7lan", &eb), CB_OK);
	for (int i = 0; bad[i]; i++) {
		assert_int_equal(cb_account_name_check(bad[i], &eb), CB_EINVAL);
		assert_non_null(strstr(eb.msg, "account name"));
	}
	memset(longest, 'a', sizeof(longest) - 1);
	longest[CB_ACCOUNT_NAME_MAX] = 0;
	assert_int_equal(cb_account_name_check(longest, &eb), CB_OK);
	longest[CB_ACCOUNT_NAME_MAX] = 'a';
	longest[CB_ACCOUNT_NAME_MAX + 1] = 0;
	assert_int_equal(cb_account_name_check(longest, &eb), CB_EINVAL);
	assert_int_equal(cb_account_name_check(NULL, &eb), CB_EINVAL);
}

static void
test_hashes(void **state)
{
	char forged[CB_PWHASH_STR_BYTES], *m;
	struct cb_errbuf eb;

	(void)state;
	assert_true(cb_pwhash_str_verify(hash, "mật khẩu đúng",
	                                 strlen("mật khẩu đúng")));
	assert_false(cb_pwhash_str_verify(hash, "mật khẩu sai",
	                                  strlen("mật khẩu sai")));
	assert_false(cb_pwhash_str_verify(hash, "", 0));
	/* the default cost, as 'account add' stores it */
	assert_int_equal(cb_pwhash_str("x", 1, &cb_pwhash_default, forged, &eb),
	                 CB_OK);
	assert_non_null(strstr(forged, "$argon2id$v=19$m=65536,t=3,p=1$"));
	/* a cost past what a reader pays, written into the hash: refused
	 * before anything is computed */
	snprintf(forged, sizeof(forged), "%s", hash);
	m = strstr(forged, "m=8,");
	assert_non_null(m);
	memcpy(forged, "$argon2id$v=19$m=4194304,t=1,p=1$",
	       strlen("$argon2id$v=19$m=4194304,t=1,p=1$"));
	assert_false(cb_pwhash_str_verify(forged, "mật khẩu đúng",
	                                  strlen("mật khẩu đúng")));
	/* not Argon2id, two lanes, nothing, unterminated */
	assert_false(cb_pwhash_str_verify("$argon2i$v=19$m=8,t=1,p=1$AAAA$AAAA",
	                                  "x", 1));
	assert_false(cb_pwhash_str_verify(
		"$argon2id$v=19$m=8,t=1,p=2$AAAAAAAAAAAAAAAAAAAAAA$AAAA", "x",
		1));
	assert_false(cb_pwhash_str_verify("", "x", 1));
	assert_false(cb_pwhash_str_verify(NULL, "x", 1));
	memset(forged, 'a', sizeof(forged));
	assert_false(cb_pwhash_str_verify(forged, "x", 1));
}

static void
test_add_once(void **state)
{
	struct cb_account a;
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(cb_account_add(st, "lan", NULL, hash, &eb), CB_OK);
	assert_int_equal(cb_account_add(st, "lan", "BG", hash, &eb), CB_EEXIST);
	assert_int_equal(cb_account_find(st, "lan", &a, &eb), CB_OK);
	assert_string_equal(a.org, ""); /* the second add changed nothing */
	assert_int_equal(cb_account_add(st, "hoa", "BG.LG", hash, &eb), CB_OK);
	assert_int_equal(cb_account_find(st, "hoa", &a, &eb), CB_OK);
	assert_string_equal(a.org, "BG.LG");
	assert_int_equal(cb_account_find(st, "nobody", &a, &eb), CB_ENOTFOUND);
	assert_int_equal(cb_account_passwd(st, "nobody", hash, &eb),
	                 CB_ENOTFOUND);
	assert_int_equal(cb_account_unlock(st, "nobody", &eb), CB_ENOTFOUND);
	assert_int_equal(cb_account_remove(st, "nobody", &eb), CB_ENOTFOUND);
}

static void
test_lock(void **state)
{
	const int64_t t0 = 1796500000000;
	char h[CB_PWHASH_STR_BYTES], sid[CB_SESSION_HEX], csrf[CB_SESSION_HEX];
	struct cb_account a;
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(cb_account_add(st, "minh", NULL, hash, &eb), CB_OK);
	assert_int_equal(cb_account_attempt(st, "nobody", t0, NULL, &a, h, &eb),
	                 CB_ENOTFOUND);
	/* each attempt is counted before its password is checked */
	for (int i = 1; i < CB_ACCOUNT_FAILURES_MAX; i++) {
		assert_int_equal(cb_account_attempt(st, "minh", t0 + i, NULL,
		                                    &a, h, &eb),
		                 CB_OK);
		assert_int_equal(a.failures, i);
		assert_int_equal(a.locked_ms, 0);
		assert_string_equal(h, hash);
	}
	/* the last one allowed locks in advance; a right password would
	 * have cleared it */
	assert_int_equal(
		cb_account_attempt(st, "minh", t0 + 10, NULL, &a, h, &eb),
		CB_OK);
	assert_int_equal(a.failures, CB_ACCOUNT_FAILURES_MAX);
	assert_int_equal(a.locked_ms, t0 + 10 + CB_ACCOUNT_LOCK_MS);
	/* locked: nothing more is tried, nor counted */
	assert_int_equal(
		cb_account_attempt(st, "minh", t0 + 20, NULL, &a, h, &eb),
		CB_EAGAIN);
	assert_int_equal(a.locked_ms, t0 + 10 + CB_ACCOUNT_LOCK_MS);
	assert_int_equal(cb_account_find(st, "minh", &a, &eb), CB_OK);
	assert_int_equal(a.failures, CB_ACCOUNT_FAILURES_MAX);
	/* after the lock, one more failure locks it again */
	assert_int_equal(cb_account_attempt(st, "minh",
	                                    t0 + 11 + CB_ACCOUNT_LOCK_MS, NULL,
	                                    &a, h, &eb),
	                 CB_OK);
	assert_true(a.locked_ms > t0 + 11 + CB_ACCOUNT_LOCK_MS);
	/* the administrator unlocks it; a sign-in clears the count */
	assert_int_equal(cb_account_unlock(st, "minh", &eb), CB_OK);
	assert_int_equal(
		cb_account_attempt(st, "minh", t0 + 30, NULL, &a, h, &eb),
		CB_OK);
	assert_int_equal(a.failures, 1);
	assert_int_equal(
		cb_account_signed_in(st, "minh", t0 + 31, NULL, sid, csrf, &eb),
		CB_OK);
	assert_int_equal(cb_account_find(st, "minh", &a, &eb), CB_OK);
	assert_int_equal(a.failures, 0);
	assert_int_equal(a.locked_ms, 0);
	assert_int_equal(a.last_ms, t0 + 31);
}

/* hub.conf's dashboard_failures, dashboard_lock and dashboard_session:
 * a policy of 3 failures, a minute's lock, ten minutes' sessions. */
static void
test_policy(void **state)
{
	const struct cb_account_policy pol = { 3, 60000, 600000 };
	const int64_t t0 = 1796500000000;
	char h[CB_PWHASH_STR_BYTES], sid[CB_SESSION_HEX], csrf[CB_SESSION_HEX];
	struct cb_account a;
	struct cb_session s;
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(cb_account_add(st, "mai", NULL, hash, &eb), CB_OK);
	for (int i = 1; i <= 2; i++) {
		assert_int_equal(
			cb_account_attempt(st, "mai", t0 + i, &pol, &a, h, &eb),
			CB_OK);
		assert_int_equal(a.locked_ms, 0);
	}
	assert_int_equal(
		cb_account_attempt(st, "mai", t0 + 3, &pol, &a, h, &eb), CB_OK);
	assert_int_equal(a.locked_ms, t0 + 3 + 60000);
	assert_int_equal(
		cb_account_attempt(st, "mai", t0 + 60002, &pol, &a, h, &eb),
		CB_EAGAIN);
	assert_int_equal(
		cb_account_attempt(st, "mai", t0 + 60003, &pol, &a, h, &eb),
		CB_OK);
	assert_int_equal(cb_account_signed_in(st, "mai", t0 + 60004, &pol, sid,
	                                      csrf, &eb),
	                 CB_OK);
	assert_int_equal(cb_session_find(st, sid, t0 + 60005, &s, &eb), CB_OK);
	assert_int_equal(s.expires_ms, t0 + 60004 + 600000);
	assert_int_equal(cb_session_find(st, sid, t0 + 60004 + 600000, &s, &eb),
	                 CB_ENOTFOUND);
	assert_int_equal(cb_account_remove(st, "mai", &eb), CB_OK);
}

static void
test_sessions(void **state)
{
	const int64_t t0 = 1796500000000;
	char sid[CB_SESSION_HEX], csrf[CB_SESSION_HEX], sid2[CB_SESSION_HEX],
		csrf2[CB_SESSION_HEX], other[CB_SESSION_HEX];
	struct cb_session s;
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(cb_account_add(st, "thu", NULL, hash, &eb), CB_OK);
	assert_int_equal(
		cb_account_signed_in(st, "thu", t0, NULL, sid, csrf, &eb),
		CB_OK);
	assert_int_equal(strlen(sid), 64);
	assert_int_equal(strlen(csrf), 64);
	assert_string_not_equal(sid, csrf);
	assert_int_equal(cb_session_find(st, sid, t0 + 1, &s, &eb), CB_OK);
	assert_string_equal(s.account.name, "thu");
	assert_string_equal(s.csrf, csrf);
	assert_int_equal(s.expires_ms, t0 + CB_SESSION_MS);
	/* the store keeps the cookie's hash, not the cookie */
	assert_int_equal(cb_session_find(st, csrf, t0 + 1, &s, &eb),
	                 CB_ENOTFOUND);
	snprintf(other, sizeof(other), "%s", sid);
	other[0] = other[0] == 'a' ? 'b' : 'a';
	assert_int_equal(cb_session_find(st, other, t0 + 1, &s, &eb),
	                 CB_ENOTFOUND);
	/* not hex, too short, upper case, nothing */
	assert_int_equal(cb_session_find(st, "x", t0, &s, &eb), CB_ENOTFOUND);
	other[63] = 0;
	assert_int_equal(cb_session_find(st, other, t0, &s, &eb), CB_ENOTFOUND);
	assert_int_equal(cb_session_find(st, NULL, t0, &s, &eb), CB_ENOTFOUND);
	/* expired */
	assert_int_equal(cb_session_find(st, sid, t0 + CB_SESSION_MS, &s, &eb),
	                 CB_ENOTFOUND);
	/* ended */
	assert_int_equal(
		cb_account_signed_in(st, "thu", t0, NULL, sid2, csrf2, &eb),
		CB_OK);
	assert_int_equal(cb_session_end(st, sid2, &eb), CB_OK);
	assert_int_equal(cb_session_find(st, sid2, t0 + 1, &s, &eb),
	                 CB_ENOTFOUND);
	assert_int_equal(cb_session_find(st, sid, t0 + 1, &s, &eb), CB_OK);
	/* a new password ends them all */
	assert_int_equal(cb_account_passwd(st, "thu", hash, &eb), CB_OK);
	assert_int_equal(cb_session_find(st, sid, t0 + 1, &s, &eb),
	                 CB_ENOTFOUND);
	/* so does the account's removal */
	assert_int_equal(
		cb_account_signed_in(st, "thu", t0, NULL, sid, csrf, &eb),
		CB_OK);
	assert_int_equal(cb_account_remove(st, "thu", &eb), CB_OK);
	assert_int_equal(cb_session_find(st, sid, t0 + 1, &s, &eb),
	                 CB_ENOTFOUND);
	assert_int_equal(
		cb_account_signed_in(st, "thu", t0, NULL, sid, csrf, &eb),
		CB_ENOTFOUND);
}

static cb_err
each_name(void *ctx, const struct cb_account *a, struct cb_errbuf *eb)
{
	size_t n = strlen(ctx);

	(void)eb;
	snprintf((char *)ctx + n, 256 - n, "%s ", a->name);
	return CB_OK;
}

static void
test_each(void **state)
{
	struct cb_errbuf eb;
	char names[256] = "";

	(void)state;
	assert_int_equal(cb_account_each(st, each_name, names, &eb), CB_OK);
	assert_string_equal(names, "hoa lan minh ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_hashes),
		cmocka_unit_test(test_add_once),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_each),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

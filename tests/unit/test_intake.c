/* SPDX-License-Identifier: MIT */
/* test_intake.c — the one intake's three policies (intake.h), on a hub's
 * store: one author's chain (a push), a relay of several authors' chains
 * interleaved (a lower hub pushing up), a partial set (a pull): what each
 * takes, skips as held, keeps as fork evidence, stops at or refuses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clock.h"
#include "intake.h"
#include "ledger.h"

static char dir[64];
static struct cb_ledger *hub;

/* An author: its keys and the entries it signed, by seq (1..). */
struct author {
	unsigned char pk[32], sk[64];
	struct cb_entry e[8];
};
static struct author a, b;

/* Sign entry seq of au, chained onto entry seq - 1 (or onto nothing);
 * tag makes two entries at one seq differ. */
static void
sign(struct author *au, uint64_t seq, const char *tag, struct cb_entry *out)
{
	json_t *body =
		json_pack("{s:s, s:s, s:s, s:s}", "code", "08000", "name", tag,
	                  "kind", "party-committee", "parent", "BG");
	struct cb_entry_fields f = {
		.author = au->pk,
		.secret_key = au->sk,
		.seq = seq,
		.prev = seq > 1 ? au->e[seq - 1].id : NULL,
		.time_ms = cb_now_ms(),
		.op = "org.init",
		.body = body,
	};
	struct cb_errbuf eb;

	cb_entry_init(out);
	if (cb_entry_build(&f, out, &eb))
		fail_msg("%s", eb.msg);
	json_decref(body);
}

static int
setup(void **state)
{
	struct cb_errbuf eb;
	char path[128];
	json_t *init;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/chibo-intake-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/hub", dir);
	init = json_pack("{s:s, s:s, s:s}", "code", "BG", "name",
	                 "Tỉnh ủy Bắc Giang", "level", "province");
	if (cb_ledger_create_kind(path, &cb_ledger_hub, init, &hub, &eb))
		return -1;
	json_decref(init);
	crypto_sign_keypair(a.pk, a.sk);
	crypto_sign_keypair(b.pk, b.sk);
	for (uint64_t i = 1; i < 8; i++) {
		sign(&a, i, "a", &a.e[i]);
		sign(&b, i, "b", &b.e[i]);
	}
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	for (int i = 1; i < 8; i++) {
		cb_entry_release(&a.e[i]);
		cb_entry_release(&b.e[i]);
	}
	cb_ledger_free(&hub);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Judge e under in and take it if new: its fate; why the reason. */
static enum cb_intake_fate
put(struct cb_intake *in, const struct cb_entry *e, struct cb_errbuf *why)
{
	enum cb_intake_fate fate;
	struct cb_errbuf eb, pe;
	cb_err verdict;

	if (cb_intake_judge(hub->st, in, e, &fate, why, &eb))
		fail_msg("judge: %s", eb.msg);
	if (fate == CB_INTAKE_NEW &&
	    cb_intake_take(hub->st, in, e, &verdict, &pe, &eb))
		fail_msg("take: %s", eb.msg);
	return fate;
}

static void
start(struct cb_intake *in, enum cb_intake_policy p, const unsigned char *key)
{
	struct cb_errbuf eb;

	assert_int_equal(cb_store_begin(hub->st, &eb), CB_OK);
	assert_int_equal(cb_intake_start(hub->st, in, p, key, &eb), CB_OK);
}

static void
finish(void)
{
	struct cb_errbuf eb;

	assert_int_equal(cb_store_commit(hub->st, &eb), CB_OK);
}

/* One author's chain: the next entries, held ones skipped, another
 * author's refused, a gap and a broken chain end it, a fork is kept as
 * evidence. */
static void
test_own(void **state)
{
	struct cb_intake in;
	struct cb_errbuf why;
	struct cb_entry other;

	(void)state;
	start(&in, CB_INTAKE_OWN, a.pk);
	assert_int_equal(put(&in, &a.e[1], &why), CB_INTAKE_NEW);
	assert_int_equal(put(&in, &a.e[2], &why), CB_INTAKE_NEW);
	assert_int_equal(put(&in, &a.e[2], &why), CB_INTAKE_DUPLICATE);
	assert_int_equal(put(&in, &b.e[1], &why), CB_INTAKE_REFUSED);
	assert_int_equal(put(&in, &a.e[4], &why), CB_INTAKE_STOP);
	assert_string_equal(why.msg, "gap: entry 4 follows 2; send from 3");
	sign(&b, 3, "b", &other); /* seq 3, but chained onto b's entry 2 */
	memcpy(other.author, a.pk, 32); /* judged as a's (not verified) */
	assert_int_equal(put(&in, &other, &why), CB_INTAKE_STOP);
	assert_non_null(strstr(why.msg, "does not chain onto entry 2"));
	cb_entry_release(&other);
	finish();

	/* a's entry 1 again, signed differently: a fork */
	sign(&a, 1, "a again", &other);
	start(&in, CB_INTAKE_OWN, a.pk);
	assert_int_equal(put(&in, &other, &why), CB_INTAKE_EVIDENCE);
	assert_non_null(strstr(why.msg, "fork: entry 1 differs"));
	cb_entry_release(&other);
	finish();
}

/* Several authors' chains interleaved: each entry continues its author's
 * chain, or is held; a fork is kept as evidence and the relay goes on; a
 * gap ends it. */
static void
test_relay(void **state)
{
	struct cb_intake in;
	struct cb_errbuf why;
	struct cb_entry other;

	(void)state;
	start(&in, CB_INTAKE_RELAY, NULL);
	/* a's 1 and 2 are held (test_own), its 1 forked */
	assert_int_equal(put(&in, &a.e[1], &why), CB_INTAKE_DUPLICATE);
	assert_int_equal(put(&in, &b.e[1], &why), CB_INTAKE_NEW);
	assert_int_equal(put(&in, &a.e[3], &why), CB_INTAKE_NEW);
	assert_int_equal(put(&in, &b.e[2], &why), CB_INTAKE_NEW);
	sign(&b, 2, "b again", &other);
	assert_int_equal(put(&in, &other, &why), CB_INTAKE_EVIDENCE);
	cb_entry_release(&other);
	assert_int_equal(put(&in, &b.e[3], &why), CB_INTAKE_NEW);
	assert_int_equal(put(&in, &a.e[5], &why), CB_INTAKE_STOP);
	assert_string_equal(why.msg, "gap: entry 5 follows 3; send from 4");
	finish();
}

/* Parts of chains: gaps expected; an entry that does not fit its
 * neighbours is evidence; the store's own key's entries refused. */
static void
test_partial(void **state)
{
	struct cb_intake in;
	struct cb_errbuf why;
	struct cb_entry other;

	(void)state;
	start(&in, CB_INTAKE_PARTIAL, b.pk);
	assert_int_equal(put(&in, &b.e[4], &why), CB_INTAKE_REFUSED);
	assert_int_equal(put(&in, &a.e[6], &why), CB_INTAKE_NEW);
	assert_int_equal(put(&in, &a.e[6], &why), CB_INTAKE_DUPLICATE);
	/* a's 5, but chained onto another 4 than the one 6 names */
	sign(&a, 4, "a forked", &other);
	{
		struct cb_entry five;
		struct cb_entry_fields f = {
			.author = a.pk,
			.secret_key = a.sk,
			.seq = 5,
			.prev = other.id,
			.time_ms = cb_now_ms(),
			.op = "org.init",
		};
		struct cb_errbuf eb;
		json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "code",
		                         "08000", "name", "x", "kind",
		                         "party-committee", "parent", "BG");

		f.body = body;
		cb_entry_init(&five);
		assert_int_equal(cb_entry_build(&f, &five, &eb), CB_OK);
		json_decref(body);
		assert_int_equal(put(&in, &five, &why), CB_INTAKE_EVIDENCE);
		assert_non_null(strstr(why.msg, "does not chain onto it"));
		cb_entry_release(&five);
	}
	cb_entry_release(&other);
	assert_int_equal(put(&in, &a.e[4], &why), CB_INTAKE_NEW);
	finish();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own),
		cmocka_unit_test(test_relay),
		cmocka_unit_test(test_partial),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

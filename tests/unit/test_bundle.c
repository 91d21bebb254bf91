/* SPDX-License-Identifier: MIT */
/* test_bundle.c — signed bundles (CBB2, docs/PROTOCOL.md "Bundles"): a
 * round trip of each kind; every single flipped bit of a bundle, every
 * truncation and trailing bytes refused; a changed cursor re-signed by
 * another key decodes but is refused by cb_bundle_check_hub, as is a
 * hub's bundle signed by an agent's key, one whose checkpoint is not the
 * hub's and one whose cursor passes its checkpoint; an agent's bundle
 * holding another key's entries; and an old CBB1 file refused as such. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"
#include "checkpoint.h"
#include "stream.h"

#define ORIGIN "chibo/hub/BG.LG"

static struct cb_key hub, agent, stranger;
static struct cb_buf agent_entries = CB_BUF_INIT;
static char *note;

static void
make_key(struct cb_key *k)
{
	k->sk = sodium_malloc(CB_SECRET_BYTES);
	assert_non_null(k->sk);
	crypto_sign_keypair(k->pk, k->sk);
}

static int
setup(void **state)
{
	struct cb_checkpoint cp = { .size = 40 };
	struct cb_entry e = CB_ENTRY_INIT;
	unsigned char prev[32];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	make_key(&hub);
	make_key(&agent);
	make_key(&stranger);
	for (int i = 0; i < 3; i++) {
		struct cb_entry_fields f = { 0 };
		json_t *body = json_pack("{s:i}", "n", i);

		f.author = agent.pk;
		f.secret_key = agent.sk;
		f.seq = (uint64_t)i + 1;
		f.prev = i ? prev : NULL;
		f.time_ms = 1763683200000;
		f.op = "test.op";
		f.body = body;
		if (cb_entry_build(&f, &e, NULL) ||
		    cb_stream_append(&agent_entries, &e))
			return -1;
		memcpy(prev, e.id, 32);
		json_decref(body);
	}
	cb_entry_release(&e);
	snprintf(cp.origin, sizeof(cp.origin), "%s", ORIGIN);
	memset(cp.root, 7, sizeof(cp.root));
	return cb_checkpoint_sign(&cp, ORIGIN, hub.sk, &note, NULL) ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	cb_key_release(&hub);
	cb_key_release(&agent);
	cb_key_release(&stranger);
	cb_buf_release(&agent_entries);
	free(note);
	return 0;
}

/* A bundle of the three entries: kind 1 by the agent, or kind 2 with the
 * hub's checkpoint, after..next, signed by key. */
static void
encode(enum cb_bundle_kind kind, const struct cb_key *key, int64_t next,
       struct cb_buf *out)
{
	struct cb_bundle b = { .kind = kind, .after = 0, .next = next,
		               .count = 3 };
	struct cb_errbuf eb;

	snprintf(b.org, sizeof(b.org), "07297");
	b.note = kind == CB_BUNDLE_PULL ? note : NULL;
	b.note_len = b.note ? strlen(note) : 0;
	b.stream = agent_entries; /* borrowed: not released */
	cb_buf_reset(out);
	assert_int_equal(cb_bundle_encode(&b, key, out, &eb), CB_OK);
}

static void
test_round_trip(void **state)
{
	struct cb_buf raw = CB_BUF_INIT;
	struct cb_bundle b;
	struct cb_checkpoint cp;
	struct cb_errbuf eb;

	(void)state;
	encode(CB_BUNDLE_PUSH, &agent, 3, &raw);
	assert_int_equal(cb_bundle_decode(raw.data, raw.len, &b, &eb), CB_OK);
	assert_int_equal(b.kind, CB_BUNDLE_PUSH);
	assert_string_equal(b.org, "07297");
	assert_int_equal(b.count, 3);
	assert_null(b.note);
	assert_memory_equal(b.signer, agent.pk, 32);
	assert_int_equal(b.stream.len, agent_entries.len);
	cb_bundle_release(&b);

	encode(CB_BUNDLE_PULL, &hub, 40, &raw);
	assert_int_equal(cb_bundle_decode(raw.data, raw.len, &b, &eb), CB_OK);
	assert_string_equal(b.note, note);
	assert_int_equal(cb_bundle_check_hub(&b, hub.pk, &cp, &eb), CB_OK);
	assert_int_equal(cp.size, 40);
	assert_string_equal(cp.origin, ORIGIN);
	/* the hub's bundle is for the hub's key only */
	assert_int_equal(cb_bundle_check_hub(&b, agent.pk, &cp, &eb),
	                 CB_ECRYPTO);
	cb_bundle_release(&b);
	cb_buf_release(&raw);
}

/* Every bit of either kind flipped: refused, b left empty. */
static void
test_every_bit_flipped(void **state)
{
	struct cb_buf raw = CB_BUF_INIT;
	struct cb_bundle b;
	struct cb_errbuf eb;

	(void)state;
	for (int kind = CB_BUNDLE_PUSH; kind <= CB_BUNDLE_PULL; kind++) {
		encode(kind, kind == CB_BUNDLE_PULL ? &hub : &agent, 3, &raw);
		for (size_t i = 0; i < raw.len; i++)
			for (int bit = 0; bit < 8; bit++) {
				raw.data[i] ^= (unsigned char)(1u << bit);
				if (cb_bundle_decode(raw.data, raw.len, &b,
				                     &eb) == CB_OK)
					fail_msg("kind %d: byte %zu bit %d "
					         "flipped, and it decodes",
					         kind, i, bit);
				assert_int_equal(b.stream.len, 0);
				raw.data[i] ^= (unsigned char)(1u << bit);
			}
	}
	cb_buf_release(&raw);
}

static void
test_truncated_and_trailing(void **state)
{
	struct cb_buf raw = CB_BUF_INIT;
	struct cb_bundle b;
	struct cb_errbuf eb;

	(void)state;
	encode(CB_BUNDLE_PULL, &hub, 3, &raw);
	for (size_t n = 0; n < raw.len; n++)
		assert_int_not_equal(cb_bundle_decode(raw.data, n, &b, &eb),
		                     CB_OK);
	assert_non_null(strstr(eb.msg, "truncated"));
	assert_int_equal(cb_buf_add_u8(&raw, 0), CB_OK);
	assert_int_equal(cb_bundle_decode(raw.data, raw.len, &b, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "trailing bytes"));
	cb_buf_release(&raw);
}

/* raw decodes (its signature is good, by its own key), and the check a
 * replica whose hub key is hub.pk makes gives want, saying msg. */
static void
expect_refused_by_replica(const struct cb_buf *raw, cb_err want,
                          const char *msg)
{
	struct cb_bundle b;
	struct cb_checkpoint cp;
	struct cb_errbuf eb;

	assert_int_equal(cb_bundle_decode(raw->data, raw->len, &b, &eb),
	                 CB_OK);
	assert_int_equal(cb_bundle_check_hub(&b, hub.pk, &cp, &eb), want);
	if (!strstr(eb.msg, msg))
		fail_msg("'%s' does not say '%s'", eb.msg, msg);
	cb_bundle_release(&b);
}

/* Forgeries that sign what they changed: they decode, and the reader's
 * check refuses them. */
static void
test_resigned_forgeries(void **state)
{
	struct cb_buf raw = CB_BUF_INIT;
	struct cb_bundle b;
	struct cb_errbuf eb;

	(void)state;
	/* a changed cursor, signed by a stranger or by an enrolled agent */
	encode(CB_BUNDLE_PULL, &stranger, 1000000000000, &raw);
	expect_refused_by_replica(&raw, CB_ECRYPTO, "not this replica's hub");
	encode(CB_BUNDLE_PULL, &agent, 40, &raw);
	expect_refused_by_replica(&raw, CB_ECRYPTO, "not this replica's hub");
	/* signed by the hub, but the cursor passes its checkpoint */
	encode(CB_BUNDLE_PULL, &hub, 41, &raw);
	expect_refused_by_replica(&raw, CB_EINVAL, "past its checkpoint of 40");
	/* an agent's bundle of the agent's entries, signed by another key */
	encode(CB_BUNDLE_PUSH, &stranger, 3, &raw);
	assert_int_equal(cb_bundle_decode(raw.data, raw.len, &b, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "not by the bundle's signer"));
	cb_buf_release(&raw);
}

/* A hub's bundle whose checkpoint the hub did not sign: refused. */
static void
test_checkpoint_not_the_hubs(void **state)
{
	struct cb_checkpoint cp = { .size = 40 };
	struct cb_bundle b = { .kind = CB_BUNDLE_PULL, .next = 3, .count = 3 };
	struct cb_buf raw = CB_BUF_INIT;
	struct cb_errbuf eb;
	char *other = NULL;

	(void)state;
	snprintf(cp.origin, sizeof(cp.origin), "%s", ORIGIN);
	assert_int_equal(cb_checkpoint_sign(&cp, ORIGIN, stranger.sk, &other,
	                                    &eb),
	                 CB_OK);
	snprintf(b.org, sizeof(b.org), "07297");
	b.note = other;
	b.note_len = strlen(other);
	b.stream = agent_entries;
	assert_int_equal(cb_bundle_encode(&b, &hub, &raw, &eb), CB_OK);
	expect_refused_by_replica(&raw, CB_ECRYPTO, "its checkpoint");
	cb_buf_release(&raw);
	free(other);
}

/* The old unsigned format: refused by name, with what to do. */
static void
test_cbb1_refused(void **state)
{
	static const unsigned char v1[] = "CBB1\x01\x05"
					  "07297";
	struct cb_bundle b;
	struct cb_errbuf eb;

	(void)state;
	assert_int_equal(cb_bundle_decode(v1, sizeof(v1) - 1, &b, &eb),
	                 CB_EVERSION);
	assert_non_null(strstr(eb.msg, "export it again"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_bit_flipped),
		cmocka_unit_test(test_truncated_and_trailing),
		cmocka_unit_test(test_resigned_forgeries),
		cmocka_unit_test(test_checkpoint_not_the_hubs),
		cmocka_unit_test(test_cbb1_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

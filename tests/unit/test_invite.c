/* SPDX-License-Identifier: MIT */
/* test_invite.c — invitations (common/net/invite.c): written and read
 * back; every forgery refused — each single byte of the file changed,
 * the text cut anywhere, another key inside, a field out of its form,
 * lines missing, added or moved — and a signer that is not the hub key
 * inside refused when writing. The check against a live hub is in
 * tests/cli/hub_invite.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "invite.h"

static uint8_t pk[32], sk[64], pk2[32], sk2[64];

static void
sample(struct cb_invite *inv)
{
	memset(inv, 0, sizeof(*inv));
	strcpy(inv->url, "https://10.0.0.5:8443");
	strcpy(inv->pin,
	       "sha256//L+/lpaD1Z5EV4APBM+aGDlmT0j0COho+Nz7+r7AtMoE=");
	strcpy(inv->origin, "chibo/hub/BG.LG");
	memcpy(inv->hub_key, pk, 32);
	strcpy(inv->org, "26734");
	strcpy(inv->role, "commune");
	memset(inv->key, 0xab, 32);
}

static char *
signed_sample(void)
{
	struct cb_invite inv;
	struct cb_errbuf eb;
	char *text = NULL;

	sample(&inv);
	if (cb_invite_sign(&inv, sk, &text, &eb))
		fail_msg("sign: %s", eb.msg);
	return text;
}

static void
test_round_trip(void **state)
{
	struct cb_invite want, got;
	struct cb_errbuf eb;
	char *text = signed_sample();

	(void)state;
	sample(&want);
	assert_int_equal(cb_invite_open(text, strlen(text), &got, &eb), 0);
	assert_memory_equal(&want, &got, sizeof(want));
	assert_non_null(strstr(
		text, "chibo invitation v1\nurl https://10.0.0.5:8443\n"));
	assert_non_null(strstr(text, "\n\n\xe2\x80\x94 chibo/hub/BG.LG "));
	free(text);
}

/* Every byte of the file changed (two ways), one at a time: refused. */
static void
test_every_byte(void **state)
{
	char *text = signed_sample();
	size_t n = strlen(text);
	struct cb_invite out;
	struct cb_errbuf eb;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		char was = text[i];
		static const unsigned char flips[] = { 0x01, 0x20 };

		for (size_t k = 0; k < sizeof(flips); k++) {
			text[i] = (char)(was ^ flips[k]);
			if (text[i] && cb_invite_open(text, n, &out, &eb) == 0)
				fail_msg("byte %zu ^ %#x accepted", i,
				         flips[k]);
		}
		text[i] = was;
	}
	/* cut anywhere before the signature's end */
	for (size_t len = 0; len + 1 < n; len++)
		assert_int_not_equal(cb_invite_open(text, len, &out, &eb), 0);
	free(text);
}

static void
test_forgeries(void **state)
{
	struct cb_invite inv, out;
	struct cb_errbuf eb;
	char hex2[65], *text = signed_sample(), *p, *forged;

	(void)state;
	/* another hub's key inside, the signature left */
	forged = strdup(text);
	cb_hex_encode(pk2, 32, hex2);
	p = strstr(forged, "hub-key ") + 8;
	memcpy(p, hex2, 64);
	assert_int_equal(cb_invite_open(forged, strlen(forged), &out, &eb),
	                 CB_ECRYPTO);
	free(forged);
	/* signed by another key than the one it names: refused to write */
	sample(&inv);
	assert_int_equal(cb_invite_sign(&inv, sk2, &forged, &eb), CB_EINVAL);
	/* a hub that re-signs everything with its own key: valid, and says
	 * so — the hub's check (hub_invite.sh) and the hand that carried
	 * the file are what tell it from the district's */
	memcpy(inv.hub_key, pk2, 32);
	assert_int_equal(cb_invite_sign(&inv, sk2, &forged, &eb), 0);
	assert_int_equal(cb_invite_open(forged, strlen(forged), &out, &eb), 0);
	assert_memory_equal(out.hub_key, pk2, 32);
	free(forged);
	/* fields out of their form are not written */
	sample(&inv);
	strcpy(inv.url, "http://10.0.0.5");
	assert_int_equal(cb_invite_sign(&inv, sk, &forged, &eb), CB_EINVAL);
	sample(&inv);
	strcpy(inv.role, "admin");
	assert_int_equal(cb_invite_sign(&inv, sk, &forged, &eb), CB_EINVAL);
	sample(&inv);
	strcpy(inv.org, "26 734");
	assert_int_equal(cb_invite_sign(&inv, sk, &forged, &eb), CB_EINVAL);
	sample(&inv);
	strcpy(inv.origin, "chibo/other");
	assert_int_equal(cb_invite_sign(&inv, sk, &forged, &eb), CB_EINVAL);
	/* too big, NUL inside, nothing */
	assert_int_equal(cb_invite_open(text, CB_INVITE_MAX + 1, &out, &eb),
	                 CB_ETOOBIG);
	assert_int_equal(cb_invite_open("chibo invitation v1\0", 20, &out, &eb),
	                 CB_EINVAL);
	assert_int_equal(cb_invite_open("", 0, &out, &eb), CB_EINVAL);
	/* lines swapped: the signature would hold, the order does not */
	forged = strdup(text);
	p = strstr(forged, "org 26734\nrole commune\n");
	memcpy(p, "role commune\norg 26734\n", 23);
	assert_int_equal(cb_invite_open(forged, strlen(forged), &out, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "line 6"));
	free(forged);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_forgeries),
	};

	if (sodium_init() < 0)
		return 1;
	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(pk2, sk2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

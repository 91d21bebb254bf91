/* SPDX-License-Identifier: MIT */
/* test_sealkey.c — the signing key sealed with a passphrase
 * (common/log/key.h) and the sync key's grant (common/log/grant.h): a
 * sealed key loads with its public key only and opens with its
 * passphrase, signing as the plain key did; and every forgery is refused
 * — a wrong passphrase, the file cut short or grown, each of its 148
 * bytes flipped, another magic, version or algorithm, an Argon2id cost
 * out of range (refused before any memory is taken) — with the file
 * unchanged. A grant verifies only as signed; a sync key loads only
 * under the key that granted it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "grant.h"
#include "key.h"

#define PASS "cây đa giếng nước"

static char dir[64];
static const struct cb_pwhash_cost fast = { 1, 8192 }; /* Argon2id's least */

static char *
at(const char *name)
{
	static char p[4][160];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static size_t
slurp(const char *path, unsigned char *b, size_t max)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(b, 1, max, f);
	fclose(f);
	return n;
}

static void
spill(const char *path, const unsigned char *b, size_t len)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
}

/* A sealed key at path (fast cost), its public key in pk. */
static void
make_sealed(const char *path, unsigned char pk[CB_KEY_BYTES])
{
	struct cb_key k = CB_KEY_INIT;
	struct cb_errbuf eb;

	unlink(path);
	assert_int_equal(
		cb_key_create_sealed(path, PASS, strlen(PASS), &fast, &k, &eb),
		CB_OK);
	assert_true(k.sealed);
	assert_non_null(k.sk);
	memcpy(pk, k.pk, CB_KEY_BYTES);
	cb_key_release(&k);
}

/* Does k sign so that its public key verifies? */
static void
signs(const struct cb_key *k)
{
	unsigned char sig[64];

	assert_non_null(k->sk);
	crypto_sign_detached(sig, NULL, (const unsigned char *)"x", 1, k->sk);
	assert_int_equal(crypto_sign_verify_detached(
				 sig, (const unsigned char *)"x", 1, k->pk),
	                 0);
}

static int
setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	snprintf(dir, sizeof(dir), "/tmp/test_sealkey.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
test_round_trip(void **state)
{
	struct cb_key k = CB_KEY_INIT;
	struct cb_errbuf eb;
	unsigned char pk[CB_KEY_BYTES], f[200];

	(void)state;
	make_sealed(at("a.key"), pk);
	assert_int_equal(slurp(at("a.key"), f, sizeof(f)), CB_KEY_SEALED_BYTES);
	assert_memory_equal(f, CB_KEY_SEALED_MAGIC, 8);
	assert_memory_equal(f + 68, pk, CB_KEY_BYTES); /* in the clear */
	assert_int_equal(cb_key_load(at("a.key"), &k, &eb), CB_OK);
	assert_true(k.sealed);
	assert_null(k.sk);
	assert_memory_equal(k.pk, pk, CB_KEY_BYTES);
	assert_int_equal(cb_key_unseal(&k, "wrong", 5, &eb), CB_ECRYPTO);
	assert_non_null(strstr(eb.msg, "wrong passphrase"));
	assert_null(k.sk);
	assert_int_equal(cb_key_unseal(&k, PASS, strlen(PASS), &eb), CB_OK);
	signs(&k);
	/* opened twice: nothing more to do */
	assert_int_equal(cb_key_unseal(&k, "wrong", 5, &eb), CB_OK);
	cb_key_release(&k);
}

static void
test_new_passphrase(void **state)
{
	struct cb_key k = CB_KEY_INIT, k2 = CB_KEY_INIT;
	struct cb_errbuf eb;
	unsigned char pk[CB_KEY_BYTES];

	(void)state;
	make_sealed(at("b.key"), pk);
	assert_int_equal(cb_key_load(at("b.key"), &k, &eb), CB_OK);
	assert_int_equal(
		cb_key_seal_file(at("b.key"), &k, "again", 5, &fast, &eb),
		CB_EINVAL); /* not open: nothing to seal */
	assert_int_equal(cb_key_unseal(&k, PASS, strlen(PASS), &eb), CB_OK);
	assert_int_equal(cb_key_seal_file(at("b.key"), &k, "một cái khác", 15,
	                                  &fast, &eb),
	                 CB_OK);
	assert_int_equal(cb_key_load(at("b.key"), &k2, &eb), CB_OK);
	assert_int_equal(cb_key_unseal(&k2, PASS, strlen(PASS), &eb),
	                 CB_ECRYPTO);
	assert_int_equal(cb_key_unseal(&k2, "một cái khác", 15, &eb), CB_OK);
	assert_memory_equal(k2.pk, pk, CB_KEY_BYTES);
	signs(&k2);
	cb_key_release(&k);
	cb_key_release(&k2);
}

static void
test_plain_sealed_in_place(void **state)
{
	struct cb_key k = CB_KEY_INIT, k2 = CB_KEY_INIT;
	struct cb_errbuf eb;

	(void)state;
	unlink(at("p.key"));
	assert_int_equal(cb_key_create(at("p.key"), &k, &eb), CB_OK);
	cb_key_release(&k);
	assert_int_equal(cb_key_load(at("p.key"), &k, &eb), CB_OK);
	assert_false(k.sealed);
	signs(&k);
	assert_int_equal(cb_key_seal_file(at("p.key"), &k, PASS, strlen(PASS),
	                                  &fast, &eb),
	                 CB_OK);
	assert_int_equal(cb_key_load(at("p.key"), &k2, &eb), CB_OK);
	assert_true(k2.sealed);
	assert_memory_equal(k2.pk, k.pk, CB_KEY_BYTES);
	assert_int_equal(cb_key_unseal(&k2, PASS, strlen(PASS), &eb), CB_OK);
	assert_memory_equal(k2.sk, k.sk, CB_SECRET_BYTES);
	cb_key_release(&k);
	cb_key_release(&k2);
}

/* The forged file f (n bytes) at path: it loads and opens to nothing. */
static void
refused(const unsigned char *f, size_t n, cb_err want_load)
{
	struct cb_key k = CB_KEY_INIT;
	struct cb_errbuf eb;
	cb_err rc;

	spill(at("f.key"), f, n);
	rc = cb_key_load(at("f.key"), &k, &eb);
	if (want_load) {
		assert_int_equal(rc, want_load);
		assert_null(k.sk);
		return;
	}
	if (rc) {
		assert_null(k.sk);
		return;
	}
	assert_int_equal(cb_key_unseal(&k, PASS, strlen(PASS), &eb),
	                 CB_ECRYPTO);
	assert_null(k.sk);
}

static void
test_truncated_and_grown(void **state)
{
	unsigned char pk[CB_KEY_BYTES], f[CB_KEY_SEALED_BYTES + 1];

	(void)state;
	make_sealed(at("c.key"), pk);
	slurp(at("c.key"), f, sizeof(f));
	for (size_t n = 8; n < CB_KEY_SEALED_BYTES; n++)
		refused(f, n, CB_EINVAL);
	f[CB_KEY_SEALED_BYTES] = 0;
	refused(f, CB_KEY_SEALED_BYTES + 1, CB_EINVAL);
}

static void
test_flipped(void **state)
{
	unsigned char pk[CB_KEY_BYTES], f[CB_KEY_SEALED_BYTES],
		g[CB_KEY_SEALED_BYTES];

	(void)state;
	make_sealed(at("d.key"), pk);
	slurp(at("d.key"), f, sizeof(f));
	for (size_t i = 0; i < CB_KEY_SEALED_BYTES; i++) {
		for (int bit = 0; bit < 8; bit += 7) {
			memcpy(g, f, sizeof(g));
			g[i] ^= (unsigned char)(1u << bit);
			refused(g, sizeof(g), CB_OK);
		}
	}
}

static void
test_header(void **state)
{
	unsigned char pk[CB_KEY_BYTES], f[CB_KEY_SEALED_BYTES],
		g[CB_KEY_SEALED_BYTES];
	static const struct {
		size_t at;
		uint64_t v;
		int bytes;
		cb_err want;
	} forged[] = {
		{ 8, 2, 1, CB_EVERSION },                /* a newer format */
		{ 9, 2, 1, CB_EINVAL },                  /* another KDF */
		{ 10, 2, 1, CB_EINVAL },                 /* another cipher */
		{ 11, 1, 1, CB_EINVAL },                 /* the reserved byte */
		{ 12, 65, 8, CB_EINVAL },                /* 65 passes */
		{ 12, UINT64_MAX, 8, CB_EINVAL },        /* 2^64 - 1 passes */
		{ 12, 0, 8, CB_EINVAL },                 /* none */
		{ 20, UINT64_C(1) << 31, 8, CB_EINVAL }, /* 2 GiB */
		{ 20, UINT64_C(1) << 62, 8, CB_EINVAL }, /* 4 EiB */
		{ 20, 1024, 8, CB_EINVAL }, /* below Argon2id's least */
	};

	(void)state;
	make_sealed(at("e.key"), pk);
	slurp(at("e.key"), f, sizeof(f));
	for (size_t i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		memcpy(g, f, sizeof(g));
		for (int b = 0; b < forged[i].bytes; b++)
			g[forged[i].at + (size_t)b] =
				(unsigned char)(forged[i].v >>
			                        (8 *
			                         (forged[i].bytes - 1 - b)));
		refused(g, sizeof(g), forged[i].want);
	}
	/* another magic: not a key at all */
	memcpy(g, f, sizeof(g));
	g[0] = 'X';
	refused(g, sizeof(g), CB_EINVAL);
	/* a cost within range but other than sealed with: authenticated */
	memcpy(g, f, sizeof(g));
	g[19] = 2;
	refused(g, sizeof(g), CB_OK);
}

static void
test_grant(void **state)
{
	struct cb_key k = CB_KEY_INIT, other = CB_KEY_INIT;
	struct cb_request_key rk = CB_REQUEST_KEY_INIT;
	struct cb_grant g;
	struct cb_errbuf eb;
	unsigned char raw[CB_GRANT_BYTES], pk[CB_KEY_BYTES];
	char b64[CB_GRANT_B64_LEN + 1];
	size_t n;

	(void)state;
	make_sealed(at("g.key"), pk);
	assert_int_equal(cb_key_load(at("g.key"), &k, &eb), CB_OK);
	assert_int_equal(cb_sync_key_create(at("sync.key"), &k, &eb),
	                 CB_EINVAL); /* sealed, not open */
	assert_int_equal(cb_key_unseal(&k, PASS, strlen(PASS), &eb), CB_OK);
	assert_int_equal(cb_sync_key_create(at("sync.key"), &k, &eb), CB_OK);
	assert_int_equal(cb_sync_key_load(at("sync.key"), k.pk, &rk, &eb),
	                 CB_OK);
	signs(&rk.key);
	assert_int_equal(cb_grant_parse(rk.grant, &g, &eb), CB_OK);
	assert_memory_equal(g.principal, k.pk, CB_KEY_BYTES);
	assert_memory_equal(g.request, rk.key.pk, CB_KEY_BYTES);
	assert_memory_not_equal(g.request, k.pk, CB_KEY_BYTES);
	/* under another key than the one that granted it */
	assert_int_equal(cb_key_create(at("o.key"), &other, &eb), CB_OK);
	assert_int_equal(cb_sync_key_load(at("sync.key"), other.pk, &rk, &eb),
	                 CB_ECRYPTO);
	/* every byte of the grant flipped: refused */
	assert_int_equal(sodium_base642bin(raw, sizeof(raw), rk.grant,
	                                   strlen(rk.grant), NULL, &n, NULL,
	                                   sodium_base64_VARIANT_ORIGINAL),
	                 0);
	for (size_t i = 0; i < CB_GRANT_BYTES; i++) {
		raw[i] ^= 1;
		sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
		                  sodium_base64_VARIANT_ORIGINAL);
		assert_int_not_equal(cb_grant_parse(b64, &g, &eb), CB_OK);
		raw[i] ^= 1;
	}
	/* not base64, or not a grant's length */
	assert_int_equal(cb_grant_parse("", &g, &eb), CB_EINVAL);
	assert_int_equal(cb_grant_parse(NULL, &g, &eb), CB_EINVAL);
	memset(b64, '!', CB_GRANT_B64_LEN);
	assert_int_equal(cb_grant_parse(b64, &g, &eb), CB_EINVAL);
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw) - 3,
	                  sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(cb_grant_parse(b64, &g, &eb), CB_EINVAL);
	/* a time before 1970, signed: refused all the same */
	cb_grant_sign(&k, rk.key.pk, -1, raw);
	sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
	                  sodium_base64_VARIANT_ORIGINAL);
	assert_int_equal(cb_grant_parse(b64, &g, &eb), CB_EINVAL);
	/* a sync key file others can read */
	assert_int_equal(chmod(at("sync.key"), 0644), 0);
	cb_request_key_release(&rk);
	assert_int_equal(cb_sync_key_load(at("sync.key"), k.pk, &rk, &eb),
	                 CB_EINVAL);
	unlink(at("sync.key"));
	assert_int_equal(cb_sync_key_load(at("sync.key"), k.pk, &rk, &eb),
	                 CB_ENOTFOUND);
	cb_key_release(&k);
	cb_key_release(&other);
	cb_request_key_release(&rk);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_new_passphrase),
		cmocka_unit_test(test_plain_sealed_in_place),
		cmocka_unit_test(test_truncated_and_grown),
		cmocka_unit_test(test_flipped),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_grant),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

/* SPDX-License-Identifier: MIT */
/* test_httpsig.c — RFC 9421 signature bases and signatures against the
 * RFC's own Ed25519 example (Appendix B.2.6), Content-Digest against RFC
 * 9530's example, chibo's profile round trip, and every forgery and
 * malformed header the verifier must refuse. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "httpsig.h"

/* RFC 9421 B.1.4, test-key-ed25519: the seed of its private key. */
static const char rfc_seed[] =
	"9f8362f87a484a954e6e740c5b4c0e84229139a20aa8ab56ff66586f6a7d29c5";
static const char rfc_pk[] =
	"26b40b8f93fff3d897112f7ebc582b232dbd72517d082fe83cfb30ddce43d1bb";
static const char rfc_input[] =
	"sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" "
	"\"content-type\" \"content-length\");created=1618884473"
	";keyid=\"test-key-ed25519\"";
static const char rfc_base[] =
	"\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n"
	"\"@method\": POST\n"
	"\"@path\": /foo\n"
	"\"@authority\": example.com\n"
	"\"content-type\": application/json\n"
	"\"content-length\": 18\n"
	"\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" "
	"\"content-type\" \"content-length\");created=1618884473"
	";keyid=\"test-key-ed25519\"";
static const char rfc_sig[] =
	"sig-b26=:"
	"wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPi"
	"u4A0w6vuQv5lIp5WPpBKRCw==:";

static const char *
rfc_value(void *ctx, const char *name)
{
	static const char *const v[][2] = {
		{ "date", "Tue, 20 Apr 2021 02:07:55 GMT" },
		{ "@method", "POST" },
		{ "@path", "/foo" },
		{ "@authority", "example.com" },
		{ "content-type", "application/json" },
		{ "content-length", "18" },
	};

	(void)ctx;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!strcmp(v[i][0], name))
			return v[i][1];
	return NULL;
}

static void
test_rfc9421_b26(void **state)
{
	struct cb_buf base = CB_BUF_INIT;
	struct cb_errbuf eb;
	unsigned char seed[32], pk[32], sk[64], sig[64], want[64];

	(void)state;
	assert_int_equal(cb_hex_decode(rfc_seed, seed, 32, NULL), 0);
	crypto_sign_seed_keypair(pk, sk, seed);
	{
		char hex[65];

		cb_hex_encode(pk, 32, hex);
		assert_string_equal(hex, rfc_pk);
	}
	if (cb_httpsig_base(rfc_input, "sig-b26", rfc_value, NULL, &base, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(base.len, strlen(rfc_base));
	assert_memory_equal(base.data, rfc_base, base.len);
	/* Ed25519 is deterministic: our signature is the RFC's. */
	crypto_sign_detached(sig, NULL, base.data, base.len, sk);
	assert_int_equal(
		cb_httpsig_signature_bytes(rfc_sig, "sig-b26", want, &eb), 0);
	assert_memory_equal(sig, want, 64);
	assert_int_equal(
		crypto_sign_verify_detached(want, base.data, base.len, pk), 0);
	cb_buf_release(&base);
}

static void
test_content_digest(void **state)
{
	const char *body = "{\"hello\": \"world\"}";
	char *d = cb_content_digest(body, strlen(body));
	struct cb_errbuf eb;

	(void)state;
	/* RFC 9530, section 2 */
	assert_string_equal(
		d, "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
	assert_int_equal(cb_content_digest_check(d, body, strlen(body), &eb),
	                 0);
	assert_int_equal(cb_content_digest_check(d, "{}", 2, &eb), CB_ECRYPTO);
	assert_non_null(strstr(eb.msg, "does not match"));
	assert_int_not_equal(cb_content_digest_check("sha-512=:AAAA:", body,
	                                             strlen(body), &eb),
	                     0);
	assert_int_not_equal(cb_content_digest_check("sha-256=:not base64!:",
	                                             body, strlen(body), &eb),
	                     0);
	assert_int_not_equal(cb_content_digest_check(NULL, body, 1, &eb), 0);
	free(d);
}

/* A signed chibo request, to be mangled by the tests. */
struct signed_req {
	unsigned char pk[32], sk[64];
	struct cb_httpsig_request req;
	char *digest, *input, *sig;
};

static void
make_req(struct signed_req *r, int64_t created)
{
	struct cb_errbuf eb;

	crypto_sign_keypair(r->pk, r->sk);
	r->digest = cb_content_digest("body", 4);
	r->req.method = "POST";
	r->req.authority = "127.0.0.1:8443";
	r->req.path = "/v1/push";
	r->req.query = "author=ab";
	r->req.content_digest = r->digest;
	if (cb_httpsig_sign(&r->req, r->pk, r->sk, created,
	                    "bm9uY2Utbm9uY2UtMTIz", &r->input, &r->sig, &eb))
		fail_msg("%s", eb.msg);
}

static void
free_req(struct signed_req *r)
{
	free(r->digest);
	free(r->input);
	free(r->sig);
}

static void
refused(const struct cb_httpsig_request *req, const char *input,
        const char *sig, int64_t now, const char *why)
{
	struct cb_httpsig_params p;
	struct cb_errbuf eb;

	eb.msg[0] = 0;
	if (!cb_httpsig_verify(req, input, sig, now, 300, &p, &eb))
		fail_msg("accepted a forgery that should fail with '%s'", why);
	if (!strstr(eb.msg, why))
		fail_msg("expected '%s' in '%s'", why, eb.msg);
}

static void
test_chibo_round_trip(void **state)
{
	struct signed_req r;
	struct cb_httpsig_params p;
	struct cb_errbuf eb;

	(void)state;
	make_req(&r, 1763683200);
	if (cb_httpsig_verify(&r.req, r.input, r.sig, 1763683210, 300, &p, &eb))
		fail_msg("%s", eb.msg);
	assert_memory_equal(p.key, r.pk, 32);
	assert_int_equal(p.created, 1763683200);
	assert_string_equal(p.nonce, "bm9uY2Utbm9uY2UtMTIz");
	assert_non_null(strstr(r.input, "chibo=(\"@method\" \"@authority\""));
	free_req(&r);
}

static void
test_tampered_requests_are_refused(void **state)
{
	struct signed_req r;
	struct cb_httpsig_request q;
	int64_t now = 1763683210;
	char *other;

	(void)state;
	make_req(&r, 1763683200);
	q = r.req;
	q.method = "PUT";
	refused(&q, r.input, r.sig, now, "does not verify");
	q = r.req;
	q.path = "/v1/pull";
	refused(&q, r.input, r.sig, now, "does not verify");
	q = r.req;
	q.query = "author=cd";
	refused(&q, r.input, r.sig, now, "does not verify");
	q = r.req;
	q.query = NULL;
	refused(&q, r.input, r.sig, now, "does not verify");
	q = r.req;
	q.authority = "other-hub:8443";
	refused(&q, r.input, r.sig, now, "does not verify");
	other = cb_content_digest("tampered", 8);
	q = r.req;
	q.content_digest = other;
	refused(&q, r.input, r.sig, now, "does not verify");
	free(other);
	q = r.req;
	q.content_digest = NULL;
	refused(&q, r.input, r.sig, now, "no Content-Digest");
	/* replayed long after, or from the future */
	refused(&r.req, r.input, r.sig, now + 3600,
	        "outside the accepted "
	        "window");
	refused(&r.req, r.input, r.sig, now - 3600,
	        "outside the accepted "
	        "window");
	refused(&r.req, NULL, r.sig, now, "not signed");
	free_req(&r);
}

static void
test_wrong_key_is_refused(void **state)
{
	struct signed_req a, b;
	char *input;

	(void)state;
	make_req(&a, 1763683200);
	make_req(&b, 1763683200);
	/* a's signature presented under b's keyid */
	input = strdup(a.input);
	{
		char ka[65], kb[65], *at;

		cb_hex_encode(a.pk, 32, ka);
		cb_hex_encode(b.pk, 32, kb);
		at = strstr(input, ka);
		assert_non_null(at);
		memcpy(at, kb, 64);
	}
	refused(&a.req, input, a.sig, 1763683210, "does not verify");
	free(input);
	free_req(&a);
	free_req(&b);
}

static void
test_profile_and_malformed_headers(void **state)
{
	struct signed_req r;
	int64_t now = 1763683210;
	const char *sig;
	char key[65], buf[1024];

	(void)state;
	make_req(&r, 1763683200);
	sig = r.sig;
	cb_hex_encode(r.pk, 32, key);
#define INPUT(comp, params)                                                    \
	(snprintf(buf, sizeof(buf), "chibo=(%s)%s", comp, params), buf)
#define ALL "\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\""
	char good[512];

	snprintf(good, sizeof(good),
	         ";created=1763683200;keyid=\"%s\";nonce="
	         "\"bm9uY2Utbm9uY2UtMTIz\""
	         ";alg=\"ed25519\";tag=\"chibo-v1\"",
	         key);
	refused(&r.req,
	        INPUT("\"@method\" \"@authority\" \"@path\" \"@query\"", good),
	        sig, now, "covers 4 components");
	refused(&r.req,
	        INPUT("\"@method\" \"@authority\" \"@path\" \"@query\" "
	              "\"date\"",
	              good),
	        sig, now, "does not cover 'content-digest'");
	refused(&r.req,
	        INPUT("\"@method\" \"@method\" \"@path\" \"@query\" "
	              "\"content-digest\"",
	              good),
	        sig, now, "does not cover '@authority'");
	snprintf(good, sizeof(good),
	         ";created=1763683200;keyid=\"%s\""
	         ";alg=\"ed25519\";tag=\"chibo-v1\"",
	         key);
	refused(&r.req, INPUT(ALL, good), sig, now, "no nonce");
	snprintf(good, sizeof(good),
	         ";created=1763683200;keyid=\"%s\";nonce=\"short\";"
	         "tag=\"chibo-v1\"",
	         key);
	refused(&r.req, INPUT(ALL, good), sig, now, "no nonce");
	snprintf(good, sizeof(good),
	         ";created=1763683200;keyid=\"%s\";nonce="
	         "\"bm9uY2Utbm9uY2UtMTIz\""
	         ";alg=\"ed25519\";tag=\"other\"",
	         key);
	refused(&r.req, INPUT(ALL, good), sig, now, "tag is not");
	snprintf(good, sizeof(good),
	         ";created=1763683200;keyid=\"%s\";nonce="
	         "\"bm9uY2Utbm9uY2UtMTIz\""
	         ";alg=\"rsa-pss-sha512\";tag=\"chibo-v1\"",
	         key);
	refused(&r.req, INPUT(ALL, good), sig, now, "alg is not ed25519");
	snprintf(
		good, sizeof(good),
		";keyid=\"%s\";nonce=\"bm9uY2Utbm9uY2UtMTIz\";tag=\"chibo-v1\"",
		key);
	refused(&r.req, INPUT(ALL, good), sig, now, "no created");
	refused(&r.req,
	        INPUT(ALL, ";created=1763683200;keyid=\"abc\";nonce="
	                   "\"bm9uY2Utbm9uY2UtMTIz\";tag=\"chibo-v1\""),
	        sig, now, "keyid");
	snprintf(good, sizeof(good),
	         ";created=1763683200;keyid=\"%s\";nonce="
	         "\"bm9uY2Utbm9uY2UtMTIz\""
	         ";tag=\"chibo-v1\";colour=\"red\"",
	         key);
	refused(&r.req, INPUT(ALL, good), sig, now,
	        "unknown signature "
	        "parameter 'colour'");
	/* malformed Structured Fields */
	refused(&r.req, "chibo=(\"@method\"", sig, now,
	        "unterminated inner "
	        "list");
	refused(&r.req, "chibo=(\"@method", sig, now, "unterminated string");
	refused(&r.req, "Chibo=()", sig, now, "a key must start");
	refused(&r.req, "chibo=(),", sig, now, "trailing ','");
	refused(&r.req, "chibo=();created=1.5", sig, now, "decimals");
	refused(&r.req, "chibo=();created=1234567890123456", sig, now,
	        "over 15 digits");
	refused(&r.req, "", sig, now, "empty");
	refused(&r.req, "other=()", sig, now, "no 'chibo' signature");
	refused(&r.req, r.input, "chibo=:AAAA:", now, "not 64 bytes");
	refused(&r.req, r.input, "chibo=:@@@@:", now, "not base64");
	refused(&r.req, r.input, "other=:AAAA:", now, "no 'chibo' signature");
	{
		char *big = malloc(CB_HTTPSIG_MAX + 10);

		memset(big, 'a', CB_HTTPSIG_MAX + 9);
		big[CB_HTTPSIG_MAX + 9] = 0;
		refused(&r.req, big, sig, now, "over 4096 bytes");
		free(big);
	}
	free_req(&r);
#undef INPUT
#undef ALL
}

/* chibo's components of a request as a verifier sees them, for
 * cb_httpsig_base: the authority normalised, the query with its '?'. */
static const char *
lookup_req(void *ctx, const char *name)
{
	static char authority[CB_HTTPSIG_AUTHORITY_MAX + 1], query[256];
	const struct cb_httpsig_request *req = ctx;

	if (!strcmp(name, "@method"))
		return req->method;
	if (!strcmp(name, "@authority"))
		return cb_httpsig_authority(req->authority, authority, NULL)
		               ? NULL
		               : authority;
	if (!strcmp(name, "@path"))
		return req->path;
	if (!strcmp(name, "@query")) {
		snprintf(query, sizeof(query), "?%s",
		         req->query ? req->query : "");
		return query;
	}
	if (!strcmp(name, "content-digest"))
		return req->content_digest;
	return NULL;
}

/* The Signature value of a "chibo" signature by r's key over the base
 * that input gives for req: a signature that verifies, so that a refusal
 * can only come from the profile. */
static char *
sign_input(const struct signed_req *r, const struct cb_httpsig_request *req,
           const char *input)
{
	struct cb_buf base = CB_BUF_INIT;
	struct cb_errbuf eb;
	unsigned char s[64];
	char b64[100], *out = malloc(128);

	if (cb_httpsig_base(input, "chibo", lookup_req, (void *)req, &base,
	                    &eb))
		fail_msg("%s", eb.msg);
	crypto_sign_detached(s, NULL, base.data, base.len, r->sk);
	sodium_bin2base64(b64, sizeof(b64), s, 64,
	                  sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, 128, "chibo=:%s:", b64);
	cb_buf_release(&base);
	return out;
}

/* Issue 16: a signature with no alg was accepted; chibo requires
 * alg="ed25519" (a signature that otherwise verifies is refused). */
static void
test_alg_is_required(void **state)
{
	struct signed_req r;
	struct cb_httpsig_params p;
	struct cb_errbuf eb;
	int64_t now = 1763683210;
	char key[65], input[512], *sig;

	(void)state;
	make_req(&r, 1763683200);
	cb_hex_encode(r.pk, 32, key);
	snprintf(input, sizeof(input),
	         "chibo=(\"@method\" \"@authority\" \"@path\" \"@query\" "
	         "\"content-digest\");created=1763683200;keyid=\"%s\";"
	         "nonce=\"bm9uY2Utbm9uY2UtMTIz\";alg=\"ed25519\";"
	         "tag=\"chibo-v1\"",
	         key);
	sig = sign_input(&r, &r.req, input);
	if (cb_httpsig_verify(&r.req, input, sig, now, 300, &p, &eb))
		fail_msg("the control is refused: %s", eb.msg);
	free(sig);
	snprintf(input, sizeof(input),
	         "chibo=(\"@method\" \"@authority\" \"@path\" \"@query\" "
	         "\"content-digest\");created=1763683200;keyid=\"%s\";"
	         "nonce=\"bm9uY2Utbm9uY2UtMTIz\";tag=\"chibo-v1\"",
	         key);
	sig = sign_input(&r, &r.req, input);
	refused(&r.req, input, sig, now, "no alg");
	free(sig);
	free_req(&r);
}

/* Issue 16: "@authority" is normalised (RFC 9421 §2.2.3): the host in
 * lower case, the default port left out. */
static void
test_authority_normalised(void **state)
{
	static const char *const good[][2] = {
		{ "hub.example", "hub.example" },
		{ "HUB.Example:443", "hub.example" },
		{ "hub.example:", "hub.example" },
		{ "hub.example:0443", "hub.example" },
		{ "hub.example:8443", "hub.example:8443" },
		{ "Hub-1.example:08443", "hub-1.example:8443" },
		{ "127.0.0.1:443", "127.0.0.1" },
		{ "127.0.0.1:8443", "127.0.0.1:8443" },
		{ "[::1]:443", "[::1]" },
		{ "[2001:DB8::1]:8443", "[2001:db8::1]:8443" },
		{ "vm", "vm" },
	};
	static const char *const bad[] = {
		"",
		":443",
		"hub:abc",
		"hub:65536",
		"hub:0",
		"hub:123456",
		"user@hub",
		"hub/x",
		"hu b",
		"[::1",
		"[]",
		"[::1]x",
		"hub:443:1",
		"hub\n",
		"h\xc3\xa1"
		"b",
	};
	char out[CB_HTTPSIG_AUTHORITY_MAX + 1], longer[400];
	struct cb_errbuf eb;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (cb_httpsig_authority(good[i][0], out, &eb))
			fail_msg("'%s' refused: %s", good[i][0], eb.msg);
		assert_string_equal(out, good[i][1]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!cb_httpsig_authority(bad[i], out, &eb))
			fail_msg("'%s' taken as '%s'", bad[i], out);
		assert_non_null(strstr(eb.msg, "not an authority"));
	}
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = 0;
	assert_int_equal(cb_httpsig_authority(longer, out, &eb), CB_EINVAL);
	/* a host of 256 bytes and any port fit; 257 do not */
	memcpy(longer + 256, ":8443", 6);
	assert_int_equal(cb_httpsig_authority(longer, out, &eb), CB_OK);
	assert_int_equal(strlen(out), 261);
	longer[256] = 'a';
	longer[257] = 0;
	assert_int_equal(cb_httpsig_authority(longer, out, &eb), CB_EINVAL);
}

/* Issue 16: an agent given https://HUB:443 signed "HUB:443", and the hub
 * checked it against the Host curl sent; both sides now sign and verify
 * the normalised authority, however each was written. */
static void
test_authority_signed_normalised(void **state)
{
	struct signed_req r;
	struct cb_httpsig_request q;
	struct cb_httpsig_params p;
	struct cb_buf base = CB_BUF_INIT;
	struct cb_errbuf eb;
	int64_t now = 1763683210;
	static const char *const same[] = { "hub.example", "HUB.EXAMPLE:443",
		                            "Hub.Example:" };

	(void)state;
	make_req(&r, 1763683200);
	free(r.input);
	free(r.sig);
	r.req.authority = "HUB.example:443";
	if (cb_httpsig_sign(&r.req, r.pk, r.sk, 1763683200,
	                    "bm9uY2Utbm9uY2UtMTIz", &r.input, &r.sig, &eb))
		fail_msg("%s", eb.msg);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		q = r.req;
		q.authority = same[i];
		if (cb_httpsig_verify(&q, r.input, r.sig, now, 300, &p, &eb))
			fail_msg("Host '%s': %s", same[i], eb.msg);
	}
	q = r.req;
	q.authority = "hub.example:8443";
	refused(&q, r.input, r.sig, now, "does not verify");
	q.authority = "hub.example:x";
	refused(&q, r.input, r.sig, now, "not an authority");
	q.authority = NULL;
	refused(&q, r.input, r.sig, now, "no Host");
	/* what was signed: the normalised value */
	q = r.req;
	q.authority = "hub.example";
	if (cb_httpsig_base(r.input, "chibo", lookup_req, &q, &base, &eb))
		fail_msg("%s", eb.msg);
	assert_non_null(strstr((const char *)base.data,
	                       "\"@authority\": hub.example\n"));
	cb_buf_release(&base);
	free_req(&r);
}

static void
test_control_characters_in_values(void **state)
{
	struct signed_req r;
	struct cb_httpsig_request q;

	(void)state;
	make_req(&r, 1763683200);
	q = r.req;
	q.path = "/v1/push\n\"@method\": GET";
	refused(&q, r.input, r.sig, 1763683210, "control character");
	free_req(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc9421_b26),
		cmocka_unit_test(test_content_digest),
		cmocka_unit_test(test_chibo_round_trip),
		cmocka_unit_test(test_tampered_requests_are_refused),
		cmocka_unit_test(test_wrong_key_is_refused),
		cmocka_unit_test(test_profile_and_malformed_headers),
		cmocka_unit_test(test_control_characters_in_values),
		cmocka_unit_test(test_alg_is_required),
		cmocka_unit_test(test_authority_normalised),
		cmocka_unit_test(test_authority_signed_normalised),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

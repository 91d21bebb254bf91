/* SPDX-License-Identifier: MIT */
/* test_entry.c — entry v1: the codec against the test vectors of
 * docs/PROTOCOL.md, signing, chain rules, and every way a forged or broken
 * entry must be refused. Run with CHIBO_WRITE_VECTORS=1 to (re)write
 * tests/vectors/entry-v1.txt. */
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
#include "chain.h"
#include "entry.h"

static unsigned char pk[32], sk[64];

static const char *const vec_bodies[3] = {
	"{\"code\":\"26734\",\"kind\":\"party-committee\",\"name\":\"Đảng bộ "
	"xã Quế Nham\"}",
	"{\"code\":\"26734.01\",\"kind\":\"residential\",\"name\":\"Chi bộ "
	"thôn Đại Giáp\"}",
	"{\"admitted_on\":\"2015-05-19\",\"birth_date\":\"1980-03-02\","
	"\"card_no\":\"01234567\",\"cell\":\"26734.01\",\"full_name\":"
	"\"Nguyễn Văn Hợp\",\"official_on\":\"2016-05-19\",\"sex\":\"male\","
	"\"status\":\"official\"}",
};
static const char *const vec_ops[3] = { "org.init", "cell.create",
	                                "member.add" };
static const int64_t vec_times[3] = { 1763683200000, 1763683260000,
	                              1763683320000 };

static int
setup(void **state)
{
	unsigned char seed[32];

	(void)state;
	if (sodium_init() < 0)
		return -1;
	for (int i = 0; i < 32; i++)
		seed[i] = (unsigned char)i;
	crypto_sign_seed_keypair(pk, sk, seed);
	return 0;
}

/* Build entry i of the vector chain (prev: entry i-1, dep for i == 2). */
static void
build_vector(int i, struct cb_entry *chain)
{
	struct cb_entry_fields f = { 0 };
	struct cb_errbuf eb;
	json_t *body = json_loads(vec_bodies[i], 0, NULL);
	const unsigned char(*deps)[32] = NULL;

	assert_non_null(body);
	f.author = pk;
	f.secret_key = sk;
	f.seq = (uint64_t)i + 1;
	f.prev = i ? chain[i - 1].id : NULL;
	f.time_ms = vec_times[i];
	f.op = vec_ops[i];
	if (i == 2) {
		deps = (const unsigned char(*)[32])chain[1].id;
		f.deps = deps;
		f.ndeps = 1;
	}
	f.body = body;
	cb_entry_init(&chain[i]);
	if (cb_entry_build(&f, &chain[i], &eb))
		fail_msg("build vector %d: %s", i, eb.msg);
	json_decref(body);
}

static char *
vectors_path(void)
{
	const char *src = getenv("CHIBO_SOURCE_DIR");
	static char p[4096];

	snprintf(p, sizeof(p), "%s/tests/vectors/entry-v1.txt",
	         src ? src : ".");
	return p;
}

static void
test_vectors(void **state)
{
	struct cb_entry chain[3];
	char seedhex[65], pkhex[65], idhex[65];
	unsigned char seed[32];
	FILE *fp;

	(void)state;
	for (int i = 0; i < 32; i++)
		seed[i] = (unsigned char)i;
	cb_hex_encode(seed, 32, seedhex);
	cb_hex_encode(pk, 32, pkhex);
	for (int i = 0; i < 3; i++)
		build_vector(i, chain);
	if (getenv("CHIBO_WRITE_VECTORS")) {
		fp = fopen(vectors_path(), "w");
		assert_non_null(fp);
		fprintf(fp, "# entry v1 test vectors (docs/PROTOCOL.md)\n");
		for (int i = 0; i < 3; i++) {
			char *hex = malloc(2 * chain[i].len + 1);

			cb_hex_encode(chain[i].bytes, chain[i].len, hex);
			cb_hash_hex(chain[i].id, idhex);
			fprintf(fp,
			        "\nseed: %s\npublic_key: %s\nseq: %d\n"
			        "time_ms: %lld\nop: %s\nbody: %s\nentry: %s\n"
			        "id: %s\n",
			        seedhex, pkhex, i + 1, (long long)vec_times[i],
			        vec_ops[i], vec_bodies[i], hex, idhex);
			free(hex);
		}
		fclose(fp);
	}
	/* Compare with the file, field by field. */
	fp = fopen(vectors_path(), "r");
	assert_non_null(fp);
	{
		char *line = NULL;
		size_t cap = 0;
		int block = -1;

		while (getline(&line, &cap, fp) > 0) {
			char *colon = strchr(line, ':'), *val;

			line[strcspn(line, "\n")] = 0;
			if (!colon || line[0] == '#')
				continue;
			*colon = 0;
			val = colon + 2;
			if (!strcmp(line, "seed")) {
				block++;
				assert_string_equal(val, seedhex);
			} else if (!strcmp(line, "public_key")) {
				assert_string_equal(val, pkhex);
			} else if (!strcmp(line, "body")) {
				assert_string_equal(val, vec_bodies[block]);
			} else if (!strcmp(line, "entry")) {
				char *hex = malloc(2 * chain[block].len + 1);

				cb_hex_encode(chain[block].bytes,
				              chain[block].len, hex);
				assert_string_equal(val, hex);
				free(hex);
			} else if (!strcmp(line, "id")) {
				cb_hash_hex(chain[block].id, idhex);
				assert_string_equal(val, idhex);
			}
		}
		free(line);
		assert_int_equal(block, 2);
	}
	fclose(fp);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cb_entry_verify_signature(&chain[i], NULL), 0);
		assert_int_equal(
			cb_chain_follows(i ? &chain[i - 1] : NULL,
		                               &chain[i], NULL),
			0);
	}
	for (int i = 0; i < 3; i++)
		cb_entry_release(&chain[i]);
}

/* Decode must refuse it, or the signature must fail. */
static bool
refused(const unsigned char *p, size_t n)
{
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	bool bad;

	if (cb_entry_decode(p, n, &e, &eb))
		return true;
	bad = cb_entry_verify_signature(&e, &eb) != 0;
	cb_entry_release(&e);
	return bad;
}

static void
test_every_flipped_byte_is_refused(void **state)
{
	struct cb_entry chain[3];

	(void)state;
	for (int i = 0; i < 3; i++)
		build_vector(i, chain);
	for (int i = 0; i < 3; i++) {
		unsigned char *p = malloc(chain[i].len);

		for (size_t k = 0; k < chain[i].len; k++)
			for (int bit = 0; bit < 8; bit += 7) {
				memcpy(p, chain[i].bytes, chain[i].len);
				p[k] ^= (unsigned char)(1u << bit);
				if (!refused(p, chain[i].len))
					fail_msg("entry %d: flipping bit %d of "
					         "byte %zu went unnoticed",
					         i + 1, bit, k);
			}
		free(p);
	}
	for (int i = 0; i < 3; i++)
		cb_entry_release(&chain[i]);
}

static void
test_every_truncation_is_refused(void **state)
{
	struct cb_entry chain[3];
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;

	(void)state;
	for (int i = 0; i < 3; i++)
		build_vector(i, chain);
	for (size_t n = 0; n < chain[2].len; n++) {
		assert_int_not_equal(
			cb_entry_decode(chain[2].bytes, n, &e, &eb), 0);
	}
	/* and one byte too many */
	{
		unsigned char *p = malloc(chain[2].len + 1);

		memcpy(p, chain[2].bytes, chain[2].len);
		p[chain[2].len] = 0;
		assert_int_not_equal(
			cb_entry_decode(p, chain[2].len + 1, &e, &eb), 0);
		free(p);
	}
	assert_int_not_equal(cb_entry_decode(chain[0].bytes, 60, &e, &eb), 0);
	assert_non_null(strstr(eb.msg, "truncated"));
	for (int i = 0; i < 3; i++)
		cb_entry_release(&chain[i]);
}

/* Assemble and sign an entry from raw parts, bypassing cb_entry_build, so
 * that malformed bodies and deps can be tried. */
static size_t
raw_entry(unsigned char *out, uint64_t seq, const unsigned char *prev,
          const char *op, const unsigned char *deps, size_t ndeps,
          const char *body, size_t body_len, const unsigned char *secret)
{
	struct cb_buf b = CB_BUF_INIT;
	unsigned char sig[64];
	size_t n;

	assert_int_equal(cb_buf_add(&b, "CBE1", 4), 0);
	assert_int_equal(cb_buf_add(&b, pk, 32), 0);
	assert_int_equal(cb_buf_add_be64(&b, seq), 0);
	assert_int_equal(cb_buf_add_be64(&b, 1763683200000ULL), 0);
	if (prev)
		assert_int_equal(cb_buf_add(&b, prev, 32), 0);
	assert_int_equal(cb_buf_add_u8(&b, (uint8_t)strlen(op)), 0);
	assert_int_equal(cb_buf_add(&b, op, strlen(op)), 0);
	assert_int_equal(cb_buf_add_be16(&b, (uint16_t)ndeps), 0);
	assert_int_equal(cb_buf_add(&b, deps, 32 * ndeps), 0);
	assert_int_equal(cb_buf_add_be32(&b, (uint32_t)body_len), 0);
	assert_int_equal(cb_buf_add(&b, body, body_len), 0);
	crypto_sign_detached(sig, NULL, b.data, b.len, secret);
	assert_int_equal(cb_buf_add(&b, sig, 64), 0);
	memcpy(out, b.data, b.len);
	n = b.len;
	cb_buf_release(&b);
	return n;
}

static void
expect_decode_error(const unsigned char *p, size_t n, const char *needle)
{
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;

	eb.msg[0] = 0;
	assert_int_not_equal(cb_entry_decode(p, n, &e, &eb), 0);
	if (!strstr(eb.msg, needle))
		fail_msg("expected '%s' in '%s'", needle, eb.msg);
}

static void
test_malformed_bodies_are_refused(void **state)
{
	static unsigned char buf[70000];
	unsigned char deps[64];
	size_t n;

	(void)state;
	n = raw_entry(buf, 1, NULL, "member.add", NULL, 0, "{}", strlen("{}"),
	              sk);
	assert_false(refused(buf, n));
	n = raw_entry(buf, 1, NULL, "x", NULL, 0, "{\"a\":\"\xc3\x28\"}",
	              strlen("{\"a\":\"\xc3\x28\"}"), sk);
	expect_decode_error(buf, n, "UTF-8");
	n = raw_entry(buf, 1, NULL, "x", NULL, 0, "{\"a\":\"\xed\xa0\x80\"}",
	              strlen("{\"a\":\"\xed\xa0\x80\"}"), sk);
	expect_decode_error(buf, n, "UTF-8");
	/* "Nguyễn" decomposed: e + U+0302 + U+0303 is not NFC */
	n = raw_entry(buf, 1, NULL, "x", NULL, 0,
	              "{\"a\":\"Nguye\xcc\x82\xcc\x83n\"}",
	              strlen("{\"a\":\"Nguye\xcc\x82\xcc\x83n\"}"), sk);
	expect_decode_error(buf, n, "NFC");
	n = raw_entry(buf, 1, NULL, "x", NULL, 0, "[1,2]", strlen("[1,2]"), sk);
	expect_decode_error(buf, n, "not a JSON object");
	n = raw_entry(buf, 1, NULL, "x", NULL, 0, "{\"a\":1.5}",
	              strlen("{\"a\":1.5}"), sk);
	expect_decode_error(buf, n, "real");
	n = raw_entry(buf, 1, NULL, "x", NULL, 0, "{\"a\":1,\"a\":2}",
	              strlen("{\"a\":1,\"a\":2}"), sk);
	expect_decode_error(buf, n, "JSON");
	n = raw_entry(buf, 1, NULL, "x", NULL, 0, "{\"a\":", strlen("{\"a\":"),
	              sk);
	expect_decode_error(buf, n, "JSON");
	n = raw_entry(buf, 1, NULL, "Member.Add", NULL, 0, "{}", strlen("{}"),
	              sk);
	expect_decode_error(buf, n, "op");
	memset(deps, 2, 32);
	memset(deps + 32, 1, 32);
	n = raw_entry(buf, 1, NULL, "x", deps, 2, "{}", strlen("{}"), sk);
	expect_decode_error(buf, n, "sorted");
	memset(deps + 32, 2, 32);
	n = raw_entry(buf, 1, NULL, "x", deps, 2, "{}", strlen("{}"), sk);
	expect_decode_error(buf, n, "sorted");
	n = raw_entry(buf, 0, NULL, "x", NULL, 0, "{}", strlen("{}"), sk);
	expect_decode_error(buf, n, "seq");
	buf[0] = 'X';
	expect_decode_error(buf, n, "magic");
}

/* Decode body b both ways: the same verdict and message, the same tree
 * once asked for, the same top-level strings. True when the lazy decode
 * kept no tree (the scan accepted the body). */
static bool
lazy_agrees(const char *b, size_t blen)
{
	static unsigned char buf[70000];
	struct cb_entry full = CB_ENTRY_INIT, lazy = CB_ENTRY_INIT;
	struct cb_errbuf e1, e2;
	const char *key, *str;
	cb_err r1, r2;
	json_t *v;
	size_t n, len;
	bool scanned;

	n = raw_entry(buf, 1, NULL, "member.add", NULL, 0, b, blen, sk);
	e1.msg[0] = e2.msg[0] = 0;
	r1 = cb_entry_decode(buf, n, &full, &e1);
	r2 = cb_entry_decode_lazy(buf, n, NULL, &lazy, &e2);
	if (r1 != r2 || strcmp(e1.msg, e2.msg))
		fail_msg("body '%.*s': decode says %d '%s', the lazy decode "
		         "%d '%s'",
		         (int)blen, b, r1, e1.msg, r2, e2.msg);
	if (r1)
		return false;
	scanned = lazy.json == NULL;
	json_object_foreach(full.json, key, v)
	{
		bool got = cb_entry_body_string(&lazy, key, &str, &len);

		assert_int_equal(got, json_is_string(v));
		if (got && (len != json_string_length(v) ||
		            memcmp(str, json_string_value(v), len)))
			fail_msg("body '%.*s': key '%s' reads differently",
			         (int)blen, b, key);
	}
	assert_false(cb_entry_body_string(&lazy, "no such key", &str, &len));
	assert_non_null(cb_entry_body(&lazy));
	assert_true(json_equal(full.json, lazy.json));
	{
		/* the tree is json_loadb's, keys in the same order */
		json_t *ref = json_loadb(b, blen, JSON_REJECT_DUPLICATES, NULL);
		char *d1 = json_dumps(full.json, JSON_COMPACT),
		     *d2 = json_dumps(lazy.json, JSON_COMPACT),
		     *d3 = json_dumps(ref, JSON_COMPACT);

		assert_true(json_equal(full.json, ref));
		assert_string_equal(d1, d3);
		assert_string_equal(d2, d3);
		free(d1);
		free(d2);
		free(d3);
		json_decref(ref);
	}
	assert_memory_equal(full.id, lazy.id, 32);
	cb_entry_release(&full);
	cb_entry_release(&lazy);
	return scanned;
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* A random body value: Vietnamese and ASCII strings, some not NFC or
 * with characters JSON escapes, integers at and past the limits. */
static json_t *
random_value(int depth)
{
	static const char *const strs[] = {
		"",
		"Nguyễn Văn Hợp",
		"Chi bộ thôn Đại Giáp",
		"Nguye\xcc\x82\xcc\x83n", /* not NFC */
		"a\"b",
		"tab\there",
		"26734.01",
		"\xc3\x85ngstr\xc3\xb6m",
		"A\xcc\x8a", /* not NFC */
		"đ",
	};
	static const json_int_t ints[] = { 0,
		                           1,
		                           -1,
		                           42,
		                           9007199254740991LL,
		                           -9007199254740991LL,
		                           9007199254740992LL,
		                           INT64_MIN };
	json_t *o;

	switch (depth > 34 ? rng() % 4 : rng() % 7) {
	case 0: return json_string(strs[rng() % 10]);
	case 1: return json_integer(ints[rng() % 8]);
	case 2: return rng() % 2 ? json_true() : json_null();
	case 3: return json_integer((json_int_t)(rng() % 100000));
	case 4:
	case 5:
		o = json_object();
		for (int i = (int)(rng() % 4); i > 0; i--) {
			char k[8];

			snprintf(k, sizeof(k), "%c%d", 'a' + (int)(rng() % 3),
			         (int)(rng() % 3));
			json_object_set_new(
				o, rng() % 8 ? k : strs[rng() % 10],
				random_value(depth + 1 + (int)(rng() % 4)));
		}
		return o;
	default:
		o = json_array();
		for (int i = (int)(rng() % 3); i > 0; i--)
			json_array_append_new(
				o, random_value(depth + 1 + (int)(rng() % 6)));
		return o;
	}
}

static void
test_lazy_decode_agrees(void **state)
{
	static const char *const bodies[] = {
		"{}",
		"{ }",
		" {}",
		"{}\n",
		"{\"a\":1}",
		"{\"a\":-0}",
		"{\"a\":-1}",
		"{\"a\":01}",
		"{\"a\":1.0}",
		"{\"a\":1e3}",
		"{\"a\":1E3}",
		"{\"a\":9007199254740991}",
		"{\"a\":9007199254740992}",
		"{\"a\":-9007199254740991}",
		"{\"a\":-9007199254740992}",
		"{\"a\":12345678901234567890}",
		"{\"a\":1234567890123456}",
		"{\"a\":0123}",
		"{\"a\":-}",
		"{\"a\":--1}",
		"{\"a\":+1}",
		"{\"b\":1,\"a\":2}",
		"{\"a\":1,\"a\":1}",
		"{\"a\":1,\"ab\":1}",
		"{\"ab\":1,\"a\":1}",
		"{\"a\":\"x\\\"y\"}",
		"{\"a\":\"\\u0000\"}",
		"{\"a\":\"\t\"}",
		"{\"a\":[1,2,{\"b\":null}]}",
		"{\"a\":[]}",
		"{\"a\":[,]}",
		"{\"a\":[1,]}",
		"{\"a\":tru}",
		"{\"a\":true,}",
		"{\"a\":nul}",
		"{\"a\":false}",
		"{\"a\"1}",
		"{\"a\":}",
		"{\"a\":1}x",
		"{\"a\":1}}",
		"{\"a\":\"Nguyễn\"}",
		"{\"a\":\"",
		"{1:2}",
		"{\"a\":1 }",
		"{\"a\":{\"b\":{}},\"b\":[[]]}",
		"{,}",
		"{\"a\"}",
		"{\"Nguye\xcc\x82\xcc\x83n\":1}",
		"{\"a\":\"Nguye\xcc\x82n\"}",
		"{\"\":1}",
		"{\"\":1,\"\":2}",
		"{\"cell\":{\"cell\":\"x\"}}",
		"{\"a\":[\"cell\"],\"cell\":\"26734.01\"}",
		"{\"a\":{\"cell\":\"x\"},\"cell\":\"26734.01\"}",
		"[]",
		"\"x\"",
		"",
	};
	char deep[200];
	size_t scanned = 0, tried = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++)
		lazy_agrees(bodies[i], strlen(bodies[i]));
	/* Nesting at and around the limit of 32. */
	for (int d = 29; d <= 36; d++) {
		size_t n = 0;

		n += (size_t)snprintf(deep, sizeof(deep), "{\"a\":");
		for (int i = 1; i < d; i++)
			deep[n++] = '[';
		deep[n++] = '1';
		for (int i = 1; i < d; i++)
			deep[n++] = ']';
		deep[n++] = '}';
		lazy_agrees(deep, n);
	}
	/* Random bodies, canonical (as a replica writes them), then each
	 * with a byte changed, inserted or removed. */
	for (int round = 0; round < 3000; round++) {
		static const char alphabet[] =
			"{}[]\":,-0123456789.eE tfnul\\a";
		json_t *body = json_object();
		char *text, *m;
		size_t n;

		for (int i = (int)(rng() % 5); i > 0; i--) {
			char k[8];

			snprintf(k, sizeof(k), "k%d", (int)(rng() % 6));
			json_object_set_new(body, k, random_value(1));
		}
		text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
		n = strlen(text);
		tried++;
		if (lazy_agrees(text, n))
			scanned++;
		m = malloc(n + 2);
		for (int k = 0; k < 4; k++) {
			size_t at = n ? rng() % n : 0, len = n;

			memcpy(m, text, n + 1);
			switch (rng() % 3) {
			case 0:
				m[at] = alphabet[rng() %
				                 (sizeof(alphabet) - 1)];
				break;
			case 1:
				memmove(m + at + 1, m + at, n - at + 1);
				m[at] = alphabet[rng() %
				                 (sizeof(alphabet) - 1)];
				len++;
				break;
			default:
				if (n) {
					memmove(m + at, m + at + 1, n - at);
					len--;
				}
			}
			lazy_agrees(m, len);
		}
		free(m);
		free(text);
		json_decref(body);
	}
	/* Most canonical bodies need no tree: the fast path is taken. */
	assert_true(scanned > tried / 4);
}

static void
test_oversized_is_refused(void **state)
{
	static unsigned char buf[70000];
	struct cb_entry_fields f = { 0 };
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	char *big = malloc(CB_ENTRY_MAX + 10);
	json_t *body;
	size_t n;

	(void)state;
	memset(big, 'a', CB_ENTRY_MAX);
	big[CB_ENTRY_MAX] = 0;
	body = json_pack("{s:s}", "content", big);
	f.author = pk;
	f.secret_key = sk;
	f.seq = 1;
	f.time_ms = 1;
	f.op = "meeting.record";
	f.body = body;
	assert_int_equal(cb_entry_build(&f, &e, &eb), CB_ETOOBIG);
	json_decref(body);
	/* One byte over the limit on the decoding side too. */
	memcpy(big, "{\"a\":\"", 6);
	n = CB_ENTRY_MAX + 1 - 126 + 2 - 8;
	memset(big + 6, 'b', n);
	memcpy(big + 6 + n, "\"}", 2);
	n = raw_entry(buf, 1, NULL, "x", NULL, 0, big, n + 8, sk);
	assert_int_equal(n, CB_ENTRY_MAX + 1);
	assert_int_equal(cb_entry_decode(buf, n, &e, &eb), CB_ETOOBIG);
	free(big);
}

static void
test_wrong_key_is_refused(void **state)
{
	static unsigned char buf[1000];
	unsigned char pk2[32], sk2[64];
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	size_t n;

	(void)state;
	crypto_sign_keypair(pk2, sk2);
	/* names pk as author but is signed by sk2 */
	n = raw_entry(buf, 1, NULL, "x", NULL, 0, "{}", 2, sk2);
	assert_int_equal(cb_entry_decode(buf, n, &e, &eb), 0);
	assert_int_equal(cb_entry_verify_signature(&e, &eb), CB_ECRYPTO);
	assert_non_null(strstr(eb.msg, "signature does not verify"));
	cb_entry_release(&e);
}

static void
test_chain_rules(void **state)
{
	struct cb_entry chain[3];
	struct cb_entry other = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	static unsigned char buf[1000];
	unsigned char bogus[32];
	size_t n;

	(void)state;
	for (int i = 0; i < 3; i++)
		build_vector(i, chain);
	assert_int_equal(cb_chain_follows(NULL, &chain[0], &eb), 0);
	/* seq gap: 3 after 1 */
	assert_int_equal(cb_chain_follows(&chain[0], &chain[2], &eb),
	                 CB_ECHAIN);
	assert_non_null(strstr(eb.msg, "missing"));
	/* seq 2 presented as the first */
	assert_int_equal(cb_chain_follows(NULL, &chain[1], &eb),
	                 CB_ECHAIN);
	/* prev mismatch: a seq 2 whose prev is not entry 1's id */
	memset(bogus, 7, 32);
	n = raw_entry(buf, 2, bogus, "x", NULL, 0, "{}", strlen("{}"), sk);
	assert_int_equal(cb_entry_decode(buf, n, &other, &eb), 0);
	assert_int_equal(cb_chain_follows(&chain[0], &other, &eb),
	                 CB_ECHAIN);
	assert_non_null(strstr(eb.msg, "prev"));
	/* the same, against a store's head (chain.h) */
	{
		struct cb_chain_head h = { 1, { 0 } };

		memcpy(h.id, chain[0].id, 32);
		assert_int_equal(cb_chain_place(NULL, NULL, &chain[0]),
		                 CB_CHAIN_NEXT);
		assert_int_equal(cb_chain_place(NULL, NULL, &chain[1]),
		                 CB_CHAIN_GAP);
		assert_int_equal(cb_chain_place(&h, NULL, &chain[1]),
		                 CB_CHAIN_NEXT);
		assert_int_equal(cb_chain_place(&h, NULL, &chain[2]),
		                 CB_CHAIN_GAP);
		assert_int_equal(cb_chain_place(&h, NULL, &other),
		                 CB_CHAIN_BROKEN);
		assert_int_equal(cb_chain_place(&h, chain[0].id, &chain[0]),
		                 CB_CHAIN_HELD);
		assert_int_equal(cb_chain_place(&h, bogus, &chain[0]),
		                 CB_CHAIN_FORK);
		assert_int_equal(cb_chain_place(&h, NULL, &chain[0]),
		                 CB_CHAIN_FORK);
	}
	cb_entry_release(&other);
	for (int i = 0; i < 3; i++)
		cb_entry_release(&chain[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_every_flipped_byte_is_refused),
		cmocka_unit_test(test_every_truncation_is_refused),
		cmocka_unit_test(test_malformed_bodies_are_refused),
		cmocka_unit_test(test_lazy_decode_agrees),
		cmocka_unit_test(test_oversized_is_refused),
		cmocka_unit_test(test_wrong_key_is_refused),
		cmocka_unit_test(test_chain_rules),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

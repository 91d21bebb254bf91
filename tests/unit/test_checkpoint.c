/* SPDX-License-Identifier: MIT */
/* test_checkpoint.c — checkpoints as C2SP signed notes: a round trip; the
 * published note, keys and signatures of golang.org/x/mod/sumdb/note's
 * tests (PeterNeumann, EnochRoot), byte for byte; the worked example of
 * docs/PROTOCOL.md, which must still be what the code makes; and the
 * forgeries and malformed notes a reader must refuse, each with the
 * message that names the problem. Every note is opened from a buffer of
 * exactly its length, so that a read past the end shows under ASan. */
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
#include "checkpoint.h"
#include "merkle.h"

#define ORIGIN "example.org/chibo-log"

static uint8_t pk[32], sk[64], other_pk[32], other_sk[64];

static void
keypair(uint8_t first, uint8_t p[32], uint8_t s[64])
{
	uint8_t seed[32];

	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(first + i);
	crypto_sign_seed_keypair(p, s, seed);
}

/* cb_checkpoint_open on a heap copy of exactly len bytes, no NUL after. */
static cb_err
open_exact(const char *note, size_t len, const char *expect_origin,
           const char *name, const uint8_t key[32], struct cb_checkpoint *out,
           struct cb_errbuf *eb)
{
	char *copy = malloc(len ? len : 1);
	cb_err rc;

	memcpy(copy, note, len);
	rc = cb_checkpoint_open(copy, len, expect_origin, name, key, out, eb);
	free(copy);
	return rc;
}

static cb_err
open_str(const char *note, const char *name, const uint8_t key[32],
         struct cb_checkpoint *out, struct cb_errbuf *eb)
{
	return open_exact(note, strlen(note), NULL, name, key, out, eb);
}

static cb_err
note_open_exact(const char *note, size_t len, const char *name,
                const uint8_t key[32], size_t *text_len, struct cb_errbuf *eb)
{
	char *copy = malloc(len ? len : 1);
	cb_err rc;

	memcpy(copy, note, len);
	rc = cb_note_open(copy, len, name, key, text_len, eb);
	free(copy);
	return rc;
}

static char *
sign_checkpoint(const char *origin, uint64_t size, uint8_t fill,
                const char *name, const uint8_t *key)
{
	struct cb_checkpoint c;
	struct cb_errbuf eb;
	char *note = NULL;

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", origin);
	c.size = size;
	memset(c.root, fill, 32);
	if (cb_checkpoint_sign(&c, name, key, &note, &eb))
		fail_msg("%s", eb.msg);
	return note;
}

static char *
replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t n = strlen(s), f = strlen(from), t = strlen(to);
	char *out;

	if (!at)
		fail_msg("'%s' not in the note", from);
	out = malloc(n - f + t + 1);
	memcpy(out, s, (size_t)(at - s));
	memcpy(out + (at - s), to, t);
	strcpy(out + (at - s) + t, at + f);
	return out;
}

static void
test_round_trip(void **state)
{
	const uint64_t sizes[] = { 0, 1, 12345, UINT64_MAX };
	struct cb_checkpoint c, got;
	struct cb_errbuf eb;
	char *note, want[256];

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(&c, 0, sizeof(c));
		strcpy(c.origin, ORIGIN);
		c.size = sizes[i];
		for (int j = 0; j < 32; j++)
			c.root[j] = (uint8_t)(j * 9 + i);
		if (cb_checkpoint_sign(&c, ORIGIN, sk, &note, &eb))
			fail_msg("%s", eb.msg);
		/* the text, a blank line, one signature line */
		snprintf(want, sizeof(want), ORIGIN "\n%llu\n",
		         (unsigned long long)sizes[i]);
		assert_int_equal(strncmp(note, want, strlen(want)), 0);
		assert_non_null(strstr(note, "=\n\n\xe2\x80\x94 " ORIGIN " "));
		assert_int_equal(note[strlen(note) - 1], '\n');
		memset(&got, 0xaa, sizeof(got));
		if (open_exact(note, strlen(note), ORIGIN, ORIGIN, pk, &got,
		               &eb))
			fail_msg("%s", eb.msg);
		assert_string_equal(got.origin, ORIGIN);
		assert_true(got.size == sizes[i]);
		assert_memory_equal(got.root, c.root, 32);
		free(note);
	}
	/* a key name other than the origin, a long origin */
	memset(&c, 0, sizeof(c));
	memset(c.origin, 'o', CB_CHECKPOINT_ORIGIN_MAX);
	c.size = 7;
	if (cb_checkpoint_sign(&c, "hub-key-2", sk, &note, &eb) ||
	    open_str(note, "hub-key-2", pk, &got, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(strlen(got.origin), CB_CHECKPOINT_ORIGIN_MAX);
	free(note);
}

/* golang.org/x/mod sumdb/note/note_test.go (TestNewVerifier, TestNewSigner,
 * TestSign, TestOpen, TestVerifierList). */
static const char peter_vkey[] =
	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char peter_skey[] = "PRIVATE+KEY+PeterNeumann+c74f20a3+"
				 "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char enoch_vkey[] =
	"EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
static const char go_text[] =
	"If you think cryptography is the answer to your problem,\n"
	"then you don't know what your problem is.\n";
static const char peter_sig[] =
	"\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZ"
	"InNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
static const char enoch_sig[] =
	"\xe2\x80\x94 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n"
	"2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

static char *
go_note(const char *sigs)
{
	char *s = malloc(strlen(go_text) + 1 + strlen(sigs) + 1);

	sprintf(s, "%s\n%s", go_text, sigs);
	return s;
}

static void
test_sumdb_note_vectors(void **state)
{
	uint8_t peter[32], enoch[32], seed_key[33], ppk[32], psk[64];
	char *name = NULL, *vkey, *note, *n2;
	struct cb_buf many = CB_BUF_INIT;
	struct cb_errbuf eb;
	size_t len, text_len;

	(void)state;
	if (cb_note_vkey_parse(peter_vkey, &name, peter, &eb))
		fail_msg("%s", eb.msg);
	assert_string_equal(name, "PeterNeumann");
	assert_int_equal(cb_note_key_hash("PeterNeumann", peter), 0xc74f20a3);
	vkey = cb_note_vkey("PeterNeumann", peter);
	assert_string_equal(vkey, peter_vkey);
	free(vkey);
	free(name);
	if (cb_note_vkey_parse(enoch_vkey, &name, enoch, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(cb_note_key_hash("EnochRoot", enoch), 0xaf0cfe78);
	free(name);

	/* the signer key is "PRIVATE+KEY+name+hash+base64(0x01 || seed)":
	 * its public key is the verifier's, and Ed25519 being deterministic
	 * its signature is the published one, byte for byte */
	{
		const char *b64 =
			peter_skey + strlen("PRIVATE+KEY+PeterNeumann+"
		                            "c74f20a3+");

		assert_int_equal(
			sodium_base642bin(seed_key, sizeof(seed_key), b64,
		                          strlen(b64), NULL, &len, NULL,
		                          sodium_base64_VARIANT_ORIGINAL),
			0);
	}
	assert_int_equal(len, 33);
	assert_int_equal(seed_key[0], 1);
	crypto_sign_seed_keypair(ppk, psk, seed_key + 1);
	assert_memory_equal(ppk, peter, 32);
	if (cb_note_sign(go_text, strlen(go_text), "PeterNeumann", psk, &note,
	                 &eb))
		fail_msg("%s", eb.msg);
	n2 = go_note(peter_sig);
	assert_string_equal(note, n2);
	free(note);

	/* the published note opens; its text is what was signed */
	if (note_open_exact(n2, strlen(n2), "PeterNeumann", peter, &text_len,
	                    &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(text_len, strlen(go_text));
	free(n2);
	/* with Enoch's signature too: each key finds its own */
	n2 = go_note(enoch_sig);
	note = malloc(strlen(go_text) + 1 + strlen(peter_sig) +
	              strlen(enoch_sig) + 1);
	sprintf(note, "%s\n%s%s", go_text, peter_sig, enoch_sig);
	if (note_open_exact(note, strlen(note), "PeterNeumann", peter,
	                    &text_len, &eb) ||
	    note_open_exact(note, strlen(note), "EnochRoot", enoch, &text_len,
	                    &eb) ||
	    note_open_exact(n2, strlen(n2), "EnochRoot", enoch, &text_len, &eb))
		fail_msg("%s", eb.msg);
	/* Enoch's note alone has nothing by Peter */
	assert_int_equal(note_open_exact(n2, strlen(n2), "PeterNeumann", peter,
	                                 &text_len, &eb),
	                 CB_ECRYPTO);
	assert_non_null(strstr(eb.msg, "no signature by key 'PeterNeumann'"));
	free(n2);
	free(note);

	/* TestOpen's invalid signature: 4 more base64 characters */
	{
		char bad[sizeof(peter_sig) + 4];

		memcpy(bad, peter_sig, 60);
		memcpy(bad + 60, "ABCD", 4);
		strcpy(bad + 64, peter_sig + 60);
		note = go_note(bad);
		assert_int_equal(note_open_exact(note, strlen(note),
		                                 "PeterNeumann", peter,
		                                 &text_len, &eb),
		                 CB_ECRYPTO);
		assert_non_null(strstr(
			eb.msg, "signature by 'PeterNeumann' does not verify"));
		free(note);
	}
	/* TestOpen's malformed notes */
	{
		char *bad[7];

		bad[0] = strdup(go_text);
		bad[1] = go_note("");
		bad[2] = go_note(peter_sig);
		bad[2][strlen(bad[2]) - 1] = 0;
		bad[3] = malloc(strlen(go_text) + strlen(peter_sig) + 3);
		sprintf(bad[3], "\x01%s\n%s", go_text, peter_sig);
		bad[4] = malloc(strlen(go_text) + strlen(peter_sig) + 3);
		sprintf(bad[4], "\xff%s\n%s", go_text, peter_sig);
		bad[5] = go_note(
			"\xe2\x80\x94 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBti"
			"FupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6"
			"RyyBwJnAM=");
		n2 = malloc(strlen(peter_sig) + 20);
		sprintf(n2, "%sUnexpected line.\n", peter_sig);
		bad[6] = go_note(n2);
		free(n2);
		for (int i = 0; i < 7; i++) {
			if (note_open_exact(bad[i], strlen(bad[i]),
			                    "PeterNeumann", peter, &text_len,
			                    &eb) != CB_EINVAL)
				fail_msg("malformed note %d accepted", i);
			free(bad[i]);
		}
	}
	/* a signature twice is fine; 101 signature lines are not */
	note = malloc(strlen(go_text) + 2 * strlen(peter_sig) + 2);
	sprintf(note, "%s\n%s%s", go_text, peter_sig, peter_sig);
	if (note_open_exact(note, strlen(note), "PeterNeumann", peter,
	                    &text_len, &eb))
		fail_msg("%s", eb.msg);
	free(note);
	assert_int_equal(cb_buf_addstr(&many, go_text), 0);
	assert_int_equal(cb_buf_addstr(&many, "\n"), 0);
	for (int i = 0; i < 101; i++)
		assert_int_equal(cb_buf_addstr(&many, peter_sig), 0);
	assert_int_equal(note_open_exact((char *)many.data, many.len,
	                                 "PeterNeumann", peter, &text_len, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "more than 100 signature lines"));
	cb_buf_release(&many);
}

/* The worked example of docs/PROTOCOL.md, "Transparency log". */
static const char doc_leaf_hash[3][65] = {
	"022a6979e6dab7aa5ae4c3e5e45f7e977112a7e63593820dbec1ec738a24f93c",
	"4075b6a68556aaa03188190d906199743692269dd8556b034c418f194a70e188",
	"3758d1b11bc4df3bcaafaaf33a080844ae205b13e530e1a07e80585b5251e498",
};
static const char doc_node01[] =
	"cbac0a1c546586d1a60e5abdd6e5611218732e1341e92e7b8593404e0f14aa4b";
static const char doc_root[] =
	"48908c61f041953cc0e2f3ff40b8566b5ab1bde9d0d90a4376fb70ebefdcb64a";
static const char doc_pk[] =
	"03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
static const char doc_vkey[] = "chibo.example/test-hub+6b173bbb+"
			       "AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4";
static const char doc_note[] =
	"chibo.example/test-hub\n"
	"3\n"
	"SJCMYfBBlTzA4vP/QLhWa1qxvenQ2QpDdvtw6+/ctko=\n"
	"\n"
	"\xe2\x80\x94 chibo.example/test-hub "
	"axc7u7tTwSQJ5PSkKWVidkdGL0xg3dUl3Tc"
	"Ubrt6IOnnRNP7/54Nke+vbjExWwthsKncpqIolf5RU+QkpfqVwXZMhgk=\n";

static char *
read_doc(void)
{
	const char *src = getenv("CHIBO_SOURCE_DIR");
	char path[4096];
	struct cb_buf b = CB_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/docs/PROTOCOL.md", src ? src : ".");
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open '%s' (set CHIBO_SOURCE_DIR)", path);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(cb_buf_add(&b, chunk, n), 0);
	fclose(f);
	return (char *)cb_buf_detach(&b, NULL);
}

static void
test_protocol_example(void **state)
{
	static const char *const leaves[3] = { "a", "bc", "def" };
	uint8_t seed[32], dpk[32], dsk[64], lh[3][32], n01[32], root[32];
	struct cb_merkle_stream s;
	struct cb_checkpoint c = { .origin = "chibo.example/test-hub",
		                   .size = 3 };
	struct cb_checkpoint got;
	struct cb_errbuf eb;
	char hex[65], *note, *vkey, *doc;

	(void)state;
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	crypto_sign_seed_keypair(dpk, dsk, seed);
	cb_hex_encode(dpk, 32, hex);
	assert_string_equal(hex, doc_pk);
	cb_merkle_stream_init(&s);
	for (int i = 0; i < 3; i++) {
		cb_merkle_leaf_hash((const uint8_t *)leaves[i],
		                    strlen(leaves[i]), lh[i]);
		cb_hex_encode(lh[i], 32, hex);
		assert_string_equal(hex, doc_leaf_hash[i]);
		cb_merkle_stream_append(&s, lh[i]);
	}
	cb_merkle_node_hash(lh[0], lh[1], n01);
	cb_hex_encode(n01, 32, hex);
	assert_string_equal(hex, doc_node01);
	cb_merkle_stream_root(&s, root);
	cb_hex_encode(root, 32, hex);
	assert_string_equal(hex, doc_root);
	/* the proofs the example gives: leaf 0 in 3 is [lh1, lh2];
	 * 2 -> 3 is [lh2] */
	{
		uint8_t path[2][32], r2[32];

		memcpy(path[0], lh[1], 32);
		memcpy(path[1], lh[2], 32);
		assert_true(cb_merkle_verify_inclusion(
			lh[0], 0, 3, (const uint8_t(*)[32])path, 2, root));
		memcpy(path[0], lh[2], 32);
		assert_true(cb_merkle_verify_consistency(
			2, 3, n01, root, (const uint8_t(*)[32])path, 1));
		cb_merkle_node_hash(n01, lh[2], r2);
		assert_memory_equal(r2, root, 32);
	}
	memcpy(c.root, root, 32);
	if (cb_checkpoint_sign(&c, "chibo.example/test-hub", dsk, &note, &eb))
		fail_msg("%s", eb.msg);
	assert_string_equal(note, doc_note);
	vkey = cb_note_vkey("chibo.example/test-hub", dpk);
	assert_string_equal(vkey, doc_vkey);
	assert_int_equal(cb_note_key_hash("chibo.example/test-hub", dpk),
	                 0x6b173bbb);
	if (open_str(note, "chibo.example/test-hub", dpk, &got, &eb))
		fail_msg("%s", eb.msg);
	/* and the document says the same */
	doc = read_doc();
	for (int i = 0; i < 3; i++)
		assert_non_null(strstr(doc, doc_leaf_hash[i]));
	assert_non_null(strstr(doc, doc_node01));
	assert_non_null(strstr(doc, doc_root));
	assert_non_null(strstr(doc, doc_pk));
	assert_non_null(strstr(doc, doc_vkey));
	if (!strstr(doc, doc_note))
		fail_msg("docs/PROTOCOL.md does not hold the example note:\n%s",
		         note);
	free(doc);
	free(vkey);
	free(note);
}

static char *good; /* a checkpoint by (ORIGIN, pk) of size 12345 */

static void
test_forgeries(void **state)
{
	struct cb_checkpoint got;
	struct cb_errbuf eb;
	size_t len;
	char *bad;

	(void)state;
	good = sign_checkpoint(ORIGIN, 12345, 0x11, ORIGIN, sk);
	len = strlen(good);
	if (open_str(good, ORIGIN, pk, &got, &eb))
		fail_msg("%s", eb.msg);

	/* altered size, root, origin: the signature no longer verifies */
	bad = replace(good, "\n12345\n", "\n12346\n");
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_ECRYPTO);
	assert_non_null(
		strstr(eb.msg, "signature by '" ORIGIN "' does not verify"));
	free(bad);
	{
		char *root_line = strchr(strchr(good, '\n') + 1, '\n') + 1;

		bad = strdup(good);
		bad[root_line - good + 5] ^= 0x01; /* another base64 letter */
		assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb),
		                 CB_ECRYPTO);
		assert_non_null(strstr(eb.msg, "does not verify"));
		free(bad);
	}
	bad = replace(good, ORIGIN "\n", "example.org/chibo-loh\n");
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_ECRYPTO);
	assert_non_null(strstr(eb.msg, "does not verify"));
	free(bad);
	/* the right note for another origin */
	assert_int_equal(open_exact(good, len, "example.org/other", ORIGIN, pk,
	                            &got, &eb),
	                 CB_EINVAL);
	assert_string_equal(eb.msg, "checkpoint origin is '" ORIGIN
	                            "', expected 'example.org/other'");

	/* another key of the same name: another key hash, ignored, so no
	 * signature by ours */
	bad = sign_checkpoint(ORIGIN, 12345, 0x11, ORIGIN, other_sk);
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_ECRYPTO);
	assert_non_null(strstr(eb.msg, "no signature by key '" ORIGIN "'"));
	/* ... even when it copies our key hash: then it must verify */
	{
		char *sig = strrchr(bad, ' ') + 1, b64[200];
		uint8_t raw[68];
		uint32_t kh = cb_note_key_hash(ORIGIN, pk);
		size_t n;

		assert_int_equal(
			sodium_base642bin(raw, sizeof(raw), sig,
		                          strlen(sig) - 1, NULL, &n, NULL,
		                          sodium_base64_VARIANT_ORIGINAL),
			0);
		raw[0] = (uint8_t)(kh >> 24);
		raw[1] = (uint8_t)(kh >> 16);
		raw[2] = (uint8_t)(kh >> 8);
		raw[3] = (uint8_t)kh;
		sodium_bin2base64(b64, sizeof(b64), raw, 68,
		                  sodium_base64_VARIANT_ORIGINAL);
		strcpy(sig, b64);
		strcat(sig, "\n");
		assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb),
		                 CB_ECRYPTO);
		assert_non_null(strstr(eb.msg, "does not verify"));
		/* next to a good signature, it still spoils the note */
		{
			char *both = malloc(strlen(good) + strlen(sig) + 40);

			sprintf(both, "%s\xe2\x80\x94 " ORIGIN " %s", good,
			        sig);
			assert_int_equal(open_str(both, ORIGIN, pk, &got, &eb),
			                 CB_ECRYPTO);
			assert_non_null(strstr(eb.msg, "does not verify"));
			free(both);
		}
	}
	free(bad);
	/* our key under another name */
	bad = sign_checkpoint(ORIGIN, 12345, 0x11, "someone-else", sk);
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_ECRYPTO);
	assert_non_null(strstr(eb.msg, "no signature by key"));
	free(bad);

	/* a note cut anywhere is refused */
	for (size_t cut = 0; cut < len; cut++) {
		if (open_exact(good, cut, NULL, ORIGIN, pk, &got, &eb) == CB_OK)
			fail_msg("note cut to %zu of %zu bytes accepted", cut,
			         len);
	}
	assert_int_equal(open_exact(good, len - 1, NULL, ORIGIN, pk, &got, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "does not end with a newline"));
	assert_int_equal(open_exact(good, 10, NULL, ORIGIN, pk, &got, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "not a signed note"));
	assert_int_equal(open_exact(good, strstr(good, "\n\n") - good + 2, NULL,
	                            ORIGIN, pk, &got, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "no signature line"));
	/* the blank line missing */
	bad = replace(good, "=\n\n", "=\n");
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_EINVAL);
	assert_string_equal(eb.msg, "not a signed note: no blank line "
	                            "separates its text from its signatures");
	free(bad);
	/* not an em dash: an en dash, two hyphens, no space after it */
	bad = replace(good, "\xe2\x80\x94 ", "\xe2\x80\x93 ");
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_EINVAL);
	assert_non_null(strstr(eb.msg, "signature line 1 does not start with "
	                               "an em dash"));
	free(bad);
	bad = replace(good, "\xe2\x80\x94 ", "-- ");
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_EINVAL);
	assert_non_null(strstr(eb.msg, "em dash"));
	free(bad);
	bad = replace(good, "\xe2\x80\x94 ", "\xe2\x80\x94");
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_EINVAL);
	free(bad);
	/* extra bytes after the last line, or another line */
	bad = malloc(len + 20);
	sprintf(bad, "%sx", good);
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_EINVAL);
	assert_non_null(strstr(eb.msg, "does not end with a newline"));
	sprintf(bad, "%smore\n", good);
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_EINVAL);
	assert_non_null(strstr(eb.msg, "signature line 2 does not start"));
	sprintf(bad, "%s\n", good);
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_EINVAL);
	/* a signature that is not base64, or too short */
	free(bad);
	bad = replace(good, "=\n\n\xe2\x80\x94 " ORIGIN " ",
	              "=\n\n\xe2\x80\x94 " ORIGIN " !");
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_EINVAL);
	assert_non_null(strstr(eb.msg, "not base64"));
	free(bad);
	bad = malloc(len + 40);
	sprintf(bad, "%s\xe2\x80\x94 x AAAA\n", good);
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_EINVAL);
	assert_non_null(strstr(eb.msg, "signature line 2 is not base64"));
	free(bad);
	/* NUL bytes, in the text or at the end */
	bad = malloc(len + 1);
	memcpy(bad, good, len + 1);
	bad[3] = 0;
	assert_int_equal(open_exact(bad, len, NULL, ORIGIN, pk, &got, &eb),
	                 CB_EINVAL);
	assert_string_equal(eb.msg, "note has a NUL byte at offset 3");
	memcpy(bad, good, len + 1);
	assert_int_equal(open_exact(bad, len + 1, NULL, ORIGIN, pk, &got, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "NUL byte"));
	free(bad);
	/* a carriage return; bytes that are not UTF-8 */
	bad = replace(good, "\n12345\n", "\r\n12345\n");
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_EINVAL);
	assert_non_null(strstr(eb.msg, "control character 0x0d"));
	free(bad);
	bad = replace(good, "\n12345\n", "\xc3\n12345\n");
	assert_int_equal(open_str(bad, ORIGIN, pk, &got, &eb), CB_EINVAL);
	assert_non_null(strstr(eb.msg, "not valid UTF-8"));
	free(bad);
	/* an empty note */
	assert_int_equal(open_exact("", 0, NULL, ORIGIN, pk, &got, &eb),
	                 CB_EINVAL);
	free(good);
}

static void
test_limits(void **state)
{
	struct cb_checkpoint got;
	struct cb_buf b = CB_BUF_INIT;
	struct cb_errbuf eb;
	char *note = sign_checkpoint(ORIGIN, 5, 0x22, ORIGIN, sk);

	(void)state;
	/* over 1 MiB: refused before anything is read */
	assert_int_equal(cb_buf_addstr(&b, note), 0);
	while (b.len <= CB_NOTE_MAX_SIZE)
		assert_int_equal(cb_buf_addstr(&b, "\xe2\x80\x94 k AAAAAAAA\n"),
		                 0);
	assert_int_equal(
		open_exact((char *)b.data, b.len, NULL, ORIGIN, pk, &got, &eb),
		CB_ETOOBIG);
	assert_non_null(strstr(eb.msg, "over the limit of 1048576"));
	cb_buf_reset(&b);
	/* a line over CB_NOTE_MAX_LINE */
	assert_int_equal(cb_buf_addstr(&b, note), 0);
	assert_int_equal(cb_buf_addstr(&b, "\xe2\x80\x94 k "), 0);
	for (int i = 0; i < CB_NOTE_MAX_LINE; i++)
		assert_int_equal(cb_buf_addstr(&b, "A"), 0);
	assert_int_equal(cb_buf_addstr(&b, "\n"), 0);
	assert_int_equal(
		open_exact((char *)b.data, b.len, NULL, ORIGIN, pk, &got, &eb),
		CB_EINVAL);
	assert_non_null(strstr(eb.msg, "line 6 is longer than 8192 bytes"));
	/* 100 signature lines are fine (99 of unknown keys), 101 are not */
	cb_buf_reset(&b);
	assert_int_equal(cb_buf_addstr(&b, note), 0);
	for (int i = 0; i < 99; i++)
		assert_int_equal(
			cb_buf_addf(&b, "\xe2\x80\x94 k%d AAAAAAAA\n", i), 0);
	if (open_exact((char *)b.data, b.len, NULL, ORIGIN, pk, &got, &eb))
		fail_msg("%s", eb.msg);
	assert_int_equal(cb_buf_addstr(&b, "\xe2\x80\x94 k AAAAAAAA\n"), 0);
	assert_int_equal(
		open_exact((char *)b.data, b.len, NULL, ORIGIN, pk, &got, &eb),
		CB_EINVAL);
	assert_non_null(strstr(eb.msg, "more than 100 signature lines"));
	cb_buf_release(&b);
	free(note);
}

/* Text signed by the right key that is not a checkpoint. */
static cb_err
open_signed_text(const char *text, struct cb_checkpoint *got,
                 struct cb_errbuf *eb)
{
	char *note;
	cb_err rc;

	if (cb_note_sign(text, strlen(text), ORIGIN, sk, &note, eb))
		fail_msg("%s", eb->msg);
	rc = open_str(note, ORIGIN, pk, got, eb);
	free(note);
	return rc;
}

#define ROOT64 "ERERERERERERERERERERERERERERERERERERERERERE="

static void
test_malformed_checkpoints(void **state)
{
	static const struct {
		const char *text, *what;
	} bad[] = {
		{ "o\nabc\n" ROOT64 "\n",
		  "checkpoint size is not a number: 'abc'" },
		{ "o\n-1\n" ROOT64 "\n", "checkpoint size is not a number" },
		{ "o\n 5\n" ROOT64 "\n", "checkpoint size is not a number" },
		{ "o\n5 \n" ROOT64 "\n", "checkpoint size is not a number" },
		{ "o\n0x10\n" ROOT64 "\n", "checkpoint size is not a number" },
		{ "o\n007\n" ROOT64 "\n", "leading zero" },
		{ "o\n18446744073709551616\n" ROOT64 "\n", "over 2^64 - 1" },
		{ "o\n5\nERERERERERERERERERERERERERERERERERERERERER==\n",
		  "root hash is not 32 bytes of base64" },
		{ "o\n5\nERERERERERERERERERERERERERERERERERERERERERER\n",
		  "root hash is not 32 bytes of base64" },
		{ "o\n5\n" ROOT64 "AAAA\n", "root hash is not 32 bytes" },
		{ "o\n5\nERERERERERERERERERERERERERERERERERERERERERE\n",
		  "root hash is not 32 bytes" },
		{ "o\n5\nERERERERERERERERERERERERERERERERERERERERER-=\n",
		  "root hash is not 32 bytes" },
		{ "o\n5\n" ROOT64 " \n", "root hash is not 32 bytes" },
		{ "o\n5\nERERERERERERERERERERERERERERERERERERERERERF=\n",
		  "root hash is not 32 bytes" }, /* non-zero padding bits */
		{ "o\n5\n", "no root hash line" },
		{ "o\n", "no size line" },
		{ "\n5\n" ROOT64 "\n", "origin (line 1) is empty" },
		{ "o\n5\n" ROOT64 "\n\next\n", "line 4 (an extension line) is "
		                               "empty" },
	};
	struct cb_checkpoint got;
	char text[400];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cb_errbuf eb;

		if (open_signed_text(bad[i].text, &got, &eb) != CB_EINVAL ||
		    !strstr(eb.msg, bad[i].what))
			fail_msg("%zu: '%s' for %s", i, eb.msg, bad[i].what);
	}
	/* the largest size; extension lines, read and ignored */
	{
		struct cb_errbuf eb;

		if (open_signed_text("o\n18446744073709551615\n" ROOT64 "\n",
		                     &got, &eb))
			fail_msg("%s", eb.msg);
		assert_true(got.size == UINT64_MAX);
		if (open_signed_text("o\n0\n" ROOT64 "\nfirst extension\n"
		                     "\xe2\x80\x94 second\n",
		                     &got, &eb))
			fail_msg("%s", eb.msg);
		assert_string_equal(got.origin, "o");
		assert_true(got.size == 0);
		for (int j = 0; j < 32; j++)
			assert_int_equal(got.root[j], 0x11);
	}
	/* origins: 255 bytes are fine, 256 are not */
	{
		struct cb_errbuf eb;

		memset(text, 'o', 255);
		strcpy(text + 255, "\n1\n" ROOT64 "\n");
		if (open_signed_text(text, &got, &eb))
			fail_msg("%s", eb.msg);
		memset(text, 'o', 256);
		strcpy(text + 256, "\n1\n" ROOT64 "\n");
		assert_int_equal(open_signed_text(text, &got, &eb), CB_EINVAL);
		assert_non_null(strstr(eb.msg, "over the limit of 255"));
	}
}

static void
test_names_and_keys(void **state)
{
	static const char *const bad_names[] = {
		"",
		"a b",
		"a+b",
		"a\nb",
		"a\tb",
		"a\xc2\xa0"
		"b",
		"a\xe3\x80\x80",
		"\xff",
		"a\x01"
		"b",
		"a\xe2\x80\xa8"
		"b",
	};
	struct cb_checkpoint c;
	struct cb_errbuf eb;
	char *note = NULL, *name = NULL, vkey[sizeof(peter_vkey)];
	uint8_t key[32], mixed[64];

	(void)state;
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		assert_false(cb_note_name_valid(bad_names[i]));
		assert_null(cb_note_vkey(bad_names[i], pk));
	}
	assert_true(cb_note_name_valid("example.com/log"));
	assert_true(cb_note_name_valid("Đảng-ủy/BG.LG"));
	memset(&c, 0, sizeof(c));
	strcpy(c.origin, ORIGIN);
	assert_int_equal(cb_checkpoint_sign(&c, "a b", sk, &note, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "'a b' cannot name a note key"));
	assert_null(note);
	assert_int_equal(
		cb_checkpoint_open("x\n\n", 3, NULL, "a+b", pk, &c, &eb),
		CB_EINVAL);
	/* origins a checkpoint cannot have */
	c.origin[0] = 0;
	assert_int_equal(cb_checkpoint_sign(&c, ORIGIN, sk, &note, &eb),
	                 CB_EINVAL);
	strcpy(c.origin, "two\nlines");
	assert_int_equal(cb_checkpoint_sign(&c, ORIGIN, sk, &note, &eb),
	                 CB_EINVAL);
	strcpy(c.origin, "tab\there");
	assert_int_equal(cb_checkpoint_sign(&c, ORIGIN, sk, &note, &eb),
	                 CB_EINVAL);
	memset(c.origin, 'o', sizeof(c.origin));
	assert_int_equal(cb_checkpoint_sign(&c, ORIGIN, sk, &note, &eb),
	                 CB_EINVAL);
	assert_null(note);
	/* a secret key whose halves disagree */
	strcpy(c.origin, ORIGIN);
	memcpy(mixed, sk, 32);
	memcpy(mixed + 32, other_pk, 32);
	assert_int_equal(cb_checkpoint_sign(&c, ORIGIN, mixed, &note, &eb),
	                 CB_ECRYPTO);
	assert_null(note);
	sodium_memzero(mixed, sizeof(mixed));

	/* verifier keys: every part of one is refused, as is every byte
	 * changed (golang.org/x/mod sumdb/note TestNewVerifier) */
	for (size_t i = 0; i < sizeof(peter_vkey) - 1; i++) {
		for (size_t j = i + 1; j < sizeof(peter_vkey); j++) {
			if (i == 0 && j == sizeof(peter_vkey) - 1)
				continue;
			memcpy(vkey, peter_vkey + i, j - i);
			vkey[j - i] = 0;
			if (cb_note_vkey_parse(vkey, &name, key, &eb) == CB_OK)
				fail_msg("'%s' accepted", vkey);
		}
	}
	for (size_t i = 0; i < sizeof(peter_vkey) - 1; i++) {
		strcpy(vkey, peter_vkey);
		vkey[i]++;
		if (cb_note_vkey_parse(vkey, &name, key, &eb) == CB_OK)
			fail_msg("'%s' accepted", vkey);
	}
	assert_int_equal(cb_note_vkey_parse("PeterNeumann+cc469956+ARpc2QcUPDh"
	                                    "MQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
	                                    "BADKEY==",
	                                    &name, key, &eb),
	                 CB_EINVAL);
	assert_int_equal(cb_note_vkey_parse("PeterNeumann+173116ae+ZRpc2QcUPDh"
	                                    "MQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	                                    &name, key, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "not Ed25519"));
	assert_int_equal(cb_note_vkey_parse("PeterNeumann+c74f20a4+ARpc2QcUPDh"
	                                    "MQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	                                    &name, key, &eb),
	                 CB_EINVAL);
	assert_non_null(strstr(eb.msg, "hash to c74f20a3"));
	/* upper-case hex is read too */
	if (cb_note_vkey_parse("PeterNeumann+C74F20A3+ARpc2QcUPDh"
	                       "MQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	                       &name, key, &eb))
		fail_msg("%s", eb.msg);
	free(name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_sumdb_note_vectors),
		cmocka_unit_test(test_protocol_example),
		cmocka_unit_test(test_forgeries),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_malformed_checkpoints),
		cmocka_unit_test(test_names_and_keys),
	};

	if (sodium_init() < 0)
		return 1;
	keypair(0x40, pk, sk);
	keypair(0x80, other_pk, other_sk);
	return cmocka_run_group_tests(tests, NULL, NULL);
}

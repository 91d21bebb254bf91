/* SPDX-License-Identifier: MIT */
/* test_merkle.c — the RFC 6962 / RFC 9162 Merkle tree: the published
 * reference vectors (transparency-dev/merkle, the certificate-transparency
 * test data), a literal RFC 9162 MTH / PATH / PROOF over an array compared
 * with the library for every size up to N and every index and pair of
 * sizes, generation and verification both, with the forgeries a verifier
 * must refuse (a flipped bit in any element, a wrong index or size, a path
 * one element too long or too short); the streaming root; and trees near
 * the 2^63-leaf bound. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "merkle.h"

typedef uint8_t hash_t[32];

static void
unhex(const char *hex, uint8_t *out, size_t n)
{
	if (cb_hex_decode(hex, out, n, NULL))
		fail_msg("bad hex in the test: %s", hex);
}

/* RFC 9162 §2.1.1–2.1.4, literally, over leaf hashes ------------------- */

static uint64_t
ref_split(uint64_t n)
{
	uint64_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

static void
ref_mth(hash_t *lh, uint64_t n, uint8_t out[32])
{
	uint8_t l[32], r[32];
	uint64_t k;

	if (n == 0) {
		crypto_hash_sha256(out, NULL, 0);
		return;
	}
	if (n == 1) {
		memcpy(out, lh[0], 32);
		return;
	}
	k = ref_split(n);
	ref_mth(lh, k, l);
	ref_mth(lh + k, n - k, r);
	{
		uint8_t buf[65];

		buf[0] = 1;
		memcpy(buf + 1, l, 32);
		memcpy(buf + 33, r, 32);
		crypto_hash_sha256(out, buf, sizeof(buf));
	}
}

struct proof {
	hash_t h[CB_MERKLE_MAX_PATH + 2];
	size_t n;
};

/* PATH(m, D[n]) */
static void
ref_path(uint64_t m, hash_t *lh, uint64_t n, struct proof *p)
{
	uint64_t k;

	if (n <= 1)
		return;
	k = ref_split(n);
	if (m < k) {
		ref_path(m, lh, k, p);
		ref_mth(lh + k, n - k, p->h[p->n++]);
	} else {
		ref_path(m - k, lh + k, n - k, p);
		ref_mth(lh, k, p->h[p->n++]);
	}
}

/* SUBPROOF(m, D[n], b) */
static void
ref_subproof(uint64_t m, hash_t *lh, uint64_t n, bool b, struct proof *p)
{
	uint64_t k;

	if (m == n) {
		if (!b)
			ref_mth(lh, m, p->h[p->n++]);
		return;
	}
	k = ref_split(n);
	if (m <= k) {
		ref_subproof(m, lh, k, b, p);
		ref_mth(lh + k, n - k, p->h[p->n++]);
	} else {
		ref_subproof(m - k, lh + k, n - k, false, p);
		ref_mth(lh, k, p->h[p->n++]);
	}
}

/* A node source over an array, which also checks that the library asks
 * only for perfect subtrees within the size it was given. */
struct tree {
	hash_t *lh;
	uint64_t limit;
	unsigned calls;
};

static cb_err
tree_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
          struct cb_errbuf *eb)
{
	struct tree *t = ctx;
	uint64_t a = index << level, w = UINT64_C(1) << level;

	(void)eb;
	if (level > 20 || a + w > t->limit)
		fail_msg("asked for node (%u, %" PRIu64
		         ") beyond size %" PRIu64,
		         level, index, t->limit);
	ref_mth(t->lh + a, w, out);
	t->calls++;
	return CB_OK;
}

static bool
same_path(const uint8_t (*a)[32], size_t na, const struct proof *b)
{
	return na == b->n && (na == 0 || memcmp(a, b->h, na * 32) == 0);
}

/* The published vectors ------------------------------------------------- */

/* transparency-dev/merkle testonly/constants.go (LeafInputs, NodeHashes,
 * RootHashes), the test data of RFC 6962's reference implementation in
 * certificate-transparency. */
static const char *const leaf_hex[8] = {
	"",
	"00",
	"10",
	"2021",
	"3031",
	"40414243",
	"5051525354555657",
	"606162636465666768696a6b6c6d6e6f",
};

static const char *const node_hex[4][8] = {
	{
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa0"
		"1d",
		"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cf"
		"c7",
		"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7f"
		"e7",
		"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487"
		"e7",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e"
		"6b",
		"4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab6"
		"58",
		"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a"
		"5f",
		"46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8e"
		"b1",
	},
	{
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c1"
		"25",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de303"
		"1e",
		"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef"
		"6a",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0a"
		"e0",
	},
	{
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614"
		"b7",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6"
		"e4",
	},
	{
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff46043"
		"28",
	},
};

static const char *const root_hex[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* Proofs: transparency-dev/merkle testonly/reference_test.go
 * (TestRefInclusionProof, TestRefConsistencyProof) and proof/verify_test.go
 * (inclusionProofs, whose leaf numbers are 1-based, and consistencyProofs). */
struct published_proof {
	uint64_t a, b; /* index and size, or size1 and size2 */
	const char *path[3];
	size_t n;
};

static const struct published_proof published_inclusion[] = {
	{ 0, 1, { NULL }, 0 },
	{ 0,
	  2,
	  { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc"
	    "7" },
	  1 },
	{ 1,
	  2,
	  { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01"
	    "d" },
	  1 },
	{ 2,
	  3,
	  { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c12"
	    "5" },
	  1 },
	{ 1,
	  5,
	  { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6"
	    "b" },
	  3 },
	{ 0,
	  8,
	  { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e"
	    "4" },
	  3 },
	{ 5,
	  8,
	  { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b"
	    "7" },
	  3 },
};

static const struct published_proof published_consistency[] = {
	{ 1, 1, { NULL }, 0 },
	{ 1,
	  8,
	  { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e"
	    "4" },
	  3 },
	{ 2,
	  5,
	  { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6"
	    "b" },
	  2 },
	{ 6,
	  8,
	  { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b"
	    "7" },
	  3 },
	{ 6,
	  7,
	  { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b"
	    "7" },
	  3 },
};

static hash_t published_leaf_hash[8];

static void
published_leaves(void)
{
	for (int i = 0; i < 8; i++) {
		size_t n = strlen(leaf_hex[i]) / 2;
		uint8_t leaf[16];

		unhex(leaf_hex[i], leaf, n);
		cb_merkle_leaf_hash(leaf, n, published_leaf_hash[i]);
	}
}

static void
test_published_hashes(void **state)
{
	uint8_t want[32], got[32];

	(void)state;
	published_leaves();
	for (int level = 0; level < 4; level++) {
		for (int i = 0; i < (8 >> level); i++) {
			unhex(node_hex[level][i], want, 32);
			if (level == 0) {
				memcpy(got, published_leaf_hash[i], 32);
			} else {
				uint8_t l[32], r[32];

				unhex(node_hex[level - 1][2 * i], l, 32);
				unhex(node_hex[level - 1][2 * i + 1], r, 32);
				cb_merkle_node_hash(l, r, got);
			}
			if (memcmp(got, want, 32) != 0)
				fail_msg("node (%d, %d) differs", level, i);
		}
	}
	cb_merkle_empty_root(got);
	unhex(root_hex[0], want, 32);
	assert_memory_equal(got, want, 32);
}

static void
test_published_roots(void **state)
{
	struct tree t = { published_leaf_hash, 0, 0 };
	struct cb_merkle_stream s;
	struct cb_errbuf eb;
	uint8_t want[32], got[32];

	(void)state;
	published_leaves();
	cb_merkle_stream_init(&s);
	for (uint64_t size = 0; size <= 8; size++) {
		unhex(root_hex[size], want, 32);
		t.limit = size;
		if (cb_merkle_root(tree_node, &t, size, got, &eb))
			fail_msg("%s", eb.msg);
		if (memcmp(got, want, 32) != 0)
			fail_msg("root of size %" PRIu64 " differs", size);
		cb_merkle_stream_root(&s, got);
		if (memcmp(got, want, 32) != 0)
			fail_msg("stream root of size %" PRIu64 " differs",
			         size);
		if (size < 8)
			cb_merkle_stream_append(&s, published_leaf_hash[size]);
	}
}

static void
test_published_inclusion(void **state)
{
	struct tree t = { published_leaf_hash, 0, 0 };
	uint8_t path[CB_MERKLE_MAX_PATH][32], want[3][32], root[32];
	struct cb_errbuf eb;
	size_t n;

	(void)state;
	published_leaves();
	for (size_t v = 0;
	     v < sizeof(published_inclusion) / sizeof(published_inclusion[0]);
	     v++) {
		const struct published_proof *p = &published_inclusion[v];

		for (size_t i = 0; i < p->n; i++)
			unhex(p->path[i], want[i], 32);
		unhex(root_hex[p->b], root, 32);
		t.limit = p->b;
		if (cb_merkle_inclusion_proof(tree_node, &t, p->a, p->b, path,
		                              &n, &eb))
			fail_msg("%s", eb.msg);
		if (n != p->n || (n && memcmp(path, want, n * 32) != 0))
			fail_msg("inclusion of %" PRIu64 " in %" PRIu64
			         " differs",
			         p->a, p->b);
		assert_true(cb_merkle_verify_inclusion(
			published_leaf_hash[p->a], p->a, p->b,
			(const uint8_t(*)[32])want, p->n, root));
		if (p->n)
			assert_false(cb_merkle_verify_inclusion(
				published_leaf_hash[p->a], p->a, p->b,
				(const uint8_t(*)[32])want, p->n - 1, root));
	}
}

static void
test_published_consistency(void **state)
{
	struct tree t = { published_leaf_hash, 0, 0 };
	uint8_t path[CB_MERKLE_MAX_PATH][32], want[3][32], r1[32], r2[32];
	struct cb_errbuf eb;
	size_t n;

	(void)state;
	published_leaves();
	for (size_t v = 0; v < sizeof(published_consistency) /
	                               sizeof(published_consistency[0]);
	     v++) {
		const struct published_proof *p = &published_consistency[v];

		for (size_t i = 0; i < p->n; i++)
			unhex(p->path[i], want[i], 32);
		unhex(root_hex[p->a], r1, 32);
		unhex(root_hex[p->b], r2, 32);
		t.limit = p->b;
		if (cb_merkle_consistency_proof(tree_node, &t, p->a, p->b, path,
		                                &n, &eb))
			fail_msg("%s", eb.msg);
		if (n != p->n || (n && memcmp(path, want, n * 32) != 0))
			fail_msg("consistency %" PRIu64 " -> %" PRIu64
			         " differs",
			         p->a, p->b);
		assert_true(cb_merkle_verify_consistency(
			p->a, p->b, r1, r2, (const uint8_t(*)[32])want, p->n));
		if (p->n)
			assert_false(cb_merkle_verify_consistency(
				p->a, p->b, r1, r2, (const uint8_t(*)[32])want,
				p->n - 1));
	}
}

/* Every size, index and pair against the reference ---------------------- */

#define N 80

static hash_t lh[N + 2];
static hash_t roots[N + 2]; /* roots[s] = MTH of the first s leaves */

static void
make_leaves(void)
{
	for (uint64_t i = 0; i < N + 2; i++) {
		uint8_t leaf[8];
		size_t n = i % 7;

		for (size_t j = 0; j < n; j++)
			leaf[j] = (uint8_t)(i * 31 + j);
		cb_merkle_leaf_hash(leaf, n, lh[i]);
	}
	for (uint64_t s = 0; s < N + 2; s++)
		ref_mth(lh, s, roots[s]);
}

/* Copy p with one element changed in one bit. */
static void
flip(const uint8_t (*p)[32], size_t n, size_t which, uint8_t (*out)[32])
{
	memcpy(out, p, n * 32);
	out[which][(which * 7) % 32] ^= (uint8_t)(1u << (which % 8));
}

static void
check_inclusion(uint64_t index, uint64_t size)
{
	struct tree t = { lh, size, 0 };
	uint8_t path[CB_MERKLE_MAX_PATH + 1][32],
		bad[CB_MERKLE_MAX_PATH + 1][32];
	const uint8_t(*cpath)[32] = (const uint8_t(*)[32])path;
	struct proof ref = { .n = 0 };
	struct cb_errbuf eb;
	size_t n;

	ref_path(index, lh, size, &ref);
	if (cb_merkle_inclusion_proof(tree_node, &t, index, size, path, &n,
	                              &eb))
		fail_msg("%s", eb.msg);
	if (!same_path(cpath, n, &ref))
		fail_msg("inclusion of %" PRIu64 " in %" PRIu64
		         " differs from RFC 9162's PATH",
		         index, size);
	if (!cb_merkle_verify_inclusion(lh[index], index, size, cpath, n,
	                                roots[size]))
		fail_msg("inclusion of %" PRIu64 " in %" PRIu64
		         " does not verify",
		         index, size);
	/* a flipped bit anywhere */
	for (size_t i = 0; i < n; i++) {
		flip(cpath, n, i, bad);
		if (cb_merkle_verify_inclusion(lh[index], index, size,
		                               (const uint8_t(*)[32])bad, n,
		                               roots[size]))
			fail_msg("flipped element %zu accepted (%" PRIu64
			         " in %" PRIu64 ")",
			         i, index, size);
	}
	/* the wrong leaf, the wrong root */
	assert_false(cb_merkle_verify_inclusion(lh[index + 1], index, size,
	                                        cpath, n, roots[size]));
	assert_false(cb_merkle_verify_inclusion(lh[index], index, size, cpath,
	                                        n, roots[size + 1]));
	/* a wrong index, the same path: never (the route differs) */
	{
		uint64_t wrong[] = { index - 1, index + 1, index ^ 1, index ^ 2,
			             size,      size + 1,  UINT64_MAX };

		for (size_t w = 0; w < sizeof(wrong) / sizeof(wrong[0]); w++) {
			if (wrong[w] == index)
				continue;
			if (cb_merkle_verify_inclusion(lh[index], wrong[w],
			                               size, cpath, n,
			                               roots[size]))
				fail_msg("index %" PRIu64
				         " accepted for %" PRIu64
				         " in %" PRIu64,
				         wrong[w], index, size);
		}
	}
	/* a wrong size with its own root: only if the proof would be the
	 * same there (RFC 9162 binds a path to the tree's shape only) */
	{
		uint64_t wrong[] = { size - 1, size + 1, size * 2, size / 2,
			             0 };

		for (size_t w = 0; w < sizeof(wrong) / sizeof(wrong[0]); w++) {
			uint64_t s2 = wrong[w];
			struct proof other = { .n = 0 };
			bool want;

			if (s2 == size || s2 > N + 1)
				continue;
			if (index < s2)
				ref_path(index, lh, s2, &other);
			want = index < s2 && same_path(cpath, n, &other);
			if (cb_merkle_verify_inclusion(lh[index], index, s2,
			                               cpath, n,
			                               roots[s2]) != want)
				fail_msg("size %" PRIu64 " for %" PRIu64
				         " in %" PRIu64 ": want %d",
				         s2, index, size, want);
		}
	}
	/* one element too many, one too few */
	memcpy(bad, path, n * 32);
	memcpy(bad[n], roots[size], 32);
	assert_false(cb_merkle_verify_inclusion(lh[index], index, size,
	                                        (const uint8_t(*)[32])bad,
	                                        n + 1, roots[size]));
	memcpy(bad[n], lh[index], 32);
	assert_false(cb_merkle_verify_inclusion(lh[index], index, size,
	                                        (const uint8_t(*)[32])bad,
	                                        n + 1, roots[size]));
	if (n > 0)
		assert_false(cb_merkle_verify_inclusion(
			lh[index], index, size, cpath, n - 1, roots[size]));
	/* an element prepended */
	if (n > 0) {
		memcpy(bad[0], lh[index], 32);
		memcpy(bad[1], path, n * 32);
		assert_false(cb_merkle_verify_inclusion(
			lh[index], index, size, (const uint8_t(*)[32])bad,
			n + 1, roots[size]));
	}
}

static void
check_consistency(uint64_t size1, uint64_t size2)
{
	struct tree t = { lh, size2, 0 };
	uint8_t path[CB_MERKLE_MAX_PATH + 1][32],
		bad[CB_MERKLE_MAX_PATH + 1][32];
	const uint8_t(*cpath)[32] = (const uint8_t(*)[32])path;
	struct proof ref = { .n = 0 };
	const uint8_t *r1 = roots[size1], *r2 = roots[size2];
	struct cb_errbuf eb;
	size_t n;

	ref_subproof(size1, lh, size2, true, &ref);
	if (cb_merkle_consistency_proof(tree_node, &t, size1, size2, path, &n,
	                                &eb))
		fail_msg("%s", eb.msg);
	if (!same_path(cpath, n, &ref))
		fail_msg("consistency %" PRIu64 " -> %" PRIu64
		         " differs from RFC 9162's PROOF",
		         size1, size2);
	if (!cb_merkle_verify_consistency(size1, size2, r1, r2, cpath, n))
		fail_msg("consistency %" PRIu64 " -> %" PRIu64
		         " does not verify",
		         size1, size2);
	if (size1 == size2) {
		assert_int_equal(n, 0);
		memcpy(bad[0], r1, 32);
		assert_false(cb_merkle_verify_consistency(
			size1, size2, r1, r2, (const uint8_t(*)[32])bad, 1));
		assert_false(cb_merkle_verify_consistency(
			size1, size2, r1, roots[size1 + 1], cpath, 0));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		flip(cpath, n, i, bad);
		if (cb_merkle_verify_consistency(size1, size2, r1, r2,
		                                 (const uint8_t(*)[32])bad, n))
			fail_msg("flipped element %zu accepted (%" PRIu64
			         " -> %" PRIu64 ")",
			         i, size1, size2);
	}
	/* swapped or wrong roots */
	assert_false(
		cb_merkle_verify_consistency(size1, size2, r2, r1, cpath, n));
	assert_false(cb_merkle_verify_consistency(size1, size2, r1,
	                                          roots[size2 + 1], cpath, n));
	assert_false(cb_merkle_verify_consistency(
		size1, size2, roots[size1 - 1], r2, cpath, n));
	/* wrong sizes, each with its own root: only if the proof would be the
	 * same there */
	{
		uint64_t wrong[][2] = {
			{ size1 - 1, size2 }, { size1 + 1, size2 },
			{ size1, size2 - 1 }, { size1, size2 + 1 },
			{ size1 * 2, size2 }, { size1, size2 * 2 },
			{ size1 / 2, size2 }, { size1, size2 / 2 },
			{ 0, size2 },         { size2, size1 },
		};

		for (size_t w = 0; w < sizeof(wrong) / sizeof(wrong[0]); w++) {
			uint64_t s1 = wrong[w][0], s2 = wrong[w][1];
			struct proof other = { .n = 0 };
			bool want = false;

			if ((s1 == size1 && s2 == size2) || s2 > N + 1 ||
			    s1 > N + 1)
				continue;
			if (s1 > 0 && s1 <= s2) {
				ref_subproof(s1, lh, s2, true, &other);
				want = same_path(cpath, n, &other);
			}
			if (cb_merkle_verify_consistency(s1, s2, roots[s1],
			                                 roots[s2], cpath,
			                                 n) != want)
				fail_msg("sizes %" PRIu64 " -> %" PRIu64
				         " for %" PRIu64 " -> %" PRIu64
				         ": want %d",
				         s1, s2, size1, size2, want);
		}
	}
	/* one element too many, one too few, none */
	memcpy(bad, path, n * 32);
	memcpy(bad[n], r1, 32);
	assert_false(cb_merkle_verify_consistency(
		size1, size2, r1, r2, (const uint8_t(*)[32])bad, n + 1));
	memcpy(bad[n], r2, 32);
	assert_false(cb_merkle_verify_consistency(
		size1, size2, r1, r2, (const uint8_t(*)[32])bad, n + 1));
	assert_false(cb_merkle_verify_consistency(size1, size2, r1, r2, cpath,
	                                          n - 1));
	assert_false(
		cb_merkle_verify_consistency(size1, size2, r1, r2, cpath, 0));
	/* an element prepended */
	memcpy(bad[0], r1, 32);
	memcpy(bad[1], path, n * 32);
	assert_false(cb_merkle_verify_consistency(
		size1, size2, r1, r2, (const uint8_t(*)[32])bad, n + 1));
}

static void
test_every_size_against_reference(void **state)
{
	struct cb_merkle_stream s;
	struct cb_errbuf eb;
	unsigned checked = 0;

	(void)state;
	make_leaves();
	cb_merkle_stream_init(&s);
	for (uint64_t size = 0; size <= N; size++) {
		struct tree t = { lh, size, 0 };
		uint8_t root[32];

		if (cb_merkle_root(tree_node, &t, size, root, &eb))
			fail_msg("%s", eb.msg);
		if (memcmp(root, roots[size], 32) != 0)
			fail_msg("root of %" PRIu64 " differs from MTH", size);
		/* one node per bit of size */
		assert_int_equal(t.calls, __builtin_popcountll(size));
		cb_merkle_stream_root(&s, root);
		if (memcmp(root, roots[size], 32) != 0)
			fail_msg("stream root of %" PRIu64 " differs", size);
		cb_merkle_stream_append(&s, lh[size]);
		assert_int_equal(s.size, size + 1);
		for (uint64_t i = 0; i < size; i++, checked++)
			check_inclusion(i, size);
		for (uint64_t s1 = 1; s1 <= size; s1++, checked++)
			check_consistency(s1, size);
	}
	print_message("%u proofs checked against RFC 9162 (sizes 1..%d)\n",
	              checked, N);
}

/* Lengths of PATH and PROOF, without hashing. */
static size_t
ref_path_len(uint64_t m, uint64_t n)
{
	uint64_t k;

	if (n <= 1)
		return 0;
	k = ref_split(n);
	return 1 + (m < k ? ref_path_len(m, k) : ref_path_len(m - k, n - k));
}

static size_t
ref_subproof_len(uint64_t m, uint64_t n, bool b)
{
	uint64_t k;

	if (m == n)
		return b ? 0 : 1;
	k = ref_split(n);
	return 1 + (m <= k ? ref_subproof_len(m, k, b)
	                   : ref_subproof_len(m - k, n - k, false));
}

/* A verifier follows the claimed (index, size) or (size1, size2) exactly:
 * a genuine path and root offered for any claim whose proof has another
 * length are refused. (Claims of the same length may pass: RFC 9162 binds
 * a proof to a tree's shape, and the root to its size.) This is what the
 * "sn == 0" checks of §2.1.3.2 and §2.1.4.2 are for: without them, the
 * proof of the last leaf of 2^k + 1 would prove leaf 0 of a tree of 1. */
static void
test_lengths_bind_the_shape(void **state)
{
	enum { M = 40 };
	uint8_t path[CB_MERKLE_MAX_PATH][32];
	const uint8_t(*cpath)[32] = (const uint8_t(*)[32])path;
	struct cb_errbuf eb;
	unsigned refused = 0;
	size_t n;

	(void)state;
	make_leaves();
	for (uint64_t size = 1; size <= M; size++) {
		struct tree t = { lh, size, 0 };

		for (uint64_t i = 0; i < size; i++) {
			if (cb_merkle_inclusion_proof(tree_node, &t, i, size,
			                              path, &n, &eb))
				fail_msg("%s", eb.msg);
			for (uint64_t s2 = 1; s2 <= M + 1; s2++) {
				for (uint64_t i2 = 0; i2 < s2; i2++) {
					if (ref_path_len(i2, s2) == n)
						continue;
					refused++;
					if (cb_merkle_verify_inclusion(
						    lh[i], i2, s2, cpath, n,
						    roots[size]))
						fail_msg("inclusion of %" PRIu64
						         " in %" PRIu64
						         " accepted as %" PRIu64
						         " in %" PRIu64,
						         i, size, i2, s2);
				}
			}
		}
		for (uint64_t s1 = 1; s1 <= size; s1++) {
			if (cb_merkle_consistency_proof(tree_node, &t, s1, size,
			                                path, &n, &eb))
				fail_msg("%s", eb.msg);
			for (uint64_t b2 = 1; b2 <= M + 1; b2++) {
				for (uint64_t a2 = 1; a2 <= b2; a2++) {
					if (ref_subproof_len(a2, b2, true) == n)
						continue;
					refused++;
					if (cb_merkle_verify_consistency(
						    a2, b2, roots[s1],
						    roots[size], cpath, n))
						fail_msg("%" PRIu64
						         " -> %" PRIu64
						         " accepted as %" PRIu64
						         " -> %" PRIu64,
						         s1, size, a2, b2);
				}
			}
		}
	}
	print_message("%u claims of another shape refused\n", refused);
}

/* Larger trees, sampled: every shape of right edge near powers of two. */
static void
test_larger_sizes(void **state)
{
	enum { M = 1100 };
	static hash_t big[M + 1];
	static const uint64_t sizes[] = { 127, 128, 129,  255,  256,  257, 511,
		                          512, 513, 1000, 1023, 1024, 1025 };
	struct cb_errbuf eb;

	(void)state;
	for (uint64_t i = 0; i <= M; i++) {
		uint8_t b[8];

		for (int j = 0; j < 8; j++)
			b[j] = (uint8_t)(i >> (8 * j));
		cb_merkle_leaf_hash(b, 8, big[i]);
	}
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		uint64_t size = sizes[z];
		uint64_t idx[] = {
			0, 1, size / 3, size / 2, size - 2, size - 1
		};
		uint64_t old[] = { 1,  2,   3,        size / 3, size / 2,
			           64, 100, size - 1, size };
		struct tree t = { big, size, 0 };
		uint8_t root[32], path[CB_MERKLE_MAX_PATH][32];
		size_t n;

		ref_mth(big, size, root);
		for (size_t k = 0; k < sizeof(idx) / sizeof(idx[0]); k++) {
			struct proof ref = { .n = 0 };

			ref_path(idx[k], big, size, &ref);
			if (cb_merkle_inclusion_proof(tree_node, &t, idx[k],
			                              size, path, &n, &eb))
				fail_msg("%s", eb.msg);
			assert_true(
				same_path((const uint8_t(*)[32])path, n, &ref));
			assert_true(cb_merkle_verify_inclusion(
				big[idx[k]], idx[k], size,
				(const uint8_t(*)[32])path, n, root));
		}
		for (size_t k = 0; k < sizeof(old) / sizeof(old[0]); k++) {
			struct proof ref = { .n = 0 };
			uint8_t r1[32];

			if (old[k] > size)
				continue;
			ref_subproof(old[k], big, size, true, &ref);
			ref_mth(big, old[k], r1);
			if (cb_merkle_consistency_proof(tree_node, &t, old[k],
			                                size, path, &n, &eb))
				fail_msg("%s", eb.msg);
			assert_true(
				same_path((const uint8_t(*)[32])path, n, &ref));
			assert_true(cb_merkle_verify_consistency(
				old[k], size, r1, root,
				(const uint8_t(*)[32])path, n));
		}
	}
}

/* A tree of up to 2^63 identical leaves: a perfect subtree's hash depends
 * only on its level, so any size can be served without storage. */
static hash_t level_hash[64];

static cb_err
uniform_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
             struct cb_errbuf *eb)
{
	uint64_t limit = *(const uint64_t *)ctx;

	(void)eb;
	if (level > 63 || index > ((limit >> level) - 1) ||
	    (limit >> level) == 0)
		fail_msg("node (%u, %" PRIu64 ") beyond %" PRIu64, level, index,
		         limit);
	memcpy(out, level_hash[level], 32);
	return CB_OK;
}

static void
test_near_the_bound(void **state)
{
	const uint64_t max = CB_MERKLE_MAX_SIZE;
	const uint64_t sizes[] = {
		max,         max - 1,       max - 2, max - 12345,
		max / 2 + 1, (max / 3) * 2, 1
	};
	uint8_t path[CB_MERKLE_MAX_PATH][32], r1[32], r2[32];
	struct cb_errbuf eb;
	size_t n, longest = 0;

	(void)state;
	cb_merkle_leaf_hash((const uint8_t *)"x", 1, level_hash[0]);
	for (int l = 1; l < 64; l++)
		cb_merkle_node_hash(level_hash[l - 1], level_hash[l - 1],
		                    level_hash[l]);
	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		uint64_t size = sizes[z];
		const uint64_t idx[] = { 0, size / 2, size - 2, size - 1 };
		const uint64_t old[] = { 1,        2,        3,   size / 2 + 1,
			                 size - 3, size - 1, size };

		if (cb_merkle_root(uniform_node, &size, size, r2, &eb))
			fail_msg("%s", eb.msg);
		for (size_t k = 0; k < 4; k++) {
			if (idx[k] >= size)
				continue;
			if (cb_merkle_inclusion_proof(uniform_node, &size,
			                              idx[k], size, path, &n,
			                              &eb))
				fail_msg("%s", eb.msg);
			assert_true(n <= CB_MERKLE_MAX_PATH);
			assert_true(cb_merkle_verify_inclusion(
				level_hash[0], idx[k], size,
				(const uint8_t(*)[32])path, n, r2));
		}
		for (size_t k = 0; k < 7; k++) {
			uint64_t s1 = old[k];

			if (s1 == 0 || s1 > size)
				continue;
			if (cb_merkle_root(uniform_node, &s1, s1, r1, &eb) ||
			    cb_merkle_consistency_proof(uniform_node, &size, s1,
			                                size, path, &n, &eb))
				fail_msg("%s", eb.msg);
			if (n > longest)
				longest = n;
			assert_true(cb_merkle_verify_consistency(
				s1, size, r1, r2, (const uint8_t(*)[32])path,
				n));
		}
	}
	/* the longest consistency proof of all: 2^63 - 3 -> 2^63 - 1 has
	 * 62 right turns, one left, and the old root's own subtree */
	{
		uint64_t s1 = max - 3, s2 = max - 1;

		if (cb_merkle_root(uniform_node, &s1, s1, r1, &eb) ||
		    cb_merkle_root(uniform_node, &s2, s2, r2, &eb) ||
		    cb_merkle_consistency_proof(uniform_node, &s2, s1, s2, path,
		                                &n, &eb))
			fail_msg("%s", eb.msg);
		assert_true(n <= CB_MERKLE_MAX_PATH);
		assert_true(cb_merkle_verify_consistency(
			s1, s2, r1, r2, (const uint8_t(*)[32])path, n));
		if (n > longest)
			longest = n;
	}
	print_message("longest consistency proof near 2^63: %zu hashes\n",
	              longest);
	/* over the bound */
	assert_int_equal(
		cb_merkle_root(uniform_node, (void *)&max, max + 1, r1, &eb),
		CB_EINVAL);
	assert_non_null(strstr(eb.msg, "maximum"));
	assert_int_equal(cb_merkle_inclusion_proof(uniform_node, (void *)&max,
	                                           0, max + 1, path, &n, &eb),
	                 CB_EINVAL);
	assert_int_equal(cb_merkle_consistency_proof(uniform_node, (void *)&max,
	                                             1, max + 1, path, &n, &eb),
	                 CB_EINVAL);
	assert_false(cb_merkle_verify_inclusion(
		level_hash[0], 0, max + 1, (const uint8_t(*)[32])path, 0, r1));
	assert_false(cb_merkle_verify_consistency(
		1, max + 1, r1, r2, (const uint8_t(*)[32])path, 1));
}

static cb_err
failing_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
             struct cb_errbuf *eb)
{
	(void)ctx;
	(void)out;
	return cb_error(eb, CB_EIO, "node (%u, %" PRIu64 ") is unreadable",
	                level, index);
}

static void
test_bad_arguments(void **state)
{
	struct tree t = { lh, 8, 0 };
	uint8_t path[CB_MERKLE_MAX_PATH][32], root[32];
	struct cb_errbuf eb;
	size_t n = 99;

	(void)state;
	make_leaves();
	assert_int_equal(
		cb_merkle_inclusion_proof(tree_node, &t, 8, 8, path, &n, &eb),
		CB_EINVAL);
	assert_non_null(strstr(eb.msg, "no leaf 8 in a tree of 8 leaves"));
	assert_int_equal(n, 99); /* untouched */
	assert_int_equal(
		cb_merkle_inclusion_proof(tree_node, &t, 0, 0, path, &n, &eb),
		CB_EINVAL);
	assert_int_equal(
		cb_merkle_consistency_proof(tree_node, &t, 0, 8, path, &n, &eb),
		CB_EINVAL);
	assert_non_null(strstr(eb.msg, "0 < size1 <= size2"));
	assert_int_equal(
		cb_merkle_consistency_proof(tree_node, &t, 5, 4, path, &n, &eb),
		CB_EINVAL);
	assert_int_equal(n, 99);
	/* the source's error comes through unchanged */
	assert_int_equal(cb_merkle_root(failing_node, NULL, 5, root, &eb),
	                 CB_EIO);
	assert_string_equal(eb.msg, "node (0, 4) is unreadable");
	assert_int_equal(cb_merkle_inclusion_proof(failing_node, NULL, 2, 5,
	                                           path, &n, &eb),
	                 CB_EIO);
	assert_int_equal(cb_merkle_consistency_proof(failing_node, NULL, 3, 5,
	                                             path, &n, &eb),
	                 CB_EIO);
	assert_int_equal(n, 99);
	/* size 0 */
	assert_int_equal(cb_merkle_root(failing_node, NULL, 0, root, &eb),
	                 CB_OK);
	assert_memory_equal(root, roots[0], 32);
	assert_false(cb_merkle_verify_inclusion(
		lh[0], 0, 0, (const uint8_t(*)[32])path, 0, roots[0]));
	assert_false(cb_merkle_verify_consistency(
		0, 0, roots[0], roots[0], (const uint8_t(*)[32])path, 0));
	assert_false(cb_merkle_verify_consistency(
		0, 3, roots[0], roots[3], (const uint8_t(*)[32])path, 0));
	/* an empty path may come as NULL: nothing is read from it */
	assert_false(cb_merkle_verify_consistency(3, 5, roots[3], roots[5],
	                                          NULL, 0));
	assert_false(cb_merkle_verify_consistency(4, 5, roots[4], roots[5],
	                                          NULL, 0));
	assert_true(cb_merkle_verify_consistency(5, 5, roots[5], roots[5], NULL,
	                                         0));
	assert_false(
		cb_merkle_verify_inclusion(lh[2], 2, 3, NULL, 0, roots[3]));
	assert_true(cb_merkle_verify_inclusion(lh[0], 0, 1, NULL, 0, lh[0]));
	/* a tree of one leaf: its root is the leaf hash, its path empty */
	assert_true(cb_merkle_verify_inclusion(
		lh[0], 0, 1, (const uint8_t(*)[32])path, 0, lh[0]));
	assert_false(cb_merkle_verify_inclusion(
		lh[0], 0, 1, (const uint8_t(*)[32])path, 0, lh[1]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_published_hashes),
		cmocka_unit_test(test_published_roots),
		cmocka_unit_test(test_published_inclusion),
		cmocka_unit_test(test_published_consistency),
		cmocka_unit_test(test_every_size_against_reference),
		cmocka_unit_test(test_lengths_bind_the_shape),
		cmocka_unit_test(test_larger_sizes),
		cmocka_unit_test(test_near_the_bound),
		cmocka_unit_test(test_bad_arguments),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

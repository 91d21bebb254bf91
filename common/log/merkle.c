/* SPDX-License-Identifier: MIT */
/* merkle.c — RFC 9162 §2.1 Merkle tree heads, inclusion and consistency
 * proofs and their verification (see merkle.h). Leaves and nodes are hashed
 * with nettle's SHA-256, which uses the CPU's SHA extensions where it has
 * them (0.31 µs for a 410-byte entry on the project's machine, libsodium's
 * portable code 1.32 µs): every entry is hashed as a leaf by the hub and by
 * the audit. Proof generation walks the
 * RFC's recursion from the root down, without recursion: every subtree it
 * meets is [a, b) with a a multiple of the power of two at or above b − a,
 * so the subtree splits into the perfect subtrees of b − a's binary digits,
 * largest first, and those are what the node source provides. */
#include "merkle.h"

#include <inttypes.h>
#include <string.h>

#include <nettle/sha2.h>
#include <sodium.h>

static const uint8_t leaf_prefix = 0x00, node_prefix = 0x01;

void
cb_merkle_leaf_hash(const uint8_t *data, size_t len, uint8_t out[32])
{
	struct sha256_ctx h;

	sha256_init(&h);
	sha256_update(&h, 1, &leaf_prefix);
	sha256_update(&h, len, data);
	sha256_digest(&h, 32, out);
}

void
cb_merkle_node_hash(const uint8_t left[32], const uint8_t right[32],
                    uint8_t out[32])
{
	struct sha256_ctx h;

	/* digest() writes out only after both inputs are read: out may be
	 * left or right. */
	sha256_init(&h);
	sha256_update(&h, 1, &node_prefix);
	sha256_update(&h, 32, left);
	sha256_update(&h, 32, right);
	sha256_digest(&h, 32, out);
}

void
cb_merkle_empty_root(uint8_t out[32])
{
	crypto_hash_sha256(out, NULL, 0);
}

static unsigned
popcount64(uint64_t v)
{
	return (unsigned)__builtin_popcountll(v);
}

/* The largest power of two below n, for n >= 2: the RFC's split point k. */
static uint64_t
split_point(uint64_t n)
{
	return UINT64_C(1) << (63 - __builtin_clzll(n - 1));
}

void
cb_merkle_stream_init(struct cb_merkle_stream *s)
{
	memset(s, 0, sizeof(*s));
}

void
cb_merkle_stream_append(struct cb_merkle_stream *s, const uint8_t leaf_hash[32])
{
	unsigned top;
	uint8_t h[32];

	if (s->size == UINT64_MAX)
		return;
	top = popcount64(s->size);
	memcpy(h, leaf_hash, 32);
	/* Each trailing 1 bit of size is a perfect subtree of the same height
	 * as the one being carried: merge them, as in binary addition. */
	for (uint64_t v = s->size; v & 1; v >>= 1)
		cb_merkle_node_hash(s->stack[--top], h, h);
	memcpy(s->stack[top], h, 32);
	s->size++;
}

void
cb_merkle_stream_root(const struct cb_merkle_stream *s, uint8_t out[32])
{
	unsigned top = popcount64(s->size);
	uint8_t r[32];

	if (top == 0) {
		cb_merkle_empty_root(out);
		return;
	}
	memcpy(r, s->stack[top - 1], 32);
	for (unsigned i = top - 1; i-- > 0;)
		cb_merkle_node_hash(s->stack[i], r, r);
	memcpy(out, r, 32);
}

/* The hash of the subtree [a, b) (a < b, a aligned as the file comment
 * says): its perfect pieces, taken from the right (the smallest) and folded
 * leftwards, which is MTH's recursion on a right edge. */
static cb_err
subtree_hash(cb_merkle_node_fn fn, void *ctx, uint64_t a, uint64_t b,
             uint8_t out[32], struct cb_errbuf *eb)
{
	uint64_t n = b - a, end = b;
	uint8_t acc[32], piece[32];
	bool first = true;
	cb_err rc;

	for (unsigned level = 0; level < 64; level++) {
		uint64_t width = UINT64_C(1) << level;

		if (!(n & width))
			continue;
		end -= width;
		rc = fn(ctx, level, end >> level, first ? acc : piece, eb);
		if (rc)
			return rc;
		if (!first)
			cb_merkle_node_hash(piece, acc, acc);
		first = false;
	}
	memcpy(out, acc, 32);
	return CB_OK;
}

cb_err
cb_merkle_root(cb_merkle_node_fn fn, void *ctx, uint64_t size, uint8_t out[32],
               struct cb_errbuf *eb)
{
	if (size > CB_MERKLE_MAX_SIZE)
		return cb_error(eb, CB_EINVAL,
		                _("tree size %llu is over the maximum 2^63"),
		                (unsigned long long)size);
	if (size == 0) {
		cb_merkle_empty_root(out);
		return CB_OK;
	}
	return subtree_hash(fn, ctx, 0, size, out, eb);
}

cb_err
cb_merkle_inclusion_proof(cb_merkle_node_fn fn, void *ctx, uint64_t index,
                          uint64_t size, uint8_t path[CB_MERKLE_MAX_PATH][32],
                          size_t *n, struct cb_errbuf *eb)
{
	uint8_t down[CB_MERKLE_MAX_PATH][32]; /* root end first */
	uint64_t a = 0, b = size;
	size_t count = 0;
	cb_err rc;

	if (size > CB_MERKLE_MAX_SIZE)
		return cb_error(eb, CB_EINVAL,
		                _("tree size %llu is over the maximum 2^63"),
		                (unsigned long long)size);
	if (index >= size)
		return cb_error(eb, CB_EINVAL,
		                _("no leaf %llu in a tree of %llu leaves: leaf "
		                  "indexes run from 0 to size - 1"),
		                (unsigned long long)index,
		                (unsigned long long)size);
	/* PATH(m, D[n]): descend towards the leaf; the other side of each
	 * split is a path element. */
	while (b - a > 1) {
		uint64_t k = split_point(b - a);

		if (index < a + k) {
			rc = subtree_hash(fn, ctx, a + k, b, down[count], eb);
			b = a + k;
		} else {
			rc = subtree_hash(fn, ctx, a, a + k, down[count], eb);
			a += k;
		}
		if (rc)
			return rc;
		count++;
	}
	for (size_t i = 0; i < count; i++)
		memcpy(path[i], down[count - 1 - i], 32);
	*n = count;
	return CB_OK;
}

cb_err
cb_merkle_consistency_proof(cb_merkle_node_fn fn, void *ctx, uint64_t size1,
                            uint64_t size2,
                            uint8_t path[CB_MERKLE_MAX_PATH][32], size_t *n,
                            struct cb_errbuf *eb)
{
	uint8_t down[CB_MERKLE_MAX_PATH][32], base[32];
	uint64_t a = 0, b = size2, m = size1;
	bool whole = true; /* SUBPROOF's b: the old root is a node we cross */
	size_t count = 0, out = 0;
	cb_err rc;

	if (size2 > CB_MERKLE_MAX_SIZE)
		return cb_error(eb, CB_EINVAL,
		                _("tree size %llu is over the maximum 2^63"),
		                (unsigned long long)size2);
	if (size1 == 0 || size1 > size2)
		return cb_error(eb, CB_EINVAL,
		                _("no consistency proof from size %llu to size "
		                  "%llu: it needs 0 < size1 <= size2"),
		                (unsigned long long)size1,
		                (unsigned long long)size2);
	/* SUBPROOF(m, D[n], b), descending: each split contributes the subtree
	 * the old tree does not decide, appended after what comes below. With
	 * size2 <= 2^63 the descent takes at most 63 steps, plus the base. */
	while (m != b - a) {
		uint64_t k = split_point(b - a);

		if (m <= k) {
			rc = subtree_hash(fn, ctx, a + k, b, down[count], eb);
			b = a + k;
		} else {
			rc = subtree_hash(fn, ctx, a, a + k, down[count], eb);
			a += k;
			m -= k;
			whole = false;
		}
		if (rc)
			return rc;
		count++;
	}
	if (!whole) {
		rc = subtree_hash(fn, ctx, a, b, base, eb);
		if (rc)
			return rc;
		memcpy(path[out++], base, 32);
	}
	for (size_t i = 0; i < count; i++)
		memcpy(path[out++], down[count - 1 - i], 32);
	*n = out;
	return CB_OK;
}

bool
cb_merkle_verify_inclusion(const uint8_t leaf_hash[32], uint64_t index,
                           uint64_t size, const uint8_t (*path)[32], size_t n,
                           const uint8_t root[32])
{
	uint64_t fn = index, sn;
	uint8_t r[32];

	if (size > CB_MERKLE_MAX_SIZE || index >= size ||
	    n > CB_MERKLE_MAX_PATH)
		return false;
	sn = size - 1;
	memcpy(r, leaf_hash, 32);
	for (size_t i = 0; i < n; i++) {
		if (sn == 0)
			return false; /* the path is too long */
		if ((fn & 1) || fn == sn) {
			cb_merkle_node_hash(path[i], r, r);
			/* a right edge: skip the levels where this node has
			 * no sibling */
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			cb_merkle_node_hash(r, path[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(r, root, 32) == 0;
}

bool
cb_merkle_verify_consistency(uint64_t size1, uint64_t size2,
                             const uint8_t root1[32], const uint8_t root2[32],
                             const uint8_t (*path)[32], size_t n)
{
	uint64_t fn, sn;
	uint8_t fr[32], sr[32];
	size_t i = 0;

	if (size1 == 0 || size1 > size2 || size2 > CB_MERKLE_MAX_SIZE ||
	    n > CB_MERKLE_MAX_PATH)
		return false;
	if (size1 == size2)
		return n == 0 && sodium_memcmp(root1, root2, 32) == 0;
	if (n == 0)
		return false;
	/* When size1 is a power of two its root is a node of the new tree
	 * and the proof leaves it out: start from root1 instead. */
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(fr, root1, 32);
	} else {
		memcpy(fr, path[0], 32);
		i = 1;
	}
	memcpy(sr, fr, 32);
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < n; i++) {
		if (sn == 0)
			return false; /* the path is too long */
		if ((fn & 1) || fn == sn) {
			cb_merkle_node_hash(path[i], fr, fr);
			cb_merkle_node_hash(path[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			cb_merkle_node_hash(sr, path[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(fr, root1, 32) == 0 &&
	       sodium_memcmp(sr, root2, 32) == 0;
}

cb_err
cb_merkle_leaves_node(void *ctx, unsigned level, uint64_t index,
                      uint8_t out[32], struct cb_errbuf *eb)
{
	const struct cb_merkle_leaves *t = ctx;
	uint8_t l[32], r[32];

	if (level > 62 || ((index + 1) << level) > t->n)
		return cb_error(eb, CB_EINVAL, _("no subtree %u/%llu"), level,
		                (unsigned long long)index);
	if (level == 0) {
		memcpy(out, t->leaf[index], 32);
		return CB_OK;
	}
	if (cb_merkle_leaves_node(ctx, level - 1, 2 * index, l, eb) ||
	    cb_merkle_leaves_node(ctx, level - 1, 2 * index + 1, r, eb))
		return CB_EINVAL;
	cb_merkle_node_hash(l, r, out);
	return CB_OK;
}

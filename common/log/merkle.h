/* SPDX-License-Identifier: MIT */
/* merkle.h — the Merkle hash tree of RFC 6962 §2.1 / RFC 9162 §2.1 over a
 * log of leaves: leaf hash SHA-256(0x00 || leaf), node hash
 * SHA-256(0x01 || left || right), the empty tree's root SHA-256(""); tree
 * heads, inclusion proofs and consistency proofs, and their verification.
 * Pure: no storage. Proofs are built from a source of perfect-subtree
 * hashes (cb_merkle_node_fn), which is all a log needs to keep; a subtree
 * on the right edge that is not perfect is hashed from perfect ones.
 *
 * Sizes and indexes are bounded by CB_MERKLE_MAX_SIZE (2^63 leaves, more
 * than SQLite can number), which keeps every proof within
 * CB_MERKLE_MAX_PATH hashes. */
#ifndef CB_MERKLE_H
#define CB_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CB_MERKLE_HASH 32
#define CB_MERKLE_MAX_PATH 64
#define CB_MERKLE_MAX_SIZE (UINT64_C(1) << 63)

/* SHA-256(0x00 || data[0..len)). */
void cb_merkle_leaf_hash(const uint8_t *data, size_t len, uint8_t out[32]);
/* SHA-256(0x01 || left || right); out may alias left or right. */
void cb_merkle_node_hash(const uint8_t left[32], const uint8_t right[32],
                         uint8_t out[32]);
/* SHA-256 of nothing: the root of the tree of no leaves. */
void cb_merkle_empty_root(uint8_t out[32]);

/* A streaming tree head over leaf hashes appended in order: the compact
 * range of the tree so far, one perfect subtree per bit set in size,
 * largest first (stack[0]). Appends beyond 2^64 − 1 leaves are ignored. */
struct cb_merkle_stream {
	uint8_t stack[64][32];
	uint64_t size;
};

void cb_merkle_stream_init(struct cb_merkle_stream *s);
void cb_merkle_stream_append(struct cb_merkle_stream *s,
                             const uint8_t leaf_hash[32]);
/* The root of the s->size leaves appended so far (the empty root if none). */
void cb_merkle_stream_root(const struct cb_merkle_stream *s, uint8_t out[32]);

/* A source of perfect-subtree hashes: into out, the hash of the leaves
 * [index << level, (index + 1) << level); level 0 gives leaf hashes. The
 * cb_merkle_* functions ask only for subtrees that lie wholly within the
 * size they were given. Returns CB_OK or an error with eb filled; the error
 * is passed on unchanged. */
typedef cb_err (*cb_merkle_node_fn)(void *ctx, unsigned level, uint64_t index,
                                    uint8_t out[32], struct cb_errbuf *eb);

/* Root of the first `size` leaves (RFC 9162 MTH), from at most 64 perfect
 * subtrees: one per bit set in size. size 0 gives the empty root; size over
 * CB_MERKLE_MAX_SIZE is CB_EINVAL. */
cb_err cb_merkle_root(cb_merkle_node_fn fn, void *ctx, uint64_t size,
                      uint8_t out[32], struct cb_errbuf *eb) CB_MUST_CHECK;

/* Leaves held in memory (their hashes, in order), read as a tree:
 * cb_merkle_leaves_node is a cb_merkle_node_fn whose ctx is a struct
 * cb_merkle_leaves (CB_EINVAL for a subtree past its n leaves). */
struct cb_merkle_leaves {
	const uint8_t (*leaf)[32];
	uint64_t n;
};
cb_err cb_merkle_leaves_node(void *ctx, unsigned level, uint64_t index,
                             uint8_t out[32], struct cb_errbuf *eb);

/* RFC 9162 §2.1.3.1 inclusion path of leaf `index` in the tree of `size`
 * leaves, leaf end first; *n is set to its length (0 for a tree of one
 * leaf). index >= size, or size over CB_MERKLE_MAX_SIZE: CB_EINVAL. */
cb_err cb_merkle_inclusion_proof(cb_merkle_node_fn fn, void *ctx,
                                 uint64_t index, uint64_t size,
                                 uint8_t path[CB_MERKLE_MAX_PATH][32],
                                 size_t *n, struct cb_errbuf *eb) CB_MUST_CHECK;

/* RFC 9162 §2.1.4.1 consistency proof from the tree of size1 leaves to the
 * tree of size2 leaves; requires 0 < size1 <= size2 <= CB_MERKLE_MAX_SIZE
 * (else CB_EINVAL). size1 == size2 gives an empty proof (*n = 0). */
cb_err cb_merkle_consistency_proof(cb_merkle_node_fn fn, void *ctx,
                                   uint64_t size1, uint64_t size2,
                                   uint8_t path[CB_MERKLE_MAX_PATH][32],
                                   size_t *n,
                                   struct cb_errbuf *eb) CB_MUST_CHECK;

/* RFC 9162 §2.1.3.2: true iff path proves that leaf_hash is leaf `index` of
 * the tree of `size` leaves whose root is root. False on any mismatch, a
 * path too long or too short, index >= size, or size over the maximum. */
bool cb_merkle_verify_inclusion(const uint8_t leaf_hash[32], uint64_t index,
                                uint64_t size, const uint8_t (*path)[32],
                                size_t n, const uint8_t root[32]) CB_MUST_CHECK;

/* RFC 9162 §2.1.4.2: true iff path proves that the tree of size1 leaves with
 * root1 is a prefix of the tree of size2 leaves with root2. size1 == size2
 * needs an empty path and root1 == root2. False on any mismatch, a path of
 * the wrong length, size1 == 0, size1 > size2 or size2 over the maximum. */
bool cb_merkle_verify_consistency(uint64_t size1, uint64_t size2,
                                  const uint8_t root1[32],
                                  const uint8_t root2[32],
                                  const uint8_t (*path)[32],
                                  size_t n) CB_MUST_CHECK;

#endif

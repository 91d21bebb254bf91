/* SPDX-License-Identifier: MIT */
/* fuzz_proof.c — libFuzzer target for what an agent reads of a hub's
 * checkpoint and proof answers (POST /v1/checkpoint, /v1/proof; read in
 * agent/cmd_sync.c's check_log and prove_own, which are static there) and
 * what 'chibo-audit check-proof' reads of a proof file: JSON read as the
 * agent reads it, the checkpoint note in it, and its Merkle paths, through
 * the library functions those use (cb_note_origin, cb_checkpoint_open,
 * cb_merkle_path_from_json, cb_merkle_verify_consistency and _inclusion).
 *
 * The input is JSON: {"checkpoint": NOTE, "from": M, "size": N,
 * "consistency": [HEX…], "proofs": [{"index": I, "path": [HEX…]}…]} (an
 * answer), or {"index": I, "size": N, "path": [HEX…]} (a proof file). The
 * proofs are checked against a tree of 64 leaves this target knows (leaf i
 * is the byte i); the note is opened as it is, and again after the target
 * signs it with the hub key, so that the checkpoint's text is parsed
 * behind the signature (and its size and root are then the ones the paths
 * are checked against).
 *
 * No input may crash or leak, and:
 *  - a path read from JSON writes back to the same hashes;
 *  - a note's origin is its first line, and an opened checkpoint names it
 *    and signs back (cb_checkpoint_sign) to a note that opens the same;
 *  - the tree's own proofs verify; and whatever path and root a hostile
 *    hub sends, a verifier accepts them only if the root is a true tree's
 *    and the path that tree's proof. (The size is bound only by the shape
 *    of the path: RFC 9162's proof of leaf 12 of 21 also proves it under
 *    a checkpoint that says 22 with the root of 21. A hub that signs such
 *    a checkpoint is caught by the consistency proof that follows, and
 *    its signature is the evidence.) */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <sodium.h>

#include "checkpoint.h"
#include "merkle_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LEAVES 64
#define HUB "chibo/hub/BG.LG"

/* perfect subtrees: node[level][index] covers leaves
 * [index << level, (index + 1) << level) */
static uint8_t node[7][LEAVES][32];
static uint8_t roots[LEAVES + 1][32]; /* roots[s]: of the first s */
static uint8_t hub_pk[32], hub_sk[64];

static cb_err
tree_node(void *ctx, unsigned level, uint64_t index, uint8_t out[32],
          struct cb_errbuf *eb)
{
	(void)ctx;
	if (level > 6 || index >= (LEAVES >> level))
		return cb_error(eb, CB_EINVAL, "no node %u/%llu", level,
		                (unsigned long long)index);
	memcpy(out, node[level][index], 32);
	return CB_OK;
}

static void
setup(void)
{
	unsigned char seed[32];

	if (sodium_init() < 0)
		abort();
	for (unsigned i = 0; i < LEAVES; i++) {
		uint8_t b = (uint8_t)i;

		cb_merkle_leaf_hash(&b, 1, node[0][i]);
	}
	for (unsigned l = 1; l < 7; l++)
		for (unsigned i = 0; i < LEAVES >> l; i++)
			cb_merkle_node_hash(node[l - 1][2 * i],
			                    node[l - 1][2 * i + 1], node[l][i]);
	for (uint64_t s = 0; s <= LEAVES; s++)
		if (cb_merkle_root(tree_node, NULL, s, roots[s], NULL))
			abort();
	for (int i = 0; i < 32; i++)
		seed[i] = (unsigned char)(0x40 + i);
	crypto_sign_seed_keypair(hub_pk, hub_sk, seed);
}

typedef uint8_t path_t[CB_MERKLE_MAX_PATH][CB_MERKLE_HASH];

/* A path from JSON, or 0. It must write back as the same hashes (the
 * hex may differ in case only). */
static int
read_path(const json_t *a, path_t path, size_t *n)
{
	json_t *back;

	if (!cb_merkle_path_from_json(a, path, n))
		return 0;
	back = cb_merkle_path_json((const uint8_t(*)[32])path, *n);
	if (!back)
		return 0;
	if (*n != json_array_size(a) || json_array_size(back) != *n)
		abort();
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp(json_string_value(json_array_get(a, i)),
		               json_string_value(json_array_get(back, i))))
			abort();
	json_decref(back);
	return 1;
}

static int
same_path(const path_t a, size_t na, const path_t b, size_t nb)
{
	return na == nb && (na == 0 || !memcmp(a, b, na * CB_MERKLE_HASH));
}

static json_int_t
get_int(const json_t *o, const char *name)
{
	return json_integer_value(json_object_get(o, name));
}

/* The size of the tree whose root is root, or 0 if none of ours. */
static uint64_t
true_size(const uint8_t root[32])
{
	for (uint64_t s = 1; s <= LEAVES; s++)
		if (!memcmp(roots[s], root, 32))
			return s;
	return 0;
}

/* A kind of proof, about (a, b): a consistency proof from the tree of a
 * leaves to the tree of b; an inclusion proof of leaf a in the tree of b. */
struct proof_kind {
	json_int_t first; /* the least a: a size is 1 or more, an index 0 */
	json_int_t below; /* 1: a < b (an index); 0: a <= b (a size) */
	/* what the proof starts from: the root of a, or the hash of leaf a */
	const uint8_t *(*start)(uint64_t a);
	cb_err (*prove)(uint64_t a, uint64_t b, path_t path, size_t *n);
	bool (*verify)(uint64_t a, uint64_t b, const uint8_t start[32],
	               const uint8_t root[32], const path_t path, size_t n);
};

static const uint8_t *
root_of(uint64_t a)
{
	return roots[a];
}

static cb_err
prove_consistency(uint64_t a, uint64_t b, path_t path, size_t *n)
{
	return cb_merkle_consistency_proof(tree_node, NULL, a, b, path, n,
	                                   NULL);
}

static bool
verify_consistency(uint64_t a, uint64_t b, const uint8_t start[32],
                   const uint8_t root[32], const path_t path, size_t n)
{
	return cb_merkle_verify_consistency(a, b, start, root, path, n);
}

static const struct proof_kind consistency = { 1, 0, root_of,
	                                       prove_consistency,
	                                       verify_consistency };

static const uint8_t *
leaf_of(uint64_t a)
{
	return node[0][a];
}

static cb_err
prove_inclusion(uint64_t a, uint64_t b, path_t path, size_t *n)
{
	return cb_merkle_inclusion_proof(tree_node, NULL, a, b, path, n, NULL);
}

static bool
verify_inclusion(uint64_t a, uint64_t b, const uint8_t start[32],
                 const uint8_t root[32], const path_t path, size_t n)
{
	return cb_merkle_verify_inclusion(start, a, b, path, n, root);
}

static const struct proof_kind inclusion = { 0, 1, leaf_of, prove_inclusion,
	                                     verify_inclusion };

/* The proof of kind k about (a, b), the path from JSON, against the root
 * of b a hub claims. The tree's own proof must verify. A path proves
 * nothing of b but its shape: if the verifier accepts one, root must be a
 * true tree's (of b leaves, or of a size whose proof has the same shape)
 * and the path that tree's proof. */
static void
check_proof(const struct proof_kind *k, json_int_t a, json_int_t b,
            const uint8_t root[32], const json_t *json)
{
	path_t got, want;
	uint64_t real;
	size_t n = 0, nwant = 0;
	bool fits = a >= k->first && (k->below ? a < b : a <= b);

	if (!read_path(json, got, &n))
		return;
	if (!fits || b > LEAVES) {
		/* what the tree does not have: no crash, and nothing
		 * accepted about what cannot be */
		if (k->verify((uint64_t)a, (uint64_t)b, roots[0], roots[0],
		              (const uint8_t(*)[32])got, n) &&
		    !fits)
			abort();
		return;
	}
	if (k->prove((uint64_t)a, (uint64_t)b, want, &nwant) ||
	    !k->verify((uint64_t)a, (uint64_t)b, k->start((uint64_t)a),
	               roots[b], (const uint8_t(*)[32])want, nwant))
		abort();
	if (!k->verify((uint64_t)a, (uint64_t)b, k->start((uint64_t)a), root,
	               (const uint8_t(*)[32])got, n))
		return;
	if ((real = true_size(root)) < (uint64_t)(a + k->below) ||
	    k->prove((uint64_t)a, real, want, &nwant) ||
	    !same_path((const uint8_t(*)[32])got, n,
	               (const uint8_t(*)[32])want, nwant))
		abort();
}

/* The note as the agent opens it; then signed by the hub key as text.
 * On success *cp is the checkpoint of the signed text. */
static int
open_note(const char *note, struct cb_checkpoint *cp)
{
	struct cb_checkpoint again;
	char origin[256], *signed_note = NULL, *resigned = NULL;
	size_t len = strlen(note);
	int ok = 0;

	if (cb_note_origin(note, origin, sizeof(origin))) {
		size_t o = strlen(origin);

		if (!o || o >= sizeof(origin) || strchr(origin, '\n') ||
		    strncmp(note, origin, o) || note[o] != '\n')
			abort();
		if (cb_checkpoint_open(note, len, origin, origin, hub_pk, cp,
		                       NULL) == CB_OK &&
		    strcmp(cp->origin, origin))
			abort();
	}
	if (cb_note_sign(note, len, HUB, hub_sk, &signed_note, NULL) ||
	    cb_checkpoint_open(signed_note, strlen(signed_note), NULL, HUB,
	                       hub_pk, cp, NULL))
		goto out;
	if (!cb_note_origin(signed_note, origin, sizeof(origin)) ||
	    strcmp(origin, cp->origin))
		abort();
	if (cb_checkpoint_sign(cp, HUB, hub_sk, &resigned, NULL) ||
	    cb_checkpoint_open(resigned, strlen(resigned), cp->origin, HUB,
	                       hub_pk, &again, NULL) ||
	    strcmp(again.origin, cp->origin) || again.size != cp->size ||
	    memcmp(again.root, cp->root, 32))
		abort();
	ok = 1;
out:
	free(signed_note);
	free(resigned);
	return ok;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct cb_checkpoint cp;
	const char *note;
	json_t *o, *proofs, *p;
	json_int_t n;
	uint8_t root[32];
	size_t i;

	if (!ready) {
		setup();
		ready = 1;
	}
	o = json_loadb((const char *)data, size, 0, NULL);
	if (!json_is_object(o)) {
		json_decref(o);
		return 0;
	}
	/* the size and root the paths answer for: the signed checkpoint's,
	 * else the true ones of "size" */
	n = get_int(o, "size");
	note = json_string_value(json_object_get(o, "checkpoint"));
	if (note && open_note(note, &cp) && cp.size <= INT64_MAX) {
		n = (json_int_t)cp.size;
		memcpy(root, cp.root, 32);
	} else if (n >= 0 && n <= LEAVES) {
		memcpy(root, roots[n], 32);
	} else {
		memset(root, 0, 32);
	}
	if (json_object_get(o, "consistency"))
		check_proof(&consistency, get_int(o, "from"), n, root,
		            json_object_get(o, "consistency"));
	if (json_object_get(o, "path"))
		check_proof(&inclusion, get_int(o, "index"), n, root,
		            json_object_get(o, "path"));
	proofs = json_object_get(o, "proofs");
	json_array_foreach(proofs, i, p)
		check_proof(&inclusion, get_int(p, "index"), n, root,
		            json_object_get(p, "path"));
	json_decref(o);
	return 0;
}

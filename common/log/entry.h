/* SPDX-License-Identifier: MIT */
/* entry.h — entry v1: the signed, hash-chained unit of every change.
 * The byte layout is specified in docs/PROTOCOL.md; an entry is kept and sent
 * as exactly the bytes that were signed and is never re-serialised before
 * hashing or verifying. id = SHA-256(all bytes, signature included); prev of
 * entry n+1 = id of entry n of the same author. */
#ifndef CB_ENTRY_H
#define CB_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"

#define CB_ENTRY_MAGIC "CBE1"
#define CB_ENTRY_MAGIC_LEN 4
#define CB_ENTRY_MAX 65536 /* bytes, signature included */
#define CB_KEY_BYTES 32    /* Ed25519 public key */
#define CB_SIG_BYTES 64    /* Ed25519 signature */
#define CB_HASH_BYTES 32   /* SHA-256 */
#define CB_HASH_HEX 65     /* 64 hex digits + NUL */
#define CB_OP_MAX 64
#define CB_CODE_MAX                                                            \
	64 /* an organisation or cell code, as bodies, enrolments              \
	    * and bundles carry it */
#define CB_DEPS_MAX 256
/* The deps a signed operation names at most (its rules; an entry may
 * carry up to CB_DEPS_MAX). */
#define CB_OPS_MAX_DEPS 32
#define CB_SEQ_MAX INT64_MAX
/* The smallest entry: header with no prev, a 1-byte op, no deps, "{}". */
#define CB_ENTRY_MIN (4 + 32 + 8 + 8 + 1 + 1 + 2 + 4 + 2 + 64)

struct cb_entry {
	unsigned char author[CB_KEY_BYTES];
	uint64_t seq;
	int64_t time_ms; /* author's claimed time, Unix ms */
	bool has_prev;   /* true iff seq > 1 */
	unsigned char prev[CB_HASH_BYTES];
	char op[CB_OP_MAX + 1];
	size_t ndeps;
	unsigned char (*deps)[CB_HASH_BYTES]; /* points into bytes */
	const char *body; /* points into bytes, not NUL-ended */
	size_t body_len;
	json_t *json; /* the parsed body, owned; NULL after a lazy decode
	               * until cb_entry_body */
	const unsigned char *sig; /* points into bytes */
	unsigned char id[CB_HASH_BYTES];
	unsigned char *bytes; /* the exact signed bytes, owned */
	size_t len;
};

#define CB_ENTRY_INIT                                                          \
	{                                                                      \
		.json = NULL, .bytes = NULL                                    \
	}

void cb_entry_init(struct cb_entry *e);
/* Frees what e owns; e can be reused after. NULL-safe. */
void cb_entry_release(struct cb_entry *e);

/* Parse n bytes as an entry v1 into e (released first on success only).
 * Checks every structural rule of docs/PROTOCOL.md — magic, sizes, seq,
 * op syntax, sorted unique deps, body a JSON object of valid NFC UTF-8 with
 * no reals — and computes the id, but not the signature. */
cb_err cb_entry_decode(const unsigned char *p, size_t n, struct cb_entry *e,
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* cb_entry_decode, except that an entry of op (any op when NULL) whose
 * body passes a scan that builds nothing keeps no parsed body: e->json is
 * NULL until cb_entry_body. The scan accepts a subset of what the full
 * parse accepts (every canonical body among it) and leaves the rest to the
 * full parse, so the verdict and the message are cb_entry_decode's. For a
 * reader that needs a few fields of most entries (the audit). */
cb_err cb_entry_decode_lazy(const unsigned char *p, size_t n, const char *op,
                            struct cb_entry *e,
                            struct cb_errbuf *eb) CB_MUST_CHECK;

/* e's parsed body, parsed now if a lazy decode left it (e is changed only
 * in that cache; not thread-safe). NULL only if memory runs out. */
json_t *cb_entry_body(const struct cb_entry *e);

/* The string value of key in the top level of e's body, whether or not it
 * was parsed: *str (not NUL-terminated; valid as long as e) and *len.
 * False when the key is absent or its value is not a string. */
bool cb_entry_body_string(const struct cb_entry *e, const char *key,
                          const char **str, size_t *len);

/* Ed25519 verification of e's signature under e->author. */
cb_err cb_entry_verify_signature(const struct cb_entry *e,
                                 struct cb_errbuf *eb) CB_MUST_CHECK;

struct cb_entry_fields {
	const unsigned char *author;     /* CB_KEY_BYTES */
	const unsigned char *secret_key; /* libsodium 64-byte secret key */
	uint64_t seq;
	const unsigned char *prev; /* CB_HASH_BYTES, NULL iff seq == 1 */
	int64_t time_ms;
	const char *op;
	const unsigned char (*deps)[CB_HASH_BYTES]; /* sorted, unique */
	size_t ndeps;
	const json_t *body; /* an object; strings already NFC */
};

/* Encode, sign and decode back into e. The body is written in canonical
 * form (compact, keys sorted). Fails, writing nothing to e, if the result
 * would break any rule cb_entry_decode enforces. */
cb_err cb_entry_build(const struct cb_entry_fields *f, struct cb_entry *e,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* Canonical JSON text of a body (compact, sorted keys, UTF-8); malloc'd. */
char *cb_entry_body_dump(const json_t *body);

/* First 12 hex digits of a hash, for people: "3f9a0c11d2e4". */
void cb_hash_short(const unsigned char *h, char out[13]);
void cb_hash_hex(const unsigned char *h, char out[CB_HASH_HEX]);

#endif

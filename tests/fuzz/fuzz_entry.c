/* SPDX-License-Identifier: MIT */
/* fuzz_entry.c — libFuzzer target for the entry v1 decoder (the parser of
 * every entry that arrives from the network, a bundle or a replica file):
 * no input may crash it, leak, or decode to an entry that does not encode
 * back to the same id; the body's tree, which the decoder builds itself
 * for a body its scan accepts, must be json_loadb's, keys in the same
 * order; and the lazy decode, which may skip building the tree, must give
 * the same verdict, message and body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The lazy decode (the audit's) must agree with the full one: the same
 * verdict and message, and the same body once parsed. */
static void
lazy_agrees(const uint8_t *data, size_t size, cb_err rc, const char *msg,
            const struct cb_entry *full)
{
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;

	eb.msg[0] = 0;
	if (cb_entry_decode_lazy(data, size, NULL, &e, &eb) != rc ||
	    strcmp(eb.msg, msg))
		abort();
	if (rc == CB_OK && !json_equal(cb_entry_body(&e), full->json))
		abort();
	cb_entry_release(&e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_entry e = CB_ENTRY_INIT;
	unsigned char id[CB_HASH_BYTES];
	struct cb_errbuf eb;
	cb_err rc;

	eb.msg[0] = 0;
	rc = cb_entry_decode(data, size, &e, &eb);
	lazy_agrees(data, size, rc, eb.msg, &e);
	if (rc == CB_OK) {
		json_t *ref = json_loadb(e.body, e.body_len,
		                         JSON_REJECT_DUPLICATES, NULL);
		char *d1 = json_dumps(e.json, JSON_COMPACT),
		     *d2 = json_dumps(ref, JSON_COMPACT);

		if (!json_equal(e.json, ref) || !d1 || !d2 || strcmp(d1, d2))
			abort();
		free(d1);
		free(d2);
		json_decref(ref);
		/* A decoded entry is exactly its bytes. */
		crypto_hash_sha256(id, data, size);
		if (e.len != size || memcmp(e.id, id, sizeof(id)) != 0)
			abort();
		(void)cb_entry_verify_signature(&e, NULL);
		cb_entry_release(&e);
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* fuzz_entry.c — libFuzzer target for the entry v1 decoder (the parser of
 * every entry that arrives from the network, a bundle or a replica file):
 * no input may crash it, leak, or decode to an entry that does not encode
 * back to the same id. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_entry e = CB_ENTRY_INIT;
	unsigned char id[CB_HASH_BYTES];

	if (cb_entry_decode(data, size, &e, NULL) == CB_OK) {
		/* A decoded entry is exactly its bytes. */
		crypto_hash_sha256(id, data, size);
		if (e.len != size || memcmp(e.id, id, sizeof(id)) != 0)
			abort();
		(void)cb_entry_verify_signature(&e, NULL);
		cb_entry_release(&e);
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* fuzz_bundle.c — libFuzzer target for a bundle file as 'chibo-hub
 * import' and 'chibo-agent import' read it (CBB2): header, signature,
 * checkpoint, capped zstd frame, entry stream, entry signatures, and the
 * agent's check of a hub's bundle. The input is read twice: as a whole
 * file (a mutation is refused at the signature, or before it), and as
 * everything before the signer, which this target signs with the key of
 * the entry test vectors (seed 00..1f), so that the fuzzer also reaches
 * what lies behind the signature. No input may crash, hang, leak or pass
 * the cap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
decode(const uint8_t *data, size_t size, const unsigned char *authority)
{
	struct cb_bundle b;
	struct cb_checkpoint cp;

	if (cb_bundle_decode(data, size, &b, NULL) != CB_OK)
		return;
	if (b.stream.len > CB_BUNDLE_MAX)
		abort();
	if (b.kind == CB_BUNDLE_PULL &&
	    cb_bundle_check_hub(&b, authority, &cp, NULL) == CB_OK &&
	    (uint64_t)b.next > cp.size)
		abort();
	cb_bundle_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char pk[32], sk[64];
	static int ready;
	uint8_t *signed_copy;

	if (!ready) {
		unsigned char seed[32];

		if (sodium_init() < 0)
			abort();
		for (int i = 0; i < 32; i++)
			seed[i] = (unsigned char)i;
		crypto_sign_seed_keypair(pk, sk, seed);
		ready = 1;
	}
	decode(data, size, pk);
	if (size > CB_BUNDLE_MAX || !(signed_copy = malloc(size + 96)))
		return 0;
	memcpy(signed_copy, data, size);
	memcpy(signed_copy + size, pk, 32);
	crypto_sign_detached(signed_copy + size + 32, NULL, signed_copy,
	                     size + 32, sk);
	decode(signed_copy, size + 96, pk);
	free(signed_copy);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* fuzz_bundle.c — libFuzzer target for a bundle file as 'chibo-hub
 * import' and 'chibo-agent import' read it: header, capped zstd frame,
 * entry stream, signatures, checksum. No input may crash, hang, leak or
 * pass the cap. */
#include <stdint.h>
#include <stdlib.h>

#include "bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_bundle b;

	if (cb_bundle_decode(data, size, &b, NULL) == CB_OK) {
		if (b.stream.len > CB_BUNDLE_MAX)
			abort();
		cb_bundle_release(&b);
	}
	return 0;
}

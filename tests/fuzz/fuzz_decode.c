/* SPDX-License-Identifier: MIT */
/* fuzz_decode.c — libFuzzer target for the decoding of a member list's
 * bytes as Excel and LibreOffice save them (common/text/decode.h), before
 * 'chibo-agent import-members' reads the CSV: guessed from the bytes, and
 * named (the first byte chooses UTF-16, Windows-1258 or UTF-8). No input
 * may crash, hang or leak, and what is decoded is valid UTF-8 without NUL,
 * in NFC, of the length said, with no byte order mark left. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const uint8_t *data, size_t size, const char *enc)
{
	struct cb_errbuf eb;
	const char *used = NULL;
	char *out = NULL;
	size_t len = 0;

	if (cb_decode_text(data, size, enc, &out, &len, &used, &eb))
		return;
	if (!used || strlen(out) != len || !cb_utf8_valid(out, len) ||
	    !cb_text_is_nfc(out) ||
	    (len >= 3 && !memcmp(out, "\xef\xbb\xbf", 3)))
		abort();
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const named[] = { "UTF-16", "WINDOWS-1258",
		                             "UTF-8" };

	if (size > 65536)
		return 0;
	check(data, size, NULL);
	if (size)
		check(data + 1, size - 1, named[data[0] % 3]);
	return 0;
}

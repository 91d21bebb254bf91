/* SPDX-License-Identifier: MIT */
/* fuzz_checkpoint.c — libFuzzer target for the signed-note and checkpoint
 * parser (what an agent reads from a hub, and an auditor from a proof
 * file): any bytes, opened as a checkpoint under a fixed key name and key,
 * with and without an expected origin, and as a verifier key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t pk[32] = { 1, 2, 3 };
	struct cb_checkpoint cp;
	uint8_t vpk[32];
	char *text = malloc(size + 1), *name = NULL;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	(void)cb_checkpoint_open(text, size, NULL, "chibo/hub/BG.LG", pk, &cp,
	                         NULL);
	(void)cb_checkpoint_open(text, size, "chibo/hub/BG.LG",
	                         "chibo/hub/BG.LG", pk, &cp, NULL);
	if (!cb_note_vkey_parse(text, &name, vpk, NULL))
		free(name);
	free(text);
	return 0;
}

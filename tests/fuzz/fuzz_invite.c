/* SPDX-License-Identifier: MIT */
/* fuzz_invite.c — libFuzzer target for the invitation file 'chibo-agent
 * hub --invite' reads (common/net/invite.h). No input may crash, hang or
 * leak, and an invitation accepted has every field in its form: a URL of
 * https:// without spaces, a pin of sha256// and 44 base64 characters, a
 * log name chibo/hub/…, a role of the four, an organisation code of its
 * characters; and its text is the format's lines, so that writing the
 * same fields gives the same text (the signature aside, which only the
 * hub's key makes). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "invite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_invite inv;
	struct cb_errbuf eb;
	char hk[65], k[65], text[1024];
	int n;

	if (cb_invite_open((const char *)data, size, &inv, &eb))
		return 0;
	if (strncmp(inv.url, "https://", 8) || strchr(inv.url, ' ') ||
	    strncmp(inv.pin, "sha256//", 8) || strlen(inv.pin) != 52 ||
	    strncmp(inv.origin, "chibo/hub/", 10) || !inv.org[0] ||
	    (strcmp(inv.role, "commune") && strcmp(inv.role, "district") &&
	     strcmp(inv.role, "auditor") && strcmp(inv.role, "hub")))
		abort();
	cb_hex_encode(inv.hub_key, 32, hk);
	cb_hex_encode(inv.key, 32, k);
	n = snprintf(text, sizeof(text),
	             "chibo invitation v1\nurl %s\npin %s\nhub %s\nhub-key "
	             "%s\norg %s\nrole %s\nkey %s\n\n",
	             inv.url, inv.pin, inv.origin, hk, inv.org, inv.role, k);
	if (n < 0 || (size_t)n > size || memcmp(text, data, (size_t)n))
		abort();
	return 0;
}

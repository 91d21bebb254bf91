/* SPDX-License-Identifier: MIT */
/* fuzz_httpsig.c — libFuzzer target for the request-signature parsers
 * (RFC 8941 dictionaries in Signature-Input, Signature and Content-Digest,
 * and chibo's profile checks) and the Host header's normaliser. The
 * input is split at the first two NUL bytes into Signature-Input,
 * Signature and Content-Digest values; the first is also taken as a
 * Host. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 3), *input, *sig, *digest;
	struct cb_httpsig_request req = { "POST", "127.0.0.1:8443", "/v1/push",
		                          "a=b", NULL };
	struct cb_httpsig_params p;
	unsigned char raw[64];
	char host[CB_HTTPSIG_AUTHORITY_MAX + 1];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = text[size + 1] = text[size + 2] = 0;
	input = text;
	sig = input + strlen(input) + 1;
	if (sig > text + size)
		sig = text + size + 1;
	digest = sig + strlen(sig) + 1;
	if (digest > text + size + 1)
		digest = text + size + 2;
	req.content_digest = digest;
	(void)cb_httpsig_verify(&req, input, sig, 1763683200, 300, &p, NULL);
	(void)cb_httpsig_signature_bytes(sig, "chibo", raw, NULL);
	(void)cb_content_digest_check(digest, data, size, NULL);
	(void)cb_httpsig_authority(input, host, NULL);
	free(text);
	return 0;
}

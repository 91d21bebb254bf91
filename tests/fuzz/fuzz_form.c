/* SPDX-License-Identifier: MIT */
/* fuzz_form.c — libFuzzer target for a form body as 'chibo-agent ui'
 * reads every POST (form.h). No input may crash, hang or leak, and:
 *  - a body is parsed whole or refused whole (no fields on a refusal);
 *  - no decoded name or value holds a byte 0, and none is longer than
 *    the body;
 *  - a parsed form, encoded again (%XX for every byte but letters and
 *    digits), parses to the same fields. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
encode(char *out, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			out[n++] = (char)c;
		else
			n += (size_t)sprintf(out + n, "%%%02X", c);
	}
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_form f = CB_FORM_INIT, g = CB_FORM_INIT;
	struct cb_errbuf eb;
	char *again;
	size_t n = 0;

	if (cb_form_parse((const char *)data, size, &f, &eb)) {
		if (f.n)
			abort();
		return 0;
	}
	again = malloc(3 * size + 2 * f.n + 1);
	if (!again)
		abort();
	for (size_t i = 0; i < f.n; i++) {
		if (strlen(f.fields[i].name) > size ||
		    strlen(f.fields[i].value) > size)
			abort();
		if (i)
			again[n++] = '&';
		n += encode(again + n, f.fields[i].name);
		again[n++] = '=';
		n += encode(again + n, f.fields[i].value);
	}
	if (cb_form_parse(again, n, &g, &eb))
		abort();
	/* an empty name with an empty value ("=") encodes to "=", kept */
	if (g.n != f.n)
		abort();
	for (size_t i = 0; i < f.n; i++)
		if (strcmp(f.fields[i].name, g.fields[i].name) ||
		    strcmp(f.fields[i].value, g.fields[i].value))
			abort();
	free(again);
	cb_form_release(&f);
	cb_form_release(&g);
	return 0;
}

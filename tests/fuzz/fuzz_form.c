/* SPDX-License-Identifier: MIT */
/* fuzz_form.c — libFuzzer target for a form body as 'chibo-agent ui'
 * reads every POST (form.h). No input may crash, hang or leak, and:
 *  - a body is parsed whole or refused whole (no fields on a refusal);
 *  - no decoded name or value holds a byte 0, and none is longer than
 *    the body;
 *  - a parsed form, encoded again (%XX for every byte but letters and
 *    digits), parses to the same fields.
 * The same bytes are also read as a multipart/form-data body (the CSV
 * import's upload) with the boundary "b": parsed whole or refused whole,
 * every part named, no value longer than the body, and a byte 0 only in
 * a file's value. */
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

static void
multipart(const uint8_t *data, size_t size)
{
	struct cb_form f = CB_FORM_INIT;
	struct cb_errbuf eb;

	if (cb_form_parse_multipart((const char *)data, size,
	                            "multipart/form-data; boundary=b", &f,
	                            &eb)) {
		if (f.n)
			abort();
		return;
	}
	for (size_t i = 0; i < f.n; i++) {
		const struct cb_form_field *x = &f.fields[i];

		if (!x->name || !x->value || x->len > size ||
		    strlen(x->name) > size)
			abort();
		if (!x->file && strlen(x->value) != x->len)
			abort();
	}
	cb_form_release(&f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cb_form f = CB_FORM_INIT, g = CB_FORM_INIT;
	struct cb_errbuf eb;
	char *again;
	size_t n = 0;

	multipart(data, size);
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

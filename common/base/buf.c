/* SPDX-License-Identifier: MIT */
/* buf.c — growable byte buffer and hex helpers (see buf.h). */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
cb_buf_init(struct cb_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void
cb_buf_release(struct cb_buf *b)
{
	free(b->data);
	cb_buf_init(b);
}

void
cb_buf_reset(struct cb_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = 0;
}

cb_err
cb_buf_grow(struct cb_buf *b, size_t extra)
{
	size_t need, cap;
	unsigned char *p;

	if (extra > SIZE_MAX - b->len - 1)
		return CB_ENOMEM;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return CB_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return CB_ENOMEM;
	b->data = p;
	b->cap = cap;
	return CB_OK;
}

cb_err
cb_buf_add(struct cb_buf *b, const void *p, size_t n)
{
	if (cb_buf_grow(b, n))
		return CB_ENOMEM;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return CB_OK;
}

cb_err
cb_buf_addstr(struct cb_buf *b, const char *s)
{
	return cb_buf_add(b, s, strlen(s));
}

cb_err
cb_buf_addf(struct cb_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return CB_EINVAL;
	if (cb_buf_grow(b, (size_t)n))
		return CB_ENOMEM;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return CB_OK;
}

cb_err
cb_buf_add_u8(struct cb_buf *b, uint8_t v)
{
	return cb_buf_add(b, &v, 1);
}

cb_err
cb_buf_add_be16(struct cb_buf *b, uint16_t v)
{
	unsigned char p[2] = { (unsigned char)(v >> 8), (unsigned char)v };

	return cb_buf_add(b, p, sizeof(p));
}

cb_err
cb_buf_add_be32(struct cb_buf *b, uint32_t v)
{
	unsigned char p[4];

	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (24 - 8 * i));
	return cb_buf_add(b, p, sizeof(p));
}

cb_err
cb_buf_add_be64(struct cb_buf *b, uint64_t v)
{
	unsigned char p[8];

	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
	return cb_buf_add(b, p, sizeof(p));
}

uint64_t
cb_be_get(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

unsigned char *
cb_buf_detach(struct cb_buf *b, size_t *len)
{
	unsigned char *p = b->data;

	if (len)
		*len = b->len;
	cb_buf_init(b);
	return p;
}

void
cb_hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = 0;
}

int
cb_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

cb_err
cb_hex_decode(const char *hex, unsigned char *out, size_t n,
              struct cb_errbuf *eb)
{
	size_t len = strlen(hex);

	if (len != 2 * n)
		return cb_error(
			eb, CB_EINVAL,
			_("hex value '%.80s' has %zu digits, expected %zu"),
			hex, len, 2 * n);
	for (size_t i = 0; i < n; i++) {
		int hi = cb_hex_value(hex[2 * i]),
		    lo = cb_hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return cb_error(
				eb, CB_EINVAL,
				_("hex value '%.80s' has a non-hex digit"),
				hex);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return CB_OK;
}

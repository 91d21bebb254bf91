/* SPDX-License-Identifier: MIT */
/* buf.h — a growable byte buffer, always NUL-terminated after len so it can
 * hold text too. A failed append frees nothing and leaves the buffer as it
 * was; the caller releases with cb_buf_release. */
#ifndef CB_BUF_H
#define CB_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct cb_buf {
	unsigned char *data;
	size_t len;
	size_t cap;
};

#define CB_BUF_INIT                                                            \
	{                                                                      \
		NULL, 0, 0                                                     \
	}

void cb_buf_init(struct cb_buf *b);
void cb_buf_release(struct cb_buf *b);
void cb_buf_reset(struct cb_buf *b); /* len = 0, keeps memory */
cb_err cb_buf_grow(struct cb_buf *b, size_t extra) CB_MUST_CHECK;
cb_err cb_buf_add(struct cb_buf *b, const void *p, size_t n) CB_MUST_CHECK;
cb_err cb_buf_addstr(struct cb_buf *b, const char *s) CB_MUST_CHECK;
cb_err cb_buf_addf(struct cb_buf *b, const char *fmt, ...) CB_MUST_CHECK
	CB_PRINTF(2, 3);
cb_err cb_buf_add_u8(struct cb_buf *b, uint8_t v) CB_MUST_CHECK;
cb_err cb_buf_add_be16(struct cb_buf *b, uint16_t v) CB_MUST_CHECK;
cb_err cb_buf_add_be32(struct cb_buf *b, uint32_t v) CB_MUST_CHECK;
cb_err cb_buf_add_be64(struct cb_buf *b, uint64_t v) CB_MUST_CHECK;
/* The n-byte (n <= 8) big-endian number at p. */
uint64_t cb_be_get(const unsigned char *p, int n);
/* Hand the data to the caller (who frees it with free()); b becomes empty. */
unsigned char *cb_buf_detach(struct cb_buf *b, size_t *len);

/* Lowercase hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void cb_hex_encode(const unsigned char *p, size_t n, char *out);
/* Parse exactly 2n hex digits (either case) into out. */
/* The value of the hex digit c (either case), or -1. */
int cb_hex_value(char c);
cb_err cb_hex_decode(const char *hex, unsigned char *out, size_t n,
                     struct cb_errbuf *eb) CB_MUST_CHECK;

#endif

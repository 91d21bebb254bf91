/* SPDX-License-Identifier: MIT */
/* zbody.h — zstd (RFC 8878) request and response bodies, with a cap on
 * what a body may decompress to, so that a small hostile body cannot make
 * a hub or an agent allocate gigabytes (a decompression bomb). */
#ifndef CB_ZBODY_H
#define CB_ZBODY_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Append the zstd frame of in[0..n) to out. */
cb_err cb_zbody_compress(const void *in, size_t n, int level,
                         struct cb_buf *out,
                         struct cb_errbuf *eb) CB_MUST_CHECK;

/* Decompress exactly one or more whole zstd frames filling in[0..n) into
 * out (reset first). Refuses malformed or truncated input, trailing bytes,
 * and output over max_out bytes (CB_ETOOBIG), stopping as soon as it would
 * pass the cap. */
cb_err cb_zbody_decompress(const void *in, size_t n, size_t max_out,
                           struct cb_buf *out,
                           struct cb_errbuf *eb) CB_MUST_CHECK;

#endif

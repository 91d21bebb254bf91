/* SPDX-License-Identifier: MIT */
/* stream.h — an entry stream: entries one after another, each preceded by
 * its length as a 32-bit big-endian integer (docs/PROTOCOL.md, "Entry
 * streams"). What a push body carries (zstd-compressed) and what a bundle
 * file holds between its header and its checksum. Reading is strict: every
 * entry is decoded, and the first bad one is named by its byte offset. */
#ifndef CB_STREAM_H
#define CB_STREAM_H

#include <stddef.h>

#include "buf.h"
#include "entry.h"
#include "err.h"

/* Append e's bytes, length-prefixed, to out. */
cb_err cb_stream_append(struct cb_buf *out,
                        const struct cb_entry *e) CB_MUST_CHECK;
/* The same for an entry's bytes as a store holds them: the one place the
 * framing is written. CB_ENOMEM, or CB_ETOOBIG for more than
 * CB_ENTRY_MAX bytes. */
cb_err cb_stream_append_bytes(struct cb_buf *out, const void *bytes,
                              size_t len) CB_MUST_CHECK;

struct cb_stream_reader {
	const unsigned char *p;
	size_t len;
	size_t off;   /* where the next entry's length prefix starts */
	size_t index; /* entries read so far */
};

void cb_stream_reader_init(struct cb_stream_reader *r, const void *p,
                           size_t len);

/* Decode the next entry into e. CB_ENOTFOUND at the end of the stream
 * (exactly at a boundary); otherwise an error naming the entry's index and
 * byte offset (a truncated prefix or entry, a length over CB_ENTRY_MAX, or
 * what cb_entry_decode says). Signatures are not checked here. */
cb_err cb_stream_next(struct cb_stream_reader *r, struct cb_entry *e,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

#endif

/* SPDX-License-Identifier: MIT */
/* bundle.h — entries on a file, for a commune with no link at all: a USB
 * stick carries them to the district and back (docs/PROTOCOL.md,
 * "Bundles"). Self-checking: a header, the zstd-compressed entry stream,
 * and a SHA-256 over all of it; each entry keeps its own signature, and
 * whoever imports it verifies each as a push or a pull would. */
#ifndef CB_BUNDLE_H
#define CB_BUNDLE_H

#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "ops.h"

#define CB_BUNDLE_MAX (64u << 20) /* a bundle file, and what it inflates to */

enum cb_bundle_kind {
	CB_BUNDLE_PUSH = 1, /* an agent's own entries, for its hub */
	CB_BUNDLE_PULL = 2, /* a hub's entries in one organisation's scope */
};

struct cb_bundle {
	enum cb_bundle_kind kind;
	char org[CB_CODE_MAX + 1];
	int64_t after; /* PULL: the log position it starts after */
	int64_t next;  /* PULL: where the reader resumes; PUSH: 0 */
	uint32_t count;
	struct cb_buf stream; /* the entries, an entry stream */
};

/* Encode b (its stream uncompressed) into out. */
cb_err cb_bundle_encode(const struct cb_bundle *b, struct cb_buf *out,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* Decode and check the n bytes at p into b (reset first; release with
 * cb_bundle_release): the header, the checksum, the compressed stream
 * (capped) and every entry's encoding and signature. A fault is named
 * with the byte offset where it lies (within the file, or within the
 * stream for an entry). Nothing is half-read: on error b holds nothing. */
cb_err cb_bundle_decode(const void *p, size_t n, struct cb_bundle *b,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* Write out to path, mode 0600, through a temporary beside it created
 * O_EXCL|O_NOFOLLOW, fsynced and renamed over path (cb_file_write_atomic):
 * a bundle is whole or absent, and no symlink planted at path or at a
 * temporary's name is followed. Read a whole file (at most CB_BUNDLE_MAX
 * bytes). */
cb_err cb_bundle_save(const char *path, const struct cb_buf *out,
                      struct cb_errbuf *eb) CB_MUST_CHECK;
cb_err cb_bundle_load(const char *path, struct cb_buf *out,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

/* cb_bundle_load and cb_bundle_decode: the message names the file. */
cb_err cb_bundle_read(const char *path, struct cb_bundle *b,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

void cb_bundle_release(struct cb_bundle *b);

#endif

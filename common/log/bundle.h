/* SPDX-License-Identifier: MIT */
/* bundle.h — entries on a file, for a commune with no link at all: a USB
 * stick carries them to the district and back (docs/PROTOCOL.md,
 * "Bundles"). Format CBB2: a header, the hub's signed checkpoint (a hub's
 * bundle), the zstd-compressed entry stream, the signer's public key and
 * an Ed25519 signature by it over every byte before the signature. Each
 * entry keeps its own signature too. Decoding proves only that the signer
 * wrote the bundle; whether the signer may is the reader's question, asked
 * of what it already trusts: an agent takes a hub's bundle only when its
 * hub key signed it (cb_bundle_check_hub), a hub takes an agent's only
 * when its signer is enrolled for the bundle's organisation. */
#ifndef CB_BUNDLE_H
#define CB_BUNDLE_H

#include <stdint.h>

#include "buf.h"
#include "checkpoint.h"
#include "err.h"
#include "key.h"
#include "entry.h"

#define CB_BUNDLE_MAX (64u << 20) /* a bundle file, and what it inflates to */

enum cb_bundle_kind {
	CB_BUNDLE_PUSH = 1,  /* an agent's own entries, for its hub */
	CB_BUNDLE_PULL = 2,  /* a hub's entries in one organisation's scope */
	CB_BUNDLE_RELAY = 3, /* a hub's log by position, for its higher hub:
	                      * every author's entries, as a relay's */
};

struct cb_bundle {
	enum cb_bundle_kind kind;
	char org[CB_CODE_MAX + 1];
	int64_t after; /* PULL, RELAY: the log position it starts after */
	int64_t next;  /* PULL: where the reader resumes; RELAY: the last
	                * position in it; PUSH: the last seq */
	uint32_t count;
	/* PULL: the hub's latest signed checkpoint note when it wrote the
	 * bundle, NUL-terminated (malloc'd, owned); PUSH: NULL */
	char *note;
	size_t note_len;
	unsigned char signer[CB_KEY_BYTES]; /* set by decode */
	struct cb_buf stream;               /* the entries, an entry stream */
};

/* Encode b (its stream uncompressed; note for a PULL bundle) into out,
 * signed by key (its secret is only read; key->pk becomes the signer). */
cb_err cb_bundle_encode(const struct cb_bundle *b, const struct cb_key *key,
                        struct cb_buf *out, struct cb_errbuf *eb) CB_MUST_CHECK;

/* Decode and check the n bytes at p into b (reset first; release with
 * cb_bundle_release): the header, the signature by the signer it names
 * over every byte before it (before anything is inflated), the cursors
 * (0 <= after <= next), the checkpoint (present in a PULL bundle only),
 * the compressed stream (capped), every entry's encoding and signature,
 * the count, and that every entry of a PUSH bundle is the signer's own.
 * A CBB1 file (unsigned, before chibo signed bundles) is refused with
 * CB_EVERSION. A fault is named with the byte offset where it lies
 * (within the file, or within the stream for an entry). Nothing is
 * half-read: on error b holds nothing. */
cb_err cb_bundle_decode(const void *p, size_t n, struct cb_bundle *b,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* Whether a reader whose hub key is authority may take the decoded PULL
 * bundle b: signed by authority itself (no other key, however enrolled),
 * its checkpoint note signed by authority as the hub's (origin = key name
 * = the note's first line), and its cursor within that checkpoint
 * (next <= the checkpoint's size). *cp is written on success. CB_ECRYPTO
 * for another signer or a note that does not verify, CB_EINVAL for a
 * cursor past the checkpoint. */
cb_err cb_bundle_check_hub(const struct cb_bundle *b,
                           const unsigned char authority[CB_KEY_BYTES],
                           struct cb_checkpoint *cp,
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

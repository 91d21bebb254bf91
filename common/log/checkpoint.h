/* SPDX-License-Identifier: MIT */
/* checkpoint.h — signed tree heads as C2SP tlog-checkpoint notes, signed
 * with Ed25519 as C2SP signed-note says (the format of Go's
 * golang.org/x/mod/sumdb/note):
 *
 *     <origin>\n<decimal size>\n<base64 root>\n
 *     \n
 *     — <key name> <base64(4-byte key hash || 64-byte Ed25519 signature)>\n
 *
 * The signature covers the text above the blank line, its final newline
 * included. key hash = the first 4 bytes, big-endian, of
 * SHA-256(name || 0x0A || 0x01 || 32-byte public key). A verifier key is
 * written "<name>+<8 hex key hash>+<base64(0x01 || public key)>".
 *
 * Key names are non-empty UTF-8 without '+', Unicode white space or ASCII
 * control characters (below 0x20); a note has no control character but
 * newline. docs/PROTOCOL.md, "Transparency log", has a worked example. */
#ifndef CB_CHECKPOINT_H
#define CB_CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define CB_NOTE_MAX_SIZE (1024 * 1024) /* bytes in a whole note */
#define CB_NOTE_MAX_LINE 8192          /* bytes in a line, newline excluded */
#define CB_NOTE_MAX_SIGS 100           /* signature lines in a note */
#define CB_CHECKPOINT_ORIGIN_MAX 255   /* bytes in an origin */

struct cb_checkpoint {
	char origin[256]; /* NUL-terminated */
	uint64_t size;
	uint8_t root[32];
};

/* Sign c as a checkpoint note by key `name` (sk: libsodium's 64-byte Ed25519
 * secret key, seed || public key; it is only read). *note is malloc'd and
 * NUL-terminated; the caller frees it. CB_EINVAL for a bad name or an
 * origin that is empty, too long, not UTF-8 or has control characters. */
cb_err cb_checkpoint_sign(const struct cb_checkpoint *c, const char *name,
                          const uint8_t sk[64], char **note,
                          struct cb_errbuf *eb) CB_MUST_CHECK;

/* Parse the note[0..len) (need not be NUL-terminated; nothing past len is
 * read) and check that it carries a valid signature by the key (name, pk);
 * signature lines of other keys are ignored, but any line of this key
 * that does not verify rejects the note. Then parse its text as a
 * checkpoint (extension lines are allowed and ignored) and, when
 * expect_origin is not NULL, require that origin. *out is written only on
 * success. Errors: CB_ETOOBIG for a note over CB_NOTE_MAX_SIZE, CB_ECRYPTO
 * for a missing or bad signature ("no signature by key …", "signature by
 * … does not verify"), CB_EINVAL for everything malformed ("not a signed
 * note: …", "checkpoint size is not a number", "checkpoint root hash is
 * not 32 bytes of base64", "checkpoint origin is …, expected …"). */
cb_err cb_checkpoint_open(const char *note, size_t len,
                          const char *expect_origin, const char *name,
                          const uint8_t pk[32], struct cb_checkpoint *out,
                          struct cb_errbuf *eb) CB_MUST_CHECK;

/* Signed notes of any text ------------------------------------------------ */

/* True if name may name a note key (see the top of this file). */
bool cb_note_name_valid(const char *name);

/* The key hash of (name, Ed25519 public key pk). */
uint32_t cb_note_key_hash(const char *name, const uint8_t pk[32]);

/* "name+hex8+base64" into a malloc'd string (caller frees); NULL when
 * name is not a valid key name or memory runs out. */
char *cb_note_vkey(const char *name, const uint8_t pk[32]);

/* Parse a verifier key "name+hex8+base64(0x01 || pk)": *name is malloc'd
 * (caller frees), pk filled. Refuses a key hash that does not match. */
cb_err cb_note_vkey_parse(const char *vkey, char **name, uint8_t pk[32],
                          struct cb_errbuf *eb) CB_MUST_CHECK;

/* Sign text[0..len) as a note by key `name`: text + "\n" + one signature
 * line. text must be non-empty, end in a newline, be UTF-8 without
 * control characters other than newline, with lines of at most
 * CB_NOTE_MAX_LINE bytes. *note is malloc'd, NUL-terminated. */
cb_err cb_note_sign(const char *text, size_t len, const char *name,
                    const uint8_t sk[64], char **note,
                    struct cb_errbuf *eb) CB_MUST_CHECK;

/* Check the note[0..len) (nothing past len is read) as cb_checkpoint_open
 * does, without reading its text: on success the signed text is
 * note[0..*text_len), final newline included. */
cb_err cb_note_open(const char *note, size_t len, const char *name,
                    const uint8_t pk[32], size_t *text_len,
                    struct cb_errbuf *eb) CB_MUST_CHECK;

/* Cosignatures (C2SP tlog-cosignature, Ed25519: a witness's statement
 * that it verified a checkpoint consistent with the last one it saw):
 *
 *     — <name> base64(4-byte key hash || 8-byte big-endian time ||
 *                     64-byte Ed25519 signature)\n
 *
 * key hash = SHA-256(name || 0x0A || 0x04 || public key)[:4]; the
 * signature covers "cosignature/v1\ntime <time>\n" and the checkpoint's
 * text (its final newline included). */

/* The cosignature line, at Unix time ts (1..2^63-1), of the checkpoint
 * note[0..len) (its text up to the blank line; signature lines after it
 * are not covered) by the witness key (name, sk). *line is malloc'd,
 * NUL-terminated, ends in a newline. */
cb_err cb_cosig_sign(const char *note, size_t len, const char *name,
                     const uint8_t sk[64], uint64_t ts, char **line,
                     struct cb_errbuf *eb) CB_MUST_CHECK;
/* Open note[0..len) as cb_note_open does, for a cosignature by the
 * witness (name, pk): every line of that key must verify and one must be
 * there; *ts (if not NULL) the latest time of them. */
cb_err cb_cosig_open(const char *note, size_t len, const char *name,
                     const uint8_t pk[32], uint64_t *ts,
                     struct cb_errbuf *eb) CB_MUST_CHECK;

/* A checkpoint cosigned by a witness known by its key alone (a key an
 * operator or an auditor names, or a hub.join's "witness"): note[0..len)
 * must be a checkpoint of origin signed by log_pk (key name: the origin)
 * and carry a cosignature by witness_pk under the name one of its
 * signature lines gives (C2SP names a witness; the one who requires it
 * may know only its key). CB_OK with *cp, and the witness's name in
 * name[CB_CHECKPOINT_ORIGIN_MAX + 1] and the cosignature's time in *ts
 * when not NULL. Else CB_ECRYPTO (no line of that key, or one that does
 * not verify) or cb_checkpoint_open's error, said in eb. */
cb_err cb_cosigned_open(const char *note, size_t len, const char *origin,
                        const uint8_t log_pk[32], const uint8_t witness_pk[32],
                        struct cb_checkpoint *cp, char *name, uint64_t *ts,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* The first line of a note (a checkpoint's origin, and by a hub's
 * convention the name of the key that signs it) into out[n]; false if the
 * note has no complete, non-empty first line that fits. */
bool cb_note_origin(const char *note, char *out, size_t n);

#endif

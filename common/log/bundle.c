/* SPDX-License-Identifier: MIT */
/* bundle.c — see bundle.h. Layout (big-endian; docs/PROTOCOL.md,
 * "Bundles"):
 *
 *	"CBB2"  kind u8  orglen u8  org  after i64  next i64  count u32
 *	notelen u32  note  zlen u32  zstd frame  signer (32 bytes)
 *	Ed25519 signature by signer over every byte before it (64 bytes)
 *
 * The signature is checked before anything is inflated or parsed beyond
 * the lengths that find it. */
#include "bundle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "stream.h"
#include "zbody.h"

#define MAGIC "CBB2"
#define MAGIC_V1 "CBB1"
#define SIG_BYTES crypto_sign_BYTES

void
cb_bundle_release(struct cb_bundle *b)
{
	free(b->note);
	b->note = NULL;
	b->note_len = 0;
	cb_buf_release(&b->stream);
}

cb_err
cb_bundle_encode(const struct cb_bundle *b, const struct cb_key *key,
                 struct cb_buf *out, struct cb_errbuf *eb)
{
	struct cb_buf z = CB_BUF_INIT;
	unsigned char sig[SIG_BYTES];
	size_t olen = strlen(b->org);
	size_t nlen = b->kind == CB_BUNDLE_PULL && b->note ? b->note_len : 0;
	cb_err rc;

	if (olen == 0 || olen > CB_CODE_MAX)
		return cb_error(eb, CB_EINVAL,
		                _("a bundle names an organisation"));
	if (!key->sk)
		return cb_error(eb, CB_EINVAL,
		                _("a bundle needs a signing key"));
	if (b->kind == CB_BUNDLE_PULL && (!nlen || nlen > CB_NOTE_MAX_SIZE))
		return cb_error(eb, CB_EINVAL,
		                _("a hub's bundle carries its checkpoint"));
	if ((rc = cb_zbody_compress(b->stream.data
	                                    ? (const void *)b->stream.data
	                                    : (const void *)"",
	                            b->stream.len, 9, &z, eb)))
		return rc;
	if (cb_buf_add(out, MAGIC, 4) || cb_buf_add_u8(out, (uint8_t)b->kind) ||
	    cb_buf_add_u8(out, (uint8_t)olen) ||
	    cb_buf_add(out, b->org, olen) ||
	    cb_buf_add_be64(out, (uint64_t)b->after) ||
	    cb_buf_add_be64(out, (uint64_t)b->next) ||
	    cb_buf_add_be32(out, b->count) ||
	    cb_buf_add_be32(out, (uint32_t)nlen) ||
	    (nlen && cb_buf_add(out, b->note, nlen)) ||
	    cb_buf_add_be32(out, (uint32_t)z.len) ||
	    cb_buf_add(out, z.data, z.len) ||
	    cb_buf_add(out, key->pk, CB_KEY_BYTES)) {
		cb_buf_release(&z);
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	cb_buf_release(&z);
	crypto_sign_detached(sig, NULL, out->data, out->len, key->sk);
	return cb_buf_add(out, sig, sizeof(sig))
	               ? cb_error(eb, CB_ENOMEM, _("out of memory"))
	               : CB_OK;
}

/* The fixed fields, the lengths and where the signature lies; nothing
 * they say is believed until the signature has verified. */
static cb_err
decode_frame(const unsigned char *p, size_t n, struct cb_bundle *b,
             size_t *note_at, size_t *z_at, size_t *zlen, size_t *sig_at,
             struct cb_errbuf *eb)
{
	size_t olen, off;

	if (n >= 4 && !memcmp(p, MAGIC_V1, 4))
		return cb_error(
			eb, CB_EVERSION,
			_("an unsigned bundle of an older chibo (CBB1), "
		          "no longer taken in: export it again with "
		          "this version"));
	if (n < 6 || memcmp(p, MAGIC, 4))
		return cb_error(eb, CB_EINVAL,
		                _("not a chibo bundle (no CBB2 at byte 0)"));
	b->kind = p[4];
	if (b->kind != CB_BUNDLE_PUSH && b->kind != CB_BUNDLE_PULL &&
	    b->kind != CB_BUNDLE_RELAY)
		return cb_error(eb, CB_EINVAL,
		                _("byte 4: unknown bundle kind %d"), p[4]);
	olen = p[5];
	if (olen == 0 || olen > CB_CODE_MAX)
		return cb_error(eb, CB_EINVAL,
		                _("byte 5: an organisation's code is 1 to %d "
		                  "bytes, not %zu"),
		                CB_CODE_MAX, olen);
	off = 6 + olen + 8 + 8 + 4 + 4;
	if (n < off)
		return cb_error(
			eb, CB_EINVAL,
			_("truncated at byte %zu: the header needs %zu"), n,
			off);
	memcpy(b->org, p + 6, olen);
	b->org[olen] = 0;
	b->after = (int64_t)cb_be_get(p + 6 + olen, 8);
	b->next = (int64_t)cb_be_get(p + 14 + olen, 8);
	b->count = (uint32_t)cb_be_get(p + 22 + olen, 4);
	b->note_len = (size_t)cb_be_get(p + 26 + olen, 4);
	*note_at = off;
	if (b->note_len > CB_NOTE_MAX_SIZE)
		return cb_error(
			eb, CB_EINVAL,
			_("byte %zu: a checkpoint of %zu bytes, over %d"),
			off - 4, b->note_len, CB_NOTE_MAX_SIZE);
	off += b->note_len + 4;
	if (n < off)
		return cb_error(
			eb, CB_EINVAL,
			_("truncated at byte %zu: the header needs %zu"), n,
			off);
	*zlen = (size_t)cb_be_get(p + off - 4, 4);
	*z_at = off;
	*sig_at = off + *zlen + CB_KEY_BYTES;
	if (n < *sig_at + SIG_BYTES)
		return cb_error(
			eb, CB_EINVAL,
			_("truncated at byte %zu: the header promises %zu"), n,
			*sig_at + SIG_BYTES);
	if (n > *sig_at + SIG_BYTES)
		return cb_error(eb, CB_EINVAL,
		                _("trailing bytes from byte %zu on"),
		                *sig_at + SIG_BYTES);
	memcpy(b->signer, p + *sig_at - CB_KEY_BYTES, CB_KEY_BYTES);
	return CB_OK;
}

cb_err
cb_bundle_decode(const void *data, size_t n, struct cb_bundle *b,
                 struct cb_errbuf *eb)
{
	const unsigned char *p = data;
	struct cb_stream_reader rd;
	struct cb_entry e = CB_ENTRY_INIT;
	size_t note_at = 0, z_at = 0, zlen = 0, sig_at = 0;
	cb_err rc;

	memset(b, 0, sizeof(*b));
	if ((rc = decode_frame(p, n, b, &note_at, &z_at, &zlen, &sig_at, eb)))
		goto fail;
	if (crypto_sign_verify_detached(p + sig_at, p, sig_at, b->signer)) {
		char hex[2 * CB_KEY_BYTES + 1];

		cb_hex_encode(b->signer, CB_KEY_BYTES, hex);
		rc = cb_error(
			eb, CB_ECRYPTO,
			_("the signature at byte %zu does not verify: the "
		          "bundle is not as key %.12s… signed it"),
			sig_at, hex);
		goto fail;
	}
	if (b->after < 0 || b->next < b->after) {
		rc = cb_error(eb, CB_EINVAL,
		              _("the header's cursors run from %lld to %lld"),
		              (long long)b->after, (long long)b->next);
		goto fail;
	}
	if ((b->kind == CB_BUNDLE_PULL) != (b->note_len > 0)) {
		rc = cb_error(eb, CB_EINVAL, _("byte %zu: %s"), note_at - 4,
		              b->note_len ? "an agent's bundle or a relay "
		                            "carries no checkpoint"
		                          : "a hub's bundle carries its "
		                            "checkpoint");
		goto fail;
	}
	if (b->note_len) {
		if (memchr(p + note_at, 0, b->note_len)) {
			rc = cb_error(
				eb, CB_EINVAL,
				_("the checkpoint at byte %zu is not text"),
				note_at);
			goto fail;
		}
		if (!(b->note = malloc(b->note_len + 1))) {
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
			goto fail;
		}
		memcpy(b->note, p + note_at, b->note_len);
		b->note[b->note_len] = 0;
	}
	rc = cb_zbody_decompress(p + z_at, zlen, CB_BUNDLE_MAX, &b->stream, eb);
	if (rc) {
		cb_error_prefix(eb, rc, _("the entries at byte %zu"), z_at);
		goto fail;
	}
	cb_stream_reader_init(&rd, b->stream.data, b->stream.len);
	for (size_t at = 0; (rc = cb_stream_next(&rd, &e, eb)) == CB_OK;
	     at = rd.off) {
		if ((rc = cb_entry_verify_signature(&e, eb))) {
			cb_error_prefix(
				eb, rc,
				_("entry %zu, at byte %zu of the entries"),
				rd.index, at);
			goto fail;
		}
		/* an agent's bundle is its own chain, as a push is */
		if (b->kind == CB_BUNDLE_PUSH &&
		    sodium_memcmp(e.author, b->signer, CB_KEY_BYTES)) {
			rc = cb_error(
				eb, CB_EINVAL,
				_("entry %zu, at byte %zu of the entries, is "
			          "not by the bundle's signer"),
				rd.index, at);
			goto fail;
		}
	}
	if (rc != CB_ENOTFOUND) {
		cb_error_prefix(eb, rc, _("the entries"));
		goto fail;
	}
	if (rd.index != b->count) {
		rc = cb_error(
			eb, CB_EINVAL,
			_("the header counts %u entries, the bundle holds "
		          "%zu"),
			b->count, rd.index);
		goto fail;
	}
	cb_entry_release(&e);
	return CB_OK;
fail:
	cb_entry_release(&e);
	cb_bundle_release(b);
	memset(b, 0, sizeof(*b));
	return rc;
}

cb_err
cb_bundle_check_hub(const struct cb_bundle *b,
                    const unsigned char authority[CB_KEY_BYTES],
                    struct cb_checkpoint *cp, struct cb_errbuf *eb)
{
	struct cb_checkpoint c;
	char origin[CB_CHECKPOINT_ORIGIN_MAX + 1];
	char signer[2 * CB_KEY_BYTES + 1];
	cb_err rc;

	if (b->kind != CB_BUNDLE_PULL || !b->note)
		return cb_error(eb, CB_EINVAL, _("not a hub's bundle"));
	if (sodium_memcmp(b->signer, authority, CB_KEY_BYTES)) {
		cb_hex_encode(b->signer, CB_KEY_BYTES, signer);
		return cb_error(eb, CB_ECRYPTO,
		                _("signed by key %.12s…, which is not this "
		                  "replica's hub"),
		                signer);
	}
	if (!cb_note_origin(b->note, origin, sizeof(origin)))
		return cb_error(eb, CB_EINVAL,
		                _("its checkpoint is not a signed note"));
	if ((rc = cb_checkpoint_open(b->note, b->note_len, origin, origin,
	                             authority, &c, eb))) {
		cb_error_prefix(eb, rc, _("its checkpoint"));
		return rc;
	}
	if ((uint64_t)b->next > c.size)
		return cb_error(eb, CB_EINVAL,
		                _("its cursor %lld is past its checkpoint of "
		                  "%llu entries"),
		                (long long)b->next, (unsigned long long)c.size);
	*cp = c;
	return CB_OK;
}

cb_err
cb_bundle_save(const char *path, const struct cb_buf *out, struct cb_errbuf *eb)
{
	/* members' records: for the office's eyes only, and never written
	 * through a link someone planted beside the file */
	return cb_file_write_atomic(
		path, out->data ? (const void *)out->data : (const void *)"",
		out->len, 0600, 0, eb);
}

cb_err
cb_bundle_load(const char *path, struct cb_buf *out, struct cb_errbuf *eb)
{
	FILE *fp = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!fp)
		return cb_error(eb, CB_EIO, _("cannot open '%s': %s"), path,
		                strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (out->len + n > CB_BUNDLE_MAX) {
			fclose(fp);
			return cb_error(
				eb, CB_ETOOBIG,
				_("'%s' is over %u bytes: not a bundle"), path,
				CB_BUNDLE_MAX);
		}
		if (cb_buf_add(out, chunk, n)) {
			fclose(fp);
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		}
	}
	n = ferror(fp);
	fclose(fp);
	return n ? cb_error(eb, CB_EIO, _("cannot read '%s'"), path) : CB_OK;
}

cb_err
cb_bundle_read(const char *path, struct cb_bundle *b, struct cb_errbuf *eb)
{
	struct cb_buf raw = CB_BUF_INIT;
	cb_err rc = cb_bundle_load(path, &raw, eb);

	memset(b, 0, sizeof(*b));
	if (!rc && (rc = cb_bundle_decode(raw.data, raw.len, b, eb)))
		cb_error_prefix(eb, rc, "%s", path);
	cb_buf_release(&raw);
	return rc;
}

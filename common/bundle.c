/* SPDX-License-Identifier: MIT */
/* bundle.c — see bundle.h. Layout (big-endian):
 *
 *	"CBB1"  kind u8  orglen u8  org  after i64  next i64  count u32
 *	zlen u32  zstd frame (zlen bytes)  SHA-256 of all before (32 bytes)
 */
#include "bundle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "key.h"
#include "stream.h"
#include "zbody.h"

#define MAGIC "CBB1"

void
cb_bundle_release(struct cb_bundle *b)
{
	cb_buf_release(&b->stream);
}

cb_err
cb_bundle_encode(const struct cb_bundle *b, struct cb_buf *out,
                 struct cb_errbuf *eb)
{
	struct cb_buf z = CB_BUF_INIT;
	unsigned char sum[crypto_hash_sha256_BYTES];
	size_t olen = strlen(b->org);
	cb_err rc;

	if (olen == 0 || olen > CB_CODE_MAX)
		return cb_error(eb, CB_EINVAL,
		                "a bundle names an organisation");
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
	    cb_buf_add_be32(out, (uint32_t)z.len) ||
	    cb_buf_add(out, z.data, z.len)) {
		cb_buf_release(&z);
		return cb_error(eb, CB_ENOMEM, "out of memory");
	}
	cb_buf_release(&z);
	crypto_hash_sha256(sum, out->data, out->len);
	return cb_buf_add(out, sum, sizeof(sum))
	               ? cb_error(eb, CB_ENOMEM, "out of memory")
	               : CB_OK;
}

static uint64_t
be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

cb_err
cb_bundle_decode(const void *data, size_t n, struct cb_bundle *b,
                 struct cb_errbuf *eb)
{
	const unsigned char *p = data;
	unsigned char sum[crypto_hash_sha256_BYTES];
	struct cb_stream_reader rd;
	struct cb_entry e = CB_ENTRY_INIT;
	size_t off, olen, zlen;
	cb_err rc;

	memset(b, 0, sizeof(*b));
	if (n < 6 || memcmp(p, MAGIC, 4))
		return cb_error(eb, CB_EINVAL,
		                "not a chibo bundle (no CBB1 at byte 0)");
	b->kind = p[4];
	if (b->kind != CB_BUNDLE_PUSH && b->kind != CB_BUNDLE_PULL)
		return cb_error(eb, CB_EINVAL, "byte 4: unknown bundle kind %d",
		                p[4]);
	olen = p[5];
	off = 6 + olen + 8 + 8 + 4 + 4;
	if (olen == 0 || olen > CB_CODE_MAX || n < off)
		return cb_error(eb, CB_EINVAL,
		                "truncated at byte %zu: the header needs %zu",
		                n, off);
	memcpy(b->org, p + 6, olen);
	b->org[olen] = 0;
	b->after = (int64_t)be(p + 6 + olen, 8);
	b->next = (int64_t)be(p + 14 + olen, 8);
	b->count = (uint32_t)be(p + 22 + olen, 4);
	zlen = (size_t)be(p + 26 + olen, 4);
	if (n < off + zlen + sizeof(sum))
		return cb_error(
			eb, CB_EINVAL,
			"truncated at byte %zu: the header promises %zu", n,
			off + zlen + sizeof(sum));
	if (n > off + zlen + sizeof(sum))
		return cb_error(eb, CB_EINVAL,
		                "trailing bytes from byte %zu on",
		                off + zlen + sizeof(sum));
	rc = cb_zbody_decompress(p + off, zlen, CB_BUNDLE_MAX, &b->stream, eb);
	if (rc) {
		cb_error_prefix(eb, rc, "the entries at byte %zu", off);
		goto fail;
	}
	/* Every entry, before the checksum: a tampered bundle is named by
	 * the first entry that no longer verifies, if any. */
	cb_stream_reader_init(&rd, b->stream.data, b->stream.len);
	for (size_t at = 0; (rc = cb_stream_next(&rd, &e, eb)) == CB_OK;
	     at = rd.off) {
		if ((rc = cb_entry_verify_signature(&e, eb))) {
			cb_error_prefix(eb, rc,
			                "entry %zu, at byte %zu of the entries",
			                rd.index, at);
			goto fail;
		}
	}
	if (rc != CB_ENOTFOUND) {
		cb_error_prefix(eb, rc, "the entries");
		goto fail;
	}
	if (rd.index != b->count) {
		rc = cb_error(eb, CB_EINVAL,
		              "the header counts %u entries, the bundle holds "
		              "%zu",
		              b->count, rd.index);
		goto fail;
	}
	crypto_hash_sha256(sum, p, off + zlen);
	if (sodium_memcmp(sum, p + off + zlen, sizeof(sum))) {
		rc = cb_error(eb, CB_ECRYPTO,
		              "the checksum at byte %zu does not match the "
		              "bundle",
		              off + zlen);
		goto fail;
	}
	cb_entry_release(&e);
	return CB_OK;
fail:
	cb_entry_release(&e);
	cb_bundle_release(b);
	return rc;
}

cb_err
cb_bundle_save(const char *path, const struct cb_buf *out, struct cb_errbuf *eb)
{
	/* members' records: for the office's eyes only, and never written
	 * through a link someone planted beside the file */
	return cb_file_write_atomic(path, out->data ? (const void *)out->data
	                                            : (const void *)"",
	                            out->len, 0600, 0, eb);
}

cb_err
cb_bundle_load(const char *path, struct cb_buf *out, struct cb_errbuf *eb)
{
	FILE *fp = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!fp)
		return cb_error(eb, CB_EIO, "cannot open '%s': %s", path,
		                strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (out->len + n > CB_BUNDLE_MAX) {
			fclose(fp);
			return cb_error(eb, CB_ETOOBIG,
			                "'%s' is over %u bytes: not a bundle",
			                path, CB_BUNDLE_MAX);
		}
		if (cb_buf_add(out, chunk, n)) {
			fclose(fp);
			return cb_error(eb, CB_ENOMEM, "out of memory");
		}
	}
	n = ferror(fp);
	fclose(fp);
	return n ? cb_error(eb, CB_EIO, "cannot read '%s'", path) : CB_OK;
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

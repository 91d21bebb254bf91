/* SPDX-License-Identifier: MIT */
/* zbody.c — zstd bodies with a decompression cap (see zbody.h), using the
 * streaming API so that memory follows the cap, not the frame's claims. */
#include "zbody.h"

#include <zstd.h>

cb_err
cb_zbody_compress(const void *in, size_t n, int level, struct cb_buf *out,
                  struct cb_errbuf *eb)
{
	size_t bound = ZSTD_compressBound(n), r;

	if (cb_buf_grow(out, bound))
		return cb_error(eb, CB_ENOMEM, _("out of memory compressing"));
	r = ZSTD_compress(out->data + out->len, bound, in, n, level);
	if (ZSTD_isError(r))
		return cb_error(eb, CB_EIO, _("cannot compress: %s"),
		                ZSTD_getErrorName(r));
	out->len += r;
	return CB_OK;
}

cb_err
cb_zbody_decompress(const void *in, size_t n, size_t max_out,
                    struct cb_buf *out, struct cb_errbuf *eb)
{
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	ZSTD_inBuffer src = { in, n, 0 };
	size_t last = 1; /* 0 once a frame is complete */
	cb_err rc = CB_OK;

	if (!dc)
		return cb_error(eb, CB_ENOMEM,
		                _("out of memory decompressing"));
	cb_buf_reset(out);
	/* A frame may not ask for a window larger than the cap needs. */
	ZSTD_DCtx_setParameter(dc, ZSTD_d_windowLogMax, 27);
	for (;;) {
		size_t room = max_out - out->len + 1, r;
		ZSTD_outBuffer dst;

		if (room > 65536)
			room = 65536;
		if (cb_buf_grow(out, room)) {
			rc = cb_error(eb, CB_ENOMEM,
			              _("out of memory decompressing"));
			goto out;
		}
		dst.dst = out->data + out->len;
		dst.size = room;
		dst.pos = 0;
		r = ZSTD_decompressStream(dc, &dst, &src);
		if (ZSTD_isError(r)) {
			rc = cb_error(
				eb, CB_EINVAL,
				_("body is not valid zstd at byte %zu: %s"),
				src.pos, ZSTD_getErrorName(r));
			goto out;
		}
		out->len += dst.pos;
		out->data[out->len] = 0;
		if (out->len > max_out) {
			rc = cb_error(
				eb, CB_ETOOBIG,
				_("body decompresses to more than %zu bytes"),
				max_out);
			goto out;
		}
		last = r;
		/* All input read, and the frame complete (r == 0) or the
		 * output not filled (nothing held back): done. Another call
		 * would wait for a next frame. */
		if (src.pos == src.size && (r == 0 || dst.pos < dst.size))
			break;
	}
	if (last != 0)
		rc = cb_error(
			eb, CB_EINVAL,
			_("body is truncated: its zstd frame does not end"));
out:
	ZSTD_freeDCtx(dc);
	return rc;
}

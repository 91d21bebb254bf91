/* SPDX-License-Identifier: MIT */
/* stream.c — length-prefixed entry streams (see stream.h). */
#include "stream.h"

cb_err
cb_stream_append_bytes(struct cb_buf *out, const void *bytes, size_t len)
{
	if (len > CB_ENTRY_MAX)
		return CB_ETOOBIG;
	if (cb_buf_add_be32(out, (uint32_t)len) || cb_buf_add(out, bytes, len))
		return CB_ENOMEM;
	return CB_OK;
}

cb_err
cb_stream_append(struct cb_buf *out, const struct cb_entry *e)
{
	return cb_stream_append_bytes(out, e->bytes, e->len);
}

void
cb_stream_reader_init(struct cb_stream_reader *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->index = 0;
}

cb_err
cb_stream_next(struct cb_stream_reader *r, struct cb_entry *e,
               struct cb_errbuf *eb)
{
	size_t left = r->len - r->off;
	uint32_t n;

	if (left == 0)
		return CB_ENOTFOUND;
	if (left < 4)
		return cb_error(
			eb, CB_EINVAL,
			_("stream entry %zu at byte %zu: the length prefix "
		          "is cut short"),
			r->index + 1, r->off);
	n = (uint32_t)r->p[r->off] << 24 | (uint32_t)r->p[r->off + 1] << 16 |
	    (uint32_t)r->p[r->off + 2] << 8 | r->p[r->off + 3];
	if (n > CB_ENTRY_MAX)
		return cb_error(
			eb, CB_ETOOBIG,
			_("stream entry %zu at byte %zu: length %u is over "
		          "the limit of %d"),
			r->index + 1, r->off, n, CB_ENTRY_MAX);
	if (n > left - 4)
		return cb_error(
			eb, CB_EINVAL,
			_("stream entry %zu at byte %zu: %u bytes announced, "
		          "%zu left (truncated)"),
			r->index + 1, r->off, n, left - 4);
	if (cb_entry_decode(r->p + r->off + 4, n, e, eb))
		return cb_error_prefix(eb, CB_EINVAL,
		                       _("stream entry %zu at byte %zu"),
		                       r->index + 1, r->off);
	r->off += 4 + n;
	r->index++;
	return CB_OK;
}

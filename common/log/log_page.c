/* SPDX-License-Identifier: MIT */
/* log_page.c — a page of a log as an entry stream (log_page.h). */
#include "log_page.h"
#include "stream.h"

struct page {
	struct cb_log_page *pg;
	struct cb_buf *out;
	size_t start; /* out's length before the page */
	size_t max, max_bytes;
	bool full;
	struct cb_errbuf *eb;
};

/* Each entry read: appended, or, past the page's room, the sign that the
 * log goes on (which stops the read). */
static cb_err
take(void *ctx, int64_t lsn, const void *bytes, size_t len)
{
	struct page *p = ctx;

	if (p->pg->count == p->max ||
	    (p->max_bytes && p->out->len - p->start + len > p->max_bytes)) {
		p->full = true;
		return CB_ETOOBIG;
	}
	if (cb_stream_append_bytes(p->out, bytes, len))
		return cb_error(p->eb, CB_ENOMEM, _("out of memory"));
	p->pg->next = lsn;
	p->pg->count++;
	return CB_OK;
}

cb_err
cb_log_page(struct cb_log *log, int64_t after, size_t max, size_t max_bytes,
            struct cb_buf *out, struct cb_log_page *pg, struct cb_errbuf *eb)
{
	struct cb_log_page got = { .next = after };
	struct page p = { &got, out, out->len, max, max_bytes, false, eb };
	cb_err rc = cb_log_read_after(log, after, max + 1, take, &p, eb);

	if (rc == CB_ETOOBIG && p.full)
		rc = CB_OK;
	if (rc)
		return rc;
	got.more = p.full;
	*pg = got;
	return CB_OK;
}

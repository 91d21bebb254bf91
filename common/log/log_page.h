/* SPDX-License-Identifier: MIT */
/* log_page.h — a page of a log (log.h) as an entry stream (stream.h): the
 * entries after a position, in log order, within a count and a size, and
 * whether the log goes on. What a hub serves an auditor's key by index
 * (POST /v1/entries, PROTOCOL.md) and how the audit reads a copy of a
 * hub's database, page by page, whichever backend holds the log. */
#ifndef CB_LOG_PAGE_H
#define CB_LOG_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "log.h"

struct cb_log_page {
	size_t count; /* entries appended */
	int64_t next; /* the position of the last appended (after, if none):
	               * where the next page starts */
	bool more;    /* the log holds entries past next */
};

/* Append to out, as an entry stream (each entry's length in 4 bytes
 * big-endian, then its bytes), the entries of log after position after,
 * in order: at most max of them (max >= 1), stopping before an entry that
 * would take what this call appended past max_bytes (0: no such limit;
 * the 4-byte lengths not counted). pg says how far it got. It reads one
 * entry past the page to know whether there is more: a page costs one
 * read of the log. On error out may hold part of the page. */
cb_err cb_log_page(struct cb_log *log, int64_t after, size_t max,
                   size_t max_bytes, struct cb_buf *out, struct cb_log_page *pg,
                   struct cb_errbuf *eb) CB_MUST_CHECK;

#endif

/* SPDX-License-Identifier: MIT */
/* err.c — filling error buffers (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

cb_err
cb_error(struct cb_errbuf *eb, cb_err code, const char *fmt, ...)
{
	va_list ap;

	if (!eb)
		return code;
	va_start(ap, fmt);
	vsnprintf(eb->msg, sizeof(eb->msg), fmt, ap);
	va_end(ap);
	return code;
}

cb_err
cb_error_prefix(struct cb_errbuf *eb, cb_err code, const char *fmt, ...)
{
	char old[CB_ERRBUF_SIZE];
	size_t n, m;
	va_list ap;

	if (!eb)
		return code;
	memcpy(old, eb->msg, sizeof(old));
	old[sizeof(old) - 1] = 0;
	va_start(ap, fmt);
	vsnprintf(eb->msg, sizeof(eb->msg), fmt, ap);
	va_end(ap);
	n = strlen(eb->msg);
	m = strlen(old);
	/* "prefix: old", cut to the buffer */
	if (n + 2 < sizeof(eb->msg)) {
		memcpy(eb->msg + n, ": ", 2);
		n += 2;
		if (m > sizeof(eb->msg) - 1 - n)
			m = sizeof(eb->msg) - 1 - n;
		memcpy(eb->msg + n, old, m);
		eb->msg[n + m] = 0;
	}
	return code;
}

const char *
cb_err_name(cb_err code)
{
	switch (code) {
	case CB_OK: return "ok";
	case CB_EINVAL: return "invalid";
	case CB_ENOMEM: return "out of memory";
	case CB_EIO: return "i/o error";
	case CB_ECRYPTO: return "bad signature";
	case CB_ECHAIN: return "broken chain";
	case CB_ERULE: return "rule violation";
	case CB_ENOTFOUND: return "not found";
	case CB_EEXIST: return "already exists";
	case CB_ETOOBIG: return "too big";
	case CB_EVERSION: return "version";
	case CB_ESCOPE: return "outside the author's scope";
	case CB_EPENDING: return "pending";
	case CB_EAGAIN: return "try again";
	}
	return "unknown error";
}

/* SPDX-License-Identifier: MIT */
/* err.h — chibo's one result type. Functions that can fail return cb_err
 * (CB_OK == 0) and fill an optional error buffer with one human line that
 * says what failed; out-parameters are written only on success. */
#ifndef CB_ERR_H
#define CB_ERR_H

#include <stddef.h>

#include "lang.h" /* messages are translated: _("…") */

#define CB_MUST_CHECK __attribute__((warn_unused_result))
#define CB_PRINTF(f, a) __attribute__((format(printf, f, a)))

typedef enum {
	CB_OK = 0,
	CB_EINVAL,  /* malformed input: bad field, bad encoding */
	CB_ENOMEM,  /* allocation failed */
	CB_EIO,     /* file or database error */
	CB_ECRYPTO, /* bad signature, hash mismatch */
	CB_ECHAIN,  /* seq gap, prev mismatch, fork */
	CB_ERULE,   /* authentic but breaks a domain rule */
	CB_ENOTFOUND,
	CB_EEXIST,
	CB_ETOOBIG,
	CB_EVERSION, /* replica made by a newer chibo */
	CB_ESCOPE,   /* authentic, but about a record outside the author's
	              * own: another organisation's, or the authority's */
	CB_EPENDING, /* waits for an entry this replica does not hold yet */
	CB_EAGAIN,   /* not now: sign the request afresh and try again */
} cb_err;

/* A verdict of the projection on an authentic entry (rejected, kept in
 * the log), as opposed to a storage failure. */
#define cb_is_rejection(rc) ((rc) == CB_ERULE || (rc) == CB_ESCOPE)

#define CB_ERRBUF_SIZE 512

struct cb_errbuf {
	char msg[CB_ERRBUF_SIZE];
};

/* Write a message into eb (if not NULL) and return code. The message should
 * say what failed first, lowercase, the subject quoted, no full stop. */
cb_err cb_error(struct cb_errbuf *eb, cb_err code, const char *fmt, ...)
	CB_PRINTF(3, 4);

/* Prefix the message already in eb with "prefix: "; returns code. */
cb_err cb_error_prefix(struct cb_errbuf *eb, cb_err code, const char *fmt, ...)
	CB_PRINTF(3, 4);

const char *cb_err_name(cb_err code);

#endif

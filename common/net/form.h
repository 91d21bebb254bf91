/* SPDX-License-Identifier: MIT */
/* form.h — an HTML form's fields as a browser posts them
 * (application/x-www-form-urlencoded, the URL standard's
 * "application/x-www-form-urlencoded parser"): name=value pairs joined by
 * '&', '+' for a space, %XX for a byte. 'chibo-agent ui' reads every POST
 * through it. Stricter than the standard where a silent repair would
 * change what a clerk typed: a '%' not followed by two hex digits, or a
 * byte 0, refuses the whole form. */
#ifndef CB_FORM_H
#define CB_FORM_H

#include <stddef.h>

#include "err.h"

#define CB_FORM_MAX_FIELDS 1024

struct cb_form_field {
	char *name, *value; /* decoded, NUL-ended; owned by the form */
	size_t len;         /* value's bytes: a file may hold a byte 0 */
	char *file;         /* a file's name as the browser gave it (a
	                     * multipart form's file field); else NULL */
};

/* The fields in the order posted; a name may come more than once (a
 * checklist). Begin from CB_FORM_INIT. */
struct cb_form {
	size_t n;
	struct cb_form_field *fields;
};

#define CB_FORM_INIT                                                           \
	{                                                                      \
		0, NULL                                                        \
	}

/* Decode the len bytes at body into *out (released first). CB_EINVAL
 * with one line for a bad escape, a byte 0 or more than
 * CB_FORM_MAX_FIELDS fields, *out then empty; CB_ENOMEM. */
cb_err cb_form_parse(const char *body, size_t len, struct cb_form *out,
                     struct cb_errbuf *eb) CB_MUST_CHECK;

/* The same of a multipart/form-data body (RFC 7578), as a form with a
 * file field is posted; content_type is the request's Content-Type,
 * whose boundary parameter splits the parts. A file's value may hold any
 * byte; any other field's may not hold a byte 0. CB_EINVAL with one line
 * for no boundary, a part that does not end, a part with no name or too
 * many parts; CB_ENOMEM. */
cb_err cb_form_parse_multipart(const char *body, size_t len,
                               const char *content_type, struct cb_form *out,
                               struct cb_errbuf *eb) CB_MUST_CHECK;

/* The first field called name, or NULL. */
const struct cb_form_field *cb_form_field(const struct cb_form *f,
                                          const char *name);

/* The value of the first field called name, or NULL. */
const char *cb_form_get(const struct cb_form *f, const char *name);

void cb_form_release(struct cb_form *f);

#endif

/* SPDX-License-Identifier: MIT */
/* form.c — application/x-www-form-urlencoded bodies, decoded (form.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "form.h"
#include "lang.h"

/* The n bytes at s decoded into a new string, *out. */
static cb_err
decode(const char *s, size_t n, char **out, struct cb_errbuf *eb)
{
	char *d = malloc(n + 1), *o = d;
	int hi, lo;

	if (!d)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
			continue;
		}
		if (s[i] != '%') {
			if (!s[i])
				goto nul;
			*o++ = s[i];
			continue;
		}
		if (n - i < 3 || (hi = cb_hex_value(s[i + 1])) < 0 ||
		    (lo = cb_hex_value(s[i + 2])) < 0) {
			free(d);
			return cb_error(eb, CB_EINVAL,
			                _("the form holds a '%%' that is not "
			                  "followed by two hex digits"));
		}
		if (!(*o++ = (char)(hi * 16 + lo)))
			goto nul;
		i += 2;
	}
	*o = 0;
	*out = d;
	return CB_OK;
nul:
	free(d);
	return cb_error(eb, CB_EINVAL, _("the form holds a byte 0"));
}

/* A new field at the end of f, its pointers NULL. The array doubles when
 * it is full (its room is 8, then n whenever n is a power of two): one
 * more each time would copy it whole at every field, quadratic in the
 * fields (fuzz_form found a body of a thousand fields taking 0.1 s). */
static cb_err
add_field(struct cb_form *f, struct cb_form_field **out, struct cb_errbuf *eb)
{
	if (f->n == 0 || (f->n >= 8 && !(f->n & (f->n - 1)))) {
		size_t room = f->n ? 2 * f->n : 8;
		struct cb_form_field *p = realloc(f->fields, room * sizeof(*p));

		if (!p)
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		f->fields = p;
	}
	*out = &f->fields[f->n++];
	(*out)->name = (*out)->value = (*out)->file = NULL;
	(*out)->len = 0;
	return CB_OK;
}

cb_err
cb_form_parse(const char *body, size_t len, struct cb_form *out,
              struct cb_errbuf *eb)
{
	struct cb_form f = CB_FORM_INIT;
	size_t i = 0;
	cb_err rc;

	cb_form_release(out);
	while (i < len) {
		const char *amp = memchr(body + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - body) : len;
		const char *eq = memchr(body + i, '=', end - i);
		size_t nend = eq ? (size_t)(eq - body) : end;
		struct cb_form_field *fld;

		if (end == i) { /* "a=1&&b=2": an empty field, skipped */
			i = end + 1;
			continue;
		}
		if (f.n == CB_FORM_MAX_FIELDS) {
			rc = cb_error(eb, CB_EINVAL,
			              _("the form has more than %d fields"),
			              CB_FORM_MAX_FIELDS);
			goto fail;
		}
		if ((rc = add_field(&f, &fld, eb)))
			goto fail;
		if ((rc = decode(body + i, nend - i, &fld->name, eb)) ||
		    (rc = decode(eq ? eq + 1 : body + end,
		                 eq ? end - nend - 1 : 0, &fld->value, eb)))
			goto fail;
		fld->len = strlen(fld->value);
		i = end + 1;
	}
	*out = f;
	return CB_OK;
fail:
	cb_form_release(&f);
	return rc;
}

/* The first n bytes of hay at or after from that are needle, or NULL. */
static const char *
find(const char *hay, size_t len, size_t from, const char *needle, size_t n)
{
	for (size_t i = from; n <= len && i <= len - n; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, n))
			return hay + i;
	return NULL;
}

/* The value of parameter key (name, filename, boundary) in the header
 * line h of n bytes, quoted or not, as a new string; NULL if absent. */
static char *
param(const char *h, size_t n, const char *key)
{
	size_t k = strlen(key);

	for (size_t i = 0; i + k + 1 < n; i++) {
		const char *v = h + i + k + 1, *end;
		char *out;

		if ((i && h[i - 1] != ' ' && h[i - 1] != ';') ||
		    strncasecmp(h + i, key, k) || h[i + k] != '=')
			continue;
		if (*v == '"') {
			v++;
			end = memchr(v, '"', (size_t)(h + n - v));
		} else {
			for (end = v;
			     end < h + n && *end != ';' && *end != ' ';)
				end++;
		}
		if (!end || !(out = malloc((size_t)(end - v) + 1)))
			return NULL;
		memcpy(out, v, (size_t)(end - v));
		out[end - v] = 0;
		return out;
	}
	return NULL;
}

cb_err
cb_form_parse_multipart(const char *body, size_t len, const char *content_type,
                        struct cb_form *out, struct cb_errbuf *eb)
{
	struct cb_form f = CB_FORM_INIT;
	char *b = content_type ? param(content_type, strlen(content_type),
	                               "boundary")
	                       : NULL;
	char delim[96];
	size_t dn, at;
	const char *p;
	cb_err rc;

	cb_form_release(out);
	if (!b || !*b || strlen(b) > 70) {
		free(b);
		return cb_error(eb, CB_EINVAL,
		                _("the form is multipart but names no "
		                  "boundary"));
	}
	dn = (size_t)snprintf(delim, sizeof(delim), "\r\n--%s", b);
	free(b);
	/* the first delimiter has no line break before it */
	if (len < dn - 2 || memcmp(body, delim + 2, dn - 2)) {
		rc = cb_error(eb, CB_EINVAL,
		              _("the form does not begin with its boundary"));
		goto fail;
	}
	at = dn - 2;
	for (;;) {
		const char *hend, *next;
		struct cb_form_field *fld;
		char *name = NULL, *file = NULL;
		bool twice = false;

		if (len - at >= 2 && !memcmp(body + at, "--", 2))
			break; /* the last delimiter */
		if (len - at < 2 || memcmp(body + at, "\r\n", 2) ||
		    !(hend = find(body, len, at, "\r\n\r\n", 4)) ||
		    !(next = find(body, len, (size_t)(hend - body) + 4, delim,
		                  dn))) {
			rc = cb_error(eb, CB_EINVAL,
			              _("a part of the form does not end"));
			goto fail;
		}
		/* the part's headers: Content-Disposition names it */
		for (p = body + at + 2; p < hend;) {
			const char *eol = find(body, (size_t)(hend - body) + 2,
			                       (size_t)(p - body), "\r\n", 2);
			size_t n = (size_t)(eol - p);

			/* a second Content-Disposition would make the part
			 * two things: refused, not one of them guessed */
			if (n > 20 &&
			    !strncasecmp(p, "Content-Disposition:", 20)) {
				if (name || file)
					twice = true;
				else {
					name = param(p, n, "name");
					file = param(p, n, "filename");
				}
			}
			p = eol + 2;
		}
		if (!name || twice || f.n == CB_FORM_MAX_FIELDS) {
			rc = twice  ? cb_error(eb, CB_EINVAL,
			                       _("a part of the form has two "
			                          "Content-Disposition headers"))
			     : name ? cb_error(eb, CB_EINVAL,
			                       _("the form has more than %d "
			                         "fields"),
			                       CB_FORM_MAX_FIELDS)
			            : cb_error(eb, CB_EINVAL,
			                       _("a part of the form has no "
			                         "name"));
			free(name);
			free(file);
			goto fail;
		}
		if ((rc = add_field(&f, &fld, eb))) {
			free(name);
			free(file);
			goto fail;
		}
		fld->name = name;
		fld->file = file;
		fld->len = (size_t)(next - hend - 4);
		if (!(fld->value = malloc(fld->len + 1))) {
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
			goto fail;
		}
		memcpy(fld->value, hend + 4, fld->len);
		fld->value[fld->len] = 0;
		if (!file && memchr(fld->value, 0, fld->len)) {
			rc = cb_error(eb, CB_EINVAL,
			              _("the form holds a byte 0"));
			goto fail;
		}
		at = (size_t)(next - body) + dn;
	}
	*out = f;
	return CB_OK;
fail:
	cb_form_release(&f);
	return rc;
}

const struct cb_form_field *
cb_form_field(const struct cb_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->fields[i].name, name))
			return &f->fields[i];
	return NULL;
}

const char *
cb_form_get(const struct cb_form *f, const char *name)
{
	const struct cb_form_field *fld = cb_form_field(f, name);

	return fld ? fld->value : NULL;
}

void
cb_form_release(struct cb_form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->fields[i].name);
		free(f->fields[i].value);
		free(f->fields[i].file);
	}
	free(f->fields);
	f->n = 0;
	f->fields = NULL;
}

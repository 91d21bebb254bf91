/* SPDX-License-Identifier: MIT */
/* form.c — application/x-www-form-urlencoded bodies, decoded (form.h). */
#include <stdlib.h>
#include <string.h>

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
		if (!(fld = realloc(f.fields, (f.n + 1) * sizeof(*fld)))) {
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
			goto fail;
		}
		f.fields = fld;
		fld = &f.fields[f.n];
		fld->name = fld->value = NULL;
		f.n++;
		if ((rc = decode(body + i, nend - i, &fld->name, eb)) ||
		    (rc = decode(eq ? eq + 1 : body + end,
		                 eq ? end - nend - 1 : 0, &fld->value, eb)))
			goto fail;
		i = end + 1;
	}
	*out = f;
	return CB_OK;
fail:
	cb_form_release(&f);
	return rc;
}

const char *
cb_form_get(const struct cb_form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->fields[i].name, name))
			return f->fields[i].value;
	return NULL;
}

void
cb_form_release(struct cb_form *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->fields[i].name);
		free(f->fields[i].value);
	}
	free(f->fields);
	f->n = 0;
	f->fields = NULL;
}

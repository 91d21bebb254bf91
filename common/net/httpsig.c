/* SPDX-License-Identifier: MIT */
/* httpsig.c — RFC 9421 signature bases and Ed25519 signatures, RFC 8941
 * Structured Fields (the dictionary, inner list, parameter and bare item
 * grammar of §3 and the parsing algorithms of §4.2, minus decimals, which no
 * signature field uses), and RFC 9530 Content-Digest (sha-256). See
 * httpsig.h for chibo's profile. */
#include "httpsig.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define SF_MAX_MEMBERS 16
#define SF_MAX_ITEMS 64  /* in all inner lists of one field */
#define SF_MAX_PARAMS 64 /* on all items and lists of one field */
#define SF_KEY_MAX 64
#define SIG_SKEW 60

enum sf_type { SF_INT, SF_STRING, SF_TOKEN, SF_BYTES, SF_BOOL };

struct sf_bare {
	enum sf_type type;
	int64_t i;
	bool b;
	const char *s; /* string or token, in the parse's pool */
	const unsigned char *bytes;
	size_t len; /* of s or bytes */
};

struct sf_param {
	const char *key; /* in the pool */
	struct sf_bare v;
};

/* Parameters of an item are params[p0 .. p0 + np) of the dictionary. */
struct sf_item {
	struct sf_bare v;
	size_t p0, np;
};

/* An inner list's items are items[i0 .. i0 + ni); its own parameters are
 * those of .item. */
struct sf_member {
	const char *key;
	bool is_list;
	struct sf_item item;
	size_t i0, ni;
};

struct sf_dict {
	size_t n, nitems, nparams;
	struct sf_member m[SF_MAX_MEMBERS];
	struct sf_item items[SF_MAX_ITEMS];
	struct sf_param params[SF_MAX_PARAMS];
	/* Keys, strings and byte sequences: no parse needs more than its
	 * input's length plus one. */
	unsigned char pool[CB_HTTPSIG_MAX + 2];
	size_t used;
};

struct sf_parser {
	const char *start, *p, *end;
	struct sf_dict *d;
	struct cb_errbuf *eb;
};

/* Is there room for n more bytes in the pool? */
static bool
pool_room(const struct sf_dict *d, size_t n)
{
	return d->used + n <= sizeof(d->pool);
}

static cb_err
sf_fail(struct sf_parser *ps, const char *what)
{
	return cb_error(ps->eb, CB_EINVAL,
	                _("malformed signature header: %s at character %td"),
	                what, ps->p - ps->start + 1);
}

static void
skip_sp(struct sf_parser *ps)
{
	while (ps->p < ps->end && *ps->p == ' ')
		ps->p++;
}

static void
skip_ows(struct sf_parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

static bool
is_lcalpha(char c)
{
	return c >= 'a' && c <= 'z';
}

static cb_err
parse_key(struct sf_parser *ps, const char **key)
{
	struct sf_dict *d = ps->d;
	char *out = (char *)d->pool + d->used;
	size_t n = 0;

	if (ps->p >= ps->end || !(is_lcalpha(*ps->p) || *ps->p == '*'))
		return sf_fail(ps, "a key must start with a-z or '*'");
	while (ps->p < ps->end &&
	       (is_lcalpha(*ps->p) || isdigit((unsigned char)*ps->p) ||
	        *ps->p == '_' || *ps->p == '-' || *ps->p == '.' ||
	        *ps->p == '*')) {
		if (n == SF_KEY_MAX)
			return sf_fail(ps, "key too long");
		if (!pool_room(d, n + 2))
			return sf_fail(ps, "field too complex");
		out[n++] = *ps->p++;
	}
	out[n] = 0;
	d->used += n + 1;
	*key = out;
	return CB_OK;
}

static cb_err
parse_bare(struct sf_parser *ps, struct sf_bare *v)
{
	struct sf_dict *d = ps->d;
	char c;

	if (ps->p >= ps->end)
		return sf_fail(ps, "a value is missing");
	c = *ps->p;
	memset(v, 0, sizeof(*v));
	if (c == '-' || isdigit((unsigned char)c)) {
		int64_t sign = 1, i = 0;
		int digits = 0;

		if (c == '-') {
			sign = -1;
			ps->p++;
		}
		while (ps->p < ps->end && isdigit((unsigned char)*ps->p)) {
			if (++digits > 15)
				return sf_fail(ps, "integer over 15 digits");
			i = i * 10 + (*ps->p++ - '0');
		}
		if (digits == 0)
			return sf_fail(ps, "'-' without digits");
		if (ps->p < ps->end && *ps->p == '.')
			return sf_fail(ps, "decimals are not accepted");
		v->type = SF_INT;
		v->i = sign * i;
		return CB_OK;
	}
	if (c == '"') {
		char *out = (char *)d->pool + d->used;
		size_t n = 0;

		ps->p++;
		for (;;) {
			if (ps->p >= ps->end)
				return sf_fail(ps, "unterminated string");
			c = *ps->p++;
			if (c == '"')
				break;
			if (c == '\\') {
				if (ps->p >= ps->end ||
				    (*ps->p != '"' && *ps->p != '\\'))
					return sf_fail(ps,
					               "bad escape in string");
				c = *ps->p++;
			} else if (c < 0x20 || c > 0x7e) {
				return sf_fail(ps, "non-ASCII in string");
			}
			if (!pool_room(d, n + 2))
				return sf_fail(ps, "field too complex");
			out[n++] = c;
		}
		out[n] = 0;
		d->used += n + 1;
		v->type = SF_STRING;
		v->s = out;
		v->len = n;
		return CB_OK;
	}
	if (isalpha((unsigned char)c) || c == '*') {
		char *out = (char *)d->pool + d->used;
		size_t n = 0;

		while (ps->p < ps->end &&
		       (isalnum((unsigned char)*ps->p) ||
		        strchr(":/!#$%&'*+-.^_`|~", *ps->p))) {
			if (!pool_room(d, n + 2))
				return sf_fail(ps, "field too complex");
			out[n++] = *ps->p++;
		}
		out[n] = 0;
		d->used += n + 1;
		v->type = SF_TOKEN;
		v->s = out;
		v->len = n;
		return CB_OK;
	}
	if (c == ':') {
		const char *start = ++ps->p, *stop;
		size_t len;

		while (ps->p < ps->end && *ps->p != ':')
			ps->p++;
		if (ps->p >= ps->end)
			return sf_fail(ps, "unterminated byte sequence");
		stop = ps->p++;
		if (sodium_base642bin(d->pool + d->used,
		                      sizeof(d->pool) - d->used, start,
		                      (size_t)(stop - start), NULL, &len, NULL,
		                      sodium_base64_VARIANT_ORIGINAL) != 0)
			return sf_fail(ps, "byte sequence is not base64");
		v->type = SF_BYTES;
		v->bytes = d->pool + d->used;
		v->len = len;
		d->used += len;
		return CB_OK;
	}
	if (c == '?') {
		ps->p++;
		if (ps->p >= ps->end || (*ps->p != '0' && *ps->p != '1'))
			return sf_fail(ps, "boolean is not ?0 or ?1");
		v->type = SF_BOOL;
		v->b = *ps->p++ == '1';
		return CB_OK;
	}
	return sf_fail(ps, "unknown value");
}

static cb_err
parse_params(struct sf_parser *ps, struct sf_item *it)
{
	struct sf_dict *d = ps->d;

	it->p0 = d->nparams;
	it->np = 0;
	while (ps->p < ps->end && *ps->p == ';') {
		struct sf_param *pm;

		ps->p++;
		skip_sp(ps);
		if (d->nparams == SF_MAX_PARAMS)
			return sf_fail(ps, "too many parameters");
		pm = &d->params[d->nparams];
		if (parse_key(ps, &pm->key))
			return CB_EINVAL;
		for (size_t k = it->p0; k < d->nparams; k++)
			if (!strcmp(d->params[k].key, pm->key))
				return sf_fail(ps, "duplicate parameter");
		if (ps->p < ps->end && *ps->p == '=') {
			ps->p++;
			if (parse_bare(ps, &pm->v))
				return CB_EINVAL;
		} else {
			memset(&pm->v, 0, sizeof(pm->v));
			pm->v.type = SF_BOOL;
			pm->v.b = true;
		}
		d->nparams++;
		it->np++;
	}
	return CB_OK;
}

static cb_err
parse_member_value(struct sf_parser *ps, struct sf_member *m)
{
	struct sf_dict *d = ps->d;

	if (ps->p < ps->end && *ps->p == '(') {
		ps->p++;
		m->is_list = true;
		m->i0 = d->nitems;
		for (;;) {
			skip_sp(ps);
			if (ps->p >= ps->end)
				return sf_fail(ps, "unterminated inner list");
			if (*ps->p == ')') {
				ps->p++;
				break;
			}
			if (d->nitems == SF_MAX_ITEMS)
				return sf_fail(ps, "too many items");
			if (parse_bare(ps, &d->items[d->nitems].v) ||
			    parse_params(ps, &d->items[d->nitems]))
				return CB_EINVAL;
			d->nitems++;
			m->ni++;
			if (ps->p < ps->end && *ps->p != ' ' && *ps->p != ')')
				return sf_fail(ps, "items must be separated "
				                   "by spaces");
		}
		return parse_params(ps, &m->item);
	}
	if (parse_bare(ps, &m->item.v))
		return CB_EINVAL;
	return parse_params(ps, &m->item);
}

/* RFC 8941 §4.2.2; a later member with the same key replaces an earlier
 * one, as the RFC says. */
static cb_err
parse_dict(const char *s, struct sf_dict *d, struct cb_errbuf *eb)
{
	struct sf_parser ps = { s, s, s + strlen(s), d, eb };

	d->n = d->nitems = d->nparams = d->used = 0;
	if (strlen(s) > CB_HTTPSIG_MAX)
		return cb_error(eb, CB_EINVAL,
		                _("signature header is over %d bytes"),
		                CB_HTTPSIG_MAX);
	skip_sp(&ps);
	while (ps.p < ps.end) {
		struct sf_member m;
		size_t k;

		memset(&m, 0, sizeof(m));
		if (parse_key(&ps, &m.key))
			return CB_EINVAL;
		if (ps.p < ps.end && *ps.p == '=') {
			ps.p++;
			if (parse_member_value(&ps, &m))
				return CB_EINVAL;
		} else {
			m.item.v.type = SF_BOOL;
			m.item.v.b = true;
			if (parse_params(&ps, &m.item))
				return CB_EINVAL;
		}
		for (k = 0; k < d->n; k++)
			if (!strcmp(d->m[k].key, m.key))
				break;
		if (k == SF_MAX_MEMBERS)
			return sf_fail(&ps, "too many members");
		d->m[k] = m;
		if (k == d->n)
			d->n++;
		skip_ows(&ps);
		if (ps.p >= ps.end)
			return CB_OK;
		if (*ps.p != ',')
			return sf_fail(&ps, "members must be separated by ','");
		ps.p++;
		skip_ows(&ps);
		if (ps.p >= ps.end)
			return sf_fail(&ps, "trailing ','");
	}
	return cb_error(eb, CB_EINVAL, _("signature header is empty"));
}

static const struct sf_member *
dict_get(const struct sf_dict *d, const char *key)
{
	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(d->m[i].key, key))
			return &d->m[i];
	return NULL;
}

static cb_err
ser_bare(struct cb_buf *b, const struct sf_bare *v)
{
	switch (v->type) {
	case SF_INT: return cb_buf_addf(b, "%" PRId64, v->i);
	case SF_BOOL: return cb_buf_addstr(b, v->b ? "?1" : "?0");
	case SF_TOKEN: return cb_buf_add(b, v->s, v->len);
	case SF_STRING:
		if (cb_buf_add_u8(b, '"'))
			return CB_ENOMEM;
		for (size_t i = 0; i < v->len; i++) {
			if ((v->s[i] == '"' || v->s[i] == '\\') &&
			    cb_buf_add_u8(b, '\\'))
				return CB_ENOMEM;
			if (cb_buf_add_u8(b, (uint8_t)v->s[i]))
				return CB_ENOMEM;
		}
		return cb_buf_add_u8(b, '"');
	case SF_BYTES: {
		size_t n = sodium_base64_ENCODED_LEN(
			v->len, sodium_base64_VARIANT_ORIGINAL);
		char *t = malloc(n);
		cb_err rc;

		if (!t)
			return CB_ENOMEM;
		sodium_bin2base64(t, n, v->bytes, v->len,
		                  sodium_base64_VARIANT_ORIGINAL);
		rc = cb_buf_addf(b, ":%s:", t);
		free(t);
		return rc;
	}
	}
	return CB_EINVAL;
}

static cb_err
ser_params(struct cb_buf *b, const struct sf_dict *d, const struct sf_item *it)
{
	for (size_t i = it->p0; i < it->p0 + it->np; i++) {
		const struct sf_param *pm = &d->params[i];

		if (cb_buf_addf(b, ";%s", pm->key))
			return CB_ENOMEM;
		if (pm->v.type == SF_BOOL && pm->v.b)
			continue;
		if (cb_buf_add_u8(b, '=') || ser_bare(b, &pm->v))
			return CB_ENOMEM;
	}
	return CB_OK;
}

static bool
value_ok(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 && *v != '\t')
			return false;
	return true;
}

static cb_err
build_base(const struct sf_dict *d, const struct sf_member *m,
           cb_httpsig_lookup value, void *ctx, struct cb_buf *base,
           struct cb_errbuf *eb)
{
	const struct sf_item *items = d->items + m->i0;

	cb_buf_reset(base);
	if (!m->is_list)
		return cb_error(
			eb, CB_EINVAL,
			_("Signature-Input member is not an inner list"));
	for (size_t i = 0; i < m->ni; i++) {
		const struct sf_item *it = &items[i];
		const char *v;

		if (it->v.type != SF_STRING)
			return cb_error(
				eb, CB_EINVAL,
				_("covered component %zu is not a string"),
				i + 1);
		if (it->np)
			return cb_error(
				eb, CB_EINVAL,
				_("component parameters (on '%s') are not "
			          "supported"),
				it->v.s);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(items[k].v.s, it->v.s))
				return cb_error(
					eb, CB_EINVAL,
					_("component '%s' is covered twice"),
					it->v.s);
		v = value(ctx, it->v.s);
		if (!v)
			return cb_error(
				eb, CB_EINVAL,
				_("covered component '%s' is not in the "
			          "request"),
				it->v.s);
		if (!value_ok(v))
			return cb_error(
				eb, CB_EINVAL,
				_("component '%s' holds a control character"),
				it->v.s);
		if (ser_bare(base, &it->v) || cb_buf_addf(base, ": %s\n", v))
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	if (cb_buf_addstr(base, "\"@signature-params\": ("))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	for (size_t i = 0; i < m->ni; i++)
		if ((i && cb_buf_add_u8(base, ' ')) ||
		    ser_bare(base, &items[i].v))
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if (cb_buf_add_u8(base, ')') || ser_params(base, d, &m->item))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	return CB_OK;
}

cb_err
cb_httpsig_base(const char *sig_input, const char *label,
                cb_httpsig_lookup value, void *ctx, struct cb_buf *base,
                struct cb_errbuf *eb)
{
	struct sf_dict *d = malloc(sizeof(*d));
	const struct sf_member *m;
	cb_err rc;

	if (!d)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	rc = parse_dict(sig_input, d, eb);
	if (!rc) {
		m = dict_get(d, label);
		rc = m ? build_base(d, m, value, ctx, base, eb)
		       : cb_error(eb, CB_EINVAL,
		                  _("Signature-Input has no '%s' signature"),
		                  label);
	}
	free(d);
	return rc;
}

cb_err
cb_httpsig_signature_bytes(const char *signature, const char *label,
                           unsigned char out[64], struct cb_errbuf *eb)
{
	struct sf_dict *d = malloc(sizeof(*d));
	const struct sf_member *m;
	cb_err rc;

	if (!d)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	rc = parse_dict(signature, d, eb);
	if (!rc) {
		m = dict_get(d, label);
		if (!m)
			rc = cb_error(eb, CB_EINVAL,
			              _("Signature has no '%s' signature"),
			              label);
		else if (m->is_list || m->item.v.type != SF_BYTES ||
		         m->item.v.len != 64)
			rc = cb_error(eb, CB_EINVAL,
			              _("Signature '%s' is not 64 bytes"),
			              label);
		else
			memcpy(out, m->item.v.bytes, 64);
	}
	free(d);
	return rc;
}

char *
cb_content_digest(const void *body, size_t len)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
	                                   sodium_base64_VARIANT_ORIGINAL)];
	char *out = malloc(sizeof(b64) + 16);

	if (!out)
		return NULL;
	crypto_hash_sha256(h, body, len);
	sodium_bin2base64(b64, sizeof(b64), h, sizeof(h),
	                  sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, sizeof(b64) + 16, "sha-256=:%s:", b64);
	return out;
}

cb_err
cb_content_digest_check(const char *header, const void *body, size_t len,
                        struct cb_errbuf *eb)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	struct sf_dict *d;
	const struct sf_member *m;
	cb_err rc;

	if (!header)
		return cb_error(eb, CB_EINVAL, _("no Content-Digest header"));
	if (!(d = malloc(sizeof(*d))))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	rc = parse_dict(header, d, eb);
	if (rc)
		goto out;
	m = dict_get(d, "sha-256");
	if (!m || m->is_list || m->item.v.type != SF_BYTES ||
	    m->item.v.len != sizeof(h)) {
		rc = cb_error(eb, CB_EINVAL,
		              _("Content-Digest has no sha-256 digest"));
		goto out;
	}
	crypto_hash_sha256(h, body, len);
	if (sodium_memcmp(h, m->item.v.bytes, sizeof(h)) != 0)
		rc = cb_error(eb, CB_ECRYPTO,
		              _("Content-Digest does not match the body"));
out:
	free(d);
	return rc;
}

static bool
host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
	       c == '-' || c == '_' || c == '~';
}

cb_err
cb_httpsig_authority(const char *in, char out[CB_HTTPSIG_AUTHORITY_MAX + 1],
                     struct cb_errbuf *eb)
{
	/* a DNS name is at most 253 bytes; ":65535" fits after any host
	 * this holds */
	char host[CB_HTTPSIG_AUTHORITY_MAX - 6 + 1];
	const char *p = in, *port = NULL;
	size_t n = 0;
	unsigned long v = 0;

	if (strlen(in) > CB_HTTPSIG_AUTHORITY_MAX)
		return cb_error(eb, CB_EINVAL,
		                _("the authority '%.64s…' is too long"), in);
	if (*p == '[') { /* an IPv6 literal */
		host[n++] = *p++;
		while (*p && *p != ']') {
			char c = (char)tolower((unsigned char)*p++);

			/* room for it, the ']' and the NUL */
			if (n + 3 > sizeof(host) ||
			    (!isxdigit((unsigned char)c) && c != ':' &&
			     c != '.'))
				goto bad;
			host[n++] = c;
		}
		if (*p != ']' || n == 1)
			goto bad;
		host[n++] = *p++;
	} else {
		while (*p && *p != ':') {
			char c = (char)tolower((unsigned char)*p++);

			if (n + 2 > sizeof(host) || !host_char(c))
				goto bad;
			host[n++] = c;
		}
		if (n == 0)
			goto bad;
	}
	host[n] = 0;
	if (*p == ':')
		port = ++p;
	else if (*p)
		goto bad;
	if (port && *port) {
		if (strspn(port, "0123456789") != strlen(port) ||
		    strlen(port) > 5)
			goto bad;
		v = strtoul(port, NULL, 10);
		if (v < 1 || v > 65535)
			goto bad;
	}
	if (v && v != 443)
		snprintf(out, CB_HTTPSIG_AUTHORITY_MAX + 1, "%s:%lu", host, v);
	else
		snprintf(out, CB_HTTPSIG_AUTHORITY_MAX + 1, "%s", host);
	return CB_OK;
bad:
	return cb_error(eb, CB_EINVAL,
	                _("'%.64s' is not an authority (host or host:port, "
	                  "with a port from 1 to 65535)"),
	                in);
}

/* The values of chibo's components in a request, the authority
 * normalised. */
struct req_ctx {
	const struct cb_httpsig_request *req;
	char authority[CB_HTTPSIG_AUTHORITY_MAX + 1];
	char query[CB_HTTPSIG_MAX + 2];
};

static const char *
req_value(void *arg, const char *name)
{
	struct req_ctx *c = arg;

	if (!strcmp(name, "@method"))
		return c->req->method;
	if (!strcmp(name, "@authority"))
		return c->authority;
	if (!strcmp(name, "@path"))
		return c->req->path;
	if (!strcmp(name, "@query")) {
		snprintf(c->query, sizeof(c->query), "?%s",
		         c->req->query ? c->req->query : "");
		return c->query;
	}
	if (!strcmp(name, "content-digest"))
		return c->req->content_digest;
	return NULL;
}

static const char *const components[] = { "@method", "@authority", "@path",
	                                  "@query", "content-digest" };
#define NCOMPONENTS (sizeof(components) / sizeof(components[0]))

static bool
nonce_ok(const char *s, size_t n)
{
	if (n < 16 || n > CB_HTTPSIG_NONCE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("+/=_-", s[i]))
			return false;
	return true;
}

cb_err
cb_httpsig_sign(const struct cb_httpsig_request *req,
                const unsigned char pk[CB_KEY_BYTES], const unsigned char *sk,
                int64_t created, const char *nonce, char **sig_input,
                char **signature, struct cb_errbuf *eb)
{
	struct cb_buf in = CB_BUF_INIT, base = CB_BUF_INIT, sig = CB_BUF_INIT;
	struct req_ctx ctx = { .req = req };
	unsigned char s[64];
	char key[2 * CB_KEY_BYTES + 1];
	char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
	cb_err rc = CB_ENOMEM;

	if (!nonce_ok(nonce, strlen(nonce)))
		return cb_error(eb, CB_EINVAL,
		                _("a nonce is 16-64 base64 "
		                  "characters"));
	if (!req->authority)
		return cb_error(eb, CB_EINVAL,
		                _("the request has no authority"));
	if (cb_httpsig_authority(req->authority, ctx.authority, eb))
		return CB_EINVAL;
	cb_hex_encode(pk, CB_KEY_BYTES, key);
	if (cb_buf_addf(&in, "%s=(", CB_HTTPSIG_LABEL))
		goto out;
	for (size_t i = 0; i < NCOMPONENTS; i++)
		if (cb_buf_addf(&in, "%s\"%s\"", i ? " " : "", components[i]))
			goto out;
	if (cb_buf_addf(&in,
	                ");created=%" PRId64 ";keyid=\"%s\";nonce=\"%s\";"
	                "alg=\"ed25519\";tag=\"%s\"",
	                created, key, nonce, CB_HTTPSIG_TAG))
		goto out;
	rc = cb_httpsig_base((const char *)in.data, CB_HTTPSIG_LABEL, req_value,
	                     &ctx, &base, eb);
	if (rc)
		goto out;
	crypto_sign_detached(s, NULL, base.data, base.len, sk);
	sodium_bin2base64(b64, sizeof(b64), s, sizeof(s),
	                  sodium_base64_VARIANT_ORIGINAL);
	rc = CB_ENOMEM;
	if (cb_buf_addf(&sig, "%s=:%s:", CB_HTTPSIG_LABEL, b64))
		goto out;
	*sig_input = (char *)cb_buf_detach(&in, NULL);
	*signature = (char *)cb_buf_detach(&sig, NULL);
	rc = CB_OK;
out:
	if (rc == CB_ENOMEM)
		cb_error(eb, rc, _("out of memory"));
	cb_buf_release(&in);
	cb_buf_release(&base);
	cb_buf_release(&sig);
	return rc;
}

static const struct sf_param *
param(const struct sf_dict *d, const struct sf_item *it, const char *key)
{
	for (size_t i = it->p0; i < it->p0 + it->np; i++)
		if (!strcmp(d->params[i].key, key))
			return &d->params[i];
	return NULL;
}

/* chibo's rules on the parsed Signature-Input member. */
static cb_err
check_profile(const struct sf_dict *d, const struct sf_member *m, int64_t now,
              int64_t window, struct cb_httpsig_params *p, struct cb_errbuf *eb)
{
	const struct sf_item *items = d->items + m->i0;
	const struct sf_param *created, *keyid, *nonce, *alg, *tag, *expires;

	if (!m->is_list)
		return cb_error(eb, CB_EINVAL,
		                _("Signature-Input '%s' is not an "
		                  "inner list"),
		                CB_HTTPSIG_LABEL);
	if (m->ni != NCOMPONENTS)
		return cb_error(
			eb, CB_EINVAL,
			_("the signature covers %zu components; chibo "
		          "requires exactly @method @authority @path @query "
		          "content-digest"),
			m->ni);
	for (size_t i = 0; i < NCOMPONENTS; i++) {
		size_t k;

		for (k = 0; k < m->ni; k++)
			if (items[k].v.type == SF_STRING &&
			    !strcmp(items[k].v.s, components[i]))
				break;
		if (k == m->ni)
			return cb_error(eb, CB_EINVAL,
			                _("the signature does not cover '%s'"),
			                components[i]);
	}
	for (size_t i = m->item.p0; i < m->item.p0 + m->item.np; i++) {
		const char *k = d->params[i].key;

		if (strcmp(k, "created") && strcmp(k, "keyid") &&
		    strcmp(k, "nonce") && strcmp(k, "alg") &&
		    strcmp(k, "tag") && strcmp(k, "expires"))
			return cb_error(eb, CB_EINVAL,
			                _("unknown signature parameter '%s'"),
			                k);
	}
	created = param(d, &m->item, "created");
	keyid = param(d, &m->item, "keyid");
	nonce = param(d, &m->item, "nonce");
	alg = param(d, &m->item, "alg");
	tag = param(d, &m->item, "tag");
	expires = param(d, &m->item, "expires");
	if (!created || created->v.type != SF_INT)
		return cb_error(eb, CB_EINVAL,
		                _("the signature has no created "
		                  "time"));
	if (created->v.i < now - window || created->v.i > now + SIG_SKEW)
		return cb_error(
			eb, CB_EINVAL,
			_("the signature was created at %lld, outside the "
		          "accepted window around %lld (check the clock)"),
			(long long)created->v.i, (long long)now);
	if (expires && (expires->v.type != SF_INT || expires->v.i < now))
		return cb_error(eb, CB_EINVAL, _("the signature has expired"));
	if (!keyid || keyid->v.type != SF_STRING ||
	    keyid->v.len != 2 * CB_KEY_BYTES ||
	    cb_hex_decode(keyid->v.s, p->key, CB_KEY_BYTES, NULL))
		return cb_error(eb, CB_EINVAL,
		                _("the signature's keyid is not "
		                  "a 64-hex-digit Ed25519 key"));
	if (!nonce || nonce->v.type != SF_STRING ||
	    !nonce_ok(nonce->v.s, nonce->v.len))
		return cb_error(eb, CB_EINVAL,
		                _("the signature has no nonce of 16-64 base64 "
		                  "characters"));
	if (!alg)
		return cb_error(eb, CB_EINVAL,
		                _("the signature has no alg; chibo requires "
		                  "alg=\"ed25519\""));
	if (alg->v.type != SF_STRING || strcmp(alg->v.s, "ed25519"))
		return cb_error(eb, CB_EINVAL,
		                _("the signature's alg is not "
		                  "ed25519"));
	if (!tag || tag->v.type != SF_STRING ||
	    strcmp(tag->v.s, CB_HTTPSIG_TAG))
		return cb_error(eb, CB_EINVAL,
		                _("the signature's tag is not '%s'"),
		                CB_HTTPSIG_TAG);
	p->created = created->v.i;
	memcpy(p->nonce, nonce->v.s, nonce->v.len);
	p->nonce[nonce->v.len] = 0;
	return CB_OK;
}

cb_err
cb_httpsig_verify(const struct cb_httpsig_request *req, const char *sig_input,
                  const char *signature, int64_t now, int64_t window,
                  struct cb_httpsig_params *out, struct cb_errbuf *eb)
{
	struct cb_httpsig_params p;
	struct req_ctx ctx = { .req = req };
	struct cb_buf base = CB_BUF_INIT;
	struct sf_dict *d;
	const struct sf_member *m;
	unsigned char s[64];
	cb_err rc;

	if (!sig_input || !signature)
		return cb_error(eb, CB_EINVAL,
		                _("the request is not signed "
		                  "(Signature-Input and Signature "
		                  "are required)"));
	if (!req->content_digest)
		return cb_error(eb, CB_EINVAL, _("no Content-Digest header"));
	if (!req->authority)
		return cb_error(eb, CB_EINVAL, _("no Host header"));
	if (cb_httpsig_authority(req->authority, ctx.authority, eb))
		return CB_EINVAL;
	if (!(d = malloc(sizeof(*d))))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	memset(&p, 0, sizeof(p));
	rc = parse_dict(sig_input, d, eb);
	if (rc)
		goto out;
	if (!(m = dict_get(d, CB_HTTPSIG_LABEL))) {
		rc = cb_error(eb, CB_EINVAL,
		              _("Signature-Input has no '%s' signature"),
		              CB_HTTPSIG_LABEL);
		goto out;
	}
	if ((rc = check_profile(d, m, now, window, &p, eb)) ||
	    (rc = build_base(d, m, req_value, &ctx, &base, eb)) ||
	    (rc = cb_httpsig_signature_bytes(signature, CB_HTTPSIG_LABEL, s,
	                                     eb)))
		goto out;
	if (crypto_sign_verify_detached(s, base.data, base.len, p.key) != 0) {
		rc = cb_error(eb, CB_ECRYPTO,
		              _("the request signature does not verify"));
		goto out;
	}
	*out = p;
out:
	cb_buf_release(&base);
	free(d);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* entry.c — encoding, decoding, signing and verifying entry v1 (the layout is
 * in docs/PROTOCOL.md, "Entry v1"). Ed25519 (RFC 8032) and SHA-256 come from
 * libsodium; the body is JSON (RFC 8259) parsed by jansson. Decoding is
 * strict: an entry has exactly one valid encoding of its envelope. */
#include "entry.h"

#include <string.h>

#include <nettle/sha2.h>
#include <sodium.h>

#include "buf.h"
#include "text.h"

#define BODY_DEPTH_MAX 32
#define JSON_INT_MAX 9007199254740991LL /* 2^53 - 1: exact in any JSON */

void
cb_entry_init(struct cb_entry *e)
{
	memset(e, 0, sizeof(*e));
}

void
cb_entry_release(struct cb_entry *e)
{
	if (!e)
		return;
	json_decref(e->json);
	free(e->bytes);
	cb_entry_init(e);
}

static bool
op_valid(const char *op, size_t n)
{
	if (n < 1 || n > CB_OP_MAX || op[0] < 'a' || op[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = op[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* Every string NFC, no reals, integers exact, bounded depth. */
static cb_err
body_check(const json_t *v, int depth, struct cb_errbuf *eb)
{
	const char *key;
	json_t *item;
	size_t i;

	if (depth > BODY_DEPTH_MAX)
		return cb_error(eb, CB_EINVAL, _("body nests deeper than %d"),
		                BODY_DEPTH_MAX);
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, item)
		{
			if (!cb_text_is_nfc(key))
				return cb_error(
					eb, CB_EINVAL,
					_("body key '%.60s' is not NFC"), key);
			if (body_check(item, depth + 1, eb))
				return CB_EINVAL;
		}
		return CB_OK;
	case JSON_ARRAY:
		json_array_foreach(v, i, item)
		{
			if (body_check(item, depth + 1, eb))
				return CB_EINVAL;
		}
		return CB_OK;
	case JSON_STRING:
		if (!cb_utf8_valid(json_string_value(v), json_string_length(v)))
			return cb_error(eb, CB_EINVAL,
			                _("body string is not valid UTF-8"));
		if (!cb_text_is_nfc(json_string_value(v)))
			return cb_error(eb, CB_EINVAL,
			                _("body string '%.60s' is not NFC"),
			                json_string_value(v));
		return CB_OK;
	case JSON_INTEGER:
		if (json_integer_value(v) > JSON_INT_MAX ||
		    json_integer_value(v) < -JSON_INT_MAX)
			return cb_error(eb, CB_EINVAL,
			                _("body integer %lld is outside "
			                  "+-(2^53-1)"),
			                (long long)json_integer_value(v));
		return CB_OK;
	case JSON_REAL:
		return cb_error(eb, CB_EINVAL,
		                _("body holds a real number; only integers are "
		                  "allowed"));
	default: return CB_OK;
	}
}

/* --- the body scanned without building its tree ---------------------------
 * A body that the scan accepts is one that json_loadb and body_check accept
 * too: the scan is a subset of both, and says "unsure" (false) for anything
 * else (white space, escapes, reals, "-0", long integers, keys out of byte
 * order, control characters, depth past BODY_DEPTH_MAX), which then takes
 * the full parse and its precise message. Canonical bodies (cb_entry_build:
 * compact, keys sorted) have none of those, so every entry a replica
 * writes passes the scan. Sorted keys also mean no duplicates. The input is
 * valid UTF-8 without NUL (cb_utf8_valid first). */

struct scan {
	const unsigned char *p, *end;
	bool check; /* false: walking a body already scanned */
	/* cb_entry_body_string: the walk stops at this top-level key, with
	 * its string value in found (NULL if the value is not a string). */
	const char *want;
	size_t want_len;
	const unsigned char *found;
	size_t found_len;
};

/* A string at s->p (a quote): its bytes into *str and *len, past the end.
 * False for escapes or control characters, or a string that is not NFC. */
static bool
scan_string(struct scan *s, const unsigned char **str, size_t *len)
{
	const unsigned char *q = ++s->p;
	bool ascii = true;

	for (; q < s->end && *q != '"'; q++) {
		if (*q == '\\' || *q < 0x20)
			return false;
		ascii &= *q < 0x80;
	}
	if (q == s->end)
		return false;
	*str = s->p;
	*len = (size_t)(q - s->p);
	s->p = q + 1;
	return !s->check || ascii || cb_text_is_nfc_n((const char *)*str, *len);
}

/* An integer within +-JSON_INT_MAX, in jansson's grammar and not "-0". */
static bool
scan_integer(struct scan *s)
{
	const unsigned char *q = s->p, *d;
	uint64_t v = 0;

	if (q < s->end && *q == '-')
		q++;
	d = q;
	if (q == s->end || *q < '0' || *q > '9' || (*q == '0' && d != s->p))
		return false;
	if (*q == '0')
		q++;
	else
		for (; q < s->end && *q >= '0' && *q <= '9'; q++) {
			if (q - d >= 16)
				return false;
			v = v * 10 + (uint64_t)(*q - '0');
		}
	if (v > JSON_INT_MAX ||
	    (q < s->end &&
	     (*q == '.' || *q == 'e' || *q == 'E' || (*q >= '0' && *q <= '9'))))
		return false;
	s->p = q;
	return true;
}

static bool
scan_word(struct scan *s, const char *w, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n))
		return false;
	s->p += n;
	return true;
}

static bool scan_value(struct scan *s, int depth);

static bool
scan_object(struct scan *s, int depth)
{
	const unsigned char *key, *last = NULL;
	size_t klen, last_len = 0;

	if (++s->p < s->end && *s->p == '}') {
		s->p++;
		return true;
	}
	for (;;) {
		if (s->p == s->end || *s->p != '"' ||
		    !scan_string(s, &key, &klen))
			return false;
		if (s->check && last) {
			int c = memcmp(last, key,
			               klen < last_len ? klen : last_len);

			if (c > 0 || (c == 0 && last_len >= klen))
				return false; /* out of order, or twice */
		}
		last = key;
		last_len = klen;
		if (s->p == s->end || *s->p++ != ':')
			return false;
		if (s->want && depth == 0 && klen == s->want_len &&
		    !memcmp(key, s->want, klen)) {
			if (s->p < s->end && *s->p == '"' &&
			    !scan_string(s, &s->found, &s->found_len))
				s->found = NULL;
			return false; /* found, or not a string: stop */
		}
		if (!scan_value(s, depth + 1) || s->p == s->end)
			return false;
		if (*s->p == '}') {
			s->p++;
			return true;
		}
		if (*s->p++ != ',')
			return false;
	}
}

static bool
scan_array(struct scan *s, int depth)
{
	if (++s->p < s->end && *s->p == ']') {
		s->p++;
		return true;
	}
	for (;;) {
		if (!scan_value(s, depth + 1) || s->p == s->end)
			return false;
		if (*s->p == ']') {
			s->p++;
			return true;
		}
		if (*s->p++ != ',')
			return false;
	}
}

/* A value at depth (body_check's: the body is 0). */
static bool
scan_value(struct scan *s, int depth)
{
	const unsigned char *str;
	size_t len;

	if (depth > BODY_DEPTH_MAX || s->p == s->end)
		return false;
	switch (*s->p) {
	case '{': return scan_object(s, depth);
	case '[': return scan_array(s, depth);
	case '"': return scan_string(s, &str, &len);
	case 't': return scan_word(s, "true", 4);
	case 'f': return scan_word(s, "false", 5);
	case 'n': return scan_word(s, "null", 4);
	default: return scan_integer(s);
	}
}

/* Does the scan accept the body p[0..n) as it is? */
static bool
body_scan(const char *p, size_t n)
{
	struct scan s = { .p = (const unsigned char *)p,
		          .end = (const unsigned char *)p + n,
		          .check = true };

	return n && *p == '{' && scan_object(&s, 0) && s.p == s.end;
}

/* --- the tree of a body the scan accepted ---------------------------------
 * What json_loadb gives for it, built without jansson's lexer: the scan
 * has checked everything (no escapes, keys sorted and unique, integers
 * within +-JSON_INT_MAX, valid UTF-8 and NFC), so this walk only builds.
 * Keys go in in the body's order, as json_loadb puts them. NULL if memory
 * runs out. */

static json_t *build_value(const unsigned char **pp, const unsigned char *end);

static json_t *
build_string(const unsigned char **pp, const unsigned char *end)
{
	const unsigned char *q = *pp + 1,
			    *close = memchr(q, '"', (size_t)(end - q));

	*pp = close + 1;
	return json_stringn_nocheck((const char *)q, (size_t)(close - q));
}

static json_t *
build_integer(const unsigned char **pp)
{
	const unsigned char *q = *pp;
	bool neg = *q == '-';
	json_int_t v = 0;

	for (q += neg; *q >= '0' && *q <= '9'; q++)
		v = v * 10 + (*q - '0');
	*pp = q;
	return json_integer(neg ? -v : v);
}

static json_t *
build_object(const unsigned char **pp, const unsigned char *end)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (*++*pp == '}') {
		++*pp;
		return o;
	}
	for (;;) {
		const unsigned char *key = *pp + 1,
				    *close = memchr(key, '"',
		                                    (size_t)(end - key));
		json_t *v;

		*pp = close + 2; /* past the quote and the colon */
		if (!(v = build_value(pp, end)) ||
		    json_object_setn_new_nocheck(o, (const char *)key,
		                                 (size_t)(close - key), v)) {
			json_decref(o);
			return NULL;
		}
		if (*(*pp)++ == '}')
			return o;
	}
}

static json_t *
build_array(const unsigned char **pp, const unsigned char *end)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	if (*++*pp == ']') {
		++*pp;
		return a;
	}
	for (;;) {
		json_t *v = build_value(pp, end);

		if (!v || json_array_append_new(a, v)) {
			json_decref(a);
			return NULL;
		}
		if (*(*pp)++ == ']')
			return a;
	}
}

static json_t *
build_value(const unsigned char **pp, const unsigned char *end)
{
	switch (**pp) {
	case '{': return build_object(pp, end);
	case '[': return build_array(pp, end);
	case '"': return build_string(pp, end);
	case 't': *pp += 4; return json_true();
	case 'f': *pp += 5; return json_false();
	case 'n': *pp += 4; return json_null();
	default: return build_integer(pp);
	}
}

/* Decode p[0..n). With known_body (from cb_entry_build, whose body bytes
 * are the canonical dump of it, already checked) the body is not parsed
 * back: the entry shares that object. With lazy_op, an entry of that op
 * (any op: "") whose body the scan accepts keeps no tree (cb_entry_body). */
static cb_err
decode(const unsigned char *p, size_t n, const json_t *known_body,
       const char *lazy_op, struct cb_entry *out, struct cb_errbuf *eb)
{
	struct cb_entry e = CB_ENTRY_INIT;
	json_error_t jerr;
	size_t off = 0, oplen, body_at;
	uint32_t body_len;
	cb_err rc = CB_EINVAL;

	if (n > CB_ENTRY_MAX)
		return cb_error(eb, CB_ETOOBIG,
		                _("entry is %zu bytes, over the limit of %d"),
		                n, CB_ENTRY_MAX);
	if (n < CB_ENTRY_MIN)
		return cb_error(
			eb, CB_EINVAL,
			_("entry is truncated: %zu bytes, at least %d needed"),
			n, CB_ENTRY_MIN);
	if (memcmp(p, CB_ENTRY_MAGIC, CB_ENTRY_MAGIC_LEN) != 0)
		return cb_error(eb, CB_EINVAL,
		                _("entry does not start with magic 'CBE1'"));
	off = CB_ENTRY_MAGIC_LEN;
	memcpy(e.author, p + off, CB_KEY_BYTES);
	off += CB_KEY_BYTES;
	e.seq = cb_be_get(p + off, 8);
	off += 8;
	e.time_ms = (int64_t)cb_be_get(p + off, 8);
	off += 8;
	if (e.seq < 1 || e.seq > CB_SEQ_MAX)
		return cb_error(eb, CB_EINVAL,
		                _("entry seq %llu is outside 1..2^63-1"),
		                (unsigned long long)e.seq);
	if (e.time_ms < 0)
		return cb_error(eb, CB_EINVAL, _("entry time is before 1970"));
	e.has_prev = e.seq > 1;
	if (e.has_prev) {
		if (n - off < CB_HASH_BYTES + CB_SIG_BYTES)
			goto truncated;
		memcpy(e.prev, p + off, CB_HASH_BYTES);
		off += CB_HASH_BYTES;
	}
	/* op_len(1) op ndeps(2) deps body_len(4) body sig(64) */
	if (n - off < 1 + CB_SIG_BYTES)
		goto truncated;
	oplen = p[off++];
	if (n - off < oplen + 2 + 4 + CB_SIG_BYTES)
		goto truncated;
	if (!op_valid((const char *)p + off, oplen))
		return cb_error(
			eb, CB_EINVAL,
			_("entry op is not 1-64 characters of a-z 0-9 . - _ "
		          "starting with a letter"));
	memcpy(e.op, p + off, oplen);
	e.op[oplen] = 0;
	off += oplen;
	e.ndeps = (size_t)p[off] << 8 | p[off + 1];
	off += 2;
	if (e.ndeps > CB_DEPS_MAX)
		return cb_error(eb, CB_EINVAL, _("entry has %zu deps, over %d"),
		                e.ndeps, CB_DEPS_MAX);
	if (n - off < e.ndeps * CB_HASH_BYTES + 4 + CB_SIG_BYTES)
		goto truncated;
	for (size_t i = 1; i < e.ndeps; i++) {
		if (memcmp(p + off + (i - 1) * CB_HASH_BYTES,
		           p + off + i * CB_HASH_BYTES, CB_HASH_BYTES) >= 0)
			return cb_error(
				eb, CB_EINVAL,
				_("entry deps are not sorted and unique"));
	}
	size_t deps_at = off;
	off += e.ndeps * CB_HASH_BYTES;
	body_len = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 |
	           (uint32_t)p[off + 2] << 8 | p[off + 3];
	off += 4;
	if (n - off < CB_SIG_BYTES || body_len != n - off - CB_SIG_BYTES) {
		if (n - off < (size_t)body_len + CB_SIG_BYTES)
			goto truncated;
		return cb_error(eb, CB_EINVAL,
		                _("entry has %zu bytes after its signature"),
		                n - off - CB_SIG_BYTES - body_len);
	}
	body_at = off;
	if (known_body) {
		e.json = json_incref((json_t *)known_body);
	} else if (!cb_utf8_valid((const char *)p + body_at, body_len)) {
		return cb_error(eb, CB_EINVAL,
		                _("entry body is not valid UTF-8"));
	} else if (body_scan((const char *)p + body_at, body_len)) {
		const unsigned char *at = p + body_at;

		/* lazy: cb_entry_body parses it when asked */
		if (!lazy_op || (*lazy_op && strcmp(lazy_op, e.op))) {
			e.json = build_value(&at, p + body_at + body_len);
			if (!e.json)
				return cb_error(eb, CB_ENOMEM,
				                _("out of memory decoding an "
				                  "entry"));
		}
	} else {
		e.json = json_loadb((const char *)p + body_at, body_len,
		                    JSON_REJECT_DUPLICATES, &jerr);
		if (!e.json)
			return cb_error(eb, CB_EINVAL,
			                _("entry body is not JSON: %s"),
			                jerr.text);
		if (!json_is_object(e.json)) {
			cb_error(eb, CB_EINVAL,
			         _("entry body is not a JSON object"));
			goto out;
		}
		if (body_check(e.json, 0, eb))
			goto out;
	}
	e.bytes = malloc(n);
	if (!e.bytes) {
		rc = cb_error(eb, CB_ENOMEM,
		              _("out of memory decoding an entry"));
		goto out;
	}
	memcpy(e.bytes, p, n);
	e.len = n;
	e.deps = (unsigned char(*)[CB_HASH_BYTES])(e.bytes + deps_at);
	e.body = (const char *)e.bytes + body_at;
	e.body_len = body_len;
	e.sig = e.bytes + n - CB_SIG_BYTES;
	{
		/* nettle: the CPU's SHA extensions (merkle.c) */
		struct sha256_ctx h;

		sha256_init(&h);
		sha256_update(&h, n, e.bytes);
		sha256_digest(&h, CB_HASH_BYTES, e.id);
	}
	cb_entry_release(out);
	*out = e;
	return CB_OK;
truncated:
	return cb_error(
		eb, CB_EINVAL,
		_("entry is truncated: it ends at byte %zu inside a field"), n);
out:
	cb_entry_release(&e);
	return rc;
}

cb_err
cb_entry_decode(const unsigned char *p, size_t n, struct cb_entry *e,
                struct cb_errbuf *eb)
{
	return decode(p, n, NULL, NULL, e, eb);
}

cb_err
cb_entry_decode_lazy(const unsigned char *p, size_t n, const char *op,
                     struct cb_entry *e, struct cb_errbuf *eb)
{
	return decode(p, n, NULL, op ? op : "", e, eb);
}

json_t *
cb_entry_body(const struct cb_entry *e)
{
	/* The tree is a cache of the entry's own bytes, filled in once: e
	 * is const to its readers, not in memory (decode mallocs it). */
	struct cb_entry *m = (struct cb_entry *)e;

	if (!m->json && m->bytes) {
		/* kept without a tree only when the scan accepted it */
		const unsigned char *at = (const unsigned char *)m->body;

		m->json = build_value(&at, at + m->body_len);
	}
	return m->json;
}

bool
cb_entry_body_string(const struct cb_entry *e, const char *key,
                     const char **str, size_t *len)
{
	struct scan s = { .p = (const unsigned char *)e->body,
		          .end = (const unsigned char *)e->body + e->body_len,
		          .want = key,
		          .want_len = strlen(key) };

	if (e->json) {
		json_t *v = json_object_get(e->json, key);

		if (!json_is_string(v))
			return false;
		*str = json_string_value(v);
		*len = json_string_length(v);
		return true;
	}
	/* Scanned at decode: no escapes, so a string is its bytes. */
	if (!e->bytes || s.p == s.end || *s.p != '{')
		return false;
	(void)scan_object(&s, 0);
	if (!s.found)
		return false;
	*str = (const char *)s.found;
	*len = s.found_len;
	return true;
}

cb_err
cb_entry_verify_signature(const struct cb_entry *e, struct cb_errbuf *eb)
{
	if (crypto_sign_verify_detached(e->sig, e->bytes, e->len - CB_SIG_BYTES,
	                                e->author) != 0) {
		char a[13];

		cb_hash_short(e->author, a);
		return cb_error(eb, CB_ECRYPTO,
		                _("entry %llu of author %s: the signature "
		                  "does not verify"),
		                (unsigned long long)e->seq, a);
	}
	return CB_OK;
}

char *
cb_entry_body_dump(const json_t *body)
{
	return json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
}

cb_err
cb_entry_build(const struct cb_entry_fields *f, struct cb_entry *e,
               struct cb_errbuf *eb)
{
	struct cb_buf b = CB_BUF_INIT;
	unsigned char sig[CB_SIG_BYTES];
	char *body = NULL;
	size_t oplen = strlen(f->op), body_len;
	cb_err rc = CB_ENOMEM;

	if ((f->seq == 1) != (f->prev == NULL))
		return cb_error(eb, CB_EINVAL,
		                _("prev must be given exactly when seq > 1"));
	if (!op_valid(f->op, oplen))
		return cb_error(eb, CB_EINVAL,
		                _("op '%.70s' is not a valid op"), f->op);
	if (f->ndeps > CB_DEPS_MAX)
		return cb_error(eb, CB_EINVAL, _("too many deps"));
	if (!json_is_object(f->body))
		return cb_error(eb, CB_EINVAL, _("body is not a JSON object"));
	if (body_check(f->body, 0, eb))
		return CB_EINVAL;
	body = cb_entry_body_dump(f->body);
	if (!body)
		return cb_error(eb, CB_EINVAL,
		                _("body cannot be encoded as JSON"));
	body_len = strlen(body);
	if (body_len > CB_ENTRY_MAX)
		goto toobig;
	if (cb_buf_add(&b, CB_ENTRY_MAGIC, CB_ENTRY_MAGIC_LEN) ||
	    cb_buf_add(&b, f->author, CB_KEY_BYTES) ||
	    cb_buf_add_be64(&b, f->seq) ||
	    cb_buf_add_be64(&b, (uint64_t)f->time_ms) ||
	    (f->prev && cb_buf_add(&b, f->prev, CB_HASH_BYTES)) ||
	    cb_buf_add_u8(&b, (uint8_t)oplen) || cb_buf_add(&b, f->op, oplen) ||
	    cb_buf_add_be16(&b, (uint16_t)f->ndeps) ||
	    (f->ndeps && cb_buf_add(&b, f->deps, f->ndeps * CB_HASH_BYTES)) ||
	    cb_buf_add_be32(&b, (uint32_t)body_len) ||
	    cb_buf_add(&b, body, body_len)) {
		cb_error(eb, CB_ENOMEM, _("out of memory encoding an entry"));
		goto out;
	}
	if (b.len + CB_SIG_BYTES > CB_ENTRY_MAX)
		goto toobig;
	crypto_sign_detached(sig, NULL, b.data, b.len, f->secret_key);
	if (cb_buf_add(&b, sig, sizeof(sig))) {
		cb_error(eb, CB_ENOMEM, _("out of memory encoding an entry"));
		goto out;
	}
	rc = decode(b.data, b.len, f->body, NULL, e, eb);
	goto out;
toobig:
	rc = cb_error(eb, CB_ETOOBIG,
	              _("operation '%s' would make an entry over %d bytes"),
	              f->op, CB_ENTRY_MAX);
out:
	sodium_memzero(sig, sizeof(sig));
	free(body);
	cb_buf_release(&b);
	return rc;
}

void
cb_hash_short(const unsigned char *h, char out[13])
{
	cb_hex_encode(h, 6, out);
}

void
cb_hash_hex(const unsigned char *h, char out[CB_HASH_HEX])
{
	cb_hex_encode(h, CB_HASH_BYTES, out);
}

/* SPDX-License-Identifier: MIT */
/* text.c — Vietnamese-aware text: a strict UTF-8 validator (Unicode §3.9,
 * Table 3-7: no overlongs, surrogates, code points above U+10FFFF or NUL),
 * NFC normalisation (UAX #15) and case folding by utf8proc, search keys that
 * ignore case and diacritics (đ/Đ fold to d, which no Unicode decomposition
 * does), and terminal widths (UAX #11 East Asian Width, as utf8proc has it).
 * White space is the Unicode White_Space property: Zs, Zl, Zp, U+0009..000D
 * and U+0085. */
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/* Longest canonical decomposition of one code point is 4; leave room. */
#define DECOMPOSE_MAX 16

/* Offset of the first byte of the first ill-formed sequence in p[0..n), or n
 * when all of it is well-formed UTF-8 without NUL. */
static size_t
utf8_invalid_at(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i], lo = 0x80, hi = 0xBF;
		size_t len;

		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
		} else if (c == 0xE0) {
			len = 3;
			lo = 0xA0; /* below is an overlong */
		} else if (c == 0xED) {
			len = 3;
			hi = 0x9F; /* above are surrogates */
		} else if (c >= 0xE1 && c <= 0xEF) {
			len = 3;
		} else if (c == 0xF0) {
			len = 4;
			lo = 0x90; /* below is an overlong */
		} else if (c >= 0xF1 && c <= 0xF3) {
			len = 4;
		} else if (c == 0xF4) {
			len = 4;
			hi = 0x8F; /* above is past U+10FFFF */
		} else {
			return i; /* continuation byte, C0, C1 or F5..FF */
		}
		if (n - i < len)
			return i;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return i;
		for (size_t k = 2; k < len; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xBF)
				return i;
		i += len;
	}
	return n;
}

bool
cb_utf8_valid(const char *s, size_t n)
{
	return utf8_invalid_at((const unsigned char *)s, n) == n;
}

/* Decode the code point at s[*i] (s[0..n) is valid UTF-8) and advance *i.
 * An ill-formed byte, which a caller's precondition rules out, comes back as
 * -1 and is stepped over alone so loops always terminate. */
static utf8proc_int32_t
next_code_point(const char *s, size_t n, size_t *i)
{
	utf8proc_int32_t cp;
	utf8proc_ssize_t k;

	k = utf8proc_iterate((const utf8proc_uint8_t *)s + *i,
	                     (utf8proc_ssize_t)(n - *i), &cp);
	if (k <= 0) {
		(*i)++;
		return -1;
	}
	*i += (size_t)k;
	return cp;
}

static bool
is_white_space(utf8proc_int32_t cp)
{
	utf8proc_category_t cat;

	if ((cp >= 0x09 && cp <= 0x0D) || cp == 0x85)
		return true;
	if (cp < 0)
		return false;
	cat = utf8proc_category(cp);
	return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
	       cat == UTF8PROC_CATEGORY_ZP;
}

static bool
is_mark(utf8proc_int32_t cp)
{
	utf8proc_category_t cat = utf8proc_category(cp);

	return cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_MC ||
	       cat == UTF8PROC_CATEGORY_ME;
}

static bool
is_d_with_stroke(utf8proc_int32_t cp)
{
	return cp == 0x0110 || cp == 0x0111;
}

/* Validate s, then run utf8proc_map over it with options. *out is malloc'd
 * and NUL-terminated; it is written only on success. */
static cb_err
text_map(const char *s, utf8proc_option_t options, char **out,
         struct cb_errbuf *eb)
{
	size_t n = strlen(s), bad;
	utf8proc_uint8_t *dst = NULL;
	utf8proc_ssize_t r;

	bad = utf8_invalid_at((const unsigned char *)s, n);
	if (bad < n)
		return cb_error(eb, CB_EINVAL,
		                _("invalid UTF-8 at byte %zu; the text must be "
		                  "saved as UTF-8"),
		                bad);
	if (n > (size_t)(PTRDIFF_MAX / 16))
		return cb_error(eb, CB_ETOOBIG,
		                _("text of %zu bytes is too long to normalise"),
		                n);
	r = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &dst,
	                 options | UTF8PROC_STABLE);
	if (r < 0) {
		if (r == UTF8PROC_ERROR_NOMEM)
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		return cb_error(eb, CB_EINVAL, _("cannot normalise text: %s"),
		                utf8proc_errmsg(r));
	}
	*out = (char *)dst;
	return CB_OK;
}

/* In place: each run of white space becomes one ASCII space, none at either
 * end; with fold_d, đ and Đ become 'd'. The string only ever shrinks. */
static void
collapse_space(char *s, bool fold_d)
{
	size_t n = strlen(s), r = 0, w = 0;
	bool space = false;

	while (r < n) {
		size_t start = r;
		utf8proc_int32_t cp = next_code_point(s, n, &r);

		if (is_white_space(cp)) {
			space = true;
			continue;
		}
		if (space && w > 0)
			s[w++] = ' ';
		space = false;
		if (fold_d && is_d_with_stroke(cp)) {
			s[w++] = 'd';
			continue;
		}
		memmove(s + w, s + start, r - start);
		w += r - start;
	}
	s[w] = 0;
}

bool
cb_text_is_nfc(const char *s)
{
	return cb_text_is_nfc_n(s, strlen(s));
}

bool
cb_text_is_nfc_n(const char *s, size_t n)
{
	/* Code points, decomposed then composed in place: most strings fit,
	 * and nothing is allocated. */
	utf8proc_int32_t buf[128];
	utf8proc_ssize_t m, k;
	size_t i = 0;
	char *copy, *nfc = NULL;
	bool same;

	/* Plain ASCII is always NFC: skip utf8proc for the common case. */
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			break;
	if (i == n)
		return true;
	m = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n,
	                       buf, 128, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	if (m >= 0 && m <= 128) {
		m = utf8proc_normalize_utf32(
			buf, m, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
		for (i = 0, k = 0; m >= 0 && i < n && k < m; k++)
			if (next_code_point(s, n, &i) != buf[k])
				return false;
		return m >= 0 && i == n && k == m;
	}
	/* Long, or not UTF-8 (text_map says so): the whole string mapped. */
	if (!(copy = malloc(n + 1)))
		return false;
	memcpy(copy, s, n);
	copy[n] = 0;
	same = !text_map(copy, UTF8PROC_COMPOSE, &nfc, NULL) &&
	       strcmp(copy, nfc) == 0;
	free(nfc);
	free(copy);
	return same;
}

cb_err
cb_text_nfc(const char *s, char **out, struct cb_errbuf *eb)
{
	return text_map(s, UTF8PROC_COMPOSE, out, eb);
}

cb_err
cb_text_fold(const char *s, char **out, struct cb_errbuf *eb)
{
	char *t = NULL;
	cb_err rc;

	/* utf8proc decomposes each character, drops the marks and case-folds,
	 * then composes what is left, so the key comes out in NFC. */
	rc = text_map(s,
	              UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD,
	              &t, eb);
	if (rc)
		return rc;
	collapse_space(t, true);
	*out = t;
	return CB_OK;
}

cb_err
cb_text_lower(const char *s, char **out, struct cb_errbuf *eb)
{
	char *t = NULL;
	cb_err rc;

	/* Case folding can leave a decomposed sequence (U+01F0 folds to
	 * j + U+030C); in one utf8proc_map call the folding happens while
	 * decomposing and composition runs last, so the result is NFC.
	 * Collapsing white space afterwards only replaces or drops spaces,
	 * which take part in no canonical composition, so it stays NFC. */
	rc = text_map(s, UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD, &t, eb);
	if (rc)
		return rc;
	collapse_space(t, false);
	*out = t;
	return CB_OK;
}

bool
cb_text_has_diacritics(const char *s)
{
	size_t n = strlen(s), i = 0;

	while (i < n) {
		utf8proc_int32_t cp = next_code_point(s, n, &i);
		utf8proc_int32_t dec[DECOMPOSE_MAX];
		utf8proc_ssize_t k;
		int boundclass = 0;

		if (cp < 0)
			continue;
		if (is_d_with_stroke(cp))
			return true;
		k = utf8proc_decompose_char(cp, dec, DECOMPOSE_MAX,
		                            UTF8PROC_DECOMPOSE, &boundclass);
		if (k < 0 || k > DECOMPOSE_MAX)
			continue;
		for (utf8proc_ssize_t j = 0; j < k; j++)
			if (is_mark(dec[j]))
				return true;
	}
	return false;
}

bool
cb_text_match(const char *name, const char *query)
{
	char *folded = NULL, *lowered = NULL, *q = NULL, *tok, *end;
	bool found = false;

	if (cb_text_fold(name, &folded, NULL) ||
	    cb_text_lower(name, &lowered, NULL) ||
	    cb_text_lower(query, &q, NULL))
		goto out;
	/* cb_text_lower left single ASCII spaces between tokens. */
	found = true;
	for (tok = q; found && *tok; tok = end) {
		char *key = NULL;

		end = strchr(tok, ' ');
		if (end)
			*end++ = 0;
		else
			end = tok + strlen(tok);
		if (cb_text_has_diacritics(tok)) {
			found = strstr(lowered, tok) != NULL;
			continue;
		}
		if (cb_text_fold(tok, &key, NULL)) {
			found = false;
			break;
		}
		found = strstr(folded, key) != NULL;
		free(key);
	}
out:
	free(folded);
	free(lowered);
	free(q);
	return found;
}

static size_t
char_width(utf8proc_int32_t cp)
{
	int w;

	if (cp < 0)
		return 1; /* a stray byte shows as one replacement character */
	if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CC)
		return 0;
	w = utf8proc_charwidth(cp);
	return w > 0 ? (size_t)w : 0;
}

size_t
cb_text_width(const char *s)
{
	size_t n = strlen(s), i = 0, width = 0;

	while (i < n)
		width += char_width(next_code_point(s, n, &i));
	return width;
}

char *
cb_text_truncate(const char *s, size_t cols)
{
	static const char ellipsis[] = "\xE2\x80\xA6"; /* U+2026, 1 column */
	size_t n = strlen(s), i = 0, width = 0;
	char *out;

	if (cb_text_width(s) <= cols)
		return strdup(s);
	if (cols == 0)
		return strdup(""); /* not even the ellipsis fits */
	/* Keep whole characters while they leave a column for the ellipsis;
	 * combining marks (width 0) stay with the letter before them. */
	while (i < n) {
		size_t next = i;
		size_t w = char_width(next_code_point(s, n, &next));

		if (width + w > cols - 1)
			break;
		width += w;
		i = next;
	}
	out = malloc(i + sizeof(ellipsis));
	if (!out)
		return NULL;
	memcpy(out, s, i);
	memcpy(out + i, ellipsis, sizeof(ellipsis));
	return out;
}

/* SPDX-License-Identifier: MIT */
/* decode.c — bytes in some encoding into UTF-8 NFC (see decode.h): the
 * guess from the bytes, iconv, then utf8proc's NFC (text.h). */
#include "decode.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

/* Windows-1258's combining tone marks: grave, hook above, tilde, acute,
 * dot below (U+0300, U+0309, U+0303, U+0301, U+0323). */
static bool
cp1258_tone(unsigned char b)
{
	return b == 0xCC || b == 0xD2 || b == 0xDE || b == 0xEC || b == 0xF2;
}

/* A letter of Windows-1258 (ASCII or Latin, not a tone mark, × or ÷). */
static bool
cp1258_letter(unsigned char b)
{
	if ((b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z'))
		return true;
	return b >= 0xC0 && !cp1258_tone(b) && b != 0xD7 && b != 0xF7;
}

/* Are these bytes Vietnamese written in Windows-1258? */
static bool
looks_cp1258(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = p[i];

		if (b == 0xC3 || b == 0xE3 || b == 0xD0 || b == 0xF0 ||
		    b == 0xD5 || b == 0xF5 || b == 0xDD || b == 0xFD)
			return true; /* Ă ă Đ đ Ơ ơ Ư ư */
		if (cp1258_tone(b) && i > 0 && cp1258_letter(p[i - 1]))
			return true;
	}
	return false;
}

/* UTF-16 without a byte order mark: NUL at most odd (LE) or even (BE)
 * positions of the first 512 bytes, as text in Latin letters has. */
static const char *
utf16_guess(const unsigned char *p, size_t n)
{
	size_t even = 0, odd = 0, m = n < 512 ? n : 512;

	for (size_t i = 0; i < m; i++)
		if (!p[i])
			(*(i % 2 ? &odd : &even))++;
	if (m >= 4 && odd >= m / 4 && even == 0)
		return "UTF-16LE";
	if (m >= 4 && even >= m / 4 && odd == 0)
		return "UTF-16BE";
	return NULL;
}

/* iconv from `from` into UTF-8, in a NUL-ended malloc'd *out. */
static cb_err
convert(const unsigned char *in, size_t n, const char *from, char **out,
        size_t *outlen, struct cb_errbuf *eb)
{
	iconv_t cd = iconv_open("UTF-8", from);
	size_t cap, left, inleft = n;
	char *buf, *ip = (char *)in, *op;
	int e = 0;

	if (cd == (iconv_t)-1)
		return cb_error(eb, CB_EINVAL,
		                _("unknown encoding '%s' (iconv --list "
		                  "names them)"),
		                from);
	cap = n * 3 + 16;
	if (!(buf = malloc(cap))) {
		iconv_close(cd);
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	op = buf;
	left = cap - 1;
	for (;;) {
		size_t r = iconv(cd, &ip, &inleft, &op, &left);
		char *bigger;
		size_t used;

		if (r != (size_t)-1)
			r = iconv(cd, NULL, NULL, &op, &left);
		e = r == (size_t)-1 ? errno : 0;
		if (e != E2BIG)
			break;
		/* an encoding whose characters take more room in UTF-8 */
		used = (size_t)(op - buf);
		if (!(bigger = realloc(buf, cap * 2))) {
			iconv_close(cd);
			free(buf);
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		}
		buf = bigger;
		op = buf + used;
		left += cap;
		cap *= 2;
		if (cap > ((size_t)1 << 40)) { /* never: a runaway encoding */
			iconv_close(cd);
			free(buf);
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		}
	}
	if (e || inleft) {
		size_t at = n - inleft;

		iconv_close(cd);
		free(buf);
		if (e == EINVAL)
			return cb_error(
				eb, CB_EINVAL,
				_("the text ends inside a character of %s"),
				from);
		return cb_error(eb, CB_EINVAL,
		                _("byte %zu is not a character of %s"), at,
		                from);
	}
	iconv_close(cd);
	*op = 0;
	*outlen = (size_t)(op - buf);
	*out = buf;
	return CB_OK;
}

cb_err
cb_decode_text(const unsigned char *in, size_t n, const char *encoding,
               char **out, size_t *outlen, const char **used,
               struct cb_errbuf *eb)
{
	static const unsigned char bom8[] = { 0xEF, 0xBB, 0xBF };
	const char *from = encoding;
	char *text = NULL, *nfc = NULL;
	size_t len = 0, skip = 0;
	cb_err rc;

	if (!from) {
		if (n >= 3 && !memcmp(in, bom8, 3))
			from = "UTF-8", skip = 3;
		else if (n >= 2 && in[0] == 0xFF && in[1] == 0xFE)
			from = "UTF-16LE", skip = 2;
		else if (n >= 2 && in[0] == 0xFE && in[1] == 0xFF)
			from = "UTF-16BE", skip = 2;
		else if ((from = utf16_guess(in, n)))
			;
		else if (cb_utf8_valid((const char *)in, n))
			from = "UTF-8";
		else if (looks_cp1258(in, n))
			from = "Windows-1258";
		else
			return cb_error(
				eb, CB_EINVAL,
				_("it is neither UTF-8 nor UTF-16, nor "
			          "Vietnamese in Windows-1258: save it from "
			          "the spreadsheet as 'CSV UTF-8', or name its "
			          "encoding with --encoding (windows-1258, "
			          "utf-16, cp1252, …)"));
	}
	/* iconv's names for what the guess calls them */
	rc = convert(in + skip, n - skip,
	             !strcasecmp(from, "Windows-1258") ? "CP1258" : from, &text,
	             &len, eb);
	if (rc)
		return rc;
	/* a mark iconv keeps as U+FEFF when the encoding was named, and
	 * any more of them after the first (a file saved with its mark
	 * twice): never a header's first character */
	while (len >= 3 && !memcmp(text, bom8, 3)) {
		memmove(text, text + 3, len - 2);
		len -= 3;
	}
	if (memchr(text, 0, len)) {
		free(text);
		return cb_error(eb, CB_EINVAL,
		                _("it holds a NUL character: it is not text "
		                  "in %s; name its encoding with --encoding"),
		                from);
	}
	rc = cb_text_nfc(text, &nfc, eb);
	free(text);
	if (rc)
		return rc;
	*out = nfc;
	*outlen = strlen(nfc);
	*used = from;
	return CB_OK;
}

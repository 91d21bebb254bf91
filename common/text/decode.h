/* SPDX-License-Identifier: MIT */
/* decode.h — a text file as a Windows program saved it, into UTF-8 in NFC.
 * Excel on Vietnamese Windows saves "CSV" in Windows-1258 (the ANSI code
 * page, which writes most tone marks as combining characters after the
 * letter), "CSV UTF-8" with a byte order mark, and "Unicode Text" in
 * UTF-16 LE with one; LibreOffice asks. The bytes are converted with
 * iconv and normalised to NFC, as chibo stores every name. */
#ifndef CB_DECODE_H
#define CB_DECODE_H

#include <stddef.h>

#include "err.h"

/* in[0..n) into *out (malloc'd, NUL-ended, *outlen bytes without the NUL;
 * the caller frees), valid UTF-8 in NFC with no byte order mark. With
 * encoding NULL the bytes say which it is:
 *
 *   - a byte order mark: UTF-8, UTF-16 LE or BE (FF FE, FE FF);
 *   - NUL bytes at every other position among the first ones: UTF-16
 *     without a mark (LE or BE by where they are);
 *   - well-formed UTF-8: UTF-8;
 *   - otherwise Windows-1258 if the bytes are Vietnamese in it (a tone
 *     mark CC EC D2 DE F2 after a letter, or one of Ă ă Đ đ Ơ ơ Ư ư);
 *   - else undecided: CB_EINVAL, a message that says what to do (save as
 *     "CSV UTF-8", or name the encoding).
 *
 * encoding, when given, is iconv's name for it ("windows-1258",
 * "cp1258", "utf-16", "cp1252", …); a byte order mark of that encoding
 * is dropped. *used is set to the name of what was read ("UTF-8",
 * "UTF-16LE", "Windows-1258", or encoding), static or encoding itself.
 * CB_EINVAL for bytes that are not text in it (the message names the
 * byte offset), or an encoding iconv does not know. */
cb_err cb_decode_text(const unsigned char *in, size_t n, const char *encoding,
                      char **out, size_t *outlen, const char **used,
                      struct cb_errbuf *eb) CB_MUST_CHECK;

#endif

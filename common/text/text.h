/* SPDX-License-Identifier: MIT */
/* text.h — Vietnamese-aware text: UTF-8 validation, NFC normalisation
 * (Unicode UAX #15 via utf8proc), search folding that ignores case and
 * diacritics (đ/Đ fold to d), and terminal display width (UAX #11). */
#ifndef CB_TEXT_H
#define CB_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code points above U+10FFFF) and contains no NUL byte. */
bool cb_utf8_valid(const char *s, size_t n);

/* True when the NUL-terminated valid UTF-8 string s is already in NFC. */
bool cb_text_is_nfc(const char *s);
/* The same for the n bytes at s (valid UTF-8, no NUL, not NUL-ended);
 * allocates nothing for short strings. */
bool cb_text_is_nfc_n(const char *s, size_t n);

/* NFC-normalise s into a new malloc'd string (*out, caller frees). Fails with
 * CB_EINVAL for invalid UTF-8 (message names the byte offset). */
cb_err cb_text_nfc(const char *s, char **out,
                   struct cb_errbuf *eb) CB_MUST_CHECK;

/* Search key: NFC, case-folded, diacritics removed, đ/Đ -> d, every run of
 * white space collapsed to one ASCII space, trimmed. "  Nguyễn  Văn HỢP"
 * -> "nguyen van hop". *out is malloc'd, caller frees. */
cb_err cb_text_fold(const char *s, char **out,
                    struct cb_errbuf *eb) CB_MUST_CHECK;

/* Like cb_text_fold but keeps diacritics (NFC, case-folded, white space
 * collapsed): "Nguyễn Văn HỢP" -> "nguyễn văn hợp". */
cb_err cb_text_lower(const char *s, char **out,
                     struct cb_errbuf *eb) CB_MUST_CHECK;

/* True if the (valid UTF-8) string has any character that folding strips
 * (a combining mark after NFD, or đ/Đ): "hợp" yes, "hop" no. */
bool cb_text_has_diacritics(const char *s);

/* Name search: true when every white-space-separated token of query occurs
 * as a substring of the name. A token without diacritics is compared with
 * the folded name (ignoring case and diacritics); a token with diacritics
 * is compared with the lowered name (ignoring case only), so "hợp" finds
 * "Hợp" but not "Hớp", while "hop" finds both. */
bool cb_text_match(const char *name, const char *query);

/* Columns the valid UTF-8 string occupies on a terminal: combining marks 0,
 * East Asian wide 2, others 1; control characters count 0. */
size_t cb_text_width(const char *s);

/* Copy of s cut to at most `cols` display columns without splitting a
 * character; appends "…" when cut (the ellipsis counts in cols). malloc'd. */
char *cb_text_truncate(const char *s, size_t cols);

#endif

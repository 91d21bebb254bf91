/* SPDX-License-Identifier: MIT */
/* lang.h — the user's language: messages from gettext's "chibo"
 * catalogue (po/vi.po, compiled to LOCALEDIR/LANG/LC_MESSAGES/chibo.mo),
 * and the locale's typography for numbers people read (Vietnamese writes
 * 95,8 % and 7.047). Only human output is translated: JSON, CSV, the
 * protocol and what is signed stay as they are, whatever the locale. */
#ifndef CB_LANG_H
#define CB_LANG_H

#include <libintl.h>
#include <stdbool.h>

#define CB_LANG_DOMAIN "chibo"

/* _("text"): the translation of a message; N_("text") marks a string
 * that is translated later, where it is shown (a help text in a table);
 * C_("context", "text"): a word whose translation depends on what it
 * names ("exempt" as a member's status or as an attendance mark). */
#define _(s) cb_lang_gettext(s)
#define N_(s) s
#define C_(ctx, s) cb_lang_pgettext(ctx, s)
#define NC_(ctx, s) s
/* P_("%d entry", "%d entries", n): the form for n (one in Vietnamese). */
#define P_(s, p, n) cb_lang_ngettext(s, p, n)

/* Choose the language from the environment (LANGUAGE, LC_ALL,
 * LC_MESSAGES, LANG) and find the catalogue: $CHIBO_LOCALEDIR when set
 * (a build tree's locale/), else share/locale beside the program's bin/,
 * else the LOCALEDIR chibo was built for. Keeps LC_NUMERIC "C" for the
 * process, so printf and strtod read and write the wire formats; the
 * locale's own separators are kept for cb_lang_number and friends. Call
 * once, first thing in main. */
void cb_lang_init(void);

/* The translation of msgid, or msgid (always msgid between
 * cb_lang_english_begin and _end on this thread, and for ""). */
const char *cb_lang_gettext(const char *msgid) __attribute__((format_arg(1)));

/* The translation of msgid or its plural for n, or msgid or plural. */
const char *cb_lang_ngettext(const char *msgid, const char *plural,
                             unsigned long n) __attribute__((format_arg(1)))
__attribute__((format_arg(2)));

/* The translation of msgid in context ctx, or msgid. */
const char *cb_lang_pgettext(const char *ctx, const char *msgid)
	__attribute__((format_arg(2)));

/* n with the locale's thousands separator: "7,047" in English and C,
 * "7.047" in Vietnamese (and in English between cb_lang_english_begin
 * and _end). out holds at least 32 bytes. */
void cb_lang_number(long long n, char out[32]);

/* n as a table cell: grouped only by a separator the locale has itself
 * ("7.047" in Vietnamese, "7,047" in en_US), "7047" in C and in English
 * between cb_lang_english_begin and _end. */
void cb_lang_count(long long n, char out[32]);

/* tenths / 10 with one decimal in the locale's decimal mark: 958 ->
 * "95.8" or "95,8" ("95.8" between cb_lang_english_begin and _end). out
 * holds at least 32 bytes. */
void cb_lang_tenths(long long tenths, char out[32]);

/* Messages in English on this thread until the matching _end (they
 * nest): the projection's rejection reasons are recorded with the entry
 * and must read the same on every replica, whatever its locale. */
void cb_lang_english_begin(void);
void cb_lang_english_end(void);
/* Between cb_lang_english_begin and _end on this thread. */
bool cb_lang_is_english(void);

/* A sentence made in English from one of the catalogue's messages — a
 * rejection reason recorded with its entry, a hub's refusal — in the
 * user's language: the message whose format it matches (with the most
 * of it written in the format), its translation filled with the
 * sentence's arguments, themselves said again where they are sentences.
 * english itself when no message matches, when its message has no
 * translation, and in English. JSON and the protocol keep the English.
 * The string returned lives as long as the process (resay.c). */
const char *cb_lang_resay(const char *english);

/* Forget the catalogue cb_lang_resay read and what it said: the next call
 * reads the one the language chosen now has (cb_lang_init calls it).
 * Strings it returned before are freed. */
void cb_lang_resay_forget(void);

#endif

/* SPDX-License-Identifier: MIT */
/* lang.c — gettext set up for chibo's three programs, and the locale's
 * number typography kept aside (see lang.h). */
#include "lang.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef CHIBO_LOCALEDIR
#define CHIBO_LOCALEDIR "/usr/share/locale"
#endif

/* "." and "," as in C and English until cb_lang_init reads the locale;
 * locale_thousands is the locale's own separator, "" when it has none
 * (C). */
static char decimal_mark[8] = ".";
static char thousands_mark[8] = ",";
static char locale_thousands[8] = "";
static _Thread_local int english;

/* share/locale beside the directory of the running program
 * (/usr/bin/chibo-agent -> /usr/share/locale): right for a package
 * installed under any prefix. Empty when /proc is not there. */
static void
locale_dir_beside_program(char *out, size_t n)
{
	char exe[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	out[0] = 0;
	if (len <= 0)
		return;
	exe[len] = 0;
	if (!(slash = strrchr(exe, '/')))
		return;
	*slash = 0; /* the bin directory */
	if (!(slash = strrchr(exe, '/')))
		return;
	*slash = 0; /* its parent, the prefix */
	if (strlen(exe) + sizeof("/share/locale") > n)
		return;
	memcpy(out, exe, strlen(exe));
	memcpy(out + strlen(exe), "/share/locale", sizeof("/share/locale"));
}

static void
keep_number_marks(void)
{
	const struct lconv *lc = localeconv();
	const char *dp = lc->decimal_point, *ts = lc->thousands_sep;

	if (!dp || !*dp || strlen(dp) >= sizeof(decimal_mark))
		dp = ".";
	/* C has no thousands separator; chibo's English has always used
	 * ",", and a locale without one gets whichever of "," and "." is not
	 * its decimal mark. */
	if (ts && strlen(ts) < sizeof(locale_thousands))
		snprintf(locale_thousands, sizeof(locale_thousands), "%s", ts);
	if (!ts || !*ts || strlen(ts) >= sizeof(thousands_mark))
		ts = strcmp(dp, ",") == 0 ? "." : ",";
	snprintf(decimal_mark, sizeof(decimal_mark), "%s", dp);
	snprintf(thousands_mark, sizeof(thousands_mark), "%s", ts);
}

void
cb_lang_init(void)
{
	const char *dir = getenv("CHIBO_LOCALEDIR");
	char beside[PATH_MAX];

	cb_lang_resay_forget();
	if (!setlocale(LC_ALL, ""))
		return; /* a locale this system lacks: C, English */
	keep_number_marks();
	setlocale(LC_NUMERIC, "C");
	if (!dir || !*dir) {
		locale_dir_beside_program(beside, sizeof(beside));
		dir = beside;
		if (!*dir || access(dir, R_OK | X_OK) != 0)
			dir = CHIBO_LOCALEDIR;
	}
	bindtextdomain(CB_LANG_DOMAIN, dir);
	/* names, files and the catalogue are UTF-8, whatever LC_CTYPE says */
	bind_textdomain_codeset(CB_LANG_DOMAIN, "UTF-8");
	textdomain(CB_LANG_DOMAIN);
}

void
cb_lang_english_begin(void)
{
	english++;
}

void
cb_lang_english_end(void)
{
	english--;
}

bool
cb_lang_is_english(void)
{
	return english > 0;
}

const char *
cb_lang_gettext(const char *msgid)
{
	/* "" would give the catalogue's header */
	return english || !*msgid ? msgid : dgettext(CB_LANG_DOMAIN, msgid);
}

const char *
cb_lang_ngettext(const char *msgid, const char *plural, unsigned long n)
{
	if (english)
		return n == 1 ? msgid : plural;
	return dngettext(CB_LANG_DOMAIN, msgid, plural, n);
}

const char *
cb_lang_pgettext(const char *ctx, const char *msgid)
{
	/* gettext's key for a message in a context: ctx EOT msgid */
	char key[256];
	const char *t;

	if ((size_t)snprintf(key, sizeof(key), "%s\004%s", ctx, msgid) >=
	    sizeof(key))
		return msgid;
	if (english)
		return msgid;
	t = dgettext(CB_LANG_DOMAIN, key);
	return t == key ? msgid : t;
}

/* n in decimal digits, sep between groups of three (none if sep is
 * ""). */
static void
grouped(long long n, const char *sep, char out[32])
{
	char digits[24];
	size_t seplen = strlen(sep);
	int len, k = 0;

	len = snprintf(digits, sizeof(digits), "%llu",
	               n < 0 ? 0ULL - (unsigned long long)n
	                     : (unsigned long long)n);
	if (n < 0)
		out[k++] = '-';
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0 && k + seplen + 2 < 32) {
			memcpy(out + k, sep, seplen);
			k += (int)seplen;
		}
		if (k + 1 < 32)
			out[k++] = digits[i];
	}
	out[k] = 0;
}

void
cb_lang_number(long long n, char out[32])
{
	grouped(n, english ? "," : thousands_mark, out);
}

void
cb_lang_count(long long n, char out[32])
{
	grouped(n, english ? "" : locale_thousands, out);
}

void
cb_lang_tenths(long long tenths, char out[32])
{
	unsigned long long a = tenths < 0 ? 0ULL - (unsigned long long)tenths
	                                  : (unsigned long long)tenths;

	snprintf(out, 32, "%s%llu%s%llu", tenths < 0 ? "-" : "", a / 10,
	         english ? "." : decimal_mark, a % 10);
}

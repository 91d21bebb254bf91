/* SPDX-License-Identifier: MIT */
/* resay.c — a sentence made in English, said again in the user's language
 * (lang.h, cb_lang_resay). Rejection reasons are recorded with the entry
 * in English, the same bytes on every replica, and a hub answers in
 * English: the protocol. What a clerk reads is neither: the sentence is
 * matched against the formats of the catalogue's messages (the msgids of
 * the compiled catalogue gettext uses, GNU .mo format), the arguments are
 * read out of it, and the translation is filled with them. A sentence
 * recorded before a message was translated, or by an older chibo, is
 * translated as soon as the catalogue knows its message; one that matches
 * no message is shown as it is. A message whose format has a <inttypes.h>
 * macro (PRIu64: a system-dependent string of the .mo) would not be read,
 * so chibo's messages write their numbers with %llu and %lld. */
#include "lang.h"

#include <ctype.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MO_MAGIC 0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U
/* more arguments than any message of chibo's has */
#define MAX_ARGS 12
/* a sentence inside a sentence inside a sentence, no deeper */
#define MAX_DEPTH 3
/* sentences said again, kept for the life of the process */
#define MAX_KEPT 4096

struct catalogue {
	char *mo;             /* the file's bytes */
	const char **formats; /* msgids with a conversion, as in the file */
	size_t n;
};

static struct catalogue cat;
static bool cat_read; /* under kept_lock */
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kept {
	char *english, *said;
} kept[MAX_KEPT];
static size_t nkept;

static uint32_t
mo_word(const char *mo, size_t at, int swapped)
{
	uint32_t w;

	memcpy(&w, mo + at, 4);
	if (swapped)
		w = (w >> 24) | ((w >> 8) & 0xff00) | ((w << 8) & 0xff0000) |
		    (w << 24);
	return w;
}

/* The file's bytes, or NULL. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *b = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 28 &&
	    n < (64L << 20) && fseek(fp, 0, SEEK_SET) == 0 &&
	    (b = malloc((size_t)n + 1)) &&
	    fread(b, 1, (size_t)n, fp) == (size_t)n) {
		b[n] = 0;
		*len = (size_t)n;
	} else {
		free(b);
		b = NULL;
	}
	fclose(fp);
	return b;
}

static bool
has_conversion(const char *s)
{
	for (const char *p = strchr(s, '%'); p; p = strchr(p + 2, '%'))
		if (p[1] != '%')
			return p[1] != 0;
	return false;
}

/* The msgids of the .mo file at path that have a conversion; false if it
 * is not one. Messages in a context (ctx EOT msgid) are values, not
 * sentences: left out. */
static bool
load_mo(const char *path)
{
	size_t len = 0;
	char *mo = slurp(path, &len);
	uint32_t magic, count, originals;
	int swapped;

	if (!mo)
		return false;
	memcpy(&magic, mo, 4);
	if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
		goto bad;
	swapped = magic == MO_MAGIC_SWAPPED;
	count = mo_word(mo, 8, swapped);
	originals = mo_word(mo, 12, swapped);
	if (originals > len || count > (len - originals) / 8)
		goto bad;
	if (!(cat.formats = calloc(count ? count : 1, sizeof(*cat.formats))))
		goto bad;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t slen = mo_word(mo, originals + 8 * i, swapped);
		uint32_t off = mo_word(mo, originals + 8 * i + 4, swapped);
		const char *s = mo + off;

		if (off >= len || slen >= len - off || s[slen] != 0)
			continue;
		if (!slen || memchr(s, '\004', slen) || !has_conversion(s))
			continue;
		cat.formats[cat.n++] = s;
	}
	cat.mo = mo;
	return true;
bad:
	free(mo);
	return false;
}

/* gettext's search for LANGUAGE's or LC_MESSAGES's catalogue: the name,
 * then without @modifier, .codeset and _territory. */
static bool
load_for(const char *dir, const char *name)
{
	char l[128], path[4096];
	char *cut;

	if (!*name || strlen(name) >= sizeof(l))
		return false;
	snprintf(l, sizeof(l), "%s", name);
	for (int step = 0; step < 4; step++) {
		if (step == 1 && (cut = strchr(l, '@')))
			*cut = 0;
		if (step == 2 && (cut = strchr(l, '.')))
			*cut = 0;
		if (step == 3 && (cut = strchr(l, '_')))
			*cut = 0;
		if ((size_t)snprintf(path, sizeof(path),
		                     "%s/%s/LC_MESSAGES/%s.mo", dir, l,
		                     CB_LANG_DOMAIN) < sizeof(path) &&
		    load_mo(path))
			return true;
	}
	return false;
}

static void
load_catalogue(void)
{
	const char *dir = bindtextdomain(CB_LANG_DOMAIN, NULL);
	const char *msgs = setlocale(LC_MESSAGES, NULL);
	const char *language = getenv("LANGUAGE");
	char list[512];

	if (!dir || !msgs || !strcmp(msgs, "C") || !strcmp(msgs, "POSIX"))
		return;
	if (language && *language && strlen(language) < sizeof(list)) {
		snprintf(list, sizeof(list), "%s", language);
		for (char *p = list, *next; p; p = next) {
			if ((next = strchr(p, ':')))
				*next++ = 0;
			if (load_for(dir, p))
				return;
		}
	}
	(void)load_for(dir, msgs);
}

/* --- a format matched against a sentence ----------------------------- */

struct conv {
	const char *at; /* the conversion in its format */
	size_t len;     /* its length, '%' to the conversion letter */
	int pos;        /* its argument, from 0 */
	char letter;    /* s d u x c f ... */
	long maxlen;    /* %.12s: at most 12 bytes; -1 no limit */
};

/* The conversion at f (f[0] == '%', f[1] != '%') into *c; false if it is
 * not one (or a %.*s, whose arguments come in pairs). */
static bool
parse_conv(const char *f, int next, struct conv *c)
{
	const char *p = f + 1;
	int pos = -1;

	c->at = f;
	c->maxlen = -1;
	if (isdigit((unsigned char)*p)) {
		const char *q = p;
		int n = 0;

		while (isdigit((unsigned char)*q))
			n = n * 10 + (*q++ - '0');
		if (*q == '$' && n > 0) {
			pos = n - 1;
			p = q + 1;
		}
	}
	while (*p && strchr("-+ #0'", *p))
		p++;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (*p == '*')
			return false;
		c->maxlen = strtol(p, NULL, 10);
		while (isdigit((unsigned char)*p))
			p++;
	}
	while (*p && strchr("hlLqjzt", *p))
		p++;
	if (!*p || !strchr("sdiuxXcfgeo", *p))
		return false;
	c->letter = *p;
	if (c->letter != 's')
		c->maxlen = -1;
	c->len = (size_t)(p - f) + 1;
	c->pos = pos >= 0 ? pos : next;
	return c->pos < MAX_ARGS;
}

/* How many bytes of s a conversion of this letter can hold, at most. */
static size_t
span(const struct conv *c, const char *s)
{
	size_t n = 0;

	switch (c->letter) {
	case 's':
		n = strlen(s);
		if (c->maxlen >= 0 && n > (size_t)c->maxlen)
			n = (size_t)c->maxlen;
		return n;
	case 'c': return *s ? 1 : 0;
	case 'x':
	case 'X':
		while (isxdigit((unsigned char)s[n]))
			n++;
		return n;
	case 'f':
	case 'g':
	case 'e':
		while (s[n] && strchr("-+.0123456789eE", s[n]))
			n++;
		return n;
	default:
		if (s[n] == '-')
			n++;
		while (isdigit((unsigned char)s[n]))
			n++;
		return n;
	}
}

struct match {
	const char *arg[MAX_ARGS];
	size_t arglen[MAX_ARGS];
	int nargs;
	size_t literal; /* bytes of the format matched literally */
	long steps;     /* tries left: a bound on the backtracking */
};

/* Does s match format f (from its conversion number next)? The
 * arguments into *m. A %s takes the fewest bytes that let the rest
 * match. */
static bool
match_at(const char *f, const char *s, int next, struct match *m)
{
	struct conv c;

	if (--m->steps <= 0)
		return false;
	for (;;) {
		if (!*f)
			return !*s;
		if (*f == '%' && f[1] == '%') {
			if (*s != '%')
				return false;
			f += 2, s++, m->literal++;
			continue;
		}
		if (*f != '%') {
			if (*f != *s)
				return false;
			f++, s++, m->literal++;
			continue;
		}
		break;
	}
	if (!parse_conv(f, next, &c))
		return false;
	{
		size_t most = span(&c, s), lit = m->literal;
		const char *rest = f + c.len;
		/* numbers take all their digits; a string tries the
		 * shortest first */
		size_t least = c.letter == 's' ? 0 : most;

		if (c.letter != 's' && c.letter != 'c' && most == 0)
			return false;
		for (size_t k = least; k <= most; k++) {
			if (c.letter == 's' && *rest && *rest != '%' &&
			    s[k] != *rest)
				continue;
			m->literal = lit;
			if (match_at(rest, s + k, next + 1, m)) {
				m->arg[c.pos] = s;
				m->arglen[c.pos] = k;
				if (c.pos + 1 > m->nargs)
					m->nargs = c.pos + 1;
				return true;
			}
		}
	}
	return false;
}

/* --- the translation filled in ------------------------------------- */

static const char *resay_depth(const char *english, int depth);

/* s[0..n) as a new string, itself said again if it is a sentence. */
static char *
arg_said(const char *s, size_t n, int depth)
{
	char *a = malloc(n + 1), *t;
	const char *said;

	if (!a)
		return NULL;
	memcpy(a, s, n);
	a[n] = 0;
	if (!strchr(a, ' ') || depth >= MAX_DEPTH)
		return a;
	said = resay_depth(a, depth + 1);
	if (said == a)
		return a;
	t = strdup(said);
	free(a);
	return t;
}

/* tr with the arguments of m, or NULL. */
static char *
fill(const char *tr, const struct match *m, int depth)
{
	size_t cap = strlen(tr) + 1, len = 0;
	char *out, *grow;
	int next = 0;

	for (int i = 0; i < m->nargs; i++)
		cap += m->arglen[i] * 2 + 64;
	if (!(out = malloc(cap)))
		return NULL;
	for (const char *p = tr; *p;) {
		struct conv c;
		char *a;
		size_t alen;

		if (*p != '%' || !p[1]) {
			out[len++] = *p++;
			continue;
		}
		if (p[1] == '%') {
			out[len++] = '%';
			p += 2;
			continue;
		}
		if (!parse_conv(p, next, &c) || c.pos >= m->nargs ||
		    !m->arg[c.pos])
			goto bad;
		next++;
		p += c.len;
		if (!(a = arg_said(m->arg[c.pos], m->arglen[c.pos], depth)))
			goto bad;
		alen = strlen(a);
		if (len + alen + strlen(p) + 1 > cap) {
			cap = len + alen + strlen(p) + 1 + cap;
			if (!(grow = realloc(out, cap))) {
				free(a);
				goto bad;
			}
			out = grow;
		}
		memcpy(out + len, a, alen);
		len += alen;
		free(a);
	}
	out[len] = 0;
	return out;
bad:
	free(out);
	return NULL;
}

/* The translation of english, or NULL: its message, the one whose format
 * matches it with the most bytes written in the format. */
static char *
translate(const char *english, int depth)
{
	struct match best = { 0 }, m;
	const char *bestf = NULL, *tr;
	char *said;

	for (size_t i = 0; i < cat.n; i++) {
		const char *f = cat.formats[i];

		/* a format's first byte, unless it starts with a
		 * conversion, is the sentence's */
		if (*f != '%' && *f != *english)
			continue;
		memset(&m, 0, sizeof(m));
		m.steps = 20000;
		if (!match_at(f, english, 0, &m))
			continue;
		if (!bestf || m.literal > best.literal) {
			best = m;
			bestf = f;
		}
	}
	if (!bestf)
		return NULL;
	tr = dgettext(CB_LANG_DOMAIN, bestf);
	if (best.literal >= 3)
		return tr == bestf ? NULL : fill(tr, &best, depth);
	/* a format that is all conversions ("%s: %s": "entry 5: fork: …")
	 * says nothing itself: its arguments are said again, each on its
	 * own, and the sentence is said again if one of them is */
	said = fill(tr, &best, depth);
	if (said && !strcmp(said, english)) {
		free(said);
		said = NULL;
	}
	return said;
}

static const char *
resay_depth(const char *english, int depth)
{
	const char *t;
	char *said;

	if (!english || !*english)
		return english;
	t = dgettext(CB_LANG_DOMAIN, english);
	if (t != english || !cat.n)
		return t;
	pthread_mutex_lock(&kept_lock);
	for (size_t i = 0; i < nkept; i++)
		if (!strcmp(kept[i].english, english)) {
			t = kept[i].said;
			pthread_mutex_unlock(&kept_lock);
			return t;
		}
	pthread_mutex_unlock(&kept_lock);
	if (!(said = translate(english, depth)))
		return english;
	pthread_mutex_lock(&kept_lock);
	if (nkept < MAX_KEPT && (kept[nkept].english = strdup(english))) {
		kept[nkept].said = said;
		nkept++;
		pthread_mutex_unlock(&kept_lock);
		return said;
	}
	pthread_mutex_unlock(&kept_lock);
	free(said);
	return english;
}

const char *
cb_lang_resay(const char *english)
{
	if (!english || !*english || cb_lang_is_english())
		return english;
	pthread_mutex_lock(&kept_lock);
	if (!cat_read) {
		load_catalogue();
		cat_read = true;
	}
	pthread_mutex_unlock(&kept_lock);
	return resay_depth(english, 0);
}

void
cb_lang_resay_forget(void)
{
	pthread_mutex_lock(&kept_lock);
	for (size_t i = 0; i < nkept; i++) {
		free(kept[i].english);
		free(kept[i].said);
	}
	nkept = 0;
	free(cat.formats);
	free(cat.mo);
	memset(&cat, 0, sizeof(cat));
	cat_read = false;
	pthread_mutex_unlock(&kept_lock);
}

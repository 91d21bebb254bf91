/* SPDX-License-Identifier: MIT */
/* date.c — calendar dates for the records: ISO 8601 calendar dates
 * (YYYY-MM-DD, extended format) in the proleptic Gregorian calendar, limited
 * to years 1900..2199, plus the day-first forms Vietnamese spreadsheets use.
 * Day counts use Howard Hinnant's days_from_civil / civil_from_days
 * ("chrono-Compatible Low-Level Date Algorithms"), exact for any year. */
#include "date.h"

#include <string.h>
#include <time.h>

#define YEAR_MIN 1900
#define YEAR_MAX 2199
#define SHOWN_MAX 40 /* longest input quoted back in a message */
/* cb_date_from_days clamps to this many days either side of 1970, a few
 * million years: far outside the records, and the year always fits an int. */
#define DAYS_LIMIT ((int64_t)146097 * 10000)

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
		                      31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

bool
cb_date_valid(const struct cb_date *d)
{
	return d->year >= YEAR_MIN && d->year <= YEAR_MAX && d->month >= 1 &&
	       d->month <= 12 && d->day >= 1 &&
	       d->day <= days_in_month(d->year, d->month);
}

/* Read 1..max digits at *p into *v; advance *p. Returns the digit count. */
static int
read_digits(const char **p, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

/* The date exists and lies in the supported years, or an error naming s. */
static cb_err
check_date(const char *s, const struct cb_date *d, struct cb_errbuf *eb)
{
	if (d->year < YEAR_MIN || d->year > YEAR_MAX)
		return cb_error(eb, CB_EINVAL,
		                _("date '%.*s' is outside the years %d..%d"),
		                SHOWN_MAX, s, YEAR_MIN, YEAR_MAX);
	if (!cb_date_valid(d))
		return cb_error(eb, CB_EINVAL, _("date '%.*s' does not exist"),
		                SHOWN_MAX, s);
	return CB_OK;
}

/* Exactly YYYY-MM-DD with nothing after it. */
static bool
scan_iso(const char *s, struct cb_date *d)
{
	const char *p = s;

	if (read_digits(&p, 4, &d->year) != 4 || *p++ != '-')
		return false;
	if (read_digits(&p, 2, &d->month) != 2 || *p++ != '-')
		return false;
	return read_digits(&p, 2, &d->day) == 2 && *p == 0;
}

/* D/M/YYYY or D-M-YYYY, day and month of one or two digits, the same
 * separator twice, nothing after it. */
static bool
scan_day_first(const char *s, struct cb_date *d)
{
	const char *p = s;
	char sep;

	if (read_digits(&p, 2, &d->day) < 1)
		return false;
	sep = *p++;
	if (sep != '/' && sep != '-')
		return false;
	if (read_digits(&p, 2, &d->month) < 1 || *p++ != sep)
		return false;
	return read_digits(&p, 4, &d->year) == 4 && *p == 0;
}

cb_err
cb_date_parse(const char *s, struct cb_date *out, struct cb_errbuf *eb)
{
	struct cb_date d;
	cb_err rc;

	if (!s || !scan_iso(s, &d))
		return cb_error(eb, CB_EINVAL,
		                _("date '%.*s' is not YYYY-MM-DD"), SHOWN_MAX,
		                s ? s : "");
	rc = check_date(s, &d, eb);
	if (rc)
		return rc;
	*out = d;
	return CB_OK;
}

/* s without the spaces and tabs around it, into out (SHOWN_MAX + 1
 * bytes); spreadsheet cells often carry stray spaces. */
static cb_err
trim(const char *s, char out[SHOWN_MAX + 1], struct cb_errbuf *eb)
{
	size_t start = 0, end = s ? strlen(s) : 0;

	while (start < end && (s[start] == ' ' || s[start] == '\t'))
		start++;
	while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
		end--;
	if (end - start > SHOWN_MAX)
		return cb_error(eb, CB_EINVAL, _("date '%.*s…' is too long"),
		                SHOWN_MAX, s + start);
	if (end > start)
		memcpy(out, s + start, end - start);
	out[end - start] = 0;
	return CB_OK;
}

cb_err
cb_date_parse_loose(const char *s, struct cb_date *out, struct cb_errbuf *eb)
{
	char trimmed[SHOWN_MAX + 1];
	struct cb_date d;
	cb_err rc;

	if ((rc = trim(s, trimmed, eb)))
		return rc;
	if (!scan_iso(trimmed, &d) && !scan_day_first(trimmed, &d))
		return cb_error(eb, CB_EINVAL, _("date '%s' is not %s"),
		                trimmed, _(CB_DATE_FORMS));
	rc = check_date(trimmed, &d, eb);
	if (rc)
		return rc;
	*out = d;
	return CB_OK;
}

cb_err
cb_date_normalise(const char *s, char out[11], struct cb_errbuf *eb)
{
	struct cb_date d;

	if (cb_date_parse_loose(s, &d, eb))
		return CB_EINVAL;
	cb_date_format(&d, out);
	return CB_OK;
}

/* "YYYY-MM", "MM/YYYY" or "M/YYYY" into the first day of that month. */
static bool
scan_month(const char *s, struct cb_date *d)
{
	const char *p = s;

	d->day = 1;
	if (read_digits(&p, 4, &d->year) == 4)
		return *p++ == '-' && read_digits(&p, 2, &d->month) == 2 &&
		       *p == 0;
	p = s;
	return read_digits(&p, 2, &d->month) >= 1 && *p++ == '/' &&
	       read_digits(&p, 4, &d->year) == 4 && *p == 0;
}

cb_err
cb_date_parse_span(const char *s, struct cb_date *first, struct cb_date *last,
                   struct cb_errbuf *eb)
{
	char trimmed[SHOWN_MAX + 1];
	struct cb_date a, b;
	const char *p;
	cb_err rc;

	if ((rc = trim(s, trimmed, eb)))
		return rc;
	p = trimmed;
	if (scan_iso(trimmed, &a) || scan_day_first(trimmed, &a)) {
		b = a;
	} else if (scan_month(trimmed, &a)) {
		b = a;
		if (a.month >= 1 && a.month <= 12)
			b.day = days_in_month(a.year, a.month);
	} else if (read_digits(&p, 4, &a.year) == 4 && *p == 0) {
		a.month = 1;
		a.day = 1;
		b = a;
		b.month = 12;
		b.day = 31;
	} else {
		return cb_error(eb, CB_EINVAL,
		                _("date '%s' is not a day (%s), a month "
		                  "(YYYY-MM or MM/YYYY) or a year (YYYY)"),
		                trimmed, _(CB_DATE_FORMS));
	}
	if ((rc = check_date(trimmed, &a, eb)) ||
	    (rc = check_date(trimmed, &b, eb)))
		return rc;
	*first = a;
	*last = b;
	return CB_OK;
}

/* n as exactly `width` decimal digits, clamped to what fits. */
static void
put_digits(char *p, int n, int width)
{
	int max = 1;

	for (int i = 0; i < width; i++)
		max *= 10;
	if (n < 0)
		n = 0;
	if (n >= max)
		n = max - 1;
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + n % 10);
		n /= 10;
	}
}

void
cb_date_format(const struct cb_date *d, char out[11])
{
	put_digits(out, d->year, 4);
	out[4] = '-';
	put_digits(out + 5, d->month, 2);
	out[7] = '-';
	put_digits(out + 8, d->day, 2);
	out[10] = 0;
}

int
cb_date_cmp(const struct cb_date *a, const struct cb_date *b)
{
	if (a->year != b->year)
		return a->year < b->year ? -1 : 1;
	if (a->month != b->month)
		return a->month < b->month ? -1 : 1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	return 0;
}

int64_t
cb_date_to_days(const struct cb_date *d)
{
	/* days_from_civil: years start on 1 March, so a leap day ends one;
	 * yoe is in [0, 399], doy in [0, 365], doe in [0, 146096]. */
	int64_t y = (int64_t)d->year - (d->month <= 2);
	int64_t m = d->month, era, yoe, doy, doe;

	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d->day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct cb_date
cb_date_from_days(int64_t days)
{
	int64_t z, era, doe, yoe, y, doy, mp, m;
	struct cb_date d;

	if (days > DAYS_LIMIT)
		days = DAYS_LIMIT;
	if (days < -DAYS_LIMIT)
		days = -DAYS_LIMIT;
	/* civil_from_days, the inverse, with the same ranges; mp is the month
	 * counted from March, in [0, 11]. */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = mp < 10 ? mp + 3 : mp - 9;
	d.month = (int)m;
	d.year = (int)(y + (m <= 2));
	return d;
}

int
cb_date_weekday(const struct cb_date *d)
{
	/* 1970-01-01 was a Thursday (3). */
	int64_t r = (cb_date_to_days(d) + 3) % 7;

	return (int)(r < 0 ? r + 7 : r);
}

int
cb_date_years_between(const struct cb_date *birth, const struct cb_date *on)
{
	int years = on->year - birth->year;

	/* Not yet had this year's birthday; someone born on 29 February
	 * turns a year older on 1 March in common years. */
	if (on->month < birth->month ||
	    (on->month == birth->month && on->day < birth->day))
		years--;
	return years;
}

/* ms as a broken-down time in Vietnam. */
static void
vietnam_tm(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)(ms / 1000) + 7 * 3600; /* UTC+7, no DST */

	gmtime_r(&t, tm);
}

void
cb_time_iso(int64_t ms, char out[CB_TIME_MAX])
{
	struct tm tm;

	vietnam_tm(ms, &tm);
	strftime(out, CB_TIME_MAX, "%Y-%m-%dT%H:%M:%S+07:00", &tm);
}

void
cb_time_show(int64_t ms, char out[CB_TIME_MAX])
{
	struct tm tm;

	vietnam_tm(ms, &tm);
	strftime(out, CB_TIME_MAX, "%Y-%m-%d %H:%M:%S", &tm);
}

void
cb_time_day(int64_t ms, char out[CB_TIME_MAX])
{
	struct tm tm;

	vietnam_tm(ms, &tm);
	strftime(out, CB_TIME_MAX, "%Y-%m-%d", &tm);
}

struct cb_date
cb_date_today(void)
{
	int64_t t = (int64_t)time(NULL) + 7 * 3600; /* UTC+7, no DST */
	int64_t days = t / 86400;

	if (t % 86400 < 0)
		days--;
	return cb_date_from_days(days);
}

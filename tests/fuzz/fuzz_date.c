/* SPDX-License-Identifier: MIT */
/* fuzz_date.c — libFuzzer target for dates as people and spreadsheets type
 * them (date.h): cb_date_parse (YYYY-MM-DD, what an entry body holds) and
 * cb_date_parse_loose (also D/M/YYYY and D-M-YYYY with stray blanks, what
 * an import file or a command line gives), and cb_date_parse_span (also a
 * month or a year, what a filter's --from and --to take). The input is two
 * strings, split at the first NUL. No input may crash either parser, and a date
 * either accepts is a real day of 1900..2199 that formats to YYYY-MM-DD and
 * parses back to itself (the strict parser accepts exactly its own format, and
 * whatever it accepts the loose one does too); its day count converts back
 * to it, the next day is one later, and a comparison of two dates agrees
 * with their day counts. A span is two real days, the first not after the
 * last, and a day the loose parser accepts is a span of that day alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What holds of any date a parser gave. */
static void
check_date(const struct cb_date *d)
{
	struct cb_date back, next;
	char iso[11];
	int64_t days;

	if (!cb_date_valid(d) || d->year < 1900 || d->year > 2199)
		abort();
	cb_date_format(d, iso);
	if (cb_date_parse(iso, &back, NULL) || cb_date_cmp(&back, d))
		abort();
	days = cb_date_to_days(d);
	back = cb_date_from_days(days);
	if (cb_date_cmp(&back, d))
		abort();
	next = cb_date_from_days(days + 1);
	if (cb_date_cmp(&next, d) <= 0 || cb_date_to_days(&next) != days + 1)
		abort();
	if (cb_date_weekday(d) < 0 || cb_date_weekday(d) > 6 ||
	    cb_date_weekday(&next) != (cb_date_weekday(d) + 1) % 7)
		abort();
	if (cb_date_years_between(d, d) != 0)
		abort();
}

/* Parse s both ways; *d is the date if either accepted it. */
static int
parse(const char *s, struct cb_date *d)
{
	struct cb_date strict, loose, first, last;
	char iso[11];
	int ok_strict = cb_date_parse(s, &strict, NULL) == CB_OK;
	int ok_loose = cb_date_parse_loose(s, &loose, NULL) == CB_OK;

	if (ok_strict) {
		check_date(&strict);
		cb_date_format(&strict, iso);
		if (strcmp(iso, s) || !ok_loose || cb_date_cmp(&strict, &loose))
			abort();
	}
	if (ok_loose)
		check_date(&loose);
	if (cb_date_parse_span(s, &first, &last, NULL) == CB_OK) {
		check_date(&first);
		check_date(&last);
		if (cb_date_cmp(&first, &last) > 0 ||
		    (ok_loose && (cb_date_cmp(&first, &loose) ||
		                  cb_date_cmp(&last, &loose))))
			abort();
	} else if (ok_loose) {
		abort();
	}
	*d = loose;
	return ok_loose;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 2), *second;
	struct cb_date a, b;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = text[size + 1] = 0;
	second = text + strlen(text) + 1;
	if (parse(text, &a) & parse(second, &b)) {
		int64_t da = cb_date_to_days(&a), db = cb_date_to_days(&b);
		int c = cb_date_cmp(&a, &b), years;

		if ((c < 0) != (da < db) || (c == 0) != (da == db))
			abort();
		/* age on b of someone born on a: never more than the
		 * difference of years, at most one less */
		years = cb_date_years_between(&a, &b);
		if (years > b.year - a.year || years < b.year - a.year - 1 ||
		    (c <= 0 && years < 0) || (c > 0 && years > 0))
			abort();
	}
	free(text);
	return 0;
}

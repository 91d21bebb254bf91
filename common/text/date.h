/* SPDX-License-Identifier: MIT */
/* date.h — calendar dates as the records use them: ISO 8601 YYYY-MM-DD,
 * proleptic Gregorian, years 1900..2199. What a person types (an option, a
 * field of 'apply', a spreadsheet's cell) may also be DD/MM/YYYY (the
 * Vietnamese order), D/M/YYYY or DD-MM-YYYY: cb_date_parse_loose and
 * cb_date_parse_span are the one parser for all of it, and their messages
 * name the forms they accept. */
#ifndef CB_DATE_H
#define CB_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct cb_date {
	int year, month, day;
};

/* Parse exactly "YYYY-MM-DD" naming a real day (2023-02-29 is refused). */
cb_err cb_date_parse(const char *s, struct cb_date *out,
                     struct cb_errbuf *eb) CB_MUST_CHECK;
/* The forms of a day a person may type, for messages and help: marked
 * N_(), so a message shows _(CB_DATE_FORMS). */
#define CB_DATE_FORMS N_("YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY")

/* Parse "YYYY-MM-DD", "DD/MM/YYYY", "D/M/YYYY" or "DD-MM-YYYY", spaces
 * around it ignored. Anything else: CB_EINVAL, "date 'x' is not
 * YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY". */
cb_err cb_date_parse_loose(const char *s, struct cb_date *out,
                           struct cb_errbuf *eb) CB_MUST_CHECK;
/* cb_date_parse_loose, then the day as "YYYY-MM-DD" into out. */
cb_err cb_date_normalise(const char *s, char out[11],
                         struct cb_errbuf *eb) CB_MUST_CHECK;
/* A day, a month or a year, as a range of days, for a filter's --from
 * (take *first) and --to (take *last): a day in any form of
 * cb_date_parse_loose (first = last); a month "YYYY-MM", "MM/YYYY" or
 * "M/YYYY" (its first and last day); a year "YYYY". */
cb_err cb_date_parse_span(const char *s, struct cb_date *first,
                          struct cb_date *last,
                          struct cb_errbuf *eb) CB_MUST_CHECK;
bool cb_date_valid(const struct cb_date *d);
/* "YYYY-MM-DD" into out (11 bytes). */
void cb_date_format(const struct cb_date *d, char out[11]);
/* Negative, zero or positive like strcmp. */
int cb_date_cmp(const struct cb_date *a, const struct cb_date *b);
/* Days since 1970-01-01 (may be negative), and back. */
int64_t cb_date_to_days(const struct cb_date *d);
struct cb_date cb_date_from_days(int64_t days);
/* 0 = Monday … 6 = Sunday. */
int cb_date_weekday(const struct cb_date *d);
/* Whole years from birth to on (age on that day). */
int cb_date_years_between(const struct cb_date *birth,
                          const struct cb_date *on);
/* Today in UTC+7 (Vietnam has no DST), from the real clock. */
struct cb_date cb_date_today(void);

/* Times people read and JSON carries are Vietnam's (UTC+7, no DST), from
 * Unix milliseconds; every program formats them here:
 *   cb_time_iso:  "2026-11-21T19:05:07+07:00" (JSON, reports: ISO 8601
 *                 with the offset);
 *   cb_time_show: "2026-11-21 19:05:07" (a table whose heading or note
 *                 says UTC+7);
 *   cb_time_day:  "2026-11-21", the day it was in Vietnam. */
#define CB_TIME_MAX 32
void cb_time_iso(int64_t ms, char out[CB_TIME_MAX]);
void cb_time_show(int64_t ms, char out[CB_TIME_MAX]);
void cb_time_day(int64_t ms, char out[CB_TIME_MAX]);

#endif

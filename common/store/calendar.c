/* SPDX-License-Identifier: MIT */
/* calendar.c — see calendar.h. */
#include "calendar.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "sql.h"
#include "store.h"

#define MAX_HOLIDAYS 256

cb_err
cb_calendar_due(struct cb_store *st, const char *start, int n, char out[11],
                struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT date FROM holidays WHERE date > ? "
				  "AND date <= ? ORDER BY date";
	char hol[MAX_HOLIDAYS][11], last[11];
	struct cb_date d;
	struct cb_stmt *s = NULL;
	int64_t day;
	int nh = 0, k = 0;

	if (n < 0 || n > 1000 || cb_date_parse(start, &d, eb))
		return cb_error(eb, CB_EINVAL,
		                _("no working day %d after '%.20s'"), n,
		                start ? start : "");
	day = cb_date_to_days(&d);
	/* n working days lie within 2n + the holidays: 3n + 60 is ample. */
	d = cb_date_from_days(day + 3 * n + 60);
	cb_date_format(&d, last);
	if (cb_sql_prepare(st, sql, &s, eb))
		return cb_error_prefix(eb, CB_EIO, _("cannot read holidays"));
	cb_sql_bind_text(s, 1, start);
	cb_sql_bind_text(s, 2, last);
	while (cb_sql_step(s) == CB_SQL_ROW && nh < MAX_HOLIDAYS)
		snprintf(hol[nh++], 11, "%s", cb_sql_column_text(s, 0));
	cb_sql_finalize(s);
	while (n > 0) {
		char ds[11];
		int wd;

		d = cb_date_from_days(++day);
		wd = cb_date_weekday(&d);
		cb_date_format(&d, ds);
		while (k < nh && strcmp(hol[k], ds) < 0)
			k++;
		if (wd >= 5 || (k < nh && !strcmp(hol[k], ds)))
			continue;
		n--;
	}
	cb_date_format(&d, out);
	return CB_OK;
}

cb_err
cb_calendar_working_days(struct cb_store *st, const char *after,
                         const char *upto, int *n, struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT date FROM holidays WHERE date > ? AND date <= ?";
	struct cb_date a, b;
	struct cb_stmt *s = NULL;
	int64_t first, last;
	int count = 0, r;

	if (cb_date_parse(after, &a, eb) || cb_date_parse(upto, &b, eb))
		return cb_error_prefix(eb, CB_EINVAL, _("working days"));
	first = cb_date_to_days(&a) + 1;
	last = cb_date_to_days(&b);
	if (last - first > 36525)
		return cb_error(eb, CB_EINVAL,
		                _("working days from %s to %s: over 100 years"),
		                after, upto);
	for (int64_t day = first; day <= last; day++) {
		struct cb_date d = cb_date_from_days(day);

		count += cb_date_weekday(&d) < 5;
	}
	/* less the holidays on a weekday (one on a weekend is not a
	 * working day anyway) */
	if (cb_sql_prepare(st, sql, &s, eb))
		return cb_error_prefix(eb, CB_EIO, _("cannot read holidays"));
	cb_sql_bind_text(s, 1, after);
	cb_sql_bind_text(s, 2, upto);
	while ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		struct cb_date h;
		struct cb_errbuf ignore;

		if (!cb_date_parse(cb_sql_column_text(s, 0), &h, &ignore) &&
		    cb_date_weekday(&h) < 5)
			count--;
	}
	cb_sql_finalize(s);
	if (r != CB_SQL_DONE)
		return cb_store_error(st, eb, "cannot read holidays");
	*n = count;
	return CB_OK;
}

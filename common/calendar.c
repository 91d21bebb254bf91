/* SPDX-License-Identifier: MIT */
/* calendar.c — see calendar.h. */
#include "calendar.h"

#include <stdio.h>
#include <string.h>

#include "date.h"

#define MAX_HOLIDAYS 256

cb_err
cb_calendar_due(sqlite3 *db, const char *start, int n, char out[11],
                struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT date FROM holidays WHERE date > ? "
				  "AND date <= ? ORDER BY date";
	char hol[MAX_HOLIDAYS][11], last[11];
	struct cb_date d;
	sqlite3_stmt *s = NULL;
	int64_t day;
	int nh = 0, k = 0;

	if (n < 0 || n > 1000 || cb_date_parse(start, &d, eb))
		return cb_error(eb, CB_EINVAL,
		                "no working day %d after '%.20s'", n,
		                start ? start : "");
	day = cb_date_to_days(&d);
	/* n working days lie within 2n + the holidays: 3n + 60 is ample. */
	d = cb_date_from_days(day + 3 * n + 60);
	cb_date_format(&d, last);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return cb_error(eb, CB_EIO, "cannot read holidays: %s",
		                sqlite3_errmsg(db));
	sqlite3_bind_text(s, 1, start, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, last, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW && nh < MAX_HOLIDAYS)
		snprintf(hol[nh++], 11, "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
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
cb_calendar_working_days(sqlite3 *db, const char *after, const char *upto,
                         int *n, struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT date FROM holidays WHERE date > ? AND date <= ?";
	struct cb_date a, b;
	sqlite3_stmt *s = NULL;
	int64_t first, last;
	int count = 0, r;

	if (cb_date_parse(after, &a, eb) || cb_date_parse(upto, &b, eb))
		return cb_error_prefix(eb, CB_EINVAL, "working days");
	first = cb_date_to_days(&a) + 1;
	last = cb_date_to_days(&b);
	if (last - first > 36525)
		return cb_error(eb, CB_EINVAL,
		                "working days from %s to %s: over 100 years",
		                after, upto);
	for (int64_t day = first; day <= last; day++) {
		struct cb_date d = cb_date_from_days(day);

		count += cb_date_weekday(&d) < 5;
	}
	/* less the holidays on a weekday (one on a weekend is not a
	 * working day anyway) */
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return cb_error(eb, CB_EIO, "cannot read holidays: %s",
		                sqlite3_errmsg(db));
	sqlite3_bind_text(s, 1, after, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, upto, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct cb_date h;
		struct cb_errbuf ignore;

		if (!cb_date_parse((const char *)sqlite3_column_text(s, 0), &h,
		                   &ignore) &&
		    cb_date_weekday(&h) < 5)
			count--;
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE)
		return cb_error(eb, CB_EIO, "cannot read holidays: %s",
		                sqlite3_errmsg(db));
	*n = count;
	return CB_OK;
}

static void
sql_due(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *start = (const char *)sqlite3_value_text(argv[0]);
	struct cb_errbuf eb;
	char out[11];

	(void)argc;
	if (!start || cb_calendar_due(sqlite3_context_db_handle(ctx), start,
	                              sqlite3_value_int(argv[1]), out, &eb)) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

int
cb_calendar_register(sqlite3 *db)
{
	return sqlite3_create_function(db, "chibo_due", 2, SQLITE_UTF8, NULL,
	                               sql_due, NULL, NULL);
}

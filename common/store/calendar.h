/* SPDX-License-Identifier: MIT */
/* calendar.h — working days: Monday to Friday, less the public holidays of
 * the store's holidays table (schema/005_holidays.sql, extended by the
 * authority's calendar.holiday entries). A release is overdue 30 working
 * days after its letter (DOMAIN.md, "Transfers"). */
#ifndef CB_CALENDAR_H
#define CB_CALENDAR_H

#include "err.h"

struct cb_store;

/* The n-th working day after start (YYYY-MM-DD), into out. */
cb_err cb_calendar_due(struct cb_store *st, const char *start, int n, char out[11],
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* The working days d with after < d <= upto (both YYYY-MM-DD, at most
 * 100 years apart) into *n: 0 when upto is not after after. How late an
 * overdue transfer is: the working days after its due day, up to a day. */
cb_err cb_calendar_working_days(struct cb_store *st, const char *after,
                                const char *upto, int *n,
                                struct cb_errbuf *eb) CB_MUST_CHECK;

/* SQL has chibo_due(date, n): cb_calendar_due, or NULL (every backend of
 * the statement layer provides it; SQLite's is in store.c). */

/* A release's deadlines as SQL of its letter's date (DOMAIN.md,
 * "Transfers"): due 30 working days after it; over three months after
 * CB_SQL_LAPSE, SQLite's date arithmetic, when the member may be struck
 * off. The reports, 'chibo-agent transfers' and the strike-off rule
 * (project.c, with CB_LAPSE_MODIFIER) read them from here. */
#define CB_SQL_DUE(letter) "chibo_due(" letter ", 30)"
#define CB_LAPSE_MODIFIER "+3 months"
#define CB_SQL_LAPSE(letter) "date(" letter ", '" CB_LAPSE_MODIFIER "')"

#endif

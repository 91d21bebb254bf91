/* SPDX-License-Identifier: MIT */
/* calendar.h — working days: Monday to Friday, less the public holidays of
 * the store's holidays table (schema/005_holidays.sql, extended by the
 * authority's calendar.holiday entries). A release is overdue 30 working
 * days after its letter (DOMAIN.md, "Transfers"). */
#ifndef CB_CALENDAR_H
#define CB_CALENDAR_H

#include <sqlite3.h>

#include "err.h"

/* The n-th working day after start (YYYY-MM-DD), into out. */
cb_err cb_calendar_due(sqlite3 *db, const char *start, int n, char out[11],
                       struct cb_errbuf *eb) CB_MUST_CHECK;

/* Registers chibo_due(date, n) in SQL: cb_calendar_due, or NULL. */
int cb_calendar_register(sqlite3 *db);

#endif

/* SPDX-License-Identifier: MIT */
/* cmd_report.c — chibo-agent report: the commune's own figures (the code
 * is common/report.c, which the hub will use for a district). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "args.h"
#include "date.h"
#include "ops.h"
#include "report.h"

static const struct argdef defs[] = {
	{ "term", "YYYY-YYYY", "congresses: the term" },
	{ "period", "PERIOD", "ratings: YYYY, YYYY-Qn or YYYY-MM" },
	{ "from", "YYYY-MM", "meetings: the first month" },
	{ "to", "YYYY-MM", "meetings: the last month" },
	{ "on", "DATE", "membership: ages on this day (default: today)" },
	{ "format", "FORMAT", "table (default), csv or json" },
	{ "bom", NULL, "csv: start with a UTF-8 byte order mark (for Excel)" },
	{ NULL, NULL, NULL },
};

static bool
month_ok(const char *s)
{
	return s && strlen(s) == 7 && s[4] == '-' && cb_period_valid(s) &&
	       isdigit((unsigned char)s[5]);
}

int
cmd_report(struct agent *a, int argc, char **argv)
{
	struct cb_report r = { 0 };
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	struct args v;
	enum cb_report_format fmt = CB_REPORT_TABLE;
	const char *kind, *f;
	char today[11];
	int rc;

	rc = cb_args_command(
		"report",
		"usage: chibo-agent report KIND [OPTIONS]\n\n"
		"The organisation's figures, from its own records. KIND:\n"
		"  membership   members by status, cell kind, work and age\n"
		"  congresses   cells that held their congress of --term\n"
		"  ratings      decided ratings of --period by level, with "
		"the\n"
		"               check outstanding <= 20% of good or better\n"
		"  meetings     per cell, months --from..--to: meetings held "
		"and\n"
		"               missing, attendance, guide 12-HD/BTCTW "
		"criteria\n\n",
		defs, argc, argv, &v, 1, 1, "give one KIND");
	if (rc >= 0)
		return rc;
	kind = v.pos[0];
	if ((f = cb_args_get(&v, 5))) {
		if (!strcmp(f, "csv"))
			fmt = CB_REPORT_CSV;
		else if (!strcmp(f, "json"))
			fmt = CB_REPORT_JSON;
		else if (strcmp(f, "table"))
			return cb_args_usage("report",
			                     "--format is table, csv or "
			                     "json");
	}
	if (!strcmp(kind, "congresses") && !cb_args_get(&v, 0))
		return cb_args_usage("report", "congresses needs --term");
	if (!strcmp(kind, "ratings") &&
	    (!cb_args_get(&v, 1) || !cb_period_valid(cb_args_get(&v, 1))))
		return cb_args_usage("report", "ratings needs --period YYYY, "
		                               "YYYY-Qn or YYYY-MM");
	if (!strcmp(kind, "meetings") &&
	    (!month_ok(cb_args_get(&v, 2)) || !month_ok(cb_args_get(&v, 3))))
		return cb_args_usage("report",
		                     "meetings needs --from YYYY-MM and "
		                     "--to YYYY-MM");
	if (cb_args_get(&v, 4)) {
		struct cb_date d;

		if (cb_date_parse(cb_args_get(&v, 4), &d, &eb))
			return cb_args_usage("report", "--on: %s", eb.msg);
		cb_date_format(&d, today);
	} else {
		struct cb_date d = cb_date_today();

		cb_date_format(&d, today);
	}
	if (strcmp(kind, "membership") && strcmp(kind, "congresses") &&
	    strcmp(kind, "ratings") && strcmp(kind, "meetings"))
		return cb_args_usage("report", "unknown report '%s'", kind);
	if (!(lg = agent_open(a)))
		return 1;
	if (!strcmp(kind, "membership"))
		rc = cb_report_membership(lg->st, today, &r, &eb);
	else if (!strcmp(kind, "congresses"))
		rc = cb_report_congresses(lg->st, lg->org, cb_args_get(&v, 0),
		                          &r, &eb);
	else if (!strcmp(kind, "ratings"))
		rc = cb_report_ratings(lg->st, cb_args_get(&v, 1), &r, &eb);
	else
		rc = cb_report_meetings(lg->st, lg->org, cb_args_get(&v, 2),
		                        cb_args_get(&v, 3), &r, &eb);
	if (rc) {
		agent_error("%s", eb.msg);
		rc = 1;
	} else if (cb_report_write(&r, fmt, cb_args_get(&v, 6) != NULL,
	                           stdout)) {
		agent_error("cannot write the report");
		rc = 1;
	}
	cb_report_release(&r);
	cb_ledger_free(&lg);
	return rc;
}

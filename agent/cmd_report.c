/* SPDX-License-Identifier: MIT */
/* cmd_report.c — chibo-agent report: the commune's own figures (the code
 * is common/view/report.c, which 'chibo-hub report' runs for a district). */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "args.h"
#include "chain.h"
#include "date.h"
#include "log.h"
#include "report.h"
#include "syncstate.h"

static const struct argdef defs[] = {
	CB_REPORT_ARGDEFS,
	{ NULL, NULL, NULL },
};

int
cmd_report(struct agent *a, int argc, char **argv)
{
	struct cb_report_query q = { 0 };
	struct cb_sync_state ss = { 0 };
	struct cb_chain_head head = { 0 };
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	struct args v;
	struct cb_output out;
	int rc;

	rc = cb_args_command(
		"report",
		/* xgettext:no-c-format */
		N_("usage: chibo-agent report KIND [OPTIONS]\n\n"
	           "The organisation's figures, from its own records. KIND:\n"
	           "  membership   members by status, cell kind, work and age\n"
	           "  congresses   cells that held their congress of --term\n"
	           "  ratings      decided ratings of --period by level, with "
	           "the\n"
	           "               check outstanding <= 20% of good or better\n"
	           "  meetings     per cell, months --from..--to: meetings "
	           "held "
	           "and\n"
	           "               missing, attendance, guide 12-HD/BTCTW "
	           "criteria\n"
	           "  campaign     dissolving the commune-agency cell(s): "
	           "cells\n"
	           "               dissolved by --to, their members moved to "
	           "other\n"
	           "               cells or in transit (cells not dissolved "
	           "before\n"
	           "               --from)\n"
	           "  transfers    released --from..--to: official transfers "
	           "released,\n"
	           "               accepted, declined, in transit, overdue (30 "
	           "working\n"
	           "               days after the letter), over 3 months and "
	           "struck\n"
	           "               off, as of --on; internal moves; temporary "
	           "transfers;\n"
	           "               --overdue lists the overdue ones with "
	           "letter,\n"
	           "               member and working days late\n"
	           "  clashes      card or national ID numbers this replica "
	           "holds "
	           "for\n"
	           "               more than one member (those a member of "
	           "another\n"
	           "               commune holds too are in 'status')\n\n"
	           "A DATE is YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY"
	           ".\n\n"
	           "The district's hub runs the same reports for every commune "
	           "('chibo-hub\nreport'), and 'sync'.\n\n"),
		defs, argc, argv, &v, 1, 1, N_("give one KIND"));
	if (rc >= 0)
		return rc;
	if (cb_output_parse_args(&v, 6, false, &out, &eb))
		return cb_args_usage("report", "%s", eb.msg);
	q.kind = v.pos[0];
	q.root = "";
	q.term = cb_args_get(&v, 0);
	q.period = cb_args_get(&v, 1);
	q.from = cb_args_get(&v, 2);
	q.to = cb_args_get(&v, 3);
	q.on = cb_args_get(&v, 4);
	q.overdue = cb_args_get(&v, 5) != NULL;
	if (!strcmp(q.kind, "sync"))
		return cb_args_usage(
			"report", _("sync is the hub's report: run 'chibo-hub "
		                    "report sync' there (here: 'chibo-agent "
		                    "status')"));
	if (cb_report_check(&q, &eb))
		return cb_args_usage("report", "%s", eb.msg);
	if (!(lg = agent_open(a)))
		return 1;
	q.root = lg->org;
	rc = 0;
	/* stated at the hub's checkpoint this replica last checked, with
	 * what it recorded since that the hub does not hold yet */
	if (cb_sync_state_load(lg->st, &ss, &eb) ||
	    cb_log_head(cb_store_log(lg->st), lg->key.pk, &head, &eb) ||
	    cb_report_print_as_synced(
		    lg->st, &q, &out, stdout, ss.text[CB_SYNC_CHECKPOINT],
		    head.seq > (uint64_t)ss.num[CB_SYNC_HUB_HEAD]
			    ? head.seq - (uint64_t)ss.num[CB_SYNC_HUB_HEAD]
			    : 0,
		    &eb)) {
		agent_error("%s", eb.msg);
		rc = 1;
	}
	cb_sync_state_release(&ss);
	cb_ledger_free(&lg);
	return rc;
}

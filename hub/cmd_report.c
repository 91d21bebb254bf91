/* SPDX-License-Identifier: MIT */
/* cmd_report.c — chibo-hub report: the district's figures, over every
 * organisation the hub serves (or the subtree of --org), from hub.db's
 * tables: the reports of common/view/report.c, the same code as 'chibo-agent
 * report', and the sync health of the enrolled keys. Read in one
 * snapshot, so a hub serving at the same time gives consistent figures. */
#include <stdio.h>
#include <string.h>

#include "enrolments.h"
#include "hub.h"
#include "report.h"

static const struct argdef defs[] = {
	{ "org", "CODE",
	  N_("the subtree of this organisation (default: the hub's; sync: "
	     "every key)") },
	CB_REPORT_ARGDEFS,
	{ NULL, NULL, NULL },
};

/* Every report but sync (the keys' contacts, which the log does not
 * hold) is computed at a checkpoint covering the whole log: one is signed
 * when entries arrived after the latest (a serving hub signs one after
 * each push; a few tries, as it may append meanwhile). */
static cb_err
report_print(struct cb_ledger *lg, const struct cb_report_query *q,
             const struct cb_output *out, struct cb_errbuf *eb)
{
	cb_err rc;

	if (!strcmp(q->kind, "sync"))
		return cb_report_print(lg->st, q, out, stdout, eb);
	for (int tries = 0;; tries++) {
		rc = cb_report_print_at_checkpoint(lg->st, q, out, stdout, eb);
		if (rc != CB_EAGAIN || tries == 5 ||
		    (rc = hub_log_checkpoint(lg, eb)))
			return rc;
	}
}

int
cmd_hub_report(struct hub *h, int argc, char **argv)
{
	struct cb_report_query q = { 0 };
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	struct args v;
	struct cb_output out;
	int rc;

	rc = cb_args_command(
		"report",
		N_("usage: chibo-hub report KIND [--org CODE] [--from DATE "
	           "--to "
	           "DATE]\n"
	           "                        [--format text|csv|json|xlsx] "
	           "[--separator SEP] [--bom] [--out FILE]\n\n"
	           "The district's figures, from what its communes have "
	           "synced, "
	           "computed at\nthe hub's latest signed checkpoint (its "
	           "origin, "
	           "size and root are\nprinted with them: 'chibo-audit report' "
	           "recomputes them from the log).\nKIND:\n"
	           "  campaign     dissolving commune-agency cells, per "
	           "district "
	           "and\n"
	           "               organisation: organisations finished (every "
	           "such cell\n"
	           "               dissolved by --to), members moved to other "
	           "cells or in\n"
	           "               transit (cells not dissolved before "
	           "--from)\n"
	           "  transfers    released --from..--to, per organisation: "
	           "official\n"
	           "               transfers released, accepted, declined, in "
	           "transit,\n"
	           "               overdue (30 working days after the letter), "
	           "over 3\n"
	           "               months and struck off, as of --on; internal "
	           "moves;\n"
	           "               temporary transfers; --overdue lists the "
	           "overdue\n"
	           "               ones with letter, member and working days "
	           "late\n"
	           "  sync         per enrolled key: its last contact with the "
	           "hub, its\n"
	           "               last entry, entries waiting, rejected, "
	           "forks\n"
	           "  clashes      party card or national ID numbers held by "
	           "more than\n"
	           "               one member, with each member and "
	           "organisation\n"
	           "  membership   members by status, cell kind, work and age "
	           "(--on)\n"
	           "  congresses   cells that held their congress of --term\n"
	           "  ratings      decided ratings of --period by level\n"
	           "  meetings     per cell, months --from..--to (YYYY-MM): "
	           "meetings,\n"
	           "               attendance, guide 12-HD/BTCTW criteria\n\n"),
		defs, argc, argv, &v, 1, 1, N_("give one KIND"));
	if (rc >= 0)
		return rc;
	if (cb_output_parse_args(&v, 7, false, &out, &eb))
		return cb_args_usage("report", "%s", eb.msg);
	q.kind = v.pos[0];
	q.root = cb_args_get(&v, 0);
	q.term = cb_args_get(&v, 1);
	q.period = cb_args_get(&v, 2);
	q.from = cb_args_get(&v, 3);
	q.to = cb_args_get(&v, 4);
	q.on = cb_args_get(&v, 5);
	q.overdue = cb_args_get(&v, 6) != NULL;
	if (!q.root)
		q.root = "";
	if (cb_report_check(&q, &eb))
		return cb_args_usage("report", "%s", eb.msg);
	if (!(lg = hub_open(h)))
		return 1;
	if (!cb_args_get(&v, 0)) {
		q.root = strcmp(q.kind, "sync") ? lg->org : NULL;
	} else if (cb_enrolments_org_known(lg->st, q.root, &eb)) {
		hub_error("%s", eb.msg);
		cb_ledger_free(&lg);
		return 1;
	}
	rc = 0;
	if (report_print(lg, &q, &out, &eb)) {
		hub_error("%s", eb.msg);
		rc = 1;
	}
	cb_ledger_free(&lg);
	return rc;
}

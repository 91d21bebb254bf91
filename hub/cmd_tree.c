/* SPDX-License-Identifier: MIT */
/* cmd_tree.c — the hub's organisations above the communes: a committee
 * with no hub of its own (a district under a city's hub, before 2025),
 * and the exemption of a commune from the campaign. Both are entries of
 * the hub's log signed by hub.key (committee.found, campaign.exempt), so
 * every replica under the hub and every auditor sees the same tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "hub.h"

static const struct argdef committee_defs[] = {
	{ "name", "NAME", "its name, e.g. 'Quận ủy Quận 2'" },
	{ "level", "LEVEL", "district (the default) or province" },
	{ "parent", "CODE",
	  "the committee it sits under (default: this hub's)" },
	{ "founded-on", "DATE", "the day it was founded (" CB_DATE_FORMS ")" },
	{ NULL, NULL, NULL },
};

int
cmd_hub_committee(struct hub *h, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct args v;
	json_t *in;
	int rc;

	rc = cb_args_command(
		"committee",
		"usage: chibo-hub committee CODE --name NAME [--level LEVEL] "
		"[--parent CODE]\n                           [--founded-on "
		"DATE]\n\n"
		"Founds the committee CODE in this hub's tree, for a level "
		"that has no hub\nof its own: the district committees of a "
		"city whose wards the city's hub\nserves. Communes enrolled "
		"with --parent CODE go under it, and the reports\ncount them "
		"by it. Recorded as a committee.found entry signed by the "
		"hub's\nkey; refused under a grassroots organisation and "
		"outside the subtree this\nhub was delegated.\n\n",
		committee_defs, argc, argv, &v, 1, 1, "give one CODE");
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0))
		return cb_args_usage("committee", "give --name");
	if (!(lg = hub_open(h)))
		return 1;
	in = json_pack("{s:s, s:s, s:s, s:s}", "code", v.pos[0], "name",
	               cb_args_get(&v, 0), "level",
	               cb_args_get(&v, 1) ? cb_args_get(&v, 1) : "district",
	               "parent",
	               cb_args_get(&v, 2) ? cb_args_get(&v, 2) : lg->org);
	cb_ledger_free(&lg);
	if (cb_args_get(&v, 3))
		json_object_set_new(in, "founded_on",
		                    json_string(cb_args_get(&v, 3)));
	rc = hub_append(h, "committee.found", in);
	json_decref(in);
	return rc;
}

static const struct argdef exempt_defs[] = {
	{ "reason", "TEXT",
	  "why, e.g. 'no residential cell after the relocation'" },
	{ "on", "DATE", "the day of the decision (" CB_DATE_FORMS ")" },
	{ NULL, NULL, NULL },
};

int
cmd_hub_exempt(struct hub *h, int argc, char **argv)
{
	struct args v;
	json_t *in;
	int rc;

	rc = cb_args_command(
		"exempt",
		"usage: chibo-hub exempt ORG --reason TEXT --on DATE\n\n"
		"Exempts the commune ORG from the campaign of dissolving "
		"commune-agency\ncells: the campaign report still counts it "
		"and its members, says it is\nexempt and why, and counts its "
		"committee finished without it (seed 000:\n24/24 districts; "
		"321/322 wards, Thủ Thiêm exempt). Recorded as a\n"
		"campaign.exempt entry signed by the hub's key; a committee's "
		"office can\nrecord one too ('chibo-agent campaign "
	        "exempt').\n\n",
		exempt_defs, argc, argv, &v, 1, 1, "give one ORG");
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1))
		return cb_args_usage("exempt", "give --reason and --on");
	in = json_pack("{s:s, s:s, s:s}", "org", v.pos[0], "reason",
	               cb_args_get(&v, 0), "on", cb_args_get(&v, 1));
	rc = hub_append(h, "campaign.exempt", in);
	json_decref(in);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* cmd_tree.c — the hub's organisations above the communes: a committee
 * with no hub of its own (a district under a city's hub, before 2025),
 * the exemption of a commune from the campaign, and communes merged into
 * another, and organisations moved under another committee. These are
 * entries of the hub's log signed by hub.key (committee.found,
 * campaign.exempt, org.merge, org.move), so every replica under
 * the hub and every auditor sees the same tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chain.h"
#include "date.h"
#include "hub.h"
#include "log.h"
#include "sql.h"

static const struct argdef committee_defs[] = {
	{ "name", "NAME", N_("its name, e.g. 'Quận ủy Quận 2'") },
	{ "level", "LEVEL", N_("district (the default) or province") },
	{ "parent", "CODE",
	  N_("the committee it sits under (default: this hub's)") },
	{ "founded-on", "DATE",
	  N_("the day it was founded (YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or "
	     "DD-MM-YYYY)") },
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
		N_("usage: chibo-hub committee CODE --name NAME [--level "
	           "LEVEL] "
	           "[--parent CODE]\n                           [--founded-on "
	           "DATE]\n\n"
	           "Founds the committee CODE in this hub's tree, for a level "
	           "that has no hub\nof its own: the district committees of a "
	           "city whose wards the city's hub\nserves. Communes enrolled "
	           "with --parent CODE go under it, and the reports\ncount "
	           "them "
	           "by it. Recorded as a committee.found entry signed by the "
	           "hub's\nkey; refused under a grassroots organisation and "
	           "outside the subtree this\nhub was delegated.\n\n"),
		committee_defs, argc, argv, &v, 1, 1, N_("give one CODE"));
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0))
		return cb_args_usage("committee", _("give --name"));
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
	  N_("why, e.g. 'no residential cell after the relocation'") },
	{ "on", "DATE",
	  N_("the day of the decision (YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or "
	     "DD-MM-YYYY)") },
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
		N_("usage: chibo-hub exempt ORG --reason TEXT --on DATE\n\n"
	           "Exempts the commune ORG from the campaign of dissolving "
	           "commune-agency\ncells: the campaign report still counts it "
	           "and its members, says it is\nexempt and why, and counts "
	           "its "
	           "committee finished without it (seed 000:\n24/24 districts; "
	           "321/322 wards, Thủ Thiêm exempt). Recorded as a\n"
	           "campaign.exempt entry signed by the hub's key; a "
	           "committee's "
	           "office can\nrecord one too ('chibo-agent campaign "
	           "exempt').\n\n"),
		exempt_defs, argc, argv, &v, 1, 1, N_("give one ORG"));
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1))
		return cb_args_usage("exempt", _("give --reason and --on"));
	in = json_pack("{s:s, s:s, s:s}", "org", v.pos[0], "reason",
	               cb_args_get(&v, 0), "on", cb_args_get(&v, 1));
	rc = hub_append(h, "campaign.exempt", in);
	json_decref(in);
	return rc;
}

static const struct argdef merge_defs[] = {
	{ "into", "CODE", N_("the commune it merges into (founded already)") },
	{ "on", "DATE",
	  N_("the day of the merger (YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or "
	     "DD-MM-YYYY)") },
	{ "decision-no", "NUMBER", N_("the decision's number") },
	{ NULL, NULL, NULL },
};

/* The head of the chain of org's key (its org.init's author) as this hub
 * holds it, as hex: the last entry the merger covers. */
static int
merged_head(struct cb_ledger *lg, const char *org, char hex[65])
{
	static const char sql[] = "SELECT owner FROM orgs WHERE code = ?";
	struct cb_chain_head head;
	unsigned char owner[CB_KEY_BYTES];
	struct cb_errbuf eb;
	struct cb_stmt *s = cb_sql(lg->st, sql, &eb);
	int r;

	if (!s) {
		hub_error("%s", eb.msg);
		return 1;
	}
	cb_sql_bind_text(s, 1, org);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW && cb_sql_column_bytes(s, 0) == CB_KEY_BYTES)
		memcpy(owner, cb_sql_column_blob(s, 0), CB_KEY_BYTES);
	cb_sql_reset(s);
	if (r != CB_SQL_ROW) {
		hub_error(_("no organisation '%s' in this hub"), org);
		return 1;
	}
	if (cb_log_head(cb_store_log(lg->st), owner, &head, &eb)) {
		hub_error("%s", eb.msg);
		return 1;
	}
	cb_hex_encode(head.id, CB_HASH_BYTES, hex);
	return 0;
}

int
cmd_hub_merge(struct hub *h, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct args v;
	char through[65];
	json_t *in;
	int rc;

	rc = cb_args_command(
		"merge",
		N_("usage: chibo-hub merge ORG --into CODE --on DATE "
	           "--decision-no "
	           "NUMBER\n\n"
	           "Merges the commune ORG into the commune CODE (2025: 10,035 "
	           "communes and\nwards became 3,321): ORG is closed and goes "
	           "under CODE; its cells, its\nmembers and its admission "
	           "candidates pass to CODE's key with their whole\nhistory, "
	           "which CODE's replica receives at its next sync; releases "
	           "addressed\nto ORG are answered by CODE. Recorded as an "
	           "org.merge entry signed by the\nhub's key, covering every "
	           "entry of ORG's key this hub holds: what that\nkey signs "
	           "later is refused. Only the hub that enrolled ORG's key "
	           "merges "
	           "it.\n\n"),
		merge_defs, argc, argv, &v, 1, 1, N_("give one ORG"));
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1) || !cb_args_get(&v, 2))
		return cb_args_usage("merge",
		                     _("give --into, --on and --decision-no"));
	if (!(lg = hub_open(h)))
		return 1;
	rc = merged_head(lg, v.pos[0], through);
	cb_ledger_free(&lg);
	if (rc)
		return rc;
	in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "org", v.pos[0], "into",
	               cb_args_get(&v, 0), "on", cb_args_get(&v, 1),
	               "decision_no", cb_args_get(&v, 2), "through", through);
	rc = hub_append(h, "org.merge", in);
	json_decref(in);
	return rc;
}

static const struct argdef move_defs[] = {
	{ "parent", "CODE", N_("the committee it goes under") },
	{ "on", "DATE", "the day of the move (" CB_DATE_FORMS ")" },
	{ NULL, NULL, NULL },
};

int
cmd_hub_move(struct hub *h, int argc, char **argv)
{
	struct args v;
	json_t *in;
	int rc;

	rc = cb_args_command(
		"move",
		N_("usage: chibo-hub move ORG --parent CODE --on DATE\n\n"
	           "Moves the organisation ORG — a commune, or a committee "
	           "with "
	           "its subtree —\nunder the committee CODE (2025: the "
	           "districts "
	           "abolished, their communes\nunder the provinces). Its "
	           "records, "
	           "its key and its history stay; readers\nthat gain it "
	           "receive "
	           "its history at their next sync. A commune whose\nlegacy "
	           "hub "
	           "is retired is then pointed at this hub ('chibo-agent "
	           "hub').\n"
	           "Recorded as an org.move entry signed by the hub's key; "
	           "only "
	           "a hub over\nboth places moves it.\n\n"),
		move_defs, argc, argv, &v, 1, 1, N_("give one ORG"));
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1))
		return cb_args_usage("move", _("give --parent and --on"));
	in = json_pack("{s:s, s:s, s:s}", "org", v.pos[0], "parent",
	               cb_args_get(&v, 0), "on", cb_args_get(&v, 1));
	rc = hub_append(h, "org.move", in);
	json_decref(in);
	return rc;
}

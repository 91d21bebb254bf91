/* SPDX-License-Identifier: MIT */
/* cmd_tree.c — the hub's organisations above the communes: a committee
 * with no hub of its own (a district under a city's hub, before 2025),
 * the exemption of a commune from the campaign, communes merged into
 * another, organisations moved under another committee, and an
 * organisation's key succeeded by a new one. These are
 * entries of the hub's log signed by hub.key (committee.found,
 * campaign.exempt, org.merge, org.move, org.succeed), so every replica
 * under the hub and every auditor sees the same tree. */
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

/* The key that owns org's record (its org.init's author, or the key
 * that succeeded it) and the head of its chain as this hub holds it, as
 * hex: the last entry a merger or a succession covers (seq 0 and an id
 * of zeros if the hub holds none: a successor that never wrote). */
static int
owner_head(struct cb_ledger *lg, const char *org, char owner_hex[65],
           char head_hex[65], uint64_t *seq)
{
	static const char sql[] = "SELECT owner FROM orgs WHERE code = ?";
	struct cb_chain_head head = { 0 };
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
	cb_hex_encode(owner, CB_KEY_BYTES, owner_hex);
	cb_hex_encode(head.id, CB_HASH_BYTES, head_hex);
	*seq = head.seq;
	return 0;
}

/* org.merge's through and through_seq. */
static int
fill_merge(struct cb_ledger *lg, const char *org, json_t *in)
{
	char owner[65], through[65];
	uint64_t seq;

	if (owner_head(lg, org, owner, through, &seq))
		return 1;
	if (!seq) {
		hub_error(_("this hub holds no entry of '%s''s key: it is "
		            "another hub's to merge"),
		          org);
		return 1;
	}
	return json_object_set_new(in, "through", json_string(through)) ||
	       json_object_set_new(in, "through_seq",
	                           json_integer((json_int_t)seq));
}

/* org.succeed's from, through and through_seq. */
static int
fill_succeed(struct cb_ledger *lg, const char *org, json_t *in)
{
	char owner[65], through[65];
	uint64_t seq;

	if (owner_head(lg, org, owner, through, &seq))
		return 1;
	return json_object_set_new(in, "from", json_string(owner)) ||
	       json_object_set_new(in, "through", json_string(through)) ||
	       json_object_set_new(in, "through_seq",
	                           json_integer((json_int_t)seq));
}

int
cmd_hub_merge(struct hub *h, int argc, char **argv)
{
	struct args v;
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
	in = json_pack("{s:s, s:s, s:s, s:s}", "org", v.pos[0], "into",
	               cb_args_get(&v, 0), "on", cb_args_get(&v, 1),
	               "decision_no", cb_args_get(&v, 2));
	rc = hub_append_filled(h, "org.merge", in, fill_merge, v.pos[0]);
	json_decref(in);
	return rc;
}

static const struct argdef succeed_defs[] = {
	{ "key", "KEY",
	  N_("the new key (enrolled for ORG with the commune role)") },
	{ "reason", "TEXT", N_("why (a dead laptop, a stolen one, …)") },
	{ NULL, NULL, NULL },
};

int
cmd_hub_succeed(struct hub *h, int argc, char **argv)
{
	struct args v;
	json_t *in;
	int rc;

	rc = cb_args_command(
		"succeed",
		N_("usage: chibo-hub succeed ORG --key KEY [--reason TEXT]\n\n"
	           "Hands the grassroots organisation ORG from the key that "
	           "owns "
	           "it (its\noffice's lost, stolen or retired laptop) to KEY, "
	           "enrolled for ORG first\n('chibo-hub enroll KEY --org ORG "
	           "--role commune'): ORG's record, its cells\nand its members "
	           "are KEY's from then on, and 'chibo-agent restore' on the\n"
	           "new laptop brings the whole replica back. Recorded as an "
	           "org.succeed\nentry signed by the hub's key, covering every "
	           "entry of the old key this\nhub holds; the old key's "
	           "enrolment is closed, and whatever it signs\nlater is "
	           "refused. Only the hub that enrolled the old key succeeds "
	           "it.\n\n"),
		succeed_defs, argc, argv, &v, 1, 1, N_("give one ORG"));
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0))
		return cb_args_usage("succeed", _("give --key"));
	in = json_pack("{s:s, s:s}", "org", v.pos[0], "key",
	               cb_args_get(&v, 0));
	if (cb_args_get(&v, 1))
		json_object_set_new(in, "reason",
		                    json_string(cb_args_get(&v, 1)));
	rc = hub_append_filled(h, "org.succeed", in, fill_succeed, v.pos[0]);
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

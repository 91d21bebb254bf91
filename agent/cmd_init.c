/* SPDX-License-Identifier: MIT */
/* cmd_init.c — chibo-agent init: create the replica of one grassroots
 * organisation, its signing key, and entry 1 (org.init). */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "buf.h"
#include "args.h"

static const struct argdef defs[] = {
	{ "code", "CODE",
	  N_("the organisation's official code (e.g. the "
	     "commune's administrative-unit code)") },
	{ "name", "NAME", N_("its name, e.g. 'Đảng bộ xã Quế Nham'") },
	{ "kind", "KIND",
	  N_("party-committee (đảng bộ cơ sở, the default) or "
	     "grassroots-cell (chi bộ cơ sở)") },
	{ "parent", "CODE", N_("the superior committee's code") },
	{ "office", NULL,
	  N_("a committee's office (e.g. the district committee's): "
	     "its key is enrolled with the district role and approves "
	     "dissolutions") },
	{ NULL, NULL, NULL },
};

int
cmd_init(struct agent *a, int argc, char **argv)
{
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	struct args v;
	char pk[2 * CB_KEY_BYTES + 1];
	json_t *init;
	int rc;

	rc = cb_args_command(
		"init",
		N_("usage: chibo-agent [--replica DIR] init --code CODE --name "
	           "NAME [--kind KIND] [--parent CODE] [--office]\n\n"
	           "Creates the replica directory (mode 0700) with replica.db "
	           "and a fresh\nEd25519 key in agent.key (mode 0600, never "
	           "overwritten), records the\norganisation as entry 1, and "
	           "prints the public key to give to the hub.\n"
	           "\n"),
		defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1))
		return cb_args_usage("init", _("give --code and --name"));
	init = json_pack("{s:s, s:s, s:s}", "code", cb_args_get(&v, 0), "name",
	                 cb_args_get(&v, 1), "kind",
	                 cb_args_get(&v, 2) ? cb_args_get(&v, 2)
	                                    : "party-committee");
	if (!init) {
		agent_error(_("out of memory"));
		return 1;
	}
	if (cb_args_get(&v, 3))
		json_object_set_new(init, "parent",
		                    json_string(cb_args_get(&v, 3)));
	if (cb_args_get(&v, 4)) {
		/* the committee exists (the hub's); its office is named */
		json_object_del(init, "kind");
		json_object_del(init, "parent");
	}
	rc = cb_ledger_create_kind(a->replica,
	                           cb_args_get(&v, 4) ? &cb_ledger_office
	                                              : &cb_ledger_agent,
	                           init, &lg, &eb);
	json_decref(init);
	if (rc) {
		agent_error("%s", eb.msg);
		return 1;
	}
	cb_hex_encode(lg->key.pk, CB_KEY_BYTES, pk);
	printf(_("created replica '%s' for organisation %s\n"), a->replica,
	       lg->org);
	printf(_("public key: %s\n"), pk);
	cb_ledger_free(&lg);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/* cmd_init.c — chibo-agent init: create the replica of one grassroots
 * organisation, its signing key, and entry 1 (org.init). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "atrest.h"
#include "buf.h"
#include "args.h"
#include "passphrase.h"

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
	{ "seal", NULL,
	  N_("seal the signing key with a passphrase, asked on the "
	     "terminal (the default when $CHIBO_PASSPHRASE_FILE names a "
	     "file holding it)") },
	{ "no-seal", NULL,
	  N_("leave the signing key unsealed, even with "
	     "$CHIBO_PASSPHRASE_FILE set") },
	{ NULL, NULL, NULL },
};

int
agent_new_seal(const char *cmd, bool seal_flag, bool no_seal,
               struct cb_ledger_seal *seal, char **pass)
{
	struct cb_errbuf eb;

	*pass = NULL;
	if (seal_flag && no_seal)
		return cb_args_usage(cmd,
		                     _("give --seal or --no-seal, not both"));
	if (no_seal ||
	    (!seal_flag && !cb_passphrase_scripted(&cb_passphrase_key)))
		return -1;
	if (cb_passphrase_ask(&cb_passphrase_key, true, pass, &seal->len,
	                      &eb)) {
		agent_error("%s", eb.msg);
		return 1;
	}
	seal->pass = *pass;
	seal->cost = NULL;
	return -1;
}

bool
agent_atrest(const char *dir, struct cb_atrest *r, char *line, size_t size)
{
	char why[PATH_MAX + 128];

	cb_atrest_probe(dir, getenv(CB_ATREST_ROOT_ENV), r);
	switch (r->state) {
	case CB_ATREST_ENCRYPTED: line[0] = '\0'; return false;
	case CB_ATREST_PLAIN:
		if (r->device[0])
			snprintf(why, sizeof(why),
			         _("the replica's filesystem (%s on %s, device "
			           "%s) is not encrypted"),
			         r->fstype, r->mount, r->device);
		else
			snprintf(why, sizeof(why),
			         _("the replica's filesystem (%s on %s) is not "
			           "encrypted"),
			         r->fstype, r->mount);
		snprintf(line, size, "%s: %s", why,
		         _("whoever takes this laptop can read the members' "
		           "records; put the replica on an encrypted disk "
		           "(LUKS) or in an fscrypt directory "
		           "(docs/OPERATIONS.md, \"Member data at rest\")"));
		return true;
	case CB_ATREST_UNKNOWN: break;
	}
	switch (r->why) {
	case CB_ATREST_WHY_MOUNTINFO:
	case CB_ATREST_WHY_SYSFS:
		snprintf(why, sizeof(why), _("cannot read '%s'"), r->detail);
		break;
	case CB_ATREST_WHY_NO_MOUNT:
		snprintf(why, sizeof(why),
		         _("no mount in /proc/self/mountinfo holds '%s'"),
		         r->detail);
		break;
	case CB_ATREST_WHY_NO_DEVICE:
		snprintf(why, sizeof(why),
		         _("a %s filesystem, on no disk of this machine"),
		         r->detail);
		break;
	case CB_ATREST_WHY_LOOP:
		snprintf(why, sizeof(why),
		         _("a loop device: its backing file decides"));
		break;
	case CB_ATREST_WHY_DIR:
	case CB_ATREST_WHY_NONE:
		snprintf(why, sizeof(why), "%s", r->detail);
		break;
	}
	snprintf(line, size,
	         _("cannot tell whether the replica's filesystem is "
	           "encrypted (%s): check it by hand (docs/OPERATIONS.md, "
	           "\"Member data at rest\")"),
	         why);
	return true;
}

int
cmd_init(struct agent *a, int argc, char **argv)
{
	struct cb_ledger *lg = NULL;
	struct cb_ledger_seal seal = { NULL, 0, NULL };
	struct cb_errbuf eb;
	struct args v;
	char pk[2 * CB_KEY_BYTES + 1], *pass = NULL;
	char line[2 * PATH_MAX + 512];
	struct cb_atrest at;
	bool sealed;
	json_t *init;
	int rc;

	rc = cb_args_command(
		"init",
		N_("usage: chibo-agent [--replica DIR] init --code CODE --name "
	           "NAME [--kind KIND] [--parent CODE] [--office]\n"
	           "       [--seal | --no-seal]\n\n"
	           "Creates the replica directory (mode 0700) with replica.db "
	           "and a fresh\nEd25519 key in agent.key (mode 0600, never "
	           "overwritten), records the\norganisation as entry 1, and "
	           "prints the public key to give to the hub.\n"
	           "With a passphrase (--seal, or a file named in "
	           "$CHIBO_PASSPHRASE_FILE)\nthe key is sealed with it: "
	           "every command that signs asks for it, and a\nsync key "
	           "(sync.key) signs the requests of 'sync', so that a "
	           "timer syncs\nwithout it. A stolen laptop then cannot "
	           "sign.\n"
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
	if ((rc = agent_new_seal("init", cb_args_get(&v, 5), cb_args_get(&v, 6),
	                         &seal, &pass)) >= 0) {
		json_decref(init);
		return rc;
	}
	sealed = pass != NULL;
	rc = cb_ledger_create_sealed(a->replica,
	                             cb_args_get(&v, 4) ? &cb_ledger_office
	                                                : &cb_ledger_agent,
	                             init, sealed ? &seal : NULL, &lg, &eb);
	cb_passphrase_free(&pass);
	json_decref(init);
	if (rc) {
		agent_error("%s", eb.msg);
		return 1;
	}
	cb_hex_encode(lg->key.pk, CB_KEY_BYTES, pk);
	printf(_("created replica '%s' for organisation %s\n"), a->replica,
	       lg->org);
	if (sealed)
		printf(_("the signing key is sealed with the passphrase; "
		         "'sync' signs its requests with the sync key in "
		         "sync.key\n"));
	else
		fprintf(stderr,
		        _("chibo-agent: warning: the signing key is not "
		          "sealed: whoever holds this laptop can sign as the "
		          "organisation; seal it with 'chibo-agent key "
		          "seal'\n"));
	if (agent_atrest(a->replica, &at, line, sizeof(line)))
		fprintf(stderr, _("chibo-agent: warning: %s\n"), line);
	printf(_("public key: %s\n"), pk);
	cb_ledger_free(&lg);
	return 0;
}

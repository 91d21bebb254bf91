/* SPDX-License-Identifier: MIT */
/* cmd_restore.c — chibo-agent restore: a commune's replica made again on
 * a new laptop, with a new key, from what its hub holds. First run (with
 * --code): the replica and its key, no entry; the hub's administrator
 * enrols the key and hands the organisation to it (chibo-hub succeed,
 * org.succeed). Second run: a sync that pulls the organisation's whole
 * record, the old key's entries included, then every signature, chain
 * and table verified, and the succession checked. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "atrest.h"
#include "buf.h"
#include "enrolments.h"
#include "passphrase.h"
#include "sync.h"

static void
print_fault(void *ctx, const char *msg)
{
	(void)ctx;
	printf(_("FAULT: %s\n"), msg);
}

/* The first run: the replica, its key, and what to do next. */
static int
restore_create(struct agent *a, const char *code, bool seal_flag, bool no_seal)
{
	struct cb_ledger *lg = NULL;
	struct cb_ledger_seal seal = { NULL, 0, NULL };
	struct cb_errbuf eb;
	char pk[2 * CB_KEY_BYTES + 1], *pass = NULL;
	char line[2 * PATH_MAX + 512];
	struct cb_atrest at;
	json_t *init;
	int rc;

	if ((rc = agent_new_seal("restore", seal_flag, no_seal, &seal,
	                         &pass)) >= 0)
		return rc;
	if (!(init = json_pack("{s:s}", "code", code))) {
		cb_passphrase_free(&pass);
		agent_error(_("out of memory"));
		return 1;
	}
	rc = cb_ledger_create_sealed(a->replica, &cb_ledger_successor, init,
	                             pass ? &seal : NULL, &lg, &eb);
	cb_passphrase_free(&pass);
	json_decref(init);
	if (rc) {
		agent_error("%s", eb.msg);
		return 1;
	}
	cb_hex_encode(lg->key.pk, CB_KEY_BYTES, pk);
	printf(_("created replica '%s' to restore organisation %s\n"),
	       a->replica, code);
	/* a new laptop: the moment to know its disk is not encrypted */
	if (agent_atrest(a->replica, &at, line, sizeof(line)))
		fprintf(stderr, _("chibo-agent: warning: %s\n"), line);
	printf(_("public key: %s\n"), pk);
	printf(_("next: the hub's administrator runs 'chibo-hub enroll KEY "
	         "--org %s --role commune'\nand 'chibo-hub succeed %s --key "
	         "KEY'; then run 'chibo-agent hub …' as at\nenrolment, and "
	         "'chibo-agent restore' again\n"),
	       code, code);
	cb_ledger_free(&lg);
	return 0;
}

/* The second run, on lg: sync, verify, and the succession checked. */
static int
restore_pull(struct cb_ledger *lg, struct cb_sync_opts *o)
{
	struct cb_verify_report vr;
	struct cb_succession su;
	struct cb_sync_result r;
	struct cb_errbuf eb;
	char pk[2 * CB_KEY_BYTES + 1];
	cb_err rc;
	int out;

	cb_hex_encode(lg->key.pk, CB_KEY_BYTES, pk);
	out = (int)cb_sync(lg, o, &r, &eb);

	if (out) {
		agent_error("%s", eb.msg);
		return out;
	}
	rc = cb_enrolments_succession(lg->st, lg->org, pk, &su, &eb);
	if (rc && rc != CB_ENOTFOUND) {
		agent_error("%s", eb.msg);
		return 1;
	}
	if (rc || !su.owns) {
		agent_error(_("the hub has not handed '%s' to this key (%.12s) "
		              "yet: its administrator runs 'chibo-hub succeed "
		              "%s --key %s'; then run 'chibo-agent restore' "
		              "again"),
		            lg->org, pk, lg->org, pk);
		return 1;
	}
	rc = cb_ledger_verify(lg, &vr, print_fault, NULL, &eb);
	if (rc) {
		agent_error(_("the restored replica does not verify: %s; keep "
		              "it for a person to look at"),
		            eb.msg);
		return 1;
	}
	printf(_("restored '%s': %llu entries (pulled %llu now), %lld live "
	         "members\n"),
	       lg->org, (unsigned long long)vr.entries,
	       (unsigned long long)r.pulled, (long long)su.members);
	if (su.old_key[0])
		printf(_("the old key %.12s's %lld entries are here, up "
		         "to its entry %llu that the succession %.12s "
		         "covers\n"),
		       su.old_key, (long long)su.old_entries,
		       (unsigned long long)su.through_seq, su.entry);
	printf(_("all signatures, chains and tables verify; this key writes "
	         "for '%s' now\n"),
	       lg->org);
	return 0;
}

int
cmd_restore(struct agent *a, int argc, char **argv)
{
	static const struct argdef defs[] = {
		{ "code", "CODE",
		  N_("first run: the organisation to restore (its replica "
		     "and key are made)") },
		{ "retries", "N", N_("as sync's") },
		{ "max-time", "SECONDS", N_("as sync's") },
		{ "seal", NULL, N_("first run: as init's") },
		{ "no-seal", NULL, N_("first run: as init's") },
		{ NULL, NULL, NULL },
	};
	struct cb_sync_opts o = {
		5, 900, cb_sync_notice, NULL, NULL, NULL, NULL
	};
	struct cb_ledger *lg;
	struct args v;
	int rc;

	rc = cb_args_command(
		"restore",
		N_("usage: chibo-agent [--replica DIR] restore --code CODE\n"
	           "       chibo-agent [--replica DIR] restore [--retries N] "
	           "[--max-time SECONDS]\n\n"
	           "Makes a commune's replica again on a new laptop when the "
	           "old "
	           "one died or\nwas stolen with its key (docs/OPERATIONS.md, "
	           "\"A laptop dies, is stolen or\nreplaced\"). With --code: "
	           "creates the replica directory and a fresh key,\nsigns "
	           "nothing, and prints the key: the hub's administrator "
	           "enrols "
	           "it and\nhands the organisation to it ('chibo-hub "
	           "succeed'). "
	           "Then, after\n'chibo-agent hub', without --code: pulls the "
	           "organisation's whole record\nfrom the hub, the old key's "
	           "entries included, verifies every signature,\nchain and "
	           "table, and checks that this key owns the organisation now. "
	           "Safe\nto run again. Exit codes as sync's. The new key is "
	           "sealed as init's is\n(--seal, "
	           "$CHIBO_PASSPHRASE_FILE).\n\n"),
		defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (cb_args_get(&v, 0))
		return cb_args_get(&v, 1) || cb_args_get(&v, 2)
		               ? cb_args_usage("restore",
		                               _("--code makes the replica; "
		                                 "pull with a second run"))
		               : restore_create(a, cb_args_get(&v, 0),
		                                cb_args_get(&v, 3),
		                                cb_args_get(&v, 4));
	if ((rc = cb_sync_args(cb_args_get(&v, 1), cb_args_get(&v, 2), NULL,
	                       "restore", &o)))
		return rc;
	if (!(lg = agent_open(a)))
		return 1;
	rc = restore_pull(lg, &o);
	cb_ledger_free(&lg);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* cmd_backup.c — chibo-agent backup FILE and restore-backup FILE: the
 * replica (a consistent copy of replica.db, and agent.key) in one file
 * sealed with a passphrase, and back into a new replica directory. The
 * format is docs/PROTOCOL.md's "Backup files" (common/store/backup.h). */
#include <stdio.h>

#include "agent.h"
#include "backup.h"

static const struct argdef none[] = { { NULL, NULL, NULL } };

int
cmd_backup(struct agent *a, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"backup",
		N_("usage: chibo-agent [--replica DIR] backup FILE\n\n"
	           "Writes the replica to FILE, encrypted with a passphrase: a "
	           "consistent\ncopy of replica.db (safe while other commands "
	           "run) and the signing key\nagent.key. The passphrase is "
	           "asked "
	           "twice on the terminal, or read from\nthe file named in "
	           "$CHIBO_PASSPHRASE_FILE; keep it apart from FILE.\nFILE is "
	           "mode 0600, written to a temporary and renamed. Restore it "
	           "with\n'chibo-agent --replica NEWDIR restore-backup "
	           "FILE'.\n\n"),
		none, argc, argv, &v, 1, 1, N_("give the FILE to write"));
	if (rc >= 0)
		return rc;
	if (!(lg = agent_open(a)))
		return 1;
	rc = 1;
	if (cb_backup_store_asking(lg->st, a->replica, &cb_backup_replica,
	                           v.pos[0], &eb)) {
		agent_error("%s", eb.msg);
		goto out;
	}
	printf(_("wrote an encrypted backup of replica '%s' to %s\n"),
	       a->replica, v.pos[0]);
	rc = 0;
out:
	cb_ledger_free(&lg);
	return rc;
}

int
cmd_restore_backup(struct agent *a, int argc, char **argv)
{
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"restore-backup",
		N_("usage: chibo-agent --replica NEWDIR restore-backup FILE\n\n"
	           "Decrypts a backup that 'chibo-agent backup' wrote and puts "
	           "the replica\nit holds into NEWDIR (created mode 0700; it "
	           "must "
	           "not hold a replica).\nEvery byte is authenticated before a "
	           "file is written: a wrong\npassphrase, a changed or "
	           "cut-short "
	           "FILE, or a hub's backup writes\nnothing. The passphrase is "
	           "asked on the terminal, or read from the file\nnamed in "
	           "$CHIBO_PASSPHRASE_FILE. Then check the replica with "
	           "'verify' and\nsync: what it lacks since the backup comes "
	           "back from the hub.\n\n"),
		none, argc, argv, &v, 1, 1,
		N_("give the backup FILE to restore"));
	if (rc >= 0)
		return rc;
	if (cb_backup_restore_asking(v.pos[0], &cb_backup_replica, a->replica,
	                             &eb)) {
		agent_error("%s", eb.msg);
		return 1;
	}
	printf(_("restored replica '%s' from %s; check it with 'chibo-agent "
	         "verify'\n"),
	       a->replica, v.pos[0]);
	return 0;
}

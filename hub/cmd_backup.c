/* SPDX-License-Identifier: MIT */
/* cmd_backup.c — chibo-hub backup FILE and restore-backup FILE. backup
 * writes, while serve runs, a consistent copy of hub.db with hub.key, the
 * TLS identity and hub.conf, sealed with a passphrase (docs/PROTOCOL.md's
 * "Backup files", common/store/backup.h); restore-backup puts one into a
 * new hub directory. backup --plain writes the bare database for an
 * auditor ('chibo-audit verify --db'): a plain copy of hub.db misses what
 * still lies in hub.db-wal (hours of pushes on an idle hub) and a copy of
 * both taken while serve writes can be torn, so either way the copy is
 * the store's online backup (cb_store_backup): one snapshot of everything
 * committed, self-contained, mode 0600, written to a temporary and
 * renamed. */
#include <stdio.h>

#include "backup.h"
#include "hub.h"

int
cmd_hub_backup(struct hub *h, int argc, char **argv)
{
	static const struct argdef defs[] = {
		{ "plain", NULL,
		  "only hub.db, unencrypted, for an auditor ('chibo-audit "
		  "verify --db FILE')" },
		{ NULL, NULL, NULL },
	};
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"backup",
		"usage: chibo-hub [--dir DIR] backup [--plain] FILE\n\n"
		"Writes the hub to FILE, safe while 'chibo-hub serve' runs: a "
		"consistent\ncopy of hub.db (every entry and checkpoint "
		"committed when it starts, the\nwrite-ahead log's included), "
		"hub.key, tls.key, tls.crt and hub.conf,\nencrypted with a "
		"passphrase asked twice on the terminal or read from the\nfile "
		"named in $CHIBO_PASSPHRASE_FILE. Restore it with 'chibo-hub "
		"--dir\nNEWDIR restore-backup FILE'. With --plain, FILE is "
		"only the database,\nunencrypted and self-contained (no -wal "
		"beside it): give it to an auditor\n('chibo-audit verify --db "
		"FILE'). FILE is mode 0600, written to a\ntemporary and "
		"renamed.\n\n",
		defs, argc, argv, &v, 1, 1, "give the FILE to write");
	if (rc >= 0)
		return rc;
	if (!(lg = hub_open(h)))
		return 1;
	rc = 1;
	if (cb_args_get(&v, 0)) {
		if (cb_store_backup(lg->st, v.pos[0], &eb)) {
			hub_error("%s", eb.msg);
			goto out;
		}
		printf("wrote a consistent copy of the hub's database to "
		       "%s\n",
		       v.pos[0]);
		rc = 0;
		goto out;
	}
	if (cb_backup_store_asking(lg->st, h->dir, &cb_backup_hub, v.pos[0],
	                           &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	printf("wrote an encrypted backup of hub '%s' to %s\n", h->dir,
	       v.pos[0]);
	rc = 0;
out:
	cb_ledger_free(&lg);
	return rc;
}

int
cmd_hub_restore_backup(struct hub *h, int argc, char **argv)
{
	static const struct argdef none[] = { { NULL, NULL, NULL } };
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"restore-backup",
		"usage: chibo-hub --dir NEWDIR restore-backup FILE\n\n"
		"Decrypts a backup that 'chibo-hub backup' wrote and puts the "
		"hub it\nholds into NEWDIR (created mode 0700; it must not "
		"hold "
		"a hub). Every\nbyte is authenticated before a file is "
		"written: a wrong passphrase, a\nchanged or cut-short FILE, or "
		"a replica's backup writes nothing. The\npassphrase is asked "
		"on the terminal, or read from the file named in\n"
		"$CHIBO_PASSPHRASE_FILE. Then check the hub with 'verify' and "
		"serve it; each\ncommune's next sync pushes what the hub lost "
		"(docs/OPERATIONS.md,\n\"Restoring a hub\").\n\n",
		none, argc, argv, &v, 1, 1, "give the backup FILE to restore");
	if (rc >= 0)
		return rc;
	if (cb_backup_restore_asking(v.pos[0], &cb_backup_hub, h->dir, &eb)) {
		hub_error("%s", eb.msg);
		return 1;
	}
	printf("restored hub '%s' from %s; check it with 'chibo-hub verify'\n",
	       h->dir, v.pos[0]);
	return 0;
}

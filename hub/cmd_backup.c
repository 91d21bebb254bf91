/* SPDX-License-Identifier: MIT */
/* cmd_backup.c — chibo-hub backup FILE, restore-backup FILE and
 * copy-store --to ADDRESS (a hub's store into another engine's). backup
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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backup.h"
#include "buf.h"
#include "hub.h"
#include "key.h"

int
cmd_hub_backup(struct hub *h, int argc, char **argv)
{
	static const struct argdef defs[] = {
		{ "plain", NULL,
		  N_("only hub.db, unencrypted, for an auditor ('chibo-audit "
		     "verify --db FILE')") },
		{ NULL, NULL, NULL },
	};
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"backup",
		N_("usage: chibo-hub [--dir DIR] backup [--plain] FILE\n\n"
	           "Writes the hub to FILE, safe while 'chibo-hub serve' runs: "
	           "a "
	           "consistent\ncopy of hub.db (every entry and checkpoint "
	           "committed when it starts, the\nwrite-ahead log's "
	           "included), "
	           "hub.key, tls.key, tls.crt and hub.conf,\nencrypted with a "
	           "passphrase asked twice on the terminal or read from "
	           "the\nfile "
	           "named in $CHIBO_PASSPHRASE_FILE. Restore it with "
	           "'chibo-hub "
	           "--dir\nNEWDIR restore-backup FILE'. With --plain, FILE is "
	           "only the database,\nunencrypted and self-contained (no "
	           "-wal "
	           "beside it): give it to an auditor\n('chibo-audit verify "
	           "--db "
	           "FILE'). FILE is mode 0600, written to a\ntemporary and "
	           "renamed.\n\n"),
		defs, argc, argv, &v, 1, 1, N_("give the FILE to write"));
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
		printf(_("wrote a consistent copy of the hub's database to "
		         "%s\n"),
		       v.pos[0]);
		rc = 0;
		goto out;
	}
	if (cb_backup_store_asking(lg->st, h->dir, &cb_backup_hub, v.pos[0],
	                           &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	printf(_("wrote an encrypted backup of hub '%s' to %s\n"), h->dir,
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
		N_("usage: chibo-hub --dir NEWDIR restore-backup FILE\n\n"
	           "Decrypts a backup that 'chibo-hub backup' wrote and puts "
	           "the "
	           "hub it\nholds into NEWDIR (created mode 0700; it must not "
	           "hold "
	           "a hub). Every\nbyte is authenticated before a file is "
	           "written: a wrong passphrase, a\nchanged or cut-short FILE, "
	           "or "
	           "a replica's backup writes nothing. The\npassphrase is "
	           "asked "
	           "on the terminal, or read from the file named in\n"
	           "$CHIBO_PASSPHRASE_FILE. Then check the hub with 'verify' "
	           "and "
	           "serve it; each\ncommune's next sync pushes what the hub "
	           "lost "
	           "(docs/OPERATIONS.md,\n\"Restoring a hub\").\n\n"),
		none, argc, argv, &v, 1, 1,
		N_("give the backup FILE to restore"));
	if (rc >= 0)
		return rc;
	if (cb_backup_restore_asking(v.pos[0], &cb_backup_hub, h->dir, &eb)) {
		hub_error("%s", eb.msg);
		return 1;
	}
	printf(_("restored hub '%s' from %s; check it with 'chibo-hub "
	         "verify'\n"),
	       h->dir, v.pos[0]);
	return 0;
}

int
cmd_hub_copy_store(struct hub *h, int argc, char **argv)
{
	static const struct argdef defs[] = {
		{ "to", "ADDRESS",
		  N_("the new store: a postgresql:// URI (an empty database, "
		     "collation C) or a new SQLite file") },
		{ "switch", NULL,
		  N_("then keep the hub's store in the new database: the "
		     "directory's 'database' file names it") },
		{ NULL, NULL, NULL },
	};
	unsigned char digest[32];
	char hex[65];
	struct cb_ledger *lg;
	struct cb_store *dest = NULL;
	struct cb_errbuf eb;
	struct args v;
	const char *to;
	char *addr = NULL;
	int rc;

	rc = cb_args_command(
		"copy-store",
		N_("usage: chibo-hub [--dir DIR] copy-store --to ADDRESS "
	           "[--switch]\n\n"
	           "Copies the hub's store into another, of either engine: "
	           "the log as it is,\nwith each entry's verdict, the Merkle "
	           "tree, checkpoints and contacts; every\ntable derived "
	           "again there from the entries, their signatures "
	           "checked; then\nthe two stores' table digests must be "
	           "equal, or nothing is kept. Nothing is\nre-signed. Stop "
	           "'chibo-hub serve' first: what it takes after the copy "
	           "began\nwould not be in it. With --switch (to a "
	           "postgresql:// database), the hub\nkeeps its store there "
	           "from now on; hub.db is left as it was.\n\n"),
		defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!(to = cb_args_get(&v, 0)))
		return cb_args_usage("copy-store", _("give --to ADDRESS"));
	if (cb_args_get(&v, 1) && !cb_store_is_pg(to))
		return cb_args_usage("copy-store",
		                     _("--switch takes a postgresql:// "
		                       "database"));
	if (!cb_store_is_pg(to) && access(to, F_OK) == 0) {
		hub_error(_("'%s' exists already; the copy goes to a new "
		            "file"),
		          to);
		return 1;
	}
	if (!(lg = hub_open(h)))
		return 1;
	rc = 1;
	if (cb_args_get(&v, 1) && cb_store_is_pg(cb_store_path(lg->st))) {
		hub_error(_("the hub's store is a PostgreSQL database "
		            "already"));
		goto out;
	}
	if (cb_store_open(to, true, &dest, &eb) ||
	    cb_ledger_copy_store(lg, dest, digest, &eb)) {
		hub_error("%s", eb.msg);
		if (dest && !cb_store_is_pg(to))
			unlink(to);
		goto out;
	}
	cb_hex_encode(digest, sizeof(digest), hex);
	printf(_("copied the hub's store to %s: tables digest %s on both\n"),
	       cb_store_is_pg(to) ? _("the PostgreSQL database") : to, hex);
	if (cb_args_get(&v, 1)) {
		if (hub_put_address(h, to, &addr))
			goto out;
		printf(_("the hub keeps its store in that database from now "
		         "on ('%s'); %s is no longer used\n"),
		       addr, "hub.db");
	}
	rc = 0;
out:
	free(addr);
	cb_store_free(&dest);
	cb_ledger_free(&lg);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* cmd_backup.c — chibo-hub backup FILE: a consistent copy of hub.db while
 * serve runs. A plain copy of hub.db misses what still lies in hub.db-wal
 * (hours of pushes on an idle hub, whose write-ahead log is not copied
 * back until it grows), and a copy of both taken while serve writes can
 * be torn; the store's online backup (cb_store_backup) reads one snapshot
 * of everything committed and writes a self-contained file, atomically,
 * mode 0600, that 'chibo-audit verify --db' and 'chibo-hub --dir' read. */
#include <stdio.h>

#include "hub.h"

int
cmd_hub_backup(struct hub *h, int argc, char **argv)
{
	static const struct argdef none[] = { { NULL, NULL, NULL } };
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"backup",
		"usage: chibo-hub [--dir DIR] backup FILE\n\nWrites a "
		"consistent copy of the hub's database to FILE, safe while\n"
		"'chibo-hub serve' runs: every entry and checkpoint committed "
		"when it\nstarts, the write-ahead log's included, which a "
		"plain copy of hub.db\nmisses. FILE is self-contained (no "
		"-wal beside it), mode 0600, written\nto a temporary and "
		"renamed. Give it to an auditor ('chibo-audit verify\n--db "
		"FILE'), or restore it as hub.db in a hub's directory.\n\n",
		none, argc, argv, &v, 1, 1, "give the FILE to write");
	if (rc >= 0)
		return rc;
	if (!(lg = hub_open(h)))
		return 1;
	rc = 1;
	if (cb_store_backup(lg->st, v.pos[0], &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	printf("wrote a consistent copy of the hub's database to %s\n",
	       v.pos[0]);
	rc = 0;
out:
	cb_ledger_free(&lg);
	return rc;
}

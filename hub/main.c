/* SPDX-License-Identifier: MIT */
/* main.c — chibo-hub: the district's hub. main only resolves the hub
 * directory and dispatches to one function per command. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "hub.h"
#include "key.h"

static const char usage_text[] = N_(
	"usage: chibo-hub [--dir DIR] COMMAND [ARGS]\n"
	"\n"
	"The district's hub: enrols the keys of commune offices and serves "
	"their\n"
	"sync over HTTPS.\n"
	"\n"
	"Directory: --dir DIR, else $CHIBO_HUB, else\n"
	"  $XDG_DATA_HOME/chibo/hub (~/.local/share/chibo/hub).\n"
	"\n"
	"  init      create the hub: its log, its key, its TLS identity\n"
	"  enroll    allow an agent's key to write for an organisation\n"
	"  invite    the invitation file of an enrolled key, for its "
	"office\n"
	"  revoke    withdraw a key\n"
	"  list      the enrolled keys\n"
	"  pin       the TLS public-key pin to give to agents\n"
	"  verify    re-check the hub's log and tables\n"
	"  serve     serve agents over HTTPS (status, push, pull)\n"
	"  digest    a digest of the tables, or of what one subtree sees\n"
	"  holiday   add a public holiday to the working-day calendar\n"
	"  committee found a committee under this hub that has no hub of "
	"its own\n"
	"  exempt    exempt a commune from the agency-cell campaign\n"
	"  merge     merge a commune into another, its history whole\n"
	"  move      move an organisation under another committee\n"
	"  succeed   hand an organisation from a lost key to a new one\n"
	"  import    an agent's bundle (a sync on a file)\n"
	"  export    a bundle for one organisation's agent\n"
	"  status    the hub at a glance: its log, and each key's progress\n"
	"  report    the district's figures: campaign, transfers, sync, …\n"
	"  account   the accounts that read the dashboard (add, passwd, "
	"remove, …)\n"
	"  backup    the hub, encrypted (or --plain: hub.db for an auditor),\n"
	"            safe while serve runs\n"
	"  restore-backup  a backup into a new hub directory\n"
	"  copy-store  the hub's store into another (SQLite to "
	"PostgreSQL)\n"
	"  upstream  the higher hub this hub syncs with\n"
	"  sync      relay this hub's log up, pull what its subtree needs\n"
	"\n"
	"Every command takes --help. Exit: 0 ok, 1 failure, 2 usage.\n");

static const struct {
	const char *name;
	int (*fn)(struct hub *, int, char **);
} commands[] = {
	{ "init", cmd_hub_init },
	{ "enroll", cmd_hub_enroll },
	{ "invite", cmd_hub_invite },
	{ "revoke", cmd_hub_revoke },
	{ "list", cmd_hub_list },
	{ "pin", cmd_hub_pin },
	{ "verify", cmd_hub_verify },
	{ "serve", cmd_hub_serve },
	{ "digest", cmd_hub_digest },
	{ "holiday", cmd_hub_holiday },
	{ "committee", cmd_hub_committee },
	{ "exempt", cmd_hub_exempt },
	{ "merge", cmd_hub_merge },
	{ "move", cmd_hub_move },
	{ "succeed", cmd_hub_succeed },
	{ "import", cmd_hub_import },
	{ "export", cmd_hub_export },
	{ "status", cmd_hub_status },
	{ "report", cmd_hub_report },
	{ "account", cmd_hub_account },
	{ "backup", cmd_hub_backup },
	{ "upstream", cmd_hub_upstream },
	{ "sync", cmd_hub_sync },
	{ "restore-backup", cmd_hub_restore_backup },
	{ "copy-store", cmd_hub_copy_store },
};

char *
hub_path(const struct hub *h, const char *name)
{
	return cb_path_join(h->dir, name);
}

int
hub_put_address(const struct hub *h, const char *address, char **path)
{
	char *file = hub_path(h, CB_HUB_DATABASE_FILE), *line = NULL;
	struct cb_errbuf eb;
	int rc = 0;

	if (file && (line = malloc(strlen(address) + 2)))
		sprintf(line, "%s\n", address);
	if (!line ||
	    cb_file_write_atomic(file, line, strlen(line), 0600, 1, &eb)) {
		hub_error("%s", line ? eb.msg : _("out of memory"));
		rc = 1;
	}
	free(line);
	if (path)
		*path = file;
	else
		free(file);
	return rc;
}

struct cb_ledger *
hub_open(const struct hub *h)
{
	struct cb_errbuf eb;
	struct cb_ledger *lg = NULL;

	if (cb_ledger_open_kind(h->dir, &cb_ledger_hub, &lg, &eb)) {
		hub_error("%s", eb.msg);
		return NULL;
	}
	return lg;
}

int
main(int argc, char **argv)
{
	struct hub h = { 0 };
	char *dflt = NULL;
	int i = 1, rc = 2;

	cb_args_prog = "chibo-hub";
	cb_lang_init();
	if (sodium_init() < 0) {
		hub_error(_("libsodium failed to initialise"));
		return 1;
	}
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--dir")) {
			if (i + 1 >= argc)
				return cb_args_usage("", _("--dir needs a "
				                           "directory"));
			h.dir = argv[i + 1];
			i += 2;
		} else if (!strncmp(argv[i], "--dir=", 6)) {
			h.dir = argv[i++] + 6;
		} else if (!strcmp(argv[i], "--help") ||
		           !strcmp(argv[i], "-h")) {
			fputs(_(usage_text), stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("chibo-hub %s\n", CHIBO_VERSION);
			return 0;
		} else {
			return cb_args_usage("", _("unknown option '%s'"),
			                     argv[i]);
		}
	}
	if (i >= argc) {
		fputs(_(usage_text), stderr);
		return 2;
	}
	if (h.dir && !*h.dir)
		return cb_args_usage("", _("--dir needs a directory, not ''"));
	if (!h.dir)
		h.dir = getenv("CHIBO_HUB");
	if (!h.dir || !*h.dir)
		h.dir = dflt = cb_args_default_dir("hub");
	if (!h.dir) {
		hub_error(_("out of memory"));
		return 1;
	}
	argc -= i;
	argv += i;
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++)
		if (!strcmp(commands[k].name, argv[0])) {
			rc = commands[k].fn(&h, argc, argv);
			free(dflt);
			return rc;
		}
	fprintf(stderr,
	        _("chibo-hub: '%s' is not a command; see 'chibo-hub "
	          "--help'\n"),
	        argv[0]);
	free(dflt);
	return 2;
}

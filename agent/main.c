/* SPDX-License-Identifier: MIT */
/* main.c — chibo-agent: the commune's offline replica. main only resolves
 * the replica and dispatches to one function per command. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agent.h"
#include "agentconf.h"

static const char usage_text[] = N_(
	"usage: chibo-agent [--replica DIR] COMMAND [ARGS]\n"
	"\n"
	"The commune's offline replica of its Party records. Every change is\n"
	"an Ed25519-signed, hash-chained entry; the tables are their view.\n"
	"\n"
	"Replica: --replica DIR, else $CHIBO_REPLICA, else the CHIBO_REPLICA "
        "of\n"
	"  /etc/chibo/agent.conf (the package's: /var/lib/chibo/replica, the\n"
	"  nightly timer's too), else $XDG_DATA_HOME/chibo/replica\n"
	"  (~/.local/share/chibo/replica).\n"
	"\n"
	"Set up:\n"
	"  init              create the replica and its signing key "
	"(--seal: sealed\n                    with a passphrase)\n"
	"\n"
	"Record (each appends one signed entry; see COMMAND --help):\n");

static const char usage_tail[] = N_(
	"  apply FILE|-      apply JSON operations, one per line\n"
	"  import-members F  add members from a CSV file\n"
	"\n"
	"Look:\n"
	"  members           list members (--cell, --status, --name)\n"
	"  cells             list the organisation and its cells\n"
	"  meetings          list cell meetings\n"
	"  ratings           list ratings\n"
	"  transfers         members in transit to or from the organisation\n"
	"  dissolutions      plans to dissolve cells, and where they stand\n"
	"  candidates        admission candidates and their helpers\n"
	"  show member|meeting ID\n"
	"  log               list the entries\n"
	"  status            the replica at a glance\n"
	"  report KIND       the figures: membership, congresses, ratings,\n"
	"                    meetings, campaign, transfers, clashes\n"
	"\n"
	"Sync:\n"
	"  hub               record the hub: --invite FILE, the district's "
	"invitation\n"
	"  sync              push what the hub lacks, pull what is ours to "
	"read\n"
	"  export FILE       the entries the hub lacks, on a file (no link)\n"
	"  import FILE       a file the hub exported for this organisation\n"
	"\n"
	"Check:\n"
	"  verify            re-check every signature, chain link and table\n"
	"  rebuild           re-derive the tables from the entries\n"
	"  digest            a digest of what this organisation sees\n"
	"\n"
	"Clerk:\n"
	"  ui                the web interface, on 127.0.0.1 (--port, "
	"--no-open)\n"
	"\n"
	"Keep:\n"
	"  key seal          seal the signing key with a passphrase (and "
	"make the\n                    sync key a timer syncs with); "
	"'key passphrase' changes it\n"
	"  backup FILE       the replica and its key, encrypted with a "
	"passphrase\n"
	"  restore-backup F  a backup into a new replica (--replica NEWDIR)\n"
	"  restore           a new laptop's replica, its organisation's "
	"whole record\n                    pulled from the hub under a new "
	"key (--code first)\n"
	"\n"
	"Every look command and report takes --format text|csv|json (--json;\n"
	"CSV for Excel: --format csv --separator ';' --bom). Exit: 0 ok, 1\n"
	"failure, 2 usage.\n");

static const struct {
	const char *name;
	int (*fn)(struct agent *, int, char **);
} commands[] = {
	{ "init", cmd_init },
	{ "apply", cmd_apply },
	{ "import-members", cmd_import_members },
	{ "members", cmd_members },
	{ "cells", cmd_cells },
	{ "meetings", cmd_meetings },
	{ "ratings", cmd_ratings },
	{ "transfers", cmd_transfers },
	{ "dissolutions", cmd_dissolutions },
	{ "candidates", cmd_candidates },
	{ "show", cmd_show },
	{ "log", cmd_log },
	{ "verify", cmd_verify },
	{ "rebuild", cmd_rebuild },
	{ "status", cmd_status },
	{ "report", cmd_report },
	{ "hub", cmd_hub },
	{ "sync", cmd_sync },
	{ "digest", cmd_digest },
	{ "export", cmd_export },
	{ "import", cmd_import },
	{ "backup", cmd_backup },
	{ "restore-backup", cmd_restore_backup },
	{ "restore", cmd_restore },
	{ "key", cmd_key },
	{ "ui", cmd_ui },
};

struct cb_ledger *
agent_open(const struct agent *a)
{
	struct cb_errbuf eb;
	struct cb_ledger *lg = NULL;

	if (cb_ledger_open(a->replica, &lg, &eb)) {
		agent_error("%s", eb.msg);
		return NULL;
	}
	return lg;
}

/* The replica when neither --replica nor $CHIBO_REPLICA names one: the
 * machine's (agentconf.h), else the user's own. NULL: said why. */
static char *
system_replica(void)
{
	const char *conf = getenv("CHIBO_AGENT_CONF");
	struct cb_errbuf eb;
	char *dir = NULL;

	if (cb_agentconf_replica(conf && *conf ? conf : CB_AGENTCONF_PATH, &dir,
	                         &eb)) {
		agent_error("%s", eb.msg);
		return NULL;
	}
	if (!dir && !(dir = cb_args_default_dir("replica")))
		agent_error(_("out of memory"));
	return dir;
}

int
main(int argc, char **argv)
{
	struct agent a = { 0 };
	char *dflt = NULL;
	int i = 1, rc;

	cb_args_prog = "chibo-agent";
	cb_lang_init();
	if (sodium_init() < 0) {
		agent_error(_("libsodium failed to initialise"));
		return 1;
	}
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--replica") == 0 ||
		    strcmp(argv[i], "-R") == 0) {
			if (i + 1 >= argc)
				return cb_args_usage(
					"", _("--replica needs a directory"));
			a.replica = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--replica=", 10) == 0) {
			a.replica = argv[i] + 10;
			i++;
		} else if (strcmp(argv[i], "--help") == 0 ||
		           strcmp(argv[i], "-h") == 0) {
			fputs(_(usage_text), stdout);
			cmd_op_list();
			fputs(_(usage_tail), stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("chibo-agent %s\n", CHIBO_VERSION);
			return 0;
		} else {
			fprintf(stderr,
			        _("chibo-agent: unknown option '%s'; see "
			          "'chibo-agent --help'\n"),
			        argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		fputs(_(usage_text), stderr);
		cmd_op_list();
		fputs(_(usage_tail), stderr);
		return EXIT_USAGE;
	}
	if (a.replica && !*a.replica)
		return cb_args_usage("",
		                     _("--replica needs a directory, not ''"));
	if (!a.replica)
		a.replica = getenv("CHIBO_REPLICA");
	if (!a.replica || !*a.replica) {
		if (!(a.replica = dflt = system_replica()))
			return 1;
	}
	argc -= i;
	argv += i;
	if (cmd_op_matches(argc, argv)) {
		rc = cmd_op(&a, argc, argv);
		free(dflt);
		return rc;
	}
	for (size_t k = 0; k < sizeof(commands) / sizeof(commands[0]); k++) {
		if (strcmp(commands[k].name, argv[0]) == 0) {
			rc = commands[k].fn(&a, argc, argv);
			free(dflt);
			return rc;
		}
	}
	fprintf(stderr,
	        _("chibo-agent: '%s' is not a command; see "
	          "'chibo-agent --help'\n"),
	        argv[0]);
	free(dflt);
	return EXIT_USAGE;
}

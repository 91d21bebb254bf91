/* SPDX-License-Identifier: MIT */
/* cmd_key.c — chibo-agent key seal|passphrase|sync-key: the replica's
 * signing key sealed with a passphrase (common/log/key.h), its passphrase
 * changed, and the sync key that signs the requests of an unattended
 * 'sync' (common/log/grant.h). Every new file is written to a temporary
 * and renamed: a wrong passphrase, or any failure, changes nothing. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "grant.h"
#include "passphrase.h"

static const struct argdef none[] = { { NULL, NULL, NULL } };

/* The replica's sync key made afresh, granted by its open signing key. */
static cb_err
new_sync_key(struct cb_ledger *lg, struct cb_errbuf *eb)
{
	char *path = cb_path_join(lg->dir, CB_SYNC_KEY_FILE);
	cb_err rc;

	if (!path)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	rc = cb_sync_key_create(path, &lg->key, eb);
	free(path);
	return rc;
}

/* Write lg's open key sealed with a new passphrase (asked as for_new),
 * and, with sync, a new sync key first — once the passphrase is known,
 * so that a mistyped one leaves everything as it was. */
static cb_err
reseal(struct cb_ledger *lg, const struct cb_passphrase_for *for_new, bool sync,
       struct cb_errbuf *eb)
{
	char *path = cb_path_join(lg->dir, lg->kind->key), *pass = NULL;
	size_t len;
	cb_err rc;

	if (!path)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if (!(rc = cb_passphrase_ask(for_new, true, &pass, &len, eb)) &&
	    !(sync && (rc = new_sync_key(lg, eb))))
		rc = cb_key_seal_file(path, &lg->key, pass, len, NULL, eb);
	cb_passphrase_free(&pass);
	free(path);
	return rc;
}

static int
key_seal(struct cb_ledger *lg, struct cb_errbuf *eb)
{
	if (lg->key.sealed)
		return cb_error(eb, CB_EEXIST,
		                _("the signing key is sealed already; change "
		                  "its passphrase with 'chibo-agent key "
		                  "passphrase'"));
	if (reseal(lg, &cb_passphrase_key, true, eb))
		return 1;
	printf(_("sealed the signing key with the passphrase; 'sync' signs "
	         "its requests with the sync key in sync.key\n"));
	return 0;
}

static int
key_passphrase(struct cb_ledger *lg, struct cb_errbuf *eb)
{
	if (!lg->key.sealed)
		return cb_error(eb, CB_EINVAL,
		                _("the signing key is not sealed; seal it with "
		                  "'chibo-agent key seal'"));
	if (cb_ledger_unseal(lg, eb) ||
	    reseal(lg, &cb_passphrase_key_new, false, eb))
		return 1;
	printf(_("the signing key's passphrase is changed\n"));
	return 0;
}

static int
key_sync_key(struct cb_ledger *lg, struct cb_errbuf *eb)
{
	if (cb_ledger_unseal(lg, eb) || new_sync_key(lg, eb))
		return 1;
	printf(_("made a new sync key in sync.key\n"));
	return 0;
}

int
cmd_key(struct agent *a, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cb_ledger *, struct cb_errbuf *);
	} verbs[] = {
		{ "seal", key_seal },
		{ "passphrase", key_passphrase },
		{ "sync-key", key_sync_key },
	};
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	size_t k;
	int rc;

	rc = cb_args_command(
		"key",
		N_("usage: chibo-agent key seal|passphrase|sync-key\n\n"
	           "  seal        seal the signing key (agent.key) with a new "
	           "passphrase, and\n              make a sync key "
	           "(sync.key) that signs the requests of 'sync'\n"
	           "  passphrase  change the passphrase of the sealed signing "
	           "key\n  sync-key    make a new sync key (a lost or "
	           "damaged sync.key)\n\n"
	           "The passphrase is asked on the terminal (a new one "
	           "twice), or read from\nthe file named in "
	           "$CHIBO_PASSPHRASE_FILE; when it is changed, the new one "
	           "from\nthe file named in $CHIBO_NEW_PASSPHRASE_FILE. Every "
	           "command that signs\nan entry asks for it. The sync key "
	           "is not sealed: whoever holds the\nlaptop can sync and "
	           "read the replica with it, but an entry it signs is\n"
	           "refused everywhere. A wrong passphrase changes "
	           "nothing.\n\n"),
		none, argc, argv, &v, 1, 1,
		N_("give seal, passphrase or sync-key"));
	if (rc >= 0)
		return rc;
	for (k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		if (!strcmp(verbs[k].name, v.pos[0]))
			break;
	if (k == sizeof(verbs) / sizeof(verbs[0]))
		return cb_args_usage("key",
		                     _("'%s' is not seal, passphrase or "
		                       "sync-key"),
		                     v.pos[0]);
	if (!(lg = agent_open(a)))
		return 1;
	if ((rc = verbs[k].fn(lg, &eb)))
		agent_error("%s", eb.msg);
	cb_ledger_free(&lg);
	return rc ? 1 : 0;
}

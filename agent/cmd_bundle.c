/* SPDX-License-Identifier: MIT */
/* cmd_bundle.c — chibo-agent export and import: the sync on a file, for a
 * commune with no link (common/log/bundle.h). export writes this replica's
 * entries the hub does not hold (as of the last sync) for 'chibo-hub
 * import'; import takes in a bundle 'chibo-hub export --for ORG' wrote,
 * checked entry by entry as a pull is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "accept.h"
#include "agent.h"
#include "bundle.h"
#include "scope.h"
#include "sync.h"

static const struct argdef export_defs[] = {
	{ "all", NULL,
	  N_("every entry of this replica, not only those the hub "
	     "lacked at the last sync") },
	{ NULL, NULL, NULL },
};

int
cmd_export(struct agent *a, int argc, char **argv)
{
	struct cb_bundle b = { .kind = CB_BUNDLE_PUSH };
	struct cb_buf out = CB_BUF_INIT;
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct cb_scope_page pg;
	struct args v;
	char *head = NULL;
	int64_t from = 0;
	int rc;

	rc = cb_args_command(
		"export",
		N_("usage: chibo-agent export FILE [--all]\n\nWrites the "
	           "entries "
	           "of this replica the hub did not hold at the last "
	           "sync\n(all "
	           "with --all) into FILE, a bundle signed with this replica's "
	           "key, for\n'chibo-hub import' where there is no link: a USB "
	           "stick carries it.\nThe file is mode 0600: it holds "
	           "members' records.\n\n"),
		export_defs, argc, argv, &v, 1, 1,
		N_("give the FILE to write"));
	if (rc >= 0)
		return rc;
	if (!(lg = agent_open(a)))
		return 1;
	rc = 1;
	if (cb_ledger_unseal(lg, &eb)) { /* the bundle is signed with it */
		agent_error("%s", eb.msg);
		goto out;
	}
	if (!cb_args_get(&v, 0) &&
	    !cb_store_meta_get(lg->st, "hub_head", &head, NULL))
		from = strtoll(head, NULL, 10);
	free(head);
	snprintf(b.org, sizeof(b.org), "%s", lg->org);
	b.after = from;
	/* this key's chain after what the hub held, page by page */
	for (uint64_t seq = (uint64_t)from;; seq = (uint64_t)pg.next) {
		if (cb_scope_read_own(lg->st, lg->key.pk, seq, 5000, SIZE_MAX,
		                      &b.stream, &pg, &eb)) {
			agent_error("%s", eb.msg);
			goto out;
		}
		b.count += (uint32_t)pg.count;
		if (!pg.more)
			break;
	}
	b.next = from + b.count;
	if (cb_bundle_encode(&b, &lg->key, &out, &eb) ||
	    cb_bundle_save(v.pos[0], &out, &eb)) {
		agent_error("%s", eb.msg);
		goto out;
	}
	printf(_("wrote %u entries (%lld to %lld) to %s, %zu bytes\n"), b.count,
	       (long long)from + (b.count > 0), (long long)b.next, v.pos[0],
	       out.len);
	rc = 0;
out:
	cb_bundle_release(&b);
	cb_buf_release(&out);
	cb_ledger_free(&lg);
	return rc;
}

int
cmd_import(struct agent *a, int argc, char **argv)
{
	static const struct argdef none[] = { { NULL, NULL, NULL } };
	struct cb_bundle b = { 0 };
	struct cb_accept_result res;
	size_t own = 0;
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"import",
		N_("usage: chibo-agent import FILE\n\nTakes in a bundle that "
	           "'chibo-hub export --for ORG' wrote for this\norganisation: "
	           "signed by this replica's hub key ('chibo-agent hub --key'),"
	           "\nwith the hub's signed checkpoint, every entry checked as "
	           "a "
	           "sync's pull is,\nall or nothing. The pull cursor moves "
	           "forward only, over what the bundle\ncovers. Importing one "
	           "twice changes nothing.\n\n"),
		none, argc, argv, &v, 1, 1, N_("give the FILE to read"));
	if (rc >= 0)
		return rc;
	rc = 1;
	if (cb_bundle_read(v.pos[0], &b, &eb)) {
		agent_error("%s", eb.msg);
		goto out;
	}
	if (!(lg = agent_open(a)))
		goto out;
	if (cb_sync_import(lg, &b, NULL, &res, &own, &eb)) {
		agent_error(_("%s refused: %s; nothing was taken in"), v.pos[0],
		            eb.msg);
		goto out;
	}
	if (own)
		printf(_("took back %zu of this replica's own entries\n"), own);
	printf(_("imported %zu entries (%zu already held, %zu waiting) from "
	         "%s\n"),
	       res.stored + res.forks, res.duplicates, res.pending, v.pos[0]);
	rc = 0;
out:
	cb_bundle_release(&b);
	cb_ledger_free(&lg);
	return rc;
}

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

static const struct argdef export_defs[] = {
	{ "all", NULL,
	  "every entry of this replica, not only those the hub "
	  "lacked at the last sync" },
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
		"usage: chibo-agent export FILE [--all]\n\nWrites the entries "
		"of this replica the hub did not hold at the last sync\n(all "
		"with --all) into FILE, a bundle signed with this replica's "
		"key, for\n'chibo-hub import' where there is no link: a USB "
		"stick carries it.\nThe file is mode 0600: it holds "
		"members' records.\n\n",
		export_defs, argc, argv, &v, 1, 1, "give the FILE to write");
	if (rc >= 0)
		return rc;
	if (!(lg = agent_open(a)))
		return 1;
	rc = 1;
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
	printf("wrote %u entries (%lld to %lld) to %s, %zu bytes\n", b.count,
	       (long long)from + (b.count > 0), (long long)b.next, v.pos[0],
	       out.len);
	rc = 0;
out:
	cb_bundle_release(&b);
	cb_buf_release(&out);
	cb_ledger_free(&lg);
	return rc;
}

/* The hub's checkpoint in a bundle, against the one this replica holds
 * (meta.log_checkpoint, which sync keeps): with none held, it is kept, as
 * a first sync keeps the first it sees; of the same size, it must have
 * the same root, or the hub signed two histories: both are kept as
 * evidence and nothing is taken in. Of another size, the held one stays:
 * a bundle carries no consistency proof between the two, and sync proves
 * the next from the held one. 0 to go on, 1 refused. */
static int
check_held(struct cb_ledger *lg, const struct cb_bundle *b,
           const struct cb_checkpoint *cp,
           const unsigned char authority[CB_KEY_BYTES], const char *file)
{
	struct cb_checkpoint held;
	struct cb_errbuf eb;
	char *old = NULL, why[160];
	int rc = 1;

	if (!cb_store_meta_get(lg->st, "log_evidence", &old, NULL)) {
		agent_error("this replica holds evidence that the hub's log "
		            "changed under it ('chibo-agent status'); imports "
		            "stay stopped until the district resolves it");
		goto out;
	}
	if (cb_store_meta_get(lg->st, "log_checkpoint", &old, NULL)) {
		if (cb_store_meta_set(lg->st, "log_checkpoint", b->note, &eb)) {
			agent_error("%s", eb.msg);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (cb_checkpoint_open(old, strlen(old), cp->origin, cp->origin,
	                       authority, &held, &eb)) {
		agent_error("%s: its checkpoint is of the log '%s', and the one "
		            "this replica holds does not verify as it: %s",
		            file, cp->origin, eb.msg);
		goto out;
	}
	if (held.size == cp->size &&
	    sodium_memcmp(held.root, cp->root, sizeof(held.root))) {
		snprintf(why, sizeof(why),
		         "%s holds its tree of %" PRIu64 " entries with "
		         "another root",
		         file, cp->size);
		agent_keep_log_evidence(lg, old, b->note, why);
		goto out;
	}
	rc = 0;
out:
	free(old);
	return rc;
}

int
cmd_import(struct agent *a, int argc, char **argv)
{
	static const struct argdef none[] = { { NULL, NULL, NULL } };
	struct cb_bundle b = { 0 };
	struct cb_accept_result res;
	size_t own = 0;
	struct cb_checkpoint cp;
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	struct args v;
	unsigned char authority[CB_KEY_BYTES];
	char *saved = NULL, next[32];
	int64_t cursor = 0;
	int rc;

	rc = cb_args_command(
		"import",
		"usage: chibo-agent import FILE\n\nTakes in a bundle that "
		"'chibo-hub export --for ORG' wrote for this\norganisation: "
		"signed by this replica's hub key ('chibo-agent hub --key'),"
		"\nwith the hub's signed checkpoint, every entry checked as a "
		"sync's pull is,\nall or nothing. The pull cursor moves "
		"forward only, over what the bundle\ncovers. Importing one "
		"twice changes nothing.\n\n",
		none, argc, argv, &v, 1, 1, "give the FILE to read");
	if (rc >= 0)
		return rc;
	rc = 1;
	if (cb_bundle_read(v.pos[0], &b, &eb)) {
		agent_error("%s", eb.msg);
		goto out;
	}
	if (!(lg = agent_open(a)))
		goto out;
	if (b.kind != CB_BUNDLE_PULL || strcmp(b.org, lg->org)) {
		agent_error("%s is %s for '%s', not a hub's bundle for this "
		            "replica's '%s'",
		            v.pos[0],
		            b.kind == CB_BUNDLE_PULL ? "a hub's bundle"
		                                     : "an agent's bundle",
		            b.org, lg->org);
		goto out;
	}
	if (cb_store_meta_get(lg->st, "authority", &saved, NULL) ||
	    cb_hex_decode(saved, authority, sizeof(authority), NULL)) {
		agent_error("this replica has no hub key to check %s against; "
		            "set the hub first: chibo-agent hub --url URL --pin "
		            "PIN --key KEY, as the district gave them",
		            v.pos[0]);
		goto out;
	}
	free(saved);
	saved = NULL;
	if (cb_bundle_check_hub(&b, authority, &cp, &eb)) {
		agent_error("%s refused: %s", v.pos[0], eb.msg);
		goto out;
	}
	if (cb_store_begin(lg->st, &eb)) {
		agent_error("%s", eb.msg);
		goto out;
	}
	if (!cb_store_meta_get(lg->st, "pull_cursor", &saved, NULL))
		cursor = strtoll(saved, NULL, 10);
	snprintf(next, sizeof(next), "%lld", (long long)b.next);
	if (check_held(lg, &b, &cp, authority, v.pos[0])) {
		/* the evidence, if any, is kept */
		if (cb_store_commit(lg->st, &eb))
			agent_error("%s", eb.msg);
		goto out;
	}
	if (cb_accept_restore(lg->st, lg->key.pk, b.stream.data, b.stream.len,
	                      &res, &own, &eb) ||
	    /* the cursor moves forward only, over what the bundle covers */
	    (b.after <= cursor && b.next > cursor &&
	     cb_store_meta_set(lg->st, "pull_cursor", next, &eb)) ||
	    cb_store_commit(lg->st, &eb)) {
		cb_store_rollback(lg->st);
		agent_error("%s: %s; nothing was taken in", v.pos[0], eb.msg);
		goto out;
	}
	if (own)
		printf("took back %zu of this replica's own entries\n", own);
	printf("imported %zu entries (%zu already held, %zu waiting) from "
	       "%s\n",
	       res.stored + res.forks, res.duplicates, res.pending, v.pos[0]);
	rc = 0;
out:
	free(saved);
	cb_bundle_release(&b);
	cb_ledger_free(&lg);
	return rc;
}

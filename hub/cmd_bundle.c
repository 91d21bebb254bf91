/* SPDX-License-Identifier: MIT */
/* cmd_bundle.c — chibo-hub import and export: a sync on a file for a
 * commune with no link (common/log/bundle.h). import takes an agent's bundle
 * with exactly the checks of a push (common/replica/ingest.c); export writes
 * what one organisation may read (common/view/scope.c) for 'chibo-agent
 * import'. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "enrolments.h"
#include "hub.h"
#include "ingest.h"
#include "scope.h"
#include "tlog.h"

/* Is key enrolled for org itself (an agent's bundle names its own
 * organisation)? */
static cb_err
enrolled_for(struct cb_store *st, const unsigned char key[CB_KEY_BYTES],
             const char *org, struct cb_errbuf *eb)
{
	struct cb_scope sc;
	char hex[2 * CB_KEY_BYTES + 1];
	cb_err rc = cb_scope_of(st, key, &sc, eb);

	if (rc)
		return rc;
	cb_hex_encode(key, CB_KEY_BYTES, hex);
	if (strcmp(sc.root, org))
		return cb_error(eb, CB_ESCOPE,
		                "its signer, key %.12s…, is enrolled for '%s', "
		                "not for '%s'",
		                hex, sc.root, org);
	return CB_OK;
}

int
cmd_hub_import(struct hub *h, int argc, char **argv)
{
	static const struct argdef none[] = { { NULL, NULL, NULL } };
	struct cb_bundle b = { 0 };
	struct cb_push_result res;
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb, seb;
	struct args v;
	bool kept = false;
	int rc;

	rc = cb_args_command(
		"import",
		"usage: chibo-hub import FILE\n\nTakes in a bundle that "
		"'chibo-agent export' wrote: one key's entries,\nsigned by "
		"that key, which must be enrolled here for the bundle's\n"
		"organisation (not revoked, not frozen); checked as a push "
		"over HTTPS is\n(signatures, chain, scope), all or nothing. "
		"Importing one twice changes\nnothing.\n\n",
		none, argc, argv, &v, 1, 1, "give the FILE to read");
	if (rc >= 0)
		return rc;
	rc = 1;
	if (cb_bundle_read(v.pos[0], &b, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	if (b.kind != CB_BUNDLE_PUSH) {
		hub_error("%s is a hub's bundle; give it to 'chibo-agent "
		          "import'",
		          v.pos[0]);
		goto out;
	}
	if (!(lg = hub_open(h)))
		goto out;
	/* One transaction around the push's own: a gap or a refusal
	 * anywhere in the bundle leaves nothing of it. The signer must be
	 * a key enrolled here for the bundle's organisation, as a push's
	 * must be the request's (cb_bundle_decode checked that every entry
	 * is the signer's). */
	if (cb_store_begin(lg->st, &eb) ||
	    cb_ingest_admit(lg->st, b.signer, &eb) ||
	    enrolled_for(lg->st, b.signer, b.org, &eb) ||
	    (b.count > 0 && cb_ingest_push(lg->st, b.signer, b.stream.data,
	                                   b.stream.len, &res, &eb))) {
		cb_store_rollback(lg->st);
		hub_error("%s refused: %s; nothing was taken in", v.pos[0],
		          eb.msg);
		goto out;
	}
	if (b.count == 0) {
		cb_store_rollback(lg->st);
		printf("%s holds no entries\n", v.pos[0]);
		rc = 0;
		goto out;
	}
	if (res.status != 200) {
		/* A fork with nothing else new: keep its evidence and the
		 * key frozen, as a push does. Anything else: nothing. */
		kept = res.accepted == 0 &&
		       cb_ingest_admit(lg->st, b.signer, NULL) == CB_ERULE;
		if (!kept) {
			cb_store_rollback(lg->st);
			hub_error("%s refused: %s; nothing was taken in",
			          v.pos[0], eb.msg);
			goto out;
		}
	}
	if (cb_tlog_sign(cb_store_log(lg->st), lg->org, lg->key.sk, &seb) ||
	    cb_store_commit(lg->st, &seb)) {
		cb_store_rollback(lg->st);
		hub_error("%s: %s; nothing was taken in", v.pos[0], seb.msg);
		goto out;
	}
	if (kept) {
		hub_error("%s refused: %s; the other entry is kept as "
		          "evidence, nothing else was taken in",
		          v.pos[0], eb.msg);
		goto out;
	}
	printf("imported %zu entries of '%s' (%zu already held, %zu "
	       "rejected, %zu waiting): the hub holds its chain up to "
	       "%" PRIu64 "\n",
	       res.accepted, b.org, res.duplicates, res.rejected, res.pending,
	       res.head);
	rc = 0;
out:
	cb_bundle_release(&b);
	cb_ledger_free(&lg);
	return rc;
}

static const struct argdef export_defs[] = {
	{ "for", "ORG", "the organisation the bundle is for" },
	{ "after", "N",
	  "only the hub's log after position N (the agent's pull cursor, "
	  "'chibo-agent status --json'); default 0" },
	{ "restore", NULL,
	  "also the organisation's own entries, all of them: for a replica "
	  "put back from an old copy" },
	{ NULL, NULL, NULL },
};

int
cmd_hub_export(struct hub *h, int argc, char **argv)
{
	struct cb_bundle b = { .kind = CB_BUNDLE_PULL };
	struct cb_buf out = CB_BUF_INIT;
	struct cb_scope_page pg;
	struct cb_ledger *lg;
	struct cb_scope sc;
	struct cb_errbuf eb;
	struct args v;
	unsigned char key[CB_KEY_BYTES], root[32];
	uint64_t size;
	int64_t at;
	int rc;

	rc = cb_args_command(
		"export",
		"usage: chibo-hub export --for ORG FILE [--after N] "
		"[--restore]\n\nWrites "
		"what a key enrolled for ORG may read of the hub's log (the "
		"scope of\na pull) into FILE (mode 0600), a bundle for "
		"'chibo-agent import', signed\nwith the hub's key and "
		"carrying its signed checkpoint of the log the\nentries "
		"were read from.\n\n",
		export_defs, argc, argv, &v, 1, 1, "give the FILE to write");
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0))
		return cb_args_usage("export", "give --for ORG");
	at = cb_args_get(&v, 1) ? strtoll(cb_args_get(&v, 1), NULL, 10) : 0;
	if (at < 0)
		return cb_args_usage("export", "--after takes 0 or more");
	if (!(lg = hub_open(h)))
		return 1;
	rc = 1;
	/* the bundle is what that organisation's key may read */
	if (cb_enrolments_writer(lg->st, cb_args_get(&v, 0), key, &eb) ||
	    cb_scope_of(lg->st, key, &sc, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	snprintf(b.org, sizeof(b.org), "%s", cb_args_get(&v, 0));
	b.after = at;
	/* One write transaction: the checkpoint signed over the whole log,
	 * and the entries read from that same log, so that the bundle's
	 * cursor lies within its checkpoint. */
	if (cb_store_begin(lg->st, &eb) ||
	    cb_tlog_sign(cb_store_log(lg->st), lg->org, lg->key.sk, &eb) ||
	    cb_tlog_checkpoint_latest(cb_store_log(lg->st), &size, root,
	                              &b.note, &eb)) {
		cb_store_rollback(lg->st);
		hub_error("cannot sign the hub's checkpoint: %s", eb.msg);
		goto out;
	}
	b.note_len = strlen(b.note);
	if ((uint64_t)at > size) {
		cb_store_rollback(lg->st);
		hub_error("--after %lld is past the hub's log of %" PRIu64
		          " entries",
		          (long long)at, size);
		goto out;
	}
	/* A replica put back from an old copy lacks some of its own: they
	 * go first, its whole chain (it skips what it holds). */
	for (uint64_t seq = 0; cb_args_get(&v, 2);) {
		if (cb_scope_read_own(lg->st, key, seq, 5000, 4u << 20,
		                      &b.stream, &pg, &eb)) {
			cb_store_rollback(lg->st);
			hub_error("%s", eb.msg);
			goto out;
		}
		b.count += (uint32_t)pg.count;
		seq = (uint64_t)pg.next;
		if (!pg.more)
			break;
	}
	do {
		if (cb_scope_read(lg->st, &sc, at, 5000, 4u << 20, &b.stream,
		                  &pg, &eb)) {
			cb_store_rollback(lg->st);
			hub_error("%s", eb.msg);
			goto out;
		}
		b.count += (uint32_t)pg.count;
		at = pg.next;
		if (b.stream.len > CB_BUNDLE_MAX / 2) {
			cb_store_rollback(lg->st);
			hub_error("the bundle would pass %u bytes; export in "
			          "parts with --after",
			          CB_BUNDLE_MAX / 2);
			goto out;
		}
	} while (pg.more);
	b.next = at;
	if (cb_store_commit(lg->st, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	if (cb_bundle_encode(&b, &lg->key, &out, &eb) ||
	    cb_bundle_save(v.pos[0], &out, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	printf("wrote %u entries for '%s' (the log after %lld, up to %lld) to "
	       "%s, %zu bytes\n",
	       b.count, b.org, (long long)b.after, (long long)b.next, v.pos[0],
	       out.len);
	rc = 0;
out:
	cb_bundle_release(&b);
	cb_buf_release(&out);
	cb_ledger_free(&lg);
	return rc;
}

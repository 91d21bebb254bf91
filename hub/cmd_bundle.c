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
#include "log.h"
#include "scope.h"
#include "stream.h"
#include "sync.h"
#include "syncstate.h"
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
		return cb_error(
			eb, CB_ESCOPE,
			_("its signer, key %.12s…, is enrolled for '%s', "
		          "not for '%s'"),
			hex, sc.root, org);
	return CB_OK;
}

/* A bundle its higher hub wrote for this hub ('chibo-hub export --for'
 * there): taken in as a sync's pull is (cb_sync_import). */
static int
import_from_above(struct cb_ledger *lg, const struct cb_bundle *b,
                  const char *file)
{
	struct cb_ingest_log log = { lg->org, lg->key.sk };
	struct cb_accept_result res;
	struct cb_errbuf eb;
	size_t own;

	if (cb_sync_import(lg, b, &log, &res, &own, &eb)) {
		hub_error(_("%s refused: %s; nothing was taken in"), file,
		          eb.msg);
		return 1;
	}
	printf(_("imported %zu entries from the higher hub (%zu already held, "
	         "%zu waiting) from %s\n"),
	       res.stored + res.forks, res.duplicates, res.pending, file);
	return 0;
}

/* A lower hub's relay on a file ('chibo-hub export --relay' there):
 * signed by a key enrolled here with the role hub for the bundle's
 * organisation, taken in as a relay over HTTPS is, all or nothing. */
static int
import_relay(struct cb_ledger *lg, const struct cb_bundle *b, const char *file)
{
	struct cb_push_result res;
	struct cb_errbuf eb;

	if (!memcmp(b->signer, lg->key.pk, CB_KEY_BYTES)) {
		hub_error(_("%s is this hub's own relay: take it to the higher "
		            "hub's 'chibo-hub import'"),
		          file);
		return 1;
	}
	if (cb_store_begin(lg->st, &eb) ||
	    cb_ingest_admit_hub(lg->st, b->signer, &eb) ||
	    enrolled_for(lg->st, b->signer, b->org, &eb) ||
	    cb_ingest_relay(lg->st, b->stream.data, b->stream.len, &res, &eb)) {
		cb_store_rollback(lg->st);
		hub_error(_("%s refused: %s; nothing was taken in"), file,
		          eb.msg);
		return 1;
	}
	if (res.status != 200) {
		cb_store_rollback(lg->st);
		hub_error(
			_("%s refused: %s; nothing was taken in (this hub "
		          "lacks "
		          "entries of an earlier relay: import that first, or "
		          "have '%s' export its whole log, --after 0)"),
			file, eb.msg, b->org);
		return 1;
	}
	if (cb_tlog_sign(cb_store_log(lg->st), lg->org, lg->key.sk, &eb) ||
	    cb_store_commit(lg->st, &eb)) {
		cb_store_rollback(lg->st);
		hub_error(_("%s: %s; nothing was taken in"), file, eb.msg);
		return 1;
	}
	printf(_("imported the relay of '%s' (its log after %lld, up to %lld): "
	         "%zu entries new (%zu rejected, %zu waiting), %zu already "
	         "held\n"),
	       b->org, (long long)b->after, (long long)b->next, res.accepted,
	       res.rejected, res.pending, res.duplicates);
	return 0;
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
		N_("usage: chibo-hub import FILE\n\nTakes in a bundle that "
	           "'chibo-agent export' wrote: one key's entries,\nsigned by "
	           "that key, which must be enrolled here for the bundle's\n"
	           "organisation (not revoked, not frozen); checked as a push "
	           "over HTTPS is\n(signatures, chain, scope), all or nothing. "
	           "Also a lower hub's relay\n('chibo-hub export --relay' "
	           "there), checked as a relay over HTTPS is, and\na bundle "
	           "the "
	           "higher hub wrote for this hub ('chibo-hub export --for\n"
	           "THIS-ORG' there), taken in as a sync's pull is. Importing "
	           "one twice\nchanges nothing.\n\n"),
		none, argc, argv, &v, 1, 1, N_("give the FILE to read"));
	if (rc >= 0)
		return rc;
	rc = 1;
	if (cb_bundle_read(v.pos[0], &b, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	if (!(lg = hub_open(h)))
		goto out;
	if (b.kind == CB_BUNDLE_PULL && strcmp(b.org, lg->org)) {
		hub_error(
			_("%s is a hub's bundle for '%s', not a hub's bundle "
		          "for this hub's '%s': if it is for an agent, give it "
		          "to 'chibo-agent import'"),
			v.pos[0], b.org, lg->org);
		goto out;
	}
	if (b.kind == CB_BUNDLE_PULL) {
		rc = import_from_above(lg, &b, v.pos[0]);
		goto out;
	}
	if (b.kind == CB_BUNDLE_RELAY) {
		rc = import_relay(lg, &b, v.pos[0]);
		goto out;
	}
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
		hub_error(_("%s refused: %s; nothing was taken in"), v.pos[0],
		          eb.msg);
		goto out;
	}
	if (b.count == 0) {
		cb_store_rollback(lg->st);
		printf(_("%s holds no entries\n"), v.pos[0]);
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
			hub_error(_("%s refused: %s; nothing was taken in"),
			          v.pos[0], eb.msg);
			goto out;
		}
	}
	if (cb_tlog_sign(cb_store_log(lg->st), lg->org, lg->key.sk, &seb) ||
	    cb_store_commit(lg->st, &seb)) {
		cb_store_rollback(lg->st);
		hub_error(_("%s: %s; nothing was taken in"), v.pos[0], seb.msg);
		goto out;
	}
	if (kept) {
		hub_error(_("%s refused: %s; the other entry is kept as "
		            "evidence, nothing else was taken in"),
		          v.pos[0], eb.msg);
		goto out;
	}
	printf(_("imported %zu entries of '%s' (%zu already held, %zu "
	         "rejected, %zu waiting): the hub holds its chain up to "
	         "%llu\n"),
	       res.accepted, b.org, res.duplicates, res.rejected, res.pending,
	       (unsigned long long)res.head);
	rc = 0;
out:
	cb_bundle_release(&b);
	cb_ledger_free(&lg);
	return rc;
}

static const struct argdef export_defs[] = {
	{ "for", "ORG", N_("the organisation the bundle is for") },
	{ "after", "N",
	  N_("only the hub's log after position N (the agent's pull cursor, "
	     "'chibo-agent status --json'); default 0") },
	{ "restore", NULL,
	  N_("also the organisation's own entries, all of them: for a replica "
	     "put back from an old copy") },
	{ "relay", NULL,
	  N_("instead, this hub's own log after position N (default: as far "
	     "as its higher hub acknowledged), for 'chibo-hub import' at the "
	     "higher hub") },
	{ NULL, NULL, NULL },
};

/* Entries of the log into a relay bundle, up to half its limit. */
struct relay_batch {
	struct cb_bundle *b;
	int64_t last;
};

static cb_err
add_relayed(void *ctx, int64_t lsn, const void *bytes, size_t len)
{
	struct relay_batch *rb = ctx;

	if (rb->b->stream.len + len > CB_BUNDLE_MAX / 2)
		return CB_ETOOBIG;
	if (cb_stream_append_bytes(&rb->b->stream, bytes, len))
		return CB_ENOMEM;
	rb->b->count++;
	rb->last = lsn;
	return CB_OK;
}

/* 'export --relay': this hub's log after position at (-1: after its
 * relay cursor), every author's entries, signed by its key, for its
 * higher hub's 'import'. */
static int
export_relay(struct cb_ledger *lg, int64_t at, const char *file)
{
	struct cb_bundle b = { .kind = CB_BUNDLE_RELAY };
	struct cb_buf out = CB_BUF_INIT;
	struct relay_batch rb = { &b, 0 };
	struct cb_errbuf eb;
	int64_t size;
	cb_err lrc;
	int rc = 1;

	if ((at < 0 &&
	     cb_sync_state_get_num(lg->st, CB_SYNC_RELAY_CURSOR, &at, &eb)) ||
	    cb_log_size(cb_store_log(lg->st), &size, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	if (at > size) {
		hub_error(_("--after %lld is past this hub's log of %lld "
		            "entries"),
		          (long long)at, (long long)size);
		goto out;
	}
	snprintf(b.org, sizeof(b.org), "%s", lg->org);
	b.after = b.next = at;
	rb.last = at;
	lrc = cb_log_read_after(cb_store_log(lg->st), at, 0, add_relayed, &rb,
	                        &eb);
	if (lrc && lrc != CB_ETOOBIG) {
		hub_error("%s", lrc == CB_ENOMEM ? "out of memory" : eb.msg);
		goto out;
	}
	b.next = rb.last;
	if (lrc == CB_ETOOBIG)
		fprintf(stderr,
		        _("chibo-hub: the relay is cut at position %lld (a "
		          "bundle "
		          "holds at most %u bytes): export the rest with "
		          "--after "
		          "%lld\n"),
		        (long long)b.next, CB_BUNDLE_MAX / 2,
		        (long long)b.next);
	if (cb_bundle_encode(&b, &lg->key, &out, &eb) ||
	    cb_bundle_save(file, &out, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	printf(_("wrote this hub's log after %lld, up to %lld (%u entries) to "
	         "%s, %zu bytes, for 'chibo-hub import' at the higher hub\n"),
	       (long long)b.after, (long long)b.next, b.count, file, out.len);
	rc = 0;
out:
	cb_bundle_release(&b);
	cb_buf_release(&out);
	return rc;
}

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
		N_("usage: chibo-hub export --for ORG FILE [--after N] "
	           "[--restore]\n       chibo-hub export --relay FILE [--after "
	           "N]\n\nWrites "
	           "what a key enrolled for ORG may read of the hub's log (the "
	           "scope of\na pull) into FILE (mode 0600), a bundle for "
	           "'chibo-agent import', signed\nwith the hub's key and "
	           "carrying its signed checkpoint of the log the\nentries "
	           "were read from. With --relay: this hub's own log, for its "
	           "higher\nhub, where there is no link.\n\n"),
		export_defs, argc, argv, &v, 1, 1,
		N_("give the FILE to write"));
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) == !cb_args_get(&v, 3))
		return cb_args_usage("export", _("give --for ORG, or --relay"));
	at = cb_args_get(&v, 1) ? strtoll(cb_args_get(&v, 1), NULL, 10) : 0;
	if (at < 0)
		return cb_args_usage("export", _("--after takes 0 or more"));
	if (!(lg = hub_open(h)))
		return 1;
	if (cb_args_get(&v, 3)) {
		rc = export_relay(lg, cb_args_get(&v, 1) ? at : -1, v.pos[0]);
		cb_ledger_free(&lg);
		return rc;
	}
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
		hub_error(_("cannot sign the hub's checkpoint: %s"), eb.msg);
		goto out;
	}
	b.note_len = strlen(b.note);
	if ((uint64_t)at > size) {
		cb_store_rollback(lg->st);
		hub_error(
			_("--after %lld is past the hub's log of %llu entries"),
			(long long)at, (unsigned long long)size);
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
			hub_error(_("the bundle would pass %u bytes; export in "
			            "parts with --after"),
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
	printf(_("wrote %u entries for '%s' (the log after %lld, up to %lld) "
	         "to "
	         "%s, %zu bytes\n"),
	       b.count, b.org, (long long)b.after, (long long)b.next, v.pos[0],
	       out.len);
	rc = 0;
out:
	cb_bundle_release(&b);
	cb_buf_release(&out);
	cb_ledger_free(&lg);
	return rc;
}

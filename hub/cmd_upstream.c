/* SPDX-License-Identifier: MIT */
/* cmd_upstream.c — chibo-hub upstream and sync: a hub as a client of a
 * higher hub (DESIGN.md, "Many hubs, one country"), by the agents' sync
 * engine (common/sync/sync.h) in its hub mode. 'upstream' records the
 * higher hub (URL, TLS pin, key, as its administrator gave them at
 * enrolment) and signs a hub.join naming the key the chain of authority
 * above starts from, so that this hub and its communes' replicas count
 * what that chain enrols; 'sync' relays this hub's whole log up and pulls
 * what its subtree needs from outside. Exit codes as the agent's sync: 0
 * synced, 75 the higher hub cannot be reached, 77 it refused. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "enrolments.h"
#include "hub.h"
#include "sync.h"
#include "syncstate.h"

static const struct argdef upstream_defs[] = {
	{ "url", "URL", N_("the higher hub, e.g. https://10.0.0.1:8443") },
	{ "pin", "PIN",
	  N_("its TLS pin, sha256//BASE64 (its 'chibo-hub pin')") },
	{ "key", "HEX", N_("its key (as its 'chibo-hub init' printed it)") },
	{ "authority", "HEX",
	  N_("the key its chain of authority starts from: the centre's, if "
	     "the higher hub is itself under another (default: --key)") },
	{ NULL, NULL, NULL },
};

/* Is hex (64 digits) a key this hub counts as an authority already? */
static cb_err
named_already(struct cb_ledger *lg, const char *hex, bool *yes,
              struct cb_errbuf *eb)
{
	char own[2 * CB_KEY_BYTES + 1];

	cb_hex_encode(lg->key.pk, CB_KEY_BYTES, own);
	*yes = !strcmp(own, hex);
	if (*yes)
		return CB_OK;
	return cb_enrolments_is_authority(lg->st, hex, yes, eb);
}

int
cmd_hub_upstream(struct hub *h, int argc, char **argv)
{
	unsigned char key[CB_KEY_BYTES], auth[CB_KEY_BYTES];
	char auth_hex[2 * CB_KEY_BYTES + 1], key_hex[2 * CB_KEY_BYTES + 1];
	struct cb_sync_state was;
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	bool named = false, changed;
	int rc;

	rc = cb_args_command(
		"upstream",
		N_("usage: chibo-hub upstream --url URL --pin PIN --key HEX "
	           "[--authority HEX]\n\n"
	           "Records the higher hub this hub syncs with (the province's "
	           "for a\ndistrict, the centre's for a province), as its "
	           "administrator gave them\nwhen it enrolled this hub's key "
	           "with the role 'hub'. Signs a hub.join\nentry naming the "
	           "key "
	           "the chain of authority above starts from, so that\nthis "
	           "hub "
	           "and its communes count the enrolments that chain makes "
	           "(other\nprovinces' communes, whose members transfer here). "
	           "Then run\n'chibo-hub sync'.\n\n"),
		upstream_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1) || !cb_args_get(&v, 2))
		return cb_args_usage("upstream",
		                     _("give --url, --pin and --key"));
	if (cb_hex_decode(cb_args_get(&v, 2), key, sizeof(key), &eb) ||
	    crypto_core_ed25519_is_valid_point(key) != 1)
		return cb_args_usage("upstream",
		                     _("--key is 64 hex digits of an Ed25519 "
		                       "public key"));
	if (cb_hex_decode(cb_args_get(&v, 3) ? cb_args_get(&v, 3)
	                                     : cb_args_get(&v, 2),
	                  auth, sizeof(auth), &eb) ||
	    crypto_core_ed25519_is_valid_point(auth) != 1)
		return cb_args_usage("upstream",
		                     _("--authority is 64 hex digits of an "
		                       "Ed25519 public key"));
	if (strncmp(cb_args_get(&v, 0), "https://", 8))
		return cb_args_usage("upstream",
		                     _("the URL must start with https://"));
	if (strncmp(cb_args_get(&v, 1), "sha256//", 8) ||
	    strlen(cb_args_get(&v, 1)) != 52)
		return cb_args_usage("upstream", _("the pin is sha256// and 44 "
		                                   "base64 characters"));
	if (!(lg = hub_open(h)))
		return 1;
	rc = 1;
	if (!memcmp(key, lg->key.pk, CB_KEY_BYTES)) {
		hub_error(_(
			"--key is this hub's own key; give the higher hub's"));
		goto out;
	}
	cb_hex_encode(key, CB_KEY_BYTES, key_hex);
	cb_hex_encode(auth, CB_KEY_BYTES, auth_hex);
	if (cb_sync_state_load(lg->st, &was, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	changed = was.text[CB_SYNC_UPSTREAM_KEY] &&
	          strcmp(was.text[CB_SYNC_UPSTREAM_KEY], key_hex);
	cb_sync_state_release(&was);
	if (cb_store_begin(lg->st, &eb) ||
	    /* another higher hub's log: read it from the start, relay this
	     * one's from the start */
	    (changed &&
	     (cb_sync_state_put_num(lg->st, CB_SYNC_PULL_CURSOR, 0, &eb) ||
	      cb_sync_state_put_num(lg->st, CB_SYNC_RELAY_CURSOR, 0, &eb))) ||
	    cb_sync_state_put_text(lg->st, CB_SYNC_URL, cb_args_get(&v, 0),
	                           &eb) ||
	    cb_sync_state_put_text(lg->st, CB_SYNC_PIN, cb_args_get(&v, 1),
	                           &eb) ||
	    cb_sync_state_put_text(lg->st, CB_SYNC_UPSTREAM_KEY, key_hex,
	                           &eb) ||
	    cb_store_commit(lg->st, &eb)) {
		cb_store_rollback(lg->st);
		hub_error("%s", eb.msg);
		goto out;
	}
	if (named_already(lg, auth_hex, &named, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	if (!named) {
		struct cb_entry e = CB_ENTRY_INIT;
		json_t *in = json_pack("{s:s, s:s}", "authority", auth_hex,
		                       "witness", key_hex);

		if (!in || cb_ledger_append(lg, "hub.join", in, &e, &eb) ||
		    hub_log_checkpoint(lg, &eb)) {
			json_decref(in);
			cb_entry_release(&e);
			hub_error("%s", in ? eb.msg : "out of memory");
			goto out;
		}
		json_decref(in);
		printf(_("recorded hub.join as entry %llu: the chain of "
		         "authority above starts at %.12s\n"),
		       (unsigned long long)e.seq, auth_hex);
		cb_entry_release(&e);
	}
	printf(_("this hub syncs with %s; run 'chibo-hub sync'\n"),
	       cb_args_get(&v, 0));
	rc = 0;
out:
	cb_ledger_free(&lg);
	return rc;
}

int
cmd_hub_sync(struct hub *h, int argc, char **argv)
{
	struct cb_sync_opts o = {
		5, 900, cb_sync_notice, NULL, NULL, NULL, NULL
	};
	struct cb_sync_result r;
	struct cb_ingest_log log;
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	char *url = NULL;
	int rc;

	rc = cb_args_command(
		"sync",
		N_("usage: chibo-hub sync [--retries N] [--max-time SECONDS] "
	           "[--witness HEX]\n\n"
	           "Syncs with the higher hub 'chibo-hub upstream' recorded: "
	           "relays this\nhub's whole log up, every author's entries as "
	           "it holds them, from where\nthe last sync stopped; pulls "
	           "what "
	           "this hub's subtree needs from outside\n(transfers into it "
	           "and the answers to those out of it, the directory,\nthe "
	           "enrolments above) into its own log, where its communes "
	           "receive them;\nthen checks the higher hub's signed "
	           "checkpoint against the one it kept.\nSafe to interrupt and "
	           "run again, also while 'serve' runs. Exit 0 synced,\n75 the "
	           "higher hub cannot be reached (try later), 77 it refused (a "
	           "person\nmust look).\n\n"),
		cb_sync_argdefs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if ((rc = cb_sync_args(cb_args_get(&v, 0), cb_args_get(&v, 1),
	                       cb_args_get(&v, 2), "sync", &o)))
		return rc;
	if (!(lg = hub_open(h)))
		return 1;
	if (cb_store_meta_get(lg->st, "upstream_key", &url, NULL)) {
		hub_error(
			_("no higher hub is set; run 'chibo-hub upstream --url "
		          "URL --pin PIN --key HEX' with what its "
		          "administrator gave you"));
		cb_ledger_free(&lg);
		return 1;
	}
	free(url);
	log.org = lg->org;
	log.sk = lg->key.sk;
	o.hub = &log;
	rc = (int)cb_sync(lg, &o, &r, &eb);
	if (rc) {
		hub_error("%s", eb.msg);
		goto out;
	}
	printf(_("synced: relayed %llu entries; the higher hub holds this "
	         "hub's log up to "
	         "position %lld\n"),
	       (unsigned long long)r.pushed, (long long)r.relayed);
	printf(_("pulled %llu entries; read the higher hub's log up to "
	         "position %lld\n"),
	       (unsigned long long)r.pulled, (long long)r.cursor);
	printf(_("the higher hub, as witness, cosigned this hub's checkpoint "
	         "of size %llu\n"),
	       (unsigned long long)r.witnessed);
	printf(_("sent %llu bytes, received %llu bytes in %llu requests\n"),
	       (unsigned long long)r.sent, (unsigned long long)r.received,
	       (unsigned long long)r.requests);
out:
	cb_ledger_free(&lg);
	return rc;
}

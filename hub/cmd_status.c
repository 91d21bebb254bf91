/* SPDX-License-Identifier: MIT */
/* cmd_status.c — chibo-hub status: the hub at a glance for its operator.
 * Its organisation and log size, and for every key ever enrolled how far
 * its office has pushed (the highest seq the hub holds), what the hub
 * rejected of it, when its last entry was recorded, and whether it is
 * frozen (the hub holds evidence of a fork: two entries at one seq), and
 * for a revoked key the requests it signed that the hub refused since.
 * Everything is read in one read transaction, so a hub serving at the same
 * time gives a consistent picture. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "hub.h"
#include "hubstatus.h"
#include "syncstate.h"
#include "output.h"
#include "table.h"
#include "words.h"

/* What the keys add up to, as they are shown. */
struct shown {
	struct cb_table *t;
	json_t *arr;
	int64_t nkeys, revoked, frozen;
};

/* One row of the table and one object of the JSON for an enrolment. */
static cb_err
add_key(void *ctx, const struct cb_enrolment *en,
        const struct cb_report_key *ks, struct cb_errbuf *eb)
{
	struct shown *sh = ctx;
	const char *rev = en->revoked_on;
	char shortkey[13], seq[24], rej[24], when[32] = "-", state[160];
	bool has_last;

	sh->nkeys++;
	sh->revoked += rev != NULL;
	if ((has_last = ks->seq > 0))
		cb_time_iso(ks->last_ms, when);
	snprintf(shortkey, sizeof(shortkey), "%.12s", en->key);
	snprintf(seq, sizeof(seq), "%" PRId64, ks->seq);
	snprintf(rej, sizeof(rej), "%" PRId64, ks->rejected);
	cb_report_key_state(rev, ks, state, sizeof(state));
	sh->frozen += ks->forks > 0;
	if (json_array_append_new(
		    sh->arr,
		    json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:I, s:I, s:s?, "
	                      "s:o, s:b, s:I, s:o}",
	                      "key", en->key, "org", en->org, "role", en->role,
	                      "name", en->name, "revoked_on", rev, "seq",
	                      (json_int_t)ks->seq, "rejected",
	                      (json_int_t)ks->rejected, "last_entry",
	                      has_last ? when : NULL, "last_entry_ms",
	                      has_last ? json_integer(ks->last_ms)
	                               : json_null(),
	                      "frozen", ks->forks > 0, "refused_requests",
	                      (json_int_t)ks->refused, "last_refused_ms",
	                      ks->refused ? json_integer(ks->refused_ms)
	                                  : json_null())) ||
	    cb_table_add(sh->t, (const char *const[]){
					shortkey, en->org,
					cb_words_label("role", en->role),
					en->name, seq, rej, when, state }))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	return CB_OK;
}

/* Under the table, a line for each revoked key the hub refused requests
 * of since: the district's operator must not miss a stolen laptop's key
 * still in use. */
static void
print_refused(json_t *keys)
{
	size_t i;
	json_t *k;
	bool first = true;

	json_array_foreach(keys, i, k)
	{
		json_int_t n = json_integer_value(
			json_object_get(k, "refused_requests"));
		char when[CB_TIME_MAX];

		if (!n)
			continue;
		cb_time_iso(json_integer_value(
				    json_object_get(k, "last_refused_ms")),
		            when);
		if (first)
			putchar('\n');
		first = false;
		printf(P_("key %.12s of '%s', revoked on %s, signed %lld "
		          "request "
		          "since, refused,\nthe last at %s: whoever holds it "
		          "still tries to use it\n",
		          "key %.12s of '%s', revoked on %s, signed %lld "
		          "requests since, refused,\nthe last at %s: whoever "
		          "holds it still tries to use it\n",
		          (unsigned long)n),
		       json_string_value(json_object_get(k, "key")),
		       json_string_value(json_object_get(k, "org")),
		       json_string_value(json_object_get(k, "revoked_on")),
		       (long long)n, when);
	}
}

/* JSON has the full keys, and the times also in ms */
static const struct argdef status_defs[] = {
	CB_OUTPUT_RECORD_ARGDEFS,
	{ NULL, NULL, NULL },
};

int
cmd_hub_status(struct hub *h, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct cb_table t;
	struct cb_hubstatus hs = { 0 };
	struct shown sh = { &t, NULL, 0, 0, 0 };
	struct cb_errbuf eb;
	struct args v;
	struct cb_output out;
	char hub_key[2 * CB_KEY_BYTES + 1], last[32] = "";
	struct cb_sync_state ss = { 0 };
	json_t *o, *up = NULL;
	int rc;

	rc = cb_args_command(
		"status",
		N_("usage: chibo-hub status [--format text|json]\n\n"
	           "The hub at a glance: its organisation, its log's size, and "
	           "for every key\never enrolled (revoked ones too) the "
	           "highest "
	           "seq the hub holds from it,\nits entries the hub rejected, "
	           "the time of its last entry (UTC+7), and\nwhether it is "
	           "frozen: the hub holds evidence of a fork, two entries at "
	           "one\nseq, and refuses its requests until a person has "
	           "looked. A revoked or\nsucceeded key's state counts the "
	           "requests it signed that the hub refused\nsince: a stolen "
	           "laptop's key still in use.\n\n"),
		status_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if ((rc = cb_output_args("status", &v, 0, false, &out)))
		return rc;
	if (!(lg = hub_open(h)))
		return 1;
	rc = 1;
	if (cb_table_init(&t, 8,
	                  (const char *const[]){
				  N_("KEY"), N_("ORG"), N_("ROLE"), N_("NAME"),
				  N_("SEQ"), N_("REJECTED"),
				  N_("LAST ENTRY (UTC+7)"), N_("STATE") })) {
		hub_error(_("out of memory"));
		cb_ledger_free(&lg);
		return 1;
	}
	if (!(sh.arr = json_array())) {
		cb_error(&eb, CB_ENOMEM, _("out of memory"));
		goto fail;
	}
	/* One snapshot, which holds up no writer: a running serve goes on. */
	if (cb_hubstatus_read(lg->st, lg->org, &hs, add_key, &sh, &eb))
		goto fail;
	cb_hex_encode(lg->key.pk, CB_KEY_BYTES, hub_key);
	if (cb_sync_state_load(lg->st, &ss, &eb))
		goto fail;
	if (ss.text[CB_SYNC_UPSTREAM_KEY]) {
		if (ss.num[CB_SYNC_LAST_SYNC])
			cb_time_iso(ss.num[CB_SYNC_LAST_SYNC], last);
		up = json_pack(
			"{s:s?, s:s, s:I, s:I, s:I, s:s?}", "url",
			ss.text[CB_SYNC_URL], "key",
			ss.text[CB_SYNC_UPSTREAM_KEY], "relayed",
			(json_int_t)ss.num[CB_SYNC_RELAY_CURSOR], "pulled",
			(json_int_t)ss.num[CB_SYNC_PULL_CURSOR], "witnessed",
			(json_int_t)ss.num[CB_SYNC_WITNESS_SIZE], "last_sync",
			ss.num[CB_SYNC_LAST_SYNC] ? last : NULL);
		if (!up) {
			cb_error(&eb, CB_ENOMEM, _("out of memory"));
			goto fail;
		}
	}
	if (out.format == CB_OUTPUT_JSON) {
		o = json_pack("{s:s, s:s, s:s?, s:s, s:I, s:O?, s:o}", "hub",
		              h->dir, "org", lg->org, "org_name", hs.org_name,
		              "hub_key", hub_key, "log_size",
		              (json_int_t)hs.log_size, "upstream", up, "keys",
		              json_incref(sh.arr));
		if (!o) {
			cb_error(&eb, CB_ENOMEM, _("out of memory"));
			goto fail;
		}
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	} else {
		printf(_("hub:          %s\n"), h->dir);
		printf(_("organisation: %s%s%s\n"), lg->org,
		       hs.org_name ? " " : "", hs.org_name ? hs.org_name : "");
		printf(_("hub key:      %s\n"), hub_key);
		printf(P_("log:          %lld entry\n",
		          "log:          %lld entries\n",
		          (unsigned long)hs.log_size),
		       (long long)hs.log_size);
		if (up)
			printf(_("higher hub:   %s: this log relayed up to "
			         "%lld, "
			         "its log read up to %lld, this log's "
			         "checkpoint "
			         "of size %lld cosigned; last sync %s\n"),
			       ss.text[CB_SYNC_URL] ? ss.text[CB_SYNC_URL]
			                            : "-",
			       (long long)ss.num[CB_SYNC_RELAY_CURSOR],
			       (long long)ss.num[CB_SYNC_PULL_CURSOR],
			       (long long)ss.num[CB_SYNC_WITNESS_SIZE],
			       ss.num[CB_SYNC_LAST_SYNC] ? last : _("never"));
		printf(_("keys:         %lld enrolled, %lld revoked, %lld "
		         "frozen\n"),
		       (long long)(sh.nkeys - sh.revoked),
		       (long long)sh.revoked, (long long)sh.frozen);
		if (sh.nkeys) {
			putchar('\n');
			cb_table_print(&t, stdout);
		}
		print_refused(sh.arr);
	}
	rc = 0;
	goto out;
fail:
	hub_error("%s", eb.msg);
out:
	json_decref(sh.arr);
	json_decref(up);
	cb_sync_state_release(&ss);
	cb_hubstatus_release(&hs);
	cb_table_release(&t);
	cb_ledger_free(&lg);
	return rc;
}

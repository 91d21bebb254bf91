/* SPDX-License-Identifier: MIT */
/* cmd_log.c — the log and its checks: log, verify, rebuild, status,
 * digest. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "atrest.h"
#include "date.h"
#include "args.h"
#include "buf.h"
#include "project.h"
#include "query.h"
#include "scope.h"
#include "status.h"
#include "output.h"
#include "table.h"
#include "words.h"

static const struct argdef log_defs[] = {
	{ "limit", "N", N_("only the last N entries") },
	{ "op", "OP", N_("only entries of this op") },
	{ "rejected", NULL, N_("only rejected entries") },
	{ "body", NULL, N_("with each entry's body") },
	/* JSON has the body and the entry's hex bytes */
	CB_OUTPUT_ROWS_ARGDEFS,
	{ NULL, NULL, NULL },
};

/* What cmd_log gathers entry by entry. */
struct log_listing {
	struct cb_output out;
	bool as_json, body;
	json_t *arr;
	struct cb_table t;
	struct cb_entry e;
	bool said; /* an error is already on stderr */
};

static cb_err
list_entry(void *ctx, const struct cb_query_entry *q)
{
	struct log_listing *l = ctx;
	struct cb_entry *e = &l->e;
	struct cb_errbuf eb;
	char id[CB_HASH_HEX], author[13], when[CB_TIME_MAX], seq[24];

	if (cb_entry_decode(q->bytes, q->len, e, &eb)) {
		agent_error(_("entry %lld: %s; run 'chibo-agent verify'"),
		            (long long)q->lsn, eb.msg);
		l->said = true;
		return CB_EINVAL;
	}
	cb_hash_hex(e->id, id);
	cb_hash_short(e->author, author);
	cb_time_show(e->time_ms, when);
	snprintf(seq, sizeof(seq), "%" PRIu64, e->seq);
	if (l->as_json) {
		char akey[2 * CB_KEY_BYTES + 1];
		char *hex = malloc(2 * e->len + 1);
		json_t *o;

		cb_hex_encode(e->author, CB_KEY_BYTES, akey);
		if (hex)
			cb_hex_encode(e->bytes, e->len, hex);
		char iso[CB_TIME_MAX];

		cb_time_iso(e->time_ms, iso);
		o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:O, s:s, s:s?,"
		              " s:s?}",
		              "id", id, "author", akey, "seq",
		              (json_int_t)e->seq, "time_ms",
		              (json_int_t)e->time_ms, "time", iso, "op", e->op,
		              "body", e->json, "state", q->state, "reason",
		              q->reason, "bytes", hex);
		free(hex);
		json_array_append_new(l->arr, o);
	} else if (l->out.format == CB_OUTPUT_CSV) {
		char akey[2 * CB_KEY_BYTES + 1], iso[CB_TIME_MAX];
		char *bodytxt =
			l->body ? json_dumps(e->json,
		                             JSON_COMPACT | JSON_SORT_KEYS)
				: NULL;
		const char *const cells[] = { seq,
			                      id,
			                      akey,
			                      iso,
			                      e->op,
			                      q->state,
			                      q->reason ? q->reason : "",
			                      bodytxt };

		cb_hex_encode(e->author, CB_KEY_BYTES, akey);
		cb_time_iso(e->time_ms, iso);
		for (size_t c = 0; c < (l->body ? 8u : 7u); c++)
			cb_output_csv_cell(&l->out, stdout,
			                   cells[c] ? cells[c] : "", c == 0);
		cb_output_csv_end_row(stdout);
		free(bodytxt);
	} else {
		char *bodytxt = l->body ? cb_entry_body_dump(e->json) : NULL;
		char st[CB_REASON_MAX + 16];

		snprintf(st, sizeof(st), "%s%s%s",
		         cb_words_label("entry state", q->state),
		         q->reason ? ": " : "",
		         q->reason ? cb_lang_resay(q->reason) : "");
		id[12] = 0;
		if (cb_table_add(&l->t, (const char *const[]){
						seq, id, when,
						cb_words_label("op", e->op),
						author, st, bodytxt })) {
			free(bodytxt);
			agent_error(_("out of memory"));
			l->said = true;
			return CB_ENOMEM;
		}
		free(bodytxt);
	}
	return CB_OK;
}

int
cmd_log(struct agent *a, int argc, char **argv)
{
	static const char *const headers[] = { N_("SEQ"),          N_("ID"),
		                               N_("TIME (UTC+7)"), N_("OP"),
		                               N_("AUTHOR"),       N_("STATE"),
		                               N_("BODY") };
	struct log_listing l = { .e = CB_ENTRY_INIT };
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"log",
		N_("usage: chibo-agent log [--limit N] [--op OP] [--rejected] "
	           "[--body] [--format text|csv|json]\n\nLists the entries "
	           "in the order they were recorded or received.\n"
	           "\n"),
		log_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (cb_args_get(&v, 0)) {
		char *end;

		f.limit = strtoll(cb_args_get(&v, 0), &end, 10);
		if (*end || f.limit < 0)
			return cb_args_usage("log",
			                     _("--limit takes a number"));
	}
	f.op = cb_args_get(&v, 1);
	f.rejected = cb_args_get(&v, 2) != NULL;
	l.body = cb_args_get(&v, 3) != NULL;
	if ((rc = cb_output_args("log", &v, 4, true, &l.out)) ||
	    (rc = cb_output_no_xlsx("log", &l.out)))
		return rc;
	l.as_json = l.out.format == CB_OUTPUT_JSON;
	if (!(lg = agent_open(a)))
		return 1;
	rc = 1;
	if (l.as_json)
		l.arr = json_array();
	else if (l.out.format == CB_OUTPUT_CSV) {
		static const char *const names[] = { "seq",    "id",  "author",
			                             "time",   "op",  "state",
			                             "reason", "body" };

		cb_output_csv_begin(&l.out, stdout);
		for (size_t c = 0; c < (l.body ? 8u : 7u); c++)
			cb_output_csv_cell(&l.out, stdout, names[c], c == 0);
		cb_output_csv_end_row(stdout);
	} else if (cb_table_init(&l.t, l.body ? 7 : 6, headers)) {
		agent_error(_("out of memory"));
		goto out;
	}
	if (cb_query_entries(lg->st, &f, list_entry, &l, &eb)) {
		if (!l.said)
			agent_error("%s", eb.msg);
		goto out;
	}
	if (l.as_json) {
		json_dumpf(l.arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (l.out.format == CB_OUTPUT_TEXT) {
		l.t.maxwidth = l.body ? 0 : 40;
		cb_table_print(&l.t, stdout);
	}
	rc = 0;
out:
	cb_table_release(&l.t);
	json_decref(l.arr);
	cb_entry_release(&l.e);
	cb_ledger_free(&lg);
	return rc;
}

static void
print_fault(void *ctx, const char *msg)
{
	fprintf(ctx, _("FAULT: %s\n"), cb_lang_resay(msg));
}

static void
add_fault(void *ctx, const char *msg)
{
	json_array_append_new(ctx, json_string(msg));
}

/* 'verify --format json': the counts and the faults, in English as all
 * JSON is. Exits 1 on any fault. */
static int
verify_json(struct cb_ledger *lg)
{
	struct cb_verify_report r = { 0 };
	struct cb_errbuf eb;
	json_t *faults = json_array(), *o;
	cb_err rc;

	if (!faults) {
		agent_error(_("out of memory"));
		return 1;
	}
	cb_lang_english_begin();
	rc = cb_ledger_verify(lg, &r, add_fault, faults, &eb);
	cb_lang_english_end();
	if (rc && rc != CB_ECRYPTO) {
		agent_error("%s", eb.msg);
		json_decref(faults);
		return 1;
	}
	o = json_pack("{s:I, s:I, s:I, s:I, s:b, s:o, s:s?}", "entries",
	              (json_int_t)r.entries, "authors", (json_int_t)r.authors,
	              "applied", (json_int_t)r.applied, "rejected",
	              (json_int_t)r.rejected, "ok", !rc, "faults", faults,
	              "error", rc ? eb.msg : NULL);
	if (!o) {
		agent_error(_("out of memory"));
		return 1;
	}
	json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(o);
	return rc ? 1 : 0;
}

int
agent_verify(struct cb_ledger *lg, FILE *fp)
{
	struct cb_verify_report r;
	struct cb_errbuf eb;
	cb_err rc;

	rc = cb_ledger_verify(lg, &r, print_fault, fp, &eb);
	if (rc && rc != CB_ECRYPTO) {
		agent_error("%s", eb.msg);
		fprintf(fp, "%s\n", eb.msg);
		return 1;
	}
	fprintf(fp,
	        P_("%llu entries from %llu author (%llu applied, %llu "
	           "rejected): %s\n",
	           "%llu entries from %llu authors (%llu applied, %llu "
	           "rejected): %s\n",
	           r.authors),
	        (unsigned long long)r.entries, (unsigned long long)r.authors,
	        (unsigned long long)r.applied, (unsigned long long)r.rejected,
	        rc ? eb.msg : _("all signatures, chains and tables verify"));
	return rc ? 1 : 0;
}

int
cmd_verify(struct agent *a, int argc, char **argv)
{
	static const struct argdef defs[] = { CB_OUTPUT_RECORD_ARGDEFS,
		                              { NULL, NULL, NULL } };
	struct cb_output out;
	struct cb_ledger *lg;
	struct args v;
	int rc;

	rc = cb_args_command(
		"verify",
		N_("usage: chibo-agent verify [--format text|json]\n\nChecks "
	           "the replica file's integrity, every entry's encoding, "
	           "signature and\nid, every author's chain (seq and prev, no "
	           "forks), and that the tables\nequal a fresh projection of "
	           "the entries. Prints each fault; exits 1 on any.\n\n"),
		defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if ((rc = cb_output_args("verify", &v, 0, false, &out)))
		return rc;
	if (!(lg = agent_open(a)))
		return 1;
	rc = out.format == CB_OUTPUT_JSON ? verify_json(lg)
	                                  : agent_verify(lg, stdout);
	cb_ledger_free(&lg);
	return rc;
}

int
cmd_rebuild(struct agent *a, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	uint64_t applied = 0, rejected = 0;

	if (cb_args_wants_help(argc, argv)) {
		puts(_("usage: chibo-agent rebuild\n\nEmpties every table and "
		       "re-derives it from the entries, after checking\nevery "
		       "signature. In one transaction: on any problem nothing "
		       "changes."));
		return 0;
	}
	if (argc > 1)
		return cb_args_usage("rebuild", _("unexpected argument '%s'"),
		                     argv[1]);
	if (!(lg = agent_open(a)))
		return 1;
	if (cb_ledger_rebuild(lg, &applied, &rejected, &eb)) {
		agent_error("%s", eb.msg);
		cb_ledger_free(&lg);
		return 1;
	}
	cb_ledger_free(&lg);
	printf(_("rebuilt the tables from %llu entries (%llu applied, %llu "
	         "rejected)\n"),
	       (unsigned long long)(applied + rejected),
	       (unsigned long long)applied, (unsigned long long)rejected);
	return 0;
}

/* "2026-11-21 19:05:07 (UTC+7)" for a Unix time in ms. */
static void
local_time(int64_t ms, char out[CB_TIME_MAX + 16])
{
	char t[CB_TIME_MAX];

	cb_time_show(ms, t);
	snprintf(out, CB_TIME_MAX + 16, "%s (UTC+7)", t);
}

static void
print_clashes(struct cb_ledger *lg, const json_t *list)
{
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *c = json_array_get(list, i);
		const char *id =
			json_string_value(json_object_get(c, "member"));
		const char *field =
			json_string_value(json_object_get(c, "field"));
		char *name = NULL;

		if (!id || !field)
			continue;
		if (cb_query_member_name(lg->st, id, &name, NULL))
			name = NULL;
		printf(_("clash:        %s %s of member %.12s (%s) is also "
		         "recorded for another member; the committee above "
		         "both decides which record is right\n"),
		       strcmp(field, "card_no") ? _("national ID")
		                                : _("party card number"),
		       json_string_value(json_object_get(c, "number")), id,
		       name ? name : "?");
		free(name);
	}
}

/* The text of 'status': the replica, its log and records, and its sync;
 * at is whether the replica is encrypted at rest, warn its line. */
static void
print_status(struct cb_ledger *lg, const struct cb_status *s, const char *pk,
             const struct cb_atrest *at, const char *warn)
{
	const struct cb_query_counts *n = &s->counts;
	char when[CB_TIME_MAX + 16];

	printf(_("replica:      %s\n"), lg->dir);
	printf(_("organisation: %s %s\n"), lg->org, s->org_name);
	printf(_("public key:   %s\n"), pk);
	if (lg->key.sealed)
		printf(_("signing key:  sealed with a passphrase\n"));
	else
		printf(_("signing key:  NOT sealed: whoever holds this laptop "
		         "can sign as the organisation; seal it with "
		         "'chibo-agent key seal'\n"));
	if (at->state == CB_ATREST_ENCRYPTED)
		printf(_("at rest:      encrypted (%s)\n"),
		       cb_atrest_by_name(at->by));
	else
		printf(_("at rest:      %s\n"), warn);
	printf(_("log:          %lld entries, head seq %llu, %lld rejected, "
	         "%lld pending\n"),
	       (long long)n->entries, (unsigned long long)s->head_seq,
	       (long long)n->rejected, (long long)n->pending);
	printf(_("records:      %lld cells, %lld live members, %lld meetings, "
	         "%lld ratings\n"),
	       (long long)n->cells, (long long)n->members,
	       (long long)n->meetings, (long long)n->ratings);
	printf(_("transfers:    %lld released and in transit, %lld to this "
	         "organisation awaiting an answer\n"),
	       (long long)n->released_in_transit,
	       (long long)n->incoming_in_transit);
	if (!s->hub_url) {
		printf(_("sync:         no hub set (chibo-agent hub)\n"));
		return;
	}
	if (s->synced)
		local_time(s->last_sync_ms, when);
	printf(_("hub:          %s\n"), s->hub_url);
	printf(_("last sync:    %s\n"), s->synced ? when : _("never"));
	printf(P_("waiting:      %lld entry to push\n",
	          "waiting:      %lld entries to push\n",
	          (unsigned long)s->waiting),
	       (long long)s->waiting);
	printf(_("hub log:      %lld entries at the last sync\n"),
	       (long long)s->hub_log_size);
	printf(_("log checked:  signed checkpoint of %lld entries; this "
	         "replica's entries up to %lld proven in it\n"),
	       (long long)s->checkpoint_size, (long long)s->proven_seq);
	if (json_is_object(s->evidence))
		printf(_("EVIDENCE:     the hub's log changed under this "
		         "replica: %s; sync is stopped (both signed "
		         "checkpoints: status --json)\n"),
		       cb_lang_resay(json_string_value(
			       json_object_get(s->evidence, "reason"))));
	print_clashes(lg, s->clashes);
	for (size_t i = 0; i < json_array_size(s->rejected_by_hub); i++) {
		json_t *r = json_array_get(s->rejected_by_hub, i);

		printf(_("rejected by the hub: entry %lld (%s): %s\n"),
		       (long long)json_integer_value(json_object_get(r, "seq")),
		       cb_words_label("op", json_string_value(
						    json_object_get(r, "op"))),
		       cb_lang_resay(json_string_value(
			       json_object_get(r, "reason"))));
	}
}

/* The "at_rest" of 'status --json': the probe's words, and why it
 * cannot tell as a word too. */
static json_t *
atrest_json(const struct cb_atrest *at)
{
	static const char *const whys[] = {
		[CB_ATREST_WHY_NONE] = NULL,
		[CB_ATREST_WHY_DIR] = "directory",
		[CB_ATREST_WHY_MOUNTINFO] = "mountinfo",
		[CB_ATREST_WHY_NO_MOUNT] = "no-mount",
		[CB_ATREST_WHY_SYSFS] = "sysfs",
		[CB_ATREST_WHY_NO_DEVICE] = "no-device",
		[CB_ATREST_WHY_LOOP] = "loop",
	};

	return json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "state",
	                 cb_atrest_state_name(at->state), "by",
	                 cb_atrest_by_name(at->by), "mount",
	                 at->mount[0] ? at->mount : NULL, "filesystem",
	                 at->fstype[0] ? at->fstype : NULL, "device",
	                 at->device[0] ? at->device : NULL, "unknown_because",
	                 whys[at->why], "detail",
	                 at->detail[0] ? at->detail : NULL);
}

/* The JSON of 'status --json'. */
static json_t *
status_json(struct cb_ledger *lg, const struct cb_status *s, const char *pk,
            const struct cb_atrest *at)
{
	const struct cb_query_counts *n = &s->counts;
	char last[24], iso[CB_TIME_MAX];
	json_t *o, *sync;

	snprintf(last, sizeof(last), "%" PRId64, s->last_sync_ms);
	cb_time_iso(s->last_sync_ms, iso);
	o = json_pack(
		"{s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"replica", lg->dir, "org", lg->org, "org_name", s->org_name,
		"public_key", pk, "head_seq", (json_int_t)s->head_seq,
		"entries", (json_int_t)n->entries, "rejected",
		(json_int_t)n->rejected, "pending", (json_int_t)n->pending,
		"cells", (json_int_t)n->cells, "members",
		(json_int_t)n->members, "meetings", (json_int_t)n->meetings,
		"ratings", (json_int_t)n->ratings);
	json_object_set_new(o, "key_sealed", json_boolean(lg->key.sealed));
	json_object_set_new(o, "at_rest", atrest_json(at));
	json_object_set_new(o, "released_in_transit",
	                    json_integer(n->released_in_transit));
	json_object_set_new(o, "incoming_in_transit",
	                    json_integer(n->incoming_in_transit));
	sync = json_pack("{s:s?, s:I, s:s?, s:s?, s:I, s:I, s:O}", "hub",
	                 s->hub_url, "waiting", (json_int_t)s->waiting,
	                 "last_sync_ms", s->synced ? last : NULL, "last_sync",
	                 s->synced ? iso : NULL, "hub_log_size",
	                 (json_int_t)s->hub_log_size, "pull_cursor",
	                 (json_int_t)s->pull_cursor, "rejected_by_hub",
	                 s->rejected_by_hub);
	/* the hub's log as this replica last verified it */
	json_object_set_new(sync, "log",
	                    json_pack("{s:I, s:I, s:o}", "checkpoint_size",
	                              (json_int_t)s->checkpoint_size,
	                              "proven_seq", (json_int_t)s->proven_seq,
	                              "evidence",
	                              s->evidence ? json_incref(s->evidence)
	                                          : json_null()));
	json_object_set_new(o, "sync", sync);
	json_object_set(o, "clashes", s->clashes);
	return o;
}

int
cmd_status(struct agent *a, int argc, char **argv)
{
	struct cb_status s;
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	char pk[2 * CB_KEY_BYTES + 1], warn[2 * PATH_MAX + 512];
	static const struct argdef defs[] = { CB_OUTPUT_RECORD_ARGDEFS,
		                              { NULL, NULL, NULL } };
	struct cb_output out;
	struct cb_atrest at;
	struct args v;
	bool as_json;
	int rc;

	rc = cb_args_command(
		"status",
		N_("usage: chibo-agent status [--format text|json]\n\nThe "
	           "replica at a glance: organisation, key, whether its files "
	           "are encrypted at rest\n(docs/OPERATIONS.md, \"Member data "
	           "at rest\"), log head, counts, rejected\nentries, and sync: "
	           "the hub, the last successful sync, entries waiting\nto be "
	           "pushed, the hub's log size, entries the hub rejected, and "
	           "the\nmembers whose party card or national ID number "
	           "another "
	           "member holds too\n(what the hub said at the last sync: "
	           "nothing of the other member).\n\n"),
		defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if ((rc = cb_output_args("status", &v, 0, false, &out)))
		return rc;
	as_json = out.format == CB_OUTPUT_JSON;
	if (!(lg = agent_open(a)))
		return 1;
	if (cb_status_read(lg, &s, &eb)) {
		agent_error("%s", eb.msg);
		cb_ledger_free(&lg);
		return 1;
	}
	cb_hex_encode(lg->key.pk, CB_KEY_BYTES, pk);
	agent_atrest(lg->dir, &at, warn, sizeof(warn));
	if (as_json) {
		json_t *o = status_json(lg, &s, pk, &at);

		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	} else {
		print_status(lg, &s, pk, &at, warn);
	}
	cb_status_release(&s);
	cb_ledger_free(&lg);
	return 0;
}

static const struct argdef digest_defs[] = {
	{ "org", "CODE",
	  N_("the subtree to digest (default: this replica's organisation)") },
	{ "all", NULL, N_("every table and entry this replica holds") },
	{ NULL, NULL, NULL },
};

int
cmd_digest(struct agent *a, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	char hex[65];
	struct args v;
	cb_err rc;
	int r;

	r = cb_args_command(
		"digest",
		N_("usage: chibo-agent digest [--org CODE | --all]\n\n"
	           "Prints a SHA-256 over the tables and log as the subtree of "
	           "an organisation\nsees them (docs/PROTOCOL.md, \"Pull and "
	           "scope\"). After a sync, it equals\n'chibo-hub digest --org "
	           "CODE' on the hub when both hold the same.\n\n"),
		digest_defs, argc, argv, &v, 0, 0, NULL);
	if (r >= 0)
		return r;
	if (!(lg = agent_open(a)))
		return 1;
	rc = cb_scope_digest_hex(lg->st,
	                         cb_args_get(&v, 1)   ? NULL
	                         : cb_args_get(&v, 0) ? cb_args_get(&v, 0)
	                                              : lg->org,
	                         hex, &eb);
	if (rc) {
		agent_error("%s", eb.msg);
		cb_ledger_free(&lg);
		return 1;
	}
	puts(hex);
	cb_ledger_free(&lg);
	return 0;
}

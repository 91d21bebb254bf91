/* SPDX-License-Identifier: MIT */
/* cmd_log.c — the log and its checks: log, verify, rebuild, status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "sql.h"
#include "scope.h"
#include "buf.h"
#include "args.h"
#include "project.h"
#include "report.h"
#include "table.h"

static const struct argdef log_defs[] = {
	{ "limit", "N", "only the last N entries" },
	{ "op", "OP", "only entries of this op" },
	{ "rejected", NULL, "only rejected entries" },
	{ "body", NULL, "with each entry's body" },
	{ "json", NULL,
	  "print JSON (with the body and the entry's hex bytes)" },
	{ NULL, NULL, NULL },
};

static void
format_time(int64_t ms, char out[20])
{
	time_t t = (time_t)(ms / 1000) + 7 * 3600; /* Vietnam, UTC+7 */
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

int
cmd_log(struct agent *a, int argc, char **argv)
{
	static const char sql[] =
		"SELECT * FROM (SELECT lsn, bytes, state, reason FROM entries "
		"WHERE (?1 IS NULL OR op = ?1) AND (?2 IS NULL OR state = ?2) "
		"ORDER BY lsn DESC LIMIT ?3) ORDER BY lsn";
	static const char *const headers[] = { "SEQ", "ID",     "TIME (UTC+7)",
		                               "OP",  "AUTHOR", "STATE" };
	struct cb_ledger *lg;
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	struct cb_table t;
	struct args v;
	struct cb_stmt *s = NULL;
	json_t *arr = NULL;
	bool as_json, body;
	long long limit = -1;
	int rc, r;

	rc = cb_args_command(
		"log",
		"usage: chibo-agent log [--limit N] [--op OP] [--rejected] "
		"[--body] [--json]\n\nLists the entries in the order they "
		"were recorded or received.\n"
		"\n",
		log_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (cb_args_get(&v, 0)) {
		char *end;

		limit = strtoll(cb_args_get(&v, 0), &end, 10);
		if (*end || limit < 0)
			return cb_args_usage("log", "--limit takes a number");
	}
	body = cb_args_get(&v, 3) != NULL;
	as_json = cb_args_get(&v, 4) != NULL;
	if (!(lg = agent_open(a)))
		return 1;
	rc = 1;
	if (cb_sql_prepare(lg->st, sql, &s, NULL)) {
		cb_store_error(lg->st, &eb, "cannot read the log");
		agent_error("%s", eb.msg);
		goto out_noTable;
	}
	cb_sql_bind_text(s, 1, cb_args_get(&v, 1));
	cb_sql_bind_text(s, 2, cb_args_get(&v, 2) ? "rejected" : NULL);
	cb_sql_bind_int64(s, 3, limit);
	if (as_json)
		arr = json_array();
	else if (cb_table_init(&t, body ? 7 : 6,
	                       (const char *const[]){ headers[0], headers[1],
	                                              headers[2], headers[3],
	                                              headers[4], headers[5],
	                                              "BODY" })) {
		agent_error("out of memory");
		goto out_noTable;
	}
	while ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		char id[CB_HASH_HEX], author[13], when[20], seq[24];
		const char *state = cb_sql_column_text(s, 2);

		if (cb_entry_decode(cb_sql_column_blob(s, 1),
		                    (size_t)cb_sql_column_bytes(s, 1), &e,
		                    &eb)) {
			agent_error("entry %lld: %s; run 'chibo-agent verify'",
			            (long long)cb_sql_column_int64(s, 0),
			            eb.msg);
			goto out;
		}
		cb_hash_hex(e.id, id);
		cb_hash_short(e.author, author);
		format_time(e.time_ms, when);
		snprintf(seq, sizeof(seq), "%" PRIu64, e.seq);
		if (as_json) {
			char akey[2 * CB_KEY_BYTES + 1];
			char *hex = malloc(2 * e.len + 1);
			json_t *o;

			cb_hex_encode(e.author, CB_KEY_BYTES, akey);
			if (hex)
				cb_hex_encode(e.bytes, e.len, hex);
			o = json_pack(
				"{s:s, s:s, s:I, s:I, s:s, s:O, s:s, s:s?,"
				" s:s?}",
				"id", id, "author", akey, "seq",
				(json_int_t)e.seq, "time_ms",
				(json_int_t)e.time_ms, "op", e.op, "body",
				e.json, "state", state, "reason",
				cb_sql_column_text(s, 3), "bytes", hex);
			free(hex);
			json_array_append_new(arr, o);
		} else {
			char *bodytxt =
				body ? cb_entry_body_dump(e.json) : NULL;
			char st[CB_REASON_MAX + 16];

			snprintf(st, sizeof(st), "%s%s%s", state,
			         cb_sql_column_null(s, 3) ? "" : ": ",
			         cb_sql_column_null(s, 3)
			                 ? ""
			                 : cb_sql_column_text(s, 3));
			id[12] = 0;
			if (cb_table_add(&t, (const char *const[]){
						     seq, id, when, e.op,
						     author, st, bodytxt })) {
				free(bodytxt);
				agent_error("out of memory");
				goto out;
			}
			free(bodytxt);
		}
	}
	if (r != CB_SQL_DONE) {
		cb_store_error(lg->st, &eb, "cannot read the log");
		agent_error("%s", eb.msg);
		goto out;
	}
	if (as_json) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		t.maxwidth = body ? 0 : 40;
		cb_table_print(&t, stdout);
	}
	rc = 0;
out:
	if (!as_json)
		cb_table_release(&t);
out_noTable:
	json_decref(arr);
	cb_sql_finalize(s);
	cb_entry_release(&e);
	cb_ledger_free(&lg);
	return rc;
}

static void
print_fault(void *ctx, const char *msg)
{
	(void)ctx;
	printf("FAULT: %s\n", msg);
}

int
cmd_verify(struct agent *a, int argc, char **argv)
{
	struct cb_verify_report r;
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	cb_err rc;

	if (cb_args_wants_help(argc, argv)) {
		puts("usage: chibo-agent verify\n\nChecks the replica file's "
		     "integrity, every entry's encoding, signature and\nid, "
		     "every "
		     "author's chain (seq and prev, no forks), and that the "
		     "tables\nequal a fresh projection of the entries. Prints "
		     "each fault; exits 1 on any.");
		return 0;
	}
	if (argc > 1)
		return cb_args_usage("verify", "unexpected argument '%s'",
		                     argv[1]);
	if (!(lg = agent_open(a)))
		return 1;
	rc = cb_ledger_verify(lg, &r, print_fault, NULL, &eb);
	cb_ledger_free(&lg);
	if (rc && rc != CB_ECRYPTO) {
		agent_error("%s", eb.msg);
		return 1;
	}
	printf("%" PRIu64 " entries from %" PRIu64 " author%s (%" PRIu64
	       " applied, %" PRIu64 " rejected): %s\n",
	       r.entries, r.authors, r.authors == 1 ? "" : "s", r.applied,
	       r.rejected,
	       rc ? eb.msg
	          : "all signatures, chains and tables "
	            "verify");
	return rc ? 1 : 0;
}

int
cmd_rebuild(struct agent *a, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	uint64_t applied = 0, rejected = 0;

	if (cb_args_wants_help(argc, argv)) {
		puts("usage: chibo-agent rebuild\n\nEmpties every table and "
		     "re-derives it from the entries, after checking\nevery "
		     "signature. In one transaction: on any problem nothing "
		     "changes.");
		return 0;
	}
	if (argc > 1)
		return cb_args_usage("rebuild", "unexpected argument '%s'",
		                     argv[1]);
	if (!(lg = agent_open(a)))
		return 1;
	if (cb_ledger_rebuild(lg, &applied, &rejected, &eb)) {
		agent_error("%s", eb.msg);
		cb_ledger_free(&lg);
		return 1;
	}
	cb_ledger_free(&lg);
	printf("rebuilt the tables from %" PRIu64 " entries (%" PRIu64
	       " applied, %" PRIu64 " rejected)\n",
	       applied + rejected, applied, rejected);
	return 0;
}

/* One number from a query, with the replica's organisation bound to
 * :root; -1 on error. */
static long long
count(struct cb_ledger *lg, const char *sql)
{
	struct cb_stmt *s = NULL;
	long long n = -1;

	if (cb_sql_prepare(lg->st, sql, &s, NULL) == CB_OK) {
		cb_scope_bind_root(s, lg->org);
		cb_sql_bind_blob(s, cb_sql_param(s, ":key"), lg->key.pk,
		                 CB_KEY_BYTES);
		if (cb_sql_step(s) == CB_SQL_ROW)
			n = cb_sql_column_int64(s, 0);
	}
	cb_sql_finalize(s);
	return n;
}

/* A meta value, or NULL (freed by the caller). */
static char *
meta(struct cb_ledger *lg, const char *key)
{
	char *v = NULL;

	return cb_store_meta_get(lg->st, key, &v, NULL) ? NULL : v;
}

/* "2026-11-21 19:05 (UTC+7)" for a Unix time in ms. */
static void
local_time(const char *ms, char out[32])
{
	time_t t = (time_t)(strtoll(ms, NULL, 10) / 1000) + 7 * 3600;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M (UTC+7)", &tm);
}

/* This organisation's members whose card or national ID number another
 * member holds: those the hub said at the last sync (the other member is
 * not this replica's to see), and those this replica holds both of (a
 * member received with a transfer, say); each (member, field) once. */
static json_t *
clashes_of(struct cb_ledger *lg)
{
	struct cb_errbuf eb;
	char *saved = meta(lg, "hub_clashes");
	json_t *all = saved ? json_loads(saved, 0, NULL) : NULL, *here = NULL;
	size_t i, k;

	free(saved);
	if (!json_is_array(all)) {
		json_decref(all);
		all = json_array();
	}
	if (cb_report_clash_list(lg->st, lg->org, &here, &eb))
		return all;
	for (i = 0; i < json_array_size(here); i++) {
		json_t *c = json_array_get(here, i);

		for (k = 0; k < json_array_size(all); k++)
			if (json_equal(json_array_get(all, k), c))
				break;
		if (k == json_array_size(all))
			json_array_append(all, c);
	}
	json_decref(here);
	return all;
}

static void
print_clashes(struct cb_ledger *lg, const json_t *list)
{
	struct cb_stmt *s = NULL;

	if (cb_sql_prepare(lg->st,
	                   "SELECT full_name FROM members WHERE id = "
	                   "chibo_unhex(?)",
	                   &s, NULL) != CB_OK)
		s = NULL;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const json_t *c = json_array_get(list, i);
		const char *id =
			json_string_value(json_object_get(c, "member"));
		const char *field =
			json_string_value(json_object_get(c, "field"));

		if (!id || !field)
			continue;
		if (s) {
			cb_sql_reset(s);
			cb_sql_bind_text(s, 1, id);
		}
		printf("clash:        %s %s of member %.12s (%s) is also "
		       "recorded for another member; the committee above "
		       "both decides which record is right\n",
		       strcmp(field, "card_no") ? "national ID"
		                                : "party card number",
		       json_string_value(json_object_get(c, "number")), id,
		       s && cb_sql_step(s) == CB_SQL_ROW
		               ? cb_sql_column_text(s, 0)
		               : "?");
	}
	cb_sql_finalize(s);
}

int
cmd_status(struct agent *a, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	char pk[2 * CB_KEY_BYTES + 1], *name = NULL, *hub_url, *last, *hub_head,
				       *hub_log, *hub_rej, *cursor;
	json_t *o, *sync, *rej = NULL;
	bool as_json = argc > 1 && strcmp(argv[1], "--json") == 0;
	struct cb_stmt *s = NULL;
	long long waiting;

	if (cb_args_wants_help(argc, argv)) {
		puts("usage: chibo-agent status [--json]\n\nThe replica at a "
		     "glance: organisation, key, log head, counts, rejected\n"
		     "entries, and sync: the hub, the last successful sync, "
		     "entries waiting\nto be pushed, the hub's log size, "
		     "entries the hub rejected, and the\nmembers whose party "
		     "card or national ID number another member holds too\n"
		     "(what the hub said at the last sync: nothing of the "
		     "other member).");
		return 0;
	}
	if (argc > 2 || (argc == 2 && !as_json))
		return cb_args_usage("status", "unexpected argument '%s'",
		                     argv[1]);
	if (!(lg = agent_open(a)))
		return 1;
	if (cb_ledger_begin(lg, &eb)) { /* reads the head consistently */
		agent_error("%s", eb.msg);
		cb_ledger_free(&lg);
		return 1;
	}
	cb_ledger_abort(lg);
	if (cb_sql_prepare(lg->st, "SELECT name FROM orgs WHERE code = ?", &s,
	                   NULL) == CB_OK) {
		cb_sql_bind_text(s, 1, lg->org);
		if (cb_sql_step(s) == CB_SQL_ROW)
			name = strdup(cb_sql_column_text(s, 0));
	}
	cb_sql_finalize(s);
	cb_hex_encode(lg->key.pk, CB_KEY_BYTES, pk);
	o = json_pack(
		"{s:s, s:s, s:s?, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"replica", lg->dir, "org", lg->org, "org_name", name,
		"public_key", pk, "head_seq", (json_int_t)lg->head_seq,
		"entries", count(lg, "SELECT count(*) FROM entries"),
		"rejected",
		count(lg, "SELECT count(*) FROM entries WHERE state = "
	                  "'rejected'"),
		"pending",
		count(lg, "SELECT count(*) FROM entries WHERE state = "
	                  "'pending'"),
		"cells",
		count(lg, CB_SQL_SUBTREE "SELECT count(*) FROM orgs WHERE "
	                                 "level = 'cell' AND state = 'active' "
	                                 "AND code IN sub"),
		"members",
		count(lg, "SELECT count(*) FROM members WHERE status IN "
	                  "('probationary', 'official', 'exempt')"),
		"meetings", count(lg, "SELECT count(*) FROM meetings"),
		"ratings", count(lg, "SELECT count(*) FROM ratings"));
	json_object_set_new(
		o, "released_in_transit",
		json_integer(
			count(lg, CB_SQL_SUBTREE
	                      "SELECT count(*) FROM transfers WHERE "
	                      "state = 'in-transit' AND from_org IN sub")));
	json_object_set_new(
		o, "incoming_in_transit",
		json_integer(count(lg, CB_SQL_SUBTREE
	                           "SELECT count(*) FROM transfers WHERE "
	                           "state = 'in-transit' AND to_org IN sub")));
	free(name);

	hub_url = meta(lg, "hub_url");
	last = meta(lg, "last_sync");
	hub_head = meta(lg, "hub_head");
	hub_log = meta(lg, "hub_log_size");
	hub_rej = meta(lg, "hub_rejected");
	cursor = meta(lg, "pull_cursor");
	waiting = (long long)lg->head_seq -
	          (hub_head ? strtoll(hub_head, NULL, 10) : 0);
	if (hub_rej)
		rej = json_loads(hub_rej, 0, NULL);
	if (!json_is_array(rej)) {
		json_decref(rej);
		rej = json_array();
	}
	sync = json_pack("{s:s?, s:I, s:s?, s:I, s:I, s:o}", "hub", hub_url,
	                 "waiting", (json_int_t)waiting, "last_sync_ms", last,
	                 "hub_log_size",
	                 (json_int_t)(hub_log ? strtoll(hub_log, NULL, 10) : 0),
	                 "pull_cursor",
	                 (json_int_t)(cursor ? strtoll(cursor, NULL, 10) : 0),
	                 "rejected_by_hub", rej);
	/* the hub's log as this replica last verified it */
	{
		char *cp = meta(lg, "log_checkpoint"),
		     *proven = meta(lg, "log_proven_seq"),
		     *ev = meta(lg, "log_evidence");
		const char *l2 = cp ? strchr(cp, '\n') : NULL;

		json_object_set_new(
			sync, "log",
			json_pack(
				"{s:I, s:I, s:o}", "checkpoint_size",
				(json_int_t)(l2 ? strtoll(l2 + 1, NULL, 10)
		                                : 0),
				"proven_seq",
				(json_int_t)(proven ? strtoll(proven, NULL, 10)
		                                    : 0),
				"evidence",
				ev ? json_loads(ev, 0, NULL) : json_null()));
		free(cp);
		free(proven);
		free(ev);
	}
	json_object_set_new(o, "sync", sync);
	json_object_set_new(o, "clashes", clashes_of(lg));
	if (as_json) {
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		char when[32];

		printf("replica:      %s\n", lg->dir);
		printf("organisation: %s %s\n", lg->org,
		       json_string_value(json_object_get(o, "org_name")));
		printf("public key:   %s\n", pk);
		printf("log:          %" JSON_INTEGER_FORMAT " entries, head "
		       "seq %" PRIu64 ", %" JSON_INTEGER_FORMAT
		       " rejected, %" JSON_INTEGER_FORMAT " pending\n",
		       json_integer_value(json_object_get(o, "entries")),
		       lg->head_seq,
		       json_integer_value(json_object_get(o, "rejected")),
		       json_integer_value(json_object_get(o, "pending")));
		printf("records:      %" JSON_INTEGER_FORMAT
		       " cells, %" JSON_INTEGER_FORMAT
		       " live members, %" JSON_INTEGER_FORMAT
		       " meetings, %" JSON_INTEGER_FORMAT " ratings\n",
		       json_integer_value(json_object_get(o, "cells")),
		       json_integer_value(json_object_get(o, "members")),
		       json_integer_value(json_object_get(o, "meetings")),
		       json_integer_value(json_object_get(o, "ratings")));
		printf("transfers:    %" JSON_INTEGER_FORMAT
		       " released and in transit, %" JSON_INTEGER_FORMAT
		       " to this organisation awaiting an answer\n",
		       json_integer_value(
			       json_object_get(o, "released_in_transit")),
		       json_integer_value(
			       json_object_get(o, "incoming_in_transit")));
		if (!hub_url) {
			printf("sync:         no hub set (chibo-agent hub)\n");
		} else {
			if (last)
				local_time(last, when);
			printf("hub:          %s\n", hub_url);
			printf("last sync:    %s\n", last ? when : "never");
			printf("waiting:      %lld entr%s to push\n", waiting,
			       waiting == 1 ? "y" : "ies");
			printf("hub log:      %s entries at the last sync\n",
			       hub_log ? hub_log : "0");
			{
				json_t *lo = json_object_get(sync, "log");
				json_t *ev = json_object_get(lo, "evidence");

				printf("log checked:  signed checkpoint of "
				       "%" JSON_INTEGER_FORMAT
				       " entries; this replica's entries up to "
				       "%" JSON_INTEGER_FORMAT
				       " proven in it\n",
				       json_integer_value(json_object_get(
					       lo, "checkpoint_size")),
				       json_integer_value(json_object_get(
					       lo, "proven_seq")));
				if (json_is_object(ev))
					printf("EVIDENCE:     the hub's log "
					       "changed under this replica: "
					       "%s; sync is stopped (both "
					       "signed checkpoints: status "
					       "--json)\n",
					       json_string_value(
						       json_object_get(
							       ev, "reason")));
			}
			print_clashes(lg, json_object_get(o, "clashes"));
			for (size_t i = 0; i < json_array_size(rej); i++) {
				json_t *r = json_array_get(rej, i);

				printf("rejected by the hub: entry "
				       "%" JSON_INTEGER_FORMAT " (%s): %s\n",
				       json_integer_value(
					       json_object_get(r, "seq")),
				       json_string_value(
					       json_object_get(r, "op")),
				       json_string_value(
					       json_object_get(r, "reason")));
			}
		}
	}
	free(hub_url);
	free(last);
	free(hub_head);
	free(hub_log);
	free(hub_rej);
	free(cursor);
	json_decref(o);
	cb_ledger_free(&lg);
	return 0;
}

static const struct argdef digest_defs[] = {
	{ "org", "CODE",
	  "the subtree to digest (default: this replica's organisation)" },
	{ "all", NULL, "every table and entry this replica holds" },
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
		"usage: chibo-agent digest [--org CODE | --all]\n\n"
		"Prints a SHA-256 over the tables and log as the subtree of "
		"an organisation\nsees them (docs/PROTOCOL.md, \"Pull and "
		"scope\"). After a sync, it equals\n'chibo-hub digest --org "
		"CODE' on the hub when both hold the same.\n\n",
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

/* SPDX-License-Identifier: MIT */
/* cmd_status.c — chibo-hub status: the hub at a glance for its operator.
 * Its organisation and log size, and for every key ever enrolled how far
 * its office has pushed (the highest seq the hub holds), what the hub
 * rejected of it, when its last entry was recorded, and whether it is
 * frozen (the hub holds evidence of a fork: two entries at one seq).
 * Everything is read in one read transaction, so a hub serving at the same
 * time gives a consistent picture. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hub.h"
#include "report.h"
#include "table.h"

static const char keys_sql[] =
	"SELECT key, org, role, name, revoked_on FROM enrolments "
	"ORDER BY org, key";
static const char name_sql[] = "SELECT name FROM orgs WHERE code = ?1";
static const char size_sql[] = "SELECT count(*) FROM entries";

/* A key's figures: common/view/report.c's, which 'report sync' shows too. */
static cb_err
stats_of(struct cb_store *st, const char *hex, struct cb_report_key *out,
         struct cb_errbuf *eb)
{
	unsigned char key[CB_KEY_BYTES];

	if (cb_hex_decode(hex, key, sizeof(key), eb))
		return cb_error_prefix(eb, CB_EINVAL, "enrolled key '%s'", hex);
	return cb_report_key_stats(st, key, out, eb);
}

/* One row of the table and one object of the JSON for an enrolment. */
static cb_err
add_key(struct cb_store *st, sqlite3_stmt *s, struct cb_table *t, json_t *arr,
        int64_t *frozen, struct cb_errbuf *eb)
{
	const char *c[5];
	struct cb_report_key ks = { 0 };
	char shortkey[13], seq[24], rej[24], when[32] = "-", state[64];
	bool has_last;
	cb_err rc;

	for (int i = 0; i < 5; i++)
		c[i] = (const char *)sqlite3_column_text(s, i);
	if ((rc = stats_of(st, c[0], &ks, eb)))
		return rc;
	if ((has_last = ks.seq > 0))
		cb_report_time(ks.last_ms, when);
	snprintf(shortkey, sizeof(shortkey), "%.12s", c[0]);
	snprintf(seq, sizeof(seq), "%" PRId64, ks.seq);
	snprintf(rej, sizeof(rej), "%" PRId64, ks.rejected);
	snprintf(state, sizeof(state), "%s%s%s%s", c[4] ? "revoked " : "",
	         c[4] ? c[4] : "", c[4] && ks.forks ? ", " : "",
	         ks.forks ? "frozen"
	         : c[4]   ? ""
	                  : "active");
	*frozen += ks.forks > 0;
	if (json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:I, s:I, s:s?, "
	                      "s:o, s:b}",
	                      "key", c[0], "org", c[1], "role", c[2], "name",
	                      c[3], "revoked_on", c[4], "seq",
	                      (json_int_t)ks.seq, "rejected",
	                      (json_int_t)ks.rejected, "last_entry",
	                      has_last ? when : NULL, "last_entry_ms",
	                      has_last ? json_integer(ks.last_ms) : json_null(),
	                      "frozen", ks.forks > 0)) ||
	    cb_table_add(t, (const char *const[]){ shortkey, c[1], c[2], c[3],
	                                           seq, rej, when, state }))
		return cb_error(eb, CB_ENOMEM, "out of memory");
	return CB_OK;
}

static const struct argdef status_defs[] = {
	{ "json", NULL, "print JSON (full keys, times also in ms)" },
	{ NULL, NULL, NULL },
};

int
cmd_hub_status(struct hub *h, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct cb_table t;
	struct cb_errbuf eb;
	struct args v;
	sqlite3_stmt *s;
	char hub_key[2 * CB_KEY_BYTES + 1], *name = NULL;
	int64_t size = 0, nkeys = 0, revoked = 0, frozen = 0;
	json_t *arr = NULL, *o;
	int rc, r;

	rc = cb_args_command(
		"status",
		"usage: chibo-hub status [--json]\n\n"
		"The hub at a glance: its organisation, its log's size, and "
		"for every key\never enrolled (revoked ones too) the highest "
		"seq the hub holds from it,\nits entries the hub rejected, "
		"the time of its last entry (UTC+7), and\nwhether it is "
		"frozen: the hub holds evidence of a fork, two entries at "
		"one\nseq, and refuses its requests until a person has "
		"looked.\n\n",
		status_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!(lg = hub_open(h)))
		return 1;
	rc = 1;
	if (cb_table_init(&t, 8,
	                  (const char *const[]){ "KEY", "ORG", "ROLE", "NAME",
	                                         "SEQ", "REJECTED",
	                                         "LAST ENTRY (UTC+7)",
	                                         "STATE" })) {
		hub_error("out of memory");
		cb_ledger_free(&lg);
		return 1;
	}
	/* A deferred BEGIN takes no lock: a running serve is not held up,
	 * and every query below reads the same snapshot. */
	if (cb_store_exec(lg->st, "BEGIN", &eb))
		goto fail;
	if ((s = cb_store_stmt(lg->st, name_sql, &eb))) {
		sqlite3_bind_text(s, 1, lg->org, -1, SQLITE_STATIC);
		if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
			name = strdup((const char *)sqlite3_column_text(s, 0));
		sqlite3_reset(s);
	}
	if (!(s = cb_store_stmt(lg->st, size_sql, &eb)))
		goto fail;
	if (sqlite3_step(s) == SQLITE_ROW)
		size = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (!(s = cb_store_stmt(lg->st, keys_sql, &eb)))
		goto fail;
	arr = json_array();
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		nkeys++;
		revoked += sqlite3_column_type(s, 4) != SQLITE_NULL;
		if (add_key(lg->st, s, &t, arr, &frozen, &eb)) {
			sqlite3_reset(s);
			goto fail;
		}
	}
	sqlite3_reset(s);
	if (r != SQLITE_DONE) {
		cb_store_error(lg->st, &eb, "cannot read the enrolments");
		goto fail;
	}
	cb_hex_encode(lg->key.pk, CB_KEY_BYTES, hub_key);
	if (cb_args_get(&v, 0)) {
		o = json_pack("{s:s, s:s, s:s?, s:s, s:I, s:o}", "hub", h->dir,
		              "org", lg->org, "org_name", name, "hub_key",
		              hub_key, "log_size", (json_int_t)size, "keys",
		              json_incref(arr));
		if (!o) {
			cb_error(&eb, CB_ENOMEM, "out of memory");
			goto fail;
		}
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	} else {
		printf("hub:          %s\n", h->dir);
		printf("organisation: %s%s%s\n", lg->org, name ? " " : "",
		       name ? name : "");
		printf("hub key:      %s\n", hub_key);
		printf("log:          %" PRId64 " entr%s\n", size,
		       size == 1 ? "y" : "ies");
		printf("keys:         %" PRId64 " enrolled, %" PRId64
		       " revoked, %" PRId64 " frozen\n",
		       nkeys - revoked, revoked, frozen);
		if (nkeys) {
			putchar('\n');
			cb_table_print(&t, stdout);
		}
	}
	rc = 0;
	goto out;
fail:
	hub_error("%s", eb.msg);
out:
	cb_store_rollback(lg->st);
	json_decref(arr);
	free(name);
	cb_table_release(&t);
	cb_ledger_free(&lg);
	return rc;
}

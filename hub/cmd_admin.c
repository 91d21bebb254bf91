/* SPDX-License-Identifier: MIT */
/* cmd_admin.c — the hub's administration: init, enroll, revoke, list, pin,
 * verify. Enrolments are entries of the hub's own log (key.enroll,
 * key.revoke, signed by hub.key), so an auditor can tell what each key was
 * allowed to write, and when. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "date.h"
#include "enrolments.h"
#include "hub.h"
#include "output.h"
#include "scope.h"
#include "table.h"
#include "tls.h"
#include "words.h"

static const struct argdef init_defs[] = {
	{ "code", "CODE", N_("the committee's code (e.g. the district's)") },
	{ "name", "NAME", N_("its name, e.g. 'Huyện ủy Lạng Giang'") },
	{ "level", "LEVEL", N_("district (the default), province or centre") },
	{ "parent", "CODE", N_("the superior committee's code") },
	{ "dns", "NAME",
	  N_("a DNS name for the TLS certificate (repeatable; "
	     "localhost is always in it)") },
	{ "ip", "ADDRESS",
	  N_("an IP address for it (repeatable; 127.0.0.1 and "
	     "::1 are always in it)") },
	{ "database", "URI",
	  N_("keep the log and tables in this PostgreSQL database "
	     "(postgresql://…; created empty, collation C) instead of "
	     "hub.db") },
	{ NULL, NULL, NULL },
};

/* Remove what a failed init made, so that init can run again. */
static void
undo_init(const struct hub *h)
{
	static const char *const names[] = { "hub.db",     "hub.db-wal",
		                             "hub.db-shm", "hub.key",
		                             HUB_TLS_KEY,  CB_HUB_DATABASE_FILE,
		                             HUB_TLS_CERT };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *p = hub_path(h, names[i]);

		if (p)
			unlink(p);
		free(p);
	}
}

/* --database URI: the hub's directory (made if absent) gets the file
 * that says where its store is (ledger.h), mode 0600: the address may
 * hold a password. */
static int
write_address(const struct hub *h, const char *uri)
{
	char *path;

	if (!cb_store_is_pg(uri))
		return cb_args_usage("init",
		                     _("--database takes a postgresql:// URI"));
	if (mkdir(h->dir, 0700) != 0 && errno != EEXIST) {
		hub_error(_("cannot create directory '%s': %s"), h->dir,
		          strerror(errno));
		return 1;
	}
	path = hub_path(h, CB_HUB_DATABASE_FILE);
	if (path && access(path, F_OK) == 0) {
		hub_error(_("a hub already exists in '%s'"), h->dir);
		free(path);
		return 1;
	}
	free(path);
	return hub_put_address(h, uri, NULL);
}

int
cmd_hub_init(struct hub *h, int argc, char **argv)
{
	const char *dns[ARGS_MAX_REPEAT + 2], *ips[ARGS_MAX_REPEAT + 3];
	char pin[CB_TLS_PIN_MAX], pk[2 * CB_KEY_BYTES + 1];
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	struct args v;
	char *key = NULL, *crt = NULL;
	json_t *init;
	int rc, nd = 0, ni = 0;

	rc = cb_args_command(
		"init",
		N_("usage: chibo-hub [--dir DIR] init --code CODE --name NAME "
	           "[--level LEVEL]\n\n"
	           "Creates the hub's directory: hub.db (its log, entry 1 a "
	           "hub.init), hub.key\n(its Ed25519 key, mode 0600: the "
	           "authority "
	           "that enrols agents), tls.key\nand tls.crt (a self-signed "
	           "certificate). Prints the hub key and the TLS\npin: give "
	           "both "
	           "to every office you enrol. Nothing is ever "
	           "overwritten.\n\n"),
		init_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1))
		return cb_args_usage("init", _("give --code and --name"));
	dns[nd++] = "localhost";
	for (int k = 0; k < v.n[4]; k++)
		dns[nd++] = v.vals[4][k];
	dns[nd] = NULL;
	ips[ni++] = "127.0.0.1";
	ips[ni++] = "::1";
	for (int k = 0; k < v.n[5]; k++)
		ips[ni++] = v.vals[5][k];
	ips[ni] = NULL;
	init = json_pack("{s:s, s:s, s:s}", "code", cb_args_get(&v, 0), "name",
	                 cb_args_get(&v, 1), "level",
	                 cb_args_get(&v, 2) ? cb_args_get(&v, 2) : "district");
	if (cb_args_get(&v, 3))
		json_object_set_new(init, "parent",
		                    json_string(cb_args_get(&v, 3)));
	if (cb_args_get(&v, 6) && (rc = write_address(h, cb_args_get(&v, 6)))) {
		json_decref(init);
		return rc;
	}
	rc = cb_ledger_create_kind(h->dir, &cb_ledger_hub, init, &lg, &eb);
	json_decref(init);
	if (rc) {
		hub_error("%s", eb.msg);
		if (rc != CB_EEXIST)
			undo_init(h);
		return 1;
	}
	key = hub_path(h, HUB_TLS_KEY);
	crt = hub_path(h, HUB_TLS_CERT);
	if (!key || !crt ||
	    cb_tls_create(key, crt, cb_args_get(&v, 1), dns, ips, pin, &eb)) {
		hub_error("%s", key && crt ? eb.msg : "out of memory");
		cb_ledger_free(&lg);
		undo_init(h);
		free(key);
		free(crt);
		return 1;
	}
	if (hub_log_checkpoint(lg, &eb)) {
		hub_error("%s", eb.msg);
		cb_ledger_free(&lg);
		undo_init(h);
		free(key);
		free(crt);
		return 1;
	}
	cb_hex_encode(lg->key.pk, CB_KEY_BYTES, pk);
	printf(_("created hub '%s' for %s\n"), h->dir, lg->org);
	printf(_("hub key: %s\n"), pk);
	printf(_("TLS pin: %s\n"), pin);
	printf(_("give the hub key and the pin to each office you enrol\n"));
	cb_ledger_free(&lg);
	free(key);
	free(crt);
	return 0;
}

int
hub_append_filled(struct hub *h, const char *op, json_t *in, hub_fill_fn fill,
                  const char *org)
{
	struct cb_ledger *lg = hub_open(h);
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_errbuf eb;
	char id[13];
	int rc = 1;

	if (!lg)
		return 1;
	if (cb_ledger_begin(lg, &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	if (fill && fill(lg, org, in)) {
		cb_ledger_abort(lg);
		goto out;
	}
	if (cb_ledger_append(lg, op, in, &e, &eb)) {
		cb_ledger_abort(lg);
		hub_error("%s", eb.msg);
	} else if (cb_ledger_commit(lg, &eb) || hub_log_checkpoint(lg, &eb)) {
		hub_error("%s", eb.msg);
	} else {
		cb_hash_short(e.id, id);
		printf(_("recorded %s as entry %llu (%s)\n"),
		       cb_words_label("op", op), (unsigned long long)e.seq, id);
		rc = 0;
	}
out:
	cb_entry_release(&e);
	cb_ledger_free(&lg);
	return rc;
}

int
hub_append(struct hub *h, const char *op, json_t *in)
{
	return hub_append_filled(h, op, in, NULL, NULL);
}

static const struct argdef enroll_defs[] = {
	{ "org", "CODE",
	  N_("the organisation (and its cells) the key writes for") },
	{ "role", "ROLE",
	  N_("commune, district, auditor, or hub (a lower hub's key: it "
	     "may enrol keys inside CODE's subtree)") },
	{ "name", "NAME",
	  N_("who holds the key, e.g. 'Văn phòng Đảng ủy xã'") },
	{ "parent", "CODE",
	  N_("the committee CODE sits under; its org.init must then name it") },
	{ "invite", "FILE",
	  N_("also write the office's invitation to FILE (new), for "
	     "'chibo-agent hub --invite'") },
	{ "url", "URL",
	  N_("with --invite: the hub's address as the office reaches it") },
	{ NULL, NULL, NULL },
};

int
cmd_hub_enroll(struct hub *h, int argc, char **argv)
{
	struct args v;
	json_t *in;
	int rc;

	rc = cb_args_command(
		"enroll",
		N_("usage: chibo-hub enroll KEY --org CODE --role ROLE [--name "
	           "NAME] [--parent CODE]\n"
	           "                        [--invite FILE --url URL]\n\n"
	           "Allows the agent whose public key is KEY (64 hex digits, "
	           "as "
	           "'chibo-agent\ninit' printed it) to write for organisation "
	           "CODE "
	           "and its cells. Recorded\nas a key.enroll entry signed by "
	           "the "
	           "hub's key. A revoked key is never\nenrolled again. With "
	           "--invite, also writes the invitation file the\noffice's "
	           "clerk carries home ('chibo-hub invite').\n\n"),
		enroll_defs, argc, argv, &v, 1, 1, N_("give one KEY"));
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1))
		return cb_args_usage("enroll", _("give --org and --role"));
	if (!cb_args_get(&v, 4) != !cb_args_get(&v, 5))
		return cb_args_usage("enroll",
		                     _("--invite and --url go together"));
	if (cb_args_get(&v, 5) && strncmp(cb_args_get(&v, 5), "https://", 8))
		return cb_args_usage("enroll",
		                     _("the URL must start with https://"));
	in = json_pack("{s:s, s:s, s:s}", "key", v.pos[0], "org",
	               cb_args_get(&v, 0), "role", cb_args_get(&v, 1));
	if (cb_args_get(&v, 2))
		json_object_set_new(in, "name",
		                    json_string(cb_args_get(&v, 2)));
	if (cb_args_get(&v, 3))
		json_object_set_new(in, "parent",
		                    json_string(cb_args_get(&v, 3)));
	rc = hub_append(h, "key.enroll", in);
	json_decref(in);
	if (!rc && cb_args_get(&v, 4) &&
	    hub_write_invite(h, v.pos[0], cb_args_get(&v, 5),
	                     cb_args_get(&v, 4))) {
		hub_error(_("the key is enrolled; write its invitation again "
		            "with 'chibo-hub invite'"));
		rc = 1;
	}
	return rc;
}

static const struct argdef revoke_defs[] = {
	{ "reason", "TEXT", N_("why (a lost laptop, a replaced key, …)") },
	{ NULL, NULL, NULL },
};

int
cmd_hub_revoke(struct hub *h, int argc, char **argv)
{
	struct args v;
	json_t *in;
	int rc;

	rc = cb_args_command(
		"revoke",
		N_("usage: chibo-hub revoke KEY [--reason TEXT]\n\n"
	           "Withdraws an enrolled key: recorded as a key.revoke entry "
	           "signed by the\nhub's key. The key cannot be enrolled "
	           "again.\n\n"),
		revoke_defs, argc, argv, &v, 1, 1, N_("give one KEY"));
	if (rc >= 0)
		return rc;
	in = json_pack("{s:s}", "key", v.pos[0]);
	if (cb_args_get(&v, 0))
		json_object_set_new(in, "reason",
		                    json_string(cb_args_get(&v, 0)));
	rc = hub_append(h, "key.revoke", in);
	json_decref(in);
	return rc;
}

static const struct argdef holiday_defs[] = {
	{ "date", "DATE",
	  N_("the day off (YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY)") },
	{ "name", "NAME", N_("what it is, e.g. 'Nghỉ bù Quốc khánh'") },
	{ NULL, NULL, NULL },
};

int
cmd_hub_holiday(struct hub *h, int argc, char **argv)
{
	struct args v;
	json_t *in;
	int rc;

	rc = cb_args_command(
		"holiday",
		N_("usage: chibo-hub holiday --date DATE --name NAME\n\n"
	           "Adds a public holiday (a day the government gives off, or "
	           "one "
	           "swapped for\na long weekend) to the calendar every replica "
	           "counts working days by:\nrecorded as a calendar.holiday "
	           "entry "
	           "signed by the hub's key, which every\nagent receives.\n\n"),
		holiday_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!cb_args_get(&v, 0) || !cb_args_get(&v, 1))
		return cb_args_usage("holiday", _("give --date and --name"));
	in = json_pack("{s:s, s:s}", "date", cb_args_get(&v, 0), "name",
	               cb_args_get(&v, 1));
	rc = hub_append(h, "calendar.holiday", in);
	json_decref(in);
	return rc;
}

static const struct argdef list_defs[] = {
	{ "all", NULL, N_("include revoked keys") },
	CB_OUTPUT_ROWS_ARGDEFS,
	{ NULL, NULL, NULL },
};

/* What list shows, as it goes. */
struct listed {
	struct cb_table t;
	json_t *arr;
};

/* One row of the table and one object of the JSON for an enrolment. */
static cb_err
list_key(void *ctx, const struct cb_enrolment *en, struct cb_errbuf *eb)
{
	struct listed *l = ctx;
	char state[300], shortkey[13];

	json_array_append_new(
		l->arr,
		json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s?, s:s?}", "key",
	                  en->key, "org", en->org, "role", en->role, "name",
	                  en->name, "enrolled_on", en->enrolled_on,
	                  "revoked_on", en->revoked_on, "reason", en->reason));
	snprintf(shortkey, sizeof(shortkey), "%.12s", en->key);
	if (en->revoked_on)
		snprintf(state, sizeof(state), _("revoked %s%s%s"),
		         en->revoked_on, en->reason ? ": " : "",
		         en->reason ? en->reason : "");
	else
		snprintf(state, sizeof(state), "%s", C_("state", "active"));
	if (cb_table_add(&l->t, (const char *const[]){
					shortkey, en->org,
					cb_words_label("role", en->role),
					en->name, en->enrolled_on, state }))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	return CB_OK;
}

int
cmd_hub_list(struct hub *h, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct listed l = { .arr = NULL };
	struct cb_errbuf eb;
	struct args v;
	struct cb_output out;
	int rc;

	rc = cb_args_command("list",
	                     N_("usage: chibo-hub list [--all] "
	                        "[--format text|csv|json]\n\n"
	                        "The keys enrolled at this hub.\n\n"),
	                     list_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if ((rc = cb_output_args("list", &v, 1, true, &out)) ||
	    (rc = cb_output_no_xlsx("list", &out)))
		return rc;
	if (!(lg = hub_open(h)))
		return 1;
	rc = 1;
	if (cb_table_init(&l.t, 6,
	                  (const char *const[]){
				  N_("KEY"), N_("ORG"), N_("ROLE"), N_("NAME"),
				  N_("ENROLLED"), N_("STATE") })) {
		hub_error(_("out of memory"));
		goto out_nt;
	}
	if (!(l.arr = json_array())) {
		hub_error(_("out of memory"));
		goto out;
	}
	if (cb_enrolments_each(lg->st, cb_args_get(&v, 0) != NULL, list_key, &l,
	                       &eb)) {
		hub_error("%s", eb.msg);
		goto out;
	}
	if (out.format == CB_OUTPUT_JSON) {
		json_dumpf(l.arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (out.format == CB_OUTPUT_CSV) {
		static const char *const cols[] = { "key",         "org",
			                            "role",        "name",
			                            "enrolled_on", "revoked_on",
			                            "reason",      NULL };

		cb_output_csv_json(&out, stdout, l.arr, cols);
	} else {
		cb_table_print(&l.t, stdout);
	}
	rc = 0;
out:
	cb_table_release(&l.t);
out_nt:
	json_decref(l.arr);
	cb_ledger_free(&lg);
	return rc;
}

int
cmd_hub_pin(struct hub *h, int argc, char **argv)
{
	static const struct argdef none[] = { { NULL, NULL, NULL } };
	char pin[CB_TLS_PIN_MAX], *crt;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command("pin",
	                     N_("usage: chibo-hub pin\n\nPrints the TLS "
	                        "public-key pin of the hub's certificate, in\n"
	                        "libcurl's sha256//BASE64 form.\n\n"),
	                     none, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!(crt = hub_path(h, HUB_TLS_CERT))) {
		hub_error(_("out of memory"));
		return 1;
	}
	rc = cb_tls_pin_of(crt, pin, &eb);
	free(crt);
	if (rc) {
		hub_error("%s", eb.msg);
		return 1;
	}
	puts(pin);
	return 0;
}

static const struct argdef digest_defs[] = {
	{ "org", "CODE", N_("the subtree to digest, as its agents see it") },
	{ NULL, NULL, NULL },
};

int
cmd_hub_digest(struct hub *h, int argc, char **argv)
{
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	char hex[65];
	struct args v;
	int rc;

	rc = cb_args_command(
		"digest",
		N_("usage: chibo-hub digest [--org CODE]\n\nPrints a SHA-256 "
	           "over every table and entry, or with --org over\nwhat an "
	           "agent enrolled for CODE may see (docs/PROTOCOL.md, \"Pull "
	           "and\nscope\"): equal to 'chibo-agent digest' there once it "
	           "has synced.\n\n"),
		digest_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!(lg = hub_open(h)))
		return 1;
	rc = cb_scope_digest_hex(lg->st, cb_args_get(&v, 0), hex, &eb);
	cb_ledger_free(&lg);
	if (rc) {
		hub_error("%s", eb.msg);
		return 1;
	}
	puts(hex);
	return 0;
}

static void
print_fault(void *ctx, const char *msg)
{
	(void)ctx;
	printf(_("FAULT: %s\n"), msg);
}

int
cmd_hub_verify(struct hub *h, int argc, char **argv)
{
	static const struct argdef none[] = { { NULL, NULL, NULL } };
	struct cb_verify_report r;
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	cb_err rc;
	int c;

	c = cb_args_command("verify",
	                    N_("usage: chibo-hub verify\n\nRe-checks the hub's "
	                       "log: every signature, chain and table, as\n"
	                       "'chibo-agent verify' does for a replica.\n\n"),
	                    none, argc, argv, &v, 0, 0, NULL);
	if (c >= 0)
		return c;
	if (!(lg = hub_open(h)))
		return 1;
	rc = cb_ledger_verify(lg, &r, print_fault, NULL, &eb);
	cb_ledger_free(&lg);
	if (rc && rc != CB_ECRYPTO) {
		hub_error("%s", eb.msg);
		return 1;
	}
	printf(P_("%llu entries from %llu author: %s\n",
	          "%llu entries from %llu authors: %s\n",
	          (unsigned long)r.authors),
	       (unsigned long long)r.entries, (unsigned long long)r.authors,
	       rc ? eb.msg : _("all signatures, chains and tables verify"));
	return rc ? 1 : 0;
}

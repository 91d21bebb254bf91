/* SPDX-License-Identifier: MIT */
/* cmd_account.c — chibo-hub account add|passwd|unlock|remove|list: the
 * accounts of the people the hub's administrator lets read its dashboard
 * (common/net/accounts.h). The password is asked on the terminal, twice,
 * or read from the file named in $CHIBO_PASSWORD_FILE — never from the
 * command line — and stored as its Argon2id hash. The hub's own
 * administration: no entry is signed, nothing reaches the log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "clock.h"
#include "date.h"
#include "enrolments.h"
#include "hub.h"
#include "passphrase.h"
#include "table.h"

static const struct argdef defs[] = {
	{ "org", "CODE",
	  N_("add: the subtree the account reads (default: the hub's "
	     "whole tree)") },
	{ "json", NULL, N_("list: print JSON") },
	{ NULL, NULL, NULL },
};

/* A new password, asked (twice) or read from $CHIBO_PASSWORD_FILE, as
 * its hash into out. */
static cb_err
new_hash(char out[CB_PWHASH_STR_BYTES], struct cb_errbuf *eb)
{
	char *pass = NULL;
	size_t len = 0;
	cb_err rc;

	if ((rc = cb_passphrase_ask(&cb_passphrase_account, true, &pass, &len,
	                            eb)))
		return rc;
	if (len < CB_PASSPHRASE_MIN)
		rc = cb_error(eb, CB_EINVAL,
		              _("a password needs %d characters at least"),
		              CB_PASSPHRASE_MIN);
	else
		rc = cb_pwhash_str(pass, len, &cb_pwhash_default, out, eb);
	cb_passphrase_free(&pass);
	return rc;
}

static cb_err
add(struct cb_ledger *lg, const char *name, const char *org,
    struct cb_errbuf *eb)
{
	char hash[CB_PWHASH_STR_BYTES];
	struct cb_account a;
	cb_err rc;

	if (org && (rc = cb_enrolments_org_known(lg->st, org, eb)))
		return rc;
	/* one there already: said before a password is asked */
	rc = cb_account_find(lg->st, name, &a, eb);
	if (rc == CB_OK)
		rc = CB_EEXIST;
	else if (rc == CB_ENOTFOUND && !(rc = new_hash(hash, eb)))
		rc = cb_account_add(lg->st, name, org, hash, eb);
	if (rc == CB_EEXIST)
		rc = cb_error(eb, CB_EEXIST,
		              _("account '%s' exists; 'chibo-hub account "
		                "passwd %s' gives it a new password"),
		              name, name);
	if (!rc)
		printf(_("account '%s' added: it signs in at "
		         "https://HUB:PORT/dashboard/ and reads %s\n"),
		       name, org ? org : lg->org);
	return rc;
}

static cb_err
not_found(cb_err rc, const char *name, struct cb_errbuf *eb)
{
	if (rc == CB_ENOTFOUND)
		return cb_error(eb, CB_ENOTFOUND,
		                _("no account '%s' (see 'chibo-hub account "
		                  "list')"),
		                name);
	return rc;
}

static cb_err
passwd(struct cb_ledger *lg, const char *name, struct cb_errbuf *eb)
{
	char hash[CB_PWHASH_STR_BYTES];
	struct cb_account a;
	cb_err rc;

	/* no such account: said before a password is asked */
	if ((rc = cb_account_find(lg->st, name, &a, eb)))
		return not_found(rc, name, eb);
	if ((rc = new_hash(hash, eb)))
		return rc;
	if ((rc = cb_account_passwd(lg->st, name, hash, eb)))
		return not_found(rc, name, eb);
	printf(_("account '%s' has a new password; its sessions are "
	         "ended\n"),
	       name);
	return CB_OK;
}

static cb_err
unlock(struct cb_ledger *lg, const char *name, struct cb_errbuf *eb)
{
	cb_err rc = cb_account_unlock(lg->st, name, eb);

	if (!rc)
		printf(_("account '%s' unlocked\n"), name);
	return not_found(rc, name, eb);
}

static cb_err
remove_account(struct cb_ledger *lg, const char *name, struct cb_errbuf *eb)
{
	cb_err rc = cb_account_remove(lg->st, name, eb);

	if (!rc)
		printf(_("account '%s' removed; its sessions are ended\n"),
		       name);
	return not_found(rc, name, eb);
}

struct shown {
	struct cb_table t;
	json_t *arr;
	const char *hub_org;
	int64_t now;
};

static void
when(int64_t ms, char out[CB_TIME_MAX])
{
	if (ms)
		cb_time_show(ms, out);
	else
		snprintf(out, CB_TIME_MAX, "-");
}

static cb_err
list_one(void *ctx, const struct cb_account *a, struct cb_errbuf *eb)
{
	struct shown *sh = ctx;
	char created[CB_TIME_MAX], last[CB_TIME_MAX], locked[CB_TIME_MAX];
	char fails[24];
	bool is_locked = a->locked_ms > sh->now;

	when(a->created_ms, created);
	when(a->last_ms, last);
	when(is_locked ? a->locked_ms : 0, locked);
	snprintf(fails, sizeof(fails), "%lld", (long long)a->failures);
	if (json_array_append_new(
		    sh->arr,
		    json_pack(
			    "{s:s, s:s, s:I, s:o, s:I, s:o}", "name", a->name,
			    "org", *a->org ? a->org : sh->hub_org, "created_ms",
			    (json_int_t)a->created_ms, "last_ms",
			    a->last_ms ? json_integer(a->last_ms) : json_null(),
			    "failures", (json_int_t)a->failures,
			    "locked_until_ms",
			    is_locked ? json_integer(a->locked_ms)
				      : json_null())) ||
	    cb_table_add(&sh->t,
	                 (const char *const[]){ a->name,
	                                        *a->org ? a->org : sh->hub_org,
	                                        created, last, fails, locked }))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	return CB_OK;
}

static cb_err
list(struct cb_ledger *lg, bool json, struct cb_errbuf *eb)
{
	struct shown sh = { .hub_org = lg->org, .now = cb_now_ms() };
	cb_err rc;

	if (cb_table_init(&sh.t, 6,
	                  (const char *const[]){ N_("ACCOUNT"), N_("READS"),
	                                         N_("CREATED (UTC+7)"),
	                                         N_("LAST SIGN-IN (UTC+7)"),
	                                         N_("FAILED"),
	                                         N_("LOCKED UNTIL (UTC+7)") }))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if (!(sh.arr = json_array())) {
		cb_table_release(&sh.t);
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	rc = cb_account_each(lg->st, list_one, &sh, eb);
	if (!rc && json) {
		json_dumpf(sh.arr, stdout,
		           JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else if (!rc && json_array_size(sh.arr)) {
		cb_table_print(&sh.t, stdout);
	} else if (!rc) {
		printf(_("no accounts: 'chibo-hub account add NAME' gives "
		         "one\n"));
	}
	json_decref(sh.arr);
	cb_table_release(&sh.t);
	return rc;
}

int
cmd_hub_account(struct hub *h, int argc, char **argv)
{
	static const char *const verbs[] = { "add",    "passwd", "unlock",
		                             "remove", "list",   NULL };
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	const char *verb, *name, *org;
	bool json;
	cb_err err;
	int rc, k;

	rc = cb_args_command(
		"account",
		N_("usage: chibo-hub account add NAME [--org CODE]\n"
	           "       chibo-hub account passwd|unlock|remove NAME\n"
	           "       chibo-hub account list [--json]\n\n"
	           "The accounts of the people who read the hub's dashboard "
	           "(https://HUB:PORT/dashboard/\nwhile 'serve' runs). A "
	           "NAME is small letters a-z, digits, '.', '_' or '-'.\n"
	           "  add     a new account; its password asked twice\n"
	           "  passwd  a new password; the account's sessions end\n"
	           "  unlock  clear the lock that failed sign-ins put on it\n"
	           "  remove  the account gone, its sessions ended\n"
	           "  list    the accounts, their last sign-in and lock\n\n"
	           "The password is asked on the terminal, or read from the "
	           "file named in\n$CHIBO_PASSWORD_FILE (its first line), "
	           "never from the command line; at\nleast 8 characters. "
	           "It is kept as its Argon2id hash. After 5 failed\nsign-ins "
	           "in a row an account is locked for 15 minutes. Accounts "
	           "are the\nhub's own administration: not in its log. See "
	           "docs/OPERATIONS.md,\n\"The dashboard\".\n\n"),
		defs, argc, argv, &v, 1, 2,
		N_("give add, passwd, unlock, remove or list"));
	if (rc >= 0)
		return rc;
	verb = v.pos[0];
	name = v.npos > 1 ? v.pos[1] : NULL;
	org = cb_args_get(&v, 0);
	json = cb_args_get(&v, 1) != NULL;
	for (k = 0; verbs[k] && strcmp(verbs[k], verb); k++)
		;
	if (!verbs[k])
		return cb_args_usage("account",
		                     _("'%s' is not add, passwd, unlock, "
		                       "remove or list"),
		                     verb);
	if (!strcmp(verb, "list") ? name != NULL : name == NULL)
		return cb_args_usage("account",
		                     strcmp(verb, "list")
		                             ? _("give the account's NAME")
		                             : _("list takes no NAME"));
	if (org && strcmp(verb, "add"))
		return cb_args_usage("account", _("--org goes with add only"));
	if (json && strcmp(verb, "list"))
		return cb_args_usage("account",
		                     _("--json goes with list only"));
	if (name && cb_account_name_check(name, &eb))
		return cb_args_usage("account", "%s", eb.msg);
	if (!(lg = hub_open(h)))
		return 1;
	switch (k) {
	case 0: err = add(lg, name, org, &eb); break;
	case 1: err = passwd(lg, name, &eb); break;
	case 2: err = unlock(lg, name, &eb); break;
	case 3: err = remove_account(lg, name, &eb); break;
	default: err = list(lg, json, &eb); break;
	}
	if (err)
		hub_error("%s", eb.msg);
	cb_ledger_free(&lg);
	return err ? 1 : 0;
}

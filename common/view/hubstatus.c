/* SPDX-License-Identifier: MIT */
/* hubstatus.c — a hub's status, to a key and to its operator
 * (hubstatus.h). */
#include "hubstatus.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "sql.h"

/* The key's rejected entries, fork evidence aside, the latest first, as
 * a JSON array of {"seq", "op", "reason"}. */
static cb_err
rejected_of(struct cb_store *st, const unsigned char key[CB_KEY_BYTES],
            json_t **out, struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT seq, op, reason FROM entries WHERE author = ? AND "
		"state = 'rejected' AND evidence = 0 ORDER BY seq DESC LIMIT ?";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	json_t *arr = json_array();
	cb_err rc = CB_OK;
	int r;

	if (!s || !arr) {
		json_decref(arr);
		return s ? cb_error(eb, CB_ENOMEM, _("out of memory")) : CB_EIO;
	}
	cb_sql_bind_blob(s, 1, key, CB_KEY_BYTES);
	cb_sql_bind_int64(s, 2, CB_HUBSTATUS_REJECTED);
	while ((r = cb_sql_step(s)) == CB_SQL_ROW)
		/* a row json_pack cannot make (no reason) is left out */
		json_array_append_new(
			arr, json_pack("{s:I, s:s, s:s}", "seq",
		                       (json_int_t)cb_sql_column_int64(s, 0),
		                       "op", cb_sql_column_text(s, 1), "reason",
		                       cb_sql_column_text(s, 2)));
	if (r != CB_SQL_DONE)
		rc = cb_store_error(st, eb, "cannot read the key's entries");
	cb_sql_reset(s);
	if (rc) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return CB_OK;
}

cb_err
cb_hubstatus_of_key(struct cb_store *st, const unsigned char key[CB_KEY_BYTES],
                    const struct cb_scope *sc, json_t **out,
                    struct cb_errbuf *eb)
{
	struct cb_log *log = cb_store_log(st);
	struct cb_chain_head head;
	json_t *rej = NULL, *clashes = NULL, *o;
	char hex[CB_HASH_HEX];
	int64_t size = 0;
	cb_err rc;

	if (!log)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	rc = cb_log_head(log, key, &head, eb);
	/* its own members' numbers that others hold too; nothing of them */
	if (!rc && !sc->all)
		rc = cb_report_clash_list(st, sc->root, &clashes, eb);
	if (!rc)
		rc = cb_log_size(log, &size, eb);
	if (!rc)
		rc = rejected_of(st, key, &rej, eb);
	if (rc) {
		json_decref(clashes);
		return rc;
	}
	cb_hash_hex(head.id, hex);
	o = json_pack("{s:I, s:s?, s:I, s:o, s:o, s:{s:s, s:b}}", "head",
	              (json_int_t)head.seq, "head_id", head.seq ? hex : NULL,
	              "log_size", (json_int_t)size, "rejected", rej, "clashes",
	              clashes ? clashes : json_array(), "scope", "org",
	              sc->root, "all", sc->all);
	if (!o)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	*out = o;
	return CB_OK;
}

/* The name the orgs table gives code, or NULL (*name malloc'd). */
static cb_err
org_name(struct cb_store *st, const char *code, char **name,
         struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT name FROM orgs WHERE code = ?1";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	const char *text;
	cb_err rc = CB_OK;
	char *v = NULL;
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, code);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW && (text = cb_sql_column_text(s, 0)) &&
	    !(v = strdup(text)))
		rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
	else if (r != CB_SQL_ROW && r != CB_SQL_DONE)
		rc = cb_store_error(st, eb, "cannot read the organisations");
	cb_sql_reset(s);
	if (!rc)
		*name = v;
	return rc;
}

struct each_key {
	struct cb_store *st;
	cb_hubstatus_key_fn fn;
	void *ctx;
};

static cb_err
with_figures(void *ctx, const struct cb_enrolment *en, struct cb_errbuf *eb)
{
	struct each_key *k = ctx;
	struct cb_report_key ks = { 0 };
	unsigned char key[CB_KEY_BYTES];
	cb_err rc;

	if (cb_hex_decode(en->key, key, sizeof(key), eb))
		return cb_error_prefix(eb, CB_EINVAL, _("enrolled key '%s'"),
		                       en->key);
	if ((rc = cb_report_key_stats(k->st, key, &ks, eb)))
		return rc;
	return k->fn(k->ctx, en, &ks, eb);
}

cb_err
cb_hubstatus_read(struct cb_store *st, const char *org,
                  struct cb_hubstatus *out, cb_hubstatus_key_fn fn, void *ctx,
                  struct cb_errbuf *eb)
{
	struct cb_hubstatus hs = { 0 };
	struct each_key k = { st, fn, ctx };
	struct cb_log *log = cb_store_log(st);
	cb_err rc;

	if (!log)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if ((rc = cb_store_begin_read(st, eb)))
		return rc;
	rc = org_name(st, org, &hs.org_name, eb);
	if (!rc)
		rc = cb_log_size(log, &hs.log_size, eb);
	if (!rc)
		rc = cb_enrolments_each(st, true, with_figures, &k, eb);
	cb_store_rollback(st);
	if (rc) {
		cb_hubstatus_release(&hs);
		return rc;
	}
	*out = hs;
	return CB_OK;
}

void
cb_hubstatus_release(struct cb_hubstatus *hs)
{
	free(hs->org_name);
	hs->org_name = NULL;
}

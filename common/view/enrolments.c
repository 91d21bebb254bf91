/* SPDX-License-Identifier: MIT */
/* enrolments.c — reading a hub's enrolments (enrolments.h). */
#include "enrolments.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "sql.h"

cb_err
cb_enrolments_each(struct cb_store *st, bool revoked_too, cb_enrolment_fn fn,
                   void *ctx, struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT key, org, role, name, enrolled_on, revoked_on, reason "
		"FROM enrolments WHERE ?1 <> 0 OR revoked_on IS NULL "
		"ORDER BY org, key";
	struct cb_stmt *s;
	cb_err rc;
	int r;

	/* a statement of its own: fn may use the cached ones */
	if ((rc = cb_sql_prepare(st, sql, &s, eb)))
		return rc;
	cb_sql_bind_int64(s, 1, revoked_too);
	while ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		struct cb_enrolment en = {
			cb_sql_column_text(s, 0), cb_sql_column_text(s, 1),
			cb_sql_column_text(s, 2), cb_sql_column_text(s, 3),
			cb_sql_column_text(s, 4), cb_sql_column_text(s, 5),
			cb_sql_column_text(s, 6),
		};

		if ((rc = fn(ctx, &en, eb)))
			break;
	}
	if (!rc && r != CB_SQL_DONE)
		rc = cb_store_error(st, eb, "cannot read the enrolments");
	cb_sql_finalize(s);
	return rc;
}

/* Step sql, its ?1 bound to org, to its first row: CB_OK with *out
 * standing on it (the caller resets it), CB_ENOTFOUND when it has none
 * (eb untouched), or what failed, as what. */
static cb_err
first_row(struct cb_store *st, const char *sql, const char *org,
          const char *what, struct cb_stmt **out, struct cb_errbuf *eb)
{
	struct cb_stmt *s = cb_sql(st, sql, eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, org);
	if ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		*out = s;
		return CB_OK;
	}
	cb_sql_reset(s);
	return r == CB_SQL_DONE ? CB_ENOTFOUND : cb_store_error(st, eb, what);
}

cb_err
cb_enrolments_writer(struct cb_store *st, const char *org,
                     unsigned char key[CB_KEY_BYTES], struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT key FROM enrolments WHERE org = ? AND role <> "
		"'auditor' AND revoked_on IS NULL ORDER BY enrolled_on LIMIT 1";
	unsigned char k[CB_KEY_BYTES];
	struct cb_stmt *s;
	const char *hex;
	cb_err rc =
		first_row(st, sql, org, "cannot read the enrolments", &s, eb);

	if (!rc) {
		/* a key that is not one writes for nobody */
		hex = cb_sql_column_text(s, 0);
		if (!hex || cb_hex_decode(hex, k, CB_KEY_BYTES, NULL))
			rc = CB_ENOTFOUND;
		cb_sql_reset(s);
	}
	if (rc == CB_ENOTFOUND)
		return cb_error(eb, CB_ENOTFOUND,
		                _("no key is enrolled for '%s'"), org);
	if (!rc)
		memcpy(key, k, CB_KEY_BYTES);
	return rc;
}

cb_err
cb_enrolments_org_known(struct cb_store *st, const char *org,
                        struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT 1 FROM orgs WHERE code = ?1 UNION ALL SELECT 1 FROM "
		"enrolments WHERE org = ?1 LIMIT 1";
	struct cb_stmt *s;
	cb_err rc = first_row(st, sql, org, "cannot read the organisations", &s,
	                      eb);

	if (!rc)
		cb_sql_reset(s);
	if (rc == CB_ENOTFOUND)
		return cb_error(
			eb, CB_ENOTFOUND,
			_("no organisation '%s' at this hub: neither synced "
		          "nor enrolled (see 'chibo-hub list')"),
			org);
	return rc;
}

cb_err
cb_enrolments_is_authority(struct cb_store *st, const char *key, bool *yes,
                           struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT 1 FROM authorities WHERE key = ?";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, key);
	r = cb_sql_step(s);
	cb_sql_reset(s);
	*yes = r == CB_SQL_ROW;
	return r == CB_SQL_ROW || r == CB_SQL_DONE
	               ? CB_OK
	               : cb_store_error(st, eb, "cannot read the authorities");
}

cb_err
cb_enrolments_witness_of(struct cb_store *st, const char *hub,
                         unsigned char key[CB_KEY_BYTES], struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT key FROM witnesses WHERE hub = ?";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	cb_err rc = CB_OK;
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, hub);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW &&
	    cb_hex_decode(cb_sql_column_text(s, 0), key, CB_KEY_BYTES, NULL))
		rc = cb_error(eb, CB_EIO, _("a witness key is damaged"));
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return CB_ENOTFOUND;
	return r == CB_SQL_ROW
	               ? rc
	               : cb_store_error(st, eb, "cannot read the witnesses");
}

cb_err
cb_enrolments_succession(struct cb_store *st, const char *org, const char *key,
                         struct cb_succession *out, struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT lower(hex(o.owner)) = ?2, coalesce(s.old_key, ''), "
		"coalesce(s.entry, ''), coalesce(s.through_seq, 0), (SELECT "
		"count(*) FROM entries WHERE lower(hex(author)) = s.old_key "
		"AND evidence = 0), (SELECT count(*) FROM members WHERE org = "
		"?1 AND status NOT IN ('struck-off', 'expelled', 'resigned', "
		"'deceased')) FROM orgs o LEFT JOIN successions s ON s.org = "
		"o.code AND s.new_key = ?2 WHERE o.code = ?1";
	struct cb_succession su = { 0 };
	struct cb_stmt *s = cb_sql(st, sql, eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, org);
	cb_sql_bind_text(s, 2, key);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW) {
		su.owns = cb_sql_column_int64(s, 0) != 0;
		snprintf(su.old_key, sizeof(su.old_key), "%s",
		         cb_sql_column_text(s, 1));
		snprintf(su.entry, sizeof(su.entry), "%s",
		         cb_sql_column_text(s, 2));
		su.through_seq = (uint64_t)cb_sql_column_int64(s, 3);
		su.old_entries = cb_sql_column_int64(s, 4);
		su.members = cb_sql_column_int64(s, 5);
	}
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return cb_error(
			eb, CB_ENOTFOUND,
			_("this replica holds no organisation '%s' yet"), org);
	if (r != CB_SQL_ROW)
		return cb_store_error(st, eb, "cannot read organisations");
	*out = su;
	return CB_OK;
}

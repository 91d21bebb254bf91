/* SPDX-License-Identifier: MIT */
/* project_enrol.c — the projection (project.h) of the authority's entries:
 * the hub's committee (hub.init), enrolments and revocations, public
 * holidays, and an office's first entry. */
#include "project_int.h"
#include "sql.h"

#include <sodium.h>

#include "calendar.h"

/* Is the entry's author this store's authority (meta 'authority': the hub
 * key a hub was made with, or the one an agent was given at enrolment)?
 * That is configuration, not data: the trust anchor every rule of
 * enrolment starts from. */
static cb_err
by_authority(struct cb_apply *c, const char *what)
{
	char *auth = NULL, author[2 * CB_KEY_BYTES + 1];
	cb_err rc = cb_store_meta_get(c->st, "authority", &auth, NULL);
	bool ok;

	if (rc == CB_ENOTFOUND)
		return pj_reject(
			c, "%s: this store knows no authority (hub key)", what);
	if (rc)
		return cb_store_error(c->st, c->eb,
		                      "cannot read the authority");
	cb_hex_encode(c->e->author, CB_KEY_BYTES, author);
	ok = strcmp(auth, author) == 0;
	free(auth);
	if (!ok)
		return pj_out_of_scope(
			c, "%s: only the hub's own key may do this", what);
	return CB_OK;
}

cb_err
cb_apply_hub_init(struct cb_apply *c)
{
	const char *code = pj_str(c->b, "code");
	char kind[32];
	struct org o;
	cb_err rc;

	if ((rc = by_authority(c, "hub.init")))
		return rc;
	rc = pj_org_get(c, code, &o);
	if (rc == CB_OK)
		return pj_reject(c, "organisation '%s' already exists", code);
	if (rc != CB_ENOTFOUND)
		return rc;
	snprintf(kind, sizeof(kind), "%s-committee", pj_str(c->b, "level"));
	return pj_org_insert(c, code, pj_str(c->b, "parent"), "committee", kind,
	                     pj_str(c->b, "name"), NULL);
}

/* A public holiday added by the authority (the yearly decisions). */
cb_err
cb_apply_calendar_holiday(struct cb_apply *c)
{
	static const char sql[] =
		"INSERT INTO holidays (date, name, entry) VALUES (?, ?, ?)";
	const char *date = pj_str(c->b, "date");
	struct cb_stmt *s;
	cb_err rc;

	if ((rc = by_authority(c, "calendar.holiday")))
		return rc;
	if (!(s = cb_sql(c->st,
	                 "SELECT name FROM holidays WHERE date "
	                 "= ?",
	                 c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, date);
	rc = cb_sql_step(s) == CB_SQL_ROW ? CB_EEXIST : CB_OK;
	cb_sql_reset(s);
	if (rc)
		return pj_reject(c, "%s is already a holiday", date);
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, date);
	cb_sql_bind_text(s, 2, pj_str(c->b, "name"));
	cb_sql_bind_blob(s, 3, c->e->id, CB_HASH_BYTES);
	return cb_sql_done(s, c->eb);
}

/* Reads the enrolment of key: CB_ENOTFOUND, or CB_OK with revoked set. */
static cb_err
enrolment_get(struct cb_apply *c, const char *key, bool *revoked, char org[65])
{
	static const char sql[] = "SELECT org, revoked_by IS NOT NULL FROM "
				  "enrolments WHERE key = ?";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, key);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW) {
		snprintf(org, 65, "%s", cb_sql_column_text(s, 0));
		*revoked = cb_sql_column_int64(s, 1) != 0;
	}
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return CB_ENOTFOUND;
	return r == CB_SQL_ROW
	               ? CB_OK
	               : cb_store_error(c->st, c->eb, "cannot read enrolments");
}

cb_err
cb_apply_key_enroll(struct cb_apply *c)
{
	static const char sql[] = "INSERT INTO enrolments (key, org, role, "
				  "name, enrolled_on, entry) "
				  "VALUES (?, ?, ?, ?, ?, ?)";
	const char *key = pj_str(c->b, "key");
	unsigned char raw[CB_KEY_BYTES];
	char org[65];
	bool revoked = false;
	struct cb_stmt *s;
	cb_err rc;

	if ((rc = by_authority(c, "key.enroll")))
		return rc;
	if (cb_hex_decode(key, raw, sizeof(raw), NULL) ||
	    crypto_core_ed25519_is_valid_point(raw) != 1)
		return pj_reject(c, "key %.12s is not an Ed25519 public key",
		                 key);
	rc = enrolment_get(c, key, &revoked, org);
	if (rc == CB_OK)
		return revoked ? pj_reject(
					 c,
					 "key %.12s was revoked; a revoked key "
					 "is never enrolled again: the office "
					 "makes a new one",
					 key)
		               : pj_reject(c,
		                           "key %.12s is already enrolled for "
		                           "'%s'; revoke it first",
		                           key, org);
	if (rc != CB_ENOTFOUND)
		return rc;
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, key);
	cb_sql_bind_text(s, 2, pj_str(c->b, "org"));
	cb_sql_bind_text(s, 3, pj_str(c->b, "role"));
	cb_sql_bind_text(s, 4, pj_str(c->b, "name"));
	cb_sql_bind_text(s, 5, c->today);
	cb_sql_bind_blob(s, 6, c->e->id, CB_HASH_BYTES);
	return cb_sql_done(s, c->eb);
}

cb_err
cb_apply_key_revoke(struct cb_apply *c)
{
	static const char sql[] = "UPDATE enrolments SET revoked_on = ?, "
				  "revoked_by = ?, reason = ? "
				  "WHERE key = ?";
	const char *key = pj_str(c->b, "key");
	char org[65];
	bool revoked = false;
	struct cb_stmt *s;
	cb_err rc;

	if ((rc = by_authority(c, "key.revoke")))
		return rc;
	rc = enrolment_get(c, key, &revoked, org);
	if (rc == CB_ENOTFOUND)
		return pj_reject(c, "key %.12s is not enrolled", key);
	if (rc)
		return rc;
	if (revoked)
		return pj_reject(c, "key %.12s is already revoked", key);
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, c->today);
	cb_sql_bind_blob(s, 2, c->e->id, CB_HASH_BYTES);
	cb_sql_bind_text(s, 3, pj_str(c->b, "reason"));
	cb_sql_bind_text(s, 4, key);
	return cb_sql_done(s, c->eb);
}

/* A committee's office replica begins with office.init: a key enrolled
 * for another organisation, or not with the district role, may not. */
cb_err
cb_apply_office_init(struct cb_apply *c)
{
	static const char sql[] =
		"SELECT org, role FROM enrolments WHERE key = ?";
	const char *code = pj_str(c->b, "code");
	char key[2 * CB_KEY_BYTES + 1];
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	cb_err rc = CB_OK;
	int r;

	if (!s)
		return CB_EIO;
	cb_hex_encode(c->e->author, CB_KEY_BYTES, key);
	cb_sql_bind_text(s, 1, key);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW && (strcmp(cb_sql_column_text(s, 0), code) ||
	                        strcmp(cb_sql_column_text(s, 1), "district")))
		rc = CB_ESCOPE;
	cb_sql_reset(s);
	if (rc)
		return pj_out_of_scope(
			c,
			"office.init of '%s' by a key not enrolled "
			"as its office",
			code);
	return r == CB_SQL_ROW || r == CB_SQL_DONE
	               ? CB_OK
	               : cb_store_error(c->st, c->eb, "cannot read enrolments");
}

/* Is the author the office of a committee above org: a key enrolled with
 * the district role for one of org's ancestors? (Enrolment, not its
 * revocation, which another replica may not hold yet.) */
cb_err
pj_office_above(struct cb_apply *c, const char *org, bool *yes)
{
	static const char sql[] =
		"WITH RECURSIVE up(code) AS (SELECT parent FROM orgs WHERE "
		"code "
		"= ?1 UNION SELECT o.parent FROM orgs o JOIN up ON o.code = "
		"up.code WHERE o.parent IS NOT NULL) SELECT 1 FROM enrolments "
		"WHERE key = ?2 AND role = 'district' AND org IN up";
	char key[2 * CB_KEY_BYTES + 1];
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_hex_encode(c->e->author, CB_KEY_BYTES, key);
	cb_sql_bind_text(s, 1, org);
	cb_sql_bind_text(s, 2, key);
	r = cb_sql_step(s);
	cb_sql_reset(s);
	*yes = r == CB_SQL_ROW;
	return r == CB_SQL_ROW || r == CB_SQL_DONE
	               ? CB_OK
	               : cb_store_error(c->st, c->eb, "cannot read enrolments");
}

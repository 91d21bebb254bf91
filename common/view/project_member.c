/* SPDX-License-Identifier: MIT */
/* project_member.c — the projection (project.h) of a member's record:
 * adding, changing and its status, and the rows every family reads and
 * writes members through. */
#include "project_int.h"
#include "sql.h"

#include "date.h"
#include "ops.h"
#include "text.h"

/* Where the entry whose id is at ?17 or ?1 is, or will be, in the log:
 * the key of the member it adds (sql.h) */
#define POSITION_17 CB_SQL_POSITION("?17")
#define POSITION_1 CB_SQL_POSITION("?1")

const char *const pj_member_cols[] = {
	"full_name",    "birth_date",  "sex",    "card_no",   "national_id",
	"admitted_on",  "official_on", "status", "status_on", "work_category",
	"council_area", "cell",        "org",    NULL,
};

/* The member as a JSON object of pj_member_cols (null for NULL), plus the
 * ownership of its organisation. CB_ENOTFOUND when absent. */
cb_err
pj_member_get(struct cb_apply *c, const char *id, json_t **out, int *owned)
{
	static const char sql[] =
		"SELECT m.full_name, m.birth_date, m.sex, m.card_no, "
		"m.national_id, m.admitted_on, m.official_on, m.status, "
		"m.status_on, m.work_category, m.council_area, m.cell, m.org, "
		"o.owner FROM members m LEFT JOIN orgs o ON o.code = m.org "
		"WHERE m.mkey = " PJ_MKEY;
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	json_t *m;
	cb_err rc;
	int r, i;

	if (!s)
		return CB_EIO;
	cb_sql_bind_id(s, 1, id);
	r = cb_sql_step(s);
	if (r == CB_SQL_DONE) {
		cb_sql_reset(s);
		return CB_ENOTFOUND;
	}
	if (r != CB_SQL_ROW)
		return cb_store_error(c->st, c->eb, "cannot read members");
	m = json_object();
	for (i = 0; pj_member_cols[i]; i++)
		json_object_set_new(
			m, pj_member_cols[i],
			cb_sql_column_null(s, i)
				? json_null()
				: json_string(cb_sql_column_text(s, i)));
	rc = pj_owns(c, cb_sql_column_blob(s, i),
	             (size_t)cb_sql_column_bytes(s, i), owned);
	cb_sql_reset(s);
	if (rc) {
		json_decref(m);
		return rc;
	}
	*out = m;
	return CB_OK;
}

/* As this entry sees it, has its author let the member go? The author's
 * latest release of the member is in transit unless the entry names, in
 * its deps, the acceptance or decline that closed it: so the verdict does
 * not depend on whether that answer has reached this replica yet. */
static cb_err
released_by_author(struct cb_apply *c, const char *id)
{
	static const char sql[] =
		"SELECT release, state, closed_by, to_org FROM transfers "
		"WHERE member = ? AND author = ? ORDER BY seq DESC LIMIT 1";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	char release[CB_HASH_HEX], state[16], closed[CB_HASH_HEX],
		to[CB_CODE_MAX + 1];
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_id(s, 1, id);
	cb_sql_bind_blob(s, 2, c->e->author, CB_KEY_BYTES);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW) {
		snprintf(release, sizeof(release), "%s",
		         cb_sql_column_text(s, 0));
		snprintf(state, sizeof(state), "%s", cb_sql_column_text(s, 1));
		snprintf(closed, sizeof(closed), "%s",
		         cb_sql_column_null(s, 2) ? ""
		                                  : cb_sql_column_text(s, 2));
		snprintf(to, sizeof(to), "%s", cb_sql_column_text(s, 3));
	}
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return CB_OK;
	if (r != CB_SQL_ROW)
		return cb_store_error(c->st, c->eb, "cannot read transfers");
	if (!closed[0] || !pj_in_deps(c->e, closed))
		return pj_reject(
			c,
			_("member %.12s is in transit: released to '%s' "
		          "by entry %.12s"),
			id, to, release);
	if (!strcmp(state, "accepted"))
		return pj_out_of_scope(c,
		                       _("member %.12s was transferred to '%s' "
		                         "(entry %.12s)"),
		                       id, to, closed);
	return CB_OK;
}

/* A member this store does not hold. If it does not hold the entry that
 * added the member either, the entry waits for it (CB_EPENDING): a replica
 * holding other keys' chains in part may be sent a member's later entries
 * before its member.add (a dossier, part of it before the reader's cursor,
 * part after), and the verdict must not depend on the order (settled when
 * the member.add arrives: cb_ledger_settle asks entry_refs). If it holds
 * it, the member is no more (a rejected addition): the entry is
 * rejected. */
static cb_err
member_absent(struct cb_apply *c, const char *id)
{
	static const char sql[] =
		"SELECT 1 FROM entries WHERE id = ? AND evidence = 0";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_id(s, 1, id);
	r = cb_sql_step(s);
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return cb_error(c->eb, CB_EPENDING,
		                _("waits for member %.12s, not held here"), id);
	if (r != CB_SQL_ROW)
		return cb_store_error(c->st, c->eb, "cannot read the log");
	return pj_reject(c, _("no member %.12s"), id);
}

cb_err
pj_member_writable(struct cb_apply *c, const char *id, json_t **m)
{
	int owned = 0;
	cb_err rc = released_by_author(c, id);

	if (rc)
		return rc;
	rc = pj_member_get(c, id, m, &owned);

	if (rc == CB_ENOTFOUND)
		return member_absent(c, id);
	if (rc)
		return rc;
	if (!owned) {
		char what[32];

		json_decref(*m);
		*m = NULL;
		snprintf(what, sizeof(what), "member %.12s", id);
		return pj_not_owner(c, what, "the record");
	}
	return CB_OK;
}

/* The rules a member record must satisfy whatever op produced it. */
cb_err
pj_member_validate(struct cb_apply *c, const json_t *m)
{
	const char *birth = pj_str(m, "birth_date"),
		   *adm = pj_str(m, "admitted_on");
	const char *off = pj_str(m, "official_on"),
		   *status = pj_str(m, "status");
	struct cb_date b, a;
	cb_err rc;

	if ((rc = pj_not_future(c, N_("birth date"), birth)) ||
	    (rc = pj_not_future(c, N_("admission date"), adm)) ||
	    (rc = pj_not_future(c, N_("official date"), off)))
		return rc;
	if (cb_date_parse(birth, &b, NULL) || cb_date_parse(adm, &a, NULL))
		return pj_reject(c, _("member dates are malformed"));
	if (cb_date_years_between(&b, &a) < 18)
		return pj_reject(c,
		                 _("admitted on %s, before the 18th birthday "
		                   "(born %s)"),
		                 adm, birth);
	if (off && strcmp(off, adm) < 0)
		return pj_reject(
			c,
			_("official date %s is before the admission date "
		          "%s"),
			off, adm);
	if (strcmp(status, "probationary") == 0 && off)
		return pj_reject(
			c, _("a probationary member has no official date; "
		             "record the change with member.status"));
	if (strcmp(status, "official") == 0 && !off)
		return pj_reject(
			c, _("an official member needs an official date"));
	/* A card or national ID number another member holds is no reason
	 * to refuse: the verdict would depend on which entry a store took in
	 * first. The clash is reported (report.c, cb_report_clashes). */
	return CB_OK;
}

cb_err
pj_member_save(struct cb_apply *c, const char *id, const json_t *m, bool insert)
{
	static const char ins[] =
		"INSERT INTO members (full_name, birth_date, sex, card_no, "
		"national_id, admitted_on, official_on, status, status_on, "
		"work_category, council_area, cell, org, name_fold, "
		"name_lower, "
		"entry, id, mkey) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?, "
		"?17, " POSITION_17 ")";
	static const char upd[] =
		"UPDATE members SET full_name = ?, birth_date = ?, sex = ?, "
		"card_no = ?, national_id = ?, admitted_on = ?, "
		"official_on = ?, status = ?, status_on = ?, "
		"work_category = ?, council_area = ?, cell = ?, org = ?, "
		"name_fold = ?, name_lower = ?, entry = ? "
		"WHERE mkey = " PJ_MKEY;
	struct cb_stmt *s = cb_sql(c->st, insert ? ins : upd, c->eb);
	char *fold = NULL, *lower = NULL;
	cb_err rc;
	int i;

	if (!s)
		return CB_EIO;
	if (cb_text_fold(pj_str(m, "full_name"), &fold, c->eb) ||
	    cb_text_lower(pj_str(m, "full_name"), &lower, c->eb)) {
		free(fold);
		return CB_EINVAL;
	}
	for (i = 0; pj_member_cols[i]; i++)
		cb_sql_bind_text(s, i + 1, pj_str(m, pj_member_cols[i]));
	cb_sql_bind_text(s, ++i, fold);
	cb_sql_bind_text(s, ++i, lower);
	cb_sql_bind_blob(s, ++i, c->e->id, CB_HASH_BYTES);
	cb_sql_bind_id(s, ++i, id);
	rc = cb_sql_write(s, c->eb);
	free(fold);
	free(lower);
	return rc;
}

cb_err
pj_membership_open(struct cb_apply *c, const char *member, const char *cell,
                   const char *kind, const char *since)
{
	static const char sql[] =
		"INSERT INTO memberships (member, cell, kind, "
		"since, until, entry) "
		"VALUES ((SELECT mkey FROM members WHERE mkey = " POSITION_1
		" AND id = ?1), ?2, ?3, ?4, NULL, ?5)";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);

	if (!s)
		return CB_EIO;
	cb_sql_bind_id(s, 1, member);
	cb_sql_bind_text(s, 2, cell);
	cb_sql_bind_text(s, 3, kind);
	cb_sql_bind_text(s, 4, since);
	cb_sql_bind_blob(s, 5, c->e->id, CB_HASH_BYTES);
	return cb_sql_write(s, c->eb);
}

static cb_err
membership_close_all(struct cb_apply *c, const char *member, const char *until)
{
	static const char sql[] =
		"UPDATE memberships SET until = ? "
		"WHERE member = " PJ_MKEY " AND until IS NULL";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, until);
	cb_sql_bind_id(s, 2, member);
	return cb_sql_write(s, c->eb);
}

cb_err
cb_apply_member_add(struct cb_apply *c)
{
	const char *cell = pj_str(c->b, "cell"),
		   *since = pj_str(c->b, "cell_since");
	struct org o;
	json_t *m;
	cb_err rc = pj_org_writable(c, cell, "cell", &o);

	if (rc)
		return rc;
	if (!since)
		since = pj_str(c->b, "admitted_on");
	if (strcmp(since, pj_str(c->b, "admitted_on")) < 0)
		return pj_reject(c,
		                 _("in cell since %s, before admission on %s"),
		                 since, pj_str(c->b, "admitted_on"));
	if ((rc = pj_not_future(c, N_("cell date"), since)))
		return rc;
	m = json_object();
	for (int i = 0; pj_member_cols[i]; i++) {
		json_t *v = json_object_get(c->b, pj_member_cols[i]);

		json_object_set_new(m, pj_member_cols[i],
		                    v ? json_incref(v) : json_null());
	}
	json_object_set_new(m, "org", json_string(o.parent));
	rc = pj_member_validate(c, m);
	if (!rc)
		rc = pj_member_save(c, c->id, m, true);
	if (!rc)
		rc = pj_membership_open(c, c->id, cell, "official", since);
	json_decref(m);
	return rc;
}

cb_err
cb_apply_member_update(struct cb_apply *c)
{
	const char *id = pj_str(c->b, "member"), *key;
	json_t *m = NULL, *v;
	cb_err rc = pj_member_writable(c, id, &m);

	if (rc)
		return rc;
	json_object_foreach((json_t *)c->b, key, v)
	{
		if (strcmp(key, "member") != 0)
			json_object_set(m, key, v);
	}
	rc = pj_member_validate(c, m);
	if (!rc)
		rc = pj_member_save(c, id, m, false);
	json_decref(m);
	return rc;
}

static bool
status_step_allowed(const char *from, const char *to)
{
	if (cb_status_terminal(from))
		return false;
	if (strcmp(to, "official") == 0)
		return strcmp(from, "probationary") == 0 ||
		       strcmp(from, "exempt") == 0;
	if (strcmp(to, "probationary") == 0)
		return false;
	if (strcmp(to, "exempt") == 0)
		return strcmp(from, "official") == 0;
	return true; /* any live status may end */
}

cb_err
cb_apply_member_status(struct cb_apply *c)
{
	const char *id = pj_str(c->b, "member"), *to = pj_str(c->b, "status");
	const char *on = pj_str(c->b, "on"), *from;
	json_t *m = NULL;
	cb_err rc = pj_member_writable(c, id, &m);

	if (rc)
		return rc;
	from = pj_str(m, "status");
	if (strcmp(from, to) == 0) {
		rc = pj_reject(c, _("member %.12s is already %s"), id, to);
		goto out;
	}
	if (!status_step_allowed(from, to)) {
		rc = pj_reject(c, _("member %.12s cannot go from %s to %s"), id,
		               from, to);
		goto out;
	}
	if (strcmp(on, pj_str(m, "admitted_on")) < 0) {
		rc = pj_reject(c, _("status date %s is before admission on %s"),
		               on, pj_str(m, "admitted_on"));
		goto out;
	}
	if ((rc = pj_not_future(c, N_("status date"), on)))
		goto out;
	if (strcmp(from, "probationary") == 0 && strcmp(to, "official") == 0)
		json_object_set_new(m, "official_on", json_string(on));
	json_object_set_new(m, "status", json_string(to));
	json_object_set_new(m, "status_on", json_string(on));
	rc = pj_member_validate(c, m);
	if (!rc)
		rc = pj_member_save(c, id, m, false);
	if (!rc && cb_status_terminal(to))
		rc = membership_close_all(c, id, on);
out:
	json_decref(m);
	return rc;
}

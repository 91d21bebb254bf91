/* SPDX-License-Identifier: MIT */
/* project_candidate.c — the projection (project.h) of admission candidates:
 * added, helped, moved, admitted as probationary members. */
#include "project_int.h"
#include "sql.h"

#include "text.h"

struct candidate {
	char cell[CB_CODE_MAX + 1];
	char org[CB_CODE_MAX + 1];
	char state[16];
	bool helped; /* both helpers assigned */
};

/* The candidate, in a cell of an organisation the author owns. */
static cb_err
candidate_writable(struct cb_apply *c, const char *id, struct candidate *k)
{
	static const char sql[] =
		"SELECT cell, org, state, helper1 IS NOT NULL AND helper2 IS "
		"NOT NULL FROM candidates WHERE id = ?";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	struct org o;
	cb_err rc;
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, id);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW) {
		snprintf(k->cell, sizeof(k->cell), "%s",
		         cb_sql_column_text(s, 0));
		snprintf(k->org, sizeof(k->org), "%s",
		         cb_sql_column_text(s, 1));
		snprintf(k->state, sizeof(k->state), "%s",
		         cb_sql_column_text(s, 2));
		k->helped = cb_sql_column_int64(s, 3);
	}
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return pj_reject(c, _("no candidate %.12s"), id);
	if (r != CB_SQL_ROW)
		return cb_store_error(c->st, c->eb, "cannot read candidates");
	rc = pj_org_get(c, k->org, &o);
	if (rc && rc != CB_ENOTFOUND)
		return rc;
	if (rc || !o.owned)
		return pj_out_of_scope(c,
		                       _("candidate %.12s belongs to another "
		                         "organisation's key"),
		                       id);
	if (strcmp(k->state, "candidate"))
		return pj_reject(c, _("candidate %.12s was already admitted"),
		                 id);
	return CB_OK;
}

cb_err
cb_apply_candidate_add(struct cb_apply *c)
{
	static const char sql[] =
		"INSERT INTO candidates (id, full_name, name_fold, birth_date, "
		"sex, national_id, cell, org, state, entry) VALUES (?, ?, ?, "
		"?, "
		"?, ?, ?, ?, 'candidate', ?)";
	const char *cell = pj_str(c->b, "cell");
	struct org o;
	struct cb_stmt *s;
	char *fold = NULL;
	cb_err rc = pj_org_writable(c, cell, "cell", &o);

	if (rc)
		return rc;
	if ((rc = pj_not_future(c, N_("birth date"),
	                        pj_str(c->b, "birth_date"))))
		return rc;
	if (cb_text_fold(pj_str(c->b, "full_name"), &fold, c->eb))
		return CB_EINVAL;
	if (!(s = cb_sql(c->st, sql, c->eb))) {
		free(fold);
		return CB_EIO;
	}
	cb_sql_bind_text(s, 1, c->id);
	cb_sql_bind_text(s, 2, pj_str(c->b, "full_name"));
	cb_sql_bind_text(s, 3, fold);
	cb_sql_bind_text(s, 4, pj_str(c->b, "birth_date"));
	cb_sql_bind_text(s, 5, pj_str(c->b, "sex"));
	cb_sql_bind_text(s, 6, pj_str(c->b, "national_id"));
	cb_sql_bind_text(s, 7, cell);
	cb_sql_bind_text(s, 8, o.parent);
	cb_sql_bind_blob(s, 9, c->e->id, CB_HASH_BYTES);
	rc = cb_sql_write(s, c->eb);
	free(fold);
	return rc;
}

cb_err
cb_apply_candidate_helpers(struct cb_apply *c)
{
	static const char sql[] =
		"UPDATE candidates SET helper1 = ?, helper2 = ?, entry = ? "
		"WHERE id = ?";
	const char *id = pj_str(c->b, "candidate");
	const char *h[2] = { pj_str(c->b, "helper1"), pj_str(c->b, "helper2") };
	struct candidate k;
	struct cb_stmt *s;
	cb_err rc = candidate_writable(c, id, &k);

	if (rc)
		return rc;
	if (!strcmp(h[0], h[1]))
		return pj_reject(c, _("the two helpers must be two members"));
	for (int i = 0; i < 2; i++) {
		json_t *m = NULL;
		int owned;

		if ((rc = pj_member_get(c, h[i], &m, &owned)))
			return rc == CB_ENOTFOUND
			               ? pj_reject(c, _("no member %.12s"),
			                           h[i])
			               : rc;
		rc = strcmp(pj_str(m, "status"), "official") ||
		                     strcmp(pj_str(m, "org"), k.org)
		             ? pj_reject(c,
		                         _("helper %.12s is not an official "
		                           "member "
		                           "of '%s'"),
		                         h[i], k.org)
		             : CB_OK;
		json_decref(m);
		if (rc)
			return rc;
	}
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	cb_sql_bind_id(s, 1, h[0]);
	cb_sql_bind_id(s, 2, h[1]);
	cb_sql_bind_blob(s, 3, c->e->id, CB_HASH_BYTES);
	cb_sql_bind_text(s, 4, id);
	return cb_sql_write(s, c->eb);
}

cb_err
cb_apply_candidate_move(struct cb_apply *c)
{
	static const char sql[] =
		"UPDATE candidates SET cell = ?, entry = ? WHERE id = ?";
	const char *id = pj_str(c->b, "candidate"),
		   *cell = pj_str(c->b, "cell");
	struct candidate k;
	struct org o;
	struct cb_stmt *s;
	cb_err rc = candidate_writable(c, id, &k);

	if (rc)
		return rc;
	if ((rc = pj_org_writable(c, cell, "cell", &o)))
		return rc;
	if (strcmp(o.parent, k.org))
		return pj_reject(c, _("cell '%s' is not in '%s'"), cell, k.org);
	if (!strcmp(cell, k.cell))
		return pj_reject(c,
		                 _("candidate %.12s is already in cell '%s'"),
		                 id, cell);
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, cell);
	cb_sql_bind_blob(s, 2, c->e->id, CB_HASH_BYTES);
	cb_sql_bind_text(s, 3, id);
	return cb_sql_write(s, c->eb);
}

/* Admitted: a probationary member whose id is the candidate's. */
cb_err
cb_apply_candidate_admit(struct cb_apply *c)
{
	static const char get[] =
		"SELECT full_name, birth_date, sex, national_id FROM "
		"candidates WHERE id = ?";
	static const char upd[] =
		"UPDATE candidates SET state = 'admitted', admitted_on = ?, "
		"entry = ? WHERE id = ?";
	const char *id = pj_str(c->b, "candidate");
	const char *on = pj_str(c->b, "admitted_on");
	struct candidate k;
	struct cb_stmt *s;
	json_t *m;
	cb_err rc = candidate_writable(c, id, &k);

	if (rc)
		return rc;
	if (!k.helped)
		return pj_reject(
			c, _("candidate %.12s has no two helpers assigned"),
			id);
	if ((rc = pj_not_future(c, N_("admission date"), on)))
		return rc;
	if (!(s = cb_sql(c->st, get, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, id);
	if (cb_sql_step(s) != CB_SQL_ROW) {
		cb_sql_reset(s);
		return cb_store_error(c->st, c->eb, "cannot read candidates");
	}
	m = json_object();
	for (int i = 0; pj_member_cols[i]; i++)
		json_object_set_new(m, pj_member_cols[i], json_null());
	json_object_set_new(m, "full_name",
	                    json_string(cb_sql_column_text(s, 0)));
	json_object_set_new(m, "birth_date",
	                    json_string(cb_sql_column_text(s, 1)));
	json_object_set_new(m, "sex", json_string(cb_sql_column_text(s, 2)));
	if (!cb_sql_column_null(s, 3))
		json_object_set_new(m, "national_id",
		                    json_string(cb_sql_column_text(s, 3)));
	cb_sql_reset(s);
	json_object_set_new(m, "admitted_on", json_string(on));
	json_object_set_new(m, "status", json_string("probationary"));
	json_object_set_new(m, "cell", json_string(k.cell));
	json_object_set_new(m, "org", json_string(k.org));
	if (pj_str(c->b, "card_no"))
		json_object_set_new(m, "card_no",
		                    json_string(pj_str(c->b, "card_no")));
	rc = pj_member_validate(c, m);
	if (!rc)
		rc = pj_member_save(c, id, m, true);
	if (!rc)
		rc = pj_membership_open(c, id, k.cell, "official", on);
	json_decref(m);
	if (rc)
		return rc;
	if (!(s = cb_sql(c->st, upd, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, on);
	cb_sql_bind_blob(s, 2, c->e->id, CB_HASH_BYTES);
	cb_sql_bind_text(s, 3, id);
	return cb_sql_write(s, c->eb);
}

/* SPDX-License-Identifier: MIT */
/* project_dissolve.c — the projection (project.h) of dissolving a cell: the
 * plan, the superior office's approval, the decision. */
#include "project_int.h"
#include "sql.h"

struct plan {
	char cell[CB_CODE_MAX + 1];
	char org[CB_CODE_MAX + 1];
	char state[16];
	char approved_by[CB_HASH_HEX];
	char planned_on[11];
};

/* The plan an approval or a decision follows: in its deps, applied. */
static cb_err
plan_named(struct cb_apply *c, const char *what, struct plan *p)
{
	static const char sql[] =
		"SELECT cell, org, state, coalesce(approved_by, ''), "
		"planned_on FROM dissolutions WHERE plan = ?";
	const struct col cols[] = {
		{ p->cell, sizeof(p->cell) },
		{ p->org, sizeof(p->org) },
		{ p->state, sizeof(p->state) },
		{ p->approved_by, sizeof(p->approved_by) },
		{ p->planned_on, sizeof(p->planned_on) },
	};

	return pj_row_named(c, what, "plan", "plan", sql,
	                    "cannot read dissolutions", cols,
	                    sizeof(cols) / sizeof(cols[0]));
}

cb_err
cb_apply_cell_dissolve_plan(struct cb_apply *c)
{
	static const char open_plan[] =
		"SELECT plan FROM dissolutions WHERE cell = ? AND state <> "
		"'dissolved'";
	static const char ins[] = "INSERT INTO dissolutions (plan, cell, org, "
				  "reason, planned_on, "
				  "state) VALUES (?, ?, ?, ?, ?, 'planned')";
	const char *cell = pj_str(c->b, "cell"), *on = pj_str(c->b, "on");
	struct org o;
	struct cb_stmt *s;
	cb_err rc = pj_org_writable(c, cell, "cell", &o);

	if (rc)
		return rc;
	if ((rc = pj_not_future(c, N_("plan date"), on)))
		return rc;
	if (!(s = cb_sql(c->st, open_plan, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, cell);
	if (cb_sql_step(s) == CB_SQL_ROW) {
		char other[CB_HASH_HEX];

		snprintf(other, sizeof(other), "%s", cb_sql_column_text(s, 0));
		cb_sql_reset(s);
		return pj_reject(
			c,
			_("cell '%s' already has a plan to dissolve it "
		          "(%.12s)"),
			cell, other);
	}
	cb_sql_reset(s);
	if (!(s = cb_sql(c->st, ins, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, c->id);
	cb_sql_bind_text(s, 2, cell);
	cb_sql_bind_text(s, 3, o.parent);
	cb_sql_bind_text(s, 4, pj_str(c->b, "reason"));
	cb_sql_bind_text(s, 5, on);
	return cb_sql_write(s, c->eb);
}

cb_err
cb_apply_cell_dissolve_approve(struct cb_apply *c)
{
	static const char upd[] =
		"UPDATE dissolutions SET state = 'approved', approved_by = ?, "
		"approval_no = ?, approved_on = ? WHERE plan = ?";
	const char *on = pj_str(c->b, "on");
	struct plan p;
	struct cb_stmt *s;
	bool yes;
	cb_err rc = plan_named(c, "an approval", &p);

	if (rc)
		return rc;
	if ((rc = pj_office_above(c, p.org, &yes)))
		return rc;
	if (!yes)
		return pj_out_of_scope(
			c,
			_("only the office of a committee above '%s' "
		          "approves the dissolution of its cells"),
			p.org);
	if (strcmp(p.state, "planned"))
		return pj_reject(c,
		                 _("the plan to dissolve '%s' is already %s"),
		                 p.cell, p.state);
	if (strcmp(on, p.planned_on) < 0)
		return pj_reject(c, _("approved on %s, before the plan of %s"),
		                 on, p.planned_on);
	if ((rc = pj_not_future(c, N_("approval date"), on)))
		return rc;
	if (!(s = cb_sql(c->st, upd, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, c->id);
	cb_sql_bind_text(s, 2, pj_str(c->b, "decision_no"));
	cb_sql_bind_text(s, 3, on);
	cb_sql_bind_text(s, 4, pj_str(c->b, "plan"));
	return cb_sql_write(s, c->eb);
}

cb_err
cb_apply_cell_dissolve(struct cb_apply *c)
{
	static const char releases[] =
		"SELECT release, coalesce(closed_by, '') FROM transfers WHERE "
		"from_cell = ? AND author = ?";
	static const char members[] =
		"SELECT count(*) FROM memberships WHERE cell = ?1 AND (until "
		"IS NULL OR (kind = 'temporary' AND until > ?2))";
	static const char candidates[] =
		"SELECT count(*) FROM candidates WHERE cell = ? AND state = "
		"'candidate'";
	static const char close_cell[] =
		"UPDATE orgs SET state = 'closed', entry = ? WHERE code = ?";
	static const char done[] =
		"UPDATE dissolutions SET state = 'dissolved', decision = ?, "
		"dissolved_on = ? WHERE plan = ?";
	const char *on = pj_str(c->b, "on");
	struct plan p;
	struct org o;
	struct cb_stmt *s;
	long long n = 0;
	cb_err rc = plan_named(c, "a decision", &p);

	if (rc)
		return rc;
	if ((rc = pj_org_writable(c, p.cell, "cell", &o)))
		return rc;
	/* What this entry sees: the approval it names, and the answer to
	 * every release out of the cell. */
	if (strcmp(p.state, "approved") || !pj_in_deps(c->e, p.approved_by))
		return pj_reject(c,
		                 _("the plan to dissolve '%s' is not approved "
		                   "(the decision must name the approval)"),
		                 p.cell);
	if (!(s = cb_sql(c->st, releases, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, p.cell);
	cb_sql_bind_blob(s, 2, c->e->author, CB_KEY_BYTES);
	while (cb_sql_step(s) == CB_SQL_ROW) {
		const char *closed = cb_sql_column_text(s, 1);

		if (!closed[0] || !pj_in_deps(c->e, closed)) {
			char rel[CB_HASH_HEX];

			snprintf(rel, sizeof(rel), "%s",
			         cb_sql_column_text(s, 0));
			cb_sql_reset(s);
			return pj_reject(
				c,
				_("a transfer out of '%s' is in flight "
			          "(release %.12s)"),
				p.cell, rel);
		}
	}
	cb_sql_reset(s);
	if (!(s = cb_sql(c->st, members, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, p.cell);
	cb_sql_bind_text(s, 2, on);
	if (cb_sql_step(s) == CB_SQL_ROW)
		n = cb_sql_column_int64(s, 0);
	cb_sql_reset(s);
	if (n)
		return pj_reject(
			c,
			P_("cell '%s' still has %lld member; move them "
		           "first",
		           "cell '%s' still has %lld members; move them "
		           "first",
		           (unsigned long)n),
			p.cell, n);
	if (!(s = cb_sql(c->st, candidates, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, p.cell);
	n = cb_sql_step(s) == CB_SQL_ROW ? cb_sql_column_int64(s, 0) : 0;
	cb_sql_reset(s);
	if (n)
		return pj_reject(
			c,
			P_("cell '%s' still has %lld admission candidate; "
		           "move it first",
		           "cell '%s' still has %lld admission candidates; "
		           "move them first",
		           (unsigned long)n),
			p.cell, n);
	if (strcmp(on, p.planned_on) < 0)
		return pj_reject(c, _("dissolved on %s, before the plan of %s"),
		                 on, p.planned_on);
	if ((rc = pj_not_future(c, N_("dissolution date"), on)))
		return rc;
	if (!(s = cb_sql(c->st, close_cell, c->eb)))
		return CB_EIO;
	cb_sql_bind_blob(s, 1, c->e->id, CB_HASH_BYTES);
	cb_sql_bind_text(s, 2, p.cell);
	if ((rc = cb_sql_write(s, c->eb)))
		return rc;
	if (!(s = cb_sql(c->st, done, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, c->id);
	cb_sql_bind_text(s, 2, on);
	cb_sql_bind_text(s, 3, pj_str(c->b, "plan"));
	return cb_sql_write(s, c->eb);
}

/* campaign.exempt: an organisation that cannot dissolve its
 * commune-agency cells (no residential cell to move its members to, say)
 * is exempt from the campaign, by the office of a committee above it or a
 * hub over it; once. */
cb_err
cb_apply_campaign_exempt(struct cb_apply *c)
{
	static const char get[] = "SELECT exempt_on FROM exemptions WHERE "
				  "org = ?";
	static const char ins[] =
		"INSERT INTO exemptions (org, exempt_on, reason, author, "
		"entry) VALUES (?, ?, ?, ?, ?)";
	const char *org = pj_str(c->b, "org");
	const char *on = pj_str(c->b, "on");
	struct cb_stmt *s;
	struct org o;
	bool yes = false;
	cb_err rc = pj_org_get(c, org, &o);
	int r;

	if (rc == CB_ENOTFOUND)
		return pj_reject(c, _("no organisation '%s'"), org);
	if (rc)
		return rc;
	if (strcmp(o.level, "grassroots"))
		return pj_reject(
			c,
			_("'%s' is a %s: only a grassroots organisation "
		          "takes part in the campaign"),
			org, o.level);
	if ((rc = pj_office_above(c, org, &yes)))
		return rc;
	if (!yes && (rc = pj_delegated(c, "campaign.exempt", org, NULL)))
		return rc == CB_ESCOPE
		               ? pj_out_of_scope(c,
		                                 _("only the office of a "
		                                   "committee above '%s', or a "
		                                   "hub over it, exempts it"),
		                                 org)
		               : rc;
	if ((rc = pj_not_future(c, N_("exemption date"), on)))
		return rc;
	if (!(s = cb_sql(c->st, get, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, org);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW) {
		char since[16];

		snprintf(since, sizeof(since), "%s", cb_sql_column_text(s, 0));
		cb_sql_reset(s);
		return pj_reject(c, _("'%s' is already exempt since %s"), org,
		                 since);
	}
	cb_sql_reset(s);
	if (r != CB_SQL_DONE)
		return cb_store_error(c->st, c->eb, "cannot read exemptions");
	if (!(s = cb_sql(c->st, ins, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, org);
	cb_sql_bind_text(s, 2, on);
	cb_sql_bind_text(s, 3, pj_str(c->b, "reason"));
	cb_sql_bind_blob(s, 4, c->e->author, CB_KEY_BYTES);
	cb_sql_bind_text(s, 5, c->id);
	return cb_sql_write(s, c->eb);
}

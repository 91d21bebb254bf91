/* SPDX-License-Identifier: MIT */
/* project_transfer.c — the projection (project.h) of moves between cells
 * and transfers between organisations: release, acceptance, decline,
 * strike-off, temporary stays (the handshake of DESIGN.md, principle 3). */
#include "project_int.h"
#include "sql.h"

#include "calendar.h"
#include "ops.h"

static cb_err
membership_close_official(struct cb_apply *c, const char *member,
                          const char *until)
{
	static const char sql[] =
		"UPDATE memberships SET until = ? WHERE member = " PJ_MKEY
		" AND kind = 'official' AND until IS NULL";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, until);
	cb_sql_bind_id(s, 2, member);
	return cb_sql_write(s, c->eb);
}

/* Since when the member has been in their official cell (NULL if none). */
static cb_err
official_since(struct cb_apply *c, const char *member, char out[11])
{
	static const char sql[] =
		"SELECT max(since) FROM memberships WHERE member = " PJ_MKEY
		" AND kind = 'official' AND until IS NULL";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_id(s, 1, member);
	r = cb_sql_step(s);
	out[0] = 0;
	if (r == CB_SQL_ROW && !cb_sql_column_null(s, 0))
		snprintf(out, 11, "%s", cb_sql_column_text(s, 0));
	cb_sql_reset(s);
	return r == CB_SQL_ROW ? CB_OK
	                       : cb_store_error(c->st, c->eb,
	                                        "cannot read memberships");
}

static cb_err
set_transit(struct cb_apply *c, const char *member, const char *release)
{
	static const char sql[] = "UPDATE members SET transit = ?, entry = ? "
	                          "WHERE mkey = " PJ_MKEY;
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, release);
	cb_sql_bind_blob(s, 2, c->e->id, CB_HASH_BYTES);
	cb_sql_bind_id(s, 3, member);
	return cb_sql_write(s, c->eb);
}

/* A live member, writable by the author, moved into cell on date on:
 * the official stay in the old cell ends, a new one begins. */
static cb_err
move_to_cell(struct cb_apply *c, const char *id, json_t *m, const char *cell,
             const char *on)
{
	cb_err rc;

	json_object_set_new(m, "cell", json_string(cell));
	if ((rc = pj_member_save(c, id, m, false)) ||
	    (rc = membership_close_official(c, id, on)))
		return rc;
	return pj_membership_open(c, id, cell, "official", on);
}

cb_err
cb_apply_member_move(struct cb_apply *c)
{
	const char *id = pj_str(c->b, "member"), *cell = pj_str(c->b, "cell");
	const char *on = pj_str(c->b, "on");
	char since[11];
	json_t *m = NULL;
	struct org o;
	cb_err rc = pj_member_writable(c, id, &m);

	if (rc)
		return rc;
	if (cb_status_terminal(pj_str(m, "status"))) {
		rc = pj_reject(c, _("member %.12s is %s"), id,
		               pj_str(m, "status"));
		goto out;
	}
	if (!strcmp(cell, pj_str(m, "cell"))) {
		rc = pj_reject(c, _("member %.12s is already in cell '%s'"), id,
		               cell);
		goto out;
	}
	if ((rc = pj_org_writable(c, cell, "cell", &o)))
		goto out;
	if (strcmp(o.parent, pj_str(m, "org"))) {
		rc = pj_reject(
			c,
			_("cell '%s' is not in '%s'; a move between "
		          "organisations is a release and an acceptance"),
			cell, pj_str(m, "org"));
		goto out;
	}
	if ((rc = official_since(c, id, since)))
		goto out;
	if (since[0] && strcmp(on, since) < 0) {
		rc = pj_reject(c,
		               _("moved on %s, before joining cell '%s' on %s"),
		               on, pj_str(m, "cell"), since);
		goto out;
	}
	if ((rc = pj_not_future(c, N_("move date"), on)))
		goto out;
	rc = move_to_cell(c, id, m, cell, on);
out:
	json_decref(m);
	return rc;
}

/* A letter (a release, a temporary transfer) for member m: live, to
 * another grassroots organisation, to a cell of it if one is named. */
static cb_err
letter_valid(struct cb_apply *c, const char *id, const json_t *m,
             const char *what)
{
	const char *to = pj_str(c->b, "to_org"),
		   *to_cell = pj_str(c->b, "to_cell");
	size_t n = strlen(to);

	if (cb_status_terminal(pj_str(m, "status")))
		return pj_reject(c, _("member %.12s is %s"), id,
		                 pj_str(m, "status"));
	if (!strcmp(to, pj_str(m, "org")))
		return pj_reject(
			c,
			_("%s goes to another grassroots organisation; "
		          "'%s' is the member's own"),
			what, to);
	if (to_cell && (strncmp(to_cell, to, n) || to_cell[n] != '.'))
		return pj_reject(c, _("cell '%s' is not a cell of '%s'"),
		                 to_cell, to);
	return CB_OK;
}

cb_err
cb_apply_member_release(struct cb_apply *c)
{
	static const char ins[] =
		"INSERT INTO transfers (release, member, author, seq, "
		"from_org, from_cell, to_org, to_cell, letter_no, "
		"letter_date, released_on, reason, state) VALUES (?, ?, ?, ?, "
		"?, ?, ?, ?, ?, ?, ?, ?, 'in-transit')";
	const char *id = pj_str(c->b, "member"), *to = pj_str(c->b, "to_org");
	const char *to_cell = pj_str(c->b, "to_cell"), *on = pj_str(c->b, "on");
	char since[11];
	json_t *m = NULL;
	struct cb_stmt *s;
	cb_err rc = pj_member_writable(c, id, &m);

	if (rc)
		return rc;
	if ((rc = letter_valid(c, id, m, "a release")))
		goto out;
	if ((rc = official_since(c, id, since)))
		goto out;
	if (since[0] && strcmp(on, since) < 0) {
		rc = pj_reject(
			c, _("released on %s, before joining cell '%s' on %s"),
			on, pj_str(m, "cell"), since);
		goto out;
	}
	if ((rc = pj_not_future(c, N_("release date"), on)) ||
	    (rc = pj_not_future(c, N_("letter date"),
	                        pj_str(c->b, "letter_date"))))
		goto out;
	if ((rc = membership_close_official(c, id, on)) ||
	    (rc = set_transit(c, id, c->id)))
		goto out;
	if (!(s = cb_sql(c->st, ins, c->eb))) {
		rc = CB_EIO;
		goto out;
	}
	cb_sql_bind_text(s, 1, c->id);
	cb_sql_bind_id(s, 2, id);
	cb_sql_bind_blob(s, 3, c->e->author, CB_KEY_BYTES);
	cb_sql_bind_int64(s, 4, (int64_t)c->e->seq);
	cb_sql_bind_text(s, 5, pj_str(m, "org"));
	cb_sql_bind_text(s, 6, pj_str(m, "cell"));
	cb_sql_bind_text(s, 7, to);
	cb_sql_bind_text(s, 8, to_cell);
	cb_sql_bind_text(s, 9, pj_str(c->b, "letter_no"));
	cb_sql_bind_text(s, 10, pj_str(c->b, "letter_date"));
	cb_sql_bind_text(s, 11, on);
	cb_sql_bind_text(s, 12, pj_str(c->b, "reason"));
	rc = cb_sql_write(s, c->eb);
out:
	json_decref(m);
	return rc;
}

struct transfer {
	char member[CB_HASH_HEX];
	char from_org[CB_CODE_MAX + 1];
	char from_cell[CB_CODE_MAX + 1];
	char to_org[CB_CODE_MAX + 1];
	char released_on[11];
	char state[16];
	char closed_by[CB_HASH_HEX];
	char letter_date[11];
};

/* The release an entry names: in its deps, held and applied. */
static cb_err
release_named(struct cb_apply *c, const char *what, struct transfer *t)
{
	static const char sql[] =
		"SELECT member, from_cell, to_org, released_on, state, "
		"coalesce(closed_by, ''), from_org, letter_date FROM "
		"transfers WHERE release = ?";
	const struct col cols[] = {
		{ t->member, sizeof(t->member) },
		{ t->from_cell, sizeof(t->from_cell) },
		{ t->to_org, sizeof(t->to_org) },
		{ t->released_on, sizeof(t->released_on) },
		{ t->state, sizeof(t->state) },
		{ t->closed_by, sizeof(t->closed_by) },
		{ t->from_org, sizeof(t->from_org) },
		{ t->letter_date, sizeof(t->letter_date) },
	};

	return pj_row_named(c, what, "release", "release", sql,
	                    "cannot read transfers", cols,
	                    sizeof(cols) / sizeof(cols[0]));
}

/* Is org (a grassroots organisation) the author's? CB_ESCOPE with why
 * otherwise. */
static cb_err
org_owned(struct cb_apply *c, const char *org, const char *what, const char *id)
{
	struct org o;
	cb_err rc = pj_org_get(c, org, &o);

	if (rc && rc != CB_ENOTFOUND)
		return rc;
	if (rc || !o.owned)
		return pj_out_of_scope(
			c,
			_("%s %.12s is addressed to '%s', not to "
		          "this key's organisation"),
			what, id, org);
	return CB_OK;
}

/* The release an answer (acceptance or decline) names: in its deps, held
 * and applied, addressed to an organisation of the author's, still in
 * transit. */
static cb_err
answerable(struct cb_apply *c, const char *what, struct transfer *t)
{
	const char *rid = pj_str(c->b, "release");
	cb_err rc = release_named(c, what, t);

	/* addressed to a commune merged since: its successor answers */
	if (!rc)
		rc = pj_org_successor(c, t->to_org, t->to_org);
	if (!rc)
		rc = org_owned(c, t->to_org, "release", rid);
	if (rc)
		return rc;
	if (strcmp(t->state, "in-transit"))
		return pj_reject(
			c, _("release %.12s was already %s by entry %.12s"),
			rid, t->state, t->closed_by);
	return CB_OK;
}

static cb_err
close_transfer(struct cb_apply *c, const char *state, const char *on,
               const char *cell)
{
	static const char sql[] =
		"UPDATE transfers SET state = ?, closed_by = ?, closed_on = ?, "
		"cell = ? WHERE release = ?";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, state);
	cb_sql_bind_text(s, 2, c->id);
	cb_sql_bind_text(s, 3, on);
	cb_sql_bind_text(s, 4, cell);
	cb_sql_bind_text(s, 5, pj_str(c->b, "release"));
	return cb_sql_write(s, c->eb);
}

cb_err
cb_apply_member_accept(struct cb_apply *c)
{
	const char *cell = pj_str(c->b, "cell"),
		   *on = pj_str(c->b, "reported_on");
	struct transfer t;
	json_t *m = NULL;
	struct org o;
	int owned;
	cb_err rc = answerable(c, "an acceptance", &t);

	if (rc)
		return rc;
	if ((rc = pj_org_writable(c, cell, "cell", &o)))
		return rc;
	if (strcmp(o.parent, t.to_org))
		return pj_reject(c, _("cell '%s' is not a cell of '%s'"), cell,
		                 t.to_org);
	if (strcmp(on, t.released_on) < 0)
		return pj_reject(c,
		                 _("reported on %s, before the release on %s"),
		                 on, t.released_on);
	if ((rc = pj_not_future(c, N_("report date"), on)))
		return rc;
	if ((rc = pj_member_get(c, t.member, &m, &owned)))
		return rc == CB_ENOTFOUND
		               ? pj_reject(c, _("no member %.12s"), t.member)
		               : rc;
	json_object_set_new(m, "org", json_string(t.to_org));
	rc = move_to_cell(c, t.member, m, cell, on);
	if (!rc)
		rc = set_transit(c, t.member, NULL);
	if (!rc)
		rc = close_transfer(c, "accepted", on, cell);
	json_decref(m);
	return rc;
}

cb_err
cb_apply_member_decline(struct cb_apply *c)
{
	const char *on = pj_str(c->b, "on");
	struct transfer t;
	cb_err rc = answerable(c, "a decline", &t);

	if (rc)
		return rc;
	if (strcmp(on, t.released_on) < 0)
		return pj_reject(c,
		                 _("declined on %s, before the release on %s"),
		                 on, t.released_on);
	if ((rc = pj_not_future(c, N_("decline date"), on)))
		return rc;
	/* The member returns to the cell they left. */
	if ((rc = pj_membership_open(c, t.member, t.from_cell, "official",
	                             on)) ||
	    (rc = set_transit(c, t.member, NULL)))
		return rc;
	return close_transfer(c, "declined", on, NULL);
}

/* date shifted by an SQLite modifier ("+3 months"): the same arithmetic
 * as the reports', into out. */
static cb_err
date_shift(struct cb_apply *c, const char *date, const char *modifier,
           char out[11])
{
	static const char sql[] = "SELECT date(?, ?)";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, date);
	cb_sql_bind_text(s, 2, modifier);
	r = cb_sql_step(s);
	out[0] = 0;
	if (r == CB_SQL_ROW && !cb_sql_column_null(s, 0))
		snprintf(out, 11, "%s", cb_sql_column_text(s, 0));
	cb_sql_reset(s);
	return r == CB_SQL_ROW && out[0]
	               ? CB_OK
	               : cb_store_error(c->st, c->eb, "cannot shift a date");
}

/* The superior committee's office marks a release that went unanswered
 * for three months: the member is struck off for abandoning party
 * activity. A mark, not an answer (schema/010): it never depends on
 * whether the receiver's answer has arrived, so every replica agrees. */
cb_err
cb_apply_member_strike_off(struct cb_apply *c)
{
	static const char upd[] =
		"UPDATE transfers SET struck_by = ?1, struck_no = ?2, "
		"struck_on = ?3 WHERE release = ?4 AND (struck_by IS NULL OR "
		"struck_by > ?1)";
	const char *on = pj_str(c->b, "on"), *rid = pj_str(c->b, "release");
	char after[11];
	struct transfer t;
	struct cb_stmt *s;
	bool yes;
	cb_err rc = release_named(c, "a strike-off", &t);

	if (rc)
		return rc;
	if ((rc = pj_office_above(c, t.from_org, &yes)))
		return rc;
	if (!yes)
		return pj_out_of_scope(
			c,
			_("only the office of a committee above '%s' "
		          "strikes off a member it released"),
			t.from_org);
	if ((rc = date_shift(c, t.letter_date, CB_LAPSE_MODIFIER, after)))
		return rc;
	if (strcmp(on, after) <= 0)
		return pj_reject(
			c,
			_("struck off on %s: the letter of %s is not over "
		          "three months old until after %s"),
			on, t.letter_date, after);
	if ((rc = pj_not_future(c, N_("strike-off date"), on)))
		return rc;
	if (!(s = cb_sql(c->st, upd, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, c->id);
	cb_sql_bind_text(s, 2, pj_str(c->b, "decision_no"));
	cb_sql_bind_text(s, 3, on);
	cb_sql_bind_text(s, 4, rid);
	return cb_sql_write(s, c->eb);
}

/* --- temporary transfers --------------------------------------------- */

struct temporary {
	char member[CB_HASH_HEX];
	char to_org[CB_CODE_MAX + 1];
	char since[11], until[11];
	char state[16];
	char accepted_by[CB_HASH_HEX];
	char reported_on[11];
	char ended_by[CB_HASH_HEX];
	char ended_on[11];
};

/* The letter an entry of the receiver names: in its deps, applied, and
 * addressed to an organisation of the author's. */
static cb_err
temporary_named(struct cb_apply *c, const char *what, struct temporary *t)
{
	static const char sql[] =
		"SELECT member, to_org, since, until, state, "
		"coalesce(accepted_by, ''), coalesce(reported_on, ''), "
		"coalesce(ended_by, ''), coalesce(ended_on, '') FROM "
		"temporaries WHERE id = ?";
	const struct col cols[] = {
		{ t->member, sizeof(t->member) },
		{ t->to_org, sizeof(t->to_org) },
		{ t->since, sizeof(t->since) },
		{ t->until, sizeof(t->until) },
		{ t->state, sizeof(t->state) },
		{ t->accepted_by, sizeof(t->accepted_by) },
		{ t->reported_on, sizeof(t->reported_on) },
		{ t->ended_by, sizeof(t->ended_by) },
		{ t->ended_on, sizeof(t->ended_on) },
	};
	cb_err rc = pj_row_named(c, what, "temporary transfer", "temporary",
	                         sql, "cannot read temporaries", cols,
	                         sizeof(cols) / sizeof(cols[0]));

	/* addressed to a commune merged since: its successor answers */
	if (!rc)
		rc = pj_org_successor(c, t->to_org, t->to_org);
	return rc ? rc
	          : org_owned(c, t->to_org, "temporary transfer",
	                      pj_str(c->b, "temporary"));
}

/* A letter for how long: at least three months; under a year for work
 * or residence, at most two years for study (DOMAIN.md). */
static cb_err
temporary_length(struct cb_apply *c, const char *since, const char *until,
                 const char *purpose)
{
	char min[11], max[11];
	bool study = !strcmp(purpose, "study");
	cb_err rc;

	if ((rc = date_shift(c, since, "+3 months", min)) ||
	    (rc = date_shift(c, since, study ? "+2 years" : "+1 year", max)))
		return rc;
	if (strcmp(until, min) < 0)
		return pj_reject(c,
		                 _("a temporary transfer lasts three months or "
		                   "more: %s to %s is shorter"),
		                 since, until);
	if (study ? strcmp(until, max) > 0 : strcmp(until, max) >= 0)
		return pj_reject(
			c,
			_("a temporary transfer for %s lasts %s: %s to %s "
		          "is longer"),
			purpose, study ? "at most two years" : "under a year",
			since, until);
	return CB_OK;
}

cb_err
cb_apply_member_temporary(struct cb_apply *c)
{
	static const char overlap[] =
		"SELECT id, to_org, since, until FROM temporaries WHERE "
		"member = ?1 AND author = ?2 AND since < ?4 AND until > ?3 "
		"LIMIT 1";
	static const char ins[] =
		"INSERT INTO temporaries (id, member, author, seq, from_org, "
		"to_org, to_cell, letter_no, letter_date, since, until, "
		"purpose, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"'issued')";
	const char *id = pj_str(c->b, "member"), *to = pj_str(c->b, "to_org");
	const char *to_cell = pj_str(c->b, "to_cell");
	const char *since = pj_str(c->b, "since"),
		   *until = pj_str(c->b, "until");
	json_t *m = NULL;
	struct cb_stmt *s;
	cb_err rc = pj_member_writable(c, id, &m);

	if (rc)
		return rc;
	if ((rc = letter_valid(c, id, m, "a temporary transfer")))
		goto out;
	if ((rc = temporary_length(c, since, until, pj_str(c->b, "purpose"))) ||
	    (rc = pj_not_future(c, N_("letter date"),
	                        pj_str(c->b, "letter_date"))))
		goto out;
	if (!(s = cb_sql(c->st, overlap, c->eb))) {
		rc = CB_EIO;
		goto out;
	}
	cb_sql_bind_id(s, 1, id);
	cb_sql_bind_blob(s, 2, c->e->author, CB_KEY_BYTES);
	cb_sql_bind_text(s, 3, since);
	cb_sql_bind_text(s, 4, until);
	if (cb_sql_step(s) == CB_SQL_ROW) {
		char other[CB_HASH_HEX], org[CB_CODE_MAX + 1], a[11], b[11];
		const struct col cols[] = {
			{ other, sizeof(other) },
			{ org, sizeof(org) },
			{ a, sizeof(a) },
			{ b, sizeof(b) },
		};

		pj_row_cols(s, cols, sizeof(cols) / sizeof(cols[0]));
		cb_sql_reset(s);
		rc = pj_reject(
			c,
			_("member %.12s already has a temporary transfer to "
		          "'%s' from %s to %s (entry %.12s)"),
			id, org, a, b, other);
		goto out;
	}
	cb_sql_reset(s);
	if (!(s = cb_sql(c->st, ins, c->eb))) {
		rc = CB_EIO;
		goto out;
	}
	cb_sql_bind_text(s, 1, c->id);
	cb_sql_bind_id(s, 2, id);
	cb_sql_bind_blob(s, 3, c->e->author, CB_KEY_BYTES);
	cb_sql_bind_int64(s, 4, (int64_t)c->e->seq);
	cb_sql_bind_text(s, 5, pj_str(m, "org"));
	cb_sql_bind_text(s, 6, to);
	cb_sql_bind_text(s, 7, to_cell);
	cb_sql_bind_text(s, 8, pj_str(c->b, "letter_no"));
	cb_sql_bind_text(s, 9, pj_str(c->b, "letter_date"));
	cb_sql_bind_text(s, 10, since);
	cb_sql_bind_text(s, 11, until);
	cb_sql_bind_text(s, 12, pj_str(c->b, "purpose"));
	rc = cb_sql_write(s, c->eb);
out:
	json_decref(m);
	return rc;
}

/* The receiver lists the member in a cell as temporary from the day they
 * reported to the letter's end. */
cb_err
cb_apply_member_temporary_accept(struct cb_apply *c)
{
	static const char stay[] =
		"INSERT INTO memberships (member, cell, kind, since, until, "
		"entry) VALUES (" PJ_MKEY ", ?, 'temporary', ?, ?, ?)";
	static const char upd[] =
		"UPDATE temporaries SET state = 'accepted', accepted_by = ?, "
		"cell = ?, reported_on = ? WHERE id = ?";
	const char *cell = pj_str(c->b, "cell"),
		   *on = pj_str(c->b, "reported_on");
	struct temporary t;
	struct org o;
	struct cb_stmt *s;
	cb_err rc = temporary_named(c, "an acceptance", &t);

	if (rc)
		return rc;
	if (strcmp(t.state, "issued"))
		return pj_reject(
			c,
			_("temporary transfer %.12s was already accepted "
		          "by entry %.12s"),
			pj_str(c->b, "temporary"), t.accepted_by);
	if ((rc = pj_org_writable(c, cell, "cell", &o)))
		return rc;
	if (strcmp(o.parent, t.to_org))
		return pj_reject(c, _("cell '%s' is not a cell of '%s'"), cell,
		                 t.to_org);
	if (strcmp(on, t.since) < 0 || strcmp(on, t.until) >= 0)
		return pj_reject(
			c, _("reported on %s, outside the letter's %s to %s"),
			on, t.since, t.until);
	if ((rc = pj_not_future(c, N_("report date"), on)))
		return rc;
	if (!(s = cb_sql(c->st, stay, c->eb)))
		return CB_EIO;
	cb_sql_bind_id(s, 1, t.member);
	cb_sql_bind_text(s, 2, cell);
	cb_sql_bind_text(s, 3, on);
	cb_sql_bind_text(s, 4, t.until);
	cb_sql_bind_blob(s, 5, c->e->id, CB_HASH_BYTES);
	if ((rc = cb_sql_write(s, c->eb)))
		return rc;
	if (!(s = cb_sql(c->st, upd, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, c->id);
	cb_sql_bind_text(s, 2, cell);
	cb_sql_bind_text(s, 3, on);
	cb_sql_bind_text(s, 4, pj_str(c->b, "temporary"));
	return cb_sql_write(s, c->eb);
}

/* The receiver ends a temporary stay before the letter's end. */
cb_err
cb_apply_member_temporary_end(struct cb_apply *c)
{
	static const char stay[] =
		"UPDATE memberships SET until = ? WHERE entry = ? AND kind = "
		"'temporary'";
	static const char upd[] = "UPDATE temporaries SET ended_by = ?, "
				  "ended_on = ? WHERE id = ?";
	const char *on = pj_str(c->b, "on"), *id = pj_str(c->b, "temporary");
	unsigned char accepted[CB_HASH_BYTES];
	struct temporary t;
	struct cb_stmt *s;
	cb_err rc = temporary_named(c, "an ending", &t);

	if (rc)
		return rc;
	if (strcmp(t.state, "accepted"))
		return pj_reject(
			c, _("temporary transfer %.12s was not accepted"), id);
	if (t.ended_by[0])
		return pj_reject(
			c,
			_("temporary transfer %.12s already ended on %s "
		          "(entry %.12s)"),
			id, t.ended_on, t.ended_by);
	if (strcmp(on, t.reported_on) < 0 || strcmp(on, t.until) >= 0)
		return pj_reject(c,
		                 _("ended on %s: the stay runs from %s to %s"),
		                 on, t.reported_on, t.until);
	if ((rc = pj_not_future(c, N_("end date"), on)))
		return rc;
	if (cb_hex_decode(t.accepted_by, accepted, sizeof(accepted), NULL))
		return pj_reject(
			c, _("temporary transfer %.12s has no acceptance"), id);
	if (!(s = cb_sql(c->st, stay, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, on);
	cb_sql_bind_blob(s, 2, accepted, CB_HASH_BYTES);
	if ((rc = cb_sql_write(s, c->eb)))
		return rc;
	if (!(s = cb_sql(c->st, upd, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, c->id);
	cb_sql_bind_text(s, 2, on);
	cb_sql_bind_text(s, 3, id);
	return cb_sql_write(s, c->eb);
}

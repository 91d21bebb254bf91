/* SPDX-License-Identifier: MIT */
/* project_meeting.c — the projection (project.h) of cell meetings: the
 * record, its attendance and corrections. */
#include "project_int.h"
#include "sql.h"

/* A member's key (schemas 033, 034) from its id at ?1 */
#define MKEY_1 CB_SQL_MKEY("?1")

/* Was member in cell (officially or temporarily) on date? */
static cb_err
in_cell_on(struct cb_apply *c, const char *member, const char *cell,
           const char *date, bool *yes)
{
	static const char sql[] =
		"SELECT 1 FROM memberships WHERE member = " MKEY_1 " AND cell "
		"= ?2 AND since <= ?3 AND (until IS NULL OR until > ?3) "
		"LIMIT 1";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_id(s, 1, member);
	cb_sql_bind_text(s, 2, cell);
	cb_sql_bind_text(s, 3, date);
	r = cb_sql_step(s);
	cb_sql_reset(s);
	if (r != CB_SQL_ROW && r != CB_SQL_DONE)
		return cb_store_error(c->st, c->eb, "cannot read memberships");
	*yes = r == CB_SQL_ROW;
	return CB_OK;
}

/* How many of the members the attendance names were in no membership of
 * cell on date: one statement for the whole list, where asking member by
 * member would be thirty round trips a meeting on a server engine. att is
 * the attendance object as JSON text; both engines read it with
 * json_each, whose key column is a member's id. The cell's members that
 * day are read once, through the cell's stays (memberships_cell_since)
 * and the members' keys, not each name through the log's index of ids:
 * thirty lookups at random places of the largest index a meeting. */
static cb_err
count_not_in_cell(struct cb_apply *c, const char *att, const char *cell,
                  const char *date, long long *n)
{
	static const char sql[] =
		"SELECT count(*) FROM json_each(?1) AS a WHERE "
		"chibo_unhex(a.key) NOT IN (SELECT m.id FROM memberships s "
		"JOIN members m ON m.mkey = s.member WHERE s.cell = ?2 AND "
		"s.since <= ?3 AND (s.until IS NULL OR s.until > ?3))";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, att);
	cb_sql_bind_text(s, 2, cell);
	cb_sql_bind_text(s, 3, date);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW)
		*n = cb_sql_column_int64(s, 0);
	cb_sql_reset(s);
	if (r != CB_SQL_ROW)
		return cb_store_error(c->st, c->eb, "cannot read memberships");
	return CB_OK;
}

/* Reject the record unless everyone its attendance names was in cell on
 * date; the first who was not (in the body's order) is named. */
static cb_err
attendance_in_cell(struct cb_apply *c, const json_t *att, const char *cell,
                   const char *date)
{
	long long missing = 0;
	const char *k;
	json_t *v;
	char *text;
	cb_err rc;

	if (!json_object_size(att))
		return CB_OK;
	if (!(text = json_dumps(att, JSON_COMPACT)))
		return cb_error(c->eb, CB_ENOMEM, _("out of memory"));
	rc = count_not_in_cell(c, text, cell, date, &missing);
	free(text);
	if (rc || !missing)
		return rc;
	json_object_foreach((json_t *)att, k, v)
	{
		bool yes = false;

		if ((rc = in_cell_on(c, k, cell, date, &yes)))
			return rc;
		if (!yes)
			return pj_reject(
				c,
				_("attendance names member %.12s, who was "
			          "not in cell '%s' on %s"),
				k, cell, date);
	}
	/* the count and the member-by-member look disagree: the store
	 * changed under the transaction, which only a fault does */
	return cb_error(c->eb, CB_EIO,
	                _("memberships of cell '%s' read two ways"), cell);
}

/* qsort's order of two member ids as text: their bytes' order */
static int
by_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The ids of the members att marks excused, as meeting_marks keeps them
 * (schema 036): 64 lowercase hex digits each — the one form
 * cb_ops_check admits, before the projection — in the order of their
 * bytes, nothing between; into *out, empty when none. */
static cb_err
excused_ids(struct cb_apply *c, const json_t *att, struct cb_buf *out)
{
	size_t n = 0, cap = json_object_size(att);
	char(*ids)[CB_HASH_HEX] = cap ? malloc(cap * sizeof(*ids)) : NULL;
	cb_err rc = CB_OK;
	const char *k;
	json_t *v;

	if (cap && !ids)
		return cb_error(c->eb, CB_ENOMEM, _("out of memory"));
	json_object_foreach((json_t *)att, k, v)
	{
		if (!strcmp(json_string_value(v), "excused"))
			memcpy(ids[n++], k, CB_HASH_HEX);
	}
	qsort(ids, n, sizeof(*ids), by_id);
	for (size_t i = 0; i < n && !rc; i++)
		rc = cb_buf_add(out, ids[i], CB_HASH_HEX - 1);
	if (!rc && n)
		rc = cb_buf_add(out, "", 1);
	free(ids);
	return rc ? cb_error(c->eb, CB_ENOMEM, _("out of memory")) : CB_OK;
}

cb_err
cb_apply_meeting_record(struct cb_apply *c)
{
	static const char find[] =
		"SELECT id, cell, versions FROM meetings WHERE entry = ?";
	static const char ins[] =
		"INSERT INTO meetings (cell, date, kind, duration_min, chair, "
		"clerk, observers, content, resolutions, rating, versions, "
		"entry, id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
		"ON CONFLICT (id) DO UPDATE SET cell = excluded.cell, "
		"date = excluded.date, kind = excluded.kind, "
		"duration_min = excluded.duration_min, chair = excluded.chair, "
		"clerk = excluded.clerk, observers = excluded.observers, "
		"content = excluded.content, "
		"resolutions = excluded.resolutions, rating = excluded.rating, "
		"versions = excluded.versions, entry = excluded.entry";
	static const char del_att[] =
		"DELETE FROM attendance WHERE meeting = ?";
	/* the attendance, one statement for each mark given: those
	 * members' ids as the keys of a JSON object (json_each, as
	 * count_not_in_cell reads them), where a row each was thirty
	 * statements a meeting */
	static const char ins_att[] =
		"INSERT INTO attendance (meeting, member, mark) SELECT ?1, "
		"chibo_unhex(a.key), ?3 FROM json_each(?2) AS a";
	/* the reports' tally of the marks (schema 024), in the cell's
	 * order with the excused members' ids (schema 036); a correction
	 * keeps the cell */
	static const char tally[] =
		"INSERT INTO meeting_marks (meeting, cell, date, kind, "
		"present, excused, unexcused, excused_by) VALUES (?, ?, ?, ?, "
		"?, ?, ?, ?) ON CONFLICT (meeting) DO UPDATE SET date = "
		"excluded.date, kind = excluded.kind, present = "
		"excluded.present, excused = excluded.excused, unexcused = "
		"excluded.unexcused, excused_by = excluded.excused_by";
	/* (every key a member id and every mark one of
	 * cb_attendance_marks: cb_ops_check, before the projection) */
	static const char *const tallied[3] = { "present", "excused",
		                                "unexcused" };
	long long marks[3] = { 0 };
	struct cb_buf by = CB_BUF_INIT;
	const char *cell = pj_str(c->b, "cell"), *date = pj_str(c->b, "date");
	const char *sup = pj_str(c->b, "supersedes"), *k;
	const json_t *att = json_object_get(c->b, "attendance");
	char mid[CB_HASH_HEX];
	const char *roles[2] = { "chair", "clerk" };
	int versions = 1;
	struct org o;
	struct cb_stmt *s;
	json_t *v;
	char *obs;
	cb_err rc = pj_org_writable(c, cell, "cell", &o);

	if (rc)
		return rc;
	if ((rc = pj_not_future(c, N_("meeting date"), date)))
		return rc;
	snprintf(mid, sizeof(mid), "%s", c->id);
	if (sup) {
		unsigned char h[CB_HASH_BYTES];

		if (cb_hex_decode(sup, h, sizeof(h), NULL))
			return pj_reject(c, _("supersedes is not an entry id"));
		if (!(s = cb_sql(c->st, find, c->eb)))
			return CB_EIO;
		cb_sql_bind_blob(s, 1, h, sizeof(h));
		if (cb_sql_step(s) != CB_SQL_ROW) {
			cb_sql_reset(s);
			return pj_reject(c,
			                 _("supersedes %.12s, which is not the "
			                   "current record of a meeting"),
			                 sup);
		}
		snprintf(mid, sizeof(mid), "%s", cb_sql_column_text(s, 0));
		if (strcmp(cb_sql_column_text(s, 1), cell)) {
			cb_sql_reset(s);
			return pj_reject(
				c, _("a correction cannot move a meeting to "
			             "another cell"));
		}
		versions = cb_sql_column_int64(s, 2) + 1;
		cb_sql_reset(s);
	}
	if ((rc = attendance_in_cell(c, att, cell, date)))
		return rc;
	for (int i = 0; i < 2; i++) {
		const char *who = pj_str(c->b, roles[i]);
		const char *mark = who ? pj_str(att, who) : NULL;

		if (who && (!mark || strcmp(mark, "present") != 0))
			return pj_reject(
				c, _("the %s %.12s is not marked present"),
				roles[i], who);
	}
	obs = json_object_get(c->b, "observers")
	              ? json_dumps(json_object_get(c->b, "observers"),
	                           JSON_COMPACT | JSON_SORT_KEYS)
	              : NULL;
	if (!(s = cb_sql(c->st, ins, c->eb))) {
		free(obs);
		return CB_EIO;
	}
	cb_sql_bind_text(s, 1, cell);
	cb_sql_bind_text(s, 2, date);
	cb_sql_bind_text(s, 3, pj_str(c->b, "kind"));
	cb_sql_bind_int64(
		s, 4,
		json_integer_value(json_object_get(c->b, "duration_min")));
	cb_sql_bind_id(s, 5, pj_str(c->b, "chair"));
	cb_sql_bind_id(s, 6, pj_str(c->b, "clerk"));
	cb_sql_bind_text(s, 7, obs ? obs : "[]");
	cb_sql_bind_text(
		s, 8, pj_str(c->b, "content") ? pj_str(c->b, "content") : "");
	cb_sql_bind_text(
		s, 9,
		pj_str(c->b, "resolutions") ? pj_str(c->b, "resolutions") : "");
	cb_sql_bind_text(s, 10, pj_str(c->b, "rating"));
	cb_sql_bind_int64(s, 11, versions);
	cb_sql_bind_blob(s, 12, c->e->id, CB_HASH_BYTES);
	cb_sql_bind_text(s, 13, mid);
	rc = cb_sql_write(s, c->eb);
	free(obs);
	if (rc)
		return rc;
	if (!(s = cb_sql(c->st, del_att, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, mid);
	if ((rc = cb_sql_write(s, c->eb)))
		return rc;
	for (size_t i = 0; cb_attendance_marks[i]; i++) {
		json_t *who = json_object();
		char *text = NULL;
		long long n = 0;

		json_object_foreach((json_t *)att, k, v)
		{
			if (strcmp(json_string_value(v),
			           cb_attendance_marks[i]))
				continue;
			if (!who || json_object_set_new(who, k, json_null()))
				break;
			n++;
		}
		if (n && who && json_object_size(who) == (size_t)n)
			text = json_dumps(who, JSON_COMPACT);
		json_decref(who);
		if (n && !text)
			return cb_error(c->eb, CB_ENOMEM, _("out of memory"));
		for (size_t j = 0; j < 3; j++)
			if (!strcmp(cb_attendance_marks[i], tallied[j]))
				marks[j] = n;
		if (!n)
			continue;
		if (!(s = cb_sql(c->st, ins_att, c->eb))) {
			free(text);
			return CB_EIO;
		}
		cb_sql_bind_text(s, 1, mid);
		cb_sql_bind_text(s, 2, text);
		cb_sql_bind_text(s, 3, cb_attendance_marks[i]);
		rc = cb_sql_write(s, c->eb);
		free(text);
		if (rc)
			return rc;
	}
	if ((rc = excused_ids(c, att, &by)))
		return rc;
	if (!(s = cb_sql(c->st, tally, c->eb))) {
		cb_buf_release(&by);
		return CB_EIO;
	}
	cb_sql_bind_text(s, 1, mid);
	cb_sql_bind_text(s, 2, cell);
	cb_sql_bind_text(s, 3, date);
	cb_sql_bind_text(s, 4, pj_str(c->b, "kind"));
	for (int i = 0; i < 3; i++)
		cb_sql_bind_int64(s, 5 + i, marks[i]);
	cb_sql_bind_text(s, 8, by.len ? (const char *)by.data : "");
	cb_buf_release(&by);
	return cb_sql_write(s, c->eb);
}

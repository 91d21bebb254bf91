/* SPDX-License-Identifier: MIT */
/* project_rating.c — the projection (project.h) of ratings of members and
 * organisations. */
#include "project_int.h"
#include "sql.h"

static const char *
level_of_score(json_int_t score)
{
	return score >= 90   ? "outstanding"
	       : score >= 70 ? "good"
	       : score >= 50 ? "completed"
	                     : "not-completed";
}

cb_err
cb_apply_rating_record(struct cb_apply *c)
{
	static const char sql[] =
		"INSERT INTO ratings (subject_kind, subject, period, stage, "
		"level, score, note, entry) VALUES (?,?,?,?,?,?,?,?) "
		"ON CONFLICT (subject_kind, subject, period, stage) DO UPDATE "
		"SET level = excluded.level, score = excluded.score, "
		"note = excluded.note, entry = excluded.entry";
	const char *kind = pj_str(c->b, "subject_kind");
	const char *subject = pj_str(c->b, "subject");
	const char *period = pj_str(c->b, "period"),
		   *level = pj_str(c->b, "level");
	const json_t *score = json_object_get(c->b, "score");
	char start[11];
	struct cb_stmt *s;
	cb_err rc;

	if (strcmp(kind, "member") == 0) {
		json_t *m = NULL;

		if ((rc = pj_member_writable(c, subject, &m)))
			return rc;
		json_decref(m);
	} else {
		struct org o;

		if ((rc = pj_org_writable(c, subject, NULL, &o)))
			return rc;
	}
	if (score && strcmp(level_of_score(json_integer_value(score)), level))
		return pj_reject(c, _("a score of %lld is rated %s, not %s"),
		                 (long long)json_integer_value(score),
		                 level_of_score(json_integer_value(score)),
		                 level);
	/* The period must have begun: its first day. */
	memcpy(start, period, 4);
	memcpy(start + 4, "-01-01", 7);
	if (period[4] == '-' && period[5] == 'Q') {
		int month = (period[6] - '1') * 3 + 1;

		start[5] = (char)('0' + month / 10);
		start[6] = (char)('0' + month % 10);
	} else if (period[4] == '-') {
		start[5] = period[5];
		start[6] = period[6];
	}
	if (strcmp(start, c->today) > 0)
		return pj_reject(c, _("period %s has not begun on %s"), period,
		                 c->today);
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, kind);
	if (strcmp(kind, "member") == 0)
		cb_sql_bind_id(s, 2, subject);
	else
		cb_sql_bind_text(s, 2, subject);
	cb_sql_bind_text(s, 3, period);
	cb_sql_bind_text(s, 4, pj_str(c->b, "stage"));
	cb_sql_bind_text(s, 5, level);
	if (score)
		cb_sql_bind_int64(s, 6, json_integer_value(score));
	cb_sql_bind_text(s, 7, pj_str(c->b, "note"));
	cb_sql_bind_blob(s, 8, c->e->id, CB_HASH_BYTES);
	return cb_sql_write(s, c->eb);
}

/* SPDX-License-Identifier: MIT */
/* report_query.c — the reports of report.h, each a few SQL queries over
 * the projection tables that fill a report (report_model.c); printing is
 * report_render.c's. Counts are exact integers; percentages are rounded to
 * one decimal only when printed. */
#include "report_int.h"
#include "sql.h"
#include "scope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"
#include "date.h"
#include "entry.h"
#include "words.h"
#include "ops.h"

static cb_err
fail_sql(struct cb_store *st, struct cb_errbuf *eb)
{
	return cb_store_error(st, eb, "cannot compute the report");
}

#define LIVE "status IN ('probationary', 'official', 'exempt')"

cb_err
cb_report_membership(struct cb_store *st, const char *root, const char *on,
                     struct cb_report *out, struct cb_errbuf *eb)
{
	static const char *const cols[] = { N_("GROUP"), N_("VALUE"),
		                            N_("MEMBERS") };
	static const char *const bands[][3] = {
		{ N_("under 30"), "0", "29" },
		{ "30-39", "30", "39" },
		{ "40-49", "40", "49" },
		{ "50-59", "50", "59" },
		{ N_("60 and over"), "60", "999" },
	};
	/* The tally of the subtree's members (schema 032): a few rows an
	 * organisation and one a cell, whatever their size, the cells'
	 * added up by kind. Members count under their organisation, never
	 * a cell, so the walk leaves the cells out. */
#define ORG_SUBTREE                                                            \
	"WITH RECURSIVE sub(code) AS (SELECT :root UNION SELECT o.code FROM "  \
	"orgs o JOIN sub ON o.parent = sub.code WHERE o.level <> 'cell') "
	static const char tally[] = ORG_SUBTREE
		"SELECT dim, value, sum(n) FROM member_tally WHERE org IN sub "
		"AND dim <> 'cell' GROUP BY dim, value UNION ALL "
		"SELECT 'kind', o.kind, sum(t.n) FROM member_tally t JOIN orgs "
		"o ON o.code = t.value WHERE t.dim = 'cell' AND t.org IN sub "
		"GROUP BY o.kind";
	/* A year of birth whose members' ages on the day fall in two bands
	 * (or in none and one): those born after the day's month and day,
	 * one year younger, counted one by one (members_org_born). */
	static const char later[] =
		ORG_SUBTREE "SELECT count(*) FROM members m WHERE m.org IN sub "
			    "AND m.birth_date > ?2 AND m.birth_date < ?3 AND "
			    "m.status NOT IN ('struck-off', 'expelled', "
			    "'resigned', 'deceased')";
#undef ORG_SUBTREE
	enum { NSTATUS = 16, NKIND = 16, NWORK = 16, NBAND = 5 };
	long long by_status[NSTATUS] = { 0 }, by_kind[NKIND] = { 0 },
		  by_work[NWORK] = { 0 }, by_age[NBAND] = { 0 };
	struct cb_stmt *s = NULL;
	struct cb_report r;
	json_t *j;
	char num[32];
	long long live = 0;
	size_t nwork = 0, nyear = 0, ayear = 0;
	long long lo[NBAND], hi[NBAND]; /* the bands' ages, read once */
	struct {
		int year;
		long long n;
	} *years = NULL; /* the 'born' rows, counted once the tally is read */
	int step;
	cb_err rc;

	for (size_t i = 0; i < NBAND; i++)
		lo[i] = atoi(bands[i][1]), hi[i] = atoi(bands[i][2]);
	while (nwork < NWORK - 1 && cb_work_categories[nwork])
		nwork++;
	if ((rc = rp_init(&r, N_("Membership"), 3, cols)))
		goto nomem;
	if (cb_sql_prepare(st, tally, &s, NULL)) {
		rc = fail_sql(st, eb);
		goto out;
	}
	cb_scope_bind_root(s, root);
	while ((step = cb_sql_step(s)) == CB_SQL_ROW) {
		const char *dim = cb_sql_column_text(s, 0);
		const char *value = cb_sql_column_text(s, 1);
		long long n = cb_sql_column_int64(s, 2);
		size_t i;

		if (!strcmp(dim, "status")) {
			for (i = 0; i < NSTATUS && cb_member_statuses[i]; i++)
				if (!strcmp(value, cb_member_statuses[i])) {
					by_status[i] += n;
					break;
				}
		} else if (!strcmp(dim, "kind")) {
			for (i = 0; i < NKIND && cb_cell_kinds[i]; i++)
				if (!strcmp(value, cb_cell_kinds[i])) {
					by_kind[i] += n;
					break;
				}
		} else if (!strcmp(dim, "work")) {
			for (i = 0; i <= nwork; i++)
				if (!strcmp(value,
				            i < nwork ? cb_work_categories[i]
				                      : "unspecified")) {
					by_work[i] += n;
					break;
				}
		} else if (!strcmp(dim, "born")) {
			if (nyear == ayear) {
				void *p = realloc(years,
				                  (ayear = ayear * 2 + 64) *
				                          sizeof(*years));

				if (!p) {
					cb_sql_finalize(s);
					s = NULL;
					goto nomem;
				}
				years = p;
			}
			years[nyear].year = atoi(value);
			years[nyear++].n = n;
		}
	}
	cb_sql_finalize(s);
	s = NULL;
	if (step != CB_SQL_DONE) {
		rc = fail_sql(st, eb);
		goto out;
	}
	for (size_t y = 0; y < nyear; y++) {
		long long age = atoi(on) - years[y].year, younger = 0;
		int band = -1, band1 = -1; /* of age, and of age - 1 */
		char from[16], to[16];

		for (size_t i = 0; i < NBAND; i++) {
			if (age >= lo[i] && age <= hi[i])
				band = (int)i;
			if (age - 1 >= lo[i] && age - 1 <= hi[i])
				band1 = (int)i;
		}
		if (band != band1) {
			snprintf(from, sizeof(from), "%04d%s", years[y].year,
			         on + 4);
			snprintf(to, sizeof(to), "%04d", years[y].year + 1);
			if (cb_sql_prepare(st, later, &s, NULL)) {
				rc = fail_sql(st, eb);
				goto out;
			}
			cb_scope_bind_root(s, root);
			cb_sql_bind_text(s, 2, from);
			cb_sql_bind_text(s, 3, to);
			if (cb_sql_step(s) != CB_SQL_ROW) {
				rc = fail_sql(st, eb);
				goto out;
			}
			younger = cb_sql_column_int64(s, 0);
			cb_sql_finalize(s);
			s = NULL;
		}
		if (band >= 0)
			by_age[band] += years[y].n - younger;
		if (band1 >= 0)
			by_age[band1] += younger;
	}
	j = json_object();
	json_object_set_new(r.summary, "by_status", j);
	for (size_t i = 0; i < NSTATUS && cb_member_statuses[i]; i++) {
		long long n = by_status[i];

		if (!cb_status_terminal(cb_member_statuses[i]))
			live += n;
		json_object_set_new(j, cb_member_statuses[i], json_integer(n));
		rp_num(n, num);
		if (rp_row(&r, (const char *const[]){
				       C_("report group", "status"),
				       cb_words_label("status",
		                                      cb_member_statuses[i]),
				       num }))
			goto nomem;
	}
	json_object_set_new(r.summary, "live", json_integer(live));
	j = json_object();
	json_object_set_new(r.summary, "by_cell_kind", j);
	for (size_t i = 0; i < NKIND && cb_cell_kinds[i]; i++) {
		json_object_set_new(j, cb_cell_kinds[i],
		                    json_integer(by_kind[i]));
		rp_num(by_kind[i], num);
		if (rp_row(&r, (const char *const[]){
				       C_("report group", "cell kind"),
				       cb_words_label("cell kind",
		                                      cb_cell_kinds[i]),
				       num }))
			goto nomem;
	}
	j = json_object();
	json_object_set_new(r.summary, "by_work_category", j);
	for (size_t i = 0; i <= nwork; i++) {
		const char *w =
			i < nwork ? cb_work_categories[i] : "unspecified";

		json_object_set_new(j, w, json_integer(by_work[i]));
		rp_num(by_work[i], num);
		if (rp_row(&r,
		           (const char *const[]){
				   C_("report group", "work"),
				   cb_words_label("work category", w), num }))
			goto nomem;
	}
	j = json_object();
	json_object_set_new(r.summary, "by_age", j);
	for (size_t i = 0; i < NBAND; i++) {
		json_object_set_new(j, bands[i][0], json_integer(by_age[i]));
		rp_num(by_age[i], num);
		if (rp_row(&r, (const char *const[]){ C_("report group", "age"),
		                                      _(bands[i][0]), num }))
			goto nomem;
	}
	json_object_set_new(r.summary, "on", json_string(on));
	rp_grouped(live, num);
	if (rp_note(&r,
	            P_("%s live member (probationary, official or "
	               "exempt); ages on %s",
	               "%s live members (probationary, official or "
	               "exempt); ages on %s",
	               (unsigned long)live),
	            num, on))
		goto nomem;
	free(years);
	*out = r;
	return CB_OK;
nomem:
	rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
out:
	cb_sql_finalize(s);
	free(years);
	cb_report_release(&r);
	return rc;
}

cb_err
cb_report_congresses(struct cb_store *st, const char *root, const char *term,
                     struct cb_report *out, struct cb_errbuf *eb)
{
	static const char *const cols[] = { N_("CELL"), N_("NAME"), N_("KIND"),
		                            N_("HELD ON") };
	static const char sql[] = CB_SQL_SUBTREE
		"SELECT o.code, o.name, o.kind, c.held_on FROM orgs o "
		"LEFT JOIN congresses c ON c.org = o.code AND c.term = :term "
		"WHERE o.level = 'cell' AND o.state = 'active' AND o.code IN "
		"sub "
		"ORDER BY o.code";
	struct cb_report r;
	struct cb_stmt *s = NULL;
	long long held = 0, all = 0;
	char pct[48], g[2][32];
	cb_err rc;
	int step;

	if ((rc = rp_init(&r, N_("Congresses"), 4, cols)))
		goto nomem;
	if (cb_sql_prepare(st, sql, &s, NULL)) {
		rc = fail_sql(st, eb);
		goto out;
	}
	cb_sql_bind_named(s, ":term", term);
	cb_scope_bind_root(s, root);
	while ((step = cb_sql_step(s)) == CB_SQL_ROW) {
		const char *h = cb_sql_column_text(s, 3);

		all++;
		held += h != NULL;
		if (rp_row(&r, (const char *const[]){
				       cb_sql_column_text(s, 0),
				       cb_sql_column_text(s, 1),
				       cb_words_label("cell kind",
		                                      cb_sql_column_text(s, 2)),
				       h ? h : _("not held") }))
			goto nomem;
	}
	if (step != CB_SQL_DONE) {
		rc = fail_sql(st, eb);
		goto out;
	}
	cb_report_percent(held, all, pct);
	rp_grouped(held, g[0]);
	rp_grouped(all, g[1]);
	json_object_set_new(r.summary, "term", json_string(term));
	json_object_set_new(r.summary, "held", json_integer(held));
	json_object_set_new(r.summary, "cells", json_integer(all));
	json_object_set_new(r.summary, "percent", json_string(pct));
	if (rp_note(&r, _("%s/%s cells held their %s congress (%s)"), g[0],
	            g[1], term, pct))
		goto nomem;
	cb_sql_finalize(s);
	*out = r;
	return CB_OK;
nomem:
	rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
out:
	cb_sql_finalize(s);
	cb_report_release(&r);
	return rc;
}

cb_err
cb_report_ratings(struct cb_store *st, const char *root, const char *period,
                  struct cb_report *out, struct cb_errbuf *eb)
{
	static const char *const cols[] = { N_("SUBJECTS"), N_("LEVEL"),
		                            N_("COUNT"), N_("SHARE") };
	/* the tally of decided ratings by organisation (schema 025): a
	 * row per organisation and level, not one per member */
	static const char sql[] = CB_SQL_SUBTREE
		"SELECT subject_kind, level, sum(n) FROM rating_tally WHERE "
		"period = ?2 AND org IN sub GROUP BY subject_kind, level";
	static const char *const kinds[] = { "member", "org" };
	long long counts[2][4] = { { 0 } };
	struct cb_report r;
	struct cb_stmt *s = NULL;
	int step;
	cb_err rc;

	if ((rc = rp_init(&r, N_("Ratings"), 4, cols)))
		goto nomem;
	if (cb_sql_prepare(st, sql, &s, NULL)) {
		rc = fail_sql(st, eb);
		goto out;
	}
	cb_scope_bind_root(s, root);
	cb_sql_bind_text(s, 2, period);
	while ((step = cb_sql_step(s)) == CB_SQL_ROW)
		for (size_t k = 0; k < 2; k++)
			for (size_t l = 0; l < 4; l++)
				if (!strcmp(cb_sql_column_text(s, 0),
				            kinds[k]) &&
				    !strcmp(cb_sql_column_text(s, 1),
				            cb_rating_levels[l]))
					counts[k][l] =
						cb_sql_column_int64(s, 2);
	if (step != CB_SQL_DONE) {
		rc = fail_sql(st, eb);
		goto out;
	}
	json_object_set_new(r.summary, "period", json_string(period));
	for (size_t k = 0; k < 2; k++) {
		long long n[4] = { 0 }, total = 0, good_or_better;
		char num[32], gb[32], pct[48];
		json_t *j = json_object();
		bool within;

		json_object_set_new(r.summary, kinds[k], j);
		for (size_t l = 0; l < 4; l++) {
			n[l] = counts[k][l];
			total += n[l];
			json_object_set_new(j, cb_rating_levels[l],
			                    json_integer(n[l]));
		}
		for (size_t l = 0; l < 4; l++) {
			rp_num(n[l], num);
			cb_report_percent(n[l], total, pct);
			if (rp_row(&r,
			           (const char *const[]){
					   k ? _("organisations")
					     : _("members"),
					   cb_words_label("rating level",
			                                  cb_rating_levels[l]),
					   num, pct }))
				goto nomem;
		}
		/* outstanding ≤ 20% of those rated good or better */
		good_or_better = n[0] + n[1];
		within = n[0] * 5 <= good_or_better;
		cb_report_percent(n[0], good_or_better, pct);
		json_object_set_new(j, "outstanding_within_20_percent",
		                    json_boolean(within));
		rp_grouped(n[0], num);
		rp_grouped(good_or_better, gb);
		if (rp_note(&r,
		            within ? _("%s: %s outstanding of %s rated good or "
		                       "better (%s): within the 20%% limit")
		                   : _("%s: %s outstanding of %s rated good or "
		                       "better (%s): OVER the 20%% limit"),
		            k ? _("organisations") : _("members"), num, gb,
		            pct))
			goto nomem;
	}
	cb_sql_finalize(s);
	*out = r;
	return CB_OK;
nomem:
	rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
out:
	cb_sql_finalize(s);
	cb_report_release(&r);
	return rc;
}

/* A cell of 'report meetings': its figures, added up from its meetings'
 * tallies as they are read, and its longest run of excused absences,
 * found when its chunk is full (chunk_runs). */
struct mcell {
	char *code, *name;
	char month[8]; /* of its last regular meeting read */
	long long held, thematic, present, counted, unexcused, excused, run;
};

/* The cells whose runs are found together: as many with an excused
 * absence (the others have none to find), with all their meetings and
 * excused marks. The gaps between a member's excused absences of a chunk
 * are looked at together, a statement a round (look_between): on
 * PostgreSQL a round trip each, so the chunk is large. report_int.h. */
size_t cb_meetings_run_chunk = 2048;

/* One excused absence: the member's id, its cell (an index into the
 * chunk's cells) and its meeting (an index into the chunk's meetings, in
 * the cells' order and each cell's in date order); the run of the
 * member's it ends. */
struct excused {
	char member[CB_HASH_HEX];
	size_t cell, at;
	long long run;
	size_t gap; /* the gap before it that is looked at, plus one; or 0 */
};

/* A chunk of the report's cells, their meetings' ids and their excused
 * absences, as the report's statement gives them. */
struct mchunk {
	struct mcell *cells;
	size_t ncells, capc, need; /* need: cells with an excused absence */
	char (*meetings)[CB_HASH_HEX];
	size_t nm, capm;
	struct excused *ex;
	size_t nx, capx;
};

/* Are x and y a member's absences in one cell? */
static bool
same_member(const struct excused *x, const struct excused *y)
{
	return x->cell == y->cell && !strcmp(x->member, y->member);
}

static int
by_member_then_place(const void *a, const void *b)
{
	const struct excused *x = a, *y = b;
	int c = (x->cell > y->cell) - (x->cell < y->cell);

	if (!c)
		c = strcmp(x->member, y->member);
	return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* Room in *p, which holds n items of size sz in room for *cap, for one
 * more (doubling *cap): false when out of memory. */
static bool
room_for_one(void **p, size_t n, size_t *cap, size_t sz)
{
	size_t c = *cap ? *cap * 2 : 16;
	void *q;

	if (n < *cap)
		return true;
	if (!(q = realloc(*p, c * sz)))
		return false;
	*p = q;
	*cap = c;
	return true;
}

/* Between two of a member's excused absences in a cell, ex[later - 1]
 * and ex[later], at meetings next - 1 and end with meetings between: is
 * the run ended by a mark of theirs there (present or unexcused; exempt
 * marks and meetings without a mark of theirs do not end it, and none
 * between is excused)? Looked at a meeting at a time, next. */
struct gap {
	size_t later, next, end;
	bool ended;
};

/* Settle every gap: a statement a round, each round looking at the next
 * meeting of every gap still open, all at once (a JSON object whose keys
 * are the meeting's id and the member's, hex), until each has a mark
 * that ends it or none is left. Most end at the first. */
static cb_err
look_between(struct cb_store *st, char (*meetings)[CB_HASH_HEX],
             const struct excused *ex, struct gap *gaps, size_t ngaps,
             struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT j.key FROM json_each(?1) AS j CROSS JOIN attendance a "
		"WHERE a.meeting = substr(j.key, 1, 64) AND a.member = "
		"chibo_unhex(substr(j.key, 65)) AND a.mark <> 'exempt'";
	struct cb_buf json = CB_BUF_INIT;
	cb_err rc = CB_OK;

	for (;;) {
		size_t open = 0, g = 0;
		struct cb_stmt *s;
		int step;

		cb_buf_reset(&json);
		for (g = 0; g < ngaps && !rc; g++)
			if (!gaps[g].ended && gaps[g].next < gaps[g].end)
				rc = cb_buf_addf(&json, "%c\"%s%s\":0",
				                 open++ ? ',' : '{',
				                 meetings[gaps[g].next],
				                 ex[gaps[g].later].member);
		if (!rc && open)
			rc = cb_buf_addstr(&json, "}");
		if (rc) {
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
			break;
		}
		if (!open)
			break;
		if (!(s = cb_sql(st, sql, eb))) {
			rc = CB_EIO;
			break;
		}
		cb_sql_bind_text(s, 1, (const char *)json.data);
		/* the keys come back in any order: the gaps are looked
		 * through from where the last one was found */
		while ((step = cb_sql_step(s)) == CB_SQL_ROW) {
			const char *key = cb_sql_column_text(s, 0);

			for (size_t k = 0; k < ngaps; k++, g++) {
				struct gap *p = &gaps[g % ngaps];

				if (!p->ended && p->next < p->end &&
				    !strncmp(key, meetings[p->next],
				             CB_HASH_HEX - 1) &&
				    !strcmp(key + CB_HASH_HEX - 1,
				            ex[p->later].member)) {
					p->ended = true;
					break;
				}
			}
		}
		cb_sql_reset(s);
		if (step != CB_SQL_DONE) {
			rc = fail_sql(st, eb);
			break;
		}
		for (g = 0; g < ngaps; g++)
			if (!gaps[g].ended && gaps[g].next < gaps[g].end)
				gaps[g].next++;
	}
	cb_buf_release(&json);
	return rc;
}

/* The longest run of 'excused' in a row for any member of each of the
 * chunk's cells, over the cell's meetings in date order (exempt marks are
 * skipped; present and unexcused end a run), into its run: from the
 * excused members each meeting's tally keeps (schema 036) and, between
 * two of a member's excused absences not next to each other, from the
 * member's marks at the meetings between (look_between). Not every mark
 * of the cells' members, which at a province's size was most of its
 * attendance (docs/PERFORMANCE.md, "Runs of excused absences"). */
static cb_err
chunk_runs(struct cb_store *st, struct mchunk *k, struct cb_errbuf *eb)
{
	struct excused *ex = k->ex;
	struct gap *gaps = NULL;
	size_t ngaps = 0, capg = 0;
	cb_err rc = CB_OK;

	if (k->nx)
		qsort(ex, k->nx, sizeof(*ex), by_member_then_place);
	/* the runs of absences next to each other */
	for (size_t i = 0; i < k->nx; i++) {
		ex[i].run = i && same_member(&ex[i], &ex[i - 1]) &&
		                            ex[i].at == ex[i - 1].at + 1
		                    ? ex[i - 1].run + 1
		                    : 1;
		if (ex[i].run > k->cells[ex[i].cell].run)
			k->cells[ex[i].cell].run = ex[i].run;
	}
	/* The gaps between a member's excused absences not next to each
	 * other, settled together. Only a cell's longest run is reported:
	 * a run across a gap is at most the member's excused absences in
	 * the cell, and when they are no more than the cell's longest run
	 * so far, the member's gaps are not looked at (taken as ended),
	 * as they cannot change it. */
	for (size_t a = 0, b; a < k->nx; a = b) {
		for (b = a + 1; b < k->nx && same_member(&ex[b], &ex[a]); b++)
			;
		if ((long long)(b - a) <= k->cells[ex[a].cell].run)
			continue;
		for (size_t i = a + 1; i < b; i++) {
			if (ex[i].at == ex[i - 1].at + 1)
				continue;
			if (!room_for_one((void **)&gaps, ngaps, &capg,
			                  sizeof(*gaps))) {
				free(gaps);
				return cb_error(eb, CB_ENOMEM,
				                _("out of memory"));
			}
			gaps[ngaps++] = (struct gap){ i, ex[i - 1].at + 1,
				                      ex[i].at, false };
			ex[i].gap = ngaps;
		}
	}
	if (ngaps &&
	    (rc = look_between(st, k->meetings, ex, gaps, ngaps, eb))) {
		free(gaps);
		return rc;
	}
	for (size_t i = 0; i < k->nx; i++) {
		bool goes_on = i && same_member(&ex[i], &ex[i - 1]) &&
		               (ex[i].at == ex[i - 1].at + 1 ||
		                (ex[i].gap && !gaps[ex[i].gap - 1].ended));

		ex[i].run = goes_on ? ex[i - 1].run + 1 : 1;
		if (ex[i].run > k->cells[ex[i].cell].run)
			k->cells[ex[i].cell].run = ex[i].run;
	}
	free(gaps);
	return CB_OK;
}

/* A meeting of the report's statement (its columns 2..8: id, date, kind,
 * present, excused, unexcused, excused members) added to the chunk's
 * last cell. */
static cb_err
chunk_meeting(struct mchunk *k, struct cb_stmt *s, struct cb_errbuf *eb)
{
	struct mcell *m = &k->cells[k->ncells - 1];
	const char *id = cb_sql_column_text(s, 2),
		   *date = cb_sql_column_text(s, 3),
		   *kind = cb_sql_column_text(s, 4),
		   *by = cb_sql_column_text(s, 8);
	long long present = cb_sql_column_int64(s, 5),
		  excused = cb_sql_column_int64(s, 6),
		  unexcused = cb_sql_column_int64(s, 7);
	size_t len = by ? strlen(by) : 0;

	/* 64 hex digits an excused member, as many as the tally counts */
	if (!id || !date || !kind || !by || strlen(id) != CB_HASH_HEX - 1 ||
	    len % (CB_HASH_HEX - 1) ||
	    len / (CB_HASH_HEX - 1) != (unsigned long long)excused)
		return cb_error(eb, CB_EIO,
		                _("the tally of meeting %.12s cannot be read; "
		                  "'verify' checks the tables"),
		                id ? id : "?");
	if (!strcmp(kind, "regular") && strncmp(m->month, date, 7)) {
		snprintf(m->month, sizeof(m->month), "%.7s", date);
		m->held++;
	}
	m->thematic += !strcmp(kind, "thematic");
	m->present += present;
	m->counted += present + excused + unexcused;
	m->unexcused += unexcused;
	if (excused > 0 && !m->excused)
		k->need++;
	m->excused += excused;
	if (!room_for_one((void **)&k->meetings, k->nm, &k->capm,
	                  sizeof(*k->meetings)))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	memcpy(k->meetings[k->nm], id, CB_HASH_HEX);
	for (size_t i = 0; i < len; i += CB_HASH_HEX - 1) {
		struct excused *x;

		if (!room_for_one((void **)&k->ex, k->nx, &k->capx,
		                  sizeof(*k->ex)))
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		x = &k->ex[k->nx++];
		memcpy(x->member, by + i, CB_HASH_HEX - 1);
		x->member[CB_HASH_HEX - 1] = '\0';
		x->cell = k->ncells - 1;
		x->at = k->nm;
		x->gap = 0;
	}
	k->nm++;
	return CB_OK;
}

static int
months_between(const char *from, const char *to)
{
	int y1 = atoi(from), m1 = atoi(from + 5), y2 = atoi(to),
	    m2 = atoi(to + 5);

	return (y2 - y1) * 12 + (m2 - m1) + 1;
}

/* The chunk's cells as rows of r, their runs found; the chunk emptied. */
static cb_err
chunk_rows(struct cb_store *st, struct mchunk *k, struct cb_report *r,
           int nmonths, long long *meeting_ok, struct cb_errbuf *eb)
{
	cb_err rc = chunk_runs(st, k, eb);

	for (size_t i = 0; i < k->ncells; i++) {
		struct mcell *m = &k->cells[i];
		char months[32], sh[32], smiss[32], st_[32], pct[48], sun[32],
			srun[32];
		/* attendance over 85%: present * 100 > 85 * counted */
		bool ok = m->counted > 0 &&
		          m->present * 100 > 85 * m->counted &&
		          m->unexcused == 0 && m->run <= 3;

		*meeting_ok += ok;
		rp_num(nmonths, months);
		rp_num(m->held, sh);
		rp_num(nmonths - m->held, smiss);
		rp_num(m->thematic, st_);
		cb_report_percent(m->present, m->counted, pct);
		rp_num(m->unexcused, sun);
		rp_num(m->run, srun);
		if (!rc && rp_row(r, (const char *const[]){
					     m->code, m->name, months, sh,
					     smiss, st_, pct, sun, srun,
					     ok ? _("met") : _("not met") }))
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
		free(m->code);
		free(m->name);
	}
	k->ncells = k->need = k->nm = k->nx = 0;
	return rc;
}

cb_err
cb_report_meetings(struct cb_store *st, const char *root, const char *from,
                   const char *to, struct cb_report *out, struct cb_errbuf *eb)
{
	static const char *const cols[] = {
		N_("CELL"),       N_("NAME"),      N_("MONTHS"),
		N_("HELD"),       N_("MISSING"),   N_("THEMATIC"),
		N_("ATTENDANCE"), N_("UNEXCUSED"), N_("MAX EXCUSED RUN"),
		N_("12-HD")
	};
	/* Each active cell of the subtree (:root is parameter 1), in code
	 * order, with its meetings of months ?2..?3 in date order, each
	 * with its tally (schema 036): one range of meeting_marks a cell,
	 * in the table's own order, where reading the meetings by their
	 * (cell, date) index and then each one's tally and excused marks by
	 * its id took three seeks at random places a meeting (0.5 s of
	 * Ho Chi Minh City's 1.6 s). A cell without a meeting is a row
	 * whose meeting is NULL. */
	static const char sql[] = CB_SQL_SUBTREE
		"SELECT o.code, o.name, k.meeting, k.date, k.kind, k.present, "
		"k.excused, k.unexcused, k.excused_by FROM orgs o LEFT JOIN "
		"meeting_marks k ON k.cell = o.code AND k.date >= ?2 || '-00' "
		"AND k.date <= ?3 || '-99' WHERE o.level = 'cell' AND o.state "
		"= 'active' AND o.code IN sub ORDER BY o.code, k.date, "
		"k.meeting";
	struct cb_report r;
	struct cb_stmt *c = NULL;
	struct mchunk k = { 0 };
	size_t ncells = 0;
	int nmonths = months_between(from, to), step;
	long long meeting_ok = 0;
	char g[2][32];
	cb_err rc;

	if (nmonths < 1 || nmonths > 240)
		return cb_error(eb, CB_EINVAL,
		                _("months %s to %s: give from ≤ to, at most 20 "
		                  "years"),
		                from, to);
	if ((rc = rp_init(&r, N_("Cell meetings"), 10, cols)))
		goto nomem;
	if (cb_sql_prepare(st, sql, &c, NULL)) {
		rc = fail_sql(st, eb);
		goto out;
	}
	cb_scope_bind_root(c, root);
	cb_sql_bind_text(c, 2, from);
	cb_sql_bind_text(c, 3, to);
	/* the cells read a chunk at a time, their runs found, their rows
	 * made */
	while ((step = cb_sql_step(c)) == CB_SQL_ROW) {
		const char *code = cb_sql_column_text(c, 0);
		struct mcell *m;

		if (!k.ncells || strcmp(k.cells[k.ncells - 1].code, code)) {
			if (k.need >= cb_meetings_run_chunk &&
			    (rc = chunk_rows(st, &k, &r, nmonths, &meeting_ok,
			                     eb)))
				goto out;
			if (!room_for_one((void **)&k.cells, k.ncells, &k.capc,
			                  sizeof(*k.cells)))
				goto nomem;
			m = &k.cells[k.ncells++];
			*m = (struct mcell){
				.code = strdup(code),
				.name = strdup(cb_sql_column_text(c, 1)),
			};
			ncells++;
			if (!m->code || !m->name)
				goto nomem;
		}
		if (cb_sql_column_kind(c, 2) != CB_SQL_NULL &&
		    (rc = chunk_meeting(&k, c, eb)))
			goto out;
	}
	if (step != CB_SQL_DONE) {
		rc = fail_sql(st, eb);
		goto out;
	}
	if ((rc = chunk_rows(st, &k, &r, nmonths, &meeting_ok, eb)))
		goto out;
	json_object_set_new(r.summary, "from", json_string(from));
	json_object_set_new(r.summary, "to", json_string(to));
	json_object_set_new(r.summary, "cells",
	                    json_integer((json_int_t)ncells));
	json_object_set_new(r.summary, "meeting_12hd_criteria",
	                    json_integer(meeting_ok));
	rp_grouped(meeting_ok, g[0]);
	rp_grouped((long long)ncells, g[1]);
	if (rp_note(&r,
	            _("%s/%s cells met the 12-HD/BTCTW criteria from %s to "
	              "%s"),
	            g[0], g[1], from, to))
		goto nomem;
	rc = CB_OK;
	*out = r;
	r = (struct cb_report){ 0 };
	goto out;
nomem:
	rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
out:
	cb_sql_finalize(c);
	for (size_t i = 0; i < k.ncells; i++) {
		free(k.cells[i].code);
		free(k.cells[i].name);
	}
	free(k.cells);
	free(k.meetings);
	free(k.ex);
	cb_report_release(&r);
	return rc;
}

/* The ends of a date range as SQL compares them: '' is before every day,
 * '9999-12-31' after. */
#define OPEN_FROM(d) ((d) ? (d) : "")
#define OPEN_TO(d) ((d) ? (d) : "9999-12-31")

#define TERMINAL "('struck-off', 'expelled', 'resigned', 'deceased')"

/* Two common table expressions: cells(cell, org, p, dissolved_on), the
 * campaign's cells — commune-agency cells c for which the SQL condition
 * which holds, not dissolved before :from — with p, the first day their
 * members are counted from (the plan's day, or :to when there is no plan
 * or it is later). */
#define CAMPAIGN_CELLS(which)                                                  \
	"camp(cell, org, p, dissolved_on) AS (SELECT c.code, c.parent, "       \
	"min(coalesce((SELECT max(d.planned_on) FROM dissolutions d WHERE "    \
	"d.cell = c.code), :to), :to), (SELECT max(d.dissolved_on) FROM "      \
	"dissolutions d WHERE d.cell = c.code AND d.state = 'dissolved') "     \
	"FROM orgs c WHERE c.level = 'cell' AND c.kind = 'commune-agency' "    \
	"AND " which "), cells AS (SELECT * FROM camp WHERE "                  \
	"dissolved_on IS NULL OR dissolved_on >= :from) "
/* The campaign's cells in the subtree (:root), and those of one
 * organisation (:org) alone: a query for each organisation that walked
 * the subtree again would grow with the square of a country's communes. */
#define CAMPAIGN_OF_SUBTREE CB_SQL_SUBTREE ", " CAMPAIGN_CELLS("c.code IN sub")
#define CAMPAIGN_OF_ORG "WITH " CAMPAIGN_CELLS("c.parent = :org")

static void
bind_named(struct cb_stmt *s, const char *name, const char *v)
{
	cb_sql_bind_named(s, name, v);
}

struct campaign_sum {
	long long orgs, finished, exempt, cells, dissolved, members, moved;
};

static void
campaign_add(struct campaign_sum *to, const struct campaign_sum *x)
{
	to->orgs += x->orgs;
	to->finished += x->finished;
	to->exempt += x->exempt;
	to->cells += x->cells;
	to->dissolved += x->dissolved;
	to->members += x->members;
	to->moved += x->moved;
}

static cb_err
campaign_row(struct cb_report *r, const char *code, const char *name,
             const char *district, const struct campaign_sum *x,
             const char *exempt)
{
	char n[7][32];

	rp_num(x->orgs, n[0]);
	rp_num(x->finished, n[1]);
	rp_num(x->exempt, n[2]);
	rp_num(x->cells, n[3]);
	rp_num(x->dissolved, n[4]);
	rp_num(x->members, n[5]);
	rp_num(x->moved, n[6]);
	return rp_row(r, (const char *const[]){ code, name, district, n[0],
	                                        n[1], n[2], n[3], n[4], n[5],
	                                        n[6], exempt });
}

static json_t *
pair(const char *a, long long x, const char *b, long long y)
{
	return json_pack("{s:I, s:I}", a, (json_int_t)x, b, (json_int_t)y);
}

/* The committees the organisations are grouped under, as the note names
 * them: districts, provinces, or committees when they are of several
 * levels (or unknown to the store). */
static const char *
campaign_groups(const char *kinds_seen)
{
	if (!strcmp(kinds_seen, "district-committee"))
		return N_("districts");
	if (!strcmp(kinds_seen, "province-committee"))
		return N_("provinces");
	return N_("committees");
}

/* A group (the organisations under one committee) has finished when
 * each of them has, or is exempt. */
static void
campaign_close_group(struct cb_report *r, const struct campaign_sum *g,
                     long long *done, bool *fail, const char *district,
                     const char *dname)
{
	if (campaign_row(r, district, dname, district, g, ""))
		*fail = true;
	*done += g->finished + g->exempt == g->orgs;
}

cb_err
cb_report_campaign(struct cb_store *st, const char *root, const char *from,
                   const char *to, struct cb_report *out, struct cb_errbuf *eb)
{
	static const char *const cols[] = {
		N_("ORGANISATION"), N_("NAME"),           N_("DISTRICT"),
		N_("ORGS"),         N_("FINISHED"),       N_("EXEMPT"),
		N_("AGENCY CELLS"), N_("DISSOLVED"),      N_("MEMBERS"),
		N_("MOVED"),        N_("EXEMPT BECAUSE"),
	};
	static const char orgs_sql[] = CAMPAIGN_OF_SUBTREE
		"SELECT g.code, g.name, coalesce(g.parent, '-'), "
		"coalesce(d.name, ''), count(*), coalesce(sum(k.dissolved_on "
		"IS NOT NULL AND k.dissolved_on <= :to), 0), coalesce(d.kind, "
		"''), (SELECT e.reason FROM exemptions e WHERE e.org = g.code "
		"AND e.exempt_on <= :to) FROM cells k JOIN "
		"orgs g ON g.code = k.org LEFT JOIN orgs d ON d.code = "
		"g.parent GROUP BY g.code, d.code ORDER BY coalesce(g.parent, "
		"''), "
		"g.code";
	static const char members_sql[] = CAMPAIGN_OF_ORG
		", mem(member, id) AS (SELECT DISTINCT ms.member, m.id FROM "
		"cells k JOIN memberships ms ON ms.cell = k.cell AND ms.kind = "
		"'official' AND ms.since <= :to AND (ms.until IS NULL OR "
		"ms.until >= k.p) JOIN members m ON m.mkey = ms.member WHERE "
		"k.org = :org AND NOT (m.status IN " TERMINAL " AND "
		"coalesce(m.status_on, '') <= :to)) "
		"SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM "
		"memberships o WHERE o.member = x.member AND o.kind = "
		"'official' AND o.since <= :to AND (o.until IS NULL OR o.until "
		"> :to) AND o.cell NOT IN (SELECT cell FROM cells WHERE org = "
		":org)) OR EXISTS (SELECT 1 FROM transfers t WHERE t.member = "
		"x.id AND t.released_on <= :to AND (t.state = 'in-transit' "
		"OR t.closed_on > :to))), 0) FROM mem x";
	struct campaign_sum all = { 0 }, dist = { 0 };
	long long districts = 0, districts_done = 0;
	struct cb_report r;
	struct cb_stmt *o = NULL, *m = NULL;
	char district[CB_CODE_MAX + 1] = "", dname[CB_NAME_MAX + 1] = "";
	char kinds[32] = "", pct[48], g[7][32], ex[48] = "";
	bool any = false, fail = false;
	json_t *j;
	cb_err rc;
	int step;

	if ((rc = rp_init(&r, N_("Dissolving commune-agency cells"), 11, cols)))
		goto nomem;
	if (cb_sql_prepare(st, orgs_sql, &o, NULL) ||
	    cb_sql_prepare(st, members_sql, &m, NULL)) {
		rc = fail_sql(st, eb);
		goto out;
	}
	cb_scope_bind_root(o, root);
	bind_named(o, ":from", OPEN_FROM(from));
	bind_named(o, ":to", OPEN_TO(to));
	while ((step = cb_sql_step(o)) == CB_SQL_ROW) {
		const char *code = cb_sql_column_text(o, 0);
		const char *d = cb_sql_column_text(o, 2);
		const char *kind = cb_sql_column_text(o, 6);
		const char *reason = cb_sql_column_null(o, 7)
		                             ? NULL
		                             : cb_sql_column_text(o, 7);
		struct campaign_sum x = { .orgs = 1 };

		if (any && strcmp(d, district)) {
			campaign_close_group(&r, &dist, &districts_done, &fail,
			                     district, dname);
			memset(&dist, 0, sizeof(dist));
		}
		if (!any || strcmp(d, district)) {
			districts++;
			snprintf(district, sizeof(district), "%s", d);
			snprintf(dname, sizeof(dname), "%s",
			         cb_sql_column_text(o, 3));
			if (!any)
				snprintf(kinds, sizeof(kinds), "%s", kind);
			else if (strcmp(kinds, kind))
				snprintf(kinds, sizeof(kinds), "mixed");
		}
		any = true;
		x.cells = cb_sql_column_int64(o, 4);
		x.dissolved = cb_sql_column_int64(o, 5);
		x.finished = x.dissolved == x.cells;
		x.exempt = !x.finished && reason;
		cb_sql_reset(m);
		bind_named(m, ":from", OPEN_FROM(from));
		bind_named(m, ":to", OPEN_TO(to));
		bind_named(m, ":org", code);
		if (cb_sql_step(m) != CB_SQL_ROW) {
			rc = fail_sql(st, eb);
			goto out;
		}
		x.members = cb_sql_column_int64(m, 0);
		x.moved = cb_sql_column_int64(m, 1);
		campaign_add(&dist, &x);
		campaign_add(&all, &x);
		if (campaign_row(&r, code, cb_sql_column_text(o, 1), d, &x,
		                 x.exempt ? reason : ""))
			goto nomem;
	}
	if (step != CB_SQL_DONE) {
		rc = fail_sql(st, eb);
		goto out;
	}
	if (any)
		campaign_close_group(&r, &dist, &districts_done, &fail,
		                     district, dname);
	if (fail || campaign_row(&r, _("total"), "", "", &all, ""))
		goto nomem;
	j = r.summary;
	json_object_set_new(j, "from", from ? json_string(from) : json_null());
	json_object_set_new(j, "to", to ? json_string(to) : json_null());
	json_object_set_new(j, "grouped_by",
	                    json_string(campaign_groups(kinds)));
	json_object_set_new(
		j, "districts",
		pair("finished", districts_done, "total", districts));
	json_object_set_new(j, "organisations",
	                    json_pack("{s:I, s:I, s:I}", "finished",
	                              (json_int_t)all.finished, "exempt",
	                              (json_int_t)all.exempt, "total",
	                              (json_int_t)all.orgs));
	json_object_set_new(
		j, "cells",
		pair("dissolved", all.dissolved, "total", all.cells));
	json_object_set_new(j, "members",
	                    pair("moved", all.moved, "total", all.members));
	cb_report_percent(all.moved, all.members, pct);
	json_object_set_new(j, "members_moved_percent", json_string(pct));
	rp_grouped(districts_done, g[0]);
	rp_grouped(districts, g[1]);
	rp_grouped(all.finished, g[2]);
	rp_grouped(all.orgs, g[3]);
	rp_grouped(all.moved, g[4]);
	rp_grouped(all.members, g[5]);
	rp_grouped(all.exempt, g[6]);
	if (all.exempt)
		snprintf(ex, sizeof(ex), _(" (%s exempt)"), g[6]);
	if (rp_note(&r, _("%s/%s %s; %s/%s communes%s; %s/%s members moved"),
	            g[0], g[1], _(campaign_groups(kinds)), g[2], g[3], ex, g[4],
	            g[5]) ||
	    (to ? rp_note(&r,
	                  _("A commune with a commune-agency cell has "
	                    "finished when every such cell is dissolved by "
	                    "%s; a member of one is moved when in another "
	                    "official cell or a transfer in flight. A "
	                    "committee has finished when each of its "
	                    "communes has, or is exempt."),
	                  to)
	        : rp_note(&r, "%s",
	                  _("A commune with a commune-agency cell has "
	                    "finished when every such cell is dissolved; a "
	                    "member of one is moved when in another official "
	                    "cell or a transfer in flight. A committee has "
	                    "finished when each of its communes has, or is "
	                    "exempt."))))
		goto nomem;
	cb_sql_finalize(o);
	cb_sql_finalize(m);
	*out = r;
	return CB_OK;
nomem:
	rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
out:
	cb_sql_finalize(o);
	cb_sql_finalize(m);
	cb_report_release(&r);
	return rc;
}

/* After CB_SQL_SUBTREE: t(release, member, from_org, to_org, letter_no,
 * letter_date, released_on, state), the official transfers of the
 * subtree (from or to it) released from :from to :to and by :on, each in
 * its state as of :on (an answer after :on leaves it in transit, or
 * struck off if the superior's office marked it so by :on). */
#define TRANSFERS_AS_OF                                                        \
	", t AS (SELECT release, member, from_org, to_org, letter_no, "        \
	"letter_date, released_on, CASE WHEN state <> 'in-transit' AND "       \
	"closed_on <= :on THEN state WHEN struck_on <= :on THEN 'struck-off' " \
	"ELSE 'in-transit' END AS state FROM "                                 \
	"transfers WHERE released_on >= :from AND released_on <= :to AND "     \
	"released_on <= :on AND (from_org IN sub OR to_org IN sub)) "

/* Overdue: in transit, and :on is after the 30th working day after the
 * letter; the rule of 'chibo-agent transfers' (DOMAIN.md, "Transfers"). */
#define LETTER_DUE CB_SQL_DUE("t.letter_date")
/* the member a transfer moves, found by its key (schema 034) */
#define MKEY_OF_T CB_SQL_MKEY("t.member")
#define OVERDUE "(state = 'in-transit' AND :on > " CB_SQL_DUE("letter_date") ")"
#define OVER_3_MONTHS                                                          \
	"(state = 'in-transit' AND :on > " CB_SQL_LAPSE("letter_date") ")"

static void
bind_range(struct cb_stmt *s, const char *root, const char *from,
           const char *to, const char *on)
{
	cb_scope_bind_root(s, root);
	bind_named(s, ":from", OPEN_FROM(from));
	bind_named(s, ":to", OPEN_TO(to));
	bind_named(s, ":on", on);
}

/* Run s for organisation code (NULL: from outside root) over the range:
 * false if it gives no row. */
static bool
org_row(struct cb_stmt *s, const char *root, const char *from, const char *to,
        const char *on, const char *code)
{
	cb_sql_reset(s);
	bind_range(s, root, from, to, on);
	bind_named(s, ":org", code);
	return cb_sql_step(s) == CB_SQL_ROW;
}

enum {
	T_INTERNAL,
	T_RELEASED,
	T_ACCEPTED,
	T_DECLINED,
	T_TRANSIT,
	T_OVERDUE,
	T_OVER3,
	T_STRUCK,
	T_TEMPORARY,
	T_N
};

static const char *const transfer_keys[T_N] = {
	"internal_moves", "released",   "accepted",
	"declined",       "in_transit", "overdue",
	"over_3_months",  "struck_off", "temporary",
};

cb_err
cb_report_transfers(struct cb_store *st, const char *root, const char *from,
                    const char *to, const char *on, struct cb_report *out,
                    struct cb_errbuf *eb)
{
	static const char *const cols[] = {
		N_("ORGANISATION"), N_("NAME"),      N_("INTERNAL MOVES"),
		N_("RELEASED"),     N_("ACCEPTED"),  N_("DECLINED"),
		N_("IN TRANSIT"),   N_("OVERDUE"),   N_("OVER 3 MONTHS"),
		N_("STRUCK OFF"),   N_("TEMPORARY"),
	};
	static const char orgs_sql[] = CB_SQL_SUBTREE
		"SELECT code, name FROM orgs WHERE level = 'grassroots' AND "
		"code IN sub ORDER BY code";
	/* per sending organisation in the subtree, in one statement (the
	 * subtree gathered once, not once per organisation); NULL: those
	 * from outside it */
	static const char official_sql[] = CB_SQL_SUBTREE TRANSFERS_AS_OF
		"SELECT CASE WHEN from_org IN sub THEN from_org END AS o, "
		"count(*), coalesce(sum(state = 'accepted'), 0), "
		"coalesce(sum(state = 'declined'), 0), coalesce(sum(state = "
		"'in-transit'), 0), coalesce(sum(" OVERDUE "), 0), "
		"coalesce(sum(" OVER_3_MONTHS "), 0), coalesce(sum(state = "
		"'struck-off'), 0) FROM t GROUP BY o";
	/* a move opens the member's stay in the new cell: that row's entry */
	static const char internal_sql[] =
		"SELECT count(*) FROM memberships ms JOIN orgs c ON c.code = "
		"ms.cell JOIN entries e ON e.id = ms.entry WHERE c.parent = "
		":org AND e.op = 'member.move' AND ms.since >= :from AND "
		"ms.since <= :to AND ms.since <= :on";
	/* temporary transfers: letters whose stay begins in the range */
	static const char temporary_sql[] =
		"SELECT count(*) FROM temporaries WHERE from_org = :org AND "
		"since >= :from AND since <= :to AND since <= :on";
	struct official {
		char org[CB_CODE_MAX + 1]; /* "" for outside the subtree */
		long long n[T_TEMPORARY - T_RELEASED];
	} *sent = NULL;
	size_t nsent = 0;
	struct cb_report r;
	struct cb_stmt *o = NULL, *f = NULL, *in = NULL, *tp = NULL;
	long long total[T_N] = { 0 };
	char g[T_N][32], part[3][192];
	json_t *j;
	cb_err rc;
	int step;

	if ((rc = rp_init(&r, N_("Transfers"), 11, cols)))
		goto nomem;
	if (cb_sql_prepare(st, orgs_sql, &o, NULL) ||
	    cb_sql_prepare(st, official_sql, &f, NULL) ||
	    cb_sql_prepare(st, internal_sql, &in, NULL) ||
	    cb_sql_prepare(st, temporary_sql, &tp, NULL)) {
		rc = fail_sql(st, eb);
		goto out;
	}
	bind_range(f, root, from, to, on);
	while ((step = cb_sql_step(f)) == CB_SQL_ROW) {
		struct official *more =
			realloc(sent, (nsent + 1) * sizeof(*sent));
		const char *code = cb_sql_column_text(f, 0);

		if (!more)
			goto nomem;
		sent = more;
		snprintf(sent[nsent].org, sizeof(sent[nsent].org), "%s",
		         code ? code : "");
		for (int i = T_RELEASED; i < T_TEMPORARY; i++)
			sent[nsent].n[i - T_RELEASED] =
				cb_sql_column_int64(f, 1 + i - T_RELEASED);
		nsent++;
	}
	if (step != CB_SQL_DONE) {
		rc = fail_sql(st, eb);
		goto out;
	}
	cb_scope_bind_root(o, root);
	/* every organisation of the subtree, then those from outside it */
	for (bool outside = false;;) {
		const char *code = NULL, *name = _("from outside the subtree");
		long long n[T_N] = { 0 };
		char cell[T_N][32];

		if (!outside) {
			step = cb_sql_step(o);
			if (step == CB_SQL_DONE) {
				outside = true;
			} else if (step != CB_SQL_ROW) {
				rc = fail_sql(st, eb);
				goto out;
			} else {
				code = cb_sql_column_text(o, 0);
				name = cb_sql_column_text(o, 1);
			}
		}
		if (code && (!org_row(in, root, from, to, on, code) ||
		             !org_row(tp, root, from, to, on, code))) {
			rc = fail_sql(st, eb);
			goto out;
		}
		for (size_t k = 0; k < nsent; k++)
			if (!strcmp(sent[k].org, code ? code : ""))
				for (int i = T_RELEASED; i < T_TEMPORARY; i++)
					n[i] = sent[k].n[i - T_RELEASED];
		if (code) {
			n[T_INTERNAL] = cb_sql_column_int64(in, 0);
			n[T_TEMPORARY] = cb_sql_column_int64(tp, 0);
		}
		for (int i = 0; i < T_N; i++) {
			total[i] += n[i];
			rp_num(n[i], cell[i]);
		}
		if (rp_row(&r, (const char *const[]){
				       code ? code : _("outside"), name,
				       code ? cell[T_INTERNAL] : "",
				       cell[T_RELEASED], cell[T_ACCEPTED],
				       cell[T_DECLINED], cell[T_TRANSIT],
				       cell[T_OVERDUE], cell[T_OVER3],
				       cell[T_STRUCK],
				       code ? cell[T_TEMPORARY] : "" }))
			goto nomem;
		if (outside)
			break;
	}
	for (int i = 0; i < T_N; i++)
		rp_num(total[i], g[i]);
	if (rp_row(&r, (const char *const[]){ _("total"), "", g[T_INTERNAL],
	                                      g[T_RELEASED], g[T_ACCEPTED],
	                                      g[T_DECLINED], g[T_TRANSIT],
	                                      g[T_OVERDUE], g[T_OVER3],
	                                      g[T_STRUCK], g[T_TEMPORARY] }))
		goto nomem;
	j = r.summary;
	json_object_set_new(j, "from", from ? json_string(from) : json_null());
	json_object_set_new(j, "to", to ? json_string(to) : json_null());
	json_object_set_new(j, "on", json_string(on));
	for (int i = 0; i < T_N; i++)
		json_object_set_new(j, transfer_keys[i],
		                    json_integer(total[i]));
	for (int i = 0; i < T_N; i++)
		rp_grouped(total[i], g[i]);
	snprintf(part[0], sizeof(part[0]),
	         P_("%s official transfer released",
	            "%s official transfers released",
	            (unsigned long)total[T_RELEASED]),
	         g[T_RELEASED]);
	snprintf(part[1], sizeof(part[1]),
	         P_("%s internal move", "%s internal moves",
	            (unsigned long)total[T_INTERNAL]),
	         g[T_INTERNAL]);
	snprintf(part[2], sizeof(part[2]),
	         P_("%s temporary transfer", "%s temporary transfers",
	            (unsigned long)total[T_TEMPORARY]),
	         g[T_TEMPORARY]);
	if (rp_note(&r,
	            _("%s: %s accepted, %s declined, %s in transit (%s "
	              "overdue, %s over 3 months), %s struck off; %s; %s"),
	            part[0], g[T_ACCEPTED], g[T_DECLINED], g[T_TRANSIT],
	            g[T_OVERDUE], g[T_OVER3], g[T_STRUCK], part[1], part[2]) ||
	    rp_note(&r,
	            _("As of %s. Overdue: not answered 30 working days "
	              "after the letter; over 3 months: the member may be "
	              "struck off; struck off: by the superior committee, "
	              "unanswered. See 'report transfers --overdue'."),
	            on))
		goto nomem;
	cb_sql_finalize(o);
	cb_sql_finalize(f);
	cb_sql_finalize(in);
	cb_sql_finalize(tp);
	free(sent);
	*out = r;
	return CB_OK;
nomem:
	rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
out:
	cb_sql_finalize(o);
	cb_sql_finalize(f);
	cb_sql_finalize(in);
	cb_sql_finalize(tp);
	free(sent);
	cb_report_release(&r);
	return rc;
}

cb_err
cb_report_overdue(struct cb_store *st, const char *root, const char *from,
                  const char *to, const char *on, struct cb_report *out,
                  struct cb_errbuf *eb)
{
	static const char *const cols[] = {
		N_("LETTER"),
		N_("LETTER DATE"),
		N_("MEMBER"),
		N_("CARD"),
		N_("FROM"),
		N_("TO"),
		N_("RELEASED"),
		N_("DUE"),
		N_("WORKING DAYS OVERDUE"),
		N_("OVER 3 MONTHS"),
	};
	static const char sql[] = CB_SQL_SUBTREE TRANSFERS_AS_OF
		"SELECT t.letter_no, t.letter_date, coalesce(m.full_name, ''), "
		"coalesce(m.card_no, ''), t.from_org, t.to_org, "
		"t.released_on, " LETTER_DUE ", " OVER_3_MONTHS
		" FROM t LEFT JOIN "
		"members m ON m.mkey = " MKEY_OF_T " WHERE " OVERDUE
		" ORDER BY t.letter_date, t.released_on, t.release";
	struct cb_report r;
	struct cb_stmt *s = NULL;
	long long n = 0, over3 = 0;
	char g[2][32];
	cb_err rc;
	int step;

	if ((rc = rp_init(&r, N_("Overdue transfers"), 10, cols)))
		goto nomem;
	if (cb_sql_prepare(st, sql, &s, NULL)) {
		rc = fail_sql(st, eb);
		goto out;
	}
	bind_range(s, root, from, to, on);
	while ((step = cb_sql_step(s)) == CB_SQL_ROW) {
		const char *c[9];
		char days[32];
		int late;

		for (int i = 0; i < 8; i++)
			c[i] = cb_sql_column_text(s, i);
		if ((rc = cb_calendar_working_days(st, c[7], on, &late, eb)))
			goto out;
		rp_num(late, days);
		n++;
		over3 += cb_sql_column_int64(s, 8);
		if (rp_row(&r, (const char *const[]){
				       c[0], c[1], c[2], c[3], c[4], c[5], c[6],
				       c[7], days,
				       cb_sql_column_int64(s, 8) ? _("yes")
								 : _("no") }))
			goto nomem;
	}
	if (step != CB_SQL_DONE) {
		rc = fail_sql(st, eb);
		goto out;
	}
	json_object_set_new(r.summary, "from",
	                    from ? json_string(from) : json_null());
	json_object_set_new(r.summary, "to",
	                    to ? json_string(to) : json_null());
	json_object_set_new(r.summary, "on", json_string(on));
	json_object_set_new(r.summary, "overdue", json_integer(n));
	json_object_set_new(r.summary, "over_3_months", json_integer(over3));
	rp_grouped(n, g[0]);
	rp_grouped(over3, g[1]);
	if (rp_note(&r,
	            P_("%s overdue transfer on %s (not answered 30 working "
	               "days after the letter), %s of them over 3 months",
	               "%s overdue transfers on %s (not answered 30 working "
	               "days after the letter), %s of them over 3 months",
	               (unsigned long)n),
	            g[0], on, g[1]))
		goto nomem;
	cb_sql_finalize(s);
	*out = r;
	return CB_OK;
nomem:
	rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
out:
	cb_sql_finalize(s);
	cb_report_release(&r);
	return rc;
}

/* Fork evidence is kept in the log (entries.evidence): it is not the key's
 * chain, and it is counted apart from the projection's rejections. */
cb_err
cb_report_key_stats(struct cb_store *st, const unsigned char key[CB_KEY_BYTES],
                    struct cb_report_key *out, struct cb_errbuf *eb)
{
	static const char head_sql[] =
		"SELECT seq, time_ms FROM entries WHERE author = ?1 AND "
		"evidence = 0 "
		"ORDER BY seq DESC LIMIT 1";
	/* each through its partial index (entries_rejected, entries_forks,
	 * entries_pending): not a row of the key's every entry */
	static const char counts_sql[] =
		"SELECT (SELECT count(*) FROM entries WHERE author = ?1 AND "
		"state = 'rejected' AND evidence = 0), (SELECT count(*) FROM "
		"entries WHERE author = ?1 AND evidence = 1), (SELECT count(*) "
		"FROM entries WHERE author = ?1 AND state = 'pending')";
	static const char refused_sql[] =
		"SELECT refused, refused_ms FROM contacts WHERE key = ?1 AND "
		"refused > 0";
	struct cb_report_key ks = { 0 };
	char hex[2 * CB_KEY_BYTES + 1];
	struct cb_stmt *s;
	int r;

	if (!(s = cb_sql(st, head_sql, eb)))
		return CB_EIO;
	cb_sql_bind_blob(s, 1, key, CB_KEY_BYTES);
	if ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		ks.seq = cb_sql_column_int64(s, 0);
		ks.last_ms = cb_sql_column_int64(s, 1);
	}
	cb_sql_reset(s);
	if (r != CB_SQL_ROW && r != CB_SQL_DONE)
		return cb_store_error(st, eb, "cannot read the log");
	if (!(s = cb_sql(st, counts_sql, eb)))
		return CB_EIO;
	cb_sql_bind_blob(s, 1, key, CB_KEY_BYTES);
	if ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		ks.rejected = cb_sql_column_int64(s, 0);
		ks.forks = cb_sql_column_int64(s, 1);
		ks.pending = cb_sql_column_int64(s, 2);
	}
	cb_sql_reset(s);
	if (r != CB_SQL_ROW)
		return cb_store_error(st, eb, "cannot read the log");
	if (!(s = cb_sql(st, refused_sql, eb)))
		return CB_EIO;
	cb_hex_encode(key, CB_KEY_BYTES, hex);
	cb_sql_bind_text(s, 1, hex);
	if ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		ks.refused = cb_sql_column_int64(s, 0);
		ks.refused_ms = cb_sql_column_int64(s, 1);
	}
	cb_sql_reset(s);
	if (r != CB_SQL_ROW && r != CB_SQL_DONE)
		return cb_store_error(st, eb, "cannot read contacts");
	*out = ks;
	return CB_OK;
}

void
cb_report_key_state(const char *revoked_on, const struct cb_report_key *ks,
                    char *out, size_t n)
{
	size_t len;

	out[0] = 0;
	if (revoked_on)
		snprintf(out, n, _("revoked %s"), revoked_on);
	len = strlen(out);
	snprintf(out + len, n - len, "%s%s",
	         revoked_on && ks->forks ? ", " : "",
	         ks->forks    ? _("frozen")
	         : revoked_on ? ""
	                      : C_("state", "active"));
	if (!ks->refused)
		return;
	len = strlen(out);
	snprintf(out + len, n - len,
	         P_("; %lld request refused", "; %lld requests refused",
	            (unsigned long)ks->refused),
	         (long long)ks->refused);
}

cb_err
cb_report_sync(struct cb_store *st, const char *root, struct cb_report *out,
               struct cb_errbuf *eb)
{
	static const char *const cols[] = {
		N_("KEY"),
		N_("ORG"),
		N_("ROLE"),
		N_("NAME"),
		N_("LAST CONTACT (UTC+7)"),
		N_("VIA"),
		N_("LAST ENTRY (UTC+7)"),
		N_("SEQ"),
		N_("WAITING"),
		N_("REJECTED"),
		N_("FORKS"),
		N_("STATE"),
	};
	static const char sql[] = CB_SQL_SUBTREE
		"SELECT e.key, e.org, e.role, coalesce(e.name, ''), "
		"e.revoked_on, c.last_ms, c.last_kind FROM enrolments e LEFT "
		"JOIN contacts c ON c.key = e.key WHERE :root IS NULL OR e.org "
		"IN sub ORDER BY e.org, e.key";
	struct cb_report r;
	struct cb_stmt *s = NULL;
	long long nkeys = 0, never = 0, waiting = 0, rejected = 0, forked = 0;
	json_t *keys = NULL;
	char g[5][32], part[3][192];
	cb_err rc;
	int step;

	if ((rc = rp_init(&r, N_("Sync"), 12, cols)))
		goto nomem;
	if (!(keys = json_array()))
		goto nomem;
	if (cb_sql_prepare(st, sql, &s, NULL)) {
		rc = fail_sql(st, eb);
		goto out;
	}
	cb_scope_bind_root(s, root);
	while ((step = cb_sql_step(s)) == CB_SQL_ROW) {
		const char *hex = cb_sql_column_text(s, 0);
		const char *revoked = cb_sql_column_text(s, 4);
		bool contacted = !cb_sql_column_null(s, 5);
		int64_t contact_ms = cb_sql_column_int64(s, 5);
		unsigned char key[CB_KEY_BYTES];
		struct cb_report_key ks;
		char shortkey[13], contact[32], last[32] = "-";
		char n[4][32], state[160];

		if (cb_hex_decode(hex, key, sizeof(key), eb)) {
			rc = cb_error_prefix(eb, CB_EINVAL,
			                     _("enrolled key '%s'"), hex);
			goto out;
		}
		if ((rc = cb_report_key_stats(st, key, &ks, eb)))
			goto out;
		nkeys++;
		never += !contacted;
		waiting += ks.pending;
		rejected += ks.rejected;
		forked += ks.forks > 0;
		snprintf(contact, sizeof(contact), "%s", _("never"));
		if (contacted)
			cb_time_iso(contact_ms, contact);
		if (ks.seq)
			cb_time_iso(ks.last_ms, last);
		snprintf(shortkey, sizeof(shortkey), "%.12s", hex);
		rp_num(ks.seq, n[0]);
		rp_num(ks.pending, n[1]);
		rp_num(ks.rejected, n[2]);
		rp_num(ks.forks, n[3]);
		cb_report_key_state(revoked, &ks, state, sizeof(state));
		if (rp_row(&r,
		           (const char *const[]){
				   shortkey, cb_sql_column_text(s, 1),
				   cb_words_label("role",
		                                  cb_sql_column_text(s, 2)),
				   cb_sql_column_text(s, 3), contact,
				   contacted ? cb_words_label(
						       "request",
						       cb_sql_column_text(s, 6))
					     : "",
				   last, n[0], n[1], n[2], n[3], state }) ||
		    json_array_append_new(
			    keys,
			    json_pack("{s:s, s:s?, s:s?, s:s?, s:o, s:o, s:I, "
		                      "s:I, s:I, s:I, s:I, s:o}",
		                      "key", hex, "org",
		                      cb_sql_column_text(s, 1), "role",
		                      cb_sql_column_text(s, 2), "revoked_on",
		                      revoked, "last_contact_ms",
		                      contacted ? json_integer(contact_ms)
		                                : json_null(),
		                      "last_entry_ms",
		                      ks.seq ? json_integer(ks.last_ms)
		                             : json_null(),
		                      "seq", (json_int_t)ks.seq, "waiting",
		                      (json_int_t)ks.pending, "rejected",
		                      (json_int_t)ks.rejected, "forks",
		                      (json_int_t)ks.forks, "refused_requests",
		                      (json_int_t)ks.refused, "last_refused_ms",
		                      ks.refused ? json_integer(ks.refused_ms)
		                                 : json_null())))
			goto nomem;
	}
	if (step != CB_SQL_DONE) {
		rc = fail_sql(st, eb);
		goto out;
	}
	json_object_set_new(r.summary, "keys", json_integer(nkeys));
	json_object_set_new(r.summary, "never_contacted", json_integer(never));
	json_object_set_new(r.summary, "waiting", json_integer(waiting));
	json_object_set_new(r.summary, "rejected", json_integer(rejected));
	json_object_set_new(r.summary, "forked_keys", json_integer(forked));
	json_object_set_new(r.summary, "by_key", keys);
	keys = NULL;
	rp_grouped(nkeys, g[0]);
	rp_grouped(never, g[1]);
	rp_grouped(waiting, g[2]);
	rp_grouped(rejected, g[3]);
	rp_grouped(forked, g[4]);
	snprintf(part[0], sizeof(part[0]),
	         P_("%s key", "%s keys", (unsigned long)nkeys), g[0]);
	snprintf(part[1], sizeof(part[1]),
	         P_("%s entry waiting", "%s entries waiting",
	            (unsigned long)waiting),
	         g[2]);
	snprintf(part[2], sizeof(part[2]),
	         P_("%s key with a fork", "%s keys with a fork",
	            (unsigned long)forked),
	         g[4]);
	if (rp_note(&r, _("%s, %s never in contact; %s, %s rejected; %s"),
	            part[0], g[1], part[1], g[3], part[2]))
		goto nomem;
	cb_sql_finalize(s);
	*out = r;
	return CB_OK;
nomem:
	rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
out:
	json_decref(keys);
	cb_sql_finalize(s);
	cb_report_release(&r);
	return rc;
}

/* The members of each number held by more than one member, where one of
 * them is in the subtree. The numbers are found by the partial indexes of
 * schema 14, so the query reads only the members that share one. */
cb_err
cb_report_clashes(struct cb_store *st, const char *root, struct cb_report *out,
                  struct cb_errbuf *eb)
{
	static const char sql[] = CB_SQL_SUBTREE
		", dup(field, num) AS (SELECT 'card_no', card_no FROM members "
		"WHERE card_no IS NOT NULL GROUP BY card_no HAVING count(*) > "
		"1 "
		"UNION ALL SELECT 'national_id', national_id FROM members "
		"WHERE "
		"national_id IS NOT NULL GROUP BY national_id HAVING count(*) "
		"> "
		"1), hit(field, num, id, name, org, cell, status) AS (SELECT "
		"d.field, d.num, m.id, m.full_name, m.org, m.cell, m.status "
		"FROM dup d JOIN members m ON m.card_no = d.num WHERE d.field "
		"= "
		"'card_no' UNION ALL SELECT d.field, d.num, m.id, m.full_name, "
		"m.org, m.cell, m.status FROM dup d JOIN members m ON "
		"m.national_id = d.num WHERE d.field = 'national_id') SELECT "
		"field, num, id, name, org, cell, status FROM hit h WHERE "
		"EXISTS (SELECT 1 FROM hit x WHERE x.field = h.field AND x.num "
		"= h.num AND x.org IN sub) ORDER BY field, num, org, id";
	static const char *const cols[] = { N_("number"),       N_("kind"),
		                            N_("member"),       N_("name"),
		                            N_("organisation"), N_("cell"),
		                            N_("status") };
	struct cb_report r;
	struct cb_stmt *s = NULL;
	long long numbers = 0, members = 0;
	char last[2][64] = { "", "" }, g[2][32], part[2][96];
	cb_err rc;
	int step;

	if (rp_init(&r, N_("Numbers recorded for more than one member"), 7,
	            cols))
		goto nomem;
	if (cb_sql_prepare(st, sql, &s, NULL)) {
		rc = fail_sql(st, eb);
		goto out;
	}
	cb_scope_bind_root(s, root);
	while ((step = cb_sql_step(s)) == CB_SQL_ROW) {
		const char *field = cb_sql_column_text(s, 0);
		const char *num = cb_sql_column_text(s, 1);
		char id[CB_HASH_HEX], shortid[13];

		if (strcmp(last[0], field) || strcmp(last[1], num)) {
			numbers++;
			snprintf(last[0], sizeof(last[0]), "%s", field);
			snprintf(last[1], sizeof(last[1]), "%s", num);
		}
		members++;
		snprintf(shortid, sizeof(shortid), "%.12s",
		         cb_sql_column_id(s, 2, id));
		if (rp_row(&r,
		           (const char *const[]){
				   num,
				   strcmp(field, "card_no") ? _("national ID")
							    : _("party card"),
				   shortid, cb_sql_column_text(s, 3),
				   cb_sql_column_text(s, 4),
				   cb_sql_column_text(s, 5),
				   cb_sql_column_text(s, 6) }))
			goto nomem;
	}
	if (step != CB_SQL_DONE) {
		rc = fail_sql(st, eb);
		goto out;
	}
	json_object_set_new(r.summary, "numbers", json_integer(numbers));
	json_object_set_new(r.summary, "members", json_integer(members));
	rp_grouped(numbers, g[0]);
	rp_grouped(members, g[1]);
	snprintf(part[0], sizeof(part[0]),
	         P_("%s number recorded for more than one member",
	            "%s numbers recorded for more than one member",
	            (unsigned long)numbers),
	         g[0]);
	snprintf(part[1], sizeof(part[1]),
	         P_("%s member", "%s members", (unsigned long)members), g[1]);
	if (rp_note(&r, "%s (%s)%s", part[0], part[1],
	            numbers ? _("; the committee above both organisations "
	                        "decides which record is right, and its "
	                        "owner corrects it with member.update")
	                    : ""))
		goto nomem;
	cb_sql_finalize(s);
	*out = r;
	return CB_OK;
nomem:
	rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
out:
	cb_sql_finalize(s);
	cb_report_release(&r);
	return rc;
}

cb_err
cb_report_clash_list(struct cb_store *st, const char *root, json_t **out,
                     struct cb_errbuf *eb)
{
	static const char sql[] = CB_SQL_SUBTREE
		"SELECT m.id, 'card_no', m.card_no FROM members m WHERE m.org "
		"IN sub AND m.card_no IS NOT NULL AND EXISTS (SELECT 1 FROM "
		"members x WHERE x.card_no = m.card_no AND x.id <> m.id) UNION "
		"ALL SELECT m.id, 'national_id', m.national_id FROM members m "
		"WHERE m.org IN sub AND m.national_id IS NOT NULL AND EXISTS "
		"(SELECT 1 FROM members x WHERE x.national_id = m.national_id "
		"AND x.id <> m.id) ORDER BY 2, 3, 1";
	json_t *list = json_array();
	struct cb_stmt *s = NULL;
	int step;

	if (!list)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	if (cb_sql_prepare(st, sql, &s, NULL)) {
		json_decref(list);
		return fail_sql(st, eb);
	}
	cb_scope_bind_root(s, root);
	while ((step = cb_sql_step(s)) == CB_SQL_ROW) {
		char id[CB_HASH_HEX];

		if (json_array_append_new(
			    list, json_pack("{s:s, s:s, s:s}", "member",
		                            cb_sql_column_id(s, 0, id), "field",
		                            cb_sql_column_text(s, 1), "number",
		                            cb_sql_column_text(s, 2)))) {
			cb_sql_finalize(s);
			json_decref(list);
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		}
	}
	cb_sql_finalize(s);
	if (step != CB_SQL_DONE) {
		json_decref(list);
		return fail_sql(st, eb);
	}
	*out = list;
	return CB_OK;
}

/* --- a report as a command line asks for it ---------------------------- */

enum {
	OPT_ON = 1u << 0,
	OPT_TERM = 1u << 1,
	OPT_PERIOD = 1u << 2,
	OPT_MONTHS = 1u << 3, /* --from and --to, months, required */
	OPT_DATES = 1u << 4,  /* --from and --to, days, optional */
	OPT_OVERDUE = 1u << 5,
};

static const struct {
	const char *kind;
	unsigned opts;
} report_kinds[] = {
	{ "membership", OPT_ON },
	{ "congresses", OPT_TERM },
	{ "ratings", OPT_PERIOD },
	{ "meetings", OPT_MONTHS },
	{ "campaign", OPT_DATES },
	{ "transfers", OPT_DATES | OPT_ON | OPT_OVERDUE },
	{ "sync", 0 },
	{ "clashes", 0 },
};

static bool
term_ok(const char *s)
{
	for (int i = 0; i < 9; i++)
		if (i == 4 ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
			return false;
	return s[9] == 0;
}

/* The dates of a report's query as the reports read them: days
 * YYYY-MM-DD, months YYYY-MM. */
struct report_dates {
	char from[11], to[11], on[11];
};

/* The day (a month's or a year's first, or last) of `typed`, an option's
 * value in any form of cb_date_parse_span, into out: YYYY-MM-DD, or
 * YYYY-MM with month. A month or a year where a day is meant is refused. */
static cb_err
option_date(const char *opt, const char *typed, bool last, bool month,
            char out[11], struct cb_errbuf *eb)
{
	struct cb_errbuf why;
	struct cb_date a, b;

	if (month ? cb_date_parse_span(typed, &a, &b, &why)
	          : cb_date_parse_loose(typed, &a, &why))
		return cb_error(eb, CB_EINVAL, "--%s: %s", opt, why.msg);
	cb_date_format(last && month ? &b : &a, out);
	if (month)
		out[7] = 0;
	return CB_OK;
}

/* cb_report_check, and q with its dates as the reports read them into n
 * (the strings in d). */
static cb_err
check(const struct cb_report_query *q, struct cb_report_query *n,
      struct report_dates *d, struct cb_errbuf *eb)
{
	const char *k = q->kind;
	unsigned opts = 0;
	size_t i, nk = sizeof(report_kinds) / sizeof(report_kinds[0]);
	bool months;

	for (i = 0; i < nk && strcmp(report_kinds[i].kind, k); i++)
		;
	if (i == nk)
		return cb_error(eb, CB_EINVAL, _("unknown report '%s'"), k);
	opts = report_kinds[i].opts;
	months = opts & OPT_MONTHS;
	if (!q->root && strcmp(k, "sync"))
		return cb_error(eb, CB_EINVAL, _("%s needs an organisation"),
		                k);
	if (q->on && !(opts & OPT_ON))
		return cb_error(eb, CB_EINVAL, _("%s takes no --on"), k);
	if (q->term && !(opts & OPT_TERM))
		return cb_error(eb, CB_EINVAL, _("%s takes no --term"), k);
	if (q->period && !(opts & OPT_PERIOD))
		return cb_error(eb, CB_EINVAL, _("%s takes no --period"), k);
	if ((q->from || q->to) && !(opts & (OPT_MONTHS | OPT_DATES)))
		return cb_error(eb, CB_EINVAL, _("%s takes no --from or --to"),
		                k);
	if (q->overdue && !(opts & OPT_OVERDUE))
		return cb_error(eb, CB_EINVAL, _("%s takes no --overdue"), k);
	if ((opts & OPT_TERM) && (!q->term || !term_ok(q->term)))
		return cb_error(eb, CB_EINVAL, _("%s needs --term YYYY-YYYY"),
		                k);
	if ((opts & OPT_PERIOD) && (!q->period || !cb_period_valid(q->period)))
		return cb_error(eb, CB_EINVAL,
		                _("%s needs --period YYYY, YYYY-Qn or YYYY-MM"),
		                k);
	if (months && (!q->from || !q->to))
		return cb_error(eb, CB_EINVAL,
		                _("%s needs --from YYYY-MM and --to YYYY-MM"),
		                k);
	*n = *q;
	if ((q->from &&
	     option_date("from", q->from, false, months, d->from, eb)) ||
	    (q->to && option_date("to", q->to, true, months, d->to, eb)) ||
	    (q->on && option_date("on", q->on, false, false, d->on, eb)))
		return CB_EINVAL;
	n->from = q->from ? d->from : NULL;
	n->to = q->to ? d->to : NULL;
	n->on = q->on ? d->on : NULL;
	if (n->from && n->to && strcmp(n->from, n->to) > 0)
		return cb_error(eb, CB_EINVAL,
		                _("%s: --from %s is after --to %s"), k, n->from,
		                n->to);
	return CB_OK;
}

cb_err
cb_report_check(const struct cb_report_query *q, struct cb_errbuf *eb)
{
	struct cb_report_query n;
	struct report_dates d;

	return check(q, &n, &d, eb);
}

cb_err
cb_report_run(struct cb_store *st, const struct cb_report_query *typed,
              struct cb_report *out, struct cb_errbuf *eb)
{
	struct cb_report_query n, *q = &n;
	struct report_dates d;
	const char *k = typed->kind;
	char today[11];
	cb_err rc;

	if ((rc = check(typed, &n, &d, eb)))
		return rc;
	if (q->on) {
		snprintf(today, sizeof(today), "%s", q->on);
	} else {
		struct cb_date day = cb_date_today();

		cb_date_format(&day, today);
	}
	if (!strcmp(k, "membership"))
		return cb_report_membership(st, q->root, today, out, eb);
	if (!strcmp(k, "congresses"))
		return cb_report_congresses(st, q->root, q->term, out, eb);
	if (!strcmp(k, "ratings"))
		return cb_report_ratings(st, q->root, q->period, out, eb);
	if (!strcmp(k, "meetings"))
		return cb_report_meetings(st, q->root, q->from, q->to, out, eb);
	if (!strcmp(k, "campaign"))
		return cb_report_campaign(st, q->root, q->from, q->to, out, eb);
	if (!strcmp(k, "transfers"))
		return q->overdue ? cb_report_overdue(st, q->root, q->from,
		                                      q->to, today, out, eb)
		                  : cb_report_transfers(st, q->root, q->from,
		                                        q->to, today, out, eb);
	if (!strcmp(k, "clashes"))
		return cb_report_clashes(st, q->root, out, eb);
	return cb_report_sync(st, q->root, out, eb);
}

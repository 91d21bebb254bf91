/* SPDX-License-Identifier: MIT */
/* query.c — the replica's questions of query.h: each one SQL query over
 * the projection (portable SQL, sql.md), its parameters, and the headings
 * of its columns. A column's name in the SQL is its name in JSON; a name
 * that starts with '_' is for JSON only, and one that ends in "_json"
 * holds JSON text, embedded under the name without the ending. */
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "date.h"
#include "entry.h"
#include "ops.h"
#include "scope.h"
#include "sql.h"
#include "words.h"

/* The subtree of :root, as a subquery: after the ?N parameters, so that
 * :root is numbered after them. */
#define SUB_OF_ROOT                                                            \
	"(WITH RECURSIVE sub(code) AS (SELECT :root UNION SELECT o.code FROM " \
	"orgs o JOIN sub ON o.parent = sub.code) SELECT code FROM sub) "

#define LETTER_DUE CB_SQL_DUE("t.letter_date")
#define LETTER_LAPSE CB_SQL_LAPSE("t.letter_date")

/* A member's key (schema 034: members are found by their key), from its
 * id in hex at ?1, or in a column */
#define MKEY_OF_HEX CB_SQL_MKEY("chibo_unhex(?1)")
#define MKEY_OF_T CB_SQL_MKEY("t.member")
#define MKEY_OF_A CB_SQL_MKEY("a.member")
#define MKEY_OF_H1 CB_SQL_MKEY("k.helper1")
#define MKEY_OF_H2 CB_SQL_MKEY("k.helper2")
#define MKEY_OF_R CB_SQL_MKEY("r.subject")

#define LIVE_STATUSES "('probationary', 'official', 'exempt')"

cb_err
cb_query_check(const struct cb_query_filter *f, struct cb_errbuf *eb)
{
	struct cb_errbuf why;
	struct cb_date a, b;
	char list[256];

	if (f->status && !cb_words_match(cb_member_statuses, f->status)) {
		cb_enum_list(cb_member_statuses, list, sizeof(list));
		return cb_error(eb, CB_EINVAL,
		                _("unknown status '%.40s'; give %s (or the "
		                  "Vietnamese word)"),
		                f->status, list);
	}
	if (f->from && cb_date_parse_span(f->from, &a, &b, &why))
		return cb_error(eb, CB_EINVAL, _("--from: %s"), why.msg);
	if (f->to && cb_date_parse_span(f->to, &a, &b, &why))
		return cb_error(eb, CB_EINVAL, "--to: %s", why.msg);
	if (f->on && cb_date_parse_loose(f->on, &a, &why))
		return cb_error(eb, CB_EINVAL, "--on: %s", why.msg);
	if (f->period && !cb_period_valid(f->period))
		return cb_error(eb, CB_EINVAL,
		                _("--period: '%.20s' is not a period: YYYY, "
		                  "YYYY-Q1..Q4 or YYYY-MM"),
		                f->period);
	return CB_OK;
}

void
cb_query_result_release(struct cb_query_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ncols; i++)
		free(r->cols[i].name);
	free(r->cols);
	free(r->values);
	cb_buf_release(&r->texts);
	memset(r, 0, sizeof(*r));
}

const struct cb_query_value *
cb_query_value(const struct cb_query_result *r, size_t row, size_t col)
{
	return &r->values[row * r->ncols + col];
}

const char *
cb_query_text(const struct cb_query_result *r, size_t row, size_t col)
{
	const struct cb_query_value *v = cb_query_value(r, row, col);

	return v->kind == CB_QUERY_NULL ? NULL
	                                : (const char *)r->texts.data + v->text;
}

/* The columns of s into r, named and headed as the file's comment says:
 * headings, NULL-ended, go to the columns not for JSON only, in order;
 * they are marked N_() and translated where they are shown. */
static cb_err
take_columns(struct cb_stmt *s, const char *const *headings,
             struct cb_query_result *r, struct cb_errbuf *eb)
{
	size_t n = (size_t)cb_sql_column_count(s), k = 0;

	if (!(r->cols = calloc(n ? n : 1, sizeof(*r->cols))))
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	r->ncols = n;
	for (size_t i = 0; i < n; i++) {
		const char *name = cb_sql_column_name(s, (int)i);
		struct cb_query_col *c = &r->cols[i];
		size_t len;

		if (name[0] == '_')
			name++;
		else
			c->heading = headings[k] ? headings[k++] : "";
		len = strlen(name);
		if (len > 5 && !strcmp(name + len - 5, "_json")) {
			c->json = true;
			len -= 5;
		}
		if (!(c->name = strndup(name, len)))
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	return CB_OK;
}

/* The row s is on, appended to r. */
static cb_err
take_row(struct cb_stmt *s, struct cb_query_result *r, struct cb_errbuf *eb)
{
	struct cb_query_value *row;

	if (r->nrows == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct cb_query_value *p =
			realloc(r->values,
		                cap * (r->ncols ? r->ncols : 1) * sizeof(*p));

		if (!p)
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
		r->values = p;
		r->cap = cap;
	}
	row = &r->values[r->nrows * r->ncols];
	for (size_t i = 0; i < r->ncols; i++) {
		enum cb_sql_kind kind = cb_sql_column_kind(s, (int)i);
		const char *text;

		row[i].kind = kind == CB_SQL_NULL  ? CB_QUERY_NULL
		              : kind == CB_SQL_INT ? CB_QUERY_INT
		                                   : CB_QUERY_TEXT;
		row[i].num =
			kind == CB_SQL_INT ? cb_sql_column_int64(s, (int)i) : 0;
		row[i].text = r->texts.len;
		if (kind == CB_SQL_NULL)
			continue;
		if (kind == CB_SQL_BLOB) {
			/* ids: their 32 bytes as hex, as every reader shows
			 * them; any other bytes so too */
			size_t nb = cb_sql_column_bytes(s, (int)i);

			if (cb_buf_grow(&r->texts, 2 * nb + 1))
				return cb_error(eb, CB_ENOMEM,
				                _("out of memory"));
			cb_hex_encode(cb_sql_column_blob(s, (int)i), nb,
			              (char *)r->texts.data + r->texts.len);
			r->texts.len += 2 * nb + 1;
			continue;
		}
		text = cb_sql_column_text(s, (int)i);
		if (!text || cb_buf_add(&r->texts, text, strlen(text) + 1))
			return cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	r->nrows++;
	return CB_OK;
}

/* Run sql with binds ?1..?nbinds (text, NULL for NULL) and :root bound to
 * root, into *out (released first) on success. */
static cb_err
run(struct cb_store *st, const char *sql, const char *const *binds, int nbinds,
    const char *root, const char *const *headings, struct cb_query_result *out,
    struct cb_errbuf *eb)
{
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_stmt *s = NULL;
	cb_err rc;
	int step;

	if (cb_sql_prepare(st, sql, &s, NULL))
		return cb_store_error(st, eb, "cannot query the replica");
	for (int i = 0; i < nbinds; i++)
		cb_sql_bind_text(s, i + 1, binds[i]);
	if (root)
		cb_scope_bind_root(s, root);
	if ((rc = take_columns(s, headings, &r, eb)))
		goto out;
	while ((step = cb_sql_step(s)) == CB_SQL_ROW)
		if ((rc = take_row(s, &r, eb)))
			goto out;
	if (step != CB_SQL_DONE) {
		rc = cb_store_error(st, eb, "cannot query the replica");
		goto out;
	}
	cb_query_result_release(out);
	*out = r;
	memset(&r, 0, sizeof(r));
out:
	cb_query_result_release(&r);
	cb_sql_finalize(s);
	return rc;
}

/* The values of a question's ?N parameters, and room for those made. */
struct binds {
	const char *v[4];
	int n;
	char cell[2 * CB_CODE_MAX + 2];
	char from[11], to[11], on[11];
};

/* The code of the cell a filter names into buf: in full or short (ROOT.x),
 * in any case when one cell only matches so ("ca" finds "26734.CA").
 * CB_ENOTFOUND when the replica knows no such cell: an empty answer would
 * say the cell is empty. */
static cb_err
find_cell(struct cb_store *st, const char *root, const char *typed,
          char buf[2 * CB_CODE_MAX + 2], struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT code FROM orgs WHERE level = 'cell' AND code = ?1 "
		"COLLATE NOCASE ORDER BY code = ?1 DESC, code LIMIT 2";
	char full[2 * CB_CODE_MAX + 2], other[2 * CB_CODE_MAX + 2] = "";
	struct cb_stmt *s;
	int found = 0, step, exact = 0;

	if (strchr(typed, '.') || !*root)
		snprintf(full, sizeof(full), "%s", typed);
	else
		snprintf(full, sizeof(full), "%s.%s", root, typed);
	if (!(s = cb_sql(st, sql, eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, full);
	while ((step = cb_sql_step(s)) == CB_SQL_ROW) {
		const char *code = cb_sql_column_text(s, 0);

		if (found++ == 0) {
			snprintf(buf, 2 * CB_CODE_MAX + 2, "%s", code);
			exact = !strcmp(code, full);
		} else {
			snprintf(other, sizeof(other), "%s", code);
		}
	}
	cb_sql_reset(s);
	if (step != CB_SQL_DONE)
		return cb_store_error(st, eb, "cannot query the replica");
	if (found == 0)
		return cb_error(eb, CB_ENOTFOUND,
		                _("no cell '%.70s' in this replica; 'cells' "
		                  "lists them"),
		                full);
	if (found > 1 && !exact)
		return cb_error(eb, CB_ENOTFOUND,
		                _("cell '%.70s' could be '%s' or '%s'; type it "
		                  "as 'cells' lists it"),
		                typed, buf, other);
	return CB_OK;
}

static cb_err
bind_members(struct cb_store *st, const char *of,
             const struct cb_query_filter *f, struct binds *b,
             struct cb_errbuf *eb)
{
	cb_err rc;

	if (f->cell && (rc = find_cell(st, of, f->cell, b->cell, eb)))
		return rc;
	b->v[0] = f->cell ? b->cell : NULL;
	b->v[1] = f->status ? cb_words_match(cb_member_statuses, f->status)
	                    : NULL;
	b->v[2] = f->name;
	b->v[3] = f->all ? "1" : NULL;
	b->n = 4;
	return CB_OK;
}

/* A filter's day, or the first (last) day of its month or year, into out
 * as YYYY-MM-DD; cb_query_check has checked it. */
static cb_err
bind_span(const char *typed, bool last, char out[11], struct cb_errbuf *eb)
{
	struct cb_date a, b;

	if (cb_date_parse_span(typed, &a, &b, eb))
		return CB_EINVAL;
	cb_date_format(last ? &b : &a, out);
	return CB_OK;
}

static cb_err
bind_meetings(struct cb_store *st, const char *of,
              const struct cb_query_filter *f, struct binds *b,
              struct cb_errbuf *eb)
{
	cb_err rc = CB_OK;

	if ((f->cell && (rc = find_cell(st, of, f->cell, b->cell, eb))) ||
	    (f->from && (rc = bind_span(f->from, false, b->from, eb))) ||
	    (f->to && (rc = bind_span(f->to, true, b->to, eb))))
		return rc;
	b->v[0] = f->cell ? b->cell : NULL;
	b->v[1] = f->from ? b->from : NULL;
	b->v[2] = f->to ? b->to : NULL;
	b->n = 3;
	return CB_OK;
}

/* A subject filter must start the id of a member or the code of an
 * organisation the replica knows. */
static cb_err
bind_ratings(struct cb_store *st, const char *of,
             const struct cb_query_filter *f, struct binds *b,
             struct cb_errbuf *eb)
{
	static const char known_sql[] =
		"SELECT 1 FROM members WHERE hex(id) LIKE ?1 || '%' UNION ALL "
		"SELECT 1 FROM orgs WHERE code LIKE ?1 || '%' LIMIT 1";
	struct cb_stmt *s;
	int step;

	(void)of;
	if (f->subject) {
		if (!(s = cb_sql(st, known_sql, eb)))
			return CB_EIO;
		cb_sql_bind_text(s, 1, f->subject);
		step = cb_sql_step(s);
		cb_sql_reset(s);
		if (step == CB_SQL_DONE)
			return cb_error(
				eb, CB_ENOTFOUND,
				_("no member id or organisation code "
			          "starts with '%.70s' in this replica"),
				f->subject);
		if (step != CB_SQL_ROW)
			return cb_store_error(st, eb,
			                      "cannot query the replica");
	}
	b->v[0] = f->period;
	b->v[1] = f->subject;
	b->n = 2;
	return CB_OK;
}

/* :root is ?1; the day the states are as of, ?3 (today in Vietnam). */
static cb_err
bind_transfers(struct cb_store *st, const char *of,
               const struct cb_query_filter *f, struct binds *b,
               struct cb_errbuf *eb)
{
	struct cb_date d = cb_date_today();
	cb_err rc;

	(void)st;
	if (f->on && (rc = cb_date_parse_loose(f->on, &d, eb)))
		return rc;
	cb_date_format(&d, b->on);
	b->v[0] = of;
	b->v[1] = f->all ? "1" : NULL;
	b->v[2] = b->on;
	b->n = 3;
	return CB_OK;
}

/* The organisation's members, and those another organisation sent for a
 * while, listed today in one of its cells (status 'temporary': no vote). */
static const char members_sql[] =
	"SELECT id, full_name, birth_date, sex, card_no, status, cell, "
	"_national_id, _admitted_on, _official_on, _status_on, "
	"_work_category, _council_area, _org FROM ("
	"SELECT id, full_name, birth_date, sex, card_no, status, "
	"CASE WHEN transit IS NULL THEN cell ELSE 'in transit' END AS cell, "
	"national_id AS _national_id, admitted_on AS _admitted_on, "
	"official_on AS _official_on, status_on AS _status_on, "
	"work_category AS _work_category, "
	"council_area AS _council_area, org AS _org, name_fold "
	"FROM members WHERE (?1 IS NULL OR cell = ?1) "
	"AND (?2 IS NULL OR status = ?2) "
	"AND (?3 IS NULL OR chibo_match(full_name, ?3)) "
	"AND (?4 IS NOT NULL OR ?2 IS NOT NULL OR status NOT IN "
	"('struck-off', 'expelled', 'resigned', 'deceased')) "
	"AND org IN " SUB_OF_ROOT
	"UNION ALL SELECT m.id, m.full_name, m.birth_date, m.sex, "
	"m.card_no, 'temporary', s.cell, m.national_id, m.admitted_on, "
	"m.official_on, m.status_on, m.work_category, m.council_area, "
	"m.org, m.name_fold FROM memberships s JOIN members m ON m.mkey = "
	"s.member JOIN orgs c ON c.code = s.cell WHERE s.kind = "
	"'temporary' AND s.since <= date('now', '+7 hours') AND "
	"s.until > date('now', '+7 hours') AND c.parent IN " SUB_OF_ROOT
	"AND (?1 IS NULL OR s.cell = ?1) AND ?2 IS NULL AND (?3 IS NULL OR "
	"chibo_match(m.full_name, ?3))) AS listed ORDER BY cell, name_fold, id";
static const char *const members_headings[] = { N_("ID"),   N_("NAME"),
	                                        N_("BORN"), N_("SEX"),
	                                        N_("CARD"), N_("STATUS"),
	                                        N_("CELL"), NULL };

static const char cells_sql[] = CB_SQL_SUBTREE
	"SELECT o.code, o.name, o.level, o.kind, o.state, "
	"(SELECT count(*) FROM members m WHERE m.cell = o.code AND "
	" m.status IN " LIVE_STATUSES ") AS members, "
	"(SELECT max(term) FROM congresses c WHERE c.org = o.code) "
	"AS last_congress, o.parent AS _parent, o.founded_on AS _founded_on "
	"FROM orgs o WHERE o.code IN sub ORDER BY o.level = 'cell', o.code";
static const char *const cells_headings[] = { N_("CODE"),     N_("NAME"),
	                                      N_("LEVEL"),    N_("KIND"),
	                                      N_("STATE"),    N_("MEMBERS"),
	                                      N_("CONGRESS"), NULL };

/* Each organisation or cell directly under :root, with the live members
 * its subtree holds (a cell's: those in it; an organisation's: those it
 * and the organisations under it own, as the membership report counts)
 * and its active cells. */
static const char children_sql[] =
	"WITH RECURSIVE sub(top, code) AS (SELECT code, code FROM orgs WHERE "
	"parent = :root UNION SELECT sub.top, o.code FROM orgs o JOIN sub ON "
	"o.parent = sub.code) "
	"SELECT c.code, c.name, c.level, c.kind, c.state, "
	"(SELECT count(*) FROM members m WHERE m.status IN " LIVE_STATUSES
	" AND ((c.level = 'cell' AND m.cell = c.code) OR (c.level <> 'cell' "
	"AND m.org IN (SELECT code FROM sub WHERE top = c.code)))) AS members, "
	"(SELECT count(*) FROM sub JOIN orgs k ON k.code = sub.code WHERE "
	"sub.top = c.code AND k.level = 'cell' AND k.state = 'active') AS "
	"cells FROM orgs c WHERE c.parent = :root "
	"ORDER BY c.level = 'cell', c.code";
static const char *const children_headings[] = { N_("CODE"),  N_("NAME"),
	                                         N_("LEVEL"), N_("KIND"),
	                                         N_("STATE"), N_("MEMBERS"),
	                                         N_("CELLS"), NULL };

/* The organisation ?1 and those above it, the top first. */
static const char org_path_sql[] =
	"WITH RECURSIVE up(code, depth) AS (SELECT CAST(?1 AS TEXT), 0 "
	"UNION ALL SELECT "
	"o.parent, up.depth + 1 FROM orgs o JOIN up ON o.code = up.code WHERE "
	"o.parent IS NOT NULL AND up.depth < 64) "
	"SELECT o.code, o.name, o.level FROM up JOIN orgs o ON o.code = "
	"up.code ORDER BY up.depth DESC";
static const char *const org_path_headings[] = { N_("CODE"), N_("NAME"),
	                                         N_("LEVEL"), NULL };

static const char meetings_sql[] =
	"SELECT id, cell, date, kind, duration_min, "
	"(SELECT count(*) FROM attendance WHERE meeting = m.id AND "
	" mark = 'present') || '/' || "
	"(SELECT count(*) FROM attendance WHERE meeting = m.id) "
	"AS present, rating, versions, chair AS _chair, clerk AS _clerk, "
	"content AS _content, resolutions AS _resolutions, "
	"observers AS _observers_json "
	"FROM meetings m WHERE (?1 IS NULL OR cell = ?1) "
	"AND (?2 IS NULL OR date >= ?2) AND (?3 IS NULL OR date <= ?3) "
	"ORDER BY date, cell, id";
static const char *const meetings_headings[] = {
	N_("ID"),      N_("CELL"),   N_("DATE"),     N_("KIND"), N_("MINUTES"),
	N_("PRESENT"), N_("RATING"), N_("VERSIONS"), NULL
};

static const char ratings_sql[] =
	"SELECT r.subject_kind, r.subject, "
	"coalesce(m.full_name, o.name) AS name, r.period, r.stage, "
	"r.level, r.score, r.note AS _note FROM ratings r "
	"LEFT JOIN members m ON r.subject_kind = 'member' AND "
	"m.mkey = " MKEY_OF_R " "
	"LEFT JOIN orgs o ON r.subject_kind = 'org' AND o.code = r.subject "
	"WHERE (?1 IS NULL OR r.period = ?1) "
	"AND (?2 IS NULL OR CASE r.subject_kind WHEN 'member' THEN "
	"hex(r.subject) LIKE ?2 || '%' ELSE r.subject LIKE ?2 || '%' END) "
	"ORDER BY r.period, r.subject_kind, name, r.subject, "
	"CASE r.stage WHEN 'self' THEN 1 WHEN 'proposed' THEN 2 ELSE 3 END";
static const char *const ratings_headings[] = { N_("KIND"),  N_("SUBJECT"),
	                                        N_("NAME"),  N_("PERIOD"),
	                                        N_("STAGE"), N_("LEVEL"),
	                                        N_("SCORE"), NULL };

/* Overdue: not answered 30 working days after the letter; over 3 months:
 * the member may be struck off (DOMAIN.md, "Transfers"). */
static const char transfers_sql[] = CB_SQL_SUBTREE
	"SELECT t.release AS id, m.full_name AS name, t.from_org, "
	"t.to_org, CASE WHEN t.state <> 'in-transit' THEN t.state WHEN "
	"t.struck_by IS NOT NULL THEN 'struck off' WHEN ?3 > " LETTER_LAPSE
	" THEN 'over 3 months' WHEN ?3 > " LETTER_DUE
	" THEN 'overdue' ELSE 'in-transit' END AS state, t.released_on, "
	"t.letter_no, " LETTER_DUE " AS due, coalesce(t.closed_on, '') "
	"AS closed_on, t.member AS _member, t.from_cell AS _from_cell, "
	"t.to_cell AS _to_cell, t.cell AS _cell, t.letter_date AS "
	"_letter_date, t.reason AS _reason, t.closed_by AS _closed_by "
	"FROM transfers t LEFT JOIN members m ON m.mkey = " MKEY_OF_T " WHERE "
	"(t.from_org IN sub OR t.to_org IN sub) AND (?2 IS NOT NULL OR "
	"t.state = 'in-transit') ORDER BY t.released_on, t.release";
static const char *const transfers_headings[] = {
	N_("RELEASE"),  N_("MEMBER"), N_("FROM"), N_("TO"),     N_("STATE"),
	N_("RELEASED"), N_("LETTER"), N_("DUE"),  N_("CLOSED"), NULL
};

static const char dissolutions_sql[] = CB_SQL_SUBTREE
	"SELECT d.plan AS id, d.cell, o.name, d.state, d.planned_on, "
	"coalesce(d.approval_no, '') AS approval, "
	"coalesce(d.approved_on, '') AS approved_on, "
	"coalesce(d.dissolved_on, '') AS dissolved_on, "
	"(SELECT count(*) FROM memberships m WHERE m.cell = d.cell AND "
	"m.until IS NULL) AS members, d.reason AS _reason, "
	"d.approved_by AS _approved_by, d.decision AS _decision "
	"FROM dissolutions d LEFT JOIN orgs o ON o.code = d.cell "
	"WHERE d.org IN sub ORDER BY d.planned_on, d.cell";
static const char *const dissolutions_headings[] = {
	N_("PLAN"),     N_("CELL"),
	N_("NAME"),     N_("STATE"),
	N_("PLANNED"),  N_("APPROVAL"),
	N_("APPROVED"), N_("DISSOLVED"),
	N_("MEMBERS"),  NULL
};

static const char candidates_sql[] = CB_SQL_SUBTREE
	"SELECT k.id, k.full_name AS name, k.birth_date, k.cell, "
	"coalesce(h1.full_name, '') AS helper, "
	"coalesce(h2.full_name, '') AS helper_2, k.state, "
	"coalesce(k.admitted_on, '') AS admitted_on, k.sex AS _sex, "
	"k.national_id AS _national_id, k.helper1 AS _helper1, "
	"k.helper2 AS _helper2 FROM candidates k "
	"LEFT JOIN members h1 ON h1.mkey = " MKEY_OF_H1 " "
	"LEFT JOIN members h2 ON h2.mkey = " MKEY_OF_H2 " "
	"WHERE k.org IN sub ORDER BY k.state, k.cell, k.name_fold";
static const char *const candidates_headings[] = {
	N_("ID"),     N_("NAME"),  N_("BORN"),     N_("CELL"), N_("HELPER"),
	N_("HELPER"), N_("STATE"), N_("ADMITTED"), NULL
};

static const char member_sql[] =
	"SELECT id, full_name, birth_date, sex, card_no, national_id, "
	"admitted_on, official_on, status, status_on, work_category, "
	"council_area, cell, org FROM members WHERE mkey = " MKEY_OF_HEX;
static const char *const member_headings[] = {
	N_("ID"),       N_("NAME"),     N_("BORN"),
	N_("SEX"),      N_("CARD"),     N_("NATIONAL ID"),
	N_("ADMITTED"), N_("OFFICIAL"), N_("STATUS"),
	N_("SINCE"),    N_("WORK"),     N_("COUNCIL AREA"),
	N_("CELL"),     N_("ORG"),      NULL
};

static const char member_stays_sql[] =
	"SELECT cell, kind, since, until FROM memberships "
	"WHERE member = " MKEY_OF_HEX " ORDER BY since, entry";
static const char *const member_stays_headings[] = { N_("CELL"), N_("KIND"),
	                                             N_("SINCE"), N_("UNTIL"),
	                                             NULL };

static const char member_ratings_sql[] =
	"SELECT period, stage, level, score FROM ratings WHERE "
	"subject_kind = 'member' AND subject = chibo_unhex(?1) "
	"ORDER BY period, stage";
static const char *const member_ratings_headings[] = { N_("PERIOD"),
	                                               N_("STAGE"), N_("LEVEL"),
	                                               N_("SCORE"), NULL };

static const char meeting_sql[] =
	"SELECT id, cell, date, kind, duration_min, chair, clerk, rating, "
	"versions, content, resolutions, observers AS observers_json "
	"FROM meetings WHERE id = ?1 OR id LIKE ?1 || '%'";
static const char *const meeting_headings[] = {
	N_("ID"),      N_("CELL"),        N_("DATE"),
	N_("KIND"),    N_("MINUTES"),     N_("CHAIR"),
	N_("CLERK"),   N_("RATING"),      N_("VERSIONS"),
	N_("CONTENT"), N_("RESOLUTIONS"), N_("OBSERVERS"),
	NULL
};

static const char meeting_attendance_sql[] =
	"SELECT a.member, m.full_name, a.mark FROM attendance a "
	"LEFT JOIN members m ON m.mkey = " MKEY_OF_A " "
	"WHERE a.meeting = (SELECT id FROM meetings WHERE id = ?1 OR "
	"id LIKE ?1 || '%' LIMIT 1) ORDER BY m.name_fold";
static const char *const meeting_attendance_headings[] = { N_("MEMBER"),
	                                                   N_("NAME"),
	                                                   N_("MARK"), NULL };

/* Who a cell held on a day, for a meeting's attendance checklist: an
 * official or temporary stay in it open that day (until is the first day
 * out of it). */
static const char cell_roll_sql[] =
	"SELECT m.id, m.full_name, s.kind FROM memberships s "
	"JOIN members m ON m.mkey = s.member WHERE s.cell = ?1 AND "
	"s.since <= ?2 AND (s.until IS NULL OR s.until > ?2) "
	"ORDER BY m.name_fold, m.id";
static const char *const cell_roll_headings[] = { N_("ID"), N_("NAME"),
	                                          N_("KIND"), NULL };

static cb_err
bind_cell_roll(struct cb_store *st, const char *of,
               const struct cb_query_filter *f, struct binds *b,
               struct cb_errbuf *eb)
{
	struct cb_date d = cb_date_today();
	cb_err rc;

	if (!f->cell)
		return cb_error(eb, CB_EINVAL, _("give the cell"));
	if ((rc = find_cell(st, of, f->cell, b->cell, eb)) ||
	    (f->on && (rc = cb_date_parse_loose(f->on, &d, eb))))
		return rc;
	cb_date_format(&d, b->on);
	b->v[0] = b->cell;
	b->v[1] = b->on;
	b->n = 2;
	return CB_OK;
}

/* Every question: its SQL, the headings of its columns not for JSON
 * only (NULL-ended), and how the filter binds its ?N parameters (NULL:
 * ?1 is what it is asked of, as :root is for a list). */
static const struct question {
	const char *sql;
	const char *const *headings;
	cb_err (*bind)(struct cb_store *st, const char *of,
	               const struct cb_query_filter *f, struct binds *b,
	               struct cb_errbuf *eb);
} questions[CB_QUERY_QUESTIONS] = {
	[CB_QUERY_MEMBERS] = { members_sql, members_headings, bind_members },
	[CB_QUERY_CELLS] = { cells_sql, cells_headings, NULL },
	[CB_QUERY_MEETINGS] = { meetings_sql, meetings_headings,
	                        bind_meetings },
	[CB_QUERY_RATINGS] = { ratings_sql, ratings_headings, bind_ratings },
	[CB_QUERY_TRANSFERS] = { transfers_sql, transfers_headings,
	                         bind_transfers },
	[CB_QUERY_DISSOLUTIONS] = { dissolutions_sql, dissolutions_headings,
	                            NULL },
	[CB_QUERY_CANDIDATES] = { candidates_sql, candidates_headings, NULL },
	[CB_QUERY_MEMBER] = { member_sql, member_headings, NULL },
	[CB_QUERY_MEMBER_STAYS] = { member_stays_sql, member_stays_headings,
	                            NULL },
	[CB_QUERY_MEMBER_RATINGS] = { member_ratings_sql,
	                              member_ratings_headings, NULL },
	[CB_QUERY_MEETING] = { meeting_sql, meeting_headings, NULL },
	[CB_QUERY_MEETING_ATTENDANCE] = { meeting_attendance_sql,
	                                  meeting_attendance_headings, NULL },
	[CB_QUERY_CELL_ROLL] = { cell_roll_sql, cell_roll_headings,
	                         bind_cell_roll },
	[CB_QUERY_CHILDREN] = { children_sql, children_headings, NULL },
	[CB_QUERY_ORG_PATH] = { org_path_sql, org_path_headings, NULL },
};

cb_err
cb_query_ask(struct cb_store *st, enum cb_query_question q, const char *of,
             const struct cb_query_filter *f, struct cb_query_result *out,
             struct cb_errbuf *eb)
{
	static const struct cb_query_filter none = CB_QUERY_FILTER_INIT;
	const struct question *qn;
	struct binds b = { .v = { of }, .n = 1 };
	cb_err rc;

	if ((unsigned)q >= CB_QUERY_QUESTIONS)
		return cb_error(eb, CB_EINVAL, _("no such question (%d)"),
		                (int)q);
	qn = &questions[q];
	if (!f)
		f = &none;
	if ((rc = cb_query_check(f, eb)) ||
	    (qn->bind && (rc = qn->bind(st, of, f, &b, eb))))
		return rc;
	return run(st, qn->sql, b.v, b.n, of, qn->headings, out, eb);
}

cb_err
cb_query_entries(struct cb_store *st, const struct cb_query_filter *f,
                 cb_query_entry_fn fn, void *ctx, struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT * FROM (SELECT lsn, bytes, state, reason FROM entries "
		"WHERE (?1 IS NULL OR op = ?1) AND (?2 IS NULL OR state = ?2) "
		"ORDER BY lsn DESC LIMIT ?3) AS newest ORDER BY lsn";
	struct cb_stmt *s = NULL;
	cb_err rc = CB_OK;
	int step;

	/* a statement of its own: fn may read through the cached ones */
	if (cb_sql_prepare(st, sql, &s, NULL))
		return cb_store_error(st, eb, "cannot read the log");
	cb_sql_bind_text(s, 1, f->op);
	cb_sql_bind_text(s, 2, f->rejected ? "rejected" : NULL);
	cb_sql_bind_int64(s, 3, f->limit < 0 ? -1 : f->limit);
	while ((step = cb_sql_step(s)) == CB_SQL_ROW) {
		struct cb_query_entry e = {
			.lsn = cb_sql_column_int64(s, 0),
			.bytes = cb_sql_column_blob(s, 1),
			.len = cb_sql_column_bytes(s, 1),
			.state = cb_sql_column_text(s, 2),
			.reason = cb_sql_column_text(s, 3),
		};

		if ((rc = fn(ctx, &e)))
			break;
	}
	if (!rc && step != CB_SQL_DONE)
		rc = cb_store_error(st, eb, "cannot read the log");
	cb_sql_finalize(s);
	return rc;
}

cb_err
cb_query_counts(struct cb_store *st, const char *root,
                struct cb_query_counts *out, struct cb_errbuf *eb)
{
	/* one statement: every count from the same state of the store */
	static const char sql[] = CB_SQL_SUBTREE
		"SELECT (SELECT count(*) FROM entries), "
		"(SELECT count(*) FROM entries WHERE state = 'rejected'), "
		"(SELECT count(*) FROM entries WHERE state = 'pending'), "
		"(SELECT count(*) FROM orgs WHERE level = 'cell' AND "
		"state = 'active' AND code IN sub), "
		"(SELECT count(*) FROM members WHERE status IN " LIVE_STATUSES
		"), (SELECT count(*) FROM meetings), "
		"(SELECT count(*) FROM ratings), "
		"(SELECT count(*) FROM transfers WHERE state = 'in-transit' "
		"AND from_org IN sub), "
		"(SELECT count(*) FROM transfers WHERE state = 'in-transit' "
		"AND to_org IN sub)";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	cb_err rc = CB_OK;

	if (!s)
		return CB_EIO;
	cb_scope_bind_root(s, root);
	if (cb_sql_step(s) != CB_SQL_ROW) {
		rc = cb_store_error(st, eb,
		                    "cannot count the replica's records");
		goto out;
	}
	out->entries = cb_sql_column_int64(s, 0);
	out->rejected = cb_sql_column_int64(s, 1);
	out->pending = cb_sql_column_int64(s, 2);
	out->cells = cb_sql_column_int64(s, 3);
	out->members = cb_sql_column_int64(s, 4);
	out->meetings = cb_sql_column_int64(s, 5);
	out->ratings = cb_sql_column_int64(s, 6);
	out->released_in_transit = cb_sql_column_int64(s, 7);
	out->incoming_in_transit = cb_sql_column_int64(s, 8);
out:
	cb_sql_reset(s);
	return rc;
}

/* The text of the one row sql gives for the text bound to ?1, into
 * *name (malloc'd); CB_ENOTFOUND without a row. */
static cb_err
one_text(struct cb_store *st, const char *sql, const char *bind,
         const char *what, char **name, struct cb_errbuf *eb)
{
	struct cb_stmt *s = cb_sql(st, sql, eb);
	cb_err rc = CB_OK;
	char *v;
	int step;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, bind);
	step = cb_sql_step(s);
	if (step == CB_SQL_DONE ||
	    (step == CB_SQL_ROW && cb_sql_column_null(s, 0)))
		rc = cb_error(eb, CB_ENOTFOUND,
		              _("the replica holds no %s '%s'"), what, bind);
	else if (step != CB_SQL_ROW)
		rc = cb_store_error(st, eb, "cannot query the replica");
	else if (!(v = strdup(cb_sql_column_text(s, 0))))
		rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
	else
		*name = v;
	cb_sql_reset(s);
	return rc;
}

cb_err
cb_query_org_name(struct cb_store *st, const char *code, char **name,
                  struct cb_errbuf *eb)
{
	return one_text(st, "SELECT name FROM orgs WHERE code = ?1", code,
	                "organisation", name, eb);
}

cb_err
cb_query_member_name(struct cb_store *st, const char *id, char **name,
                     struct cb_errbuf *eb)
{
	return one_text(
		st, "SELECT full_name FROM members WHERE mkey = " MKEY_OF_HEX,
		id, "member", name, eb);
}

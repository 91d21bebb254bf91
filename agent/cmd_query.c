/* SPDX-License-Identifier: MIT */
/* cmd_query.c — the look commands: members, cells, meetings, ratings and
 * show. Each is one SQL query over the projection, printed as an aligned
 * table (ids cut to 12 hex digits) or, with --json, as a JSON array with
 * full ids. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "sql.h"
#include "date.h"
#include "scope.h"
#include "buf.h"
#include "calendar.h"
#include "args.h"
#include "ops.h"
#include "table.h"

#define MAX_BINDS 8

static bool
is_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static json_t *
column_json(struct cb_stmt *s, int i)
{
	switch (cb_sql_column_kind(s, i)) {
	case CB_SQL_INT: return json_integer(cb_sql_column_int64(s, i));
	case CB_SQL_NULL: return json_null();
	case CB_SQL_BLOB: {
		char *hex = malloc(2 * (size_t)cb_sql_column_bytes(s, i) + 1);
		json_t *v;

		if (!hex)
			return json_null();
		cb_hex_encode(cb_sql_column_blob(s, i),
		              (size_t)cb_sql_column_bytes(s, i), hex);
		v = json_string(hex);
		free(hex);
		return v;
	}
	default: return json_string(cb_sql_column_text(s, i));
	}
}

/* Run sql with text binds; print a table with headers, or JSON. A column
 * whose name starts with '_' is JSON-only; a JSON-valued column (name ends
 * in "_json") is embedded as JSON. Returns an exit code. */
static int
run_query(struct cb_ledger *lg, const char *sql, const char *const *binds,
          int nbinds, bool as_json, const char *const *headers)
{
	struct cb_stmt *s = NULL;
	struct cb_table t;
	json_t *arr = NULL;
	int ncols, r, shown = 0, rc = 1;
	const char *cells[32];
	char shortids[32][13], ids[32][CB_HASH_HEX];

	if (cb_sql_prepare(lg->st, sql, &s, NULL)) {
		struct cb_errbuf eb;

		cb_store_error(lg->st, &eb, "cannot query the replica");
		agent_error("%s", eb.msg);
		return 1;
	}
	for (int i = 0; i < nbinds; i++)
		cb_sql_bind_text(s, i + 1, binds[i]);
	cb_scope_bind_root(s, lg->org);
	ncols = cb_sql_column_count(s);
	if (ncols > 32)
		ncols = 32;
	if (as_json) {
		arr = json_array();
	} else {
		int k = 0;

		for (int i = 0; i < ncols; i++)
			if (cb_sql_column_name(s, i)[0] != '_')
				cells[k++] = headers[shown++];
		if (cb_table_init(&t, (size_t)shown, cells)) {
			cb_sql_finalize(s);
			agent_error("out of memory");
			return 1;
		}
	}
	while ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		if (as_json) {
			json_t *o = json_object();

			for (int i = 0; i < ncols; i++) {
				const char *name = cb_sql_column_name(s, i);
				size_t nl = strlen(name);
				json_t *val;

				if (name[0] == '_')
					name++;
				if (nl > 5 &&
				    !strcmp(name + strlen(name) - 5, "_json")) {
					val = json_loads(
						cb_sql_column_text(s, i), 0,
						NULL);
					json_object_set_new(o, "observers",
					                    val ? val
					                        : json_array());
					continue;
				}
				json_object_set_new(o, name, column_json(s, i));
			}
			json_array_append_new(arr, o);
			continue;
		}
		int k = 0;

		for (int i = 0; i < ncols; i++) {
			const char *v;

			if (cb_sql_column_name(s, i)[0] == '_')
				continue;
			v = cb_sql_column_shown(s, i, ids[k]);
			if (is_hex64(v)) {
				memcpy(shortids[k], v, 12);
				shortids[k][12] = 0;
				v = shortids[k];
			}
			cells[k++] = v;
		}
		if (cb_table_add(&t, cells)) {
			agent_error("out of memory");
			goto out;
		}
	}
	if (r != CB_SQL_DONE) {
		struct cb_errbuf eb;

		cb_store_error(lg->st, &eb, "cannot query the replica");
		agent_error("%s", eb.msg);
		goto out;
	}
	if (as_json) {
		json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	} else {
		cb_table_print(&t, stdout);
	}
	rc = 0;
out:
	if (!as_json)
		cb_table_release(&t);
	json_decref(arr);
	cb_sql_finalize(s);
	return rc;
}

/* One record, a field a line: "NAME      Nguyễn Văn Hợp". Ids in full. */
static int
print_record(struct cb_store *st, const char *sql, const char *const *binds,
             int nbinds, const char *const *headers)
{
	struct cb_table t;
	struct cb_stmt *s = NULL;
	int r, rc = 1;

	if (cb_sql_prepare(st, sql, &s, NULL)) {
		struct cb_errbuf eb;

		cb_store_error(st, &eb, "cannot query the replica");
		agent_error("%s", eb.msg);
		return 1;
	}
	for (int i = 0; i < nbinds; i++)
		cb_sql_bind_text(s, i + 1, binds[i]);
	if (cb_table_init(&t, 2, NULL)) {
		cb_sql_finalize(s);
		agent_error("out of memory");
		return 1;
	}
	t.maxwidth = 0;
	while ((r = cb_sql_step(s)) == CB_SQL_ROW) {
		for (int i = 0; i < cb_sql_column_count(s); i++) {
			char id[CB_HASH_HEX];
			const char *v = cb_sql_column_shown(s, i, id);

			if (cb_table_add(&t,
			                 (const char *const[]){ headers[i],
			                                        v ? v : "" })) {
				agent_error("out of memory");
				goto out;
			}
		}
	}
	if (r != CB_SQL_DONE) {
		struct cb_errbuf eb;

		cb_store_error(st, &eb, "cannot query the replica");
		agent_error("%s", eb.msg);
		goto out;
	}
	cb_table_print(&t, stdout);
	rc = 0;
out:
	cb_table_release(&t);
	cb_sql_finalize(s);
	return rc;
}

/* ORG.x for a short cell code; a static buffer, one at a time. */
static const char *
full_code(const struct cb_ledger *lg, const char *code)
{
	static char buf[2 * CB_CODE_MAX + 2];

	if (!code || strchr(code, '.') || strcmp(code, lg->org) == 0)
		return code;
	snprintf(buf, sizeof(buf), "%s.%s", lg->org, code);
	return buf;
}

static const struct argdef member_defs[] = {
	{ "cell", "CODE", "only this cell" },
	{ "status", "STATUS", "only this status" },
	{ "name", "TEXT",
	  "names containing these words, with or without "
	  "diacritics" },
	{ "all", NULL, "include struck-off, expelled, resigned and deceased" },
	{ "json", NULL, "print JSON" },
	{ NULL, NULL, NULL },
};

/* The subtree of :root, as a subquery: after the ?N parameters, so that
 * :root is numbered after them. */
#define SUB_OF_ROOT                                                            \
	"(WITH RECURSIVE sub(code) AS (SELECT :root UNION SELECT o.code FROM " \
	"orgs o JOIN sub ON o.parent = sub.code) SELECT code FROM sub) "

int
cmd_members(struct agent *a, int argc, char **argv)
{
	/* The organisation's members, and those another organisation sent
	 * for a while, listed today in one of its cells (status
	 * 'temporary': no vote). */
	static const char sql[] =
		"SELECT id, full_name, birth_date, sex, card_no, status, cell, "
		"_national_id, _admitted_on, _official_on, _status_on, "
		"_work_category, _council_area, _org FROM ("
		"SELECT id, full_name, birth_date, sex, card_no, status, "
		"CASE WHEN transit IS NULL THEN cell ELSE 'in transit' END AS "
		"cell, "
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
		"m.org, m.name_fold FROM memberships s JOIN members m ON m.id "
		"= "
		"s.member JOIN orgs c ON c.code = s.cell WHERE s.kind = "
		"'temporary' AND s.since <= date('now', '+7 hours') AND "
		"s.until > date('now', '+7 hours') AND c.parent IN " SUB_OF_ROOT
		"AND "
		"(?1 IS NULL OR s.cell = ?1) AND ?2 IS NULL AND (?3 IS NULL OR "
		"chibo_match(m.full_name, ?3))) ORDER BY cell, name_fold, id";
	static const char *const headers[] = { "ID",   "NAME",   "BORN", "SEX",
		                               "CARD", "STATUS", "CELL" };
	struct cb_ledger *lg;
	struct args v;
	const char *binds[4];
	int rc;

	rc = cb_args_command(
		"members",
		"usage: chibo-agent members [--cell CODE] [--status S] "
		"[--name TEXT] [--all] [--json]\n\nLists members. "
		"'--name nguyen van hop' finds 'Nguyễn Văn Hợp'; a word "
		"typed\nwith diacritics must match them exactly.\n"
		"\n",
		member_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (cb_args_get(&v, 1) &&
	    !cb_enum_has(cb_member_statuses, cb_args_get(&v, 1)))
		return cb_args_usage("members", "unknown status '%s'",
		                     cb_args_get(&v, 1));
	if (!(lg = agent_open(a)))
		return 1;
	binds[0] = full_code(lg, cb_args_get(&v, 0));
	binds[1] = cb_args_get(&v, 1);
	binds[2] = cb_args_get(&v, 2);
	binds[3] = cb_args_get(&v, 3);
	rc = run_query(lg, sql, binds, 4, cb_args_get(&v, 4) != NULL, headers);
	cb_ledger_free(&lg);
	return rc;
}

static const struct argdef json_defs[] = {
	{ "json", NULL, "print JSON" },
	{ NULL, NULL, NULL },
};

int
cmd_cells(struct agent *a, int argc, char **argv)
{
	static const char sql[] = CB_SQL_SUBTREE
		"SELECT o.code, o.name, o.level, o.kind, o.state, "
		"(SELECT count(*) FROM members m WHERE m.cell = o.code AND "
		" m.status IN ('probationary', 'official', 'exempt')) "
		"AS members, "
		"(SELECT max(term) FROM congresses c WHERE c.org = o.code) "
		"AS last_congress, o.parent AS _parent, "
		"o.founded_on AS _founded_on "
		"FROM orgs o WHERE o.code IN sub "
		"ORDER BY o.level = 'cell', o.code";
	static const char *const headers[] = { "CODE",    "NAME",  "LEVEL",
		                               "KIND",    "STATE", "MEMBERS",
		                               "CONGRESS" };
	struct cb_ledger *lg;
	struct args v;
	int rc;

	rc = cb_args_command(
		"cells",
		"usage: chibo-agent cells [--json]\n\nLists the "
		"organisation and its cells with their member counts "
		"and\nthe term of their last congress.\n"
		"\n",
		json_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!(lg = agent_open(a)))
		return 1;
	rc = run_query(lg, sql, NULL, 0, cb_args_get(&v, 0) != NULL, headers);
	cb_ledger_free(&lg);
	return rc;
}

static const struct argdef meeting_defs[] = {
	{ "cell", "CODE", "only this cell" },
	{ "from", "DATE", "held on or after" },
	{ "to", "DATE", "held on or before" },
	{ "json", NULL, "print JSON" },
	{ NULL, NULL, NULL },
};

int
cmd_meetings(struct agent *a, int argc, char **argv)
{
	static const char sql[] =
		"SELECT id, cell, date, kind, duration_min, "
		"(SELECT count(*) FROM attendance WHERE meeting = m.id AND "
		" mark = 'present') || '/' || "
		"(SELECT count(*) FROM attendance WHERE meeting = m.id) "
		"AS present, rating, versions, chair AS _chair, clerk AS "
		"_clerk, "
		"content AS _content, resolutions AS _resolutions, "
		"observers AS _observers_json "
		"FROM meetings m WHERE (?1 IS NULL OR cell = ?1) "
		"AND (?2 IS NULL OR date >= ?2) AND (?3 IS NULL OR date <= ?3) "
		"ORDER BY date, cell, id";
	static const char *const headers[] = { "ID",     "CELL",    "DATE",
		                               "KIND",   "MINUTES", "PRESENT",
		                               "RATING", "VERSIONS" };
	struct cb_ledger *lg;
	struct args v;
	const char *binds[3];
	int rc;

	rc = cb_args_command(
		"meetings",
		"usage: chibo-agent meetings [--cell CODE] [--from DATE] "
		"[--to DATE] [--json]\n\nLists cell meetings (the current "
		"version of each record).\n"
		"\n",
		meeting_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!(lg = agent_open(a)))
		return 1;
	binds[0] = full_code(lg, cb_args_get(&v, 0));
	binds[1] = cb_args_get(&v, 1);
	binds[2] = cb_args_get(&v, 2);
	rc = run_query(lg, sql, binds, 3, cb_args_get(&v, 3) != NULL, headers);
	cb_ledger_free(&lg);
	return rc;
}

static const struct argdef rating_defs[] = {
	{ "period", "PERIOD", "only this period" },
	{ "subject", "ID|CODE", "only this member id or organisation code" },
	{ "json", NULL, "print JSON" },
	{ NULL, NULL, NULL },
};

int
cmd_ratings(struct agent *a, int argc, char **argv)
{
	static const char sql[] =
		"SELECT r.subject_kind, r.subject, "
		"coalesce(m.full_name, o.name) AS name, r.period, r.stage, "
		"r.level, r.score, r.note AS _note "
		"FROM ratings r "
		"LEFT JOIN members m ON r.subject_kind = 'member' AND "
		"m.id = r.subject "
		"LEFT JOIN orgs o ON r.subject_kind = 'org' AND "
		"o.code = r.subject "
		"WHERE (?1 IS NULL OR r.period = ?1) "
		"AND (?2 IS NULL OR CASE r.subject_kind WHEN 'member' THEN "
		"hex(r.subject) LIKE ?2 || '%' ELSE r.subject LIKE ?2 || '%' "
		"END) "
		"ORDER BY r.period, r.subject_kind, name, r.subject, "
		"CASE r.stage WHEN 'self' THEN 1 WHEN 'proposed' THEN 2 ELSE 3 "
		"END";
	static const char *const headers[] = { "KIND",   "SUBJECT", "NAME",
		                               "PERIOD", "STAGE",   "LEVEL",
		                               "SCORE" };
	struct cb_ledger *lg;
	struct args v;
	const char *binds[2];
	int rc;

	rc = cb_args_command(
		"ratings",
		"usage: chibo-agent ratings [--period P] [--subject X] "
		"[--json]\n\nLists ratings of members and organisations, "
		"each stage (self,\nproposed, decided) on its own row.\n"
		"\n",
		rating_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!(lg = agent_open(a)))
		return 1;
	binds[0] = cb_args_get(&v, 0);
	binds[1] = cb_args_get(&v, 1);
	rc = run_query(lg, sql, binds, 2, cb_args_get(&v, 2) != NULL, headers);
	cb_ledger_free(&lg);
	return rc;
}

int
cmd_show(struct agent *a, int argc, char **argv)
{
	static const char member_sql[] =
		"SELECT id, full_name, birth_date, sex, card_no, national_id, "
		"admitted_on, official_on, status, status_on, work_category, "
		"council_area, cell, org FROM members WHERE id = "
		"chibo_unhex(?1)";
	static const char member_cells[] =
		"SELECT cell, kind, since, until FROM memberships "
		"WHERE member = chibo_unhex(?1) ORDER BY since, entry";
	static const char member_ratings[] =
		"SELECT period, stage, level, score FROM ratings WHERE "
		"subject_kind = 'member' AND subject = chibo_unhex(?1) ORDER "
		"BY period, stage";
	static const char meeting_sql[] =
		"SELECT id, cell, date, kind, duration_min, chair, clerk, "
		"rating, "
		"versions, content, resolutions, observers AS observers_json "
		"FROM meetings WHERE id = ?1 OR id LIKE ?1 || '%'";
	static const char meeting_att[] =
		"SELECT a.member, m.full_name, a.mark FROM attendance a "
		"LEFT JOIN members m ON m.id = a.member "
		"WHERE a.meeting = (SELECT id FROM meetings WHERE id = ?1 OR "
		"id LIKE ?1 || '%' LIMIT 1) ORDER BY m.name_fold";
	static const char *const h_member[] = {
		"ID",          "NAME",         "BORN",     "SEX",    "CARD",
		"NATIONAL ID", "ADMITTED",     "OFFICIAL", "STATUS", "SINCE",
		"WORK",        "COUNCIL AREA", "CELL",     "ORG"
	};
	static const char *const h_cells[] = { "CELL", "KIND", "SINCE",
		                               "UNTIL" };
	static const char *const h_ratings[] = { "PERIOD", "STAGE", "LEVEL",
		                                 "SCORE" };
	static const char *const h_meeting[] = {
		"ID",       "CELL",    "DATE",        "KIND",
		"MINUTES",  "CHAIR",   "CLERK",       "RATING",
		"VERSIONS", "CONTENT", "RESOLUTIONS", "OBSERVERS"
	};
	static const char *const h_att[] = { "MEMBER", "NAME", "MARK" };
	static const struct argdef defs[] = {
		{ "json", NULL, "print JSON" },
		{ NULL, NULL, NULL },
	};
	struct cb_ledger *lg;
	struct cb_errbuf eb;
	struct args v;
	char id[65];
	const char *bind[1];
	bool as_json;
	int rc;

	if (cb_args_wants_help(argc, argv)) {
		puts("usage: chibo-agent show member MEMBER [--json]\n"
		     "       chibo-agent show meeting ID [--json]\n\n"
		     "Shows one record in full. MEMBER: an id prefix, "
		     "card:NUMBER or nid:NUMBER.\n");
		return 0;
	}
	if ((rc = cb_args_parse("show", defs, argc, argv, &v)))
		return rc;
	if (v.npos != 2 ||
	    (strcmp(v.pos[0], "member") && strcmp(v.pos[0], "meeting")))
		return cb_args_usage("show",
		                     "give 'member MEMBER' or 'meeting ID'");
	as_json = cb_args_get(&v, 0) != NULL;
	if (!(lg = agent_open(a)))
		return 1;
	if (strcmp(v.pos[0], "member") == 0) {
		if (cb_ops_resolve_member(lg->st, v.pos[1], id, &eb)) {
			agent_error("%s", eb.msg);
			cb_ledger_free(&lg);
			return 1;
		}
		bind[0] = id;
		rc = as_json ? run_query(lg, member_sql, bind, 1, true,
		                         h_member)
		             : print_record(lg->st, member_sql, bind, 1,
		                            h_member);
		if (!rc && !as_json) {
			puts("\nparty activity:");
			rc = run_query(lg, member_cells, bind, 1, false,
			               h_cells);
			puts("\nratings:");
			if (!rc)
				rc = run_query(lg, member_ratings, bind, 1,
				               false, h_ratings);
		}
	} else {
		bind[0] = v.pos[1];
		rc = as_json ? run_query(lg, meeting_sql, bind, 1, true,
		                         h_meeting)
		             : print_record(lg->st, meeting_sql, bind, 1,
		                            h_meeting);
		if (!rc && !as_json) {
			puts("\nattendance:");
			rc = run_query(lg, meeting_att, bind, 1, false, h_att);
		}
	}
	cb_ledger_free(&lg);
	return rc;
}

static const struct argdef transfer_defs[] = {
	{ "all", NULL, "closed ones too (accepted, declined)" },
	{ "on", "DATE", "as of this day (default today): for overdue" },
	{ "json", NULL, "print JSON" },
	{ NULL, NULL, NULL },
};

#define LETTER_DUE CB_SQL_DUE("t.letter_date")
#define LETTER_LAPSE CB_SQL_LAPSE("t.letter_date")

int
cmd_transfers(struct agent *a, int argc, char **argv)
{
	/* Overdue: not answered 30 working days after the letter; over 3
	 * months: the member may be struck off (DOMAIN.md, "Transfers"). */
	static const char sql[] = CB_SQL_SUBTREE
		"SELECT t.release AS id, m.full_name AS name, t.from_org, "
		"t.to_org, CASE WHEN t.state <> 'in-transit' THEN t.state WHEN "
		"t.struck_by IS NOT NULL THEN 'struck off' WHEN "
		"?3 > " LETTER_LAPSE
		" THEN 'over 3 months' WHEN ?3 > " LETTER_DUE
		" THEN 'overdue' ELSE 'in-transit' END AS state, "
		"t.released_on, "
		"t.letter_no, " LETTER_DUE " AS due, coalesce(t.closed_on, '') "
		"AS closed_on, t.member AS _member, t.from_cell AS _from_cell, "
		"t.to_cell AS _to_cell, t.cell AS _cell, t.letter_date AS "
		"_letter_date, t.reason AS _reason, t.closed_by AS _closed_by "
		"FROM transfers t LEFT JOIN members m ON m.id = t.member WHERE "
		"(t.from_org IN sub OR t.to_org IN sub) AND (?2 IS NOT NULL OR "
		"t.state = 'in-transit') ORDER BY t.released_on, t.release";
	static const char *const headers[] = { "RELEASE", "MEMBER", "FROM",
		                               "TO",      "STATE",  "RELEASED",
		                               "LETTER",  "DUE",    "CLOSED" };
	struct cb_ledger *lg;
	struct args v;
	const char *binds[3];
	char today[11];
	struct cb_date d;
	int rc;

	rc = cb_args_command(
		"transfers",
		"usage: chibo-agent transfers [--all] [--on DATE] [--json]\n\n"
		"Members released by this organisation or to it and still in "
		"transit\n(--all: accepted and declined ones too), with the "
		"day they are due: 30\nworking days after the letter (weekends "
		"and public holidays skipped).\nState 'overdue' after it, "
		"'over 3 months' when the member may be struck\noff. A "
		"receiver "
		"accepts with 'chibo-agent member accept RELEASE\n--cell CODE "
		"--reported-on DATE'.\n\n",
		transfer_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (cb_args_get(&v, 1)) {
		struct cb_errbuf eb;

		if (cb_date_parse(cb_args_get(&v, 1), &d, &eb))
			return cb_args_usage("transfers", "--on: %s", eb.msg);
	} else {
		d = cb_date_today();
	}
	cb_date_format(&d, today);
	if (!(lg = agent_open(a)))
		return 1;
	binds[0] = NULL;
	binds[1] = cb_args_get(&v, 0) ? "1" : NULL;
	binds[2] = today;
	rc = run_query(lg, sql, binds, 3, cb_args_get(&v, 2) != NULL, headers);
	cb_ledger_free(&lg);
	return rc;
}

int
cmd_dissolutions(struct agent *a, int argc, char **argv)
{
	static const char sql[] = CB_SQL_SUBTREE
		"SELECT d.plan AS id, d.cell, o.name, d.state, d.planned_on, "
		"coalesce(d.approval_no, '') AS approval, coalesce("
		"d.approved_on, '') AS approved_on, coalesce(d.dissolved_on, "
		"'') AS dissolved_on, (SELECT count(*) FROM memberships m "
		"WHERE "
		"m.cell = d.cell AND m.until IS NULL) AS members, d.reason AS "
		"_reason, d.approved_by AS _approved_by, d.decision AS "
		"_decision FROM dissolutions d LEFT JOIN orgs o ON o.code = "
		"d.cell WHERE d.org IN sub ORDER BY d.planned_on, d.cell";
	static const char *const headers[] = {
		"PLAN",     "CELL",     "NAME",      "STATE",  "PLANNED",
		"APPROVAL", "APPROVED", "DISSOLVED", "MEMBERS"
	};
	struct cb_ledger *lg;
	struct args v;
	int rc;

	rc = cb_args_command(
		"dissolutions",
		"usage: chibo-agent dissolutions [--json]\n\nPlans to dissolve "
		"cells of the organisation: planned, approved by the\n"
		"superior committee's office, dissolved; and the members "
		"each cell still\nholds.\n\n",
		json_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!(lg = agent_open(a)))
		return 1;
	rc = run_query(lg, sql, NULL, 0, cb_args_get(&v, 0) != NULL, headers);
	cb_ledger_free(&lg);
	return rc;
}

int
cmd_candidates(struct agent *a, int argc, char **argv)
{
	static const char sql[] = CB_SQL_SUBTREE
		"SELECT k.id, k.full_name AS name, k.birth_date, k.cell, "
		"coalesce(h1.full_name, '') AS helper, coalesce(h2.full_name, "
		"'') AS helper_2, k.state, coalesce(k.admitted_on, '') AS "
		"admitted_on, k.sex AS _sex, k.national_id AS _national_id, "
		"k.helper1 AS _helper1, k.helper2 AS _helper2 FROM candidates "
		"k "
		"LEFT JOIN members h1 ON h1.id = k.helper1 LEFT JOIN members "
		"h2 "
		"ON h2.id = k.helper2 WHERE k.org IN sub ORDER BY k.state, "
		"k.cell, k.name_fold";
	static const char *const headers[] = { "ID",    "NAME",    "BORN",
		                               "CELL",  "HELPER",  "HELPER",
		                               "STATE", "ADMITTED" };
	struct cb_ledger *lg;
	struct args v;
	int rc;

	rc = cb_args_command(
		"candidates",
		"usage: chibo-agent candidates [--json]\n\nAdmission "
		"candidates of the organisation, their helpers, and those "
		"admitted.\n\n",
		json_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if (!(lg = agent_open(a)))
		return 1;
	rc = run_query(lg, sql, NULL, 0, cb_args_get(&v, 0) != NULL, headers);
	cb_ledger_free(&lg);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/* cmd_query.c — the look commands: members, cells, meetings, ratings,
 * transfers, dissolutions, candidates and show. Each asks one of the
 * replica's questions (common/view/query.h) and prints the rows as an
 * aligned table (ids cut to 12 hex digits), or with --format csv|json
 * (--json) as CSV for a spreadsheet or a JSON array, every column, ids in
 * full, values as stored (English words, YYYY-MM-DD dates). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "args.h"
#include "date.h"
#include "ops.h"
#include "output.h"
#include "query.h"
#include "table.h"
#include "words.h"
#include "xlsx.h"

/* A column shown in a table cuts a full id (64 hex digits) to 12. */
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
value_json(const struct cb_query_result *r, size_t row, size_t col)
{
	const struct cb_query_value *v = cb_query_value(r, row, col);
	json_t *j;

	switch (v->kind) {
	case CB_QUERY_INT: return json_integer(v->num);
	case CB_QUERY_NULL: return json_null();
	default: break;
	}
	if (!r->cols[col].json)
		return json_string(cb_query_text(r, row, col));
	j = json_loads(cb_query_text(r, row, col), 0, NULL);
	return j ? j : json_array();
}

/* The rows as a JSON array of objects, every column; ids in full. */
static void
print_json(const struct cb_query_result *r)
{
	json_t *arr = json_array();

	for (size_t row = 0; row < r->nrows; row++) {
		json_t *o = json_object();

		for (size_t c = 0; c < r->ncols; c++)
			json_object_set_new(o, r->cols[c].name,
			                    value_json(r, row, c));
		json_array_append_new(arr, o);
	}
	json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(arr);
}

/* The rows as CSV: a header of the columns' JSON names, then every
 * column of every row as stored; a column holding JSON as its text. */
static void
print_csv(const struct cb_query_result *r, const struct cb_output *o)
{
	cb_output_csv_begin(o, stdout);
	for (size_t c = 0; c < r->ncols; c++)
		cb_output_csv_cell(o, stdout, r->cols[c].name, c == 0);
	cb_output_csv_end_row(stdout);
	for (size_t row = 0; row < r->nrows; row++) {
		for (size_t c = 0; c < r->ncols; c++) {
			const struct cb_query_value *v =
				cb_query_value(r, row, c);

			cb_output_csv_cell(o, stdout,
			                   v->kind == CB_QUERY_NULL
			                           ? ""
			                           : cb_query_text(r, row, c),
			                   c == 0);
		}
		cb_output_csv_end_row(stdout);
	}
}

/* The headings of the columns a table leaves out (JSON's only), for a
 * workbook's header. */
static const struct {
	const char *name, *heading;
} more_headings[] = {
	{ "national_id", N_("NATIONAL ID") },
	{ "admitted_on", N_("ADMITTED") },
	{ "official_on", N_("OFFICIAL") },
	{ "status_on", N_("SINCE") },
	{ "work_category", N_("WORK") },
	{ "council_area", N_("COUNCIL AREA") },
	{ "org", N_("ORG") },
	{ "sex", N_("SEX") },
	{ "chair", N_("CHAIR") },
	{ "clerk", N_("CLERK") },
	{ "content", N_("CONTENT") },
	{ "resolutions", N_("RESOLUTIONS") },
	{ "observers_json", N_("OBSERVERS") },
	{ "member", N_("MEMBER") },
	{ "letter_date", N_("LETTER DATE") },
	{ "note", N_("NOTE") },
	{ "parent", N_("PARENT") },
	{ "founded_on", N_("FOUNDED") },
	{ "reason", N_("REASON") },
	{ "from_cell", N_("FROM CELL") },
	{ "to_cell", N_("TO CELL") },
	{ "cell", N_("CELL") },
	{ "closed_by", N_("CLOSED BY") },
	{ "approved_by", N_("APPROVED BY") },
	{ "decision", N_("DECISION") },
	{ "helper1", N_("HELPER 1") },
	{ "helper2", N_("HELPER 2") },
};

static const char *
heading_of(const struct cb_query_col *c)
{
	if (c->heading && *c->heading)
		return _(c->heading);
	for (size_t i = 0; i < sizeof(more_headings) / sizeof(*more_headings);
	     i++)
		if (!strcmp(more_headings[i].name, c->name))
			return _(more_headings[i].heading);
	return c->name;
}

/* The rows as a workbook (xlsx.h): a bold header of the columns'
 * headings in the user's language, then every column of every row, a
 * number a number, a day a date, a word as people read it; ids in full. */
static int
print_xlsx(const struct cb_query_result *r, const struct cb_output *o)
{
	struct cb_xlsx *x;
	struct cb_errbuf eb;

	if (cb_xlsx_open(&x, o->file, "chibo", &eb)) {
		agent_error("%s", eb.msg);
		return 1;
	}
	for (size_t c = 0; c < r->ncols; c++)
		cb_xlsx_text(x, heading_of(&r->cols[c]), true);
	cb_xlsx_end_row(x);
	for (size_t row = 0; row < r->nrows; row++) {
		for (size_t c = 0; c < r->ncols; c++) {
			const struct cb_query_value *v =
				cb_query_value(r, row, c);

			if (v->kind == CB_QUERY_INT)
				cb_xlsx_number(x, (double)v->num);
			else if (v->kind == CB_QUERY_NULL)
				cb_xlsx_text(x, "", false);
			else
				cb_xlsx_value(
					x,
					cb_words_show(r->cols[c].name,
				                      cb_query_text(r, row, c)),
					false);
		}
		cb_xlsx_end_row(x);
	}
	if (cb_xlsx_close(x, &eb)) {
		agent_error("%s", eb.msg);
		return 1;
	}
	return 0;
}

/* The rows as an aligned table of the columns with a heading, ids cut to
 * 12 hex digits; or as CSV, JSON or a workbook. Returns an exit code. */
static int
print_rows(const struct cb_query_result *r, const struct cb_output *o)
{
	struct cb_table t = { 0 };
	const char **cells = NULL;
	char(*shortids)[13] = NULL;
	size_t shown = 0;
	int rc = 1;

	if (o->format == CB_OUTPUT_JSON) {
		print_json(r);
		return 0;
	}
	if (o->format == CB_OUTPUT_CSV) {
		print_csv(r, o);
		return 0;
	}
	if (o->format == CB_OUTPUT_XLSX)
		return print_xlsx(r, o);
	if (!(cells = calloc(r->ncols + 1, sizeof(*cells))) ||
	    !(shortids = calloc(r->ncols + 1, sizeof(*shortids))))
		goto oom;
	for (size_t c = 0; c < r->ncols; c++)
		if (r->cols[c].heading)
			cells[shown++] = r->cols[c].heading;
	if (cb_table_init(&t, shown, cells))
		goto oom;
	for (size_t row = 0; row < r->nrows; row++) {
		size_t k = 0;

		for (size_t c = 0; c < r->ncols; c++) {
			const char *v = cb_query_text(r, row, c);

			if (!r->cols[c].heading)
				continue;
			if (is_hex64(v)) {
				memcpy(shortids[k], v, 12);
				shortids[k][12] = 0;
				v = shortids[k];
			}
			cells[k++] = cb_words_show(r->cols[c].name, v);
		}
		if (cb_table_add(&t, cells))
			goto oom;
	}
	cb_table_print(&t, stdout);
	rc = 0;
	goto out;
oom:
	agent_error(_("out of memory"));
out:
	cb_table_release(&t);
	free(cells);
	free(shortids);
	return rc;
}

/* One record, a field a line: "NAME      Nguyễn Văn Hợp". Ids in full. */
static int
print_record(const struct cb_query_result *r)
{
	struct cb_table t;
	int rc = 1;

	if (cb_table_init(&t, 2, NULL)) {
		agent_error(_("out of memory"));
		return 1;
	}
	t.maxwidth = 0;
	for (size_t row = 0; row < r->nrows; row++)
		for (size_t c = 0; c < r->ncols; c++) {
			const char *v = cb_query_text(r, row, c);

			if (cb_table_add(&t,
			                 (const char *const[]){
						 _(r->cols[c].heading),
						 v ? cb_words_show(
							     r->cols[c].name, v)
						   : "" })) {
				agent_error(_("out of memory"));
				goto out;
			}
		}
	cb_table_print(&t, stdout);
	rc = 0;
out:
	cb_table_release(&t);
	return rc;
}

/* The output options of every list (output.h). */
#define OUTPUT_DEFS CB_OUTPUT_ROWS_ARGDEFS

static int
output_of(const char *cmd, const struct args *v, int at, struct cb_output *o)
{
	return cb_output_args(cmd, v, at, true, o);
}

/* What a list command ends with: the answer printed, or why not. */
static int
answer(cb_err rc, struct cb_query_result *r, const struct cb_output *o,
       const struct cb_errbuf *eb)
{
	int exit_code = 1;

	if (rc)
		agent_error("%s", eb->msg);
	else
		exit_code = print_rows(r, o);
	cb_query_result_release(r);
	return exit_code;
}

static const struct argdef member_defs[] = {
	{ "cell", "CODE", N_("only this cell") },
	{ "status", "STATUS",
	  N_("only this status (official, chính thức, …)") },
	{ "name", "TEXT",
	  N_("names containing these words, with or without "
	     "diacritics") },
	{ "all", NULL,
	  N_("include struck-off, expelled, resigned and deceased") },
	OUTPUT_DEFS,
	{ NULL, NULL, NULL },
};

int
cmd_members(struct agent *a, int argc, char **argv)
{
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_ledger *lg;
	struct cb_output out;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"members",
		N_("usage: chibo-agent members [--cell CODE] [--status S] "
	           "[--name TEXT] [--all]\n"
	           "                           [--format text|csv|json|xlsx] "
	           "[--separator SEP] [--bom] [--out FILE]\n\nLists members. "
	           "'--name nguyen van hop' finds 'Nguyễn Văn Hợp'; a word "
	           "typed\nwith diacritics must match them exactly. A cell "
	           "or status the replica\ndoes not know is refused.\n"
	           "\n"),
		member_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	f.cell = cb_args_get(&v, 0);
	f.status = cb_args_get(&v, 1);
	f.name = cb_args_get(&v, 2);
	f.all = cb_args_get(&v, 3) != NULL;
	if ((rc = output_of("members", &v, 4, &out)))
		return rc;
	if (cb_query_check(&f, &eb))
		return cb_args_usage("members", "%s", eb.msg);
	if (!(lg = agent_open(a)))
		return 1;
	rc = answer(
		cb_query_ask(lg->st, CB_QUERY_MEMBERS, lg->org, &f, &r, &eb),
		&r, &out, &eb);
	cb_ledger_free(&lg);
	return rc;
}

static const struct argdef json_defs[] = {
	OUTPUT_DEFS,
	{ NULL, NULL, NULL },
};

/* A list of the organisation's with no filter: cells, dissolutions,
 * candidates. */
static int
list_command(struct agent *a, int argc, char **argv, const char *name,
             const char *help, enum cb_query_question q)
{
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_ledger *lg;
	struct cb_output out;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(name, help, json_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	if ((rc = output_of(name, &v, 0, &out)))
		return rc;
	if (!(lg = agent_open(a)))
		return 1;
	rc = answer(cb_query_ask(lg->st, q, lg->org, NULL, &r, &eb), &r, &out,
	            &eb);
	cb_ledger_free(&lg);
	return rc;
}

int
cmd_cells(struct agent *a, int argc, char **argv)
{
	return list_command(
		a, argc, argv, "cells",
		N_("usage: chibo-agent cells [--format FORMAT]\n\nLists the "
	           "organisation and its cells with their member "
	           "counts and\nthe term of their last congress.\n"
	           "\n"),
		CB_QUERY_CELLS);
}

static const struct argdef meeting_defs[] = {
	{ "cell", "CODE", N_("only this cell") },
	{ "from", "DATE", N_("held on or after (a day, a month or a year)") },
	{ "to", "DATE", N_("held on or before (a day, a month or a year)") },
	OUTPUT_DEFS,
	{ NULL, NULL, NULL },
};

int
cmd_meetings(struct agent *a, int argc, char **argv)
{
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_ledger *lg;
	struct cb_output out;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"meetings",
		N_("usage: chibo-agent meetings [--cell CODE] [--from DATE] "
	           "[--to DATE] [--format FORMAT]\n\nLists cell meetings (the "
	           "current "
	           "version of each record). DATE is a\nday (YYYY-MM-DD, "
	           "DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY"
	           "), a\nmonth (YYYY-MM or MM/YYYY: --from its first day, "
	           "--to "
	           "its last) or a\nyear (YYYY).\n"
	           "\n"),
		meeting_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	f.cell = cb_args_get(&v, 0);
	f.from = cb_args_get(&v, 1);
	f.to = cb_args_get(&v, 2);
	if ((rc = output_of("meetings", &v, 3, &out)))
		return rc;
	if (cb_query_check(&f, &eb))
		return cb_args_usage("meetings", "%s", eb.msg);
	if (!(lg = agent_open(a)))
		return 1;
	rc = answer(
		cb_query_ask(lg->st, CB_QUERY_MEETINGS, lg->org, &f, &r, &eb),
		&r, &out, &eb);
	cb_ledger_free(&lg);
	return rc;
}

static const struct argdef rating_defs[] = {
	{ "period", "PERIOD",
	  N_("only this period: YYYY, YYYY-Q1..Q4 or YYYY-MM") },
	{ "subject", "ID|CODE",
	  N_("only this member id or organisation code") },
	OUTPUT_DEFS,
	{ NULL, NULL, NULL },
};

int
cmd_ratings(struct agent *a, int argc, char **argv)
{
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_ledger *lg;
	struct cb_output out;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"ratings",
		N_("usage: chibo-agent ratings [--period P] [--subject X] "
	           "[--format FORMAT]\n\nLists ratings of members and "
	           "organisations, "
	           "each stage (self,\nproposed, decided) on its own row.\n"
	           "\n"),
		rating_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	f.period = cb_args_get(&v, 0);
	f.subject = cb_args_get(&v, 1);
	if ((rc = output_of("ratings", &v, 2, &out)))
		return rc;
	if (cb_query_check(&f, &eb))
		return cb_args_usage("ratings", "%s", eb.msg);
	if (!(lg = agent_open(a)))
		return 1;
	rc = answer(
		cb_query_ask(lg->st, CB_QUERY_RATINGS, lg->org, &f, &r, &eb),
		&r, &out, &eb);
	cb_ledger_free(&lg);
	return rc;
}

/* A part of what show prints: a title, and the question it answers. */
struct show_part {
	const char *title;
	enum cb_query_question q;
};

/* show member: the record, then (as tables) the member's stays in cells
 * and ratings; show meeting: the record, then its attendance. */
static const struct show_part member_parts[] = {
	{ NULL, CB_QUERY_MEMBER },
	{ N_("\nparty activity:"), CB_QUERY_MEMBER_STAYS },
	{ N_("\nratings:"), CB_QUERY_MEMBER_RATINGS },
	{ NULL, CB_QUERY_QUESTIONS }, /* the end */
};
static const struct show_part meeting_parts[] = {
	{ NULL, CB_QUERY_MEETING },
	{ N_("\nattendance:"), CB_QUERY_MEETING_ATTENDANCE },
	{ NULL, CB_QUERY_QUESTIONS }, /* the end */
};

/* The record a field a line and the parts after it; with --json, the
 * record only, as a JSON array. Returns an exit code. */
static int
show(struct cb_store *st, const struct show_part *parts, const char *id,
     const struct cb_output *o)
{
	static const struct cb_output text = CB_OUTPUT_INIT;
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_errbuf eb;
	int rc;

	if (cb_query_ask(st, parts[0].q, id, NULL, &r, &eb)) {
		agent_error("%s", eb.msg);
		return 1;
	}
	rc = o->format != CB_OUTPUT_TEXT ? print_rows(&r, o) : print_record(&r);
	cb_query_result_release(&r);
	for (size_t i = 1; parts[i].title && !rc && o->format == CB_OUTPUT_TEXT;
	     i++) {
		puts(_(parts[i].title));
		rc = answer(cb_query_ask(st, parts[i].q, id, NULL, &r, &eb), &r,
		            &text, &eb);
	}
	return rc;
}

int
cmd_show(struct agent *a, int argc, char **argv)
{
	static const struct argdef defs[] = {
		OUTPUT_DEFS,
		{ NULL, NULL, NULL },
	};
	struct cb_ledger *lg;
	struct cb_output out;
	struct cb_errbuf eb;
	struct args v;
	char id[65];
	bool member;
	int rc;

	if (cb_args_wants_help(argc, argv)) {
		puts(_("usage: chibo-agent show member MEMBER [--format "
		       "FORMAT]\n"
		       "       chibo-agent show meeting ID [--format "
		       "FORMAT]\n\n"
		       "Shows one record in full (with --format csv or json: "
		       "the record only).\nMEMBER: an id prefix, card:NUMBER "
		       "or "
		       "nid:NUMBER.\n"));
		cb_args_help(stdout, defs);
		return 0;
	}
	if ((rc = cb_args_parse("show", defs, argc, argv, &v)) ||
	    (rc = output_of("show", &v, 0, &out)) ||
	    (rc = cb_output_no_xlsx("show", &out)))
		return rc;
	if (v.npos != 2 ||
	    (strcmp(v.pos[0], "member") && strcmp(v.pos[0], "meeting")))
		return cb_args_usage("show",
		                     _("give 'member MEMBER' or 'meeting ID'"));
	member = strcmp(v.pos[0], "member") == 0;
	if (!(lg = agent_open(a)))
		return 1;
	if (member && cb_ops_resolve_member(lg->st, v.pos[1], id, &eb)) {
		agent_error("%s", eb.msg);
		cb_ledger_free(&lg);
		return 1;
	}
	rc = show(lg->st, member ? member_parts : meeting_parts,
	          member ? id : v.pos[1], &out);
	cb_ledger_free(&lg);
	return rc;
}

static const struct argdef transfer_defs[] = {
	{ "all", NULL, N_("closed ones too (accepted, declined)") },
	{ "on", "DATE", N_("as of this day (default today): for overdue") },
	OUTPUT_DEFS,
	{ NULL, NULL, NULL },
};

int
cmd_transfers(struct agent *a, int argc, char **argv)
{
	struct cb_query_filter f = CB_QUERY_FILTER_INIT;
	struct cb_query_result r = CB_QUERY_RESULT_INIT;
	struct cb_ledger *lg;
	struct cb_output out;
	struct cb_errbuf eb;
	struct args v;
	int rc;

	rc = cb_args_command(
		"transfers",
		N_("usage: chibo-agent transfers [--all] [--on DATE] "
	           "[--format FORMAT]\n\n"
	           "Members released by this organisation or to it and still "
	           "in "
	           "transit\n(--all: accepted and declined ones too), with the "
	           "day they are due: 30\nworking days after the letter "
	           "(weekends "
	           "and public holidays skipped).\nState 'overdue' after it, "
	           "'over 3 months' when the member may be struck\noff. A "
	           "receiver "
	           "accepts with 'chibo-agent member accept RELEASE\n--cell "
	           "CODE "
	           "--reported-on DATE'.\n\n"),
		transfer_defs, argc, argv, &v, 0, 0, NULL);
	if (rc >= 0)
		return rc;
	f.all = cb_args_get(&v, 0) != NULL;
	f.on = cb_args_get(&v, 1);
	if ((rc = output_of("transfers", &v, 2, &out)))
		return rc;
	if (cb_query_check(&f, &eb))
		return cb_args_usage("transfers", "%s", eb.msg);
	if (!(lg = agent_open(a)))
		return 1;
	rc = answer(
		cb_query_ask(lg->st, CB_QUERY_TRANSFERS, lg->org, &f, &r, &eb),
		&r, &out, &eb);
	cb_ledger_free(&lg);
	return rc;
}

int
cmd_dissolutions(struct agent *a, int argc, char **argv)
{
	return list_command(
		a, argc, argv, "dissolutions",
		N_("usage: chibo-agent dissolutions [--format FORMAT]\n\nPlans "
	           "to dissolve "
	           "cells of the organisation: planned, approved by the\n"
	           "superior committee's office, dissolved; and the members "
	           "each cell still\nholds.\n\n"),
		CB_QUERY_DISSOLUTIONS);
}

int
cmd_candidates(struct agent *a, int argc, char **argv)
{
	return list_command(
		a, argc, argv, "candidates",
		N_("usage: chibo-agent candidates [--format "
	           "FORMAT]\n\nAdmission "
	           "candidates of the organisation, their helpers, and those "
	           "admitted.\n\n"),
		CB_QUERY_CANDIDATES);
}

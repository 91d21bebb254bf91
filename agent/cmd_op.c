/* SPDX-License-Identifier: MIT */
/* cmd_op.c — the recording commands ("member add", "meeting record", …).
 * Each is a table of flags mapped to the fields of one op; the fields go
 * through exactly the path 'apply' uses (cb_ledger_append), so a flag
 * command and a JSON line can never mean different things. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "args.h"
#include "ops.h"

enum ftype {
	T_STR,     /* string field */
	T_INT,     /* integer field */
	T_MARK,    /* comma-separated members -> attendance[m] = field */
	T_OBS,     /* "Name:Role" -> observers[] (repeatable) */
	T_SUBJECT, /* --member / --org: subject and subject_kind = field */
};

struct opflag {
	const char *flag;
	const char *field;
	enum ftype type;
	const char *metavar;
	const char *help;
};

struct opcmd {
	const char *w1, *w2; /* the command words; w2 may be NULL */
	const char *op;
	const char *pos_field; /* field from the one positional argument */
	const char *summary;
	const struct opflag *flags;
};

static const struct opflag cell_create[] = {
	{ "code", "code", T_STR, "CODE", "cell code (short, or ORG.CELL)" },
	{ "name", "name", T_STR, "NAME", "cell name, e.g. 'Chi bộ thôn Đông'" },
	{ "kind", "kind", T_STR, "KIND",
	  "residential, commune-agency, school, enterprise, armed-forces, "
	  "public-service or other" },
	{ "founded-on", "founded_on", T_STR, "DATE", "founding date" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag cell_rename[] = {
	{ "name", "name", T_STR, "NAME", "the new name" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag congress[] = {
	{ "org", "org", T_STR, "CODE", "the organisation or cell" },
	{ "term", "term", T_STR, "YYYY-YYYY", "the term, e.g. 2020-2025" },
	{ "held-on", "held_on", T_STR, "DATE", "the day it was held" },
	{ NULL, NULL, 0, NULL, NULL },
};
#define MEMBER_FIELDS                                                          \
	{ "name", "full_name", T_STR, "NAME", "full name" },                   \
		{ "birth", "birth_date", T_STR, "DATE", "date of birth" },     \
		{ "sex", "sex", T_STR, "SEX", "male or female" },              \
		{ "card", "card_no", T_STR, "NUMBER", "party card number" },   \
		{ "national-id", "national_id", T_STR, "DIGITS",               \
		  "citizen ID card number (12 digits)" },                      \
		{ "admitted", "admitted_on", T_STR, "DATE",                    \
		  "admission date" },                                          \
		{ "official", "official_on", T_STR, "DATE",                    \
		  "date the member became official" },                         \
		{ "work", "work_category", T_STR, "CATEGORY",                  \
		  "commune-cadre, commune-civil-servant, "                     \
		  "commune-non-specialised, "                                  \
		  "retired or other" },                                        \
	{                                                                      \
		"council-area", "council_area", T_STR, "AREA",                 \
			"People's Council delegate area"                       \
	}
static const struct opflag member_add[] = {
	MEMBER_FIELDS,
	{ "status", "status", T_STR, "STATUS",
	  "probationary, official or exempt (default: from --official)" },
	{ "cell", "cell", T_STR, "CODE", "the member's official cell" },
	{ "cell-since", "cell_since", T_STR, "DATE",
	  "in the cell since (default: admission date)" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag member_update[] = {
	MEMBER_FIELDS,
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag member_status[] = {
	{ "status", "status", T_STR, "STATUS",
	  "official, exempt, struck-off, expelled, resigned or deceased" },
	{ "on", "on", T_STR, "DATE", "the day it took effect" },
	{ "reason", "reason", T_STR, "TEXT", "why" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag meeting_record[] = {
	{ "cell", "cell", T_STR, "CODE", "the cell" },
	{ "date", "date", T_STR, "DATE", "the day it was held" },
	{ "kind", "kind", T_STR, "KIND", "regular, thematic or extraordinary" },
	{ "duration", "duration_min", T_INT, "MINUTES", "how long it lasted" },
	{ "chair", "chair", T_STR, "MEMBER", "who chaired it" },
	{ "clerk", "clerk", T_STR, "MEMBER", "who kept the minutes" },
	{ "present", "present", T_MARK, "M,M,…", "members present" },
	{ "excused", "excused", T_MARK, "M,M,…", "members absent, excused" },
	{ "unexcused", "unexcused", T_MARK, "M,M,…",
	  "members absent without excuse" },
	{ "exempt", "exempt", T_MARK, "M,M,…", "members exempt from activity" },
	{ "observer", "observers", T_OBS, "NAME:ROLE",
	  "an upper-level observer (repeatable)" },
	{ "content", "content", T_STR, "TEXT", "what was discussed" },
	{ "resolutions", "resolutions", T_STR, "TEXT", "what was resolved" },
	{ "rating", "rating", T_STR, "RATING", "good, fair, average or weak" },
	{ "supersedes", "supersedes", T_STR, "ENTRY",
	  "the entry id of the record this one corrects" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag rate[] = {
	{ "member", "member", T_SUBJECT, "MEMBER", "rate this member" },
	{ "org", "org", T_SUBJECT, "CODE",
	  "or rate this organisation or cell" },
	{ "period", "period", T_STR, "PERIOD", "YYYY, YYYY-Q1..Q4 or YYYY-MM" },
	{ "level", "level", T_STR, "LEVEL",
	  "outstanding, good, completed or not-completed" },
	{ "score", "score", T_INT, "0-100", "points (Regulation 366-QĐ/TW)" },
	{ "stage", "stage", T_STR, "STAGE", "self, proposed or decided" },
	{ "note", "note", T_STR, "TEXT", "a remark" },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct opflag member_move[] = {
	{ "cell", "cell", T_STR, "CODE", "the cell of this organisation" },
	{ "on", "on", T_STR, "DATE", "the day of the move" },
	{ "reason", "reason", T_STR, "TEXT", "why" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag member_release[] = {
	{ "to", "to_org", T_STR, "CODE",
	  "the receiving grassroots organisation" },
	{ "to-cell", "to_cell", T_STR, "CODE",
	  "its receiving cell, if the letter names one (ORG.CELL)" },
	{ "letter", "letter_no", T_STR, "NUMBER",
	  "the introduction letter's number" },
	{ "letter-date", "letter_date", T_STR, "DATE", "its date" },
	{ "on", "on", T_STR, "DATE", "the day the member leaves" },
	{ "reason", "reason", T_STR, "TEXT", "why" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag member_accept[] = {
	{ "cell", "cell", T_STR, "CODE", "the receiving cell" },
	{ "reported-on", "reported_on", T_STR, "DATE",
	  "the day the member reported" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag member_decline[] = {
	{ "on", "on", T_STR, "DATE", "the day of the decline" },
	{ "reason", "reason", T_STR, "TEXT", "why" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag member_strike_off[] = {
	{ "decision-no", "decision_no", T_STR, "NUMBER",
	  "the committee's decision number" },
	{ "on", "on", T_STR, "DATE",
	  "the day, over three months after the letter" },
	{ "reason", "reason", T_STR, "TEXT", "why" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag member_temporary[] = {
	{ "to", "to_org", T_STR, "CODE",
	  "the receiving grassroots organisation" },
	{ "to-cell", "to_cell", T_STR, "CODE",
	  "its receiving cell, if the letter names one (ORG.CELL)" },
	{ "letter", "letter_no", T_STR, "NUMBER", "the letter's number" },
	{ "letter-date", "letter_date", T_STR, "DATE", "its date" },
	{ "since", "since", T_STR, "DATE", "the first day away" },
	{ "until", "until", T_STR, "DATE",
	  "the day the stay ends (3 months to under a year; 2 years for "
	  "study)" },
	{ "purpose", "purpose", T_STR, "PURPOSE", "work, residence or study" },
	{ "reason", "reason", T_STR, "TEXT", "why" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag member_temporary_accept[] = {
	{ "cell", "cell", T_STR, "CODE", "the cell that lists the member" },
	{ "reported-on", "reported_on", T_STR, "DATE",
	  "the day the member reported" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag member_temporary_end[] = {
	{ "on", "on", T_STR, "DATE", "the day the stay ends" },
	{ "reason", "reason", T_STR, "TEXT", "why" },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct opflag dissolve_plan[] = {
	{ "on", "on", T_STR, "DATE", "the day of the plan" },
	{ "reason", "reason", T_STR, "TEXT", "why, e.g. the directive" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag dissolve_approve[] = {
	{ "decision-no", "decision_no", T_STR, "NUMBER",
	  "the committee's decision number" },
	{ "on", "on", T_STR, "DATE", "the day of the approval" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag dissolve[] = {
	{ "on", "on", T_STR, "DATE", "the day the cell is dissolved" },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct opflag candidate_add[] = {
	{ "name", "full_name", T_STR, "NAME", "full name" },
	{ "birth", "birth_date", T_STR, "DATE", "date of birth" },
	{ "sex", "sex", T_STR, "SEX", "male or female" },
	{ "national-id", "national_id", T_STR, "DIGITS",
	  "citizen ID card number (12 digits)" },
	{ "cell", "cell", T_STR, "CODE", "the cell preparing them" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag candidate_helpers[] = {
	{ "helper", "helper1", T_STR, "MEMBER", "the first helper" },
	{ "helper2", "helper2", T_STR, "MEMBER", "the second helper" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag candidate_move[] = {
	{ "cell", "cell", T_STR, "CODE", "another cell of the organisation" },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct opflag candidate_admit[] = {
	{ "on", "admitted_on", T_STR, "DATE", "the admission date" },
	{ "card", "card_no", T_STR, "NUMBER", "party card number, if issued" },
	{ NULL, NULL, 0, NULL, NULL },
};

/* Member refs in help: an id prefix of 8+ hex digits, card:N or nid:N. */
static const struct opcmd opcmds[] = {
	{ "cell", "create", "cell.create", NULL,
	  "create a cell under the organisation", cell_create },
	{ "cell", "rename", "cell.rename", "code", "rename a cell (CODE)",
	  cell_rename },
	{ "cell", "dissolve-plan", "cell.dissolve_plan", "cell",
	  "plan to dissolve a cell (CODE)", dissolve_plan },
	{ "cell", "dissolve-approve", "cell.dissolve_approve", "plan",
	  "approve a plan (PLAN), as the superior committee's office",
	  dissolve_approve },
	{ "cell", "dissolve", "cell.dissolve", "plan",
	  "dissolve an approved, emptied cell (PLAN)", dissolve },
	{ "candidate", "add", "candidate.add", NULL,
	  "add an admission candidate to a cell", candidate_add },
	{ "candidate", "helpers", "candidate.helpers", "candidate",
	  "assign two official members to help a candidate (CANDIDATE)",
	  candidate_helpers },
	{ "candidate", "move", "candidate.move", "candidate",
	  "move a candidate (CANDIDATE) to another cell", candidate_move },
	{ "candidate", "admit", "candidate.admit", "candidate",
	  "admit a candidate (CANDIDATE): a probationary member",
	  candidate_admit },
	{ "congress", NULL, "org.congress", NULL,
	  "record a congress held by the organisation or a cell", congress },
	{ "member", "add", "member.add", NULL, "add a member", member_add },
	{ "member", "update", "member.update", "member",
	  "change fields of a member (MEMBER); \"\" clears", member_update },
	{ "member", "status", "member.status", "member",
	  "change a member's status (MEMBER)", member_status },
	{ "member", "move", "member.move", "member",
	  "move a member (MEMBER) to another cell of the organisation",
	  member_move },
	{ "member", "release", "member.release", "member",
	  "release a member (MEMBER) to another organisation: in transit "
	  "until it accepts",
	  member_release },
	{ "member", "accept", "member.accept", "release",
	  "accept a member released to this organisation (RELEASE: the "
	  "release's id)",
	  member_accept },
	{ "member", "decline", "member.decline", "release",
	  "decline a release (RELEASE); the member returns to the sender",
	  member_decline },
	{ "member", "strike-off", "member.strike_off", "release",
	  "strike off a member whose release (RELEASE) went unanswered for "
	  "three months, as the superior committee's office",
	  member_strike_off },
	{ "member", "temporary", "member.temporary", "member",
	  "send a member (MEMBER) to another organisation's cell for a "
	  "while; the official cell stays",
	  member_temporary },
	{ "member", "temporary-accept", "member.temporary_accept", "temporary",
	  "list a member sent here for a while (TEMPORARY: the letter's id) "
	  "in a cell",
	  member_temporary_accept },
	{ "member", "temporary-end", "member.temporary_end", "temporary",
	  "end a temporary stay (TEMPORARY) before the letter's end",
	  member_temporary_end },
	{ "meeting", "record", "meeting.record", NULL,
	  "record a cell meeting, or correct one", meeting_record },
	{ "rate", NULL, "rating.record", NULL,
	  "record a member's or organisation's rating", rate },
};

static const struct opcmd *
find(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(opcmds) / sizeof(opcmds[0]); i++) {
		const struct opcmd *c = &opcmds[i];

		if (strcmp(c->w1, argv[0]) != 0)
			continue;
		if (!c->w2)
			return c;
		if (argc > 1 && strcmp(c->w2, argv[1]) == 0)
			return c;
	}
	return NULL;
}

bool
cmd_op_matches(int argc, char **argv)
{
	if (find(argc, argv))
		return true;
	/* "member" alone or with an unknown verb: let cmd_op explain. */
	for (size_t i = 0; i < sizeof(opcmds) / sizeof(opcmds[0]); i++)
		if (strcmp(opcmds[i].w1, argv[0]) == 0)
			return true;
	return false;
}

void
cmd_op_list(void)
{
	for (size_t i = 0; i < sizeof(opcmds) / sizeof(opcmds[0]); i++) {
		char words[40];

		snprintf(words, sizeof(words), "%s%s%s", opcmds[i].w1,
		         opcmds[i].w2 ? " " : "",
		         opcmds[i].w2 ? opcmds[i].w2 : "");
		printf("  %-17s %s\n", words, opcmds[i].summary);
	}
}

static void
help(const struct opcmd *c, const struct argdef *defs)
{
	char pos[24] = "";

	/* The positional argument by its field: MEMBER, RELEASE, PLAN, … */
	for (size_t i = 0;
	     c->pos_field && c->pos_field[i] && i + 2 < sizeof(pos); i++) {
		pos[0] = ' ';
		pos[i + 1] = (char)toupper((unsigned char)c->pos_field[i]);
	}
	printf("usage: chibo-agent %s%s%s%s [OPTIONS]\n\n%s.\n", c->w1,
	       c->w2 ? " " : "", c->w2 ? c->w2 : "", pos, c->summary);
	printf("Appends one signed '%s' entry (docs/OPERATIONS.md).\n\n",
	       c->op);
	cb_args_help(stdout, defs);
	puts("\nDates are YYYY-MM-DD or DD/MM/YYYY. A MEMBER is an id prefix "
	     "of 8+ hex\ndigits, card:NUMBER or nid:NUMBER.");
}

static int
add_marks(json_t *att, const char *mark, const char *list, const char *cmd)
{
	char *copy = strdup(list), *p, *save = NULL;

	if (!copy)
		return 1;
	for (p = strtok_r(copy, ",", &save); p;
	     p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		if (!*p)
			continue;
		if (json_object_get(att, p)) {
			free(copy);
			return cb_args_usage(cmd, "member '%s' is marked twice",
			                     p);
		}
		json_object_set_new(att, p, json_string(mark));
	}
	free(copy);
	return 0;
}

int
cmd_op(struct agent *a, int argc, char **argv)
{
	const struct opcmd *c = find(argc, argv);
	struct argdef defs[ARGS_MAX_DEFS];
	struct args *v = NULL;
	struct cb_entry e = CB_ENTRY_INIT;
	struct cb_ledger *lg = NULL;
	struct cb_errbuf eb;
	json_t *in = NULL, *att = NULL, *obs = NULL;
	char cmd[40], id[13];
	int nd = 0, skip, rc = 1;

	if (!c) {
		fprintf(stderr, "chibo-agent: '%s' needs one of:\n", argv[0]);
		for (size_t i = 0; i < sizeof(opcmds) / sizeof(opcmds[0]); i++)
			if (strcmp(opcmds[i].w1, argv[0]) == 0)
				fprintf(stderr, "  %s %s\n", argv[0],
				        opcmds[i].w2 ? opcmds[i].w2 : "");
		return EXIT_USAGE;
	}
	skip = c->w2 ? 1 : 0;
	snprintf(cmd, sizeof(cmd), "%s%s%s", c->w1, c->w2 ? " " : "",
	         c->w2 ? c->w2 : "");
	for (; c->flags[nd].flag; nd++) {
		defs[nd].name = c->flags[nd].flag;
		defs[nd].metavar = c->flags[nd].metavar;
		defs[nd].help = c->flags[nd].help;
	}
	defs[nd].name = NULL;
	if (cb_args_wants_help(argc - skip, argv + skip)) {
		help(c, defs);
		return 0;
	}
	v = calloc(1, sizeof(*v));
	in = json_object();
	if (!v || !in) {
		agent_error("out of memory");
		goto out;
	}
	if ((rc = cb_args_parse(cmd, defs, argc - skip, argv + skip, v)))
		goto out;
	rc = EXIT_USAGE;
	if (v->npos != (c->pos_field ? 1 : 0)) {
		cb_args_usage(cmd,
		              c->pos_field ? "give exactly one %s"
		                           : "unexpected argument '%s'",
		              c->pos_field
		                      ? (strcmp(c->pos_field, "code") ? "MEMBER"
		                                                      : "CODE")
		                      : v->pos[0]);
		goto out;
	}
	if (c->pos_field)
		json_object_set_new(in, c->pos_field, json_string(v->pos[0]));
	for (int d = 0; d < nd; d++) {
		const struct opflag *f = &c->flags[d];

		for (int k = 0; k < v->n[d]; k++) {
			const char *val = v->vals[d][k];

			switch (f->type) {
			case T_STR:
				json_object_set_new(in, f->field,
				                    json_string(val));
				break;
			case T_INT: {
				char *end;
				long long n = strtoll(val, &end, 10);

				if (!*val || *end) {
					cb_args_usage(cmd,
					              "--%s needs a whole "
					              "number, not '%s'",
					              f->flag, val);
					goto out;
				}
				json_object_set_new(in, f->field,
				                    json_integer(n));
				break;
			}
			case T_MARK:
				if (!att)
					att = json_object();
				if (add_marks(att, f->field, val, cmd))
					goto out;
				break;
			case T_OBS: {
				const char *colon = strchr(val, ':');
				json_t *o = json_object();

				if (!obs)
					obs = json_array();
				json_object_set_new(
					o, "name",
					colon ? json_stringn(
							val,
							(size_t)(colon - val))
					      : json_string(val));
				if (colon && colon[1])
					json_object_set_new(
						o, "role",
						json_string(colon + 1));
				json_array_append_new(obs, o);
				break;
			}
			case T_SUBJECT:
				if (json_object_get(in, "subject")) {
					cb_args_usage(cmd,
					              "give --member or --org, "
					              "not both");
					goto out;
				}
				json_object_set_new(in, "subject_kind",
				                    json_string(f->field));
				json_object_set_new(in, "subject",
				                    json_string(val));
				break;
			}
		}
	}
	if (att)
		json_object_set(in, "attendance", att);
	else if (strcmp(c->op, "meeting.record") == 0) {
		cb_args_usage(cmd, "give the attendance with --present and the "
		                   "other marks");
		goto out;
	}
	if (obs)
		json_object_set(in, "observers", obs);
	if (!(lg = agent_open(a))) {
		rc = 1;
		goto out;
	}
	rc = 1;
	if (cb_ledger_append(lg, c->op, in, &e, &eb)) {
		agent_error("%s", eb.msg);
		goto out;
	}
	cb_hash_short(e.id, id);
	if (strcmp(c->op, "member.add") == 0)
		printf("added member %s, id %s (entry %" PRIu64 ")\n",
		       json_string_value(json_object_get(e.json, "full_name")),
		       id, e.seq);
	else
		printf("recorded %s as entry %" PRIu64 " (%s)\n", c->op, e.seq,
		       id);
	rc = 0;
out:
	cb_entry_release(&e);
	cb_ledger_free(&lg);
	json_decref(in);
	json_decref(att);
	json_decref(obs);
	free(v);
	return rc;
}

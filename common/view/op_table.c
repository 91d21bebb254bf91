/* SPDX-License-Identifier: MIT */
/* op_table.c — the op registry (ops.h): for each operation an entry can
 * carry, one row naming its fields and their checks (ops_int.h), the
 * function that applies it (project_FAMILY.c), whether lazy replay may
 * set it aside, what record it is about, and its command-line form.
 * Validation, projection, lazy replay, the log's subjects and the agent's
 * recording commands all read this one table: adding an operation is its
 * fields, its command line flags, one row, and its apply function. */
#include <limits.h>

#include "ops_int.h"
#include "project_int.h"

const char *const cb_cell_kinds[] = { "residential",  "commune-agency",
	                              "school",       "enterprise",
	                              "armed-forces", "public-service",
	                              "other",        NULL };
static const char *const org_kinds[] = { "party-committee", "grassroots-cell",
	                                 NULL };
const char *const cb_member_statuses[] = { "probationary", "official",
	                                   "exempt",       "struck-off",
	                                   "expelled",     "resigned",
	                                   "deceased",     NULL };
static const char *const add_statuses[] = { "probationary", "official",
	                                    "exempt", NULL };
const char *const cb_work_categories[] = { "commune-cadre",
	                                   "commune-civil-servant",
	                                   "commune-non-specialised",
	                                   "retired",
	                                   "other",
	                                   NULL };
const char *const cb_attendance_marks[] = { "present", "excused", "unexcused",
	                                    "exempt", NULL };
const char *const cb_meeting_kinds[] = { "regular", "thematic", "extraordinary",
	                                 NULL };
static const char *const meeting_ratings[] = { "good", "fair", "average",
	                                       "weak", NULL };
const char *const cb_rating_levels[] = { "outstanding", "good", "completed",
	                                 "not-completed", NULL };
const char *const cb_rating_stages[] = { "self", "proposed", "decided", NULL };
static const char *const subject_kinds[] = { "member", "org", NULL };
static const char *const sexes[] = { "male", "female", NULL };
const char *const cb_temporary_purposes[] = { "work", "residence", "study",
	                                      NULL };

/* --- the fields of each op ------------------------------------------ */

static const struct cb_field f_org_init[] = {
	{ "code", FT_CODE, REQ, NULL, 0, 0 },
	{ "name", FT_NAME, REQ, NULL, 0, 0 },
	{ "kind", FT_ENUM, REQ, org_kinds, 0, 0 },
	{ "parent", FT_CODE, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_cell_create[] = {
	{ "code", FT_CELL, REQ, NULL, 0, 0 },
	{ "name", FT_NAME, REQ, NULL, 0, 0 },
	{ "kind", FT_ENUM, REQ, cb_cell_kinds, 0, 0 },
	{ "founded_on", FT_DATE, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_cell_rename[] = {
	{ "code", FT_CELL, REQ, NULL, 0, 0 },
	{ "name", FT_NAME, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_org_congress[] = {
	{ "org", FT_CODE, REQ | EXPAND, NULL, 0, 0 },
	{ "term", FT_TERM, REQ, NULL, 0, 0 },
	{ "held_on", FT_DATE, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_member_add[] = {
	{ "full_name", FT_NAME, REQ, NULL, 0, 0 },
	{ "birth_date", FT_DATE, REQ, NULL, 0, 0 },
	{ "sex", FT_ENUM, REQ, sexes, 0, 0 },
	{ "card_no", FT_IDNUM, 0, NULL, 0, 0 },
	{ "national_id", FT_NID, 0, NULL, 0, 0 },
	{ "admitted_on", FT_DATE, REQ, NULL, 0, 0 },
	{ "official_on", FT_DATE, 0, NULL, 0, 0 },
	{ "status", FT_ENUM, REQ, add_statuses, 0, 0 },
	{ "work_category", FT_ENUM, 0, cb_work_categories, 0, 0 },
	{ "council_area", FT_NAME, 0, NULL, 0, 0 },
	{ "cell", FT_CELL, REQ, NULL, 0, 0 },
	{ "cell_since", FT_DATE, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_member_update[] = {
	{ "member", FT_MEMBER, REQ, NULL, 0, 0 },
	{ "full_name", FT_NAME, 0, NULL, 0, 0 },
	{ "birth_date", FT_DATE, 0, NULL, 0, 0 },
	{ "sex", FT_ENUM, 0, sexes, 0, 0 },
	{ "card_no", FT_IDNUM, NULLABLE, NULL, 0, 0 },
	{ "national_id", FT_NID, NULLABLE, NULL, 0, 0 },
	{ "admitted_on", FT_DATE, 0, NULL, 0, 0 },
	{ "official_on", FT_DATE, NULLABLE, NULL, 0, 0 },
	{ "work_category", FT_ENUM, NULLABLE, cb_work_categories, 0, 0 },
	{ "council_area", FT_NAME, NULLABLE, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_member_status[] = {
	{ "member", FT_MEMBER, REQ, NULL, 0, 0 },
	{ "status", FT_ENUM, REQ, cb_member_statuses, 0, 0 },
	{ "on", FT_DATE, REQ, NULL, 0, 0 },
	{ "reason", FT_TEXT, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_meeting_record[] = {
	{ "cell", FT_CELL, REQ, NULL, 0, 0 },
	{ "date", FT_DATE, REQ, NULL, 0, 0 },
	{ "kind", FT_ENUM, REQ, cb_meeting_kinds, 0, 0 },
	{ "duration_min", FT_INT, REQ, NULL, 1, 1440 },
	{ "chair", FT_MEMBER, 0, NULL, 0, 0 },
	{ "clerk", FT_MEMBER, 0, NULL, 0, 0 },
	{ "attendance", FT_ATTENDANCE, REQ, NULL, 0, 0 },
	{ "observers", FT_OBSERVERS, 0, NULL, 0, 0 },
	{ "content", FT_TEXT, 0, NULL, 0, 0 },
	{ "resolutions", FT_TEXT, 0, NULL, 0, 0 },
	{ "rating", FT_ENUM, 0, meeting_ratings, 0, 0 },
	{ "supersedes", FT_HASH, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_rating_record[] = {
	{ "subject_kind", FT_ENUM, REQ, subject_kinds, 0, 0 },
	{ "subject", FT_SUBJECT, REQ, NULL, 0, 0 },
	{ "period", FT_PERIOD, REQ, NULL, 0, 0 },
	{ "level", FT_ENUM, REQ, cb_rating_levels, 0, 0 },
	{ "score", FT_INT, 0, NULL, 0, 100 },
	{ "stage", FT_ENUM, REQ, cb_rating_stages, 0, 0 },
	{ "note", FT_TEXT, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};

static const char *const hub_levels[] = { "district", "province", "centre",
	                                  NULL };
static const char *const committee_levels[] = { "district", "province", NULL };
static const char *const roles[] = { "commune", "district", "auditor", "hub",
	                             NULL };
static const struct cb_field f_hub_init[] = {
	{ "code", FT_CODE, REQ, NULL, 0, 0 },
	{ "name", FT_NAME, REQ, NULL, 0, 0 },
	{ "level", FT_ENUM, REQ, hub_levels, 0, 0 },
	{ "parent", FT_CODE, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_hub_join[] = {
	{ "authority", FT_HASH, REQ, NULL, 0, 0 },
	{ "above", FT_CODE, 0, NULL, 0, 0 },
	{ "witness", FT_HASH, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_key_enroll[] = {
	{ "key", FT_HASH, REQ, NULL, 0, 0 },
	{ "org", FT_CODE, REQ, NULL, 0, 0 },
	{ "role", FT_ENUM, REQ, roles, 0, 0 },
	{ "name", FT_NAME, 0, NULL, 0, 0 },
	{ "parent", FT_CODE, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_key_revoke[] = {
	{ "key", FT_HASH, REQ, NULL, 0, 0 },
	{ "reason", FT_TEXT, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};

static const struct cb_field f_member_move[] = {
	{ "member", FT_MEMBER, REQ, NULL, 0, 0 },
	{ "cell", FT_CELL, REQ, NULL, 0, 0 },
	{ "on", FT_DATE, REQ, NULL, 0, 0 },
	{ "reason", FT_TEXT, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_member_release[] = {
	{ "member", FT_MEMBER, REQ, NULL, 0, 0 },
	{ "to_org", FT_CODE, REQ, NULL, 0, 0 },
	{ "to_cell", FT_CODE, 0, NULL, 0, 0 },
	{ "letter_no", FT_NAME, REQ, NULL, 0, 0 },
	{ "letter_date", FT_DATE, REQ, NULL, 0, 0 },
	{ "on", FT_DATE, REQ, NULL, 0, 0 },
	{ "reason", FT_TEXT, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_member_accept[] = {
	{ "release", FT_RELEASE, REQ, NULL, 0, 0 },
	{ "cell", FT_CELL, REQ, NULL, 0, 0 },
	{ "reported_on", FT_DATE, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_member_decline[] = {
	{ "release", FT_RELEASE, REQ, NULL, 0, 0 },
	{ "on", FT_DATE, REQ, NULL, 0, 0 },
	{ "reason", FT_TEXT, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_member_strike_off[] = {
	{ "release", FT_RELEASE, REQ, NULL, 0, 0 },
	{ "decision_no", FT_NAME, REQ, NULL, 0, 0 },
	{ "on", FT_DATE, REQ, NULL, 0, 0 },
	{ "reason", FT_TEXT, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_member_temporary[] = {
	{ "member", FT_MEMBER, REQ, NULL, 0, 0 },
	{ "to_org", FT_CODE, REQ, NULL, 0, 0 },
	{ "to_cell", FT_CODE, 0, NULL, 0, 0 },
	{ "letter_no", FT_NAME, REQ, NULL, 0, 0 },
	{ "letter_date", FT_DATE, REQ, NULL, 0, 0 },
	{ "since", FT_DATE, REQ, NULL, 0, 0 },
	{ "until", FT_DATE, REQ, NULL, 0, 0 },
	{ "purpose", FT_ENUM, REQ, cb_temporary_purposes, 0, 0 },
	{ "reason", FT_TEXT, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_member_temporary_accept[] = {
	{ "temporary", FT_TEMPORARY, REQ, NULL, 0, 0 },
	{ "cell", FT_CELL, REQ, NULL, 0, 0 },
	{ "reported_on", FT_DATE, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_member_temporary_end[] = {
	{ "temporary", FT_TEMPORARY, REQ, NULL, 0, 0 },
	{ "on", FT_DATE, REQ, NULL, 0, 0 },
	{ "reason", FT_TEXT, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};

static const struct cb_field f_cell_dissolve_plan[] = {
	{ "cell", FT_CELL, REQ, NULL, 0, 0 },
	{ "on", FT_DATE, REQ, NULL, 0, 0 },
	{ "reason", FT_TEXT, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_cell_dissolve_approve[] = {
	{ "plan", FT_PLAN, REQ, NULL, 0, 0 },
	{ "decision_no", FT_NAME, REQ, NULL, 0, 0 },
	{ "on", FT_DATE, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_cell_dissolve[] = {
	{ "plan", FT_PLAN, REQ, NULL, 0, 0 },
	{ "on", FT_DATE, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_candidate_add[] = {
	{ "full_name", FT_NAME, REQ, NULL, 0, 0 },
	{ "birth_date", FT_DATE, REQ, NULL, 0, 0 },
	{ "sex", FT_ENUM, REQ, sexes, 0, 0 },
	{ "national_id", FT_NID, 0, NULL, 0, 0 },
	{ "cell", FT_CELL, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_candidate_helpers[] = {
	{ "candidate", FT_CANDIDATE, REQ, NULL, 0, 0 },
	{ "helper1", FT_MEMBER, REQ, NULL, 0, 0 },
	{ "helper2", FT_MEMBER, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_candidate_move[] = {
	{ "candidate", FT_CANDIDATE, REQ, NULL, 0, 0 },
	{ "cell", FT_CELL, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_candidate_admit[] = {
	{ "candidate", FT_CANDIDATE, REQ, NULL, 0, 0 },
	{ "admitted_on", FT_DATE, REQ, NULL, 0, 0 },
	{ "card_no", FT_IDNUM, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_office_init[] = {
	{ "code", FT_CODE, REQ, NULL, 0, 0 },
	{ "name", FT_NAME, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};

static const struct cb_field f_committee_found[] = {
	{ "code", FT_CODE, REQ, NULL, 0, 0 },
	{ "name", FT_NAME, REQ, NULL, 0, 0 },
	{ "level", FT_ENUM, REQ, committee_levels, 0, 0 },
	{ "parent", FT_CODE, REQ, NULL, 0, 0 },
	{ "founded_on", FT_DATE, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_campaign_exempt[] = {
	{ "org", FT_CODE, REQ, NULL, 0, 0 },
	{ "on", FT_DATE, REQ, NULL, 0, 0 },
	{ "reason", FT_TEXT, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};

static const struct cb_field f_org_merge[] = {
	{ "org", FT_CODE, REQ, NULL, 0, 0 },
	{ "into", FT_CODE, REQ, NULL, 0, 0 },
	{ "on", FT_DATE, REQ, NULL, 0, 0 },
	{ "decision_no", FT_NAME, REQ, NULL, 0, 0 },
	{ "through", FT_HASH, REQ, NULL, 0, 0 },
	{ "through_seq", FT_INT, REQ, NULL, 0, LONG_MAX },
	{ NULL, 0, 0, NULL, 0, 0 },
};

static const struct cb_field f_org_move[] = {
	{ "org", FT_CODE, REQ, NULL, 0, 0 },
	{ "parent", FT_CODE, REQ, NULL, 0, 0 },
	{ "on", FT_DATE, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};
static const struct cb_field f_org_succeed[] = {
	{ "org", FT_CODE, REQ, NULL, 0, 0 },
	{ "key", FT_HASH, REQ, NULL, 0, 0 },
	{ "from", FT_HASH, REQ, NULL, 0, 0 },
	{ "through", FT_HASH, REQ, NULL, 0, 0 },
	{ "through_seq", FT_INT, REQ, NULL, 0, LONG_MAX },
	{ "reason", FT_TEXT, 0, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};

static const struct cb_field f_calendar_holiday[] = {
	{ "date", FT_DATE, REQ, NULL, 0, 0 },
	{ "name", FT_NAME, REQ, NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, 0 },
};

/* --- the command line's flags of each op ------------------------------ */

static const struct cb_op_flag cli_cell_create[] = {
	{ "code", "code", CB_ARG_STR, "CODE",
	  N_("cell code (short, or ORG.CELL)") },
	{ "name", "name", CB_ARG_STR, "NAME",
	  N_("cell name, e.g. 'Chi bộ thôn Đông'") },
	{ "kind", "kind", CB_ARG_STR, "KIND",
	  N_("residential, commune-agency, school, enterprise, armed-forces, "
	     "public-service or other (thôn, cơ quan, trường học, …)") },
	{ "founded-on", "founded_on", CB_ARG_STR, "DATE", N_("founding date") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_cell_rename[] = {
	{ "name", "name", CB_ARG_STR, "NAME", N_("the new name") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_congress[] = {
	{ "org", "org", CB_ARG_STR, "CODE", N_("the organisation or cell") },
	{ "term", "term", CB_ARG_STR, "YYYY-YYYY",
	  N_("the term, e.g. 2020-2025") },
	{ "held-on", "held_on", CB_ARG_STR, "DATE", N_("the day it was held") },
	{ NULL, NULL, 0, NULL, NULL },
};
#define CLI_MEMBER_FIELDS                                                      \
	{ "name", "full_name", CB_ARG_STR, "NAME", N_("full name") },          \
		{ "birth", "birth_date", CB_ARG_STR, "DATE",                   \
		  N_("date of birth") },                                       \
		{ "sex", "sex", CB_ARG_STR, "SEX",                             \
		  N_("male or female (nam, nữ)") },                            \
		{ "card", "card_no", CB_ARG_STR, "NUMBER",                     \
		  N_("party card number") },                                   \
		{ "national-id", "national_id", CB_ARG_STR, "DIGITS",          \
		  N_("citizen ID card number (12 digits)") },                  \
		{ "admitted", "admitted_on", CB_ARG_STR, "DATE",               \
		  N_("admission date") },                                      \
		{ "official", "official_on", CB_ARG_STR, "DATE",               \
		  N_("date the member became official") },                     \
		{ "work", "work_category", CB_ARG_STR, "CATEGORY",             \
		  N_("commune-cadre, commune-civil-servant, "                  \
		     "commune-non-specialised, "                               \
		     "retired or other") },                                    \
	{                                                                      \
		"council-area", "council_area", CB_ARG_STR, "AREA",            \
			N_("People's Council delegate area")                   \
	}
static const struct cb_op_flag cli_member_add[] = {
	CLI_MEMBER_FIELDS,
	{ "status", "status", CB_ARG_STR, "STATUS",
	  N_("probationary, official or exempt (dự bị, chính thức, miễn sinh "
	     "hoạt; default: from --official)") },
	{ "cell", "cell", CB_ARG_STR, "CODE",
	  N_("the member's official cell") },
	{ "cell-since", "cell_since", CB_ARG_STR, "DATE",
	  N_("in the cell since (default: admission date)") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_member_update[] = {
	CLI_MEMBER_FIELDS,
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_member_status[] = {
	{ "status", "status", CB_ARG_STR, "STATUS",
	  N_("official, exempt, struck-off, expelled, resigned or deceased "
	     "(chính thức, xóa tên, từ trần, …)") },
	{ "on", "on", CB_ARG_STR, "DATE", N_("the day it took effect") },
	{ "reason", "reason", CB_ARG_STR, "TEXT", N_("why") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_meeting_record[] = {
	{ "cell", "cell", CB_ARG_STR, "CODE", N_("the cell") },
	{ "date", "date", CB_ARG_STR, "DATE", N_("the day it was held") },
	{ "kind", "kind", CB_ARG_STR, "KIND",
	  N_("regular, thematic or extraordinary (thường kỳ, chuyên đề, bất "
	     "thường)") },
	{ "duration", "duration_min", CB_ARG_INT, "MINUTES",
	  N_("how long it lasted") },
	{ "chair", "chair", CB_ARG_STR, "MEMBER", N_("who chaired it") },
	{ "clerk", "clerk", CB_ARG_STR, "MEMBER", N_("who kept the minutes") },
	{ "present", "present", CB_ARG_MARK, "M,M,…", N_("members present") },
	{ "excused", "excused", CB_ARG_MARK, "M,M,…",
	  N_("members absent, excused") },
	{ "unexcused", "unexcused", CB_ARG_MARK, "M,M,…",
	  N_("members absent without excuse") },
	{ "exempt", "exempt", CB_ARG_MARK, "M,M,…",
	  N_("members exempt from activity") },
	{ "observer", "observers", CB_ARG_OBS, "NAME:ROLE",
	  N_("an upper-level observer (repeatable)") },
	{ "content", "content", CB_ARG_STR, "TEXT", N_("what was discussed") },
	{ "resolutions", "resolutions", CB_ARG_STR, "TEXT",
	  N_("what was resolved") },
	{ "rating", "rating", CB_ARG_STR, "RATING",
	  N_("good, fair, average or weak (tốt, khá, trung bình, yếu)") },
	{ "supersedes", "supersedes", CB_ARG_STR, "ENTRY",
	  N_("the entry id of the record this one corrects") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_rate[] = {
	{ "member", "member", CB_ARG_SUBJECT, "MEMBER",
	  N_("rate this member") },
	{ "org", "org", CB_ARG_SUBJECT, "CODE",
	  N_("or rate this organisation or cell") },
	{ "period", "period", CB_ARG_STR, "PERIOD",
	  N_("YYYY, YYYY-Q1..Q4 or YYYY-MM") },
	{ "level", "level", CB_ARG_STR, "LEVEL",
	  N_("outstanding, good, completed or not-completed (xuất sắc, tốt, "
	     "hoàn thành, không hoàn thành)") },
	{ "score", "score", CB_ARG_INT, "0-100",
	  N_("points (Regulation 366-QĐ/TW)") },
	{ "stage", "stage", CB_ARG_STR, "STAGE",
	  N_("self, proposed or decided (tự đánh giá, đề xuất, quyết định)") },
	{ "note", "note", CB_ARG_STR, "TEXT", N_("a remark") },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct cb_op_flag cli_member_move[] = {
	{ "cell", "cell", CB_ARG_STR, "CODE",
	  N_("the cell of this organisation") },
	{ "on", "on", CB_ARG_STR, "DATE", N_("the day of the move") },
	{ "reason", "reason", CB_ARG_STR, "TEXT", N_("why") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_member_release[] = {
	{ "to", "to_org", CB_ARG_STR, "CODE",
	  N_("the receiving grassroots organisation") },
	{ "to-cell", "to_cell", CB_ARG_STR, "CODE",
	  N_("its receiving cell, if the letter names one (ORG.CELL)") },
	{ "letter", "letter_no", CB_ARG_STR, "NUMBER",
	  N_("the introduction letter's number") },
	{ "letter-date", "letter_date", CB_ARG_STR, "DATE", N_("its date") },
	{ "on", "on", CB_ARG_STR, "DATE", N_("the day the member leaves") },
	{ "reason", "reason", CB_ARG_STR, "TEXT", N_("why") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_member_accept[] = {
	{ "cell", "cell", CB_ARG_STR, "CODE", N_("the receiving cell") },
	{ "reported-on", "reported_on", CB_ARG_STR, "DATE",
	  N_("the day the member reported") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_member_decline[] = {
	{ "on", "on", CB_ARG_STR, "DATE", N_("the day of the decline") },
	{ "reason", "reason", CB_ARG_STR, "TEXT", N_("why") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_member_strike_off[] = {
	{ "decision-no", "decision_no", CB_ARG_STR, "NUMBER",
	  N_("the committee's decision number") },
	{ "on", "on", CB_ARG_STR, "DATE",
	  N_("the day, over three months after the letter") },
	{ "reason", "reason", CB_ARG_STR, "TEXT", N_("why") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_member_temporary[] = {
	{ "to", "to_org", CB_ARG_STR, "CODE",
	  N_("the receiving grassroots organisation") },
	{ "to-cell", "to_cell", CB_ARG_STR, "CODE",
	  N_("its receiving cell, if the letter names one (ORG.CELL)") },
	{ "letter", "letter_no", CB_ARG_STR, "NUMBER",
	  N_("the letter's number") },
	{ "letter-date", "letter_date", CB_ARG_STR, "DATE", N_("its date") },
	{ "since", "since", CB_ARG_STR, "DATE", N_("the first day away") },
	{ "until", "until", CB_ARG_STR, "DATE",
	  N_("the day the stay ends (3 months to under a year; 2 years for "
	     "study)") },
	{ "purpose", "purpose", CB_ARG_STR, "PURPOSE",
	  N_("work, residence or study (công tác, cư trú, học tập)") },
	{ "reason", "reason", CB_ARG_STR, "TEXT", N_("why") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_member_temporary_accept[] = {
	{ "cell", "cell", CB_ARG_STR, "CODE",
	  N_("the cell that lists the member") },
	{ "reported-on", "reported_on", CB_ARG_STR, "DATE",
	  N_("the day the member reported") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_member_temporary_end[] = {
	{ "on", "on", CB_ARG_STR, "DATE", N_("the day the stay ends") },
	{ "reason", "reason", CB_ARG_STR, "TEXT", N_("why") },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct cb_op_flag cli_dissolve_plan[] = {
	{ "on", "on", CB_ARG_STR, "DATE", N_("the day of the plan") },
	{ "reason", "reason", CB_ARG_STR, "TEXT",
	  N_("why, e.g. the directive") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_dissolve_approve[] = {
	{ "decision-no", "decision_no", CB_ARG_STR, "NUMBER",
	  N_("the committee's decision number") },
	{ "on", "on", CB_ARG_STR, "DATE", N_("the day of the approval") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_dissolve[] = {
	{ "on", "on", CB_ARG_STR, "DATE", N_("the day the cell is dissolved") },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct cb_op_flag cli_campaign_exempt[] = {
	{ "on", "on", CB_ARG_STR, "DATE", N_("the day of the decision") },
	{ "reason", "reason", CB_ARG_STR, "TEXT",
	  N_("why, e.g. 'no residential cell after the relocation'") },
	{ NULL, NULL, 0, NULL, NULL },
};

static const struct cb_op_flag cli_candidate_add[] = {
	{ "name", "full_name", CB_ARG_STR, "NAME", N_("full name") },
	{ "birth", "birth_date", CB_ARG_STR, "DATE", N_("date of birth") },
	{ "sex", "sex", CB_ARG_STR, "SEX", N_("male or female (nam, nữ)") },
	{ "national-id", "national_id", CB_ARG_STR, "DIGITS",
	  N_("citizen ID card number (12 digits)") },
	{ "cell", "cell", CB_ARG_STR, "CODE", N_("the cell preparing them") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_candidate_helpers[] = {
	{ "helper", "helper1", CB_ARG_STR, "MEMBER", N_("the first helper") },
	{ "helper2", "helper2", CB_ARG_STR, "MEMBER", N_("the second helper") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_candidate_move[] = {
	{ "cell", "cell", CB_ARG_STR, "CODE",
	  N_("another cell of the organisation") },
	{ NULL, NULL, 0, NULL, NULL },
};
static const struct cb_op_flag cli_candidate_admit[] = {
	{ "on", "admitted_on", CB_ARG_STR, "DATE", N_("the admission date") },
	{ "card", "card_no", CB_ARG_STR, "NUMBER",
	  N_("party card number, if issued") },
	{ NULL, NULL, 0, NULL, NULL },
};

/* The registry: one row per op. The order is the one 'chibo-agent --help'
 * lists the recording commands in (those with a command line form). */
const struct cb_op cb_ops[] = {
	{ "org.init", f_org_init, cb_apply_org_init, CB_OP_KEYED,
	  CB_SUBJECT_NONE, NULL },
	{ "cell.create", f_cell_create, cb_apply_cell_create, CB_OP_KEYED,
	  CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){ "cell", "create", NULL,
	                             N_("create a cell under the organisation"),
	                             cli_cell_create } },
	{ "cell.rename", f_cell_rename, cb_apply_cell_rename, CB_OP_KEYED,
	  CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){ "cell", "rename", "code",
	                             N_("rename a cell (CODE)"),
	                             cli_cell_rename } },
	{ "cell.dissolve_plan", f_cell_dissolve_plan,
	  cb_apply_cell_dissolve_plan, 0, CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){ "cell", "dissolve-plan", "cell",
	                             N_("plan to dissolve a cell (CODE)"),
	                             cli_dissolve_plan } },
	{ "cell.dissolve_approve", f_cell_dissolve_approve,
	  cb_apply_cell_dissolve_approve, 0, CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){
		  "cell", "dissolve-approve", "plan",
		  N_("approve a plan (PLAN), as the superior "
	             "committee's office"),
		  cli_dissolve_approve } },
	{ "cell.dissolve", f_cell_dissolve, cb_apply_cell_dissolve, 0,
	  CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){ "cell", "dissolve", "plan",
	                             N_("dissolve an approved, emptied cell "
	                                "(PLAN)"),
	                             cli_dissolve } },
	{ "campaign.exempt", f_campaign_exempt, cb_apply_campaign_exempt, 0,
	  CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){ "campaign", "exempt", "org",
	                             N_("exempt an organisation (ORG) from the "
	                             "campaign of dissolving commune-agency "
	                             "cells, as the superior committee's "
	                             "office"),
	                             cli_campaign_exempt } },
	{ "candidate.add", f_candidate_add, cb_apply_candidate_add, 0,
	  CB_SUBJECT_OWN_ID,
	  &(const struct cb_op_cli){ "candidate", "add", NULL,
	                             N_("add an admission candidate to a cell"),
	                             cli_candidate_add } },
	{ "candidate.helpers", f_candidate_helpers, cb_apply_candidate_helpers,
	  0, CB_SUBJECT_CANDIDATE,
	  &(const struct cb_op_cli){ "candidate", "helpers", "candidate",
	                             N_("assign two official members to help a "
	                                "candidate (CANDIDATE)"),
	                             cli_candidate_helpers } },
	{ "candidate.move", f_candidate_move, cb_apply_candidate_move, 0,
	  CB_SUBJECT_CANDIDATE,
	  &(const struct cb_op_cli){
		  "candidate", "move", "candidate",
		  N_("move a candidate (CANDIDATE) to another "
	             "cell"),
		  cli_candidate_move } },
	{ "candidate.admit", f_candidate_admit, cb_apply_candidate_admit, 0,
	  CB_SUBJECT_CANDIDATE,
	  &(const struct cb_op_cli){ "candidate", "admit", "candidate",
	                             N_("admit a candidate (CANDIDATE): a "
	                                "probationary member"),
	                             cli_candidate_admit } },
	{ "org.congress", f_org_congress, cb_apply_org_congress, CB_OP_KEYED,
	  CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){ "congress", NULL, NULL,
	                             N_("record a congress held by the "
	                                "organisation or a cell"),
	                             cli_congress } },
	{ "member.add", f_member_add, cb_apply_member_add,
	  CB_OP_KEYED | CB_OP_NO_SAVEPOINT, CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){ "member", "add", NULL, N_("add a member"),
	                             cli_member_add } },
	{ "member.update", f_member_update, cb_apply_member_update, CB_OP_KEYED,
	  CB_SUBJECT_MEMBER,
	  &(const struct cb_op_cli){ "member", "update", "member",
	                             N_("change fields of a member (MEMBER); "
	                                "\"\" clears"),
	                             cli_member_update } },
	{ "member.status", f_member_status, cb_apply_member_status, CB_OP_KEYED,
	  CB_SUBJECT_MEMBER,
	  &(const struct cb_op_cli){ "member", "status", "member",
	                             N_("change a member's status (MEMBER)"),
	                             cli_member_status } },
	{ "member.move", f_member_move, cb_apply_member_move, CB_OP_KEYED,
	  CB_SUBJECT_MEMBER,
	  &(const struct cb_op_cli){
		  "member", "move", "member",
		  N_("move a member (MEMBER) to another cell "
	             "of the organisation"),
		  cli_member_move } },
	{ "member.release", f_member_release, cb_apply_member_release,
	  CB_OP_KEYED, CB_SUBJECT_MEMBER,
	  &(const struct cb_op_cli){ "member", "release", "member",
	                             N_("release a member (MEMBER) to another "
	                                "organisation: in transit until it "
	                                "accepts"),
	                             cli_member_release } },
	{ "member.accept", f_member_accept, cb_apply_member_accept, CB_OP_KEYED,
	  CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){ "member", "accept", "release",
	                             N_("accept a member released to this "
	                                "organisation (RELEASE: the release's "
	                                "id)"),
	                             cli_member_accept } },
	{ "member.decline", f_member_decline, cb_apply_member_decline,
	  CB_OP_KEYED, CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){
		  "member", "decline", "release",
		  N_("decline a release (RELEASE); the member "
	             "returns to the sender"),
		  cli_member_decline } },
	{ "member.strike_off", f_member_strike_off, cb_apply_member_strike_off,
	  0, CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){ "member", "strike-off", "release",
	                             N_("strike off a member whose release "
	                                "(RELEASE) went unanswered for three "
	                                "months, as the superior committee's "
	                                "office"),
	                             cli_member_strike_off } },
	{ "member.temporary", f_member_temporary, cb_apply_member_temporary, 0,
	  CB_SUBJECT_MEMBER,
	  &(const struct cb_op_cli){ "member", "temporary", "member",
	                             N_("send a member (MEMBER) to another "
	                                "organisation's cell for a while; the "
	                                "official cell stays"),
	                             cli_member_temporary } },
	{ "member.temporary_accept", f_member_temporary_accept,
	  cb_apply_member_temporary_accept, 0, CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){
		  "member", "temporary-accept", "temporary",
		  N_("list a member sent here for a while "
	             "(TEMPORARY: the letter's id) in a cell"),
		  cli_member_temporary_accept } },
	{ "member.temporary_end", f_member_temporary_end,
	  cb_apply_member_temporary_end, 0, CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){
		  "member", "temporary-end", "temporary",
		  N_("end a temporary stay (TEMPORARY) before "
	             "the letter's end"),
		  cli_member_temporary_end } },
	{ "meeting.record", f_meeting_record, cb_apply_meeting_record,
	  CB_OP_KEYED, CB_SUBJECT_NONE,
	  &(const struct cb_op_cli){
		  "meeting", "record", NULL,
		  N_("record a cell meeting, or correct one"),
		  cli_meeting_record } },
	{ "rating.record", f_rating_record, cb_apply_rating_record, CB_OP_KEYED,
	  CB_SUBJECT_RATED,
	  &(const struct cb_op_cli){ "rate", NULL, NULL,
	                             N_("record a member's or organisation's "
	                                "rating"),
	                             cli_rate } },
	{ "hub.init", f_hub_init, cb_apply_hub_init, CB_OP_KEYED,
	  CB_SUBJECT_NONE, NULL },
	{ "committee.found", f_committee_found, cb_apply_committee_found, 0,
	  CB_SUBJECT_NONE, NULL },
	{ "org.merge", f_org_merge, cb_apply_org_merge, 0, CB_SUBJECT_NONE,
	  NULL },
	{ "org.move", f_org_move, cb_apply_org_move, 0, CB_SUBJECT_NONE, NULL },
	{ "org.succeed", f_org_succeed, cb_apply_org_succeed, 0,
	  CB_SUBJECT_NONE, NULL },
	{ "hub.join", f_hub_join, cb_apply_hub_join, CB_OP_KEYED,
	  CB_SUBJECT_NONE, NULL },
	{ "key.enroll", f_key_enroll, cb_apply_key_enroll, CB_OP_KEYED,
	  CB_SUBJECT_NONE, NULL },
	{ "key.revoke", f_key_revoke, cb_apply_key_revoke, CB_OP_KEYED,
	  CB_SUBJECT_NONE, NULL },
	{ "calendar.holiday", f_calendar_holiday, cb_apply_calendar_holiday,
	  CB_OP_KEYED, CB_SUBJECT_NONE, NULL },
	{ "office.init", f_office_init, cb_apply_office_init, CB_OP_KEYED,
	  CB_SUBJECT_NONE, NULL },
};

const size_t cb_op_count = sizeof(cb_ops) / sizeof(cb_ops[0]);

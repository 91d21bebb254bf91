/* SPDX-License-Identifier: MIT */
/* ops_int.h — the field types of an op's body, shared by the checks and
 * the canonical form (ops.c) and the op registry (op_table.c), which lists
 * each op's fields. Nothing else includes it. */
#ifndef CB_OPS_INT_H
#define CB_OPS_INT_H

#include "ops.h"

enum ftype {
	FT_NAME, /* one line of text, 1..CB_NAME_MAX bytes */
	FT_TEXT, /* free text, may hold newlines, 0..CB_TEXT_MAX bytes */
	FT_DATE, /* YYYY-MM-DD */
	FT_INT,
	FT_ENUM,
	FT_MEMBER,    /* a member id: 64 lowercase hex digits */
	FT_HASH,      /* an entry id: 64 lowercase hex digits */
	FT_RELEASE,   /* a member.release entry's id, listed in the deps; a
	               * unique prefix of 8+ hex digits on prepare */
	FT_PLAN,      /* a cell.dissolve_plan entry's id, the same way */
	FT_TEMPORARY, /* a member.temporary entry's id, the same way */
	FT_CANDIDATE, /* a candidate's id: a unique prefix on prepare */
	FT_CODE,      /* an organisation code */
	FT_CELL,  /* a cell code ORG.LOCAL; short form expanded on prepare */
	FT_IDNUM, /* party card number: 1..20 of [0-9A-Za-z-] */
	FT_NID,   /* national id (CCCD): exactly 12 digits */
	FT_PERIOD,
	FT_TERM,    /* YYYY-YYYY */
	FT_SUBJECT, /* member id or org code, by subject_kind */
	FT_ATTENDANCE,
	FT_OBSERVERS,
};

#define REQ 1u
#define NULLABLE 2u
#define EXPAND 4u /* FT_CODE: a code without '.' means a cell, ORG.CODE */

struct cb_field {
	const char *name;
	enum ftype type;
	unsigned flags;
	const char *const *values; /* FT_ENUM */
	long min, max;             /* FT_INT */
};

#endif

/* SPDX-License-Identifier: MIT */
/* ops.c — operation schemas and the canonical form of their bodies (see
 * ops.h and docs/OPERATIONS.md). One table of fields per op drives both the
 * preparation of what a user typed and the checking of any entry's body,
 * so the two can never disagree. */
#include "ops.h"
#include "sql.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "date.h"
#include "text.h"
#include "words.h"

#include "ops_int.h"

const struct cb_op *
cb_op_find(const char *name)
{
	for (size_t i = 0; i < cb_op_count; i++)
		if (strcmp(cb_ops[i].name, name) == 0)
			return &cb_ops[i];
	return NULL;
}

bool
cb_ops_known(const char *op)
{
	return cb_op_find(op) != NULL;
}

bool
cb_enum_has(const char *const *values, const char *v)
{
	for (; *values; values++)
		if (strcmp(*values, v) == 0)
			return true;
	return false;
}

void
cb_enum_list(const char *const *values, char *out, size_t n)
{
	size_t used = 0;

	out[0] = 0;
	for (size_t i = 0; values[i] && used < n; i++) {
		const char *sep = i == 0 ? "" : values[i + 1] ? ", " : " or ";
		int w = snprintf(out + used, n - used, "%s%s", sep, values[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

bool
cb_status_terminal(const char *s)
{
	return strcmp(s, "struck-off") == 0 || strcmp(s, "expelled") == 0 ||
	       strcmp(s, "resigned") == 0 || strcmp(s, "deceased") == 0;
}

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool
cb_period_valid(const char *p)
{
	size_t n = strlen(p);
	int v;

	if (n < 4 || !all_digits(p, 4) || atoi(p) < 1900 || atoi(p) > 2199)
		return false;
	if (n == 4)
		return true;
	if (n == 7 && p[4] == '-' && p[5] == 'Q')
		return p[6] >= '1' && p[6] <= '4';
	if (n == 7 && p[4] == '-' && all_digits(p + 5, 2)) {
		v = (p[5] - '0') * 10 + (p[6] - '0');
		return v >= 1 && v <= 12;
	}
	return false;
}

static bool
code_valid(const char *s, bool cell)
{
	size_t n = strlen(s), dots = 0;

	if (n < 1 || n > CB_CODE_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.') {
			if (s[i + 1] == '.')
				return false;
			dots++;
		} else if (!isalnum(c) && c != '-') {
			return false;
		}
	}
	return cell ? dots >= 1 : true;
}

static bool
hex64_valid(const char *s)
{
	if (strlen(s) != 64)
		return false;
	for (int i = 0; i < 64; i++)
		if (!isdigit((unsigned char)s[i]) &&
		    !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return true;
}

/* The first character of s (valid UTF-8) that text may not hold, or -1:
 * a C0 control (but newline and tab in multi-line text), DEL, a C1
 * control, a line or paragraph separator, or a bidirectional formatting
 * character (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069),
 * which makes text display other than it is stored: a name with U+202E
 * reads backwards in every report that prints it. */
static long
forbidden_char(const char *str, bool multiline)
{
	const unsigned char *s = (const unsigned char *)str;

	for (; *s; s++) {
		unsigned char c = *s;

		if ((c < 0x20 && !(multiline && (c == '\n' || c == '\t'))) ||
		    c == 0x7f)
			return c;
		if (c == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
			return s[1]; /* U+0080..U+009F */
		if (c == 0xd8 && s[1] == 0x9c)
			return 0x061c;
		if (c == 0xe2 && s[1] == 0x80 &&
		    (s[2] == 0x8e || s[2] == 0x8f ||
		     (s[2] >= 0xa8 && s[2] <= 0xae)))
			return 0x2000 + (s[2] - 0x80);
		if (c == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9)
			return 0x2040 + (s[2] - 0x80);
	}
	return -1;
}

/* The message for a string of field name holding character cp. */
static cb_err
forbidden_error(const char *name, long cp, struct cb_errbuf *eb)
{
	bool bidi = cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	            (cp >= 0x202a && cp <= 0x202e) ||
	            (cp >= 0x2066 && cp <= 0x2069);

	return cb_error(eb, CB_EINVAL,
	                _("field '%s' holds U+%04lX, %s; type it again without "
	                  "it"),
	                name, (unsigned long)cp,
	                bidi ? "a character that changes the direction in "
	                       "which text is shown"
	                     : "a control character");
}

static cb_err
check_date(const char *field, const char *v, struct cb_errbuf *eb)
{
	struct cb_date d;

	if (cb_date_parse(v, &d, eb))
		return cb_error_prefix(eb, CB_EINVAL, _("field '%s'"), field);
	return CB_OK;
}

static cb_err
check_field(const struct cb_field *f, const json_t *v, const json_t *body,
            struct cb_errbuf *eb)
{
	char list[256];
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	size_t n = s ? json_string_length(v) : 0;
	long bad;

	if (json_is_null(v)) {
		if (f->flags & NULLABLE)
			return CB_OK;
		return cb_error(eb, CB_EINVAL, _("field '%s' cannot be null"),
		                f->name);
	}
	if (f->type == FT_INT) {
		json_int_t i;

		if (!json_is_integer(v))
			return cb_error(eb, CB_EINVAL,
			                _("field '%s' must be a whole number"),
			                f->name);
		i = json_integer_value(v);
		if (i < f->min || i > f->max)
			return cb_error(eb, CB_EINVAL,
			                _("field '%s' is %lld, outside "
			                  "%ld..%ld"),
			                f->name, (long long)i, f->min, f->max);
		return CB_OK;
	}
	if (f->type == FT_ATTENDANCE) {
		const char *k;
		json_t *m;

		if (!json_is_object(v))
			return cb_error(
				eb, CB_EINVAL,
				_("field 'attendance' must be an object "
			          "{member: mark}"));
		json_object_foreach((json_t *)v, k, m)
		{
			if (!hex64_valid(k))
				return cb_error(
					eb, CB_EINVAL,
					_("attendance names '%.70s', which is "
				          "not a member id"),
					k);
			if (!json_is_string(m) ||
			    !cb_enum_has(cb_attendance_marks,
			                 json_string_value(m))) {
				cb_enum_list(cb_attendance_marks, list,
				             sizeof(list));
				return cb_error(
					eb, CB_EINVAL,
					_("attendance mark of %.12s must be "
				          "%s"),
					k, list);
			}
		}
		return CB_OK;
	}
	if (f->type == FT_OBSERVERS) {
		size_t i;
		json_t *o;

		if (!json_is_array(v) || json_array_size(v) > 50)
			return cb_error(
				eb, CB_EINVAL,
				_("field 'observers' must be a list of at "
			          "most 50 {name, role}"));
		json_array_foreach(v, i, o)
		{
			const char *k;
			json_t *x;

			if (!json_is_object(o) ||
			    !json_is_string(json_object_get(o, "name")))
				return cb_error(
					eb, CB_EINVAL,
					_("observer %zu must be an object "
				          "with a 'name'"),
					i + 1);
			json_object_foreach(o, k, x)
			{
				if ((strcmp(k, "name") && strcmp(k, "role")) ||
				    !json_is_string(x) ||
				    json_string_length(x) > CB_NAME_MAX ||
				    json_string_length(x) == 0 ||
				    forbidden_char(json_string_value(x),
				                   false) >= 0)
					return cb_error(
						eb, CB_EINVAL,
						_("observer %zu: only 'name' "
					          "and "
					          "'role', each one line of "
					          "1..%d "
					          "bytes"),
						i + 1, CB_NAME_MAX);
			}
		}
		return CB_OK;
	}
	if (!s)
		return cb_error(eb, CB_EINVAL, _("field '%s' must be a string"),
		                f->name);
	switch (f->type) {
	case FT_NAME:
		if (n == 0 || n > CB_NAME_MAX)
			return cb_error(
				eb, CB_EINVAL,
				_("field '%s' must be one line of 1..%d "
			          "bytes"),
				f->name, CB_NAME_MAX);
		if ((bad = forbidden_char(s, false)) >= 0)
			return forbidden_error(f->name, bad, eb);
		if (isspace((unsigned char)s[0]) ||
		    isspace((unsigned char)s[n - 1]))
			return cb_error(eb, CB_EINVAL,
			                _("field '%s' has leading or trailing "
			                  "space"),
			                f->name);
		return CB_OK;
	case FT_TEXT:
		if (n > CB_TEXT_MAX)
			return cb_error(
				eb, CB_EINVAL,
				_("field '%s' must be text of at most %d "
			          "bytes"),
				f->name, CB_TEXT_MAX);
		if ((bad = forbidden_char(s, true)) >= 0)
			return forbidden_error(f->name, bad, eb);
		return CB_OK;
	case FT_DATE: return check_date(f->name, s, eb);
	case FT_ENUM:
		if (cb_enum_has(f->values, s))
			return CB_OK;
		cb_enum_list(f->values, list, sizeof(list));
		return cb_error(eb, CB_EINVAL,
		                _("field '%s' is '%.40s'; it must "
		                  "be %s"),
		                f->name, s, list);
	case FT_MEMBER:
	case FT_HASH:
	case FT_RELEASE:
	case FT_PLAN:
	case FT_TEMPORARY:
	case FT_CANDIDATE:
		if (!hex64_valid(s))
			return cb_error(eb, CB_EINVAL,
			                _("field '%s' must be 64 lowercase hex "
			                  "digits"),
			                f->name);
		return CB_OK;
	case FT_CODE:
	case FT_CELL:
		if (!code_valid(s, f->type == FT_CELL))
			return cb_error(
				eb, CB_EINVAL,
				_("field '%s' is '%.70s'; a %s code is "
			          "letters, digits and '-'%s"),
				f->name, s,
				f->type == FT_CELL ? "cell" : "organisation",
				f->type == FT_CELL ? ", as ORG.CELL"
						   : ", parts joined by '.'");
		return CB_OK;
	case FT_IDNUM:
		if (n < 1 || n > 20 || !code_valid(s, false) || strchr(s, '.'))
			return cb_error(
				eb, CB_EINVAL,
				_("field '%s' must be 1..20 letters, digits "
			          "or '-'"),
				f->name);
		return CB_OK;
	case FT_NID:
		if (n != 12 || !all_digits(s, n))
			return cb_error(
				eb, CB_EINVAL,
				_("field '%s' must be the 12 digits of a "
			          "citizen ID card"),
				f->name);
		return CB_OK;
	case FT_PERIOD:
		if (!cb_period_valid(s))
			return cb_error(
				eb, CB_EINVAL,
				_("field '%s' is '%.20s'; a period is YYYY, "
			          "YYYY-Q1..Q4 or YYYY-MM"),
				f->name, s);
		return CB_OK;
	case FT_TERM:
		if (n != 9 || !all_digits(s, 4) || s[4] != '-' ||
		    !all_digits(s + 5, 4) || atoi(s) < 1930 ||
		    atoi(s + 5) <= atoi(s) || atoi(s + 5) - atoi(s) > 5)
			return cb_error(eb, CB_EINVAL,
			                _("field '%s' is '%.20s'; a term is "
			                  "YYYY-YYYY of at most 5 years"),
			                f->name, s);
		return CB_OK;
	case FT_SUBJECT: {
		const char *k = json_string_value(
			json_object_get(body, "subject_kind"));

		if (k && strcmp(k, "member") == 0 ? !hex64_valid(s)
		                                  : !code_valid(s, false))
			return cb_error(
				eb, CB_EINVAL,
				_("field 'subject' is '%.70s', not a %s"), s,
				k && strcmp(k, "member") == 0
					? "member id"
					: "organisation code");
		return CB_OK;
	}
	default:
		return cb_error(eb, CB_EINVAL, _("field '%s' has no type"),
		                f->name);
	}
}

cb_err
cb_ops_check(const char *op, const json_t *body, struct cb_errbuf *eb)
{
	const struct cb_op *sp = cb_op_find(op);
	const struct cb_field *f;
	const char *key;
	json_t *v;

	if (!sp)
		return cb_error(eb, CB_EINVAL, _("unknown op '%.64s'"), op);
	if (!json_is_object(body))
		return cb_error(eb, CB_EINVAL, _("%s: body is not an object"),
		                op);
	json_object_foreach((json_t *)body, key, v)
	{
		for (f = sp->fields; f->name; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (!f->name)
			return cb_error(eb, CB_EINVAL,
			                _("%s: unknown field '%.60s'"), op,
			                key);
		if (check_field(f, v, body, eb))
			return cb_error_prefix(eb, CB_EINVAL, "%s", op);
	}
	for (f = sp->fields; f->name; f++)
		if ((f->flags & REQ) && !json_object_get(body, f->name))
			return cb_error(eb, CB_EINVAL,
			                _("%s: field '%s' is required"), op,
			                f->name);
	return CB_OK;
}

bool
cb_ops_needs_lookup(const char *op, const json_t *input)
{
	const struct cb_op *sp = cb_op_find(op);

	if (!sp)
		return false;
	for (const struct cb_field *f = sp->fields; f->name; f++)
		if ((f->type == FT_MEMBER || f->type == FT_SUBJECT ||
		     f->type == FT_ATTENDANCE || f->type == FT_RELEASE ||
		     f->type == FT_PLAN || f->type == FT_TEMPORARY ||
		     f->type == FT_CANDIDATE) &&
		    json_object_get(input, f->name))
			return true;
	return false;
}

/* Lowercase ref (8..64 hex digits) into lower, and the string just past
 * every id it prefixes into upper. */
static cb_err
hex_prefix(const char *what, const char *ref, char lower[65], char upper[66],
           struct cb_errbuf *eb)
{
	size_t n = strlen(ref);

	if (n < 8 || n > 64)
		return cb_error(eb, CB_EINVAL,
		                _("%s '%.70s' is not 8 to 64 hex digits"), what,
		                ref);
	for (size_t i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)ref[i]);

		if (!isxdigit((unsigned char)c))
			return cb_error(eb, CB_EINVAL,
			                _("%s '%.70s' is not hex"), what, ref);
		lower[i] = c;
	}
	lower[n] = 0;
	memcpy(upper, lower, n);
	upper[n] = 'g'; /* sorts after every hex digit */
	upper[n + 1] = 0;
	return CB_OK;
}

static const char release_sql[] = "SELECT release FROM transfers WHERE "
				  "release >= ? AND release < ? LIMIT 2";
static const char candidate_sql[] = "SELECT id FROM candidates WHERE id >= "
				    "? AND id < ? LIMIT 2";
static const char plan_sql[] = "SELECT plan FROM dissolutions WHERE plan >= "
			       "? AND plan < ? LIMIT 2";
static const char temporary_sql[] = "SELECT id FROM temporaries WHERE id >= "
				    "? AND id < ? LIMIT 2";

/* An entry (a release, a plan) by a unique prefix of its id, among those
 * this replica knows (sql selects them by id range). */
static cb_err
resolve_ref(struct cb_store *st, const char *what, const char *sql,
            const char *ref, char out[65], struct cb_errbuf *eb)
{
	char lower[65], upper[66];
	struct cb_stmt *s;
	int found = 0;

	if (hex_prefix(what, ref, lower, upper, eb))
		return CB_EINVAL;
	if (!(s = cb_sql(st, sql, eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, lower);
	cb_sql_bind_text(s, 2, upper);
	while (cb_sql_step(s) == CB_SQL_ROW)
		if (found++ == 0)
			snprintf(out, 65, "%s", cb_sql_column_text(s, 0));
	cb_sql_reset(s);
	if (found == 0)
		return cb_error(eb, CB_ENOTFOUND,
		                _("no %s '%.70s' in this replica (sync to "
		                  "receive it)"),
		                what, ref);
	if (found > 1)
		return cb_error(eb, CB_EINVAL,
		                _("%s '%.70s' is ambiguous; give more digits"),
		                what, ref);
	return CB_OK;
}

static cb_err
resolve_release(struct cb_store *st, const char *ref, char out[65],
                struct cb_errbuf *eb)
{
	return resolve_ref(st, "release", release_sql, ref, out, eb);
}

void
cb_ops_dep_add(unsigned char deps[][CB_HASH_BYTES], size_t *n, size_t max,
               const char *hex)
{
	unsigned char h[CB_HASH_BYTES];
	size_t at = 0;

	if (!hex || *n >= max || cb_hex_decode(hex, h, sizeof(h), NULL))
		return;
	while (at < *n && memcmp(deps[at], h, CB_HASH_BYTES) < 0)
		at++;
	if (at < *n && !memcmp(deps[at], h, CB_HASH_BYTES))
		return;
	memmove(deps[at + 1], deps[at], (*n - at) * CB_HASH_BYTES);
	memcpy(deps[at], h, CB_HASH_BYTES);
	++*n;
}

size_t
cb_ops_deps(const char *op, const json_t *body,
            unsigned char deps[][CB_HASH_BYTES], size_t max)
{
	const struct cb_op *sp = cb_op_find(op);
	size_t n = 0;

	if (!sp)
		return 0;
	for (const struct cb_field *f = sp->fields; f->name; f++)
		if (f->type == FT_RELEASE || f->type == FT_PLAN ||
		    f->type == FT_TEMPORARY)
			cb_ops_dep_add(deps, &n, max,
			               json_string_value(
					       json_object_get(body, f->name)));
	return n;
}

cb_err
cb_ops_resolve_member(struct cb_store *st, const char *ref, char out[65],
                      struct cb_errbuf *eb)
{
	static const char by_card[] =
		"SELECT id FROM members WHERE card_no = ? LIMIT 2";
	static const char by_nid[] =
		"SELECT id FROM members WHERE national_id = ? LIMIT 2";
	/* a member's id is its entry's, found through the log's index
	 * (schema 034); in the index's order, which PostgreSQL then reads
	 * as a plain index scan, not a bitmap of the range */
	static const char by_prefix[] =
		"SELECT e.id FROM entries e WHERE e.id BETWEEN ? AND ? AND "
		"EXISTS (SELECT 1 FROM members m WHERE m.mkey = e.lsn) "
		"ORDER BY e.id LIMIT 2";
	const char *sql, *arg;
	struct cb_stmt *s;
	size_t n = strlen(ref);
	int found = 0;

	if (strncmp(ref, "card:", 5) == 0) {
		sql = by_card;
		arg = ref + 5;
	} else if (strncmp(ref, "nid:", 4) == 0) {
		sql = by_nid;
		arg = ref + 4;
	} else {
		if (n < 8 || n > 64)
			return cb_error(
				eb, CB_EINVAL,
				_("member reference '%.70s' is not a member "
			          "id (8 to 64 hex digits), card:NUMBER or "
			          "nid:NUMBER"),
				ref);
		/* either case: cb_sql_bind_id_prefix reads both */
		if (strspn(ref, "0123456789abcdefABCDEF") != n)
			return cb_error(
				eb, CB_EINVAL,
				_("member reference '%.70s' is not hex; use "
			          "card:NUMBER for a card number"),
				ref);
		sql = by_prefix;
		arg = ref;
	}
	s = cb_sql(st, sql, eb);
	if (!s)
		return CB_EIO;
	if (sql == by_prefix)
		cb_sql_bind_id_prefix(s, 1, arg);
	else
		cb_sql_bind_text(s, 1, arg);
	while (cb_sql_step(s) == CB_SQL_ROW) {
		if (found++ == 0)
			cb_sql_column_id(s, 0, out);
	}
	cb_sql_reset(s);
	if (found == 0)
		return cb_error(eb, CB_ENOTFOUND, _("no member '%.70s'"), ref);
	if (found > 1)
		return cb_error(eb, CB_EINVAL,
		                _("member reference '%.70s' is ambiguous; give "
		                  "more digits"),
		                ref);
	return CB_OK;
}

/* NFC and trim a string value; multi-line text keeps inner newlines. */
static cb_err
prepare_text(const char *field, const char *in, json_t **out,
             struct cb_errbuf *eb)
{
	char *nfc = NULL;
	size_t start = 0, end;
	json_t *v;

	if (cb_text_nfc(in, &nfc, eb))
		return cb_error_prefix(eb, CB_EINVAL, _("field '%s'"), field);
	end = strlen(nfc);
	while (start < end && isspace((unsigned char)nfc[start]))
		start++;
	while (end > start && isspace((unsigned char)nfc[end - 1]))
		end--;
	v = json_stringn(nfc + start, end - start);
	free(nfc);
	if (!v)
		return cb_error(eb, CB_EINVAL,
		                _("field '%s' is not valid text"), field);
	*out = v;
	return CB_OK;
}

/* "ORG.s" in buf when it fits, for a short code typed without its
 * organisation; else s unchanged. */
static const char *
qualify(char *buf, size_t size, const char *org, const char *s)
{
	size_t a = strlen(org), b = strlen(s);

	if (a + 1 + b + 1 > size)
		return s;
	memcpy(buf, org, a);
	buf[a] = '.';
	memcpy(buf + a + 1, s, b + 1);
	return buf;
}

static cb_err
prepare_value(struct cb_store *st, const char *org, const struct cb_field *f,
              const json_t *in, const json_t *input, json_t **out,
              struct cb_errbuf *eb)
{
	const char *s = json_string_value(in);
	char id[65], buf[CB_CODE_MAX * 2 + 2];

	if (json_is_null(in) ||
	    (!s && f->type != FT_ATTENDANCE && f->type != FT_OBSERVERS)) {
		*out = json_deep_copy(in);
		return *out ? CB_OK
		            : cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	switch (f->type) {
	case FT_NAME:
	case FT_TEXT: return prepare_text(f->name, s, out, eb);
	case FT_DATE: {
		struct cb_date d;
		char iso[11];

		if (cb_date_parse_loose(s, &d, eb))
			return cb_error_prefix(eb, CB_EINVAL, _("field '%s'"),
			                       f->name);
		cb_date_format(&d, iso);
		*out = json_string(iso);
		return CB_OK;
	}
	case FT_ENUM: {
		/* a Vietnamese word, or the value in another case; what is
		 * none is kept for cb_ops_check to refuse */
		const char *value = cb_words_match(f->values, s);

		*out = json_string(value ? value : s);
		return CB_OK;
	}
	case FT_CELL:
		if (!strchr(s, '.') && org)
			s = qualify(buf, sizeof(buf), org, s);
		*out = json_string(s);
		return CB_OK;
	case FT_CODE:
		/* An org field may name the grassroots organisation or, in
		 * short form, one of its cells. */
		if (org && (f->flags & EXPAND) && strcmp(s, org) != 0 &&
		    !strchr(s, '.'))
			s = qualify(buf, sizeof(buf), org, s);
		*out = json_string(s);
		return CB_OK;
	case FT_HASH: {
		char low[65];
		size_t n = strlen(s);

		if (n != 64) {
			*out = json_string(s);
			return CB_OK;
		}
		for (size_t i = 0; i < n; i++)
			low[i] = (char)tolower((unsigned char)s[i]);
		low[n] = 0;
		*out = json_string(low);
		return CB_OK;
	}
	case FT_CANDIDATE:
		if (resolve_ref(st, "candidate", candidate_sql, s, id, eb))
			return cb_error_prefix(eb, CB_EINVAL, _("field '%s'"),
			                       f->name);
		*out = json_string(id);
		return CB_OK;
	case FT_PLAN:
	case FT_TEMPORARY:
		if (resolve_ref(st,
		                f->type == FT_PLAN ? "plan"
		                                   : "temporary transfer",
		                f->type == FT_PLAN ? plan_sql : temporary_sql,
		                s, id, eb))
			return cb_error_prefix(eb, CB_EINVAL, _("field '%s'"),
			                       f->name);
		*out = json_string(id);
		return CB_OK;
	case FT_RELEASE:
		if (resolve_release(st, s, id, eb))
			return cb_error_prefix(eb, CB_EINVAL, _("field '%s'"),
			                       f->name);
		*out = json_string(id);
		return CB_OK;
	case FT_MEMBER:
		if (cb_ops_resolve_member(st, s, id, eb))
			return cb_error_prefix(eb, CB_EINVAL, _("field '%s'"),
			                       f->name);
		*out = json_string(id);
		return CB_OK;
	case FT_SUBJECT: {
		const char *k = json_string_value(
			json_object_get(input, "subject_kind"));

		if (k && strcmp(k, "member") == 0) {
			if (cb_ops_resolve_member(st, s, id, eb))
				return cb_error_prefix(eb, CB_EINVAL,
				                       _("field 'subject'"));
			*out = json_string(id);
		} else if (org && strcmp(s, org) != 0 && !strchr(s, '.')) {
			*out = json_string(qualify(buf, sizeof(buf), org, s));
		} else {
			*out = json_string(s);
		}
		return CB_OK;
	}
	case FT_ATTENDANCE: {
		const char *k, *mark;
		json_t *m, *obj;

		if (!json_is_object(in))
			break;
		obj = json_object();
		json_object_foreach((json_t *)in, k, m)
		{
			if (cb_ops_resolve_member(st, k, id, eb)) {
				json_decref(obj);
				return cb_error_prefix(eb, CB_EINVAL,
				                       _("attendance"));
			}
			if (json_object_get(obj, id)) {
				json_decref(obj);
				return cb_error(
					eb, CB_EINVAL,
					_("attendance names member '%.70s' "
				          "twice"),
					k);
			}
			if (json_is_string(m) &&
			    (mark = cb_words_match(cb_attendance_marks,
			                           json_string_value(m))))
				json_object_set_new(obj, id, json_string(mark));
			else
				json_object_set(obj, id, m);
		}
		*out = obj;
		return CB_OK;
	}
	case FT_OBSERVERS: {
		size_t i;
		json_t *o, *arr;

		if (!json_is_array(in))
			break;
		arr = json_array();
		json_array_foreach(in, i, o)
		{
			const char *k;
			json_t *x, *obj = json_object(), *t;

			if (!json_is_object(o)) {
				json_decref(obj);
				json_array_append_new(arr, json_deep_copy(o));
				continue;
			}
			json_object_foreach(o, k, x)
			{
				if (json_is_string(x) &&
				    !prepare_text(k, json_string_value(x), &t,
				                  NULL))
					json_object_set_new(obj, k, t);
				else
					json_object_set(obj, k, x);
			}
			json_array_append_new(arr, obj);
		}
		*out = arr;
		return CB_OK;
	}
	default: break;
	}
	*out = json_deep_copy(in);
	return *out ? CB_OK : cb_error(eb, CB_ENOMEM, _("out of memory"));
}

cb_err
cb_ops_local_check(struct cb_store *st, const json_t *body,
                   struct cb_errbuf *eb)
{
	static const struct {
		const char *field, *what, *sql;
	} numbers[] = {
		{ "card_no", "party card number",
		  "SELECT id FROM members WHERE card_no = ?1 AND (?2 IS NULL "
		  "OR id <> chibo_unhex(?2)) LIMIT 1" },
		{ "national_id", "national ID",
		  "SELECT id FROM members WHERE national_id = ?1 AND (?2 IS "
		  "NULL OR id <> chibo_unhex(?2)) LIMIT 1" },
	};
	const char *self = json_string_value(json_object_get(body, "member"));

	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		const char *v = json_string_value(
			json_object_get(body, numbers[i].field));
		struct cb_stmt *s;
		char other[CB_HASH_HEX];
		int r;

		if (!v)
			continue;
		if (!(s = cb_sql(st, numbers[i].sql, eb)))
			return CB_EIO;
		cb_sql_bind_text(s, 1, v);
		cb_sql_bind_text(s, 2, self);
		r = cb_sql_step(s);
		if (r == CB_SQL_ROW)
			cb_sql_column_id(s, 0, other);
		cb_sql_reset(s);
		if (r == CB_SQL_ROW)
			return cb_error(
				eb, CB_ERULE,
				_("%s %s already belongs to member %.12s "
			          "in this replica"),
				numbers[i].what, v, other);
		if (r != CB_SQL_DONE)
			return cb_store_error(st, eb, "cannot read members");
	}
	return CB_OK;
}

cb_err
cb_ops_prepare(struct cb_store *st, const char *org, const char *op,
               const json_t *input, json_t **body, struct cb_errbuf *eb)
{
	const struct cb_op *sp = cb_op_find(op);
	const struct cb_field *f;
	const char *key;
	json_t *v, *out;

	if (!sp)
		return cb_error(eb, CB_EINVAL, _("unknown op '%.64s'"), op);
	if (!json_is_object(input))
		return cb_error(eb, CB_EINVAL,
		                _("%s: fields must be an object"), op);
	out = json_object();
	if (!out)
		return cb_error(eb, CB_ENOMEM, _("out of memory"));
	json_object_foreach((json_t *)input, key, v)
	{
		json_t *nv = NULL;

		for (f = sp->fields; f->name; f++)
			if (strcmp(f->name, key) == 0)
				break;
		if (!f->name) {
			json_decref(out);
			return cb_error(eb, CB_EINVAL,
			                _("%s: unknown field '%.60s'"), op,
			                key);
		}
		if (prepare_value(st, org, f, v, input, &nv, eb)) {
			json_decref(out);
			return cb_error_prefix(eb, CB_EINVAL, "%s", op);
		}
		/* An optional field given as "" means "not given". */
		if (json_is_string(nv) && json_string_length(nv) == 0 &&
		    !(f->flags & REQ) && f->type != FT_TEXT) {
			json_decref(nv);
			if (f->flags & NULLABLE)
				json_object_set_new(out, key, json_null());
			continue;
		}
		json_object_set_new(out, key, nv);
	}
	if (strcmp(op, "member.add") == 0 && !json_object_get(out, "status"))
		json_object_set_new(
			out, "status",
			json_string(json_object_get(out, "official_on")
		                            ? "official"
		                            : "probationary"));
	if (cb_ops_check(op, out, eb)) {
		json_decref(out);
		return CB_EINVAL;
	}
	*body = out;
	return CB_OK;
}

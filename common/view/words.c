/* SPDX-License-Identifier: MIT */
/* words.c — the tables of words.h: for each enumerated field a clerk
 * types, the Vietnamese words (as they are folded: no diacritics, lower
 * case) that stand for each canonical value. The terms are those of the
 * Party's own documents (Regulation 366-QĐ/TW for rating levels, guide
 * 12-HD/BTCTW for meetings), and the short forms a clerk says. */
#include "words.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static const struct cb_word sex[] = {
	{ "male", "nam|trai|m" },
	{ "female", "nu|gai|f" },
	{ NULL, NULL },
};
static const struct cb_word status[] = {
	{ "probationary", "du bi|dang vien du bi" },
	{ "official", "chinh thuc|dang vien chinh thuc" },
	{ "exempt", "mien sinh hoat|mien cong tac va sinh hoat dang|mien "
	            "cong tac va sinh hoat" },
	{ "struck-off", "xoa ten|bi xoa ten" },
	{ "expelled", "khai tru|bi khai tru" },
	{ "resigned", "xin ra khoi dang|ra khoi dang|xin ra dang" },
	{ "deceased", "tu tran|qua doi|da mat" },
	{ NULL, NULL },
};
static const struct cb_word cell_kind[] = {
	{ "residential", "thon|to dan pho|thon, to dan pho|khu dan cu|dan "
	                 "cu|khu pho|ban|ap" },
	{ "commune-agency", "co quan|co quan xa|khoi co quan|co quan dang, "
	                    "chinh quyen xa" },
	{ "school", "truong|truong hoc|giao duc" },
	{ "enterprise", "doanh nghiep" },
	{ "armed-forces", "luc luong vu trang|quan su|quan doi|cong an" },
	{ "public-service", "don vi su nghiep|su nghiep|tram y te" },
	{ "other", "khac" },
	{ NULL, NULL },
};
static const struct cb_word meeting_kind[] = {
	{ "regular", "thuong ky|sinh hoat thuong ky|dinh ky|hang thang" },
	{ "thematic", "chuyen de|sinh hoat chuyen de" },
	{ "extraordinary", "bat thuong|dot xuat|sinh hoat bat thuong" },
	{ NULL, NULL },
};
static const struct cb_word attendance[] = {
	{ "present", "co mat|du|co" },
	{ "excused", "vang co phep|co phep" },
	{ "unexcused", "vang khong phep|khong phep" },
	{ "exempt", "mien|mien sinh hoat" },
	{ NULL, NULL },
};
static const struct cb_word work[] = {
	{ "commune-cadre", "can bo xa|can bo" },
	{ "commune-civil-servant", "cong chuc xa|cong chuc" },
	{ "commune-non-specialised", "khong chuyen trach|nguoi hoat dong "
	                             "khong chuyen trach" },
	{ "retired", "nghi huu|huu tri|huu" },
	{ "other", "khac" },
	{ NULL, NULL },
};
static const struct cb_word level[] = {
	{ "outstanding", "hoan thanh xuat sac nhiem vu|xuat sac|htxsnv" },
	{ "good", "hoan thanh tot nhiem vu|tot|httnv" },
	{ "completed", "hoan thanh nhiem vu|hoan thanh|htnv" },
	{ "not-completed", "khong hoan thanh nhiem vu|khong hoan thanh|"
	                   "khtnv" },
	{ NULL, NULL },
};
static const struct cb_word stage[] = {
	{ "self", "tu danh gia|tu nhan xet|tu xep loai|ca nhan" },
	{ "proposed", "de xuat|de nghi|chi bo de xuat" },
	{ "decided", "quyet dinh|cap uy quyet dinh|cong nhan" },
	{ NULL, NULL },
};
static const struct cb_word meeting_rating[] = {
	{ "good", "tot" },     { "fair", "kha" }, { "average", "trung binh" },
	{ "weak", "yeu|kem" }, { NULL, NULL },
};
static const struct cb_word purpose[] = {
	{ "work", "cong tac|lam viec" },
	{ "residence", "cu tru|noi cu tru" },
	{ "study", "hoc tap|hoc" },
	{ NULL, NULL },
};

const struct cb_word_table cb_word_tables[] = {
	{ "sex", sex },
	{ "status", status },
	{ "cell kind", cell_kind },
	{ "meeting kind", meeting_kind },
	{ "attendance mark", attendance },
	{ "work category", work },
	{ "rating level", level },
	{ "rating stage", stage },
	{ "meeting rating", meeting_rating },
	{ "purpose", purpose },
};
const size_t cb_word_table_count =
	sizeof(cb_word_tables) / sizeof(cb_word_tables[0]);

/* Does the table hold every one of values? */
static bool
covers(const struct cb_word *t, const char *const *values)
{
	for (; *values; values++) {
		const struct cb_word *w = t;

		while (w->value && strcmp(w->value, *values))
			w++;
		if (!w->value)
			return false;
	}
	return true;
}

/* s folded, with '-' and '_' as spaces, malloc'd; NULL when it is not
 * text (or out of memory). */
static char *
key_of(const char *s)
{
	char *k = NULL;

	if (cb_text_fold(s, &k, NULL))
		return NULL;
	for (char *p = k; *p; p++)
		if (*p == '-' || *p == '_')
			*p = ' ';
	return k;
}

/* Is key one of the '|'-separated words? */
static bool
among(const char *words, const char *key)
{
	size_t n = strlen(key);

	while (words) {
		const char *bar = strchr(words, '|');
		size_t len = bar ? (size_t)(bar - words) : strlen(words);

		if (len == n && !strncmp(words, key, n))
			return true;
		words = bar ? bar + 1 : NULL;
	}
	return false;
}

/* The value of values whose own key (its name, folded) or whose word in
 * table t is key; NULL for none. */
static const char *
find(const struct cb_word *t, const char *const *values, const char *key)
{
	for (; t->value; t++) {
		char *own;
		bool hit;

		if (!(own = key_of(t->value)))
			return NULL;
		hit = !strcmp(own, key) || among(t->words, key);
		free(own);
		if (!hit)
			continue;
		for (const char *const *v = values; *v; v++)
			if (!strcmp(*v, t->value))
				return *v;
		return NULL; /* a value of the field, not one allowed here */
	}
	return NULL;
}

const char *
cb_words_match(const char *const *values, const char *typed)
{
	const char *found = NULL;
	char *key;

	for (const char *const *v = values; *v; v++)
		if (!strcmp(*v, typed))
			return *v;
	for (size_t i = 0; i < cb_word_table_count; i++) {
		if (!covers(cb_word_tables[i].words, values))
			continue;
		if (!(key = key_of(typed)))
			return NULL;
		found = find(cb_word_tables[i].words, values, key);
		free(key);
		break;
	}
	return found;
}

/* --- the words shown: a value as a person reads it ------------------ */

struct label {
	const char *field;
	const char *value; /* NC_(field, value): translated in its field */
};

static const struct label labels[] = {
	{ "member cell", NC_("member cell", "in transit") },
	{ "sex", NC_("sex", "male") },
	{ "sex", NC_("sex", "female") },
	{ "status", NC_("status", "probationary") },
	{ "status", NC_("status", "official") },
	{ "status", NC_("status", "exempt") },
	{ "status", NC_("status", "struck-off") },
	{ "status", NC_("status", "expelled") },
	{ "status", NC_("status", "resigned") },
	{ "status", NC_("status", "deceased") },
	{ "cell kind", NC_("cell kind", "residential") },
	{ "cell kind", NC_("cell kind", "commune-agency") },
	{ "cell kind", NC_("cell kind", "school") },
	{ "cell kind", NC_("cell kind", "enterprise") },
	{ "cell kind", NC_("cell kind", "armed-forces") },
	{ "cell kind", NC_("cell kind", "public-service") },
	{ "cell kind", NC_("cell kind", "other") },
	{ "org kind", NC_("org kind", "party-committee") },
	{ "org kind", NC_("org kind", "grassroots-cell") },
	{ "org level", NC_("org level", "committee") },
	{ "org level", NC_("org level", "grassroots") },
	{ "org level", NC_("org level", "cell") },
	{ "meeting kind", NC_("meeting kind", "regular") },
	{ "meeting kind", NC_("meeting kind", "thematic") },
	{ "meeting kind", NC_("meeting kind", "extraordinary") },
	{ "stay kind", NC_("stay kind", "official") },
	{ "stay kind", NC_("stay kind", "temporary") },
	{ "subject kind", NC_("subject kind", "member") },
	{ "subject kind", NC_("subject kind", "org") },
	{ "attendance mark", NC_("attendance mark", "present") },
	{ "attendance mark", NC_("attendance mark", "excused") },
	{ "attendance mark", NC_("attendance mark", "unexcused") },
	{ "attendance mark", NC_("attendance mark", "exempt") },
	{ "work category", NC_("work category", "commune-cadre") },
	{ "work category", NC_("work category", "commune-civil-servant") },
	{ "work category", NC_("work category", "commune-non-specialised") },
	{ "work category", NC_("work category", "retired") },
	{ "work category", NC_("work category", "other") },
	{ "work category", NC_("work category", "unspecified") },
	{ "rating level", NC_("rating level", "outstanding") },
	{ "rating level", NC_("rating level", "good") },
	{ "rating level", NC_("rating level", "completed") },
	{ "rating level", NC_("rating level", "not-completed") },
	{ "rating stage", NC_("rating stage", "self") },
	{ "rating stage", NC_("rating stage", "proposed") },
	{ "rating stage", NC_("rating stage", "decided") },
	{ "meeting rating", NC_("meeting rating", "good") },
	{ "meeting rating", NC_("meeting rating", "fair") },
	{ "meeting rating", NC_("meeting rating", "average") },
	{ "meeting rating", NC_("meeting rating", "weak") },
	{ "purpose", NC_("purpose", "work") },
	{ "purpose", NC_("purpose", "residence") },
	{ "purpose", NC_("purpose", "study") },
	/* the states of transfers, cells, dissolutions, candidates and
	 * temporary stays, as the queries give them */
	{ "state", NC_("state", "in-transit") },
	{ "state", NC_("state", "accepted") },
	{ "state", NC_("state", "declined") },
	{ "state", NC_("state", "overdue") },
	{ "state", NC_("state", "over 3 months") },
	{ "state", NC_("state", "struck off") },
	{ "state", NC_("state", "active") },
	{ "state", NC_("state", "closed") },
	{ "state", NC_("state", "planned") },
	{ "state", NC_("state", "approved") },
	{ "state", NC_("state", "dissolved") },
	{ "state", NC_("state", "candidate") },
	{ "state", NC_("state", "admitted") },
	{ "state", NC_("state", "issued") },
	/* an entry's state in the log */
	{ "entry state", NC_("entry state", "applied") },
	{ "entry state", NC_("entry state", "rejected") },
	{ "entry state", NC_("entry state", "pending") },
	/* an enrolled key's role */
	{ "role", NC_("role", "commune") },
	{ "role", NC_("role", "district") },
	{ "role", NC_("role", "auditor") },
	{ "role", NC_("role", "hub") },
	/* what a key last asked the hub for (report sync's VIA) */
	{ "request", NC_("request", "status") },
	{ "request", NC_("request", "push") },
	{ "request", NC_("request", "pull") },
	{ "request", NC_("request", "relay") },
	{ "request", NC_("request", "entries") },
	{ "request", NC_("request", "own") },
	{ "request", NC_("request", "checkpoint") },
	{ "request", NC_("request", "proof") },
	{ "request", NC_("request", "witness") },
	/* a field of an entry's body, as an audit's history names it */
	{ "field", NC_("field", "letter_no") },
	{ "field", NC_("field", "letter_date") },
	{ "field", NC_("field", "to_org") },
	{ "field", NC_("field", "to_cell") },
	{ "field", NC_("field", "cell") },
	{ "field", NC_("field", "date") },
	{ "field", NC_("field", "reported_on") },
	{ "field", NC_("field", "reason") },
	{ "field", NC_("field", "status") },
	{ "field", NC_("field", "level") },
	{ "field", NC_("field", "period") },
	{ "field", NC_("field", "kind") },
	{ "field", NC_("field", "full_name") },
	/* an entry's operation, as the log and 'recorded …' name it */
	{ "op", NC_("op", "calendar.holiday") },
	{ "op", NC_("op", "campaign.exempt") },
	{ "op", NC_("op", "candidate.add") },
	{ "op", NC_("op", "candidate.admit") },
	{ "op", NC_("op", "candidate.helpers") },
	{ "op", NC_("op", "candidate.move") },
	{ "op", NC_("op", "cell.create") },
	{ "op", NC_("op", "cell.dissolve") },
	{ "op", NC_("op", "cell.dissolve_approve") },
	{ "op", NC_("op", "cell.dissolve_plan") },
	{ "op", NC_("op", "cell.rename") },
	{ "op", NC_("op", "committee.found") },
	{ "op", NC_("op", "hub.init") },
	{ "op", NC_("op", "hub.join") },
	{ "op", NC_("op", "key.enroll") },
	{ "op", NC_("op", "key.revoke") },
	{ "op", NC_("op", "meeting.record") },
	{ "op", NC_("op", "member.accept") },
	{ "op", NC_("op", "member.add") },
	{ "op", NC_("op", "member.decline") },
	{ "op", NC_("op", "member.move") },
	{ "op", NC_("op", "member.release") },
	{ "op", NC_("op", "member.status") },
	{ "op", NC_("op", "member.strike_off") },
	{ "op", NC_("op", "member.temporary") },
	{ "op", NC_("op", "member.temporary_accept") },
	{ "op", NC_("op", "member.temporary_end") },
	{ "op", NC_("op", "member.update") },
	{ "op", NC_("op", "office.init") },
	{ "op", NC_("op", "org.congress") },
	{ "op", NC_("op", "org.init") },
	{ "op", NC_("op", "org.merge") },
	{ "op", NC_("op", "org.move") },
	{ "op", NC_("op", "org.succeed") },
	{ "op", NC_("op", "rating.record") },
};

const char *
cb_words_label(const char *field, const char *value)
{
	if (!value)
		return value;
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (!strcmp(labels[i].field, field) &&
		    !strcmp(labels[i].value, value))
			return cb_lang_pgettext(field, value);
	return value;
}

/* The fields a query's column of that name may hold, in order. */
static const struct {
	const char *column;
	const char *fields[6];
} columns[] = {
	{ "sex", { "sex" } },
	{ "cell", { "member cell" } },
	{ "status", { "status" } },
	{ "kind",
	  { "cell kind", "org kind", "meeting kind", "stay kind",
	    "subject kind" } },
	{ "level", { "rating level", "org level" } },
	{ "stage", { "rating stage" } },
	{ "rating", { "meeting rating" } },
	{ "mark", { "attendance mark" } },
	{ "work_category", { "work category" } },
	{ "state", { "state", "entry state" } },
	{ "role", { "role" } },
	{ "subject_kind", { "subject kind" } },
	{ "purpose", { "purpose" } },
};

const char *
cb_words_show(const char *column, const char *value)
{
	if (!value || !column)
		return value;
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
		if (strcmp(columns[i].column, column))
			continue;
		for (size_t k = 0; k < 6 && columns[i].fields[k]; k++) {
			const char *t =
				cb_words_label(columns[i].fields[k], value);

			if (t != value)
				return t;
		}
	}
	return value;
}

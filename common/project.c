/* SPDX-License-Identifier: MIT */
/* project.c — the rules of each operation and how it changes the tables
 * (docs/OPERATIONS.md). Every function here reads only the tables and the
 * entry, never the clock or the environment, so replaying the log gives the
 * same tables byte for byte. A rule broken is a rejection with a one-line
 * reason; the projection then changes nothing. */
#include "project.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "calendar.h"
#include "date.h"
#include "ops.h"
#include "text.h"

struct ctx {
	struct cb_store *st;
	const struct cb_entry *e;
	const json_t *b;
	char id[CB_HASH_HEX]; /* hex id of the entry */
	char today[11];       /* the entry's claimed date */
	struct cb_errbuf *eb;
};

static cb_err verdict(struct ctx *c, cb_err code, const char *fmt, va_list ap)
	CB_PRINTF(3, 0);
static cb_err reject(struct ctx *c, const char *fmt, ...) CB_PRINTF(2, 3);
static cb_err out_of_scope(struct ctx *c, const char *fmt, ...) CB_PRINTF(2, 3);

static cb_err
verdict(struct ctx *c, cb_err code, const char *fmt, va_list ap)
{
	if (c->eb)
		vsnprintf(c->eb->msg, sizeof(c->eb->msg), fmt, ap);
	return code;
}

static cb_err
reject(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	cb_err rc;

	va_start(ap, fmt);
	rc = verdict(c, CB_ERULE, fmt, ap);
	va_end(ap);
	return rc;
}

/* A rejection because the record is not the author's to write at all. */
static cb_err
out_of_scope(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	cb_err rc;

	va_start(ap, fmt);
	rc = verdict(c, CB_ESCOPE, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *
str(const json_t *b, const char *k)
{
	return json_string_value(json_object_get(b, k));
}

void
cb_project_date_of(int64_t time_ms, char out[11])
{
	int64_t secs = time_ms / 1000 + 7 * 3600;
	int64_t days = secs / 86400 - (secs % 86400 < 0);
	struct cb_date d = cb_date_from_days(days);

	cb_date_format(&d, out);
}

/* A date is not after the entry's own date (nobody records the future). */
static cb_err
not_future(struct ctx *c, const char *what, const char *date)
{
	if (date && strcmp(date, c->today) > 0)
		return reject(c, "%s %s is after the day it was recorded (%s)",
		              what, date, c->today);
	return CB_OK;
}

/* --- organisations --------------------------------------------------- */

struct org {
	char level[16];
	char state[16];
	char kind[32];
	char parent[CB_CODE_MAX + 1];
	int owned; /* owner == entry author */
};

/* CB_ENOTFOUND (no message) when absent. */
static cb_err
org_get(struct ctx *c, const char *code, struct org *o)
{
	static const char sql[] = "SELECT level, state, kind, parent, owner "
				  "FROM orgs WHERE code = ?";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_DONE) {
		sqlite3_reset(s);
		return CB_ENOTFOUND;
	}
	if (r != SQLITE_ROW)
		return cb_store_error(c->st, c->eb, "cannot read orgs");
	snprintf(o->level, sizeof(o->level), "%s", sqlite3_column_text(s, 0));
	snprintf(o->state, sizeof(o->state), "%s", sqlite3_column_text(s, 1));
	snprintf(o->kind, sizeof(o->kind), "%s", sqlite3_column_text(s, 2));
	snprintf(o->parent, sizeof(o->parent), "%s",
	         sqlite3_column_type(s, 3) == SQLITE_NULL
	                 ? ""
	                 : (const char *)sqlite3_column_text(s, 3));
	o->owned = sqlite3_column_bytes(s, 4) == CB_KEY_BYTES &&
	           memcmp(sqlite3_column_blob(s, 4), c->e->author,
	                  CB_KEY_BYTES) == 0;
	sqlite3_reset(s);
	return CB_OK;
}

/* The org exists, is active, is of the level wanted (NULL: any) and is the
 * author's to change. */
static cb_err
org_writable(struct ctx *c, const char *code, const char *level, struct org *o)
{
	cb_err rc = org_get(c, code, o);

	if (rc == CB_ENOTFOUND)
		return reject(c, "no %s '%s'", level ? level : "organisation",
		              code);
	if (rc)
		return rc;
	if (level && strcmp(o->level, level) != 0)
		return reject(c, "'%s' is a %s, not a %s", code, o->level,
		              level);
	if (!o->owned)
		return out_of_scope(
			c,
			"'%s' belongs to another organisation's key; "
			"only its owner may change it",
			code);
	if (strcmp(o->state, "active") != 0)
		return reject(c, "'%s' is closed", code);
	return CB_OK;
}

cb_err
cb_project_writable(struct cb_store *st, const struct cb_entry *e,
                    const char *code, const char *level, struct cb_errbuf *eb)
{
	struct ctx c = { .st = st, .e = e, .b = e->json, .eb = eb };
	struct org o;

	return org_writable(&c, code, level, &o);
}

static cb_err
org_insert(struct ctx *c, const char *code, const char *parent,
           const char *level, const char *kind, const char *name,
           const char *founded_on)
{
	static const char sql[] =
		"INSERT INTO orgs (code, parent, level, kind, name, name_fold, "
		"state, founded_on, owner, entry) "
		"VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);
	char *fold = NULL;
	cb_err rc;

	if (!s)
		return CB_EIO;
	if (cb_text_fold(name, &fold, c->eb))
		return CB_EINVAL;
	cb_bind_text(s, 1, code);
	cb_bind_text(s, 2, parent);
	cb_bind_text(s, 3, level);
	cb_bind_text(s, 4, kind);
	cb_bind_text(s, 5, name);
	cb_bind_text(s, 6, fold);
	cb_bind_text(s, 7, founded_on);
	sqlite3_bind_blob(s, 8, c->e->author, CB_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(s, 9, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	rc = cb_store_step_done(c->st, s, c->eb);
	free(fold);
	return rc;
}

/* Every record is owned through an org.init, so this is where a key's
 * reach begins. In a store that knows its authority (a hub, or a replica
 * given its hub's key), an organisation is founded by the key enrolled for
 * it, or by the store's own key (meta 'self': a commune's replica holds its
 * own org.init before its enrolment reaches it). Anyone else — a key no
 * enrolment names, arriving in a forged file, say — founds nothing, and so
 * nothing it writes under that organisation applies. A store with no
 * authority trusts no enrolment and takes org.inits as they come (replicas
 * that exchange entries among themselves, in the tests). */
static cb_err
org_init_in_scope(struct ctx *c, const char *code)
{
	static const char sql[] = "SELECT org FROM enrolments WHERE key = ?";
	char key[2 * CB_KEY_BYTES + 1], org[CB_CODE_MAX + 1];
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);
	char *self = NULL;
	cb_err rc;
	int r;

	if (!s)
		return CB_EIO;
	cb_hex_encode(c->e->author, CB_KEY_BYTES, key);
	cb_bind_text(s, 1, key);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		snprintf(org, sizeof(org), "%s", sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	if (r == SQLITE_ROW)
		return strcmp(org, code) ? out_of_scope(c,
		                                        "org.init of '%s' by a "
		                                        "key enrolled for '%s' "
		                                        "only",
		                                        code, org)
		                         : CB_OK;
	if (r != SQLITE_DONE)
		return cb_store_error(c->st, c->eb, "cannot read enrolments");
	rc = cb_store_meta_get(c->st, "authority", &self, NULL);
	free(self);
	self = NULL;
	if (rc == CB_ENOTFOUND)
		return CB_OK;
	if (!rc)
		rc = cb_store_meta_get(c->st, "self", &self, NULL);
	if (rc && rc != CB_ENOTFOUND)
		return cb_store_error(c->st, c->eb, "cannot read meta");
	rc = self && !strcmp(self, key) ? CB_OK : CB_ESCOPE;
	free(self);
	if (rc)
		return out_of_scope(c,
		                    "org.init of '%s' by key %.12s, which no "
		                    "enrolment in this store names",
		                    code, key);
	return CB_OK;
}

static cb_err
apply_org_init(struct ctx *c)
{
	const char *code = str(c->b, "code");
	struct org o;
	cb_err rc = org_get(c, code, &o);

	if (rc == CB_OK)
		return reject(c, "organisation '%s' already exists", code);
	if (rc != CB_ENOTFOUND)
		return rc;
	if ((rc = org_init_in_scope(c, code)))
		return rc;
	return org_insert(c, code, str(c->b, "parent"), "grassroots",
	                  str(c->b, "kind"), str(c->b, "name"), NULL);
}

static cb_err
apply_cell_create(struct ctx *c)
{
	const char *code = str(c->b, "code");
	const char *dot = strrchr(code, '.');
	char parent[CB_CODE_MAX + 1];
	struct org o;
	cb_err rc;

	snprintf(parent, sizeof(parent), "%.*s", (int)(dot - code), code);
	rc = org_get(c, code, &o);
	if (rc == CB_OK)
		return reject(c, "cell '%s' already exists", code);
	if (rc != CB_ENOTFOUND)
		return rc;
	rc = org_writable(c, parent, "grassroots", &o);
	if (rc)
		return rc;
	rc = not_future(c, "founding date", str(c->b, "founded_on"));
	if (rc)
		return rc;
	return org_insert(c, code, parent, "cell", str(c->b, "kind"),
	                  str(c->b, "name"), str(c->b, "founded_on"));
}

static cb_err
apply_cell_rename(struct ctx *c)
{
	static const char sql[] = "UPDATE orgs SET name = ?, name_fold = ?, "
				  "entry = ? WHERE code = ?";
	const char *code = str(c->b, "code"), *name = str(c->b, "name");
	struct org o;
	sqlite3_stmt *s;
	char *fold = NULL;
	cb_err rc = org_writable(c, code, "cell", &o);

	if (rc)
		return rc;
	if (!(s = cb_store_stmt(c->st, sql, c->eb)))
		return CB_EIO;
	if (cb_text_fold(name, &fold, c->eb))
		return CB_EINVAL;
	cb_bind_text(s, 1, name);
	cb_bind_text(s, 2, fold);
	sqlite3_bind_blob(s, 3, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	cb_bind_text(s, 4, code);
	rc = cb_store_step_done(c->st, s, c->eb);
	free(fold);
	return rc;
}

static cb_err
apply_org_congress(struct ctx *c)
{
	static const char find[] =
		"SELECT held_on FROM congresses WHERE org = ? AND term = ?";
	static const char ins[] = "INSERT INTO congresses (org, term, held_on, "
				  "entry) VALUES (?, ?, ?, ?)";
	const char *org = str(c->b, "org"), *term = str(c->b, "term");
	const char *held = str(c->b, "held_on");
	int start = atoi(term), end = atoi(term + 5), year = atoi(held);
	struct org o;
	sqlite3_stmt *s;
	cb_err rc = org_writable(c, org, NULL, &o);

	if (rc)
		return rc;
	if (year < start - 1 || year > end)
		return reject(c, "a congress of term %s cannot be held on %s",
		              term, held);
	if ((rc = not_future(c, "congress date", held)))
		return rc;
	if (!(s = cb_store_stmt(c->st, find, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, org);
	cb_bind_text(s, 2, term);
	if (sqlite3_step(s) == SQLITE_ROW) {
		char prev[16];

		snprintf(prev, sizeof(prev), "%s", sqlite3_column_text(s, 0));
		sqlite3_reset(s);
		return reject(c, "'%s' already held its %s congress on %s", org,
		              term, prev);
	}
	sqlite3_reset(s);
	if (!(s = cb_store_stmt(c->st, ins, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, org);
	cb_bind_text(s, 2, term);
	cb_bind_text(s, 3, held);
	sqlite3_bind_blob(s, 4, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	return cb_store_step_done(c->st, s, c->eb);
}

/* --- members --------------------------------------------------------- */

static const char *const member_cols[] = {
	"full_name",    "birth_date",  "sex",    "card_no",   "national_id",
	"admitted_on",  "official_on", "status", "status_on", "work_category",
	"council_area", "cell",        "org",    NULL,
};

/* The member as a JSON object of member_cols (null for NULL), plus the
 * ownership of its organisation. CB_ENOTFOUND when absent. */
static cb_err
member_get(struct ctx *c, const char *id, json_t **out, int *owned)
{
	static const char sql[] =
		"SELECT m.full_name, m.birth_date, m.sex, m.card_no, "
		"m.national_id, m.admitted_on, m.official_on, m.status, "
		"m.status_on, m.work_category, m.council_area, m.cell, m.org, "
		"o.owner FROM members m LEFT JOIN orgs o ON o.code = m.org "
		"WHERE m.id = ?";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);
	json_t *m;
	int r, i;

	if (!s)
		return CB_EIO;
	cb_bind_id(s, 1, id);
	r = sqlite3_step(s);
	if (r == SQLITE_DONE) {
		sqlite3_reset(s);
		return CB_ENOTFOUND;
	}
	if (r != SQLITE_ROW)
		return cb_store_error(c->st, c->eb, "cannot read members");
	m = json_object();
	for (i = 0; member_cols[i]; i++)
		json_object_set_new(
			m, member_cols[i],
			sqlite3_column_type(s, i) == SQLITE_NULL
				? json_null()
				: json_string((const char *)sqlite3_column_text(
					  s, i)));
	*owned = sqlite3_column_bytes(s, i) == CB_KEY_BYTES &&
	         memcmp(sqlite3_column_blob(s, i), c->e->author,
	                CB_KEY_BYTES) == 0;
	sqlite3_reset(s);
	*out = m;
	return CB_OK;
}

/* Is h among e's deps? */
static bool
in_deps(const struct cb_entry *e, const char *hex)
{
	unsigned char h[CB_HASH_BYTES];

	if (!hex || cb_hex_decode(hex, h, sizeof(h), NULL))
		return false;
	for (size_t i = 0; i < e->ndeps; i++)
		if (!memcmp(e->deps[i], h, CB_HASH_BYTES))
			return true;
	return false;
}

/* As this entry sees it, has its author let the member go? The author's
 * latest release of the member is in transit unless the entry names, in
 * its deps, the acceptance or decline that closed it: so the verdict does
 * not depend on whether that answer has reached this replica yet. */
static cb_err
released_by_author(struct ctx *c, const char *id)
{
	static const char sql[] =
		"SELECT release, state, closed_by, to_org FROM transfers "
		"WHERE member = ? AND author = ? ORDER BY seq DESC LIMIT 1";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);
	char release[CB_HASH_HEX], state[16], closed[CB_HASH_HEX],
		to[CB_CODE_MAX + 1];
	int r;

	if (!s)
		return CB_EIO;
	cb_bind_id(s, 1, id);
	sqlite3_bind_blob(s, 2, c->e->author, CB_KEY_BYTES, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		snprintf(release, sizeof(release), "%s",
		         sqlite3_column_text(s, 0));
		snprintf(state, sizeof(state), "%s", sqlite3_column_text(s, 1));
		snprintf(closed, sizeof(closed), "%s",
		         sqlite3_column_type(s, 2) == SQLITE_NULL
		                 ? ""
		                 : (const char *)sqlite3_column_text(s, 2));
		snprintf(to, sizeof(to), "%s", sqlite3_column_text(s, 3));
	}
	sqlite3_reset(s);
	if (r == SQLITE_DONE)
		return CB_OK;
	if (r != SQLITE_ROW)
		return cb_store_error(c->st, c->eb, "cannot read transfers");
	if (!closed[0] || !in_deps(c->e, closed))
		return reject(c,
		              "member %.12s is in transit: released to '%s' "
		              "by entry %.12s",
		              id, to, release);
	if (!strcmp(state, "accepted"))
		return out_of_scope(c,
		                    "member %.12s was transferred to '%s' "
		                    "(entry %.12s)",
		                    id, to, closed);
	return CB_OK;
}

static cb_err
member_writable(struct ctx *c, const char *id, json_t **m)
{
	int owned = 0;
	cb_err rc = released_by_author(c, id);

	if (rc)
		return rc;
	rc = member_get(c, id, m, &owned);

	if (rc == CB_ENOTFOUND)
		return reject(c, "no member %.12s", id);
	if (rc)
		return rc;
	if (!owned) {
		json_decref(*m);
		*m = NULL;
		return out_of_scope(
			c,
			"member %.12s belongs to another organisation's "
			"key; only its owner may change the record",
			id);
	}
	return CB_OK;
}

/* The rules a member record must satisfy whatever op produced it. */
static cb_err
member_validate(struct ctx *c, const json_t *m)
{
	const char *birth = str(m, "birth_date"), *adm = str(m, "admitted_on");
	const char *off = str(m, "official_on"), *status = str(m, "status");
	struct cb_date b, a;
	cb_err rc;

	if ((rc = not_future(c, "birth date", birth)) ||
	    (rc = not_future(c, "admission date", adm)) ||
	    (rc = not_future(c, "official date", off)))
		return rc;
	if (cb_date_parse(birth, &b, NULL) || cb_date_parse(adm, &a, NULL))
		return reject(c, "member dates are malformed");
	if (cb_date_years_between(&b, &a) < 18)
		return reject(c,
		              "admitted on %s, before the 18th birthday "
		              "(born %s)",
		              adm, birth);
	if (off && strcmp(off, adm) < 0)
		return reject(c,
		              "official date %s is before the admission date "
		              "%s",
		              off, adm);
	if (strcmp(status, "probationary") == 0 && off)
		return reject(c, "a probationary member has no official date; "
		                 "record the change with member.status");
	if (strcmp(status, "official") == 0 && !off)
		return reject(c, "an official member needs an official date");
	/* A card or national ID number another member holds is no reason
	 * to refuse: the verdict would depend on which entry a store took in
	 * first. The clash is reported (report.c, cb_report_clashes). */
	return CB_OK;
}

static cb_err
member_save(struct ctx *c, const char *id, const json_t *m, bool insert)
{
	static const char ins[] =
		"INSERT INTO members (full_name, birth_date, sex, card_no, "
		"national_id, admitted_on, official_on, status, status_on, "
		"work_category, council_area, cell, org, name_fold, "
		"name_lower, "
		"entry, id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	static const char upd[] =
		"UPDATE members SET full_name = ?, birth_date = ?, sex = ?, "
		"card_no = ?, national_id = ?, admitted_on = ?, "
		"official_on = ?, status = ?, status_on = ?, "
		"work_category = ?, council_area = ?, cell = ?, org = ?, "
		"name_fold = ?, name_lower = ?, entry = ? WHERE id = ?";
	sqlite3_stmt *s = cb_store_stmt(c->st, insert ? ins : upd, c->eb);
	char *fold = NULL, *lower = NULL;
	int i, r;

	if (!s)
		return CB_EIO;
	if (cb_text_fold(str(m, "full_name"), &fold, c->eb) ||
	    cb_text_lower(str(m, "full_name"), &lower, c->eb)) {
		free(fold);
		return CB_EINVAL;
	}
	for (i = 0; member_cols[i]; i++)
		cb_bind_text(s, i + 1, str(m, member_cols[i]));
	cb_bind_text(s, ++i, fold);
	cb_bind_text(s, ++i, lower);
	sqlite3_bind_blob(s, ++i, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	cb_bind_id(s, ++i, id);
	r = sqlite3_step(s);
	sqlite3_reset(s);
	free(fold);
	free(lower);
	return r == SQLITE_DONE
	               ? CB_OK
	               : cb_store_error(c->st, c->eb, "cannot save a member");
}

static cb_err
membership_open(struct ctx *c, const char *member, const char *cell,
                const char *kind, const char *since)
{
	static const char sql[] =
		"INSERT INTO memberships (member, cell, kind, "
		"since, until, entry) "
		"VALUES (?, ?, ?, ?, NULL, ?)";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);

	if (!s)
		return CB_EIO;
	cb_bind_id(s, 1, member);
	cb_bind_text(s, 2, cell);
	cb_bind_text(s, 3, kind);
	cb_bind_text(s, 4, since);
	sqlite3_bind_blob(s, 5, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	return cb_store_step_done(c->st, s, c->eb);
}

static cb_err
membership_close_all(struct ctx *c, const char *member, const char *until)
{
	static const char sql[] = "UPDATE memberships SET until = ? "
				  "WHERE member = ? AND until IS NULL";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);

	if (!s)
		return CB_EIO;
	cb_bind_text(s, 1, until);
	cb_bind_id(s, 2, member);
	return cb_store_step_done(c->st, s, c->eb);
}

static cb_err
apply_member_add(struct ctx *c)
{
	const char *cell = str(c->b, "cell"), *since = str(c->b, "cell_since");
	struct org o;
	json_t *m;
	cb_err rc = org_writable(c, cell, "cell", &o);

	if (rc)
		return rc;
	if (!since)
		since = str(c->b, "admitted_on");
	if (strcmp(since, str(c->b, "admitted_on")) < 0)
		return reject(c, "in cell since %s, before admission on %s",
		              since, str(c->b, "admitted_on"));
	if ((rc = not_future(c, "cell date", since)))
		return rc;
	m = json_object();
	for (int i = 0; member_cols[i]; i++) {
		json_t *v = json_object_get(c->b, member_cols[i]);

		json_object_set_new(m, member_cols[i],
		                    v ? json_incref(v) : json_null());
	}
	json_object_set_new(m, "org", json_string(o.parent));
	rc = member_validate(c, m);
	if (!rc)
		rc = member_save(c, c->id, m, true);
	if (!rc)
		rc = membership_open(c, c->id, cell, "official", since);
	json_decref(m);
	return rc;
}

static cb_err
apply_member_update(struct ctx *c)
{
	const char *id = str(c->b, "member"), *key;
	json_t *m = NULL, *v;
	cb_err rc = member_writable(c, id, &m);

	if (rc)
		return rc;
	json_object_foreach((json_t *)c->b, key, v)
	{
		if (strcmp(key, "member") != 0)
			json_object_set(m, key, v);
	}
	rc = member_validate(c, m);
	if (!rc)
		rc = member_save(c, id, m, false);
	json_decref(m);
	return rc;
}

static bool
status_step_allowed(const char *from, const char *to)
{
	if (cb_status_terminal(from))
		return false;
	if (strcmp(to, "official") == 0)
		return strcmp(from, "probationary") == 0 ||
		       strcmp(from, "exempt") == 0;
	if (strcmp(to, "probationary") == 0)
		return false;
	if (strcmp(to, "exempt") == 0)
		return strcmp(from, "official") == 0;
	return true; /* any live status may end */
}

static cb_err
apply_member_status(struct ctx *c)
{
	const char *id = str(c->b, "member"), *to = str(c->b, "status");
	const char *on = str(c->b, "on"), *from;
	json_t *m = NULL;
	cb_err rc = member_writable(c, id, &m);

	if (rc)
		return rc;
	from = str(m, "status");
	if (strcmp(from, to) == 0) {
		rc = reject(c, "member %.12s is already %s", id, to);
		goto out;
	}
	if (!status_step_allowed(from, to)) {
		rc = reject(c, "member %.12s cannot go from %s to %s", id, from,
		            to);
		goto out;
	}
	if (strcmp(on, str(m, "admitted_on")) < 0) {
		rc = reject(c, "status date %s is before admission on %s", on,
		            str(m, "admitted_on"));
		goto out;
	}
	if ((rc = not_future(c, "status date", on)))
		goto out;
	if (strcmp(from, "probationary") == 0 && strcmp(to, "official") == 0)
		json_object_set_new(m, "official_on", json_string(on));
	json_object_set_new(m, "status", json_string(to));
	json_object_set_new(m, "status_on", json_string(on));
	rc = member_validate(c, m);
	if (!rc)
		rc = member_save(c, id, m, false);
	if (!rc && cb_status_terminal(to))
		rc = membership_close_all(c, id, on);
out:
	json_decref(m);
	return rc;
}

/* --- transfers ------------------------------------------------------- */

static cb_err
membership_close_official(struct ctx *c, const char *member, const char *until)
{
	static const char sql[] =
		"UPDATE memberships SET until = ? WHERE member = ? AND kind = "
		"'official' AND until IS NULL";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);

	if (!s)
		return CB_EIO;
	cb_bind_text(s, 1, until);
	cb_bind_id(s, 2, member);
	return cb_store_step_done(c->st, s, c->eb);
}

/* Since when the member has been in their official cell (NULL if none). */
static cb_err
official_since(struct ctx *c, const char *member, char out[11])
{
	static const char sql[] =
		"SELECT max(since) FROM memberships WHERE member = ? AND kind "
		"= 'official' AND until IS NULL";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_bind_id(s, 1, member);
	r = sqlite3_step(s);
	out[0] = 0;
	if (r == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		snprintf(out, 11, "%s", sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return r == SQLITE_ROW ? CB_OK
	                       : cb_store_error(c->st, c->eb,
	                                        "cannot read memberships");
}

static cb_err
set_transit(struct ctx *c, const char *member, const char *release)
{
	static const char sql[] =
		"UPDATE members SET transit = ?, entry = ? WHERE id = ?";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);

	if (!s)
		return CB_EIO;
	cb_bind_text(s, 1, release);
	sqlite3_bind_blob(s, 2, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	cb_bind_id(s, 3, member);
	return cb_store_step_done(c->st, s, c->eb);
}

/* A live member, writable by the author, moved into cell on date on:
 * the official stay in the old cell ends, a new one begins. */
static cb_err
move_to_cell(struct ctx *c, const char *id, json_t *m, const char *cell,
             const char *on)
{
	cb_err rc;

	json_object_set_new(m, "cell", json_string(cell));
	if ((rc = member_save(c, id, m, false)) ||
	    (rc = membership_close_official(c, id, on)))
		return rc;
	return membership_open(c, id, cell, "official", on);
}

static cb_err
apply_member_move(struct ctx *c)
{
	const char *id = str(c->b, "member"), *cell = str(c->b, "cell");
	const char *on = str(c->b, "on");
	char since[11];
	json_t *m = NULL;
	struct org o;
	cb_err rc = member_writable(c, id, &m);

	if (rc)
		return rc;
	if (cb_status_terminal(str(m, "status"))) {
		rc = reject(c, "member %.12s is %s", id, str(m, "status"));
		goto out;
	}
	if (!strcmp(cell, str(m, "cell"))) {
		rc = reject(c, "member %.12s is already in cell '%s'", id,
		            cell);
		goto out;
	}
	if ((rc = org_writable(c, cell, "cell", &o)))
		goto out;
	if (strcmp(o.parent, str(m, "org"))) {
		rc = reject(c,
		            "cell '%s' is not in '%s'; a move between "
		            "organisations is a release and an acceptance",
		            cell, str(m, "org"));
		goto out;
	}
	if ((rc = official_since(c, id, since)))
		goto out;
	if (since[0] && strcmp(on, since) < 0) {
		rc = reject(c, "moved on %s, before joining cell '%s' on %s",
		            on, str(m, "cell"), since);
		goto out;
	}
	if ((rc = not_future(c, "move date", on)))
		goto out;
	rc = move_to_cell(c, id, m, cell, on);
out:
	json_decref(m);
	return rc;
}

/* A letter (a release, a temporary transfer) for member m: live, to
 * another grassroots organisation, to a cell of it if one is named. */
static cb_err
letter_valid(struct ctx *c, const char *id, const json_t *m, const char *what)
{
	const char *to = str(c->b, "to_org"), *to_cell = str(c->b, "to_cell");
	size_t n = strlen(to);

	if (cb_status_terminal(str(m, "status")))
		return reject(c, "member %.12s is %s", id, str(m, "status"));
	if (!strcmp(to, str(m, "org")))
		return reject(c,
		              "%s goes to another grassroots organisation; "
		              "'%s' is the member's own",
		              what, to);
	if (to_cell && (strncmp(to_cell, to, n) || to_cell[n] != '.'))
		return reject(c, "cell '%s' is not a cell of '%s'", to_cell,
		              to);
	return CB_OK;
}

static cb_err
apply_member_release(struct ctx *c)
{
	static const char ins[] =
		"INSERT INTO transfers (release, member, author, seq, "
		"from_org, from_cell, to_org, to_cell, letter_no, "
		"letter_date, released_on, reason, state) VALUES (?, ?, ?, ?, "
		"?, ?, ?, ?, ?, ?, ?, ?, 'in-transit')";
	const char *id = str(c->b, "member"), *to = str(c->b, "to_org");
	const char *to_cell = str(c->b, "to_cell"), *on = str(c->b, "on");
	char since[11];
	json_t *m = NULL;
	sqlite3_stmt *s;
	cb_err rc = member_writable(c, id, &m);

	if (rc)
		return rc;
	if ((rc = letter_valid(c, id, m, "a release")))
		goto out;
	if ((rc = official_since(c, id, since)))
		goto out;
	if (since[0] && strcmp(on, since) < 0) {
		rc = reject(c, "released on %s, before joining cell '%s' on %s",
		            on, str(m, "cell"), since);
		goto out;
	}
	if ((rc = not_future(c, "release date", on)) ||
	    (rc = not_future(c, "letter date", str(c->b, "letter_date"))))
		goto out;
	if ((rc = membership_close_official(c, id, on)) ||
	    (rc = set_transit(c, id, c->id)))
		goto out;
	if (!(s = cb_store_stmt(c->st, ins, c->eb))) {
		rc = CB_EIO;
		goto out;
	}
	cb_bind_text(s, 1, c->id);
	cb_bind_id(s, 2, id);
	sqlite3_bind_blob(s, 3, c->e->author, CB_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)c->e->seq);
	cb_bind_text(s, 5, str(m, "org"));
	cb_bind_text(s, 6, str(m, "cell"));
	cb_bind_text(s, 7, to);
	cb_bind_text(s, 8, to_cell);
	cb_bind_text(s, 9, str(c->b, "letter_no"));
	cb_bind_text(s, 10, str(c->b, "letter_date"));
	cb_bind_text(s, 11, on);
	cb_bind_text(s, 12, str(c->b, "reason"));
	rc = cb_store_step_done(c->st, s, c->eb);
out:
	json_decref(m);
	return rc;
}

struct transfer {
	char member[CB_HASH_HEX];
	char from_org[CB_CODE_MAX + 1];
	char from_cell[CB_CODE_MAX + 1];
	char to_org[CB_CODE_MAX + 1];
	char released_on[11];
	char state[16];
	char closed_by[CB_HASH_HEX];
	char letter_date[11];
};

/* A column of row_named's row and where it goes. */
struct col {
	char *to;
	size_t size;
};

/* The row s is on: its columns, in order, into cols (a member's id as
 * hex). */
static void
row_cols(sqlite3_stmt *s, const struct col *cols, size_t ncols)
{
	char hex[CB_HASH_HEX];

	for (size_t i = 0; i < ncols; i++)
		snprintf(cols[i].to, cols[i].size, "%s",
		         cb_column_shown(s, (int)i, hex));
}

/* The row (sql, by the entry id in field) of the entry this entry names,
 * what (noun) is: in its deps, held and applied. Its columns, in order,
 * into cols; unreadable is the store error's words. */
static cb_err
row_named(struct ctx *c, const char *what, const char *noun, const char *field,
          const char *sql, const char *unreadable, const struct col *cols,
          size_t ncols)
{
	const char *id = str(c->b, field);
	sqlite3_stmt *s;
	int r;

	if (!in_deps(c->e, id))
		return reject(c, "%s does not name %s %.12s in its deps", what,
		              noun, id);
	if (!(s = cb_store_stmt(c->st, sql, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, id);
	if ((r = sqlite3_step(s)) == SQLITE_ROW)
		row_cols(s, cols, ncols);
	sqlite3_reset(s);
	if (r == SQLITE_DONE)
		return reject(c, "%s %.12s was not applied (it was rejected)",
		              noun, id);
	return r == SQLITE_ROW ? CB_OK
	                       : cb_store_error(c->st, c->eb, unreadable);
}

/* The release an entry names: in its deps, held and applied. */
static cb_err
release_named(struct ctx *c, const char *what, struct transfer *t)
{
	static const char sql[] =
		"SELECT member, from_cell, to_org, released_on, state, "
		"coalesce(closed_by, ''), from_org, letter_date FROM "
		"transfers WHERE release = ?";
	const struct col cols[] = {
		{ t->member, sizeof(t->member) },
		{ t->from_cell, sizeof(t->from_cell) },
		{ t->to_org, sizeof(t->to_org) },
		{ t->released_on, sizeof(t->released_on) },
		{ t->state, sizeof(t->state) },
		{ t->closed_by, sizeof(t->closed_by) },
		{ t->from_org, sizeof(t->from_org) },
		{ t->letter_date, sizeof(t->letter_date) },
	};

	return row_named(c, what, "release", "release", sql,
	                 "cannot read transfers", cols,
	                 sizeof(cols) / sizeof(cols[0]));
}

/* Is org (a grassroots organisation) the author's? CB_ESCOPE with why
 * otherwise. */
static cb_err
org_owned(struct ctx *c, const char *org, const char *what, const char *id)
{
	struct org o;
	cb_err rc = org_get(c, org, &o);

	if (rc && rc != CB_ENOTFOUND)
		return rc;
	if (rc || !o.owned)
		return out_of_scope(c,
		                    "%s %.12s is addressed to '%s', not to "
		                    "this key's organisation",
		                    what, id, org);
	return CB_OK;
}

/* The release an answer (acceptance or decline) names: in its deps, held
 * and applied, addressed to an organisation of the author's, still in
 * transit. */
static cb_err
answerable(struct ctx *c, const char *what, struct transfer *t)
{
	const char *rid = str(c->b, "release");
	cb_err rc = release_named(c, what, t);

	if (!rc)
		rc = org_owned(c, t->to_org, "release", rid);
	if (rc)
		return rc;
	if (strcmp(t->state, "in-transit"))
		return reject(c, "release %.12s was already %s by entry %.12s",
		              rid, t->state, t->closed_by);
	return CB_OK;
}

static cb_err
close_transfer(struct ctx *c, const char *state, const char *on,
               const char *cell)
{
	static const char sql[] =
		"UPDATE transfers SET state = ?, closed_by = ?, closed_on = ?, "
		"cell = ? WHERE release = ?";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);

	if (!s)
		return CB_EIO;
	cb_bind_text(s, 1, state);
	cb_bind_text(s, 2, c->id);
	cb_bind_text(s, 3, on);
	cb_bind_text(s, 4, cell);
	cb_bind_text(s, 5, str(c->b, "release"));
	return cb_store_step_done(c->st, s, c->eb);
}

static cb_err
apply_member_accept(struct ctx *c)
{
	const char *cell = str(c->b, "cell"), *on = str(c->b, "reported_on");
	struct transfer t;
	json_t *m = NULL;
	struct org o;
	int owned;
	cb_err rc = answerable(c, "an acceptance", &t);

	if (rc)
		return rc;
	if ((rc = org_writable(c, cell, "cell", &o)))
		return rc;
	if (strcmp(o.parent, t.to_org))
		return reject(c, "cell '%s' is not a cell of '%s'", cell,
		              t.to_org);
	if (strcmp(on, t.released_on) < 0)
		return reject(c, "reported on %s, before the release on %s", on,
		              t.released_on);
	if ((rc = not_future(c, "report date", on)))
		return rc;
	if ((rc = member_get(c, t.member, &m, &owned)))
		return rc == CB_ENOTFOUND
		               ? reject(c, "no member %.12s", t.member)
		               : rc;
	json_object_set_new(m, "org", json_string(t.to_org));
	rc = move_to_cell(c, t.member, m, cell, on);
	if (!rc)
		rc = set_transit(c, t.member, NULL);
	if (!rc)
		rc = close_transfer(c, "accepted", on, cell);
	json_decref(m);
	return rc;
}

static cb_err
apply_member_decline(struct ctx *c)
{
	const char *on = str(c->b, "on");
	struct transfer t;
	cb_err rc = answerable(c, "a decline", &t);

	if (rc)
		return rc;
	if (strcmp(on, t.released_on) < 0)
		return reject(c, "declined on %s, before the release on %s", on,
		              t.released_on);
	if ((rc = not_future(c, "decline date", on)))
		return rc;
	/* The member returns to the cell they left. */
	if ((rc = membership_open(c, t.member, t.from_cell, "official", on)) ||
	    (rc = set_transit(c, t.member, NULL)))
		return rc;
	return close_transfer(c, "declined", on, NULL);
}

static cb_err office_above(struct ctx *c, const char *org, bool *yes);

/* date shifted by an SQLite modifier ("+3 months"): the same arithmetic
 * as the reports', into out. */
static cb_err
date_shift(struct ctx *c, const char *date, const char *modifier, char out[11])
{
	static const char sql[] = "SELECT date(?, ?)";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_bind_text(s, 1, date);
	cb_bind_text(s, 2, modifier);
	r = sqlite3_step(s);
	out[0] = 0;
	if (r == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		snprintf(out, 11, "%s", sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return r == SQLITE_ROW && out[0]
	               ? CB_OK
	               : cb_store_error(c->st, c->eb, "cannot shift a date");
}

/* The superior committee's office marks a release that went unanswered
 * for three months: the member is struck off for abandoning party
 * activity. A mark, not an answer (schema/010): it never depends on
 * whether the receiver's answer has arrived, so every replica agrees. */
static cb_err
apply_member_strike_off(struct ctx *c)
{
	static const char upd[] =
		"UPDATE transfers SET struck_by = ?1, struck_no = ?2, "
		"struck_on = ?3 WHERE release = ?4 AND (struck_by IS NULL OR "
		"struck_by > ?1)";
	const char *on = str(c->b, "on"), *rid = str(c->b, "release");
	char after[11];
	struct transfer t;
	sqlite3_stmt *s;
	bool yes;
	cb_err rc = release_named(c, "a strike-off", &t);

	if (rc)
		return rc;
	if ((rc = office_above(c, t.from_org, &yes)))
		return rc;
	if (!yes)
		return out_of_scope(c,
		                    "only the office of a committee above '%s' "
		                    "strikes off a member it released",
		                    t.from_org);
	if ((rc = date_shift(c, t.letter_date, CB_LAPSE_MODIFIER, after)))
		return rc;
	if (strcmp(on, after) <= 0)
		return reject(c,
		              "struck off on %s: the letter of %s is not over "
		              "three months old until after %s",
		              on, t.letter_date, after);
	if ((rc = not_future(c, "strike-off date", on)))
		return rc;
	if (!(s = cb_store_stmt(c->st, upd, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, c->id);
	cb_bind_text(s, 2, str(c->b, "decision_no"));
	cb_bind_text(s, 3, on);
	cb_bind_text(s, 4, rid);
	return cb_store_step_done(c->st, s, c->eb);
}

/* --- temporary transfers --------------------------------------------- */

struct temporary {
	char member[CB_HASH_HEX];
	char to_org[CB_CODE_MAX + 1];
	char since[11], until[11];
	char state[16];
	char accepted_by[CB_HASH_HEX];
	char reported_on[11];
	char ended_by[CB_HASH_HEX];
	char ended_on[11];
};

/* The letter an entry of the receiver names: in its deps, applied, and
 * addressed to an organisation of the author's. */
static cb_err
temporary_named(struct ctx *c, const char *what, struct temporary *t)
{
	static const char sql[] =
		"SELECT member, to_org, since, until, state, "
		"coalesce(accepted_by, ''), coalesce(reported_on, ''), "
		"coalesce(ended_by, ''), coalesce(ended_on, '') FROM "
		"temporaries WHERE id = ?";
	const struct col cols[] = {
		{ t->member, sizeof(t->member) },
		{ t->to_org, sizeof(t->to_org) },
		{ t->since, sizeof(t->since) },
		{ t->until, sizeof(t->until) },
		{ t->state, sizeof(t->state) },
		{ t->accepted_by, sizeof(t->accepted_by) },
		{ t->reported_on, sizeof(t->reported_on) },
		{ t->ended_by, sizeof(t->ended_by) },
		{ t->ended_on, sizeof(t->ended_on) },
	};
	cb_err rc = row_named(c, what, "temporary transfer", "temporary", sql,
	                      "cannot read temporaries", cols,
	                      sizeof(cols) / sizeof(cols[0]));

	return rc ? rc
	          : org_owned(c, t->to_org, "temporary transfer",
	                      str(c->b, "temporary"));
}

/* A letter for how long: at least three months; under a year for work
 * or residence, at most two years for study (DOMAIN.md). */
static cb_err
temporary_length(struct ctx *c, const char *since, const char *until,
                 const char *purpose)
{
	char min[11], max[11];
	bool study = !strcmp(purpose, "study");
	cb_err rc;

	if ((rc = date_shift(c, since, "+3 months", min)) ||
	    (rc = date_shift(c, since, study ? "+2 years" : "+1 year", max)))
		return rc;
	if (strcmp(until, min) < 0)
		return reject(c,
		              "a temporary transfer lasts three months or "
		              "more: %s to %s is shorter",
		              since, until);
	if (study ? strcmp(until, max) > 0 : strcmp(until, max) >= 0)
		return reject(c,
		              "a temporary transfer for %s lasts %s: %s to %s "
		              "is longer",
		              purpose,
		              study ? "at most two years" : "under a year",
		              since, until);
	return CB_OK;
}

static cb_err
apply_member_temporary(struct ctx *c)
{
	static const char overlap[] =
		"SELECT id, to_org, since, until FROM temporaries WHERE "
		"member = ?1 AND author = ?2 AND since < ?4 AND until > ?3 "
		"LIMIT 1";
	static const char ins[] =
		"INSERT INTO temporaries (id, member, author, seq, from_org, "
		"to_org, to_cell, letter_no, letter_date, since, until, "
		"purpose, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
		"'issued')";
	const char *id = str(c->b, "member"), *to = str(c->b, "to_org");
	const char *to_cell = str(c->b, "to_cell");
	const char *since = str(c->b, "since"), *until = str(c->b, "until");
	json_t *m = NULL;
	sqlite3_stmt *s;
	cb_err rc = member_writable(c, id, &m);

	if (rc)
		return rc;
	if ((rc = letter_valid(c, id, m, "a temporary transfer")))
		goto out;
	if ((rc = temporary_length(c, since, until, str(c->b, "purpose"))) ||
	    (rc = not_future(c, "letter date", str(c->b, "letter_date"))))
		goto out;
	if (!(s = cb_store_stmt(c->st, overlap, c->eb))) {
		rc = CB_EIO;
		goto out;
	}
	cb_bind_id(s, 1, id);
	sqlite3_bind_blob(s, 2, c->e->author, CB_KEY_BYTES, SQLITE_STATIC);
	cb_bind_text(s, 3, since);
	cb_bind_text(s, 4, until);
	if (sqlite3_step(s) == SQLITE_ROW) {
		char other[CB_HASH_HEX], org[CB_CODE_MAX + 1], a[11], b[11];
		const struct col cols[] = {
			{ other, sizeof(other) },
			{ org, sizeof(org) },
			{ a, sizeof(a) },
			{ b, sizeof(b) },
		};

		row_cols(s, cols, sizeof(cols) / sizeof(cols[0]));
		sqlite3_reset(s);
		rc = reject(c,
		            "member %.12s already has a temporary transfer to "
		            "'%s' from %s to %s (entry %.12s)",
		            id, org, a, b, other);
		goto out;
	}
	sqlite3_reset(s);
	if (!(s = cb_store_stmt(c->st, ins, c->eb))) {
		rc = CB_EIO;
		goto out;
	}
	cb_bind_text(s, 1, c->id);
	cb_bind_id(s, 2, id);
	sqlite3_bind_blob(s, 3, c->e->author, CB_KEY_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)c->e->seq);
	cb_bind_text(s, 5, str(m, "org"));
	cb_bind_text(s, 6, to);
	cb_bind_text(s, 7, to_cell);
	cb_bind_text(s, 8, str(c->b, "letter_no"));
	cb_bind_text(s, 9, str(c->b, "letter_date"));
	cb_bind_text(s, 10, since);
	cb_bind_text(s, 11, until);
	cb_bind_text(s, 12, str(c->b, "purpose"));
	rc = cb_store_step_done(c->st, s, c->eb);
out:
	json_decref(m);
	return rc;
}

/* The receiver lists the member in a cell as temporary from the day they
 * reported to the letter's end. */
static cb_err
apply_member_temporary_accept(struct ctx *c)
{
	static const char stay[] =
		"INSERT INTO memberships (member, cell, kind, since, until, "
		"entry) VALUES (?, ?, 'temporary', ?, ?, ?)";
	static const char upd[] =
		"UPDATE temporaries SET state = 'accepted', accepted_by = ?, "
		"cell = ?, reported_on = ? WHERE id = ?";
	const char *cell = str(c->b, "cell"), *on = str(c->b, "reported_on");
	struct temporary t;
	struct org o;
	sqlite3_stmt *s;
	cb_err rc = temporary_named(c, "an acceptance", &t);

	if (rc)
		return rc;
	if (strcmp(t.state, "issued"))
		return reject(c,
		              "temporary transfer %.12s was already accepted "
		              "by entry %.12s",
		              str(c->b, "temporary"), t.accepted_by);
	if ((rc = org_writable(c, cell, "cell", &o)))
		return rc;
	if (strcmp(o.parent, t.to_org))
		return reject(c, "cell '%s' is not a cell of '%s'", cell,
		              t.to_org);
	if (strcmp(on, t.since) < 0 || strcmp(on, t.until) >= 0)
		return reject(c,
		              "reported on %s, outside the letter's %s to %s",
		              on, t.since, t.until);
	if ((rc = not_future(c, "report date", on)))
		return rc;
	if (!(s = cb_store_stmt(c->st, stay, c->eb)))
		return CB_EIO;
	cb_bind_id(s, 1, t.member);
	cb_bind_text(s, 2, cell);
	cb_bind_text(s, 3, on);
	cb_bind_text(s, 4, t.until);
	sqlite3_bind_blob(s, 5, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	if ((rc = cb_store_step_done(c->st, s, c->eb)))
		return rc;
	if (!(s = cb_store_stmt(c->st, upd, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, c->id);
	cb_bind_text(s, 2, cell);
	cb_bind_text(s, 3, on);
	cb_bind_text(s, 4, str(c->b, "temporary"));
	return cb_store_step_done(c->st, s, c->eb);
}

/* The receiver ends a temporary stay before the letter's end. */
static cb_err
apply_member_temporary_end(struct ctx *c)
{
	static const char stay[] =
		"UPDATE memberships SET until = ? WHERE entry = ? AND kind = "
		"'temporary'";
	static const char upd[] = "UPDATE temporaries SET ended_by = ?, "
				  "ended_on = ? WHERE id = ?";
	const char *on = str(c->b, "on"), *id = str(c->b, "temporary");
	unsigned char accepted[CB_HASH_BYTES];
	struct temporary t;
	sqlite3_stmt *s;
	cb_err rc = temporary_named(c, "an ending", &t);

	if (rc)
		return rc;
	if (strcmp(t.state, "accepted"))
		return reject(c, "temporary transfer %.12s was not accepted",
		              id);
	if (t.ended_by[0])
		return reject(c,
		              "temporary transfer %.12s already ended on %s "
		              "(entry %.12s)",
		              id, t.ended_on, t.ended_by);
	if (strcmp(on, t.reported_on) < 0 || strcmp(on, t.until) >= 0)
		return reject(c, "ended on %s: the stay runs from %s to %s", on,
		              t.reported_on, t.until);
	if ((rc = not_future(c, "end date", on)))
		return rc;
	if (cb_hex_decode(t.accepted_by, accepted, sizeof(accepted), NULL))
		return reject(c, "temporary transfer %.12s has no acceptance",
		              id);
	if (!(s = cb_store_stmt(c->st, stay, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, on);
	sqlite3_bind_blob(s, 2, accepted, CB_HASH_BYTES, SQLITE_TRANSIENT);
	if ((rc = cb_store_step_done(c->st, s, c->eb)))
		return rc;
	if (!(s = cb_store_stmt(c->st, upd, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, c->id);
	cb_bind_text(s, 2, on);
	cb_bind_text(s, 3, id);
	return cb_store_step_done(c->st, s, c->eb);
}

/* --- admission candidates -------------------------------------------- */

struct candidate {
	char cell[CB_CODE_MAX + 1];
	char org[CB_CODE_MAX + 1];
	char state[16];
	bool helped; /* both helpers assigned */
};

/* The candidate, in a cell of an organisation the author owns. */
static cb_err
candidate_writable(struct ctx *c, const char *id, struct candidate *k)
{
	static const char sql[] =
		"SELECT cell, org, state, helper1 IS NOT NULL AND helper2 IS "
		"NOT NULL FROM candidates WHERE id = ?";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);
	struct org o;
	cb_err rc;
	int r;

	if (!s)
		return CB_EIO;
	cb_bind_text(s, 1, id);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		snprintf(k->cell, sizeof(k->cell), "%s",
		         sqlite3_column_text(s, 0));
		snprintf(k->org, sizeof(k->org), "%s",
		         sqlite3_column_text(s, 1));
		snprintf(k->state, sizeof(k->state), "%s",
		         sqlite3_column_text(s, 2));
		k->helped = sqlite3_column_int(s, 3);
	}
	sqlite3_reset(s);
	if (r == SQLITE_DONE)
		return reject(c, "no candidate %.12s", id);
	if (r != SQLITE_ROW)
		return cb_store_error(c->st, c->eb, "cannot read candidates");
	rc = org_get(c, k->org, &o);
	if (rc && rc != CB_ENOTFOUND)
		return rc;
	if (rc || !o.owned)
		return out_of_scope(c,
		                    "candidate %.12s belongs to another "
		                    "organisation's key",
		                    id);
	if (strcmp(k->state, "candidate"))
		return reject(c, "candidate %.12s was already admitted", id);
	return CB_OK;
}

static cb_err
apply_candidate_add(struct ctx *c)
{
	static const char sql[] =
		"INSERT INTO candidates (id, full_name, name_fold, birth_date, "
		"sex, national_id, cell, org, state, entry) VALUES (?, ?, ?, "
		"?, "
		"?, ?, ?, ?, 'candidate', ?)";
	const char *cell = str(c->b, "cell");
	struct org o;
	sqlite3_stmt *s;
	char *fold = NULL;
	cb_err rc = org_writable(c, cell, "cell", &o);

	if (rc)
		return rc;
	if ((rc = not_future(c, "birth date", str(c->b, "birth_date"))))
		return rc;
	if (cb_text_fold(str(c->b, "full_name"), &fold, c->eb))
		return CB_EINVAL;
	if (!(s = cb_store_stmt(c->st, sql, c->eb))) {
		free(fold);
		return CB_EIO;
	}
	cb_bind_text(s, 1, c->id);
	cb_bind_text(s, 2, str(c->b, "full_name"));
	cb_bind_text(s, 3, fold);
	cb_bind_text(s, 4, str(c->b, "birth_date"));
	cb_bind_text(s, 5, str(c->b, "sex"));
	cb_bind_text(s, 6, str(c->b, "national_id"));
	cb_bind_text(s, 7, cell);
	cb_bind_text(s, 8, o.parent);
	sqlite3_bind_blob(s, 9, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	rc = cb_store_step_done(c->st, s, c->eb);
	free(fold);
	return rc;
}

static cb_err
apply_candidate_helpers(struct ctx *c)
{
	static const char sql[] =
		"UPDATE candidates SET helper1 = ?, helper2 = ?, entry = ? "
		"WHERE id = ?";
	const char *id = str(c->b, "candidate");
	const char *h[2] = { str(c->b, "helper1"), str(c->b, "helper2") };
	struct candidate k;
	sqlite3_stmt *s;
	cb_err rc = candidate_writable(c, id, &k);

	if (rc)
		return rc;
	if (!strcmp(h[0], h[1]))
		return reject(c, "the two helpers must be two members");
	for (int i = 0; i < 2; i++) {
		json_t *m = NULL;
		int owned;

		if ((rc = member_get(c, h[i], &m, &owned)))
			return rc == CB_ENOTFOUND
			               ? reject(c, "no member %.12s", h[i])
			               : rc;
		rc = strcmp(str(m, "status"), "official") ||
		                     strcmp(str(m, "org"), k.org)
		             ? reject(c,
		                      "helper %.12s is not an official member "
		                      "of '%s'",
		                      h[i], k.org)
		             : CB_OK;
		json_decref(m);
		if (rc)
			return rc;
	}
	if (!(s = cb_store_stmt(c->st, sql, c->eb)))
		return CB_EIO;
	cb_bind_id(s, 1, h[0]);
	cb_bind_id(s, 2, h[1]);
	sqlite3_bind_blob(s, 3, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	cb_bind_text(s, 4, id);
	return cb_store_step_done(c->st, s, c->eb);
}

static cb_err
apply_candidate_move(struct ctx *c)
{
	static const char sql[] =
		"UPDATE candidates SET cell = ?, entry = ? WHERE id = ?";
	const char *id = str(c->b, "candidate"), *cell = str(c->b, "cell");
	struct candidate k;
	struct org o;
	sqlite3_stmt *s;
	cb_err rc = candidate_writable(c, id, &k);

	if (rc)
		return rc;
	if ((rc = org_writable(c, cell, "cell", &o)))
		return rc;
	if (strcmp(o.parent, k.org))
		return reject(c, "cell '%s' is not in '%s'", cell, k.org);
	if (!strcmp(cell, k.cell))
		return reject(c, "candidate %.12s is already in cell '%s'", id,
		              cell);
	if (!(s = cb_store_stmt(c->st, sql, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, cell);
	sqlite3_bind_blob(s, 2, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	cb_bind_text(s, 3, id);
	return cb_store_step_done(c->st, s, c->eb);
}

/* Admitted: a probationary member whose id is the candidate's. */
static cb_err
apply_candidate_admit(struct ctx *c)
{
	static const char get[] =
		"SELECT full_name, birth_date, sex, national_id FROM "
		"candidates WHERE id = ?";
	static const char upd[] =
		"UPDATE candidates SET state = 'admitted', admitted_on = ?, "
		"entry = ? WHERE id = ?";
	const char *id = str(c->b, "candidate");
	const char *on = str(c->b, "admitted_on");
	struct candidate k;
	sqlite3_stmt *s;
	json_t *m;
	cb_err rc = candidate_writable(c, id, &k);

	if (rc)
		return rc;
	if (!k.helped)
		return reject(c, "candidate %.12s has no two helpers assigned",
		              id);
	if ((rc = not_future(c, "admission date", on)))
		return rc;
	if (!(s = cb_store_stmt(c->st, get, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return cb_store_error(c->st, c->eb, "cannot read candidates");
	}
	m = json_object();
	for (int i = 0; member_cols[i]; i++)
		json_object_set_new(m, member_cols[i], json_null());
	json_object_set_new(
		m, "full_name",
		json_string((const char *)sqlite3_column_text(s, 0)));
	json_object_set_new(
		m, "birth_date",
		json_string((const char *)sqlite3_column_text(s, 1)));
	json_object_set_new(
		m, "sex", json_string((const char *)sqlite3_column_text(s, 2)));
	if (sqlite3_column_type(s, 3) != SQLITE_NULL)
		json_object_set_new(
			m, "national_id",
			json_string((const char *)sqlite3_column_text(s, 3)));
	sqlite3_reset(s);
	json_object_set_new(m, "admitted_on", json_string(on));
	json_object_set_new(m, "status", json_string("probationary"));
	json_object_set_new(m, "cell", json_string(k.cell));
	json_object_set_new(m, "org", json_string(k.org));
	if (str(c->b, "card_no"))
		json_object_set_new(m, "card_no",
		                    json_string(str(c->b, "card_no")));
	rc = member_validate(c, m);
	if (!rc)
		rc = member_save(c, id, m, true);
	if (!rc)
		rc = membership_open(c, id, k.cell, "official", on);
	json_decref(m);
	if (rc)
		return rc;
	if (!(s = cb_store_stmt(c->st, upd, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, on);
	sqlite3_bind_blob(s, 2, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	cb_bind_text(s, 3, id);
	return cb_store_step_done(c->st, s, c->eb);
}

/* --- dissolving a cell ------------------------------------------------ */

struct plan {
	char cell[CB_CODE_MAX + 1];
	char org[CB_CODE_MAX + 1];
	char state[16];
	char approved_by[CB_HASH_HEX];
	char planned_on[11];
};

/* The plan an approval or a decision follows: in its deps, applied. */
static cb_err
plan_named(struct ctx *c, const char *what, struct plan *p)
{
	static const char sql[] =
		"SELECT cell, org, state, coalesce(approved_by, ''), "
		"planned_on FROM dissolutions WHERE plan = ?";
	const struct col cols[] = {
		{ p->cell, sizeof(p->cell) },
		{ p->org, sizeof(p->org) },
		{ p->state, sizeof(p->state) },
		{ p->approved_by, sizeof(p->approved_by) },
		{ p->planned_on, sizeof(p->planned_on) },
	};

	return row_named(c, what, "plan", "plan", sql,
	                 "cannot read dissolutions", cols,
	                 sizeof(cols) / sizeof(cols[0]));
}

static cb_err
apply_cell_dissolve_plan(struct ctx *c)
{
	static const char open_plan[] =
		"SELECT plan FROM dissolutions WHERE cell = ? AND state <> "
		"'dissolved'";
	static const char ins[] = "INSERT INTO dissolutions (plan, cell, org, "
				  "reason, planned_on, "
				  "state) VALUES (?, ?, ?, ?, ?, 'planned')";
	const char *cell = str(c->b, "cell"), *on = str(c->b, "on");
	struct org o;
	sqlite3_stmt *s;
	cb_err rc = org_writable(c, cell, "cell", &o);

	if (rc)
		return rc;
	if ((rc = not_future(c, "plan date", on)))
		return rc;
	if (!(s = cb_store_stmt(c->st, open_plan, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, cell);
	if (sqlite3_step(s) == SQLITE_ROW) {
		char other[CB_HASH_HEX];

		snprintf(other, sizeof(other), "%s", sqlite3_column_text(s, 0));
		sqlite3_reset(s);
		return reject(c,
		              "cell '%s' already has a plan to dissolve it "
		              "(%.12s)",
		              cell, other);
	}
	sqlite3_reset(s);
	if (!(s = cb_store_stmt(c->st, ins, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, c->id);
	cb_bind_text(s, 2, cell);
	cb_bind_text(s, 3, o.parent);
	cb_bind_text(s, 4, str(c->b, "reason"));
	cb_bind_text(s, 5, on);
	return cb_store_step_done(c->st, s, c->eb);
}

/* Is the author the office of a committee above org: a key enrolled with
 * the district role for one of org's ancestors? (Enrolment, not its
 * revocation, which another replica may not hold yet.) */
static cb_err
office_above(struct ctx *c, const char *org, bool *yes)
{
	static const char sql[] =
		"WITH RECURSIVE up(code) AS (SELECT parent FROM orgs WHERE "
		"code "
		"= ?1 UNION SELECT o.parent FROM orgs o JOIN up ON o.code = "
		"up.code WHERE o.parent IS NOT NULL) SELECT 1 FROM enrolments "
		"WHERE key = ?2 AND role = 'district' AND org IN up";
	char key[2 * CB_KEY_BYTES + 1];
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_hex_encode(c->e->author, CB_KEY_BYTES, key);
	cb_bind_text(s, 1, org);
	cb_bind_text(s, 2, key);
	r = sqlite3_step(s);
	sqlite3_reset(s);
	*yes = r == SQLITE_ROW;
	return r == SQLITE_ROW || r == SQLITE_DONE
	               ? CB_OK
	               : cb_store_error(c->st, c->eb, "cannot read enrolments");
}

static cb_err
apply_cell_dissolve_approve(struct ctx *c)
{
	static const char upd[] =
		"UPDATE dissolutions SET state = 'approved', approved_by = ?, "
		"approval_no = ?, approved_on = ? WHERE plan = ?";
	const char *on = str(c->b, "on");
	struct plan p;
	sqlite3_stmt *s;
	bool yes;
	cb_err rc = plan_named(c, "an approval", &p);

	if (rc)
		return rc;
	if ((rc = office_above(c, p.org, &yes)))
		return rc;
	if (!yes)
		return out_of_scope(c,
		                    "only the office of a committee above '%s' "
		                    "approves the dissolution of its cells",
		                    p.org);
	if (strcmp(p.state, "planned"))
		return reject(c, "the plan to dissolve '%s' is already %s",
		              p.cell, p.state);
	if (strcmp(on, p.planned_on) < 0)
		return reject(c, "approved on %s, before the plan of %s", on,
		              p.planned_on);
	if ((rc = not_future(c, "approval date", on)))
		return rc;
	if (!(s = cb_store_stmt(c->st, upd, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, c->id);
	cb_bind_text(s, 2, str(c->b, "decision_no"));
	cb_bind_text(s, 3, on);
	cb_bind_text(s, 4, str(c->b, "plan"));
	return cb_store_step_done(c->st, s, c->eb);
}

static cb_err
apply_cell_dissolve(struct ctx *c)
{
	static const char releases[] =
		"SELECT release, coalesce(closed_by, '') FROM transfers WHERE "
		"from_cell = ? AND author = ?";
	static const char members[] =
		"SELECT count(*) FROM memberships WHERE cell = ?1 AND (until "
		"IS NULL OR (kind = 'temporary' AND until > ?2))";
	static const char candidates[] =
		"SELECT count(*) FROM candidates WHERE cell = ? AND state = "
		"'candidate'";
	static const char close_cell[] =
		"UPDATE orgs SET state = 'closed', entry = ? WHERE code = ?";
	static const char done[] =
		"UPDATE dissolutions SET state = 'dissolved', decision = ?, "
		"dissolved_on = ? WHERE plan = ?";
	const char *on = str(c->b, "on");
	struct plan p;
	struct org o;
	sqlite3_stmt *s;
	long long n = 0;
	cb_err rc = plan_named(c, "a decision", &p);

	if (rc)
		return rc;
	if ((rc = org_writable(c, p.cell, "cell", &o)))
		return rc;
	/* What this entry sees: the approval it names, and the answer to
	 * every release out of the cell. */
	if (strcmp(p.state, "approved") || !in_deps(c->e, p.approved_by))
		return reject(c,
		              "the plan to dissolve '%s' is not approved "
		              "(the decision must name the approval)",
		              p.cell);
	if (!(s = cb_store_stmt(c->st, releases, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, p.cell);
	sqlite3_bind_blob(s, 2, c->e->author, CB_KEY_BYTES, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *closed = (const char *)sqlite3_column_text(s, 1);

		if (!closed[0] || !in_deps(c->e, closed)) {
			char rel[CB_HASH_HEX];

			snprintf(rel, sizeof(rel), "%s",
			         sqlite3_column_text(s, 0));
			sqlite3_reset(s);
			return reject(c,
			              "a transfer out of '%s' is in flight "
			              "(release %.12s)",
			              p.cell, rel);
		}
	}
	sqlite3_reset(s);
	if (!(s = cb_store_stmt(c->st, members, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, p.cell);
	cb_bind_text(s, 2, on);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (n)
		return reject(c,
		              "cell '%s' still has %lld member%s; move them "
		              "first",
		              p.cell, n, n == 1 ? "" : "s");
	if (!(s = cb_store_stmt(c->st, candidates, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, p.cell);
	n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (n)
		return reject(c,
		              "cell '%s' still has %lld admission candidate%s; "
		              "move them first",
		              p.cell, n, n == 1 ? "" : "s");
	if (strcmp(on, p.planned_on) < 0)
		return reject(c, "dissolved on %s, before the plan of %s", on,
		              p.planned_on);
	if ((rc = not_future(c, "dissolution date", on)))
		return rc;
	if (!(s = cb_store_stmt(c->st, close_cell, c->eb)))
		return CB_EIO;
	sqlite3_bind_blob(s, 1, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	cb_bind_text(s, 2, p.cell);
	if ((rc = cb_store_step_done(c->st, s, c->eb)))
		return rc;
	if (!(s = cb_store_stmt(c->st, done, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, c->id);
	cb_bind_text(s, 2, on);
	cb_bind_text(s, 3, str(c->b, "plan"));
	return cb_store_step_done(c->st, s, c->eb);
}

/* A committee's office replica begins with office.init: a key enrolled
 * for another organisation, or not with the district role, may not. */
static cb_err
apply_office_init(struct ctx *c)
{
	static const char sql[] =
		"SELECT org, role FROM enrolments WHERE key = ?";
	const char *code = str(c->b, "code");
	char key[2 * CB_KEY_BYTES + 1];
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);
	cb_err rc = CB_OK;
	int r;

	if (!s)
		return CB_EIO;
	cb_hex_encode(c->e->author, CB_KEY_BYTES, key);
	cb_bind_text(s, 1, key);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW &&
	    (strcmp((const char *)sqlite3_column_text(s, 0), code) ||
	     strcmp((const char *)sqlite3_column_text(s, 1), "district")))
		rc = CB_ESCOPE;
	sqlite3_reset(s);
	if (rc)
		return out_of_scope(c,
		                    "office.init of '%s' by a key not enrolled "
		                    "as its office",
		                    code);
	return r == SQLITE_ROW || r == SQLITE_DONE
	               ? CB_OK
	               : cb_store_error(c->st, c->eb, "cannot read enrolments");
}

/* --- meetings -------------------------------------------------------- */

/* Was member in cell (officially or temporarily) on date? */
static cb_err
in_cell_on(struct ctx *c, const char *member, const char *cell,
           const char *date, bool *yes)
{
	static const char sql[] =
		"SELECT 1 FROM memberships WHERE member = ? AND cell = ? AND "
		"since <= ?3 AND (until IS NULL OR until > ?3) LIMIT 1";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_bind_id(s, 1, member);
	cb_bind_text(s, 2, cell);
	cb_bind_text(s, 3, date);
	r = sqlite3_step(s);
	sqlite3_reset(s);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return cb_store_error(c->st, c->eb, "cannot read memberships");
	*yes = r == SQLITE_ROW;
	return CB_OK;
}

static cb_err
apply_meeting_record(struct ctx *c)
{
	static const char find[] =
		"SELECT id, cell, versions FROM meetings WHERE entry = ?";
	static const char ins[] =
		"INSERT INTO meetings (cell, date, kind, duration_min, chair, "
		"clerk, observers, content, resolutions, rating, versions, "
		"entry, id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
		"ON CONFLICT (id) DO UPDATE SET cell = excluded.cell, "
		"date = excluded.date, kind = excluded.kind, "
		"duration_min = excluded.duration_min, chair = excluded.chair, "
		"clerk = excluded.clerk, observers = excluded.observers, "
		"content = excluded.content, "
		"resolutions = excluded.resolutions, rating = excluded.rating, "
		"versions = excluded.versions, entry = excluded.entry";
	static const char del_att[] =
		"DELETE FROM attendance WHERE meeting = ?";
	static const char ins_att[] =
		"INSERT INTO attendance (meeting, member, "
		"mark) VALUES (?, ?, ?)";
	const char *cell = str(c->b, "cell"), *date = str(c->b, "date");
	const char *sup = str(c->b, "supersedes"), *k;
	const json_t *att = json_object_get(c->b, "attendance");
	char mid[CB_HASH_HEX];
	const char *roles[2] = { "chair", "clerk" };
	int versions = 1;
	struct org o;
	sqlite3_stmt *s;
	json_t *v;
	char *obs;
	cb_err rc = org_writable(c, cell, "cell", &o);

	if (rc)
		return rc;
	if ((rc = not_future(c, "meeting date", date)))
		return rc;
	snprintf(mid, sizeof(mid), "%s", c->id);
	if (sup) {
		unsigned char h[CB_HASH_BYTES];

		if (cb_hex_decode(sup, h, sizeof(h), NULL))
			return reject(c, "supersedes is not an entry id");
		if (!(s = cb_store_stmt(c->st, find, c->eb)))
			return CB_EIO;
		sqlite3_bind_blob(s, 1, h, sizeof(h), SQLITE_TRANSIENT);
		if (sqlite3_step(s) != SQLITE_ROW) {
			sqlite3_reset(s);
			return reject(c,
			              "supersedes %.12s, which is not the "
			              "current record of a meeting",
			              sup);
		}
		snprintf(mid, sizeof(mid), "%s", sqlite3_column_text(s, 0));
		if (strcmp((const char *)sqlite3_column_text(s, 1), cell)) {
			sqlite3_reset(s);
			return reject(c,
			              "a correction cannot move a meeting to "
			              "another cell");
		}
		versions = sqlite3_column_int(s, 2) + 1;
		sqlite3_reset(s);
	}
	json_object_foreach((json_t *)att, k, v)
	{
		bool yes = false;

		if ((rc = in_cell_on(c, k, cell, date, &yes)))
			return rc;
		if (!yes)
			return reject(c,
			              "attendance names member %.12s, who was "
			              "not in cell '%s' on %s",
			              k, cell, date);
	}
	for (int i = 0; i < 2; i++) {
		const char *who = str(c->b, roles[i]);
		const char *mark = who ? str(att, who) : NULL;

		if (who && (!mark || strcmp(mark, "present") != 0))
			return reject(c, "the %s %.12s is not marked present",
			              roles[i], who);
	}
	obs = json_object_get(c->b, "observers")
	              ? json_dumps(json_object_get(c->b, "observers"),
	                           JSON_COMPACT | JSON_SORT_KEYS)
	              : NULL;
	if (!(s = cb_store_stmt(c->st, ins, c->eb))) {
		free(obs);
		return CB_EIO;
	}
	cb_bind_text(s, 1, cell);
	cb_bind_text(s, 2, date);
	cb_bind_text(s, 3, str(c->b, "kind"));
	sqlite3_bind_int64(
		s, 4,
		json_integer_value(json_object_get(c->b, "duration_min")));
	cb_bind_id(s, 5, str(c->b, "chair"));
	cb_bind_id(s, 6, str(c->b, "clerk"));
	cb_bind_text(s, 7, obs ? obs : "[]");
	cb_bind_text(s, 8, str(c->b, "content") ? str(c->b, "content") : "");
	cb_bind_text(s, 9,
	             str(c->b, "resolutions") ? str(c->b, "resolutions") : "");
	cb_bind_text(s, 10, str(c->b, "rating"));
	sqlite3_bind_int(s, 11, versions);
	sqlite3_bind_blob(s, 12, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	cb_bind_text(s, 13, mid);
	rc = cb_store_step_done(c->st, s, c->eb);
	free(obs);
	if (rc)
		return rc;
	if (!(s = cb_store_stmt(c->st, del_att, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, mid);
	if ((rc = cb_store_step_done(c->st, s, c->eb)))
		return rc;
	json_object_foreach((json_t *)att, k, v)
	{
		if (!(s = cb_store_stmt(c->st, ins_att, c->eb)))
			return CB_EIO;
		cb_bind_text(s, 1, mid);
		cb_bind_id(s, 2, k);
		cb_bind_text(s, 3, json_string_value(v));
		if ((rc = cb_store_step_done(c->st, s, c->eb)))
			return rc;
	}
	return CB_OK;
}

/* --- ratings --------------------------------------------------------- */

static const char *
level_of_score(json_int_t score)
{
	return score >= 90   ? "outstanding"
	       : score >= 70 ? "good"
	       : score >= 50 ? "completed"
	                     : "not-completed";
}

static cb_err
apply_rating_record(struct ctx *c)
{
	static const char sql[] =
		"INSERT INTO ratings (subject_kind, subject, period, stage, "
		"level, score, note, entry) VALUES (?,?,?,?,?,?,?,?) "
		"ON CONFLICT (subject_kind, subject, period, stage) DO UPDATE "
		"SET level = excluded.level, score = excluded.score, "
		"note = excluded.note, entry = excluded.entry";
	const char *kind = str(c->b, "subject_kind");
	const char *subject = str(c->b, "subject");
	const char *period = str(c->b, "period"), *level = str(c->b, "level");
	const json_t *score = json_object_get(c->b, "score");
	char start[11];
	sqlite3_stmt *s;
	cb_err rc;

	if (strcmp(kind, "member") == 0) {
		json_t *m = NULL;

		if ((rc = member_writable(c, subject, &m)))
			return rc;
		json_decref(m);
	} else {
		struct org o;

		if ((rc = org_writable(c, subject, NULL, &o)))
			return rc;
	}
	if (score && strcmp(level_of_score(json_integer_value(score)), level))
		return reject(c,
		              "a score of %" JSON_INTEGER_FORMAT " is rated "
		              "%s, not %s",
		              json_integer_value(score),
		              level_of_score(json_integer_value(score)), level);
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
		return reject(c, "period %s has not begun on %s", period,
		              c->today);
	if (!(s = cb_store_stmt(c->st, sql, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, kind);
	if (strcmp(kind, "member") == 0)
		cb_bind_id(s, 2, subject);
	else
		cb_bind_text(s, 2, subject);
	cb_bind_text(s, 3, period);
	cb_bind_text(s, 4, str(c->b, "stage"));
	cb_bind_text(s, 5, level);
	if (score)
		sqlite3_bind_int64(s, 6, json_integer_value(score));
	cb_bind_text(s, 7, str(c->b, "note"));
	sqlite3_bind_blob(s, 8, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	return cb_store_step_done(c->st, s, c->eb);
}

/* --- enrolment ------------------------------------------------------ */

/* Is the entry's author this store's authority (meta 'authority': the hub
 * key a hub was made with, or the one an agent was given at enrolment)?
 * That is configuration, not data: the trust anchor every rule of
 * enrolment starts from. */
static cb_err
by_authority(struct ctx *c, const char *what)
{
	char *auth = NULL, author[2 * CB_KEY_BYTES + 1];
	cb_err rc = cb_store_meta_get(c->st, "authority", &auth, NULL);
	bool ok;

	if (rc == CB_ENOTFOUND)
		return reject(c, "%s: this store knows no authority (hub key)",
		              what);
	if (rc)
		return cb_store_error(c->st, c->eb,
		                      "cannot read the authority");
	cb_hex_encode(c->e->author, CB_KEY_BYTES, author);
	ok = strcmp(auth, author) == 0;
	free(auth);
	if (!ok)
		return out_of_scope(c, "%s: only the hub's own key may do this",
		                    what);
	return CB_OK;
}

static cb_err
apply_hub_init(struct ctx *c)
{
	const char *code = str(c->b, "code");
	char kind[32];
	struct org o;
	cb_err rc;

	if ((rc = by_authority(c, "hub.init")))
		return rc;
	rc = org_get(c, code, &o);
	if (rc == CB_OK)
		return reject(c, "organisation '%s' already exists", code);
	if (rc != CB_ENOTFOUND)
		return rc;
	snprintf(kind, sizeof(kind), "%s-committee", str(c->b, "level"));
	return org_insert(c, code, str(c->b, "parent"), "committee", kind,
	                  str(c->b, "name"), NULL);
}

/* A public holiday added by the authority (the yearly decisions). */
static cb_err
apply_calendar_holiday(struct ctx *c)
{
	static const char sql[] =
		"INSERT INTO holidays (date, name, entry) VALUES (?, ?, ?)";
	const char *date = str(c->b, "date");
	sqlite3_stmt *s;
	cb_err rc;

	if ((rc = by_authority(c, "calendar.holiday")))
		return rc;
	if (!(s = cb_store_stmt(c->st,
	                        "SELECT name FROM holidays WHERE date "
	                        "= ?",
	                        c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, date);
	rc = sqlite3_step(s) == SQLITE_ROW ? CB_EEXIST : CB_OK;
	sqlite3_reset(s);
	if (rc)
		return reject(c, "%s is already a holiday", date);
	if (!(s = cb_store_stmt(c->st, sql, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, date);
	cb_bind_text(s, 2, str(c->b, "name"));
	sqlite3_bind_blob(s, 3, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	return cb_store_step_done(c->st, s, c->eb);
}

/* Reads the enrolment of key: CB_ENOTFOUND, or CB_OK with revoked set. */
static cb_err
enrolment_get(struct ctx *c, const char *key, bool *revoked, char org[65])
{
	static const char sql[] = "SELECT org, revoked_by IS NOT NULL FROM "
				  "enrolments WHERE key = ?";
	sqlite3_stmt *s = cb_store_stmt(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_bind_text(s, 1, key);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW) {
		snprintf(org, 65, "%s", sqlite3_column_text(s, 0));
		*revoked = sqlite3_column_int(s, 1) != 0;
	}
	sqlite3_reset(s);
	if (r == SQLITE_DONE)
		return CB_ENOTFOUND;
	return r == SQLITE_ROW
	               ? CB_OK
	               : cb_store_error(c->st, c->eb, "cannot read enrolments");
}

static cb_err
apply_key_enroll(struct ctx *c)
{
	static const char sql[] = "INSERT INTO enrolments (key, org, role, "
				  "name, enrolled_on, entry) "
				  "VALUES (?, ?, ?, ?, ?, ?)";
	const char *key = str(c->b, "key");
	unsigned char raw[CB_KEY_BYTES];
	char org[65];
	bool revoked = false;
	sqlite3_stmt *s;
	cb_err rc;

	if ((rc = by_authority(c, "key.enroll")))
		return rc;
	if (cb_hex_decode(key, raw, sizeof(raw), NULL) ||
	    crypto_core_ed25519_is_valid_point(raw) != 1)
		return reject(c, "key %.12s is not an Ed25519 public key", key);
	rc = enrolment_get(c, key, &revoked, org);
	if (rc == CB_OK)
		return revoked ? reject(c,
		                        "key %.12s was revoked; a revoked key "
		                        "is never enrolled again: the office "
		                        "makes a new one",
		                        key)
		               : reject(c,
		                        "key %.12s is already enrolled for "
		                        "'%s'; revoke it first",
		                        key, org);
	if (rc != CB_ENOTFOUND)
		return rc;
	if (!(s = cb_store_stmt(c->st, sql, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, key);
	cb_bind_text(s, 2, str(c->b, "org"));
	cb_bind_text(s, 3, str(c->b, "role"));
	cb_bind_text(s, 4, str(c->b, "name"));
	cb_bind_text(s, 5, c->today);
	sqlite3_bind_blob(s, 6, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	return cb_store_step_done(c->st, s, c->eb);
}

static cb_err
apply_key_revoke(struct ctx *c)
{
	static const char sql[] = "UPDATE enrolments SET revoked_on = ?, "
				  "revoked_by = ?, reason = ? "
				  "WHERE key = ?";
	const char *key = str(c->b, "key");
	char org[65];
	bool revoked = false;
	sqlite3_stmt *s;
	cb_err rc;

	if ((rc = by_authority(c, "key.revoke")))
		return rc;
	rc = enrolment_get(c, key, &revoked, org);
	if (rc == CB_ENOTFOUND)
		return reject(c, "key %.12s is not enrolled", key);
	if (rc)
		return rc;
	if (revoked)
		return reject(c, "key %.12s is already revoked", key);
	if (!(s = cb_store_stmt(c->st, sql, c->eb)))
		return CB_EIO;
	cb_bind_text(s, 1, c->today);
	sqlite3_bind_blob(s, 2, c->e->id, CB_HASH_BYTES, SQLITE_STATIC);
	cb_bind_text(s, 3, str(c->b, "reason"));
	cb_bind_text(s, 4, key);
	return cb_store_step_done(c->st, s, c->eb);
}

/* --- dispatch -------------------------------------------------------- */

/* Does op decide every rejection before its first write, each write one
 * statement that cannot leave half a row? Then a rejection leaves nothing
 * to undo, and its entry needs no savepoint (any other error ends the
 * caller's transaction, as it does anyway). A savepoint costs a copy of
 * every page the entry changes (the undo): for a hub taking in
 * member.adds, about a tenth of its time (docs/PERFORMANCE.md). */
static bool
rejects_before_writing(const char *op)
{
	return !strcmp(op, "member.add");
}

static const struct {
	const char *op;
	cb_err (*apply)(struct ctx *);
} appliers[] = {
	{ "org.init", apply_org_init },
	{ "cell.create", apply_cell_create },
	{ "cell.rename", apply_cell_rename },
	{ "org.congress", apply_org_congress },
	{ "member.add", apply_member_add },
	{ "member.update", apply_member_update },
	{ "member.status", apply_member_status },
	{ "member.move", apply_member_move },
	{ "member.release", apply_member_release },
	{ "member.accept", apply_member_accept },
	{ "member.decline", apply_member_decline },
	{ "member.strike_off", apply_member_strike_off },
	{ "member.temporary", apply_member_temporary },
	{ "member.temporary_accept", apply_member_temporary_accept },
	{ "member.temporary_end", apply_member_temporary_end },
	{ "meeting.record", apply_meeting_record },
	{ "rating.record", apply_rating_record },
	{ "hub.init", apply_hub_init },
	{ "key.enroll", apply_key_enroll },
	{ "key.revoke", apply_key_revoke },
	{ "calendar.holiday", apply_calendar_holiday },
	{ "cell.dissolve_plan", apply_cell_dissolve_plan },
	{ "cell.dissolve_approve", apply_cell_dissolve_approve },
	{ "cell.dissolve", apply_cell_dissolve },
	{ "office.init", apply_office_init },
	{ "candidate.add", apply_candidate_add },
	{ "candidate.helpers", apply_candidate_helpers },
	{ "candidate.move", apply_candidate_move },
	{ "candidate.admit", apply_candidate_admit },
};

/* The state of the entry id in the log, outside fork evidence: NULL if
 * not held. */
static cb_err
state_of(struct cb_store *st, const unsigned char *id, char out[16],
         struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT state FROM entries WHERE id = ? AND "
				  "(reason IS NULL OR reason NOT LIKE "
				  "'fork:%')";
	sqlite3_stmt *s = cb_store_stmt(st, sql, eb);
	int r;

	if (!s)
		return CB_EIO;
	sqlite3_bind_blob(s, 1, id, CB_HASH_BYTES, SQLITE_STATIC);
	r = sqlite3_step(s);
	out[0] = 0;
	if (r == SQLITE_ROW)
		snprintf(out, 16, "%s", sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return r == SQLITE_ROW || r == SQLITE_DONE
	               ? CB_OK
	               : cb_store_error(st, eb, "cannot read the log");
}

/* May e be judged now? It waits (CB_EPENDING) while one of its deps is
 * not held or pending, or while its previous entry is held and pending:
 * what it says is judged after what it names. */
static cb_err
ready(struct cb_store *st, const struct cb_entry *e, struct cb_errbuf *eb)
{
	char state[16];
	cb_err rc;

	for (size_t i = 0; i < e->ndeps; i++) {
		char h[13];

		if ((rc = state_of(st, e->deps[i], state, eb)))
			return rc;
		if (!state[0] || !strcmp(state, "pending")) {
			cb_hash_short(e->deps[i], h);
			return cb_error(
				eb, CB_EPENDING, "waits for entry %s, %s", h,
				state[0] ? "itself waiting" : "not held here");
		}
	}
	if (e->seq > 1) {
		if ((rc = state_of(st, e->prev, state, eb)))
			return rc;
		if (!strcmp(state, "pending"))
			return cb_error(eb, CB_EPENDING,
			                "waits for its author's entry %" PRIu64,
			                e->seq - 1);
	}
	return CB_OK;
}

cb_err
cb_project_entry(struct cb_store *st, const struct cb_entry *e,
                 struct cb_errbuf *eb)
{
	struct ctx c = { .st = st, .e = e, .b = e->json, .eb = eb };
	size_t i;
	cb_err rc;

	if (cb_ops_check(e->op, e->json, eb))
		return CB_ERULE;
	if ((rc = ready(st, e, eb)))
		return rc;
	cb_hash_hex(e->id, c.id);
	cb_project_date_of(e->time_ms, c.today);
	for (i = 0; i < sizeof(appliers) / sizeof(appliers[0]); i++) {
		if (strcmp(appliers[i].op, e->op) == 0)
			break;
	}
	if (i == sizeof(appliers) / sizeof(appliers[0]))
		return CB_ERULE;
	if (rejects_before_writing(e->op)) {
		rc = appliers[i].apply(&c);
		return rc == CB_EINVAL ? CB_ERULE : rc;
	}
	if ((rc = cb_store_run(st, "SAVEPOINT project", eb)))
		return rc;
	rc = appliers[i].apply(&c);
	if (rc) {
		/* keep the rejection's message: no eb for the rollback */
		if (cb_store_run(st, "ROLLBACK TO project", NULL) ||
		    cb_store_run(st, "RELEASE project", NULL))
			return CB_EIO;
		return rc == CB_EINVAL ? CB_ERULE : rc;
	}
	return cb_store_run(st, "RELEASE project", eb);
}

static const char *const tables[] = {
	"SELECT * FROM orgs ORDER BY code",
	"SELECT * FROM congresses ORDER BY org, term",
	"SELECT * FROM members ORDER BY id",
	"SELECT * FROM memberships ORDER BY member, entry",
	"SELECT * FROM meetings ORDER BY id",
	"SELECT * FROM attendance ORDER BY meeting, member",
	"SELECT * FROM ratings ORDER BY subject_kind, subject, period, stage",
	"SELECT * FROM enrolments ORDER BY key",
	"SELECT * FROM transfers ORDER BY release",
	"SELECT * FROM holidays ORDER BY date",
	"SELECT * FROM dissolutions ORDER BY plan",
	"SELECT * FROM candidates ORDER BY id",
	"SELECT * FROM temporaries ORDER BY id",
	"SELECT id, state, reason FROM entries ORDER BY id",
};

cb_err
cb_project_reset(struct cb_store *st, struct cb_errbuf *eb)
{
	return cb_store_exec(st,
	                     "DELETE FROM orgs; DELETE FROM congresses;"
	                     "DELETE FROM members; DELETE FROM memberships;"
	                     "DELETE FROM meetings; DELETE FROM attendance;"
	                     "DELETE FROM ratings; DELETE FROM enrolments;"
	                     "DELETE FROM transfers;"
	                     "DELETE FROM holidays WHERE entry IS NOT NULL;"
	                     "DELETE FROM dissolutions;"
	                     "DELETE FROM candidates;"
	                     "DELETE FROM temporaries;"
	                     "UPDATE entries SET state = 'pending', "
	                     "reason = NULL WHERE reason IS NULL OR "
	                     "reason NOT LIKE 'fork:%';",
	                     eb);
}

cb_err
cb_project_digest(struct cb_store *st, unsigned char out[32],
                  struct cb_errbuf *eb)
{
	return cb_project_digest_over(
		st, tables, sizeof(tables) / sizeof(tables[0]), NULL, out, eb);
}

cb_err
cb_project_digest_over(struct cb_store *st, const char *const *queries,
                       size_t nq, const char *param, unsigned char out[32],
                       struct cb_errbuf *eb)
{
	crypto_hash_sha256_state h;

	crypto_hash_sha256_init(&h);
	for (size_t t = 0; t < nq; t++) {
		sqlite3_stmt *s = NULL;
		int r;

		if (sqlite3_prepare_v2(cb_store_db(st), queries[t], -1, &s,
		                       NULL) != SQLITE_OK)
			return cb_store_error(st, eb, "cannot digest tables");
		if (param && sqlite3_bind_parameter_index(s, ":root") > 0)
			sqlite3_bind_text(
				s, sqlite3_bind_parameter_index(s, ":root"),
				param, -1, SQLITE_STATIC);
		crypto_hash_sha256_update(&h, (const unsigned char *)queries[t],
		                          strlen(queries[t]) + 1);
		while ((r = sqlite3_step(s)) == SQLITE_ROW) {
			for (int i = 0; i < sqlite3_column_count(s); i++) {
				unsigned char tag[5];
				int type = sqlite3_column_type(s, i);
				const void *p =
					type == SQLITE_BLOB
						? sqlite3_column_blob(s, i)
						: (const void *)
							  sqlite3_column_text(
								  s, i);
				int n = sqlite3_column_bytes(s, i);

				tag[0] = (unsigned char)type;
				for (int k = 0; k < 4; k++)
					tag[1 + k] =
						(unsigned char)(n >>
					                        (24 - 8 * k));
				crypto_hash_sha256_update(&h, tag, sizeof(tag));
				if (n > 0)
					crypto_hash_sha256_update(&h, p,
					                          (size_t)n);
			}
		}
		sqlite3_finalize(s);
		if (r != SQLITE_DONE)
			return cb_store_error(st, eb, "cannot digest tables");
	}
	crypto_hash_sha256_final(&h, out);
	return CB_OK;
}

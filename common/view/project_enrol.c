/* SPDX-License-Identifier: MIT */
/* project_enrol.c — the projection (project.h) of the authority's entries:
 * the hub's committee (hub.init), enrolments and revocations, public
 * holidays, and an office's first entry. */
#include "project_int.h"
#include "sql.h"

#include <sodium.h>

#include "calendar.h"
#include "enrolments.h"

/* Is key one of this store's authorities: meta 'authority' (the hub key
 * a hub was made with, or the one an agent was given at enrolment) — that
 * is configuration, not data: the trust anchor every rule of enrolment
 * starts from — or a key an authority named in a hub.join (the chain of
 * authority above a hub that joined a higher one)? CB_ENOTFOUND: the
 * store knows no authority. */
static cb_err
key_is_authority(struct cb_apply *c, const char *key, bool *yes)
{
	char *auth = NULL;
	cb_err rc = cb_store_meta_get(c->st, "authority", &auth, NULL);

	if (rc == CB_ENOTFOUND)
		return rc;
	if (rc)
		return cb_store_error(c->st, c->eb,
		                      "cannot read the authority");
	*yes = strcmp(auth, key) == 0;
	free(auth);
	if (*yes)
		return CB_OK;
	return cb_enrolments_is_authority(c->st, key, yes, c->eb);
}

/* Is the entry's author one of this store's authorities? */
static cb_err
is_authority(struct cb_apply *c, bool *yes)
{
	char author[2 * CB_KEY_BYTES + 1];

	cb_hex_encode(c->e->author, CB_KEY_BYTES, author);
	return key_is_authority(c, author, yes);
}

static cb_err
by_authority(struct cb_apply *c, const char *what)
{
	bool yes = false;
	cb_err rc = is_authority(c, &yes);

	if (rc == CB_ENOTFOUND)
		return pj_reject(
			c, _("%s: this store knows no authority (hub key)"),
			what);
	if (rc)
		return rc;
	if (!yes)
		return pj_out_of_scope(
			c, _("%s: only the hub's own key may do this"), what);
	return CB_OK;
}

cb_err
pj_enrolment_of(struct cb_apply *c, const char *key, struct pj_enrolment *en)
{
	static const char sql[] =
		"SELECT org, role, coalesce(parent, ''), revoked_by IS NOT "
		"NULL, coalesce(enrolled_by, '') FROM enrolments WHERE key = "
		"?";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, key);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW) {
		snprintf(en->org, sizeof(en->org), "%s",
		         cb_sql_column_text(s, 0));
		snprintf(en->role, sizeof(en->role), "%s",
		         cb_sql_column_text(s, 1));
		snprintf(en->parent, sizeof(en->parent), "%s",
		         cb_sql_column_text(s, 2));
		en->revoked = cb_sql_column_int64(s, 3) != 0;
		snprintf(en->by, sizeof(en->by), "%s",
		         cb_sql_column_text(s, 4));
	}
	cb_sql_reset(s);
	if (r == CB_SQL_DONE)
		return CB_ENOTFOUND;
	return r == CB_SQL_ROW
	               ? CB_OK
	               : cb_store_error(c->st, c->eb, "cannot read enrolments");
}

cb_err
pj_author_enrolment(struct cb_apply *c, struct pj_enrolment *en)
{
	char author[2 * CB_KEY_BYTES + 1];

	cb_hex_encode(c->e->author, CB_KEY_BYTES, author);
	return pj_enrolment_of(c, author, en);
}

/* Is org root itself or under it, following the organisations' parents
 * as this store holds them? */
static cb_err
within(struct cb_apply *c, const char *org, const char *root, bool *yes)
{
	static const char sql[] =
		"WITH RECURSIVE up(code) AS (SELECT ?1 UNION SELECT o.parent "
		"FROM orgs o JOIN up ON o.code = up.code WHERE o.parent IS "
		"NOT NULL) SELECT 1 FROM up WHERE code = ?2";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, org);
	cb_sql_bind_text(s, 2, root);
	r = cb_sql_step(s);
	cb_sql_reset(s);
	*yes = r == CB_SQL_ROW;
	return r == CB_SQL_ROW || r == CB_SQL_DONE
	               ? CB_OK
	               : cb_store_error(c->st, c->eb,
	                                "cannot read organisations");
}

/* The chain of authority (docs/PROTOCOL.md): may the author enrol or
 * revoke a key for org, or found org as a hub's committee? The store's
 * authority may, anywhere. So may a key the authority — or a key itself
 * delegated so — enrolled with the role 'hub' for an organisation P, for
 * org inside P's subtree: an org this store holds, under P by its
 * parents; one not founded yet, P itself, or one placed (parent, the
 * enrolment's field) under P. Like pj_office_above, an enrolment counts
 * and not its revocation, which another store may not hold yet: a hub
 * refuses what a revoked key pushes at its door. */
cb_err
pj_delegated(struct cb_apply *c, const char *what, const char *org,
             const char *parent)
{
	struct pj_enrolment en;
	struct org o;
	bool yes = false;
	cb_err rc = is_authority(c, &yes);

	if (rc == CB_ENOTFOUND)
		return pj_reject(
			c, _("%s: this store knows no authority (hub key)"),
			what);
	if (rc || yes)
		return rc;
	rc = pj_author_enrolment(c, &en);
	if (rc == CB_ENOTFOUND || (!rc && strcmp(en.role, "hub")))
		return pj_out_of_scope(
			c,
			_("%s: only the hub's own key, or a hub "
		          "key delegated the organisation, may do "
		          "this"),
			what);
	if (rc)
		return rc;
	rc = pj_org_get(c, org, &o);
	if (rc == CB_OK)
		rc = within(c, org, en.org, &yes);
	else if (rc == CB_ENOTFOUND && !strcmp(org, en.org))
		rc = CB_OK, yes = true;
	else if (rc == CB_ENOTFOUND && parent && *parent)
		rc = within(c, parent, en.org, &yes);
	else if (rc == CB_ENOTFOUND)
		/* placed when it is founded: its org.init must then name
		 * a parent inside en.org (pj_placed_as_enrolled) */
		rc = CB_OK, yes = !strcmp(what, "key.enroll");
	if (rc)
		return rc;
	if (!yes)
		return pj_out_of_scope(
			c,
			_("%s for '%s' by a hub key delegated '%s' "
		          "only"),
			what, org, en.org);
	return CB_OK;
}

cb_err
pj_placed_as_enrolled(struct cb_apply *c, const char *what, const char *code,
                      const struct pj_enrolment *en)
{
	const char *parent = pj_str(c->b, "parent");
	struct pj_enrolment by;
	bool yes = false;
	cb_err rc;

	if (*en->parent) {
		if (parent && !strcmp(parent, en->parent))
			return CB_OK;
		return pj_out_of_scope(
			c,
			_("%s of '%s' under '%s', but its key is "
		          "enrolled under '%s'"),
			what, code, parent ? parent : "", en->parent);
	}
	/* Enrolled with no parent: by an authority, anywhere; by a hub key
	 * delegated an organisation, inside its subtree only. */
	if (!*en->by ||
	    (rc = key_is_authority(c, en->by, &yes)) == CB_ENOTFOUND)
		return CB_OK;
	if (rc || yes)
		return rc;
	rc = pj_enrolment_of(c, en->by, &by);
	if (rc == CB_ENOTFOUND || (!rc && strcmp(by.role, "hub")))
		return CB_OK; /* not a delegation: the enrolment's own rules */
	if (rc)
		return rc;
	if (parent && (rc = within(c, parent, by.org, &yes)))
		return rc;
	if (!parent || !yes)
		return pj_out_of_scope(c,
		                       _("%s of '%s' under '%s', but it was "
		                         "enrolled by a hub key delegated '%s' "
		                         "only"),
		                       what, code, parent ? parent : "",
		                       by.org);
	return CB_OK;
}

/* hub.init: the committee a hub serves, founded by the store's authority
 * or by a hub key enrolled for exactly that committee (a lower hub's
 * first entry, as a higher hub holds it). */
static cb_err
hub_init_by_its_hub(struct cb_apply *c, const char *code)
{
	struct pj_enrolment en;
	bool yes = false;
	cb_err rc = is_authority(c, &yes);

	if (rc == CB_ENOTFOUND)
		return pj_reject(
			c,
			_("hub.init: this store knows no authority (hub key)"));
	if (rc || yes)
		return rc;
	rc = pj_author_enrolment(c, &en);
	if (rc && rc != CB_ENOTFOUND)
		return rc;
	if (rc || strcmp(en.role, "hub") || strcmp(en.org, code))
		return pj_out_of_scope(c,
		                       _("hub.init of '%s': only the hub's own "
		                         "key, or a hub key enrolled for '%s', "
		                         "may do this"),
		                       code, code);
	return pj_placed_as_enrolled(c, "hub.init", code, &en);
}

cb_err
cb_apply_hub_init(struct cb_apply *c)
{
	const char *code = pj_str(c->b, "code");
	char kind[32];
	cb_err rc;

	if ((rc = hub_init_by_its_hub(c, code)) ||
	    (rc = pj_org_absent(c, code)))
		return rc;
	snprintf(kind, sizeof(kind), "%s-committee", pj_str(c->b, "level"));
	return pj_org_insert(c, code, pj_str(c->b, "parent"), "committee", kind,
	                     pj_str(c->b, "name"), NULL);
}

/* committee.found: a committee of the tree that has no hub of its own —
 * a district under a city's hub — founded by a hub over its parent
 * (the chain of authority, pj_delegated), under a committee this store
 * holds: never under a grassroots organisation, whose key would then read
 * the committee's subtree. */
cb_err
cb_apply_committee_found(struct cb_apply *c)
{
	const char *code = pj_str(c->b, "code");
	const char *parent = pj_str(c->b, "parent");
	char kind[32];
	struct org o;
	cb_err rc = pj_org_absent(c, code);

	if (rc)
		return rc;
	rc = pj_org_get(c, parent, &o);
	if (rc == CB_ENOTFOUND)
		return pj_reject(c, _("no committee '%s' to found '%s' under"),
		                 parent, code);
	if (rc)
		return rc;
	if (strcmp(o.level, "committee"))
		return pj_reject(c,
		                 _("'%s' is a %s, not a committee: '%s' cannot "
		                   "go under it"),
		                 parent, o.level, code);
	if ((rc = pj_delegated(c, "committee.found", code, parent)))
		return rc;
	if ((rc = pj_not_future(c, N_("founding date"),
	                        pj_str(c->b, "founded_on"))))
		return rc;
	snprintf(kind, sizeof(kind), "%s-committee", pj_str(c->b, "level"));
	return pj_org_insert(c, code, parent, "committee", kind,
	                     pj_str(c->b, "name"), pj_str(c->b, "founded_on"));
}

/* org.move: an organisation — a commune, or a committee with its
 * subtree — goes under another committee (2025: the districts abolished,
 * their communes under the provinces), by a hub over both where it was
 * and where it goes. Only its place changes: its records, its key and
 * its history stay. */
cb_err
cb_apply_org_move(struct cb_apply *c)
{
	static const char ins[] =
		"INSERT INTO org_moves (entry, org, from_parent, to_parent, "
		"moved_on) VALUES (?, ?, ?, ?, ?)";
	static const char upd[] = "UPDATE orgs SET parent = ? WHERE code = ?";
	const char *code = pj_str(c->b, "org"),
		   *parent = pj_str(c->b, "parent");
	struct org o, p;
	struct cb_stmt *s;
	bool below = false;
	cb_err rc = pj_org_get(c, code, &o);

	if (rc == CB_ENOTFOUND)
		return pj_reject(c, "no organisation '%s'", code);
	if (rc)
		return rc;
	if (!strcmp(o.level, "cell"))
		return pj_reject(c,
		                 "'%s' is a cell: a cell moves with its "
		                 "organisation",
		                 code);
	if (strcmp(o.state, "active"))
		return pj_reject(c, "'%s' is closed", code);
	rc = pj_org_get(c, parent, &p);
	if (rc == CB_ENOTFOUND)
		return pj_reject(c, "no committee '%s' to move '%s' under",
		                 parent, code);
	if (rc)
		return rc;
	if (strcmp(p.level, "committee"))
		return pj_reject(c,
		                 "'%s' is a %s, not a committee: '%s' cannot "
		                 "go under it",
		                 parent, p.level, code);
	if (!strcmp(o.parent, parent))
		return pj_reject(c, "'%s' is under '%s' already", code, parent);
	if ((rc = within(c, parent, code, &below)))
		return rc;
	if (below)
		return pj_reject(c,
		                 "'%s' is inside '%s': it cannot go under it",
		                 parent, code);
	if ((rc = pj_delegated(c, "org.move", code, NULL)) ||
	    (rc = pj_delegated(c, "org.move", parent, NULL)) ||
	    (rc = pj_not_future(c, "move date", pj_str(c->b, "on"))))
		return rc;
	if (!(s = cb_sql(c->st, ins, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, c->id);
	cb_sql_bind_text(s, 2, code);
	cb_sql_bind_text(s, 3, o.parent[0] ? o.parent : NULL);
	cb_sql_bind_text(s, 4, parent);
	cb_sql_bind_text(s, 5, pj_str(c->b, "on"));
	if ((rc = cb_sql_write(s, c->eb)))
		return rc;
	if (!(s = cb_sql(c->st, upd, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, parent);
	cb_sql_bind_text(s, 2, code);
	return cb_sql_write(s, c->eb);
}

/* hub.join: a hub that joins a higher hub names the key the higher
 * hub's chain of authority starts from (the centre's, say). Where the
 * author is an authority (the joining hub's own store, its communes'
 * replicas), that key becomes one too, so that the enrolments it and the
 * hubs it delegated made — other provinces' communes, whose members
 * transfer here — count. Where the author is a hub key delegated an
 * organisation (the higher hub's store, or one above it), the entry
 * changes nothing if the key it names is an authority there already, or
 * a hub key delegated there (a district names its province, which the
 * centre delegated), and is rejected if not (the lower hub was told
 * another chain than the one it joined). */
cb_err
cb_apply_hub_join(struct cb_apply *c)
{
	static const char sql[] = "INSERT INTO authorities (key, named_by, "
				  "entry) VALUES (?, ?, ?) "
				  "ON CONFLICT DO NOTHING";
	static const char wsql[] =
		"INSERT INTO witnesses (hub, key, entry) VALUES (?, ?, ?) "
		"ON CONFLICT (hub) DO UPDATE SET key = excluded.key, "
		"entry = excluded.entry";
	const char *key = pj_str(c->b, "authority");
	const char *witness = pj_str(c->b, "witness");
	char by[2 * CB_KEY_BYTES + 1];
	unsigned char raw[CB_KEY_BYTES];
	struct pj_enrolment en;
	struct cb_stmt *s;
	bool author = false, named = false;
	cb_err rc = is_authority(c, &author);

	if (rc == CB_ENOTFOUND)
		return pj_reject(
			c,
			_("hub.join: this store knows no authority (hub key)"));
	if (rc || (rc = key_is_authority(c, key, &named)))
		return rc;
	if (cb_hex_decode(key, raw, sizeof(raw), NULL) ||
	    crypto_core_ed25519_is_valid_point(raw) != 1)
		return pj_reject(c, _("key %.12s is not an Ed25519 public key"),
		                 key);
	if (witness && (cb_hex_decode(witness, raw, sizeof(raw), NULL) ||
	                crypto_core_ed25519_is_valid_point(raw) != 1))
		return pj_reject(
			c, _("witness %.12s is not an Ed25519 public key"),
			witness);
	if (!author) {
		rc = pj_author_enrolment(c, &en);
		if (rc && rc != CB_ENOTFOUND)
			return rc;
		if (rc || strcmp(en.role, "hub"))
			return pj_out_of_scope(
				c, _("hub.join: only a hub's own key "
			             "may do this"));
		/* a district under a province under the centre names the
		 * province: a hub key delegated here, inside this chain */
		if (!named) {
			rc = pj_enrolment_of(c, key, &en);
			if (rc && rc != CB_ENOTFOUND)
				return rc;
			named = !rc && !strcmp(en.role, "hub");
		}
		return named ? CB_OK
		             : pj_reject(
				       c,
				       _("hub.join names key %.12s, which is "
		                         "not this hub's authority: the hub "
		                         "that joined was given another chain "
		                         "of authority than this one"),
				       key);
	}
	cb_hex_encode(c->e->author, CB_KEY_BYTES, by);
	if (witness) {
		/* the author's witness, for its communes to check its
		 * checkpoints against */
		if (!(s = cb_sql(c->st, wsql, c->eb)))
			return CB_EIO;
		cb_sql_bind_text(s, 1, by);
		cb_sql_bind_text(s, 2, witness);
		cb_sql_bind_blob(s, 3, c->e->id, CB_HASH_BYTES);
		if ((rc = cb_sql_write(s, c->eb)))
			return rc;
	}
	if (named)
		return CB_OK;
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, key);
	cb_sql_bind_text(s, 2, by);
	cb_sql_bind_blob(s, 3, c->e->id, CB_HASH_BYTES);
	return cb_sql_write(s, c->eb);
}

/* A public holiday added by the authority (the yearly decisions). */
cb_err
cb_apply_calendar_holiday(struct cb_apply *c)
{
	static const char sql[] =
		"INSERT INTO holidays (date, name, entry) VALUES (?, ?, ?)";
	const char *date = pj_str(c->b, "date");
	struct cb_stmt *s;
	cb_err rc;

	if ((rc = by_authority(c, "calendar.holiday")))
		return rc;
	if (!(s = cb_sql(c->st,
	                 "SELECT name FROM holidays WHERE date "
	                 "= ?",
	                 c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, date);
	rc = cb_sql_step(s) == CB_SQL_ROW ? CB_EEXIST : CB_OK;
	cb_sql_reset(s);
	if (rc)
		return pj_reject(c, _("%s is already a holiday"), date);
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, date);
	cb_sql_bind_text(s, 2, pj_str(c->b, "name"));
	cb_sql_bind_blob(s, 3, c->e->id, CB_HASH_BYTES);
	return cb_sql_write(s, c->eb);
}

cb_err
cb_apply_key_enroll(struct cb_apply *c)
{
	static const char sql[] =
		"INSERT INTO enrolments (key, org, role, name, enrolled_on, "
		"entry, parent, enrolled_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	const char *key = pj_str(c->b, "key"), *org = pj_str(c->b, "org");
	const char *parent = pj_str(c->b, "parent");
	char by[2 * CB_KEY_BYTES + 1];
	unsigned char raw[CB_KEY_BYTES];
	struct pj_enrolment en;
	struct cb_stmt *s;
	struct org o;
	cb_err rc;

	if ((rc = pj_delegated(c, "key.enroll", org, parent)))
		return rc;
	rc = parent ? pj_org_get(c, org, &o) : CB_ENOTFOUND;
	if (rc == CB_OK && strcmp(o.parent, parent))
		return pj_reject(
			c,
			_("key.enroll places '%s' under '%s', but it is "
		          "under '%s'"),
			org, parent, o.parent);
	if (rc && rc != CB_ENOTFOUND)
		return rc;
	if (cb_hex_decode(key, raw, sizeof(raw), NULL) ||
	    crypto_core_ed25519_is_valid_point(raw) != 1)
		return pj_reject(c, _("key %.12s is not an Ed25519 public key"),
		                 key);
	rc = pj_enrolment_of(c, key, &en);
	if (rc == CB_OK)
		return en.revoked
		               ? pj_reject(c,
		                           _("key %.12s was revoked; a revoked "
		                             "key "
		                             "is never enrolled again: the "
		                             "office "
		                             "makes a new one"),
		                           key)
		               : pj_reject(
					 c,
					 _("key %.12s is already enrolled for "
		                           "'%s'; revoke it first"),
					 key, en.org);
	if (rc != CB_ENOTFOUND)
		return rc;
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	cb_hex_encode(c->e->author, CB_KEY_BYTES, by);
	cb_sql_bind_text(s, 1, key);
	cb_sql_bind_text(s, 2, org);
	cb_sql_bind_text(s, 3, pj_str(c->b, "role"));
	cb_sql_bind_text(s, 4, pj_str(c->b, "name"));
	cb_sql_bind_text(s, 5, c->today);
	cb_sql_bind_blob(s, 6, c->e->id, CB_HASH_BYTES);
	cb_sql_bind_text(s, 7, parent);
	cb_sql_bind_text(s, 8, by);
	return cb_sql_write(s, c->eb);
}

cb_err
cb_apply_key_revoke(struct cb_apply *c)
{
	static const char sql[] = "UPDATE enrolments SET revoked_on = ?, "
				  "revoked_by = ?, reason = ? "
				  "WHERE key = ?";
	const char *key = pj_str(c->b, "key");
	struct pj_enrolment en;
	struct cb_stmt *s;
	cb_err rc = pj_enrolment_of(c, key, &en);

	if (rc == CB_ENOTFOUND) {
		/* whose it would have been is unknown: the authority's
		 * question only */
		if ((rc = by_authority(c, "key.revoke")))
			return rc;
		return pj_reject(c, _("key %.12s is not enrolled"), key);
	}
	if (rc || (rc = pj_delegated(c, "key.revoke", en.org, en.parent)))
		return rc;
	if (en.revoked)
		return pj_reject(c, _("key %.12s is already revoked"), key);
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, c->today);
	cb_sql_bind_blob(s, 2, c->e->id, CB_HASH_BYTES);
	cb_sql_bind_text(s, 3, pj_str(c->b, "reason"));
	cb_sql_bind_text(s, 4, key);
	return cb_sql_write(s, c->eb);
}

/* A committee's office replica begins with office.init: a key enrolled
 * for another organisation, or not with the district role, may not. */
cb_err
cb_apply_office_init(struct cb_apply *c)
{
	const char *code = pj_str(c->b, "code");
	struct pj_enrolment en;
	cb_err rc = pj_author_enrolment(c, &en);

	if (rc == CB_ENOTFOUND)
		return CB_OK;
	if (rc)
		return rc;
	if (strcmp(en.org, code) || strcmp(en.role, "district"))
		return pj_out_of_scope(
			c,
			_("office.init of '%s' by a key not enrolled "
		          "as its office"),
			code);
	return CB_OK;
}

/* Is the author the office of a committee above org: a key enrolled with
 * the district role for one of org's ancestors? (Enrolment, not its
 * revocation, which another replica may not hold yet.) */
cb_err
pj_office_above(struct cb_apply *c, const char *org, bool *yes)
{
	static const char sql[] =
		"WITH RECURSIVE up(code) AS (SELECT parent FROM orgs WHERE "
		"code "
		"= ?1 UNION SELECT o.parent FROM orgs o JOIN up ON o.code = "
		"up.code WHERE o.parent IS NOT NULL) SELECT 1 FROM enrolments "
		"WHERE key = ?2 AND role = 'district' AND org IN up";
	char key[2 * CB_KEY_BYTES + 1];
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_hex_encode(c->e->author, CB_KEY_BYTES, key);
	cb_sql_bind_text(s, 1, org);
	cb_sql_bind_text(s, 2, key);
	r = cb_sql_step(s);
	cb_sql_reset(s);
	*yes = r == CB_SQL_ROW;
	return r == CB_SQL_ROW || r == CB_SQL_DONE
	               ? CB_OK
	               : cb_store_error(c->st, c->eb, "cannot read enrolments");
}

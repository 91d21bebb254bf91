/* SPDX-License-Identifier: MIT */
/* project_org.c — the projection (project.h) of organisations and cells:
 * founding one (org.init), creating and renaming cells, congresses. */
#include "project_int.h"
#include "words.h"
#include "sql.h"

#include "text.h"

/* CB_ENOTFOUND (no message) when absent. */
cb_err
pj_org_get(struct cb_apply *c, const char *code, struct org *o)
{
	static const char sql[] = "SELECT level, state, kind, parent, owner "
				  "FROM orgs WHERE code = ?";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	cb_err rc;
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, code);
	r = cb_sql_step(s);
	if (r == CB_SQL_DONE) {
		cb_sql_reset(s);
		return CB_ENOTFOUND;
	}
	if (r != CB_SQL_ROW)
		return cb_store_error(c->st, c->eb, "cannot read orgs");
	snprintf(o->level, sizeof(o->level), "%s", cb_sql_column_text(s, 0));
	snprintf(o->state, sizeof(o->state), "%s", cb_sql_column_text(s, 1));
	snprintf(o->kind, sizeof(o->kind), "%s", cb_sql_column_text(s, 2));
	snprintf(o->parent, sizeof(o->parent), "%s",
	         cb_sql_column_null(s, 3) ? "" : cb_sql_column_text(s, 3));
	rc = pj_owns(c, cb_sql_column_blob(s, 4),
	             (size_t)cb_sql_column_bytes(s, 4), &o->owned);
	cb_sql_reset(s);
	return rc;
}

cb_err
pj_not_owner(struct cb_apply *c, const char *what, const char *code)
{
	return pj_out_of_scope(c,
	                       _("%s belongs to another organisation's key; "
	                         "only its owner may change %s"),
	                       what, code);
}

/* The org exists, is active, is of the level wanted (NULL: any) and is the
 * author's to change. */
cb_err
pj_org_writable(struct cb_apply *c, const char *code, const char *level,
                struct org *o)
{
	cb_err rc = pj_org_get(c, code, o);

	if (rc == CB_ENOTFOUND)
		return pj_reject(c, _("no %s '%s'"),
		                 level ? cb_words_label("org level", level)
		                       : _("organisation"),
		                 code);
	if (rc)
		return rc;
	if (level && strcmp(o->level, level) != 0)
		return pj_reject(c, _("'%s' is a %s, not a %s"), code, o->level,
		                 level);
	if (!o->owned) {
		char what[CB_CODE_MAX + 3];

		snprintf(what, sizeof(what), "'%s'", code);
		return pj_not_owner(c, what, "it");
	}
	if (strcmp(o->state, "active") != 0)
		return pj_reject(c, _("'%s' is closed"), code);
	return CB_OK;
}

cb_err
cb_project_writable(struct cb_store *st, const struct cb_entry *e,
                    const char *code, const char *level, struct cb_errbuf *eb)
{
	struct cb_apply c = { .st = st, .e = e, .b = e->json, .eb = eb };
	struct org o;

	return pj_org_writable(&c, code, level, &o);
}

cb_err
pj_org_insert(struct cb_apply *c, const char *code, const char *parent,
              const char *level, const char *kind, const char *name,
              const char *founded_on)
{
	static const char sql[] =
		"INSERT INTO orgs (code, parent, level, kind, name, name_fold, "
		"state, founded_on, owner, entry) "
		"VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)";
	unsigned char owner[CB_KEY_BYTES];
	struct cb_stmt *s;
	char *fold = NULL;
	cb_err rc = pj_heir(c, owner);

	if (rc)
		return rc;
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	if (cb_text_fold(name, &fold, c->eb))
		return CB_EINVAL;
	cb_sql_bind_text(s, 1, code);
	cb_sql_bind_text(s, 2, parent);
	cb_sql_bind_text(s, 3, level);
	cb_sql_bind_text(s, 4, kind);
	cb_sql_bind_text(s, 5, name);
	cb_sql_bind_text(s, 6, fold);
	cb_sql_bind_text(s, 7, founded_on);
	cb_sql_bind_blob(s, 8, owner, CB_KEY_BYTES);
	cb_sql_bind_blob(s, 9, c->e->id, CB_HASH_BYTES);
	rc = cb_sql_write(s, c->eb);
	free(fold);
	return rc;
}

/* Every record is owned through an org.init, so this is where a key's
 * reach begins. In a store that knows its authority (a hub, or a replica
 * given its hub's key), an organisation is founded by the key enrolled for
 * it, or by the store's own key (meta 'self': a commune's replica holds its
 * own org.init before its enrolment reaches it). Anyone else — a key no
 * enrolment names, arriving in a forged file, say — founds nothing, and so
 * nothing it writes under that organisation applies; and the key's
 * enrolment may name the committee the organisation goes under. A store
 * with no authority trusts no enrolment and takes org.inits as they come
 * (replicas that exchange entries among themselves, in the tests). */
static cb_err
org_init_in_scope(struct cb_apply *c, const char *code)
{
	char key[2 * CB_KEY_BYTES + 1];
	struct pj_enrolment en;
	char *self = NULL;
	cb_err rc = pj_author_enrolment(c, &en);

	if (rc == CB_OK)
		return strcmp(en.org, code)
		               ? pj_out_of_scope(c,
		                                 _("org.init of '%s' by a "
		                                   "key enrolled for '%s' "
		                                   "only"),
		                                 code, en.org)
		               : pj_placed_as_enrolled(c, "org.init", code,
		                                       &en);
	if (rc != CB_ENOTFOUND)
		return rc;
	cb_hex_encode(c->e->author, CB_KEY_BYTES, key);
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
		return pj_out_of_scope(
			c,
			_("org.init of '%s' by key %.12s, which no "
		          "enrolment in this store names"),
			code, key);
	return CB_OK;
}

cb_err
pj_org_absent(struct cb_apply *c, const char *code)
{
	struct org o;
	cb_err rc = pj_org_get(c, code, &o);

	if (rc == CB_OK)
		return pj_reject(c, _("organisation '%s' already exists"),
		                 code);
	return rc == CB_ENOTFOUND ? CB_OK : rc;
}

cb_err
cb_apply_org_init(struct cb_apply *c)
{
	const char *code = pj_str(c->b, "code");
	cb_err rc;

	if ((rc = pj_org_absent(c, code)) || (rc = org_init_in_scope(c, code)))
		return rc;
	return pj_org_insert(c, code, pj_str(c->b, "parent"), "grassroots",
	                     pj_str(c->b, "kind"), pj_str(c->b, "name"), NULL);
}

cb_err
cb_apply_cell_create(struct cb_apply *c)
{
	const char *code = pj_str(c->b, "code");
	const char *dot = strrchr(code, '.');
	char parent[CB_CODE_MAX + 1];
	struct org o;
	cb_err rc;

	snprintf(parent, sizeof(parent), "%.*s", (int)(dot - code), code);
	rc = pj_org_get(c, code, &o);
	if (rc == CB_OK)
		return pj_reject(c, _("cell '%s' already exists"), code);
	if (rc != CB_ENOTFOUND)
		return rc;
	rc = pj_org_writable(c, parent, "grassroots", &o);
	if (rc)
		return rc;
	rc = pj_not_future(c, N_("founding date"), pj_str(c->b, "founded_on"));
	if (rc)
		return rc;
	return pj_org_insert(c, code, parent, "cell", pj_str(c->b, "kind"),
	                     pj_str(c->b, "name"), pj_str(c->b, "founded_on"));
}

cb_err
cb_apply_cell_rename(struct cb_apply *c)
{
	static const char sql[] = "UPDATE orgs SET name = ?, name_fold = ?, "
				  "entry = ? WHERE code = ?";
	const char *code = pj_str(c->b, "code"), *name = pj_str(c->b, "name");
	struct org o;
	struct cb_stmt *s;
	char *fold = NULL;
	cb_err rc = pj_org_writable(c, code, "cell", &o);

	if (rc)
		return rc;
	if (!(s = cb_sql(c->st, sql, c->eb)))
		return CB_EIO;
	if (cb_text_fold(name, &fold, c->eb))
		return CB_EINVAL;
	cb_sql_bind_text(s, 1, name);
	cb_sql_bind_text(s, 2, fold);
	cb_sql_bind_blob(s, 3, c->e->id, CB_HASH_BYTES);
	cb_sql_bind_text(s, 4, code);
	rc = cb_sql_write(s, c->eb);
	free(fold);
	return rc;
}

cb_err
cb_apply_org_congress(struct cb_apply *c)
{
	static const char find[] =
		"SELECT held_on FROM congresses WHERE org = ? AND term = ?";
	static const char ins[] = "INSERT INTO congresses (org, term, held_on, "
				  "entry) VALUES (?, ?, ?, ?)";
	const char *org = pj_str(c->b, "org"), *term = pj_str(c->b, "term");
	const char *held = pj_str(c->b, "held_on");
	int start = atoi(term), end = atoi(term + 5), year = atoi(held);
	struct org o;
	struct cb_stmt *s;
	cb_err rc = pj_org_writable(c, org, NULL, &o);

	if (rc)
		return rc;
	if (year < start - 1 || year > end)
		return pj_reject(
			c, _("a congress of term %s cannot be held on %s"),
			term, held);
	if ((rc = pj_not_future(c, N_("congress date"), held)))
		return rc;
	if (!(s = cb_sql(c->st, find, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, org);
	cb_sql_bind_text(s, 2, term);
	if (cb_sql_step(s) == CB_SQL_ROW) {
		char prev[16];

		snprintf(prev, sizeof(prev), "%s", cb_sql_column_text(s, 0));
		cb_sql_reset(s);
		return pj_reject(c,
		                 _("'%s' already held its %s congress on %s"),
		                 org, term, prev);
	}
	cb_sql_reset(s);
	if (!(s = cb_sql(c->st, ins, c->eb)))
		return CB_EIO;
	cb_sql_bind_text(s, 1, org);
	cb_sql_bind_text(s, 2, term);
	cb_sql_bind_text(s, 3, held);
	cb_sql_bind_blob(s, 4, c->e->id, CB_HASH_BYTES);
	return cb_sql_write(s, c->eb);
}

cb_err
pj_org_successor(struct cb_apply *c, const char *org, char out[CB_CODE_MAX + 1])
{
	static const char sql[] = "SELECT into_org FROM mergers WHERE org = ?";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	char cur[CB_CODE_MAX + 1];
	int r = CB_SQL_DONE;

	if (!s)
		return CB_EIO;
	snprintf(cur, sizeof(cur), "%s", org);
	/* a merger names an organisation active when it was applied: the
	 * chain ends; the bound only guards a damaged store */
	for (int hop = 0; hop < 64; hop++) {
		cb_sql_bind_text(s, 1, cur);
		r = cb_sql_step(s);
		if (r == CB_SQL_ROW)
			snprintf(cur, sizeof(cur), "%s",
			         cb_sql_column_text(s, 0));
		cb_sql_reset(s);
		if (r != CB_SQL_ROW)
			break;
	}
	if (r != CB_SQL_DONE)
		return cb_store_error(c->st, c->eb, "cannot read mergers");
	memcpy(out, cur, sizeof(cur));
	return CB_OK;
}

cb_err
pj_org_keys(struct cb_apply *c, const char *org, char owner[65],
            char enroller[65])
{
	static const char sql[] =
		"SELECT lower(hex(o.owner)), coalesce(e.enrolled_by, '') FROM "
		"orgs o LEFT JOIN enrolments e ON e.key = lower(hex(o.owner)) "
		"WHERE o.code = ?";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_text(s, 1, org);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW) {
		snprintf(owner, 65, "%s", cb_sql_column_text(s, 0));
		snprintf(enroller, 65, "%s", cb_sql_column_text(s, 1));
	}
	cb_sql_reset(s);
	return r == CB_SQL_ROW ? CB_OK
	                       : cb_store_error(c->st, c->eb,
	                                        "cannot read organisations");
}

/* org.merge: a commune merged into another (2025's reorganisation). By
 * the key that enrolled the merged commune's key — the hub whose log
 * orders that key's entries, so every store receives them in the same
 * order against the merger — within that hub's delegation. The entry
 * names the last entry of the merged commune's key that hub held
 * (through), for the auditor: not a dep, as most stores do not hold that
 * key's chain and must judge the merger all the same.
 * The merged organisation is closed and goes under the other; its cells,
 * its members and its admission candidates pass to the other's key;
 * releases addressed to it are answered by its successor. */
cb_err
cb_apply_org_merge(struct cb_apply *c)
{
	static const char *const moves[] = {
		"UPDATE orgs SET state = 'closed', parent = ?2, entry = "
		"chibo_unhex(?3) WHERE code = ?1",
		"UPDATE orgs SET parent = ?2, owner = (SELECT owner FROM orgs "
		"WHERE code = ?2) WHERE level = 'cell' AND parent = ?1",
		"UPDATE members SET org = ?2 WHERE org = ?1",
		"UPDATE candidates SET org = ?2 WHERE org = ?1",
		"INSERT INTO mergers (org, into_org, merged_on, decision_no, "
		"through, entry) VALUES (?1, ?2, ?4, ?5, ?6, ?3)",
		/* the merged key's heir is the successor's key: its entries
		 * up to through_seq count as that key's wherever they arrive
		 * after the merger (a dossier), later ones are refused */
		"INSERT INTO successions (old_key, new_key, org, through, "
		"through_seq, succeeded_on, reason, entry) VALUES (?7, ?8, ?1, "
		"?6, ?9, ?4, 'merged into ' || ?2, ?3)",
	};
	const char *org = pj_str(c->b, "org"), *into = pj_str(c->b, "into");
	const char *through = pj_str(c->b, "through");
	char owner[65], enroller[65], author[65], heir[65], unused[65];
	struct org o, n;
	struct cb_stmt *s;
	cb_err rc;

	if (!strcmp(org, into))
		return pj_reject(c, _("'%s' cannot merge into itself"), org);
	for (int k = 0; k < 2; k++) {
		rc = pj_org_get(c, k ? into : org, k ? &n : &o);
		if (rc == CB_ENOTFOUND)
			return pj_reject(c, _("no organisation '%s'"),
			                 k ? into : org);
		if (rc)
			return rc;
	}
	if (strcmp(o.level, "grassroots") || strcmp(n.level, "grassroots"))
		return pj_reject(
			c,
			_("only grassroots organisations merge: '%s' is "
		          "a %s"),
			strcmp(o.level, "grassroots") ? org : into,
			strcmp(o.level, "grassroots") ? o.level : n.level);
	if (strcmp(o.state, "active") || strcmp(n.state, "active"))
		return pj_reject(c, _("'%s' is closed"),
		                 strcmp(o.state, "active") ? org : into);
	if ((rc = pj_org_keys(c, org, owner, enroller)) ||
	    (rc = pj_org_keys(c, into, heir, unused)))
		return rc;
	cb_hex_encode(c->e->author, CB_KEY_BYTES, author);
	if (strcmp(author, enroller))
		return pj_out_of_scope(c,
		                       _("org.merge of '%s': only the hub that "
		                         "enrolled its key (%.12s) merges it"),
		                       org, enroller[0] ? enroller : "none");
	if ((rc = pj_delegated(c, "org.merge", into, NULL)))
		return rc;
	if ((rc = pj_not_future(c, N_("merger date"), pj_str(c->b, "on"))))
		return rc;
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		if (!(s = cb_sql(c->st, moves[i], c->eb)))
			return CB_EIO;
		cb_sql_bind_text(s, 1, org);
		cb_sql_bind_text(s, 2, into);
		cb_sql_bind_text(s, 3, c->id);
		if (i >= 4) {
			cb_sql_bind_text(s, 4, pj_str(c->b, "on"));
			cb_sql_bind_text(s, 5, pj_str(c->b, "decision_no"));
			cb_sql_bind_text(s, 6, through);
		}
		if (i == 5) {
			cb_sql_bind_text(s, 7, owner);
			cb_sql_bind_text(s, 8, heir);
			cb_sql_bind_int64(s, 9,
			                  json_integer_value(json_object_get(
						  c->b, "through_seq")));
		}
		if ((rc = cb_sql_write(s, c->eb)))
			return rc;
	}
	return CB_OK;
}

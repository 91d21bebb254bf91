/* SPDX-License-Identifier: MIT */
/* project_succeed.c — the projection (project.h) of a key succession
 * (org.succeed): an organisation's key, lost with a laptop or stolen
 * with it, succeeded by a new key, which owns from then on every record
 * the old key owned; and the two rules every other op follows since:
 * what the old key signed after the succession is refused, and what it
 * signed before counts as its successor's, in whatever order a store
 * receives the two (docs/PROTOCOL.md, "Key succession"). */
#include "project_int.h"
#include "sql.h"

#include <inttypes.h>

cb_err
pj_after_succession(struct cb_apply *c)
{
	static const char sql[] =
		"SELECT new_key, org, succeeded_on, through_seq, "
		"coalesce((SELECT "
		"into_org FROM mergers m WHERE m.entry = successions.entry), "
		"'') "
		"FROM successions WHERE old_key = lower(hex(?))";
	struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
	cb_err rc = CB_OK;
	int r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_blob(s, 1, c->e->author, CB_KEY_BYTES);
	r = cb_sql_step(s);
	if (r == CB_SQL_ROW &&
	    c->e->seq > (uint64_t)cb_sql_column_int64(s, 3) &&
	    *cb_sql_column_text(s, 4))
		rc = pj_out_of_scope(
			c,
			_("'%s' was merged into '%s' on %s: its key writes no "
		          "more (the records are '%s''s)"),
			cb_sql_column_text(s, 1), cb_sql_column_text(s, 4),
			cb_sql_column_text(s, 2), cb_sql_column_text(s, 4));
	else if (r == CB_SQL_ROW &&
	         c->e->seq > (uint64_t)cb_sql_column_int64(s, 3))
		rc = pj_out_of_scope(
			c,
			_("this key was succeeded by key %.12s for '%s' on %s, "
		          "after its entry %lld: what it signs since is "
		          "refused; the office writes with its new key"),
			cb_sql_column_text(s, 0), cb_sql_column_text(s, 1),
			cb_sql_column_text(s, 2),
			(long long)(cb_sql_column_int64(s, 3)));
	cb_sql_reset(s);
	if (r != CB_SQL_ROW && r != CB_SQL_DONE)
		return cb_store_error(c->st, c->eb, "cannot read successions");
	return rc;
}

/* The chain of successions is followed a key at a time: old_key is the
 * table's key, so each step is one lookup, and a key never succeeded (all
 * but a few) costs one. At most 64 steps, as a cycle could only be made by
 * a fault. */
cb_err
pj_heir(struct cb_apply *c, unsigned char out[CB_KEY_BYTES])
{
	static const char sql[] =
		"SELECT new_key FROM successions WHERE old_key = ?";
	char k[2 * CB_KEY_BYTES + 1];
	cb_err rc = CB_OK;

	memcpy(out, c->e->author, CB_KEY_BYTES);
	for (int n = 0; !rc && n < 64; n++) {
		struct cb_stmt *s = cb_sql(c->st, sql, c->eb);
		int r;

		if (!s)
			return CB_EIO;
		cb_hex_encode(out, CB_KEY_BYTES, k);
		cb_sql_bind_text(s, 1, k);
		r = cb_sql_step(s);
		if (r == CB_SQL_DONE) {
			cb_sql_reset(s);
			break;
		}
		if (r != CB_SQL_ROW || cb_hex_decode(cb_sql_column_text(s, 0),
		                                     out, CB_KEY_BYTES, NULL))
			rc = cb_store_error(c->st, c->eb,
			                    "cannot read successions");
		cb_sql_reset(s);
	}
	return rc;
}

cb_err
pj_owns(struct cb_apply *c, const void *owner, size_t len, int *yes)
{
	unsigned char heir[CB_KEY_BYTES];
	cb_err rc;

	*yes = len == CB_KEY_BYTES && !memcmp(owner, c->e->author, len);
	if (*yes || len != CB_KEY_BYTES)
		return CB_OK;
	if ((rc = pj_heir(c, heir)))
		return rc;
	*yes = !memcmp(owner, heir, CB_KEY_BYTES);
	return CB_OK;
}

/* The new key: enrolled for org itself, with the commune role, not
 * revoked. */
static cb_err
successor_enrolled(struct cb_apply *c, const char *org, const char *key)
{
	struct pj_enrolment en;
	cb_err rc = pj_enrolment_of(c, key, &en);

	if (rc == CB_ENOTFOUND)
		return pj_reject(
			c,
			_("key %.12s is not enrolled: enrol it for '%s' "
		          "first ('chibo-hub enroll KEY --org %s --role "
		          "commune')"),
			key, org, org);
	if (rc)
		return rc;
	if (en.revoked)
		return pj_reject(
			c,
			_("key %.12s was revoked: a revoked key succeeds "
		          "no one; the office makes a new one"),
			key);
	if (strcmp(en.org, org) || strcmp(en.role, "commune"))
		return pj_reject(
			c,
			_("key %.12s is enrolled for '%s' as %s, not for "
		          "'%s' as commune"),
			key, en.org, en.role, org);
	return CB_OK;
}

/* org.succeed: the key of a grassroots organisation (from) succeeded by
 * a new one (key). By the key that enrolled the old key — the hub whose
 * log orders that key's entries, which names the last it held (through,
 * through_seq), so that every store holds the same entries of the old
 * key before the succession: the ones up to through_seq, judged as its
 * successor's wherever they arrive after it (pj_owns), and none after,
 * which are refused everywhere (pj_after_succession). through is for the
 * auditor and not a dep: most stores do not hold the old key's chain and
 * must judge the succession all the same. Every record the old key owns
 * passes to the new one (the organisation's, its cells', and through
 * them its members and candidates; cells of communes merged into it
 * too); the old key's enrolment is closed by this entry. */
cb_err
cb_apply_org_succeed(struct cb_apply *c)
{
	static const char *const moves[] = {
		"UPDATE orgs SET owner = chibo_unhex(?2) WHERE owner = "
		"chibo_unhex(?1)",
		"UPDATE enrolments SET revoked_on = ?4, revoked_by = "
		"chibo_unhex(?3), reason = 'succeeded by ' || substr(?2, 1, "
		"12) WHERE key = ?1 AND revoked_by IS NULL",
		"INSERT INTO successions (old_key, new_key, org, through, "
		"through_seq, succeeded_on, reason, entry) VALUES (?1, ?2, ?5, "
		"?6, ?7, ?4, ?8, ?3)",
	};
	const char *org = pj_str(c->b, "org"), *key = pj_str(c->b, "key");
	const char *from = pj_str(c->b, "from");
	char owner[65], enroller[65], author[65];
	struct cb_stmt *s;
	struct org o;
	cb_err rc = pj_org_get(c, org, &o);

	if (rc == CB_ENOTFOUND)
		return pj_reject(c, _("no organisation '%s'"), org);
	if (rc)
		return rc;
	if (strcmp(o.level, "grassroots"))
		return pj_reject(c,
		                 _("only a grassroots organisation's key is "
		                   "succeeded: '%s' is a %s"),
		                 org, o.level);
	if (strcmp(o.state, "active"))
		return pj_reject(c, _("'%s' is closed"), org);
	if ((rc = pj_org_keys(c, org, owner, enroller)))
		return rc;
	if (strcmp(owner, from))
		return pj_reject(
			c,
			_("'%s' is owned by key %.12s, not %.12s: the "
		          "succession names another key than its owner"),
			org, owner, from);
	if (!strcmp(key, from))
		return pj_reject(c, _("key %.12s owns '%s' already"), key, org);
	cb_hex_encode(c->e->author, CB_KEY_BYTES, author);
	if (strcmp(author, enroller))
		return pj_out_of_scope(
			c,
			_("org.succeed of '%s': only the hub that "
		          "enrolled its key (%.12s) succeeds it"),
			org, enroller[0] ? enroller : "none");
	if ((rc = pj_delegated(c, "org.succeed", org, NULL)) ||
	    (rc = successor_enrolled(c, org, key)))
		return rc;
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		if (!(s = cb_sql(c->st, moves[i], c->eb)))
			return CB_EIO;
		cb_sql_bind_text(s, 1, from);
		cb_sql_bind_text(s, 2, key);
		cb_sql_bind_text(s, 3, c->id);
		cb_sql_bind_text(s, 4, c->today);
		if (i == 2) {
			cb_sql_bind_text(s, 5, org);
			cb_sql_bind_text(s, 6, pj_str(c->b, "through"));
			cb_sql_bind_int64(s, 7,
			                  json_integer_value(json_object_get(
						  c->b, "through_seq")));
			cb_sql_bind_text(s, 8, pj_str(c->b, "reason"));
		}
		if ((rc = cb_sql_write(s, c->eb)))
			return rc;
	}
	return CB_OK;
}

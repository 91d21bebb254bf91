/* SPDX-License-Identifier: MIT */
/* history.c — a member's history and an entry by its first digits
 * (history.h). */
#include "history.h"

#include <stdio.h>
#include <string.h>

#include "sql.h"

cb_err
cb_history_member(struct cb_store *st, const char *q,
                  struct cb_history_member *m, struct cb_errbuf *eb)
{
	/* ?2 says what q is: 0 any of the three, 1 a card number, 2 a
	 * national ID */
	static const char sql[] =
		"SELECT id, full_name FROM members WHERE (?2 IN (0, 1) AND "
		"card_no = ?1) OR (?2 IN (0, 2) AND national_id = ?1) OR (?2 = "
		"0 AND length(?1) >= 8 AND hex(id) LIKE ?1 || '%') LIMIT 2";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	struct cb_history_member got;
	int n = 0, r, kind = 0;

	if (!s)
		return CB_EIO;
	/* card:NUMBER and nid:NUMBER, as the agent takes a member */
	if (!strncmp(q, "card:", 5))
		q += 5, kind = 1;
	else if (!strncmp(q, "nid:", 4))
		q += 4, kind = 2;
	cb_sql_bind_text(s, 1, q);
	cb_sql_bind_int64(s, 2, kind);
	while ((r = cb_sql_step(s)) == CB_SQL_ROW)
		if (!n++) {
			const char *name = cb_sql_column_text(s, 1);

			cb_sql_column_id(s, 0, got.id);
			snprintf(got.name, sizeof(got.name), "%s",
			         name ? name : "");
		}
	cb_sql_reset(s);
	if (r != CB_SQL_DONE)
		return cb_store_error(st, eb, "cannot read the members");
	if (n != 1)
		return n ? CB_EEXIST : CB_ENOTFOUND;
	*m = got;
	return CB_OK;
}

cb_err
cb_history_each(struct cb_store *st, const char *member_id, cb_history_fn fn,
                void *ctx, struct cb_errbuf *eb)
{
	static const char sql[] =
		"WITH mine(id) AS (SELECT lower(hex(entry)) FROM "
		"entry_subjects WHERE member = ?1 UNION SELECT closed_by FROM "
		"transfers WHERE member = ?1 AND closed_by IS NOT NULL UNION "
		"SELECT m.id FROM attendance t JOIN meetings m ON m.id = "
		"t.meeting WHERE t.member = ?1) SELECT e.lsn, e.bytes, (SELECT "
		"org FROM enrolments WHERE key = lower(hex(e.author))) FROM "
		"entries e WHERE lower(hex(e.id)) IN mine ORDER BY e.lsn";
	struct cb_stmt *s;
	cb_err rc;
	int r;

	/* a statement of its own: fn may use the cached ones */
	if ((rc = cb_sql_prepare(st, sql, &s, eb)))
		return rc;
	cb_sql_bind_id(s, 1, member_id);
	while ((r = cb_sql_step(s)) == CB_SQL_ROW)
		if ((rc = fn(ctx, cb_sql_column_int64(s, 0),
		             cb_sql_column_blob(s, 1),
		             cb_sql_column_bytes(s, 1),
		             cb_sql_column_text(s, 2), eb)))
			break;
	if (!rc && r != CB_SQL_DONE)
		rc = cb_store_error(st, eb, "cannot read the member's entries");
	cb_sql_finalize(s);
	return rc;
}

cb_err
cb_history_entry(struct cb_store *st, const char *prefix, int64_t *lsn,
                 struct cb_buf *bytes, struct cb_errbuf *eb)
{
	static const char sql[] = "SELECT lsn, bytes FROM entries WHERE id "
				  "BETWEEN ?1 AND ?2 LIMIT 2";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	cb_err rc = CB_OK;
	int64_t at = 0;
	size_t start = bytes->len;
	int n = 0, r;

	if (!s)
		return CB_EIO;
	cb_sql_bind_id_prefix(s, 1, prefix);
	while ((r = cb_sql_step(s)) == CB_SQL_ROW)
		if (!n++) {
			at = cb_sql_column_int64(s, 0);
			if (cb_buf_add(bytes, cb_sql_column_blob(s, 1),
			               cb_sql_column_bytes(s, 1)))
				rc = cb_error(eb, CB_ENOMEM,
				              _("out of memory"));
		}
	cb_sql_reset(s);
	if (!rc && r != CB_SQL_DONE)
		rc = cb_store_error(st, eb, "cannot read the log");
	if (!rc && n != 1)
		rc = n ? CB_EEXIST : CB_ENOTFOUND;
	if (rc) {
		if (bytes->len > start) /* (a failed add empties it) */
			bytes->len = start;
		return rc;
	}
	*lsn = at;
	return CB_OK;
}

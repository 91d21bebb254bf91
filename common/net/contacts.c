/* SPDX-License-Identifier: MIT */
/* contacts.c — the contacts table of a hub (contacts.h). */
#include "contacts.h"

#include <stdio.h>

#include "buf.h"
#include "clock.h"
#include "sql.h"

/* ?1 the key, ?2 now (Unix ms), ?3 the endpoint: what the hub's log line
 * shows of a request, no more than a word. */
static void
bind_contact(struct cb_stmt *s, const char *key_hex, const char *kind)
{
	char k[32];

	snprintf(k, sizeof(k), "%s", kind);
	cb_sql_bind_text(s, 1, key_hex);
	cb_sql_bind_int64(s, 2, cb_now_ms());
	cb_sql_bind_text(s, 3, k);
}

cb_err
cb_contacts_note(struct cb_store *st, const char *key_hex, const char *kind,
                 int64_t created, struct cb_errbuf *eb)
{
	static const char sql[] =
		"INSERT INTO contacts (key, last_ms, last_kind, created_max) "
		"SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM enrolments "
		"WHERE key = ?1) ON CONFLICT (key) DO UPDATE SET last_ms = "
		"excluded.last_ms, last_kind = excluded.last_kind, "
		"created_max = max(contacts.created_max, excluded.created_max)";
	struct cb_stmt *s = cb_sql(st, sql, eb);

	if (!s)
		return CB_EIO;
	bind_contact(s, key_hex, kind);
	cb_sql_bind_int64(s, 4, created);
	return cb_sql_done(s, eb);
}

cb_err
cb_contacts_refused(struct cb_store *st, const char *key_hex, const char *kind,
                    bool *noted, struct cb_errbuf *eb)
{
	static const char sql[] =
		"INSERT INTO contacts (key, last_ms, last_kind, refused, "
		"refused_ms) SELECT ?1, ?2, ?3, 1, ?2 WHERE EXISTS (SELECT 1 "
		"FROM enrolments WHERE key = ?1 AND revoked_by IS NOT NULL) ON "
		"CONFLICT (key) DO UPDATE SET last_ms = excluded.last_ms, "
		"last_kind = excluded.last_kind, refused = contacts.refused + "
	        "1, "
		"refused_ms = excluded.refused_ms";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	cb_err rc;

	if (!s)
		return CB_EIO;
	bind_contact(s, key_hex, kind);
	if ((rc = cb_sql_done(s, eb)))
		return rc;
	*noted = cb_sql_changes(st) > 0;
	return CB_OK;
}

cb_err
cb_contacts_floors(struct cb_store *st, struct cb_replay *r,
                   struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT key, created_max FROM contacts WHERE created_max > 0";
	struct cb_stmt *s = cb_sql(st, sql, eb);
	unsigned char key[CB_KEY_BYTES];
	cb_err rc = CB_OK;
	int step = CB_SQL_DONE;

	if (!s)
		return CB_EIO;
	while (!rc && (step = cb_sql_step(s)) == CB_SQL_ROW) {
		const char *hex = cb_sql_column_text(s, 0);

		if (!hex || cb_hex_decode(hex, key, CB_KEY_BYTES, NULL))
			continue; /* not a key: nothing of it to refuse */
		if (cb_replay_floor(r, key, cb_sql_column_int64(s, 1)))
			rc = cb_error(eb, CB_ENOMEM, _("out of memory"));
	}
	if (!rc && step != CB_SQL_ROW && step != CB_SQL_DONE)
		rc = cb_store_error(st, eb, "cannot read contacts");
	cb_sql_reset(s);
	return rc;
}

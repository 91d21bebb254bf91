/* SPDX-License-Identifier: MIT */
/* contact.c — when each enrolled key last reached the hub: the time and
 * endpoint of its last signed request that the hub authenticated, kept in
 * the contacts table (schema/009_contacts.sql) for 'chibo-hub report
 * sync', and the highest `created` of its requests (schema/016), which a
 * hub that restarts takes as the key's replay floor (common/net/replay.h). A
 * signature proves the key, not that it is enrolled: only keys the
 * enrolments table holds (revoked ones too) get a row, so a stranger
 * signing with fresh keys cannot grow the table. */
#include <stdio.h>

#include "hub.h"
#include "replay.h"

cb_err
hub_note_contact(struct cb_ledger *lg, const char *key_hex, const char *kind,
                 int64_t created)
{
	static const char sql[] =
		"INSERT INTO contacts (key, last_ms, last_kind, created_max) "
		"SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM enrolments "
		"WHERE key = ?1) ON CONFLICT (key) DO UPDATE SET last_ms = "
		"excluded.last_ms, last_kind = excluded.last_kind, "
		"created_max = max(created_max, excluded.created_max)";
	struct cb_errbuf eb;
	sqlite3_stmt *s = cb_store_stmt(lg->st, sql, &eb);
	char k[32];
	cb_err rc;

	/* what the hub's log line shows of a request: no more than a word */
	snprintf(k, sizeof(k), "%s", kind);
	if (!s) {
		rc = CB_EIO;
	} else {
		cb_bind_text(s, 1, key_hex);
		sqlite3_bind_int64(s, 2, cb_now_ms());
		cb_bind_text(s, 3, k);
		sqlite3_bind_int64(s, 4, created);
		rc = cb_store_step_done(lg->st, s, &eb);
	}
	if (rc)
		fprintf(stderr,
		        "chibo-hub: cannot record the contact of key "
		        "%.12s: %s\n",
		        key_hex, eb.msg);
	return rc;
}

cb_err
hub_contact_floors(struct cb_ledger *lg, struct cb_replay *r,
                   struct cb_errbuf *eb)
{
	static const char sql[] =
		"SELECT key, created_max FROM contacts WHERE created_max > 0";
	sqlite3_stmt *s = cb_store_stmt(lg->st, sql, eb);
	unsigned char key[CB_KEY_BYTES];
	cb_err rc = CB_OK;
	int step;

	if (!s)
		return CB_EIO;
	while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(s, 0);

		if (!hex || cb_hex_decode(hex, key, CB_KEY_BYTES, NULL))
			continue; /* not a key: nothing of it to refuse */
		if (cb_replay_floor(r, key, sqlite3_column_int64(s, 1)))
			rc = cb_error(eb, CB_ENOMEM, "out of memory");
	}
	if (!rc && step != SQLITE_DONE)
		rc = cb_store_error(lg->st, eb, "cannot read contacts");
	sqlite3_reset(s);
	return rc;
}

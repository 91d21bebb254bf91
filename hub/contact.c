/* SPDX-License-Identifier: MIT */
/* contact.c — when each enrolled key last reached the hub: the time and
 * endpoint of its last signed request that the hub authenticated, kept in
 * the contacts table (schema/009_contacts.sql) for 'chibo-hub report
 * sync'. A signature proves the key, not that it is enrolled: only keys
 * the enrolments table holds (revoked ones too) get a row, so a stranger
 * signing with fresh keys cannot grow the table. */
#include <stdio.h>

#include "hub.h"

cb_err
hub_note_contact(struct cb_ledger *lg, const char *key_hex, const char *kind)
{
	static const char sql[] =
		"INSERT INTO contacts (key, last_ms, last_kind) SELECT ?1, ?2, "
		"?3 WHERE EXISTS (SELECT 1 FROM enrolments WHERE key = ?1) "
		"ON CONFLICT (key) DO UPDATE SET last_ms = excluded.last_ms, "
		"last_kind = excluded.last_kind";
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
		rc = cb_store_step_done(lg->st, s, &eb);
	}
	if (rc)
		fprintf(stderr,
		        "chibo-hub: cannot record the contact of key "
		        "%.12s: %s\n",
		        key_hex, eb.msg);
	return rc;
}

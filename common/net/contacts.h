/* SPDX-License-Identifier: MIT */
/* contacts.h — when each enrolled key last reached a hub: the time and
 * endpoint of its last signed request the hub authenticated, kept in the
 * contacts table (schema/009_contacts.sql) for 'chibo-hub report sync',
 * and the highest `created` of its requests (schema/016), which a hub
 * that restarts takes as the key's replay floor (replay.h). A signature
 * proves the key, not that it is enrolled: only keys the enrolments table
 * holds (revoked ones too) get a row, so that a stranger signing with
 * fresh keys cannot grow the table. A revoked key's refused requests are
 * counted there too (schema/026), for the district to see a stolen
 * laptop's key still in use. */
#ifndef CB_CONTACTS_H
#define CB_CONTACTS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "replay.h"
#include "store.h"

/* Record that the enrolled key key_hex (64 hex digits) made a signed
 * request now, to endpoint kind ("push", "pull", "status", …; cut to 31
 * bytes), signed at created (Unix seconds): the row's time and kind are
 * replaced, its created is the highest seen. One statement, its own
 * transaction unless the caller holds one. A key not enrolled is not
 * recorded (CB_OK). A hub must not act on a request whose contact it
 * could not record: after a restart it would not know to refuse it
 * again. */
cb_err cb_contacts_note(struct cb_store *st, const char *key_hex,
                        const char *kind, int64_t created,
                        struct cb_errbuf *eb) CB_MUST_CHECK;

/* Record that the key key_hex, enrolled and revoked (or succeeded, which
 * revokes it), made a signed request the hub refused for that, to
 * endpoint kind, now: its refused count goes up by one and its time of
 * the last refusal is now; its last contact is this request. *noted says
 * whether a row was written: a key not enrolled, or not revoked, is not
 * recorded (CB_OK, *noted false), so that a stranger signing with fresh
 * keys cannot grow the table. Its created is not taken as a floor: the
 * key is refused whatever it signs. */
cb_err cb_contacts_refused(struct cb_store *st, const char *key_hex,
                           const char *kind, bool *noted,
                           struct cb_errbuf *eb) CB_MUST_CHECK;

/* For a hub starting: each key's highest created recorded, as its floor
 * in r (cb_replay_floor). A row whose key is not 64 hex digits is passed
 * over: it names nothing to refuse. */
cb_err cb_contacts_floors(struct cb_store *st, struct cb_replay *r,
                          struct cb_errbuf *eb) CB_MUST_CHECK;

#endif

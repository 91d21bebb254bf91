-- SPDX-License-Identifier: MIT
-- 009_contacts.sql — a hub's record of when each enrolled key last made a
-- signed request it authenticated, and to which endpoint ('push', 'pull',
-- 'status'), for 'chibo-hub report sync' (hub/contact.c). Not part of the
-- log nor of the projection: the hub's own observation, never rebuilt,
-- never in a digest; a replica's stays empty.
CREATE TABLE contacts (
	key       TEXT PRIMARY KEY,  -- the Ed25519 public key, 64 hex
	last_ms   INTEGER NOT NULL,  -- Unix ms, by the hub's clock
	last_kind TEXT NOT NULL
) WITHOUT ROWID;

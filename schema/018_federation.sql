-- SPDX-License-Identifier: MIT
-- 018_federation.sql — many hubs, one country (docs/PROTOCOL.md, "A chain
-- of authority"): a hub that joins a higher hub names, in a signed
-- hub.join entry, the key its new chain of authority starts from (the
-- centre's, a province's). The store's own authority (meta 'authority')
-- stays what it was; the keys its authorities named are authorities too.
-- Part of the projection: filled again when the store is projected.
CREATE TABLE authorities (
	key       TEXT PRIMARY KEY,  -- the Ed25519 public key, 64 hex
	named_by  TEXT NOT NULL,     -- the authority that named it, 64 hex
	entry     BLOB NOT NULL      -- the hub.join entry
) WITHOUT ROWID;
-- The witness a hub that joined a higher hub has (that hub's key, named
-- in the hub.join): its communes check that the checkpoints their hub
-- shows them extend the ones its witness cosigned. Projected.
CREATE TABLE witnesses (
	hub    TEXT PRIMARY KEY,  -- the joined hub's key, 64 hex
	key    TEXT NOT NULL,     -- its witness's key, 64 hex
	entry  BLOB NOT NULL      -- the hub.join entry
) WITHOUT ROWID;
-- A hub is the witness of the hubs under it (C2SP tlog-witness): for each
-- lower hub's log, by its origin, the latest checkpoint it cosigned. Not
-- part of the projection: what this hub saw and signed.
CREATE TABLE witnessed (
	origin       TEXT PRIMARY KEY,  -- chibo/hub/CODE
	size         INTEGER NOT NULL,
	root         BLOB NOT NULL,     -- 32 bytes
	note         TEXT NOT NULL,     -- the checkpoint as submitted
	cosigned_ms  INTEGER NOT NULL
) WITHOUT ROWID;

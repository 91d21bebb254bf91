-- SPDX-License-Identifier: MIT
-- 020_mergers.sql — communes merged into another (2025: 10,035 communes
-- and wards became 3,321), by org.merge: the merged organisation is closed
-- and goes under the one it merged into, its cells and members pass to
-- that one's key, and its history stays whole (docs/PROTOCOL.md, "A
-- chain of authority"). Projection: filled again when the store is
-- projected.
CREATE TABLE mergers (
	org          TEXT PRIMARY KEY,  -- the merged grassroots organisation
	into_org     TEXT NOT NULL,     -- the one it merged into
	merged_on    TEXT NOT NULL,     -- YYYY-MM-DD
	decision_no  TEXT NOT NULL,
	through      TEXT NOT NULL,     -- hex id: the last entry of its key
	entry        TEXT NOT NULL      -- hex id of the org.merge entry
) WITHOUT ROWID;
CREATE INDEX mergers_into ON mergers (into_org);

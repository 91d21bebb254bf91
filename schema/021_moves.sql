-- SPDX-License-Identifier: MIT
-- 021_moves.sql — an organisation moved under another committee
-- (org.move): on 1 July 2025 the districts were abolished and their
-- communes went under the provinces. The organisation's parent changes;
-- its history and signatures stay. Projection: filled again when the
-- store is projected.
CREATE TABLE org_moves (
	entry        TEXT PRIMARY KEY,  -- hex id of the org.move entry
	org          TEXT NOT NULL,
	from_parent  TEXT,              -- its committee before
	to_parent    TEXT NOT NULL,     -- and after
	moved_on     TEXT NOT NULL      -- YYYY-MM-DD
) WITHOUT ROWID;
CREATE INDEX org_moves_org ON org_moves (org);

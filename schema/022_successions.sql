-- SPDX-License-Identifier: MIT
-- 022_successions.sql — an organisation's key succeeded by a new one (a
-- laptop dead, stolen or retired), by org.succeed: every record the old
-- key owned passes to the new key, and the old key's enrolment is closed
-- at the last entry of its chain the succeeding hub held (through); what
-- it signed after that is refused everywhere (docs/PROTOCOL.md, "Key
-- succession"). Projection: filled again when the store is projected.
CREATE TABLE successions (
	old_key      TEXT PRIMARY KEY,  -- 64 hex: a key is succeeded once
	new_key      TEXT NOT NULL,     -- 64 hex
	org          TEXT NOT NULL,     -- the grassroots organisation
	through      TEXT NOT NULL,     -- hex id: the old key's last entry
	through_seq  INTEGER NOT NULL,  -- its seq: the old key's later ones
	                                -- are refused
	succeeded_on TEXT NOT NULL,     -- the date of the entry
	reason       TEXT,
	entry        TEXT NOT NULL      -- hex id of the org.succeed entry
) WITHOUT ROWID;
CREATE INDEX successions_new ON successions (new_key);

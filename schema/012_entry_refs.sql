-- SPDX-License-Identifier: MIT
-- 012_entry_refs.sql — a member.add no longer gets a row saying which
-- member it is about: its id is the member's, so the row said nothing
-- the entry does not, and it cost an insert into a B-tree keyed by a
-- random hash for every member added (docs/PERFORMANCE.md, "Hub ingest").
-- The rows of the other entries stay, in entry_refs; entry_subjects is now
-- a view that gives every reader what the table held: those rows and one
-- per member.add. (It finds a member.add's by reading the log, so queries
-- that must be fast read entry_refs and name member.adds themselves, as
-- common/scope.c does.)

-- Entries stored before schema 3 are given their rows once, by the ledger
-- (common/ledger.c); whether that was done is now kept in meta, since an
-- empty entry_refs no longer tells. It was done where the table holds
-- rows, or where there is nothing to index.
INSERT INTO meta (key, value)
	SELECT 'entry_refs', 'filled'
	WHERE EXISTS (SELECT 1 FROM entry_subjects)
	   OR NOT EXISTS (SELECT 1 FROM entries);

ALTER TABLE entry_subjects RENAME TO entry_refs;
DELETE FROM entry_refs
	WHERE entry IN (SELECT id FROM entries WHERE op = 'member.add');

CREATE VIEW entry_subjects (member, entry) AS
	SELECT member, entry FROM entry_refs
	UNION ALL
	SELECT lower(hex(id)), id FROM entries WHERE op = 'member.add';

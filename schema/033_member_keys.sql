-- SPDX-License-Identifier: MIT
-- 033_member_keys.sql — a member's stays in cells (memberships) name the
-- member by an integer this store gives in the order it takes members in
-- (members.mkey), no longer by the member's 32-byte id. Keyed by the id,
-- memberships_member took every new member at a random place: on a hub
-- of a province, each member.add of a push wrote a leaf page of its own
-- to the WAL, and a commune's nightly sync cost twice as much on a large
-- hub as on an empty one (docs/PERFORMANCE.md, "Nightly sync: one random
-- index less"). Numbered in arrival order, a push's new stays share the
-- index's last pages. The id stays the member's name everywhere else
-- (members_id); mkey never leaves the store: digests name the member by
-- its id, and two stores of the same log may number their members
-- differently.
--
-- A new member's mkey is the largest so far plus one (project_member.c),
-- as a rowid is: the same on both engines, read from members_mkey.
ALTER TABLE members ADD COLUMN mkey INTEGER;
UPDATE members SET mkey = rowid;
CREATE UNIQUE INDEX members_mkey ON members (mkey);

CREATE TABLE memberships_033 (
	member INTEGER NOT NULL, -- members.mkey
	entry  BLOB NOT NULL,
	cell   TEXT NOT NULL,
	kind   TEXT NOT NULL CHECK (kind IN ('official', 'temporary')),
	since  TEXT NOT NULL,
	until  TEXT
);
INSERT INTO memberships_033 SELECT m.mkey, s.entry, s.cell, s.kind,
	s.since, s.until FROM memberships s JOIN members m ON m.id = s.member
	ORDER BY s.rowid;
DROP TABLE memberships;
ALTER TABLE memberships_033 RENAME TO memberships;
CREATE INDEX memberships_cell_since ON memberships (cell, since);
CREATE INDEX memberships_member ON memberships (member, cell, since);

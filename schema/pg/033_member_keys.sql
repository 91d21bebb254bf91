-- SPDX-License-Identifier: MIT
-- 033_member_keys.sql — as schema/033 (a store on either engine is at the
-- same version, docs/internals/sql.md): memberships name a member by
-- members.mkey, an integer given in the order the store takes members in,
-- not by its id.
ALTER TABLE members ADD COLUMN mkey bigint;
UPDATE members m SET mkey = n.n FROM (SELECT id, row_number() OVER
	(ORDER BY id) AS n FROM members) n WHERE n.id = m.id;
CREATE UNIQUE INDEX members_mkey ON members (mkey);

CREATE TABLE memberships_033 (
	member bigint NOT NULL, -- members.mkey
	entry  bytea NOT NULL,
	cell   text NOT NULL,
	kind   text NOT NULL CHECK (kind IN ('official', 'temporary')),
	since  text NOT NULL,
	until  text
);
INSERT INTO memberships_033 SELECT m.mkey, s.entry, s.cell, s.kind,
	s.since, s.until FROM memberships s JOIN members m ON m.id = s.member;
DROP TABLE memberships;
ALTER TABLE memberships_033 RENAME TO memberships;
CREATE INDEX memberships_cell_since ON memberships (cell, since);
CREATE INDEX memberships_member ON memberships (member, cell, since);

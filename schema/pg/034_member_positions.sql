-- SPDX-License-Identifier: MIT
-- 034_member_positions.sql — as schema/034 (a store on either engine is at
-- the same version, docs/internals/sql.md): a member's key is the log
-- position of the entry whose id is the member's, the table's primary
-- key; members.id is indexed no more, a member found by its id through
-- entries.id.
DELETE FROM memberships WHERE member NOT IN (SELECT m.mkey FROM members m
	JOIN entries e ON e.id = m.id);
DELETE FROM members m WHERE NOT EXISTS (SELECT 1 FROM entries e
	WHERE e.id = m.id);
UPDATE memberships s SET member = e.lsn FROM members m, entries e
	WHERE m.mkey = s.member AND e.id = m.id;
DROP INDEX members_mkey;
UPDATE members m SET mkey = e.lsn FROM entries e WHERE e.id = m.id;
ALTER TABLE members DROP CONSTRAINT members_id_key;
ALTER TABLE members ALTER COLUMN mkey SET NOT NULL;
ALTER TABLE members ADD PRIMARY KEY (mkey);

CREATE OR REPLACE VIEW rating_place (subject_kind, subject, period, level,
                                     org) AS
	SELECT r.subject_kind, r.subject, r.period, r.level,
	       CASE r.subject_kind WHEN 'org' THEN convert_from(r.subject, 'UTF8')
	            ELSE (SELECT m.org FROM members m WHERE m.mkey =
	                  (SELECT e.lsn FROM entries e WHERE e.id = r.subject))
	       END
	FROM ratings r WHERE r.stage = 'decided';

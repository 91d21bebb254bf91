-- SPDX-License-Identifier: MIT
-- 034_member_positions.sql — a member's key (members.mkey, schema 033) is
-- the log position (entries.lsn) of the entry whose id is the member's:
-- its member.add, or an admitted candidate's candidate.add. A member is
-- found by its id through the log's own index (entries.id, then
-- members by key), and members.id is indexed no more: it was the second
-- B-tree keyed by a hash that every member.add of a push wrote at a
-- random place (docs/PERFORMANCE.md, "Nightly sync: one random index
-- less", and the section after it). The key is the table's rowid, so a
-- push's new members go to the table's end.
--
-- The projection gives a new member the position its entry has, or, for
-- an entry being taken in (projected before it is stored), the one it
-- will have: the largest so far plus one, as both engines number the log
-- (project_member.c); the ledger checks it as it stores the entry
-- (ledger.c, store_entry).
--
-- SQLite cannot drop the index of a UNIQUE column: the table is made
-- again, with its indexes and triggers (schema 025, 032) and the view
-- that reads it (rating_place, made again first, so that the triggers
-- that read the view stay whole through the rename).

-- (A member whose entry the log lacks cannot be: one made by projecting
-- an entry the store holds. Such a row would be left out, with its stays.)
DELETE FROM memberships WHERE member NOT IN (SELECT m.mkey FROM members m
	JOIN entries e ON e.id = m.id);
UPDATE memberships SET member = (SELECT e.lsn FROM members m JOIN entries e
	ON e.id = m.id WHERE m.mkey = memberships.member);

CREATE TABLE members_034 (
	mkey          INTEGER PRIMARY KEY, -- entries.lsn of the member's entry
	id            BLOB NOT NULL,       -- id of the member.add entry
	full_name     TEXT NOT NULL,
	name_fold     TEXT NOT NULL,
	name_lower    TEXT NOT NULL,
	birth_date    TEXT NOT NULL,
	sex           TEXT NOT NULL,
	card_no       TEXT,
	national_id   TEXT,
	admitted_on   TEXT NOT NULL,
	official_on   TEXT,
	status        TEXT NOT NULL,
	status_on     TEXT,
	work_category TEXT,
	council_area  TEXT,
	cell          TEXT NOT NULL,
	org           TEXT NOT NULL,      -- the owning grassroots organisation
	entry         BLOB NOT NULL,      -- the latest entry that changed it
	transit       TEXT                -- hex id of the release in flight
);
INSERT INTO members_034 SELECT e.lsn, m.id, m.full_name, m.name_fold,
	m.name_lower, m.birth_date, m.sex, m.card_no, m.national_id,
	m.admitted_on, m.official_on, m.status, m.status_on, m.work_category,
	m.council_area, m.cell, m.org, m.entry, m.transit
	FROM members m JOIN entries e ON e.id = m.id ORDER BY e.lsn;

DROP VIEW rating_place;
CREATE VIEW rating_place (subject_kind, subject, period, level, org) AS
	SELECT r.subject_kind, r.subject, r.period, r.level,
	       CASE r.subject_kind WHEN 'org' THEN r.subject
	            ELSE (SELECT m.org FROM members_034 m WHERE m.mkey =
	                  (SELECT e.lsn FROM entries e WHERE e.id = r.subject))
	       END
	FROM ratings r WHERE r.stage = 'decided';
DROP TABLE members;
ALTER TABLE members_034 RENAME TO members;

CREATE INDEX members_cell ON members (cell);
CREATE INDEX members_card ON members (card_no) WHERE card_no IS NOT NULL;
CREATE INDEX members_national_id ON members (national_id)
	WHERE national_id IS NOT NULL;
CREATE INDEX members_org_born ON members (org, birth_date);

CREATE TRIGGER rating_tally_member_out BEFORE UPDATE OF org ON members
WHEN old.org IS NOT new.org BEGIN
	UPDATE rating_tally SET n = n - (SELECT count(*) FROM ratings r
		WHERE r.subject_kind = 'member' AND r.subject = old.id
		  AND r.stage = 'decided' AND r.period = rating_tally.period
		  AND r.level = rating_tally.level)
	WHERE org = old.org AND subject_kind = 'member';
	DELETE FROM rating_tally WHERE n = 0;
END;
CREATE TRIGGER rating_tally_member_in AFTER UPDATE OF org ON members
WHEN old.org IS NOT new.org BEGIN
	INSERT INTO rating_tally (org, period, subject_kind, level, n)
	SELECT new.org, r.period, 'member', r.level, count(*) FROM ratings r
	WHERE r.subject_kind = 'member' AND r.subject = new.id
	  AND r.stage = 'decided' GROUP BY r.period, r.level
	ON CONFLICT (org, period, subject_kind, level) DO UPDATE
	SET n = n + excluded.n;
END;
CREATE TRIGGER rating_tally_member_new AFTER INSERT ON members BEGIN
	INSERT INTO rating_tally (org, period, subject_kind, level, n)
	SELECT new.org, r.period, 'member', r.level, count(*) FROM ratings r
	WHERE r.subject_kind = 'member' AND r.subject = new.id
	  AND r.stage = 'decided' GROUP BY r.period, r.level
	ON CONFLICT (org, period, subject_kind, level) DO UPDATE
	SET n = n + excluded.n;
END;
CREATE TRIGGER member_tally_insert AFTER INSERT ON members BEGIN
	INSERT INTO member_tally_delta VALUES (new.org, new.status, new.cell,
		new.work_category, new.birth_date, 1);
END;
CREATE TRIGGER member_tally_update AFTER UPDATE ON members
WHEN (old.org, old.status, old.cell, old.work_category, old.birth_date)
     IS NOT (new.org, new.status, new.cell, new.work_category,
             new.birth_date) BEGIN
	INSERT INTO member_tally_delta VALUES (old.org, old.status, old.cell,
		old.work_category, old.birth_date, -1);
	INSERT INTO member_tally_delta VALUES (new.org, new.status, new.cell,
		new.work_category, new.birth_date, 1);
END;

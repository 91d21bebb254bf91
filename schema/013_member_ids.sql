-- SPDX-License-Identifier: MIT
-- 013_member_ids.sql — a member's id is kept as its 32 bytes, as entry ids
-- and keys already are in the log's tables, in every column that names a
-- member. As 64 hex digits it doubled the keys of the two indexes that
-- every member added writes at a random place (members.id and
-- memberships.member), and the pages a hub writes for them at each
-- commit; the hub's ingest spent about 5 % of its CPU on the difference
-- (docs/PERFORMANCE.md, "Hub ingest"). Readers show ids as hex, as before.
--
-- ratings.subject names a member (its id's bytes) or an organisation (its
-- code, as text), as subject_kind says.
--
-- chibo_unhex() is registered by common/store.c before the migrations run:
-- 64 hex digits become their 32 bytes; anything else is returned as it is.

DROP VIEW entry_subjects;

CREATE TABLE members_013 (
	id            BLOB NOT NULL UNIQUE, -- id of the member.add entry
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
INSERT INTO members_013 SELECT chibo_unhex(id), full_name, name_fold,
	name_lower, birth_date, sex, card_no, national_id, admitted_on,
	official_on, status, status_on, work_category, council_area, cell,
	org, entry, transit FROM members ORDER BY rowid;
DROP TABLE members;
ALTER TABLE members_013 RENAME TO members;
CREATE INDEX members_cell ON members (cell);
CREATE UNIQUE INDEX members_card ON members (card_no);
CREATE UNIQUE INDEX members_national_id ON members (national_id);

CREATE TABLE memberships_013 (
	member BLOB NOT NULL,
	entry  BLOB NOT NULL,
	cell   TEXT NOT NULL,
	kind   TEXT NOT NULL CHECK (kind IN ('official', 'temporary')),
	since  TEXT NOT NULL,
	until  TEXT
);
INSERT INTO memberships_013 SELECT chibo_unhex(member), entry, cell, kind,
	since, until FROM memberships ORDER BY rowid;
DROP TABLE memberships;
ALTER TABLE memberships_013 RENAME TO memberships;
CREATE INDEX memberships_member ON memberships (member);

CREATE TABLE meetings_013 (
	id           TEXT NOT NULL UNIQUE, -- hex id of the first record entry
	cell         TEXT NOT NULL,
	date         TEXT NOT NULL,
	kind         TEXT NOT NULL,
	duration_min INTEGER NOT NULL,
	chair        BLOB,
	clerk        BLOB,
	observers    TEXT NOT NULL,       -- JSON array
	content      TEXT NOT NULL,
	resolutions  TEXT NOT NULL,
	rating       TEXT,
	versions     INTEGER NOT NULL,
	entry        BLOB NOT NULL        -- the current version's entry
);
INSERT INTO meetings_013 SELECT id, cell, date, kind, duration_min,
	chibo_unhex(chair), chibo_unhex(clerk), observers, content,
	resolutions, rating, versions, entry FROM meetings ORDER BY rowid;
DROP TABLE meetings;
ALTER TABLE meetings_013 RENAME TO meetings;
CREATE INDEX meetings_cell_date ON meetings (cell, date);

CREATE TABLE attendance_013 (
	meeting TEXT NOT NULL,
	member  BLOB NOT NULL,
	mark    TEXT NOT NULL
		CHECK (mark IN ('present', 'excused', 'unexcused', 'exempt')),
	PRIMARY KEY (meeting, member)
) WITHOUT ROWID;
INSERT INTO attendance_013 SELECT meeting, chibo_unhex(member), mark
	FROM attendance;
DROP TABLE attendance;
ALTER TABLE attendance_013 RENAME TO attendance;

CREATE TABLE ratings_013 (
	subject_kind TEXT NOT NULL CHECK (subject_kind IN ('member', 'org')),
	subject      BLOB NOT NULL,
	period       TEXT NOT NULL,
	stage        TEXT NOT NULL,
	level        TEXT NOT NULL,
	score        INTEGER,
	note         TEXT,
	entry        BLOB NOT NULL,
	PRIMARY KEY (subject_kind, subject, period, stage)
) WITHOUT ROWID;
INSERT INTO ratings_013 SELECT subject_kind,
	CASE subject_kind WHEN 'member' THEN chibo_unhex(subject)
	                  ELSE subject END,
	period, stage, level, score, note, entry FROM ratings;
DROP TABLE ratings;
ALTER TABLE ratings_013 RENAME TO ratings;

CREATE TABLE transfers_013 (
	release     TEXT PRIMARY KEY,  -- hex id of the member.release entry
	member      BLOB NOT NULL,
	author      BLOB NOT NULL,     -- the releasing key
	seq         INTEGER NOT NULL,  -- the release's seq in its chain
	from_org    TEXT NOT NULL,
	from_cell   TEXT NOT NULL,
	to_org      TEXT NOT NULL,
	to_cell     TEXT,              -- the cell named in the letter, if any
	letter_no   TEXT NOT NULL,
	letter_date TEXT NOT NULL,
	released_on TEXT NOT NULL,
	reason      TEXT,
	state       TEXT NOT NULL CHECK (state IN ('in-transit', 'accepted',
	                                           'declined')),
	closed_by   TEXT,              -- hex id of the acceptance or decline
	closed_on   TEXT,              -- the day the member reported, or the
	                               -- day of the decline
	cell        TEXT,              -- the receiving cell, once accepted
	struck_by   TEXT,              -- hex id of the strike-off mark
	struck_no   TEXT,              -- the decision's number
	struck_on   TEXT
) WITHOUT ROWID;
INSERT INTO transfers_013 SELECT release, chibo_unhex(member), author, seq,
	from_org, from_cell, to_org, to_cell, letter_no, letter_date,
	released_on, reason, state, closed_by, closed_on, cell, struck_by,
	struck_no, struck_on FROM transfers;
DROP TABLE transfers;
ALTER TABLE transfers_013 RENAME TO transfers;
CREATE INDEX transfers_member ON transfers (member);
CREATE INDEX transfers_to ON transfers (to_org, state);

CREATE TABLE temporaries_013 (
	id          TEXT PRIMARY KEY,  -- hex id of the member.temporary entry
	member      BLOB NOT NULL,
	author      BLOB NOT NULL,     -- the sending key
	seq         INTEGER NOT NULL,  -- the letter's seq in its chain
	from_org    TEXT NOT NULL,
	to_org      TEXT NOT NULL,
	to_cell     TEXT,
	letter_no   TEXT NOT NULL,
	letter_date TEXT NOT NULL,
	since       TEXT NOT NULL,     -- the letter's first day
	until       TEXT NOT NULL,     -- its end (exclusive)
	purpose     TEXT NOT NULL CHECK (purpose IN ('work', 'residence',
	                                             'study')),
	state       TEXT NOT NULL CHECK (state IN ('issued', 'accepted')),
	accepted_by TEXT,              -- hex id of member.temporary_accept
	cell        TEXT,              -- the receiving cell, once accepted
	reported_on TEXT,
	ended_by    TEXT,              -- hex id of member.temporary_end
	ended_on    TEXT
) WITHOUT ROWID;
INSERT INTO temporaries_013 SELECT id, chibo_unhex(member), author, seq,
	from_org, to_org, to_cell, letter_no, letter_date, since, until,
	purpose, state, accepted_by, cell, reported_on, ended_by, ended_on
	FROM temporaries;
DROP TABLE temporaries;
ALTER TABLE temporaries_013 RENAME TO temporaries;
CREATE INDEX temporaries_member ON temporaries (member);
CREATE INDEX temporaries_to ON temporaries (to_org);

CREATE TABLE candidates_013 (
	id          TEXT PRIMARY KEY,  -- hex id of the candidate.add entry
	full_name   TEXT NOT NULL,
	name_fold   TEXT NOT NULL,
	birth_date  TEXT NOT NULL,
	sex         TEXT NOT NULL,
	national_id TEXT,
	cell        TEXT NOT NULL,
	org         TEXT NOT NULL,
	helper1     BLOB,
	helper2     BLOB,
	state       TEXT NOT NULL CHECK (state IN ('candidate', 'admitted')),
	admitted_on TEXT,
	entry       BLOB NOT NULL      -- the latest entry that changed it
) WITHOUT ROWID;
INSERT INTO candidates_013 SELECT id, full_name, name_fold, birth_date, sex,
	national_id, cell, org, chibo_unhex(helper1), chibo_unhex(helper2),
	state, admitted_on, entry FROM candidates;
DROP TABLE candidates;
ALTER TABLE candidates_013 RENAME TO candidates;
CREATE INDEX candidates_cell ON candidates (cell);

CREATE TABLE entry_refs_013 (
	member BLOB NOT NULL,
	entry  BLOB NOT NULL,
	PRIMARY KEY (member, entry)
) WITHOUT ROWID;
INSERT INTO entry_refs_013 SELECT chibo_unhex(member), entry FROM entry_refs;
DROP TABLE entry_refs;
ALTER TABLE entry_refs_013 RENAME TO entry_refs;

CREATE VIEW entry_subjects (member, entry) AS
	SELECT member, entry FROM entry_refs
	UNION ALL
	SELECT id, id FROM entries WHERE op = 'member.add';

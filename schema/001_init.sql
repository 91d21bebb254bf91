-- SPDX-License-Identifier: MIT
-- 001_init.sql — the replica: the signed log (entries) and the tables that
-- are its projection. Every projection table is rebuilt from entries by
-- 'chibo-agent rebuild'; nothing in them is not derived from an entry.

CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

-- The log, as received: bytes are the exact signed bytes (docs/PROTOCOL.md).
-- lsn is the local arrival order; id, author, seq, op and time_ms are copies
-- of what is inside bytes, kept for lookup and re-checked by verify.
CREATE TABLE entries (
	lsn     INTEGER PRIMARY KEY,
	id      BLOB NOT NULL UNIQUE,
	author  BLOB NOT NULL,
	seq     INTEGER NOT NULL,
	op      TEXT NOT NULL,
	time_ms INTEGER NOT NULL,
	bytes   BLOB NOT NULL,
	state   TEXT NOT NULL CHECK (state IN ('applied', 'rejected', 'pending')),
	reason  TEXT
);
CREATE INDEX entries_author_seq ON entries (author, seq);

-- Projection -------------------------------------------------------------

-- Organisations this replica knows: its grassroots organisation(s) and cells.
CREATE TABLE orgs (
	code      TEXT PRIMARY KEY,
	parent    TEXT,
	level     TEXT NOT NULL CHECK (level IN ('committee', 'grassroots', 'cell')),
	kind      TEXT NOT NULL,
	name      TEXT NOT NULL,
	name_fold TEXT NOT NULL,
	state     TEXT NOT NULL CHECK (state IN ('active', 'closed')),
	founded_on TEXT,
	owner     BLOB NOT NULL,
	entry     BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX orgs_parent ON orgs (parent);

CREATE TABLE congresses (
	org     TEXT NOT NULL,
	term    TEXT NOT NULL,
	held_on TEXT NOT NULL,
	entry   BLOB NOT NULL,
	PRIMARY KEY (org, term)
) WITHOUT ROWID;

-- Members, meetings and memberships are rowid tables: their ids are hashes,
-- and a row keyed by a random id lands on a random page; the unique index
-- keeps that cost to the key.
CREATE TABLE members (
	id            TEXT NOT NULL UNIQUE, -- hex id of the member.add entry
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
	entry         BLOB NOT NULL       -- the latest entry that changed it
);
CREATE INDEX members_cell ON members (cell);
CREATE UNIQUE INDEX members_card ON members (card_no);
CREATE UNIQUE INDEX members_national_id ON members (national_id);

-- Where a member's party activity was, and when: one row per stay.
CREATE TABLE memberships (
	member TEXT NOT NULL,
	entry  BLOB NOT NULL,
	cell   TEXT NOT NULL,
	kind   TEXT NOT NULL CHECK (kind IN ('official', 'temporary')),
	since  TEXT NOT NULL,
	until  TEXT
);
CREATE INDEX memberships_member ON memberships (member);

CREATE TABLE meetings (
	id           TEXT NOT NULL UNIQUE, -- hex id of the first record entry
	cell         TEXT NOT NULL,
	date         TEXT NOT NULL,
	kind         TEXT NOT NULL,
	duration_min INTEGER NOT NULL,
	chair        TEXT,
	clerk        TEXT,
	observers    TEXT NOT NULL,       -- JSON array
	content      TEXT NOT NULL,
	resolutions  TEXT NOT NULL,
	rating       TEXT,
	versions     INTEGER NOT NULL,
	entry        BLOB NOT NULL        -- the current version's entry
);
CREATE INDEX meetings_cell_date ON meetings (cell, date);

CREATE TABLE attendance (
	meeting TEXT NOT NULL,
	member  TEXT NOT NULL,
	mark    TEXT NOT NULL
		CHECK (mark IN ('present', 'excused', 'unexcused', 'exempt')),
	PRIMARY KEY (meeting, member)
) WITHOUT ROWID;

CREATE TABLE ratings (
	subject_kind TEXT NOT NULL CHECK (subject_kind IN ('member', 'org')),
	subject      TEXT NOT NULL,
	period       TEXT NOT NULL,
	stage        TEXT NOT NULL,
	level        TEXT NOT NULL,
	score        INTEGER,
	note         TEXT,
	entry        BLOB NOT NULL,
	PRIMARY KEY (subject_kind, subject, period, stage)
) WITHOUT ROWID;

-- SPDX-License-Identifier: MIT
-- 003_transfers.sql — entries that wait for others, and transfers of
-- members between grassroots organisations.

-- What each entry depends on: its deps (chain = 0; chain = 1 is kept for
-- its author's previous entry, which is found by author and seq instead
-- and not written). An entry waits ('pending') while a dep is missing or
-- pending, or while its previous entry is held and pending; it is applied
-- when they are settled. Part of the log, not of the projection: written
-- with the entry, never rebuilt.
CREATE TABLE entry_deps (
	dep   BLOB NOT NULL,
	entry BLOB NOT NULL,
	chain INTEGER NOT NULL,
	PRIMARY KEY (dep, entry)
) WITHOUT ROWID;
CREATE INDEX entry_deps_entry ON entry_deps (entry);

-- A member released by one grassroots organisation to another: in transit
-- until the receiver accepts (ownership moves) or declines (the member
-- returns). Projection.
CREATE TABLE transfers (
	release     TEXT PRIMARY KEY,  -- hex id of the member.release entry
	member      TEXT NOT NULL,
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
	cell        TEXT               -- the receiving cell, once accepted
) WITHOUT ROWID;
CREATE INDEX transfers_member ON transfers (member);
CREATE INDEX transfers_to ON transfers (to_org, state);

-- The release in flight, while a member is in transit (NULL otherwise).
ALTER TABLE members ADD COLUMN transit TEXT;

-- Which member each entry is about (member.add: the member it adds; the
-- "member" of member ops; the subject of a member's rating), so that a
-- member's dossier can travel with a release. Part of the log.
CREATE TABLE entry_subjects (
	member TEXT NOT NULL,
	entry  BLOB NOT NULL,
	PRIMARY KEY (member, entry)
) WITHOUT ROWID;

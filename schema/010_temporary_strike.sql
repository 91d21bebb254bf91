-- SPDX-License-Identifier: MIT
-- 010_temporary_strike.sql — striking off a member whose release went
-- unanswered for three months, and temporary transfers. Projection.

-- The superior committee's office may mark a release unanswered after
-- three months as struck off. A mark, not an answer: the handshake's state
-- stays what the receiver's entries make it, so a late acceptance still
-- moves the member, and the mark is the same whichever arrives first. Of
-- two marks on one release the lower entry id is kept.
ALTER TABLE transfers ADD COLUMN struck_by TEXT;  -- hex id of the mark
ALTER TABLE transfers ADD COLUMN struck_no TEXT;  -- the decision's number
ALTER TABLE transfers ADD COLUMN struck_on TEXT;

-- A temporary transfer: the member keeps the official cell; the receiving
-- organisation's cell lists them as temporary (no vote) from the day they
-- report until the letter's end or the receiver's ending entry. The
-- letter is the sender's; the stay (a memberships row of kind
-- 'temporary') and its end are the receiver's.
CREATE TABLE temporaries (
	id          TEXT PRIMARY KEY,  -- hex id of the member.temporary entry
	member      TEXT NOT NULL,
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
CREATE INDEX temporaries_member ON temporaries (member);
CREATE INDEX temporaries_to ON temporaries (to_org);

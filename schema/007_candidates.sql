-- SPDX-License-Identifier: MIT
-- 007_candidates.sql — people the cell is preparing for admission
-- (quần chúng ưu tú): their helpers (two official members), their cell,
-- and, once admitted, the member they became (whose id is the
-- candidate's). Projection.
CREATE TABLE candidates (
	id          TEXT PRIMARY KEY,  -- hex id of the candidate.add entry
	full_name   TEXT NOT NULL,
	name_fold   TEXT NOT NULL,
	birth_date  TEXT NOT NULL,
	sex         TEXT NOT NULL,
	national_id TEXT,
	cell        TEXT NOT NULL,
	org         TEXT NOT NULL,
	helper1     TEXT,
	helper2     TEXT,
	state       TEXT NOT NULL CHECK (state IN ('candidate', 'admitted')),
	admitted_on TEXT,
	entry       BLOB NOT NULL      -- the latest entry that changed it
) WITHOUT ROWID;
CREATE INDEX candidates_cell ON candidates (cell);

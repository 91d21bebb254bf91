-- SPDX-License-Identifier: MIT
-- 006_dissolutions.sql — dissolving a cell: the owner's plan, the approval
-- of the superior committee's office (a key enrolled with the district
-- role), the owner's decision once the cell is empty. Projection.
CREATE TABLE dissolutions (
	plan        TEXT PRIMARY KEY,  -- hex id of the cell.dissolve_plan entry
	cell        TEXT NOT NULL,
	org         TEXT NOT NULL,     -- the cell's grassroots organisation
	reason      TEXT,
	planned_on  TEXT NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('planned', 'approved',
	                                           'dissolved')),
	approved_by TEXT,              -- hex id of the approval
	approval_no TEXT,              -- the committee's decision number
	approved_on TEXT,
	decision    TEXT,              -- hex id of the cell.dissolve entry
	dissolved_on TEXT
) WITHOUT ROWID;
CREATE INDEX dissolutions_cell ON dissolutions (cell);
CREATE INDEX dissolutions_org ON dissolutions (org);

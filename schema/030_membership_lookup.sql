-- SPDX-License-Identifier: MIT
-- 030_membership_lookup.sql — was a member in a cell on a day (a meeting's
-- attendance, project_meeting.c; the agent's check of it, ops.c): looked
-- up by member, cell and day together. With the member alone indexed,
-- SQLite's planner took memberships_cell_since (two terms against one)
-- and read every stay in the cell for each member named: thirty times
-- thirty rows a meeting. The wider index serves what the narrower did
-- (its first column), so it replaces it. An index only: nothing to fill
-- again.
DROP INDEX memberships_member;
CREATE INDEX memberships_member ON memberships (member, cell, since);

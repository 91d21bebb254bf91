-- SPDX-License-Identifier: MIT
-- 036_meeting_marks_by_cell.sql — a meeting's tallied marks (schema 024)
-- kept in its cell's order, with what 'report meetings' reads of the
-- meeting beside them: the report reads each cell's months as one range
-- of this table, and no longer looks up each meeting's row, its tally
-- and its excused marks in three B-trees keyed by the meeting's id
-- (147,168 meetings at Ho Chi Minh City's size: three seeks each at
-- random places; common/view/report_query.c; docs/PERFORMANCE.md,
-- "Meetings report from one range a cell").
--
-- excused_by holds the ids of the members the meeting marked excused,
-- 64 lowercase hex digits each, in the order of their bytes, nothing
-- between ('' when none). The tables' digest covers the new columns
-- (project.c), so 'verify' checks them against the log; it is a
-- store's own, and changes with this schema. The digest a commune and
-- its hub compare, a subtree's (scope.c), never covered this table.
CREATE TABLE meeting_marks_036 (
	cell       TEXT NOT NULL,         -- meetings.cell
	date       TEXT NOT NULL,         -- meetings.date
	meeting    TEXT NOT NULL UNIQUE,  -- meetings.id
	kind       TEXT NOT NULL,         -- meetings.kind
	present    INTEGER NOT NULL,
	excused    INTEGER NOT NULL,
	unexcused  INTEGER NOT NULL,
	excused_by TEXT NOT NULL,
	PRIMARY KEY (cell, date, meeting)
) WITHOUT ROWID;
INSERT INTO meeting_marks_036 (cell, date, meeting, kind, present, excused,
                               unexcused, excused_by)
	SELECT m.cell, m.date, m.id, m.kind, k.present, k.excused,
	       k.unexcused,
	       coalesce((SELECT group_concat(x.id, '') FROM
	                 (SELECT lower(hex(a.member)) AS id FROM attendance a
	                  WHERE a.mark = 'excused' AND a.meeting = m.id
	                  ORDER BY a.member) AS x), '')
	FROM meetings m JOIN meeting_marks k ON k.meeting = m.id;
DROP TABLE meeting_marks;
ALTER TABLE meeting_marks_036 RENAME TO meeting_marks;

-- SPDX-License-Identifier: MIT
-- 036_meeting_marks_by_cell.sql — as schema/036 (a store on either engine
-- is at the same version, docs/internals/sql.md): a meeting's tallied
-- marks kept in its cell's order, with its date, kind and excused
-- members, for 'report meetings'.
CREATE TABLE meeting_marks_036 (
	cell       text NOT NULL,
	date       text NOT NULL,
	meeting    text NOT NULL,
	kind       text NOT NULL,
	present    bigint NOT NULL,
	excused    bigint NOT NULL,
	unexcused  bigint NOT NULL,
	excused_by text NOT NULL,
	CONSTRAINT meeting_marks_by_cell PRIMARY KEY (cell, date, meeting),
	CONSTRAINT meeting_marks_meeting UNIQUE (meeting)
);
INSERT INTO meeting_marks_036 (cell, date, meeting, kind, present, excused,
                               unexcused, excused_by)
	SELECT m.cell, m.date, m.id, m.kind, k.present, k.excused,
	       k.unexcused,
	       coalesce((SELECT string_agg(encode(a.member, 'hex'), ''
	                                   ORDER BY a.member)
	                 FROM attendance a WHERE a.mark = 'excused'
	                 AND a.meeting = m.id), '')
	FROM meetings m JOIN meeting_marks k ON k.meeting = m.id;
DROP TABLE meeting_marks;
ALTER TABLE meeting_marks_036 RENAME TO meeting_marks;
-- counted for the planner now, not when autovacuum comes to it: 'report
-- meetings' joins it to the subtree's cells
ANALYZE meeting_marks;

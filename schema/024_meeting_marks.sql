-- SPDX-License-Identifier: MIT
-- 024_meeting_marks.sql — each meeting's attendance, tallied when the
-- meeting is projected, so that 'report meetings' reads a row a meeting
-- and not a row a member a meeting (common/view/report_query.c). Filled
-- here from the attendance already projected; rebuilt with the
-- projection.
CREATE TABLE meeting_marks (
	meeting    TEXT PRIMARY KEY,   -- meetings.id
	present    INTEGER NOT NULL,
	excused    INTEGER NOT NULL,
	unexcused  INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO meeting_marks (meeting, present, excused, unexcused)
	SELECT m.id, coalesce(sum(a.mark = 'present'), 0),
	       coalesce(sum(a.mark = 'excused'), 0),
	       coalesce(sum(a.mark = 'unexcused'), 0)
	FROM meetings m LEFT JOIN attendance a ON a.meeting = m.id
	GROUP BY m.id;

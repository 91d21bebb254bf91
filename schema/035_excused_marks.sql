-- SPDX-License-Identifier: MIT
-- 035_excused_marks.sql — the excused absences indexed on their own, by
-- meeting, so that 'report meetings' finds each cell's longest run of
-- them from these marks (and, for a member excused more than once, the
-- member's marks at the meetings between), rather than reading every
-- mark of every cell where one member was once excused: 4.4 million
-- marks at Ho Chi Minh City's size, 4.4–4.8 s (common/view/
-- report_query.c; docs/PERFORMANCE.md, "Runs of excused absences").
-- The mark leads, though every row's is the same: with it, a lookup by
-- mark and meeting matches two columns of this index and one of the
-- table's key (meeting, member), and SQLite's planner, which has no
-- statistics, takes this one.
CREATE INDEX attendance_excused ON attendance (mark, meeting, member)
	WHERE mark = 'excused';

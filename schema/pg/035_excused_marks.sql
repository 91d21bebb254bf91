-- SPDX-License-Identifier: MIT
-- 035_excused_marks.sql — as schema/035 (a store on either engine is at
-- the same version, docs/internals/sql.md): the excused absences indexed
-- on their own, by meeting, for 'report meetings'.
CREATE INDEX attendance_excused ON attendance (mark, meeting, member)
	WHERE mark = 'excused';

-- SPDX-License-Identifier: MIT
-- 032_member_tally.sql — the members counted by organisation, so that
-- 'report membership' reads a few rows per organisation, not a row per
-- member (report_query.c; at national size 5.6 million of them). The
-- report shows four separate counts; the tally keeps what each needs
-- (dim):
--   'status' every member, by status (value);
--   'cell'   the live members (no terminal status, ops.c), by cell: the
--            report adds them up by the cell's kind;
--   'work'   the live members, by work category ('unspecified' for none);
--   'born'   the live members, by year of birth: an age on the report's
--            day is the difference of the years, or one less for a
--            birthday later in the year; the report counts only the years
--            that straddle a band's edge from the members themselves,
--            through members_org_born.
-- Kept by deltas, on both engines: a member's row written adds its
-- columns to member_tally_delta (+1), and a change of what counts takes
-- the old ones out (-1) — whatever code changed the row. A trigger that
-- added to the tally at once cost 12 to 18 µs a member.add, an insert of
-- the raw row about 1.3 µs (PERFORMANCE.md). chibo_fold adds the deltas
-- up, set-based, and empties the table: the store runs it before every
-- commit (and before a digest inside a transaction, cb_store_fold), as
-- PostgreSQL's rating tally is kept (schema/pg/029). The tally is
-- rebuilt with the projection, and part of its digest. No row holds a
-- zero. Members are deleted only by the projection's reset, which
-- empties the tally too (cb_project_reset).
CREATE TABLE member_tally (
	org   TEXT NOT NULL,
	dim   TEXT NOT NULL,
	value TEXT NOT NULL,
	n     INTEGER NOT NULL,
	PRIMARY KEY (org, dim, value)
) WITHOUT ROWID;
CREATE TABLE member_tally_delta (
	org           TEXT NOT NULL,
	status        TEXT NOT NULL,
	cell          TEXT,
	work_category TEXT,
	birth_date    TEXT,
	n             INTEGER NOT NULL
);

CREATE TRIGGER member_tally_insert AFTER INSERT ON members BEGIN
	INSERT INTO member_tally_delta VALUES (new.org, new.status, new.cell,
		new.work_category, new.birth_date, 1);
END;
-- A row is written whole (project_member.c): most writes change none of
-- these.
CREATE TRIGGER member_tally_update AFTER UPDATE ON members
WHEN (old.org, old.status, old.cell, old.work_category, old.birth_date)
     IS NOT (new.org, new.status, new.cell, new.work_category,
             new.birth_date) BEGIN
	INSERT INTO member_tally_delta VALUES (old.org, old.status, old.cell,
		old.work_category, old.birth_date, -1);
	INSERT INTO member_tally_delta VALUES (new.org, new.status, new.cell,
		new.work_category, new.birth_date, 1);
END;

-- INSERT INTO chibo_fold VALUES (1) folds the deltas in: SQLite's
-- counterpart of PostgreSQL's chibo_fold() (store_sqlite.c).
CREATE VIEW chibo_fold (x) AS SELECT 1 WHERE 0;
CREATE TRIGGER chibo_fold INSTEAD OF INSERT ON chibo_fold BEGIN
	INSERT INTO member_tally (org, dim, value, n)
	SELECT org, 'status', status, sum(n) FROM member_tally_delta
	WHERE true GROUP BY org, status
	UNION ALL
	SELECT org, 'cell', cell, sum(n) FROM member_tally_delta
	WHERE cell IS NOT NULL
	  AND status NOT IN ('struck-off', 'expelled', 'resigned', 'deceased')
	GROUP BY org, cell
	UNION ALL
	SELECT org, 'work', coalesce(work_category, 'unspecified'), sum(n)
	FROM member_tally_delta
	WHERE status NOT IN ('struck-off', 'expelled', 'resigned', 'deceased')
	GROUP BY 1, 3
	UNION ALL
	SELECT org, 'born', substr(birth_date, 1, 4), sum(n)
	FROM member_tally_delta
	WHERE birth_date IS NOT NULL
	  AND status NOT IN ('struck-off', 'expelled', 'resigned', 'deceased')
	GROUP BY 1, 3
	ON CONFLICT (org, dim, value) DO UPDATE SET n = n + excluded.n;
	DELETE FROM member_tally
	WHERE n = 0 AND org IN (SELECT org FROM member_tally_delta);
	DELETE FROM member_tally_delta;
END;

-- The years that straddle an age band's edge are counted from the members
-- themselves, by organisation and birth date: this index serves what
-- members_org did (its first column), so it replaces it.
DROP INDEX members_org;
CREATE INDEX members_org_born ON members (org, birth_date);

INSERT INTO member_tally_delta
	SELECT org, status, cell, work_category, birth_date, 1 FROM members;
INSERT INTO chibo_fold VALUES (1);

-- SPDX-License-Identifier: MIT
-- 032_member_tally.sql — the members counted by organisation, as
-- schema/032_member_tally.sql counts them on SQLite (its comment says
-- what each dimension holds, and why deltas): the same rows, kept the same
-- way. A member's row written adds its columns to member_tally_delta, and
-- a change of what counts takes the old ones out; chibo_fold() adds them
-- up into member_tally with the rating tally's deltas.
CREATE TABLE member_tally (
	org   text NOT NULL,
	dim   text NOT NULL,
	value text NOT NULL,
	n     bigint NOT NULL,
	PRIMARY KEY (org, dim, value)
);
CREATE TABLE member_tally_delta (
	org           text NOT NULL,
	status        text NOT NULL,
	cell          text,
	work_category text,
	birth_date    text,
	n             bigint NOT NULL
);
-- the rows that reach zero, found without reading the whole tally
CREATE INDEX member_tally_zero ON member_tally (org) WHERE n = 0;

CREATE FUNCTION member_tally_members() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' THEN
		INSERT INTO member_tally_delta VALUES (OLD.org, OLD.status,
			OLD.cell, OLD.work_category, OLD.birth_date, -1);
	END IF;
	INSERT INTO member_tally_delta VALUES (NEW.org, NEW.status, NEW.cell,
		NEW.work_category, NEW.birth_date, 1);
	RETURN NULL;
END $$;
CREATE TRIGGER member_tally_insert AFTER INSERT ON members
	FOR EACH ROW EXECUTE FUNCTION member_tally_members();
CREATE TRIGGER member_tally_update AFTER UPDATE ON members
	FOR EACH ROW WHEN ((OLD.org, OLD.status, OLD.cell, OLD.work_category,
	                    OLD.birth_date) IS DISTINCT FROM
	                   (NEW.org, NEW.status, NEW.cell, NEW.work_category,
	                    NEW.birth_date))
	EXECUTE FUNCTION member_tally_members();

-- Both tallies' deltas added up, at every commit (store_pg.c).
CREATE OR REPLACE FUNCTION chibo_fold() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	WITH d AS (DELETE FROM rating_tally_delta
	           RETURNING org, period, subject_kind, level, n)
	INSERT INTO rating_tally AS t (org, period, subject_kind, level, n)
	SELECT org, period, subject_kind, level, sum(n) FROM d
	GROUP BY org, period, subject_kind, level
	ON CONFLICT (org, period, subject_kind, level) DO UPDATE
	SET n = t.n + excluded.n;
	DELETE FROM rating_tally WHERE n = 0;
	WITH d AS (DELETE FROM member_tally_delta
	           RETURNING org, status, cell, work_category, birth_date, n)
	INSERT INTO member_tally AS t (org, dim, value, n)
	SELECT org, 'status', status, sum(n) FROM d GROUP BY org, status
	UNION ALL
	SELECT org, 'cell', cell, sum(n) FROM d
	WHERE cell IS NOT NULL
	  AND status NOT IN ('struck-off', 'expelled', 'resigned', 'deceased')
	GROUP BY org, cell
	UNION ALL
	SELECT org, 'work', coalesce(work_category, 'unspecified'), sum(n)
	FROM d
	WHERE status NOT IN ('struck-off', 'expelled', 'resigned', 'deceased')
	GROUP BY 1, 3
	UNION ALL
	SELECT org, 'born', substr(birth_date, 1, 4), sum(n) FROM d
	WHERE birth_date IS NOT NULL
	  AND status NOT IN ('struck-off', 'expelled', 'resigned', 'deceased')
	GROUP BY 1, 3
	ON CONFLICT (org, dim, value) DO UPDATE SET n = t.n + excluded.n;
	DELETE FROM member_tally WHERE n = 0;
END $$;

-- The years that straddle an age band's edge are counted from the members
-- themselves (schema/032): the index replaces members_org.
DROP INDEX members_org;
CREATE INDEX members_org_born ON members (org, birth_date);

INSERT INTO member_tally_delta
	SELECT org, status, cell, work_category, birth_date, 1 FROM members;
SELECT chibo_fold();

-- SPDX-License-Identifier: MIT
-- 025_rating_tally.sql — the decided ratings counted by organisation,
-- period and level, so that 'report ratings' reads a row per
-- organisation and level, not a row per member (report_query.c). A
-- member's ratings count where the member is now: the triggers below
-- keep the tally as ratings are recorded or corrected and as members
-- move (a transfer, a merger), whatever code changed the rows; it is
-- rebuilt with the projection, and part of its digest. An organisation's
-- own ratings count under its code. No row holds a zero. Ratings and
-- members are deleted only by the projection's reset, which empties the
-- tally too (cb_project_reset).
CREATE TABLE rating_tally (
	org          TEXT NOT NULL,
	period       TEXT NOT NULL,
	subject_kind TEXT NOT NULL,
	level        TEXT NOT NULL,
	n            INTEGER NOT NULL,
	PRIMARY KEY (org, period, subject_kind, level)
) WITHOUT ROWID;

-- Where a rating counts: the member's organisation, or the rated
-- organisation itself.
CREATE VIEW rating_place (subject_kind, subject, period, level, org) AS
	SELECT r.subject_kind, r.subject, r.period, r.level,
	       CASE r.subject_kind WHEN 'org' THEN r.subject
	            ELSE (SELECT m.org FROM members m WHERE m.id = r.subject) END
	FROM ratings r WHERE r.stage = 'decided';

CREATE TRIGGER rating_tally_insert AFTER INSERT ON ratings
WHEN new.stage = 'decided' BEGIN
	INSERT INTO rating_tally (org, period, subject_kind, level, n)
	SELECT org, period, subject_kind, level, 1 FROM rating_place
	WHERE subject_kind = new.subject_kind AND subject = new.subject
	  AND period = new.period AND org IS NOT NULL
	ON CONFLICT (org, period, subject_kind, level) DO UPDATE SET n = n + 1;
END;

-- A correction: out with the old level before, in with the new after.
CREATE TRIGGER rating_tally_update_out BEFORE UPDATE ON ratings
WHEN old.stage = 'decided' BEGIN
	UPDATE rating_tally SET n = n - 1
	WHERE (org, period, subject_kind, level) IN (
		SELECT org, period, subject_kind, level FROM rating_place
		WHERE subject_kind = old.subject_kind AND subject = old.subject
		  AND period = old.period);
	DELETE FROM rating_tally WHERE n = 0;
END;
CREATE TRIGGER rating_tally_update_in AFTER UPDATE ON ratings
WHEN new.stage = 'decided' BEGIN
	INSERT INTO rating_tally (org, period, subject_kind, level, n)
	SELECT org, period, subject_kind, level, 1 FROM rating_place
	WHERE subject_kind = new.subject_kind AND subject = new.subject
	  AND period = new.period AND org IS NOT NULL
	ON CONFLICT (org, period, subject_kind, level) DO UPDATE SET n = n + 1;
END;

-- A member that moves takes its ratings along.
CREATE TRIGGER rating_tally_member_out BEFORE UPDATE OF org ON members
WHEN old.org IS NOT new.org BEGIN
	UPDATE rating_tally SET n = n - (SELECT count(*) FROM ratings r
		WHERE r.subject_kind = 'member' AND r.subject = old.id
		  AND r.stage = 'decided' AND r.period = rating_tally.period
		  AND r.level = rating_tally.level)
	WHERE org = old.org AND subject_kind = 'member';
	DELETE FROM rating_tally WHERE n = 0;
END;
CREATE TRIGGER rating_tally_member_in AFTER UPDATE OF org ON members
WHEN old.org IS NOT new.org BEGIN
	INSERT INTO rating_tally (org, period, subject_kind, level, n)
	SELECT new.org, r.period, 'member', r.level, count(*) FROM ratings r
	WHERE r.subject_kind = 'member' AND r.subject = new.id
	  AND r.stage = 'decided' GROUP BY r.period, r.level
	ON CONFLICT (org, period, subject_kind, level) DO UPDATE
	SET n = n + excluded.n;
END;
-- A member row made after its ratings (a store that received them
-- first) counts them then.
CREATE TRIGGER rating_tally_member_new AFTER INSERT ON members BEGIN
	INSERT INTO rating_tally (org, period, subject_kind, level, n)
	SELECT new.org, r.period, 'member', r.level, count(*) FROM ratings r
	WHERE r.subject_kind = 'member' AND r.subject = new.id
	  AND r.stage = 'decided' GROUP BY r.period, r.level
	ON CONFLICT (org, period, subject_kind, level) DO UPDATE
	SET n = n + excluded.n;
END;
INSERT INTO rating_tally (org, period, subject_kind, level, n)
	SELECT org, period, subject_kind, level, count(*) FROM rating_place
	WHERE org IS NOT NULL GROUP BY org, period, subject_kind, level;

-- SPDX-License-Identifier: MIT
-- 029_tally_deltas.sql — the rating tally (026_init.sql, as
-- schema/025_rating_tally.sql keeps it on SQLite) kept by deltas. Every
-- entry a hub takes is judged under a savepoint of its own, which on
-- PostgreSQL is a subtransaction; an update of a row that another
-- subtransaction of the same transaction updated before must remember
-- both (a MultiXact), and the next one all of them: a push of n ratings
-- of one commune updated its tally row n times, at a cost that grew with
-- n (4,000 such updates of one row: 6.3 s, against 0.40 s without the
-- savepoints). So the triggers only insert what changes
-- (rating_tally_delta, +1 or -1 per organisation, period, kind and
-- level), and chibo_fold() adds the deltas up into rating_tally and
-- empties the table: the store calls it before every commit (and before
-- a digest inside a transaction), outside any savepoint, one set-based
-- statement. The tally a reader sees is the same as before.
CREATE TABLE rating_tally_delta (
	org          text NOT NULL,
	period       text NOT NULL,
	subject_kind text NOT NULL,
	level        text NOT NULL,
	n            bigint NOT NULL
);
-- the rows that reach zero, found without reading the whole tally
CREATE INDEX rating_tally_zero ON rating_tally (org) WHERE n = 0;

CREATE OR REPLACE FUNCTION rating_tally_in(kind text, subj bytea, per text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO rating_tally_delta (org, period, subject_kind, level, n)
	SELECT p.org, p.period, p.subject_kind, p.level, 1 FROM rating_place p
	WHERE p.subject_kind = kind AND p.subject = subj AND p.period = per
	  AND p.org IS NOT NULL;
END $$;

CREATE OR REPLACE FUNCTION rating_tally_ratings() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_WHEN = 'BEFORE' THEN
		IF OLD.stage = 'decided' THEN
			INSERT INTO rating_tally_delta
				(org, period, subject_kind, level, n)
			SELECT p.org, p.period, p.subject_kind, p.level, -1
			FROM rating_place p
			WHERE p.subject_kind = OLD.subject_kind
			  AND p.subject = OLD.subject
			  AND p.period = OLD.period AND p.org IS NOT NULL;
		END IF;
		RETURN NEW;
	END IF;
	IF NEW.stage = 'decided' THEN
		PERFORM rating_tally_in(NEW.subject_kind, NEW.subject,
		                        NEW.period);
	END IF;
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION rating_tally_members() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_WHEN = 'BEFORE' THEN
		INSERT INTO rating_tally_delta
			(org, period, subject_kind, level, n)
		SELECT OLD.org, r.period, 'member', r.level, -count(*)
		FROM ratings r
		WHERE r.subject_kind = 'member' AND r.subject = OLD.id
		  AND r.stage = 'decided' GROUP BY r.period, r.level;
		RETURN NEW;
	END IF;
	INSERT INTO rating_tally_delta (org, period, subject_kind, level, n)
	SELECT NEW.org, r.period, 'member', r.level, count(*) FROM ratings r
	WHERE r.subject_kind = 'member' AND r.subject = NEW.id
	  AND r.stage = 'decided' GROUP BY r.period, r.level;
	RETURN NULL;
END $$;

CREATE FUNCTION chibo_fold() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	WITH d AS (DELETE FROM rating_tally_delta
	           RETURNING org, period, subject_kind, level, n)
	INSERT INTO rating_tally AS t (org, period, subject_kind, level, n)
	SELECT org, period, subject_kind, level, sum(n) FROM d
	GROUP BY org, period, subject_kind, level
	ON CONFLICT (org, period, subject_kind, level) DO UPDATE
	SET n = t.n + excluded.n;
	DELETE FROM rating_tally WHERE n = 0;
END $$;

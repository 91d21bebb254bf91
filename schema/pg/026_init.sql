-- SPDX-License-Identifier: MIT
-- The hub's store on PostgreSQL, at the SQLite schema's version 26: the
-- tables, indexes and views of schema/001…026, in PostgreSQL's terms.
-- The same names, columns and orders, so that the view's portable SQL
-- (docs/internals/sql.md) reads and writes both alike, and a table's
-- digest is the same on both engines:
--  - INTEGER is bigint, BLOB bytea, TEXT text; the database's collation
--    is C, so that text orders as bytes, as in SQLite;
--  - ratings.subject is bytes for both kinds of subject: a member's id,
--    or an organisation's code as its UTF-8 (SQLite keeps the code as
--    text; bound as text here it is taken as those bytes);
--  - entries.lsn is given, as SQLite gives a rowid, by a trigger: the
--    greatest plus one (a sequence would leave gaps in the log's
--    positions after a rollback); the trigger notes it for the
--    statement layer's last insert id;
--  - the functions sql.md names: hex, chibo_unhex, chibo_due, and
--    date(text, modifier) with SQLite's arithmetic for the modifiers
--    chibo uses;
--  - triggers as plpgsql functions.

CREATE TABLE chibo_schema (version integer PRIMARY KEY);

CREATE TABLE meta (
	key   text PRIMARY KEY,
	value text NOT NULL
);

CREATE TABLE entries (
	lsn      bigint PRIMARY KEY,
	id       bytea NOT NULL UNIQUE,
	author   bytea NOT NULL,
	seq      bigint NOT NULL,
	op       text NOT NULL,
	time_ms  bigint NOT NULL,
	bytes    bytea NOT NULL,
	state    text NOT NULL CHECK (state IN ('applied', 'rejected', 'pending')),
	reason   text,
	evidence bigint NOT NULL DEFAULT 0 CHECK (evidence IN (0, 1))
);
CREATE INDEX entries_author_seq ON entries (author, seq);
CREATE INDEX entries_pending ON entries (lsn) WHERE state = 'pending';
CREATE INDEX entries_rejected ON entries (author, seq) WHERE state = 'rejected';
CREATE INDEX entries_forks ON entries (author) WHERE evidence = 1;
CREATE INDEX entries_directory ON entries (lsn)
	WHERE op IN ('org.init', 'cell.create', 'cell.rename');
CREATE INDEX entries_author_lsn ON entries (author, lsn);
CREATE INDEX entries_pending_author ON entries (author) WHERE state = 'pending';

CREATE FUNCTION entries_lsn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.lsn IS NULL THEN
		NEW.lsn := coalesce((SELECT max(lsn) FROM entries), 0) + 1;
	END IF;
	PERFORM set_config('chibo.last_id', NEW.lsn::text, false);
	RETURN NEW;
END $$;
CREATE TRIGGER entries_lsn BEFORE INSERT ON entries
	FOR EACH ROW EXECUTE FUNCTION entries_lsn();

CREATE TABLE orgs (
	code       text PRIMARY KEY,
	parent     text,
	level      text NOT NULL CHECK (level IN ('committee', 'grassroots', 'cell')),
	kind       text NOT NULL,
	name       text NOT NULL,
	name_fold  text NOT NULL,
	state      text NOT NULL CHECK (state IN ('active', 'closed')),
	founded_on text,
	owner      bytea NOT NULL,
	entry      bytea NOT NULL
);
CREATE INDEX orgs_parent ON orgs (parent);

CREATE TABLE congresses (
	org     text NOT NULL,
	term    text NOT NULL,
	held_on text NOT NULL,
	entry   bytea NOT NULL,
	PRIMARY KEY (org, term)
);

CREATE TABLE entry_deps (
	dep   bytea NOT NULL,
	entry bytea NOT NULL,
	chain bigint NOT NULL,
	PRIMARY KEY (dep, entry)
);
CREATE INDEX entry_deps_entry ON entry_deps (entry);

CREATE TABLE holidays (
	date  text PRIMARY KEY,
	name  text NOT NULL,
	entry bytea
);

CREATE TABLE dissolutions (
	plan         text PRIMARY KEY,
	cell         text NOT NULL,
	org          text NOT NULL,
	reason       text,
	planned_on   text NOT NULL,
	state        text NOT NULL CHECK (state IN ('planned', 'approved',
	                                            'dissolved')),
	approved_by  text,
	approval_no  text,
	approved_on  text,
	decision     text,
	dissolved_on text
);
CREATE INDEX dissolutions_cell ON dissolutions (cell);
CREATE INDEX dissolutions_org ON dissolutions (org);

CREATE TABLE tlog_nodes (
	level bigint NOT NULL,
	idx   bigint NOT NULL,
	hash  bytea NOT NULL,
	PRIMARY KEY (level, idx)
);

CREATE TABLE checkpoints (
	size    bigint PRIMARY KEY,
	root    bytea NOT NULL,
	note    text NOT NULL,
	made_ms bigint NOT NULL
);

CREATE TABLE contacts (
	key         text PRIMARY KEY,
	last_ms     bigint NOT NULL,
	last_kind   text NOT NULL,
	created_max bigint NOT NULL DEFAULT 0,
	refused     bigint NOT NULL DEFAULT 0,
	refused_ms  bigint
);

CREATE TABLE members (
	id            bytea NOT NULL UNIQUE,
	full_name     text NOT NULL,
	name_fold     text NOT NULL,
	name_lower    text NOT NULL,
	birth_date    text NOT NULL,
	sex           text NOT NULL,
	card_no       text,
	national_id   text,
	admitted_on   text NOT NULL,
	official_on   text,
	status        text NOT NULL,
	status_on     text,
	work_category text,
	council_area  text,
	cell          text NOT NULL,
	org           text NOT NULL,
	entry         bytea NOT NULL,
	transit       text
);
CREATE INDEX members_cell ON members (cell);
CREATE INDEX members_card ON members (card_no) WHERE card_no IS NOT NULL;
CREATE INDEX members_national_id ON members (national_id)
	WHERE national_id IS NOT NULL;
CREATE INDEX members_org ON members (org);

CREATE TABLE memberships (
	member bytea NOT NULL,
	entry  bytea NOT NULL,
	cell   text NOT NULL,
	kind   text NOT NULL CHECK (kind IN ('official', 'temporary')),
	since  text NOT NULL,
	until  text
);
CREATE INDEX memberships_member ON memberships (member);
CREATE INDEX memberships_cell_since ON memberships (cell, since);

CREATE TABLE meetings (
	id           text NOT NULL UNIQUE,
	cell         text NOT NULL,
	date         text NOT NULL,
	kind         text NOT NULL,
	duration_min bigint NOT NULL,
	chair        bytea,
	clerk        bytea,
	observers    text NOT NULL,
	content      text NOT NULL,
	resolutions  text NOT NULL,
	rating       text,
	versions     bigint NOT NULL,
	entry        bytea NOT NULL
);
CREATE INDEX meetings_cell_date ON meetings (cell, date);

CREATE TABLE attendance (
	meeting text NOT NULL,
	member  bytea NOT NULL,
	mark    text NOT NULL
		CHECK (mark IN ('present', 'excused', 'unexcused', 'exempt')),
	PRIMARY KEY (meeting, member)
);

CREATE TABLE meeting_marks (
	meeting   text PRIMARY KEY,
	present   bigint NOT NULL,
	excused   bigint NOT NULL,
	unexcused bigint NOT NULL
);

CREATE TABLE ratings (
	subject_kind text NOT NULL CHECK (subject_kind IN ('member', 'org')),
	subject      bytea NOT NULL,
	period       text NOT NULL,
	stage        text NOT NULL,
	level        text NOT NULL,
	score        bigint,
	note         text,
	entry        bytea NOT NULL,
	PRIMARY KEY (subject_kind, subject, period, stage)
);

CREATE TABLE transfers (
	release     text PRIMARY KEY,
	member      bytea NOT NULL,
	author      bytea NOT NULL,
	seq         bigint NOT NULL,
	from_org    text NOT NULL,
	from_cell   text NOT NULL,
	to_org      text NOT NULL,
	to_cell     text,
	letter_no   text NOT NULL,
	letter_date text NOT NULL,
	released_on text NOT NULL,
	reason      text,
	state       text NOT NULL CHECK (state IN ('in-transit', 'accepted',
	                                           'declined')),
	closed_by   text,
	closed_on   text,
	cell        text,
	struck_by   text,
	struck_no   text,
	struck_on   text
);
CREATE INDEX transfers_member ON transfers (member);
CREATE INDEX transfers_to ON transfers (to_org, state);
CREATE INDEX transfers_from ON transfers (from_org);

CREATE TABLE temporaries (
	id          text PRIMARY KEY,
	member      bytea NOT NULL,
	author      bytea NOT NULL,
	seq         bigint NOT NULL,
	from_org    text NOT NULL,
	to_org      text NOT NULL,
	to_cell     text,
	letter_no   text NOT NULL,
	letter_date text NOT NULL,
	since       text NOT NULL,
	until       text NOT NULL,
	purpose     text NOT NULL CHECK (purpose IN ('work', 'residence',
	                                             'study')),
	state       text NOT NULL CHECK (state IN ('issued', 'accepted')),
	accepted_by text,
	cell        text,
	reported_on text,
	ended_by    text,
	ended_on    text
);
CREATE INDEX temporaries_member ON temporaries (member);
CREATE INDEX temporaries_to ON temporaries (to_org);
CREATE INDEX temporaries_from ON temporaries (from_org);

CREATE TABLE candidates (
	id          text PRIMARY KEY,
	full_name   text NOT NULL,
	name_fold   text NOT NULL,
	birth_date  text NOT NULL,
	sex         text NOT NULL,
	national_id text,
	cell        text NOT NULL,
	org         text NOT NULL,
	helper1     bytea,
	helper2     bytea,
	state       text NOT NULL CHECK (state IN ('candidate', 'admitted')),
	admitted_on text,
	entry       bytea NOT NULL
);
CREATE INDEX candidates_cell ON candidates (cell);

CREATE TABLE entry_refs (
	member bytea NOT NULL,
	entry  bytea NOT NULL,
	PRIMARY KEY (member, entry)
);

CREATE VIEW entry_subjects (member, entry) AS
	SELECT member, entry FROM entry_refs
	UNION ALL
	SELECT id, id FROM entries WHERE op = 'member.add';

CREATE TABLE enrolments (
	key         text PRIMARY KEY,
	org         text NOT NULL,
	role        text NOT NULL CHECK (role IN ('commune', 'district',
	                                          'auditor', 'hub')),
	name        text,
	enrolled_on text NOT NULL,
	entry       bytea NOT NULL,
	revoked_on  text,
	revoked_by  bytea,
	reason      text,
	parent      text,
	enrolled_by text
);
CREATE INDEX enrolments_org ON enrolments (org);

CREATE TABLE authorities (
	key      text PRIMARY KEY,
	named_by text NOT NULL,
	entry    bytea NOT NULL
);

CREATE TABLE witnesses (
	hub   text PRIMARY KEY,
	key   text NOT NULL,
	entry bytea NOT NULL
);

CREATE TABLE witnessed (
	origin      text PRIMARY KEY,
	size        bigint NOT NULL,
	root        bytea NOT NULL,
	note        text NOT NULL,
	cosigned_ms bigint NOT NULL
);

CREATE TABLE exemptions (
	org       text PRIMARY KEY,
	exempt_on text NOT NULL,
	reason    text NOT NULL,
	author    bytea NOT NULL,
	entry     text NOT NULL
);

CREATE TABLE mergers (
	org         text PRIMARY KEY,
	into_org    text NOT NULL,
	merged_on   text NOT NULL,
	decision_no text NOT NULL,
	through     text NOT NULL,
	entry       text NOT NULL
);
CREATE INDEX mergers_into ON mergers (into_org);

CREATE TABLE org_moves (
	entry       text PRIMARY KEY,
	org         text NOT NULL,
	from_parent text,
	to_parent   text NOT NULL,
	moved_on    text NOT NULL
);
CREATE INDEX org_moves_org ON org_moves (org);

CREATE TABLE successions (
	old_key      text PRIMARY KEY,
	new_key      text NOT NULL,
	org          text NOT NULL,
	through      text NOT NULL,
	through_seq  bigint NOT NULL,
	succeeded_on text NOT NULL,
	reason       text,
	entry        text NOT NULL
);
CREATE INDEX successions_new ON successions (new_key);

CREATE TABLE rating_tally (
	org          text NOT NULL,
	period       text NOT NULL,
	subject_kind text NOT NULL,
	level        text NOT NULL,
	n            bigint NOT NULL,
	PRIMARY KEY (org, period, subject_kind, level)
);

CREATE VIEW rating_place (subject_kind, subject, period, level, org) AS
	SELECT r.subject_kind, r.subject, r.period, r.level,
	       CASE r.subject_kind WHEN 'org' THEN convert_from(r.subject, 'UTF8')
	            ELSE (SELECT m.org FROM members m WHERE m.id = r.subject) END
	FROM ratings r WHERE r.stage = 'decided';

-- rating_tally kept as schema/025_rating_tally.sql keeps it.
CREATE FUNCTION rating_tally_in(kind text, subj bytea, per text)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO rating_tally AS t (org, period, subject_kind, level, n)
	SELECT org, period, subject_kind, level, 1 FROM rating_place
	WHERE subject_kind = kind AND subject = subj AND period = per
	  AND org IS NOT NULL
	ON CONFLICT (org, period, subject_kind, level) DO UPDATE SET n = t.n + 1;
$$;

CREATE FUNCTION rating_tally_ratings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_WHEN = 'BEFORE' THEN
		IF OLD.stage = 'decided' THEN
			UPDATE rating_tally SET n = n - 1
			WHERE (org, period, subject_kind, level) IN (
				SELECT org, period, subject_kind, level
				FROM rating_place
				WHERE subject_kind = OLD.subject_kind
				  AND subject = OLD.subject
				  AND period = OLD.period);
			DELETE FROM rating_tally WHERE n = 0;
		END IF;
		RETURN NEW;
	END IF;
	IF NEW.stage = 'decided' THEN
		PERFORM rating_tally_in(NEW.subject_kind, NEW.subject, NEW.period);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER rating_tally_insert AFTER INSERT ON ratings
	FOR EACH ROW EXECUTE FUNCTION rating_tally_ratings();
CREATE TRIGGER rating_tally_update_out BEFORE UPDATE ON ratings
	FOR EACH ROW EXECUTE FUNCTION rating_tally_ratings();
CREATE TRIGGER rating_tally_update_in AFTER UPDATE ON ratings
	FOR EACH ROW EXECUTE FUNCTION rating_tally_ratings();

CREATE FUNCTION rating_tally_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_WHEN = 'BEFORE' THEN
		UPDATE rating_tally SET n = n - (SELECT count(*) FROM ratings r
			WHERE r.subject_kind = 'member' AND r.subject = OLD.id
			  AND r.stage = 'decided' AND r.period = rating_tally.period
			  AND r.level = rating_tally.level)
		WHERE org = OLD.org AND subject_kind = 'member';
		DELETE FROM rating_tally WHERE n = 0;
		RETURN NEW;
	END IF;
	INSERT INTO rating_tally AS t (org, period, subject_kind, level, n)
	SELECT NEW.org, r.period, 'member', r.level, count(*) FROM ratings r
	WHERE r.subject_kind = 'member' AND r.subject = NEW.id
	  AND r.stage = 'decided' GROUP BY r.period, r.level
	ON CONFLICT (org, period, subject_kind, level) DO UPDATE
	SET n = t.n + excluded.n;
	RETURN NULL;
END $$;
CREATE TRIGGER rating_tally_member_out BEFORE UPDATE OF org ON members
	FOR EACH ROW WHEN (OLD.org IS DISTINCT FROM NEW.org)
	EXECUTE FUNCTION rating_tally_members();
CREATE TRIGGER rating_tally_member_in AFTER UPDATE OF org ON members
	FOR EACH ROW WHEN (OLD.org IS DISTINCT FROM NEW.org)
	EXECUTE FUNCTION rating_tally_members();
CREATE TRIGGER rating_tally_member_new AFTER INSERT ON members
	FOR EACH ROW EXECUTE FUNCTION rating_tally_members();

-- The functions of docs/internals/sql.md.
CREATE FUNCTION hex(bytea) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT upper(encode($1, 'hex'))
$$;

CREATE FUNCTION chibo_unhex(text) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT
AS $$
	SELECT CASE WHEN $1 ~ '^[0-9a-fA-F]{64}$' THEN decode($1, 'hex')
	            ELSE convert_to($1, 'UTF8') END
$$;

-- cb_calendar_due: the n-th working day after start (Saturdays, Sundays
-- and the holidays table's days are not), NULL for a bad date.
CREATE FUNCTION chibo_due(start text, n bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	d date;
	k bigint := n;
BEGIN
	IF start IS NULL OR n IS NULL OR n < 0 OR n > 1000
	   OR start !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
		RETURN NULL;
	END IF;
	BEGIN
		d := to_date(start, 'YYYY-MM-DD');
		IF to_char(d, 'YYYY-MM-DD') <> start THEN
			RETURN NULL;
		END IF;
	EXCEPTION WHEN others THEN
		RETURN NULL;
	END;
	WHILE k > 0 LOOP
		d := d + 1;
		IF extract(isodow FROM d) < 6 AND NOT EXISTS (
			SELECT 1 FROM holidays h
			WHERE h.date = to_char(d, 'YYYY-MM-DD')) THEN
			k := k - 1;
		END IF;
	END LOOP;
	RETURN to_char(d, 'YYYY-MM-DD');
END $$;

-- SQLite's date(d, modifier) for the modifiers chibo uses: '+N years',
-- '+N months', '+N days', '+N hours', on a YYYY-MM-DD date or 'now' (UTC).
-- Years and months are added to their fields and a day past the month's
-- end runs into the next month, as SQLite does (2026-01-31 +1 month is
-- 2026-03-03). Anything else: NULL.
CREATE FUNCTION date(d text, modifier text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	m text[];
	n integer;
	y integer;
	mo integer;
	dd integer;
	t timestamp;
	months integer;
BEGIN
	IF d IS NULL OR modifier IS NULL THEN
		RETURN NULL;
	END IF;
	m := regexp_match(lower(modifier),
	       '^\s*([+-]?[0-9]+)\s+(year|month|day|hour)s?\s*$');
	IF m IS NULL THEN
		RETURN NULL;
	END IF;
	n := m[1]::integer;
	IF d = 'now' THEN
		t := now() AT TIME ZONE 'UTC';
	ELSIF d ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN
		y := substr(d, 1, 4)::integer;
		mo := substr(d, 6, 2)::integer;
		dd := substr(d, 9, 2)::integer;
		IF mo < 1 OR mo > 12 OR dd < 1 OR dd > 31 THEN
			RETURN NULL;
		END IF;
		t := make_timestamp(y, mo, 1, 0, 0, 0) + (dd - 1) * interval '1 day';
	ELSE
		RETURN NULL;
	END IF;
	IF m[2] IN ('year', 'month') THEN
		y := extract(year FROM t)::integer;
		mo := extract(month FROM t)::integer;
		dd := extract(day FROM t)::integer;
		months := y * 12 + mo - 1 + CASE m[2] WHEN 'year' THEN 12 * n ELSE n END;
		t := make_timestamp(months / 12, months % 12 + 1, 1, 0, 0, 0)
		     + (dd - 1) * interval '1 day';
	ELSIF m[2] = 'day' THEN
		t := t + n * interval '1 day';
	ELSE
		t := t + n * interval '1 hour';
	END IF;
	RETURN to_char(t, 'YYYY-MM-DD');
END $$;

-- chibo_match(name, query) (cb_text_match): every token of the query a
-- substring of the name; a token with diacritics against the name lowered,
-- one without against the name folded (lowered, Vietnamese diacritics and
-- đ taken off). Lowered by Unicode's rules (ICU's root collation: the
-- database's C collation lowers ASCII only).
CREATE FUNCTION chibo_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
AS $$
	SELECT translate(lower(normalize($1, NFC) COLLATE "und-x-icu"),
	                 'àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ',
	                 'aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd')
$$;

CREATE FUNCTION chibo_match(name text, query text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT coalesce(bool_and(CASE WHEN chibo_fold(t) <> t
	                     THEN position(t IN lower(normalize(name, NFC)
	                                                 COLLATE "und-x-icu")) > 0
	                     ELSE position(t IN chibo_fold(name)) > 0 END),
	                true)
	FROM regexp_split_to_table(
		lower(normalize(query, NFC) COLLATE "und-x-icu"), '\s+') AS t
	WHERE t <> ''
$$;

-- SQLite's NOCASE collation (ASCII case ignored in comparisons), for the
-- statements that name it: ICU's, case-insensitive.
CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2',
                         deterministic = false);

-- SQLite's sum() of a comparison counts where it holds (true is 1): the
-- same aggregate over booleans. NULL when no row, as sum() is.
CREATE FUNCTION chibo_sum_bool(bigint, boolean) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
	SELECT coalesce($1, 0) + coalesce($2::integer, 0)
$$;
CREATE AGGREGATE sum(boolean) (sfunc = chibo_sum_bool, stype = bigint);

-- Seeded as schema/005_holidays.sql and schema/012_entry_refs.sql seed them.
INSERT INTO holidays (date, name) VALUES
	('2025-01-01', 'Tết Dương lịch'),
	('2025-01-28', 'Tết Nguyên đán'), ('2025-01-29', 'Tết Nguyên đán'),
	('2025-01-30', 'Tết Nguyên đán'), ('2025-01-31', 'Tết Nguyên đán'),
	('2025-02-01', 'Tết Nguyên đán'),
	('2025-04-07', 'Giỗ Tổ Hùng Vương'),
	('2025-04-30', 'Ngày Giải phóng miền Nam'),
	('2025-05-01', 'Ngày Quốc tế Lao động'),
	('2025-09-01', 'Quốc khánh'), ('2025-09-02', 'Quốc khánh'),
	('2026-01-01', 'Tết Dương lịch'),
	('2026-02-16', 'Tết Nguyên đán'), ('2026-02-17', 'Tết Nguyên đán'),
	('2026-02-18', 'Tết Nguyên đán'), ('2026-02-19', 'Tết Nguyên đán'),
	('2026-02-20', 'Tết Nguyên đán'),
	('2026-04-26', 'Giỗ Tổ Hùng Vương'),
	('2026-04-30', 'Ngày Giải phóng miền Nam'),
	('2026-05-01', 'Ngày Quốc tế Lao động'),
	('2026-09-01', 'Quốc khánh'), ('2026-09-02', 'Quốc khánh'),
	('2027-01-01', 'Tết Dương lịch'),
	('2027-02-05', 'Tết Nguyên đán'), ('2027-02-06', 'Tết Nguyên đán'),
	('2027-02-07', 'Tết Nguyên đán'), ('2027-02-08', 'Tết Nguyên đán'),
	('2027-02-09', 'Tết Nguyên đán'),
	('2027-04-16', 'Giỗ Tổ Hùng Vương'),
	('2027-04-30', 'Ngày Giải phóng miền Nam'),
	('2027-05-01', 'Ngày Quốc tế Lao động'),
	('2027-09-02', 'Quốc khánh'), ('2027-09-03', 'Quốc khánh');
INSERT INTO meta (key, value) VALUES ('entry_refs', 'filled');

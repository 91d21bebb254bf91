-- SPDX-License-Identifier: MIT
-- 031_entries_lsn.sql — the log's position given as SQLite gives a rowid
-- (026), without the set_config('chibo.last_id') that 026 also made for
-- every entry: the append reads its position back with INSERT … RETURNING
-- lsn, and nothing reads the setting.
CREATE OR REPLACE FUNCTION entries_lsn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.lsn IS NULL THEN
		NEW.lsn := coalesce((SELECT max(lsn) FROM entries), 0) + 1;
	END IF;
	RETURN NEW;
END $$;

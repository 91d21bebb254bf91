-- SPDX-License-Identifier: MIT
-- 028_tally_plpgsql.sql — nothing for SQLite. The number is that of
-- schema/pg/028_tally_plpgsql.sql (a store on either engine is at the
-- same version, docs/internals/sql.md): PostgreSQL's rating tally made a
-- plpgsql function, whose statement is planned once a session, where the
-- SQL function was planned again at every rating (0.45 ms a rating).
SELECT 1;

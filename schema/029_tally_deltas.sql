-- SPDX-License-Identifier: MIT
-- 029_tally_deltas.sql — nothing for SQLite. The number is that of
-- schema/pg/029_tally_deltas.sql (a store on either engine is at the same
-- version, docs/internals/sql.md): PostgreSQL's rating tally kept by
-- deltas folded in at commit, where SQLite's triggers keep it at once.
SELECT 1;

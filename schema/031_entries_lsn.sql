-- SPDX-License-Identifier: MIT
-- 031_entries_lsn.sql — nothing for SQLite. The number is that of
-- schema/pg/031_entries_lsn.sql (a store on either engine is at the same
-- version, docs/internals/sql.md): PostgreSQL's trigger that numbers the
-- log no longer keeps the last number in a setting nothing reads.
SELECT 1;

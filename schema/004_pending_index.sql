-- SPDX-License-Identifier: MIT
-- 004_pending_index.sql — the entries that wait, found at once: settling
-- an entry first asks whether anything waits at all, which without this
-- index is a scan of the log for every entry stored.
CREATE INDEX entries_pending ON entries (lsn) WHERE state = 'pending';

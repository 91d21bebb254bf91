-- SPDX-License-Identifier: MIT
-- 011_fork_index.sql — whether a key is frozen, found at once: a hub asks
-- before every push whether the author's log holds fork evidence (an entry
-- whose reason starts "fork:"), which without this index reads every entry
-- of the author. Forks are rare, so the index stays all but empty.
CREATE INDEX entries_forks ON entries (author) WHERE reason LIKE 'fork:%';

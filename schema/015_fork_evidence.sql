-- SPDX-License-Identifier: MIT
-- 015_fork_evidence.sql — an entry kept as evidence of a fork (another
-- entry of its author at a seq the store holds, or one that does not chain
-- onto it) is said so by a column of its own, not by the words its reason
-- starts with: every reader of an author's chain leaves such entries out,
-- and fourteen queries spelled that as reason LIKE 'fork:%'. The reason
-- keeps its words for people; the state stays 'rejected'.
ALTER TABLE entries ADD COLUMN evidence INTEGER NOT NULL DEFAULT 0
	CHECK (evidence IN (0, 1));
UPDATE entries SET evidence = 1 WHERE reason LIKE 'fork:%';
DROP INDEX entries_forks;
CREATE INDEX entries_forks ON entries (author) WHERE evidence = 1;

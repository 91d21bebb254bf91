-- SPDX-License-Identifier: MIT
-- 011_rare_entries.sql — what a hub asks of a key at every request, found
-- at once: whether its log holds fork evidence (an entry whose reason
-- starts "fork:"; the key is then frozen), asked before every push, and
-- its rejected entries, which its status lists. Without these indexes each
-- question read every entry of the key. Both kinds are rare, so the
-- indexes stay all but empty.
CREATE INDEX entries_forks ON entries (author) WHERE reason LIKE 'fork:%';
CREATE INDEX entries_rejected ON entries (author, seq)
	WHERE state = 'rejected';

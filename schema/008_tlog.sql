-- SPDX-License-Identifier: MIT
-- 008_tlog.sql — the hub's transparency log (docs/PROTOCOL.md,
-- "Transparency log"): the RFC 6962 Merkle tree over the entries in lsn
-- order, kept as every perfect subtree it has, and the checkpoints (signed
-- tree heads) the hub issued. Derived from entries by common/tlog.c; a
-- replica's tables stay empty.

-- The hash of leaves [idx << level, (idx + 1) << level); level 0 holds the
-- leaf hashes, so the tree's size is max(idx) + 1 at level 0.
CREATE TABLE tlog_nodes (
	level INTEGER NOT NULL,
	idx   INTEGER NOT NULL,
	hash  BLOB NOT NULL,
	PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- One row per checkpoint issued: the tree size it covers, its root, and
-- the signed note exactly as served.
CREATE TABLE checkpoints (
	size    INTEGER PRIMARY KEY,
	root    BLOB NOT NULL,
	note    TEXT NOT NULL,
	made_ms INTEGER NOT NULL
);

-- SPDX-License-Identifier: MIT
-- 017_delegation.sql — a chain of authority (docs/PROTOCOL.md, "A chain
-- of authority"): the store's authority may enrol a hub's key with the
-- role 'hub' for an organisation, and that key may then enrol and revoke
-- keys, and found its committee, inside that organisation's subtree only.
-- An enrolment now says who made it, and, when a delegated hub enrolled
-- a key for an organisation not founded yet, the committee it sits under
-- (the organisation's org.init must name it). The role 'hub' needs the
-- table rebuilt (its CHECK). Part of the projection: the rows are filled
-- again when the store is projected under rules 3 (ledger.c).
CREATE TABLE enrolments_017 (
	key          TEXT PRIMARY KEY,  -- the Ed25519 public key, 64 hex
	org          TEXT NOT NULL,     -- the root of the subtree it writes for
	role         TEXT NOT NULL CHECK (role IN ('commune', 'district',
	                                            'auditor', 'hub')),
	name         TEXT,
	enrolled_on  TEXT NOT NULL,     -- the date of the enrolling entry
	entry        BLOB NOT NULL,     -- the key.enroll entry
	revoked_on   TEXT,
	revoked_by   BLOB,              -- the key.revoke entry
	reason       TEXT,
	parent       TEXT,              -- the committee org sits under, if named
	enrolled_by  TEXT               -- the enrolling key, 64 hex
) WITHOUT ROWID;
INSERT INTO enrolments_017 (key, org, role, name, enrolled_on, entry,
	revoked_on, revoked_by, reason, enrolled_by)
	SELECT key, org, role, name, enrolled_on, entry, revoked_on,
	revoked_by, reason, (SELECT value FROM meta WHERE key = 'authority')
	FROM enrolments;
DROP TABLE enrolments;
ALTER TABLE enrolments_017 RENAME TO enrolments;
CREATE INDEX enrolments_org ON enrolments (org);

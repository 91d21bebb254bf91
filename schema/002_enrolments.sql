-- SPDX-License-Identifier: MIT
-- 002_enrolments.sql — which keys may write for which organisation, as the
-- authority (a hub's key) enrolled and revoked them by entries of its own
-- (key.enroll, key.revoke). Part of the projection: rebuilt from entries.

CREATE TABLE enrolments (
	key          TEXT PRIMARY KEY,  -- the Ed25519 public key, 64 hex
	org          TEXT NOT NULL,     -- the root of the subtree it writes for
	role         TEXT NOT NULL CHECK (role IN ('commune', 'district',
	                                            'auditor')),
	name         TEXT,
	enrolled_on  TEXT NOT NULL,     -- the date of the enrolling entry
	entry        BLOB NOT NULL,     -- the key.enroll entry
	revoked_on   TEXT,
	revoked_by   BLOB,              -- the key.revoke entry
	reason       TEXT
) WITHOUT ROWID;
CREATE INDEX enrolments_org ON enrolments (org);

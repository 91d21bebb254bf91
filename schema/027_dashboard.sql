-- SPDX-License-Identifier: MIT
-- 027_dashboard.sql — who may read a hub's dashboard (docs/OPERATIONS.md,
-- "The dashboard"): the accounts its administrator gives with 'chibo-hub
-- account', and the sessions of those signed in (common/net/accounts.c).
-- Local administration of the hub, as contacts are its own observation:
-- not in the log, not projected, never in a digest; a replica's stay
-- empty.
CREATE TABLE dashboard_accounts (
	name        TEXT PRIMARY KEY,  -- what a person types to sign in
	org         TEXT,              -- the subtree it reads; NULL: the hub's
	hash        TEXT NOT NULL,     -- Argon2id, crypto_pwhash_str's text
	created_ms  INTEGER NOT NULL,  -- Unix ms, by the hub's clock
	failures    INTEGER NOT NULL DEFAULT 0,  -- failed sign-ins in a row
	locked_ms   INTEGER NOT NULL DEFAULT 0,  -- locked until (Unix ms)
	last_ms     INTEGER            -- the last sign-in
);
-- A session is named by the SHA-256 of its cookie's 32 random bytes: a
-- copy of hub.db opens none.
CREATE TABLE dashboard_sessions (
	id          BLOB PRIMARY KEY,  -- SHA-256 of the cookie's bytes
	account     TEXT NOT NULL,
	csrf        TEXT NOT NULL,     -- the token of its forms, 64 hex
	expires_ms  INTEGER NOT NULL
);
CREATE INDEX dashboard_sessions_account ON dashboard_sessions (account);

-- SPDX-License-Identifier: MIT
-- 027_dashboard.sql — schema/027_dashboard.sql in PostgreSQL's terms: the
-- dashboard's accounts and sessions, the hub's own administration, in
-- no digest.
CREATE TABLE dashboard_accounts (
	name        text PRIMARY KEY,
	org         text,
	hash        text NOT NULL,
	created_ms  bigint NOT NULL,
	failures    bigint NOT NULL DEFAULT 0,
	locked_ms   bigint NOT NULL DEFAULT 0,
	last_ms     bigint
);
CREATE TABLE dashboard_sessions (
	id          bytea PRIMARY KEY,
	account     text NOT NULL,
	csrf        text NOT NULL,
	expires_ms  bigint NOT NULL
);
CREATE INDEX dashboard_sessions_account ON dashboard_sessions (account);

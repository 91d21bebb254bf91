-- SPDX-License-Identifier: MIT
-- 030_membership_lookup.sql — the same index as schema/030 (a store on
-- either engine is at the same version, docs/internals/sql.md): a member's
-- stays looked up by member, cell and day together.
DROP INDEX memberships_member;
CREATE INDEX memberships_member ON memberships (member, cell, since);

-- SPDX-License-Identifier: MIT
-- 026_refused.sql — with each key's last contact, the signed requests the
-- hub refused because the key was revoked or succeeded (a stolen laptop's
-- key still in use): how many, and when the last came (Unix ms, by the
-- hub's clock), for 'chibo-hub status' and 'report sync' to show the
-- district (common/net/contacts.c). The hub's own observation, as the
-- rest of contacts: not in the log, never in a digest.
ALTER TABLE contacts ADD COLUMN refused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE contacts ADD COLUMN refused_ms INTEGER;

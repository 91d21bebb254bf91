-- SPDX-License-Identifier: MIT
-- 016_contact_created.sql — with each enrolled key's last contact, the
-- highest `created` (Unix seconds, by the agent's clock) of its signed
-- requests that the hub authenticated and took, written before the hub
-- acts on the request (hub/contact.c). A hub that starts refuses that
-- key's requests created at or before it, which the process before may
-- have taken: a captured request cannot be replayed across a restart
-- (docs/PROTOCOL.md, "Request signatures"). 0: none recorded.
ALTER TABLE contacts ADD COLUMN created_max INTEGER NOT NULL DEFAULT 0;

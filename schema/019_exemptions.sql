-- SPDX-License-Identifier: MIT
-- 019_exemptions.sql — an organisation exempt from the campaign of
-- dissolving commune-agency cells, with the reason (seed 000: Thủ Thiêm
-- ward had no residential cells after its residents were relocated, and
-- Ho Chi Minh City counted 321/322 wards with it exempt). Recorded by the
-- office of a committee above the organisation, or by a hub over it
-- (campaign.exempt). Projection: filled again when the store is
-- projected.
CREATE TABLE exemptions (
	org          TEXT PRIMARY KEY,  -- the grassroots organisation
	exempt_on    TEXT NOT NULL,     -- YYYY-MM-DD
	reason       TEXT NOT NULL,
	author       BLOB NOT NULL,     -- who recorded it, 32 bytes
	entry        TEXT NOT NULL      -- hex id of the campaign.exempt entry
) WITHOUT ROWID;

-- SPDX-License-Identifier: MIT
-- 023_scope_indexes.sql — a pull reads its scope through indexes, so that
-- it costs what it sends, not the length of the log (common/view/scope.c,
-- docs/internals/scope.md): the directory's entries, each author's entries
-- in log order, and the transfers and temporary stays out of an
-- organisation; and the members of an organisation. Indexes only:
-- nothing to fill again.
CREATE INDEX entries_directory ON entries (lsn)
	WHERE op IN ('org.init', 'cell.create', 'cell.rename');
CREATE INDEX entries_author_lsn ON entries (author, lsn);
CREATE INDEX transfers_from ON transfers (from_org);
CREATE INDEX temporaries_from ON temporaries (from_org);
-- A commune's members, for what /v1/status tells it of the numbers its
-- members share with others (cb_report_clash_list).
CREATE INDEX members_org ON members (org);
-- The stays that began in a cell in a date range, for 'report transfers'
-- (its internal moves).
CREATE INDEX memberships_cell_since ON memberships (cell, since);
-- A key's entries waiting for what they need, for 'report sync' and the
-- hub's status (cb_report_key_stats): not a row of the key's every entry.
CREATE INDEX entries_pending_author ON entries (author) WHERE state = 'pending';

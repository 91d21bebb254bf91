#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# audit_pages.sh — chibo-audit over a log of several pages (it reads 5,000
# entries a page, and reads the next page while the current one is
# verified): a commune's 12,002 entries through a real hub, audited over
# HTTPS and from a copy of hub.db; then a rewritten entry and a dropped one
# on later pages, each caught at its own leaf.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub

audit() { "$CHIBO_AUDIT_BIN" --dir "$T/aud" "$@"; }
commune a 07297 >/dev/null
AK=$(audit init | sed -n 's/^auditor key: //p')
hub enroll "$AK" --org BG.LG --role auditor >/dev/null
member_ops "$T/ops" 12000
expect_ok "a commune records 12,000 members" agent -R "$T/a" apply "$T/ops"
expect_ok "and syncs them" agent -R "$T/a" sync
n=$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries")
expect_eq "the hub's log holds them, its own and the enrolments" 12005 "$n"

out=$(audit verify --hub "$URL" --pin "$PIN"); rc=$?
expect_eq "the audit of the hub, page by page, passes" 0 "$rc"
expect_match "every entry gives the signed root" \
	"12005 entries, root .* the entries give this root" "$out"
sqlite3 "$T/hub/hub.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$T/hub/hub.db" "$T/x.db"
out=$(audit verify --db "$T/x.db"); rc=$?
expect_eq "so does the audit of a copy" 0 "$rc"
expect_match "with the same root" "12005 entries, root .* the entries give this root" "$out"

# a name changed in the entry at leaf 11,000 (the third page)
entry_rewrite "$T/x.db" "ORDER BY lsn LIMIT 1 OFFSET 11000" Nguyễn Nguyến
out=$(audit verify --db "$T/x.db"); rc=$?
expect_eq "a rewritten entry on the third page: the audit fails" 1 "$rc"
expect_match "at its leaf" "leaf 11000: entry .* signature does not verify" "$out"
expect_eq "and only there" 1 "$(printf '%s\n' "$out" | grep -c 'signature does not verify')"
cp "$T/hub/hub.db" "$T/x.db"
sqlite3 "$T/x.db" "DELETE FROM entries WHERE lsn = (SELECT lsn FROM entries ORDER BY lsn LIMIT 1 OFFSET 7000)"
out=$(audit verify --db "$T/x.db"); rc=$?
expect_eq "an entry dropped from the second page: the audit fails" 1 "$rc"
expect_match "the author's chain has a hole there" "missing from the log \(leaf 7000" "$out"
finish

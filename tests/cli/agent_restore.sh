#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_restore.sh — a replica put back from an old copy (a backup made
# before the last sync) gets its own entries back from the hub on its next
# sync, checked to continue its own chain, instead of stopping; it then
# verifies and agrees with the hub; or, with no link, from a bundle the
# hub exports with --restore. A replica whose key signed another history
# after the copy is stopped, and nothing is taken in.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub

commune a 07297 >/dev/null
A() { agent -R "$T/a" "$@"; }
A cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
A member add --name "Nguyễn Văn Hợp" --birth 1980-01-01 --sex male \
	--card 07297001 --admitted 2005-01-01 --cell 01 >/dev/null
expect_ok "the first sync" A sync
# the backup: the replica as it was then
sqlite3 "$T/a/replica.db" ".backup '$T/backup.db'"
cp -p "$T/a/agent.key" "$T/backup.key"
for i in 2 3 4; do
	A member add --name "Trần Văn $i" --birth 1980-01-01 --sex male \
		--card "0729700$i" --admitted 2005-01-01 --cell 01 >/dev/null
done
A meeting record --cell 01 --date 2026-10-05 --kind regular --duration 95 \
	--present card:07297001 >/dev/null
expect_ok "the second sync" A sync
want=$(entry_count "$T/a")

# the laptop's disk dies; the replica comes back from the backup
rm -rf "$T/a"
mkdir -p "$T/a"
cp "$T/backup.db" "$T/a/replica.db"
cp -p "$T/backup.key" "$T/a/agent.key"
expect_eq "the copy lacks the last four" $((want - 4)) "$(entry_count "$T/a")"
out=$(A sync 2>&1); rc=$?
expect_eq "its next sync succeeds" 0 "$rc"
expect_match "and says what it took back" "took back 4 of this replica's own entries" "$out"
expect_eq "every entry is back" "$want" "$(entry_count "$T/a")"
expect_eq "the members too" 4 "$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM members")"
expect_ok "the replica verifies" A verify
expect_synced a 07297
expect_ok "and it goes on writing" A member add --name "Lê Văn Năm" --birth 1980-01-01 \
	--sex male --card 07297005 --admitted 2005-01-01 --cell 01
expect_ok "and syncing" A sync

# the same with no link: the district exports the commune's replica,
# its own entries included, on a file
rm -rf "$T/a"
mkdir -p "$T/a"
cp "$T/backup.db" "$T/a/replica.db"
cp -p "$T/backup.key" "$T/a/agent.key"
want=$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE author = (SELECT owner FROM orgs WHERE code = '07297')")
expect_ok "the hub exports them" hub export --for 07297 --restore "$T/restore.cbb"
out=$(A import "$T/restore.cbb" 2>&1); rc=$?
expect_eq "the import succeeds" 0 "$rc"
expect_match "and says what it took back" "took back 5 of this replica's own entries" "$out"
expect_eq "every own entry is back" "$want" \
	"$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM entries WHERE author = (SELECT owner FROM orgs WHERE code = '07297')")"
expect_ok "it verifies" A verify
expect_ok "importing it again changes nothing" A import "$T/restore.cbb"
expect_eq "nothing twice" "$want" \
	"$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM entries WHERE author = (SELECT owner FROM orgs WHERE code = '07297')")"

# a copy that then signed another history: stopped, nothing taken in
rm -rf "$T/a"
mkdir -p "$T/a"
cp "$T/backup.db" "$T/a/replica.db"
cp -p "$T/backup.key" "$T/a/agent.key"
A member add --name "Đỗ Văn Khác" --birth 1980-01-01 --sex male \
	--card 07297009 --admitted 2005-01-01 --cell 01 >/dev/null
before=$(entry_count "$T/a")
out=$(A sync 2>&1); rc=$?
expect_eq "another history after the copy: refused (77)" 77 "$rc"
expect_match "named" "signed two histories; a person must look" "$out"
expect_eq "nothing taken in" "$before" "$(entry_count "$T/a")"
out=$(A import "$T/restore.cbb" 2>&1); rc=$?
expect_eq "nor from the file" 1 "$rc"
expect_match "named there too" "signed two histories; a person must look" "$out"
expect_eq "nothing taken in" "$before" "$(entry_count "$T/a")"
finish

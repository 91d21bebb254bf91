#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_backup.sh — 'chibo-hub backup --plain FILE' against a running hub whose
# newest entries still lie in hub.db-wal (which a plain copy of hub.db
# misses): the copy holds the latest entries and the latest checkpoint,
# is mode 0600, self-contained, written through no planted symlink, and
# 'chibo-audit verify --db' and 'chibo-hub --dir' take it. And the audit
# of a file with a -wal beside it that it would not read says so.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub
audit() { "$CHIBO_AUDIT_BIN" --dir "$T/aud" "$@"; }
A() { agent -R "$T/a" "$@"; }
commune a 07297 >/dev/null
A cell create --code 01 --name "Chi bộ thôn Đại Giáp" --kind residential >/dev/null
for i in 1 2 3; do
	A member add --name "Nguyễn Văn $i" --birth 1980-01-01 --sex male \
		--card "m$i" --admitted 2005-01-01 --cell 01 >/dev/null
done
expect_ok "a syncs with the running hub" A sync
live() { sqlite3 "$T/hub/hub.db" "$1"; }
lsn=$(live "SELECT max(lsn) FROM entries")
cpsize=$(live "SELECT max(size) FROM checkpoints")
note=$(live "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1")
expect_eq "the hub signed a checkpoint of its whole log" "$lsn" "$cpsize"

# the trap: a plain copy of hub.db lacks what is in the write-ahead log
cp "$T/hub/hub.db" "$T/plain.db"
expect_eq "a plain copy of hub.db is stale (its newest entries are in the -wal)" 1 \
	"$(sqlite3 "$T/plain.db" "SELECT max(lsn) < $lsn FROM entries")"

printf 'precious\n' > "$T/victim"
ln -s "$T/victim" "$T/copy.db"
expect_match "backup while serve runs" "wrote a consistent copy of the hub's database to" \
	"$(hub backup --plain "$T/copy.db")"
expect_eq "through no planted symlink" "precious" "$(cat "$T/victim")"
expect_eq "a file of its own, 0600" "regular file 600" "$(stat -c '%F %a' "$T/copy.db")"
expect_eq "self-contained: no write-ahead log" "delete" \
	"$(sqlite3 "$T/copy.db" "PRAGMA journal_mode")"
expect_eq "no -wal beside it" "" "$(ls "$T" | grep '^copy.db-' || true)"
expect_eq "the copy holds the latest entry" "$lsn" \
	"$(sqlite3 "$T/copy.db" "SELECT max(lsn) FROM entries")"
expect_eq "and the latest checkpoint" "$note" \
	"$(sqlite3 "$T/copy.db" "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1")"

json=$(audit verify --db "$T/copy.db" --json); rc=$?
expect_eq "the auditor verifies the copy" 0 "$rc"
expect_match "on the latest checkpoint" "\"size\": $cpsize" "$json"

# the copy restored as hub.db in a hub's directory
mkdir "$T/restored"
cp "$T/hub/hub.key" "$T/hub/tls.key" "$T/hub/tls.crt" "$T/restored/"
cp "$T/copy.db" "$T/restored/hub.db"
expect_ok "chibo-hub --dir takes the copy" "$CHIBO_HUB_BIN" --dir "$T/restored" verify
expect_eq "and holds the same tables" "$(hub digest)" \
	"$("$CHIBO_HUB_BIN" --dir "$T/restored" digest)"

# a -wal beside the file that SQLite would not read (here, damaged in its
# header): said, not silently skipped
cp "$T/hub/hub.db" "$T/torn.db"
python3 -c '
import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[20] ^= 1
open(sys.argv[2], "wb").write(b)' "$T/hub/hub.db-wal" "$T/torn.db-wal"
expect_fail "a -wal the audit would not read" \
	"'.*torn.db-wal' lies beside .*, so it was not read .*chibo-hub backup --plain FILE" \
	audit verify --db "$T/torn.db"
head -c 20 "$T/hub/hub.db-wal" > "$T/torn.db-wal"
expect_fail "a -wal cut short" "'.*torn.db-wal' lies beside .*, so it was not read" \
	audit verify --db "$T/torn.db"
# a copy taken with its -wal is read with it
cp "$T/hub/hub.db" "$T/both.db"
cp "$T/hub/hub.db-wal" "$T/both.db-wal"
json=$(audit verify --db "$T/both.db" --json); rc=$?
expect_eq "a copy of hub.db with its -wal verifies" 0 "$rc"
expect_match "on the latest checkpoint" "\"size\": $cpsize" "$json"
expect_fail "backup needs a FILE" "FILE" hub backup
finish

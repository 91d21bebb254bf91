#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# backup_encrypted.sh — 'backup' and 'restore-backup' of chibo-agent and
# chibo-hub: a hub backed up while it serves and is pushed to, restored
# into a new directory, verified, served, and caught up by its commune's
# next sync with what it lost since the backup; a replica backed up,
# restored and verified; and every damaged or foreign backup refused in
# one line, with nothing written.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
printf 'gió mùa đông bắc\n' > "$T/pass"
export CHIBO_PASSPHRASE_FILE="$T/pass"
start_hub
A() { agent -R "$T/a" "$@"; }
B() { agent -R "$T/b" "$@"; }
add() { # add R N: N members in replica R's cell 01
	local i
	for i in $(seq "$2"); do
		agent -R "$T/$1" member add --name "Nguyễn Văn $1$i-$RANDOM" \
			--birth 1980-01-01 --sex male --admitted 2005-01-01 \
			--cell 01 >/dev/null || return 1
	done
}
commune a 07297 >/dev/null
commune b 07298 >/dev/null
commune c 07299 >/dev/null
for r in a b c; do
	agent -R "$T/$r" cell create --code 01 --name "Chi bộ thôn 1" \
		--kind residential >/dev/null
done
add a 3
add c 2
expect_ok "a syncs" A sync
expect_ok "c syncs" agent -R "$T/c" sync
held_before=$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries")

# b pushes while the hub is backed up
( for _ in 1 2 3 4 5; do add b 2 && B sync >/dev/null 2>&1; done ) &
pusher=$!
out=$(hub backup "$T/hub.cbk" 2>&1); rc=$?
wait $pusher
expect_eq "backup while serve runs and b pushes" 0 "$rc"
expect_match "says what it wrote" "wrote an encrypted backup of hub .* to .*hub.cbk" "$out"
expect_eq "the backup is 0600" "regular file 600" "$(stat -c '%F %a' "$T/hub.cbk")"
expect_eq "no plaintext left in the hub's directory" "" \
	"$(ls "$T/hub" | grep -E 'snapshot|tmp' || true)"
expect_eq "starts with its magic" "CHIBOBAK" "$(head -c 8 "$T/hub.cbk")"
expect_eq "holds no member's name in the clear" 0 \
	"$(grep -c 'Nguy' "$T/hub.cbk" || true)"
expect_eq "nor the hub's key" 0 \
	"$(grep -c "$(head -c 40 "$T/hub/hub.key")" "$T/hub.cbk" || true)"

# after the backup, a records more and syncs: the hub that dies holds it;
# c records while the hub is down (its laptop offline)
add a 4
expect_ok "a syncs again" A sync
B sync >/dev/null 2>&1
add c 3

# refused, in one line, writing nothing
expect_fail "a replica's restore of a hub's backup" \
	"is a backup of a hub, not of a replica: restore it with 'chibo-hub restore-backup'" \
	agent -R "$T/x" restore-backup "$T/hub.cbk"
expect_fail "onto the running hub's directory" "holds a hub already" \
	hub restore-backup "$T/hub.cbk"
printf 'wrong passphrase\n' > "$T/wrong"
expect_fail "a wrong passphrase" "wrong passphrase" \
	env CHIBO_PASSPHRASE_FILE="$T/wrong" "$CHIBO_HUB_BIN" --dir "$T/x" \
	restore-backup "$T/hub.cbk"
size=$(stat -c %s "$T/hub.cbk")
for cut in 4 71 72 1000 70000 $((size - 1)); do
	head -c "$cut" "$T/hub.cbk" > "$T/cut.cbk"
	expect_fail "cut short at byte $cut" "not a chibo backup|cut short" \
		"$CHIBO_HUB_BIN" --dir "$T/x" restore-backup "$T/cut.cbk"
done
for at in 9 40 100 70000 $((size - 5)); do
	python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read())
b[int(sys.argv[3])] ^= 4; open(sys.argv[2], "wb").write(b)' \
		"$T/hub.cbk" "$T/flip.cbk" "$at"
	expect_fail "a byte changed at $at" "changed|format|unknown kind|header" \
		"$CHIBO_HUB_BIN" --dir "$T/x" restore-backup "$T/flip.cbk"
done
expect_eq "and nothing was written" "" "$(ls -d "$T/x" 2>/dev/null)"
expect_fail "a passphrase is never taken from argv" "see 'chibo-hub restore-backup --help'" \
	"$CHIBO_HUB_BIN" --dir "$T/x" restore-backup "$T/hub.cbk" "$(cat "$T/pass")"
expect_fail "no passphrase and no terminal" "no terminal .*CHIBO_PASSPHRASE_FILE" \
	env -u CHIBO_PASSPHRASE_FILE setsid "$CHIBO_HUB_BIN" --dir "$T/x" \
	restore-backup "$T/hub.cbk"

# the hub's disk dies: restored from the backup, verified, served
out=$("$CHIBO_HUB_BIN" --dir "$T/hub2" restore-backup "$T/hub.cbk" 2>&1); rc=$?
expect_eq "the hub's backup restores" 0 "$rc"
expect_eq "into a directory of its own" "directory 700" "$(stat -c '%F %a' "$T/hub2")"
expect_eq "every file 0600" "600 600 600 600" \
	"$(stat -c %a "$T/hub2/hub.db" "$T/hub2/hub.key" "$T/hub2/tls.key" "$T/hub2/tls.crt" | tr '\n' ' ' | sed 's/ $//')"
expect_ok "the restored hub verifies" "$CHIBO_HUB_BIN" --dir "$T/hub2" verify
restored=$(sqlite3 "$T/hub2/hub.db" "SELECT count(*) FROM entries")
expect_ok "it holds at least what the hub held before the backup" \
	test "$restored" -ge "$held_before"
expect_ok "but less than the hub that died" \
	test "$restored" -lt "$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries")"
serve_hub "$T/hub2"
held() { # held R CODE: R's own entries, and those the restored hub holds
	sqlite3 "$T/$1/replica.db" "SELECT count(*) FROM entries WHERE author = (SELECT author FROM entries ORDER BY lsn LIMIT 1)"
	sqlite3 "$T/hub2/hub.db" "SELECT count(*) FROM entries WHERE hex(author) = (SELECT upper(key) FROM enrolments WHERE org = '$2')"
}
# c last synced before the backup: it catches up as with any hub
expect_ok "c, offline since before the backup, syncs with the restored hub" \
	agent -R "$T/c" sync
expect_eq "which now holds every entry of c" 1 "$(held c 07299 | uniq | wc -l)"
expect_eq "and agrees with c" \
	"$("$CHIBO_HUB_BIN" --dir "$T/hub2" digest --org 07299)" \
	"$(agent -R "$T/c" digest)"
# a pushed after the backup: the agent pushes from the restored hub's head,
# so what the hub lost comes back; but a holds a checkpoint the restored
# log does not extend (the hub signed entries it no longer has), and
# stops there, keeping both as evidence (docs/OPERATIONS.md, "Restoring
# a hub")
expect_ok "the restored hub lacks a's newest entries" \
	test "$(held a 07297 | tail -1)" -lt "$(held a 07297 | head -1)"
out=$(A sync 2>&1); rc=$?
expect_eq "a's sync stops: the hub's signed log went back" 77 "$rc"
expect_match "saying so" "the hub's log is not the one it showed before" "$out"
expect_eq "but a's lost entries came back to the hub first" 1 \
	"$(held a 07297 | uniq | wc -l)"
expect_ok "the caught-up hub verifies" "$CHIBO_HUB_BIN" --dir "$T/hub2" verify

# a commune's laptop: its replica backed up, restored, verified
out=$(A backup "$T/a.cbk" 2>&1); rc=$?
expect_eq "the agent's backup" 0 "$rc"
expect_fail "a hub's restore of a replica's backup" \
	"is a backup of a replica, not of a hub" \
	"$CHIBO_HUB_BIN" --dir "$T/y" restore-backup "$T/a.cbk"
expect_fail "over an existing replica" "holds a replica already" \
	A restore-backup "$T/a.cbk"
out=$(agent -R "$T/a2" restore-backup "$T/a.cbk" 2>&1); rc=$?
expect_eq "restores into a new replica" 0 "$rc"
expect_eq "its key 0600, as it was" "600 $(cat "$T/a/agent.key")" \
	"$(stat -c %a "$T/a2/agent.key") $(cat "$T/a2/agent.key")"
expect_ok "the restored replica verifies" agent -R "$T/a2" verify
expect_eq "and holds what a held" "$(A digest)" "$(agent -R "$T/a2" digest)"
printf 'short\n' > "$T/short"
expect_fail "a new backup's passphrase is not too short" "8 characters" \
	env CHIBO_PASSPHRASE_FILE="$T/short" "$CHIBO_AGENT" -R "$T/a" backup "$T/s.cbk"
expect_eq "and nothing is written then" "" "$(ls "$T" | grep '^s.cbk' || true)"
finish

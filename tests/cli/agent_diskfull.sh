#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_diskfull.sh — the disk under a replica fills up (root: a small
# tmpfs, skipped otherwise). During 'apply', and during the pull of
# 'sync' (a district office's replica taking in a commune's members):
# one line of error that says the disk is full, a non-zero exit, and the
# replica intact afterwards ('verify', SQLite's integrity check, nothing
# half-written); once space is freed, the next run completes.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 not installed"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: python3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: mounting a small filesystem needs root"
	exit 77
fi
SMALL=$T/small
mkdir "$SMALL"
if ! mount -t tmpfs -o size=16m chibo-diskfull "$SMALL" 2>/dev/null; then
	echo "skipped: cannot mount a tmpfs here"
	exit 77
fi
trap 'exit 1' INT TERM
at_exit 'umount "$SMALL"'

# fill KB: the free space on the tmpfs down to about KB kilobytes
fill() {
	local free
	rm -f "$SMALL/filler"
	free=$(df -k --output=avail "$SMALL" | tail -1)
	dd if=/dev/zero of="$SMALL/filler" bs=1k count=$((free - $1)) \
		status=none
}
intact() {
	expect_ok "$1: the replica verifies" agent -R "$2" verify
	expect_eq "$1: SQLite's integrity check passes" ok \
		"$(sqlite3 "$2/replica.db" 'PRAGMA integrity_check')"
}

# apply: 3,000 members (about 4 MB on disk) into about 3 MB of space:
# the first batches of 1,000 fit
agent -R "$SMALL/a" init --code 07297 --name "Đảng bộ xã Quế Nham" >/dev/null
member_ops "$T/ops.jsonl" 3000
fill 3072
# expect_full DESC CMD…: CMD fails with exit 1 and one line of error that
# says the disk is full; the line is left in ERR.
expect_full() {
	local desc=$1 rc
	shift
	ERR=$("$@" 2>&1 >/dev/null); rc=$?
	expect_eq "$desc: exit 1" 1 "$rc"
	expect_eq "$desc: one line of error" 1 "$(printf '%s\n' "$ERR" | wc -l)"
	expect_match "$desc: the disk is full" "^chibo-agent: error: .*is full; free some space" "$ERR"
}
expect_full "apply on a full disk" \
	agent -R "$SMALL/a" apply --quiet "$T/ops.jsonl"
intact "after apply" "$SMALL/a"
saved=$(entry_count "$SMALL/a")
(( saved > 2 && saved < 3002 )) && ok ||
	bad "apply on a full disk saved $saved entries: none or all"
# The error names the first line not saved; what is saved is whole
# lines from the start (org.init, then one entry a line).
expect_match "it says where to go on" "apply the rest from line $saved$" "$ERR"
rm -f "$SMALL/filler"
tail -n +"$saved" "$T/ops.jsonl" > "$T/rest.jsonl"
expect_ok "apply of the rest, with space" \
	agent -R "$SMALL/a" apply --quiet "$T/rest.jsonl"
expect_eq "every line is in" 3002 "$(entry_count "$SMALL/a")"
intact "after the second apply" "$SMALL/a"
rm -rf "$SMALL/a"

# sync: the commune's 3,000 members pulled by the district's office
start_hub
commune q 07297 >/dev/null
agent -R "$T/q" apply --quiet "$T/ops.jsonl" >/dev/null
agent -R "$T/q" sync >/dev/null || bad "the commune's sync"
kd=$(agent -R "$SMALL/d" init --code BG.LG --office \
	--name "Văn phòng Huyện ủy Lạng Giang" | sed -n 's/^public key: //p')
hub enroll "$kd" --org BG.LG --role district >/dev/null
agent -R "$SMALL/d" hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
fill 2048
expect_full "sync onto a full disk" agent -R "$SMALL/d" sync
expect_match "in the pull" "cannot take in what the hub sent" "$ERR"
intact "after sync" "$SMALL/d"
# the pages taken in before the disk filled are kept, with the cursor
pulled=$(sqlite3 "$SMALL/d/replica.db" 'SELECT count(*) FROM members')
(( pulled > 0 && pulled < 3000 )) && ok ||
	bad "a pull onto a full disk kept $pulled members: none or all"
rm -f "$SMALL/filler"
expect_ok "the next sync, with space" agent -R "$SMALL/d" sync
intact "after the second sync" "$SMALL/d"
expect_eq "the office holds the commune's members" 3000 \
	"$(sqlite3 "$SMALL/d/replica.db" 'SELECT count(*) FROM members')"
finish

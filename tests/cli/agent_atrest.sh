#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_atrest.sh — 'init' and 'status' say whether the replica's files
# are encrypted at rest (common/base/atrest.c; tests/unit/test_atrest.c
# covers the detection): over a fabricated /proc/self/mountinfo and /sys
# ($CHIBO_TEST_ATREST_ROOT, for tests only), a replica on a plain
# partition is warned about in one line, on stderr, by init (which
# succeeds all the same) and in status; one on LUKS is not; where
# mountinfo cannot be read, they say they cannot tell; status --json
# carries it as "at_rest"; and in Vietnamese under a Vietnamese locale.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"

F=$T/fab
mkdir -p "$T/plain" "$T/luks" "$F/proc/self" \
	"$F/sys/devices/pci0/block/sda/sda3" "$F/sys/devices/virtual/block/dm-0/dm" \
	"$F/sys/devices/virtual/block/dm-0/slaves" "$F/sys/dev/block"
cat > "$F/proc/self/mountinfo" <<EOF
20 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw
21 20 8:3 / $T/plain rw,relatime - ext4 /dev/sda3 rw
22 20 254:0 / $T/luks rw,relatime - ext4 /dev/mapper/sda2_crypt rw
EOF
ln -s "$F/sys/devices/pci0/block/sda/sda3" "$F/sys/dev/block/8:3"
ln -s "$F/sys/devices/virtual/block/dm-0" "$F/sys/dev/block/254:0"
echo CRYPT-LUKS2-0a1b2c3d4e5f60718293a4b5c6d7e8f9-sda2_crypt > "$F/sys/devices/virtual/block/dm-0/dm/uuid"
ln -s "$F/sys/devices/pci0/block/sda/sda3" "$F/sys/devices/virtual/block/dm-0/slaves/sda3"
export CHIBO_TEST_ATREST_ROOT=$F

warn="the replica's filesystem \(ext4 on $T/plain, device sda3\) is not encrypted: whoever takes this laptop can read the members' records; put the replica on an encrypted disk \(LUKS\) or in an fscrypt directory \(docs/OPERATIONS.md, \"Member data at rest\"\)"
agent -R "$T/plain/r" init --code 1 --name A > "$T/out" 2> "$T/err"
expect_eq "init on a plain disk succeeds" 0 $?
expect_match "and warns, in one line" "^chibo-agent: warning: $warn$" "$(cat "$T/err")"
expect_eq "one line of it" 1 "$(grep -c 'filesystem' "$T/err")"
expect_match "status shows it" "^at rest:      $warn$" "$(agent -R "$T/plain/r" status)"
json=$(agent -R "$T/plain/r" status --json)
expect_match "status --json: plain" '"at_rest": \{ *"state": "plain", "by": null, "mount": "'"$T"'/plain", "filesystem": "ext4", "device": "sda3"' \
	"$(printf '%s' "$json" | tr -d '\n' | tr -s ' ')"

agent -R "$T/plain/new" restore --code 1 > "$T/out" 2> "$T/err"
expect_eq "restore's first step, on a new laptop's plain disk, succeeds" 0 $?
expect_match "and warns the same" "^chibo-agent: warning: $warn$" "$(grep filesystem "$T/err")"

agent -R "$T/luks/r" init --code 2 --name B > "$T/out" 2> "$T/err"
expect_eq "init on LUKS succeeds" 0 $?
expect_no_match "and says nothing of it" "filesystem|encrypted" "$(cat "$T/err")"
expect_match "status: encrypted" "^at rest:      encrypted \(dm-crypt\)$" "$(agent -R "$T/luks/r" status)"
expect_match "status --json: encrypted by dm-crypt" '"state": "encrypted", "by": "dm-crypt".*"device": "dm-0"' \
	"$(agent -R "$T/luks/r" status --json | tr -d '\n' | tr -s ' ')"

# no /proc to read: no claim either way
mv "$F/proc" "$F/proc.gone"
agent -R "$T/luks/r2" init --code 3 --name C > "$T/out" 2> "$T/err"
expect_eq "init where nothing can be read succeeds" 0 $?
expect_match "and says it cannot tell" \
	"^chibo-agent: warning: cannot tell whether the replica's filesystem is encrypted \(cannot read '$F/proc/self/mountinfo'\): check it by hand" \
	"$(grep filesystem "$T/err")"
expect_match "status --json: unknown, and why" '"state": "unknown", "by": null, .*"unknown_because": "mountinfo"' \
	"$(agent -R "$T/luks/r" status --json | tr -d '\n' | tr -s ' ')"
mv "$F/proc.gone" "$F/proc"

# in Vietnamese
expect_match "Vietnamese: not encrypted" "^mã hóa đĩa:   hệ thống tệp của bản sao \(ext4 tại $T/plain, thiết bị sda3\) không được mã hóa" \
	"$(LANGUAGE=vi LC_ALL=C.UTF-8 agent -R "$T/plain/r" status)"
finish

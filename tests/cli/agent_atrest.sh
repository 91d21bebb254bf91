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
# Then, as root where a loop device mounts, for real: a replica in an
# fscrypt directory (an ext4 image with the encrypt feature, a v2 policy
# with a key of its own) is encrypted, and one beside it, on the loop
# device, is "cannot tell".
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

# a real fscrypt directory, in a mount namespace of this test's own
unset CHIBO_TEST_ATREST_ROOT
if [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null &&
	truncate -s 32M "$T/ext4.img" && mkfs.ext4 -q -O encrypt "$T/ext4.img" &&
	mkdir "$T/mnt" && unshare -m --propagation private sh -c \
		'mount -o loop "$0" "$1" && umount "$1"' "$T/ext4.img" "$T/mnt" 2>/dev/null; then
	# FS_IOC_ADD_ENCRYPTION_KEY (a random 64-byte key; its identifier
	# comes back), then FS_IOC_SET_ENCRYPTION_POLICY with a v2 policy
	# (AES-256-XTS, AES-256-CTS) naming it: linux/fscrypt.h
	printf '%s\n' 'import fcntl, os, struct, sys' \
		'fd = os.open(sys.argv[1], os.O_RDONLY)' \
		'raw = os.urandom(64)' \
		'arg = bytearray(struct.pack("II32sII32s", 2, 0, bytes(32), len(raw), 0, bytes(32)) + raw)' \
		'fcntl.ioctl(fd, 0xC0506617, arg)' \
		'fcntl.ioctl(fd, 0x800C6613, struct.pack("BBBB4s16s", 2, 1, 4, 0, bytes(4), bytes(arg[8:24])))' \
		> "$T/fscrypt.py"
	unshare -m --propagation private sh -c '
		mount -o loop "$0/ext4.img" "$0/mnt" && mkdir "$0/mnt/enc" &&
		python3 "$0/fscrypt.py" "$0/mnt/enc" &&
		"$1" -R "$0/mnt/enc/r" init --code 5 --name E > /dev/null 2> "$0/enc.err" &&
		"$1" -R "$0/mnt/enc/r" status --json > "$0/enc.json" &&
		"$1" -R "$0/mnt/plain" init --code 6 --name P > /dev/null 2> "$0/plain.err"
		rc=$?; umount "$0/mnt"; exit $rc' "$T" "$CHIBO_AGENT"
	expect_eq "init in a real fscrypt directory, and on the loop device" 0 $?
	expect_no_match "fscrypt: init says nothing of it" "filesystem" "$(cat "$T/enc.err")"
	expect_match "fscrypt: status --json says so" '"state": "encrypted", "by": "fscrypt"' \
		"$(tr -d '\n' < "$T/enc.json" | tr -s ' ')"
	expect_match "a loop device: cannot tell" \
		"^chibo-agent: warning: cannot tell whether the replica's filesystem is encrypted \(a loop device: its backing file decides\)" \
		"$(grep filesystem "$T/plain.err")"
else
	echo "not root, or no loop device mounts here: the real fscrypt directory not tried"
fi
finish

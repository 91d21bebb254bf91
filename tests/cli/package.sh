#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# package.sh — the Debian package: built with CPack from this build, its
# metadata and contents checked with dpkg-deb, its programs run from the
# unpacked tree, its systemd units checked with 'systemd-analyze verify'.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_BUILD_DIR:?CHIBO_BUILD_DIR must name the build directory}"
for t in cpack dpkg-deb systemd-analyze; do
	command -v "$t" >/dev/null || { echo "$t not installed"; exit 77; }
done

cpack --config "$CHIBO_BUILD_DIR/CPackConfig.cmake" -B "$T/pkg" >/dev/null 2>&1
deb=$(ls "$T"/pkg/chibo_*_*.deb 2>/dev/null | head -1)
expect_match "a .deb is built" "chibo_[0-9.]+_[a-z0-9]+\.deb$" "$deb"
expect_eq "named chibo" chibo "$(dpkg-deb -f "$deb" Package)"
expect_eq "versioned as the project" \
	"$(sed -n 's/^project(chibo VERSION \([0-9.]*\).*/\1/p' "$CHIBO_SOURCE_DIR/CMakeLists.txt")" \
	"$(dpkg-deb -f "$deb" Version)"
deps=$(dpkg-deb -f "$deb" Depends)
for d in adduser libsqlite3-0 libsodium23 libjansson4 libcurl4 libmicrohttpd12 libzstd1 libutf8proc2; do
	expect_match "depends on $d" "(^|, )$d(,|$| )" "$deps"
done
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in usr/bin/chibo-agent usr/bin/chibo-hub usr/bin/chibo-audit \
	usr/share/man/man1/chibo-agent.1 usr/share/man/man1/chibo-audit.1 \
	usr/share/man/man1/chibo-hub.1 usr/lib/systemd/system/chibo-hub.service \
	usr/lib/systemd/system/chibo-agent-sync.service \
	usr/lib/systemd/system/chibo-agent-sync.timer; do
	expect_match "installs $f" "^\./$f$" "$files"
done
dpkg-deb -e "$deb" "$T/control"
expect_ok "a postinst, executable" test -x "$T/control/postinst"
expect_match "which makes the chibo system user" "adduser --system .*chibo" \
	"$(tr '\n' ' ' < "$T/control/postinst")"
expect_ok "the postinst is valid sh" sh -n "$T/control/postinst"

dpkg-deb -x "$deb" "$T/root"
expect_ok "the packaged agent runs" "$T/root/usr/bin/chibo-agent" --help
expect_ok "the packaged hub runs" "$T/root/usr/bin/chibo-hub" --help

# the units, pointed at the unpacked programs, verified by systemd
mkdir "$T/units"
for u in "$T"/root/usr/lib/systemd/system/*; do
	sed "s|/usr/bin/|$T/root/usr/bin/|" "$u" > "$T/units/$(basename "$u")"
done
out=$(systemd-analyze verify --man=no "$T"/units/chibo-hub.service \
	"$T"/units/chibo-agent-sync.service "$T"/units/chibo-agent-sync.timer 2>&1); rc=$?
expect_eq "systemd-analyze verify passes" 0 "$rc"
expect_eq "and has nothing to say" "" "$out"
hubu=$(cat "$T/units/chibo-hub.service")
for k in "User=chibo" "StateDirectory=chibo/hub" "NoNewPrivileges=yes" \
	"ProtectSystem=strict" "ProtectHome=yes" "PrivateTmp=yes" "CapabilityBoundingSet=$"; do
	expect_match "the hub's unit: $k" "^$k" "$hubu"
done
timer=$(cat "$T/units/chibo-agent-sync.timer")
for k in "Persistent=true" "RandomizedDelaySec=" "OnCalendar="; do
	expect_match "the timer: $k" "^$k" "$timer"
done
expect_match "a refused sync (77) is not retried" "^RestartPreventExitStatus=77" \
	"$(cat "$T/units/chibo-agent-sync.service")"
finish

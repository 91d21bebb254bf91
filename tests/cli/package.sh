#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# package.sh — the Debian package: built with CPack from this build, its
# metadata and contents checked with dpkg-deb (stripped programs,
# compressed man pages and changelog, a copyright file, the Vietnamese
# message catalogue (found beside the programs), versioned Depends
# with libc's, /etc/chibo/hub.conf a conffile the hub serves with, prerm
# and postrm), its programs run from the unpacked tree, its systemd units
# checked with 'systemd-analyze verify' and their exposure with
# 'systemd-analyze security' (2.0 at most), and lintian (where installed)
# finding no error nor warning, nor a hardening tag.
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
expect_match "depends on adduser" "(^|, )adduser(,|$| )" "$deps"
for d in libc6 libsqlite3-0 libsodium23 libjansson4 libcurl[34][a-z-]* libmicrohttpd12 libzstd1 libutf8proc2; do
	expect_match "depends on $d, versioned" "(^|, )$d \\(>= [0-9]" "$deps"
done
expect_no_match "no made-up mail host" "@localhost|@localdomain|[@.]example\.(org|com|net)>|\.(invalid|test)>" \
	"$(dpkg-deb -f "$deb" Maintainer)"
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in usr/bin/chibo-agent usr/bin/chibo-hub usr/bin/chibo-audit \
	usr/share/man/man1/chibo-agent.1.gz usr/share/man/man1/chibo-audit.1.gz \
	usr/share/man/man1/chibo-hub.1.gz usr/lib/systemd/system/chibo-hub.service \
	usr/share/doc/chibo/copyright usr/share/doc/chibo/changelog.gz \
	etc/chibo/hub.conf usr/share/locale/vi/LC_MESSAGES/chibo.mo \
	etc/chibo/agent.conf \
	usr/lib/systemd/system/chibo-agent-sync@.service \
	usr/lib/systemd/system/chibo-agent-sync@.timer; do
	expect_match "installs $f" "^\./$f$" "$files"
done
dpkg-deb -e "$deb" "$T/control"
expect_ok "a postinst, executable" test -x "$T/control/postinst"
expect_match "which makes the chibo system user" "adduser --system .*chibo" \
	"$(tr '\n' ' ' < "$T/control/postinst")"
expect_ok "the postinst is valid sh" sh -n "$T/control/postinst"
for m in prerm postrm; do
	expect_ok "a $m, executable" test -x "$T/control/$m"
	expect_ok "the $m is valid sh" sh -n "$T/control/$m"
done
expect_match "the prerm stops the units" "deb-systemd-invoke stop \\\$syncs chibo-hub.service" \
	"$(tr '\n' ' ' < "$T/control/prerm")"
expect_match "every clerk's nightly sync among them" "list-units --all .*'chibo-agent-sync@\*'" \
	"$(tr '\n\t\\' '   ' < "$T/control/prerm" | tr -s ' ')"
expect_match "the postrm disables them" 'units="chibo-hub.service".*deb-systemd-helper disable \$units' \
	"$(tr '\n' ' ' < "$T/control/postrm")"
expect_match "and the clerks' timers" 'rm -f /etc/systemd/system/timers.target.wants/chibo-agent-sync@\*.timer' \
	"$(cat "$T/control/postrm")"
expect_match "an upgrade drops the old timer's link" 'rm -f "\$old"' \
	"$(cat "$T/control/postinst")"
expect_match "the postinst lets a clerk reach /var/lib/chibo/replica" "install -d -o chibo -g chibo -m 0755 /var/lib/chibo" \
	"$(cat "$T/control/postinst")"
expect_match "purge removes the records only when asked" \
	'CHIBO_PURGE_DATA:-\}" = yes \]; then rm -rf /var/lib/chibo' \
	"$(tr '\n\t' '  ' < "$T/control/postrm" | tr -s ' ')"
expect_eq "hub.conf and agent.conf are conffiles" "/etc/chibo/hub.conf /etc/chibo/agent.conf" \
	"$(cat "$T/control/conffiles" | paste -sd' ')"

dpkg-deb -x "$deb" "$T/root"
for b in chibo-agent chibo-hub chibo-audit; do
	expect_eq "$b is stripped" "" \
		"$(readelf -S "$T/root/usr/bin/$b" | grep -E '\.(debug_info|symtab)' || true)"
done
# hardened (CHIBO_HARDEN): a PIE, bound now, a read-only GOT, the stack
# protector, and fortified libc calls (__*_chk) — in every build but a
# sanitizer's or a fuzzer's, which CMakeLists.txt leaves unhardened (ASan
# brings its own checks, and _FORTIFY_SOURCE fights them)
cache=$CHIBO_BUILD_DIR/CMakeCache.txt
hardened=yes
if grep -qE '^CHIBO_(SANITIZE|FUZZ):BOOL=ON' "$cache" ||
	grep -qE '^CHIBO_HARDEN:BOOL=OFF' "$cache"; then
	hardened=
	echo "a sanitizer, fuzzer or unhardened build: the hardening checks skipped"
fi
for b in ${hardened:+chibo-agent chibo-hub chibo-audit}; do
	f=$T/root/usr/bin/$b
	expect_match "$b is a PIE" "Type: +DYN" "$(readelf -h "$f")"
	expect_match "$b is bound now" "\(FLAGS_1\).*NOW.*PIE|\(BIND_NOW\)|\(FLAGS\).*BIND_NOW" "$(readelf -d "$f")"
	expect_match "$b has a read-only GOT after relocation" "GNU_RELRO" "$(readelf -lW "$f")"
	syms=$(readelf --dyn-syms -W "$f")
	expect_match "$b has the stack protector" "__stack_chk_fail" "$syms"
	expect_match "$b calls fortified functions" "__[a-z]+_chk" "$(printf '%s\n' "$syms" | grep -v __stack_chk)"
	if command -v hardening-check >/dev/null; then
		expect_ok "hardening-check passes $b" hardening-check --quiet "$f"
	fi
done
for m in chibo-agent chibo-hub chibo-audit; do
	expect_eq "$m.1 compressed, whole" "$(cat "$CHIBO_SOURCE_DIR/docs/man/$m.1")" \
		"$(gzip -dc "$T/root/usr/share/man/man1/$m.1.gz")"
done
expect_match "the changelog names this version" \
	"^chibo \($(dpkg-deb -f "$deb" Version)\)" \
	"$(gzip -dc "$T/root/usr/share/doc/chibo/changelog.gz" | head -1)"
expect_match "the copyright file is machine-readable" "^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" \
	"$(head -1 "$T/root/usr/share/doc/chibo/copyright")"
# the packaged hub.conf is one the hub serves with
"$T/root/usr/bin/chibo-hub" --dir "$T/h" init --code H --name H >/dev/null
"$T/root/usr/bin/chibo-hub" --dir "$T/h" serve --config "$T/root/etc/chibo/hub.conf" \
	--listen 127.0.0.1:0 > "$T/serve.out" 2> "$T/serve.err" &
pid=$!
for _ in $(seq 100); do grep -q serving "$T/serve.out" && break; sleep 0.1; done
expect_match "the hub serves with the packaged hub.conf" serving "$(cat "$T/serve.out")"
kill $pid 2>/dev/null; wait $pid 2>/dev/null
expect_ok "the packaged agent runs" "$T/root/usr/bin/chibo-agent" --help
# its catalogue is found beside it (share/locale next to bin/), not in
# the build tree: LANGUAGE picks Vietnamese under any non-C locale
expect_match "the packaged agent speaks Vietnamese" "^cách dùng: chibo-agent" \
	"$(env -u CHIBO_LOCALEDIR LANGUAGE=vi LC_ALL=C.UTF-8 \
		"$T/root/usr/bin/chibo-agent" --help | head -1)"
expect_ok "the packaged hub runs" "$T/root/usr/bin/chibo-hub" --help

# the units, pointed at the unpacked programs, verified by systemd
mkdir "$T/units"
for u in "$T"/root/usr/lib/systemd/system/*; do
	sed "s|/usr/bin/|$T/root/usr/bin/|" "$u" > "$T/units/$(basename "$u")"
done
out=$(systemd-analyze verify --man=no "$T"/units/chibo-hub.service \
	"$T"/units/chibo-agent-sync@.service "$T"/units/chibo-agent-sync@.timer 2>&1); rc=$?
expect_eq "systemd-analyze verify passes" 0 "$rc"
expect_eq "and has nothing to say" "" "$out"
hubu=$(cat "$T/units/chibo-hub.service")
for k in "User=chibo" "StateDirectory=chibo/hub" "NoNewPrivileges=yes" \
	"ProtectSystem=strict" "ProtectHome=yes" "PrivateTmp=yes" "CapabilityBoundingSet=$"; do
	expect_match "the hub's unit: $k" "^$k" "$hubu"
done
timer=$(cat "$T/units/chibo-agent-sync@.timer")
for k in "Persistent=true" "RandomizedDelaySec=" "OnCalendar="; do
	expect_match "the timer: $k" "^$k" "$timer"
done
syncu=$(cat "$T/units/chibo-agent-sync@.service")
expect_match "a refused sync (77) is not retried" "^RestartPreventExitStatus=77" "$syncu"
expect_match "the nightly sync runs as the clerk" "^User=%i$" "$syncu"
expect_match "on the replica agent.conf names, made the clerk's" "^StateDirectory=chibo/replica$" "$syncu"
expect_eq "which is that one" "CHIBO_REPLICA=/var/lib/chibo/replica" \
	"$(grep -v '^#' "$T/root/etc/chibo/agent.conf")"
expect_match "quiet until init" "^ExecStart=.*chibo-agent sync --if-initialised " "$syncu"
# exposure: 'systemd-analyze security' (offline, on the unit files)
if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
	for u in chibo-hub.service chibo-agent-sync@.service; do
		f=$T/units/$u
		[ "$u" = chibo-hub.service ] || { f=$T/units/chibo-agent-sync@clerk.service; cp "$T/units/$u" "$f"; }
		x=$(systemd-analyze security --offline=yes "$f" 2>&1 | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
		expect_match "$u: exposure ≤ 2.0 ($x)" "^(0\.[0-9]|1\.[0-9]|2\.0)$" "$x"
	done
else
	echo "systemd-analyze security --offline not available: exposure not measured"
fi
expect_match "the hub's unit serves with /etc/chibo/hub.conf" \
	"^ExecStart=.*chibo-hub serve --config /etc/chibo/hub.conf$" "$hubu"
if command -v lintian >/dev/null; then
	out=$(lintian --tag-display-limit 0 "$deb" 2>&1)
	expect_no_match "lintian finds no error" "^E: " "$out"
	expect_no_match "nor a warning" "^W: " "$out"
	[ -z "$hardened" ] ||
		expect_no_match "nor a hardening tag" "hardening-" \
			"$(lintian -I --tag-display-limit 0 "$deb" 2>&1)"
else
	echo "lintian not installed: its check skipped"
fi
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# package_install.sh — the Debian package installed, upgraded, removed and
# purged in a real Debian 12 root, as an operator's apt and dpkg do it:
# a minimal bookworm made by debootstrap from the Debian mirror apt uses
# here (once: cached as a tarball under the build directory), the package
# of this build installed at a lower version, a hub and a commune replica
# made as the services would, the package upgraded (the edited conffile,
# the data, the chibo user kept), removed (the data and conffiles kept,
# the units disabled) and purged (/etc/chibo gone, /var/lib/chibo kept
# unless CHIBO_PURGE_DATA=yes). Then, where this machine lets
# systemd-nspawn boot a container, the same root under a real systemd:
# the hub's unit started, restarted and stopped, the nightly sync's
# service run before and after 'init', and a purge that stops and
# disables them. Skipped (77) only when not root or when no Debian mirror
# answers, and in a sanitizer or fuzzer build, whose programs are not
# the ones shipped; anything else missing fails.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_BUILD_DIR:?CHIBO_BUILD_DIR must name the build directory}"
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: not root: debootstrap, chroot and dpkg in it need root"
	exit 77
fi
if grep -qE '^CHIBO_(SANITIZE|FUZZ):BOOL=ON' "$CHIBO_BUILD_DIR/CMakeCache.txt"; then
	echo "SKIP: a sanitizer or fuzzer build: its programs are not the shipped ones (the normal build runs this test)"
	exit 77
fi
for t in cpack dpkg-deb debootstrap unshare chroot zstd curl; do
	command -v "$t" >/dev/null ||
		{ echo "FAIL: $t not installed (packaging/install-deps.sh installs it)"; exit 1; }
done

cpack --config "$CHIBO_BUILD_DIR/CPackConfig.cmake" -B "$T/new" >/dev/null 2>&1
new=$(ls "$T"/new/chibo_*.deb)
ver=$(dpkg-deb -f "$new" Version)
# the same tree packed at a lower version: 0.1.0~old sorts before 0.1.0
cpack --config "$CHIBO_BUILD_DIR/CPackConfig.cmake" -B "$T/old" \
	-D CPACK_PACKAGE_VERSION="$ver~old" >/dev/null 2>&1
old=$(ls "$T"/old/chibo_*.deb)
expect_eq "the old package is older" "$ver~old" "$(dpkg-deb -f "$old" Version)"

# The root: minbase, the package's Depends (so that installing it needs
# no network), and systemd for the container. Made once per list.
include=$(dpkg-deb -f "$new" Depends | tr ',' '\n' | sed 's/(.*//; s/ //g' |
	grep . | sort -u | paste -sd,),systemd
cache=$CHIBO_BUILD_DIR/debootstrap/bookworm-$(printf '%s' "$include" | sha256sum | cut -c1-12).tar.zst
if [ ! -s "$cache" ]; then
	mirror=${CHIBO_DEBIAN_MIRROR:-$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 2>/dev/null |
		awk '$2 == "bookworm" && $3 == "main" { print $1; exit }')}
	if [ -z "$mirror" ]; then
		echo "SKIP: apt has no Debian 12 (bookworm) mirror here (or set CHIBO_DEBIAN_MIRROR)"
		exit 77
	fi
	if ! curl -sf --max-time 30 -o /dev/null "${mirror%/}/dists/bookworm/Release"; then
		echo "SKIP: the Debian mirror $mirror does not answer"
		exit 77
	fi
	start=$(date +%s)
	if ! debootstrap --variant=minbase --include="$include" bookworm \
		"$T/boot" "$mirror" > "$T/debootstrap.log" 2>&1; then
		tail -20 "$T/debootstrap.log"
		echo "FAIL: debootstrap from $mirror"
		exit 1
	fi
	rm -f "$T"/boot/var/cache/apt/archives/*.deb
	mkdir -p "$(dirname "$cache")"
	tar --numeric-owner -C "$T/boot" -cf - . | zstd -q -T0 > "$cache.tmp" &&
		mv "$cache.tmp" "$cache"
	rm -rf "$T/boot"
	echo "debootstrap of bookworm: $(( $(date +%s) - start )) s, cached in $cache"
fi

# R: a fresh root from the tarball, the packages in its /root/debs
new_root() {
	R=$T/root.$1
	mkdir "$R"
	zstd -dc "$cache" | tar --numeric-owner -C "$R" -xf -
	mkdir "$R/root/debs"
	cp "$new" "$old" "$R/root/debs/"
}
# in_root CMD…: CMD in the root, with its own /proc, in a mount
# namespace of its own (the mount goes when it ends, whatever happens)
in_root() {
	unshare --mount --propagation private sh -c \
		'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$R" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive HOME=/root ${ENVS:-} "$@"
}
sha() { sha256sum "$R$1" 2>/dev/null | cut -d' ' -f1; }
owner() { in_root stat -c %U "$1" 2>/dev/null; }
installed() { in_root dpkg-query -W -f='${Status} ${Version}' chibo 2>/dev/null; }

new_root chroot
apt_install() { in_root apt-get install -y -q --no-install-recommends "$@" > "$T/apt.out" 2>&1 ||
	{ cat "$T/apt.out"; return 1; }; }
expect_ok "the old package installs" apt_install "/root/debs/$(basename "$old")"
expect_eq "installed, at the old version" "install ok installed $ver~old" "$(installed)"
expect_match "the chibo system user is made" "^chibo:x:[0-9]+:[0-9]+:chibo records[,]*:/var/lib/chibo:/usr/sbin/nologin$" \
	"$(grep '^chibo:' "$R/etc/passwd")"
uid=$(stat -c %u "$R/var/lib/chibo")
expect_eq "/var/lib/chibo is chibo's" chibo "$(owner /var/lib/chibo)"
# the hub as its unit has it: chibo's StateDirectory, initialised as
# chibo; a clerk's replica where agent.conf puts it
in_root install -d -o chibo -g chibo -m 0700 /var/lib/chibo/hub
expect_ok "chibo-hub init, as chibo" in_root runuser -u chibo -- \
	chibo-hub --dir /var/lib/chibo/hub init --code BG.LG --name "Huyện ủy Lạng Giang"
in_root adduser --disabled-password --gecos "" clerk >/dev/null 2>&1
in_root install -d -o clerk -g clerk -m 0700 /var/lib/chibo/replica
expect_ok "chibo-agent init, as the clerk, on agent.conf's replica" in_root runuser -u clerk -- \
	chibo-agent init --code 07297 --name "Đảng bộ xã Quế Nham"
# the administrator's changes: a setting in hub.conf, the units enabled
printf 'threads = 2\n' >> "$R/etc/chibo/hub.conf"
conf=$(sha /etc/chibo/hub.conf)
keys="$(sha /var/lib/chibo/hub/hub.key) $(sha /var/lib/chibo/replica/agent.key)"
db=$(sha /var/lib/chibo/replica/replica.db)
expect_ok "the hub's unit enabled" in_root systemctl enable chibo-hub.service
expect_ok "a clerk's timer enabled" in_root systemctl enable chibo-agent-sync@clerk.timer
links="etc/systemd/system/multi-user.target.wants/chibo-hub.service etc/systemd/system/timers.target.wants/chibo-agent-sync@clerk.timer"
for l in $links; do
	expect_ok "$l made" test -L "$R/$l"
done

# upgrade
expect_ok "the new package upgrades it" apt_install "/root/debs/$(basename "$new")"
expect_eq "installed, at the new version" "install ok installed $ver" "$(installed)"
expect_eq "the edited hub.conf kept" "$conf" "$(sha /etc/chibo/hub.conf)"
expect_eq "and no copy beside it to merge" "" \
	"$(ls "$R"/etc/chibo/ | grep -E '\.dpkg-(dist|new|old)$' || true)"
expect_eq "the keys kept" "$keys" \
	"$(sha /var/lib/chibo/hub/hub.key) $(sha /var/lib/chibo/replica/agent.key)"
expect_eq "the replica kept" "$db" "$(sha /var/lib/chibo/replica/replica.db)"
expect_eq "the chibo user kept, same uid" "$uid" "$(in_root id -u chibo)"
expect_ok "the upgraded hub verifies its log" in_root runuser -u chibo -- \
	chibo-hub --dir /var/lib/chibo/hub verify
expect_match "the clerk's replica opens" '"org": "07297"' \
	"$(in_root runuser -u clerk -- chibo-agent status --json)"
expect_match "and says whether it is encrypted at rest" \
	'"at_rest": \{' "$(in_root runuser -u clerk -- chibo-agent status --json)"
for l in $links; do
	expect_ok "$l still there after the upgrade" test -L "$R/$l"
done

# remove: programs gone; data, conffiles, user kept; units disabled
expect_ok "dpkg --remove" in_root dpkg --remove chibo
expect_eq "removed, its conffiles left" "deinstall ok config-files $ver" "$(installed)"
expect_ok "the programs gone" test ! -e "$R/usr/bin/chibo-hub"
expect_eq "hub.conf kept" "$conf" "$(sha /etc/chibo/hub.conf)"
expect_eq "the data kept" "$keys" \
	"$(sha /var/lib/chibo/hub/hub.key) $(sha /var/lib/chibo/replica/agent.key)"
for l in $links; do
	expect_ok "$l gone: disabled" test ! -e "$R/$l"
done

# purge: /etc/chibo gone, the records kept and said so
out=$(in_root dpkg --purge chibo 2>&1); rc=$?
expect_eq "dpkg --purge" 0 "$rc"
expect_match "says it kept the records" "kept /var/lib/chibo \(records and keys\)" "$out"
expect_eq "purged" "" "$(installed)"
expect_ok "/etc/chibo gone" test ! -e "$R/etc/chibo"
expect_eq "the hub's and the clerk's records kept" "$keys $db" \
	"$(sha /var/lib/chibo/hub/hub.key) $(sha /var/lib/chibo/replica/agent.key) $(sha /var/lib/chibo/replica/replica.db)"
expect_eq "the chibo user kept (Debian removes no system user)" "$uid" "$(in_root id -u chibo)"

# installed again over the kept data: it is the same hub; then purged
# with CHIBO_PURGE_DATA=yes, which deletes it
expect_ok "installed again" apt_install "/root/debs/$(basename "$new")"
expect_ok "over the kept hub, which verifies" in_root runuser -u chibo -- \
	chibo-hub --dir /var/lib/chibo/hub verify
expect_ok "a default hub.conf again" cmp -s "$R/etc/chibo/hub.conf" \
	"$CHIBO_SOURCE_DIR/packaging/debian/hub.conf"
ENVS=CHIBO_PURGE_DATA=yes
expect_ok "purged with CHIBO_PURGE_DATA=yes" in_root dpkg --purge chibo
ENVS=
expect_ok "/var/lib/chibo gone with it" test ! -e "$R/var/lib/chibo"
rm -rf "$R"

# Under a real systemd, where this machine lets systemd-nspawn boot one:
# a oneshot unit in the container does the checks, writes them to
# /root/units.out, and powers the container off.
new_root nspawn
if ! command -v systemd-nspawn >/dev/null ||
	! timeout 60 systemd-nspawn -q -D "$R" --register=no --keep-unit \
		--private-network /bin/true >/dev/null 2>&1; then
	echo "systemd-nspawn cannot run a container here: the units' live check skipped" \
		"(package.sh's systemd-analyze verify stands; docs/OPERATIONS.md, \"Under a real systemd\")"
	rm -rf "$R"
	finish
	exit
fi
expect_ok "the package installs in the container's root" apt_install "/root/debs/$(basename "$new")"
in_root adduser --disabled-password --gecos "" clerk >/dev/null 2>&1
in_root install -d -o chibo -g chibo -m 0700 /var/lib/chibo/hub
in_root runuser -u chibo -- chibo-hub --dir /var/lib/chibo/hub init --code BG.LG \
	--name "Huyện ủy Lạng Giang" > "$R/root/hub.out"
cp "$CHIBO_SOURCE_DIR/tests/lib/units-under-systemd.sh" "$R/root/units.sh"
cat > "$R/etc/systemd/system/chibo-check.service" <<'EOF'
[Unit]
Description=chibo's package test under systemd
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/bin/sh -c '/bin/bash /root/units.sh > /root/units.out 2>&1; systemctl poweroff --no-block'
[Install]
WantedBy=multi-user.target
EOF
in_root systemctl enable chibo-check.service >/dev/null 2>&1
in_root systemctl set-default multi-user.target >/dev/null 2>&1
# a container in nothing but its own loopback; --keep-unit and no
# registration: no machined here
timeout 180 systemd-nspawn -q -D "$R" --register=no --keep-unit \
	--private-network --boot > "$T/nspawn.out" 2>&1
rc=$?
expect_eq "the container boots and powers off by itself" 0 "$rc"
if [ -s "$R/root/units.out" ]; then
	n=0
	while IFS= read -r line; do
		case $line in
		"ok "*) ok; n=$((n + 1)) ;;
		"FAIL "*) bad "under systemd: ${line#FAIL }" ;;
		*) echo "  $line" ;;
		esac
	done < "$R/root/units.out"
	expect_match "every check under systemd ran" "^ok the end$" "$(cat "$R/root/units.out")"
	echo "under systemd in a container: $n checks passed"
else
	bad "under systemd: the checks wrote nothing: $(tail -20 "$T/nspawn.out")"
fi
rm -rf "$R"
finish

# SPDX-License-Identifier: MIT
# units-under-systemd.sh — run by tests/cli/package_install.sh inside a
# Debian 12 container booted by systemd-nspawn, as root, with the package
# installed (its .deb in /root/debs), a clerk user, and a hub initialised in /var/lib/chibo/hub
# (its "hub key:" and "TLS pin:" lines in /root/hub.out): the units as an
# operator uses them. One line per check, "ok WHAT" or "FAIL WHAT: why";
# "ok the end" last.
set -u
ok() { echo "ok $*"; }
no() { echo "FAIL $*"; }
# check DESC CMD…: CMD must succeed
check() {
	local d=$1
	shift
	if "$@" > /tmp/check.out 2>&1; then ok "$d"; else no "$d: $(tr '\n' ' ' < /tmp/check.out)"; fi
}
# is DESC EXPECTED ACTUAL
is() { if [ "$2" = "$3" ]; then ok "$1"; else no "$1: expected '$2', got '$3'"; fi; }
prop() { systemctl show -p "$2" --value "$1"; }
# serving N: the hub's journal says "serving" N times (waits 10 s)
serving() {
	for _ in $(seq 100); do
		[ "$(journalctl -q -u chibo-hub -o cat | grep -c serving)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

HK=$(sed -n 's/^hub key: //p' /root/hub.out)
PIN=$(sed -n 's/^TLS pin: //p' /root/hub.out)

# the hub: started, restarted (a new process), stopped, started again
check "the hub's unit starts" systemctl start chibo-hub.service
check "and the hub serves" serving 1
is "as chibo" chibo "$(stat -c %U "/proc/$(prop chibo-hub MainPID)")"
pid=$(prop chibo-hub MainPID)
check "the hub's unit restarts" systemctl restart chibo-hub.service
check "and serves again" serving 2
is "as a new process" yes "$([ "$(prop chibo-hub MainPID)" != "$pid" ] && [ "$(prop chibo-hub MainPID)" != 0 ] && echo yes)"
check "the hub's unit stops" systemctl stop chibo-hub.service
is "inactive" inactive "$(systemctl is-active chibo-hub.service)"
is "stopped cleanly (no failure)" success "$(prop chibo-hub Result)"
check "the hub's journal has priorities: its start at info" \
	sh -c 'journalctl -q -u chibo-hub -p info -o cat | grep -q serving'
check "the hub's unit enabled and started" systemctl enable --now chibo-hub.service
check "serving" serving 3

# the nightly sync, as the clerk: before init it does nothing, quietly
check "the sync's service runs before init" systemctl start chibo-agent-sync@clerk.service
is "and succeeds" success "$(prop chibo-agent-sync@clerk.service Result)"
check "saying there is no replica yet" sh -c \
	"journalctl -q -u chibo-agent-sync@clerk -o cat | grep -q 'no replica in .*/var/lib/chibo/replica. yet'"
is "its StateDirectory made the replica's directory the clerk's" clerk \
	"$(stat -c %U /var/lib/chibo/replica)"
# then the clerk sets up, the district enrols the key, and it syncs
k=$(runuser -u clerk -- chibo-agent init --code 07297 --name "Đảng bộ xã Quế Nham" \
	--parent BG.LG 2> /dev/null | sed -n 's/^public key: //p')
check "the district enrols the clerk's key, the hub serving" runuser -u chibo -- \
	chibo-hub --dir /var/lib/chibo/hub enroll "$k" --org 07297 --role commune
check "the clerk points the replica at the hub" runuser -u clerk -- \
	chibo-agent hub --url https://127.0.0.1:8443 --pin "$PIN" --key "$HK"
check "the sync's service syncs" systemctl start chibo-agent-sync@clerk.service
is "and succeeds" success "$(prop chibo-agent-sync@clerk.service Result)"
check "nothing waits to be pushed" sh -c \
	"runuser -u clerk -- chibo-agent status --json | grep -q '\"waiting\": 0'"
check "the timer is enabled and started" systemctl enable --now chibo-agent-sync@clerk.timer
is "and waits for tonight" active "$(systemctl is-active chibo-agent-sync@clerk.timer)"

# an upgrade restarts the running hub (the same package again)
pid=$(prop chibo-hub MainPID)
check "reinstalling the package" dpkg -i "$(ls /root/debs/chibo_*.deb | grep -v '~old')"
check "the hub serves after it" serving 4
is "a new process" yes "$([ "$(prop chibo-hub MainPID)" != "$pid" ] && echo yes)"

# purge: the units stopped (prerm) and disabled (postrm), data kept
check "dpkg --purge chibo" dpkg --purge chibo
is "the hub stopped" inactive "$(systemctl is-active chibo-hub.service)"
is "the timer stopped" inactive "$(systemctl is-active chibo-agent-sync@clerk.timer)"
is "the hub disabled" no "$([ -e /etc/systemd/system/multi-user.target.wants/chibo-hub.service ] && echo yes || echo no)"
is "the timer disabled" no "$([ -e /etc/systemd/system/timers.target.wants/chibo-agent-sync@clerk.timer ] && echo yes || echo no)"
is "systemd knows no chibo unit file" "" "$(systemctl list-unit-files --no-legend 'chibo*' | grep -v chibo-check)"
check "the records kept" test -s /var/lib/chibo/replica/replica.db -a -s /var/lib/chibo/hub/hub.key
ok the end

# SPDX-License-Identifier: MIT
# netns.sh — a poor link between an agent and a hub, emulated in the
# kernel with network namespaces (root only), for tests and benchmarks.
# Three namespaces, joined by two veth pairs:
#
#   agent ns (NETNS_A)          middle ns (NETNS_M)             hub ns (NETNS_H)
#   a0 10.77.0.1 ── veth ── m0 10.77.0.2   m1 10.77.1.2 ── veth ── h0 10.77.1.1
#    tbf (upload rate)       tbf (download rate)
#    loss (download, nft)    loss (upload, nft)
#                            dl0: TUN, tests/tools/delayline.py
#
# The a0–m0 pair is the poor link: each end's egress is rate-capped with
# 'tc qdisc … tbf', and each end's ingress drops packets at random with
# nft ('numgen random mod 100 < N drop', a netdev ingress hook), so a
# packet is lost after it used the link, as on the air. This kernel has
# no netem qdisc, so the propagation delay is a userspace hop in the
# middle namespace: policy routing sends every packet that arrives from
# either veth into the TUN device dl0, delayline.py holds it DELAY and
# writes it back, and packets coming in on dl0 take the main table to
# their veth. Packets are never rewritten, so TCP runs end to end and
# sees the real round trip, rate and loss (a TCP relay would split the
# connection into legs that recover losses on their own, with short
# round trips, and flatter TCP). m1–h0 is a LAN.
#
# Cuts (netns_cut) destroy every TCP connection on both sides ('ss -K',
# which resets them), optionally with the link down for a while, as when
# a modem drops its carrier.
#
#   netns_check || exit 77     why not, on stderr, when this cannot run
#   netns_up RATE_KBIT DELAY_MS LOSS_PCT   (its files in NETNS_DIR, or $T)
#   netns_agent CMD…           CMD in the agent's namespace
#   netns_cut [DOWN_SECONDS]   and netns_cutter EVERY [DOWN] in background
#                              (netns_cutter_stop ends it, the link up)
#   netns_bytes                bytes that left a0 and m0 (headers included)
#   netns_drops                packets the loss dropped
#   netns_down                 everything undone (call it on exit)
NETNS_A= NETNS_M= NETNS_H= NETNS_DELAY_PID= NETNS_CUTTER_PID=
NETNS_AGENT_IP=10.77.0.1
NETNS_HUB_IP=10.77.1.1

# 0 when this machine can emulate the link; else 1 and the reason on stderr.
netns_check() {
	local c probe
	if [ "$(id -u)" -ne 0 ]; then
		echo "network namespaces need root: not root" >&2
		return 1
	fi
	for c in ip tc nft ss python3; do
		if ! command -v "$c" >/dev/null; then
			echo "'$c' is not installed (packaging/install-deps.sh installs iproute2 and nftables)" >&2
			return 1
		fi
	done
	if [ ! -c /dev/net/tun ]; then
		echo "no /dev/net/tun: the kernel has no TUN device" >&2
		return 1
	fi
	probe=chibo-probe-$$
	if ! ip netns add "$probe" 2>/dev/null; then
		echo "'ip netns add' fails: no network namespaces here" >&2
		return 1
	fi
	c=0
	ip -n "$probe" link add p0 type veth peer name p1 2>/dev/null || c=1
	[ $c = 1 ] || ip netns exec "$probe" tc qdisc add dev p0 root tbf \
		rate 64kbit burst 3000 limit 15000 2>/dev/null || c=2
	[ $c != 0 ] || ip netns exec "$probe" nft add table netdev probe \
		2>/dev/null || c=3
	ip netns del "$probe"
	case $c in
	1) echo "cannot make a veth pair in a namespace" >&2; return 1 ;;
	2) echo "tc cannot add a tbf qdisc (no sch_tbf)" >&2; return 1 ;;
	3) echo "nft cannot add a table (no nf_tables)" >&2; return 1 ;;
	esac
}

# netns_up RATE_KBIT DELAY_MS LOSS_PCT: the link, up; 1 on failure.
netns_up() {
	local rate=$1 delay=$2 loss=$3 ns limit
	local tag=chibo-$$-$RANDOM
	NETNS_DIR=${NETNS_DIR:-${T:?netns_up needs NETNS_DIR or T, a directory}}
	NETNS_A=$tag-a NETNS_M=$tag-m NETNS_H=$tag-h
	for ns in "$NETNS_A" "$NETNS_M" "$NETNS_H"; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$NETNS_A" link add a0 type veth peer name m0 netns "$NETNS_M" &&
	ip -n "$NETNS_H" link add h0 type veth peer name m1 netns "$NETNS_M" &&
	ip -n "$NETNS_A" addr add "$NETNS_AGENT_IP/24" dev a0 &&
	ip -n "$NETNS_M" addr add 10.77.0.2/24 dev m0 &&
	ip -n "$NETNS_M" addr add 10.77.1.2/24 dev m1 &&
	ip -n "$NETNS_H" addr add "$NETNS_HUB_IP/24" dev h0 &&
	ip -n "$NETNS_A" link set a0 up &&
	ip -n "$NETNS_M" link set m0 up &&
	ip -n "$NETNS_M" link set m1 up &&
	ip -n "$NETNS_H" link set h0 up &&
	ip -n "$NETNS_A" route add default via 10.77.0.2 &&
	ip -n "$NETNS_H" route add default via 10.77.1.2 || return 1

	# The middle: forwarding, no reverse-path filter (packets come back
	# in on dl0 with the veths' addresses), and everything from a veth
	# through dl0.
	ip netns exec "$NETNS_M" sh -c '
		sysctl -qw net.ipv4.ip_forward=1 &&
		sysctl -qw net.ipv4.conf.all.rp_filter=0 &&
		sysctl -qw net.ipv4.conf.default.rp_filter=0 &&
		sysctl -qw net.ipv4.conf.all.send_redirects=0' &&
	ip -n "$NETNS_M" tuntap add dev dl0 mode tun &&
	ip netns exec "$NETNS_M" sysctl -qw net.ipv4.conf.dl0.rp_filter=0 &&
	ip -n "$NETNS_M" link set dl0 up &&
	ip -n "$NETNS_M" route add default dev dl0 table 100 &&
	ip -n "$NETNS_M" rule add iif m0 lookup 100 pref 100 &&
	ip -n "$NETNS_M" rule add iif m1 lookup 100 pref 100 || return 1

	# The rate, each way. The queue holds a round trip of the link, and
	# at least ten full packets: a modem's buffer, not an unbounded one.
	limit=$((rate * 1000 / 8 * 2 * delay / 1000))
	[ "$limit" -ge 15140 ] || limit=15140
	ip netns exec "$NETNS_A" tc qdisc add dev a0 root tbf \
		rate "${rate}kbit" burst 3028 limit "$limit" &&
	ip netns exec "$NETNS_M" tc qdisc add dev m0 root tbf \
		rate "${rate}kbit" burst 3028 limit "$limit" || return 1

	# The loss, each way, at the receiving end of the poor link.
	if [ "$loss" -gt 0 ]; then
		for ns in "$NETNS_A a0" "$NETNS_M m0"; do
			ip netns exec "${ns% *}" nft -f - <<-EOF || return 1
				table netdev chibo_link {
					chain loss {
						type filter hook ingress device "${ns#* }" priority 0;
						meta protocol ip numgen random mod 100 < $loss counter drop
					}
				}
			EOF
		done
	fi
	# Where a cut takes the link down: an empty chain, filled by
	# netns_cut.
	ip netns exec "$NETNS_M" nft -f - <<-EOF || return 1
		table inet chibo_cut {
			chain forward {
				type filter hook forward priority 0;
			}
		}
	EOF

	ip netns exec "$NETNS_M" python3 \
		"${CHIBO_SOURCE_DIR:?}/tests/tools/delayline.py" --dev dl0 \
		--delay "$(awk -v d="$delay" 'BEGIN { print d / 1000 }')" \
		> "$NETNS_DIR/delayline.out" 2>&1 &
	NETNS_DELAY_PID=$!
	for _ in $(seq 50); do
		grep -q ready "$NETNS_DIR/delayline.out" 2>/dev/null && break
		sleep 0.1
	done
	grep -q ready "$NETNS_DIR/delayline.out" || {
		cat "$NETNS_DIR/delayline.out" >&2
		return 1
	}
	# the path works both ways: a connection to a closed port on the
	# hub's side is refused (its SYN crossed, the reset came back)
	case $(ip netns exec "$NETNS_A" timeout 20 bash -c \
		"exec 3<>/dev/tcp/$NETNS_HUB_IP/9" 2>&1) in
	*refused*) ;;
	*)
		echo "netns: the emulated link carries nothing" >&2
		return 1 ;;
	esac
}

netns_agent() { ip netns exec "$NETNS_A" "$@"; }

# netns_cut [DOWN_SECONDS]: reset every TCP connection on both sides of
# the link; with DOWN_SECONDS, the link carries nothing for that long.
netns_cut() {
	local down=${1:-0}
	if [ "$down" != 0 ]; then
		ip netns exec "$NETNS_M" nft add rule inet chibo_cut forward drop
	fi
	ip netns exec "$NETNS_A" ss -K -t -n state connected >/dev/null 2>&1
	ip netns exec "$NETNS_H" ss -K -t -n state connected >/dev/null 2>&1
	if [ "$down" != 0 ]; then
		sleep "$down"
		ip netns exec "$NETNS_M" nft flush chain inet chibo_cut forward
	fi
	echo "$(date +%s) cut" >> "$NETNS_DIR/cuts.log"
}

# netns_cutter EVERY [DOWN]: a cut every EVERY seconds, in background,
# until netns_cutter_stop (or netns_down). Stopped in a cut, it brings the
# link back up first: bash runs the trap only after the cut's sleep, and
# a link left down would fail whatever comes next.
netns_cutter() {
	( trap 'ip netns exec "$NETNS_M" nft flush chain inet chibo_cut forward; exit 0' TERM
	  while :; do
		sleep "$1" & wait $! # (wait, unlike sleep, lets the trap in)
		netns_cut "${2:-0}"
	  done ) &
	NETNS_CUTTER_PID=$!
}

# netns_cutter_stop: no more cuts, and the link up when it returns.
netns_cutter_stop() {
	[ -n "$NETNS_CUTTER_PID" ] || return 0
	kill "$NETNS_CUTTER_PID" 2>/dev/null
	wait "$NETNS_CUTTER_PID" 2>/dev/null
	NETNS_CUTTER_PID=
}

netns_cuts() { wc -l < "$NETNS_DIR/cuts.log" 2>/dev/null || echo 0; }

# netns_bytes: "UP DOWN", the bytes that left the agent's end (a0) and
# the middle's end (m0) of the poor link, L2 headers and retransmissions
# included.
netns_bytes() {
	local up down
	up=$(ip netns exec "$NETNS_A" tc -s qdisc show dev a0 |
		sed -n 's/^ *Sent \([0-9]*\) bytes.*/\1/p' | head -1)
	down=$(ip netns exec "$NETNS_M" tc -s qdisc show dev m0 |
		sed -n 's/^ *Sent \([0-9]*\) bytes.*/\1/p' | head -1)
	echo "${up:-0} ${down:-0}"
}

# netns_drops: the packets the loss dropped, both ways.
netns_drops() {
	local ns n total=0
	for ns in "$NETNS_A" "$NETNS_M"; do
		n=$(ip netns exec "$ns" nft list table netdev chibo_link 2>/dev/null |
			sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
		total=$((total + ${n:-0}))
	done
	echo "$total"
}

netns_down() {
	local ns
	netns_cutter_stop
	[ -z "$NETNS_DELAY_PID" ] || kill "$NETNS_DELAY_PID" 2>/dev/null
	for ns in "$NETNS_A" "$NETNS_M" "$NETNS_H"; do
		[ -z "$ns" ] || ip netns del "$ns" 2>/dev/null
	done
	NETNS_A= NETNS_M= NETNS_H= NETNS_DELAY_PID= NETNS_CUTTER_PID=
}

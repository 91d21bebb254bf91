#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench_sync.sh — hub ingest, measured (not a test: it prints figures). A
# real hub (chibo-hub serve, HTTPS on 127.0.0.1, an ephemeral port) and one
# agent whose replica holds N member.add entries (default 100,000; the
# bench's generated Vietnamese names, card and ID numbers); 'chibo-agent
# sync' is timed end to end. Prints entries/s, the bytes on the wire per
# entry (from sync's own count, when it prints one) and the hub's ingest
# rate: entries over the sum of the durations the hub logs for its pushes.
#   CHIBO_AGENT=… CHIBO_HUB_BIN=… bench/bench_sync.sh [N]
#
# With CHIBO_BENCH_DATABASE=URI the hub keeps its store in that empty
# PostgreSQL database (chibo-hub init --database) instead of hub.db.
#
# Over a poor link (root; tests/lib/netns.sh: network namespaces, tc tbf,
# nft loss, a userspace delay line), with CHIBO_BENCH_LINK=KBIT/MS/LOSS
# (rate each way, one-way delay, per cent of packets lost each way; the
# issue's benchmark is 256/300/5 with N = 10000): the hub serves in one
# namespace, the agent syncs from another, and the time is printed beside
# the link's floor, (bytes sent + received) / rate + round trips x RTT,
# the round trips being the requests plus two (TCP's handshake and
# TLS 1.3's). CHIBO_BENCH_CC names the TCP congestion control of both
# ends (default: the system's; a namespace may only choose one of
# net.ipv4.tcp_allowed_congestion_control). Skipped, with a line saying why, where
# the link cannot be emulated.
set -euo pipefail

: "${CHIBO_AGENT:?CHIBO_AGENT must name the chibo-agent binary}"
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"
N=${1:-100000}
LINK=${CHIBO_BENCH_LINK:-}
CHIBO_SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$CHIBO_SOURCE_DIR/bench/records.sh"
INNS_A=() INNS_H=()
HOST=127.0.0.1
if [ -n "$LINK" ]; then
	IFS=/ read -r RATE DELAY LOSS <<<"$LINK"
	. "$CHIBO_SOURCE_DIR/tests/lib/netns.sh"
	if ! why=$(netns_check 2>&1); then
		echo "chibo bench: sync over a $RATE kbit/s, $DELAY ms, $LOSS % loss link: skipped: $why"
		exit 0
	fi
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/chibo-bench-sync.XXXXXX")
HUB_PID=
cleanup() {
	if [ -n "$HUB_PID" ]; then
		kill -TERM "$HUB_PID" 2>/dev/null || true
		wait "$HUB_PID" 2>/dev/null || true
	fi
	# bench_audit.sh keeps the filled hub
	if [ -n "${CHIBO_BENCH_KEEP_HUB:-}" ]; then
		mv "$T/hub" "$CHIBO_BENCH_KEEP_HUB"
	fi
	[ -z "$LINK" ] || netns_down
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

agent() { "$CHIBO_AGENT" -R "$T/replica" "$@"; }
hub() { "$CHIBO_HUB_BIN" --dir "$T/hub" "$@"; }
now() { date +%s.%N; }
# CPU seconds (user + system) a process has used so far, from /proc.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }

if [ -n "$LINK" ]; then
	echo "chibo bench: sync over a $RATE kbit/s, $DELAY ms one-way, $LOSS % loss link ($N member.add entries)"
	NETNS_DIR=$T
	netns_up "$RATE" "$DELAY" "$LOSS"
	if [ -n "${CHIBO_BENCH_CC:-}" ]; then
		for ns in "$NETNS_A" "$NETNS_H"; do
			ip netns exec "$ns" sysctl -qw \
				net.ipv4.tcp_congestion_control="$CHIBO_BENCH_CC"
		done
	fi
	echo "  TCP congestion control:        $(ip netns exec "$NETNS_A" sysctl -n net.ipv4.tcp_congestion_control)"
	INNS_A=(ip netns exec "$NETNS_A") INNS_H=(ip netns exec "$NETNS_H")
	HOST=$NETNS_HUB_IP
else
	echo "chibo bench: hub ingest ($N member.add entries, one agent, loopback TLS)"
fi

DB=()
[ -z "${CHIBO_BENCH_DATABASE:-}" ] || DB=(--database "$CHIBO_BENCH_DATABASE")
out=$(hub init --code BG.LG --name "Huyện ủy Lạng Giang" "${DB[@]}")
HK=$(printf '%s\n' "$out" | sed -n 's/^hub key: //p')
PIN=$(printf '%s\n' "$out" | sed -n 's/^TLS pin: //p')
"${INNS_H[@]}" "$CHIBO_HUB_BIN" --dir "$T/hub" serve --listen "$HOST:0" \
	>"$T/serve.out" 2>"$T/serve.log" &
HUB_PID=$!
for _ in $(seq 100); do
	grep -q serving "$T/serve.out" && break
	sleep 0.1
done
URL=$(sed -n 's/.* on \(https:[^ ]*\).*/\1/p' "$T/serve.out")
if [ -z "$URL" ]; then
	echo "bench: the hub did not start:" >&2
	cat "$T/serve.log" >&2
	exit 1
fi

KEY=$(agent init --code 07297 --name "Đảng bộ xã X" --parent BG.LG |
	sed -n 's/^public key: //p')
hub enroll "$KEY" --org 07297 --role commune >/dev/null
agent hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
agent cell create --code 01 --name "Chi bộ 1" --kind residential >/dev/null

member_records "$N" "$T/ops.jsonl"
t0=$(now)
agent apply --quiet "$T/ops.jsonl" >/dev/null
t1=$(now)
awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN {
	printf "  replica filled (apply):        %8.0f entries/s  (%.2f s)\n", n / (b - a), b - a }'

# Everything the replica holds is pushed: init, the cell and N members.
total=$((N + 2))
TIMED=()
[ ! -x /usr/bin/time ] || TIMED=(/usr/bin/time -f "%U %S" -o "$T/sync.cpu")
hub_cpu0=$(cpu_of "$HUB_PID")
t0=$(now)
if ! timeout "${CHIBO_BENCH_TIMEOUT:-600}" "${INNS_A[@]}" "${TIMED[@]}" \
	"$CHIBO_AGENT" -R "$T/replica" sync >"$T/sync.out" 2>"$T/sync.err" ||
	! grep -q "up to $total ($total pushed now)" "$T/sync.out"; then
	echo "bench: sync failed or did not push $total entries:" >&2
	cat "$T/sync.out" "$T/sync.err" >&2
	tail -3 "$T/serve.log" >&2
	exit 1
fi
t1=$(now)
hub_cpu1=$(cpu_of "$HUB_PID")
awk -v n="$total" -v a="$t0" -v b="$t1" 'BEGIN {
	printf "  sync, end to end:              %8d entries  %.2f s  %8.0f entries/s\n", n, b - a, n / (b - a) }'
agent_cpu=n/a
[ ! -s "$T/sync.cpu" ] || agent_cpu=$(awk '{ printf "%.2f s", $1 + $2 }' "$T/sync.cpu")
awk -v a="$hub_cpu0" -v b="$hub_cpu1" -v g="$agent_cpu" 'BEGIN {
	printf "  CPU time (user + sys):         %8.2f s hub, %s agent\n", b - a, g }'
sent=$(sed -n 's/^sent \([0-9]*\) bytes, received \([0-9]*\) bytes in \([0-9]*\) requests$/\1 \2 \3/p' "$T/sync.out")
if [ -n "$sent" ]; then
	read -r sent_b recv_b requests <<<"$sent"
	awk -v n="$total" -v s="$sent_b" -v r="$recv_b" -v q="$requests" 'BEGIN {
		printf "  bytes on the wire per entry:   %8.1f sent, %.1f received (%d requests)\n", s / n, r / n, q }'
else
	echo "  bytes on the wire per entry:        n/a (sync does not count them)"
fi
# The hub logs one line per request: "... POST /v1/push STATUS Nms ...".
# (Over a slow link that duration is the upload's: not printed.)
[ -n "$LINK" ] || awk -v n="$total" '$3 == "POST" && $4 == "/v1/push" {
	ms += substr($6, 1, length($6) - 2); k++
} END {
	if (k && ms > 0)
		printf "  hub ingest (sum of %d pushes): %8.0f entries/s  (%d ms)\n", k, n / (ms / 1000), ms
	else
		print "  hub ingest: n/a (no push durations in the log)"
}' "$T/serve.log"
if [ -n "$LINK" ] && [ -n "$sent" ]; then
	read -r up down <<<"$(netns_bytes)"
	awk -v s="$sent_b" -v r="$recv_b" -v q="$requests" -v rate="$RATE" \
		-v d="$DELAY" -v a="$t0" -v b="$t1" -v up="$up" -v down="$down" \
		-v drops="$(netns_drops)" 'BEGIN {
		bw = rate * 1000 / 8; rtt = 2 * d / 1000; rt = q + 2
		floor = (s + r) / bw + rt * rtt
		printf "  bytes of the sync:             %8d sent, %d received\n", s, r
		printf "  on the link (IP, L2 headers):  %8d up, %d down; %d packets lost\n", up, down, drops
		printf "  floor: %d B / %d B/s + %d round trips x %.1f s = %.1f s\n", s + r, bw, rt, rtt, floor
		printf "  time / floor:                  %8.2f  (goal <= 1.3)\n", (b - a) / floor
	}'
	echo "  retries after a failure:       $(grep -c 'trying again' "$T/sync.err" || true)"
fi

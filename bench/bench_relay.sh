#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench_relay.sh — a district hub syncing with its province, measured (not
# a test: it prints figures). Two real hubs (HTTPS on 127.0.0.1), the
# district's key enrolled at the province with the role hub; one commune
# of the district holding N member.add entries (default 20,000) pushes
# them to the district; then 'chibo-hub sync' of the district is timed:
# its first (the whole log relayed up, the province's directory pulled
# down, the checkpoint cosigned) and a second with nothing new. Prints
# entries/s, bytes on the wire per entry and both hubs' CPU time.
#   CHIBO_AGENT=… CHIBO_HUB_BIN=… bench/bench_relay.sh [N]
set -euo pipefail

: "${CHIBO_AGENT:?CHIBO_AGENT must name the chibo-agent binary}"
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"
N=${1:-20000}
CHIBO_SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$CHIBO_SOURCE_DIR/bench/records.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/chibo-bench-relay.XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

H() { local d=$1; shift; "$CHIBO_HUB_BIN" --dir "$T/$d" "$@"; }
agent() { "$CHIBO_AGENT" -R "$T/replica" "$@"; }
now() { date +%s.%N; }
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
declare -A KEY PIN URL PID

# serve DIR CODE LEVEL NAME [PARENT]
serve() {
	local out
	out=$(H "$1" init --code "$2" --level "$3" --name "$4" ${5:+--parent "$5"})
	KEY[$1]=$(printf '%s\n' "$out" | sed -n 's/^hub key: //p')
	PIN[$1]=$(printf '%s\n' "$out" | sed -n 's/^TLS pin: //p')
	"$CHIBO_HUB_BIN" --dir "$T/$1" serve --listen 127.0.0.1:0 >"$T/$1.out" 2>"$T/$1.log" &
	PID[$1]=$!
	PIDS+=("$!")
	for _ in $(seq 100); do
		grep -q serving "$T/$1.out" && break
		sleep 0.1
	done
	URL[$1]=$(sed -n 's/.* on \(https:[^ ]*\).*/\1/p' "$T/$1.out")
	[ -n "${URL[$1]}" ] || { echo "bench: hub $1 did not start" >&2; cat "$T/$1.log" >&2; exit 1; }
}

echo "chibo bench: a district hub's sync with its province ($N member.add entries, loopback TLS)"
serve prov BG province "Tỉnh ủy Bắc Giang"
serve dist BG.LG district "Huyện ủy Lạng Giang" BG
H prov enroll "${KEY[dist]}" --org BG.LG --role hub --parent BG >/dev/null
H dist upstream --url "${URL[prov]}" --pin "${PIN[prov]}" --key "${KEY[prov]}" >/dev/null
K=$(agent init --code 07297 --name "Đảng bộ xã X" --parent BG.LG | sed -n 's/^public key: //p')
H dist enroll "$K" --org 07297 --role commune >/dev/null
agent hub --url "${URL[dist]}" --pin "${PIN[dist]}" --key "${KEY[dist]}" >/dev/null
agent cell create --code 01 --name "Chi bộ 1" --kind residential >/dev/null
member_records "$N" "$T/ops.jsonl"
agent apply --quiet "$T/ops.jsonl" >/dev/null
agent sync >/dev/null

size=$(H dist status --json | sed -n 's/^  "log_size": \([0-9]*\),*$/\1/p')
for round in first second; do
	p0=$(cpu_of "${PID[prov]}")
	t0=$(now)
	if ! /usr/bin/time -f "%U %S" -o "$T/cpu" "$CHIBO_HUB_BIN" --dir "$T/dist" sync \
		>"$T/sync.out" 2>"$T/sync.err"; then
		echo "bench: the district's sync failed:" >&2
		cat "$T/sync.out" "$T/sync.err" >&2
		exit 1
	fi
	t1=$(now)
	p1=$(cpu_of "${PID[prov]}")
	relayed=$(sed -n 's/^synced: relayed \([0-9]*\) entries.*/\1/p' "$T/sync.out")
	read -r sent recv req <<<"$(sed -n 's/^sent \([0-9]*\) bytes, received \([0-9]*\) bytes in \([0-9]*\) requests$/\1 \2 \3/p' "$T/sync.out")"
	awk -v r="$round" -v n="$relayed" -v a="$t0" -v b="$t1" -v s="$sent" \
		-v v="$recv" -v q="$req" 'BEGIN {
		printf "  %s sync: relayed %d entries in %.2f s", r, n, b - a
		if (n) printf " (%.0f entries/s; %.1f bytes sent per entry)", n / (b - a), s / n
		printf "; %d requests, %d bytes received\n", q, v }'
	awk -v a="$p0" -v b="$p1" -v g="$(awk '{ printf "%.2f", $1 + $2 }' "$T/cpu")" 'BEGIN {
		printf "    CPU time (user + sys): %.2f s the province, %s s the district\n", b - a, g }'
done
echo "  the district's log: $size entries; the province holds $(H prov status --json | sed -n 's/^  "log_size": \([0-9]*\),*$/\1/p')"

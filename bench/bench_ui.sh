#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench_ui.sh — what the clerk's web interface costs on a large replica
# (not a test: it prints figures; issue 22's goal: a page in under
# 200 ms, under 100 KB). A replica of MEMBERS members in one cell (default
# 5,000, the records of bench/records.sh, added with 'apply'), then
# 'chibo-agent ui' on it, and each page below asked REPEAT times
# (CHIBO_BENCH_REPEAT, default 5) with curl over loopback: the best and
# the median time to the first byte (the server's time: the page is
# written whole before it is sent) and the size of the page.
#   CHIBO_AGENT=… bench/bench_ui.sh [MEMBERS]
set -euo pipefail

: "${CHIBO_AGENT:?CHIBO_AGENT must name the chibo-agent binary}"
N=${1:-5000}
REPEAT=${CHIBO_BENCH_REPEAT:-5}
CHIBO_SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
. "$CHIBO_SOURCE_DIR/bench/records.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/chibo-bench-ui.XXXXXX")
UI_PID=
cleanup() {
	if [ -n "$UI_PID" ]; then
		kill -TERM "$UI_PID" 2>/dev/null || true
		wait "$UI_PID" 2>/dev/null || true
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

agent() { "$CHIBO_AGENT" -R "$T/replica" "$@"; }

echo "chibo bench: the clerk's web interface on a replica of $N members"
agent init --code 07297 --name "Đảng bộ xã X" --parent BG.LG >/dev/null 2>&1
agent cell create --code 01 --name "Chi bộ 1" --kind residential >/dev/null 2>&1
member_records "$N" "$T/ops.jsonl"
agent apply --quiet "$T/ops.jsonl" >/dev/null 2>&1
ID=$(agent members --format csv 2>/dev/null | sed -n '2s/,.*//p')

"$CHIBO_AGENT" -R "$T/replica" ui --no-open >"$T/ui.out" 2>"$T/ui.err" &
UI_PID=$!
for _ in $(seq 100); do
	[ -n "$(sed -n 2p "$T/ui.out")" ] && break
	sleep 0.1
done
URL=$(sed -n 2p "$T/ui.out")
BASE=${URL%%/login*}
curl -s -o /dev/null -c "$T/jar" "$URL"

# page: REPEAT times; best and median seconds to the first byte, bytes
measure() {
	local label=$1 path=$2
	for _ in $(seq "$REPEAT"); do
		curl -s -o /dev/null -b "$T/jar" \
			-w '%{time_starttransfer} %{size_download} %{http_code}\n' "$BASE$path"
	done | sort -n | awk -v label="$label" -v r="$REPEAT" '
		{ t[NR] = $1; size = $2; code = $3 }
		END {
			med = t[int((r + 1) / 2)]
			printf "  %-34s best %6.1f ms, median %6.1f ms, %7.1f KB%s%s\n", label,
				t[1] * 1000, med * 1000, size / 1024,
				code == 200 ? "" : " (HTTP " code ")",
				(med < 0.2 && size < 100 * 1024) ? "" : "  — over the goal"
		}'
}
measure "members (the list)" "/members"
measure "members, searched 'nguyen'" "/members?name=nguyen"
measure "members of cell 01" "/members?cell=01"
measure "a member's page" "/member?id=$ID"
measure "the form: add a member" "/op/member/add"
measure "the form: rate (a member named)" "/op/rate"
measure "home" "/"

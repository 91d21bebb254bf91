#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench_scale.sh — what a commune's sync and the hub's reports cost as the
# hub grows (not a test: it prints figures). Two real hubs of a province
# (chibo-hub serve, HTTPS on 127.0.0.1): one empty, one holding COMMUNES
# communes of MEMBERS members with a year of monthly meetings and ratings
# (bench_province: default 40 communes of 3,000 members, about 300,000
# entries; Ho Chi Minh City's 168 wards and 366,000 members are
# 'bench_scale.sh 168 2178'). On each, a new commune is enrolled and
# timed:
#   first sync    — 'chibo-agent sync' of a fresh replica: its scope,
#                   the province's directory and enrolments;
#   nightly sync  — after 1,000 member.add entries recorded offline;
# then, on the large hub, every report, 'chibo-hub verify' and a full
# rebuild ('chibo-hub copy-store' into a new SQLite file). Each
# timing is the best of CHIBO_BENCH_REPEAT (default 3) runs, each on a
# fresh commune. With CHIBO_BENCH_SYNC_ONLY=1 it stops after the syncs
# (for a hub so large that the reports, verify and rebuild would take
# hours); with CHIBO_BENCH_KEEP=1 the hubs are kept (their directory is
# printed) for further runs by hand.
#   CHIBO_AGENT=… CHIBO_HUB_BIN=… BENCH_PROVINCE=… bench/bench_scale.sh [COMMUNES MEMBERS]
set -euo pipefail

: "${CHIBO_AGENT:?CHIBO_AGENT must name the chibo-agent binary}"
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"
: "${BENCH_PROVINCE:?BENCH_PROVINCE must name the bench_province binary}"
COMMUNES=${1:-40}
MEMBERS=${2:-3000}
REPEAT=${CHIBO_BENCH_REPEAT:-3}
CHIBO_SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/chibo-bench-scale.XXXXXX")
EXIT_HOOKS=
at_exit() { EXIT_HOOKS="$1; $EXIT_HOOKS"; }
if [ "${CHIBO_BENCH_KEEP:-}" = 1 ]; then
	trap 'set +e; eval "$EXIT_HOOKS"; echo "bench_scale: the hubs are kept in $T"' EXIT
else
	trap 'set +e; eval "$EXIT_HOOKS"; rm -rf "$T"' EXIT
fi
bad() { echo "bench_scale: $*" >&2; exit 1; }
agent() { "$CHIBO_AGENT" "$@"; }
now() { date +%s.%N; }
. "$CHIBO_SOURCE_DIR/tests/lib/fedlib.sh"
. "$CHIBO_SOURCE_DIR/bench/records.sh"

# 1,000 member.add records of the new communes, card and ID numbers apart
# from bench_province's.
member_records 1000 "$T/night.jsonl"
sed -i 's/"card_no":"1/"card_no":"9/; s/"national_id":"0791/"national_id":"0799/' \
	"$T/night.jsonl"

# best SECONDS…: the least.
best() { printf '%s\n' "$@" | sort -g | head -1; }

# commune HUB N: a new commune 3NNNN enrolled at HUB, its first sync and
# its nightly sync timed into FIRST and NIGHT.
commune() {
	local d="c$1$2" code
	code=$(printf '3%04d' "$2")
	mkcommune "$d" "$code" "$1" 79
	agent -R "$T/$d" cell create --code 01 --name "Chi bộ khu phố 1" \
		--kind residential >/dev/null
	local t0 t1 t2
	t0=$(now)
	agent -R "$T/$d" sync >/dev/null || bad "first sync of $d"
	t1=$(now)
	agent -R "$T/$d" apply "$T/night.jsonl" >/dev/null || bad "apply in $d"
	t2=$(now)
	agent -R "$T/$d" sync >/dev/null || bad "nightly sync of $d"
	FIRST=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
	NIGHT=$(awk -v a="$t2" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
	rm -rf "${T:?}/$d"
}

declare -A F N
for hub in empty big; do
	out=$(H "$hub" init --code 79 --level province --name "Thành ủy Thành phố Hồ Chí Minh") ||
		bad "init of $hub"
	KEY[$hub]=$(printf '%s\n' "$out" | sed -n 's/^hub key: //p')
	PIN[$hub]=$(printf '%s\n' "$out" | sed -n 's/^TLS pin: //p')
	if [ "$hub" = big ]; then
		"$BENCH_PROVINCE" "$T/big" "$COMMUNES" "$MEMBERS" || bad "bench_province"
	fi
	serve_hub "$hub"
	firsts=() nights=()
	for i in $(seq 1 "$REPEAT"); do
		commune "$hub" "$i"
		firsts+=("$FIRST") nights+=("$NIGHT")
	done
	F[$hub]=$(best "${firsts[@]}") N[$hub]=$(best "${nights[@]}")
	kill "$SERVED"
	wait "$SERVED" 2>/dev/null || true
done

size=$(sqlite3 "$T/big/hub.db" "SELECT count(*) FROM entries")
mb=$(du -m "$T/big/hub.db" | cut -f1)
echo "bench_scale: a province hub of $COMMUNES communes x $MEMBERS members, $size entries ($mb MB), against an empty one (best of $REPEAT)"
awk -v fe="${F[empty]}" -v fb="${F[big]}" -v ne="${N[empty]}" -v nb="${N[big]}" 'BEGIN {
	printf "  a new commune'"'"'s first sync:          %7.3f s (empty hub %.3f s, %.2fx)\n", fb, fe, fb / fe
	printf "  nightly sync, 1,000 new entries:  %7.3f s (empty hub %.3f s, %.2fx)\n", nb, ne, nb / ne
}'
[ "${CHIBO_BENCH_SYNC_ONLY:-}" = 1 ] && exit 0
timed() {
	local t0 t1
	t0=$(now)
	H big "$@" >/dev/null || bad "chibo-hub $*"
	t1=$(now)
	awk -v a="$t0" -v b="$t1" -v w="chibo-hub $*" 'BEGIN { printf "  %-58s %7.3f s\n", w ":", b - a }'
}
timed report membership
timed report meetings --from 2025-12 --to 2026-11
timed report ratings --period 2025
timed report transfers --from 2025-01-01 --to 2026-12-01
timed report campaign --from 2025-01-01 --to 2026-12-01
timed report clashes
timed report congresses --term 2025-2030
timed report sync
timed verify
# a full rebuild: every table derived again from the log, each signature
# checked, into a new store (the work of a rebuild, on the same engine)
timed copy-store --to "$T/rebuilt.db"

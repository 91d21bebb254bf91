#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench_audit.sh — 'chibo-audit verify' over a large log, measured (not a
# test: it prints figures). bench_sync.sh fills a real hub with N entries
# (default 1,000,000) through a real sync; the audit then verifies a copy
# of its hub.db (every signature, chain, enrolment, the replay of the rules
# and the Merkle root against the signed checkpoint). Prints entries/s
# beside the machine's Ed25519 bound (bench_ed25519: signatures/s per core
# times the usable CPUs).
#   CHIBO_AGENT=… CHIBO_HUB_BIN=… CHIBO_AUDIT_BIN=… BENCH_ED25519=… \
#     bench/bench_audit.sh [N]
set -euo pipefail
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"
: "${BENCH_ED25519:?BENCH_ED25519 must name the bench_ed25519 binary}"
N=${1:-1000000}
T=$(mktemp -d "${TMPDIR:-/tmp}/chibo-bench-audit.XXXXXX")
trap 'rm -rf "$T"' EXIT
now() { date +%s.%N; }

echo "chibo bench: audit of a hub's log of about $N entries"
"$BENCH_ED25519"
CHIBO_BENCH_KEEP_HUB="$T/hub" bash "$(dirname "$0")/bench_sync.sh" "$N" >/dev/null
n=$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries")
t0=$(now)
"$CHIBO_AUDIT_BIN" --dir "$T/aud" verify --db "$T/hub/hub.db" >"$T/out" || {
	cat "$T/out" >&2
	exit 1
}
t1=$(now)
awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN {
	printf "  chibo-audit verify --db:       %8d entries  %.2f s  %8.0f entries/s\n", n, b - a, n / (b - a) }'

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench_audit.sh — 'chibo-audit verify' over a large log, measured (not a
# test: it prints figures). bench_hublog writes a hub's log of N entries
# (default 1,000,000): real signatures, chains, Merkle tree and signed
# checkpoint, without the hub's tables, which the audit does not read
# (filling a hub through a real sync, bench_sync.sh, took minutes). The
# audit then verifies a copy of its hub.db (every signature, chain,
# enrolment, the scope of every entry and the Merkle root against the
# signed checkpoint), as it runs by default and with --full-replay.
# Prints entries/s beside the machine's Ed25519 bound (bench_ed25519:
# signatures/s per core times the usable CPUs).
#   CHIBO_AUDIT_BIN=… BENCH_ED25519=… BENCH_HUBLOG=… \
#     bench/bench_audit.sh [N]
#   BENCH_AUDIT_FULL=0 skips the --full-replay run.
set -euo pipefail
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"
: "${BENCH_ED25519:?BENCH_ED25519 must name the bench_ed25519 binary}"
: "${BENCH_HUBLOG:?BENCH_HUBLOG must name the bench_hublog binary}"
N=${1:-1000000}
T=$(mktemp -d "${TMPDIR:-/tmp}/chibo-bench-audit.XXXXXX")
trap 'rm -rf "$T"' EXIT
now() { date +%s.%N; }

echo "chibo bench: audit of a hub's log of $N member.add entries (load: $(cut -d' ' -f1-3 /proc/loadavg))"
t0=$(now)
"$BENCH_HUBLOG" "$T/hub" "$N" | sed 's/^/  /'
t1=$(now)
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "  log written in %.1f s\n", b - a }'
n=$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries")
# the bound: the usual 300-byte messages, and the log's own (its entries'
# signed bytes, on average: the bytes less the 64 of the signature)
"$BENCH_ED25519"
"$BENCH_ED25519" "$(sqlite3 "$T/hub/hub.db" "SELECT CAST(round(avg(length(bytes))) AS INTEGER) - 64 FROM entries")"
run() {
	local what=$1
	shift
	rm -rf "$T/aud"
	t0=$(now)
	"$CHIBO_AUDIT_BIN" --dir "$T/aud" verify --db "$T/hub/hub.db" "$@" >"$T/out" || {
		cat "$T/out" >&2
		exit 1
	}
	t1=$(now)
	awk -v n="$n" -v a="$t0" -v b="$t1" -v w="$what" 'BEGIN {
		printf "  %-31s %8d entries  %.2f s  %8.0f entries/s\n", w ":", n, b - a, n / (b - a) }'
}
run "chibo-audit verify --db"
if [ "${BENCH_AUDIT_FULL:-1}" != 0 ]; then
	run "  with --full-replay" --full-replay
fi

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh — build the libFuzzer targets with clang (ASan + UBSan) and run
# each of them, one process each, as many at a time as there are usable
# CPUs (CHIBO_FUZZ_JOBS to say otherwise; the long mode under nice wants
# 1).
#
#   tests/fuzz/run.sh [SECONDS] [TARGET…]     each for SECONDS (default 20;
#                                             CI runs 8 each)
#   tests/fuzz/run.sh --runs N [TARGET…]      each for N executions: the
#                                             long mode (issue 16 asks 10
#                                             million; run it under nice)
#
# Under nice alone a long run still takes a whole core from a test suite
# started in another session where the kernel groups each session's
# processes (autogroup: /proc/sys/kernel/sched_autogroup_enabled = 1):
# nice weighs a process only against its own group. Lower the group too:
#   echo 19 > /proc/self/autogroup
#   CHIBO_FUZZ_JOBS=1 nice -n 19 tests/fuzz/run.sh --runs …
#
# Targets are tests/fuzz/fuzz_*.c (all of them unless named). The build is
# in $CHIBO_FUZZ_BUILD (default build-fuzz/); corpora grow in
# BUILD/corpus/TARGET, seeded by tests/fuzz/seeds.sh (which may also write
# a dictionary, BUILD/corpus/TARGET.dict, of words the parser looks for);
# a failing input
# lands in BUILD/findings/ as TARGET-crash-…, -leak-… or -timeout-…. Each
# target prints one line: executions, wall time, executions a second,
# corpus size and findings; the lines are also kept in BUILD/summary.tsv.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${CHIBO_FUZZ_BUILD:-build-fuzz}
limit=(-max_total_time=20)
if [ "${1:-}" = --runs ]; then
	limit=(-runs="${2:?--runs takes a number of executions}")
	shift 2
elif [ -n "${1:-}" ] && [ "${1#fuzz_}" = "$1" ]; then
	limit=(-max_total_time="$1")
	shift
fi
if [ $# -gt 0 ]; then
	targets=("$@")
else
	targets=()
	for f in tests/fuzz/fuzz_*.c; do
		targets+=("$(basename "$f" .c)")
	done
fi
cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCHIBO_FUZZ=ON \
	-DCHIBO_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"
mkdir -p "$build/findings"
bash tests/fuzz/seeds.sh "$build/corpus" "${targets[@]}"
# fuzz_one TARGET: run it, print its line; exit 1 if it found anything
fuzz_one() {
	local t=$1 log start dict secs runs files bytes bad
	log="$build/findings/$t.log"
	start=$(date +%s)
	dict=()
	[ -f "$build/corpus/$t.dict" ] && dict=(-dict="corpus/$t.dict")
	# libFuzzer exits non-zero on a finding: the artifacts say which
	(cd "$build" && "./$t" "${limit[@]}" "${dict[@]}" \
		-print_final_stats=1 -max_len=70000 \
		-artifact_prefix="findings/$t-" "corpus/$t") >"$log" 2>&1 || true
	secs=$(($(date +%s) - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	runs=${runs:-0}
	files=$(find "$build/corpus/$t" -type f | wc -l)
	bytes=$(du -sb "$build/corpus/$t" | cut -f1)
	bad=$(find "$build/findings" -name "$t-*" ! -name '*.log' | sort)
	grep -E '^==[0-9]+==ERROR|^SUMMARY' "$log" || true
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$runs" "$secs" \
		"$((runs / (secs > 0 ? secs : 1)))" "$files" "$bytes" \
		"${bad:-none}" | tee -a "$build/summary.tsv" |
		awk -F'\t' '{ printf "== %s: %s executions in %s s (%s/s), " \
			"corpus %s files (%s bytes), findings: %s\n", \
			$1, $2, $3, $4, $5, $6, $7 }'
	if [ -n "$bad" ] || ! grep -q '^stat::number_of_executed_units' "$log"; then
		echo "fuzz: $t failed; see $log" ${bad:+"and $bad"}
		return 1
	fi
}
jobs=${CHIBO_FUZZ_JOBS:-$(nproc)}
found=0 running=0
for t in "${targets[@]}"; do
	if ((running >= jobs)); then
		wait -n || found=1
		running=$((running - 1))
	fi
	fuzz_one "$t" &
	running=$((running + 1))
done
while ((running > 0)); do
	wait -n || found=1
	running=$((running - 1))
done
[ "$found" = 0 ] && echo "fuzz: no failures"
exit "$found"

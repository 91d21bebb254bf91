#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench_hcmc.sh — seed 000 at its own scale, from the real programs (not a
# test: it prints figures): tests/cli/hub_campaign.sh with HCMC_SCALE=full
# — a city hub over 24 district committees and 322 wards, 7,057 cadres in
# the wards' agency cells, 24 district offices approving the plans, 321
# wards dissolving their agency cells and Thủ Thiêm exempt — timed whole,
# with the city's campaign report it ends with.
#   CHIBO_AGENT=… CHIBO_HUB_BIN=… CHIBO_AUDIT_BIN=… bench/bench_hcmc.sh
set -euo pipefail

: "${CHIBO_AGENT:?CHIBO_AGENT must name the chibo-agent binary}"
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"
CHIBO_SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
export CHIBO_SOURCE_DIR CHIBO_AGENT CHIBO_HUB_BIN CHIBO_AUDIT_BIN HCMC_SCALE=full

times=$(mktemp "${TMPDIR:-/tmp}/chibo-hcmc-syncs.XXXXXX")
trap 'rm -f "$times"' EXIT
start=$(date +%s.%N)
out=$(HCMC_SYNC_TIMES=$times bash "$CHIBO_SOURCE_DIR/tests/cli/hub_campaign.sh")
end=$(date +%s.%N)
printf '%s\n' "$out"
awk -v s="$start" -v e="$end" 'BEGIN {
	printf "hcmc: 24 districts, 322 wards, 7,057 members, from init to the report: %.0f s\n", e - s
}'
# each ward's first sync (its cells and cadres pushed, the city's
# directory so far pulled and projected), and its sync of the moves and
# the dissolution
for kind in first moves; do
	awk -v k="$kind" '$1 == k { d = $4 - $3; sum += d; if (d > max) { max = d; who = $2 }; n++; last = d }
END { printf "hcmc: the wards'"'"' %s syncs: %d, %.1f s in all, %.3f s the last, %.3f s the slowest (%s)\n", k, n, sum, last, max, who }' "$times"
done

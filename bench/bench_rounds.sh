#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench_rounds.sh — how many nightly rounds a transfer across provinces
# takes, from the sender's release to the sender seeing the acceptance
# (not a test: it prints figures). Real hubs and agents on 127.0.0.1, the
# topology of tests/cli/hub_country.sh: the centre over two provinces,
# Bắc Giang over the legacy district Lạng Giang; commune a under Lạng
# Giang releases a member to ward w under Hà Nội. A night: every replica
# syncs (a, then w), then every hub syncs with its higher hub (relay up,
# pull down), the lowest level first (Lạng Giang, Bắc Giang, Hà Nội). The
# ward's clerk accepts the day after the night the release reached her.
# The figure is set beside the least number of nights the same schedule
# allows, from a model of what each sync carries (a push or relay carries
# up what the lower side holds, a pull carries down what the higher side
# holds).
#   CHIBO_AGENT=… CHIBO_HUB_BIN=… bench/bench_rounds.sh
set -euo pipefail

: "${CHIBO_AGENT:?CHIBO_AGENT must name the chibo-agent binary}"
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"
CHIBO_SOURCE_DIR=$(cd "$(dirname "$0")/.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/chibo-bench-rounds.XXXXXX")
EXIT_HOOKS=
at_exit() { EXIT_HOOKS="$1; $EXIT_HOOKS"; }
trap 'eval "$EXIT_HOOKS"; rm -rf "$T"' EXIT
bad() { echo "bench_rounds: $*" >&2; exit 1; }
agent() { "$CHIBO_AGENT" "$@"; }
. "$CHIBO_SOURCE_DIR/tests/lib/fedlib.sh"

mkcountry
agent -R "$T/a" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
agent -R "$T/a" member add --name "Dương Đăng Quyền" --birth 1972-04-12 --sex male \
	--card m1 --admitted 1998-05-19 --official 1999-05-19 --cell 01 >/dev/null
agent -R "$T/w" cell create --code 01 --name "Chi bộ tổ dân phố 3" --kind residential >/dev/null
join lg bg BG.LG BG
sync_all lg
join bg tw BG TW
join hn tw HN TW
NIGHT=(a w lg bg hn)
night() { sync_all "${NIGHT[@]}"; }
night

# the least number of nights: the release starts at a; the acceptance
# starts at w the day after the release reached w; a sync of X with its
# higher side Y: X's items go to Y, then Y's to X
minimum=$(python3 - "${NIGHT[*]}" <<'PY'
import sys
night = sys.argv[1].split()
up = {"a": "lg", "w": "hn", "lg": "bg", "bg": "tw", "hn": "tw"}
rel, acc = {"a"}, set()
for n in range(1, 100):
    for x in night:
        for item in (rel, acc):
            if x in item: item.add(up[x])
            if up[x] in item: item.add(x)
    if "a" in acc:
        print(n); break
    if "w" in rel and not acc:
        acc.add("w")  # the clerk accepts during the day
PY
)

agent -R "$T/a" member release card:m1 --to 00004 --letter "88-GGT/ĐU" \
	--letter-date 2026-11-01 --on 2026-11-02 >/dev/null
start=$(date +%s.%N)
rounds=0 accepted=
for n in $(seq 1 20); do
	night
	rounds=$n
	rel=$(sqlite3 "$T/w/replica.db" "SELECT release FROM transfers WHERE to_org = '00004' AND state = 'in-transit'")
	if [ -n "$rel" ] && [ -z "$accepted" ]; then
		agent -R "$T/w" member accept "$rel" --cell 01 --reported-on 2026-11-12 >/dev/null
		accepted=$n
	fi
	[ "$(sqlite3 "$T/a/replica.db" "SELECT state FROM transfers WHERE member IN (SELECT id FROM members WHERE card_no = 'm1')")" = accepted ] && break
done
end=$(date +%s.%N)
awk -v r="$rounds" -v m="$minimum" -v acc="$accepted" -v s="$start" -v e="$end" 'BEGIN {
	printf "rounds: a release from a commune under a district of one province to a ward of another, seen accepted by the sender after %d nights (the least this schedule allows: %d; the ward accepted after night %d); %.1f s for those nights of 5 syncs each\n", r, m, acc, e - s
}'

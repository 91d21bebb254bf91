#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# soak.sh — issue 16, "hold under attack", the long mode (not in ctest:
# 'cmake --build build --target soak', or run it with the CHIBO_*
# variables below). One hub on 127.0.0.1 at its default settings; 20
# communes each adding a member and syncing in a loop for SOAK_SECONDS
# (600); beside them, the whole time:
#   - floods of signed requests from a key the hub never enrolled (two
#     connections), from a fresh key per request, and from one enrolled
#     but hostile key (tests/tools/forge.c flood), from 127.0.0.8–.11;
#   - slow clients from 127.0.0.2–.5 (a TLS handshake, then headers a
#     byte every 2 s) and 127.0.0.6–.7 (a ClientHello a byte every 2 s),
#     64 connections each, opened again whenever the hub closes one
#     (tests/tools/trickle.py).
# Every honest sync must complete (exit 0), and every commune's entries
# must be on the hub. The hub runs at its defaults but one: the 20
# communes all come from 127.0.0.1 here, where each office has an
# address of its own, so per_ip_connection_limit is 24 (SOAK_PER_IP; at
# the default 8 they are refused connections and retry). The attackers run at nice 10: on this machine they
# share the hub's two cores, where a real attacker has its own. Prints
# the figures: honest syncs done, their latency (min, median, 90th, 99th
# percentile, max), and what the attackers sent and got.
#   CHIBO_AGENT=… CHIBO_HUB_BIN=… CHIBO_FORGE=… CHIBO_SOURCE_DIR=… \
#     [SOAK_SECONDS=600] [SOAK_AGENTS=20] bash tests/long/soak.sh
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_FORGE:?CHIBO_FORGE must name the forge test tool}"
command -v python3 >/dev/null || { echo "skipped: python3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
SECONDS_=${SOAK_SECONDS:-600}
AGENTS=${SOAK_AGENTS:-20}
printf 'per_ip_connection_limit = %s\n' "${SOAK_PER_IP:-24}" > "$T/hub.conf"
start_hub --config "$T/hub.conf"

for i in $(seq -w 1 "$AGENTS"); do
	commune "c$i" "073$i" >/dev/null
	agent -R "$T/c$i" cell create --code 01 --name "Chi bộ $i" --kind residential >/dev/null
done
commune hostile 07399 >/dev/null
commune stranger 07398 - >/dev/null

end=$(( $(date +%s) + SECONDS_ ))
PIDS=()
at_exit 'kill ${PIDS[*]} 2>/dev/null'

# the attackers
for i in 1 2; do
	nice -n 10 "$CHIBO_FORGE" flood "$T/stranger" "$URL" "$PIN" 100000000 "$SECONDS_" "127.0.0.$((7 + i))" > "$T/flood-stranger-$i" &
	PIDS+=($!)
done
nice -n 10 "$CHIBO_FORGE" flood - "$URL" "$PIN" 100000000 "$SECONDS_" 127.0.0.10 > "$T/flood-fresh" &
PIDS+=($!)
nice -n 10 "$CHIBO_FORGE" flood "$T/hostile" "$URL" "$PIN" 100000000 "$SECONDS_" 127.0.0.11 > "$T/flood-hostile" &
PIDS+=($!)
nice -n 10 python3 "$CHIBO_SOURCE_DIR/tests/tools/trickle.py" --target "127.0.0.1:$PORT" \
	--from 127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5 --per 64 --mode tls \
	--interval 2 --duration "$SECONDS_" > "$T/trickle-tls" &
PIDS+=($!)
nice -n 10 python3 "$CHIBO_SOURCE_DIR/tests/tools/trickle.py" --target "127.0.0.1:$PORT" \
	--from 127.0.0.6,127.0.0.7 --per 64 --mode idle \
	--interval 2 --duration "$SECONDS_" > "$T/trickle-idle" &
PIDS+=($!)

# what the hub holds, by address, every 5 s
( while [ "$(date +%s)" -lt "$end" ]; do hub_held; sleep 5; done ) > "$T/held" &
PIDS+=($!)

# the communes: add a member, sync, a pause of up to 2 s, again
honest() {
	local c=$1 n=0 t0 rc
	while [ "$(date +%s)" -lt "$end" ]; do
		n=$((n + 1))
		agent -R "$T/$c" member add --name "Người $c $n" --birth 1980-01-01 \
			--sex male --card "$c-$n" --admitted 2005-01-01 --cell 01 >/dev/null
		t0=$(date +%s%N)
		agent -R "$T/$c" sync >> "$T/$c.out" 2>> "$T/$c.err"
		rc=$?
		echo "$rc $(( ($(date +%s%N) - t0) / 1000000 ))" >> "$T/syncs"
		sleep "0.$((RANDOM % 10))$((RANDOM % 10))"
		sleep "$((RANDOM % 2))"
	done
}
HONEST=()
for i in $(seq -w 1 "$AGENTS"); do
	honest "c$i" &
	HONEST+=($!)
done
wait "${HONEST[@]}"
wait "${PIDS[@]}" 2>/dev/null
PIDS=()

total=$(wc -l < "$T/syncs")
failed=$(awk '$1 != 0' "$T/syncs" | wc -l)
expect_match "honest syncs ran" "^[1-9][0-9]*$" "$total"
expect_eq "every honest sync completed" 0 "$failed"
for i in $(seq -w 1 "$AGENTS"); do
	expect_synced "c$i" "073$i"
done
echo "== soak: $AGENTS agents, $SECONDS_ s, per_ip_connection_limit ${SOAK_PER_IP:-24}"
echo "honest syncs: $total done, $failed failed"
sort -n -k2 "$T/syncs" | awk '{print $2}' > "$T/lat"
pct() { sed -n "$(( ($(wc -l < "$T/lat") * $1 + 99) / 100 ))p" "$T/lat"; }
echo "latency ms: min $(head -1 "$T/lat"), median $(pct 50), p90 $(pct 90), p99 $(pct 99), max $(tail -1 "$T/lat")"
retried=$(cat "$T"/c*.err 2>/dev/null | grep -c "trying again" || true)
echo "honest requests retried: $retried"
for f in stranger-1 stranger-2 fresh hostile; do
	echo "flood from $f key: $(cat "$T/flood-$f")"
done
echo "most connections the hub held from one address: $(sort -k2 -n "$T/held" | tail -1)"
echo "slow clients, TLS then headers: $(cat "$T/trickle-tls")"
echo "slow clients, ClientHello: $(cat "$T/trickle-idle")"
echo "hub log, by status: $(awk '$3 ~ /^(GET|POST)$/ {n[$5]++} END {for (s in n) printf "%s=%d ", s, n[s]}' "$T/serve.log")"
echo "hub log, slow connections closed: $(awk '/closed [0-9]+ connection/ {
	h += $3; if (match($0, /and [0-9]+ whose/)) b += substr($0, RSTART + 4, RLENGTH - 10)
} END {print h + 0 " (headers too slow), " b + 0 " (body too slow)"}' "$T/serve.log")"
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_slowloris.sh — issue 16, "a few slow clients starve the rest": 256
# connections trickling a byte every 2 s from four loopback addresses
# held every slot of the hub, and an agent from a fifth address could not
# sync. Now, at the defaults, an address holds at most 8 connections
# (per_ip_connection_limit), a connection that sends no complete headers
# within 15 s is closed (header_timeout: the TLS handshake trickled, or
# the headers), and so is a body that comes slower than min_body_rate:
# the agent syncs at once, as if they were not there, and every slow
# connection is cut on time. tests/tools/trickle.py is the slow client.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_FORGE:?CHIBO_FORGE must name the forge test tool}"
command -v python3 >/dev/null || { echo "skipped: python3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub
TRICKLE="$CHIBO_SOURCE_DIR/tests/tools/trickle.py"

commune a 07297 >/dev/null
commune b 07298 >/dev/null
member_ops "$T/ops.jsonl" 200
agent -R "$T/a" apply --quiet "$T/ops.jsonl" >/dev/null

# headers trickled after a TLS handshake, and a ClientHello trickled
python3 "$TRICKLE" --target "127.0.0.1:$PORT" --from 127.0.0.2,127.0.0.3 \
	--per 64 --mode tls --interval 2 --duration 25 > "$T/tls.out" &
T1=$!
python3 "$TRICKLE" --target "127.0.0.1:$PORT" --from 127.0.0.4,127.0.0.5 \
	--per 64 --mode idle --interval 2 --duration 25 > "$T/idle.out" &
T2=$!
# a body trickled by an enrolled key, after signed headers
python3 -c 'import sys; sys.stdout.write("x" * 100000)' > "$T/body"
"$CHIBO_FORGE" request "$T/b" POST "127.0.0.1:$PORT" /v1/push "$T/body" > "$T/h"
python3 "$TRICKLE" --target "127.0.0.1:$PORT" --from 127.0.0.6 --per 1 \
	--mode body --headers "$T/h" --length 100000 --interval 1 \
	--duration 25 > "$T/body.out" &
T3=$!
at_exit "kill $T1 $T2 $T3 2>/dev/null"

( for _ in $(seq 10); do hub_held; sleep 2; done ) > "$T/held" &
at_exit "kill $! 2>/dev/null"
sleep 4
start=$(date +%s%N)
expect_ok "an agent from 127.0.0.1 syncs beside them" \
	agent -R "$T/a" sync --retries 0
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "sync beside 256 slow connections: $ms ms" >&2
expect_match "at once (under 10 s; alone it takes a few hundred ms)" "^[0-9]{1,4}$" "$ms"
wait "$T1" "$T2" "$T3"
expect_match "the hub held connections of the slow clients" "^127\.0\.0\.[2-5] " "$(cat "$T/held")"
expect_eq "at most 8 from one address" "" "$(awk '$2 > 8' "$T/held")"
for f in tls idle; do
	out=$(cat "$T/$f.out")
	echo "$f: $out" >&2
	expect_match "$f: each cut at 15 s, within the reaper's second (and a loaded machine's)" \
		"longest_cut=(1[5-9])\.[0-9] " "$out"
	# the 8 of each address; and, on a loaded machine, some refused by
	# the per-address limit that the client only saw a second later
	expect_match "$f: the 8 of each address cut" "cut=(1[6-9]|[2-9][0-9]|[1-9][0-9]{2,}) " "$out"
done
out=$(cat "$T/body.out")
echo "body: $out" >&2
expect_match "a trickled body is cut once its time is spent (15 s and a byte a second)" \
	"cut=1 .*longest_cut=1[5-9]\.[0-9] " "$out"
expect_match "the hub logs what it cut" \
	"closed [0-9]+ connections that sent no complete headers within 15 s, and [01] whose body came slower than 1024 bytes/s" \
	"$(cat "$T/serve.log")"
expect_synced a 07297
finish

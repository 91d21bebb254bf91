#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sync_ahead.sh — more than one push's worth of entries goes two pushes
# at a time, each on a connection of its own: the next is sent before
# the answer to the one before it, and the hub takes them one at a time.
# Over loopback every push is stored once and answered 200. Then through
# tests/tools/relay.py holding back what the agent's first connection
# sends, so that the second push reaches the hub first: the hub refuses
# it as a gap (409), the agent finishes one push at a time, and still
# every entry is stored once.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub
N=25000 # three pushes of 10,000 at most

member_ops "$T/ops.jsonl" "$N"
KA=$(commune a 07297)
agent -R "$T/a" apply --quiet "$T/ops.jsonl" >/dev/null
expect_ok "a sync of $N entries" agent -R "$T/a" sync
expect_synced a 07297
pushes=$(grep -c "POST /v1/push 200 .*key=${KA:0:12} accepted=" "$T/serve.log")
expect_eq "in three pushes" 3 "$pushes"
expect_eq "none sent twice" 0 \
	"$(grep "POST /v1/push .*key=${KA:0:12}" "$T/serve.log" | grep -vc ' dup=0$' || true)"
# The log line ends a request to the millisecond, and says how long it
# took: the second push began before the first was answered.
overlap=$(grep "POST /v1/push 200 .*key=${KA:0:12}" "$T/serve.log" | head -2 |
	awk '{ split(substr($1, 12, 12), t, ":"); end = t[1] * 3600 + t[2] * 60 + t[3]
	       ms = substr($6, 1, length($6) - 2) / 1000
	       if (NR == 1) first = end; else print (end - ms < first) ? "yes" : "no" }')
expect_eq "the second push began before the first was answered" yes "$overlap"

python3 "$CHIBO_SOURCE_DIR/tests/tools/relay.py" --target "127.0.0.1:$PORT" \
	--hold-first 3 --log "$T/relay.log" > "$T/relay.out" &
RELAY=$!
at_exit 'kill $RELAY 2>/dev/null'
for _ in $(seq 50); do grep -q listening "$T/relay.out" && break; sleep 0.1; done
RPORT=$(sed -n 's/^listening //p' "$T/relay.out")
expect_match "the relay listens" "^[0-9]+$" "$RPORT"
KB=$(commune b 07298)
agent -R "$T/b" hub --url "https://127.0.0.1:$RPORT" --pin "$PIN" --key "$HK" >/dev/null
# other card numbers: a card is one member's, hub-wide
sed 's/"C0/"D0/' "$T/ops.jsonl" >"$T/ops-b.jsonl"
agent -R "$T/b" apply --quiet "$T/ops-b.jsonl" >/dev/null
expect_ok "a sync whose second push overtakes the first" \
	agent -R "$T/b" sync
expect_match "the hub refused the push that came first as a gap" \
	"POST /v1/push 409 .*key=${KB:0:12}" "$(cat "$T/serve.log")"
expect_synced b 07298
expect_match "nothing waits to be pushed" "waiting: +0 entries to push" \
	"$(agent -R "$T/b" status)"
finish

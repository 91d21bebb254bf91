#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_flood.sh — issue 16, "anyone can stop every commune's sync": the
# nonce cache was one for all keys and filled before the key was checked,
# so a flood of signed requests from a key nobody enrolled (100,000 in 22
# s) got every enrolled agent refused. Now nothing is kept of a request
# until its signature verifies and its key is enrolled, and each key has
# its own share (requests_per_key, 64 here): floods from a stranger's key,
# from fresh keys and from an enrolled but hostile key leave the other
# communes' syncs as they were; the hostile key itself is answered 429
# with a Retry-After once its share is full.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_FORGE:?CHIBO_FORGE must name the forge test tool}"
command -v curl >/dev/null || { echo "curl not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
printf 'requests_per_key = 64\n' > "$T/hub.conf"
start_hub --config "$T/hub.conf"

commune a 07297 >/dev/null
commune b 07298 >/dev/null
commune x 07299 - >/dev/null # never enrolled
agent -R "$T/b" cell create --code 01 --name "Chi bộ thôn Tây" --kind residential >/dev/null
expect_ok "b syncs before the floods" agent -R "$T/b" sync
flood() { "$CHIBO_FORGE" flood "$1" "$URL" "$PIN" "$2"; }

expect_eq "2,000 requests from a key not enrolled: all 401" "000=0 401=2000" \
	"$(flood "$T/x" 2000)"
expect_eq "1,000 from fresh keys: all 401" "000=0 401=1000" "$(flood - 1000)"
expect_eq "300 from an enrolled key: its share of 64, then 429" \
	"000=0 200=64 429=236" "$(flood "$T/a" 300)"
printf '' > "$T/empty"
"$CHIBO_FORGE" request "$T/a" GET "127.0.0.1:$PORT" /v1/status "$T/empty" > "$T/h"
code=$(curl -s -k --pinnedpubkey "$PIN" -o "$T/r" -D "$T/rh" -w '%{http_code}' \
	-H @"$T/h" "$URL/v1/status")
expect_eq "its next request: 429" 429 "$code"
expect_match "with a Retry-After of the seconds until its share has room" \
	"^Retry-After: [1-9][0-9]*$" "$(tr -d '\r' < "$T/rh")"
expect_match "named" '"error":"this key sent more than 64 requests inside the signature window; busy, retry later"' \
	"$(cat "$T/r")"

# Every other commune syncs as before, while a stranger floods.
"$CHIBO_FORGE" flood - "$URL" "$PIN" 100000 20 > "$T/flood.out" &
FLOOD=$!
at_exit "kill $FLOOD 2>/dev/null"
agent -R "$T/b" member add --name "Lê Văn Bình" --birth 1975-05-05 --sex male \
	--card b1 --admitted 2001-01-01 --cell 01 >/dev/null
for i in 1 2 3; do
	expect_ok "b syncs during a flood ($i)" agent -R "$T/b" sync --retries 0
done
wait "$FLOOD"
expect_match "the flood was refused" "^000=0 401=[1-9][0-9]*$" "$(cat "$T/flood.out")"
expect_synced b 07298
expect_eq "contacts: the two enrolled keys' rows, nothing of the strangers'" 2 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM contacts")"
finish

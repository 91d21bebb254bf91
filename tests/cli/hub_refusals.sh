#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_refusals.sh — what a hostile or broken client sends a real hub, each
# checked for its exact status, a JSON error, and nothing changed on the
# hub (its digest over every table and entry): a replayed request, a
# tampered body, a body and digest both changed, a key that is not the
# signer's, malformed JSON, an unknown endpoint, a pushed entry about
# another commune's cell, 100 MB bodies (refused on their headers, none
# of their bytes read), a request for another host, and a request
# replayed after the hub restarted. Requests are signed by
# tests/tools/forge.c with a real replica's key and sent with curl.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_FORGE:?CHIBO_FORGE must name the forge test tool}"
command -v curl >/dev/null || { echo "curl not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub

ka=$(commune a 07297)
kb=$(commune b 07298)
commune x 07299 - >/dev/null # a key the hub never enrolled
agent -R "$T/a" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
agent -R "$T/b" cell create --code 01 --name "Chi bộ thôn Tây" --kind residential >/dev/null
agent -R "$T/b" member add --name "Lê Văn Bình" --birth 1975-05-05 --sex male \
	--card b1 --admitted 2001-01-01 --cell 01 >/dev/null
for c in a b a; do agent -R "$T/$c" sync >/dev/null || bad "sync $c"; done
before=$(hub digest)
unchanged() { expect_eq "$1: nothing changed on the hub" "$before" "$(hub digest)"; }

# sign METHOD PATH BODYFILE > HEADERS: a request signed with a's key
sign() { "$CHIBO_FORGE" request "$T/a" "$1" "127.0.0.1:$PORT" "$2" "$3"; }
# send METHOD PATH BODYFILE HEADERS: prints the status; the answer in $T/r
send() {
	local m=$1 p=$2 b=$3 h=$4
	shift 4
	curl -s -k --pinnedpubkey "$PIN" -o "$T/r" -w '%{http_code}' -X "$m" \
		-H @"$h" -H 'Content-Type: application/json' "$@" \
		--data-binary @"$b" "$URL$p"
}
printf '{"after":0}' > "$T/b0"
printf '{"after":1}' > "$T/b1"

sign POST /v1/pull "$T/b0" > "$T/h"
expect_eq "a signed pull: 200" 200 "$(send POST /v1/pull "$T/b0" "$T/h")"
expect_eq "the same request again (a replay): 401" 401 "$(send POST /v1/pull "$T/b0" "$T/h" -D "$T/rh")"
expect_match "named as a replay" '"error":".*(replay|seen)' "$(cat "$T/r")"
# the sender of a request the hub took before may sign it again
expect_match "and marked so for its sender" $'^Chibo-Replay: 1\r?$' "$(cat "$T/rh")"

sign POST /v1/pull "$T/b0" > "$T/h"
expect_eq "a tampered body: 401" 401 "$(send POST /v1/pull "$T/b1" "$T/h" -D "$T/rh")"
expect_match "named: the digest" '"error":".*[Dd]igest' "$(cat "$T/r")"
expect_no_match "not marked as a replay" "Chibo-Replay" "$(cat "$T/rh")"

sign POST /v1/pull "$T/b0" > "$T/h"
d1="sha-256=:$(openssl dgst -sha256 -binary "$T/b1" | base64):"
sed -i "s|^Content-Digest: .*|Content-Digest: $d1|" "$T/h"
expect_eq "body and digest both changed: 401" 401 "$(send POST /v1/pull "$T/b1" "$T/h")"
expect_match "named: the signature" '"error":".*signature' "$(cat "$T/r")"

sign POST /v1/pull "$T/b0" > "$T/h"
sed -i "s|keyid=\"$ka\"|keyid=\"$kb\"|" "$T/h"
expect_eq "signed by a, claiming b's key: 401" 401 "$(send POST /v1/pull "$T/b0" "$T/h")"

printf '{"after":' > "$T/bad"
sign POST /v1/pull "$T/bad" > "$T/h"
expect_eq "malformed JSON: 400" 400 "$(send POST /v1/pull "$T/bad" "$T/h")"
expect_match "with a JSON error" '"error":".*JSON object' "$(cat "$T/r")"
printf '{"after":0,"members":"all"}' > "$T/bad"
sign POST /v1/pull "$T/bad" > "$T/h"
expect_eq "a pull asking for more than it may: 400" 400 "$(send POST /v1/pull "$T/bad" "$T/h")"
printf '{"after":-5}' > "$T/bad"
sign POST /v1/pull "$T/bad" > "$T/h"
expect_eq "a negative cursor: 400" 400 "$(send POST /v1/pull "$T/bad" "$T/h")"
sign POST /v1/members "$T/b0" > "$T/h"
expect_eq "an endpoint that does not exist: 404" 404 "$(send POST /v1/members "$T/b0" "$T/h")"
sign POST /v1/push "$T/b0" > "$T/h"
expect_eq "a push that is not zstd: 415" 415 "$(send POST /v1/push "$T/b0" "$T/h")"
unchanged "the requests above"

# an entry about b's cell, signed by a: the hub refuses the whole push
"$CHIBO_FORGE" append "$T/a" member.add \
	'{"admitted_on":"2005-01-01","birth_date":"1980-01-01","cell":"07298.01","full_name":"Kẻ Mạo Danh","sex":"male","status":"probationary"}' >/dev/null
err=$(agent -R "$T/a" sync --retries 0 2>&1); rc=$?
expect_eq "an entry about another commune's cell: exit 77" 77 "$rc"
expect_match "named, one line" "^chibo-agent: error: the hub refused the push: entry 3: '07298.01' belongs to another organisation's key" "$err"
expect_eq "one line" 1 "$(printf '%s\n' "$err" | wc -l)"
expect_match "the hub logged a 403" "POST /v1/push 403" "$(cat "$T/serve.log")"
unchanged "the forged entry"

# Judged on the headers (issue 16): refused before any byte of the body
# is read. curl waits for the hub's word (Expect: 100-continue) and sends
# nothing when it is a refusal; %{size_upload} counts what it sent.
big() {
	head -c 100000000 /dev/zero | curl -s -k --pinnedpubkey "$PIN" -o "$T/r" \
		-w '%{http_code} %{size_upload}' -H 'Expect: 100-continue' \
		--expect100-timeout 60 "$@" --data-binary @- "$URL/v1/push"
}
expect_eq "an unsigned 100 MB body: 401, none of it read" "401 0" "$(big)"
printf 'x' > "$T/one"
sign POST /v1/push "$T/one" > "$T/h"
expect_eq "a signed request declaring 100 MB: 413, none of it read" "413 0" \
	"$(big -H @"$T/h")"
expect_match "named with the limit" '"error":".*over this hub.s limit of 8388608 bytes' "$(cat "$T/r")"
"$CHIBO_FORGE" request "$T/x" POST "127.0.0.1:$PORT" /v1/push "$T/one" > "$T/h"
expect_eq "a key not enrolled, declaring 100 MB: 401, none of it read" "401 0" \
	"$(big -H @"$T/h")"
expect_match "named" '"error":"key [0-9a-f]{12} is not enrolled' "$(cat "$T/r")"
sign POST /v1/push "$T/one" > "$T/h"
expect_eq "chunked, with no length: 411, none of it read" "411 0" \
	"$(big -H @"$T/h" -H 'Transfer-Encoding: chunked')"
expect_ok "and the hub still serves a sync" agent -R "$T/b" sync
unchanged "the 100 MB bodies"

# @authority naming another host (issue 16): 421, whatever the signature.
"$CHIBO_FORGE" request "$T/a" POST "evil.example:$PORT" /v1/pull "$T/b0" > "$T/h"
expect_eq "signed for another host, sent with its Host: 421" 421 \
	"$(send POST /v1/pull "$T/b0" "$T/h" -H "Host: evil.example:$PORT")"
expect_match "named" '"error":"this hub is not .evil.example:[0-9]+' "$(cat "$T/r")"
sign POST /v1/pull "$T/b0" > "$T/h"
expect_eq "signed for this hub, sent with another Host: 421" 421 \
	"$(send POST /v1/pull "$T/b0" "$T/h" -H "Host: evil.example:$PORT")"

# A request captured before a restart (issue 16): refused after it with a
# status to retry on, which the agent does, signing afresh.
"$CHIBO_FORGE" request "$T/b" POST "127.0.0.1:$PORT" /v1/pull "$T/b0" > "$T/h"
expect_eq "b's signed pull: 200" 200 "$(send POST /v1/pull "$T/b0" "$T/h")"
serve_hub "$T/hub"
code=$(curl -s -k --pinnedpubkey "$PIN" -o "$T/r" -D "$T/rh" -w '%{http_code}' \
	-X POST -H @"$T/h" --data-binary @"$T/b0" "$URL/v1/pull")
expect_eq "the same request after the hub restarted: 503" 503 "$code"
expect_match "with Retry-After" "^Retry-After: [0-9]+" "$(tr -d '\r' < "$T/rh")"
expect_match "named" '"error":"this request was signed before the hub restarted' "$(cat "$T/r")"
expect_ok "b syncs right after the restart" agent -R "$T/b" sync
unchanged "the replay across the restart"
finish

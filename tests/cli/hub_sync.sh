#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_sync.sh — a real hub (chibo-hub serve, HTTPS on 127.0.0.1, an
# ephemeral port, its own TLS certificate) and real agents syncing with it:
# push, idempotence, the hub's log and tables, and each refusal with its
# exit code (77: refused, 75: unreachable). Concurrency: 20 agents
# syncing at once; retries while the hub is down. The hub is stopped with SIGTERM and must exit cleanly.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"
command -v curl >/dev/null || { echo "curl not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub
expect_match "the hub serves on an ephemeral port" "^[0-9]+$" "$PORT"

k1=$(commune c1 07297)
agent -R "$T/c1" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
agent -R "$T/c1" member add --name "Nguyễn Văn Hợp" --birth 1980-01-01 \
	--sex male --card 111 --admitted 2005-01-01 --cell 01 >/dev/null
out=$(agent -R "$T/c1" sync); rc=$?
expect_eq "sync exits 0" 0 "$rc"
expect_match "sync pushes the three entries" "up to 3 \(3 pushed now\)" "$out"
expect_match "again: nothing to push" "up to 3 \(0 pushed now\)" \
	"$(agent -R "$T/c1" sync)"
expect_eq "the hub holds the member in its tables" "Nguyễn Văn Hợp" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT full_name FROM members WHERE card_no = '111'")"
agent -R "$T/c1" member add --name "Trần Thị Lan" --birth 1985-01-01 \
	--sex female --card 112 --admitted 2010-01-01 --cell 01 >/dev/null
expect_match "only the new entry is pushed" "up to 4 \(1 pushed now\)" \
	"$(agent -R "$T/c1" sync)"

# A fork: a copy of c1's replica (same key) records something else at the
# same seq. The hub keeps it as evidence and freezes the key.
cp -a "$T/c1" "$T/c1-copy"
agent -R "$T/c1" member add --name "Lê Văn Một" --birth 1980-01-01 \
	--sex male --card 113 --admitted 2010-01-01 --cell 01 >/dev/null
agent -R "$T/c1-copy" member add --name "Lê Văn Hai" --birth 1980-01-01 \
	--sex male --card 114 --admitted 2010-01-01 --cell 01 >/dev/null
agent -R "$T/c1" sync >/dev/null
err=$(agent -R "$T/c1-copy" sync 2>&1); rc=$?
expect_eq "a fork: exit 77" 77 "$rc"
expect_match "named as a fork" "fork: entry 5 differs" "$err"
expect_eq "the other entry is kept as evidence" "1" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE reason LIKE 'fork:%'")"
err=$(agent -R "$T/c1" sync 2>&1); rc=$?
expect_eq "the forked key is frozen: exit 77" 77 "$rc"
expect_match "and says so" "frozen" "$err"

# refusals, each with its exit code and a one-line message
commune c2 07298 - >/dev/null
err=$(agent -R "$T/c2" sync 2>&1); rc=$?
expect_eq "an unenrolled key: exit 77" 77 "$rc"
expect_match "and says so" "not enrolled at this hub" "$err"
k3=$(commune c3 07299)
hub revoke "$k3" --reason test >/dev/null
err=$(agent -R "$T/c3" sync 2>&1); rc=$?
expect_eq "a revoked key: exit 77" 77 "$rc"
expect_match "and says so" "was revoked" "$err"
commune c4 07300 >/dev/null
agent -R "$T/c4" hub --url "$URL" \
	--pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" --key "$HK" >/dev/null
err=$(agent -R "$T/c4" sync 2>&1); rc=$?
expect_eq "a wrong pin: exit 77" 77 "$rc"
expect_match "and names the pin" "[Pp]ublic key|pinned" "$err"
# a key enrolled for 07301 whose replica claims 07302: refused, nothing kept
k5=$(agent -R "$T/c5" init --code 07302 --name "Đảng bộ xã Giả" | sed -n 's/^public key: //p')
hub enroll "$k5" --org 07301 --role commune >/dev/null
agent -R "$T/c5" hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
err=$(agent -R "$T/c5" sync 2>&1); rc=$?
expect_eq "an org.init outside the key's enrolment: exit 77" 77 "$rc"
expect_match "named" "org.init of '07302' by a key enrolled for '07301' only" "$err"
expect_eq "and nothing of it is kept" 0 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE hex(author) = upper('$k5')")"
# raw HTTP: unsigned, oversized, with a query string
code=$(curl -s -k --pinnedpubkey "$PIN" -o "$T/r" -w '%{http_code}' "$URL/v1/status")
expect_eq "an unsigned request: 401" 401 "$code"
expect_match "with a JSON error" '"error":".*not signed' "$(cat "$T/r")"
head -c 9000000 /dev/zero > "$T/big"
code=$(curl -s -k --pinnedpubkey "$PIN" -o "$T/r" -w '%{http_code} %{size_upload}' \
	-H 'Expect: 100-continue' --expect100-timeout 30 --data-binary @"$T/big" "$URL/v1/push")
expect_eq "an unsigned 9 MB body: 401 on its headers, none of it read" "401 0" "$code"
code=$(curl -s -k --pinnedpubkey "$PIN" -o "$T/r" -w '%{http_code}' "$URL/v1/status?x=1")
expect_eq "a query string: 400" 400 "$code"
code=$(curl -s -k --pinnedpubkey "$PIN" -o "$T/r" -w '%{http_code}' \
	-H 'Signature-Input: chibo=(' -H 'Signature: chibo=:AA==:' \
	-H 'Content-Digest: sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:' \
	"$URL/v1/status")
expect_eq "a malformed signature header: 401" 401 "$code"
expect_match "named as malformed" "malformed signature header" "$(cat "$T/r")"

# slow clients: 30 TLS connections that send half a request and stall
# must not stop or starve the others (per-connection limits and timeouts)
slow=()
for i in $(seq 1 30); do
	(printf 'POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 999999\r\n\r\nab'
	 sleep 20) | timeout 25 openssl s_client -quiet -connect "127.0.0.1:$PORT" \
		>/dev/null 2>&1 &
	slow+=($!)
done
sleep 1
commune c6 07303 >/dev/null
agent -R "$T/c6" cell create --code 01 --name "Chi bộ" --kind residential >/dev/null
start=$(date +%s)
out=$(timeout 20 "$CHIBO_AGENT" -R "$T/c6" sync 2>&1); rc=$?
expect_eq "a sync beside 30 stalled clients succeeds" 0 "$rc"
expect_eq "and does not wait for them" 1 "$(( $(date +%s) - start < 5 ))"
kill "${slow[@]}" 2>/dev/null

# 20 agents pushing (and pulling) at once: nothing lost, nothing doubled
N=20
for i in $(seq 1 $N); do
	code=$(printf '074%02d' "$i")
	commune "p$i" "$code" >/dev/null
	for j in 1 2 3; do
		agent -R "$T/p$i" cell create --code "0$j" --name "Chi bộ $j" --kind residential >/dev/null
	done
done
pids=()
for i in $(seq 1 $N); do
	"$CHIBO_AGENT" -R "$T/p$i" sync >"$T/p$i.out" 2>&1 &
	pids+=($!)
done
wait "${pids[@]}"
wait_ok=0
for i in $(seq 1 $N); do
	grep -q "up to 4 (4 pushed now)" "$T/p$i.out" && wait_ok=$((wait_ok + 1))
done
expect_eq "$N agents syncing at once all succeed" $N "$wait_ok"
expect_eq "nothing lost, nothing duplicated" $((N * 4)) \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE hex(author) IN (SELECT upper(key) FROM enrolments WHERE org LIKE '074%')")"
expect_eq "no entry twice" 0 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM (SELECT author, seq FROM entries GROUP BY author, seq HAVING count(*) > 1 AND min(coalesce(reason, '')) NOT LIKE 'fork:%' AND max(coalesce(reason, '')) NOT LIKE 'fork:%') AS twice")"
out=$(hub verify); rc=$?
expect_eq "verify reports the fork kept as evidence" 1 "$rc"
expect_eq "and nothing else: its one fault is the fork" \
	"1 1" "$(printf '%s\n' "$out" | grep -c '^FAULT') $(printf '%s\n' "$out" | grep -c '^FAULT: .*(a fork)$')"

# one log line per request
expect_match "request log lines" "127.0.0.1 POST /v1/push 200 .*accepted=" "$(cat "$T/serve.log")"
# stopping: SIGTERM, a clean exit
kill -TERM $HUB_PID
wait $HUB_PID; rc=$?
expect_eq "SIGTERM stops the hub cleanly" 0 "$rc"
err=$(agent -R "$T/p1" sync --retries 0 2>&1); rc=$?
expect_eq "the hub down: exit 75" 75 "$rc"
expect_match "and says it cannot reach it" "cannot reach the hub" "$err"
expect_match "after how many tries" "\(after 1 try\)$" "$err"
# the waits (0.5-1 s, then 1-2 s) outgrow a budget of 2 s before 100 tries
err=$(agent -R "$T/p1" sync --retries 100 --max-time 2 2>&1); rc=$?
expect_eq "the hub down past --max-time: exit 75" 75 "$rc"
expect_match "and it says the time ended it" "\(--max-time is spent\)$" "$err"

# a sync begun while the hub is down goes through once it is back: retries
# with backoff (the first waits are 0.5-1 s, then 1-2 s, 2-4 s)
(sleep 2; exec "$CHIBO_HUB_BIN" --dir "$T/hub" serve --listen "127.0.0.1:$PORT" \
	> "$T/serve2.out" 2>> "$T/serve.log") &
HUB_PID=$!
agent -R "$T/p2" cell create --code 09 --name "Chi bộ 9" --kind residential >/dev/null
out=$(agent -R "$T/p2" sync --max-time 60 2>&1); rc=$?
expect_eq "a sync begun with the hub down succeeds when it is back" 0 "$rc"
expect_match "after waiting and trying again" "trying again in [0-9.]+ s" "$out"
expect_match "and pushes what was waiting" "up to 5 \(1 pushed now\)" "$out"
kill -TERM $HUB_PID; wait $HUB_PID
finish

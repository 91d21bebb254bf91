#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_config.sh — chibo-hub serve's configuration file (--config FILE, or
# hub.conf in the hub directory): its settings reach the running server
# (address, threads, body cap, names, the headers' deadline), every
# refused line is named FILE:LINE and starts nothing, and flags override
# the file. Then chibo-hub status, on enrolled keys and on a crafted log
# (a rejection and fork evidence).
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"
: "${CHIBO_FORGE:?CHIBO_FORGE must name the forge test tool}"
command -v curl >/dev/null || { echo "curl not installed"; exit 77; }
hub() { "$CHIBO_HUB_BIN" --dir "$T/hub" "$@"; }
PIDS=()
# testlib's exit hooks, not a trap of its own: a trap here would replace
# testlib's, and a cluster of pglib.sh's would outlive the test
at_exit 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done'

# serve NAME ARGS…: start 'chibo-hub serve ARGS…' in the background, wait
# for its "serving" line, and set PID and PORT (empty if it never served).
serve() {
	local name=$1; shift
	"$CHIBO_HUB_BIN" --dir "$T/hub" serve "$@" \
		> "$T/$name.out" 2> "$T/$name.log" &
	PID=$!
	PIDS+=("$PID")
	for _ in $(seq 50); do
		grep -qs serving "$T/$name.out" && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	PORT=$(sed -n 's/^serving .* on https:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' \
		"$T/$name.out")
}
threads_of() { ls "/proc/$1/task" | wc -l; }
# A bad configuration must fail at once: a serve that starts is cut off.
serve_fails() { timeout 5 "$CHIBO_HUB_BIN" --dir "$T/hub" serve "$@"; }

hub init --code BG.LG --name "Huyện ủy Lạng Giang" >/dev/null
k0=$(agent -R "$T/c0" init --code 07290 --name "Đảng bộ xã Thử" |
	sed -n 's/^public key: //p')
hub enroll "$k0" --org 07290 --role commune >/dev/null
# signed AUTHORITY PATH BODYFILE [CURL ARGS…]: a request signed by c0's
# key for AUTHORITY, sent to this hub with that Host; prints the status
# and the bytes of body curl sent.
signed() {
	local auth=$1 path=$2 body=$3
	shift 3
	"$CHIBO_FORGE" request "$T/c0" POST "$auth" "$path" "$body" > "$T/h"
	curl -sk -o "$T/r" -w '%{http_code} %{size_upload}' -H @"$T/h" \
		-H "Host: $auth" -H 'Expect: 100-continue' \
		--expect100-timeout 30 --data-binary @"$body" "$@" \
		"https://127.0.0.1:$PORT$path"
}

cat > "$T/good.conf" <<'EOF'
# chibo-hub serve, for the test
listen = 127.0.0.1:0

threads=3   # a comment after a value
	max_body = 2097152
names = hub.lang-giang.example, HUB.example:8443
header_timeout = 5
EOF
serve a --config "$T/good.conf"
expect_match "the file's listen is served, its port printed" \
	"^serving BG.LG on https://127.0.0.1:[1-9][0-9]*$" "$(cat "$T/a.out")"
expect_eq "an unsigned request there is refused by the hub" 401 \
	"$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$PORT/v1/status")"
# SQLite's WAL has a checkpointer thread of its own; PostgreSQL's store
# none (the suite's second backend)
wal=1
[ "$HUB_STORE" = postgresql ] && wal=0
if [ -d /proc/self/task ]; then
	expect_eq "threads = 3: three workers, the main thread, the WAL's checkpointer (SQLite's) and the connection reaper" $((5 + wal)) \
		"$(threads_of "$PID")"
fi
head -c 3000000 /dev/zero > "$T/big"
expect_eq "a body over max_body is refused with 413, none of it read" "413 0" \
	"$(signed "127.0.0.1:$PORT" /v1/push "$T/big")"
printf '{"after":0}' > "$T/pull"
expect_eq "a name of the file is the hub's" "200 11" \
	"$(signed hub.lang-giang.example /v1/pull "$T/pull")"
expect_eq "with its port, in any case" "200 11" \
	"$(signed hub.EXAMPLE:8443 /v1/pull "$T/pull")"
expect_eq "another is not" "421 0" "$(signed other.example /v1/pull "$T/pull")"
expect_match "and says what to do" "add it to 'names' in hub.conf" "$(cat "$T/r")"
start=$(date +%s)
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
cat <&3 >/dev/null
exec 3<&-
took=$(( $(date +%s) - start ))
expect_match "a connection that sends nothing is closed after header_timeout = 5" \
	"^(5|6|7)$" "$took"
expect_match "the log names the file read" "settings from '$T/good.conf'" \
	"$(cat "$T/a.log")"
A_PORT=$PORT

# Flags override the file: its address is taken (by the first server).
printf 'listen = 127.0.0.1:%s\nthreads = 2\n' "$A_PORT" > "$T/taken.conf"
expect_fail "the file's listen is used" "cannot listen on 127.0.0.1:$A_PORT" \
	serve_fails --config "$T/taken.conf"
serve b --config "$T/taken.conf" --listen 127.0.0.1:0 --threads 5
expect_match "--listen overrides the file" "^[1-9][0-9]*$" "$PORT"
if [ -d /proc/self/task ]; then
	expect_eq "--threads overrides the file" $((7 + wal)) "$(threads_of "$PID")"
fi

# Refusals: one line naming FILE:LINE, exit 1, nothing started.
refused() {
	printf '# line 1\n%s\n' "$2" > "$T/bad.conf"
	expect_fail "$1" "^chibo-hub: error: $T/bad.conf:2: $3" \
		serve_fails --config "$T/bad.conf" --listen 127.0.0.1:0
}
refused "a line without =" "threads 4" "expected 'key = value'"
refused "an unknown key" "thread = 4" "unknown key 'thread'"
refused "threads out of range" "threads = 65" "threads must be .* 1 to 64"
refused "a negative number" "connection_timeout = -5" "connection_timeout must be"
refused "a number with a unit" "max_body = 8M" "max_body must be .*not '8M'"
refused "max_body too small" "max_body = 1024" "max_body must be"
refused "signature_window too large" "signature_window = 86400" \
	"signature_window must be .* 30 to 3600"
refused "a port out of range" "listen = 127.0.0.1:65536" "listen must be IPV4:PORT"
refused "a host name" "listen = localhost:8443" "listen needs an IPv4 address"
refused "no value" "per_ip_connection_limit =" "'per_ip_connection_limit' has no value"
refused "a name that is not one" "names = hub.example, bad/name" \
	"names: 'bad/name' is not an authority"
refused "a name with a bad port" "names = hub.example:99999" "names: .*not an authority"
refused "header_timeout too short" "header_timeout = 2" "header_timeout must be .* 5 to 3600"
refused "min_body_rate of 0" "min_body_rate = 0" "min_body_rate must be"
refused "requests_per_key too few" "requests_per_key = 10" \
	"requests_per_key must be .* 64 to 1048576"
refused "dashboard_failures of 1" "dashboard_failures = 1" \
	"dashboard_failures must be .* 3 to 100, not '1'"
refused "dashboard_lock with a unit" "dashboard_lock = 15m" \
	"dashboard_lock must be .* 60 to 86400, not '15m'"
refused "dashboard_session too long" "dashboard_session = 2592000" \
	"dashboard_session must be .* 300 to 604800"
printf 'threads = 8\nconnection_limit = 4\n' > "$T/bad.conf"
expect_fail "fewer connections than threads" \
	"$T/bad.conf:2: connection_limit 4 is below threads 8" \
	serve_fails --config "$T/bad.conf"
printf 'threads = 8\nthreads = 2\n' > "$T/bad.conf"
expect_fail "a key set twice" "$T/bad.conf:2: 'threads' is set twice" \
	serve_fails --config "$T/bad.conf"
expect_fail "a missing --config file" "cannot read the configuration file" \
	serve_fails --config "$T/none.conf"
expect_fail "a bad flag is a usage error" "^chibo-hub serve: --threads must" \
	serve_fails --threads 0
serve_fails --config "$T/good.conf" --threads 0 2>/dev/null
expect_eq "and exits 2" 2 "$?"

# hub.conf in the hub directory is read when --config is not given.
printf 'threads = 2\nlisten = nowhere\n' > "$T/hub/hub.conf"
expect_fail "hub.conf is read by default" \
	"^chibo-hub: error: $T/hub/hub.conf:2: listen must be" serve_fails
serve c --config "$T/good.conf"
expect_match "--config replaces hub.conf" "^[1-9][0-9]*$" "$PORT"
printf 'listen = 127.0.0.1:0\n' > "$T/hub/hub.conf"
serve d
expect_match "a good hub.conf serves" "^[1-9][0-9]*$" "$PORT"
expect_match "and is named in the log" "settings from '$T/hub/hub.conf'" \
	"$(cat "$T/d.log")"
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
wait

# status: two enrolled keys, nothing synced yet (a hub of its own).
rm -rf "$T/hub"
hub init --code BG.LG --name "Huyện ủy Lạng Giang" >/dev/null
k1=$(agent -R "$T/c1" init --code 07297 --name "Đảng bộ xã Quế Nham" |
	sed -n 's/^public key: //p')
k2=$(agent -R "$T/c2" init --code 07298 --name "Đảng bộ xã Tân Hưng" |
	sed -n 's/^public key: //p')
hub enroll "$k1" --org 07297 --role commune --name "Văn phòng Quế Nham" >/dev/null
hub enroll "$k2" --org 07298 --role commune >/dev/null
out=$(hub status)
expect_match "status names the organisation" \
	"^organisation: BG.LG Huyện ủy Lạng Giang$" "$out"
expect_match "status counts the log" "^log: +3 entries$" "$out"
expect_match "the first key, at seq 0" \
	"^${k1:0:12} +07297 +commune +Văn phòng Quế Nham +0 +0 +- +active$" "$out"
expect_match "the second key, at seq 0" \
	"^${k2:0:12} +07298 +commune +0 +0 +- +active$" "$out"
hub status --json > "$T/status.json"
expect_ok "status --json is JSON" \
	python3 -c 'import json,sys; json.load(sys.stdin)' < "$T/status.json"
expect_eq "--json: both keys at seq 0" "$k1 07297 0 0 False|$k2 07298 0 0 False|" \
	"$(python3 -c 'import json,sys
for k in json.load(sys.stdin)["keys"]:
    print(k["key"], k["org"], k["seq"], k["rejected"], k["frozen"], end="|")' \
	< "$T/status.json")"

# A crafted log (status reads the log; it does not verify it): k1 holds
# seq 1 and 2, seq 2 rejected, and a second seq 2 kept as fork evidence.
z=$(printf '%064d' 0); one=${z//0/01}; two=${z//0/02}
sqlite3 "$T/hub/hub.db" "INSERT INTO entries (id, author, seq, op, time_ms, bytes, state, reason, evidence) VALUES
	(x'$z', x'$k1', 1, 'cell.create', 1763726400000, x'00', 'applied', NULL, 0),
	(x'${one:0:64}', x'$k1', 2, 'cell.create', 1763730000000, x'00', 'rejected', 'cell 01 is not the author''s', 0),
	(x'${two:0:64}', x'$k1', 2, 'cell.create', 1763733600000, x'00', 'rejected', 'fork: another entry holds this seq', 1)"
expect_match "seq, rejections, last entry (UTC+7) and frozen" \
	"^${k1:0:12} .* 2 +1 +2025-11-21T20:00:00\+07:00 +frozen$" "$(hub status)"
hub revoke "$k2" --reason "máy hỏng" >/dev/null
expect_match "a revoked key is shown so" \
	"^${k2:0:12} .* 0 +0 +- +revoked [0-9-]{10}$" "$(hub status)"
expect_match "the summary counts them" \
	"^keys: +1 enrolled, 1 revoked, 1 frozen$" "$(hub status)"
expect_eq "--json: frozen, last entry in ms" "True 1763730000000 2025-11-21T20:00:00+07:00" \
	"$(hub status --json | python3 -c 'import json,sys
k = json.load(sys.stdin)["keys"][0]
print(k["frozen"], k["last_entry_ms"], k["last_entry"])')"
expect_fail "status takes no argument" "unexpected argument" hub status x
finish

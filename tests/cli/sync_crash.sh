#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sync_crash.sh — power cuts during sync: a sync starts each round and,
# at a random moment within the time a sync takes here, the agent (two
# rounds in three) or the hub (every third) is killed with SIGKILL. Each
# round the commune has new entries to push (CHIBO_SYNC_CRASH_BACKLOG, 400
# by default, recorded whenever the hub lacks fewer); a kill that comes
# after the sync ended is counted apart, as no crash during one, and the
# rounds go on until ROUNDS kills found a sync running. After every try:
# the agent's replica verifies, passes SQLite's integrity check and
# holds all its entries; the hub holds at least every entry it ever
# acknowledged (the accepted= of each push in its request log, and the
# head a completed sync recorded) and never fewer than the round before;
# at the end one sync completes, the hub holds every entry exactly once,
# and both verify. CHIBO_SYNC_CRASH_ROUNDS sets the rounds (default 12;
# issue 16's long mode is 500), and the last line says how they went.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub
ROUNDS=${CHIBO_SYNC_CRASH_ROUNDS:-12}

KEY=$(commune a 07297)
python3 - "$T/ops.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"op": "cell.create", "code": "01", "name": "Chi bộ",
                        "kind": "residential"}) + "\n")
    for i in range(4000):
        f.write(json.dumps({"op": "member.add", "full_name": "Nguyễn Văn Số",
                            "birth_date": "1980-01-01", "sex": "male",
                            "card_no": "C%05d" % i, "admitted_on": "2005-01-01",
                            "cell": "01"}) + "\n")
PY
agent -R "$T/a" apply --quiet "$T/ops.jsonl" >/dev/null
total=$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM entries")
held() { sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE hex(author) = (SELECT upper(key) FROM enrolments WHERE org = '07297')" 2>/dev/null || echo 0; }
restart_hub() {
	"$CHIBO_HUB_BIN" --dir "$T/hub" serve --listen "127.0.0.1:$PORT" \
		>> "$T/serve.out" 2>> "$T/serve.log" &
	HUB_PID=$!
	for _ in $(seq 100); do
		curl -s -k -o /dev/null "https://127.0.0.1:$PORT/" && break
		sleep 0.05
	done
}

# running PID: the process is alive and not yet a zombie
running() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}
# acknowledged: the entries the hub said it took (its request log: the
# log line of a push is written once its answer is sent; a line cut by
# a kill is not counted), or the head a completed sync recorded, if more
acknowledged() {
	local logged recorded
	logged=$(grep -ao ' /v1/push [0-9]* [0-9]*ms key=[^ ]* accepted=[0-9]*' \
		"$T/serve.log" | awk -F'accepted=' '{ n += $2 } END { print n + 0 }')
	recorded=$(sqlite3 "$T/a/replica.db" \
		"SELECT value FROM meta WHERE key = 'hub_head'" 2>/dev/null)
	echo $(( ${recorded:-0} > logged ? ${recorded:-0} : logged ))
}

# top_up ROUND: the commune records BACKLOG more members when the hub
# lacks fewer than that many of its entries, so that every sync has
# entries to push when the kill comes
BACKLOG=${CHIBO_SYNC_CRASH_BACKLOG:-400}
top_up() {
	(( total - $(held) >= BACKLOG )) && return
	awk -v r="$1" -v n="$BACKLOG" 'BEGIN { for (i = 0; i < n; i++)
		printf "{\"op\": \"member.add\", \"full_name\": \"Trần Văn " \
		"Mới\", \"birth_date\": \"1990-01-01\", \"sex\": \"male\", " \
		"\"card_no\": \"R%05d%04d\", \"admitted_on\": " \
		"\"2015-01-01\", \"cell\": \"01\"}\n", r, i }' >"$T/more.jsonl"
	agent -R "$T/a" apply --quiet "$T/more.jsonl" >/dev/null
	total=$((total + BACKLOG))
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# how long a sync of the backlog takes here, once the hub holds the rest:
# the kills come at a random moment within that
agent -R "$T/a" sync >/dev/null 2>&1
top_up 0
start=$(now_ms)
agent -R "$T/a" sync >/dev/null 2>&1
span=$(( $(now_ms) - start ))
span=$(( span > 0 ? span : 1 ))

# A round is a kill that finds the sync still running; a kill that comes
# after the sync ended is no round (but the checks run all the same).
last=0 bad_rounds=0 shrank=0 lost=0 fewer=0 r=0 tries=0
agent_kills=0 hub_kills=0 agent_late=0 hub_late=0
while (( r < ROUNDS && tries < 4 * ROUNDS )); do
	tries=$((tries + 1))
	top_up "$tries"
	"$CHIBO_AGENT" -R "$T/a" sync --retries 0 >/dev/null 2>&1 &
	pid=$!
	ms=$(( (RANDOM * 32768 + RANDOM) % span ))
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	side=agent
	(( tries % 3 == 0 )) && side=hub
	if running "$pid"; then
		r=$((r + 1))
		eval "${side}_kills=\$((${side}_kills + 1))"
	else
		eval "${side}_late=\$((${side}_late + 1))"
	fi
	if [ "$side" = hub ]; then
		kill -KILL "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null
		wait "$pid" 2>/dev/null
		restart_hub
	else
		kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	fi
	agent -R "$T/a" verify >/dev/null 2>&1 || bad_rounds=$((bad_rounds + 1))
	[ "$(sqlite3 "$T/a/replica.db" 'PRAGMA integrity_check')" = ok ] ||
		bad_rounds=$((bad_rounds + 1))
	[ "$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM entries WHERE \
		lower(hex(author)) = '$KEY'")" = "$total" ] || fewer=$((fewer + 1))
	now=$(held)
	(( now >= last )) || shrank=$((shrank + 1))
	acked=$(acknowledged)
	(( now >= acked )) || {
		lost=$((lost + 1))
		echo "try $tries: the hub holds $now entries of 07297, having" \
			"acknowledged $acked" >&2
	}
	last=$now
done
echo "sync_crash: $r rounds in $tries tries, each a kill within the" \
	"$span ms a sync of $BACKLOG entries took; killed during a sync: the" \
	"agent $agent_kills times, the hub $hub_kills times; after the sync" \
	"had ended: the agent $agent_late, the hub $hub_late; the hub" \
	"acknowledged $acked and held $now of $total entries; tries that" \
	"lost an acknowledged entry: $lost"
expect_eq "every round killed a running sync" "$ROUNDS" "$r"
expect_eq "the replica verified after every kill" 0 "$bad_rounds"
expect_eq "the hub never held fewer than the round before" 0 "$shrank"
expect_eq "the hub never lost what it had acknowledged" 0 "$lost"
expect_eq "the replica never lost an entry" 0 "$fewer"
out=$(agent -R "$T/a" sync 2>&1); rc=$?
expect_eq "then a sync completes" 0 "$rc"
expect_eq "the hub holds every entry" "$total" "$(held)"
expect_eq "each once" 0 "$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM (SELECT seq FROM entries WHERE hex(author) = (SELECT upper(key) FROM enrolments WHERE org = '07297') GROUP BY seq HAVING count(*) > 1) AS twice")"
kill -TERM "$HUB_PID"; wait "$HUB_PID" 2>/dev/null
expect_ok "the hub verifies" hub verify
expect_eq "the hub's file passes its integrity check" ok \
	"$(sqlite3 "$T/hub/hub.db" 'PRAGMA integrity_check')"
expect_eq "the commune equals the hub's view of its scope" \
	"$(hub digest --org 07297)" "$(agent -R "$T/a" digest)"
finish

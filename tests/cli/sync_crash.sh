#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sync_crash.sh — power cuts during sync: the agent, and separately the
# hub, killed with SIGKILL at random moments while 4,000 entries move.
# After every round: the agent's replica verifies and passes SQLite's
# integrity check; the hub never holds fewer of the commune's entries than
# it acknowledged before; at the end one sync completes, the hub holds
# every entry exactly once, and both verify. CHIBO_SYNC_CRASH_ROUNDS sets
# the rounds (default 12; the long mode is 200).
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub
ROUNDS=${CHIBO_SYNC_CRASH_ROUNDS:-12}

commune a 07297 >/dev/null
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

last=0 bad_rounds=0 shrank=0
for r in $(seq 1 "$ROUNDS"); do
	"$CHIBO_AGENT" -R "$T/a" sync --retries 0 >/dev/null 2>&1 &
	pid=$!
	sleep "0.$(( RANDOM % 40 ))"
	if (( r % 3 == 0 )); then
		kill -KILL "$HUB_PID" 2>/dev/null; wait "$HUB_PID" 2>/dev/null
		wait "$pid" 2>/dev/null
		restart_hub
	else
		kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	fi
	agent -R "$T/a" verify >/dev/null 2>&1 || bad_rounds=$((bad_rounds + 1))
	[ "$(sqlite3 "$T/a/replica.db" 'PRAGMA integrity_check')" = ok ] ||
		bad_rounds=$((bad_rounds + 1))
	now=$(held)
	(( now >= last )) || shrank=$((shrank + 1))
	last=$now
done
expect_eq "the replica verified after every kill" 0 "$bad_rounds"
expect_eq "the hub never lost what it had acknowledged" 0 "$shrank"
out=$(agent -R "$T/a" sync 2>&1); rc=$?
expect_eq "then a sync completes" 0 "$rc"
expect_eq "the hub holds every entry" "$total" "$(held)"
expect_eq "each once" 0 "$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM (SELECT seq FROM entries WHERE hex(author) = (SELECT upper(key) FROM enrolments WHERE org = '07297') GROUP BY seq HAVING count(*) > 1)")"
kill -TERM "$HUB_PID"; wait "$HUB_PID" 2>/dev/null
expect_ok "the hub verifies" hub verify
expect_eq "the hub's file passes its integrity check" ok \
	"$(sqlite3 "$T/hub/hub.db" 'PRAGMA integrity_check')"
expect_eq "the commune equals the hub's view of its scope" \
	"$(hub digest --org 07297)" "$(agent -R "$T/a" digest)"
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sync_poorlink.sh — a rural link, emulated without root by
# tests/tools/relay.py between the agent and a real hub: 64 kbit/s each
# way, 300 ms each way (600 ms round trip), the connection reset every so
# many bytes carried. The entries must get through across as many runs of
# 'chibo-agent sync' as it takes (a timer would run them), batches
# shrinking after a cut and growing after a success; at the end the hub
# holds each entry once and agrees with the replica. CI: 2,000 entries, a
# cut every 60 kB (about 8 s of the link). The long mode is the issue's:
# CHIBO_POORLINK_ENTRIES=10000 CHIBO_POORLINK_CUT=240000 (a cut about
# every 30 s; some 5 minutes).
# Loss is not emulated packet by packet (TCP would hide it as delay);
# the cuts stand for what loss does to a long transfer.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub
N=${CHIBO_POORLINK_ENTRIES:-2000}
CUT=${CHIBO_POORLINK_CUT:-60000}

python3 "$CHIBO_SOURCE_DIR/tests/tools/relay.py" --target "127.0.0.1:$PORT" \
	--rate 8000 --delay 0.3 --cut-every "$CUT" --log "$T/relay.log" \
	> "$T/relay.out" &
RELAY=$!
trap 'kill $HUB_PID $RELAY 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
for _ in $(seq 50); do grep -q listening "$T/relay.out" && break; sleep 0.1; done
RPORT=$(sed -n 's/^listening //p' "$T/relay.out")
expect_match "the relay listens" "^[0-9]+$" "$RPORT"

commune a 07297 >/dev/null
agent -R "$T/a" hub --url "https://127.0.0.1:$RPORT" --pin "$PIN" --key "$HK" >/dev/null
python3 - "$T/ops.jsonl" "$N" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"op": "cell.create", "code": "01", "name": "Chi bộ",
                        "kind": "residential"}) + "\n")
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"op": "member.add",
                            "full_name": "Nguyễn Văn Số %d" % i,
                            "birth_date": "1980-01-01", "sex": "male",
                            "card_no": "C%06d" % i,
                            "admitted_on": "2005-01-01", "cell": "01"}) + "\n")
PY
agent -R "$T/a" apply --quiet "$T/ops.jsonl" >/dev/null
total=$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM entries")

start=$(date +%s)
runs=0 rc=1
while (( rc != 0 && runs < 40 )); do
	runs=$((runs + 1))
	agent -R "$T/a" sync --retries 4 --max-time 300 >> "$T/sync.out" 2>> "$T/sync.err"
	rc=$?
done
secs=$(( $(date +%s) - start ))
expect_eq "the sync gets through" 0 "$rc"
cuts=$(grep -c '^[0-9.]* cut' "$T/relay.log" || true)
expect_match "through cuts of the link" "^[1-9][0-9]*$" "$cuts"
echo "poor link: $total entries in $runs run(s), $secs s, $cuts cuts" >&2
held=$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE hex(author) = (SELECT upper(key) FROM enrolments WHERE org = '07297')")
expect_eq "the hub holds every entry" "$total" "$held"
expect_eq "each once" 0 "$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM (SELECT seq FROM entries GROUP BY author, seq HAVING count(*) > 1)")"
expect_eq "and agrees with the replica" \
	"$(hub digest --org 07297)" "$(agent -R "$T/a" digest)"
finish

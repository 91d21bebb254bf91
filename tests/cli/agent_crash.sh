#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_crash.sh — kill -9 the agent at random moments during a large
# 'apply', many times. Afterwards 'verify' passes, PRAGMA integrity_check is
# ok, and every line the agent had reported saved ("saved through line N")
# is present. CHIBO_CRASH_ROUNDS sets the rounds (default 25; the long mode
# in docs/OPERATIONS.md uses 500). Deterministic by CHIBO_CRASH_SEED.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"

ROUNDS=${CHIBO_CRASH_ROUNDS:-25}
RANDOM=${CHIBO_CRASH_SEED:-20261121}
LINES=4000

python3 - "$T/ops.jsonl" "$LINES" <<'PY'
import json, sys
path, n = sys.argv[1], int(sys.argv[2])
sur = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
giv = ["Hợp", "Hùng", "Lan", "Hương", "Tuấn", "Quyền", "Thảo", "Cường"]
with open(path, "w") as f:
    f.write(json.dumps({"op": "cell.create", "code": "01", "name": "Chi bộ thôn Đông", "kind": "residential"}, ensure_ascii=False) + "\n")
    for i in range(1, n):
        f.write(json.dumps({"op": "member.add",
            "full_name": f"{sur[i % 8]} Văn {giv[(i // 8) % 8]}",
            "birth_date": f"{1950 + i % 40}-0{1 + i % 9}-1{i % 9}",
            "sex": "male", "card_no": f"C{i:06d}",
            "admitted_on": "2010-01-01", "cell": "01"}, ensure_ascii=False) + "\n")
PY

for round in $(seq 1 "$ROUNDS"); do
	R="$T/r$round"
	agent -R "$R" init --code 26734 --name "Đảng bộ xã Quế Nham" >/dev/null
	# the binary itself in the background, so that $! is its pid
	"$CHIBO_AGENT" -R "$R" apply --batch $((RANDOM % 200 + 1)) \
		"$T/ops.jsonl" > "$T/out" 2>"$T/err" &
	pid=$!
	# kill somewhere in the first ~0.4 s: before, during and after commits
	sleep "0.$(printf '%03d' $((RANDOM % 400)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	saved=$(sed -n 's/^saved through line \([0-9]*\) .*/\1/p' "$T/out" | tail -1)
	saved=${saved:-0}
	integrity=$(sqlite3 "$R/replica.db" 'PRAGMA integrity_check')
	[ "$integrity" = ok ] && ok || bad "round $round: integrity_check: $integrity"
	if out=$(agent -R "$R" verify 2>&1); then ok
	else bad "round $round: verify failed after kill: $out"; fi
	# every member on a line up to $saved is present (line L has card L-1)
	if [ "$saved" -gt 1 ]; then
		want=$((saved - 1))
		have=$(sqlite3 "$R/replica.db" "SELECT count(*) FROM members WHERE card_no <= 'C$(printf '%06d' "$want")'")
		[ "$have" -ge "$want" ] && ok || bad "round $round: reported $want saved members, found $have"
	else
		ok
	fi
	rm -rf "$R"
done
finish

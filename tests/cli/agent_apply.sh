#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_apply.sh — 'apply': JSON operations one per line. A bad line is
# reported with its number and writes nothing; good lines are saved; with
# --atomic one bad line writes nothing at all.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"

agent init --code 26734 --name "Đảng bộ xã Quế Nham" >/dev/null
cat > "$T/ops.jsonl" <<'JSON'
# cells and members of a commune
{"op": "cell.create", "code": "01", "name": "Chi bộ thôn Đông", "kind": "residential"}
{"op": "member.add", "full_name": "Lê Văn An", "birth_date": "1970-01-01", "sex": "male", "card_no": "111", "admitted_on": "1995-01-01", "official_on": "1996-01-01", "cell": "01"}

{"op": "member.add", "full_name": "Lê Văn Sai", "birth_date": "1970-02-30", "sex": "male", "admitted_on": "1995-01-01", "cell": "01"}
{"op": "member.add", "full_name": "Phạm Thị Bình", "birth_date": "1972-01-01", "sex": "female", "card_no": "222", "admitted_on": "1998-01-01", "cell": "01"}
not json at all
{"op": "no.such.op"}
{"op": "rating.record", "subject_kind": "member", "subject": "card:111", "period": "2025", "level": "good", "stage": "self"}
{"op": "meeting.record", "cell": "01", "date": "2026-10-01", "kind": "regular", "duration_min": 90, "attendance": {"card:111": "present", "card:222": "excused"}}
{"op": "member.add", "full_name": "Trùng Thẻ", "birth_date": "1972-01-01", "sex": "female", "card_no": "222", "admitted_on": "1998-01-01", "cell": "01"}
JSON
before=$(entry_count)
err=$(agent apply "$T/ops.jsonl" 2>&1 >"$T/out"); rc=$?
expect_eq "apply with bad lines exits 1" 1 "$rc"
expect_match "bad date reported with its line" "^chibo-agent: error: line 5: .*date '1970-02-30' does not exist" "$err"
expect_match "bad JSON reported with its line" "line 7: not JSON" "$err"
expect_match "unknown op reported" "line 8: unknown op 'no.such.op'" "$err"
expect_match "duplicate card reported" "line 11: .*party card number 222 already belongs" "$err"
expect_eq "exactly the good lines were saved" "$((before + 5))" "$(entry_count)"
expect_match "summary" "applied 5 operations, refused 4" "$(cat "$T/out")"
expect_match "saved-through report" "saved through line 11 \(entry 6\)" "$(cat "$T/out")"
expect_ok "verify after apply" agent verify

# --atomic: one bad line, nothing written
n=$(entry_count)
printf '%s\n' \
 '{"op": "cell.create", "code": "02", "name": "Chi bộ thôn Tây", "kind": "residential"}' \
 '{"op": "cell.create", "code": "03", "name": "", "kind": "residential"}' \
 > "$T/atomic.jsonl"
err=$(agent apply --atomic "$T/atomic.jsonl" 2>&1); rc=$?
expect_eq "atomic apply exits 1" 1 "$rc"
expect_match "atomic names the line" "line 2: .*name" "$err"
expect_match "atomic says nothing was written" "nothing was written" "$err"
expect_eq "atomic wrote nothing" "$n" "$(entry_count)"
# stdin, and a good atomic file
printf '%s\n' \
 '{"op": "cell.create", "code": "02", "name": "Chi bộ thôn Tây", "kind": "residential"}' |
	agent apply --atomic - >/dev/null
expect_eq "atomic from stdin" "$((n + 1))" "$(entry_count)"
# hostile input: a huge line, invalid UTF-8, an entry-sized body
head -c 300000 /dev/zero | tr '\0' 'a' > "$T/huge.jsonl"
expect_fail "a huge line" "longer than" agent apply "$T/huge.jsonl"
printf '{"op": "cell.create", "code": "04", "name": "\xff", "kind": "other"}\n' > "$T/bad.jsonl"
expect_fail "invalid UTF-8" "line 1: not valid UTF-8" agent apply "$T/bad.jsonl"
python3 -c 'import json; print(json.dumps({"op": "meeting.record", "cell": "01", "date": "2026-10-02", "kind": "regular", "duration_min": 90, "attendance": {"card:111": "present"}, "content": "x" * 15000, "resolutions": "y" * 15000}) + "\n" + json.dumps({"op": "meeting.record", "cell": "01", "date": "2026-10-02", "kind": "regular", "duration_min": 90, "attendance": {"card:111": "present"}, "content": "x" * 16001}))' > "$T/big.jsonl"
err=$(agent apply "$T/big.jsonl" 2>&1 >/dev/null)
expect_match "an over-long field is refused" "line 2: .*field 'content' must be text of at most 16000 bytes" "$err"
# The batch signs entry n+1 while n is projected, assuming n is accepted.
# Refusals at projection (duplicate cards) between good lines force entries
# to be signed again on the right prev: the chain must still verify, and
# exactly the good lines be saved.
python3 - "$T/mixed.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(300):
        card = "D%04d" % (i - 1 if i and i % 3 == 0 else i)  # every 3rd repeats
        f.write(json.dumps({"op": "member.add", "full_name": "Ngô Văn %d" % i,
            "birth_date": "1980-01-01", "sex": "male", "card_no": card,
            "admitted_on": "2005-01-01", "cell": "01"}, ensure_ascii=False) + "\n")
PY
n=$(entry_count)
err=$(agent apply --batch 7 "$T/mixed.jsonl" 2>&1 >/dev/null)
refused=$(printf '%s\n' "$err" | grep -c "already belongs")
expect_eq "duplicates refused at projection" 99 "$refused"
expect_eq "the other lines saved" "$((n + 300 - 99))" "$(entry_count)"
expect_ok "the chain verifies after re-signing" agent verify
seqs=$(sqlite3 "$CHIBO_REPLICA/replica.db" "SELECT count(*) = max(seq) FROM entries")
expect_eq "seqs are 1..n without gaps" 1 "$seqs"
# The same on one CPU: the signer must then sign on the caller's thread.
if command -v taskset >/dev/null; then
	R1="$T/one-cpu"
	agent -R "$R1" init --code 26734 --name "Đảng bộ xã Quế Nham" >/dev/null
	agent -R "$R1" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
	taskset -c 0 "$CHIBO_AGENT" -R "$R1" apply "$T/mixed.jsonl" >/dev/null 2>&1
	expect_eq "one CPU: the good lines saved" 203 "$(entry_count "$R1")"
	expect_ok "one CPU: the chain verifies" agent -R "$R1" verify
fi
expect_ok "verify at the end" agent verify
finish

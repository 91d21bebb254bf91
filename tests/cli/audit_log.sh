#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# audit_log.sh — the hub's verifiable log and chibo-audit, against a real
# hub and real agents. Agents check the hub's signed checkpoints on every
# sync (a consistency proof from the one they hold, inclusion proofs of
# their own entries); an auditor verifies the whole log over HTTPS and
# from a copy of hub.db, prints a member's transfer history with proofs,
# and writes a proof file that checks offline. Then the attacks, each
# caught with its own message: the hub drops an entry; rewrites an old
# one; serves another history (a split view) to an agent and to the
# auditor; a checkpoint under a key that is not the hub's (to the auditor
# and to an agent); an author's forked chain; an entry outside its
# author's subtree that a compromised hub accepted and re-signed. And the log's endpoints refuse malformed,
# out-of-range and out-of-role requests with a JSON error.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"
: "${CHIBO_FORGE:?CHIBO_FORGE must name the forge test tool}"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub

audit() { "$CHIBO_AUDIT_BIN" --dir "$T/aud" "$@"; }
A() { agent -R "$T/a" "$@"; }
B() { agent -R "$T/b" "$@"; }
KA=$(commune a 07297)
commune b 07298 >/dev/null
commune c 07299 >/dev/null
out=$(audit init)
AK=$(printf '%s\n' "$out" | sed -n 's/^auditor key: //p')
# the enrol command init prints works as printed, once ORG is filled in
enrol=$(printf '%s\n' "$out" | sed -n 's/^have the district enrol it: chibo-hub //p')
expect_match "init prints the enrol command" "^enroll $AK --org ORG --role auditor$" "$enrol"
expect_ok "and that command enrols the auditor" hub ${enrol/ORG/BG.LG}

A cell create --code 01 --name "Chi bộ thôn Đại Giáp" --kind residential >/dev/null
B cell create --code 01 --name "Chi bộ thôn Tân Lập" --kind residential >/dev/null
A member add --name "Dương Đăng Quyền" --birth 1972-04-12 --sex male --card m1 \
	--admitted 1998-05-19 --official 1999-05-19 --cell 01 >/dev/null
A member add --name "Nguyễn Thị Hằng" --birth 1985-01-01 --sex female --card m2 \
	--admitted 2010-01-01 --official 2011-01-01 --cell 01 >/dev/null
expect_ok "a syncs and checks the hub's first checkpoint" A sync
expect_eq "a keeps the hub's checkpoint" "chibo/hub/BG.LG" \
	"$(sqlite3 "$T/a/replica.db" "SELECT value FROM meta WHERE key = 'log_checkpoint'" | head -1)"
expect_eq "and has its entries proven included" 4 \
	"$(sqlite3 "$T/a/replica.db" "SELECT value FROM meta WHERE key = 'log_proven_seq'")"
expect_match "status says so" "log checked: .* entries up to 4 proven" "$(A status)"
A member release card:m1 --to 07298 --letter "125-GGT/ĐU" \
	--letter-date 2026-11-01 --on 2026-11-02 --reason "chuyển công tác" >/dev/null
expect_ok "a syncs again: the hub's new checkpoint extends the old" A sync
expect_ok "b syncs" B sync
rel=$(sqlite3 "$T/b/replica.db" "SELECT release FROM transfers")
expect_ok "b accepts" B member accept "${rel:0:12}" --cell 01 --reported-on 2026-11-10
expect_ok "b syncs" B sync
expect_ok "a syncs" A sync
expect_eq "the hub's checkpoints cover its whole log" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT max(lsn) FROM entries")" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT max(size) FROM checkpoints")"

# the auditor, over HTTPS and from a copy
out=$(audit verify --hub "$URL" --pin "$PIN"); rc=$?
expect_eq "the audit of the hub passes" 0 "$rc"
expect_match "and says so" "audit passed" "$out"
expect_match "the entries give the signed root" "the entries give this root" "$out"
expect_match "it is kept in the auditor's state" "chibo/hub/BG.LG" \
	"$(cat "$T/aud/checkpoints.json")"
fresh() {
	rm -f "$T/x.db"*
	if [ -f "$T/hub/database" ]; then # a hub on PostgreSQL (pglib.sh)
		hub backup --plain "$T/x.db" >/dev/null
		return
	fi
	sqlite3 "$T/hub/hub.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
	cp "$T/hub/hub.db" "$T/x.db"
}
fresh
expect_ok "the audit of a copy of hub.db passes" audit verify --db "$T/x.db"
json=$(audit verify --db "$T/hub/hub.db" --json)
expect_match "--json gives the counts" '"ok": true' "$json"
# each field of the checkpoint holds what its name says
jfield() { python3 -c 'import json, sys; o = json.load(sys.stdin)
for k in sys.argv[1].split("."): o = o[int(k)] if isinstance(o, list) else o[k]
print(o)' "$1"; }
expect_eq "--json: checkpoint.key is the hub's key" "$HK" \
	"$(printf '%s' "$json" | jfield checkpoint.key)"
expect_eq "--json: checkpoint.root is the signed root" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT lower(hex(root)) FROM checkpoints ORDER BY size DESC LIMIT 1")" \
	"$(printf '%s' "$json" | jfield checkpoint.root)"
expect_eq "--json: checkpoint.size is the signed size" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT max(size) FROM checkpoints")" \
	"$(printf '%s' "$json" | jfield checkpoint.size)"
expect_fail "an auditor's command needs one source" "give one of" \
	audit verify

hist=$(audit history m1 --db "$T/hub/hub.db")
expect_match "history: the member was added" "member.add .*by 07297" "$hist"
expect_match "history: released with its letter" "member.release.*letter_no=125-GGT/ĐU" "$hist"
expect_match "history: accepted by the receiver" "member.accept .*by 07298" "$hist"
expect_match "history: every entry proven included" "included: proven" "$hist"
expect_eq "history lists add, release, accept" 3 \
	"$(printf '%s\n' "$hist" | grep -c '^  leaf ')"
m1=$(sqlite3 "$T/hub/hub.db" "SELECT lower(hex(id)) FROM members WHERE card_no = 'm1'")
expect_eq "history by an id prefix is the same" "$hist" \
	"$(audit history "${m1:0:10}" --db "$T/hub/hub.db")"
hj=$(audit history m1 --db "$T/hub/hub.db" --json)
expect_match "history --json" '"op": "member.accept"' "$hj"
expect_eq "history --json: the first item's author is a's key" "$KA" \
	"$(printf '%s' "$hj" | jfield entries.0.author)"
expect_eq "history --json: its id is the member.add entry's id" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT lower(hex(id)) FROM entries WHERE op = 'member.add' ORDER BY lsn LIMIT 1")" \
	"$(printf '%s' "$hj" | jfield entries.0.id)"

# a member as the agent takes it, card:NUMBER; days and times in UTC+7
expect_eq "history by card:NUMBER is the same" "$hist" \
	"$(audit history card:m1 --db "$T/hub/hub.db")"
expect_fail "card: names a card number only" "no member 'card:${m1:0:10}'" \
	audit history "card:${m1:0:10}" --db "$T/hub/hub.db"
want=$(sqlite3 "$T/hub/hub.db" "SELECT hex(bytes) FROM entries WHERE op = 'member.add' ORDER BY lsn LIMIT 1" |
	python3 -c '
import sys, datetime
b = bytes.fromhex(sys.stdin.read().strip())
ms = int.from_bytes(b[44:52], "big")
t = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone(datetime.timedelta(hours=7)))
print(t.strftime("%Y-%m-%d"), t.strftime("%Y-%m-%dT%H:%M:%S+07:00"))')
expect_eq "history --json: recorded is the day in UTC+7, recorded_at ISO with +07:00" "$want" \
	"$(printf '%s' "$hj" | jfield entries.0.recorded) $(printf '%s' "$hj" | jfield entries.0.recorded_at)"
expect_eq "…the time the agent's log shows for that entry" "${want#* }" \
	"$(agent -R "$T/a" log --op member.add --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["time"])')"

id=$(sqlite3 "$T/hub/hub.db" "SELECT lower(hex(id)) FROM entries WHERE op = 'member.release'")
expect_ok "a proof file for the release" \
	audit proof "$id" --db "$T/hub/hub.db" --out "$T/release.proof"
out=$(audit check-proof "$T/release.proof"); rc=$?
expect_eq "it checks offline" 0 "$rc"
expect_match "naming the entry and the log" "proof holds: .*member.release.*chibo/hub/BG.LG" "$out"
sed 's/"index": [0-9]*/"index": 0/' "$T/release.proof" > "$T/bad.proof"
out=$(audit check-proof "$T/bad.proof"); rc=$?
expect_eq "a proof with another index fails" 1 "$rc"
expect_match "precisely" "not at leaf 0 of the log" "$out"
python3 - "$T/release.proof" "$T/bad2.proof" <<'EOF'
import json, sys, base64
p = json.load(open(sys.argv[1]))
b = bytearray(base64.b64decode(p["entry"]))
b[-70] ^= 1
p["entry"] = base64.b64encode(bytes(b)).decode()
json.dump(p, open(sys.argv[2], "w"))
EOF
out=$(audit check-proof "$T/bad2.proof"); rc=$?
expect_eq "a proof of a changed entry fails" 1 "$rc"
expect_match "on its signature" "FAULT: .*signature" "$out"
expect_fail "check-proof of a file that is not one" "not a proof file" \
	audit check-proof /etc/hostname

# the log's endpoints refuse bad requests, each with a JSON error
sign() { "$CHIBO_FORGE" request "$T/a" "$1" "127.0.0.1:$PORT" "$2" "$3"; }
send() {
	curl -s -k --pinnedpubkey "$PIN" -o "$T/r" -w '%{http_code}' -X "$1" \
		-H @"$4" -H 'Content-Type: application/json' \
		--data-binary @"$3" "$URL$2"
}
refused() { # DESC STATUS PATTERN PATH BODY
	printf '%s' "$5" > "$T/q"
	sign POST "$4" "$T/q" > "$T/h"
	expect_eq "$1: $2" "$2" "$(send POST "$4" "$T/q" "$T/h")"
	expect_match "$1: named" "\"error\":\".*$3" "$(cat "$T/r")"
}
refused "a checkpoint request with a stray member" 400 "from" /v1/checkpoint '{"from":1,"x":2}'
refused "a checkpoint request that is not JSON" 400 "from" /v1/checkpoint '{"from":'
refused "a checkpoint from a size past the log" 409 "latest is of size" /v1/checkpoint '{"from":999999}'
refused "a proof request without ids" 400 "ids" /v1/proof '{"size":3}'
refused "a proof of an id that is not hex" 400 "hex" /v1/proof '{"size":3,"ids":["zz"]}'
refused "a proof of an entry the log lacks" 404 "not in this hub" /v1/proof \
	"{\"size\":3,\"ids\":[\"$(printf '%064d' 0)\"]}"
refused "a proof at a size past the log" 404 "entries, not" /v1/proof \
	"{\"size\":999999,\"ids\":[\"$(printf '%064d' 0)\"]}"
refused "the log by index, for a commune's key" 403 "auditors" /v1/entries '{"start":0}'
refused "the log by index, with a negative start" 400 "start" /v1/entries '{"start":-1}'
python3 - "$T/release.proof" "$T/bad3.proof" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["path"] = ["not a hash"] + p["path"][1:]
json.dump(p, open(sys.argv[2], "w"))
PY
expect_fail "a proof file whose path is not hashes" "its path is not a list" \
	audit check-proof "$T/bad3.proof"

# --- attacks on a copy of the hub's database -------------------------------
# each against a copy of the auditor's state, which has seen the real log
xaudit() {
	rm -rf "$T/audx"
	cp -r "$T/aud" "$T/audx"
	"$CHIBO_AUDIT_BIN" --dir "$T/audx" "$@"
}
fresh
sqlite3 "$T/x.db" "DELETE FROM entries WHERE lsn = (SELECT min(lsn) FROM entries WHERE op = 'member.add')"
out=$(xaudit verify --db "$T/x.db"); rc=$?
expect_eq "the hub drops an entry: the audit fails" 1 "$rc"
expect_match "the author's chain has a hole" "entries 3\.\.3 are missing" "$out"
expect_match "the signed root does not match" "the hub signed a log of" "$out"
fresh
entry_rewrite "$T/x.db" "WHERE op = 'member.add' ORDER BY lsn LIMIT 1" \
	Quyền Quyến
out=$(xaudit verify --db "$T/x.db"); rc=$?
expect_eq "the hub rewrites an old entry: the audit fails" 1 "$rc"
expect_match "its signature no longer verifies" "signature does not verify \(rewritten\)" "$out"
fresh
sqlite3 "$T/x.db" "DELETE FROM entries WHERE lsn = (SELECT min(lsn) FROM entries WHERE op = 'member.add')"
mkdir -p "$T/evil" && cp "$T/x.db" "$T/evil/hub.db" && cp "$T/hub/hub.key" "$T/evil/"
expect_ok "a compromised hub re-signs the log without the entry" \
	"$CHIBO_FORGE" resign "$T/evil"
out=$(xaudit verify --db "$T/evil/hub.db"); rc=$?
expect_eq "the audit still fails" 1 "$rc"
expect_match "the chain gap stays" "entries 3\.\.3 are missing" "$out"
expect_match "and the log is not the one seen before" "shrank|not the one it signed before" "$out"
out=$(xaudit verify --db "$T/x.db" --hub-key "$AK"); rc=$?
expect_eq "a checkpoint under a key that is not the hub's fails" 1 "$rc"
expect_match "it names the key" "not signed by the hub key" "$out"

# an entry outside its author's subtree, accepted by a compromised hub
cp -r "$T/a" "$T/a3"
"$CHIBO_FORGE" append "$T/a3" cell.create \
	'{"code":"07298.77","name":"Chi bộ giả","kind":"residential"}' >/dev/null
# and a member added to another commune's cell; and b's key changing a's
# member m2, whom no other entry names (the audit sets its member.add aside
# until the forgery names it)
"$CHIBO_FORGE" append "$T/a3" member.add \
	'{"full_name":"Lê Văn Giả","birth_date":"1980-01-01","sex":"male","card_no":"m9","admitted_on":"2005-01-01","official_on":"2006-01-01","status":"official","cell":"07298.01"}' >/dev/null
m2=$(sqlite3 "$T/hub/hub.db" "SELECT lower(hex(id)) FROM entries WHERE op = 'member.add' AND instr(bytes, CAST('\"card_no\":\"m2\"' AS BLOB)) > 0")
cp -r "$T/b" "$T/b3"
"$CHIBO_FORGE" append "$T/b3" member.update \
	"{\"member\":\"$m2\",\"work_category\":\"other\"}" >/dev/null
# and an acceptance by a's key of a release from b to c, placed before the
# release in the log: it waits for it, and is judged only when it comes
m1=$(sqlite3 "$T/hub/hub.db" "SELECT lower(hex(id)) FROM entries WHERE op = 'member.add' AND instr(bytes, CAST('\"card_no\":\"m1\"' AS BLOB)) > 0")
"$CHIBO_FORGE" append "$T/b3" member.release \
	"{\"member\":\"$m1\",\"to_org\":\"07299\",\"letter_no\":\"9-GGT\",\"letter_date\":\"2026-11-12\",\"on\":\"2026-11-12\"}" >/dev/null
rel3=$(sqlite3 "$T/b3/replica.db" "SELECT lower(hex(id)) FROM entries WHERE op = 'member.release' AND reason = 'forged'")
"$CHIBO_FORGE" append "$T/a3" member.accept \
	"{\"release\":\"$rel3\",\"cell\":\"07297.01\",\"reported_on\":\"2026-11-13\"}" >/dev/null
fresh
rm -rf "$T/evil" && mkdir -p "$T/evil" && cp "$T/x.db" "$T/evil/hub.db" && cp "$T/hub/hub.key" "$T/evil/"
for r in a3 b3; do
	sqlite3 "$T/evil/hub.db" "ATTACH '$T/$r/replica.db' AS r; INSERT INTO entries (id, author, seq, op, time_ms, bytes, state) SELECT id, author, seq, op, time_ms, bytes, 'applied' FROM r.entries WHERE reason = 'forged' ORDER BY seq"
done
"$CHIBO_FORGE" resign "$T/evil" >/dev/null
for how in "" --full-replay; do
	out=$(xaudit verify --db "$T/evil/hub.db" $how); rc=$?
	expect_eq "entries outside their authors' subtrees fail the audit ${how:-(lazy)}" 1 "$rc"
	expect_match "precisely ${how:-(lazy)}" "cell.create\) writes outside what its key may write: '07298' belongs to another" "$out"
	expect_match "a member added to another's cell ${how:-(lazy)}" "member.add\) writes outside what its key may write: '07298.01' belongs to another" "$out"
	expect_match "another's member changed ${how:-(lazy)}" "member.update\) writes outside what its key may write: member ${m2:0:12} belongs to another" "$out"
	expect_match "an acceptance judged when its release came ${how:-(lazy)}" "member.accept\) writes outside what its key may write" "$out"
	expect_match "four of them ${how:-(lazy)}" "outside their key's scope or enrolment: 4" "$out"
done

# bundles: a commune's export, checked by the auditor; one entry removed or
# two swapped (the bundle signed again with the commune's key, as a forger
# who holds it would) is caught
agent -R "$T/a" export --all "$T/a.cbb" >/dev/null
expect_ok "the audit of a commune's bundle passes" audit verify "$T/a.cbb"
"$CHIBO_FORGE" bundle "$T/a/agent.key" "$T/a.cbb" "$T/cut.cbb" drop=2 >/dev/null
out=$(audit verify "$T/cut.cbb" 2>&1); rc=$?
expect_eq "a bundle with an entry removed fails the audit" 1 "$rc"
expect_match "naming the hole" "entries 3\.\.3 are missing" "$out"
"$CHIBO_FORGE" bundle "$T/a/agent.key" "$T/a.cbb" "$T/swap.cbb" swap=2 >/dev/null
out=$(audit verify "$T/swap.cbb" 2>&1); rc=$?
expect_eq "a bundle with two entries swapped fails the audit" 1 "$rc"
expect_match "naming the break" "missing|does not chain|forked" "$out"

# an author forks its chain: a copy of b's replica writes another entry 4
cp -r "$T/b" "$T/b2"
B member add --name "Lê Văn Tám" --birth 1990-02-02 --sex male --card m3 \
	--admitted 2015-01-01 --cell 01 >/dev/null
agent -R "$T/b2" member add --name "Lê Văn Chín" --birth 1990-03-03 --sex male \
	--card m4 --admitted 2015-01-01 --cell 01 >/dev/null
expect_ok "b syncs its entry 4" B sync
agent -R "$T/b2" sync >/dev/null 2>&1
expect_eq "the copy's other entry 4 is refused as a fork" 77 "$?"
out=$(audit verify --hub "$URL" --pin "$PIN"); rc=$?
expect_eq "the fork fails the audit" 1 "$rc"
expect_match "naming the key" "forked its chain: leaf [0-9]+ holds another entry .* at seq 4" "$out"

# a split view: the hub's directory is copied and both copies go on
kill $HUB_PID; wait $HUB_PID 2>/dev/null
hub_clone "$T/hub" "$T/hub2"
run_hub "$T/hub" "127.0.0.1:$PORT"
A member add --name "Phạm Thị Mai" --birth 1991-01-01 --sex female --card m5 \
	--admitted 2016-01-01 --cell 01 >/dev/null
expect_ok "a syncs with the hub" A sync
audit verify --hub "$URL" --pin "$PIN" >/dev/null
serve_hub "$T/hub2"
C() { agent -R "$T/c" "$@"; }
C cell create --code 01 --name "Chi bộ thôn Hạ" --kind residential >/dev/null
expect_ok "c syncs with the copy" C sync
err=$(A sync 2>&1 >/dev/null); rc=$?
expect_eq "a, shown another history, stops" 77 "$rc"
expect_match "saying why" "not the one it showed before" "$err"
expect_match "both checkpoints are kept" '"held":.*"served":' \
	"$(sqlite3 "$T/a/replica.db" "SELECT value FROM meta WHERE key = 'log_evidence'")"
err=$(A sync 2>&1 >/dev/null); rc=$?
expect_eq "and stays stopped" 77 "$rc"
expect_match "status shows the evidence" "EVIDENCE: .*changed under this replica" "$(A status)"
out=$(audit verify --hub "$URL" --pin "$PIN"); rc=$?
expect_eq "the auditor, shown the other history, fails it" 1 "$rc"
expect_match "a split view" "not the one it signed before|shrank" "$out"

# the hub signs its checkpoints with a key that is not the hub's: the agent
# refuses them and keeps the one it holds
"$CHIBO_HUB_BIN" --dir "$T/other" init --code BG.LG --name "Giả" >/dev/null
cp "$T/other/hub.key" "$T/hub2/hub.key"
serve_hub "$T/hub2"
held=$(sqlite3 "$T/c/replica.db" "SELECT value FROM meta WHERE key = 'log_checkpoint'")
C cell create --code 02 --name "Chi bộ thôn Thượng" --kind residential >/dev/null
err=$(C sync 2>&1 >/dev/null); rc=$?
expect_eq "c's push is signed under the wrong key: c stops" 77 "$rc"
expect_match "saying why" "checkpoint is not signed by the hub's key" "$err"
expect_eq "c keeps the checkpoint it held" "$held" \
	"$(sqlite3 "$T/c/replica.db" "SELECT value FROM meta WHERE key = 'log_checkpoint'")"
err=$(C sync 2>&1 >/dev/null); rc=$?
expect_eq "and refuses again" 77 "$rc"
finish

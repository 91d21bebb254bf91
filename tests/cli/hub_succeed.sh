#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_succeed.sh — a commune's laptop dies or is stolen in the middle of a
# season (issue 20): its replica is destroyed (rm -rf), the district hands
# the commune to a new key ('chibo-hub succeed', org.succeed), and a new
# laptop restores the commune from the hub ('chibo-agent restore'): every
# member, meeting, rating and transfer in flight is back, the old key's
# entries verify, the new key records and syncs, and a release the old
# key sent and one sent to it are answered. What the stolen key signs
# afterwards is refused, and counted in the hub's status and report sync
# for the district to see, with a warning in its journal. Refusals first: each one line, nothing applied.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub

A() { agent -R "$T/a" "$@"; }
C() { agent -R "$T/c" "$@"; }
N() { agent -R "$T/n" "$@"; }
S() { agent -R "$T/stolen" "$@"; }
hubq() { sqlite3 "$T/hub/hub.db" "$@"; }
old=$(commune a 07297)
commune c 07299 >/dev/null
for r in a c; do
	agent -R "$T/$r" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
done
A cell create --code 02 --name "Chi bộ thôn Tây" --kind residential >/dev/null
add() { # REPLICA CARD NAME [CELL]
	agent -R "$T/$1" member add --name "$3" --birth 1975-02-03 --sex male --card "$2" \
		--admitted 2000-05-19 --official 2001-05-19 --cell "${4:-01}" >/dev/null || bad "add $2"
}
add a a1 "Nguyễn Văn Một"; add a a2 "Trần Thị Hai"; add a a3 "Lê Văn Ba" 02
add c c1 "Vũ Văn Sáu"
A meeting record --cell 01 --date 2025-03-05 --kind regular --duration 120 \
	--present card:a1,card:a2 >/dev/null || bad "meeting"
A rate --member card:a1 --period 2024 --level good --stage decided >/dev/null || bad "rating"
# in flight when the laptop dies: a3 released to Ngọc Thiện, c1 to Quế Nham
A member release card:a3 --to 07299 --letter "3-GGT/ĐU" --letter-date 2025-06-02 \
	--on 2025-06-02 >/dev/null || bad "release a3"
C member release card:c1 --to 07297 --letter "9-GGT/ĐU" --letter-date 2025-06-03 \
	--on 2025-06-03 >/dev/null || bad "release c1"
for r in a c a; do agent -R "$T/$r" sync >/dev/null || bad "sync $r"; done
add a a4 "Phạm Văn Bốn"
A sync >/dev/null || bad "sync a"
held=$(hubq "SELECT count(*) FROM entries WHERE lower(hex(author)) = '$old'")
want_members=$(hubq "SELECT card_no FROM members WHERE org = '07297' ORDER BY card_no" | paste -sd' ')

# the laptop is stolen: the thief has the replica and its key
cp -a "$T/a" "$T/stolen"
rm -rf "$T/a"

# --- a new laptop, before the hub hands the commune over ------------------
out=$(N restore --code 07297) || bad "restore --code"
new=$(printf '%s\n' "$out" | sed -n 's/^public key: //p')
expect_match "the first run prints the new key" "^[0-9a-f]{64}$" "$new"
expect_match "and what to do next" "chibo-hub succeed 07297 --key" "$out"
expect_eq "it signed nothing" 0 "$(sqlite3 "$T/n/replica.db" "SELECT count(*) FROM entries")"
expect_fail "a second --code is refused" "already exists" N restore --code 07297
N hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
expect_fail "an unenrolled key is not served" "not enrolled" N restore

# --- refused, each in one line, nothing applied ------------------------------
count() { hubq "SELECT count(*) FROM entries"; }
before=$(count)
expect_fail "not to a key the hub never enrolled" "key ${new:0:12} is not enrolled: enrol it for '07297' first" \
	hub succeed 07297 --key "$new"
k2=$(agent -R "$T/k2" init --code 07297 --name "x" --parent BG.LG | sed -n 's/^public key: //p')
hub enroll "$k2" --org 07299 --role commune >/dev/null
expect_fail "not to a key enrolled for another commune" "enrolled for '07299' as commune, not for '07297'" \
	hub succeed 07297 --key "$k2"
k3=$(agent -R "$T/k3" init --code 07297 --name "x" --parent BG.LG | sed -n 's/^public key: //p')
hub enroll "$k3" --org 07297 --role commune >/dev/null
hub revoke "$k3" --reason "thử" >/dev/null
expect_fail "not to a revoked key" "key ${k3:0:12} was revoked: a revoked key succeeds no one" \
	hub succeed 07297 --key "$k3"
expect_fail "not to the key that owns it" "owns '07297' already" \
	hub succeed 07297 --key "$old"
expect_fail "not a committee" "only a grassroots organisation's key is succeeded: 'BG.LG' is a committee" \
	hub succeed BG.LG --key "$new"
expect_fail "not an organisation the hub does not hold" "no organisation '07999' in this hub" \
	hub succeed 07999 --key "$new"
expect_fail "the new key is named" "give --key" hub succeed 07297
before=$((before + 3)) # the enrolments and the revocation above
expect_eq "nothing was recorded" "$before" "$(count)"
hub enroll "$new" --org 07297 --role commune --name "Máy mới" >/dev/null
before=$((before + 1))
# a commune's key cannot sign it, even for itself
cthrough=$(sqlite3 "$T/c/replica.db" "SELECT lower(hex(id)) FROM entries ORDER BY lsn DESC LIMIT 1")
expect_fail "not by a commune's key" "only the hub that enrolled its key" \
	C apply - <<<"{\"op\": \"org.succeed\", \"org\": \"07297\", \"key\": \"$new\", \"from\": \"$old\", \"through\": \"$cthrough\", \"through_seq\": 1}"
expect_fail "the new key is not served before the succession" "has not handed '07297' to this key" \
	N restore
expect_eq "nothing was recorded" "$before" "$(count)"
expect_eq "the old key owns it still" "$old" \
	"$(hubq "SELECT lower(hex(owner)) FROM orgs WHERE code = '07297'")"

# Two requests of the old key signed in one second: the first is answered
# now, the second after the succession — refused, and counted still
# (a refusal is recorded apart from the key's last contact).
printf '' > "$T/empty"
for _ in 1 2 3 4 5; do
	"$CHIBO_FORGE" request "$T/stolen" GET "127.0.0.1:$PORT" /v1/status "$T/empty" > "$T/h1"
	"$CHIBO_FORGE" request "$T/stolen" GET "127.0.0.1:$PORT" /v1/status "$T/empty" > "$T/h2"
	[ "$(grep -o 'created=[0-9]*' "$T/h1")" = "$(grep -o 'created=[0-9]*' "$T/h2")" ] && break
done
status_with() { curl -s -k --pinnedpubkey "$PIN" -o /dev/null -w '%{http_code}' -H @"$1" "$URL/v1/status"; }
expect_eq "the old key's status request, before the succession: 200" 200 "$(status_with "$T/h1")"

# --- the succession -----------------------------------------------------------
expect_ok "the district hands Quế Nham to the new key" \
	hub succeed 07297 --key "$new" --reason "máy bị mất trộm"
expect_fail "once" "owns '07297' already" hub succeed 07297 --key "$new"
expect_eq "the new key owns the commune and its cells" "$new $new $new" \
	"$(hubq "SELECT lower(hex(owner)) FROM orgs WHERE code IN ('07297', '07297.01', '07297.02') ORDER BY code" | paste -sd' ')"
expect_eq "the succession covers every entry of the old key the hub held" "$held" \
	"$(hubq "SELECT through_seq FROM successions WHERE old_key = '$old'")"
expect_match "the old key is listed as closed" "revoked" "$(hub list --all | grep "${old:0:12}")"

# --- the new laptop restores the commune ------------------------------------------
out=$(N restore 2>&1); rc=$?
expect_eq "the restore succeeds" 0 "$rc"
expect_match "and says what it holds" "restored '07297'" "$out"
expect_match "the old key's entries included" "old key ${old:0:12}'s $held entries are here" "$out"
expect_eq "every member is back" "$want_members" \
	"$(sqlite3 "$T/n/replica.db" "SELECT card_no FROM members WHERE org = '07297' ORDER BY card_no" | paste -sd' ')"
expect_eq "the meeting" 1 "$(sqlite3 "$T/n/replica.db" "SELECT count(*) FROM meetings WHERE cell = '07297.01'")"
expect_eq "the rating" good "$(sqlite3 "$T/n/replica.db" "SELECT level FROM ratings WHERE stage = 'decided'")"
expect_eq "both transfers in flight" "3-GGT/ĐU 9-GGT/ĐU" \
	"$(sqlite3 "$T/n/replica.db" "SELECT letter_no FROM transfers WHERE state = 'in-transit' ORDER BY letter_no" | paste -sd' ')"
expect_eq "it equals the hub's view of the commune" "$(hub digest --org 07297)" "$(N digest)"
expect_ok "it verifies" N verify
expect_ok "restoring again changes nothing" N restore

# --- the new key records and syncs ---------------------------------------------------
add n a5 "Đỗ Văn Năm" 02
expect_ok "it moves a member the old key added" N member move card:a1 --cell 02 --on 2025-07-15
rel=$(sqlite3 "$T/n/replica.db" "SELECT release FROM transfers WHERE letter_no = '9-GGT/ĐU'")
expect_ok "it accepts the member released to the commune" \
	N member accept "$rel" --cell 01 --reported-on 2025-07-10
expect_ok "it syncs" N sync
C sync >/dev/null || bad "sync c"
rel3=$(sqlite3 "$T/c/replica.db" "SELECT release FROM transfers WHERE letter_no = '3-GGT/ĐU'")
expect_ok "Ngọc Thiện accepts the member the old key released" \
	C member accept "$rel3" --cell 01 --reported-on 2025-07-12
C sync >/dev/null || bad "sync c"
N sync >/dev/null || bad "sync n"
expect_eq "the accepted members are where they went" "a3:07299 c1:07297" \
	"$(hubq "SELECT card_no || ':' || org FROM members WHERE card_no IN ('a3', 'c1') ORDER BY card_no" | paste -sd' ')"
expect_eq "the hub took every new entry of the new key" 0 \
	"$(hubq "SELECT count(*) FROM entries WHERE state <> 'applied' AND lower(hex(author)) = '$new'")"

# --- the stolen laptop ---------------------------------------------------------------------
expect_eq "the old key's request signed in the second of one answered before: 401" 401 "$(status_with "$T/h2")"
expect_match "and counted" "^${old:0:12} .*revoked [0-9-]+; 1 request refused" "$(hub status)"
add stolen a9 "Kẻ Trộm"
expect_fail "the hub refuses what the stolen key signs, and says why" \
	"key ${old:0:12} was succeeded by key ${new:0:12} for '07297'" S sync
expect_eq "nothing of it is stored" "$held" \
	"$(hubq "SELECT count(*) FROM entries WHERE lower(hex(author)) = '$old'")"
# the district sees the stolen key at work: in its status, and in the
# journal as a warning
expect_match "the hub's status counts the refused request" \
	"^${old:0:12} .*revoked [0-9-]+; 2 requests refused" "$(hub status)"
expect_match "and says when, under the table" \
	"key ${old:0:12} of '07297', revoked on [0-9-]+, signed 2 requests since, refused,$" "$(hub status)"
expect_match "when" "^the last at 20[0-9-]+T[0-9:]+\+07:00: whoever holds it still tries to use it$" "$(hub status)"
expect_eq "and its JSON" "2" \
	"$(hub status --json | python3 -c 'import json,sys; print([k["refused_requests"] for k in json.load(sys.stdin)["keys"] if k["key"] == sys.argv[1]][0])' "$old")"
expect_match "so does the sync report" "^${old:0:12} .*2 requests refused" "$(hub report sync)"
expect_match "the hub warns of it" "refused a request signed by revoked key ${old:0:12}: key ${old:0:12} was succeeded" \
	"$(cat "$T/serve.log")"
sleep 1.1
S sync >/dev/null 2>&1
expect_match "a second try counts again" "^${old:0:12} .*3 requests refused" "$(hub status)"
expect_eq "the key that succeeded it has none" "0" \
	"$(hub status --json | python3 -c 'import json,sys; print([k["refused_requests"] for k in json.load(sys.stdin)["keys"] if k["key"] == sys.argv[1]][0])' "$new")"
# a key the hub never enrolled gets no row, however often it signs
commune stranger 07297 - >/dev/null
agent -R "$T/stranger" hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
agent -R "$T/stranger" sync >/dev/null 2>&1
expect_eq "a stranger's refused request is not recorded" 0 \
	"$(hubq "SELECT count(*) FROM contacts WHERE key = '$(agent -R "$T/stranger" status --json | sed -n 's/.*"public_key": "\([0-9a-f]*\)".*/\1/p')'")"
S export "$T/stolen.cbb" >/dev/null 2>&1
expect_fail "nor taken from a file" "was succeeded by key ${new:0:12}" hub import "$T/stolen.cbb"
expect_eq "still nothing" "$held" \
	"$(hubq "SELECT count(*) FROM entries WHERE lower(hex(author)) = '$old'")"

# agreement and audit
expect_eq "the new laptop equals the hub's view" "$(hub digest --org 07297)" "$(N digest)"
expect_eq "Ngọc Thiện equals the hub's view" "$(hub digest --org 07299)" "$(C digest)"
expect_ok "the new laptop verifies" N verify
expect_ok "the hub verifies" hub verify
hub backup --plain "$T/copy.db" >/dev/null
expect_ok "an auditor verifies the log" \
	"$CHIBO_AUDIT_BIN" --dir "$T/aud" verify --db "$T/copy.db"
finish

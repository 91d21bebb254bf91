#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_dissolve.sh — the seed articles' campaign, through a real hub: Quế
# Nham plans to dissolve its 22-member commune-agency cell; the district
# committee's office (a replica begun with office.init, its key enrolled
# with the district role) receives the plan and approves it; Quế Nham
# cannot dissolve the cell while it holds members, moves them to its ten
# village cells, and dissolves it. Every replica then equals the hub's view
# of its scope, and the closed cell leaves the commune's figures.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub

Q() { agent -R "$T/q" "$@"; }
D() { agent -R "$T/d" "$@"; }
commune q 07297 >/dev/null
kd=$(D init --code BG.LG --name "Văn phòng Huyện ủy Lạng Giang" --office |
	sed -n 's/^public key: //p')
hub enroll "$kd" --org BG.LG --role district --name "Văn phòng Huyện ủy" >/dev/null
D hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null

# the commune: its agency cell with 22 members, and ten village cells
{
	echo '{"op": "cell.create", "code": "CA", "name": "Chi bộ cơ quan xã", "kind": "commune-agency"}'
	for v in 01 02 03 04 05 06 07 08 09 10; do
		echo "{\"op\": \"cell.create\", \"code\": \"T$v\", \"name\": \"Chi bộ thôn $v\", \"kind\": \"residential\"}"
	done
	for i in $(seq -w 1 22); do
		echo "{\"op\": \"member.add\", \"full_name\": \"Cán bộ Số $i\", \"birth_date\": \"1980-01-$i\", \"sex\": \"male\", \"card_no\": \"CA$i\", \"admitted_on\": \"2005-05-19\", \"official_on\": \"2006-05-19\", \"cell\": \"CA\"}"
	done
} > "$T/setup.jsonl"
expect_ok "the commune records its cells and members" Q apply --quiet "$T/setup.jsonl"

expect_ok "Quế Nham plans to dissolve the agency cell" \
	Q cell dissolve-plan CA --on 2026-09-01 --reason "Kết luận 21-KL/TW"
plan=$(Q dissolutions --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
expect_fail "it cannot dissolve it before the approval" "not approved" \
	Q cell dissolve "${plan:0:12}" --on 2026-09-02
Q sync >/dev/null || bad "q sync"

# the district office receives the plan with the sync, and approves
D sync >/dev/null || bad "d sync"
expect_match "the office sees the plan" "planned" "$(D dissolutions)"
expect_ok "the office approves it" \
	D cell dissolve-approve "${plan:0:12}" --decision-no "412-QĐ/HU" --on 2026-09-05
expect_fail "once" "already approved" \
	D cell dissolve-approve "${plan:0:12}" --decision-no "413-QĐ/HU" --on 2026-09-06
D sync >/dev/null || bad "d sync"
Q sync >/dev/null || bad "q sync"
expect_match "the commune receives the approval" "approved .*412-QĐ/HU" "$(Q dissolutions)"

expect_fail "a cell with members is not dissolved" "still has 22 members" \
	Q cell dissolve "${plan:0:12}" --on 2026-09-10
# an admission candidate the cell is preparing, with two helpers
expect_ok "the cell has an admission candidate" \
	Q candidate add --name "Hoàng Thị Thu" --birth 1998-03-03 --sex female \
	--national-id 024198000301 --cell CA
cand=$(Q candidates --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
expect_fail "helpers are official members of the organisation" "no member|not an official" \
	Q candidate helpers "${cand:0:12}" --helper card:CA01 --helper2 card:XX99
expect_ok "two helpers" Q candidate helpers "${cand:0:12}" --helper card:CA01 --helper2 card:CA02
# one cadre leaves for Tân Hưng: the cell waits for that transfer too
commune b 07298 >/dev/null
agent -R "$T/b" cell create --code 01 --name "Chi bộ thôn Tân Lập" --kind residential >/dev/null
expect_ok "a cadre of the cell is released to Tân Hưng" \
	Q member release card:CA22 --to 07298 --letter 7 --letter-date 2026-09-12 --on 2026-09-12
# the other 21 to ten village cells: two or three each
for i in $(seq -w 1 21); do
	v=$(printf '%02d' $(( (10#$i - 1) % 10 + 1 )))
	echo "{\"op\": \"member.move\", \"member\": \"card:CA$i\", \"cell\": \"T$v\", \"on\": \"2026-09-15\"}"
done > "$T/moves.jsonl"
expect_ok "its members move to the village cells" Q apply --quiet "$T/moves.jsonl"
expect_fail "not while a transfer out of it is in flight" "in flight" \
	Q cell dissolve "${plan:0:12}" --on 2026-09-20
Q sync >/dev/null; agent -R "$T/b" sync >/dev/null
rel=$(agent -R "$T/b" transfers --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
agent -R "$T/b" member accept "${rel:0:12}" --cell 01 --reported-on 2026-09-16 >/dev/null
agent -R "$T/b" sync >/dev/null; Q sync >/dev/null
expect_fail "nor while it prepares a candidate" "admission candidate" \
	Q cell dissolve "${plan:0:12}" --on 2026-09-20
expect_ok "the candidate moves with the members" Q candidate move "${cand:0:12}" --cell T01
expect_ok "once Tân Hưng has accepted, the cell is dissolved" \
	Q cell dissolve "${plan:0:12}" --on 2026-09-20
expect_ok "the candidate is admitted in the village cell" \
	Q candidate admit "${cand:0:12}" --on 2026-10-01 --card CA23
expect_eq "a probationary member of T01, the candidate's id kept" \
	"probationary|07297.T01" \
	"$(sqlite3 "$T/q/replica.db" "SELECT status, cell FROM members WHERE lower(hex(id)) = '$cand'")"
expect_fail "once" "already admitted" Q candidate admit "${cand:0:12}" --on 2026-10-02
expect_match "closed, its history kept" "^07297.CA .*closed" "$(Q cells | grep CA)"
expect_eq "the village cells hold the other 21 and the new member" "22" \
	"$(sqlite3 "$T/q/replica.db" "SELECT count(*) FROM memberships WHERE cell LIKE '07297.T%' AND until IS NULL")"
expect_match "the congress report counts the ten live cells only" "0/10 cells" \
	"$(Q report congresses --term 2025-2030)"
Q sync >/dev/null || bad "q sync"
D sync >/dev/null || bad "d sync"
expect_eq "the commune equals the hub's view of its scope" \
	"$(hub digest --org 07297)" "$(Q digest)"
expect_eq "the office equals the hub's view of the district" \
	"$(hub digest --org BG.LG)" "$(D digest)"
expect_eq "the hub holds the cell closed" "closed" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT state FROM orgs WHERE code = '07297.CA'")"
for r in q d; do expect_ok "$r verifies" agent -R "$T/$r" verify; done
expect_ok "the hub verifies" hub verify
finish

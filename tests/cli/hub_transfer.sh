#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_transfer.sh — members moving, through a real hub: an internal move
# between two cells of Quế Nham; an official transfer to Tân Hưng, whose
# office syncs later, receives the release with the member's dossier, and
# accepts; a second transfer the receiver declines, the member returning
# to the cell they left. After each round every replica equals the hub's
# view of its scope (digests), and the rules hold on both sides: the
# former owner can no longer change the record, a member in transit
# cannot be released again.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub

commune a 07297 >/dev/null
commune b 07298 >/dev/null
A() { agent -R "$T/a" "$@"; }
B() { agent -R "$T/b" "$@"; }
same() {
	expect_eq "$1: a equals the hub's view of its scope" \
		"$(hub digest --org 07297)" "$(A digest)"
	expect_eq "$1: b equals the hub's view of its scope" \
		"$(hub digest --org 07298)" "$(B digest)"
}

A cell create --code 01 --name "Chi bộ cơ quan xã" --kind commune-agency >/dev/null
A cell create --code 02 --name "Chi bộ thôn Đại Giáp" --kind residential >/dev/null
B cell create --code 01 --name "Chi bộ thôn Tân Lập" --kind residential >/dev/null
A member add --name "Dương Đăng Quyền" --birth 1972-04-12 --sex male --card m1 \
	--admitted 1998-05-19 --official 1999-05-19 --cell 01 >/dev/null
A member add --name "Nguyễn Thị Hằng" --birth 1985-01-01 --sex female --card m2 \
	--admitted 2010-01-01 --official 2011-01-01 --cell 01 >/dev/null
A rate --member card:m1 --period 2025 --level good --score 85 --stage decided >/dev/null

# internal: one entry by the owner
expect_ok "a member moves between two cells of one commune" \
	A member move card:m1 --cell 02 --on 2026-10-01
expect_eq "and is in the new cell" "07297.02" \
	"$(sqlite3 "$T/a/replica.db" "SELECT cell FROM members WHERE card_no = 'm1'")"
expect_fail "not to a cell of another commune" "not in '07297'|no cell" \
	A member move card:m1 --cell 07298.01 --on 2026-10-02

# official: released by a, in transit
expect_ok "a releases the member to Tân Hưng" \
	A member release card:m1 --to 07298 --letter "125-GGT/ĐU" \
	--letter-date 2026-11-01 --on 2026-11-02 --reason "chuyển công tác"
expect_fail "a member in transit is not released again" "in transit" \
	A member release card:m1 --to 07299 --letter 2 --letter-date 2026-11-02 --on 2026-11-02
expect_fail "nor changed by the sender" "in transit" \
	A member update card:m1 --work retired
expect_match "a's transfers list it in transit" "in-transit" "$(A transfers)"
expect_match "a's status counts it" "1 released and in transit" "$(A status)"
A sync >/dev/null || bad "a sync"
expect_eq "after the release: a equals the hub's view of its scope" \
	"$(hub digest --org 07297)" "$(A digest)"

# b syncs days later: the release arrives with the member's dossier
out=$(B sync); rc=$?
expect_eq "b syncs" 0 "$rc"
rel=$(B transfers --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
expect_match "b sees the release addressed to it" "^[0-9a-f]{64}$" "$rel"
expect_eq "b holds the member's dossier: the add, the rating, the move, the release" "4" \
	"$(sqlite3 "$T/b/replica.db" "SELECT count(*) FROM entries e JOIN entry_subjects s ON s.entry = e.id JOIN members m ON m.id = s.member WHERE m.card_no = 'm1'")"
expect_eq "b holds none of a's other members" "0" \
	"$(sqlite3 "$T/b/replica.db" "SELECT count(*) FROM members WHERE card_no = 'm2'")"
expect_fail "an acceptance into a cell of another commune is refused" "belongs to another|not a cell of" \
	B member accept "${rel:0:12}" --cell 07297.01 --reported-on 2026-11-05
expect_ok "b accepts into its cell" \
	B member accept "${rel:0:12}" --cell 01 --reported-on 2026-11-05
expect_fail "a second acceptance is refused" "already accepted" \
	B member accept "${rel:0:12}" --cell 01 --reported-on 2026-11-06
expect_eq "the member is b's now" "07298|07298.01|" \
	"$(sqlite3 "$T/b/replica.db" "SELECT org, cell, coalesce(transit, '') FROM members WHERE card_no = 'm1'")"
expect_ok "b can change the record" B member update card:m1 --work commune-cadre
B sync >/dev/null || bad "b sync"
A sync >/dev/null || bad "a sync"
expect_match "a sees the transfer accepted" "accepted" "$(A transfers --all)"
expect_fail "the former owner cannot change the record" "transferred to '07298'" \
	A member update card:m1 --work retired
same "after the acceptance"
expect_eq "the member's memberships, on b: two cells of a, then b's" \
	"07297.01 07297.02 07298.01" \
	"$(sqlite3 "$T/b/replica.db" "SELECT group_concat(cell, ' ') FROM (SELECT m.cell FROM memberships m JOIN members x ON x.id = m.member WHERE x.card_no = 'm1' ORDER BY m.since)")"

# declined: the member returns to the cell they left
A member release card:m2 --to 07298 --letter 7 --letter-date 2026-11-10 --on 2026-11-10 >/dev/null
A sync >/dev/null; B sync >/dev/null
rel=$(B transfers --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
expect_ok "b declines the second transfer" \
	B member decline "${rel:0:12}" --on 2026-11-12 --reason "không đúng địa bàn"
B sync >/dev/null; A sync >/dev/null
expect_eq "the member is back in a's cell" "07297|07297.01|" \
	"$(sqlite3 "$T/a/replica.db" "SELECT org, cell, coalesce(transit, '') FROM members WHERE card_no = 'm2'")"
expect_ok "and a may change the record again" A member update card:m2 --work retired
A sync >/dev/null || bad "a sync"
expect_eq "the hub applied that change too (it names the decline)" "retired" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT work_category FROM members WHERE card_no = 'm2'")"
same "after the decline"
# deadlines: 30 working days after the letter, then 3 months
expect_ok "a releases the member again" A member release card:m2 --to 07298 --letter 9 --letter-date 2026-11-20 --on 2026-11-20
expect_match "due 30 working days after the letter" "in-transit .*2027-01-04" \
	"$(A transfers --on 2026-12-01)"
expect_match "overdue after that" "overdue" "$(A transfers --on 2027-01-05)"
expect_match "over 3 months: may be struck off" "over 3 months" "$(A transfers --on 2027-02-21)"
for r in a b; do expect_ok "$r verifies" agent -R "$T/$r" verify; done
expect_ok "the hub verifies" hub verify
finish

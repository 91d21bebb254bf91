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
same() { same_scope "$1" a:07297 b:07298; }

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
	"$(sqlite3 "$T/b/replica.db" "SELECT group_concat(cell, ' ') FROM (SELECT m.cell FROM memberships m JOIN members x ON x.mkey = m.member WHERE x.card_no = 'm1' ORDER BY m.since)")"

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

# struck off: the district office marks a release unanswered for 3 months
D() { agent -R "$T/d" "$@"; }
kd=$(D init --code BG.LG --name "Văn phòng Huyện ủy Lạng Giang" --office |
	sed -n 's/^public key: //p')
hub enroll "$kd" --org BG.LG --role district --name "Văn phòng Huyện ủy" >/dev/null
D hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
A member add --name "Lê Văn Ba" --birth 1970-03-03 --sex male --card m3 \
	--admitted 1995-01-01 --official 1996-01-01 --cell 01 >/dev/null
A member release card:m3 --to 07298 --letter 21 --letter-date 2026-07-01 --on 2026-07-01 >/dev/null
A sync >/dev/null; D sync >/dev/null || bad "d sync"
rel=$(D transfers --json | python3 -c 'import json,sys; print([t["id"] for t in json.load(sys.stdin) if t["letter_no"] == "21"][0])')
expect_fail "a commune may not strike off" "only the office|no release" \
	A member strike-off "${rel:0:12}" --decision-no 5 --on 2026-10-05
expect_fail "not before three months have passed" "not over three months old" \
	D member strike-off "${rel:0:12}" --decision-no "52-QĐ/HU" --on 2026-10-01
expect_ok "the office strikes the member off" \
	D member strike-off "${rel:0:12}" --decision-no "52-QĐ/HU" --on 2026-10-05
D sync >/dev/null; A sync >/dev/null; B sync >/dev/null
expect_match "the sender sees it struck off" "struck off" "$(A transfers)"
expect_match "so does the receiver" "struck off" "$(B transfers)"
expect_match "the district report counts it" "1 struck off" \
	"$(hub report transfers --org 07297 --on 2026-11-20)"
same "after the strike-off"

# temporary: a member of b works in a's area for half a year
B member add --name "Vũ Thị Bốn" --birth 1990-04-04 --sex female --card b4 \
	--admitted 2015-01-01 --official 2016-01-01 --cell 01 >/dev/null
expect_fail "a temporary stay lasts three months or more" "three months or more" \
	B member temporary card:b4 --to 07297 --letter 40 --letter-date 2026-10-25 \
	--since 2026-11-01 --until 2026-12-01 --purpose work
expect_ok "b sends her to a for work" \
	B member temporary card:b4 --to 07297 --letter 40 --letter-date 2026-10-25 \
	--since 2026-11-01 --until 2027-05-01 --purpose work
B sync >/dev/null; A sync >/dev/null
tmp=$(sqlite3 "$T/a/replica.db" "SELECT id FROM temporaries")
expect_match "a holds the letter and her record" "^[0-9a-f]{64}\|Vũ Thị Bốn$" \
	"$tmp|$(sqlite3 "$T/a/replica.db" "SELECT full_name FROM members WHERE card_no = 'b4'")"
expect_ok "a lists her in a village cell" \
	A member temporary-accept "${tmp:0:12}" --cell 02 --reported-on 2026-11-03
expect_match "a's cell lists her, as temporary" "Vũ Thị Bốn .* temporary +07297.02" \
	"$(A members --cell 02)"
expect_eq "and b still lists her in her own cell" "official 07298.01" \
	"$(B members --name "vu thi bon" --json | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["status"], r["cell"])')"
expect_ok "she attends its meeting" \
	A meeting record --cell 02 --date 2026-11-10 --kind regular --duration 60 --present card:b4
expect_ok "a ends her stay" A member temporary-end "${tmp:0:12}" --on 2026-11-15
expect_fail "after which she is not in the cell" "was not" \
	A meeting record --cell 02 --date 2026-11-16 --kind regular --duration 60 --present card:b4
A sync >/dev/null; B sync >/dev/null
expect_eq "b holds her temporary stay as a recorded it" "07297.02|2026-11-03|2026-11-15" \
	"$(sqlite3 "$T/b/replica.db" "SELECT cell, since, until FROM memberships WHERE kind = 'temporary'")"
expect_eq "and her official cell is still b's" "07298.01" \
	"$(sqlite3 "$T/b/replica.db" "SELECT cell FROM members WHERE card_no = 'b4'")"
same "after the temporary stay"
for r in a b d; do expect_ok "$r verifies" agent -R "$T/$r" verify; done
expect_ok "the hub verifies" hub verify
finish

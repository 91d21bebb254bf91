#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_merge.sh — communes merged into a new one (2025: 10,035 communes and
# wards became 3,321), through a real hub: Quế Nham and Tân Hưng merge
# into the new commune Ngọc Lý (org.merge, 'chibo-hub merge'). The new
# commune's replica receives both merged communes' whole history at its
# next sync, owns their cells and members from then on, answers a release
# that was addressed to Quế Nham, and takes back a member Quế Nham had
# released and the receiver declined. What Quế Nham's old key signs after
# the merger is refused. Every replica still in use equals the hub's view
# of it, and the hub's log passes the audit.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub

Q() { agent -R "$T/q" "$@"; }
B() { agent -R "$T/b" "$@"; }
C() { agent -R "$T/c" "$@"; }
N() { agent -R "$T/n" "$@"; }
commune q 07297 >/dev/null
commune b 07298 >/dev/null
commune c 07299 >/dev/null
for r in q b c; do
	agent -R "$T/$r" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
	agent -R "$T/$r" cell create --code 02 --name "Chi bộ thôn Tây" --kind residential >/dev/null
done
add() { # REPLICA CARD NAME
	agent -R "$T/$1" member add --name "$3" --birth 1975-02-03 --sex male --card "$2" \
		--admitted 2000-05-19 --official 2001-05-19 --cell 01 >/dev/null || bad "add $2"
}
add q q1 "Nguyễn Văn Một"; add q q2 "Trần Thị Hai"; add q q3 "Lê Văn Ba"
add b b1 "Phạm Văn Bốn"; add b b2 "Hoàng Thị Năm"
add c c1 "Vũ Văn Sáu"
Q meeting record --cell 01 --date 2025-03-05 --kind regular --duration 120 \
	--present card:q1,card:q2 --excused card:q3 >/dev/null || bad "meeting"
Q rate --member card:q1 --period 2024 --level good --stage decided >/dev/null || bad "rating"
# in flight at the merger: Quế Nham released q3 to Ngọc Thiện; Ngọc
# Thiện released c1 to Quế Nham
Q member release card:q3 --to 07299 --letter "3-GGT/ĐU" --letter-date 2025-06-02 \
	--on 2025-06-02 >/dev/null || bad "release q3"
C member release card:c1 --to 07297 --letter "9-GGT/ĐU" --letter-date 2025-06-03 \
	--on 2025-06-03 >/dev/null || bad "release c1"
add c c2 "Đinh Văn Bảy"
C member temporary card:c2 --to 07297 --letter "10-GGT/ĐU" --letter-date 2025-06-04 \
	--since 2025-06-05 --until 2025-12-31 --purpose work >/dev/null || bad "temporary c2"
for r in q b c; do agent -R "$T/$r" sync >/dev/null || bad "sync $r"; done
for r in q b c; do agent -R "$T/$r" sync >/dev/null || bad "sync $r"; done

# the new commune is founded with its own key before the merger
commune n 07400 >/dev/null
N cell create --code 01 --name "Chi bộ thôn Ngọc Lý" --kind residential >/dev/null
N sync >/dev/null || bad "sync n"

# --- refused -------------------------------------------------------------
expect_fail "a commune cannot merge into itself" "into itself" \
	hub merge 07297 --into 07297 --on 2025-07-01 --decision-no 1
expect_fail "nor into a commune that does not exist" "no organisation '07999'" \
	hub merge 07297 --into 07999 --on 2025-07-01 --decision-no 1
expect_fail "a committee does not merge" "only grassroots organisations merge" \
	hub merge 07297 --into BG.LG --on 2025-07-01 --decision-no 1
expect_fail "the decision is named" "decision-no" \
	hub merge 07297 --into 07400 --on 2025-07-01
expect_fail "a date is a date" "date" \
	hub merge 07297 --into 07400 --on 31/06/2025 --decision-no 1

# --- the merger -----------------------------------------------------------
expect_ok "Quế Nham merges into Ngọc Lý" \
	hub merge 07297 --into 07400 --on 2025-07-01 --decision-no "1656/NQ-UBTVQH15"
expect_ok "so does Tân Hưng" \
	hub merge 07298 --into 07400 --on 2025-07-01 --decision-no "1656/NQ-UBTVQH15"
expect_fail "once" "closed" \
	hub merge 07297 --into 07400 --on 2025-07-01 --decision-no 1
expect_eq "the hub: Quế Nham closed, under Ngọc Lý" "closed|07400" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT state, parent FROM orgs WHERE code = '07297'")"
expect_eq "its members are Ngọc Lý's" "07400|07400|07400|07400" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT org FROM members WHERE card_no IN ('q1', 'q2', 'q3', 'b1') ORDER BY card_no" | paste -sd'|')"

# Quế Nham's old laptop, not synced yet, records one more member
expect_ok "the old laptop still records offline" add q q9 "Đỗ Văn Chín"
expect_fail "the hub refuses what the old key signs after the merger, and says why" \
	"'07297' was merged into '07400' on 2025-07-01" Q sync
expect_eq "nothing of it is stored" 9 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT max(seq) FROM entries WHERE author = (SELECT owner FROM orgs WHERE code = '07297')")"

# the new commune receives the merged communes' history
expect_ok "Ngọc Lý syncs" N sync
expect_eq "it holds their members, and those sent to Quế Nham" \
	"b1 b2 c1 c2 q1 q2 q3" \
	"$(sqlite3 "$T/n/replica.db" "SELECT card_no FROM members ORDER BY card_no" | paste -sd' ')"
expect_eq "and their cells" "07297.01 07297.02 07298.01 07298.02 07400.01" \
	"$(sqlite3 "$T/n/replica.db" "SELECT code FROM orgs WHERE level = 'cell' AND parent = '07400' ORDER BY code" | paste -sd' ')"
expect_eq "Quế Nham's meeting" "1" \
	"$(sqlite3 "$T/n/replica.db" "SELECT count(*) FROM meetings WHERE cell = '07297.01'")"
expect_eq "and q1's rating" "good" \
	"$(sqlite3 "$T/n/replica.db" "SELECT level FROM ratings WHERE stage = 'decided'")"
expect_match "its member list" "Nguyễn Văn Một" "$(N members)"
expect_eq "Ngọc Lý equals the hub's view of it" \
	"$(hub digest --org 07400)" "$(N digest)"

# the new commune keeps the records
expect_ok "it moves a member of Quế Nham's cell to its own" \
	N member move card:q1 --cell 07400.01 --on 2025-07-15
expect_ok "records a meeting of Tân Hưng's old cell" \
	N meeting record --cell 07298.01 --date 2025-07-20 --kind regular --duration 90 \
	--present card:b1,card:b2
rel=$(sqlite3 "$T/n/replica.db" "SELECT release FROM transfers WHERE letter_no = '9-GGT/ĐU'")
expect_match "it holds the release addressed to Quế Nham" "^[0-9a-f]{64}$" "$rel"
expect_ok "and accepts it, as Quế Nham's successor" \
	N member accept "$rel" --cell 07400.01 --reported-on 2025-07-10
tmp=$(sqlite3 "$T/n/replica.db" "SELECT id FROM temporaries WHERE letter_no = '10-GGT/ĐU'")
expect_ok "and lists the member sent to Quế Nham for a while" \
	N member temporary-accept "$tmp" --cell 07297.01 --reported-on 2025-07-11
N sync >/dev/null || bad "sync n"
C sync >/dev/null || bad "sync c"
rel3=$(sqlite3 "$T/c/replica.db" "SELECT release FROM transfers WHERE letter_no = '3-GGT/ĐU'")
expect_ok "Ngọc Thiện declines Quế Nham's release" \
	C member decline "$rel3" --on 2025-07-12 --reason "không đủ hồ sơ"
C sync >/dev/null || bad "sync c"
N sync >/dev/null || bad "sync n"
# a member Quế Nham's key recorded, released by Ngọc Lý's: the receiver
# gets the member's whole dossier, the merged key's entries included
expect_ok "Ngọc Lý releases a member Quế Nham had added" \
	N member release card:q2 --to 07299 --letter "20-GGT/ĐU" --letter-date 2025-07-20 \
	--on 2025-07-20
N sync >/dev/null || bad "sync n"
C sync >/dev/null || bad "sync c"
rel4=$(sqlite3 "$T/c/replica.db" "SELECT release FROM transfers WHERE letter_no = '20-GGT/ĐU'")
expect_ok "Ngọc Thiện receives and accepts it" \
	C member accept "$rel4" --cell 07299.01 --reported-on 2025-07-25
expect_eq "with the record Quế Nham's key wrote" "applied" \
	"$(sqlite3 "$T/c/replica.db" "SELECT state FROM entries WHERE id = (SELECT member FROM transfers WHERE release = '$rel4')")"
C sync >/dev/null || bad "sync c"
N sync >/dev/null || bad "sync n"
expect_eq "the declined member is back, Ngọc Lý's" "07400|07297.01" \
	"$(sqlite3 "$T/n/replica.db" "SELECT org, cell FROM members WHERE card_no = 'q3'")"
expect_eq "the accepted one is Ngọc Lý's" "07400|07400.01" \
	"$(sqlite3 "$T/n/replica.db" "SELECT org, cell FROM members WHERE card_no = 'c1'")"
expect_eq "Ngọc Lý's report counts them all but the one it released" 5 \
	"$(N report membership --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["live"])')"

# agreement and audit
expect_eq "Ngọc Lý equals the hub's view of it" "$(hub digest --org 07400)" "$(N digest)"
expect_eq "Ngọc Thiện equals the hub's view of it" "$(hub digest --org 07299)" "$(C digest)"
expect_eq "the district's view is whole" 0 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE state = 'pending'")"
expect_ok "the hub verifies" hub verify
expect_ok "the new commune verifies" N verify
hub backup --plain "$T/copy.db" >/dev/null
expect_ok "an auditor verifies the log" \
	"$CHIBO_AUDIT_BIN" --dir "$T/aud" verify --db "$T/copy.db"
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_abolish.sh — a subtree moves from one hub to another: on 1 July 2025
# the districts were abolished, and a legacy district's communes go under
# their province's hub. Lạng Giang's hub relays its log up a last time;
# the province moves each commune under itself (org.move, 'chibo-hub
# move'); each commune's replica is pointed at the province's hub and
# syncs on from there — its history and signatures kept, its entries that
# never reached the district pushed straight to the province, a transfer
# released before the move answered after it. Then every replica equals
# the province's view of it, and the province's log passes the audit.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"
. "$CHIBO_SOURCE_DIR/tests/lib/fedlib.sh"

mkhub bg BG province "Tỉnh ủy Bắc Giang"
mkhub lg BG.LG district "Huyện ủy Lạng Giang" BG
mkcommune a 07297 lg BG.LG
mkcommune b 07298 lg BG.LG
mkcommune c 07299 bg BG
A() { agent -R "$T/a" "$@"; }
B() { agent -R "$T/b" "$@"; }
C() { agent -R "$T/c" "$@"; }
for r in a b c; do
	agent -R "$T/$r" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
done
A member add --name "Dương Đăng Quyền" --birth 1972-04-12 --sex male --card a1 \
	--admitted 1998-05-19 --official 1999-05-19 --cell 01 >/dev/null
A member add --name "Lý Thị Hoa" --birth 1980-01-02 --sex female --card a2 \
	--admitted 2005-05-19 --official 2006-05-19 --cell 01 >/dev/null
B member add --name "Ngô Văn Tám" --birth 1979-08-08 --sex male --card b1 \
	--admitted 2004-05-19 --official 2005-05-19 --cell 01 >/dev/null
join lg bg BG.LG BG
sync_all a b lg c
A member release card:a1 --to 07299 --letter "41-GGT/ĐU" --letter-date 2025-06-20 \
	--on 2025-06-20 >/dev/null || bad "release"
sync_all a lg

# --- the district is abolished -----------------------------------------
expect_ok "Lạng Giang relays its log a last time" H lg sync
expect_fail "a commune is moved only under a committee" "not a committee" \
	H bg move 07297 --parent 07299 --on 2025-07-01
expect_fail "nor under one the province does not hold" "no committee 'XX'" \
	H bg move 07297 --parent XX --on 2025-07-01
for code in 07297 07298; do
	expect_ok "the province moves $code under itself" \
		H bg move "$code" --parent BG --on 2025-07-01
done
expect_eq "the province holds them under itself" "BG BG" \
	"$(sqlite3 "$T/bg/hub.db" "SELECT parent FROM orgs WHERE code IN ('07297', '07298') ORDER BY code" | paste -sd' ')"
# Quế Nham recorded one more member after the district's last relay
A member add --name "Hà Văn Ba" --birth 1990-03-03 --sex male --card a3 \
	--admitted 2015-05-19 --official 2016-05-19 --cell 01 >/dev/null
for r in a b; do
	expect_ok "$r is pointed at the province's hub" \
		agent -R "$T/$r" hub --url "${URL[bg]}" --pin "${PIN[bg]}" --key "${KEY[bg]}"
	expect_ok "and syncs there" agent -R "$T/$r" sync
done
expect_eq "the member recorded after the last relay reached the province" 1 \
	"$(sqlite3 "$T/bg/hub.db" "SELECT count(*) FROM members WHERE card_no = 'a3'")"
expect_eq "Quế Nham sits under the province in its own replica too" "BG" \
	"$(sqlite3 "$T/a/replica.db" "SELECT parent FROM orgs WHERE code = '07297'")"

# the transfer released before the move is answered after it
sync_all c
rel=$(sqlite3 "$T/c/replica.db" "SELECT release FROM transfers WHERE letter_no = '41-GGT/ĐU'")
expect_ok "Ngọc Thiện accepts the member Quế Nham released" \
	C member accept "$rel" --cell 01 --reported-on 2025-07-05
sync_all c a
expect_match "Quế Nham sees it accepted, through the province" "accepted" "$(A transfers --all)"
expect_ok "Quế Nham records on" \
	A meeting record --cell 01 --date 2025-07-10 --kind regular --duration 90 \
	--present card:a2,card:a3
sync_all a b c

# agreement and audit
for x in a:07297 b:07298 c:07299; do
	r=${x%:*} code=${x#*:}
	expect_eq "$r equals the province's view of it" \
		"$(H bg digest --org "$code")" "$(agent -R "$T/$r" digest)"
	expect_ok "$r verifies" agent -R "$T/$r" verify
done
expect_eq "the province counts their members as its own" 4 \
	"$(H bg report membership --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["live"])')"
expect_eq "nothing pending or rejected at the province" 0 \
	"$(sqlite3 "$T/bg/hub.db" "SELECT count(*) FROM entries WHERE state IN ('pending', 'rejected')")"
expect_ok "the province verifies" H bg verify
H bg backup --plain "$T/bg-copy.db" >/dev/null
expect_ok "an auditor verifies the province's log" \
	"$CHIBO_AUDIT_BIN" --dir "$T/aud" verify --db "$T/bg-copy.db"

# the district's hub is its own store's authority, but the province holds
# it to what it delegated: a move of a commune outside Lạng Giang is
# rejected when relayed
H lg move 07299 --parent BG.LG --on 2025-07-01 >/dev/null
H lg sync >/dev/null 2>&1
expect_match "a district cannot move another district's commune" "rejected\|.*delegated 'BG.LG' only" \
	"$(sqlite3 "$T/bg/hub.db" "SELECT state || '|' || reason FROM entries WHERE op = 'org.move'")"
expect_eq "Ngọc Thiện stays where it was" "BG" \
	"$(sqlite3 "$T/bg/hub.db" "SELECT parent FROM orgs WHERE code = '07299'")"
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_country.sh — one country, three levels, with real hubs and agents:
# the centre's hub over two provinces' (Bắc Giang, Hà Nội); Bắc Giang's
# over a legacy district's (Lạng Giang); a commune under Lạng Giang and a
# ward directly under Hà Nội. The district joins its province before the
# province joins the centre (the chain of authority grows from below: a
# hub.join by an authority chains). A member released by the commune in
# Bắc Giang is accepted by the ward in Hà Nội: up three hubs to the centre
# and down one; a second member released the other way is declined.
# Then every replica and hub on the path agrees on what it holds
# (digests), every hub's log passes the audit, each lower hub's latest
# checkpoint is cosigned by its higher hub, and a quiet round moves
# nothing.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"
. "$CHIBO_SOURCE_DIR/tests/lib/fedlib.sh"

country
up; down
expect_eq "the centre holds both provinces' members" 2 \
	"$(sqlite3 "$T/tw/hub.db" "SELECT count(*) FROM members")"
expect_eq "the commune of Lạng Giang knows the ward of Hà Nội" 1 \
	"$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM orgs WHERE code = '00004'")"
expect_eq "Lạng Giang counts the centre's key an authority (chained)" 1 \
	"$(sqlite3 "$T/lg/hub.db" "SELECT count(*) FROM authorities WHERE key = '${KEY[tw]}'")"
for h in tw bg hn lg; do
	expect_eq "nothing rejected at hub $h" 0 \
		"$(sqlite3 "$T/$h/hub.db" "SELECT count(*) FROM entries WHERE state = 'rejected'")"
done

# Bắc Giang → Hà Nội: accepted
expect_ok "the commune releases a member to the ward in Hà Nội" \
	A member release card:m1 --to 00004 --letter "88-GGT/ĐU" \
	--letter-date 2026-11-01 --on 2026-11-02 --reason "chuyển công tác"
up; down
rel=$(sqlite3 "$T/w/replica.db" "SELECT release FROM transfers WHERE to_org = '00004'")
expect_match "the ward receives the release" "^[0-9a-f]{64}$" "$rel"
expect_ok "and accepts it" W member accept "$rel" --cell 01 --reported-on 2026-11-12
# Hà Nội → Bắc Giang: declined
expect_ok "the ward releases a member to the commune in Bắc Giang" \
	W member release card:h1 --to 07297 --letter "12-GGT/ĐU" \
	--letter-date 2026-11-03 --on 2026-11-03 --reason "về quê"
up; down; up; down
rel2=$(sqlite3 "$T/a/replica.db" "SELECT release FROM transfers WHERE to_org = '07297'")
expect_match "the commune receives it" "^[0-9a-f]{64}$" "$rel2"
expect_ok "and declines it" A member decline "$rel2" --on 2026-11-12 --reason "chưa đủ hồ sơ"
up; down
expect_eq "m1 is the ward's at the centre" "00004" \
	"$(sqlite3 "$T/tw/hub.db" "SELECT org FROM members WHERE card_no = 'm1'")"
expect_eq "and at Hà Nội" "00004" \
	"$(sqlite3 "$T/hn/hub.db" "SELECT org FROM members WHERE card_no = 'm1'")"
expect_eq "h1 is back with the ward, at the centre" "00004" \
	"$(sqlite3 "$T/tw/hub.db" "SELECT org FROM members WHERE card_no = 'h1'")"
expect_match "the commune sees its release accepted" "accepted" "$(A transfers --all)"
expect_match "the ward sees its release declined" "declined" "$(W transfers --all)"

# Hà Nội → Bắc Giang in July, never answered: overdue after 30 working
# days and over three months at the receiver and at the centre, then
# struck off by the sending city's committee office — across hubs
W member add --name "Trần Văn Ba" --birth 1980-06-01 --sex male --card h2 \
	--admitted 2010-01-01 --official 2011-01-01 --cell 01 >/dev/null
expect_ok "the ward releases another member to the commune, in July" \
	W member release card:h2 --to 07297 --letter "05-GGT/ĐU" \
	--letter-date 2026-07-01 --on 2026-07-01 --reason "về quê"
k=$(agent -R "$T/ho" init --code HN --name "Văn phòng Thành ủy Hà Nội" --office |
	sed -n 's/^public key: //p')
H hn enroll "$k" --org HN --role district >/dev/null || bad "enrol the office"
agent -R "$T/ho" hub --url "${URL[hn]}" --pin "${PIN[hn]}" --key "${KEY[hn]}" >/dev/null
O() { agent -R "$T/ho" "$@"; }
up; down; sync_all ho
rel3=$(sqlite3 "$T/a/replica.db" "SELECT release FROM transfers WHERE letter_no = '05-GGT/ĐU'")
expect_match "the commune in Bắc Giang holds the July release" "^[0-9a-f]{64}$" "$rel3"
expect_match "overdue there after 30 working days (due 12 August)" \
	"overdue +2026-07-01 +05-GGT/ĐU +2026-08-12" "$(A transfers --on 2026-08-13)"
expect_match "over three months by October" "over 3 months +2026-07-01 +05-GGT/ĐU" \
	"$(A transfers --on 2026-10-02)"
expect_match "the centre counts it overdue, over 3 months" \
	"05-GGT/ĐU .* yes" "$(H tw report transfers --overdue --on 2026-10-02)"
expect_fail "the office cannot strike off before three months" "not over three months old" \
	O member strike-off "$rel3" --decision-no "98-QĐ/TU" --on 2026-09-30
expect_fail "nor can Bắc Giang's commune (not the sender's committee)" "only the office of a committee above" \
	A member strike-off "$rel3" --decision-no "1" --on 2026-10-05
expect_ok "the sending city's office strikes the member off" \
	O member strike-off "$rel3" --decision-no "99-QĐ/TU" --on 2026-10-05
sync_all ho; up; down; up; down
expect_match "the receiver sees it struck off" "struck off +2026-07-01 +05-GGT/ĐU" "$(A transfers --all)"
expect_eq "so does the centre" "99-QĐ/TU" \
	"$(sqlite3 "$T/tw/hub.db" "SELECT struck_no FROM transfers WHERE release = '$rel3'")"
expect_eq "and Lạng Giang" "99-QĐ/TU" \
	"$(sqlite3 "$T/lg/hub.db" "SELECT struck_no FROM transfers WHERE release = '$rel3'")"
expect_eq "the office equals Hà Nội's view of the city" \
	"$(H hn digest --org HN)" "$(O digest)"

# agreement on every path
expect_eq "a: as Lạng Giang holds it" "$(H lg digest --org 07297)" "$(A digest)"
expect_eq "w: as Hà Nội holds it" "$(H hn digest --org 00004)" "$(W digest)"
expect_eq "Bắc Giang and Lạng Giang agree on Lạng Giang" \
	"$(H bg digest --org BG.LG)" "$(H lg digest --org BG.LG)"
expect_eq "the centre and Bắc Giang agree on Lạng Giang" \
	"$(H tw digest --org BG.LG)" "$(H bg digest --org BG.LG)"
expect_eq "the centre and Hà Nội agree on Hà Nội" \
	"$(H tw digest --org HN)" "$(H hn digest --org HN)"
for h in tw bg hn lg; do
	expect_eq "nothing rejected at hub $h" 0 \
		"$(sqlite3 "$T/$h/hub.db" "SELECT count(*) FROM entries WHERE state = 'rejected'")"
	expect_ok "hub $h verifies" H $h verify
	H $h backup --plain "$T/$h-copy.db" >/dev/null
	out=$("$CHIBO_AUDIT_BIN" --dir "$T/aud" verify --db "$T/$h-copy.db" 2>&1); rc=$?
	expect_eq "an auditor verifies hub $h's log" 0 "$rc"
	[ "$rc" = 0 ] || echo "$out" | grep FAULT | head -5 >&2
done
for pair in lg:bg bg:tw hn:tw; do
	lo=${pair%:*} hi=${pair#*:}
	expect_eq "$hi cosigned $lo's latest checkpoint" \
		"$(sqlite3 "$T/$lo/hub.db" "SELECT max(size) FROM checkpoints")" \
		"$(sqlite3 "$T/$lo/hub.db" "SELECT value FROM meta WHERE key = 'witness_size'")"
done

# quiet: nothing moves
for h in lg bg hn; do
	out=$(H $h sync 2>&1)
	expect_match "a quiet sync of $h relays nothing" "relayed 0 entries" "$out"
	expect_match "and pulls nothing" "pulled 0 entries" "$out"
done
finish

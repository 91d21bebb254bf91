#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_report.sh — the district's reports from a real hub that real agents
# synced with: Quế Nham dissolves its commune-agency cell (the district
# office approves the plan), moves two cadres to a village cell and
# transfers the third to Tân Hưng, which accepts; Ngọc Thiện releases a
# member in July whom nobody receives. 'chibo-hub report campaign |
# transfers | sync' in CSV (read back with Python's csv module, Vietnamese
# names intact) and JSON, each value worked out by hand below; the table
# aligned by display width; and the agent's reports of its own commune.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub

# commune DIR CODE NAME: a replica enrolled for CODE, pointed at the hub
commune_named() {
	local k
	k=$(agent -R "$T/$1" init --code "$2" --name "$3" --parent BG.LG |
		sed -n 's/^public key: //p')
	hub enroll "$k" --org "$2" --role commune --name "Văn phòng $3" >/dev/null
	agent -R "$T/$1" hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
}
commune_named q 07297 "Đảng bộ xã Quế Nham"
commune_named b 07298 "Đảng bộ xã Tân Hưng"
commune_named c 07299 "Đảng bộ xã Ngọc Thiện"
# enrolled, never synced: its organisation is unknown to the hub
commune_named e 07300 "Đảng bộ xã Cao Thượng"
Q() { agent -R "$T/q" "$@"; }
B() { agent -R "$T/b" "$@"; }
C() { agent -R "$T/c" "$@"; }
D() { agent -R "$T/d" "$@"; }
kd=$(D init --code BG.LG --name "Văn phòng Huyện ủy Lạng Giang" --office |
	sed -n 's/^public key: //p')
hub enroll "$kd" --org BG.LG --role district --name "Văn phòng Huyện ủy" >/dev/null
D hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
quiet() { "$@" >/dev/null || bad "$*"; }

add() { # REPLICA CARD NAME CELL
	agent -R "$T/$1" member add --name "$3" --birth 1975-05-05 --sex male \
		--card "$2" --admitted 2000-01-01 --official 2001-01-01 --cell "$4" >/dev/null ||
		bad "member add $2"
}
for r in q b c; do
	quiet agent -R "$T/$r" cell create --code CA --name "Chi bộ cơ quan xã" --kind commune-agency
done
quiet Q cell create --code 01 --name "Chi bộ thôn Ngọc Trì" --kind residential
quiet B cell create --code 01 --name "Chi bộ thôn Tân Lập" --kind residential
quiet C cell create --code 01 --name "Chi bộ thôn Đông" --kind residential
add q QN-01 "Nguyễn Văn Hợp" CA
add q QN-02 "Dương Đăng Quyền" CA
add q QN-03 "Nguyễn Hữu Văn" CA
add b TH-01 "Lê Thị Hoa" CA
add b TH-02 "Phạm Văn Bình" CA
add c NT-01 "Đỗ Văn Một" CA
add c NT-02 "Bùi Văn Ba" 01
# T2: Friday 17 July, to Quế Nham, never answered
quiet C member release card:NT-02 --to 07297 --letter "07-GGT/ĐU" \
	--letter-date 2026-07-17 --on 2026-07-17
for r in q b c d; do quiet agent -R "$T/$r" sync; done

# Quế Nham dissolves its agency cell
quiet Q cell dissolve-plan CA --on 2026-09-01
plan=$(Q dissolutions --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
quiet Q sync; quiet D sync
quiet D cell dissolve-approve "${plan:0:12}" --decision-no "412-QĐ/HU" --on 2026-09-05
quiet D sync; quiet Q sync
quiet Q member move card:QN-01 --cell 01 --on 2026-09-10
quiet Q member move card:QN-02 --cell 01 --on 2026-09-10
# T1: the third cadre to Tân Hưng, accepted
quiet Q member release card:QN-03 --to 07298 --letter "12-GGT/ĐU" \
	--letter-date 2026-09-10 --on 2026-09-10
quiet Q sync; quiet B sync
rel=$(B transfers --json | python3 -c 'import json,sys; print([t["id"] for t in json.load(sys.stdin) if t["from_org"] == "07297"][0])')
quiet B member accept "${rel:0:12}" --cell 01 --reported-on 2026-09-15
quiet B sync; quiet Q sync
expect_ok "Quế Nham dissolves its agency cell" Q cell dissolve "${plan:0:12}" --on 2026-09-20
quiet Q sync
# Ngọc Thiện records a card number Quế Nham's cadre holds: both records
# are kept (the hub rejects neither), and the clash is shown to the
# district and to both communes, never the other's member
add c QN-01 "Lý Văn Tám" 01
quiet C sync
for r in b d; do quiet agent -R "$T/$r" sync; done
quiet Q sync
expect_eq "the hub kept both" 2 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM members WHERE card_no = 'QN-01'")"
expect_eq "report clashes: both members, their organisations" \
"number,kind,name,organisation
QN-01,party card,Nguyễn Văn Hợp,07297
QN-01,party card,Lý Văn Tám,07299" \
	"$(hub report clashes --format csv | tr -d '\r' | sed '/^$/,$d' | cut -d, -f1,2,4,5)"
expect_match "report clashes: the note" "^1 number recorded for more than one member \(2 members\)" \
	"$(hub report clashes)"
expect_match "Tân Hưng's subtree has none" "^0 numbers recorded" \
	"$(hub report clashes --org 07298 | tail -n 2)"
expect_match "Quế Nham is told of its member's clash" \
	"party card number QN-01 of member .* \(Nguyễn Văn Hợp\) is also recorded for another member" "$(Q status)"
expect_match "so is Ngọc Thiện" \
	"party card number QN-01 of member .* \(Lý Văn Tám\) is also recorded for another member" "$(C status)"
expect_no_match "neither learns the other's member" "Lý Văn Tám" "$(Q status; Q status --json)"
expect_no_match "nor the other way" "Nguyễn Văn Hợp" "$(C status; C status --json)"
expect_no_match "Tân Hưng is told nothing" "QN-01" "$(B status; B status --json)"

# --- campaign ---------------------------------------------------------
# Quế Nham: finished, 3 of 3 moved (two to Ngọc Trì, one accepted by Tân
# Hưng); Tân Hưng and Ngọc Thiện: nothing dissolved, 2 and 1 members.
out=$(hub report campaign --format csv --bom)
expect_eq "campaign CSV, read back with Python's csv module" \
"ORGANISATION|NAME|DISTRICT|ORGS|FINISHED|EXEMPT|AGENCY CELLS|DISSOLVED|MEMBERS|MOVED|EXEMPT BECAUSE
07297|Đảng bộ xã Quế Nham|BG.LG|1|1|0|1|1|3|3|
07298|Đảng bộ xã Tân Hưng|BG.LG|1|0|0|1|0|2|0|
07299|Đảng bộ xã Ngọc Thiện|BG.LG|1|0|0|1|0|1|0|
BG.LG|Huyện ủy Lạng Giang|BG.LG|3|1|0|3|1|6|3|
total|||3|1|0|3|1|6|3|

checkpoint|chibo/hub/BG.LG|$(sqlite3 "$T/hub/hub.db" "SELECT max(lsn) FROM entries")|$(printf '%s' "$out" | tail -n 1 | cut -d, -f4 | tr -d '\r')" \
	"$(printf '%s' "$out" | python3 -c '
import csv, io, sys
text = sys.stdin.buffer.read().decode("utf-8")
assert text.startswith("\ufeff"), "no BOM"
for row in csv.reader(io.StringIO(text[1:], newline="")):
    print("|".join(row))')"
out=$(hub report campaign --format json)
expect_eq "campaign JSON: the summary" "0/1 1/3 1/3 3/6 50.0%" \
	"$(printf '%s' "$out" | python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
print(" ".join("%d/%d" % (s[k][a], s[k]["total"]) for k, a in (("districts", "finished"), ("organisations", "finished"), ("cells", "dissolved"), ("members", "moved"))), s["members_moved_percent"])')"
expect_eq "campaign JSON: the note" "0/1 districts; 1/3 communes; 3/6 members moved" \
	"$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["notes"][0])')"
expect_match "as of 19 September the cell was not dissolved yet" \
	"0/1 districts; 0/3 communes; 3/6 members moved" \
	"$(hub report campaign --to 2026-09-19)"
expect_match "as of 9 September nobody had moved" "0/3 communes; 0/6 members" \
	"$(hub report campaign --to 2026-09-09)"
expect_match "--org: one commune's subtree" "1/1 communes; 3/3 members moved" \
	"$(hub report campaign --org 07297)"
# the table: the DISTRICT column at one display column on every line
out=$(hub report campaign)
expect_eq "campaign table aligned by display width" "1" \
	"$(printf '%s\n' "$out" | python3 -c '
import sys, unicodedata
def width(s):
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)
cols = set()
for line in sys.stdin.read().splitlines():
    if line.startswith("ORGANISATION"):
        cols.add(width(line[:line.index("DISTRICT")]))
    elif line.startswith("07"):
        cols.add(width(line[:line.index(" BG.LG ") + 1]))
print(len(cols))')"
expect_match "the Vietnamese names in the table" "Đảng bộ xã Ngọc Thiện" "$out"

# --- transfers --------------------------------------------------------
# as of 20 November: Quế Nham moved two and released one (accepted);
# Ngọc Thiện's T2 is in transit, overdue (due 28 August) and over 3
# months (17 October)
out=$(hub report transfers --on 2026-11-20 --format json)
expect_eq "transfers JSON: rows" \
"07297 Đảng bộ xã Quế Nham 2 1 1 0 0 0 0 0 0
07298 Đảng bộ xã Tân Hưng 0 0 0 0 0 0 0 0 0
07299 Đảng bộ xã Ngọc Thiện 0 1 0 0 1 1 1 0 0
outside from outside the subtree  0 0 0 0 0 0 0 
total  2 2 1 0 1 1 1 0 0" \
	"$(printf '%s' "$out" | python3 -c '
import json, sys
for row in json.load(sys.stdin)["rows"]:
    print(" ".join(row))')"
expect_eq "transfers JSON: the summary" "2 1 0 1 1 1 2" \
	"$(printf '%s' "$out" | python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
print(*(s[k] for k in ("released", "accepted", "declined", "in_transit", "overdue", "over_3_months", "internal_moves")))')"
expect_match "released in September only: T1" "^total +2 +1 +1 +0 +0 +0 +0" \
	"$(hub report transfers --from 2026-09-01 --to 2026-09-30 --on 2026-11-20)"
# T2 on Thursday 3 September: due Friday 28 August; Saturday, Sunday,
# Monday 31 (working), 1 and 2 September (National Day), Thursday 3: 2
out=$(hub report transfers --overdue --on 2026-09-03 --format csv)
expect_eq "overdue CSV, read back" \
"LETTER|LETTER DATE|MEMBER|CARD|FROM|TO|RELEASED|DUE|WORKING DAYS OVERDUE|OVER 3 MONTHS
07-GGT/ĐU|2026-07-17|Bùi Văn Ba|NT-02|07299|07297|2026-07-17|2026-08-28|2|no" \
	"$(printf '%s' "$out" | python3 -c '
import csv, io, sys
for row in csv.reader(io.StringIO(sys.stdin.read(), newline="")):
    if not row: break  # the checkpoint row follows an empty one
    print("|".join(row))')"
expect_match "on 20 November: 58 working days late, over 3 months" \
	"07-GGT/ĐU .* 2026-08-28 +58 +yes" \
	"$(hub report transfers --overdue --on 2026-11-20)"
expect_match "none on the due day" "^0 overdue transfers on 2026-08-28" \
	"$(hub report transfers --overdue --on 2026-08-28)"

expect_ok "the hub verifies (contacts are no part of the log)" hub verify

# --- sync ---------------------------------------------------------------
# Tân Hưng forks: a copy of its replica records something else at its
# next seq; the hub keeps the evidence and freezes the key
cp -a "$T/b" "$T/b2"
add b TH-03 "Vũ Thị Ba" 01
add b2 TH-04 "Hoàng Văn Bốn" 01
quiet B sync
agent -R "$T/b2" sync >/dev/null 2>&1
expect_eq "the copy is refused as a fork" 1 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE reason LIKE 'fork:%'")"
out=$(hub report sync --format json)
expect_eq "sync JSON: one row per key, by organisation" \
"07297 commune Văn phòng Đảng bộ xã Quế Nham status 0 0 0 active
07298 commune Văn phòng Đảng bộ xã Tân Hưng push 0 0 1 frozen
07299 commune Văn phòng Đảng bộ xã Ngọc Thiện status 0 0 0 active
07300 commune Văn phòng Đảng bộ xã Cao Thượng never  - 0 0 0 active
BG.LG district Văn phòng Huyện ủy status 0 0 0 active" \
	"$(printf '%s' "$out" | python3 -c '
import json, re, sys
for r in json.load(sys.stdin)["rows"]:
    when = "never" if r[4] == "never" else r[4]
    if when != "never":
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", when), when
        when = r[5]
    else:
        when = "never " + r[5] + " " + r[6]
    print(r[1], r[2], r[3], when, r[8], r[9], r[10], r[11])')"
expect_eq "sync JSON: the summary" "5 1 0 0 1" \
	"$(printf '%s' "$out" | python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
print(s["keys"], s["never_contacted"], s["waiting"], s["rejected"], s["forked_keys"])')"
# Quế Nham: org.init, 2 cells, 3 members, the plan, 2 moves, T1, the
# decision; Ngọc Thiện: org.init, 2 cells, 2 members, T2, the clashing one
expect_eq "the seqs the hub holds: Quế Nham 11, Ngọc Thiện 7, the office 2" "11 7 2" \
	"$(printf '%s' "$out" | python3 -c '
import json, sys
r = {x[1]: x[7] for x in json.load(sys.stdin)["rows"]}
print(r["07297"], r["07299"], r["BG.LG"])')"
expect_eq "a contact in ms, by the hub's clock, after the test began" "ok" \
	"$(printf '%s' "$out" | START=$(stat -c %Y "$T/hub/hub.key") python3 -c '
import json, os, sys
k = json.load(sys.stdin)["summary"]["by_key"]
assert all(x["last_contact_ms"] is None or x["last_contact_ms"] >= int(os.environ["START"]) * 1000 for x in k)
print("ok")')"
out=$(hub report sync --org 07299 --format csv)
expect_eq "--org: the keys of one subtree" "2" "$(printf '%s\n' "$out" | wc -l)"

# --- the agent: its own commune, and usage ------------------------------
expect_match "the agent's campaign report" "1/1 districts; 1/1 communes; 3/3 members moved" \
	"$(Q report campaign)"
expect_match "the agent's transfers: its own and those addressed to it" \
	"^outside .* 1 +0 +0 +1 +1 +1" "$(Q report transfers --on 2026-11-20)"
expect_fail "sync is the hub's report" "chibo-hub report sync" Q report sync
expect_fail "a report that takes no dates" "sync takes no --from or --to" \
	hub report sync --from 2026-01-01
expect_fail "a day that does not exist" "--to: .*2026-02-30" \
	hub report campaign --to 2026-02-30
expect_fail "an unknown report" "unknown report 'campaigns'" hub report campaigns
expect_fail "an organisation the hub does not know" "no organisation '07399' at this hub" \
	hub report campaign --org 07399
expect_match "--org: an enrolled organisation that has not synced yet" "07300 .*never" \
	"$(hub report sync --org 07300)"
expect_match "--help names the reports" "campaign .*transfers .*sync" \
	"$(hub report --help | tr '\n' ' ')"
expect_match "the old reports run on the hub too" "cells held their 2020-2025 congress" \
	"$(hub report congresses --term 2020-2025)"
finish

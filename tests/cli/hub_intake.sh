#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_intake.sh — what an enrolled commune's mistakes or ill will cannot do
# at a real hub (issue "Hold under attack"): a replica whose --parent names
# another commune, or no committee at all, is refused, so no commune's
# subtree takes in its members; an org.init of a code the hub holds is
# refused; cells the projection rejects stay at the hub and are not sent
# to other communes as directory; a name with a control that reverses how
# text displays is refused by the agent and rejected at the hub; an entry
# dated a year ahead (a laptop's clock) is refused with what to do, and
# what came before it is kept.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_FORGE:?CHIBO_FORGE must name the forge test tool}"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub

# mk DIR CODE PARENT: a replica enrolled for CODE, made with --parent PARENT
# (- for none), pointed at the hub
mk() {
	local k
	k=$(agent -R "$T/$1" init --code "$2" --name "Đảng bộ xã $1" \
		${3:+$( [ "$3" = - ] || echo "--parent $3")} | sed -n 's/^public key: //p')
	hub enroll "$k" --org "$2" --role commune >/dev/null
	agent -R "$T/$1" hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
}

ka=$(commune a 07297)
agent -R "$T/a" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
agent -R "$T/a" member add --name "Nguyễn Văn Hợp" --birth 1980-01-01 --sex male \
	--card 07297001 --admitted 2005-01-01 --cell 01 >/dev/null
expect_ok "Quế Nham syncs" agent -R "$T/a" sync

# --- a --parent that names a commune, not a committee -------------------
mk typo 07298 07297
agent -R "$T/typo" cell create --code 01 --name "Chi bộ" --kind residential >/dev/null
agent -R "$T/typo" member add --name "Trần Thị Lan" --birth 1980-01-01 --sex female \
	--card 07298001 --admitted 2005-01-01 --cell 01 >/dev/null
err=$(agent -R "$T/typo" sync 2>&1); rc=$?
expect_eq "a parent that is a commune: the sync is refused (77)" 77 "$rc"
expect_match "named, with what to do" "names parent '07297', which is not a committee: make the replica again with --parent" "$err"
expect_eq "the hub holds none of its entries" 0 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM orgs WHERE code LIKE '07298%'")"
agent -R "$T/a" sync >/dev/null
expect_eq "and Quế Nham received none of its members" 0 \
	"$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM members WHERE card_no = '07298001'")"

# --- no parent, or one the hub does not know ------------------------------
mk orphan 07299 -
expect_match "no parent: refused" "names no parent" "$(agent -R "$T/orphan" sync 2>&1)"
mk stray 07300 HN.XX
expect_match "a parent the hub does not know: refused" "names parent 'HN.XX', which is no organisation of this hub" \
	"$(agent -R "$T/stray" sync 2>&1)"

# --- a second key enrolled for a code the hub holds -----------------------
mk twin 07297 BG.LG
expect_match "an org.init of a code the hub holds: refused" \
	"org.init of '07297': this hub already holds an organisation with that code" \
	"$(agent -R "$T/twin" sync 2>&1)"
expect_eq "07297 is still Quế Nham's" "$ka" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT lower(hex(owner)) FROM orgs WHERE code = '07297'")"
expect_eq "and the hub holds one org.init of it" 1 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE op = 'org.init'")"

# --- junk directory entries stay at the hub -------------------------------
commune b 07301 >/dev/null
agent -R "$T/b" cell create --code 01 --name "Chi bộ thôn Tây" --kind residential >/dev/null
for i in 1 2 3 4 5; do
	"$CHIBO_FORGE" append "$T/b" cell.create \
		'{"code":"07301.01","name":"Chi bộ thôn Tây '$i'","kind":"residential"}' >/dev/null
done
expect_ok "Tân Hưng pushes its junk" agent -R "$T/b" sync
expect_eq "the hub keeps the five, rejected" 5 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE op = 'cell.create' AND state = 'rejected'")"
agent -R "$T/a" sync >/dev/null
expect_eq "Quế Nham received Tân Hưng's org.init and its one cell, no junk" 2 \
	"$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM entries WHERE author = (SELECT owner FROM orgs WHERE code = '07301')")"
expect_eq "and the digests still agree" "$(hub digest --org 07297)" "$(agent -R "$T/a" digest)"

# --- a name that displays reversed ----------------------------------------
rlo=$(printf '\u202e')
err=$(agent -R "$T/a" member add --name "Nguyễn ${rlo}nahT" --birth 1980-01-01 --sex male \
	--card 07297002 --admitted 2005-01-01 --cell 01 2>&1); rc=$?
expect_eq "the agent refuses a name with U+202E" 1 "$rc"
expect_match "named" "holds U\+202E, a character that changes the direction in which text is shown" "$err"
err=$(agent -R "$T/a" cell create --code 02 --name "Chi bộ $(printf '\302\205')" --kind residential 2>&1)
expect_match "and a C1 control" "holds U\+0085, a control character" "$err"
"$CHIBO_FORGE" append "$T/a" member.add \
	'{"full_name":"Lê '"$rlo"'bniB","birth_date":"1980-01-01","sex":"male","admitted_on":"2005-01-01","cell":"07297.01","status":"probationary"}' >/dev/null
agent -R "$T/a" sync >/dev/null
expect_match "a forged one is rejected at the hub, with its reason" "U\+202E" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT reason FROM entries WHERE op = 'member.add' AND state = 'rejected'")"

# --- a clock a year fast ---------------------------------------------------
agent -R "$T/a" member add --name "Đỗ Văn Ba" --birth 1980-01-01 --sex male \
	--card 07297003 --admitted 2005-01-01 --cell 01 >/dev/null
ahead=$(( ($(date +%s) + 366 * 86400) * 1000 ))
CHIBO_FORGE_TIME_MS=$ahead "$CHIBO_FORGE" append "$T/a" meeting.record \
	'{"cell":"07297.01","date":"2027-11-05","kind":"regular","duration_min":95,"attendance":{}}' >/dev/null
err=$(agent -R "$T/a" sync 2>&1); rc=$?
expect_eq "an entry a year ahead: refused (77)" 77 "$rc"
expect_match "named, with what to do" "clock: entry [0-9]+ is dated 20[0-9-]+, [0-9]+ hours ahead of this hub's clock; set the computer's clock right" "$err"
expect_eq "the member before it is at the hub" 1 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM members WHERE card_no = '07297003'")"
expect_eq "the meeting is not" 0 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE op = 'meeting.record'")"
finish

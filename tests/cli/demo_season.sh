#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo_season.sh — the README's demo (demo.sh) runs with the programs of
# this build and plays out the season: the campaign report is incomplete
# while Hương Lạc is offline and complete after its late sync, the strike-
# off is counted, Tân Hưng's stolen laptop is succeeded and restored and
# its key refused before the district's eyes, the audit passes and then catches the changed copy, and
# the forged replica is caught. So the demo a newcomer runs cannot rot.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
out=$(CHIBO_DEMO_BUILD=$CHIBO_BUILD_DIR TMPDIR=$T "$CHIBO_SOURCE_DIR/demo.sh" 2>&1)
rc=$?
expect_eq "the demo ends well" 0 "$rc"
expect_match "the campaign waits for the late commune" \
	"0/1 districts; 2/3 communes; 14/23 members moved" "$out"
expect_match "and is complete after its sync" \
	"1/1 districts; 3/3 communes; 23/23 members moved" "$out"
expect_match "one transfer accepted, one struck off" \
	"2 official transfers released: 1 accepted, 0 declined, 0 in transit \(0 overdue, 0 over 3 months\), 1 struck off; 22 internal moves; 0 temporary transfers" "$out"
expect_match "the cadre reaches Tân Hưng's cell" \
	"member.accept +by 07298 +cell=07298.01" "$out"
expect_match "Tân Hưng's new laptop restores the commune" \
	"restored '07298': [0-9]+ entries .*, 35 live members" "$out"
expect_match "with every entry of the stolen key" "the old key [0-9a-f]+'s 91 entries are here" "$out"
expect_match "the stolen key is refused" \
	"the hub refused this key: key [0-9a-f]+ was succeeded by key [0-9a-f]+ for '07298'" "$out"
expect_match "and the district sees it" \
	"revoked 20[0-9-]+; 1 request refused" "$out"
expect_match "the audit passes" "audit passed" "$out"
expect_match "and catches the changed copy" "AUDIT FAILED: 5 faults" "$out"
expect_match "its witness's cosignature too" "do not give the root witness [0-9a-f]+ cosigned" "$out"
expect_match "the forged replica is caught" "verify exited 1 — the forgery is caught" "$out"
expect_eq "nothing is left behind" "" "$(ls "$T" | grep chibo-demo)"
finish

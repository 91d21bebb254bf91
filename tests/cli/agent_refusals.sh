#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_refusals.sh — an operation that breaks a rule is refused with one
# line naming what is wrong, and writes nothing.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"

agent init --code 26734 --name "Đảng bộ xã Quế Nham" >/dev/null
agent cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
agent cell create --code 02 --name "Chi bộ thôn Tây" --kind residential >/dev/null
agent member add --name "Lê Văn An" --birth 1970-01-01 --sex male \
	--card 111 --national-id 001070000001 --admitted 1995-01-01 \
	--official 1996-01-01 --cell 01 >/dev/null
agent member add --name "Phạm Thị Bình" --birth 1972-01-01 --sex female \
	--card 222 --admitted 1998-01-01 --official 1999-01-01 --cell 02 >/dev/null
n=$(entry_count)

refuse() { # DESC PATTERN ARGS...
	local desc=$1 pat=$2; shift 2
	expect_fail "$desc" "$pat" agent "$@"
	expect_eq "$desc writes nothing" "$n" "$(entry_count)"
}

m=(--name "Võ Văn Cường" --birth 1980-01-01 --sex male --admitted 2005-01-01)
refuse "unknown cell" "no cell '26734.09'" member add "${m[@]}" --cell 09
refuse "duplicate card number" "party card number 111 already belongs" \
	member add "${m[@]}" --card 111 --cell 01
refuse "duplicate national id" "national ID 001070000001 already" \
	member add "${m[@]}" --national-id 001070000001 --cell 01
refuse "impossible date" "date '1980-02-30' does not exist" \
	member add --name X --birth 1980-02-30 --sex male --admitted 2005-01-01 --cell 01
refuse "future date" "after the day it was recorded" \
	member add "${m[@]/2005-01-01/2099-01-01}" --cell 01
refuse "admitted before 18" "before the 18th birthday" \
	member add --name X --birth 1995-01-01 --sex male --admitted 2005-01-01 --cell 01
refuse "official before admission" "before the admission date" \
	member add "${m[@]}" --official 2004-01-01 --cell 01
refuse "bad national id" "12 digits" \
	member add "${m[@]}" --national-id 12345 --cell 01
refuse "bad sex" "must be male or female" \
	member add --name X --birth 1980-01-01 --sex x --admitted 2005-01-01 --cell 01
refuse "missing field" "field 'admitted_on' is required" \
	member add --name X --birth 1980-01-01 --sex male --cell 01
refuse "attendance of a non-member" "not in cell '26734.01'" \
	meeting record --cell 01 --date 2026-10-01 --kind regular --duration 90 \
	--present card:111,card:222
refuse "attendance before joining" "not in cell '26734.01' on 1990-01-01" \
	meeting record --cell 01 --date 1990-01-01 --kind regular --duration 90 \
	--present card:111
refuse "chair not present" "chair .* not marked present" \
	meeting record --cell 01 --date 2026-10-01 --kind regular --duration 90 \
	--excused card:111 --chair card:111
refuse "duration out of range" "outside 1..1440" \
	meeting record --cell 01 --date 2026-10-01 --kind regular --duration 0 \
	--present card:111
refuse "unknown member" "no member 'card:999'" \
	member status card:999 --status deceased --on 2020-01-01
refuse "same status" "already official" \
	member status card:111 --status official --on 2020-01-01
refuse "score inconsistent with level" "a score of 95 is rated outstanding" \
	rate --member card:111 --period 2025 --level good --score 95 --stage self
refuse "bad period" "a period is YYYY" \
	rate --member card:111 --period 2025-Q5 --level good --stage self
refuse "period not begun" "has not begun" \
	rate --member card:111 --period 2099 --level good --stage self
refuse "cell exists" "cell '26734.01' already exists" \
	cell create --code 01 --name X --kind residential
refuse "bad cell kind" "must be residential" \
	cell create --code 03 --name X --kind castle
refuse "congress outside its term" "cannot be held on" \
	congress --org 01 --term 2020-2025 --held-on 2010-01-01
agent congress --org 01 --term 2020-2025 --held-on 2020-06-01 >/dev/null
n=$(entry_count)
refuse "second congress of a term" "already held its 2020-2025 congress" \
	congress --org 01 --term 2020-2025 --held-on 2020-07-01

# a terminal status closes the member's place in the cell
agent member status card:222 --status deceased --on 2024-05-01 >/dev/null
n=$(entry_count)
refuse "no return from deceased" "cannot go from deceased to official" \
	member status card:222 --status official --on 2024-06-01
refuse "attendance after death" "not in cell '26734.02' on 2024-06-01" \
	meeting record --cell 02 --date 2024-06-01 --kind regular --duration 90 \
	--present card:222

# usage errors exit 2
agent member add --bogus 1 2>/dev/null; expect_eq "unknown flag exits 2" 2 $?
agent frobnicate 2>/dev/null; expect_eq "unknown command exits 2" 2 $?
# a replica with no hub set: a person must set it, so the nightly timer
# (RestartPreventExitStatus=77) does not retry it every 20 minutes
agent sync 2>"$T/err"; expect_eq "sync with no hub set exits 77" 77 $?
expect_match "and says what to run" "no hub is set; run 'chibo-agent hub" "$(cat "$T/err")"
expect_eq "it writes nothing" "$n" "$(entry_count)"
expect_fail "an empty --replica" "needs a directory, not ''" agent -R "" members
finish

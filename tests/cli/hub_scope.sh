#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_scope.sh — pull and its scope, with a real hub and real agents:
# three communes record offline and sync in different orders; then each
# replica's tables equal the hub's restricted to its scope (by digest), no
# replica holds another commune's members, meetings or congresses, an
# auditor's replica equals the whole hub, and a sync after that moves
# nothing.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub

ka=$(commune a 07297)
kb=$(commune b 07298)
kc=$(commune c 07299)
kx=$(commune x UBKT.BG auditor)

# offline work: cells, members, a meeting, a congress
for c in a b c; do
	agent -R "$T/$c" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
	agent -R "$T/$c" cell create --code 02 --name "Chi bộ trường học" --kind school >/dev/null
done
agent -R "$T/a" member add --name "Nguyễn Văn Hợp" --birth 1980-01-01 --sex male \
	--card a1 --admitted 2005-01-01 --cell 01 >/dev/null
agent -R "$T/a" member add --name "Trần Thị Lan" --birth 1985-01-01 --sex female \
	--card a2 --admitted 2010-01-01 --cell 01 >/dev/null
agent -R "$T/a" meeting record --cell 01 --date 2026-10-01 --kind regular \
	--duration 90 --present card:a1 --excused card:a2 >/dev/null
agent -R "$T/b" member add --name "Lê Văn Bình" --birth 1975-05-05 --sex male \
	--card b1 --admitted 2001-01-01 --cell 02 >/dev/null
agent -R "$T/c" member add --name "Phạm Thị Hoa" --birth 1990-09-09 --sex female \
	--card c1 --admitted 2015-01-01 --cell 01 >/dev/null
agent -R "$T/c" congress --org 01 --term 2020-2025 --held-on 2020-06-01 >/dev/null

# sync in different orders; the first ones sync again to see the others
for c in b a c x a b c; do
	out=$(agent -R "$T/$c" sync 2>&1) || bad "sync of $c: $out"
done
for c in a b c; do
	code=$(agent -R "$T/$c" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["org"])')
	expect_eq "replica $c equals the hub restricted to its scope" \
		"$(hub digest --org "$code")" "$(agent -R "$T/$c" digest)"
	expect_ok "replica $c verifies (other keys' chains held in part)" \
		agent -R "$T/$c" verify
done
expect_eq "the auditor's replica equals the whole hub" \
	"$(hub digest)" "$(agent -R "$T/x" digest --all)"
expect_eq "the auditor holds every member" 4 \
	"$(sqlite3 "$T/x/replica.db" "SELECT count(*) FROM members")"

# nothing outside a's scope in a's replica
q() { sqlite3 "$T/a/replica.db" "$1"; }
expect_eq "a holds only its own members" "0" \
	"$(q "SELECT count(*) FROM members WHERE org <> '07297'")"
expect_eq "a holds only its own meetings" "0" \
	"$(q "SELECT count(*) FROM meetings WHERE cell NOT LIKE '07297.%'")"
expect_eq "a holds no other congress" "0" \
	"$(q "SELECT count(*) FROM congresses WHERE org NOT LIKE '07297%'")"
expect_eq "a holds none of c's member entries" "0" \
	"$(q "SELECT count(*) FROM entries WHERE hex(author) = upper('$kc') AND op NOT IN ('org.init', 'cell.create', 'cell.rename')")"
expect_eq "a holds the directory: every commune's cells" "6" \
	"$(q "SELECT count(*) FROM orgs WHERE level = 'cell'")"
expect_eq "a holds the enrolments" "4" \
	"$(q "SELECT count(*) FROM enrolments")"
expect_eq "a's cells list shows its own organisation and cells only" \
	"07297 07297.01 07297.02" "$(agent -R "$T/a" cells | tail -n +2 | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')"
expect_eq "a's status counts its own cells" "2" \
	"$(agent -R "$T/a" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["cells"])')"

# incremental and idempotent: only what is new moves
expect_match "nothing new: nothing pulled" "pulled 0 entries" "$(agent -R "$T/a" sync)"
agent -R "$T/b" cell create --code 03 --name "Chi bộ thôn Tây" --kind residential >/dev/null
agent -R "$T/b" member add --name "Đỗ Văn Cường" --birth 1970-01-01 --sex male \
	--card b2 --admitted 2000-01-01 --cell 03 >/dev/null
agent -R "$T/b" sync >/dev/null
expect_match "a pulls b's new cell and not b's new member" "pulled 1 entries" \
	"$(agent -R "$T/a" sync)"
expect_eq "a again equals the hub's view of its scope" \
	"$(hub digest --org 07297)" "$(agent -R "$T/a" digest)"

# status: last sync, nothing waiting, the hub's log size
st=$(agent -R "$T/a" status)
expect_match "status shows the last sync" "last sync: +20[0-9-]+ [0-9:]+ \(UTC\+7\)" "$st"
expect_match "status shows nothing waiting" "waiting: +0 entries" "$st"
agent -R "$T/a" member add --name "Vũ Thị Mai" --birth 1992-02-02 --sex female \
	--card a3 --admitted 2020-01-01 --cell 02 >/dev/null
expect_match "and an entry recorded since" "waiting: +1 entry" "$(agent -R "$T/a" status)"

# the pull endpoint itself: unsigned, then signed but malformed (by curl)
code=$(curl -s -k --pinnedpubkey "$PIN" -o "$T/r" -w '%{http_code}' \
	-H 'Content-Type: application/json' --data '{"after":0}' "$URL/v1/pull")
expect_eq "an unsigned pull: 401" 401 "$code"
expect_match "the request log names the pulls" "POST /v1/pull 200 .*sent=" "$(cat "$T/serve.log")"
finish

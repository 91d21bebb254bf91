#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_postgres.sh — a hub moved from SQLite to PostgreSQL without losing or
# re-signing anything: two communes sync a season (cells, members, a
# meeting with attendance, ratings of a member and of the commune, a
# transfer accepted) with a hub on hub.db; 'chibo-hub copy-store --to
# postgresql://… --switch' copies it into a database of a real PostgreSQL
# cluster the test starts (initdb, pg_ctl), every table derived again
# there, the dashboard's account with them; the digests and reports are
# the same on both engines; the hub
# then serves from PostgreSQL, the communes sync on (across a restart of
# the database server: the hub connects again), verify passes, and a
# copy back to a SQLite file has the same digest and passes the audit
# (after a rated member's transfer and a rating's correction on
# PostgreSQL, whose tally is kept by deltas).
# 'backup --plain' of the hub on PostgreSQL is a hub.db the audit passes.
# Refused, each with one line: a database that holds a log, one that
# cannot be reached, an address that is not a URI, and a rewritten entry
# (verify names it). The meetings report reads the same runs of excused
# absences on both engines (schemas 035, 036; report_query.c), and a
# meeting's correction moves its tally on PostgreSQL.
export CHIBO_TEST_HUB_STORE=sqlite # this test makes its own databases
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/pglib.sh"
: "${CHIBO_AUDIT_BIN:?}"
pg_start
start_hub

commune a 07297 >/dev/null
commune b 07298 >/dev/null
A() { agent -R "$T/a" "$@"; }
B() { agent -R "$T/b" "$@"; }
same() { same_scope "$1" a:07297 b:07298; }

A cell create --code 01 --name "Chi bộ cơ quan xã" --kind commune-agency >/dev/null
B cell create --code 01 --name "Chi bộ thôn Tân Lập" --kind residential >/dev/null
A member add --name "Dương Đăng Quyền" --birth 1972-04-12 --sex male --card m1 \
	--admitted 1998-05-19 --official 1999-05-19 --cell 01 >/dev/null
A member add --name "Nguyễn Thị Hằng" --birth 1985-01-01 --sex female --card m2 \
	--admitted 2010-01-01 --official 2011-01-01 --cell 01 >/dev/null
# m2 excused in June, August, September and October, exempt in July
# between: a run of 4 (m1's excused in June and August end at July's
# present); the report's runs read the same on both engines
mtg() { A meeting record --cell 01 --kind regular --duration 90 --date "$@" >/dev/null; }
mtg 2026-06-05 --excused card:m1,card:m2
mtg 2026-07-05 --present card:m1 --exempt card:m2
mtg 2026-08-05 --excused card:m1,card:m2
mtg 2026-09-05 --excused card:m2
mtg 2026-10-05 --present card:m1 --excused card:m2
A rate --member card:m1 --period 2025 --level good --score 85 --stage decided >/dev/null
A rate --org 07297 --period 2025 --level outstanding --stage decided >/dev/null
# move CARD LETTER DAY REPORTED: a's member released to b, both synced,
# and accepted by b (not synced yet).
move() {
	A member release "card:$1" --to 07298 --letter "$2" \
		--letter-date "$3" --on "$3" >/dev/null
	expect_ok "a syncs the release of $1" A sync
	expect_ok "b receives it" B sync
	local rel
	rel=$(sqlite3 "$T/b/replica.db" "SELECT release FROM transfers WHERE state = 'in-transit'")
	B member accept "${rel:0:12}" --cell 01 --reported-on "$4" >/dev/null
}
move m2 "125-GGT/ĐU" 2026-11-02 2026-11-05
expect_ok "b syncs the acceptance" B sync
expect_ok "a syncs" A sync
same "on SQLite"

printf 'mật khẩu của Lan\n' > "$T/pw"
CHIBO_PASSWORD_FILE=$T/pw hub account add lan >/dev/null
before=$(hub digest)
report_before=$(hub report membership --format csv)
transfers_before=$(hub report transfers --format csv)
meetings_before=$(hub report meetings --from 2026-06 --to 2026-10 --format csv)
expect_match "m2's four excused absences in a row" '^07297\.01,.*,4,' \
	"$meetings_before"
kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null

# copied, checked, switched
U1=$(pg_new_db)
out=$(hub copy-store --to "$U1" --switch 2>&1)
expect_match "copy-store says the digests agree" "tables digest $before on both" "$out"
expect_eq "the hub's directory names the database" "$U1" "$(cat "$T/hub/database")"
expect_eq "the hub reads its tables from PostgreSQL: the same digest" \
	"$before" "$(hub digest)"
expect_eq "the membership report is the same on PostgreSQL" \
	"$report_before" "$(hub report membership --format csv)"
expect_eq "and the transfers report" \
	"$transfers_before" "$(hub report transfers --format csv)"
expect_eq "and the meetings report, its runs of excused absences" \
	"$meetings_before" \
	"$(hub report meetings --from 2026-06 --to 2026-10 --format csv)"
expect_match "the dashboard's account came along" "^lan " "$(hub account list)"
expect_match "verify passes on PostgreSQL" "all signatures, chains and tables verify" \
	"$(hub verify 2>&1)"
expect_eq "the log's entries are all there, in the same order" \
	"$(command sqlite3 "$T/hub/hub.db" "SELECT group_concat(hex(id), ',') FROM (SELECT id FROM entries ORDER BY lsn)")" \
	"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT string_agg(hex(id), ',' ORDER BY lsn) FROM entries")"

# serving from PostgreSQL: the communes go on
serve_hub "$T/hub"
A member add --name "Lê Văn Tám" --birth 1990-02-03 --sex male --card m3 \
	--admitted 2015-01-01 --official 2016-01-01 --cell 01 >/dev/null
A meeting record --cell 01 --date 2026-11-09 --kind regular --duration 60 \
	--present card:m1,card:m3 >/dev/null
B rate --member card:m2 --period 2026 --level completed --stage decided >/dev/null
expect_ok "a syncs with the hub on PostgreSQL" A sync
expect_ok "b syncs with the hub on PostgreSQL" B sync
expect_ok "a syncs again" A sync
same "on PostgreSQL"
expect_eq "the hub holds the new member" "Lê Văn Tám" \
	"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT full_name FROM members WHERE card_no = 'm3'")"
expect_eq "the hub took the three new entries" 21 \
	"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT count(*) FROM entries")"
# a correction moves September's meeting to the 25th and marks m2
# present there: the tally follows on PostgreSQL (its date, no excused
# member: schema 036), and m2's run is June to August
sep=$(sqlite3 "$T/a/replica.db" "SELECT id FROM meetings WHERE date = '2026-09-05'")
A meeting record --cell 01 --kind regular --duration 90 --date 2026-09-25 \
	--present card:m2 --supersedes "$sep" >/dev/null
expect_ok "a syncs the correction" A sync
expect_eq "the tally moved with the meeting, m2 no longer excused" \
	"07297.01|2026-09-25|0|" \
	"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT cell, date, excused, excused_by FROM meeting_marks WHERE meeting = '$sep'")"
expect_match "m2's run of excused absences is 2 now" ',2,[^,]*$' \
	"$(hub report meetings --from 2026-06 --to 2026-10 --format csv | grep '^07297\.01,')"
expect_match "verify still passes" "all signatures, chains and tables verify" \
	"$(hub verify 2>&1)"

# the database server restarts under the serving hub, every connection
# cut as a crash would: the hub answers 503 meanwhile, connects again
# before its next transaction, prepares its statements afresh, and the
# communes' syncs go through
A member add --name "Phạm Thị Tư" --birth 1990-02-03 --sex female --card m4 \
	--admitted 2016-01-01 --official 2017-01-01 --cell 01 >/dev/null
: >"$T/serve.log"
pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -m immediate \
	-w restart >/dev/null || { cat "$PG_DIR/server.log" >&2; exit 1; }
expect_ok "a syncs after the database server restarted" A sync
expect_match "the hub answered 503 while it connected again" " 503 " \
	"$(cat "$T/serve.log")"
expect_ok "b syncs too" B sync
expect_ok "and a again" A sync
same "after the database server restarted"
expect_eq "the hub holds the member added then" "Phạm Thị Tư" \
	"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT full_name FROM members WHERE card_no = 'm4'")"

# The rating tally on PostgreSQL, kept by deltas added up at each commit
# (schema/pg/029): a rated member moves to the other commune, and a
# decided rating is corrected; the copy back to SQLite below, whose
# triggers keep the tally at once, must come to the same digest.
move m1 "126-GGT/ĐU" 2026-11-20 2026-11-22
B rate --member card:m2 --period 2026 --level good --stage decided >/dev/null
expect_ok "b syncs the acceptance and the correction" B sync
expect_ok "a syncs" A sync
expect_eq "the 2025 tally follows the member to 07298" "07298|good|1" \
	"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT org, level, n FROM rating_tally WHERE period = '2025' AND subject_kind = 'member'")"
expect_eq "the corrected 2026 rating counts once, at its new level" "07298|good|1" \
	"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT org, level, n FROM rating_tally WHERE period = '2026' AND subject_kind = 'member'")"
expect_eq "no delta is left behind a commit" 0 \
	"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT count(*) FROM rating_tally_delta")"
# The member tally (schema/pg/032), kept by the same deltas: what a
# count of the members gives, m1 moved to 07298 included; the copy back
# to SQLite below comes to the same digest.
live="status IN ('probationary', 'official', 'exempt')"
expect_eq "the member tally on PostgreSQL is what counting the members gives" \
	"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT * FROM (SELECT org, 'status', status, count(*) FROM members GROUP BY 1, 3 UNION ALL SELECT org, 'cell', cell, count(*) FROM members WHERE $live GROUP BY 1, 3 UNION ALL SELECT org, 'work', coalesce(work_category, 'unspecified'), count(*) FROM members WHERE $live GROUP BY 1, 3 UNION ALL SELECT org, 'born', substr(birth_date, 1, 4), count(*) FROM members WHERE $live GROUP BY 1, 3) t ORDER BY 1, 2, 3")" \
	"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT org, dim, value, n FROM member_tally ORDER BY 1, 2, 3")"
expect_match "which counts m1 in 07298" "07298|status|official|1" \
	"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT org, dim, value, n FROM member_tally ORDER BY 1, 2, 3")"
expect_eq "no member delta is left behind a commit" 0 \
	"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT count(*) FROM member_tally_delta")"
# The membership report reads it: m3 and m4, born the same day in the
# same cell, count twice.
expect_eq "the membership report on PostgreSQL: live, aged 30-39, in 07297's cell" "4 2 2" \
	"$(hub report membership --on 2026-12-01 --format json | python3 -c 'import json,sys; s = json.load(sys.stdin)["summary"]; print(s["live"], s["by_age"]["30-39"], s["by_cell_kind"]["commune-agency"])')"
# On the eve of their 30th birthday 1990's members straddle a band's edge
# (counted one by one by birth date): m3 and m4 are 29, m2 is 35.
ages() {
	hub report membership --on "$1" --format json | python3 -c 'import json,sys; s = json.load(sys.stdin)["summary"]["by_age"]; print(s["under 30"], s["30-39"])'
}
expect_eq "aged under 30 and 30-39 on 2020-02-02" "2 1" "$(ages 2020-02-02)"
expect_eq "and on their birthday" "0 3" "$(ages 2020-02-03)"
kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null

# and back to a file, for an auditor
now=$(hub digest)
out=$(hub copy-store --to "$T/back.db" 2>&1)
expect_match "copied back to SQLite: the same digest" "tables digest $now on both" "$out"
# written under a rollback journal (cb_store_fill), then the WAL again
expect_eq "the copy is under the WAL again" wal \
	"$(command sqlite3 "$T/back.db" 'PRAGMA journal_mode')"
expect_eq "and its journal is gone" "" "$(ls "$T/back.db-journal" 2>/dev/null)"
expect_match "the copy passes the audit" "audit passed" \
	"$("$CHIBO_AUDIT_BIN" --dir "$T/aud" verify --db "$T/back.db" 2>&1)"

# refusals
expect_fail "a database that holds a log is refused" "holds a log already" \
	hub copy-store --to "$U1"
expect_fail "so is one for init" "holds a hub already" \
	"$CHIBO_HUB_BIN" --dir "$T/hub2" init --code X --name Y --database "$U1"
expect_eq "and the failed init left nothing" "" "$(ls "$T/hub2" 2>/dev/null)"
expect_fail "an unreachable database" "cannot connect to the hub's database" \
	"$CHIBO_HUB_BIN" --dir "$T/hub3" init --code X --name Y \
	--database "postgresql:///x?host=$T/nowhere&port=5432&user=postgres"
expect_fail "an address that is not a URI" "postgresql://" \
	"$CHIBO_HUB_BIN" --dir "$T/hub4" init --code X --name Y --database "$T/file.db"
expect_ok "a plain backup of the hub on PostgreSQL: a hub.db for an auditor" \
	hub backup --plain "$T/plain.db"
expect_eq "mode 0600" 600 "$(stat -c %a "$T/plain.db")"
expect_match "which passes the audit" "audit passed" \
	"$("$CHIBO_AUDIT_BIN" --dir "$T/aud2" verify --db "$T/plain.db" 2>&1)"
expect_eq "and holds every entry" 26 \
	"$(command sqlite3 "$T/plain.db" "SELECT count(*) FROM entries")"
# the tallies as they are, not counted again by the file's triggers as
# the ratings and members are copied in
for t in "org, period, subject_kind, level, n FROM rating_tally" \
	"org, dim, value, n FROM member_tally"; do
	expect_eq "the plain backup's ${t##* }" \
		"$("$PG_BIN/psql" -XAtq -d "$U1" -c "SELECT $t ORDER BY 1, 2, 3, 4")" \
		"$(command sqlite3 "$T/plain.db" "SELECT $t ORDER BY 1, 2, 3, 4")"
done
expect_fail "--switch takes a database" "postgresql://" \
	hub copy-store --to "$T/other.db" --switch
mkdir -p "$T/hub5" && echo "$T/file.db" > "$T/hub5/database"
expect_fail "a directory whose database file holds no URI" \
	"does not hold a database's address" "$CHIBO_HUB_BIN" --dir "$T/hub5" status
U2=$(pg_new_db)
expect_fail "the hub is on PostgreSQL already" "PostgreSQL database already" \
	hub copy-store --to "$U2" --switch

# a rewritten entry in the database is found
# (the same length in UTF-8: á and â are two bytes each)
"$PG_BIN/psql" -XAtq -d "$U1" -c "UPDATE entries SET bytes = overlay(bytes placing convert_to('Tâm', 'UTF8') from position(convert_to('Tám', 'UTF8') in bytes) for 4) WHERE position(convert_to('Lê Văn Tám', 'UTF8') in bytes) > 0" >/dev/null
expect_match "verify names the rewritten entry" "does not verify|signature" \
	"$(hub verify 2>&1)"

finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_pg_writes.sh — a hub on PostgreSQL sends the projection's writes
# ahead without waiting for each answer (cb_sql_write, docs/internals/
# sql.md); one that fails must fail its whole push, as on SQLite, and
# leave nothing of it. The test adds a trigger to the hub's database that
# refuses a membership in cell 99 — a write the projection never expects
# to fail — and pushes a member of cell 99 between members of cell 01,
# each push both before and after the write that fails — as a bundle
# imported, the push's intake, whose error is printed: the entries are
# refused, the hub holds what it held, says why, and verifies;
# without the trigger the same sync succeeds and the hub's view of the
# commune equals the replica's.
# Then, with pg_stat_statements in the test's cluster: a write sent ahead
# behind another (a member.add's stay, behind the member's insert) gets
# prepared, rather than planned by the server at every call (the
# regression of schema 033, docs/PERFORMANCE.md).
export CHIBO_TEST_HUB_STORE=postgresql
PG_SERVER_OPTS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on"
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub

commune a 07297 >/dev/null
A() { agent -R "$T/a" "$@"; }
A cell create --code 01 --name "Chi bộ thôn Tân Lập" --kind residential >/dev/null
A cell create --code 99 --name "Chi bộ thôn Đông" --kind residential >/dev/null
add() {
	A member add --name "$1" --birth 1980-01-01 --sex male --card "$2" \
		--admitted 2005-01-01 --official 2006-01-01 --cell "$3" >/dev/null
}
add "Nguyễn Văn An" m1 01
expect_ok "a syncs" A sync
held() { sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries"; }
members() { sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM members"; }
before=$(held)
expect_eq "the hub holds one member" 1 "$(members)"

sqlite3 "$T/hub/hub.db" "CREATE FUNCTION test_refuse() RETURNS trigger
	LANGUAGE plpgsql AS \$\$ BEGIN
	IF NEW.cell LIKE '%99' THEN RAISE EXCEPTION 'test: no members in cell 99';
	END IF; RETURN NEW; END \$\$;
	CREATE TRIGGER test_refuse BEFORE INSERT ON memberships
	FOR EACH ROW EXECUTE FUNCTION test_refuse()" >/dev/null

add "Trần Văn Bình" m2 01
add "Lê Thị Cúc" m3 99
add "Phạm Văn Dũng" m4 01
# the same intake as a push, whose error a person reads on one line
agent -R "$T/a" export "$T/a.cbb" >/dev/null
expect_fail "the entries with the refused write are refused" \
	"an earlier write of this transaction failed: test: no members in cell 99" \
	hub import "$T/a.cbb"
expect_eq "the hub holds nothing of them" "$before" "$(held)"
expect_eq "no member of them either" 1 "$(members)"
expect_ok "the hub verifies" hub verify

sqlite3 "$T/hub/hub.db" "DROP TRIGGER test_refuse ON memberships" >/dev/null
expect_ok "without the trigger the sync succeeds" A sync
expect_eq "the hub holds the three members" 4 "$(members)"
same_scope "after the failed push" a:07297
expect_ok "the hub verifies" hub verify

# 40 member.adds in one push: their stays prepared, not planned 40 times
sqlite3 "$T/hub/hub.db" "CREATE EXTENSION pg_stat_statements;
	SELECT pg_stat_statements_reset()" >/dev/null
for i in $(seq 10 49); do add "Đỗ Văn Khang $i" "k$i" 01; done
expect_ok "a pushes 40 members" A sync
stays=$(sqlite3 "$T/hub/hub.db" "SELECT sum(calls) || ' ' || sum(plans)
	FROM pg_stat_statements
	WHERE query LIKE 'INSERT INTO memberships (member, cell, kind,%'")
read -r calls plans <<<"$stays"
expect_eq "the 40 stays were written" 40 "$calls"
if [ "$plans" -le 10 ]; then ok; else
	bad "the stays' insert was planned $plans times for $calls calls (not prepared)"
fi
same_scope "after the 40 members" a:07297
finish

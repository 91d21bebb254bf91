#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_failover.sh — a hub on PostgreSQL with a standby under
# pg_auto_failover keeps going when its primary dies, and loses nothing it
# acknowledged. A monitor, a primary and a standby (pg_autoctl, Debian's
# postgresql-15-auto-failover) on 127.0.0.1, in a directory of the test's
# own; synchronous replication checked, not assumed. The hub is given the
# formation's multi-host URI (target_session_attrs=read-write) and serves;
# four communes add members and sync, again and again, as real
# chibo-agent processes (three a member at a time, one 1,000); the primary's
# node (its pg_autoctl and its postgres) is killed with SIGKILL while a
# push's transaction is writing; the monitor promotes the standby (its
# timeouts shortened as OPERATIONS.md says). Then: the hub answers again
# (how long it took is printed; the goal is 30 s), every entry of a sync
# that exited 0 is in the hub's store, and the communes sync on. The dead
# node's pg_autoctl is started again: it rewinds its server and rejoins
# as the synchronous standby, and the formation survives a second death,
# of the new primary, the same way. At the end verify passes, and the
# tables' digest is that of a SQLite hub made from the same log (verify
# there replays it).
# Skipped (77) without pg_autoctl.
export CHIBO_TEST_HUB_STORE=sqlite # this test makes its own database
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
: "${CHIBO_AUDIT_BIN:?}"
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
if ! command -v pg_autoctl >/dev/null || [ ! -x "$PG_BIN/initdb" ]; then
	echo "skipped: no pg_autoctl (postgresql-15-auto-failover)"
	exit 77
fi

pg_as() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
# The formation's directory: each node's data, and pg_autoctl's
# configuration, state and pid files (XDG_*), nothing in anyone's home.
F=$(mktemp -d "${TMPDIR:-/tmp}/chibo-paf.XXXXXX")
chmod 755 "$F"
mkdir -p "$F/config" "$F/share" "$F/run"
[ "$(id -u)" -ne 0 ] || chown -R postgres "$F"
paf() {
	pg_as env PATH="$PG_BIN:$PATH" XDG_CONFIG_HOME="$F/config" \
		XDG_DATA_HOME="$F/share" XDG_RUNTIME_DIR="$F/run" LC_ALL=C \
		pg_autoctl "$@"
}
# Every process of the formation, on any exit: each postmaster first
# told to stop at once (SIGQUIT, as 'pg_ctl -m immediate' does), so that
# it takes its children with it — killed, it would leave the monitor's
# health-check worker and logger running for good; then each node's
# session (setsid), killed whole; and each postmaster by its pid file, in
# case one outlived its pg_autoctl.
GROUPS_STARTED=
stop_formation() {
	local g d
	for d in monitor n1 n2; do
		[ -f "$F/$d/postmaster.pid" ] &&
			kill -QUIT "$(head -1 "$F/$d/postmaster.pid")" 2>/dev/null
	done
	for g in $GROUPS_STARTED; do kill -9 -- "-$g" 2>/dev/null; done
	for d in monitor n1 n2; do
		[ -f "$F/$d/postmaster.pid" ] &&
			kill -9 "$(head -1 "$F/$d/postmaster.pid")" 2>/dev/null
	done
	sleep 0.5
	rm -rf "$F"
}
at_exit stop_formation
# node NAME ARGS…: pg_autoctl in the background, in a session of its own
# (its process group is GROUP_NAME).
node() {
	local name=$1
	shift
	setsid bash -c "$(declare -f pg_as paf); F='$F' PG_BIN='$PG_BIN'; paf \"\$@\"" \
		paf "$@" >"$F/$name.log" 2>&1 &
	GROUPS_STARTED="$GROUPS_STARTED $!"
	eval "GROUP_$name=$!"
	disown $! # killed without a word from this shell
}
# three free ports
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		ss -Htln "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}
PM=$(free_port); P1=$(free_port); P2=$(free_port)
while [ "$P1" = "$PM" ]; do P1=$(free_port); done
while [ "$P2" = "$PM" ] || [ "$P2" = "$P1" ]; do P2=$(free_port); done
# psql on one node, as the superuser
q() {
	local port=$1
	shift
	"$PG_BIN/psql" -XAtq -h 127.0.0.1 -p "$port" -U postgres "$@"
}

paf create monitor --pgdata "$F/monitor" --pgport "$PM" \
	--hostname 127.0.0.1 --auth trust --no-ssl >"$F/monitor-create.log" 2>&1 ||
	{ cat "$F/monitor-create.log" >&2; exit 1; }
node monitor run --pgdata "$F/monitor"
for _ in $(seq 100); do
	q "$PM" -d pg_auto_failover -c "SELECT 1" >/dev/null 2>&1 && break
	sleep 0.2
done
# The monitor's timeouts, shorter than pg_auto_failover's defaults (which
# take about 50 s to fail over): the settings OPERATIONS.md gives.
q "$PM" -d pg_auto_failover >/dev/null <<'SQL' || { echo "cannot set the monitor" >&2; exit 1; }
ALTER SYSTEM SET pgautofailover.health_check_period = 1000;
ALTER SYSTEM SET pgautofailover.health_check_timeout = 1000;
ALTER SYSTEM SET pgautofailover.health_check_max_retries = 1;
ALTER SYSTEM SET pgautofailover.health_check_retry_delay = 500;
ALTER SYSTEM SET pgautofailover.node_considered_unhealthy_timeout = 5000;
ALTER SYSTEM SET pgautofailover.primary_demote_timeout = 5000;
SELECT pg_reload_conf();
SQL
MON=$(paf show uri --pgdata "$F/monitor" --formation monitor)
node n1 create postgres --pgdata "$F/n1" --pgport "$P1" --name n1 \
	--hostname 127.0.0.1 --auth trust --no-ssl --monitor "$MON" --run
for _ in $(seq 300); do
	[ "$(q "$P1" -d postgres -c "SELECT NOT pg_is_in_recovery()" 2>/dev/null)" = t ] &&
		grep -q 'current state is "single"' "$F/n1.log" && break
	sleep 0.2
done
node n2 create postgres --pgdata "$F/n2" --pgport "$P2" --name n2 \
	--hostname 127.0.0.1 --auth trust --no-ssl --monitor "$MON" --run
# sync_state PORT: the replication state of the primary on PORT's one
# standby, once it is synchronous (sync or quorum), or after three
# minutes whatever it is
sync_state() {
	local state='' _
	for _ in $(seq 900); do
		state=$(q "$1" -d postgres -c "SELECT sync_state FROM pg_stat_replication" 2>/dev/null)
		case $state in sync|quorum) break ;; esac
		sleep 0.2
	done
	echo "$state"
}
# up when the primary's one standby replicates synchronously
state=$(sync_state "$P1")
expect_match "the standby replicates synchronously" "^(sync|quorum)$" "$state"
expect_match "the primary waits for it at each commit" "pgautofailover_standby" \
	"$(q "$P1" -d postgres -c "SHOW synchronous_standby_names")"
expect_eq "commits wait for the standby's flush" on \
	"$(q "$P1" -d postgres -c "SHOW synchronous_commit")"
[ "${state:-}" = sync ] || [ "${state:-}" = quorum ] || {
	paf show state --pgdata "$F/monitor" >&2; tail -20 "$F"/n*.log >&2; finish; exit 1; }

# The hub's database, made on the primary (C collation), and the address
# pg_autoctl gives for the formation, with it and the user.
q "$P1" -d postgres -c "CREATE DATABASE hub TEMPLATE template0 LOCALE 'C' ENCODING 'UTF8'" ||
	exit 1
FURI=$(paf show uri --pgdata "$F/monitor" --formation default)
expect_match "pg_autoctl gives a multi-host address that finds the primary" \
	"127.0.0.1:$P1,127.0.0.1:$P2/postgres\?target_session_attrs=read-write" "$FURI"
URI=$(printf '%s' "$FURI" | sed 's|/postgres?|/hub?user=postgres\&|')
out=$(hub init --code BG.LG --name "Huyện ủy Lạng Giang" --database "$URI") || exit 1
HK=$(printf '%s\n' "$out" | sed -n 's/^hub key: //p')
PIN=$(printf '%s\n' "$out" | sed -n 's/^TLS pin: //p')
expect_eq "the hub names the formation" "$URI" "$(cat "$T/hub/database")"
at_exit 'kill $HUB_PID 2>/dev/null; wait $HUB_PID 2>/dev/null'
run_hub "$T/hub" "127.0.0.1:0"
PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$T/serve.out")
URL=https://127.0.0.1:$PORT
[ -n "$PORT" ] || { cat "$T/serve.log" >&2; exit 1; }

codes=(07297 07298 07299 07301)
names=(a b c d)
for i in 0 1 2 3; do
	commune "${names[$i]}" "${codes[$i]}" >/dev/null
	agent -R "$T/${names[$i]}" cell create --code 01 --name "Chi bộ ${names[$i]}" \
		--kind residential >/dev/null
	expect_ok "${names[$i]} syncs its first cell" agent -R "$T/${names[$i]}" sync
done
commune probe 07300 >/dev/null

# An agent's loop: a member (or BATCH members, for a push that takes a
# while), then a sync; the entries it held when a sync exited 0 are
# acknowledged (N.acked), each sync's outcome in N.log. Members are
# numbered from FROM (each round its own card numbers).
pusher() {
	local n=$1 batch=$2 i=$3 r=$T/$1
	while [ ! -e "$T/stop" ]; do
		i=$((i + 1))
		if [ "$batch" -gt 1 ]; then
			python3 - "$T/$n.ops" "$n$i-" "$batch" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for k in range(int(sys.argv[3])):
        f.write(json.dumps({"op": "member.add", "full_name": "Lê Thị Số %d" % k,
                            "birth_date": "1985-01-01", "sex": "female",
                            "card_no": "%s%d" % (sys.argv[2], k),
                            "admitted_on": "2010-01-01", "cell": "01"}) + "\n")
PY
			agent -R "$r" apply "$T/$n.ops" >/dev/null 2>>"$T/$n.err" ||
				{ sleep 0.2; continue; }
		else
			agent -R "$r" member add --name "Nguyễn Văn $n $i" --birth 1980-01-01 \
				--sex male --card "$n$i" --admitted 2005-01-01 \
				--official 2006-01-01 --cell 01 >/dev/null 2>>"$T/$n.err" ||
				{ sleep 0.2; continue; }
		fi
		command sqlite3 "$r/replica.db" "SELECT hex(id) FROM entries" >"$T/$n.held"
		if agent -R "$r" sync >>"$T/$n.sync" 2>&1; then
			cat "$T/$n.held" >>"$T/$n.acked"
			echo "$(date +%s.%N) ok" >>"$T/$n.log"
		else
			echo "$(date +%s.%N) failed" >>"$T/$n.log"
		fi
	done
}
oks() { grep -c ok "$T/$1.log" 2>/dev/null || echo 0; }
PIDS=
at_exit 'touch "$T/stop"; for p in $PIDS; do kill $p 2>/dev/null; done'
start_pushers() {
	rm -f "$T/stop"
	PIDS=
	for n in a b c; do
		pusher "$n" 1 "$1" &
		PIDS="$PIDS $!"
	done
	pusher d 1000 "$1" &
	PIDS="$PIDS $!"
}

# failover ROUND DEAD LIVE FROM: with the communes pushing, the primary (node
# DEAD, listening on port ${P_DEAD}) dies while a push is writing; the
# standby (LIVE) takes over, the hub answers again within the goal, each
# commune syncs twice more through it, and every entry a sync
# acknowledged is in the new primary's store, once.
failover() {
	local round=$1 dead=$2 live=$3 dport lport group n _ all
	eval "dport=\$P_$dead lport=\$P_$live group=\$GROUP_$dead"
	start_pushers "$4"
	# each agent acknowledged a few times before the primary dies
	declare -A ok_start
	for n in "${names[@]}"; do ok_start[$n]=$(oks "$n"); done
	for _ in $(seq 600); do
		[ "$(oks a)" -ge $((ok_start[a] + 3)) ] && [ "$(oks b)" -ge $((ok_start[b] + 3)) ] &&
			[ "$(oks c)" -ge $((ok_start[c] + 3)) ] && [ "$(oks d)" -ge $((ok_start[d] + 1)) ] &&
			break
		sleep 0.1
	done
	local before
	before=$(q "$dport" -d hub -c "SELECT count(*) FROM entries")
	# The moment: while the hub is inside a push's transaction that has
	# inserted entries (it holds their table's lock until it ends) and
	# has run a while (d's 1,000 members: a second or more), not yet committed.
	local inflight=''
	for _ in $(seq 600); do
		inflight=$(q "$dport" -d hub -c "SELECT count(*) FROM pg_locks l
			JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.relation = 'entries'::regclass AND l.mode = 'RowExclusiveLock'
			AND now() - a.xact_start > interval '300 ms'" 2>/dev/null)
		[ "${inflight:-0}" -gt 0 ] && break
		sleep 0.05
	done
	expect_ok "$round: a push was writing when the primary died" test "${inflight:-0}" -gt 0

	# The primary's machine dies: its pg_autoctl and its postgres, SIGKILL.
	local t0 mark
	mark=$(wc -l <"$T/serve.log")
	t0=$(date +%s.%N)
	kill -9 -- "-$group"
	kill -9 "$(head -1 "$F/$dead/postmaster.pid")" 2>/dev/null
	GROUPS_STARTED=${GROUPS_STARTED/ $group/}

	# How long until the standby takes writes (pg_auto_failover promotes
	# it, then holds its writes back until the old primary's demote
	# timeout has passed), tried every 0.2 s; and until the hub answers a
	# request again: the first 200 in its request log after the primary
	# died (to the second: counted as the end of that second), while a
	# commune of the test's own tries a sync every half-second.
	rm -f "$T/promoted"
	(
		for _ in $(seq 600); do
			if "$PG_BIN/psql" -XAtq -c "SELECT 1" \
				"postgresql://127.0.0.1:$lport/postgres?user=postgres&target_session_attrs=read-write&connect_timeout=2" \
				>/dev/null 2>&1; then
				date +%s.%N >"$T/promoted"
				exit
			fi
			sleep 0.2
		done
	) &
	local wpid=$!
	for _ in $(seq 240); do
		agent -R "$T/probe" sync --retries 0 --max-time 5 >/dev/null 2>&1 && break
		sleep 0.5
	done
	wait "$wpid"
	local took promoted
	read -r took promoted < <(python3 - "$T/serve.log" "$t0" "$T/promoted" <<'PY'
import sys, datetime, os
log, t0 = sys.argv[1], float(sys.argv[2])
# the first 200 after the first 503 since the kill's second
first, refused = None, False
for line in open(log, errors="replace"):
    f = line.split()
    if len(f) <= 4 or not f[0].endswith("Z"):
        continue
    ts = datetime.datetime.strptime(f[0], "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    if ts + 1 <= t0:
        continue
    if f[4] == "503":
        refused = True
    elif f[4] == "200" and refused:
        first = ts + 1
        break
p = float(open(sys.argv[3]).read()) if os.path.exists(sys.argv[3]) else float("nan")
print("%.1f %.1f" % ((first - t0) if first else float("inf"), p - t0))
PY
	)
	echo "failover ($round, $dead died): the standby took writes $promoted s after" \
		"the primary died; the hub answered again after at most $took s"
	expect_ok "$round: the hub answers again after the failover" \
		agent -R "$T/probe" sync --retries 0
	expect_ok "$round: within 30 s" python3 -c "import sys; sys.exit(not $took <= 30)"
	expect_eq "$round: the standby ($live) is the primary now" f \
		"$(q "$lport" -d postgres -c "SELECT pg_is_in_recovery()")"

	# each agent syncs twice more through the new primary, then stops
	declare -A ok_before
	for n in "${names[@]}"; do ok_before[$n]=$(oks "$n"); done
	for _ in $(seq 1200); do
		all=1
		for n in "${names[@]}"; do
			[ "$(oks "$n")" -ge $((ok_before[$n] + 2)) ] || all=
		done
		[ -n "$all" ] && break
		sleep 0.1
	done
	touch "$T/stop"
	for p in $PIDS; do wait "$p"; done
	PIDS=
	expect_match "$round: each commune synced after the failover" . "$all"
	local after
	after=$(q "$lport" -d hub -c "SELECT count(*) FROM entries")
	echo "entries: $before when the primary died, $after after;" \
		"$(grep -c ' 503 ' "$T/serve.log") requests answered 503 so far" \
		"($(grep -c 'POST /v1/push 503' "$T/serve.log") of them pushes)"
	expect_match "$round: the push in flight was answered 503 (to be sent again)" \
		"POST /v1/push 503" "$(tail -n "+$((mark + 1))" "$T/serve.log")"
	expect_ok "$round: some syncs failed or waited during it, none was lost" \
		test "$after" -gt "$before"

	# Nothing acknowledged is missing: every entry a replica held when
	# its sync exited 0 is in the hub's store (before any later sync).
	q "$lport" -d hub -c "SELECT upper(encode(id, 'hex')) FROM entries" | sort -u >"$T/hub.ids"
	for n in "${names[@]}"; do
		sort -u "$T/$n.acked" >"$T/$n.acked.sorted"
		expect_eq "$round: every entry $n had acknowledged is in the hub's store" "" \
			"$(comm -23 "$T/$n.acked.sorted" "$T/hub.ids" | head -3)"
		expect_ok "$round: $n acknowledged entries" test -s "$T/$n.acked.sorted"
	done
	expect_eq "$round: each entry once" 0 \
		"$(q "$lport" -d hub -c "SELECT count(*) FROM (SELECT 1 FROM entries GROUP BY author, seq HAVING count(*) > 1) d")"
}
# shellcheck disable=SC2034 # read by failover, through eval
P_n1=$P1 P_n2=$P2
failover first n1 n2 0

# The old primary's machine comes back: its pg_autoctl, started again on
# the same data directory, finds itself demoted, rewinds (pg_rewind) and
# follows the new primary; the formation is whole again when the new
# primary's commits wait for it. The hub is not touched.
node n1 run --pgdata "$F/n1"
expect_match "the old primary rejoined as the synchronous standby" "^(sync|quorum)$" \
	"$(sync_state "$P2")"
expect_eq "it replays, it does not take writes" t \
	"$(q "$P1" -d postgres -c "SELECT pg_is_in_recovery()")"
# (pg_autoctl show state: n1's line, its reported and assigned states)
secondary='^ *n1 .*\| +secondary +\| +secondary *$'
for _ in $(seq 300); do
	formation=$(paf show state --pgdata "$F/monitor" 2>&1)
	grep -Eq "$secondary" <<<"$formation" && break
	sleep 0.2
done
expect_match "the monitor counts it a secondary again" "$secondary" "$formation"
# (its commits are acknowledged once flushed there, replayed a moment
# later)
for _ in $(seq 100); do
	[ "$(q "$P2" -d hub -c "SELECT count(*) FROM entries")" = \
		"$(q "$P1" -d hub -c "SELECT count(*) FROM entries")" ] && break
	sleep 0.1
done
expect_eq "it holds every entry the new primary holds" \
	"$(q "$P2" -d hub -c "SELECT count(*) FROM entries")" \
	"$(q "$P1" -d hub -c "SELECT count(*) FROM entries")"

# And the formation survives a second death, this time of the new
# primary: back on the machine that died first.
failover second n2 n1 100000

# The communes go on, and agree with the hub.
for i in 0 1 2 3; do
	n=${names[$i]}
	agent -R "$T/$n" member add --name "Trần Thị $n" --birth 1990-01-01 --sex female \
		--card "$n-after" --admitted 2015-01-01 --official 2016-01-01 --cell 01 >/dev/null
	expect_ok "$n syncs after the failover" agent -R "$T/$n" sync
	expect_ok "$n syncs again" agent -R "$T/$n" sync
	expect_eq "$n equals the hub's view of its scope" \
		"$(hub digest --org "${codes[$i]}")" "$(agent -R "$T/$n" digest)"
done
expect_match "verify passes on the new primary" "all signatures, chains and tables verify" \
	"$(hub verify 2>&1)"

# The same log on SQLite: the hub's plain backup (its log and tables in a
# hub.db), in a hub directory of its own; verify there replays the log
# through SQLite and finds the tables it holds; their digest is the one
# on PostgreSQL.
kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null
expect_ok "a plain backup of the hub" hub backup --plain "$T/plain.db"
cp -r "$T/hub" "$T/sq"
rm -f "$T/sq/database" "$T/sq"/hub.db*
cp "$T/plain.db" "$T/sq/hub.db"
expect_match "the same log projected on SQLite: verify passes" \
	"all signatures, chains and tables verify" \
	"$("$CHIBO_HUB_BIN" --dir "$T/sq" verify 2>&1)"
expect_eq "and the tables' digest is the same on both engines" \
	"$(hub digest)" "$("$CHIBO_HUB_BIN" --dir "$T/sq" digest)"
expect_match "the audit passes" "audit passed" \
	"$("$CHIBO_AUDIT_BIN" --dir "$T/aud" verify --db "$T/plain.db" 2>&1)"

finish

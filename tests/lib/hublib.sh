# SPDX-License-Identifier: MIT
# hublib.sh — for tests that need a real hub: after testlib.sh, 'start_hub'
# makes one in $T/hub (chibo-hub init), serves it on 127.0.0.1 at an
# ephemeral port with its own TLS certificate, and sets HK (its key), PIN,
# PORT, URL and HUB_PID; the hub is killed on exit. 'commune DIR CODE
# [ROLE|-]' makes a replica in $T/DIR, enrols its key for CODE with ROLE
# (commune by default; - leaves it unenrolled), points it at the hub, and
# prints its key. With HUB_NETNS set, the hub serves inside that network
# namespace (tests/lib/netns.sh) on HUB_HOST. 'serve_hub DIR' restarts the
# hub on DIR at the same port; 'entry_rewrite' edits an entry's stored
# bytes behind the hub's back; 'hub_held' counts the connections the hub
# holds, by client address.
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"

hub() { "$CHIBO_HUB_BIN" --dir "$T/hub" "$@"; }
# same_scope WHAT R:ORG...: each replica $T/R's digest equals the hub's
# view of its organisation's scope.
same_scope() {
	local what=$1 p
	shift
	for p in "$@"; do
		expect_eq "$what: ${p%%:*} equals the hub's view of its scope" \
			"$(hub digest --org "${p##*:}")" "$(agent -R "$T/${p%%:*}" digest)"
	done
}

start_hub() {
	local out host=${HUB_HOST:-127.0.0.1}
	out=$(hub init --code BG.LG --name "Huyện ủy Lạng Giang")
	HK=$(printf '%s\n' "$out" | sed -n 's/^hub key: //p')
	PIN=$(printf '%s\n' "$out" | sed -n 's/^TLS pin: //p')
	at_exit 'kill $HUB_PID 2>/dev/null'
	run_hub "$T/hub" "$host:0" "$@"
	PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$T/serve.out")
	URL=https://$host:$PORT
}

# run_hub DIR LISTEN [ARGS...]: a hub serving DIR in the background
# (HUB_PID), once it says it serves.
run_hub() {
	local dir=$1 listen=$2
	shift 2
	${HUB_NETNS:+ip netns exec "$HUB_NETNS"} \
		"$CHIBO_HUB_BIN" --dir "$dir" serve --listen "$listen" "$@" \
		> "$T/serve.out" 2>> "$T/serve.log" &
	HUB_PID=$!
	# up to 30 s: a machine running the suite two tests at a time is slow
	for _ in $(seq 300); do
		grep -q serving "$T/serve.out" && break
		sleep 0.1
	done
}

# serve_hub DIR: the running hub stopped, and one serving DIR at its port.
serve_hub() {
	kill "$HUB_PID"
	wait "$HUB_PID" 2>/dev/null
	run_hub "$1" "${HUB_HOST:-127.0.0.1}:$PORT"
}

# hub_held: "ADDRESS COUNT" lines, the connections the hub process has
# accepted and holds now, by the client's address (the kernel's queue of
# connections not yet accepted is not counted).
hub_held() {
	ss -tnpH state established "( sport = :$PORT )" 2>/dev/null |
		awk -v pid="pid=$HUB_PID," 'index($0, pid) {
			a = $4; sub(/:[0-9]+$/, "", a); n[a]++
		} END { for (a in n) print a, n[a] }'
}

# entry_rewrite DB TAIL OLD NEW: in the entry that "SELECT lsn, bytes FROM
# entries TAIL" finds first, the text OLD replaced by NEW, as someone with
# the database would do it (the signature is left as it was). Of a hub
# on PostgreSQL, in its database (pglib.sh).
entry_rewrite() {
	if [ "$(basename -- "$1")" = hub.db ] && [ -f "$(dirname -- "$1")/database" ]; then
		pg_entry_rewrite "$(dirname -- "$1")" "${@:2}"
		return
	fi
	python3 - "$@" <<'PY'
import sqlite3, sys
db, tail, old, new = sys.argv[1:5]
c = sqlite3.connect(db)
lsn, b = c.execute("SELECT lsn, bytes FROM entries " + tail).fetchone()
assert old.encode() in b, "text not in the entry"
c.execute("UPDATE entries SET bytes = ? WHERE lsn = ?",
          (b.replace(old.encode(), new.encode()), lsn))
c.commit()
PY
}

commune() {
	local k role=${3:-commune}
	k=$(agent -R "$T/$1" init --code "$2" --name "Đảng bộ xã $1" \
		--parent BG.LG | sed -n 's/^public key: //p')
	[ "$role" = - ] || hub enroll "$k" --org "$2" --role "$role" >/dev/null
	agent -R "$T/$1" hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
	echo "$k"
}

# member_ops FILE N: a cell (code 01) and N member.add operations for it,
# one JSON line each, for 'chibo-agent apply'.
member_ops() {
	python3 - "$1" "$2" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"op": "cell.create", "code": "01", "name": "Chi bộ",
                        "kind": "residential"}) + "\n")
    for i in range(int(sys.argv[2])):
        f.write(json.dumps({"op": "member.add",
                            "full_name": "Nguyễn Văn Số %d" % i,
                            "birth_date": "1980-01-01", "sex": "male",
                            "card_no": "C%06d" % i,
                            "admitted_on": "2005-01-01", "cell": "01"}) + "\n")
PY
}

# expect_synced DIR CODE: the hub holds every entry of the replica in
# $T/DIR (enrolled for CODE), each once, and both give the same digest.
expect_synced() {
	local total held
	total=$(sqlite3 "$T/$1/replica.db" "SELECT count(*) FROM entries WHERE author = (SELECT author FROM entries ORDER BY lsn LIMIT 1)")
	held=$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE hex(author) = (SELECT upper(key) FROM enrolments WHERE org = '$2')")
	expect_eq "the hub holds every entry" "$total" "$held"
	expect_eq "each once" 0 "$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM (SELECT seq FROM entries GROUP BY author, seq HAVING count(*) > 1) AS twice")"
	expect_eq "and agrees with the replica" \
		"$(hub digest --org "$2")" "$(agent -R "$T/$1" digest)"
}

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_tamper.sh — 'verify' catches every kind of tampering with the replica
# file, each with a precise message: a flipped byte in an entry, a byte
# edited by hand anywhere in the file, another key, a seq gap, a prev
# mismatch, a fork, a truncated or oversized entry, invalid UTF-8, and a
# table edited outside chibo.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"

R=$T/good
agent -R "$R" init --code 26734 --name "Đảng bộ xã Quế Nham" >/dev/null
agent -R "$R" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
for i in 1 2 3 4; do
	agent -R "$R" member add --name "Nguyễn Văn Hợp $i" --birth 1980-01-0$i \
		--sex male --card 10$i --admitted 2005-01-01 --cell 01 >/dev/null
done
expect_ok "the untouched replica verifies" agent -R "$R" verify

# A second replica with the same key and the same entry 1, then diverging
# from entry 2 on: its chain is sound alone but does not fit onto ours.
cp -a "$R" "$T/twin"
sqlite3 "$T/twin/replica.db" "DELETE FROM entries WHERE seq > 1"
agent -R "$T/twin" rebuild >/dev/null
agent -R "$T/twin" cell create --code 01 --name "Chi bộ thôn Tây" --kind residential >/dev/null
agent -R "$T/twin" member add --name "Trần Thị Khác" --birth 1981-01-01 \
	--sex female --card 999 --admitted 2006-01-01 --cell 01 >/dev/null
# And a replica with a key of its own.
agent -R "$T/other" init --code 26735 --name "Đảng bộ xã Khác" >/dev/null
agent -R "$T/other" cell create --code 01 --name "Chi bộ Một" --kind residential >/dev/null
agent -R "$T/other" member add --name "Lý Văn Khác" --birth 1981-01-01 \
	--sex male --card 998 --admitted 2006-01-01 --cell 01 >/dev/null

# tamper DESC PATTERN CMD ARGS...: on a fresh copy of the replica, run
# CMD DB ARGS..., then expect verify to fail with a line matching PATTERN.
tamper() {
	local desc=$1 pat=$2 d=$T/copy; shift 2
	rm -rf "$d"; cp -a "$R" "$d"
	local cmd=$1; shift
	"$cmd" "$d/replica.db" "$@" || { bad "$desc: could not tamper"; return; }
	out=$(agent -R "$d" verify 2>&1); rc=$?
	if [ $rc -ne 1 ]; then bad "$desc: verify exited $rc"; return; fi
	expect_match "$desc" "$pat" "$out"
}
sql() { sqlite3 "$1" "$2"; }
# poke DB SEQ WHERE VALUE: change one byte of entry SEQ's bytes. WHERE is
# an offset (negative: from the end) or after:TEXT (the byte after the first
# byte of TEXT); VALUE is x (XOR 1) or a number.
poke() {
	python3 - "$@" <<'PY'
import sqlite3, sys
db, seq, where, val = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
c = sqlite3.connect(db)
b = bytearray(c.execute("SELECT bytes FROM entries WHERE seq = ?", (seq,)).fetchone()[0])
if where.startswith("after:"):
    off = b.find(where[6:].encode())
    assert off >= 0, "text not in the entry"
    off += 1
else:
    off = int(where) % len(b)
b[off] = b[off] ^ 1 if val == "x" else int(val)
c.execute("UPDATE entries SET bytes = ? WHERE seq = ?", (bytes(b), seq))
c.commit()
PY
}
tamper "flipped byte in the signed part" \
	"entry 3 of author [0-9a-f]{12}: the signature does not verify" \
	poke 3 46 x
tamper "flipped byte in a name" "the signature does not verify" \
	poke 4 after:Hợp x
tamper "flipped byte in the signature" "the signature does not verify" \
	poke 4 -1 x
tamper "invalid UTF-8 in a body" "entry body is not valid UTF-8" \
	poke 5 after:Hợp 255
tamper "another key's entry in our chain" \
	"stored beside it differ from its bytes" \
	sql "ATTACH '$T/other/replica.db' AS t; UPDATE entries SET bytes = (SELECT bytes FROM t.entries WHERE seq = 3) WHERE seq = 3"
tamper "seq gap" "seq 4 follows 2: entries are missing" \
	sql "DELETE FROM entries WHERE seq = 3"
tamper "prev mismatch" "entry 3 names a prev that is not the hash of entry 2" \
	sql "ATTACH '$T/twin/replica.db' AS t; DELETE FROM entries WHERE seq >= 3; INSERT INTO entries (id, author, seq, op, time_ms, bytes, state) SELECT id, author, seq, op, time_ms, bytes, state FROM t.entries WHERE seq = 3"
tamper "fork" "two different entries with seq 3 \(a fork\)" \
	sql "ATTACH '$T/twin/replica.db' AS t; INSERT INTO entries (id, author, seq, op, time_ms, bytes, state) SELECT id, author, seq, op, time_ms, bytes, state FROM t.entries WHERE seq = 3"
tamper "truncated entry" "entry is truncated" \
	sql "UPDATE entries SET bytes = substr(bytes, 1, 100) WHERE seq = 2"
tamper "oversized entry" "over the limit of 65536" \
	sql "UPDATE entries SET bytes = bytes || zeroblob(70000) WHERE seq = 2"
# An index that no longer matches its table (its definition rewritten in
# the schema): every entry and table reads as before, only SQLite's
# integrity check, which verify runs on a connection and a thread of its
# own, can see it.
tamper "an index that does not match its table" \
	"fails its integrity check: .*entries_directory" \
	sql "PRAGMA writable_schema = ON; UPDATE sqlite_master SET sql = replace(sql, '''cell.create'', ', '') WHERE name = 'entries_directory'"
tamper "a table edited outside chibo" "tables differ from the projection of the log" \
	sql "UPDATE members SET full_name = 'Nguyễn Văn Hớp 1' WHERE card_no = '101'"
tamper "a row deleted from a table" "tables differ" \
	sql "DELETE FROM memberships WHERE member = (SELECT min(member) FROM memberships)"
# A byte edited by hand in the file, the way a person with a hex editor
# would: find the name's bytes in replica.db and change one.
d=$T/hand; rm -rf "$d"; cp -a "$R" "$d"
python3 - "$d/replica.db" <<'PY'
import sys
p = sys.argv[1]
data = bytearray(open(p, 'rb').read())
needle = 'Hợp 3'.encode()
i = data.find(needle)
assert i >= 0, "name not found in the file"
data[i + 1] ^= 0x01          # 'ợ' → another byte: still in one record
open(p, 'wb').write(data)
PY
out=$(agent -R "$d" verify 2>&1); rc=$?
expect_eq "hand-edited file: verify fails" 1 "$rc"
expect_match "hand-edited file: the fault is named" \
	"FAULT: .*(signature does not verify|not valid UTF-8|tables differ|integrity)" "$out"
expect_ok "the original still verifies" agent -R "$R" verify

# A rebuild reads the log 1,024 entries at a time, each batch decoded and
# its signatures checked on a thread beside the projection: over several
# batches it derives the same tables; an entry in a later batch that does
# not decode, or whose signature does not verify, stops it, named by its
# log position, with nothing changed.
. "$CHIBO_SOURCE_DIR/bench/records.sh"
member_records 2600 "$T/many.jsonl"
B=$T/batches
cp -a "$R" "$B"
agent -R "$B" apply "$T/many.jsonl" >/dev/null
digest() { sqlite3 "$1/replica.db" "SELECT count(*), sum(length(full_name)) FROM members; SELECT count(*) FROM memberships; SELECT group_concat(state) FROM (SELECT state, count(*) FROM entries GROUP BY state)"; }
want=$(digest "$B")
expect_match "2,606 entries applied" "^2604\|" "$want"
expect_ok "a rebuild over three batches" agent -R "$B" rebuild
expect_eq "the same tables after it" "$want" "$(digest "$B")"
expect_ok "and it verifies" agent -R "$B" verify
for case in "2500 -1 x|log position 2500: .*the signature does not verify" \
	"1900 after:full_name 255|log position 1900: .*not valid UTF-8"; do
	rm -rf "$T/b2"; cp -a "$B" "$T/b2"
	# shellcheck disable=SC2086 # seq, offset and value
	poke "$T/b2/replica.db" ${case%%|*}
	sqlite3 "$T/b2/replica.db" "UPDATE members SET full_name = 'x'"
	out=$(agent -R "$T/b2" rebuild 2>&1); rc=$?
	expect_eq "rebuild over a forgery (${case%%|*}): exit" 1 "$rc"
	expect_match "the forgery is named" "${case#*|}" "$out"
	expect_eq "nothing changed" 2604 \
		"$(sqlite3 "$T/b2/replica.db" "SELECT count(*) FROM members WHERE full_name = 'x'")"
done
# verify reads the log a batch at a time too, each batch decoded and its
# signatures checked on the verifier's threads: it names every fault by
# its log position, a forged signature after an entry that does not
# decode in the same batch as well as that entry.
rm -rf "$T/b3"; cp -a "$B" "$T/b3"
poke "$T/b3/replica.db" 1900 after:full_name 255
poke "$T/b3/replica.db" 1950 -1 x
out=$(agent -R "$T/b3" verify 2>&1); rc=$?
expect_eq "verify over two forgeries in a batch: exit" 1 "$rc"
expect_match "the entry that does not decode is named" \
	"log position 1900: .*not valid UTF-8" "$out"
expect_match "the forged signature after it is named" \
	"log position 1950: .*the signature does not verify" "$out"
expect_eq "no other entry is said not to decode" 1 \
	"$(printf '%s\n' "$out" | grep -Ec '^FAULT: log position [0-9]+: .*(UTF-8|decod)')"
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bundle.sh — the sync on a file, for a commune with no link: an agent
# exports what the hub lacks, the hub imports it with a push's checks, the
# hub exports a commune's scope and the agent imports it; twice changes
# nothing; the files are 0600 and written through no planted symlink.
# Bundles are signed (CBB2): every forgery is refused with one line naming
# what, and nothing is taken in — a flipped header byte, a changed cursor,
# a bundle re-signed by an unknown key, a hub's bundle signed by an
# enrolled agent's key, a cursor past the hub's signed checkpoint, an
# agent's bundle for another organisation than its key's, truncation,
# trailing bytes, an old unsigned CBB1 file; an import before the hub is
# set; a bundle with a gap (all or nothing) or a fork (evidence kept); a
# hub's bundle whose checkpoint contradicts the one the replica holds.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"
hub() { "$CHIBO_HUB_BIN" --dir "$T/hub" "$@"; }
out=$(hub init --code BG.LG --name "Huyện ủy Lạng Giang")
HK=$(printf '%s\n' "$out" | sed -n 's/^hub key: //p')
PIN=$(printf '%s\n' "$out" | sed -n 's/^TLS pin: //p')
# communes with no link: the hub's key is known, its URL never used
commune() {
	local k
	k=$(agent -R "$T/$1" init --code "$2" --name "Đảng bộ xã $1" --parent BG.LG |
		sed -n 's/^public key: //p')
	hub enroll "$k" --org "$2" --role commune >/dev/null
	agent -R "$T/$1" hub --url https://127.0.0.1:9 --pin "$PIN" --key "$HK" >/dev/null
}
commune a 07297
commune b 07298
for c in a b; do
	agent -R "$T/$c" cell create --code 01 --name "Chi bộ thôn Một" --kind residential >/dev/null
	agent -R "$T/$c" member add --name "Nguyễn Văn $c" --birth 1980-01-01 --sex male \
		--card "$c-1" --admitted 2005-01-01 --cell 01 >/dev/null
done
hubcount() { sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries"; }
: "${CHIBO_FORGE:?CHIBO_FORGE must name the forge test tool}"
forge() { "$CHIBO_FORGE" bundle "$@" >/dev/null; }
# edit IN OUT WHAT [ARG]: the bytes of a bundle changed, not signed again:
# flip I (byte I), next N (the header's next), append (one more byte),
# v1 (the same bundle in the old unsigned CBB1 layout)
edit() {
	python3 - "$@" <<'PY'
import hashlib, struct, sys
src, dst, what = sys.argv[1:4]
b = bytearray(open(src, "rb").read())
olen = b[5]; nx = 6 + olen + 8
if what == "flip":
    b[int(sys.argv[4])] ^= 1
elif what == "next":
    b[nx:nx + 8] = struct.pack(">q", int(sys.argv[4]))
elif what == "append":
    b += b"\0"
elif what == "v1":
    cl = struct.unpack(">I", b[nx + 12:nx + 16])[0]
    zat = nx + 16 + cl
    zl = struct.unpack(">I", b[zat:zat + 4])[0]
    head = b"CBB1" + b[4:nx + 12] + b[zat:zat + 4 + zl]
    b = head + hashlib.sha256(head).digest()
open(dst, "wb").write(b)
PY
}
meta() { sqlite3 "$T/$1/replica.db" "SELECT value FROM meta WHERE key = '$2'"; }

# a symlink planted where a careless writer puts its temporary, and one
# at the file itself: neither is followed
printf 'precious\n' > "$T/victim"
ln -s "$T/victim" "$T/a.cbb.part"
ln -s "$T/victim" "$T/a.cbb"
expect_match "a exports its entries" "wrote 3 entries" "$(agent -R "$T/a" export "$T/a.cbb")"
expect_eq "the planted symlinks were not followed" "precious" "$(cat "$T/victim")"
expect_eq "the bundle is a file of its own, 0600" "regular file 600" \
	"$(stat -c '%F %a' "$T/a.cbb")"
n0=$(hubcount)
expect_match "the hub imports them, checked as a push" "imported 3 entries of '07297'" \
	"$(hub import "$T/a.cbb")"
expect_eq "three more entries on the hub" $((n0 + 3)) "$(hubcount)"
expect_match "importing it again changes nothing" "imported 0 entries .*3 already held" \
	"$(hub import "$T/a.cbb")"
agent -R "$T/b" export "$T/b.cbb" >/dev/null
hub import "$T/b.cbb" >/dev/null

# damaged and forged agent's bundles: refused, one line, nothing taken in
n1=$(hubcount)
head -c 100 "$T/a.cbb" > "$T/cut.cbb"
expect_fail "a truncated bundle" "truncated at byte 100" hub import "$T/cut.cbb"
edit "$T/a.cbb" "$T/long.cbb" append
expect_fail "trailing bytes" "trailing bytes from byte [0-9]+ on" hub import "$T/long.cbb"
edit "$T/a.cbb" "$T/bad.cbb" flip 12
expect_fail "a flipped header byte" "signature at byte [0-9]+ does not verify" \
	hub import "$T/bad.cbb"
edit "$T/a.cbb" "$T/bad.cbb" next 1000000000000
expect_fail "a changed cursor" "signature at byte [0-9]+ does not verify" \
	hub import "$T/bad.cbb"
edit "$T/a.cbb" "$T/bad.cbb" flip $(( $(stat -c %s "$T/a.cbb") - 40 ))
expect_fail "a flipped signature byte" "signature at byte [0-9]+ does not verify" \
	hub import "$T/bad.cbb"
edit "$T/a.cbb" "$T/old.cbb" v1
expect_fail "an old unsigned CBB1 bundle" "older chibo \(CBB1\).*export it again with this version" \
	hub import "$T/old.cbb"
expect_fail "not a bundle at all" "not a chibo bundle" hub import "$CHIBO_SOURCE_DIR/README.md"
forge "$T/a/agent.key" "$T/a.cbb" "$T/forged.cbb" flip=200
expect_fail "an entry altered, the bundle signed again" "entry [0-9]+, at byte [0-9]+" \
	hub import "$T/forged.cbb"
forge - "$T/a.cbb" "$T/forged.cbb"
expect_fail "a's entries, signed by a key of no one" "entry 1, at byte 0 of the entries, is not by the bundle's signer" \
	hub import "$T/forged.cbb"
agent -R "$T/u" init --code 09999 --name "Xã lạ" --parent BG.LG >/dev/null
agent -R "$T/u" cell create --code 01 --name "Chi bộ lạ" --kind residential >/dev/null
agent -R "$T/u" export "$T/u.cbb" >/dev/null
expect_fail "a bundle by a key not enrolled" "refused: key [0-9a-f]+ is not enrolled.*nothing was taken in" \
	hub import "$T/u.cbb"
forge "$T/b/agent.key" "$T/b.cbb" "$T/forged.cbb" org=07297
expect_fail "b's own bundle, claiming to be a's organisation's" \
	"enrolled for '07298', not for '07297'; nothing was taken in" hub import "$T/forged.cbb"
expect_eq "nothing was taken in" "$n1" "$(hubcount)"

# a bundle whose chain has a gap: all or nothing, so nothing
for i in 2 3 4; do
	agent -R "$T/a" member add --name "Trần Văn $i" --birth 1980-01-01 --sex male \
		--card "a-$i" --admitted 2005-01-01 --cell 01 >/dev/null
done
agent -R "$T/a" export "$T/a2.cbb" >/dev/null
forge "$T/a/agent.key" "$T/a2.cbb" "$T/gap.cbb" drop=4  # seq 1..4, then 6
n1=$(hubcount)
expect_fail "a bundle with a gap in its chain" "gap: entry 6 follows 4.*nothing was taken in" \
	hub import "$T/gap.cbb"
expect_eq "nothing was taken in, not even the entry before the gap" "$n1" "$(hubcount)"
expect_match "the whole bundle is taken in" "imported 3 entries of '07297'" \
	"$(hub import "$T/a2.cbb")"

# the way back: the hub's bundle for a commune
ln -s "$T/victim" "$T/for-a.cbb.part"
expect_match "the hub exports a's scope" "wrote [0-9]+ entries for '07297'" \
	"$(hub export --for 07297 "$T/for-a.cbb")"
expect_eq "through no planted symlink" "precious" "$(cat "$T/victim")"
expect_eq "into a file of mode 0600" "regular file 600" \
	"$(stat -c '%F %a' "$T/for-a.cbb")"
expect_fail "not for an organisation with no key" "no key is enrolled for '09999'" \
	hub export --for 09999 "$T/x.cbb"
expect_fail "a's agent does not take b's bundle" "not a hub's bundle for this replica" \
	agent -R "$T/a" import "$T/b.cbb"
expect_fail "nor the hub its own kind" "give it to 'chibo-agent import'" \
	hub import "$T/for-a.cbb"
# forged hub's bundles: each refused, and the cursor stays where it was
na=$(entry_count "$T/a")
forge "$T/a/agent.key" "$T/for-a.cbb" "$T/f.cbb" next=1000000000000
expect_fail "a hub's bundle signed by an enrolled agent's key" \
	"refused: signed by key [0-9a-f]+…, which is not this replica's hub" \
	agent -R "$T/a" import "$T/f.cbb"
forge - "$T/for-a.cbb" "$T/f.cbb" next=1000000000000
expect_fail "a hub's bundle re-signed by an unknown key" \
	"refused: signed by key [0-9a-f]+…, which is not this replica's hub" \
	agent -R "$T/a" import "$T/f.cbb"
forge "$T/hub/hub.key" "$T/for-a.cbb" "$T/f.cbb" next=1000000000000
expect_fail "a cursor past the hub's signed checkpoint, even signed by the hub" \
	"refused: its cursor 1000000000000 is past its checkpoint of [0-9]+ entries" \
	agent -R "$T/a" import "$T/f.cbb"
edit "$T/for-a.cbb" "$T/f.cbb" next 1000000000000
expect_fail "a changed cursor" "signature at byte [0-9]+ does not verify" \
	agent -R "$T/a" import "$T/f.cbb"
edit "$T/for-a.cbb" "$T/f.cbb" flip 7
expect_fail "a flipped header byte" "signature at byte [0-9]+ does not verify" \
	agent -R "$T/a" import "$T/f.cbb"
head -c 300 "$T/for-a.cbb" > "$T/f.cbb"
expect_fail "a truncated bundle" "truncated at byte 300" agent -R "$T/a" import "$T/f.cbb"
edit "$T/for-a.cbb" "$T/f.cbb" append
expect_fail "trailing bytes" "trailing bytes from byte [0-9]+ on" agent -R "$T/a" import "$T/f.cbb"
edit "$T/for-a.cbb" "$T/f.cbb" v1
expect_fail "an old unsigned CBB1 bundle" "older chibo \(CBB1\).*export it again" \
	agent -R "$T/a" import "$T/f.cbb"
expect_eq "none of them took anything in" "$na" "$(entry_count "$T/a")"
expect_eq "nor moved the cursor" "" "$(meta a pull_cursor)"

expect_match "a imports it" "imported [1-9][0-9]* entries" "$(agent -R "$T/a" import "$T/for-a.cbb")"
expect_match "again: nothing new" "imported 0 entries" "$(agent -R "$T/a" import "$T/for-a.cbb")"
expect_eq "the cursor is the bundle's next: the hub's log as it signed it" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT max(size) FROM checkpoints")" "$(meta a pull_cursor)"
expect_eq "a keeps the hub's checkpoint, as a first sync would" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1")" \
	"$(meta a log_checkpoint)"
held=$(meta a log_checkpoint)
agent -R "$T/b" member add --name "Phạm Văn b" --birth 1980-01-01 --sex male \
	--card b-2 --admitted 2005-01-01 --cell 01 >/dev/null
agent -R "$T/b" export "$T/b2.cbb" >/dev/null
hub import "$T/b2.cbb" >/dev/null
cur=$(meta a pull_cursor)
hub export --for 07297 --after "$cur" "$T/for-a2.cbb" >/dev/null
expect_match "a later bundle" "imported 0 entries" "$(agent -R "$T/a" import "$T/for-a2.cbb")"
expect_eq "moves the cursor on" "$(sqlite3 "$T/hub/hub.db" "SELECT max(size) FROM checkpoints")" \
	"$(meta a pull_cursor)"
expect_eq "but keeps the checkpoint it holds: a bundle proves no consistency" \
	"$held" "$(meta a log_checkpoint)"
cur=$(meta a pull_cursor)
expect_match "the earlier bundle again" "imported 0 entries" "$(agent -R "$T/a" import "$T/for-a.cbb")"
expect_eq "does not move the cursor back" "$cur" "$(meta a pull_cursor)"
expect_eq "a equals the hub's view of its scope" \
	"$(hub digest --org 07297)" "$(agent -R "$T/a" digest)"
expect_eq "and holds none of b's members" "0" \
	"$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM members WHERE card_no = 'b-1'")"
expect_ok "a verifies" agent -R "$T/a" verify
expect_ok "the hub verifies" hub verify

# a replica whose hub is not set takes no bundle: nothing to check it by
k=$(agent -R "$T/n" init --code 07299 --name "Đảng bộ xã n" --parent BG.LG |
	sed -n 's/^public key: //p')
hub enroll "$k" --org 07299 --role commune >/dev/null
hub export --for 07299 "$T/for-n.cbb" >/dev/null
expect_fail "an import before the hub is set" "set the hub first: chibo-agent hub" \
	agent -R "$T/n" import "$T/for-n.cbb"
agent -R "$T/n" hub --url https://127.0.0.1:9 --pin "$PIN" --key "$HK" >/dev/null
expect_match "once it is set, the bundle is taken in" "imported [1-9][0-9]* entries" \
	"$(agent -R "$T/n" import "$T/for-n.cbb")"
expect_ok "and the replica verifies" agent -R "$T/n" verify

# a hub that rewrote an entry and signed its log again shows n a tree of
# the size n holds with another root: both notes kept, nothing taken in
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
hub_clone "$T/hub" "$T/hub2"
entry_rewrite "$T/hub2/hub.db" "WHERE op = 'member.add' ORDER BY lsn LIMIT 1" \
	"Nguyễn Văn a" "Nguyễn Văn x"
"$CHIBO_FORGE" resign "$T/hub2" >/dev/null
"$CHIBO_HUB_BIN" --dir "$T/hub2" export --for 07299 "$T/for-n2.cbb" >/dev/null
n3=$(entry_count "$T/n")
expect_fail "a checkpoint of the same size with another root" \
	"the hub's log is not the one it showed before: .* holds its tree of [0-9]+ entries with another root" \
	agent -R "$T/n" import "$T/for-n2.cbb"
expect_eq "nothing taken in" "$n3" "$(entry_count "$T/n")"
expect_match "both signed notes kept as evidence" '"held":.*"served":' "$(meta n log_evidence)"
expect_fail "and imports stay stopped" "holds evidence that the hub's log changed" \
	agent -R "$T/n" import "$T/for-n.cbb"

# a replica restored from a copy signs another entry 7: its bundle is a
# fork, whose evidence the hub keeps as a push's, freezing the key
cp -r "$T/a" "$T/a-twin"
agent -R "$T/a" member add --name "Lê Văn Bảy" --birth 1980-01-01 --sex male \
	--card a-7 --admitted 2005-01-01 --cell 01 >/dev/null
agent -R "$T/a-twin" member add --name "Lê Văn Tám" --birth 1980-01-01 --sex male \
	--card a-8 --admitted 2005-01-01 --cell 01 >/dev/null
agent -R "$T/a" export "$T/a3.cbb" >/dev/null
agent -R "$T/a-twin" export "$T/twin.cbb" >/dev/null
expect_match "the hub takes a's entry 7" "imported 1 entries" "$(hub import "$T/a3.cbb")"
n2=$(hubcount)
expect_fail "the twin's bundle is a fork" \
	"fork: entry 7 differs.*kept as evidence, nothing else was taken in" \
	hub import "$T/twin.cbb"
expect_eq "only the other entry 7 was kept" $((n2 + 1)) "$(hubcount)"
expect_fail "and the key is frozen" "is frozen" hub import "$T/a3.cbb"
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bundle.sh — the sync on a file, for a commune with no link: an agent
# exports what the hub lacks, the hub imports it with a push's checks, the
# hub exports a commune's scope and the agent imports it; twice changes
# nothing; truncated, tampered and misdirected bundles are refused with one
# line naming where, and nothing is taken in.
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

# damaged bundles: refused, one line, where, nothing taken in
n1=$(hubcount)
head -c 100 "$T/a.cbb" > "$T/cut.cbb"
expect_fail "a truncated bundle" "truncated at byte 100" hub import "$T/cut.cbb"
python3 -c '
import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[-40] ^= 1
open(sys.argv[2], "wb").write(b)' "$T/a.cbb" "$T/bad.cbb"
expect_fail "a tampered bundle" "byte [0-9]+" hub import "$T/bad.cbb"
expect_fail "not a bundle at all" "not a chibo bundle" hub import "$CHIBO_SOURCE_DIR/README.md"
expect_eq "nothing was taken in" "$n1" "$(hubcount)"
# a bundle whose entries were re-signed by nobody: one entry's byte flipped
python3 - "$T/a.cbb" "$T/forged.cbb" <<'PY'
import hashlib, struct, subprocess, sys
b = open(sys.argv[1], "rb").read()
olen = b[5]; off = 6 + olen + 8 + 8 + 4
zlen = struct.unpack(">I", b[off:off + 4])[0]
z = b[off + 4:off + 4 + zlen]
raw = bytearray(subprocess.run(["zstd", "-q", "-d", "-c"], input=z,
                capture_output=True, check=True).stdout)
raw[200] ^= 1                       # inside the second entry
z2 = subprocess.run(["zstd", "-q", "-c"], input=bytes(raw), capture_output=True,
                    check=True).stdout
head = b[:off] + struct.pack(">I", len(z2)) + z2
open(sys.argv[2], "wb").write(head + hashlib.sha256(head).digest())
PY
expect_fail "an entry altered, the checksum recomputed" "entry [0-9]+, at byte [0-9]+" \
	hub import "$T/forged.cbb"
expect_eq "nothing was taken in" "$n1" "$(hubcount)"

# a bundle whose chain has a gap: all or nothing, so nothing
for i in 2 3 4; do
	agent -R "$T/a" member add --name "Trần Văn $i" --birth 1980-01-01 --sex male \
		--card "a-$i" --admitted 2005-01-01 --cell 01 >/dev/null
done
agent -R "$T/a" export "$T/a2.cbb" >/dev/null
python3 - "$T/a2.cbb" "$T/gap.cbb" <<'PY'
import hashlib, struct, subprocess, sys
b = open(sys.argv[1], "rb").read()
olen = b[5]; off = 6 + olen + 8 + 8 + 4
zlen = struct.unpack(">I", b[off:off + 4])[0]
raw = subprocess.run(["zstd", "-q", "-d", "-c"], input=b[off + 4:off + 4 + zlen],
                     capture_output=True, check=True).stdout
ents, at = [], 0
while at < len(raw):
    n = struct.unpack(">I", raw[at:at + 4])[0]; ents.append(raw[at:at + n + 4]); at += n + 4
keep = ents[:4] + ents[5:]          # seq 1..4, then 6: entry 5 is missing
z2 = subprocess.run(["zstd", "-q", "-c"], input=b"".join(keep),
                    capture_output=True, check=True).stdout
head = b[:off - 4] + struct.pack(">II", len(keep), len(z2)) + z2
open(sys.argv[2], "wb").write(head + hashlib.sha256(head).digest())
PY
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
expect_match "a imports it" "imported [1-9][0-9]* entries" "$(agent -R "$T/a" import "$T/for-a.cbb")"
expect_match "again: nothing new" "imported 0 entries" "$(agent -R "$T/a" import "$T/for-a.cbb")"
expect_eq "a equals the hub's view of its scope" \
	"$(hub digest --org 07297)" "$(agent -R "$T/a" digest)"
expect_eq "and holds none of b's members" "0" \
	"$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM members WHERE card_no = 'b-1'")"
expect_ok "a verifies" agent -R "$T/a" verify
expect_ok "the hub verifies" hub verify

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

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_invite.sh — enrolment without hex: 'chibo-hub enroll --invite'
# writes the invitation file (URL, TLS pin, hub key and log name, the
# enrolment, signed by the hub's key) that 'chibo-agent hub --invite'
# reads and checks, and the replica then syncs. Forgeries are refused and
# record nothing: a flipped byte, a signature cut off or flipped, another
# hub's key inside, a truncated file, an invitation for another replica,
# a hub at the URL that holds another TLS key or signs with another key,
# hostile paths (a directory, a device, a pipe, a huge file); an
# invitation is never written over a file or through a symlink.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"

start_hub
A=$(agent -R "$T/a" init --code 26734 --name "Đảng bộ xã Quế Nham" --parent BG.LG |
	sed -n 's/^public key: //p')
out=$(hub enroll "$A" --org 26734 --role commune --invite "$T/a.invite" --url "$URL")
expect_match "enroll --invite writes the file" "wrote the invitation for 26734 \(commune\)" "$out"
expect_eq "the invitation is readable by all, not secret" 644 "$(stat -c %a "$T/a.invite")"
expect_eq "it is a signed note of the format's lines" \
	"chibo invitation v1|url $URL|pin $PIN|hub chibo/hub/BG.LG|hub-key $HK|org 26734|role commune|key $A||" \
	"$(head -n 9 "$T/a.invite" | tr '\n' '|')"
expect_match "its signature line is the hub's" '^— chibo/hub/BG\.LG [A-Za-z0-9+/=]+$' "$(tail -n 1 "$T/a.invite")"

# written again: never over a file, never through a symlink
expect_fail "never over a file" "exists: an invitation is never written over a file" \
	hub invite "$A" --url "$URL" --out "$T/a.invite"
ln -s "$T/elsewhere" "$T/link.invite"
expect_fail "never through a symlink" "exists" hub invite "$A" --url "$URL" --out "$T/link.invite"
expect_eq "the symlink's target was not made" no "$([ -e "$T/elsewhere" ] && echo yes || echo no)"
expect_fail "an unenrolled key has no invitation" "is not enrolled here" \
	hub invite "$(printf '%064d' 7)" --url "$URL" --out "$T/x.invite"
expect_fail "enroll --invite needs --url" "--invite and --url go together" \
	hub enroll "$A" --org 26734 --role commune --invite "$T/y.invite"
expect_eq "a refused invite leaves no file, no temporary" "" \
	"$(ls "$T" | grep -E '^(x|y)\.invite' || true)"

# the clerk's side
out=$(agent -R "$T/a" hub --invite "$T/a.invite")
expect_match "hub --invite records the hub, checked" \
	"syncs with $URL: chibo/hub/BG.LG, hub key ${HK:0:12}… \(checked" "$out"
agent -R "$T/a" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
expect_ok "and the replica syncs" agent -R "$T/a" sync
expect_eq "the same as typing the strings" "$URL $PIN" \
	"$(sqlite3 "$T/a/replica.db" "SELECT (SELECT value FROM meta WHERE key = 'hub_url') || ' ' || (SELECT value FROM meta WHERE key = 'hub_pin')")"

# --- forgeries: each refused, nothing recorded ---------------------------
B=$(agent -R "$T/b" init --code 26735 --name "Đảng bộ xã Tây" --parent BG.LG |
	sed -n 's/^public key: //p')
hub enroll "$B" --org 26735 --role commune --invite "$T/b.invite" --url "$URL" >/dev/null
unset_hub() { sqlite3 "$T/b/replica.db" "SELECT count(*) FROM meta WHERE key IN ('hub_url', 'hub_pin')"; }
refused() { # DESC PATTERN FILE
	expect_fail "$1" "$2" agent -R "$T/b" hub --invite "$3"
	expect_eq "$1: nothing recorded" 0 "$(unset_hub)"
}
python3 - "$T/b.invite" "$T" <<'PY'
import sys
src, d = sys.argv[1], sys.argv[2]
b = open(src, "rb").read()
def w(name, data): open(d + "/" + name, "wb").write(data)
i = b.index(b"org 26735") + 8
w("flip-org.invite", b[:i] + b"6" + b[i + 1:])            # 26735 -> 26736
i = b.index(b"url https://") + 12
w("flip-url.invite", b[:i] + bytes([b[i] ^ 1]) + b[i + 1:])  # one bit of the host
sig = b.rindex(b" ") + 10
w("flip-sig.invite", b[:sig] + (b"A" if b[sig:sig + 1] != b"A" else b"B") + b[sig + 1:])
w("nosig.invite", b[:b.index(b"\n\n") + 2])
w("truncated.invite", b[:len(b) // 2])
w("trailing.invite", b.replace(b"key ", b"key  ", 1))
w("extra.invite", b.replace(b"role commune\n", b"role commune\nnote hello\n"))
w("empty.invite", b"")
w("huge.invite", b * 40)
PY
refused "a flipped byte in a field" "not a valid invitation.*does not verify" "$T/flip-org.invite"
refused "a flipped bit of the URL" "not a valid invitation.*does not verify" "$T/flip-url.invite"
refused "a flipped byte of the signature" "not a valid invitation" "$T/flip-sig.invite"
refused "no signature" "not a valid invitation" "$T/nosig.invite"
refused "truncated" "not a valid invitation" "$T/truncated.invite"
refused "a line not of the format" "not a valid invitation.*: line [0-9]" "$T/trailing.invite"
refused "a line more" "not a valid invitation.*: line [0-9]" "$T/extra.invite"
refused "empty" "not a valid invitation" "$T/empty.invite"
refused "over 4096 bytes" "over 4096 bytes" "$T/huge.invite"
# another hub's key inside, the rest as the district wrote it
hub2() { "$CHIBO_HUB_BIN" --dir "$T/hub2" "$@"; }
HK2=$(hub2 init --code BG.YD --name "Huyện ủy Yên Dũng" | sed -n 's/^hub key: //p')
sed "s/^hub-key .*/hub-key $HK2/" "$T/b.invite" > "$T/wrongkey.invite"
refused "another hub's key inside" "not a valid invitation.*(does not verify|no signature)" "$T/wrongkey.invite"
refused "an invitation for another replica" "invites key ${A:0:12}… of 26734; this replica is key ${B:0:12}… of 26735" "$T/a.invite"
# hostile paths
refused "a directory" "not a regular file" "$T"
refused "a device" "not a regular file" /dev/zero
mkfifo "$T/pipe"
refused "a pipe (not read, not waited on)" "not a regular file" "$T/pipe"
refused "a file that is not there" "cannot open the invitation" "$T/nothing.invite"
expect_fail "--invite with --url" "not both" agent -R "$T/b" hub --invite "$T/b.invite" --url "$URL"

# a hub that holds another TLS key: hub2's own invitation for B, naming
# the real hub's URL (hub2 signed it: only the hub at the URL can tell)
hub2 enroll "$B" --org 26735 --role commune --invite "$T/hub2-url.invite" --url "$URL" >/dev/null
refused "the hub at the URL holds another TLS key than the pin" \
	"does not hold the TLS key of the invitation's pin" "$T/hub2-url.invite"
# hub3 holds the real hub's TLS key (so the pin matches) but its own
# signing key: the hub at the URL signs with another key
mkdir -p "$T/hub3"
"$CHIBO_HUB_BIN" --dir "$T/hub3" init --code BG.LG --name "Huyện ủy giả" >/dev/null
cp "$T/hub/tls.key" "$T/hub/tls.crt" "$T/hub3/"
"$CHIBO_HUB_BIN" --dir "$T/hub3" enroll "$B" --org 26735 --role commune \
	--invite "$T/hub3.invite" --url "$URL" >/dev/null
expect_eq "hub3's invitation carries the real hub's pin" "$PIN" "$(sed -n 's/^pin //p' "$T/hub3.invite")"
refused "the hub at the URL signs with another key than the invitation's" \
	"its log is not signed by the invitation's hub key" "$T/hub3.invite"
# an invitation whose key the hub does not know (revoked since)
C=$(agent -R "$T/c" init --code 26736 --name "Đảng bộ xã Nam" --parent BG.LG | sed -n 's/^public key: //p')
hub enroll "$C" --org 26736 --role commune --invite "$T/c.invite" --url "$URL" >/dev/null
hub revoke "$C" --reason "máy mất" >/dev/null
expect_fail "a revoked key's invitation: the hub does not know it" "does not know this replica's key" \
	agent -R "$T/c" hub --invite "$T/c.invite"

# the genuine one still works, and a second hub needs --replace
expect_match "B's own invitation" "checked" "$(agent -R "$T/b" hub --invite "$T/b.invite")"
kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null
expect_fail "moving to another hub needs --replace" "syncs with the hub of key ${HK:0:12}… .*--replace" \
	agent -R "$T/b" hub --invite "$T/hub3.invite"
# no hub answering: recorded, the first sync checks
out=$(agent -R "$T/b" hub --invite "$T/b.invite" 2>&1)
expect_match "no hub answering: said, and recorded" "could not be asked now.*first sync checks" "$out"
expect_match "…recorded" "syncs with $URL" "$out"
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_sealed_key.sh — the signing key sealed with a passphrase, with a
# real hub: a replica made sealed signs only with its passphrase (a wrong
# one, or none without a terminal, signs nothing); a nightly sync with no
# passphrase at all pushes and pulls through the sync key; an entry the
# sync key signs is refused by the hub's door, its bundle import and the
# audit; a plain replica keeps working, is told it is not sealed, and is
# sealed in place; a passphrase is changed; damaged key files are refused
# in one line.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"
printf 'cây đa giếng nước sân đình\n' > "$T/pass"
printf 'not the passphrase\n' > "$T/wrong"
start_hub
A() { agent -R "$T/a" "$@"; }
# the clerk's shell: the passphrase from its file; the timer's: none
clerk() { CHIBO_PASSPHRASE_FILE="$T/pass" "$@"; }
timer() { env -u CHIBO_PASSPHRASE_FILE setsid "$@" </dev/null; }

# --- a replica made sealed ---------------------------------------------------
out=$(clerk agent -R "$T/a" init --code 07297 --name "Đảng bộ xã Quế Nham" \
	--parent BG.LG 2>&1)
expect_match "init seals with the passphrase given" "is sealed with the passphrase" "$out"
KA=$(printf '%s\n' "$out" | sed -n 's/^public key: //p')
expect_eq "the key file is sealed" "CHIBOKEY" "$(head -c 8 "$T/a/agent.key")"
expect_eq "and 0600" "600" "$(stat -c %a "$T/a/agent.key")"
expect_eq "the sync key beside it is 0600" "600" "$(stat -c %a "$T/a/sync.key")"
expect_eq "no seed in the clear" 0 "$(grep -c chibo-secret-key "$T/a/agent.key" || true)"
hub enroll "$KA" --org 07297 --role commune >/dev/null
A hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
expect_match "status says it is sealed" "signing key: +sealed" "$(A status)"
expect_eq "status --json too" true \
	"$(A status --json | python3 -c 'import json,sys; print(str(json.load(sys.stdin)["key_sealed"]).lower())')"

expect_ok "the clerk signs with the passphrase" clerk A cell create --code 01 \
	--name "Chi bộ thôn 1" --kind residential
n=$(entry_count "$T/a")
expect_fail "a wrong passphrase signs nothing" \
	"cannot open the signing key: wrong passphrase" \
	env CHIBO_PASSPHRASE_FILE="$T/wrong" "$CHIBO_AGENT" -R "$T/a" cell \
	create --code 02 --name "Chi bộ thôn 2" --kind residential
expect_fail "no passphrase and no terminal signs nothing" \
	"no terminal to ask the passphrase on" \
	timer "$CHIBO_AGENT" -R "$T/a" cell create --code 02 --name "Chi bộ thôn 2" \
	--kind residential
printf '{"op":"cell.create","code":"03","name":"Chi bộ thôn 3","kind":"residential"}\n' > "$T/ops"
expect_fail "nor does apply" "wrong passphrase" \
	env CHIBO_PASSPHRASE_FILE="$T/wrong" "$CHIBO_AGENT" -R "$T/a" apply "$T/ops"
expect_fail "nor export" "wrong passphrase" \
	env CHIBO_PASSPHRASE_FILE="$T/wrong" "$CHIBO_AGENT" -R "$T/a" export "$T/x.cbb"
expect_eq "nothing was written" "$n" "$(entry_count "$T/a")"
expect_ok "apply with the passphrase" clerk A apply "$T/ops"
for i in 1 2 3; do
	clerk A member add --name "Nguyễn Văn Sơn $i" --birth 1980-01-01 \
		--sex male --admitted 2005-01-01 --cell 01 >/dev/null
done

# --- the nightly sync, with no passphrase ------------------------------------
expect_ok "the timer syncs with the sync key alone" timer "$CHIBO_AGENT" -R "$T/a" sync
expect_synced a 07297
SK=$(sed -n 3p "$T/a/sync.key" | cut -c65-128) # the grant names it
expect_match "the grant names a key" "^[0-9a-f]{64}$" "$SK"
expect_eq "the sync key is enrolled nowhere" 0 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM enrolments WHERE key = '$SK'")"
expect_eq "and the hub holds no entry of it" 0 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE lower(hex(author)) = '$SK'")"
expect_eq "the hub counts the contact as the commune's" 1 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM contacts WHERE key = '$KA'")"
# another commune's entry reaches a by the timer's pull
commune b 07298 >/dev/null
agent -R "$T/b" cell create --code 01 --name "Chi bộ" --kind residential >/dev/null
agent -R "$T/b" sync >/dev/null
timer "$CHIBO_AGENT" -R "$T/a" sync >/dev/null
expect_eq "and pulls what its scope holds" 1 \
	"$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM entries WHERE op = 'org.init' AND instr(bytes, CAST('07298' AS BLOB)) > 0")"

# --- what a thief does with the sync key -------------------------------------
"$CHIBO_FORGE" sync-entry "$T/a" cell.create \
	'{"code":"09","name":"Chi bộ giả","kind":"residential"}' "$T/thief.cbb" >/dev/null
out=$("$CHIBO_FORGE" sync-push "$T/a" "$URL" "$PIN" "$T/thief.cbb" grant)
expect_match "the hub's door refuses the sync key's entry, granted request or not" "^400 .*entry 1 is by another author than the request's key" "$out"
out=$("$CHIBO_FORGE" sync-push "$T/a" "$URL" "$PIN" "$T/thief.cbb" nogrant)
expect_match "the sync key alone is no enrolled key" "^401 .*not enrolled" "$out"
while IFS='|' read -r how want; do
	out=$(clerk "$CHIBO_FORGE" sync-push "$T/a" "$URL" "$PIN" "$T/thief.cbb" "$how")
	expect_match "a request with a grant $how is refused" "^401 .*$want" "$out"
done <<EOT
badgrant|the grant's signature does not verify
future|the grant is dated in the future
stranger|key [0-9a-f]{12} is not enrolled at this hub
mismatch|the grant is for another key than the one that signed the request
enrolled=$T/b|key [0-9a-f]{12} is enrolled itself: it signs its requests without a grant
EOT
expect_fail "the hub's import refuses its bundle" "refused: key [0-9a-f]{12} is not enrolled at this hub; nothing was taken in" \
	hub import "$T/thief.cbb"
expect_eq "the hub holds nothing of it" 0 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE instr(bytes, CAST('Chi bộ giả' AS BLOB)) > 0")"
# a hub that took it anyway (its database changed behind it) fails the audit
rm -rf "$T/evil" && mkdir "$T/evil" && cp "$T/hub/hub.db" "$T/hub/hub.key" "$T/evil/"
"$CHIBO_FORGE" plant "$T/evil" "$T/thief.cbb" >/dev/null
"$CHIBO_FORGE" resign "$T/evil" >/dev/null
out=$("$CHIBO_AUDIT_BIN" --dir "$T/aud" verify --db "$T/evil/hub.db"); rc=$?
expect_eq "the audit fails" 1 "$rc"
expect_match "on the sync key's entry" "cell.create\) is by key [0-9a-f]+, which the log never enrolled" "$out"
# a grant the signing key did not make is refused
python3 - "$T/a/sync.key" "$T/forged.key" <<'PY'
import sys
l = open(sys.argv[1]).read().split("\n")
g = bytearray.fromhex(l[2]); g[100] ^= 1
open(sys.argv[2], "w").write("\n".join([l[0], l[1], g.hex(), ""]))
PY
cp -a "$T/a" "$T/a2" && cp "$T/forged.key" "$T/a2/sync.key" && chmod 600 "$T/a2/sync.key"
expect_fail "a sync key with a forged grant is refused" \
	"was not granted by this replica's signing key" \
	timer "$CHIBO_AGENT" -R "$T/a2" sync

# --- an old replica with a plain key -----------------------------------------
commune c 07299 >/dev/null
expect_match "status warns that the key is not sealed" "signing key: +NOT sealed" \
	"$(agent -R "$T/c" status)"
expect_ok "a plain key still signs" agent -R "$T/c" cell create --code 01 \
	--name "Chi bộ" --kind residential
expect_ok "and syncs" agent -R "$T/c" sync
pk_before=$(agent -R "$T/c" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])')
printf 'short\n' > "$T/short"
expect_fail "a short passphrase seals nothing" "needs 8 characters" \
	env CHIBO_PASSPHRASE_FILE="$T/short" "$CHIBO_AGENT" -R "$T/c" key seal
expect_eq "the key is as it was, and no sync key made" \
	"chibo-secret-key-v1 absent" \
	"$(head -1 "$T/c/agent.key") $(test -e "$T/c/sync.key" && echo present || echo absent)"
expect_ok "it is sealed in place" clerk agent -R "$T/c" key seal
expect_eq "the key file is sealed now" "CHIBOKEY" "$(head -c 8 "$T/c/agent.key")"
expect_eq "the same key" "$pk_before" \
	"$(agent -R "$T/c" status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])')"
expect_fail "sealed twice is refused" "sealed already" clerk agent -R "$T/c" key seal
clerk agent -R "$T/c" member add --name "Trần Thị Hoa" --birth 1985-02-02 \
	--sex female --admitted 2010-01-01 --cell 01 >/dev/null
expect_ok "the timer syncs it without the passphrase" timer "$CHIBO_AGENT" -R "$T/c" sync
expect_synced c 07299

# --- the passphrase changed --------------------------------------------------
printf 'một mật khẩu mới hơn\n' > "$T/new"
cp "$T/a/agent.key" "$T/a.key.before"
expect_fail "not with a wrong old passphrase" "wrong passphrase" \
	env CHIBO_PASSPHRASE_FILE="$T/wrong" CHIBO_NEW_PASSPHRASE_FILE="$T/new" \
	"$CHIBO_AGENT" -R "$T/a" key passphrase
expect_eq "which changes nothing" "" "$(cmp "$T/a/agent.key" "$T/a.key.before" 2>&1)"
expect_fail "nor to a short one" "needs 8 characters" \
	env CHIBO_PASSPHRASE_FILE="$T/pass" CHIBO_NEW_PASSPHRASE_FILE="$T/short" \
	"$CHIBO_AGENT" -R "$T/a" key passphrase
expect_ok "changed with the old one" env CHIBO_PASSPHRASE_FILE="$T/pass" \
	CHIBO_NEW_PASSPHRASE_FILE="$T/new" "$CHIBO_AGENT" -R "$T/a" key passphrase
expect_fail "the old one opens it no more" "wrong passphrase" \
	clerk A cell create --code 04 --name "Chi bộ thôn 4" --kind residential
expect_ok "the new one does" env CHIBO_PASSPHRASE_FILE="$T/new" \
	"$CHIBO_AGENT" -R "$T/a" cell create --code 04 --name "Chi bộ thôn 4" \
	--kind residential
expect_ok "a new sync key" env CHIBO_PASSPHRASE_FILE="$T/new" \
	"$CHIBO_AGENT" -R "$T/a" key sync-key
expect_ok "the timer syncs with it" timer "$CHIBO_AGENT" -R "$T/a" sync
expect_synced a 07297

# --- damaged key files, one line each ----------------------------------------
cp "$T/a/agent.key" "$T/good.key"
damaged() { # damaged DESC PATTERN: A's key replaced by $T/bad.key
	cp "$T/bad.key" "$T/a/agent.key"; chmod 600 "$T/a/agent.key"
	expect_fail "$1" "$2" env CHIBO_PASSPHRASE_FILE="$T/new" \
		"$CHIBO_AGENT" -R "$T/a" cell create --code 05 --name "Chi bộ 5" \
		--kind residential
	cp "$T/good.key" "$T/a/agent.key"
}
head -c 100 "$T/good.key" > "$T/bad.key"
damaged "a sealed key cut short" "not a chibo secret key"
{ cat "$T/good.key"; printf 'x'; } > "$T/bad.key"
damaged "a sealed key with a byte after it" "not a chibo secret key"
for at in 8 9 12 30 50 70 120 147; do
	python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read())
b[int(sys.argv[3])] ^= 1; open(sys.argv[2], "wb").write(b)' \
		"$T/good.key" "$T/bad.key" "$at"
	damaged "a sealed key with byte $at flipped" \
		"wrong passphrase, or its file was changed|format 0|does not accept|not a chibo secret key"
done
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read())
b[12:20] = (1 << 40).to_bytes(8, "big"); open(sys.argv[2], "wb").write(b)' \
	"$T/good.key" "$T/bad.key"
damaged "a sealed key asking 2^40 Argon2id passes" "does not accept .*Argon2id cost"
expect_eq "none of them signed anything" 0 \
	"$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM entries WHERE instr(bytes, CAST('Chi bộ 5' AS BLOB)) > 0")"
expect_ok "the good key still verifies" A verify
rm -rf "$T/hubx" && cp -a "$T/hub" "$T/hubx" && cp "$T/good.key" "$T/hubx/hub.key"
expect_fail "a hub's key cannot be sealed: it signs unattended" \
	"hub.key' is sealed with a passphrase, which a hub's key cannot be" \
	"$CHIBO_HUB_BIN" --dir "$T/hubx" status

# --- the laptop stolen: the succession closes its sync key too ---------------
K2=$(agent -R "$T/newlaptop" restore --code 07297 --no-seal 2>/dev/null | sed -n 's/^public key: //p')
hub enroll "$K2" --org 07297 --role commune >/dev/null
expect_ok "the district hands 07297 to a new key" hub succeed 07297 --key "$K2"
timer "$CHIBO_AGENT" -R "$T/a" sync >/dev/null 2>"$T/err"; rc=$?
expect_eq "the stolen laptop's timer is refused (77)" 77 "$rc"
expect_match "as its key was succeeded" "was succeeded by key" "$(cat "$T/err")"
finish

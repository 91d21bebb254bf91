#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_admin.sh — chibo-hub's administration through the real binary: init
# (files, modes, pin checked with OpenSSL), enrolments as signed entries of
# the hub's log, every refusal, and verify.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"
hub() { "$CHIBO_HUB_BIN" --dir "$T/hub" "$@"; }

out=$(hub init --code BG.LG --name "Huyện ủy Lạng Giang" --ip 10.0.0.5 2>&1)
expect_match "init prints the hub key" "^hub key: [0-9a-f]{64}$" "$out"
expect_match "init prints the pin" "^TLS pin: sha256//[A-Za-z0-9+/]{43}=$" "$out"
pin=$(printf '%s\n' "$out" | sed -n 's/^TLS pin: //p')
expect_eq "the key files are 0600" "600 600" \
	"$(stat -c %a "$T/hub/hub.key") $(stat -c %a "$T/hub/tls.key")"
expect_eq "pin prints the same pin" "$pin" "$(hub pin)"
expect_eq "OpenSSL computes the same pin" "$pin" "sha256//$(openssl x509 \
	-in "$T/hub/tls.crt" -pubkey -noout | openssl pkey -pubin -outform DER |
	openssl dgst -sha256 -binary | base64)"
expect_match "the certificate names the given address" "IP Address:10.0.0.5" \
	"$(openssl x509 -in "$T/hub/tls.crt" -noout -text)"
before=$(sha256sum "$T/hub/hub.key" "$T/hub/tls.key" "$T/hub/tls.crt")
expect_fail "init twice is refused" "a hub already exists" \
	hub init --code X --name Y
expect_eq "nothing was overwritten" "$before" \
	"$(sha256sum "$T/hub/hub.key" "$T/hub/tls.key" "$T/hub/tls.crt")"

k1=$(agent -R "$T/c1" init --code 07297 --name "Đảng bộ xã Quế Nham" |
	sed -n 's/^public key: //p')
k2=$(agent -R "$T/c2" init --code 07298 --name "Đảng bộ xã Tân Hưng" |
	sed -n 's/^public key: //p')
expect_ok "enroll" hub enroll "$k1" --org 07297 --role commune \
	--name "Văn phòng Đảng ủy xã Quế Nham"
K2=$(printf '%s' "$k2" | tr a-f A-F)
expect_ok "enroll with an upper-case key" hub enroll "$K2" --org 07298 \
	--role commune
out=$(hub list --json)
expect_match "the key is stored lower-case" "\"key\": \"$k2\"" "$out"
expect_match "list shows the enrolment" "07297 .*commune .*Quế Nham .*active" \
	"$(hub list)"
expect_fail "enrolling twice" "already enrolled for '07297'; revoke it first" \
	hub enroll "$k1" --org 07297 --role commune
expect_fail "a key that is not a curve point" "is not an Ed25519 public key" \
	hub enroll "$(printf '%064d' 0)" --org 1 --role commune
expect_fail "a key that is not 64 hex digits" "must be 64 lowercase hex" \
	hub enroll abc --org 1 --role commune
expect_fail "an unknown role" "must be commune, district, auditor or hub" \
	hub enroll "$k1" --org 1 --role king
expect_ok "revoke" hub revoke "$k1" --reason "máy hỏng"
expect_fail "revoking twice" "already revoked" hub revoke "$k1"
expect_fail "a revoked key is never enrolled again" "was revoked" \
	hub enroll "$k1" --org 07297 --role commune
expect_fail "revoking an unknown key" "is not enrolled" \
	hub revoke "$(printf '%064d' 1)"
expect_eq "list hides revoked keys" "1" "$(hub list --json | grep -c '"key"')"
expect_match "list --all shows the revocation" "revoked .*máy hỏng" \
	"$(hub list --all)"
out=$(hub verify)
expect_match "the hub's log verifies" "^4 entries from 1 author: all" "$out"
# Only the authority enrols: a commune replica refuses key.enroll.
expect_fail "a replica knows no authority" "knows no authority" \
	agent -R "$T/c1" apply - <<< "{\"op\": \"key.enroll\", \"key\": \"$k2\", \"org\": \"x\", \"role\": \"commune\"}"
# A hub's log is a ledger like a replica's: a tampered byte is caught.
if [ -f "$T/hub/database" ]; then # a hub on PostgreSQL (pglib.sh)
	"$PG_BIN/psql" -XAtq -d "$(head -1 "$T/hub/database")" -c "UPDATE entries
		SET bytes = set_byte(bytes, length(bytes) - 1,
			get_byte(bytes, length(bytes) - 1) # 1) WHERE seq = 2" >/dev/null
else
	python3 - "$T/hub/hub.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
b = bytearray(c.execute("SELECT bytes FROM entries WHERE seq = 2").fetchone()[0])
b[-1] ^= 1
c.execute("UPDATE entries SET bytes = ? WHERE seq = 2", (bytes(b),))
c.commit()
PY
fi
out=$(hub verify 2>&1); rc=$?
expect_eq "a tampered enrolment fails verify" 1 "$rc"
expect_match "and is named" "log position 2: .*signature does not verify" "$out"
expect_fail "no hub" "no hub in '$T/none'; run 'chibo-hub init'" \
	"$CHIBO_HUB_BIN" --dir "$T/none" list
# A lower hub's key, delegated a subtree under this hub's committee
kh=$(agent -R "$T/h2" init --code 07299 --name "Đảng bộ xã Tiên Lục" |
	sed -n 's/^public key: //p')
expect_ok "enroll a hub key with its parent" hub enroll "$kh" --org BG.YD \
	--role hub --parent BG.LG
expect_match "list shows the hub role" "BG.YD .*hub" "$(hub list)"
kp=$(agent -R "$T/h3" init --code 07300 --name "Đảng bộ xã Ngọc Châu" |
	sed -n 's/^public key: //p')
expect_fail "a parent other than where the organisation is" \
	"places 'BG.LG' under 'X', but it is under" \
	hub enroll "$kp" --org BG.LG --role district --parent X
finish

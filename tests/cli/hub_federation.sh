#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_federation.sh — many hubs, one country, with real hubs and agents: a
# province hub (Bắc Giang) over two district hubs (Lạng Giang, Yên Dũng),
# each over one commune. The province enrols each district hub's key with
# the role 'hub' for its committee; each district records the province as
# its higher hub and syncs with it. Then: the district's log reaches the
# province byte for byte (the province's view of each district equals the
# district's own); a member released by a commune of one district is
# accepted by a commune of the other, through the province, and every
# replica and hub on the path agrees on it (digests); a second sync moves
# nothing; a district hub the province did not enrol cannot sync, nor
# one given the wrong pin.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"

. "$CHIBO_SOURCE_DIR/tests/lib/fedlib.sh"

mkhub prov BG province "Tỉnh ủy Bắc Giang"
mkhub lg BG.LG district "Huyện ủy Lạng Giang" BG
mkhub yd BG.YD district "Huyện ủy Yên Dũng" BG
mkcommune a 07297 lg BG.LG
mkcommune b 07300 yd BG.YD
A() { agent -R "$T/a" "$@"; }
B() { agent -R "$T/b" "$@"; }

# the province delegates each district's subtree to its hub's key
expect_ok "the province enrols Lạng Giang's hub key with the role hub" \
	H prov enroll "${KEY[lg]}" --org BG.LG --role hub --parent BG
expect_ok "and Yên Dũng's" \
	H prov enroll "${KEY[yd]}" --org BG.YD --role hub --parent BG
for d in lg yd; do
	expect_match "district $d records the province as its higher hub" \
		"hub.join" "$(H $d upstream --url "${URL[prov]}" --pin "${PIN[prov]}" --key "${KEY[prov]}")"
done
expect_match "upstream again signs no second hub.join" "syncs with" \
	"$(H lg upstream --url "${URL[prov]}" --pin "${PIN[prov]}" --key "${KEY[prov]}")"
expect_eq "one hub.join in Lạng Giang's log" 1 \
	"$(sqlite3 "$T/lg/hub.db" "SELECT count(*) FROM entries WHERE op = 'hub.join'")"

# records in both communes, synced up through their districts
A cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
A member add --name "Dương Đăng Quyền" --birth 1972-04-12 --sex male --card m1 \
	--admitted 1998-05-19 --official 1999-05-19 --cell 01 >/dev/null
A member add --name "Nguyễn Thị Hằng" --birth 1985-01-01 --sex female --card m2 \
	--admitted 2010-01-01 --official 2011-01-01 --cell 01 >/dev/null
B cell create --code 01 --name "Chi bộ thôn Tân Lập" --kind residential >/dev/null
B member add --name "Lê Văn Bình" --birth 1975-05-05 --sex male --card b1 \
	--admitted 2001-01-01 --cell 01 >/dev/null
sync_all a b lg yd lg a b
expect_match "Lạng Giang relays its log up" "relayed [1-9][0-9]* entries" \
	"$(sqlite3 "$T/lg/hub.db" "SELECT 'relayed ' || value || ' entries' FROM meta WHERE key = 'relay_cursor'")"
expect_eq "the province holds every member of both districts" 3 \
	"$(sqlite3 "$T/prov/hub.db" "SELECT count(*) FROM members")"
expect_eq "each entry of Lạng Giang's communes, byte for byte" \
	"$(sqlite3 "$T/lg/hub.db" "SELECT hex(bytes) FROM entries WHERE hex(author) = (SELECT upper(key) FROM enrolments WHERE org = '07297') ORDER BY seq" | sha256sum)" \
	"$(sqlite3 "$T/prov/hub.db" "SELECT hex(bytes) FROM entries WHERE hex(author) = (SELECT upper(key) FROM enrolments WHERE org = '07297') ORDER BY seq" | sha256sum)"
expect_eq "nothing rejected at the province" 0 \
	"$(sqlite3 "$T/prov/hub.db" "SELECT count(*) FROM entries WHERE state = 'rejected'")"
expect_eq "nothing rejected at Lạng Giang" 0 \
	"$(sqlite3 "$T/lg/hub.db" "SELECT count(*) FROM entries WHERE state = 'rejected'")"
expect_eq "Lạng Giang sits under the province there" "BG" \
	"$(sqlite3 "$T/prov/hub.db" "SELECT parent FROM orgs WHERE code = 'BG.LG'")"
expect_eq "the province's view of Lạng Giang equals Lạng Giang's own" \
	"$(H prov digest --org BG.LG)" "$(H lg digest --org BG.LG)"
expect_eq "and of Yên Dũng" \
	"$(H prov digest --org BG.YD)" "$(H yd digest --org BG.YD)"
expect_eq "a equals Lạng Giang's view of it" "$(H lg digest --org 07297)" "$(A digest)"
expect_eq "Lạng Giang holds none of Yên Dũng's members" 0 \
	"$(sqlite3 "$T/lg/hub.db" "SELECT count(*) FROM members WHERE card_no IN ('b1', 'b2')")"
expect_eq "but knows Yên Dũng's commune (the directory)" 1 \
	"$(sqlite3 "$T/lg/hub.db" "SELECT count(*) FROM orgs WHERE code = '07300'")"
expect_eq "and a replica below it too" 1 \
	"$(sqlite3 "$T/a/replica.db" "SELECT count(*) FROM orgs WHERE code = '07300'")"

# a transfer across districts, through the province
expect_ok "a releases a member to a commune of Yên Dũng" \
	A member release card:m1 --to 07300 --letter "125-GGT/ĐU" \
	--letter-date 2026-11-01 --on 2026-11-02 --reason "chuyển công tác"
sync_all a lg yd b
expect_match "b receives the release with the member's dossier" "07297" "$(B transfers)"
rel=$(sqlite3 "$T/b/replica.db" "SELECT release FROM transfers LIMIT 1")
expect_ok "and accepts it" B member accept "$rel" --cell 01 --reported-on 2026-11-10
sync_all b yd lg a
expect_eq "the member is b's now, at the province" "07300" \
	"$(sqlite3 "$T/prov/hub.db" "SELECT org FROM members WHERE card_no = 'm1'")"
expect_match "a learns the answer" "accepted" "$(A transfers --all)"
expect_eq "a: its own view as Lạng Giang holds it" "$(H lg digest --org 07297)" "$(A digest)"
expect_eq "b: its own view as Yên Dũng holds it" "$(H yd digest --org 07300)" "$(B digest)"
expect_eq "the province and Lạng Giang agree on Lạng Giang" \
	"$(H prov digest --org BG.LG)" "$(H lg digest --org BG.LG)"
expect_eq "the province and Yên Dũng agree on Yên Dũng" \
	"$(H prov digest --org BG.YD)" "$(H yd digest --org BG.YD)"
for d in prov lg yd; do
	expect_ok "hub $d verifies" H $d verify
done
for d in prov lg yd; do
	H $d backup --plain "$T/$d-copy.db" >/dev/null
	out=$("$CHIBO_AUDIT_BIN" --dir "$T/aud" verify --db "$T/$d-copy.db" 2>&1); rc=$?
	expect_eq "an auditor verifies hub $d's log offline" 0 "$rc"
	[ "$rc" = 0 ] || echo "$out" | head -5 >&2
done
# a district's own commune's chain must be whole in its log: an entry
# taken out of a copy is a fault (others' chains it holds in part)
sqlite3 "$T/lg-copy.db" "DELETE FROM entries WHERE hex(author) = (SELECT upper(key) FROM enrolments WHERE org = '07297') AND seq = 2"
out=$("$CHIBO_AUDIT_BIN" --dir "$T/aud" verify --db "$T/lg-copy.db" 2>&1)
expect_match "a gap in a commune's chain below the district is a fault" \
	"entries 2..2 are missing" "$out"
expect_ok "a verifies" A verify
expect_ok "b verifies" B verify

# the province witnesses each district's log (C2SP tlog-witness)
expect_eq "the province cosigned Lạng Giang's latest checkpoint" \
	"$(sqlite3 "$T/lg/hub.db" "SELECT max(size) FROM checkpoints")" \
	"$(sqlite3 "$T/lg/hub.db" "SELECT value FROM meta WHERE key = 'witness_size'")"
expect_eq "and holds it" \
	"$(sqlite3 "$T/lg/hub.db" "SELECT value FROM meta WHERE key = 'witness_size'")" \
	"$(sqlite3 "$T/prov/hub.db" "SELECT size FROM witnessed WHERE origin = 'chibo/hub/BG.LG'")"
expect_match "the cosigned checkpoint carries the province's cosignature" \
	"^— chibo/hub/BG " \
	"$(sqlite3 "$T/lg/hub.db" "SELECT value FROM meta WHERE key = 'witnessed'" | grep -v "^$" | tail -1)"

expect_match "Lạng Giang's status shows its higher hub and the witness" \
	"higher hub: +https://127.0.0.1:[0-9]+: this log relayed up to [0-9]+, .* cosigned; last sync 20" \
	"$(H lg status)"

# idempotent: nothing new, nothing moves
out=$(H lg sync)
expect_match "a second sync relays nothing" "relayed 0 entries" "$out"
expect_match "and pulls nothing" "pulled 0 entries" "$out"

# with no link: Yên Dũng's relay goes up on a file, and what Lạng Giang
# needs comes down on one
B member add --name "Trịnh Văn Khải" --birth 1968-06-06 --sex male --card b2 \
	--admitted 1995-01-01 --cell 01 >/dev/null
expect_ok "b syncs with its district" B sync
expect_match "Yên Dũng writes its relay to a file" "wrote this hub's log after" \
	"$(H yd export --relay "$T/yd.relay")"
expect_fail "a district cannot import its own relay" "own relay" \
	H yd import "$T/yd.relay"
cp "$T/yd.relay" "$T/bad.relay"
printf 'x' | dd of="$T/bad.relay" bs=1 seek=40 conv=notrunc 2>/dev/null
expect_fail "a relay file with a byte changed is refused" "signature|refused|not" \
	H prov import "$T/bad.relay"
expect_fail "nor Lạng Giang Yên Dũng's" "enrolled as|not enrolled|not as a hub|enrolled for" \
	H lg import "$T/yd.relay"
expect_match "the province imports the relay" "imported the relay of 'BG.YD'" \
	"$(H prov import "$T/yd.relay")"
expect_eq "and holds b's new member" 1 \
	"$(sqlite3 "$T/prov/hub.db" "SELECT count(*) FROM members WHERE card_no = 'b2'")"
expect_match "importing it twice changes nothing" "0 entries new" \
	"$(H prov import "$T/yd.relay")"
cursor=$(sqlite3 "$T/lg/hub.db" "SELECT value FROM meta WHERE key = 'pull_cursor'")
expect_ok "the province writes Lạng Giang's bundle" \
	H prov export --for BG.LG "$T/lg.cbb" --after "$cursor"
expect_fail "Yên Dũng cannot take Lạng Giang's bundle" "not a hub's bundle for this hub's 'BG.YD'" \
	H yd import "$T/lg.cbb"
expect_match "Lạng Giang imports it" "imported [0-9]+ entries from the higher hub" \
	"$(H lg import "$T/lg.cbb")"
expect_eq "its pull cursor moved over it" \
	"$(sqlite3 "$T/prov/hub.db" "SELECT max(lsn) FROM entries")" \
	"$(sqlite3 "$T/lg/hub.db" "SELECT value FROM meta WHERE key = 'pull_cursor'")"
expect_ok "and it verifies" H lg verify
expect_eq "the province and Yên Dũng agree on Yên Dũng after the file" \
	"$(H prov digest --org BG.YD)" "$(H yd digest --org BG.YD)"
sync_all a lg yd

# a commune checks its hub's checkpoint against the one the province
# cosigned: it knows the witness from its hub's hub.join
expect_eq "a knows its hub's witness: the province's key" "${KEY[prov]}" \
	"$(sqlite3 "$T/a/replica.db" "SELECT key FROM witnesses WHERE hub = '${KEY[lg]}'")"
expect_ok "a's sync checks the cosigned checkpoint" A sync
# a hub that shows a checkpoint its witness did not cosign: caught
cp -r "$T/a" "$T/a2"
sqlite3 "$T/lg/hub.db" "CREATE TABLE saved AS SELECT value FROM meta WHERE key = 'witnessed'; UPDATE meta SET value = replace(value, 'chibo/hub/BG ', 'chibo/hub/BG x') WHERE key = 'witnessed'"
out=$(agent -R "$T/a2" sync 2>&1); rc=$?
expect_eq "a cosignature that does not verify stops the commune's sync (77)" 77 "$rc"
expect_match "and says so" "witness" "$out"
expect_match "with the evidence kept" "EVIDENCE" "$(agent -R "$T/a2" status)"
sqlite3 "$T/lg/hub.db" "UPDATE meta SET value = (SELECT value FROM saved) WHERE key = 'witnessed'; DROP TABLE saved"
expect_ok "the honest hub's checkpoint passes again" A sync

# a district whose log is not the one its witness cosigned before (here
# the province's record of it altered, as if it had been shown another
# tree of that size) is refused a cosignature, and its sync stops
A member add --name "Vũ Văn Nam" --birth 1990-02-02 --sex male --card m3 \
	--admitted 2015-01-01 --cell 01 >/dev/null
expect_ok "a syncs" A sync
sqlite3 "$T/prov/hub.db" "UPDATE witnessed SET root = (SELECT id FROM entries ORDER BY lsn LIMIT 1) WHERE origin = 'chibo/hub/BG.LG'"
out=$(H lg sync --retries 0 2>&1); rc=$?
expect_eq "a log its witness cannot prove consistent is not cosigned (77)" 77 "$rc"
expect_match "and the sync says why" "does not extend" "$out"

# a district whose key the province did not enrol cannot sync
mkhub hh BG.HH district "Huyện ủy Hiệp Hòa" BG
H hh upstream --url "${URL[prov]}" --pin "${PIN[prov]}" --key "${KEY[prov]}" >/dev/null
out=$(H hh sync --retries 0 2>&1); rc=$?
expect_eq "an unenrolled hub's sync is refused (77)" 77 "$rc"
expect_match "and says so" "not enrolled" "$out"

# a hub key enrolled elsewhere (Yên Dũng's, whose enrolment Lạng Giang
# holds from above) cannot relay to, push to or pull from Lạng Giang
cp -r "$T/yd" "$T/yd2"
rm -f "$T/yd2/hub.db-wal" "$T/yd2/hub.db-shm"
H yd backup --plain "$T/yd2/hub.db" >/dev/null
H yd2 upstream --url "${URL[lg]}" --pin "${PIN[lg]}" --key "${KEY[lg]}" >/dev/null
out=$(H yd2 sync --retries 0 2>&1); rc=$?
expect_eq "another district's hub key is refused at Lạng Giang (77)" 77 "$rc"
expect_match "as not enrolled there" "not enrolled at this hub" "$out"
expect_eq "and Lạng Giang holds none of Yên Dũng's members" 0 \
	"$(sqlite3 "$T/lg/hub.db" "SELECT count(*) FROM members WHERE card_no IN ('b1', 'b2')")"

# the province's key pin is checked
H lg upstream --url "${URL[prov]}" --pin "${PIN[yd]}" --key "${KEY[prov]}" >/dev/null
out=$(H lg sync --retries 0 2>&1); rc=$?
expect_eq "a wrong pin stops the sync (77)" 77 "$rc"
expect_match "naming the pin" "pinned" "$out"

finish

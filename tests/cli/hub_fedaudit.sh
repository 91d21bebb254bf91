#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_fedaudit.sh — auditing many hubs together, and what a hostile hub
# in the tree tries, with real hubs and agents on 127.0.0.1: the centre
# (TW) over two provinces (Bắc Giang, Hà Nội), Bắc Giang over a legacy
# district (Lạng Giang); a commune under the district, a ward under Hà
# Nội. 'chibo-audit federation' passes on the honest copies and names
# the chain of authority; 'verify --witness' and 'sync --witness' require
# a cosignature by a named witness key. Then each attack is caught with a
# precise message and nothing of it applied: a relay with an entry
# dropped, two swapped or a byte changed (forge relay); an entry dropped
# from the end of a chain on relay (only the federation audit can see it,
# and names it); a district that shows its commune a log other than the
# one its witness cosigned (both signed checkpoints kept); a province
# that enrols a key inside another province; and a commune key writing
# into another province's ward through its district's relay.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
: "${CHIBO_AUDIT_BIN:?CHIBO_AUDIT_BIN must name the chibo-audit binary}"
: "${CHIBO_FORGE:?CHIBO_FORGE must name the forge test tool}"
. "$CHIBO_SOURCE_DIR/tests/lib/fedlib.sh"

country
AUD() { "$CHIBO_AUDIT_BIN" --dir "$T/aud" "$@"; }
q() { sqlite3 "$T/$1" "$2"; }
up; down; up
copies() { for h in "$@"; do rm -f "$T/$h.db"; H $h backup --plain "$T/$h.db" >/dev/null; done; }
copies tw bg hn lg
ALL=(--db "$T/tw.db" --db "$T/bg.db" --db "$T/hn.db" --db "$T/lg.db")

# --- the honest federation ------------------------------------------------
out=$(AUD federation "${ALL[@]}" --top-key "${KEY[tw]}" 2>&1); rc=$?
expect_eq "the federation audit passes on the honest hubs" 0 "$rc"
[ "$rc" = 0 ] || echo "$out" | grep FAULT | head -5 >&2
expect_match "naming the chain of authority up to the top" \
	"under BG \(BG.LG → BG → TW\): 0 entries not in BG's log" "$out"
expect_match "for each of the four hubs" "federation audit passed: 4 hubs" "$out"
expect_eq "its JSON says ok" true \
	"$(AUD federation "${ALL[@]}" --json | python3 -c 'import json,sys; print(str(json.load(sys.stdin)["ok"]).lower())')"
out=$(AUD federation "${ALL[@]}" --top-key "${KEY[hn]}" 2>&1); rc=$?
expect_eq "another top key: the audit fails" 1 "$rc"
expect_match "saying the chain does not reach it" \
	"FAULT: TW: its chain of authority does not reach the top key ${KEY[hn]:0:12}" "$out"
out=$(AUD federation --db "$T/tw.db" --db "$T/lg.db" --top-key "${KEY[tw]}" 2>&1)
expect_match "a hub whose higher hub is not given cannot be chained to the top" \
	"FAULT: BG.LG: its chain of authority does not reach the top key .*: its higher hub is ${KEY[bg]:0:12}" "$out"
expect_fail "one hub is not a federation" "give 2 to" AUD federation --db "$T/tw.db"
expect_fail "each --hub needs its --pin" "its --pin" \
	AUD federation --db "$T/tw.db" --hub "${URL[bg]}"

# --- a named witness --------------------------------------------------------
expect_ok "verify --witness: Lạng Giang's log is cosigned by Bắc Giang" \
	AUD verify --db "$T/lg.db" --witness "${KEY[bg]}"
out=$(AUD verify --db "$T/lg.db" --witness "${KEY[hn]}" 2>&1); rc=$?
expect_eq "by Hà Nội's key it is not (exit 1)" 1 "$rc"
expect_match "and the fault names the key" \
	"FAULT: the checkpoint the hub shows as cosigned by its witness: checkpoint chibo/hub/BG.LG [0-9]+ carries no cosignature by witness key ${KEY[hn]:0:12}" "$out"
expect_fail "a bundle has no witness" "not a bundle" \
	AUD verify "$T/x.cbb" --witness "${KEY[bg]}"
expect_ok "a commune requires its district's checkpoints cosigned by the province" \
	A sync --witness "${KEY[bg]}"
expect_eq "the requirement is kept in the replica" "${KEY[bg]}" \
	"$(q a/replica.db "SELECT value FROM meta WHERE key = 'require_witness'")"
expect_ok "and the next sync holds to it" A sync
cp -r "$T/a" "$T/a2"
out=$(agent -R "$T/a2" sync --witness "${KEY[hn]}" 2>&1); rc=$?
expect_eq "a witness that did not cosign: the sync stops (77)" 77 "$rc"
expect_match "saying which witness" "not cosigned by the witness ${KEY[hn]:0:12} this replica requires" "$out"
expect_match "with the evidence kept" "EVIDENCE" "$(agent -R "$T/a2" status)"
# a district that strips its witness's cosignature from what it shows:
# a commune that requires the witness stops; one that does not, cannot tell
cp -r "$T/a" "$T/a3"
cp -r "$T/a" "$T/a4"
agent -R "$T/a4" sync --witness none >/dev/null
q lg/hub.db "CREATE TABLE saved AS SELECT value FROM meta WHERE key = 'witnessed'; DELETE FROM meta WHERE key = 'witnessed'"
out=$(agent -R "$T/a3" sync 2>&1); rc=$?
expect_eq "a checkpoint shown with no cosignature: the requiring commune stops (77)" 77 "$rc"
expect_match "saying the hub shows none" "shows no cosigned checkpoint" "$out"
expect_match "the served checkpoint kept as evidence" "chibo/hub/BG.LG" \
	"$(q a3/replica.db "SELECT json_extract(value, '\$.served') FROM meta WHERE key = 'log_evidence'")"
expect_ok "a commune that requires none syncs as before" agent -R "$T/a4" sync
q lg/hub.db "INSERT INTO meta (key, value) SELECT 'witnessed', value FROM saved; DROP TABLE saved"
expect_fail "'none' or a key, nothing else" "--witness is 64 hex digits" A sync --witness 12ab

# --- a hostile district's relay, over HTTPS --------------------------------
A member add --name "Nguyễn Thị Hằng" --birth 1985-01-01 --sex female --card m2 \
	--admitted 2010-01-01 --cell 01 >/dev/null
A member add --name "Vũ Văn Nam" --birth 1990-02-02 --sex male --card m3 \
	--admitted 2015-01-01 --cell 01 >/dev/null
A sync >/dev/null
n=$(H lg export --relay "$T/lg.relay" | sed -n 's/.*(\([0-9]*\) entries).*/\1/p')
before=$(q bg/hub.db "SELECT count(*) FROM entries")
relay() { "$CHIBO_FORGE" relay "$T/lg" "${URL[bg]}" "${PIN[bg]}" "$T/lg.relay" "$@"; }
expect_match "an entry dropped from the middle of a chain: 409, a gap" \
	"^409 .*gap: entry [0-9]+ follows [0-9]+" "$(relay drop=0)"
expect_match "two entries of a chain swapped: 409, a gap" \
	"^409 .*gap: entry [0-9]+ follows [0-9]+" "$(relay swap=0)"
expect_match "a byte of an entry rewritten: refused" \
	"^4[0-9][0-9] .*signature does not verify" "$(relay flip=60)"
expect_eq "nothing of them stored at the province" "$before" \
	"$(q bg/hub.db "SELECT count(*) FROM entries")"
expect_eq "nor m2 or m3 there" 0 \
	"$(q bg/hub.db "SELECT count(*) FROM members WHERE card_no IN ('m2', 'm3')")"
# the last entry of a chain left out: the province cannot tell (nothing
# follows it), the district claims it relayed all: the audit names it
expect_match "the relay without its last entry is taken" "^200 " \
	"$(relay drop=$((n - 1)))"
q lg/hub.db "UPDATE meta SET value = (SELECT max(lsn) FROM entries) WHERE key = 'relay_cursor'"
last=$(q lg/hub.db "SELECT lower(hex(id)) || ' ' || lower(hex(author)) || ' ' || seq FROM entries ORDER BY lsn DESC LIMIT 1")
set -- $last
copies bg lg
out=$(AUD federation --db "$T/tw.db" --db "$T/bg.db" --db "$T/lg.db" 2>&1); rc=$?
expect_eq "the federation audit fails" 1 "$rc"
expect_match "naming the entry the province lacks, its key and seq" \
	"FAULT: BG.LG: entry $1 \(key $2, seq $3, member.add\), its leaf [0-9]+, is not in BG's log: it relayed its log up to" "$out"
expect_match "and nothing else is missing" "1 entries not in BG's log" "$out"
q lg/hub.db "UPDATE meta SET value = 0 WHERE key = 'relay_cursor'"
expect_ok "an honest sync relays the whole log again" H lg sync
expect_eq "m3 at the province now" 1 \
	"$(q bg/hub.db "SELECT count(*) FROM members WHERE card_no = 'm3'")"

# --- a province enrols inside another province -----------------------------
r=$(agent -R "$T/r" init --code 00005 --name "Phường giả" --parent HN | sed -n 's/^public key: //p')
H bg enroll "$r" --org 00005 --role commune --parent HN >/dev/null 2>&1 ||
	H bg enroll "$r" --org 00005 --role commune >/dev/null
agent -R "$T/r" cell create --code 01 --name "Chi bộ giả" --kind residential >/dev/null
agent -R "$T/r" member add --name "Người Giả" --birth 1980-01-01 --sex male --card r1 \
	--admitted 2005-01-01 --cell 01 >/dev/null
agent -R "$T/r" export --all "$T/r.cbb" >/dev/null
expect_ok "Bắc Giang relays its enrolment up" H bg sync
expect_match "a hostile Bắc Giang relays the key's entries to the centre" "^200 " \
	"$("$CHIBO_FORGE" relay "$T/bg" "${URL[tw]}" "${PIN[tw]}" "$T/r.cbb")"
expect_eq "the centre keeps the enrolment rejected, with the reason" 1 \
	"$(q tw/hub.db "SELECT count(*) FROM entries WHERE op = 'key.enroll' AND state = 'rejected' AND reason LIKE '%delegated ''BG'' only%'")"
expect_eq "and enrols nothing for it" 0 \
	"$(q tw/hub.db "SELECT count(*) FROM enrolments WHERE org = '00005'")"
expect_eq "nothing of the key applies at the centre" 0 \
	"$(q tw/hub.db "SELECT count(*) FROM members WHERE card_no = 'r1'")"
down
expect_eq "nor at Hà Nội" 0 "$(q hn/hub.db "SELECT count(*) FROM members WHERE card_no = 'r1'")"
expect_eq "Hà Nội holds no entry of the key" 0 \
	"$(q hn/hub.db "SELECT count(*) FROM entries WHERE lower(hex(author)) = '$r'")"
copies tw bg
out=$(AUD federation --db "$T/tw.db" --db "$T/bg.db" 2>&1); rc=$?
expect_eq "the federation audit fails" 1 "$rc"
expect_match "naming Bắc Giang's enrolment outside its subtree" \
	"FAULT: TW: leaf [0-9]+: entry [0-9a-f]+ \(key ${KEY[bg]:0:12}, seq [0-9]+, key.enroll\) writes outside what its key may write: .*delegated 'BG' only" "$out"
expect_match "and each entry of the key it enrolled" \
	"FAULT: TW: leaf [0-9]+: entry [0-9a-f]+ \(seq 1, org.init\) is by key ${r:0:12}, which the log never enrolled" "$out"

# --- a commune key writes into another province's ward, through a relay -
cp -r "$T/a" "$T/a5" # the commune as it was, for the split view below
"$CHIBO_FORGE" append "$T/a" cell.create \
	'{"code":"00004.09","name":"Chi bộ lấn sân","kind":"residential"}' >/dev/null
out=$(A sync --retries 0 2>&1); rc=$?
expect_eq "Lạng Giang's door refuses the commune's push (77)" 77 "$rc"
expect_match "as another organisation's" "'00004' belongs to another organisation's key" "$out"
agent -R "$T/a" export "$T/a.cbb" >/dev/null
expect_match "a hostile Lạng Giang relays it to the province: kept, rejected" \
	'^200 .*"rejected": *1' \
	"$("$CHIBO_FORGE" relay "$T/lg" "${URL[bg]}" "${PIN[bg]}" "$T/a.cbb")"
rejected() { q "$1" "SELECT count(*) FROM entries WHERE op = 'cell.create' AND state = 'rejected' AND reason LIKE '%belongs to another organisation%' AND lower(hex(author)) = (SELECT key FROM enrolments WHERE org = '07297')"; }
expect_eq "the province keeps it rejected, with the reason" 1 "$(rejected bg/hub.db)"
sync_all bg
expect_eq "and the centre, relayed it" 1 "$(rejected tw/hub.db)"
sync_all hn w
expect_eq "no such cell at the centre" 0 \
	"$(q tw/hub.db "SELECT count(*) FROM orgs WHERE code = '00004.09'")"
expect_eq "nor at Hà Nội" 0 "$(q hn/hub.db "SELECT count(*) FROM orgs WHERE code = '00004.09'")"
expect_eq "nor at the ward" 0 "$(q w/replica.db "SELECT count(*) FROM orgs WHERE code = '00004.09'")"
copies tw bg
out=$(AUD federation --db "$T/tw.db" --db "$T/bg.db" 2>&1)
ak=$(q a/replica.db "SELECT value FROM meta WHERE key = 'self'")
for h in BG TW; do
	expect_match "the audit names the entry at $h, by the commune's key" \
		"FAULT: $h: leaf [0-9]+: entry [0-9a-f]+ \(key ${ak:0:12}, seq [0-9]+, cell.create\) writes outside what its key may write: '00004' belongs to another organisation's key" "$out"
done

# --- a split view: the district shows its commune another log --------------
# lg2 is Lạng Giang's double (its key, its TLS identity): each signs a
# different entry at the same size; the province cosigns Lạng Giang's, the
# double shows a commune its own with the province's cosigned checkpoint
mkdir "$T/lg2"
cp "$T/lg/hub.key" "$T/lg/tls.key" "$T/lg/tls.crt" "$T/lg2/"
[ -f "$T/lg/hub.conf" ] && cp "$T/lg/hub.conf" "$T/lg2/"
H lg backup --plain "$T/lg2/hub.db" >/dev/null
k1=$(agent -R "$T/k1" init --code 07301 --name "Xã Một" --parent BG.LG | sed -n 's/^public key: //p')
k2=$(agent -R "$T/k2" init --code 07302 --name "Xã Hai" --parent BG.LG | sed -n 's/^public key: //p')
H lg enroll "$k1" --org 07301 --role commune >/dev/null
H lg2 enroll "$k2" --org 07302 --role commune >/dev/null
expect_ok "Lạng Giang syncs: the province cosigns its log" H lg sync
size=$(q lg/hub.db "SELECT value FROM meta WHERE key = 'witness_size'")
expect_eq "the double's log is of the same size" "$size" \
	"$(q lg2/hub.db "SELECT max(size) FROM checkpoints")"
# the witness's record copied over, as bytes (lg may be on PostgreSQL:
# the suite's second backend; lg2, made from a plain backup, is a file)
meta_hex() {
	if [ -f "$T/lg/database" ]; then
		q lg/hub.db "SELECT upper(encode(convert_to(value, 'UTF8'), 'hex')) FROM meta WHERE key = '$1'"
	else
		q lg/hub.db "SELECT hex(value) FROM meta WHERE key = '$1'"
	fi
}
q lg2/hub.db "DELETE FROM meta WHERE key IN ('witnessed', 'witness_size'); INSERT INTO meta (key, value) VALUES ('witnessed', CAST(x'$(meta_hex witnessed)' AS TEXT)), ('witness_size', CAST(x'$(meta_hex witness_size)' AS TEXT))"
serve_hub lg2
agent -R "$T/a5" hub --url "${URL[lg2]}" --pin "${PIN[lg]}" --key "${KEY[lg]}" >/dev/null
out=$(agent -R "$T/a5" sync 2>&1); rc=$?
expect_eq "the commune shown the double's log stops (77)" 77 "$rc"
expect_match "saying it is not the log the witness cosigned" \
	"does not extend the one its witness cosigned" "$out"
ev=$(q a5/replica.db "SELECT value FROM meta WHERE key = 'log_evidence'")
held=$(printf '%s' "$ev" | python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["held"].split("\n")[1], e["held"].split("\n")[2])')
served=$(printf '%s' "$ev" | python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["served"].split("\n")[1], e["served"].split("\n")[2])')
expect_eq "both signed checkpoints kept: the same size" "${held% *}" "${served% *}"
expect_match "with another root" "." "$([ "${held#* }" != "${served#* }" ] && echo differ)"
expect_match "the cosigned one carries the province's cosignature" "— chibo/hub/BG " \
	"$(printf '%s' "$ev" | python3 -c 'import json,sys; print(json.load(sys.stdin)["held"])')"
copies bg lg2
out=$(AUD federation --db "$T/bg.db" --db "$T/lg2.db" 2>&1); rc=$?
expect_eq "the federation audit of the double fails" 1 "$rc"
expect_match "naming the split view" \
	"FAULT: BG.LG: split view: BG cosigned its log of $size entries with root [0-9a-f]+, its log gives root [0-9a-f]+ there" "$out"
expect_match "both checkpoints in its JSON" "chibo/hub/BG.LG" \
	"$(AUD federation --db "$T/bg.db" --db "$T/lg2.db" --json | python3 -c 'import json,sys; e=json.load(sys.stdin)["evidence"][0]; print(e["cosigned"].split("\n")[0] if e["cosigned"] != e["shown"] else "same")')"
H lg2 upstream --url "${URL[bg]}" --pin "${PIN[bg]}" --key "${KEY[bg]}" >/dev/null
out=$(H lg2 sync --retries 0 2>&1); rc=$?
expect_eq "the double cannot get its log cosigned (77)" 77 "$rc"
expect_match "the province freezes the key that signed two logs" "frozen: it signed two different entries with one seq" "$out"
expect_eq "the province kept its other enrolment as fork evidence" 1 \
	"$(q bg/hub.db "SELECT count(*) FROM entries WHERE state = 'rejected' AND reason LIKE 'fork%'")"
kill "$SERVED" 2>/dev/null

finish

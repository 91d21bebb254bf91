#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_session.sh — a commune's offline session through the real binary:
# init, cells, members, a meeting, ratings, queries (with and without
# diacritics), log, verify, and a rebuild that gives identical tables.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"

out=$(agent init --code 26734 --name "Đảng bộ xã Quế Nham" 2>&1)
expect_match "init prints the public key" "^public key: [0-9a-f]{64}$" "$out"
expect_eq "key file is 0600" "600" "$(stat -c %a "$CHIBO_REPLICA/agent.key")"
expect_eq "replica dir is 0700" "700" "$(stat -c %a "$CHIBO_REPLICA")"
expect_eq "journal is WAL" "wal" \
	"$(sqlite3 "$CHIBO_REPLICA/replica.db" 'PRAGMA journal_mode')"
key_before=$(cat "$CHIBO_REPLICA/agent.key")
expect_fail "init twice is refused" "already exists" \
	agent init --code 26734 --name "X"
expect_eq "the key was not overwritten" "$key_before" \
	"$(cat "$CHIBO_REPLICA/agent.key")"
chmod 640 "$CHIBO_REPLICA/agent.key"
expect_fail "a key readable by others is refused" \
	"agent.key' is readable by others \(mode 640\); run 'chmod 600" \
	agent status
chmod 600 "$CHIBO_REPLICA/agent.key"
mv "$CHIBO_REPLICA/agent.key" "$T/elsewhere.key"
ln -s "$T/elsewhere.key" "$CHIBO_REPLICA/agent.key"
expect_fail "a symlinked key is refused" "cannot open key .*agent.key'" \
	agent status
rm "$CHIBO_REPLICA/agent.key"; mv "$T/elsewhere.key" "$CHIBO_REPLICA/agent.key"
printf 'chibo-secret-key-v1\nnot hex\n' > "$T/bad.key"; chmod 600 "$T/bad.key"
cp -a "$CHIBO_REPLICA" "$T/badkey"; cp "$T/bad.key" "$T/badkey/agent.key"
expect_fail "a malformed key is refused" "is not a chibo secret key" \
	agent -R "$T/badkey" status
expect_fail "no replica" "no replica in '$T/nowhere'; run 'chibo-agent init'" \
	agent -R "$T/nowhere" members

expect_ok "cell create" agent cell create --code 01 \
	--name "Chi bộ thôn Đại Giáp" --kind residential
expect_ok "cell create 2" agent cell create --code 02 \
	--name "Chi bộ cơ quan xã" --kind commune-agency
# Decomposed input (NFD) is stored NFC.
nfd_name=$(printf 'Nguye\xcc\x82\xcc\x83n Va\xcc\x86n Ho\xcc\x9b\xcc\xa3p')
expect_ok "member add (NFD input)" agent member add --name "$nfd_name" \
	--birth 1980-03-02 --sex male --card 01234567 \
	--national-id 079080000123 --admitted 2005-05-19 \
	--official 2006-05-19 --work commune-cadre --cell 02
expect_ok "member add 2" agent member add --name "Trần Thị Hương" \
	--birth 15/08/1990 --sex female --card 01234568 --admitted 2020-01-10 \
	--cell 02
expect_ok "member add 3" agent member add --name "Nguyễn Văn Hớp" \
	--birth 1975-01-01 --sex male --card 01234569 --admitted 2000-01-01 \
	--official 2001-01-01 --cell 01

nfc=$(sqlite3 "$CHIBO_REPLICA/replica.db" \
	"SELECT hex(full_name) FROM members WHERE card_no = '01234567'")
expect_eq "name stored NFC" \
	"$(printf 'Nguyễn Văn Hợp' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)" "$nfc"

out=$(agent members --name "nguyen van hop")
expect_match "search without diacritics finds Hợp" "Nguyễn Văn Hợp" "$out"
expect_match "search without diacritics finds Hớp" "Nguyễn Văn Hớp" "$out"
out=$(agent members --name "hợp")
expect_match "search with diacritics finds Hợp" "Hợp" "$out"
if printf '%s' "$out" | grep -q "Hớp"; then bad "hợp must not find Hớp"; else ok; fi
out=$(agent members --name "HUONG TRAN" --json)
expect_eq "json search, any case and order" "1" \
	"$(printf '%s' "$out" | grep -c '"full_name"')"
out=$(agent members --cell 02 --json)
expect_eq "members of a cell" "2" "$(printf '%s' "$out" | grep -c '"id"')"
out=$(agent members --status probationary)
expect_match "status filter" "Trần Thị Hương" "$out"

expect_ok "probationary -> official" agent member status card:01234568 \
	--status official --on 2021-01-10
expect_eq "official date set" "2021-01-10" "$(sqlite3 "$CHIBO_REPLICA/replica.db" \
	"SELECT official_on FROM members WHERE card_no = '01234568'")"
expect_ok "member update" agent member update card:01234568 \
	--council-area "Khu vực 2" --work commune-civil-servant

expect_ok "meeting record" agent meeting record --cell 02 --date 2026-10-05 \
	--kind regular --duration 95 --chair card:01234567 \
	--clerk card:01234568 --present card:01234567,card:01234568 \
	--observer "Lê Văn Tám:Huyện ủy viên" --content "Sinh hoạt tháng 10" \
	--resolutions "Triển khai nghị quyết" --rating good
mid=$(agent meetings --json | sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' | head -1)
expect_match "meeting listed" "^[0-9a-f]{64}$" "$mid"
out=$(agent meetings)
expect_match "meeting table shows 2/2 present" "2/2" "$out"
# A correction supersedes the record; the meeting keeps its id.
expect_ok "meeting correction" agent meeting record --cell 02 \
	--date 2026-10-05 --kind regular --duration 100 \
	--present card:01234567 --excused card:01234568 --supersedes "$mid"
out=$(agent meetings --json)
expect_match "correction is version 2" '"versions": 2' "$out"
expect_match "correction keeps the id" "\"id\": \"$mid\"" "$out"
expect_fail "correcting the old version again is refused" \
	"not the current record" agent meeting record --cell 02 \
	--date 2026-10-05 --kind regular --duration 90 \
	--present card:01234567 --supersedes "$mid"

expect_ok "rate member (self)" agent rate --member card:01234567 \
	--period 2025 --level good --score 85 --stage self
expect_ok "rate member (decided)" agent rate --member card:01234567 \
	--period 2025 --level outstanding --score 92 --stage decided
expect_ok "rate cell" agent rate --org 02 --period 2025-Q3 --level good \
	--stage proposed
expect_ok "congress" agent congress --org 01 --term 2020-2025 \
	--held-on 2020-06-15
out=$(agent ratings)
expect_match "ratings listed" "outstanding" "$out"
out=$(agent cells)
expect_match "cells listed with counts" "26734\.02 .*commune-agency" "$out"

out=$(agent log)
expect_match "log lists entries" "member.add" "$out"
expect_eq "one entry per operation" "14" "$(entry_count)"

out=$(agent verify)
expect_match "verify passes" "all signatures, chains and tables verify" "$out"

# rebuild gives exactly the tables incremental application gave
dump() {
	for t in orgs congresses members memberships meetings attendance ratings; do
		sqlite3 "$CHIBO_REPLICA/replica.db" "SELECT * FROM $t ORDER BY 1, 2"
	done
	sqlite3 "$CHIBO_REPLICA/replica.db" \
		"SELECT hex(id), state, reason FROM entries ORDER BY lsn"
}
before=$(dump)
expect_ok "rebuild" agent rebuild
after=$(dump)
expect_eq "rebuild gives identical tables" "$before" "$after"
expect_ok "verify after rebuild" agent verify

out=$(agent report congresses --term 2020-2025)
expect_match "report congresses" "1/2 cells held their 2020-2025 congress \(50.0%\)" "$out"
out=$(agent report ratings --period 2025 --format csv --bom)
expect_match "report ratings as CSV with a BOM" "^.?.?.?SUBJECTS,LEVEL,COUNT,SHARE" "$out"
expect_match "csv rows" "members,outstanding,1,100.0%" "$out"
out=$(agent report membership --format json)
expect_match "report membership as JSON" '"live": 3' "$out"
out=$(agent report meetings --from 2026-10 --to 2026-10)
expect_match "report meetings" "26734.02 .* 1 .* 0 .* 0 .* 50.0%" "$out"
expect_fail "report without its option" "ratings needs --period" agent report ratings
out=$(agent show member card:01234567)
expect_match "show member" "Nguyễn Văn Hợp" "$out"
# Member ids are kept as bytes (schema 13) and shown as hex everywhere.
hop=$(sqlite3 "$CHIBO_REPLICA/replica.db" \
	"SELECT lower(hex(id)) FROM members WHERE card_no = '01234567'")
expect_match "show member prints the full id" "ID +$hop" "$out"
out=$(agent show member "${hop:0:10}" --json)
expect_match "show member by an id prefix" "\"id\": \"$hop\"" "$out"
out=$(agent show member "$(printf '%s' "${hop:0:10}" | tr a-f A-F)" --json)
expect_match "an id prefix in capitals" "\"id\": \"$hop\"" "$out"
expect_fail "a member reference that is not hex" "is not hex" \
	agent show member "${hop:0:9}z"
out=$(agent show member "$hop")
expect_match "the member's cells by its id" "26734.02 +official +2005-05-19" \
	"$out"
expect_match "the member's ratings by its id" "2025 +decided +outstanding" \
	"$out"
out=$(agent members --cell 02)
expect_match "members table shows a short id" "^${hop:0:12} .*Nguyễn Văn Hợp" "$out"
out=$(agent ratings --subject "${hop:0:8}" --json)
expect_eq "ratings of a member by an id prefix" "2" \
	"$(printf '%s' "$out" | grep -c "\"subject\": \"$hop\"")"
expect_match "attendance shown with short ids" "${hop:0:12} .*present" \
	"$(agent show meeting "${mid:0:12}")"
out=$(agent status --json)
expect_match "status json" '"members": 3' "$out"

# --help for every command
for c in init apply import-members members cells meetings ratings show log \
	verify rebuild status report "cell create" "cell rename" congress \
	"member add" "member update" "member status" "meeting record" rate; do
	# shellcheck disable=SC2086
	expect_match "$c --help" "usage: chibo-agent" "$(agent $c --help)"
done
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_sheets.sh — spreadsheets both ways. The lists and reports export
# CSV as Excel and LibreOffice read it under Vietnamese settings (UTF-8
# with a byte order mark, ';' or tab between cells, quoted fields), with
# one option vocabulary (--format text|csv|json|xlsx, --json kept; xlsx in
# agent_xlsx.sh); the member
# list exported goes back in with import-members into a fresh replica and
# gives the same members; import-members reads what Excel saves on
# Vietnamese Windows — Windows-1258 (made here by iconv), UTF-16 LE and BE
# — and when it cannot tell, says what to do.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"

agent init --code 26734 --name "Đảng bộ xã Quế Nham" >/dev/null
agent cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
agent cell create --code 02 --name "Chi bộ thôn Tây; Bắc" --kind residential >/dev/null
agent member add --name "Nguyễn Văn Hợp" --birth 02/03/1980 --sex nam \
	--card 0101 --admitted 2006-02-03 --official 2007-02-03 --cell 01 >/dev/null
agent member add --name "Trần Thị Hương" --birth 1990-08-15 --sex nữ \
	--card 0102 --national-id 024190000123 --admitted 2020-01-10 --cell 02 >/dev/null
agent member add --name "=Lê \"Tám\"; Văn" --birth 1975-01-01 --sex male \
	--card 0103 --admitted 2000-01-01 --official 2001-01-01 --cell 01 >/dev/null
agent meeting record --cell 01 --date 2026-10-05 --kind regular --duration 95 \
	--present card:0101 --present card:0103 >/dev/null
agent rate --member card:0101 --period 2025 --level good --score 84 --stage self >/dev/null

# --- export ---------------------------------------------------------------
csv=$(agent members --format csv --separator ';' --bom)
expect_eq "members: starts with the UTF-8 byte order mark" "efbbbf" \
	"$(printf '%s' "$csv" | head -c 3 | od -An -tx1 | tr -d ' \n')"
expect_match "members: English header, ';' between cells, CRLF" \
	$'^\xef\xbb\xbfid;full_name;birth_date;sex;card_no;status;cell;national_id;.*\r$' \
	"$(printf '%s' "$csv" | head -n 1)"
expect_match "members: a row as stored (ISO dates, English words)" \
	';Nguyễn Văn Hợp;1980-03-02;male;0101;official;26734.01;' "$csv"
expect_match "members: a cell with ';' and quotes is quoted, quotes doubled, a formula defused" \
	$';"\'=Lê ""Tám""; Văn";1975-01-01;' "$csv"
tabs=$(agent members --format csv --separator tab)
expect_match "members: tab-separated, no byte order mark without --bom" \
	$'^id\tfull_name\tbirth_date' "$tabs"
expect_match "members: --separator , is the default" '^id,full_name,birth_date' \
	"$(agent members --format csv)"
expect_eq "members: --json is --format json" "$(agent members --format json)" \
	"$(agent members --json)"
expect_match "meetings as CSV" $'^id;cell;date;kind;duration_min;present;.*\r$' \
	"$(agent meetings --format csv --separator ';' | head -n 1)"
expect_match "meetings: the row" ';26734.01;2026-10-05;regular;95;2/2;' \
	"$(agent meetings --format csv --separator ';')"
expect_match "ratings as CSV" ';Nguyễn Văn Hợp;2025;self;good;84' \
	"$(agent ratings --format csv --separator ';')"
expect_match "cells as CSV" '^26734\.02;"Chi bộ thôn Tây; Bắc";cell;residential' \
	"$(agent cells --format csv --separator ';' | tr -d '\r' | grep '^26734.02')"
expect_match "show as CSV" ';Nguyễn Văn Hợp;' \
	"$(agent show member card:0101 --format csv --separator ';')"
rep=$(agent report congresses --term 2020-2025 --format csv --separator ';' --bom)
expect_match "report: BOM and ';' too" $'^\xef\xbb\xbfCELL;NAME;' "$rep"
expect_match "report: --format text is the table" "^Congresses" \
	"$(agent report congresses --term 2020-2025 --format text)"
expect_match "report: --format table still reads" "^Congresses" \
	"$(agent report congresses --term 2020-2025 --format table)"
expect_fail "--format unknown" "--format 'ods': give text, csv, json or xlsx" \
	agent members --format ods
expect_fail "--separator unknown" "--separator '\\|': give" \
	agent members --format csv --separator '|'
expect_fail "--separator without csv" "--separator and --bom are for CSV" \
	agent members --separator ';'
expect_fail "--bom in a report without csv" "--separator and --bom are for CSV" \
	agent report congresses --term 2020-2025 --bom
expect_fail "--json and --format csv" "contradict" \
	agent members --json --format csv

# --- the round trip: export, import into a fresh replica, same members ---
agent members --all --format csv --separator ';' --bom > "$T/members.csv"
listing() { # the members without their ids (a new replica gives its own)
	CHIBO_REPLICA=$1 "$CHIBO_AGENT" members --all --format csv | cut -d, -f2-
}
export CHIBO_REPLICA="$T/fresh"
agent init --code 26734 --name "Đảng bộ xã Quế Nham" >/dev/null
agent cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
agent cell create --code 02 --name "Chi bộ thôn Tây; Bắc" --kind residential >/dev/null
out=$(agent import-members "$T/members.csv" 2>&1)
expect_match "the export imports" "imported 3 members" "$out"
expect_no_match "a UTF-8 file is not remarked on" "read '.*' as" "$out"
expect_eq "the fresh replica holds the same members" \
	"$(listing "$T/replica")" "$(listing "$T/fresh")"
expect_eq "…with the same national ID and dates" \
	"$(sqlite3 "$T/replica/replica.db" "SELECT full_name, national_id, admitted_on, official_on FROM members ORDER BY card_no")" \
	"$(sqlite3 "$T/fresh/replica.db" "SELECT full_name, national_id, admitted_on, official_on FROM members ORDER BY card_no")"
expect_eq "…and the defused formula came back as typed" '=Lê "Tám"; Văn' \
	"$(sqlite3 "$T/fresh/replica.db" "SELECT full_name FROM members WHERE card_no = '0103'")"

# --- what Excel saves on Vietnamese Windows -------------------------------
printf 'Họ và tên;Ngày sinh;Giới tính;Số thẻ đảng;Ngày vào Đảng;Chi bộ\r\n' > "$T/u8.csv"
printf 'Phạm Thị Ngọc Ánh;01/02/1985;Nữ;0201;03/04/2010;01\r\n' >> "$T/u8.csv"
printf 'Đặng Văn Ước;05/06/1970;Nam;0202;07/08/1995;02\r\n' >> "$T/u8.csv"
iconv -f UTF-8 -t CP1258 "$T/u8.csv" > "$T/cp1258.csv"
expect_ok "the Windows-1258 file is not UTF-8" \
	sh -c "! iconv -f UTF-8 -t UTF-8 '$T/cp1258.csv' >/dev/null 2>&1"
expect_match "…and writes tone marks as combining characters (ọ is o + F2)" \
	'6f f2' "$(od -An -tx1 "$T/cp1258.csv" | tr '\n' ' ' | tr -s ' ')"
n=$(entry_count)
out=$(agent import-members --dry-run "$T/cp1258.csv" 2>&1)
expect_match "Windows-1258 is recognised and said" "read '.*cp1258.csv' as Windows-1258" "$out"
expect_match "…its names come out right" "Phạm Thị Ngọc Ánh" "$out"
expect_eq "…dry run writes nothing" "$n" "$(entry_count)"
expect_ok "Windows-1258 imports" agent import-members "$T/cp1258.csv"
expect_eq "…names stored in NFC, as typed in UTF-8" "Phạm Thị Ngọc Ánh|Đặng Văn Ước" \
	"$(sqlite3 "$CHIBO_REPLICA/replica.db" "SELECT group_concat(full_name, '|') FROM (SELECT full_name FROM members WHERE card_no IN ('0201', '0202') ORDER BY card_no)")"
expect_eq "…byte for byte the NFC of the UTF-8 text" \
	"$(printf 'Phạm Thị Ngọc Ánh' | od -An -tx1)" \
	"$(sqlite3 "$CHIBO_REPLICA/replica.db" "SELECT full_name FROM members WHERE card_no = '0201'" | tr -d '\n' | od -An -tx1)"
expect_ok "verify" agent verify

# UTF-16 as Excel's "Unicode Text": LE with a mark, tab-separated; BE too
sed 's/;/\t/g; s/0201/0301/; s/0202/0302/' "$T/u8.csv" |
	iconv -f UTF-8 -t UTF-16 > "$T/u16.txt" # glibc: BOM + native order (LE)
expect_eq "the UTF-16 file starts FF FE" "fffe" "$(head -c 2 "$T/u16.txt" | od -An -tx1 | tr -d ' \n')"
out=$(agent import-members "$T/u16.txt" 2>&1)
expect_match "UTF-16 LE with a mark and tabs imports" "imported 2 members" "$out"
expect_match "…and says how it read it" "as UTF-16LE" "$out"
sed 's/0201/0401/; s/0202/0402/' "$T/u8.csv" | iconv -f UTF-8 -t UTF-16BE > "$T/u16be.csv"
out=$(agent import-members "$T/u16be.csv" 2>&1)
expect_match "UTF-16 BE without a mark imports" "imported 2 members" "$out"
expect_eq "every import arrived" 9 \
	"$(sqlite3 "$CHIBO_REPLICA/replica.db" "SELECT count(*) FROM members")"

# --- what it cannot decide, it says how to fix ---------------------------
printf 'full_name,birth_date,sex,card_no,admitted_on\nJos\xe9 M\xfcller,1980-01-01,male,0601,2005-01-01\n' > "$T/latin1.csv"
n=$(entry_count)
expect_fail "8-bit text that is not Vietnamese: what to do, not 'empty'" \
	"neither UTF-8 nor UTF-16.*save it .* 'CSV UTF-8'.*--encoding" \
	agent import-members --cell 01 "$T/latin1.csv"
out=$(agent import-members --cell 01 --encoding cp1252 --dry-run "$T/latin1.csv" 2>&1)
expect_match "--encoding names it" "José Müller" "$out"
expect_fail "an encoding iconv does not know" "unknown encoding 'klingon'" \
	agent import-members --cell 01 --encoding klingon "$T/latin1.csv"
expect_fail "a byte not of the named encoding" "byte [0-9]+ is not a character of utf-8" \
	agent import-members --cell 01 --encoding utf-8 "$T/latin1.csv"
: > "$T/empty.csv"
expect_fail "an empty file says so" "'.*empty.csv' is empty" \
	agent import-members --cell 01 "$T/empty.csv"
printf '\r\n\r\n' > "$T/blank.csv"
expect_fail "blank lines only" "only blank lines" agent import-members --cell 01 "$T/blank.csv"
printf 'Họ và tên|Ngày sinh\nA|01/01/1980\n' > "$T/pipe.csv"
expect_fail "one column: ask for the separator" "first row is one column.*--separator" \
	agent import-members --cell 01 "$T/pipe.csv"
printf 'full_name;birth_date;sex;card_no;admitted_on\nHồ Văn Năm;01/01/1980;nam;0501;01/01/2005\n' > "$T/semi.csv"
expect_fail "--separator , on a ';' file: the header is one unknown column" \
	"one column" agent import-members --cell 01 --separator , "$T/semi.csv"
expect_fail "--separator unknown" "--separator '\\|'" \
	agent import-members --cell 01 --separator '|' "$T/semi.csv"
expect_match "--separator ';' reads it" "imported 1 member" \
	"$(agent import-members --cell 01 --separator ';' "$T/semi.csv")"
expect_eq "nothing else was written" "$((n + 1))" "$(entry_count)"
finish

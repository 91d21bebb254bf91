#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_input.sh — what a clerk types, as a clerk types it: dates in the
# Vietnamese order give the rows they name (not a comparison of text), and
# Vietnamese words stand for the enumerated values, which the entries hold
# in English; a malformed date, period or status is a usage error (exit 2)
# and a cell or subject the replica does not know a failure (exit 1), each
# one line, never an empty table.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"

agent init --code 26734 --name "Đảng bộ xã Quế Nham" >/dev/null
agent cell create --code CA --name "Chi bộ thôn Đông" --kind "Thôn" >/dev/null
agent cell create --code 02 --name "Chi bộ Trường" --kind "truong hoc" >/dev/null

# --- Vietnamese words, stored in English -----------------------------------
expect_ok "--sex nam" agent member add --name "Lê Văn An" --birth 02/01/1970 \
	--sex nam --card 111 --admitted 1/5/1995 --official 01-05-1996 --cell CA
expect_ok "--sex Nữ, a Vietnamese status and work category" agent member add \
	--name "Phạm Thị Bình" --birth 1972-01-01 --sex "Nữ" --card 222 \
	--admitted 1998-01-01 --status "dự bị" --work "Cán bộ xã" --cell CA
expect_ok "--sex NU" agent member add --name "Trần Thị Cúc" --birth 1980-01-01 \
	--sex NU --card 333 --admitted 2005-01-01 --official 2006-01-01 --cell 02
q() { sqlite3 "$CHIBO_REPLICA/replica.db" "$1"; }
expect_eq "nam is stored as male" male "$(q "SELECT sex FROM members WHERE card_no = '111'")"
expect_eq "Nữ is stored as female" female "$(q "SELECT sex FROM members WHERE card_no = '222'")"
expect_eq "NU is stored as female" female "$(q "SELECT sex FROM members WHERE card_no = '333'")"
expect_eq "the signed entry holds male" 1 \
	"$(agent log --op member.add --body --json | grep -c '"sex": "male"')"
expect_eq "DD/MM/YYYY is stored as YYYY-MM-DD" "1970-01-02|1995-05-01|1996-05-01" \
	"$(q "SELECT birth_date, admitted_on, official_on FROM members WHERE card_no = '111'")"
expect_eq "dự bị is probationary, Cán bộ xã commune-cadre" "probationary|commune-cadre" \
	"$(q "SELECT status, work_category FROM members WHERE card_no = '222'")"
expect_eq "Thôn, truong hoc are cell kinds" "residential school" \
	"$(q "SELECT kind FROM orgs WHERE level = 'cell' ORDER BY code DESC" | tr '\n' ' ' | sed 's/ $//')"

agent meeting record --cell CA --date 15/10/2025 --kind "Thường kỳ" --duration 90 \
	--present card:111,card:222 >/dev/null
agent meeting record --cell CA --date 5/11/2025 --kind "chuyen de" --duration 60 \
	--present card:111 --excused card:222 --rating "khá" >/dev/null
expect_eq "meeting kinds and rating in English" "2025-10-15|regular|
2025-11-05|thematic|fair" "$(q "SELECT date, kind, rating FROM meetings ORDER BY date")"
expect_ok "rate --level 'Hoàn thành xuất sắc nhiệm vụ'" agent rate --member card:111 \
	--period 2025 --level "Hoàn thành xuất sắc nhiệm vụ" --stage "tự đánh giá"
expect_ok "rate --level tốt" agent rate --member card:222 --period 2025 \
	--level "tốt" --stage self
expect_ok "rate --level 'khong hoan thanh'" agent rate --member card:333 \
	--period 2025 --level "khong hoan thanh" --stage "Đề xuất"
expect_eq "levels and stages in English" "outstanding|self
good|self
not-completed|proposed" "$(q "SELECT r.level, r.stage FROM ratings r JOIN members m ON m.id = r.subject ORDER BY m.card_no")"

# apply and import-members read the same words
printf '%s\n' '{"op": "member.status", "member": "card:333", "status": "Từ trần", "on": "01/02/2025"}' \
	| expect_ok "apply with a Vietnamese status and a DD/MM/YYYY date" agent apply -
expect_eq "apply stored deceased on 2025-02-01" "deceased|2025-02-01" \
	"$(q "SELECT status, status_on FROM members WHERE card_no = '333'")"
printf '%s\n' '{"op": "meeting.record", "cell": "CA", "date": "01/12/2025", "kind": "bất thường", "duration_min": 30, "attendance": {"card:111": "Có mặt", "card:222": "vắng không phép"}}' \
	| expect_ok "apply with Vietnamese attendance marks" agent apply -
expect_eq "marks stored in English" "present unexcused" \
	"$(q "SELECT a.mark FROM attendance a JOIN meetings m ON m.id = a.meeting JOIN members p ON p.id = a.member WHERE m.date = '2025-12-01' ORDER BY p.card_no" | tr '\n' ' ' | sed 's/ $//')"
cat >"$T/list.csv" <<'CSV'
Họ và tên,Ngày sinh,Giới tính,Ngày vào Đảng,Ngày chính thức,Trạng thái,Công việc,Chi bộ
Đỗ Văn Dũng,3/4/1975,nam,12-05-2000,12/05/2001,Chính thức,nghỉ hưu,CA
CSV
expect_ok "import-members with Vietnamese words" agent import-members "$T/list.csv"
expect_eq "import stored the English values" "male|1975-04-03|2000-05-12|official|retired" \
	"$(q "SELECT sex, birth_date, admitted_on, status, work_category FROM members WHERE full_name = 'Đỗ Văn Dũng'")"

n=$(entry_count)
refuse() { # DESC PATTERN ARGS...
	local desc=$1 pat=$2; shift 2
	expect_fail "$desc" "$pat" agent "$@"
	expect_eq "$desc writes nothing" "$n" "$(entry_count)"
}
refuse "a word that is no sex" "field 'sex' is 'x'; it must be male or female" \
	member add --name X --birth 1980-01-01 --sex x --admitted 2005-01-01 --cell CA
refuse "a status the op does not allow" "field 'status' is 'từ trần'; it must be probationary" \
	member add --name X --birth 1980-01-01 --sex nam --admitted 2005-01-01 \
	--status "từ trần" --cell CA
refuse "a meeting's rating is no rating level" "field 'level' is 'khá'" \
	rate --member card:111 --period 2024 --level "khá" --stage self
refuse "a date in no form" "date '1980/01/02' is not YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY" \
	member add --name X --birth 1980/01/02 --sex nam --admitted 2005-01-01 --cell CA

# --- filters: days as days ---------------------------------------------------
dates() { agent meetings --json "$@" | sed -n 's/.*"date": "\(.*\)".*/\1/p' | tr '\n' ' ' | sed 's/ $//'; }
expect_eq "--from 01/11/2025 leaves October out" "2025-11-05 2025-12-01" "$(dates --from 01/11/2025)"
expect_eq "--from 1/11/2025" "2025-11-05 2025-12-01" "$(dates --from 1/11/2025)"
expect_eq "--from 01-11-2025" "2025-11-05 2025-12-01" "$(dates --from 01-11-2025)"
expect_eq "--from 2025-11-01" "2025-11-05 2025-12-01" "$(dates --from 2025-11-01)"
expect_eq "--to 31/10/2025" "2025-10-15" "$(dates --to 31/10/2025)"
expect_eq "--to a month is its last day" "2025-10-15 2025-11-05" "$(dates --to 11/2025)"
expect_eq "--from 2025-11 --to 2025-11" "2025-11-05" "$(dates --from 2025-11 --to 2025-11)"
expect_eq "--cell ca finds CA" "2025-10-15 2025-11-05 2025-12-01" "$(dates --cell ca)"
expect_eq "members --status 'chinh thuc'" 2 \
	"$(agent members --status "chinh thuc" --json | grep -c '"status": "official"')"
expect_eq "members --cell ca" 3 "$(agent members --cell ca --json | grep -c '"cell": "26734.CA"')"
expect_eq "transfers --on 06/12/2026" 0 "$(agent transfers --on 06/12/2026 >/dev/null; echo $?)"
expect_ok "report membership --on 06/12/2026" agent report membership --on 06/12/2026
expect_ok "report meetings --from 10/2025 --to 31/12/2025" \
	agent report meetings --from 10/2025 --to 31/12/2025
expect_ok "report transfers --from 01/01/2026 --to 31/12/2026" \
	agent report transfers --from 01/01/2026 --to 31/12/2026

# --- refused, one line, never an empty table ----------------------------------
usage() { # DESC PATTERN ARGS...: a usage error, exit 2
	local desc=$1 pat=$2; shift 2
	expect_fail "$desc" "$pat" agent "$@"
	agent "$@" >/dev/null 2>&1
	expect_eq "$desc exits 2" 2 $?
}
unknown() { # DESC PATTERN ARGS...: unknown, exit 1, nothing on stdout
	local desc=$1 pat=$2 out; shift 2
	expect_fail "$desc" "$pat" agent "$@"
	out=$(agent "$@" 2>/dev/null)
	expect_eq "$desc exits 1" 1 $?
	expect_eq "$desc prints no table" "" "$out"
}
usage "meetings --from garbage" "--from: date 'garbage' is not a day \(YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY or DD-MM-YYYY\)" \
	meetings --from garbage
usage "meetings --to 31/02/2026" "--to: date '31/02/2026' does not exist" meetings --to 31/02/2026
usage "ratings --period 2025-13" "--period: '2025-13' is not a period" ratings --period 2025-13
usage "members --status asleep" "unknown status 'asleep'" members --status asleep
usage "transfers --on garbage" "--on: date 'garbage' is not YYYY-MM-DD, DD/MM/YYYY" transfers --on garbage
usage "report --on garbage" "--on: date 'garbage' is not" report membership --on garbage
usage "report --from after --to" "transfers: --from 2026-12-31 is after --to 2026-01-01" \
	report transfers --from 31/12/2026 --to 01/01/2026
unknown "members --cell XX" "no cell '26734.XX' in this replica" members --cell XX
unknown "meetings --cell XX" "no cell '26734.XX' in this replica" meetings --cell XX
unknown "ratings --subject zz" "no member id or organisation code starts with 'zz'" \
	ratings --subject zz
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lang_vi_hub.sh — a hub answers in English (the protocol), and a clerk
# reads its refusals in Vietnamese: the agent says them again from the
# catalogue (cb_lang_resay), numbers and all. A fork (a copy of a replica
# writing at the seq its original wrote), a key the hub has frozen, a hub
# reached by a name it does not answer to; under LANG=C, the hub's words.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/vilocale.sh"
vi_test
export LANG=C
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub
vi() { LANG=vi_VN.UTF-8 "$CHIBO_AGENT" "$@"; }

commune c1 07297 >/dev/null
agent -R "$T/c1" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
agent -R "$T/c1" member add --name "Nguyễn Văn Hợp" --birth 1980-01-01 \
	--sex male --card 111 --admitted 2005-01-01 --cell 01 >/dev/null
expect_match "a sync in Vietnamese, its numbers in it" \
	"^đã đồng bộ: máy chủ giữ các mục ghi của bản sao này đến số 3 \(lần này gửi 3\)$" \
	"$(vi -R "$T/c1" sync)"

# the district's report as a workbook, in Vietnamese (agent_xlsx.sh checks
# the cells of the agent's)
expect_ok "the hub's report as a workbook" env LANG=vi_VN.UTF-8 "$CHIBO_HUB_BIN" \
	--dir "$T/hub" report membership --format xlsx --out "$T/hub-report.xlsx"
expect_match "its title in Vietnamese, its figures numbers" "^Đảng viên 1$" \
	"$(python3 - "$T/hub-report.xlsx" <<'PY'
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
s = z.read("xl/sharedStrings.xml").decode()
w = z.read("xl/worksheets/sheet1.xml").decode()
title = re.search(r"<t>([^<]*)</t>", s).group(1)
print(title, len(re.findall(r'<c r="C\d+"( s="\d+")?><v>1</v>', w)) and 1)
PY
)"

# the fork: the hub's refusal carries the seq
cp -a "$T/c1" "$T/c1-copy"
agent -R "$T/c1" member add --name "Lê Văn Một" --birth 1980-01-01 \
	--sex male --card 113 --admitted 2010-01-01 --cell 01 >/dev/null
agent -R "$T/c1" sync >/dev/null
agent -R "$T/c1-copy" member add --name "Lê Văn Hai" --birth 1980-01-01 \
	--sex male --card 114 --admitted 2010-01-01 --cell 01 >/dev/null
err=$(vi -R "$T/c1-copy" sync 2>&1); rc=$?
expect_eq "a fork: exit 77" 77 "$rc"
expect_match "the hub's refusal, with its number, in Vietnamese" \
	"rẽ nhánh: mục ghi 4 khác với mục ghi mà máy chủ này đang giữ; khóa đã bị đóng băng" "$err"
expect_no_match "no English left in it" "fork|entry|holds|frozen" "$err"
expect_eq "the hub keeps the reason in English" "1" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM entries WHERE reason LIKE 'fork:%'")"
err=$(agent -R "$T/c1" sync 2>&1)
expect_match "under LANG=C the hub's own words" "frozen" "$err"
expect_no_match "and no Vietnamese" "đóng băng" "$err"

# a hub reached by a name it does not answer to
commune c2 07298 >/dev/null
agent -R "$T/c2" hub --url "https://localhost:$PORT" --pin "$PIN" --key "$HK" >/dev/null
err=$(vi -R "$T/c2" sync 2>&1); rc=$?
expect_eq "a hub by another name: exit 77" 77 "$rc"
expect_match "its refusal in Vietnamese" \
	"máy chủ này không phải 'localhost:$PORT' \(nó nhận tên 127\.0\.0\.1:$PORT[^)]*\); nếu máy chủ được truy cập bằng tên đó" \
	"$err"
expect_eq "in one line" 1 "$(printf '%s\n' "$err" | wc -l)"
finish

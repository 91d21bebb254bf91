#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_xlsx.sh — the lists and the reports as Excel workbooks (--format
# xlsx --out FILE): opened here with python3's zipfile and the sheet's
# XML, not by chibo. Under LANG=vi_VN.UTF-8: Vietnamese headings and
# words, the header row bold, dates real dates (DD/MM/YYYY), numbers and
# percentages numbers, codes with a leading zero text, a name that looks
# like a formula a string. The file is new or nothing is written: no
# --out, an existing file, a symbolic link, a directory, a name that is
# not *.xlsx, each refused in one line with nothing changed.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/vilocale.sh"
vi_test
vi() { LANG=vi_VN.UTF-8 "$CHIBO_AGENT" "$@"; }

agent init --code 26734 --name "Đảng bộ xã Quế Nham" >/dev/null
agent cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
agent member add --name "Nguyễn Văn Hợp" --birth 02/03/1980 --sex nam \
	--card 0101 --admitted 2006-02-03 --official 2007-02-03 --cell 01 >/dev/null
agent member add --name "=Lê Văn Tám" --birth 1975-01-01 --sex male \
	--card 103 --admitted 2000-01-01 --official 2001-01-01 --cell 01 >/dev/null
agent meeting record --cell 01 --date 2026-10-05 --kind regular --duration 95 \
	--present card:0101 --present card:103 >/dev/null
agent rate --member card:0101 --period 2025 --level good --score 84 --stage self >/dev/null
agent rate --member card:0101 --period 2025 --level good --stage decided >/dev/null

# sheet FILE: the first sheet's cells, one a line: REF<TAB>TYPE<TAB>VALUE
# <TAB>BOLD<TAB>FORMAT — TYPE s (a string, shared or inline), n (a
# number); FORMAT the number format's code ("" for none)
sheet() {
	python3 - "$1" <<'PY'
import re, sys, zipfile
import xml.etree.ElementTree as ET
ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
shared = []
if "xl/sharedStrings.xml" in z.namelist():
    for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
        shared.append("".join(t.text or "" for t in si.iter("{%s}t" % ns["m"])))
st = ET.fromstring(z.read("xl/styles.xml"))
fmts = {f.get("numFmtId"): f.get("formatCode") for f in st.iter("{%s}numFmt" % ns["m"])}
fonts = [f.find("m:b", ns) is not None for f in st.find("m:fonts", ns)]
xfs = [(fonts[int(x.get("fontId", 0))], fmts.get(x.get("numFmtId"), "" if x.get("numFmtId") == "0" else "builtin" + x.get("numFmtId", "0")))
       for x in st.find("m:cellXfs", ns)]
ws = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
for c in ws.iter("{%s}c" % ns["m"]):
    if c.find("m:f", ns) is not None:
        print(c.get("r"), "FORMULA", sep="\t")
        continue
    v = c.find("m:v", ns)
    t = c.get("t", "n")
    if t == "s":
        val, typ = shared[int(v.text)], "s"
    elif t == "inlineStr":
        val, typ = "".join(x.text or "" for x in c.iter("{%s}t" % ns["m"])), "s"
    else:
        val, typ = (v.text if v is not None else ""), t
    bold, fmt = xfs[int(c.get("s", 0))]
    print(c.get("r"), typ, val, "bold" if bold else "-", fmt, sep="\t")
PY
}
cell() { printf '%s\n' "$2" | awk -F '\t' -v r="$1" '$1 == r { print $2 "|" $3 "|" $4 "|" $5 }'; }
# the ref of the cell in row ROW whose column's header (row HROW) is TEXT
col_of() { printf '%s\n' "$2" | awk -F '\t' -v h="$1" '$3 == h && $1 ~ /^[A-Z]+1$/ { sub(/1$/, "", $1); print $1 }'; }

# --- members --------------------------------------------------------------
out=$(vi members --format xlsx --out "$T/members.xlsx" 2>&1); rc=$?
expect_eq "members: written, exit 0" 0 "$rc"
expect_eq "members: nothing on stdout" "" "$out"
s=$(sheet "$T/members.xlsx"); rc=$?
expect_eq "members: a zip of a workbook python3 reads" 0 "$rc"
expect_eq "members: the header in Vietnamese, bold" "s|TÊN|bold|" "$(cell B1 "$s")"
expect_eq "members: a heading a table leaves out, in Vietnamese too" "s|NGÀY KẾT NẠP|bold|" \
	"$(printf '%s\n' "$s" | awk -F '\t' '$1 ~ /1$/ && $3 == "NGÀY KẾT NẠP" { print $2 "|" $3 "|" $4 "|" $5 }')"
row=$(printf '%s\n' "$s" | awk -F '\t' '$3 == "Nguyễn Văn Hợp" { sub(/^[A-Z]+/, "", $1); print $1 }')
expect_match "members: the member's row" "^[0-9]+$" "$row"
expect_eq "members: a birth date is a date (Excel's day 29282), shown DD/MM/YYYY" \
	"n|29282|-|dd/mm/yyyy" "$(cell "C$row" "$s")"
expect_eq "members: sex in Vietnamese" "s|nam|-|" "$(cell "D$row" "$s")"
expect_eq "members: a card number with a leading zero stays text" "s|0101|-|" "$(cell "E$row" "$s")"
expect_eq "members: status in Vietnamese" "s|chính thức|-|" "$(cell "F$row" "$s")"
expect_match "members: a name typed as a formula is a string, no formula anywhere" \
	$'\ts\t=Lê Văn Tám\t' "$s"
expect_no_match "members: no formula" $'\tFORMULA' "$s"
expect_eq "members: header and two rows" "3" \
	"$(printf '%s\n' "$s" | awk -F '\t' '{ sub(/^[A-Z]+/, "", $1); print $1 }' | sort -u | wc -l)"

# --- meetings and ratings -------------------------------------------------
expect_ok "meetings: written" vi meetings --format xlsx --out "$T/meetings.xlsx"
s=$(sheet "$T/meetings.xlsx")
expect_eq "meetings: its date a date" "n|46300|-|dd/mm/yyyy" "$(cell C2 "$s")"
expect_eq "meetings: the minutes a number" "n|95|-|" "$(cell E2 "$s")"
expect_eq "meetings: the kind in Vietnamese" "s|thường kỳ|-|" "$(cell D2 "$s")"
expect_ok "ratings: written" vi ratings --format xlsx --out "$T/ratings.xlsx"
s=$(sheet "$T/ratings.xlsx")
expect_match "ratings: the level in Vietnamese" $'\ts\thoàn thành tốt nhiệm vụ\t' "$s"
expect_match "ratings: the score a number" $'\tn\t84\t-\t$' "$s"

# --- a report -------------------------------------------------------------
expect_ok "report membership: written" vi report membership --on 2026-12-01 \
	--format xlsx --out "$T/report.xlsx"
s=$(sheet "$T/report.xlsx")
expect_match "report: its title, bold, in Vietnamese" $'^A1\ts\t[^\t]*(Đảng viên|đảng viên)[^\t]*\tbold' "$s"
expect_match "report: a figure is a number" $'\tn\t2\t-\t' "$s"
expect_no_match "report: no figure left as text" $'\ts\t[0-9][0-9.,]* ?%?\t' "$s"
expect_ok "report ratings: written" vi report ratings --period 2025 \
	--format xlsx --out "$T/ratings-report.xlsx"
s=$(sheet "$T/ratings-report.xlsx")
expect_match "report: a share (100,0 %) is a percentage" $'\tn\t1\t-\t0.0%$' "$s"
expect_match "report: and 0,0 % too" $'\tn\t0\t-\t0.0%$' "$s"
expect_match "report: its notes under it" $'\ts\tđảng viên: 0 hoàn thành xuất sắc' "$s"

# --- refused, in one line, nothing written --------------------------------
expect_fail "xlsx without --out" \
	"^chibo-agent members: --format xlsx ghi ra một tệp: hãy thêm --out TỆP.xlsx; xem 'chibo-agent members --help'$" \
	vi members --format xlsx
before=$(sha256sum "$T/members.xlsx")
expect_fail "an existing file is not written over" \
	"^chibo-agent members: --out '$T/members.xlsx' đã tồn tại: hãy đặt tên một tệp mới \(không ghi đè lên tệp nào\); xem 'chibo-agent members --help'$" \
	vi members --format xlsx --out "$T/members.xlsx"
expect_eq "and it is unchanged" "$before" "$(sha256sum "$T/members.xlsx")"
echo keep > "$T/target"
ln -s "$T/target" "$T/link.xlsx"
ln -s "$T/nowhere" "$T/dangling.xlsx"
expect_fail "nor through a symbolic link" "^chibo-agent report: --out '$T/link.xlsx' exists" \
	agent report membership --format xlsx --out "$T/link.xlsx"
expect_eq "its target unchanged" "keep" "$(cat "$T/target")"
expect_fail "nor a dangling one" "^chibo-agent members: --out '$T/dangling.xlsx' exists" \
	agent members --format xlsx --out "$T/dangling.xlsx"
expect_eq "which still points nowhere" "no" "$([ -e "$T/nowhere" ] && echo yes || echo no)"
mkdir "$T/dir.xlsx"
expect_fail "nor a directory" "^chibo-agent members: --out '$T/dir.xlsx' exists" \
	agent members --format xlsx --out "$T/dir.xlsx"
expect_fail "a name that is not *.xlsx" "^chibo-agent members: --out '$T/m.csv': give a file name ending in .xlsx" \
	agent members --format xlsx --out "$T/m.csv"
expect_fail "a directory that does not exist" "^chibo-agent members: --out '$T/no/m.xlsx': its directory does not exist" \
	agent members --format xlsx --out "$T/no/m.xlsx"
expect_fail "a name with a newline" "^chibo-agent members: --out: a file name with control characters is refused" \
	agent members --format xlsx --out "$T/a"$'\n'"b.xlsx"
expect_fail "--out without xlsx" "^chibo-agent members: --out is for xlsx: add --format xlsx" \
	agent members --format csv --out "$T/m2.xlsx"
expect_fail "a record has no workbook" "^chibo-agent status: --format xlsx: 'status' prints a record" \
	agent status --format xlsx
expect_fail "the log has none" "^chibo-agent log: --format xlsx is for the lists of records and the reports" \
	agent log --format xlsx --out "$T/log.xlsx"
expect_eq "no file made by a refusal" "" \
	"$(ls "$T" | grep -E '^(m\.csv|m2\.xlsx|log\.xlsx)$|chibo-xlsx')"
for f in "$T/report.xlsx" "$T/ratings.xlsx"; do
	expect_eq "$(basename "$f"): a new file, not left in a draft directory" "" \
		"$(ls -a "$(dirname "$f")" | grep chibo-xlsx)"
done
finish

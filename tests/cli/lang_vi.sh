#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lang_vi.sh — the three programs under LANG=vi_VN.UTF-8 speak Vietnamese from
# the build's catalogue (CHIBO_LOCALEDIR): help, errors, table headers,
# report titles and figures with a decimal comma; under LANG=C, and in
# JSON, exactly what they say in English. Where the system lacks the
# vi_VN.UTF-8 locale it is built from the 'locales' package's definition
# into $T (LOCPATH), as glibc allows for a program that is not setuid.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_LOCALEDIR:?CHIBO_LOCALEDIR must name the locale directory of the build}"

. "$CHIBO_SOURCE_DIR/tests/lib/vilocale.sh"
vi_locale || exit 77
unset LANGUAGE LC_ALL LC_MESSAGES LC_NUMERIC
vi() { LANG=vi_VN.UTF-8 "$CHIBO_AGENT" "$@"; }
en() { LANG=C "$CHIBO_AGENT" "$@"; }

# help: the top level, a command's text and its options
expect_match "the top-level help is Vietnamese" "^cách dùng: chibo-agent \[--replica DIR\]" \
	"$(vi --help | head -1)"
expect_match "a command's help is Vietnamese" "Liệt kê đảng viên" "$(vi members --help)"
expect_match "its options are Vietnamese" "--all +kể cả đảng viên đã bị xóa tên" \
	"$(vi members --help)"
expect_match "a recording command's help too" "thêm đảng viên" "$(vi member add --help)"
# the options' help starts in one display column on every line, in both
# languages, whatever the bytes before it (a metavar "M,M,…" is 5 columns
# and 7 bytes); a translated help that wraps is indented to that column
aligned() {
	python3 -c '
import sys, unicodedata
def cols(s):
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
starts = set()
for line in sys.stdin.read().splitlines():
    if line.startswith("  --"):
        i = line.index("  ", 2) if "  " in line[2:] else -1
        if i < 0:
            continue
        while line[i] == " ":
            i += 1
        starts.add(cols(line[:i]))
    elif line.startswith("   ") and starts:
        starts.add(cols(line[:len(line) - len(line.lstrip())]))
print(len(starts), sorted(starts))'
}
for cmd in "meeting record" members "report" import-members hub; do
	# shellcheck disable=SC2086
	expect_match "help of '$cmd' aligned by display width (vi)" "^1 " "$(vi $cmd --help | aligned)"
	# shellcheck disable=SC2086
	expect_match "help of '$cmd' aligned by display width (C)" "^1 " "$(en $cmd --help | aligned)"
done
expect_match "in English under LANG=C" "^usage: chibo-agent \[--replica DIR\]" \
	"$(en --help | head -1)"

# errors: one line, in Vietnamese; the same failure in English under C
expect_fail "an unknown command, in Vietnamese" \
	"^chibo-agent: 'frob' không phải là lệnh; xem 'chibo-agent --help'$" vi frob
expect_fail "a usage error, in Vietnamese" \
	"^chibo-agent init: hãy nhập --code và --name; xem 'chibo-agent init --help'$" vi init
expect_fail "and in English under LANG=C" \
	"^chibo-agent init: give --code and --name; see 'chibo-agent init --help'$" en init

# a replica, to read tables from
expect_ok "init" en init --code 07297 --name "Đảng bộ xã Quế Nham"
log=$(vi log)
expect_match "the log's table headers are Vietnamese" "^SỐ TT +MÃ +THỜI GIAN \(UTC\+7\) +THAO TÁC" \
	"$log"
expect_match "in English under LANG=C" "^SEQ +ID +TIME \(UTC\+7\) +OP" "$(en log)"
expect_eq "JSON is the same in any language" "$(en log --json)" "$(vi log --json)"

# a report: its title, headers, the values people read, the note with a
# decimal comma; CSV and JSON as in English
en cell create --code T1 --name "Chi bộ thôn Một" --kind residential >/dev/null
en cell create --code T2 --name "Chi bộ thôn Hai" --kind thôn >/dev/null
en cell create --code T3 --name "Chi bộ thôn Ba" --kind residential >/dev/null
en congress --org T1 --term 2020-2025 --held-on 2020-05-01 >/dev/null
rep=$(vi report congresses --term 2020-2025)
expect_eq "the report's title is Vietnamese" "Đại hội chi bộ" "$(printf '%s\n' "$rep" | head -1)"
expect_match "its headers are Vietnamese" "^CHI BỘ +TÊN +LOẠI +NGÀY ĐẠI HỘI$" "$rep"
expect_match "a cell's kind and 'not held' in Vietnamese" \
	"^07297.T2 +Chi bộ thôn Hai +thôn, tổ dân phố +chưa tổ chức$" "$rep"
expect_match "its note has a decimal comma" \
	"^1/3 chi bộ đã tổ chức đại hội nhiệm kỳ 2020-2025 \(33,3 %\)$" "$rep"
expect_match "English under LANG=C, as before" \
	"^1/3 cells held their 2020-2025 congress \(33.3%\)$" \
	"$(en report congresses --term 2020-2025)"
for f in json csv; do
	expect_eq "the report as $f is the same in any language" \
		"$(en report congresses --term 2020-2025 --format $f)" \
		"$(vi report congresses --term 2020-2025 --format $f)"
done
expect_match "the JSON keeps the decimal point" '"percent": "33.3%"' \
	"$(vi report congresses --term 2020-2025 --format json)"

# a list: a member's sex and status read in Vietnamese
en member add --name "Nguyễn Văn Hợp" --birth 02/03/1980 --sex male \
	--card 07297002 --admitted 2006-02-03 --official 2007-02-03 --cell T1 >/dev/null
expect_match "a member's sex and status in Vietnamese" \
	"Nguyễn Văn Hợp +1980-03-02 +nam +07297002 +chính thức +07297.T1$" "$(vi members)"
expect_match "and in English under LANG=C" \
	"Nguyễn Văn Hợp +1980-03-02 +male +07297002 +official +07297.T1$" "$(en members)"
expect_fail "a date that does not exist, refused in Vietnamese" \
	"^chibo-agent meetings: --from: ngày '31/02/2026' không tồn tại; xem 'chibo-agent meetings --help'$" \
	vi meetings --from 31/02/2026
expect_fail "a date in no accepted form: the forms named in Vietnamese" \
	"^chibo-agent meetings: --from: ngày 'hôm qua' không phải một ngày \(YYYY-MM-DD, DD/MM/YYYY, D/M/YYYY hoặc DD-MM-YYYY\)" \
	vi meetings --from "hôm qua"
expect_fail "a refusal of the rules, told in Vietnamese (it is not kept)" \
	"^chibo-agent: lỗi: chi bộ '07297.T1' đã tồn tại$" \
	vi cell create --code T1 --name "Chi bộ thôn Một" --kind thôn
expect_fail "and in English under LANG=C" \
	"^chibo-agent: error: cell '07297.T1' already exists$" \
	en cell create --code T1 --name "Chi bộ thôn Một" --kind thôn

# a rejection recorded with its entry, in English as every replica keeps
# it, read in Vietnamese: an entry the agent would refuse, stored unprojected
# (forge), then judged by rebuild
en cell create --code T4 --name "Chi bộ thôn Bốn" --kind thôn >/dev/null
"$CHIBO_FORGE" append "$CHIBO_REPLICA" cell.create \
	'{"code": "07297.T4", "name": "Chi bộ thôn Bốn", "kind": "residential"}' >/dev/null
en rebuild >/dev/null
expect_eq "the reason is kept in English" "cell '07297.T4' already exists" \
	"$(sqlite3 "$CHIBO_REPLICA/replica.db" "SELECT reason FROM entries WHERE state = 'rejected'")"
expect_match "and shown in Vietnamese, with the entry's state and operation" \
	"tạo chi bộ +[0-9a-f]{12} +bị bác bỏ: chi bộ '07297.T4' đã tồn tại$" "$(vi log)"
expect_match "in English under LANG=C" \
	"cell.create +[0-9a-f]{12} +rejected: cell '07297.T4' already exists$" "$(en log)"
expect_match "the CSV keeps the English" "^[0-9]+,[0-9a-f]{64},[0-9a-f]{64},[^,]*,cell.create,rejected,cell '07297.T4' already exists" \
	"$(vi log --format csv)"
expect_eq "the log's JSON is the same in any language" "$(en log --format json)" "$(vi log --json)"
# no English a clerk would read in what the agent prints
left() { python3 "$CHIBO_SOURCE_DIR/tests/lib/english_left.py" "$CHIBO_SOURCE_DIR/po/chibo.pot"; }
for cmd in status log members "members --all" meetings ratings transfers cells dissolutions \
	"report membership" verify; do
	# shellcheck disable=SC2086
	expect_eq "no English in '$cmd'" "" "$(vi $cmd 2>&1 | left)"
done
expect_eq "verify's JSON is the same in any language" "$(en verify --format json)" \
	"$(vi verify --format json)"
expect_fail "status prints a record, not CSV" \
	"^chibo-agent status: --format csv: 'status' in một bản ghi" vi status --format csv

# the hub and the auditor: help, messages, a table, an error
: "${CHIBO_HUB_BIN:?}" "${CHIBO_AUDIT_BIN:?}"
hub() { LANG=vi_VN.UTF-8 "$CHIBO_HUB_BIN" --dir "$T/hub" "$@"; }
expect_match "the hub's help is Vietnamese" "^cách dùng: chibo-hub \[--dir DIR\]" \
	"$(hub --help | head -1)"
expect_match "the hub's init speaks Vietnamese" "^đã tạo máy chủ '.*' cho H$" \
	"$(hub init --code H --name "Huyện ủy Lạng Giang" | head -1)"
st=$(hub status)
expect_match "the hub's status is Vietnamese" "^nhật ký: +1 mục ghi$" "$st"
expect_match "its list's headers too" "^KHÓA +TỔ CHỨC +VAI TRÒ +TÊN +NGÀY ĐĂNG KÝ +TRẠNG THÁI$" \
	"$(hub list)"
expect_eq "the hub's JSON status is the same in any language" \
	"$(LANG=C "$CHIBO_HUB_BIN" --dir "$T/hub" status --json)" "$(hub status --json)"
hub enroll "$(en status --json | sed -n 's/.*"public_key": "\([0-9a-f]*\)".*/\1/p')" \
	--org 07297 --role commune --name "Văn phòng Đảng ủy xã Quế Nham" >/dev/null
expect_match "a key's role in Vietnamese" "^[0-9a-f]{12} +07297 +xã +Văn phòng" "$(hub list)"
expect_match "as CSV, as it is stored" "^[0-9a-f]{64},07297,commune,Văn phòng Đảng ủy xã Quế Nham," \
	"$(hub list --format csv)"
for cmd in status list "report sync"; do
	# shellcheck disable=SC2086
	expect_eq "no English in the hub's '$cmd'" "" "$(hub $cmd 2>&1 | left)"
done
# the check of English left, shown to catch: a catalogue without the
# translation of a rejection's reason and of a role, and what the agent
# and the hub print with it is caught
bad=$T/badlocale/vi/LC_MESSAGES
mkdir -p "$bad"
python3 - "$CHIBO_SOURCE_DIR/po/vi.po" "$T/bad.po" <<'PY'
import re, sys
po = open(sys.argv[1], encoding="utf-8").read()
for pat in (r'(msgid "cell \'%s\' already exists"\nmsgstr )".*"',
            r'(msgctxt "role"\nmsgid "commune"\nmsgstr )".*"'):
    po, n = re.subn(pat, r'\1""', po)
    assert n == 1, pat
open(sys.argv[2], "w", encoding="utf-8").write(po)
PY
msgfmt -o "$bad/chibo.mo" "$T/bad.po"
found=$(CHIBO_LOCALEDIR=$T/badlocale vi log --body | left)
expect_match "an untranslated reason is caught" "bị bác bỏ: cell '07297.T4' already exists.*already exists" "$found"
found=$(CHIBO_LOCALEDIR=$T/badlocale hub list | left)
expect_match "an untranslated role is caught" "07297 +commune +Văn phòng.*commune" "$found"
expect_fail "a hub usage error in Vietnamese" \
	"^chibo-hub enroll: hãy nhập --org và --role; xem 'chibo-hub enroll --help'$" \
	hub enroll 0000000000000000000000000000000000000000000000000000000000000000
# a store's error: what was being done said in Vietnamese too
agent -R "$T/broken" init --code 07297 --name "x" --parent BG.LG >/dev/null 2>&1
head -c 8192 /dev/zero | tr '\0' 'x' > "$T/broken/replica.db"
expect_fail "a damaged replica, said in Vietnamese" \
	"^chibo-agent: lỗi: không mở được '.*replica.db': lỗi cơ sở dữ liệu: '.*' bị hỏng" \
	env LANG=vi_VN.UTF-8 "$CHIBO_AGENT" -R "$T/broken" members
expect_match "the auditor's help is Vietnamese" "^cách dùng: chibo-audit \[--dir DIR\]" \
	"$(LANG=vi_VN.UTF-8 "$CHIBO_AUDIT_BIN" --help | head -1)"
expect_fail "an auditor's usage error in Vietnamese" \
	"^chibo-audit verify: hãy nhập một trong --hub URL, --db FILE hoặc một gói dữ liệu;" \
	env LANG=vi_VN.UTF-8 "$CHIBO_AUDIT_BIN" --dir "$T/audit" verify
finish

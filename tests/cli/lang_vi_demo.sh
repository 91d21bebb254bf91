#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lang_vi_demo.sh — the README's demo under LANG=vi_VN.UTF-8 runs entirely
# in Vietnamese: what the three programs print (tables, reports, the hub's
# refusal of the stolen key, the audit's faults, verify's) and the demo's
# own narration. tests/lib/english_left.py looks for every phrase of the
# catalogue's English messages and every value a person reads
# ("applied", "commune", …); the demo must leave none. lang_vi.sh shows
# that the check catches an untranslated message.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/vilocale.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed"; exit 77; }
: "${CHIBO_LOCALEDIR:?CHIBO_LOCALEDIR must name the locale directory of the build}"
vi_locale || exit 77
unset LANGUAGE LC_ALL LC_MESSAGES
pot=$CHIBO_SOURCE_DIR/po/chibo.pot
left() { python3 "$CHIBO_SOURCE_DIR/tests/lib/english_left.py" "$pot"; }

out=$(LANG=vi_VN.UTF-8 CHIBO_DEMO_BUILD=$CHIBO_BUILD_DIR TMPDIR=$T "$CHIBO_SOURCE_DIR/demo.sh" 2>&1)
expect_eq "the demo ends well in Vietnamese" 0 "$?"
expect_match "its narration is Vietnamese" "^.*▶ Huyện Lạng Giang dựng máy chủ của mình" "$out"
expect_match "the hub's refusal of the stolen key, in Vietnamese" \
	"lỗi: máy chủ từ chối khóa này: khóa [0-9a-f]{12} đã được chuyển giao cho khóa" "$out"
expect_match "the audit's verdict too" "KIỂM TOÁN KHÔNG ĐẠT: 5 lỗi" "$out"
expect_match "a chain's fault too" "mục ghi 9 nêu liên kết trước không phải mã băm" "$out"
expect_match "an operation as a clerk names it" "đã ghi thao tác 'phê duyệt kế hoạch giải thể' thành mục ghi" "$out"
expect_eq "no English a clerk would read" "" "$(printf '%s\n' "$out" | left)"

expect_eq "nothing is left behind" "" "$(ls "$T" | grep chibo-demo)"
finish

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lang_vi.sh — the programs under LANG=vi_VN.UTF-8 speak Vietnamese from
# the build's catalogue (CHIBO_LOCALEDIR): help, errors, table headers,
# report titles and figures with a decimal comma; under LANG=C, and in
# JSON, exactly what they say in English. Where the system lacks the
# vi_VN.UTF-8 locale it is built from the 'locales' package's definition
# into $T (LOCPATH), as glibc allows for a program that is not setuid.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_LOCALEDIR:?CHIBO_LOCALEDIR must name the locale directory of the build}"

if ! locale -a 2>/dev/null | grep -qix 'vi_VN\.utf-\?8'; then
	mkdir -p "$T/locale"
	if ! localedef -i vi_VN -f UTF-8 "$T/locale/vi_VN.UTF-8" 2>"$T/localedef.err" &&
		! [ -f "$T/locale/vi_VN.UTF-8/LC_MESSAGES/SYS_LC_MESSAGES" ]; then
		echo "cannot make the vi_VN.UTF-8 locale (install 'locales'): $(cat "$T/localedef.err")"
		exit 77
	fi
	export LOCPATH=$T/locale
fi
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
finish

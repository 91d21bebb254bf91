# SPDX-License-Identifier: MIT
# vilocale.sh — after testlib.sh, 'vi_locale' makes vi_VN.UTF-8 usable by
# the programs under test: the system's when it has it, else built from
# the 'locales' package's definition into $T/locale (LOCPATH). Returns 1
# with the reason on stdout when it cannot. 'vi_test' is a test's start:
# the build's catalogue named, the locale made (or the test skipped), and
# no LANGUAGE or LC_* left to choose for LANG.
vi_locale() {
	if locale -a 2>/dev/null | grep -qix 'vi_VN\.utf-\?8'; then
		return 0
	fi
	mkdir -p "$T/locale"
	if ! localedef -i vi_VN -f UTF-8 "$T/locale/vi_VN.UTF-8" 2>"$T/localedef.err" &&
		! [ -f "$T/locale/vi_VN.UTF-8/LC_MESSAGES/SYS_LC_MESSAGES" ]; then
		echo "cannot make the vi_VN.UTF-8 locale (install 'locales'): $(cat "$T/localedef.err")"
		return 1
	fi
	export LOCPATH=$T/locale
	# glibc keeps its parse of LOCPATH for good: not a leak of chibo's
	export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$CHIBO_SOURCE_DIR/tests/lib/lsan-locpath.supp:print_suppressions=0"
}

vi_test() {
	: "${CHIBO_LOCALEDIR:?CHIBO_LOCALEDIR must name the locale directory of the build}"
	vi_locale || exit 77
	unset LANGUAGE LC_ALL LC_MESSAGES LC_NUMERIC
}

# SPDX-License-Identifier: MIT
# browserlib.sh — after testlib.sh, for the tests that drive a real
# browser (ui_browser.sh, dash_browser.sh): 'browser_setup NAME' fails
# the test — never skips — when Chromium, node, npm or curl is missing
# (packaging/install-deps.sh installs them), loads hublib.sh, makes the
# vi_VN.UTF-8 locale usable (vilocale.sh), sets LANG=C for the commands
# whose output hublib reads, installs the pinned puppeteer-core
# (npmlib.sh), and sets CHROMIUM, SRC (tests/browser) and SHOTS, the
# screenshots' directory, emptied: $CHIBO_ARTIFACTS/NAME (default: the
# build tree's artifacts/NAME). With CHIBO_BROWSER=firefox (ctest's
# cli/firefox/* run the tests so) the browser is Debian's Firefox ESR
# instead (FIREFOX, exported with BROWSER=firefox for tests/browser/lib.js;
# screenshots in NAME-firefox): skipped, exit 77, when firefox-esr is not
# installed — packaging/install-deps.sh installs it.
: "${CHIBO_BUILD_DIR:?CHIBO_BUILD_DIR must name the build tree}"

browser_setup() {
	local name=$1
	CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
	if [ "${CHIBO_BROWSER:-chromium}" = firefox ]; then
		FIREFOX=${FIREFOX:-/usr/bin/firefox-esr}
		if ! command -v "$FIREFOX" >/dev/null; then
			echo "skip: $FIREFOX is not installed (packaging/install-deps.sh installs firefox-esr)"
			exit 77
		fi
		export FIREFOX=$(command -v "$FIREFOX") BROWSER=firefox
		CHROMIUM=$FIREFOX # not run: the check below finds it
		name=$name-firefox
	fi
	for need in "$CHROMIUM" node npm curl; do
		if ! command -v "$need" >/dev/null; then
			bad "$need is not installed: run packaging/install-deps.sh"
			finish
			exit 1
		fi
	done
	CHROMIUM=$(command -v "$CHROMIUM")
	. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
	. "$CHIBO_SOURCE_DIR/tests/lib/vilocale.sh"
	if ! vi_locale > "$T/why"; then
		bad "$(cat "$T/why")"
		finish
		exit 1
	fi
	unset LANGUAGE LC_ALL LC_MESSAGES
	export LANG=C
	# puppeteer-core, as the lock file pins it, once per build tree
	. "$CHIBO_SOURCE_DIR/tests/lib/npmlib.sh"
	SRC="$CHIBO_SOURCE_DIR/tests/browser"
	npm_pinned "$SRC" browser puppeteer-core
	SHOTS=${CHIBO_ARTIFACTS:-$CHIBO_BUILD_DIR/artifacts}/$name
	rm -rf "$SHOTS"
	mkdir -p "$SHOTS"
}

# 'ui_start': 'chibo-agent ui' of $CHIBO_REPLICA, in Vietnamese, on a free
# port; UI_PID its process (killed at exit), URL the address it prints
# (its second line), its output in $T/ui.out and $T/ui.err.
ui_start() {
	LANG=vi_VN.UTF-8 "$CHIBO_AGENT" ui --no-open > "$T/ui.out" 2> "$T/ui.err" &
	UI_PID=$!
	at_exit 'kill $UI_PID 2>/dev/null'
	for _ in $(seq 100); do
		[ -n "$(sed -n 2p "$T/ui.out")" ] && break
		sleep 0.1
	done
	URL=$(sed -n 2p "$T/ui.out")
}

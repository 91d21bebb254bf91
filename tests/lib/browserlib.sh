# SPDX-License-Identifier: MIT
# browserlib.sh — after testlib.sh, for the tests that drive a real
# browser (ui_browser.sh, dash_browser.sh): 'browser_setup NAME' fails
# the test — never skips — when Chromium, node, npm or curl is missing
# (packaging/install-deps.sh installs them), loads hublib.sh, makes the
# vi_VN.UTF-8 locale usable (vilocale.sh), sets LANG=C for the commands
# whose output hublib reads, installs the pinned puppeteer-core
# (npmlib.sh), and sets CHROMIUM, SRC (tests/browser) and SHOTS, the
# screenshots' directory, emptied: $CHIBO_ARTIFACTS/NAME (default: the
# build tree's artifacts/NAME).
: "${CHIBO_BUILD_DIR:?CHIBO_BUILD_DIR must name the build tree}"

browser_setup() {
	CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
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
	SHOTS=${CHIBO_ARTIFACTS:-$CHIBO_BUILD_DIR/artifacts}/$1
	rm -rf "$SHOTS"
	mkdir -p "$SHOTS"
}

#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# keyboard_browser.sh — 'chibo-agent ui' with the keyboard alone, in a
# real browser (Debian's Chromium; CHIBO_BROWSER=firefox runs it in
# Firefox ESR, where headless focus is not a person's: see CMakeLists.txt): tests/browser/keyboard.js adds a member and
# records a meeting with its attendance using Tab, Enter, Space, the arrow
# keys and typing, and checks that every control it meets has a label and
# a visible focus; then the replica is asked what was recorded.
# Screenshots in $CHIBO_ARTIFACTS/keyboard. Fails — never skips — when
# chromium, node or npm is missing.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/browserlib.sh"
browser_setup keyboard

start_hub
commune a 26734 >/dev/null
export CHIBO_REPLICA=$T/a
agent cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null ||
	bad "cell create"
agent member add --name "Lê Văn Ba" --birth 1970-01-01 --sex male --card K000 \
	--admitted 2000-01-01 --cell 01 >/dev/null || bad "member add"

# the interface, on a free port
ui_start
if LANG=vi_VN.UTF-8 SHOTS=$SHOTS CHROMIUM=$CHROMIUM \
	node "$SRC/keyboard.js" "$URL" > "$T/kb.out" 2>&1; then
	ok
else
	bad "the keyboard-only session: $(grep -v '^ok:' "$T/kb.out")"
fi
cat "$T/kb.out"

expect_match "the member added by keyboard is in the replica" "Đỗ Thị Mai" \
	"$(agent members --json)"
mid=$(agent meetings --json | python3 -c 'import json,sys; m=json.load(sys.stdin); print(m[0]["id"] if len(m) == 1 else "")')
expect_match "one meeting, on the day typed" "." "$mid"
marks=$(LANG=C agent show meeting "$mid" | sed -n '/^attendance:/,$p' |
	awk 'NR > 2 { printf "%s%s %s %s=%s", sep, $2, $3, $4, $NF; sep = "|" }')
expect_eq "its attendance as the keys marked it" \
	"Đỗ Thị Mai=excused|Lê Văn Ba=present" "$marks"
kill -INT "$UI_PID"
wait "$UI_PID"
expect_eq "ui stops" 0 "$?"
ls "$SHOTS"/*.png >/dev/null 2>&1 && ok || bad "no screenshots in $SHOTS"
finish

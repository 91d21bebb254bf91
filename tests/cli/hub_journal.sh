#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_journal.sh — priorities for the journal: when stderr is the journal
# (JOURNAL_STREAM names its device and inode, as systemd sets it), every
# line the hub writes starts with its sd-daemon(3) priority — an error
# "<3>", a refused request "<5>", a request served "<6>" — so that
# 'journalctl -p err' finds the failures; on anything else the lines are
# as they were.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"

# a command's error, written to a file the test names as the journal
: > "$T/journal"
js=$(stat -c '%d:%i' "$T/journal")
JOURNAL_STREAM=$js "$CHIBO_HUB_BIN" --dir "$T/none" status 2>> "$T/journal"
expect_match "an error is written at priority 3" '^<3>chibo-hub: error: ' "$(cat "$T/journal")"
out=$("$CHIBO_HUB_BIN" --dir "$T/none" status 2>&1)
expect_match "and without the prefix elsewhere" '^chibo-hub: error: ' "$out"
JOURNAL_STREAM=1:1 "$CHIBO_HUB_BIN" --dir "$T/none" status 2> "$T/other"
expect_match "nor when JOURNAL_STREAM names another stream" '^chibo-hub: error: ' "$(cat "$T/other")"

# the request log of a hub whose stderr is the journal
start_hub
kill "$HUB_PID"; wait "$HUB_PID" 2>/dev/null
: > "$T/serve.log"
js=$(stat -c '%d:%i' "$T/serve.log")
export JOURNAL_STREAM=$js
run_hub "$T/hub" "127.0.0.1:$PORT"
unset JOURNAL_STREAM
commune a 07297 >/dev/null
agent -R "$T/a" sync >/dev/null || bad "sync"
curl -s -k --pinnedpubkey "$PIN" -o /dev/null "$URL/v1/status"
sleep 0.2
expect_match "a request served is information" '^<6>.* GET /v1/status 200 ' "$(cat "$T/serve.log")"
expect_match "a refused one a notice" '^<5>.* GET /v1/status 401 ' "$(cat "$T/serve.log")"
expect_no_match "no line without a priority" '^[^<]' "$(grep -v '^$' "$T/serve.log")"
finish

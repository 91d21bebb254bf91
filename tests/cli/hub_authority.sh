#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_authority.sh — issue 16, "a hub on port 443 cannot be reached": the
# agent signed "@authority" as the URL was typed and the hub checked it
# against the raw Host header, so https://HUB:443 (curl leaves :443 out
# of Host) or a host name in upper case were refused. Both sides now
# normalise it as RFC 9421 §2.2.3 wants (host in lower case, no default
# port): an agent syncs given its hub's host name in upper case, and — as
# root, with 127.0.0.1:443 free — a hub on port 443 given as
# https://LOCALHOST:443, https://127.0.0.1:443/ and https://127.0.0.1.
# A URL whose authority is no authority is refused in one line.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"
start_hub
commune a 07297 >/dev/null
agent -R "$T/a" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
n=1
# url URL: point a at the hub by URL and sync a new entry.
synced_by() {
	agent -R "$T/a" hub --url "$1" --pin "$PIN" --key "$HK" >/dev/null
	agent -R "$T/a" member add --name "Người Số $n" --birth 1980-01-01 \
		--sex male --card "a$n" --admitted 2005-01-01 --cell 01 >/dev/null
	n=$((n + 1))
	expect_ok "a syncs by $1" agent -R "$T/a" sync --retries 1
}

host=$(hostname)
if getent hosts "$host" | grep -q '^127\.0\.0\.1[[:space:]]'; then
	synced_by "https://${host^^}:$PORT"
	synced_by "https://${host,,}:$PORT/"
else
	echo "not checked: the host name '$host' is not 127.0.0.1 here" >&2
fi
agent -R "$T/a" hub --url "https://hub.example:99999" --pin "$PIN" --key "$HK" >/dev/null
expect_fail "a URL with no authority in it" \
	"^chibo-agent: error: the hub URL 'https://hub.example:99999': 'hub.example:99999' is not an authority" \
	agent -R "$T/a" sync

if [ "$(id -u)" -eq 0 ] && ! ss -ltn 2>/dev/null | grep -q '127\.0\.0\.1:443 \|\*:443 \|0\.0\.0\.0:443 '; then
	kill "$HUB_PID"
	wait "$HUB_PID" 2>/dev/null
	printf 'names = localhost\n' > "$T/hub/hub.conf"
	run_hub "$T/hub" 127.0.0.1:443
	expect_match "the hub serves on 443" "on https://127.0.0.1:443$" "$(cat "$T/serve.out")"
	synced_by https://LOCALHOST:443
	synced_by https://127.0.0.1:443/
	synced_by https://127.0.0.1
	expect_match "the hub answers to them, normalised" \
		"answers to 127\.0\.0\.1, ${host,,}, localhost$" "$(cat "$T/serve.log")"
else
	echo "not checked: port 443 needs root and 127.0.0.1:443 free" >&2
fi
expect_synced a 07297
finish

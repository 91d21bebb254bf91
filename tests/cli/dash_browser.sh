#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# dash_browser.sh — the hub's dashboard in a real browser: Debian's
# Chromium, headless, driven by puppeteer-core (pinned in
# tests/browser/package-lock.json) over the hub's HTTPS, its TLS key
# pinned. A real hub in Vietnamese with three communes enrolled, two of
# them synced, one of those then revoked and its key used again (a stolen
# laptop), one never synced; two accounts; tests/browser/district.js signs in (a wrong
# password, a lock after five failures, the right one), reads the sync
# health, the membership report against 'chibo-hub report membership',
# the chart, a commune and a cell, the audit, posts a form without its
# token and signs out, saving screenshots and the report's PDF in
# $CHIBO_ARTIFACTS/dashboard (default: the build tree's
# artifacts/dashboard). Then the locks are tried with curl: pages and
# their assets without a session, forged and foreign POSTs, a session
# cookie made up, the limit of failed sign-ins per address, a foreign
# Host, other methods; API v1 answers as it did, and nothing of it wrote
# an entry. Last, the hub again with hub.conf's dashboard_failures,
# dashboard_lock and dashboard_session: the lock and the session cookie
# follow them. Fails — never skips — when chromium, node or npm is missing:
# packaging/install-deps.sh installs them.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/browserlib.sh"
# the hub and the communes are set up in English (hublib reads what they
# print); the hub then serves, and the report is printed, in Vietnamese
browser_setup dashboard
unset CHIBO_PASSWORD_FILE

start_hub
commune a 26734 >/dev/null
KB=$(commune b 26735)
commune c 26736 >/dev/null
member_ops "$T/a.ops" 4
member_ops "$T/b.ops" 3
agent -R "$T/a" apply "$T/a.ops" >/dev/null
agent -R "$T/b" apply "$T/b.ops" >/dev/null
agent -R "$T/a" sync >/dev/null || bad "a's sync"
agent -R "$T/b" sync >/dev/null || bad "b's sync"
# b's laptop is stolen: its key revoked, and the thief's sync refused
hub revoke "$KB" --reason "máy bị mất" >/dev/null || bad "revoke"
sleep 1 # a key's requests are noted once a second (hub-requests.md)
agent -R "$T/b" sync >/dev/null 2>&1 && bad "the revoked key's sync is refused"
printf 'mật khẩu của Lan\n' > "$T/pw"
printf 'mật khẩu của Minh\n' > "$T/pw-minh"
CHIBO_PASSWORD_FILE=$T/pw hub account add lan >/dev/null || bad "account add lan"
CHIBO_PASSWORD_FILE=$T/pw-minh hub account add minh >/dev/null || bad "account add minh"
# the hub again, in Vietnamese
LANG=vi_VN.UTF-8 serve_hub "$T/hub"
expect_match "the hub serves again" "BG\.LG .*https://127\.0\.0\.1:$PORT" "$(cat "$T/serve.out")"
n0=$(sqlite3 "$T/hub/hub.db" 'SELECT count(*) FROM entries')
report=$(LANG=vi_VN.UTF-8 hub report membership)

# --- the district's staff, in the browser
if SHOTS=$SHOTS CHROMIUM=$CHROMIUM SPKI=${PIN#sha256//} \
	ACCOUNT=lan PASSWORD="mật khẩu của Lan" LOCKED=minh \
	LOCKED_PASSWORD="mật khẩu của Minh" REPORT="$report" \
	COMMUNES="26734 26735 26736" REVOKED=26735 NEVER=26736 CELL=26734.01 \
	CELL_MEMBERS=4 \
	node "$SRC/district.js" "$URL" > "$T/district.out" 2>&1; then
	ok
else
	bad "the district's session in the browser: $(grep -v '^ok:' "$T/district.out")"
fi
cat "$T/district.out"
expect_eq "the sign-ins were recorded: lan's last, minh locked" "lan 0 minh 5" \
	"$(hub account list --json | python3 -c 'import json,sys; print(" ".join("%s %d" % (a["name"], a["failures"]) for a in json.load(sys.stdin) if a["last_ms"] or a["locked_until_ms"]))')"
expect_eq "lan's session ended when lan signed out" 0 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM dashboard_sessions WHERE account = 'lan'")"

# --- the locks, tried without a browser
code() { curl -sk --pinnedpubkey "$PIN" -o "$T/body" -w '%{http_code}' "$@"; }
for page in / /sync /reports /org /cell /audit "/reports?kind=membership"; do
	expect_eq "without a session, $page is a 303 to the sign-in form" \
		"303 $URL/dashboard/login" \
		"$(curl -sk --pinnedpubkey "$PIN" -o /dev/null -w '%{http_code} %{redirect_url}' "$URL/dashboard$page")"
done
expect_eq "/dashboard: 303 to /dashboard/" "303 $URL/dashboard/" \
	"$(curl -sk -o /dev/null -w '%{http_code} %{redirect_url}' "$URL/dashboard")"
expect_eq "a made-up session cookie opens nothing" 303 \
	"$(code -b "chibo_dash=$(printf 'ab%.0s' $(seq 32))" "$URL/dashboard/sync")"
expect_eq "the sign-in form: 200" 200 "$(code -c "$T/jar" "$URL/dashboard/login")"
expect_match "its token cookie is Secure and HttpOnly" \
	'#HttpOnly_127\.0\.0\.1.*/dashboard/.TRUE.*chibo_dash_login' "$(cat "$T/jar")"
login=$(sed -n 's/.*chibo_dash_login\t\([0-9a-f]*\)$/\1/p' "$T/jar")
signin() { # [CURL ARGS...]: a sign-in as lan with the jar's token
	code -b "$T/jar" -c "$T/jar" --data-urlencode "name=lan" \
		--data-urlencode "password=mật khẩu của Lan" "$@" "$URL/dashboard/login"
}
expect_eq "a sign-in without the form's token: 403" 403 "$(signin)"
expect_match "said so" "token" "$(cat "$T/body")"
# another token: the first digit changed (replacing a letter the token may
# not hold would leave it the same, one time in sixty)
other=$([ "${login:0:1}" = 0 ] && echo 1 || echo 0)${login:1}
expect_eq "with another token: 403" 403 "$(signin --data-urlencode "csrf=$other")"
expect_eq "from another site, with the token: 403" 403 \
	"$(signin -H "Origin: https://evil.example" --data-urlencode "csrf=$login")"
expect_eq "another Host (DNS rebinding): 421" 421 \
	"$(signin -H "Host: rebind.example:$PORT" --data-urlencode "csrf=$login")"
expect_eq "with its token, from the hub's own page: 303" 303 \
	"$(signin -H "Origin: $URL" --data-urlencode "csrf=$login")"
expect_match "a session cookie, Secure and HttpOnly, for /dashboard/ only" \
	'#HttpOnly_127\.0\.0\.1	FALSE	/dashboard/	TRUE	[0-9]+	chibo_dash	[0-9a-f]{64}$' "$(cat "$T/jar")"
expect_eq "it opens the pages" 200 "$(code -b "$T/jar" "$URL/dashboard/sync")"
expect_eq "the stylesheet" 200 "$(code "$URL/dashboard/ui.css")"
expect_eq "an unknown page: 404" 404 "$(code -b "$T/jar" "$URL/dashboard/etc/passwd")"
expect_eq "a PUT: 405" 405 "$(code -b "$T/jar" -X PUT "$URL/dashboard/")"
expect_eq "a form to a page that takes none: 405" 405 \
	"$(code -b "$T/jar" --data x=1 "$URL/dashboard/sync")"
expect_eq "signing out without the form's token: 403" 403 \
	"$(code -b "$T/jar" --data x=1 "$URL/dashboard/logout")"
expect_eq "the session goes on" 200 "$(code -b "$T/jar" "$URL/dashboard/")"
expect_eq "a form past 16 KB: 413" 413 \
	"$(code -b "$T/jar" --data "x=$(head -c 20000 /dev/zero | tr '\0' a)" "$URL/dashboard/logout")"
expect_eq "a malformed form: 400" 400 "$(code -b "$T/jar" --data 'csrf=%zz' "$URL/dashboard/logout")"
csrf=$(curl -sk -b "$T/jar" "$URL/dashboard/" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
expect_eq "signing out with it: 303" 303 \
	"$(code -b "$T/jar" -c "$T/jar" --data "csrf=$csrf" "$URL/dashboard/logout")"
expect_eq "the old cookie opens nothing now" 0 \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM dashboard_sessions WHERE account = 'lan'")"

# an account for one commune reads that commune only
printf 'mật khẩu của xã a\n' > "$T/pw-a"
CHIBO_PASSWORD_FILE=$T/pw-a hub account add xa-a --org 26734 >/dev/null || bad "account add --org"
curl -sk -c "$T/jar3" -o /dev/null "$URL/dashboard/login"
login=$(sed -n 's/.*chibo_dash_login\t\([0-9a-f]*\)$/\1/p' "$T/jar3")
expect_eq "the commune's account signs in" 303 \
	"$(code -b "$T/jar3" -c "$T/jar3" --data-urlencode "csrf=$login" \
		--data-urlencode "name=xa-a" --data-urlencode "password=mật khẩu của xã a" \
		"$URL/dashboard/login")"
expect_eq "its overview is the commune's" 200 "$(code -b "$T/jar3" "$URL/dashboard/")"
expect_match "headed with its name" '<span class="org">Đảng bộ xã a</span>' "$(cat "$T/body")"
code -b "$T/jar3" "$URL/dashboard/sync" >/dev/null
expect_eq "its sync health lists its own key only" "26734" \
	"$(grep -o 'org?code=[0-9A-Z.]*' "$T/body" | sed 's/org?code=//' | sort -u | tr '\n' ' ' | sed 's/ $//')"
expect_eq "another commune: 404" 404 "$(code -b "$T/jar3" "$URL/dashboard/org?code=26735")"
expect_eq "the district above it: 404" 404 "$(code -b "$T/jar3" "$URL/dashboard/org?code=BG.LG")"
expect_eq "the district's report: refused" 422 \
	"$(code -b "$T/jar3" "$URL/dashboard/reports?kind=membership&org=BG.LG")"
expect_eq "its own report" 200 "$(code -b "$T/jar3" "$URL/dashboard/reports?kind=membership")"
expect_match "of its own members" '4 đảng viên' "$(cat "$T/body")"
expect_eq "its own cell" 200 "$(code -b "$T/jar3" "$URL/dashboard/cell?code=26734.01")"
expect_eq "not another's" 404 "$(code -b "$T/jar3" "$URL/dashboard/cell?code=26735.01")"

# failed sign-ins from one address: refused after 20 in a quarter hour,
# whatever the account, the right password too
curl -sk -c "$T/jar2" -o /dev/null "$URL/dashboard/login"
login=$(sed -n 's/.*chibo_dash_login\t\([0-9a-f]*\)$/\1/p' "$T/jar2")
got=
for i in $(seq 25); do
	got=$(code -b "$T/jar2" --data-urlencode "csrf=$login" \
		--data-urlencode "name=nobody$i" --data-urlencode "password=x" \
		"$URL/dashboard/login")
	[ "$got" = 429 ] && break
done
expect_eq "the address is refused after its failed sign-ins" 429 "$got"
expect_eq "even with the right password" 429 \
	"$(code -b "$T/jar2" --data-urlencode "csrf=$login" --data-urlencode "name=lan" \
		--data-urlencode "password=mật khẩu của Lan" "$URL/dashboard/login")"

# --- API v1 as it was: the dashboard opens none of its paths
expect_eq "API v1 without a signature: 401, as before" 401 "$(code "$URL/v1/status")"
expect_eq "API v1 with a query string: 400, as before" 400 "$(code "$URL/v1/status?x=1")"
expect_eq "a path that is not the dashboard's is API v1's: unsigned, 401" 401 \
	"$(code "$URL/dashboards")"
expect_ok "a commune still syncs" agent -R "$T/a" sync
expect_eq "nothing here wrote an entry" "$n0" "$(sqlite3 "$T/hub/hub.db" 'SELECT count(*) FROM entries')"
expect_eq "the hub's log noted the dashboard's requests, no password" "" \
	"$(grep -e 'mật khẩu' -e 'password=' "$T/serve.log")"
expect_match "with the account that signed in" "POST /dashboard/login 303 .*signed in lan" \
	"$(cat "$T/serve.log")"
kill -TERM "$HUB_PID"
wait "$HUB_PID"
expect_eq "SIGTERM stops the hub, exit 0" 0 "$?"
expect_eq "the hub reported no memory error or leak" "" \
	"$(grep -E 'Sanitizer|runtime error' "$T/serve.log")"

# --- hub.conf sets the lockout and the session's lifetime, on a live hub
printf 'dashboard_failures = 3\ndashboard_lock = 120\ndashboard_session = 600\n' > "$T/hub/hub.conf"
printf 'mật khẩu của Hoa\n' > "$T/pw-hoa"
CHIBO_PASSWORD_FILE=$T/pw-hoa hub account add hoa >/dev/null || bad "account add hoa"
run_hub "$T/hub" "127.0.0.1:$PORT"
try_hoa() { # PASSWORD: a sign-in as hoa from a fresh form; the status
	curl -sk -c "$T/jar4" -o /dev/null "$URL/dashboard/login"
	code -b "$T/jar4" -c "$T/jar4" \
		--data-urlencode "csrf=$(sed -n 's/.*chibo_dash_login\t\([0-9a-f]*\)$/\1/p' "$T/jar4")" \
		--data-urlencode "name=hoa" --data-urlencode "password=$1" "$URL/dashboard/login"
}
expect_eq "hub.conf's session: a cookie for 600 s" 303 "$(try_hoa 'mật khẩu của Hoa')"
expires=$(awk '$6 == "chibo_dash" { print $5 }' "$T/jar4")
left=$((expires - $(date +%s)))
[ "$left" -gt 590 ] && [ "$left" -le 600 ] && ok || bad "the session cookie lives $left s, not 600"
for i in 1 2 3; do try_hoa "sai $i" >/dev/null; done
expect_eq "locked after hub.conf's 3 failures, the right password too" 403 "$(try_hoa 'mật khẩu của Hoa')"
expect_match "said so" "locked after 3 failed sign-ins" "$(cat "$T/body")"
until_ms=$(hub account list --json | python3 -c 'import json,sys; print([a["locked_until_ms"] for a in json.load(sys.stdin) if a["name"] == "hoa"][0])')
left=$((until_ms / 1000 - $(date +%s)))
[ "$left" -gt 100 ] && [ "$left" -le 120 ] && ok || bad "locked for $left s, not hub.conf's 120"
kill -TERM "$HUB_PID"
wait "$HUB_PID"
ls "$SHOTS"/*.png >/dev/null 2>&1 && ok || bad "no screenshots in $SHOTS"
finish

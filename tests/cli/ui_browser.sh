#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ui_browser.sh — 'chibo-agent ui', the clerk's web interface, in a real
# browser: Debian's Chromium, headless, driven by puppeteer-core (pinned
# in tests/browser/package-lock.json, installed into the build tree with
# 'npm ci'). A real hub and the interface of an enrolled commune, in
# Vietnamese; tests/browser/clerk.js plays a clerk's session (a cell,
# members, a refusal, a search without diacritics, a meeting by its
# attendance checklist, sync, the report, verify, a form posted from
# another page) and saves screenshots in $CHIBO_ARTIFACTS/ui (default:
# the build tree's artifacts/ui). Then the replica and the hub are asked
# what was recorded, and the interface's locks are tried with curl: no
# token, a wrong token, no cookie, a forged POST without the CSRF token, a
# foreign Host, a write through GET. Fails — never skips — when chromium,
# node or npm is missing: packaging/install-deps.sh installs them.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
. "$CHIBO_SOURCE_DIR/tests/lib/browserlib.sh"
# the hub and the commune are set up in English (hublib reads what they
# print); the interface and the clerk's commands speak Vietnamese
browser_setup ui

start_hub
commune a 26734 >/dev/null
export CHIBO_REPLICA=$T/a

# the interface, on a free port
ui_start
expect_match "ui prints the address with its token" \
	'^http://127\.0\.0\.1:[0-9]+/login\?token=[0-9a-f]{64}$' "$URL"
BASE=${URL%%/login*}
HOSTPORT=${BASE#http://}
TOKEN=${URL##*token=}

# --- the clerk's session, in the browser
if LANG=vi_VN.UTF-8 SHOTS=$SHOTS CHROMIUM=$CHROMIUM \
	ORG_NAME="Đảng bộ xã a" node "$SRC/clerk.js" "$URL" > "$T/clerk.out" 2>&1; then
	ok
else
	bad "the clerk's session in the browser: $(grep -v '^ok:' "$T/clerk.out")"
fi
cat "$T/clerk.out"

# --- what the replica and the hub hold afterwards
members=$(agent members --json)
expect_eq "the replica holds the three members the forms added and the two imported" \
	"Nguyễn Thị Hoa|Nguyễn Văn Hùng|Phạm Thị Lan|Trần Văn Nam|Võ Văn Đúng" \
	"$(printf '%s' "$members" | python3 -c 'import json,sys; print("|".join(sorted(m["full_name"] for m in json.load(sys.stdin))))')"
expect_eq "and not the one refused" "" "$(printf '%s' "$members" | grep 'Lê Văn Sai')"
meeting=$(agent meetings --json | python3 -c 'import json,sys; m=json.load(sys.stdin); print(len(m), m[0]["date"], m[0]["kind"], m[0]["duration_min"])')
expect_eq "one meeting, as the form gave it" "1 2026-03-15 regular 90" "$meeting"
mid=$(agent meetings --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
marks=$(LANG=C agent show meeting "$mid" | sed -n '/^attendance:/,$p' |
	awk 'NR > 2 { printf "%s%s %s %s=%s", sep, $2, $3, $4, $NF; sep = "|" }')
expect_eq "its attendance as ticked" \
	"Nguyễn Thị Hoa=present|Nguyễn Văn Hùng=present|Trần Văn Nam=excused" "$marks"
expect_eq "the rating, as the form gave it" "2025 self good 84" \
	"$(agent ratings --json | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["period"], r["stage"], r["level"], r["score"])')"
expect_match "the release, in transit to 07299" "07299" "$(LANG=C agent transfers)"
expect_eq "no cell 66 from the forged form" "" "$(agent cells | grep -w 66)"
expect_synced a 26734

# --- the locks, tried without a browser
n=$(entry_count "$T/a")
code() { curl -s -o "$T/body" -w '%{http_code}' "$@"; }
expect_eq "no cookie: 403" 403 "$(code "$BASE/")"
expect_match "said in one line" "^[^ ].*'chibo-agent ui'" "$(cat "$T/body")"
expect_eq "a wrong token: 403" 403 "$(code "$BASE/login?token=${TOKEN//a/b}x")"
expect_eq "a token one digit short: 403" 403 "$(code "$BASE/login?token=${TOKEN%?}")"
expect_eq "no token: 403" 403 "$(code "$BASE/login")"
expect_eq "the token: 303 to /" 303 "$(code -c "$T/jar" "$URL")"
expect_match "its cookie is HttpOnly and SameSite=Strict" \
	'#HttpOnly_127\.0\.0\.1.*chibo_ui' "$(cat "$T/jar")"
expect_eq "the cookie opens the pages" 200 "$(code -b "$T/jar" "$BASE/cells")"
expect_eq "a wrong cookie does not" 403 \
	"$(code -b "chibo_ui=$TOKEN" "$BASE/cells")"
expect_eq "another Host (DNS rebinding): 403" 403 \
	"$(code -b "$T/jar" -H "Host: rebind.example:${HOSTPORT#*:}" "$BASE/cells")"
expect_eq "a POST without the CSRF token: 403" 403 \
	"$(code -b "$T/jar" --data 'code=77&name=Forged&kind=residential' "$BASE/op/cell/create")"
expect_match "said so" "token" "$(cat "$T/body")"
expect_eq "a POST with a wrong CSRF token: 403" 403 \
	"$(code -b "$T/jar" --data "csrf=$TOKEN&code=77&name=Forged&kind=residential" "$BASE/op/cell/create")"
csrf=$(curl -s -b "$T/jar" "$BASE/op/cell/create" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
expect_eq "a POST from another origin, with the token: 403" 403 \
	"$(code -b "$T/jar" -H "Origin: http://evil.example" --data "csrf=$csrf&code=77&name=Forged&kind=residential" "$BASE/op/cell/create")"
expect_eq "a write through GET records nothing (200, the form)" 200 \
	"$(code -b "$T/jar" "$BASE/op/cell/create?code=77&name=Forged&kind=residential&csrf=$csrf")"
expect_eq "a malformed form: 400" 400 \
	"$(code -b "$T/jar" --data "csrf=$csrf&code=%zz" "$BASE/op/cell/create")"
expect_eq "a PUT: 405" 405 "$(code -b "$T/jar" -X PUT "$BASE/")"
expect_eq "an unknown page: 404" 404 "$(code -b "$T/jar" "$BASE/etc/passwd")"
expect_eq "an unknown record: 404" 404 "$(code -b "$T/jar" "$BASE/op/member/frobnicate")"
expect_eq "none of these wrote an entry" "$n" "$(entry_count "$T/a")"

# --- no English left for the clerk: every page the home page and the
# list of operations link to, and the pages those link to, read as text
# (tags dropped, with what a screen reader reads), by english_left.py
page_text() {
	python3 -c '
import html, re, sys
s = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", sys.stdin.read())
attrs = re.findall(r"(?:title|placeholder|aria-label|alt)=\"([^\"]*)\"", s)
for line in re.sub(r"<[^>]+>", "\n", s).split("\n") + attrs:
    line = html.unescape(line).strip()
    if line:
        print(line)'
}
: > "$T/pages.txt"
for path in $( (curl -s -b "$T/jar" "$BASE/"; curl -s -b "$T/jar" "$BASE/ops"; curl -s -b "$T/jar" "$BASE/members") |
	grep -o 'href="/[^"]*"' | sed 's/^href="//; s/"$//; s/&amp;/\&/g' | grep -v '\.css$' | sort -u); do
	curl -s -b "$T/jar" "$BASE$path" | page_text >> "$T/pages.txt"
done
expect_match "the pages were read" "Đảng viên" "$(cat "$T/pages.txt")"
expect_eq "no English a clerk would read on them" "" \
	"$(python3 "$CHIBO_SOURCE_DIR/tests/lib/english_left.py" "$CHIBO_SOURCE_DIR/po/chibo.pot" "$T/pages.txt")"
form=$(curl -s -b "$T/jar" "$BASE/op/member/add")
expect_match "a field of words is labelled with the clerk's words" \
	'<label for="f-sex">nam, nữ <small>--sex SEX</small>' "$form"
expect_no_match "a command line's metavar is not a title" "\((MEMBER|CANDIDATE|TEMPORARY)" \
	"$(cat "$T/pages.txt")"
expect_eq "the form with its token writes" 200 \
	"$(code -b "$T/jar" --data "csrf=$csrf&code=77&name=Chi+bộ+77&kind=residential" "$BASE/op/cell/create")"
expect_eq "one entry" "$((n + 1))" "$(entry_count "$T/a")"
expect_match "bound to 127.0.0.1 only" "127\.0\.0\.1:${HOSTPORT#*:}" \
	"$(ss -tlnH "( sport = :${HOSTPORT#*:} )")"

# --- the page is still there for the screenshots; then Ctrl-C stops it
kill -INT "$UI_PID"
wait "$UI_PID"
expect_eq "Ctrl-C stops ui, exit 0" 0 "$?"
expect_eq "ui reported no memory error or leak" "" \
	"$(grep -E 'Sanitizer|runtime error' "$T/ui.err")"
expect_eq "usage: a bad port" 2 "$(agent ui --port 70000 --no-open 2>/dev/null; echo $?)"

# --- a sealed key: its passphrase asked once, when ui starts; the forms
# then sign with no terminal and no passphrase file (it is gone)
printf 'mật khẩu của xã a\n' > "$T/pass"
CHIBO_PASSPHRASE_FILE=$T/pass agent key seal >/dev/null ||
	bad "key seal"
printf 'không phải\n' > "$T/wrong"
expect_fail "ui on a sealed key with a wrong passphrase" "wrong passphrase" \
	env CHIBO_PASSPHRASE_FILE="$T/wrong" "$CHIBO_AGENT" ui --no-open
CHIBO_PASSPHRASE_FILE=$T/pass "$CHIBO_AGENT" ui --no-open < /dev/null \
	> "$T/ui2.out" 2> "$T/ui2.err" &
UI_PID=$!
for _ in $(seq 100); do
	[ -n "$(sed -n 2p "$T/ui2.out")" ] && break
	sleep 0.1
done
rm -f "$T/pass"
URL=$(sed -n 2p "$T/ui2.out")
BASE=${URL%%/login*}
curl -s -c "$T/jar2" -o /dev/null "$URL"
csrf=$(curl -s -b "$T/jar2" "$BASE/op/cell/create" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
n=$(entry_count "$T/a")
expect_eq "a form signs with the sealed key opened at launch" 200 \
	"$(code -b "$T/jar2" --data "csrf=$csrf&code=78&name=Chi+bộ+78&kind=residential" "$BASE/op/cell/create")"
expect_eq "its entry recorded" "$((n + 1))" "$(entry_count "$T/a")"
kill -INT "$UI_PID"
wait "$UI_PID"
expect_eq "and ui stops" 0 "$?"
ls "$SHOTS"/*.png >/dev/null 2>&1 && ok || bad "no screenshots in $SHOTS"
finish

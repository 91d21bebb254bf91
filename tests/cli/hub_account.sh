#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_account.sh — 'chibo-hub account', the accounts that read the hub's
# dashboard: added with a password read from $CHIBO_PASSWORD_FILE and
# kept as its Argon2id hash, listed, given a new password, unlocked,
# removed; every refusal (a bad name, one that exists or does not, a
# short or missing password, an unknown organisation, verbs and options
# that do not go together) is one line and changes nothing; and none of
# it touches the hub's log or its digest. The sign-in itself is
# tests/cli/dash_browser.sh's.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"
hub() { "$CHIBO_HUB_BIN" --dir "$T/hub" "$@"; }
export LANG=C
unset LANGUAGE LC_ALL LC_MESSAGES CHIBO_PASSWORD_FILE

hub init --code BG.LG --name "Huyện ủy Lạng Giang" >/dev/null
DB=$T/hub/hub.db
# what an account command may change, and what it must not
accounts() { sqlite3 "$DB" "SELECT name, org, hash, failures, locked_ms FROM dashboard_accounts ORDER BY name; SELECT count(*) FROM dashboard_sessions"; }
digest0=$(hub digest)
entries0=$(sqlite3 "$DB" 'SELECT count(*) FROM entries')

printf 'mật khẩu của Lan\n' > "$T/pw"
out=$(CHIBO_PASSWORD_FILE=$T/pw hub account add lan)
expect_match "add says where it signs in" "account 'lan' added.*/dashboard/.*BG\.LG" "$out"
expect_match "the password is kept as its Argon2id hash" \
	'^\$argon2id\$v=19\$m=65536,t=3,p=1\$' \
	"$(sqlite3 "$DB" "SELECT hash FROM dashboard_accounts WHERE name = 'lan'")"
expect_eq "never as itself" 0 "$(grep -c "mật khẩu của Lan" "$DB" "$DB-wal" 2>/dev/null | awk -F: '{ n += $2 } END { print n + 0 }')"
expect_match "list shows it, reading the hub's tree" '^lan +BG\.LG ' "$(hub account list)"
expect_eq "list --json" "lan BG.LG 0 None" \
	"$(hub account list --json | python3 -c 'import json,sys; a=json.load(sys.stdin)[0]; print(a["name"], a["org"], a["failures"], a["locked_until_ms"])')"

# --- refusals: one line each, nothing changed
before=$(accounts)
refuse() { # DESC STATUS PATTERN ARGS...
	local desc=$1 status=$2 pat=$3
	shift 3
	expect_fail "$desc" "$pat" hub account "$@"
	hub account "$@" >/dev/null 2>&1
	expect_eq "$desc: exit $status" "$status" "$?"
}
export CHIBO_PASSWORD_FILE=$T/pw
refuse "a name with a capital" 2 "account name 'Lan' is not" add Lan
refuse "a name with a space" 2 "account name 'a b' is not" add "a b"
refuse "a name with a diacritic" 2 "account name 'lân' is not" add lân
refuse "a name 65 long" 2 "is not 1 to 64" add "$(printf 'a%.0s' $(seq 65))"
refuse "one that exists" 1 "account 'lan' exists; 'chibo-hub account passwd lan'" add lan
refuse "an organisation the hub does not know" 1 "no organisation 'ZZ' at this hub" add hoa --org ZZ
printf 'ngắn\n' > "$T/short"
CHIBO_PASSWORD_FILE=$T/short refuse "a short password" 1 "needs 8 characters" add hoa
: > "$T/empty"
CHIBO_PASSWORD_FILE=$T/empty refuse "an empty password" 1 "is empty" add hoa
CHIBO_PASSWORD_FILE=$T/none refuse "a password file that is not there" 1 "cannot open '.*none'" add hoa
unset CHIBO_PASSWORD_FILE
expect_fail "no terminal and no password file" \
	'no terminal to ask .* \$CHIBO_PASSWORD_FILE' setsid -w "$CHIBO_HUB_BIN" --dir "$T/hub" account add hoa
export CHIBO_PASSWORD_FILE=$T/pw
refuse "passwd of no account" 1 "no account 'hoa' \(see 'chibo-hub account list'\)" passwd hoa
refuse "unlock of no account" 1 "no account 'hoa'" unlock hoa
refuse "remove of no account" 1 "no account 'hoa'" remove hoa
refuse "an unknown verb" 2 "'delete' is not add, passwd, unlock, remove or list" delete lan
refuse "no verb" 2 "give add, passwd, unlock, remove or list"
refuse "add without a name" 2 "give the account's NAME" add
refuse "list with a name" 2 "list takes no NAME" list lan
refuse "--org with passwd" 2 "--org goes with add only" passwd lan --org BG.LG
refuse "--json with add" 2 "--json goes with list only" add hoa --json
refuse "a name and more" 2 "" add hoa lan
expect_eq "none of these changed an account" "$before" "$(accounts)"

# --- passwd, unlock, remove
sqlite3 "$DB" "UPDATE dashboard_accounts SET failures = 5, locked_ms = 99999999999999 WHERE name = 'lan'; INSERT INTO dashboard_sessions VALUES (x'00', 'lan', 'c', 99999999999999)"
expect_match "list shows the lock" '^lan .* 5 +[0-9-]+ [0-9:]+$' "$(hub account list)"
expect_match "unlock" "account 'lan' unlocked" "$(hub account unlock lan)"
expect_eq "its failures and lock cleared" "0|0" "$(sqlite3 "$DB" "SELECT failures, locked_ms FROM dashboard_accounts WHERE name = 'lan'")"
hash0=$(sqlite3 "$DB" "SELECT hash FROM dashboard_accounts WHERE name = 'lan'")
printf 'một mật khẩu mới\n' > "$T/pw2"
expect_match "passwd" "account 'lan' has a new password; its sessions are ended" \
	"$(CHIBO_PASSWORD_FILE=$T/pw2 hub account passwd lan)"
expect_no_match "a new hash" "^$hash0\$" "$(sqlite3 "$DB" "SELECT hash FROM dashboard_accounts WHERE name = 'lan'")"
expect_eq "its session ended" 0 "$(sqlite3 "$DB" 'SELECT count(*) FROM dashboard_sessions')"
CHIBO_PASSWORD_FILE=$T/pw hub account add hoa >/dev/null
expect_match "remove" "account 'hoa' removed" "$(hub account remove hoa)"
expect_eq "one account left" "lan" "$(sqlite3 "$DB" 'SELECT name FROM dashboard_accounts')"
expect_match "none: list says how to add one" "no accounts: 'chibo-hub account add NAME'" \
	"$(hub account remove lan >/dev/null; hub account list)"

# --- the hub's log and tables as they were
expect_eq "no entry was signed" "$entries0" "$(sqlite3 "$DB" 'SELECT count(*) FROM entries')"
expect_eq "the digest is unchanged" "$digest0" "$(hub digest)"
expect_ok "the hub verifies" hub verify
finish

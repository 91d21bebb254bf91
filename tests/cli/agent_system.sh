#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# agent_system.sh — the machine's one replica (issue 20): /etc/chibo/agent.conf
# (here $CHIBO_AGENT_CONF) names the replica the clerk's chibo-agent uses
# when neither --replica nor $CHIBO_REPLICA does, and the nightly
# chibo-agent-sync@CLERK.service syncs it as the clerk. The service's own
# command, read from the packaged unit, does nothing until 'init' has run:
# one line, exit 0. Another user's replica says "permission denied" with
# its path, not "no replica" (run as nobody when the test is root; else a
# directory made unreadable). A bad agent.conf is one line naming
# FILE:LINE, and nothing is made.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
unset CHIBO_REPLICA
export HOME=$T/home XDG_DATA_HOME=
conf=$T/agent.conf
export CHIBO_AGENT_CONF=$conf
sys=$T/sys/replica

# --- the default follows agent.conf ------------------------------------------
agent status >/dev/null 2>&1
expect_match "without agent.conf: the user's own replica" "no replica in '$T/home/.local/share/chibo/replica'" \
	"$(agent status 2>&1)"
printf '# the machine'"'"'s replica\n\nCHIBO_REPLICA=%s\n' "$sys" > "$conf"
expect_ok "init makes the replica agent.conf names" \
	agent init --code 07297 --name "Đảng bộ xã Quế Nham" --parent BG.LG
expect_ok "there" test -f "$sys/replica.db"
expect_match "status reads it" "organisation: +07297" "$(agent status 2>&1)"
CHIBO_REPLICA=$T/other agent init --code 07298 --name "x" --parent BG.LG >/dev/null
expect_ok "\$CHIBO_REPLICA comes first" test -f "$T/other/replica.db"
expect_match "and --replica" "organisation: +07298" "$(agent --replica "$T/other" status 2>&1)"
printf '# all commented out\n#CHIBO_REPLICA=/x\n' > "$conf"
expect_match "a file that names none: the user's own" "no replica in '$T/home/.local/share/chibo/replica'" \
	"$(agent status 2>&1)"

# --- a bad agent.conf: one line, FILE:LINE, nothing made ------------------------------
bad_conf() { # DESC PATTERN CONTENT
	printf '%b' "$3" > "$conf"
	expect_fail "$1" "$2" agent init --code 07299 --name x --parent BG.LG
}
bad_conf "a relative directory" "agent.conf:1: CHIBO_REPLICA must be an absolute directory, not 'replica'" \
	'CHIBO_REPLICA=replica\n'
bad_conf "an empty one" "agent.conf:2: CHIBO_REPLICA must be an absolute directory, not ''" \
	'# x\nCHIBO_REPLICA=\n'
bad_conf "another setting" "agent.conf:1: not CHIBO_REPLICA=/DIR: 'REPLICA=/x'" 'REPLICA=/x\n'
bad_conf "given twice" "agent.conf:2: CHIBO_REPLICA is given twice" \
	"CHIBO_REPLICA=$T/a\nCHIBO_REPLICA=$T/b\n"
expect_eq "nothing was made" "" "$(ls "$T" | grep -Ex 'a|b|replica' || true)"
mkdir "$T/conf-dir"
CHIBO_AGENT_CONF=$T/conf-dir expect_fail "an unreadable file" "cannot read '$T/conf-dir'" agent status
printf 'CHIBO_REPLICA=%s\n' "$sys" > "$conf"

# --- the nightly service's command, as the packaged unit runs it ----------------
unit=$CHIBO_SOURCE_DIR/packaging/systemd/chibo-agent-sync@.service
cmd=$(sed -n 's|^ExecStart=/usr/bin/chibo-agent ||p' "$unit")
expect_match "the unit runs sync --if-initialised" "^sync --if-initialised " "$cmd"
read -r -a argv <<<"$cmd"
clerk=$T/clerk/replica
mkdir -p "$clerk" # as StateDirectory= makes it: empty, the clerk's
printf 'CHIBO_REPLICA=%s\n' "$clerk" > "$T/clerk.conf"
out=$(CHIBO_AGENT_CONF=$T/clerk.conf agent "${argv[@]}" 2>&1); rc=$?
expect_eq "before init it exits 0" 0 "$rc"
expect_eq "saying so in one line" \
	"chibo-agent: no replica in '$clerk' yet: nothing to sync until 'chibo-agent init' (or 'restore') has made it" "$out"
: > "$T/journal"
JOURNAL_STREAM=$(stat -c '%d:%i' "$T/journal") CHIBO_AGENT_CONF=$T/clerk.conf \
	agent "${argv[@]}" 2>> "$T/journal"
expect_match "a notice in the journal, not an error" "^<5>chibo-agent: no replica in " "$(cat "$T/journal")"
expect_fail "a sync without the flag is an error" "no replica in '$clerk'" \
	env CHIBO_AGENT_CONF="$T/clerk.conf" "$CHIBO_AGENT" sync
CHIBO_AGENT_CONF=$T/clerk.conf agent init --code 07299 --name "x" --parent BG.LG >/dev/null
out=$(CHIBO_AGENT_CONF=$T/clerk.conf agent "${argv[@]}" 2>&1); rc=$?
expect_eq "after init it syncs (no hub recorded here: a person must look, 77)" 77 "$rc"
expect_no_match "and is not quiet about it" "nothing to sync" "$out"

# --- another user's replica: permission denied, with its path ---------------------
denied="cannot open the replica in '$sys': permission denied"
bin=$CHIBO_AGENT
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$T" "$T/sys" # nobody reaches the replica, 0700 and root's
	# and a copy of the program it may run wherever the build lives (a
	# clone in a 0700 directory of mktemp's)
	bin=$T/chibo-agent
	install -m 755 "$CHIBO_AGENT" "$bin"
	as() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	chmod 000 "$sys"
	at_exit "chmod 700 '$sys'"
	as() { "$@"; }
fi
expect_fail "status says permission denied, not 'no replica'" "$denied" \
	as env CHIBO_AGENT_CONF="$conf" "$bin" status
expect_fail "so does the timer's sync: it is not quiet" "$denied" \
	as env CHIBO_AGENT_CONF="$conf" "$bin" "${argv[@]}"
expect_fail "nor does init make another" "permission denied|Permission denied" \
	as env CHIBO_AGENT_CONF="$conf" "$bin" init --code 07297 --name x --parent BG.LG
finish

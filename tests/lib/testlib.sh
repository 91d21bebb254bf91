# SPDX-License-Identifier: MIT
# testlib.sh — shared by tests/cli/*.sh: a temporary directory removed on
# exit, the agent under test, and assertions that print what went wrong.
# Each script ends with 'finish', which prints "N passed, N failed".
set -u

: "${CHIBO_AGENT:?CHIBO_AGENT must name the chibo-agent binary}"
: "${CHIBO_SOURCE_DIR:?CHIBO_SOURCE_DIR must name the source tree}"

T=$(mktemp -d "${TMPDIR:-/tmp}/chibo-test.XXXXXX")
# at_exit CMD: run the shell text CMD when the script exits (the last
# registered first), before $T is removed.
EXIT_HOOKS=
at_exit() { EXIT_HOOKS="$1; $EXIT_HOOKS"; }
trap 'eval "$EXIT_HOOKS"; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export CHIBO_REPLICA="$T/replica"
PASSED=0
FAILED=0

agent() { "$CHIBO_AGENT" "$@"; }

ok() { PASSED=$((PASSED + 1)); }
bad() { FAILED=$((FAILED + 1)); echo "FAIL: $*" >&2; }

# expect_ok DESC CMD...: CMD must exit 0.
expect_ok() {
	local desc=$1; shift
	if out=$("$@" 2>&1); then ok; else bad "$desc: exit $? — $out"; fi
}

# expect_fail DESC PATTERN CMD...: CMD must exit non-zero, print exactly
# one line on stderr, and that line must match the grep -E PATTERN.
expect_fail() {
	local desc=$1 pat=$2; shift 2
	local err rc
	err=$("$@" 2>&1 >/dev/null); rc=$?
	if [ $rc -eq 0 ]; then bad "$desc: succeeded"; return; fi
	if [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ]; then
		bad "$desc: expected one line of error, got: $err"; return
	fi
	if ! printf '%s\n' "$err" | grep -Eq -- "$pat"; then
		bad "$desc: error '$err' does not match /$pat/"; return
	fi
	ok
}

# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then ok; else bad "$1: expected '$2', got '$3'"; fi
}

# expect_match DESC PATTERN TEXT
expect_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then ok
	else bad "$1: /$2/ not in: $3"; fi
}

# expect_no_match DESC PATTERN TEXT
expect_no_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		bad "$1: /$2/ found in: $3"
	else ok; fi
}

# The hub's store under test: sqlite (the default) or postgresql, when
# CHIBO_TEST_HUB_STORE says so (the suite's second backend): then every
# hub a test makes keeps its store in a database of a cluster of the
# test's own (pglib.sh, tests/lib/hub-on-pg).
HUB_STORE=${CHIBO_TEST_HUB_STORE:-sqlite}
if [ "$HUB_STORE" = postgresql ] && [ -n "${CHIBO_HUB_BIN:-}" ]; then
	. "$CHIBO_SOURCE_DIR/tests/lib/pglib.sh"
	pg_start
	export CHIBO_HUB_REAL_BIN=$CHIBO_HUB_BIN
	export CHIBO_HUB_BIN=$CHIBO_SOURCE_DIR/tests/lib/hub-on-pg
fi

# hub_clone SRC DST: a copy of a hub's directory (pglib.sh copies its
# database as well).
declare -f hub_clone >/dev/null || hub_clone() { cp -r "$1" "$2"; }

entry_count() {
	sqlite3 "${1:-$CHIBO_REPLICA}/replica.db" 'SELECT count(*) FROM entries'
}

finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}

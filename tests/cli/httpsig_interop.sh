#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# httpsig_interop.sh — chibo's request signatures interoperate with an
# independent RFC 9421 implementation, both ways: the npm package
# http-message-signatures (pinned in tests/interop/package-lock.json,
# installed here into the build tree with 'npm ci') signs requests that a
# real hub accepts — with the host in upper case and an explicit default
# port :443 in the URL, which both must normalise (RFC 9421 §2.2.3) — and
# refuses when they lack alg; and it verifies requests that chibo's code
# signed (tests/tools/forge.c), and refuses one that was altered. Skipped
# only where node or npm is not installed (packaging/install-deps.sh
# installs them).
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
: "${CHIBO_FORGE:?CHIBO_FORGE must name the forge test tool}"
: "${CHIBO_BUILD_DIR:?CHIBO_BUILD_DIR must name the build tree}"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "skipped: node and npm are not installed"
	exit 77
fi
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"

# The library, as the lock file pins it, once per build tree.
. "$CHIBO_SOURCE_DIR/tests/lib/npmlib.sh"
SRC="$CHIBO_SOURCE_DIR/tests/interop"
npm_pinned "$SRC" interop http-message-signatures
js() { node "$SRC/httpsig.js" "$@"; }

printf 'names = hub.example\n' > "$T/hub.conf"
start_hub --config "$T/hub.conf"
commune a 07297 >/dev/null
commune x 07299 - >/dev/null # never enrolled
agent -R "$T/a" cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
expect_ok "a syncs" agent -R "$T/a" sync
seed=$(sed -n 2p "$T/a/agent.key")
printf '{"after":0}' > "$T/pull"
printf '' > "$T/empty"

# The library signs; the hub verifies.
expect_match "the library's signed pull: 200" "^200 " \
	"$(js send "$seed" POST "https://127.0.0.1:$PORT/v1/pull" "$PORT" "$T/pull")"
expect_match "its signed status: 200" '^200 \{.*"head": ?2' \
	"$(js send "$seed" GET "https://127.0.0.1:$PORT/v1/status" "$PORT" "$T/empty")"
expect_match "for https://HUB.EXAMPLE:443 (Host: HUB.EXAMPLE:443): 200" "^200 " \
	"$(js send "$seed" GET "https://HUB.EXAMPLE:443/v1/status" "$PORT" "$T/empty")"
host=$(hostname)
expect_match "for https://${host^^}:$PORT, the hub's host name in upper case: 200" "^200 " \
	"$(js send "$seed" POST "https://${host^^}:$PORT/v1/pull" "$PORT" "$T/pull")"
out=$(js send "$seed" GET "https://127.0.0.1:$PORT/v1/status" "$PORT" "$T/empty" --no-alg)
expect_match "without alg: 401, named" '^401 .*no alg' "$out"
out=$(js send "$(sed -n 2p "$T/x/agent.key")" GET "https://127.0.0.1:$PORT/v1/status" "$PORT" "$T/empty")
expect_match "by a key not enrolled: 401, named" '^401 .*not enrolled' "$out"
out=$(js send "$seed" GET "https://other.example:$PORT/v1/status" "$PORT" "$T/empty")
expect_match "for another host: 421" '^421 ' "$out"

# chibo signs; the library verifies.
"$CHIBO_FORGE" request "$T/a" POST "127.0.0.1:$PORT" /v1/pull "$T/pull" > "$T/h"
expect_eq "chibo's signed pull verifies" verified \
	"$(js verify POST "https://127.0.0.1:$PORT/v1/pull" "$T/h" "$T/pull")"
"$CHIBO_FORGE" request "$T/a" POST "HUB.Example:443" /v1/push "$T/pull" > "$T/h"
expect_eq "signed for HUB.Example:443, it verifies at https://hub.example/" verified \
	"$(js verify POST "https://hub.example/v1/push" "$T/h" "$T/pull")"
expect_eq "and at https://HUB.EXAMPLE:443/" verified \
	"$(js verify POST "https://HUB.EXAMPLE:443/v1/push" "$T/h" "$T/pull")"
expect_eq "not for another method" "the signature does not verify" \
	"$(js verify PUT "https://hub.example/v1/push" "$T/h" "$T/pull")"
expect_eq "nor at another port" "the signature does not verify" \
	"$(js verify POST "https://hub.example:8443/v1/push" "$T/h" "$T/pull")"
expect_eq "nor with another body" "the Content-Digest is not the body's" \
	"$(js verify POST "https://hub.example/v1/push" "$T/h" "$T/empty")"
finish

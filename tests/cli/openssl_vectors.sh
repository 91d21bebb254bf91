#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# openssl_vectors.sh — the entry v1 test vectors checked with the openssl
# command line only, independent of chibo's code: each signature verifies
# under the public key in the entry, the id is the SHA-256 of the bytes,
# each prev is the previous id, and a copy with one flipped byte fails.
set -u
V="$CHIBO_SOURCE_DIR/tests/vectors/entry-v1.txt"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
command -v openssl >/dev/null || { echo "openssl not installed"; exit 77; }

unhex() { printf '%s' "$1" | sed 's/../\\x&/g' | xargs -0 printf '%b'; }
verify_file() { # FILE -> 0 if the signature verifies
	local f=$1 len
	len=$(stat -c %s "$f")
	head -c $((len - 64)) "$f" > "$T/signed"
	tail -c 64 "$f" > "$T/sig"
	{ printf '\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00'
	  dd if="$f" bs=1 skip=4 count=32 2>/dev/null; } > "$T/pub.der"
	openssl pkey -pubin -inform DER -in "$T/pub.der" -out "$T/pub.pem" 2>/dev/null &&
	openssl pkeyutl -verify -pubin -inkey "$T/pub.pem" -rawin \
		-in "$T/signed" -sigfile "$T/sig" >/dev/null 2>&1
}

i=0 prev=""
while IFS=': ' read -r k v; do
	case "$k" in
	entry) unhex "$v" > "$T/e$i" ;;
	public_key) pk=$v ;;
	id)
		f="$T/e$i"
		if verify_file "$f"; then ok; else bad "vector $i: signature"; fi
		got=$(openssl dgst -sha256 -r "$f" | cut -d' ' -f1)
		[ "$got" = "$v" ] && ok || bad "vector $i: id $got != $v"
		author=$(dd if="$f" bs=1 skip=4 count=32 2>/dev/null | od -An -tx1 | tr -d ' \n')
		[ "$author" = "$pk" ] && ok || bad "vector $i: author"
		magic=$(head -c 4 "$f")
		[ "$magic" = "CBE1" ] && ok || bad "vector $i: magic"
		if [ -n "$prev" ]; then
			p=$(dd if="$f" bs=1 skip=52 count=32 2>/dev/null | od -An -tx1 | tr -d ' \n')
			[ "$p" = "$prev" ] && ok || bad "vector $i: prev"
		fi
		# one flipped byte in the body: the signature must fail
		cp "$f" "$T/x"
		printf '\x00' | dd of="$T/x" bs=1 seek=110 conv=notrunc 2>/dev/null
		if verify_file "$T/x"; then bad "vector $i: tampered copy verified"; else ok; fi
		prev=$v; i=$((i + 1)) ;;
	esac
done < "$V"
[ "$i" -eq 3 ] && ok || bad "expected 3 vectors, read $i"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

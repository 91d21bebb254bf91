#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh — build the libFuzzer targets with clang (ASan + UBSan) in
# build-fuzz/ and run each for SECONDS (default 20; CI's short run). The
# long mode is the same with a larger number, e.g. 'tests/fuzz/run.sh 3600'.
# Seeds: the entry test vectors and a signed request; the corpora grow in
# build-fuzz/corpus/TARGET and findings land in build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-20}
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCHIBO_FUZZ=ON \
	-DCHIBO_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target fuzz_entry fuzz_httpsig fuzz_body fuzz_bundle fuzz_checkpoint
mkdir -p build-fuzz/corpus/fuzz_entry build-fuzz/corpus/fuzz_httpsig \
	build-fuzz/corpus/fuzz_body build-fuzz/corpus/fuzz_bundle \
	build-fuzz/corpus/fuzz_checkpoint
# seed corpus: the entry vectors as bytes, and a well-formed signature
grep '^entry: ' tests/vectors/entry-v1.txt | while read -r _ hex; do
	printf '%s' "$hex" | sed 's/../\\x&/g' | xargs -0 printf '%b' \
		> "build-fuzz/corpus/fuzz_entry/$(printf '%s' "$hex" | head -c 16)"
done
printf 'chibo=("@method" "@authority" "@path" "@query" "content-digest");created=1763683200;keyid="%064d";nonce="bm9uY2Utbm9uY2UtMTIz";alg="ed25519";tag="chibo-v1"\0chibo=:%s:\0sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:' \
	0 "$(head -c 64 /dev/zero | base64 -w0)" > build-fuzz/corpus/fuzz_httpsig/seed
# a push body: the three vectors as a stream, compressed
grep '^entry: ' tests/vectors/entry-v1.txt | while read -r _ hex; do
	printf '%08x%s' $((${#hex} / 2)) "$hex"
done | sed 's/../\\x&/g' | xargs -0 printf '%b' | zstd -q -c \
	> build-fuzz/corpus/fuzz_body/seed
# bundles of the three vectors (docs/PROTOCOL.md, "Bundles"), as the
# target reads them the second way: everything before the signer, which it
# signs with the vectors' key — an agent's, and a hub's with a checkpoint
python3 - build-fuzz/corpus/fuzz_bundle <<'PY'
import struct, subprocess, sys
ents = [bytes.fromhex(l.split()[1]) for l in open("tests/vectors/entry-v1.txt")
        if l.startswith("entry: ")]
stream = b"".join(struct.pack(">I", len(e)) + e for e in ents)
z = subprocess.run(["zstd", "-q", "-c"], input=stream, capture_output=True,
                   check=True).stdout
note = ("chibo/hub/BG.LG\n7\n" + "A" * 43 + "=\n\n\u2014 chibo/hub/BG.LG " +
        "A" * 92 + "\n").encode()
for kind, cp in ((1, b""), (2, note)):
    head = b"CBB2" + bytes([kind, 5]) + b"07297" + struct.pack(
        ">qqII", 0, len(ents), len(ents), len(cp)) + cp
    open("%s/seed%d" % (sys.argv[1], kind), "wb").write(
        head + struct.pack(">I", len(z)) + z)
PY
printf 'chibo/hub/BG.LG\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 chibo/hub/BG.LG AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n' \
	> build-fuzz/corpus/fuzz_checkpoint/seed
for t in fuzz_entry fuzz_httpsig fuzz_body fuzz_bundle fuzz_checkpoint; do
	echo "== $t for ${seconds}s"
	(cd build-fuzz && "./$t" -max_total_time="$seconds" -print_final_stats=1 \
		-max_len=70000 "corpus/$t" 2>&1 | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)" || true)
	# libFuzzer exits non-zero on a finding; check for crash files too
	if ls build-fuzz/crash-* build-fuzz/leak-* build-fuzz/timeout-* >/dev/null 2>&1; then
		echo "fuzz: $t found a failing input:" build-fuzz/crash-* build-fuzz/leak-* build-fuzz/timeout-* 2>/dev/null
		exit 1
	fi
done
echo "fuzz: no failures"

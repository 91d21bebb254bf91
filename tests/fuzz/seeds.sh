#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# seeds.sh DIR TARGET… — write each fuzz target's seed corpus into
# DIR/TARGET: well-formed inputs the mutations start from, so that the
# fuzzer reaches past the first check of each parser; and for some a
# dictionary, DIR/TARGET.dict. Run by run.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$1
shift
vectors=tests/vectors/entry-v1.txt

# The entry test vectors as bytes, one file each.
seed_fuzz_entry() {
	grep '^entry: ' "$vectors" | while read -r _ hex; do
		printf '%s' "$hex" | sed 's/../\\x&/g' | xargs -0 printf '%b' \
			>"$1/$(printf '%s' "$hex" | head -c 16)"
	done
}

# A well-formed signature: Signature-Input, Signature, Content-Digest.
seed_fuzz_httpsig() {
	printf 'chibo=("@method" "@authority" "@path" "@query" "content-digest");created=1763683200;keyid="%064d";nonce="bm9uY2Utbm9uY2UtMTIz";alg="ed25519";tag="chibo-v1"\0chibo=:%s:\0sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:' \
		0 "$(head -c 64 /dev/zero | base64 -w0)" >"$1/seed"
}

# A push body: the three vectors as a stream, compressed.
seed_fuzz_body() {
	grep '^entry: ' "$vectors" | while read -r _ hex; do
		printf '%08x%s' $((${#hex} / 2)) "$hex"
	done | sed 's/../\\x&/g' | xargs -0 printf '%b' | zstd -q -c >"$1/seed"
}

# Bundles of the three vectors (docs/PROTOCOL.md, "Bundles"), as the
# target reads them the second way: everything before the signer, which it
# signs with the vectors' key — an agent's, and a hub's with a checkpoint.
seed_fuzz_bundle() {
	python3 - "$1" "$vectors" <<'PY'
import struct, subprocess, sys
ents = [bytes.fromhex(l.split()[1]) for l in open(sys.argv[2])
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
}

seed_fuzz_checkpoint() {
	printf 'chibo/hub/BG.LG\n7\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xe2\x80\x94 chibo/hub/BG.LG AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n' \
		>"$1/seed"
}

# Member lists: the import test's spreadsheet, and rows in the order the
# target maps to member.add's fields (full_name, birth_date, sex, card_no,
# national_id, admitted_on, official_on, status, work_category,
# council_area, cell, cell_since).
seed_fuzz_csv() {
	printf '\xef\xbb\xbfHọ và tên;Ngày sinh;Giới tính;Số thẻ đảng;Ngày vào Đảng;Ngày chính thức;Chi bộ\r\n"Trần Thị; Hương";15/08/1990;Nữ;0102;10/01/2020;;02\r\n\r\n' \
		>"$1/excel"
	printf 'full_name,birth_date,sex,card_no,national_id,admitted_on,official_on,status,work_category,council_area,cell,cell_since\n' >"$1/members"
	printf 'Nguyễn Văn Hợp,02/03/1980,male,0101,001080000001,19/05/2005,19/05/2006,official,retired,,01,2006-01-01\n' >>"$1/members"
	printf '" Lê Văn ""Tám"" ",1975-01-01,female,,,2000-01-01,,,,Khu vực 1,26734.02,,"a note\non two lines"\n' >>"$1/members"
}

# What Excel saves on Vietnamese Windows: Windows-1258 with combining tone
# marks, UTF-16 LE with a mark, UTF-8 with one.
seed_fuzz_decode() {
	printf 'H\xf5\xf2p;Nguy\xeanx\xdeN\r\n' >"$1/cp1258"
	printf '\xff\xfeH\0\xa1\x01\x23\x03p\0\t\0' >"$1/utf16le"
	printf '\xef\xbb\xbfH\xe1\xbb\xa3p\n' >"$1/utf8"
}

# A well-formed invitation (its signature does not verify: the fuzzer
# reaches the signature check, and the lines before it).
seed_fuzz_invite() {
	printf 'chibo invitation v1\nurl https://10.0.0.5:8443\npin sha256//L+/lpaD1Z5EV4APBM+aGDlmT0j0COho+Nz7+r7AtMoE=\nhub chibo/hub/BG.LG\nhub-key %s\norg 26734\nrole commune\nkey %s\n\n\xe2\x80\x94 chibo/hub/BG.LG %s\n' \
		"$(printf '%064d' 1)" "$(printf '%064d' 2)" "$(head -c 68 /dev/zero | base64 -w0)" >"$1/seed"
}

seed_fuzz_date() {
	printf '2024-02-29' >"$1/iso"
	printf ' 29/02/2024\t' >"$1/day-first"
	printf '1/3/1990\0002199-12-31' >"$1/two"
	printf '31-12-1900\0001-1-1900' >"$1/dashes"
}

seed_fuzz_text() {
	printf '  Nguyễn  Văn HỢP\0hợp' >"$1/name"
	printf 'Đỗ Thị Ánh\u00a0Tuyết\0do anh' >"$1/d-stroke"
	printf 'Tre\xcc\x82\xcc\x80n\0tr\xe1\xba\xa7n' >"$1/nfd"
	printf '\xe4\xb8\xad\xe6\x96\x87 \xef\xbc\xa1 \xc7\xb0\0j' >"$1/wide"
}

seed_fuzz_key() {
	printf 'chibo-secret-key-v1\n%s\n' \
		000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \
		>"$1/key"
}

seed_fuzz_hubconf() {
	cat >"$1/conf" <<'CONF'
# chibo-hub serve
listen = 0.0.0.0:8443
threads = 8
connection_limit = 2048
per_ip_connection_limit = 24   # offices behind one NAT
connection_timeout = 30
max_body = 8388608
signature_window = 300
names = hub.example.vn, HUB.example.vn:443 10.0.0.1:8443
header_timeout = 15
min_body_rate = 1024
requests_per_key = 4096
CONF
}

# A hub's answers and a proof file over the target's tree of 64 leaves
# (leaf i is the byte i), with true proofs: RFC 9162 §2.1, in Python.
seed_fuzz_proof() {
	python3 - "$1" <<'PY'
import base64, hashlib, json, sys
H = lambda b: hashlib.sha256(b).digest()
leaves = [H(b"\0" + bytes([i])) for i in range(64)]
def split(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k
def mth(d):
    if len(d) == 1:
        return d[0]
    k = split(len(d))
    return H(b"\1" + mth(d[:k]) + mth(d[k:]))
def path(m, d):
    if len(d) == 1:
        return []
    k = split(len(d))
    if m < k:
        return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]
def subproof(m, d, b):
    if m == len(d):
        return [] if b else [mth(d)]
    k = split(len(d))
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]
hexes = lambda p: [h.hex() for h in p]
def note(n):
    return "chibo/hub/BG.LG\n%d\n%s\n" % (
        n, base64.b64encode(mth(leaves[:n])).decode())
out = sys.argv[1]
def put(name, o):
    open("%s/%s" % (out, name), "w").write(json.dumps(o))
put("checkpoint", {"checkpoint": note(37), "size": 37, "from": 13,
                   "consistency": hexes(subproof(13, leaves[:37], True))})
put("checkpoint-pow2", {"checkpoint": note(64), "size": 64, "from": 32,
                        "consistency": hexes(subproof(32, leaves, True))})
put("checkpoint-same", {"checkpoint": note(5), "size": 5, "from": 5,
                        "consistency": []})
put("proofs", {"size": 37, "checkpoint": note(37), "proofs": [
    {"id": "00" * 32, "index": i, "path": hexes(path(i, leaves[:37]))}
    for i in (0, 5, 32, 36)]})
put("proof-file", {"format": "chibo-proof-1", "checkpoint": note(21),
                   "entry": "", "index": 12, "size": 21,
                   "path": hexes(path(12, leaves[:21]))})
PY
}

# Operations: the lines of the apply test and the docs, and the bodies
# of the entry test vectors with their ops; a dictionary of the names
# and values the op table knows (ops, fields, enumerations), bare and as
# JSON keys, without which the fuzzer finds few of the ops.
# Forms as the web interface posts them: a member, a meeting's checklist.
seed_fuzz_form() {
	printf 'csrf=00ff&name=Nguy%%E1%%BB%%85n+Th%%E1%%BB%%8B+Hoa&birth=01%%2F02%%2F1980&cell=01' >"$1/member"
	printf 'csrf=00ff&cell=01&date=15%%2F03%%2F2026&mark.aa11=present&mark.bb22=excused&&x' >"$1/meeting"
	# an upload, as a browser posts the CSV import (boundary "b")
	printf -- '--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n00ff\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="ds.csv"\r\nContent-Type: text/csv\r\n\r\nHo va ten,Ngay sinh\r\nA,01/02/1980\r\n--b--\r\n' >"$1/upload"
}

seed_fuzz_ops() {
	find common -name op_table.c -o -name ops.c | xargs cat |
		grep -o '"[a-z][a-z0-9_.-]*"' | sort -u |
		sed 's/^"\(.*\)"$/"\1"\n"\\"\1\\":"/' >"$1.dict"
	grep -ho '{"op".*}' tests/cli/agent_apply.sh docs/OPERATIONS.md |
		cat -n | while read -r i line; do
		printf '%s\n' "$line" >"$1/line$i"
	done
	python3 - "$1" "$vectors" <<'PY'
import json, sys
op = None
for l in open(sys.argv[2], encoding="utf-8"):
    if l.startswith("op: "):
        op = l[4:].strip()
    elif l.startswith("body: "):
        body = json.loads(l[6:])
        body["op"] = op
        open("%s/vector-%s" % (sys.argv[1], op), "w").write(
            json.dumps(body, ensure_ascii=False))
PY
}

for t in "$@"; do
	mkdir -p "$dir/$t"
	if declare -F "seed_$t" >/dev/null; then
		"seed_$t" "$dir/$t"
	fi
done

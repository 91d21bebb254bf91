#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo.sh — the main job, played out on this machine: a commune office
# records its Party organisation offline — cells, members, a meeting,
# ratings — every change a signed, hash-chained entry; a district hub is
# set up and three communes sync with it, each receiving its own scope of
# the district's log; a cadre is transferred from one commune to another
# through it; an inspection commission audits the district's log without
# trusting the hub, and catches an entry changed in a copy of it; 'verify'
# passes; then a name in the replica file is changed by hand and 'verify'
# catches it.
# Builds chibo first (installing the Debian dependencies when missing) and
# removes everything it made when it ends.
set -euo pipefail
cd "$(dirname "$0")"

./packaging/install-deps.sh >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target chibo-agent chibo-hub chibo-audit >/dev/null
AGENT=$PWD/build/chibo-agent
HUB=$PWD/build/chibo-hub
AUDIT=$PWD/build/chibo-audit

W=$(mktemp -d "${TMPDIR:-/tmp}/chibo-demo.XXXXXX")
HUB_PID=
trap '[ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; rm -rf "$W"' EXIT
export CHIBO_REPLICA=$W/que-nham
step() { printf '\n\033[1m▶ %s\033[0m\n' "$*"; }
run() {
	printf '$ chibo-agent'
	for arg in "$@"; do
		case $arg in
		*[[:space:]\;\'\"]*) printf " '%s'" "$arg" ;;
		*) printf ' %s' "$arg" ;;
		esac
	done
	printf '\n'
	"$AGENT" "$@"
}

step "The commune office of Quế Nham (Bắc Giang) sets up its replica: no network needed."
run init --code 07297 --name "Đảng bộ xã Quế Nham" --parent BG.LG

step "It records its cells: four villages and the commune-agency cell."
run cell create --code DG --name "Chi bộ thôn Đại Giáp" --kind residential
run cell create --code CA --name "Chi bộ cơ quan xã" --kind commune-agency
cat > "$W/cells.jsonl" <<'JSON'
{"op": "cell.create", "code": "TN", "name": "Chi bộ thôn Tân Ninh", "kind": "residential"}
{"op": "cell.create", "code": "HT", "name": "Chi bộ thôn Hà Thượng", "kind": "residential"}
{"op": "cell.create", "code": "PT", "name": "Chi bộ thôn Phúc Tiến", "kind": "residential"}
JSON
run apply --quiet "$W/cells.jsonl"

step "The member list comes from the office spreadsheet (CSV, Vietnamese headers); a dry run first."
cat > "$W/members.csv" <<'CSV'
Họ và tên,Ngày sinh,Giới tính,Số thẻ đảng,Số CCCD,Ngày vào Đảng,Ngày chính thức,Chi bộ
Dương Đăng Quyền,12/04/1972,Nam,07297001,024072000101,19/05/1998,19/05/1999,CA
Nguyễn Văn Hợp,02/03/1980,Nam,07297002,024080000102,03/02/2006,03/02/2007,CA
Trần Thị Hương,15/08/1990,Nữ,07297003,024190000103,10/01/2015,10/01/2016,CA
Lê Văn Tám,01/01/1965,Nam,07297004,024065000104,01/09/1990,01/09/1991,DG
Phạm Thị Lan,20/11/1985,Nữ,07297005,024185000105,22/12/2010,22/12/2011,DG
Hoàng Văn Dũng,07/07/1978,Nam,07297006,024078000106,30/04/2004,30/04/2005,TN
Vũ Thị Mai,09/09/1992,Nữ,07297007,024192000107,02/09/2019,02/09/2020,HT
Đặng Quang Hải,25/12/1983,Nam,07297008,024083000108,19/05/2009,19/05/2010,PT
Bùi Thị Thảo,14/02/1996,Nữ,,024196000109,03/02/2026,,CA
CSV
run import-members --dry-run "$W/members.csv"
run import-members "$W/members.csv"

step "Who is in the commune-agency cell? And a search typed without diacritics."
run members --cell CA
run members --name "nguyen van hop"

step "The agency cell holds its October meeting; a district observer attends."
run meeting record --cell CA --date 2026-10-05 --kind regular --duration 95 \
	--chair card:07297001 --clerk card:07297003 \
	--present card:07297001,card:07297002,card:07297003 \
	--excused nid:024196000109 \
	--observer "Nguyễn Hữu Thọ:Huyện ủy viên" \
	--content "Quán triệt Kết luận 21-KL/TW; kế hoạch giải thể chi bộ cơ quan" \
	--resolutions "Chuyển đảng viên về sinh hoạt tại chi bộ thôn" --rating good
run meetings

step "Year-end ratings on the 100-point scale: self-rating, then the committee's decision."
run rate --member card:07297002 --period 2025 --level good --score 84 --stage self
run rate --member card:07297002 --period 2025 --level outstanding --score 91 --stage decided
run rate --org CA --period 2025 --level good --score 80 --stage decided
run congress --org DG --term 2020-2025 --held-on 2020-05-20
cat > "$W/season.jsonl" <<'JSON'
{"op": "org.congress", "org": "TN", "term": "2020-2025", "held_on": "2020-05-22"}
{"op": "org.congress", "org": "HT", "term": "2020-2025", "held_on": "2020-05-27"}
{"op": "org.congress", "org": "PT", "term": "2020-2025", "held_on": "2020-06-03"}
{"op": "rating.record", "subject_kind": "member", "subject": "card:07297001", "period": "2025", "level": "good", "score": 88, "stage": "decided"}
{"op": "rating.record", "subject_kind": "member", "subject": "card:07297003", "period": "2025", "level": "good", "score": 79, "stage": "decided"}
{"op": "rating.record", "subject_kind": "member", "subject": "card:07297004", "period": "2025", "level": "completed", "score": 65, "stage": "decided"}
{"op": "rating.record", "subject_kind": "member", "subject": "card:07297005", "period": "2025", "level": "good", "score": 82, "stage": "decided"}
{"op": "rating.record", "subject_kind": "member", "subject": "card:07297006", "period": "2025", "level": "good", "score": 76, "stage": "decided"}
{"op": "rating.record", "subject_kind": "member", "subject": "card:07297007", "period": "2025", "level": "good", "score": 85, "stage": "decided"}
{"op": "rating.record", "subject_kind": "member", "subject": "card:07297008", "period": "2025", "level": "completed", "score": 58, "stage": "decided"}
JSON
run apply --quiet "$W/season.jsonl"
run ratings --period 2025

step "The commune's figures for the district: congresses held this term, and the year's ratings."
run report congresses --term 2020-2025
run report ratings --period 2025

step "A rule broken is refused before anything is written: a card number already in use."
run member add --name "Ngô Văn Trùng" --birth 1990-01-01 --sex male \
	--card 07297002 --admitted 2015-01-01 --cell DG || true

step "Every change is a signed entry chained to the one before."
run log --limit 6
run status

step "The district office sets up its hub (its own key and TLS certificate) and enrols the commune's key."
hubrun() { printf '$ chibo-hub'; printf " %s" "$@"; printf '\n'; "$HUB" --dir "$W/hub" "$@"; }
hubrun init --code BG.LG --name "Huyện ủy Lạng Giang" | tee "$W/hub.out"
HUB_KEY=$(sed -n 's/^hub key: //p' "$W/hub.out")
PIN=$(sed -n 's/^TLS pin: //p' "$W/hub.out")
COMMUNE_KEY=$("$AGENT" status --json | sed -n 's/.*"public_key": "\([0-9a-f]*\)".*/\1/p')
hubrun enroll "$COMMUNE_KEY" --org 07297 --role commune --name "Văn phòng Đảng ủy xã Quế Nham"
"$HUB" --dir "$W/hub" serve --listen 127.0.0.1:0 > "$W/serve.out" 2> "$W/serve.log" &
HUB_PID=$!
for _ in $(seq 50); do grep -q serving "$W/serve.out" && break; sleep 0.1; done
cat "$W/serve.out"
PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$W/serve.out")

step "That evening the link is up: the commune syncs. Every request is signed by its key; the hub is trusted by its pin."
run hub --url "https://127.0.0.1:$PORT" --pin "$PIN" --key "$HUB_KEY"
run sync

step "Two more communes of the district, Tân Hưng and Hương Lạc, record offline, get enrolled and sync too."
for c in 07298:"Tân Hưng":tan-hung 07299:"Hương Lạc":huong-lac; do
	code=${c%%:*}; rest=${c#*:}; name=${rest%%:*}; dir=$W/${rest#*:}
	"$AGENT" --replica "$dir" init --code "$code" --name "Đảng bộ xã $name" --parent BG.LG >/dev/null
	cat > "$W/$code.jsonl" <<JSON
{"op": "cell.create", "code": "01", "name": "Chi bộ thôn Một", "kind": "residential"}
{"op": "cell.create", "code": "02", "name": "Chi bộ trường Tiểu học $name", "kind": "school"}
{"op": "member.add", "full_name": "Nguyễn Thị Bích", "birth_date": "1988-03-08", "sex": "female", "card_no": "${code}001", "admitted_on": "2012-05-19", "cell": "01"}
{"op": "member.add", "full_name": "Trịnh Văn Khải", "birth_date": "1979-10-10", "sex": "male", "card_no": "${code}002", "admitted_on": "2003-02-03", "cell": "02"}
JSON
	"$AGENT" --replica "$dir" apply --quiet "$W/$code.jsonl"
	key=$("$AGENT" --replica "$dir" status --json | sed -n 's/.*"public_key": "\([0-9a-f]*\)".*/\1/p')
	hubrun enroll "$key" --org "$code" --role commune --name "Văn phòng Đảng ủy xã $name"
	"$AGENT" --replica "$dir" hub --url "https://127.0.0.1:$PORT" --pin "$PIN" --key "$HUB_KEY" >/dev/null
	run --replica "$dir" sync
done

step "Quế Nham syncs again: it pulls the district's directory of organisations and cells, and nothing of the others' members."
run sync
run status
printf '$ chibo-hub digest --org 07297   # what Quế Nham may see, by the hub\n'
"$HUB" --dir "$W/hub" digest --org 07297
run digest
printf '(equal: the replica holds exactly its scope of the hub; it holds %s members of other communes)\n' \
	"$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM members WHERE org <> ?", ("07297",)).fetchone()[0])' "$CHIBO_REPLICA/replica.db")"
step "A cadre of Quế Nham is transferred to Tân Hưng: an official release (letter 125-GGT/ĐU), then the sync."
run member move card:07297004 --cell TN --on 2026-10-20
run member release card:07297002 --to 07298 --letter "125-GGT/ĐU" \
	--letter-date 2026-11-10 --on 2026-11-12 --reason "Điều động công tác"
run transfers
run sync
TH=$W/tan-hung
step "Tân Hưng syncs three days later: the release arrives with the member's dossier, and its office accepts."
run --replica "$TH" sync
REL=$("$AGENT" --replica "$TH" transfers --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"][:12])')
run --replica "$TH" transfers
run --replica "$TH" member accept "$REL" --cell 01 --reported-on 2026-11-15
run --replica "$TH" members --cell 01
run --replica "$TH" sync
step "Back at Quế Nham: the transfer is complete, and the record is no longer Quế Nham's to change."
run sync
run transfers --all
run member update card:07297002 --work retired || true
hubrun list
hubrun verify

step "An inspection commission audits the district's log without trusting the hub: its own key, enrolled as an auditor."
auditrun() { printf '$ chibo-audit'; printf " %s" "$@"; printf '\n'; "$AUDIT" --dir "$W/audit" "$@"; }
auditrun init | tee "$W/audit.out"
AUDITOR_KEY=$(sed -n 's/^auditor key: //p' "$W/audit.out")
hubrun enroll "$AUDITOR_KEY" --org BG.LG --role auditor --name "Ủy ban Kiểm tra Tỉnh ủy"
auditrun verify --hub "https://127.0.0.1:$PORT" --pin "$PIN" --hub-key "$HUB_KEY"
step "The transferred member's whole history, each entry proven to be in the log the hub signed."
auditrun history 07297002 --hub "https://127.0.0.1:$PORT" --pin "$PIN"
REL_ID=$(sqlite3 "$W/hub/hub.db" "SELECT lower(hex(id)) FROM entries WHERE op = 'member.release' LIMIT 1" 2>/dev/null || true)
if [ -n "$REL_ID" ]; then
	auditrun proof "${REL_ID:0:16}" --hub "https://127.0.0.1:$PORT" --pin "$PIN" --out "$W/release.proof"
	step "The proof file is checked later, on another machine, with no network."
	auditrun check-proof "$W/release.proof"
fi
kill -TERM "$HUB_PID"; wait "$HUB_PID" 2>/dev/null; HUB_PID=
step "Someone with access to the hub's disk changes one old entry in a copy of hub.db; the audit catches it."
cp "$W/hub/hub.db" "$W/hub-copy.db"
python3 - "$W/hub-copy.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
lsn, b = db.execute("SELECT lsn, bytes FROM entries WHERE op = 'member.release' LIMIT 1").fetchone()
db.execute("UPDATE entries SET bytes = ? WHERE lsn = ?", (bytes(b).replace(b"2026-11-10", b"2026-10-10"), lsn))
db.commit()
print("  changed the release's letter date in entry %d of the copy" % lsn)
PY
auditrun verify --db "$W/hub-copy.db" || echo "(the audit exited $? — the change is caught)"
echo "(the hub logged: $(grep -c . "$W/serve.log") lines, e.g. '$(grep 'POST /v1/pull' "$W/serve.log" | head -1 | cut -d' ' -f2-)')"

step "An inspector checks the replica: every signature, every chain link, every table."
run verify

step "A forger opens a copy of the replica file in a hex editor and changes Tám to Tâm — in the table row AND in the signed entry…"
cp -a "$CHIBO_REPLICA" "$W/tampered"
python3 - "$W/tampered/replica.db" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
old, new = "Văn Tám".encode(), "Văn Tâm".encode()   # same length in UTF-8
at = [i for i in range(len(b)) if b.startswith(old, i)]
for i in at:
    b[i:i + len(old)] = new
open(p, "wb").write(b)
print("  changed %d places in replica.db, at bytes %s" % (len(at), ", ".join(map(str, at))))
PY
run --replica "$W/tampered" members --name "tam"
step "…and verify catches it: the entry's bytes no longer match its Ed25519 signature."
run --replica "$W/tampered" verify || echo "(verify exited $? — the forgery is caught)"
printf '\n\033[1mDone.\033[0m The replica lived in %s and is now removed.\n' "$W"

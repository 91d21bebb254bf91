#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo.sh — the main job, played out on this machine: a season of a
# district. The district sets up its hub (HTTPS on 127.0.0.1, a fresh TLS
# certificate) and its committee's office; three commune offices set up
# their replicas offline, with cells and members from their spreadsheets
# (Vietnamese names, generated deterministically by
# tests/tools/season.py), and sync. The campaign of the seed articles
# follows: each commune dissolves its commune-agency cell — plan, the
# district's approval, members moved to village cells, one cadre
# transferred officially to another commune, the decision. A month of
# meetings and the year's ratings are recorded offline; a release left
# unanswered since July is struck off; one commune syncs late. The
# district prints its reports. Tân Hưng's laptop is stolen: the district
# hands the commune to a new laptop's key, which restores it from the hub
# and syncs, and what the thief signs with the stolen key is refused and
# shown in the hub's status. Then the province joins in: Lạng Giang's
# hub and Yên Dũng's sync with the province's hub, which witnesses their
# logs, and a member moves from a commune of one district to a commune of
# the other through it; then the centre: Bắc Giang's and Hà Nội's hubs
# join it, and a member moves from Lạng Giang to a ward of Hà Nội. An inspection commission audits the log without
# trusting the hub and catches an entry changed in a copy of it; a forged
# replica is caught by 'verify'.
# Builds chibo first (installing the Debian dependencies when missing) and
# removes everything it made when it ends. CHIBO_DEMO_BUILD=DIR uses the
# programs already built in DIR (the test suite does).
#
# ./demo.sh --browse plays the same season, then leaves the district
# hub's dashboard and Quế Nham's 'chibo-agent ui' running on 127.0.0.1,
# in Vietnamese, and prints their addresses and the dashboard account's
# password, until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")"

BROWSE=
case ${1:-} in
--browse) BROWSE=1 ;;
"") ;;
*) echo "usage: ./demo.sh [--browse]" >&2; exit 2 ;;
esac

BUILD=${CHIBO_DEMO_BUILD:-}
if [ -z "$BUILD" ]; then
	./packaging/install-deps.sh >/dev/null
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j "$(nproc)" --target chibo-agent chibo-hub chibo-audit >/dev/null
	BUILD=$PWD/build
fi
AGENT=$BUILD/chibo-agent
# the build's catalogues, so that LANG=vi_VN.UTF-8 ./demo.sh speaks Vietnamese
export CHIBO_LOCALEDIR=${CHIBO_LOCALEDIR:-$BUILD/locale}
HUB=$BUILD/chibo-hub
AUDIT=$BUILD/chibo-audit
SEASON=$PWD/tests/tools/season.py
T0=$(date +%s)

W=$(mktemp -d "${TMPDIR:-/tmp}/chibo-demo.XXXXXX")
HUB_PID= PIDS=()
# (each kill may find its process gone already: Ctrl-C reaches them too)
trap '[ -z "$HUB_PID" ] || kill "$HUB_PID" 2>/dev/null || true; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"' EXIT
export CHIBO_REPLICA=$W/que-nham
QN=$W/que-nham TH=$W/tan-hung HL=$W/huong-lac OFFICE=$W/office
# The narration in the clerks' language: step and say take the English,
# then the Vietnamese, shown under a Vietnamese locale.
case ${LC_ALL:-${LC_MESSAGES:-${LANG:-}}} in vi*) VI=1 ;; *) VI= ;; esac
tell() { if [ -n "$VI" ]; then printf '%s' "$2"; else printf '%s' "$1"; fi; }
step() { printf '\n\033[1m▶ %s\033[0m\n' "$(tell "$1" "$2")"; }
say() { printf '%s\n' "$(tell "$1" "$2")"; }
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

hubrun() { printf '$ chibo-hub'; printf " %s" "$@"; printf '\n'; "$HUB" --dir "$W/hub" "$@"; }
quiet() { "$@" >/dev/null; }
key_of() { "$AGENT" --replica "$1" status --json | sed -n 's/.*"public_key": "\([0-9a-f]*\)".*/\1/p'; }
# the id of the first row of a --json listing whose field k is v
id_of() {
	python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r[sys.argv[1]] == sys.argv[2]][0][:12])' "$@"
}

step "The district of Lạng Giang sets up its hub: a log, a signing key, a fresh TLS certificate; it serves HTTPS on 127.0.0.1." \
	"Huyện Lạng Giang dựng máy chủ của mình: một nhật ký, một khóa ký, một chứng chỉ TLS mới; máy chủ phục vụ HTTPS tại 127.0.0.1."
hubrun init --code BG.LG --name "Huyện ủy Lạng Giang" --parent BG | tee "$W/hub.out"
HUB_KEY=$(sed -n 's/^[^:]*: \([0-9a-f]\{64\}\)$/\1/p' "$W/hub.out")
PIN=$(sed -n 's/^[^:]*: \(sha256\/\/.*\)$/\1/p' "$W/hub.out")
"$HUB" --dir "$W/hub" serve --listen 127.0.0.1:0 > "$W/serve.out" 2> "$W/serve.log" &
HUB_PID=$!
for _ in $(seq 300); do grep -q 'https://' "$W/serve.out" && break; sleep 0.1; done
cat "$W/serve.out"
URL="https://127.0.0.1:$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$W/serve.out")"

step "The district committee's office runs its own replica, enrolled with the district role: it approves and strikes off." \
	"Văn phòng Huyện ủy có bản sao dữ liệu riêng, được đăng ký với vai trò huyện: văn phòng phê duyệt và xóa tên."
run --replica "$OFFICE" init --code BG.LG --name "Văn phòng Huyện ủy Lạng Giang" --office
hubrun enroll "$(key_of "$OFFICE")" --org BG.LG --role district --name "Văn phòng Huyện ủy"
quiet "$AGENT" --replica "$OFFICE" hub --url "$URL" --pin "$PIN" --key "$HUB_KEY"

step "The commune office of Quế Nham sets up its replica, offline: the commune-agency cell and four village cells." \
	"Văn phòng Đảng ủy xã Quế Nham tạo bản sao dữ liệu, không cần mạng: chi bộ cơ quan xã và bốn chi bộ thôn."
run init --code 07297 --name "Đảng bộ xã Quế Nham" --parent BG.LG
run cell create --code CA --name "Chi bộ cơ quan xã" --kind commune-agency
cells() {
	local n=0
	for v in "$@"; do
		printf '{"op": "cell.create", "code": "0%d", "name": "Chi bộ thôn %s", "kind": "residential"}\n' \
			"$((++n))" "$v"
	done
}
cells "Đại Giáp" "Tân Ninh" "Hà Thượng" "Phúc Tiến" > "$W/qn-cells.jsonl"
run apply --quiet "$W/qn-cells.jsonl"

step "Its member list comes from the office spreadsheet: CSV with Vietnamese headers, checked with a dry run first." \
	"Danh sách đảng viên lấy từ bảng tính của văn phòng: tệp CSV có tiêu đề tiếng Việt, được chạy thử trước."
python3 "$SEASON" members 07297 season 40 > "$W/qn.csv"
rows=$(($(wc -l < "$W/qn.csv") - 1))
head -4 "$W/qn.csv"; say "… ($rows rows)" "… ($rows dòng)"
run import-members --dry-run "$W/qn.csv" | tail -2
run import-members "$W/qn.csv"
run members --name "nguyen van" --cell CA

step "Tân Hưng and Hương Lạc do the same on their own laptops." \
	"Tân Hưng và Hương Lạc làm như vậy trên máy tính của mình."
for c in "$TH:07298:Tân Hưng:34:Tân Lập:Tân Sơn:Đồng Lầm:Bến Mới" \
	"$HL:07299:Hương Lạc:46:Hương Thịnh:Lạc Sơn:Đông Hương:Tân Mỹ"; do
	IFS=: read -r dir code name count v1 v2 v3 v4 <<<"$c"
	echo "$name" > "$dir.name"
	quiet "$AGENT" --replica "$dir" init --code "$code" --name "Đảng bộ xã $name" --parent BG.LG
	{ echo '{"op": "cell.create", "code": "CA", "name": "Chi bộ cơ quan xã", "kind": "commune-agency"}'
	  cells "$v1" "$v2" "$v3" "$v4"; } > "$W/$code-cells.jsonl"
	quiet "$AGENT" --replica "$dir" apply --quiet "$W/$code-cells.jsonl"
	python3 "$SEASON" members "$code" season "$count" > "$W/$code.csv"
	quiet "$AGENT" --replica "$dir" import-members "$W/$code.csv"
	say "  Đảng bộ xã $name ($code): 5 cells, $count members" \
		"  Đảng bộ xã $name ($code): 5 chi bộ, $count đảng viên"
done
say "  Tân Hưng also holds a release from July: a member left for a commune of Yên Dũng district, which never answered." \
	"  Tân Hưng còn một giấy giới thiệu từ tháng Bảy: một đảng viên chuyển đi một xã của huyện Yên Dũng, nơi chưa bao giờ trả lời."
quiet "$AGENT" --replica "$TH" member release card:07298030 --to 26012 --letter "18-GGT/ĐU" \
	--letter-date 2026-07-20 --on 2026-07-20 --reason "Chuyển nơi cư trú"

step "The district enrols each commune's key; each syncs for the first time (signed requests, the hub's pin)." \
	"Huyện đăng ký khóa của từng xã; từng xã đồng bộ lần đầu (yêu cầu có chữ ký, mã ghim của máy chủ)."
for dir in "$QN" "$TH" "$HL"; do
	code=$(sqlite3 "$dir/replica.db" "SELECT value FROM meta WHERE key = 'org'")
	name=$(cat "$dir.name" 2>/dev/null || echo "Quế Nham")
	quiet "$HUB" --dir "$W/hub" enroll "$(key_of "$dir")" --org "$code" --role commune --name "Văn phòng Đảng ủy xã $name"
	quiet "$AGENT" --replica "$dir" hub --url "$URL" --pin "$PIN" --key "$HUB_KEY"
	run --replica "$dir" sync
done
hubrun list

step "Kết luận 21-KL/TW: each commune plans to dissolve its commune-agency cell, and syncs the plan." \
	"Kết luận 21-KL/TW: từng xã lập kế hoạch giải thể chi bộ cơ quan xã và đồng bộ kế hoạch."
for dir in "$QN" "$TH" "$HL"; do
	run --replica "$dir" cell dissolve-plan CA --on 2026-10-01 --reason "Kết luận 21-KL/TW"
	quiet "$AGENT" --replica "$dir" sync
done

step "The district office receives the three plans and approves them, each with its decision number." \
	"Văn phòng Huyện ủy nhận ba kế hoạch và phê duyệt, mỗi kế hoạch kèm số quyết định."
quiet "$AGENT" --replica "$OFFICE" sync
run --replica "$OFFICE" dissolutions
no=412
for code in 07297 07298 07299; do
	plan=$("$AGENT" --replica "$OFFICE" dissolutions --json | id_of cell "$code.CA")
	run --replica "$OFFICE" cell dissolve-approve "$plan" --decision-no "$((no++))-QĐ/HU" --on 2026-10-05
done
quiet "$AGENT" --replica "$OFFICE" sync
for dir in "$QN" "$TH" "$HL"; do quiet "$AGENT" --replica "$dir" sync; done
say "  (each commune has the approval; then Hương Lạc's link goes down for the rest of the season)" \
	"  (từng xã đã có phê duyệt; sau đó đường truyền của Hương Lạc mất suốt thời gian còn lại)"

step "Quế Nham releases one agency cadre to Tân Hưng (letter 125-GGT/ĐU), and moves the others to village cells." \
	"Quế Nham giới thiệu một cán bộ cơ quan chuyển sinh hoạt đến Tân Hưng (giấy 125-GGT/ĐU) và chuyển những người còn lại về các chi bộ thôn."
run member release card:07297001 --to 07298 --to-cell 07298.01 --letter "125-GGT/ĐU" \
	--letter-date 2026-10-12 --on 2026-10-12 --reason "Điều động công tác"
python3 "$SEASON" moves "$QN" 2026-10-15 > "$W/qn-moves.jsonl"
run apply --quiet "$W/qn-moves.jsonl"
run dissolutions
say "  The cell is empty, but the decision waits for Tân Hưng's answer to the release:" \
	"  Chi bộ đã hết đảng viên, nhưng quyết định phải chờ Tân Hưng trả lời giấy giới thiệu:"
plan=$("$AGENT" dissolutions --json | id_of cell 07297.CA)
run cell dissolve "$plan" --on 2026-10-20 || true
run sync

step "Tân Hưng receives the release with the cadre's dossier, accepts, and dissolves its own agency cell." \
	"Tân Hưng nhận giấy giới thiệu cùng hồ sơ cán bộ, tiếp nhận, rồi giải thể chi bộ cơ quan của mình."
run --replica "$TH" sync
rel=$("$AGENT" --replica "$TH" transfers --json | id_of to_org 07298)
run --replica "$TH" member accept "$rel" --cell 01 --reported-on 2026-10-16
python3 "$SEASON" moves "$TH" 2026-10-16 > "$W/th-moves.jsonl"
quiet "$AGENT" --replica "$TH" apply --quiet "$W/th-moves.jsonl"
plan=$("$AGENT" --replica "$TH" dissolutions --json | id_of cell 07298.CA)
run --replica "$TH" cell dissolve "$plan" --on 2026-10-22
run --replica "$TH" sync

step "Quế Nham, holding the answer now, dissolves its agency cell; Hương Lạc does the same offline." \
	"Quế Nham, nay đã có trả lời, giải thể chi bộ cơ quan; Hương Lạc làm như vậy khi không có mạng."
run sync
plan=$("$AGENT" dissolutions --json | id_of cell 07297.CA)
run cell dissolve "$plan" --on 2026-10-23
python3 "$SEASON" moves "$HL" 2026-10-19 > "$W/hl-moves.jsonl"
quiet "$AGENT" --replica "$HL" apply --quiet "$W/hl-moves.jsonl"
plan=$("$AGENT" --replica "$HL" dissolutions --json | id_of cell 07299.CA)
run --replica "$HL" cell dissolve "$plan" --on 2026-10-26

step "November, offline: every cell holds its monthly meeting; last year's ratings and the congresses are recorded." \
	"Tháng Mười một, không có mạng: mọi chi bộ sinh hoạt định kỳ; ghi xếp loại năm trước và các kỳ đại hội."
for dir in "$QN" "$TH" "$HL"; do
	python3 "$SEASON" month "$dir" season 2026-11 > "$dir.month.jsonl"
	quiet "$AGENT" --replica "$dir" apply --quiet "$dir.month.jsonl"
done
run meetings
run report meetings --from 2026-11 --to 2026-11

step "The July release to Yên Dũng is over three months old: the district office strikes the member off." \
	"Giấy giới thiệu tháng Bảy đi Yên Dũng đã quá ba tháng: Văn phòng Huyện ủy xóa tên đảng viên."
quiet "$AGENT" --replica "$OFFICE" sync
rel=$("$AGENT" --replica "$OFFICE" transfers --json | id_of to_org 26012)
run --replica "$OFFICE" member strike-off "$rel" --decision-no "52-QĐ/HU" --on 2026-11-16 \
	--reason "Quá 3 tháng không sinh hoạt"
quiet "$AGENT" --replica "$OFFICE" sync

step "Nightly sync: Quế Nham and Tân Hưng. Hương Lạc's link is still down." \
	"Đồng bộ ban đêm: Quế Nham và Tân Hưng. Đường truyền của Hương Lạc vẫn mất."
run sync
run --replica "$TH" sync
hl_waiting=$("$AGENT" --replica "$HL" status | grep -E '^(waiting|đang chờ):' | tr -s ' ')
say "  Hương Lạc's laptop: $hl_waiting" "  Máy tính của Hương Lạc: $hl_waiting"

step "The district's reports, from the hub: the campaign is not complete — Hương Lạc's dissolution has not arrived." \
	"Báo cáo của huyện, từ máy chủ: đợt sắp xếp chưa hoàn thành — việc giải thể của Hương Lạc chưa về đến."
hubrun report campaign
hubrun report sync

step "Three days later Hương Lạc's link is back. It syncs, and the campaign report is complete." \
	"Ba ngày sau đường truyền của Hương Lạc có lại. Xã đồng bộ, và báo cáo đợt sắp xếp đã hoàn thành."
run --replica "$HL" sync
hubrun report campaign

step "The rest of the district's figures." \
	"Các số liệu khác của huyện."
hubrun report transfers --on 2026-11-20
hubrun report meetings --from 2026-11 --to 2026-11
hubrun report ratings --period 2025
hubrun report congresses --term 2020-2025
hubrun report membership
for dir in "$QN" "$TH" "$HL" "$OFFICE"; do quiet "$AGENT" --replica "$dir" sync; done
hubrun verify

step "Tân Hưng's laptop is stolen, its replica and its signing key with it. A new laptop makes a fresh key; the district hands the commune to it." \
	"Máy tính của Tân Hưng bị mất trộm, cùng bản sao dữ liệu và khóa ký. Máy mới tạo khóa mới; huyện chuyển giao xã cho khóa đó."
OLD_KEY=$(key_of "$TH")
cp -a "$TH" "$W/stolen"; rm -rf "$TH"
run --replica "$TH" restore --code 07298
NEW_KEY=$(key_of "$TH")
hubrun enroll "$NEW_KEY" --org 07298 --role commune --name "Văn phòng Đảng ủy xã Tân Hưng (máy mới)"
hubrun succeed 07298 --key "$NEW_KEY" --reason "Máy tính bị mất trộm"
step "The new laptop restores the commune from the hub — every entry the stolen key signed, verified — and carries on." \
	"Máy mới khôi phục dữ liệu của xã từ máy chủ — mọi mục ghi khóa bị mất đã ký, đều được kiểm tra — rồi làm việc tiếp."
quiet "$AGENT" --replica "$TH" hub --url "$URL" --pin "$PIN" --key "$HUB_KEY"
run --replica "$TH" restore
run --replica "$TH" member move "card:$(sqlite3 "$TH/replica.db" "SELECT card_no FROM members WHERE org = '07298' AND status = 'official' AND cell = '07298.02' ORDER BY card_no LIMIT 1")" --cell 01 --on 2026-11-20
run --replica "$TH" sync
step "The thief adds a member with the stolen key and syncs: the hub refuses it, and the district sees the stolen key at work." \
	"Kẻ trộm thêm một đảng viên bằng khóa bị mất rồi đồng bộ: máy chủ từ chối, và huyện thấy khóa bị mất đang bị dùng."
quiet "$AGENT" --replica "$W/stolen" member add --name "Nguyễn Văn Giả" --birth 1980-01-01 --sex male \
	--card 07298999 --admitted 2010-01-01 --cell 01
run --replica "$W/stolen" sync || say "(the sync exited $? — refused)" "(lệnh sync thoát với mã $? — bị từ chối)"
hubrun status | grep -E "^KEY|^KHÓA|^${OLD_KEY:0:12}|^${NEW_KEY:0:12}|^(key|khóa) ${OLD_KEY:0:12}|^the last at|^lần cuối lúc"

step "The province of Bắc Giang: its hub delegates each district's subtree to that district hub's key; Lạng Giang and Yên Dũng join it." \
	"Tỉnh Bắc Giang: máy chủ của tỉnh giao phần cây của từng huyện cho khóa máy chủ huyện đó; Lạng Giang và Yên Dũng tham gia."
# serve_hub DIR: a hub of DIR serving on 127.0.0.1 (its URL in $SERVED)
serve_hub() {
	"$HUB" --dir "$1" serve --listen 127.0.0.1:0 > "$1.serve" 2> "$1.log" &
	PIDS+=("$!")
	for _ in $(seq 300); do grep -q 'https://' "$1.serve" && break; sleep 0.1; done
	SERVED="https://127.0.0.1:$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$1.serve")"
}
phub() { printf '$ chibo-hub --dir province'; printf " %s" "$@"; printf '\n'; "$HUB" --dir "$W/prov" "$@"; }
phub init --code BG --level province --parent TW --name "Tỉnh ủy Bắc Giang" | tee "$W/prov.out"
P_KEY=$(sed -n 's/^[^:]*: \([0-9a-f]\{64\}\)$/\1/p' "$W/prov.out")
P_PIN=$(sed -n 's/^[^:]*: \(sha256\/\/.*\)$/\1/p' "$W/prov.out")
serve_hub "$W/prov"; P_URL=$SERVED
out=$("$HUB" --dir "$W/yd" init --code BG.YD --level district --parent BG --name "Huyện ủy Yên Dũng")
Y_KEY=$(printf '%s\n' "$out" | sed -n 's/^[^:]*: \([0-9a-f]\{64\}\)$/\1/p')
Y_PIN=$(printf '%s\n' "$out" | sed -n 's/^[^:]*: \(sha256\/\/.*\)$/\1/p')
serve_hub "$W/yd"; Y_URL=$SERVED
phub enroll "$HUB_KEY" --org BG.LG --role hub --parent BG --name "Hub Huyện ủy Lạng Giang"
phub enroll "$Y_KEY" --org BG.YD --role hub --parent BG --name "Hub Huyện ủy Yên Dũng"
hubrun upstream --url "$P_URL" --pin "$P_PIN" --key "$P_KEY"
hubrun sync
say "  Yên Dũng's hub joins too; its commune of Tư Mại sets up its replica and syncs." \
	"  Máy chủ Yên Dũng cũng tham gia; xã Tư Mại của huyện tạo bản sao dữ liệu và đồng bộ."
quiet "$HUB" --dir "$W/yd" upstream --url "$P_URL" --pin "$P_PIN" --key "$P_KEY"
TM=$W/tu-mai
quiet "$AGENT" --replica "$TM" init --code 07450 --name "Đảng bộ xã Tư Mại" --parent BG.YD
quiet "$AGENT" --replica "$TM" cell create --code 01 --name "Chi bộ thôn Tân Phúc" --kind residential
quiet "$HUB" --dir "$W/yd" enroll "$(key_of "$TM")" --org 07450 --role commune --name "Văn phòng Đảng ủy xã Tư Mại"
quiet "$AGENT" --replica "$TM" hub --url "$Y_URL" --pin "$Y_PIN" --key "$Y_KEY"
quiet "$AGENT" --replica "$TM" sync
quiet "$HUB" --dir "$W/yd" sync

step "A member of Quế Nham moves to Tư Mại, in the other district: released in Lạng Giang, carried up to the province and down to Yên Dũng." \
	"Một đảng viên của Quế Nham chuyển đến Tư Mại, ở huyện kia: giới thiệu ở Lạng Giang, chuyển lên tỉnh rồi xuống Yên Dũng."
MOVER=$(sqlite3 "$QN/replica.db" "SELECT card_no FROM members WHERE org = '07297' AND status = 'official' AND cell <> '07297.CA' AND id NOT IN (SELECT member FROM transfers) ORDER BY card_no DESC LIMIT 1")
run member release "card:$MOVER" --to 07450 --letter "131-GGT/ĐU" --letter-date 2026-11-21 \
	--on 2026-11-21 --reason "Chuyển nơi cư trú"
quiet "$AGENT" sync
hubrun sync
quiet "$HUB" --dir "$W/yd" sync
quiet "$AGENT" --replica "$TM" sync
run --replica "$TM" transfers
rel=$("$AGENT" --replica "$TM" transfers --json | id_of to_org 07450)
run --replica "$TM" member accept "$rel" --cell 01 --reported-on 2026-11-24
quiet "$AGENT" --replica "$TM" sync
quiet "$HUB" --dir "$W/yd" sync
hubrun sync
run sync
say "  Quế Nham sees the answer:" "  Quế Nham thấy câu trả lời:"
run transfers --all | grep -E "^RELEASE|^GIẤY GIỚI THIỆU|131-GGT"
step "The province's figures over both districts, and the province's signature on each district's log." \
	"Số liệu của tỉnh trên cả hai huyện, và chữ ký của tỉnh trên nhật ký của từng huyện."
phub report campaign
hubrun status | grep -E "^(higher hub|máy chủ cấp trên):"

step "One country: the centre's hub delegates each province's subtree; Bắc Giang and Hà Nội join it. A member of Hương Lạc moves to the ward of Phúc Xá, in Hà Nội." \
	"Cả nước: máy chủ Trung ương giao phần cây của từng tỉnh; Bắc Giang và Hà Nội tham gia. Một đảng viên của Hương Lạc chuyển đến phường Phúc Xá, Hà Nội."
chub() { printf '$ chibo-hub --dir centre'; printf " %s" "$@"; printf '\n'; "$HUB" --dir "$W/centre" "$@"; }
chub init --code TW --level centre --name "Ban Chấp hành Trung ương" | tee "$W/centre.out"
C_KEY=$(sed -n 's/^[^:]*: \([0-9a-f]\{64\}\)$/\1/p' "$W/centre.out")
C_PIN=$(sed -n 's/^[^:]*: \(sha256\/\/.*\)$/\1/p' "$W/centre.out")
serve_hub "$W/centre"; C_URL=$SERVED
out=$("$HUB" --dir "$W/hn" init --code HN --level province --parent TW --name "Thành ủy Hà Nội")
N_KEY=$(printf '%s\n' "$out" | sed -n 's/^[^:]*: \([0-9a-f]\{64\}\)$/\1/p')
N_PIN=$(printf '%s\n' "$out" | sed -n 's/^[^:]*: \(sha256\/\/.*\)$/\1/p')
serve_hub "$W/hn"; N_URL=$SERVED
chub enroll "$P_KEY" --org BG --role hub --parent TW --name "Hub Tỉnh ủy Bắc Giang"
chub enroll "$N_KEY" --org HN --role hub --parent TW --name "Hub Thành ủy Hà Nội"
phub upstream --url "$C_URL" --pin "$C_PIN" --key "$C_KEY"
quiet "$HUB" --dir "$W/hn" upstream --url "$C_URL" --pin "$C_PIN" --key "$C_KEY"
PX=$W/phuc-xa
quiet "$AGENT" --replica "$PX" init --code 00001 --name "Đảng bộ phường Phúc Xá" --parent HN
quiet "$AGENT" --replica "$PX" cell create --code 01 --name "Chi bộ tổ dân phố 5" --kind residential
quiet "$HUB" --dir "$W/hn" enroll "$(key_of "$PX")" --org 00001 --role commune --name "Văn phòng Đảng ủy phường Phúc Xá"
quiet "$AGENT" --replica "$PX" hub --url "$N_URL" --pin "$N_PIN" --key "$N_KEY"
quiet "$AGENT" --replica "$PX" sync
quiet "$HUB" --dir "$W/hn" sync
MOVER2=$(sqlite3 "$HL/replica.db" "SELECT card_no FROM members WHERE org = '07299' AND status = 'official' AND cell <> '07299.CA' AND id NOT IN (SELECT member FROM transfers) ORDER BY card_no DESC LIMIT 1")
run --replica "$HL" member release "card:$MOVER2" --to 00001 --letter "140-GGT/ĐU" \
	--letter-date 2026-11-25 --on 2026-11-25 --reason "Chuyển công tác ra Hà Nội"
say "  Up: Hương Lạc → Lạng Giang → Bắc Giang → the centre; down: → Hà Nội → Phúc Xá." \
	"  Đi lên: Hương Lạc → Lạng Giang → Bắc Giang → Trung ương; đi xuống: → Hà Nội → Phúc Xá."
quiet "$AGENT" --replica "$HL" sync
quiet "$HUB" --dir "$W/hub" sync
phub sync
quiet "$HUB" --dir "$W/hn" sync
quiet "$AGENT" --replica "$PX" sync
rel=$("$AGENT" --replica "$PX" transfers --json | id_of to_org 00001)
run --replica "$PX" member accept "$rel" --cell 01 --reported-on 2026-11-28
say "  And the answer back: Phúc Xá → Hà Nội → the centre → Bắc Giang → Lạng Giang → Hương Lạc." \
	"  Và trả lời quay về: Phúc Xá → Hà Nội → Trung ương → Bắc Giang → Lạng Giang → Hương Lạc."
quiet "$AGENT" --replica "$PX" sync
quiet "$HUB" --dir "$W/hn" sync
quiet "$HUB" --dir "$W/prov" sync
quiet "$HUB" --dir "$W/hub" sync
quiet "$AGENT" --replica "$HL" sync
run --replica "$HL" transfers --all | grep -E "^RELEASE|^GIẤY GIỚI THIỆU|140-GGT"
step "The centre's report of the transfers across the country, and its signature on each province's log." \
	"Báo cáo chuyển sinh hoạt trên cả nước của Trung ương, và chữ ký của Trung ương trên nhật ký của từng tỉnh."
chub report transfers --on 2026-11-30
phub status | grep -E "^(higher hub|máy chủ cấp trên):"

step "An inspection commission audits the district's log without trusting the hub: its own key, enrolled as an auditor." \
	"Ủy ban Kiểm tra kiểm toán nhật ký của huyện mà không cần tin máy chủ: bằng khóa riêng, được đăng ký với vai trò kiểm toán."
auditrun() { printf '$ chibo-audit'; printf " %s" "$@"; printf '\n'; "$AUDIT" --dir "$W/audit" "$@"; }
auditrun init | tee "$W/audit.out"
AUDITOR_KEY=$(sed -n 's/^[^:]*: \([0-9a-f]\{64\}\)$/\1/p' "$W/audit.out")
hubrun enroll "$AUDITOR_KEY" --org BG.LG --role auditor --name "Ủy ban Kiểm tra Tỉnh ủy"
auditrun verify --hub "$URL" --pin "$PIN" --hub-key "$HUB_KEY"
step "The transferred member's whole history, each entry proven to be in the log the hub signed." \
	"Toàn bộ lịch sử của đảng viên đã chuyển, từng mục ghi được chứng minh có trong nhật ký máy chủ đã ký."
auditrun history 07297001 --hub "$URL" --pin "$PIN"
REL_ID=$(sqlite3 "$W/hub/hub.db" "SELECT lower(hex(id)) FROM entries WHERE op = 'member.release' AND instr(bytes, CAST('125-GGT' AS BLOB)) LIMIT 1")
if [ -n "$REL_ID" ]; then
	auditrun proof "${REL_ID:0:16}" --hub "$URL" --pin "$PIN" --out "$W/release.proof"
	step "The proof file is checked later, on another machine, with no network." \
	"Tệp bằng chứng được kiểm tra sau, trên một máy khác, không cần mạng."
	auditrun check-proof "$W/release.proof"
fi
kill -TERM "$HUB_PID"; wait "$HUB_PID" 2>/dev/null; HUB_PID=
step "Someone with access to the hub's disk changes one old entry in a copy of hub.db; the audit catches it." \
	"Một người vào được ổ đĩa máy chủ sửa một mục ghi cũ trong bản sao của hub.db; cuộc kiểm toán phát hiện ra."
cp "$W/hub/hub.db" "$W/hub-copy.db"
python3 - "$W/hub-copy.db" "$(tell "  changed the letter date of release 125-GGT/ĐU from 2026-10-12 to 2026-09-12 in entry %d of the copy" \
	"  đã sửa ngày của giấy giới thiệu 125-GGT/ĐU từ 2026-10-12 thành 2026-09-12 ở mục ghi %d của bản sao")" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
lsn, b = db.execute("SELECT lsn, bytes FROM entries WHERE op = 'member.release' AND instr(bytes, CAST('125-GGT' AS BLOB))").fetchone()
assert b"2026-10-12" in bytes(b)
db.execute("UPDATE entries SET bytes = ? WHERE lsn = ?", (bytes(b).replace(b"2026-10-12", b"2026-09-12", 1), lsn))
db.commit()
print(sys.argv[2] % lsn)
PY
auditrun verify --db "$W/hub-copy.db" || say "(the audit exited $? — the change is caught)" "(cuộc kiểm toán thoát với mã $? — phát hiện chỗ bị sửa)"
logged=$(grep -c . "$W/serve.log") example=$(grep 'POST /v1/pull' "$W/serve.log" | head -1 | cut -d' ' -f2-)
say "(the hub logged: $logged lines, e.g. '$example')" "(máy chủ đã ghi nhật ký vận hành: $logged dòng, ví dụ '$example')"

step "An inspector checks the replica: every signature, every chain link, every table." \
	"Cán bộ kiểm tra bản sao dữ liệu: từng chữ ký, từng mắt xích, từng bảng."
run verify

step "A forger opens a copy of Quế Nham's replica file and changes a name — in the table row AND in the signed entry…" \
	"Kẻ làm giả mở một bản sao tệp dữ liệu của Quế Nham và sửa một họ tên — trong dòng của bảng VÀ trong mục ghi đã ký…"
cp -a "$CHIBO_REPLICA" "$W/tampered"
CARD=$(sqlite3 "$QN/replica.db" "SELECT card_no FROM members WHERE org = '07297' AND full_name GLOB '*a*' ORDER BY card_no LIMIT 1")
python3 - "$W/tampered/replica.db" "$(sqlite3 "$QN/replica.db" "SELECT full_name FROM members WHERE card_no = '$CARD'")" "$(tell "  '%s' became '%s' in %d places of replica.db, at bytes %s" \
	"  '%s' thành '%s' ở %d chỗ trong replica.db, tại các byte %s")" <<'PY'
import sys
p, name = sys.argv[1], sys.argv[2]
b = bytearray(open(p, "rb").read())
old, new = name.encode(), name.replace("a", "o", 1).encode()   # same length
at = [i for i in range(len(b)) if b.startswith(old, i)]
for i in at:
    b[i:i + len(old)] = new
open(p, "wb").write(b)
print(sys.argv[3] % (name, new.decode(), len(at), ", ".join(map(str, at))))
PY
run --replica "$W/tampered" members --name "$(sqlite3 "$QN/replica.db" "SELECT full_name FROM members WHERE card_no = '$CARD'" | sed 's/a/o/')"
step "…and verify catches it: the entry's bytes no longer match its Ed25519 signature." \
	"…và verify phát hiện ra: các byte của mục ghi không còn khớp chữ ký Ed25519."
run --replica "$W/tampered" verify || say "(verify exited $? — the forgery is caught)" "(verify thoát với mã $? — phát hiện chỗ làm giả)"
if [ -z "$BROWSE" ]; then
	printf "\n$(tell '\033[1mDone\033[0m in %ss. Everything lived in %s and is now removed.' \
		'\033[1mXong\033[0m sau %s giây. Mọi thứ nằm trong %s và nay đã được xóa.')\n" "$(($(date +%s) - T0))" "$W"
	exit 0
fi

step "To look at it in a browser: the district hub's dashboard and Quế Nham's interface, in Vietnamese, on 127.0.0.1." \
	"Xem trên trình duyệt: bảng điều hành của máy chủ huyện và giao diện của xã Quế Nham, bằng tiếng Việt, trên 127.0.0.1."
# the Vietnamese locale: the system's, or built from the 'locales'
# package's definition into the demo's directory
if ! locale -a 2>/dev/null | grep -qix 'vi_VN\.utf-\?8'; then
	mkdir -p "$W/locale"
	localedef -i vi_VN -f UTF-8 "$W/locale/vi_VN.UTF-8" 2>/dev/null || true
	export LOCPATH=$W/locale
fi
export CHIBO_LOCALEDIR=${CHIBO_LOCALEDIR:-$BUILD/locale}
PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(12))')
printf '%s\n' "$PASSWORD" > "$W/password"
CHIBO_PASSWORD_FILE=$W/password hubrun account add huyen-uy
LANG=vi_VN.UTF-8 "$HUB" --dir "$W/hub" serve --listen 127.0.0.1:0 > "$W/serve.out" 2> "$W/serve.log" &
HUB_PID=$!
for _ in $(seq 300); do grep -q 127.0.0.1 "$W/serve.out" && break; sleep 0.1; done
DASH="https://127.0.0.1:$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$W/serve.out")/dashboard/"
LANG=vi_VN.UTF-8 "$AGENT" --replica "$QN" ui --no-open > "$W/ui.out" 2> "$W/ui.log" &
PIDS+=("$!")
for _ in $(seq 300); do [ -n "$(sed -n 2p "$W/ui.out")" ] && break; sleep 0.1; done
cat <<EOF

  The district's dashboard (Huyện ủy Lạng Giang):
    $DASH
    account: huyen-uy    password: $PASSWORD
    The hub's certificate is its own, not a public CA's: the browser warns
    once. Its key's pin is $PIN (chibo-hub pin).

  Quế Nham's clerk's interface (chibo-agent ui), already signed in:
    $(sed -n 2p "$W/ui.out")

  Ctrl-C stops both and removes everything in $W.
EOF
trap 'echo; exit 0' INT TERM
while kill -0 "$HUB_PID" 2>/dev/null; do sleep 1; done
# Ctrl-C stops the hub as it stops this script, which may see it first
echo
exit 0

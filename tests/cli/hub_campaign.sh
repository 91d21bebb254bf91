#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# hub_campaign.sh — seed 000's report from the real programs: a city's hub
# over district committees that have no hub of their own (committee.found),
# wards under them, each district's office approving its wards' plans to
# dissolve their commune-agency cells, the wards moving their cadres to
# residential cells and dissolving the agency cells — but Thủ Thiêm, whose
# residents were relocated and which has no residential cell, is exempt
# (campaign.exempt). The city's report then reads like the article:
# "D/D districts; W-1/W communes (1 exempt); M-k/M members moved".
#
# By default a small city (3 districts, 5 wards); HCMC_SCALE=full plays
# the seed's: 24 districts, 322 wards, 7,057 members ('make bench' runs it,
# bench/bench_hcmc.sh).
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
command -v python3 >/dev/null || { echo "python3 not installed"; exit 77; }
. "$CHIBO_SOURCE_DIR/tests/lib/hublib.sh"

if [ "${HCMC_SCALE:-}" = full ]; then
	NDIST=24 NWARD=322 NMEMBER=7057 NEXEMPT=10
else
	NDIST=3 NWARD=5 NMEMBER=23 NEXEMPT=3
fi

out=$(hub init --code HCM --name "Thành ủy Thành phố Hồ Chí Minh" --level province)
HK=$(printf '%s\n' "$out" | sed -n 's/^hub key: //p')
PIN=$(printf '%s\n' "$out" | sed -n 's/^TLS pin: //p')
at_exit 'kill $HUB_PID 2>/dev/null'
run_hub "$T/hub" 127.0.0.1:0
PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$T/serve.out")
URL=https://127.0.0.1:$PORT

# --- the tree: districts without a hub of their own --------------------
for d in $(seq 1 "$NDIST"); do
	hub committee "Q$d" --name "Quận ủy Quận $d" --founded-on 1976-07-02 >/dev/null ||
		bad "committee Q$d"
done
expect_eq "the districts are committees under the city" "$NDIST" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM orgs WHERE level = 'committee' AND kind = 'district-committee' AND parent = 'HCM'")"
expect_fail "a committee is founded once" "already exists" \
	hub committee Q1 --name "Quận 1"
expect_fail "not under a committee the hub does not hold" "no committee 'XX'" \
	hub committee Q99 --name "Quận 99" --parent XX
expect_fail "a level is district or province" "level" \
	hub committee Q98 --name "Quận 98" --level ward

# ward w (1..NWARD) is in district (w-1) % NDIST + 1; the last is Thủ Thiêm,
# in Quận 2
python3 - "$T" "$NDIST" "$NWARD" "$NMEMBER" "$NEXEMPT" <<'PY'
import json, sys
t, nd, nw, nm, nx = sys.argv[1], *map(int, sys.argv[2:])
# members: nx in the exempt ward, the rest spread over the others
rest = nm - nx
counts = [rest // (nw - 1) + (1 if w < rest % (nw - 1) else 0)
          for w in range(nw - 1)] + [nx]
card = 0
with open(f"{t}/wards.txt", "w") as idx:
    for w in range(nw):
        code = "W%03d" % (w + 1)
        dist = "Q2" if w == nw - 1 else "Q%d" % (w % nd + 1)
        name = ("Đảng bộ phường Thủ Thiêm" if w == nw - 1
                else "Đảng bộ phường %d" % (w + 1))
        idx.write(f"{code} {dist} {counts[w]} {name}\n")
        with open(f"{t}/{code}.setup.jsonl", "w") as f:
            f.write(json.dumps({"op": "cell.create", "code": "CA",
                                "name": "Chi bộ cơ quan phường",
                                "kind": "commune-agency"}) + "\n")
            if w != nw - 1:  # Thủ Thiêm: no residential cell left
                for k in (1, 2):
                    f.write(json.dumps({"op": "cell.create", "code": "KP%d" % k,
                                        "name": "Chi bộ khu phố %d" % k,
                                        "kind": "residential"}) + "\n")
            for i in range(counts[w]):
                card += 1
                f.write(json.dumps({
                    "op": "member.add", "full_name": "Cán bộ Số %d" % card,
                    "birth_date": "1975-01-%02d" % (i % 28 + 1),
                    "sex": "male" if i % 2 else "female",
                    "card_no": "HCM%06d" % card,
                    "admitted_on": "2005-05-19", "official_on": "2006-05-19",
                    "work_category": "commune-cadre", "cell": "CA"}) + "\n")
            f.write(json.dumps({"op": "cell.dissolve_plan", "cell": "CA",
                                "on": "2019-03-01",
                                "reason": "Chỉ thị của Thành ủy"}) + "\n")
        with open(f"{t}/{code}.moves.jsonl", "w") as f:
            for i in range(counts[w]):
                f.write(json.dumps({"op": "member.move",
                                    "member": "card:HCM%06d" % (card - counts[w] + i + 1),
                                    "cell": "KP%d" % (i % 2 + 1),
                                    "on": "2019-06-01"}) + "\n")
PY

# ward_sync KIND CODE: the ward's sync; timed into $HCMC_SYNC_TIMES as
# KIND (bench_hcmc.sh: "first", its first; "moves", that of its moves
# and dissolution) when the bench asks.
ward_sync() {
	local t0
	t0=$(date +%s.%N)
	agent -R "$T/$2" sync >/dev/null || bad "sync $2"
	[ -z "${HCMC_SYNC_TIMES:-}" ] ||
		echo "$1 $2 $t0 $(date +%s.%N)" >>"$HCMC_SYNC_TIMES"
}

# --- each ward: a replica, enrolled under its district -----------------
while read -r code dist n name; do
	k=$(agent -R "$T/$code" init --code "$code" --name "$name" --parent "$dist" |
		sed -n 's/^public key: //p')
	hub enroll "$k" --org "$code" --role commune --parent "$dist" >/dev/null ||
		bad "enroll $code"
	agent -R "$T/$code" hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
	agent -R "$T/$code" apply --quiet "$T/$code.setup.jsonl" >/dev/null ||
		bad "apply $code"
	ward_sync first "$code"
done < "$T/wards.txt"

# --- each district's office approves its wards' plans ------------------
for d in $(seq 1 "$NDIST"); do
	k=$(agent -R "$T/off$d" init --code "Q$d" --name "Văn phòng Quận ủy Quận $d" --office |
		sed -n 's/^public key: //p')
	hub enroll "$k" --org "Q$d" --role district >/dev/null || bad "enroll Q$d"
	agent -R "$T/off$d" hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
	agent -R "$T/off$d" sync >/dev/null || bad "office Q$d sync"
	agent -R "$T/off$d" dissolutions --json | python3 -c '
import json, sys
for p in json.load(sys.stdin):
    print(json.dumps({"op": "cell.dissolve_approve", "plan": p["id"],
                      "decision_no": "%s-QĐ/QU" % p["cell"][:4],
                      "on": "2019-04-01"}))' > "$T/off$d.jsonl"
	agent -R "$T/off$d" apply --quiet "$T/off$d.jsonl" >/dev/null ||
		bad "office Q$d approves"
	agent -R "$T/off$d" sync >/dev/null || bad "office Q$d sync"
done
expect_eq "every ward's plan approved" "$NWARD" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT count(*) FROM dissolutions WHERE state = 'approved'")"

# --- the wards move their cadres and dissolve the agency cells ----------
last=$(tail -n 1 "$T/wards.txt" | cut -d' ' -f1)
while read -r code dist n name; do
	[ "$code" = "$last" ] && continue
	agent -R "$T/$code" sync >/dev/null || bad "sync $code"
	plan=$(agent -R "$T/$code" dissolutions --json |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
	{ cat "$T/$code.moves.jsonl"
	  echo "{\"op\": \"cell.dissolve\", \"plan\": \"$plan\", \"on\": \"2019-09-15\"}"
	} | agent -R "$T/$code" apply --quiet /dev/stdin >/dev/null || bad "dissolve $code"
	ward_sync moves "$code"
done < "$T/wards.txt"

# --- Thủ Thiêm, exempt -------------------------------------------------
expect_fail "a ward cannot exempt itself" "only the office of a committee above" \
	agent -R "$T/$last" campaign exempt "$last" --on 2019-09-25 \
	--reason "x"
tdist=$(tail -n 1 "$T/wards.txt" | cut -d' ' -f2)
other=$([ "$tdist" = Q1 ] && echo 2 || echo 1)
expect_fail "nor another district's office" "only the office of a committee above" \
	agent -R "$T/off$other" campaign exempt "$last" --on 2019-09-01 --reason "x"
expect_fail "a committee is not exempt: only communes take part" "only a grassroots" \
	hub exempt Q1 --on 2019-09-01 --reason "x"
expect_fail "the reason is required" "reason" hub exempt "$last" --on 2019-09-01
expect_fail "a date is a date" "date" hub exempt "$last" --on 2019-13-01 --reason x
expect_ok "its district's office exempts it, with the reason" \
	agent -R "$T/off${tdist#Q}" campaign exempt "$last" --on 2019-09-25 \
	--reason "Di dời dân cư để xây dựng Khu đô thị mới Thủ Thiêm: không có chi bộ khu phố"
agent -R "$T/off${tdist#Q}" sync >/dev/null || bad "office sync"
expect_fail "once" "already exempt since 2019-09-25" \
	hub exempt "$last" --on 2019-09-02 --reason "x"
agent -R "$T/$last" sync >/dev/null || bad "sync $last"
expect_eq "Thủ Thiêm's replica holds its exemption" "2019-09-25" \
	"$(sqlite3 "$T/$last/replica.db" "SELECT exempt_on FROM exemptions")"

# --- the report --------------------------------------------------------
hub sync >/dev/null 2>&1 # (no upstream: nothing to do, and no harm)
report=$(hub report campaign --to 2019-09-30)
done_wards=$((NWARD - 1)) moved=$((NMEMBER - NEXEMPT))
note=$(python3 -c "import sys; print('{:,}'.format(int(sys.argv[1])))" "$moved")/$(python3 -c "import sys; print('{:,}'.format(int(sys.argv[1])))" "$NMEMBER")
expect_match "the city's report reads like the article" \
	"$NDIST/$NDIST districts; $done_wards/$NWARD communes \\(1 exempt\\); $note members moved" "$report"
expect_match "Thủ Thiêm's row says why" "$last .*Di dời dân cư" "$report"
# at the seed's scale, the figures the article gave, as the city's hub says
[ "${HCMC_SCALE:-}" = full ] &&
	printf '%s\n' "$report" | grep -E "^(total|$last) |districts;"
json=$(hub report campaign --to 2019-09-30 --format json)
expect_eq "JSON: districts, communes, exempt, members" \
	"districts $NDIST/$NDIST $done_wards/$NWARD 1 $moved/$NMEMBER" \
	"$(printf '%s' "$json" | python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
print(s["grouped_by"], "%d/%d" % (s["districts"]["finished"], s["districts"]["total"]),
      "%d/%d" % (s["organisations"]["finished"], s["organisations"]["total"]),
      s["organisations"]["exempt"],
      "%d/%d" % (s["members"]["moved"], s["members"]["total"]))')"
expect_match "before the exemption, Thủ Thiêm's district had not finished" \
	"$((NDIST - 1))/$NDIST districts; $done_wards/$NWARD communes;" \
	"$(hub report campaign --to 2019-09-20)"
csv=$(hub report campaign --to 2019-09-30 --format csv)
expect_eq "CSV: the exempt column and the reason" "1|Di dời" \
	"$(printf '%s\n' "$csv" | python3 -c '
import csv, sys
for r in csv.DictReader(sys.stdin):
    if r["EXEMPT"] == "1" and r["ORGANISATION"].startswith("W"):
        print(r["EXEMPT"] + "|" + r["EXEMPT BECAUSE"][:6])')"

# --- anyone can check the figures: the report states its checkpoint, and
# chibo-audit recomputes it from the signed log alone ----------------------
audit() { "$CHIBO_AUDIT_BIN" --dir "$T/aud" "$@"; }
hub report campaign --to 2019-09-30 --format json > "$T/published.json"
size=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["checkpoint"]["size"])' "$T/published.json")
expect_eq "the report states a checkpoint of the whole log" \
	"$(sqlite3 "$T/hub/hub.db" "SELECT max(lsn) FROM entries")" "$size"
expect_match "and says so to people, with the command that rechecks it" \
	"Computed at checkpoint chibo/hub/HCM, size $size, root .*chibo-audit report campaign --to 2019-09-30 --at" \
	"$(hub report campaign --to 2019-09-30)"
expect_match "CSV ends with the checkpoint row" "^checkpoint,chibo/hub/HCM,$size," \
	"$(hub report campaign --to 2019-09-30 --format csv | tail -n 1)"
hub backup --plain "$T/copy.db" >/dev/null || bad "backup --plain"
# the hub goes on: a later entry is not in the published figures
hub holiday --date 2019-12-24 --name "Nghỉ bù" >/dev/null
hub backup --plain "$T/later.db" >/dev/null || bad "backup --plain"
claim="$done_wards/$NWARD communes (1 exempt)"
expect_ok "chibo-audit: the log proves the published figure" \
	audit report campaign --to 2019-09-30 --at "$T/published.json" --db "$T/later.db" --claim "$claim"
out=$(audit report campaign --to 2019-09-30 --at "$T/published.json" --db "$T/later.db" 2>&1)
expect_eq "the same rows as the hub's" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"])' "$T/published.json")" \
	"$(audit report campaign --to 2019-09-30 --at "$T/published.json" --db "$T/later.db" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"])')"
expect_match "it says what it checked" "Recomputed by chibo-audit from the $size entries of the log chibo/hub/HCM" "$out"
expect_fail "a figure the log does not give is not proved" "NOT what the log proves" \
	audit report campaign --to 2019-09-30 --at "$T/published.json" --db "$T/copy.db" --claim "$NWARD/$NWARD communes"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["checkpoint"]["note"], end="")' "$T/published.json" > "$T/cp.note"
expect_ok "the signed note alone names the checkpoint too" \
	audit report campaign --to 2019-09-30 --at "$T/cp.note" --db "$T/copy.db" --claim "$claim"
# forgeries: a changed root, a changed record, another key, no checkpoint
python3 - "$T/cp.note" "$T/forged.note" <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().split("\n")
r = bytearray(base64.b64decode(lines[2])); r[0] ^= 1
lines[2] = base64.b64encode(bytes(r)).decode()
open(sys.argv[2], "w").write("\n".join(lines))
PY
expect_fail "a checkpoint with another root is refused" "does not prove this checkpoint" \
	audit report campaign --at "$T/forged.note" --db "$T/copy.db"
cp "$T/copy.db" "$T/tampered.db"
entry_rewrite "$T/tampered.db" "WHERE op = 'campaign.exempt'" "Thủ Thiêm" "Thủ Thiên"
expect_fail "a log whose exemption was rewritten proves nothing" "does not prove this checkpoint" \
	audit report campaign --at "$T/cp.note" --db "$T/tampered.db" --claim "$claim"
expect_fail "nor under another hub key" "does not prove this checkpoint" \
	audit report campaign --at "$T/cp.note" --db "$T/copy.db" --hub-key "$(printf '%064d' 7)"
echo '{"summary": {}}' > "$T/nocp.json"
expect_fail "a JSON without its checkpoint" "not a report stating its checkpoint" \
	audit report campaign --at "$T/nocp.json" --db "$T/copy.db"
expect_fail "sync cannot be recomputed" "not in the log" \
	audit report sync --at "$T/cp.note" --db "$T/copy.db"
expect_fail "a wrong date is refused" "date" \
	audit report campaign --to 30/13/2019 --at "$T/cp.note" --db "$T/copy.db"

# a district's office reports its own district, from its replica
agent -R "$T/off${tdist#Q}" sync >/dev/null
expect_match "Thủ Thiêm's district office: 1/1 districts, its communes" \
	"1/1 districts; [0-9]+/[0-9]+ communes \\(1 exempt\\)" \
	"$(agent -R "$T/off${tdist#Q}" report campaign --to 2019-09-30)"
# the office's report states the hub's checkpoint it last checked, and an
# auditor recomputes that district's figures from the log at it
agent -R "$T/off${tdist#Q}" report campaign --to 2019-09-30 --format json > "$T/office.json"
expect_match "the office's report names its checkpoint and --org" \
	"Computed at checkpoint chibo/hub/HCM, size [0-9]+, root .*--org $tdist --to 2019-09-30" \
	"$(agent -R "$T/off${tdist#Q}" report campaign --to 2019-09-30)"
hub backup --plain "$T/latest.db" >/dev/null
expect_eq "chibo-audit gives the office's rows from the log" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rows"])' "$T/office.json")" \
	"$(audit report campaign --org "$tdist" --to 2019-09-30 --at "$T/office.json" --db "$T/latest.db" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows"])')"
agent -R "$T/$last" member add --name "Cán bộ Mới" --birth 1990-01-01 --sex male \
	--card NEW1 --admitted 2019-10-01 --cell CA >/dev/null
expect_match "a replica with entries the hub lacks says so" \
	"1 entry recorded here since is not in that log yet" \
	"$(agent -R "$T/$last" report campaign)"
agent -R "$T/$last" sync >/dev/null
agent -R "$T/off${tdist#Q}" sync >/dev/null
expect_eq "the office equals the hub's view of its district" \
	"$(hub digest --org "$tdist")" "$(agent -R "$T/off${tdist#Q}" digest)"
agent -R "$T/$last" sync >/dev/null || bad "sync $last"
expect_eq "Thủ Thiêm equals the hub's view of it" \
	"$(hub digest --org "$last")" "$(agent -R "$T/$last" digest)"
expect_ok "the hub verifies" hub verify
finish

# SPDX-License-Identifier: MIT
# fedlib.sh — for tests with many hubs, after testlib.sh: 'mkhub DIR CODE
# LEVEL NAME [PARENT]' makes a hub in $T/DIR and serves it on 127.0.0.1
# (an ephemeral port), setting KEY[DIR], PIN[DIR] and URL[DIR], killed on
# exit; 'H DIR ARGS…' runs chibo-hub on it; 'mkcommune DIR CODE HUB
# PARENT' makes a replica in $T/DIR enrolled at hub HUB; 'join LOWER
# HIGHER CODE PARENT' enrols LOWER's key at HIGHER with the role hub for
# CODE and records HIGHER as LOWER's higher hub; 'sync_all W…' syncs each
# (a replica, or a hub with 'chibo-hub sync'), a failure counted.
# 'mkcountry' makes the country of tests/cli/hub_country.sh: hubs tw (the
# centre), bg and hn (provinces), lg (a district under bg), commune a
# under lg and ward w under hn (not joined yet).
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"

H() { local d=$1; shift; "$CHIBO_HUB_BIN" --dir "$T/$d" "$@"; }
declare -A KEY PIN URL

mkhub() {
	local out pid
	out=$(H "$1" init --code "$2" --level "$3" --name "$4" ${5:+--parent "$5"}) ||
		bad "init of hub $1"
	KEY[$1]=$(printf '%s\n' "$out" | sed -n 's/^hub key: //p')
	PIN[$1]=$(printf '%s\n' "$out" | sed -n 's/^TLS pin: //p')
	"$CHIBO_HUB_BIN" --dir "$T/$1" serve --listen 127.0.0.1:0 \
		> "$T/$1.out" 2>> "$T/$1.log" &
	pid=$!
	at_exit "kill $pid 2>/dev/null"
	for _ in $(seq 100); do
		grep -q serving "$T/$1.out" && break
		sleep 0.1
	done
	URL[$1]=https://127.0.0.1:$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$T/$1.out")
}

mkcommune() {
	local k
	k=$(agent -R "$T/$1" init --code "$2" --name "Đảng bộ xã $1" \
		--parent "$4" | sed -n 's/^public key: //p')
	H "$3" enroll "$k" --org "$2" --role commune >/dev/null || bad "enrol $1"
	agent -R "$T/$1" hub --url "${URL[$3]}" --pin "${PIN[$3]}" \
		--key "${KEY[$3]}" >/dev/null
}

join() {
	H "$2" enroll "${KEY[$1]}" --org "$3" --role hub --parent "$4" >/dev/null ||
		bad "enrol hub $1 at $2"
	H "$1" upstream --url "${URL[$2]}" --pin "${PIN[$2]}" --key "${KEY[$2]}" \
		>/dev/null || bad "upstream of $1"
}

sync_all() {
	local w out
	for w in "$@"; do
		if [ -f "$T/$w/replica.db" ]; then
			out=$(agent -R "$T/$w" sync 2>&1) || bad "sync of $w: $out"
		else
			out=$(H "$w" sync 2>&1) || bad "sync of hub $w: $out"
		fi
	done
}

mkcountry() {
	mkhub tw TW centre "Ban Chấp hành Trung ương"
	mkhub bg BG province "Tỉnh ủy Bắc Giang" TW
	mkhub hn HN province "Thành ủy Hà Nội" TW
	mkhub lg BG.LG district "Huyện ủy Lạng Giang" BG
	mkcommune a 07297 lg BG.LG
	mkcommune w 00004 hn HN
}

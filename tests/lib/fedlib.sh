# SPDX-License-Identifier: MIT
# fedlib.sh — for tests with many hubs, after testlib.sh: 'mkhub DIR CODE
# LEVEL NAME [PARENT]' makes a hub in $T/DIR and serves it on 127.0.0.1
# (an ephemeral port, serve_hub), setting KEY[DIR], PIN[DIR] and
# URL[DIR], killed on exit; 'H DIR ARGS…' runs chibo-hub on it; 'mkcommune DIR CODE HUB
# PARENT' makes a replica in $T/DIR enrolled at hub HUB; 'join LOWER
# HIGHER CODE PARENT' enrols LOWER's key at HIGHER with the role hub for
# CODE and records HIGHER as LOWER's higher hub; 'sync_all W…' syncs each
# (a replica, or a hub with 'chibo-hub sync'), a failure counted;
# 'country' makes one country of three levels: the centre TW over the
# provinces BG and HN, BG over the legacy district BG.LG (which joins BG
# before BG joins TW: the chain of authority grows from below); a commune
# a (07297) under BG.LG and a ward w (00004) under HN, each with a cell
# and a member; A and W run their agents, 'up' and 'down' sync the tree.
# 'mkcountry' makes its hubs and replicas alone (not joined yet).
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"

H() { local d=$1; shift; "$CHIBO_HUB_BIN" --dir "$T/$d" "$@"; }
declare -A KEY PIN URL

mkhub() {
	local out
	out=$(H "$1" init --code "$2" --level "$3" --name "$4" ${5:+--parent "$5"}) ||
		bad "init of hub $1"
	KEY[$1]=$(printf '%s\n' "$out" | sed -n 's/^hub key: //p')
	PIN[$1]=$(printf '%s\n' "$out" | sed -n 's/^TLS pin: //p')
	serve_hub "$1"
}

# serve_hub DIR: serve the hub in $T/DIR on 127.0.0.1, URL[DIR] set,
# SERVED its pid (killed on exit).
serve_hub() {
	local pid
	"$CHIBO_HUB_BIN" --dir "$T/$1" serve --listen 127.0.0.1:0 \
		> "$T/$1.out" 2>> "$T/$1.log" &
	pid=$!
	SERVED=$pid
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

A() { agent -R "$T/a" "$@"; }
W() { agent -R "$T/w" "$@"; }
up() { sync_all a lg bg w hn; }
down() { sync_all bg lg a hn w; }

mkcountry() {
	mkhub tw TW centre "Ban Chấp hành Trung ương"
	mkhub bg BG province "Tỉnh ủy Bắc Giang" TW
	mkhub hn HN province "Thành ủy Hà Nội" TW
	mkhub lg BG.LG district "Huyện ủy Lạng Giang" BG
	mkcommune a 07297 lg BG.LG
	mkcommune w 00004 hn HN
}

country() {
	mkcountry
	A cell create --code 01 --name "Chi bộ thôn Đông" --kind residential >/dev/null
	A member add --name "Dương Đăng Quyền" --birth 1972-04-12 --sex male \
		--card m1 --admitted 1998-05-19 --official 1999-05-19 --cell 01 >/dev/null
	W cell create --code 01 --name "Chi bộ tổ dân phố 3" --kind residential >/dev/null
	W member add --name "Nguyễn Thu Trang" --birth 1990-03-08 --sex female \
		--card h1 --admitted 2015-01-01 --official 2016-01-01 --cell 01 >/dev/null
	sync_all a w
	join lg bg BG.LG BG
	sync_all lg
	join bg tw BG TW
	join hn tw HN TW
}

# SPDX-License-Identifier: MIT
# hublib.sh — for tests that need a real hub: after testlib.sh, 'start_hub'
# makes one in $T/hub (chibo-hub init), serves it on 127.0.0.1 at an
# ephemeral port with its own TLS certificate, and sets HK (its key), PIN,
# PORT, URL and HUB_PID; the hub is killed on exit. 'commune DIR CODE
# [ROLE|-]' makes a replica in $T/DIR, enrols its key for CODE with ROLE
# (commune by default; - leaves it unenrolled), points it at the hub, and
# prints its key.
: "${CHIBO_HUB_BIN:?CHIBO_HUB_BIN must name the chibo-hub binary}"

hub() { "$CHIBO_HUB_BIN" --dir "$T/hub" "$@"; }

start_hub() {
	local out
	out=$(hub init --code BG.LG --name "Huyện ủy Lạng Giang")
	HK=$(printf '%s\n' "$out" | sed -n 's/^hub key: //p')
	PIN=$(printf '%s\n' "$out" | sed -n 's/^TLS pin: //p')
	"$CHIBO_HUB_BIN" --dir "$T/hub" serve --listen 127.0.0.1:0 "$@" \
		> "$T/serve.out" 2> "$T/serve.log" &
	HUB_PID=$!
	trap 'kill $HUB_PID 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
	for _ in $(seq 100); do
		grep -q serving "$T/serve.out" && break
		sleep 0.1
	done
	PORT=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$T/serve.out")
	URL=https://127.0.0.1:$PORT
}

commune() {
	local k role=${3:-commune}
	k=$(agent -R "$T/$1" init --code "$2" --name "Đảng bộ xã $1" \
		--parent BG.LG | sed -n 's/^public key: //p')
	[ "$role" = - ] || hub enroll "$k" --org "$2" --role "$role" >/dev/null
	agent -R "$T/$1" hub --url "$URL" --pin "$PIN" --key "$HK" >/dev/null
	echo "$k"
}

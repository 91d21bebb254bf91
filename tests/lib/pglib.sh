# SPDX-License-Identifier: MIT
# pglib.sh — a PostgreSQL cluster of the test's own, for hubs whose store
# is PostgreSQL (chibo-hub init --database). After testlib.sh:
# 'pg_start' makes one with initdb in a directory of its own (run as the
# postgres user when the test runs as root: initdb refuses root), starts
# it listening on a Unix socket there only (no TCP), and stops it and
# removes it on exit; 'pg_new_db' creates an empty database with the C
# collation and prints its postgresql:// URI. PG_SERVER_OPTS, if set
# before, adds server options (-c name=value ...) to the cluster's start.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}

pg_as() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_start() {
	[ -x "$PG_BIN/initdb" ] || { echo "pglib: no PostgreSQL server (install postgresql)" >&2; exit 1; }
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/chibo-pg.XXXXXX")
	chmod 755 "$PG_DIR"
	[ "$(id -u)" -ne 0 ] || chown postgres "$PG_DIR"
	pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust \
		--locale=C --encoding=UTF8 >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log" >&2; exit 1; }
	at_exit 'pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1; rm -rf "$PG_DIR"'
	pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
		-o "-c listen_addresses='' -k $PG_DIR -p 5432 -c fsync=on ${PG_SERVER_OPTS:-}" \
		start >/dev/null || { cat "$PG_DIR/server.log" >&2; exit 1; }
	export CHIBO_TEST_PG_DIR=$PG_DIR
}

# pg_new_db: a new empty database; its URI on stdout.
pg_new_db() {
	local db=hub-$$-$RANDOM$RANDOM
	"$PG_BIN/createdb" -h "$PG_DIR" -p 5432 -U postgres \
		--template=template0 --locale=C --encoding=UTF8 "$db" >/dev/null ||
		return 1
	echo "postgresql:///$db?host=$PG_DIR&port=5432&user=postgres"
}

# In a test whose hubs are on PostgreSQL, 'sqlite3 DIR/hub.db SQL' (how
# the tests look into a hub's tables) reads the database that DIR/database
# names instead, printing as sqlite3 prints (fields joined by |, NULL as
# nothing), SQLite's blob literals x'HEX' made PostgreSQL's. Any other
# file is SQLite's as before.
# SQLite's blob literals x'HEX' on stdin, as PostgreSQL's bytea.
pg_blobs() {
	sed -E "s/(^|[^[:alnum:]_])[xX]'([0-9a-fA-F]*)'/\\1'\\\\x\\2'::bytea/g"
}

sqlite3() {
	local db=${1:-} dir
	dir=$(dirname -- "$db")
	if [ "$(basename -- "$db")" = hub.db ] && [ -f "$dir/database" ]; then
		shift
		local opts=(-X -q -At -F '|' -v ON_ERROR_STOP=1)
		while [ $# -gt 1 ]; do
			case $1 in
			-batch|-bail) ;;
			-separator) opts+=(-F "$2"); shift ;;
			*) break ;;
			esac
			shift
		done
		if [ $# -eq 0 ]; then
			pg_blobs | "$PG_BIN/psql" "${opts[@]}" -d "$(head -1 "$dir/database")"
		else
			"$PG_BIN/psql" "${opts[@]}" -d "$(head -1 "$dir/database")" -c \
				"$(printf '%s' "$1" | pg_blobs)"
		fi
	else
		command sqlite3 "$@"
	fi
}

# pg_entry_rewrite DIR TAIL OLD NEW: hublib.sh's entry_rewrite for a hub
# directory DIR whose store is a database: the same edit made there.
pg_entry_rewrite() {
	local uri row
	uri=$(head -1 "$1/database")
	row=$("$PG_BIN/psql" -XAtq -F ' ' -d "$uri" \
		-c "SELECT lsn, encode(bytes, 'hex') FROM entries $2")
	python3 - "$row" "$3" "$4" <<'PY' | "$PG_BIN/psql" -XAtq -d "$uri" >/dev/null
import sys
lsn, hexb = sys.argv[1].split()[:2]
b = bytes.fromhex(hexb)
old, new = sys.argv[2].encode(), sys.argv[3].encode()
assert old in b, "text not in the entry"
print("UPDATE entries SET bytes = decode('%s', 'hex') WHERE lsn = %s;"
      % (b.replace(old, new).hex(), lsn))
PY
}

# hub_clone SRC DST: a copy of the hub directory SRC, its database too
# (cp -r alone would leave both naming one database).
hub_clone() {
	cp -r "$1" "$2"
	if [ -f "$2/database" ]; then
		local db=hub-$$-$RANDOM$RANDOM old
		old=$(sed -n 's|^postgresql:///\([^?]*\)?.*|\1|p' "$1/database")
		"$PG_BIN/createdb" -h "$PG_DIR" -p 5432 -U postgres -T "$old" "$db" ||
			return 1
		echo "postgresql:///$db?host=$PG_DIR&port=5432&user=postgres" >"$2/database"
	fi
}

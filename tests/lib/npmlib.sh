# SPDX-License-Identifier: MIT
# npmlib.sh — after testlib.sh, 'npm_pinned SRC NAME PACKAGE' installs the
# test tooling that SRC/package-lock.json pins into the build tree's NAME/
# with 'npm ci', once per lock file (again when the lock file changes or
# PACKAGE is missing), and exports NODE_PATH to it. On a failure the test
# fails with npm's message and exits 1.
: "${CHIBO_BUILD_DIR:?CHIBO_BUILD_DIR must name the build tree}"

npm_pinned() {
	local src=$1 d=$CHIBO_BUILD_DIR/$2 pkg=$3 out
	if ! cmp -s "$src/package-lock.json" "$d/package-lock.json" ||
		[ ! -f "$d/node_modules/$pkg/package.json" ]; then
		mkdir -p "$d"
		cp "$src/package.json" "$src/package-lock.json" "$d/"
		if ! out=$(cd "$d" && npm ci --no-audit --no-fund --loglevel=error 2>&1); then
			bad "npm ci of the pinned $pkg: $out"
			finish
			exit 1
		fi
	fi
	export NODE_PATH="$d/node_modules"
}

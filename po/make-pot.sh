#!/bin/sh
# SPDX-License-Identifier: MIT
# make-pot.sh — write the catalogue template of every message marked for
# translation in the sources (_(), N_(), C_(), NC_(), P_()) to OUT.
# No file names or line numbers, so moving code does not change it: only
# adding, changing or removing a message does. Used by 'cmake --build
# build --target update-po' and by tests/cli/po_check.sh.
#   po/make-pot.sh OUT
set -eu
out=${1:?usage: make-pot.sh OUT}
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
# A store error's first words (what was being done) are a message too:
# cb_store_error and the engines' own take them untranslated and say
# them in the reader's language.
# shellcheck disable=SC2046
LC_ALL=C.UTF-8 xgettext --language=C --from-code=UTF-8 --no-location \
	--sort-output --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
	--keyword=NC_:1c,2 --keyword=P_:1,2 --keyword=cb_store_error:3 \
	--keyword=pg_error:3 --keyword=lite_error:3 \
	--add-comments=TRANSLATORS: --package-name=chibo \
	--msgid-bugs-address=chibo@chibo.vn -o "$out.new" \
	$(find agent hub audit common -name '*.[ch]' | LC_ALL=C sort) 2>&1 |
	{ grep -v -e 'non-ASCII' -e 'problems to translators' \
		-e 'different from yours' -e 'Consider using' >&2 || true; }
# No creation date, so the template is a function of the sources alone.
grep -v '^"POT-Creation-Date: ' "$out.new" | sed 's/^"Content-Type: text\/plain; charset=CHARSET/"Content-Type: text\/plain; charset=UTF-8/' > "$out"
rm -f "$out.new"

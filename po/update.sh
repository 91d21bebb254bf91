#!/bin/sh
# SPDX-License-Identifier: MIT
# update.sh — after changing messages in the sources: rewrite po/chibo.pot
# (make-pot.sh) and merge it into every po/LANG.po, dropping the messages
# that are gone; new ones arrive untranslated (or fuzzy, from a close
# old one) for a translator, and tests/cli/po_check.sh fails until they
# are done. 'cmake --build build --target update-po' runs it.
set -eu
po=$(cd "$(dirname "$0")" && pwd)
sh "$po/make-pot.sh" "$po/chibo.pot"
for f in "$po"/*.po; do
	msgmerge --quiet --no-location --sort-output --update --backup=none \
		"$f" "$po/chibo.pot"
	msgattrib --no-obsolete -o "$f" "$f"
	printf '%s: ' "$(basename "$f")"
	msgfmt --statistics -o /dev/null "$f"
done

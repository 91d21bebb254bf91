#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# po_check.sh — the message catalogues, as CI checks them: po/chibo.pot is
# what xgettext finds in the sources today (po/make-pot.sh), and every
# po/LANG.po translates every message of it, none fuzzy, with format
# strings that match (msgfmt --check). When it fails: run
# 'cmake --build build --target update-po', then translate what
# 'msgattrib --untranslated --only-fuzzy' shows in po/LANG.po.
. "$CHIBO_SOURCE_DIR/tests/lib/testlib.sh"
po=$CHIBO_SOURCE_DIR/po

sh "$po/make-pot.sh" "$T/chibo.pot" 2>"$T/xgettext.err"
expect_eq "xgettext warns of nothing" "" "$(cat "$T/xgettext.err")"
expect_eq "po/chibo.pot is up to date with the sources (update-po)" "" \
	"$(diff "$po/chibo.pot" "$T/chibo.pot")"
expect_match "the template holds messages" '^msgid "' "$(cat "$T/chibo.pot")"

n=0
for f in "$po"/*.po; do
	n=$((n + 1))
	l=$(basename "$f" .po)
	expect_ok "$l.po compiles, its formats match (msgfmt --check)" \
		msgfmt --check -o "$T/$l.mo" "$f"
	expect_eq "$l.po has no untranslated message" "" \
		"$(msgattrib --untranslated --no-obsolete "$f" | grep '^msgid' | grep -v '^msgid ""$')"
	expect_eq "$l.po has no fuzzy message" "" \
		"$(msgattrib --only-fuzzy --no-obsolete "$f" | grep '^msgid' | grep -v '^msgid ""$')"
	# every message of the template is in it (msgcmp counts an untranslated one as missing)
	expect_ok "$l.po covers po/chibo.pot (msgcmp)" msgcmp "$f" "$T/chibo.pot"
	expect_eq "$l.po keeps no obsolete message (update-po drops them)" "" \
		"$(msgattrib --only-obsolete "$f" | grep '^#~ msgid' || true)"
	stats=$(msgfmt --statistics -o /dev/null "$f" 2>&1)
	expect_match "$l.po: all translated" '^[0-9]+ translated messages\.$' "$stats"
	echo "$l.po: $stats"
done
expect_ok "there is a Vietnamese catalogue" test -f "$po/vi.po"

# The check is not vacuous: a message left untranslated is caught.
awk '!done && /^msgstr "[^"]/ { print "msgstr \"\""; done = 1; next } 1' \
	"$po/vi.po" > "$T/broken.po"
expect_match "an untranslated message is found" '^msgid' \
	"$(msgattrib --untranslated --no-obsolete "$T/broken.po" | grep '^msgid' | grep -v '^msgid ""$' || true)"
finish

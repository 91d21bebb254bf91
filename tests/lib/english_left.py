#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# english_left.py POT [FILE…] — the lines of what the programs printed
# under a Vietnamese locale (FILEs, else stdin) that still hold English a
# clerk would read: a run of two or more English words of one of the
# catalogue's messages (po/chibo.pot: every msgid, cut at its conversions
# and punctuation, with at least one word of four letters or more), or
# one of the values people read (a msgctxt's msgid: "applied",
# "commune", "official", …). What is English by design is left out: the
# demo's command lines ("$ chibo-agent …"), text in quotes (a command to
# run, a name), and tokens that are codes, options, ids, paths, URLs or
# field keys (with a digit, '-' first, or one of . / : = _ @), and an
# option's value. Prints
# "LINE\t[ENGLISH]" for each such line; exits 1 if there is one.
import re
import sys

WORD = re.compile(r"^[A-Za-z]+(?:'[A-Za-z]+)?$")
CONV = re.compile(r"%(?:\d+\$)?[-+ #0']*\d*(?:\.\d+|\.\*)?(?:hh|h|ll|l|L|q|j|z|t)?[a-zA-Z]|%<PRI[a-zA-Z0-9]+>")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|‘[^’]*’|“[^”]*”")


def runs(text):
    """Maximal runs of English-looking words, lowercased, per line."""
    out = []
    for line in text.split("\n"):
        cur = []
        prev = ""
        for raw in line.split():
            w = raw.strip("()[],;:.!?…—–")
            # a word after an option is its value (--role auditor)
            if w and WORD.match(w) and not prev.startswith("--") and \
                    not re.search(r"[./:=_@\d]", raw.strip("()[],;:.!?…")):
                cur.append(w.lower())
            else:
                if cur:
                    out.append(cur)
                cur = []
            prev = raw
        if cur:
            out.append(cur)
    return out


def po_strings(path):
    """(msgctxt or None, msgid) of every message of a .pot."""
    text = open(path, encoding="utf-8").read()
    items = []
    for block in text.split("\n\n"):
        ctx = re.search(r'^msgctxt ((?:".*"\n?)+)', block + "\n", re.M)
        mid = re.search(r'^msgid ((?:".*"\n?)+)', block + "\n", re.M)
        plural = re.search(r'^msgid_plural ((?:".*"\n?)+)', block + "\n", re.M)

        def val(m):
            s = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))
            return s.replace("\\n", "\n").replace('\\"', '"').replace("\\t", "\t")

        if not mid or not val(mid):
            continue
        c = val(ctx) if ctx else None
        items.append((c, val(mid)))
        if plural:
            items.append((c, val(plural)))
    return items


def english(pot):
    phrases, words = set(), set()
    for ctx, mid in po_strings(pot):
        if ctx is not None:
            if WORD.match(mid) and len(mid) >= 4:
                words.add(mid.lower())
            continue
        # a conversion, a quoted part or a line break ends a phrase
        for part in QUOTED.sub("\n", CONV.sub("\n", mid)).split("\n"):
            for r in runs(part):
                if len(r) >= 2 and any(len(w) >= 4 for w in r):
                    phrases.add(" ".join(r))
    return phrases, words


def main():
    phrases, words = english(sys.argv[1])
    text = "".join(open(f, encoding="utf-8").read() for f in sys.argv[2:]) \
        if len(sys.argv) > 2 else sys.stdin.read()
    found = 0
    for line in text.split("\n"):
        if line.startswith("$ "):
            continue
        seen = []
        for r in runs(QUOTED.sub("\n", line)):
            joined = " " + " ".join(r) + " "
            seen += [p for p in phrases if " " + p + " " in joined]
            seen += [w for w in r if w in words]
        if seen:
            found += 1
            print("%s\t%s" % (line.strip(), sorted(set(seen), key=len)[-3:]))
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()

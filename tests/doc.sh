#!/bin/bash
# doc: what the documentation shows from mkroot's tables is current (make
# doc writes it): doc/mkroot.1 is mkroot --man, each block of README.md and
# doc/*.md between "<!-- NAME -->" and "<!-- /NAME -->" is mkroot --helper
# NAME; the README is short (at most 175 lines); and the man
# page reads: man -l renders it, with every variable and command, and groff
# finds nothing to warn about.
. "$(dirname "$0")/lib.sh"

./mkroot --man | cmp -s - doc/mkroot.1 || fail "doc/mkroot.1 is not mkroot --man: run make doc"
echo "ok: doc/mkroot.1 is current"
n=0
for md in README.md doc/*.md; do
  while read -r block; do
    want="$(./mkroot --helper "$block")" || fail "mkroot --helper $block"
    got="$(sed -n "/^<!-- $block -->\$/,/^<!-- \\/$block -->\$/p" "$md" | sed '1d;$d')"
    [ "$want" == "$got" ] || fail "$md's $block block is not mkroot --helper $block: run make doc"
    n=$((n+1))
  done < <(sed -n 's/^<!-- \([a-z]*\) -->$/\1/p' "$md")
done
[ $n -ge 3 ] || fail "$n generated blocks in README.md and doc/, want varnames, vars and files"
echo "ok: the $n generated blocks in README.md and doc/ are current"
[ "$(wc -l < README.md)" -le 175 ] || fail "README.md has $(wc -l < README.md) lines: the rest belongs in doc/"

page="$(MANWIDTH=80 man -l doc/mkroot.1 2>&1)" || fail "man -l doc/mkroot.1: $page"
for s in NAME SYNOPSIS OPTIONS VARIABLES COMMANDS FILES boottest cross clean; do
  contains "$page" "$s"
done
for v in $(./mkroot --helper vars | sed -n 's/^| `\([A-Za-z0-9_]*\)` |.*/\1/p'); do
  grep -q "^       $v\b" <<< "$page" || fail "the man page lacks $v"
done
warn="$(groff -man -ww -z doc/mkroot.1 2>&1)"
[ -z "$warn" ] || fail "groff warns: $warn"
echo "ok: man -l doc/mkroot.1"
pass

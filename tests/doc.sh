#!/bin/bash
# doc: what the documentation shows from mkroot's tables is current (make
# doc writes it): doc/mkroot.1 is mkroot --man, each README block between
# "<!-- NAME -->" and "<!-- /NAME -->" is mkroot --helper NAME; and the man
# page reads: man -l renders it, with every variable and command, and groff
# finds nothing to warn about.
. "$(dirname "$0")/lib.sh"

./mkroot --man | cmp -s - doc/mkroot.1 || fail "doc/mkroot.1 is not mkroot --man: run make doc"
echo "ok: doc/mkroot.1 is current"
n=0
while read -r block; do
  want="$(./mkroot --helper "$block")" || fail "mkroot --helper $block"
  got="$(sed -n "/^<!-- $block -->\$/,/^<!-- \\/$block -->\$/p" README.md | sed '1d;$d')"
  [ "$want" == "$got" ] || fail "README's $block block is not mkroot --helper $block: run make doc"
  n=$((n+1))
done < <(sed -n 's/^<!-- \([a-z]*\) -->$/\1/p' README.md)
[ $n -ge 2 ] || fail "README has $n generated blocks, want vars and files"
echo "ok: README's $n generated blocks are current"

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

#!/bin/bash
# vars: the variables table (src/ctx/vars.c) is whole and is what the
# user sees: every variable the code reads by name (ctx_get, ctx_is,
# getenv, need) has a row; mkroot --help lists every row (doc.sh: the
# README and the man page too); a misspelt NAME=VALUE gets one line naming
# the variable it probably meant, an unknown one that is no near miss none;
# a value the table refuses stops the build before anything runs.
. "$(dirname "$0")/lib.sh"

table="$(./mkroot --helper vars | sed -n 's/^| `\([A-Za-z0-9_]*\)` |.*/\1/p')"
[ "$(wc -l <<< "$table")" -gt 20 ] || fail "mkroot --helper vars: no table"
read_names="$(grep -rhoE '\b(ctx_get|ctx_is|getenv|need)\([^"()]*"[A-Za-z_][A-Za-z0-9_]*"' src |
  sed 's/.*"\(.*\)"/\1/' | sort -u)"
[ -n "$read_names" ] || fail "no variable reads found in src/"
for v in $read_names; do
  grep -qx "$v" <<< "$table" || fail "$v is read in src/ but not in the variables table (src/ctx/vars.c)"
done
echo "ok: $(wc -w <<< "$read_names") variables read by name, all in the table"

help="$(./mkroot --help)"
for v in $table; do
  grep -qE "^  $v( |$)" <<< "$help" || fail "mkroot --help lacks $v"
done
contains "$help" "NAME=VALUE"
echo "ok: mkroot --help lists all $(wc -w <<< "$table")"

T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
out="$(cd "$T" && "$TOP/mkroot" KEXRTA=1 MY_OWN=2 nosuchmodule 2>&1)"
expect_rc 1 $? "a misspelt variable and an unknown module"
contains "$out" "KEXRTA: unknown variable; did you mean KEXTRA?"
[ "$(grep -c 'unknown variable' <<< "$out")" == 1 ] || fail "MY_OWN, no near miss, got a line: $out"
contains "$out" "nosuchmodule: no such module"
out="$(cd "$T" && "$TOP/mkroot" QEMU_MEMORY=12 nosuchmodule 2>&1)"
expect_rc 1 $? "QEMU_MEMORY=12"
contains "$out" "QEMU_MEMORY=12: the guest's memory in MiB (32 and up)"
[[ "$out" != *"no such module"* ]] || fail "QEMU_MEMORY=12 was not refused first"
pass

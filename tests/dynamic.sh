#!/bin/bash
# dynamic: for aarch64, the dynamic module puts the target's loader and
# shared libraries in the root, and a program a module links dynamically
# with ${CROSS_COMPILE}cc runs in the guest (the guest hands off to it);
# our dropbear in the same root: boottest's ssh check passes.
# Then toybox 0.8.9's own scripts/root/dropbear, overlay and dynamic,
# unchanged, for aarch64: they build, the guest boots and ssh gets in
# through the port forward the script sets; their dynamic puts musl's
# libraries in /lib and nothing else. Runs after aarch64.sh: the kernel is
# reused.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/mods"
cat > "$T/mods/dyntest" << 'EOM'
# a dynamically linked program, with libm, that says where it runs
cat > dyntest.c << 'EOC'
#include <math.h>
#include <stdio.h>
#include <sys/utsname.h>
int main(void)
{
  volatile double x = 74088;
  struct utsname u;

  uname(&u);
  printf("DYN%s:%g:%s\n", "test", cbrt(x), u.machine);
  return 0;
}
EOC
"${CROSS_COMPILE}cc" -O2 -o "$ROOT/bin/dyntest" dyntest.c -lm || die "cc failed"
EOM

start=$SECONDS
out="$(./cross aarch64 ./mkroot MODULE_PATH="$T/mods" dropbear dynamic dyntest kernel 2>&1)"
expect_rc 0 $? "./cross aarch64 ./mkroot dropbear dynamic dyntest kernel"
echo "build: $((SECONDS-start))s"
O=output/aarch64
INTERP="$(readelf -l $O/root/bin/dyntest | sed -n 's/.*interpreter: \(.*\)]$/\1/p')"
[ -n "$INTERP" ] || fail "dyntest is not dynamically linked"
readelf -h $O/root/bin/dyntest | grep -q AArch64 || fail "dyntest is not aarch64"
[ -e "$O/root$INTERP" ] || [ -L "$O/root$INTERP" ] || fail "no $INTERP in the root"
echo "loader $INTERP; libraries: $(ls $O/root/lib | tr '\n' ' ')"
du -sh $O/root

# The guest hands off to the program instead of a shell, then powers off
out="$(KARGS=HANDOFF=/bin/dyntest timeout 240 $O/qemu-aarch64.sh < /dev/null 2>&1)"
grep -a 'DYN' <<< "$out" | tail -1
contains "$out" "DYNtest:42:aarch64"
echo "ok: a dynamically linked program ran in the guest"
echo "dropbearmulti (aarch64): $(stat -c %s $O/root/bin/dropbearmulti) bytes"
out="$(./boottest aarch64)"; rc=$?
echo "$out"
expect_rc 0 $rc "boottest aarch64 (our dropbear)"
contains "$out" "ssh:ok"

# toybox's own scripts, unchanged, for aarch64
D="$T/download"
mkdir -p "$D" "$T/ovl/etc" && echo "from the overlay" > "$T/ovl/etc/overlaid"
for i in toybox linux zlib musl-1.2.3.tar.gz; do ln -s "$TOP/download/$i" "$D/$i"; done
tar xjf download/dropbear-2022.83.tar.bz2 -C "$D" && mv "$D/dropbear-2022.83" "$D/dropbear" ||
  fail "unpacking dropbear"
start=$SECONDS
out="$(./cross aarch64 ./mkroot DOWNLOAD="$D" MODULE_PATH="$TOP/download/toybox/scripts/root" \
  OVERLAY="$T/ovl" dropbear overlay dynamic kernel 2>&1)"
expect_rc 0 $? "toybox's scripts/root/dropbear, overlay, dynamic for aarch64"
echo "build: $((SECONDS-start))s"
readelf -h $O/root/bin/dropbearmulti | grep -q AArch64 || fail "toybox's dropbear is not aarch64"
[ "$(cat $O/root/etc/overlaid)" == "from the overlay" ] || fail "toybox's overlay"
[ -L $O/root/lib/ld-musl-aarch64.so.1 ] || [ -e $O/root/lib/ld-musl-aarch64.so.1 ] ||
  fail "toybox's dynamic installed no loader"
[ ! -e a.out ] || fail "toybox's dynamic left a.out in the checkout"
# toybox's dynamic copies what ${CROSS_COMPILE}cc -print-search-dirs lists:
# musl's libraries and nothing else (no glibc, no host file, no link
# leading nowhere)
echo "toybox's dynamic: $(ls -l $O/root/usr/lib | tail -n +2 | awk '{print $NF, $(NF-1), $(NF-2)}' | tr '\n' ' ')"
for f in "$O"/root/usr/lib/*; do
  [ -d "$f" ] && [ ! -L "$f" ] && continue
  if [ -L "$f" ]; then
    l="$(readlink "$f")"
    [[ "$l" == /* ]] && l="$O/root$l" || l="$(dirname "$f")/$l"
    [ -e "$l" ] || fail "toybox's dynamic: $f leads nowhere in the root"
    continue
  fi
  readelf -h "$f" 2>/dev/null | grep -q AArch64 || fail "toybox's dynamic: $f is not an aarch64 file"
  ! grep -q 'GLIBC_\|libc\.so\.6' "$f" || fail "toybox's dynamic: $f is glibc's"
done
[ "$(du -sk $O/root/usr/lib | cut -f1)" -lt 2048 ] || fail "toybox's dynamic: $(du -sh $O/root/usr/lib)"
out="$(./boottest aarch64)"; rc=$?
echo "$out"
expect_rc 0 $rc "boottest aarch64 (toybox's dropbear)"
contains "$out" "ssh:ok"
pass

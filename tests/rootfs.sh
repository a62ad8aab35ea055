#!/bin/bash
# rootfs: ./mkroot builds output/host/root (the seed's skeleton, static
# toybox with its links, our /init), and "chroot output/host/root /init"
# takes typed commands and leaves nothing mounted after exit.
. "$(dirname "$0")/lib.sh"

out="$(./mkroot -l 2>&1)"; expect_rc 0 $? "./mkroot"
R=output/host/root
for i in "=== root" "=== toybox" "=== init"; do contains "$out" "$i"; done
for d in etc tmp proc sys dev home mnt root usr/bin usr/sbin usr/lib var; do
  [ -d $R/$d ] && [ ! -L $R/$d ] || fail "no directory $d"
done
for l in bin sbin lib; do [ "$(readlink $R/$l)" == usr/$l ] || fail "$l not a symlink to usr/$l"; done
[ "$(stat -c %a $R/tmp)" == 1777 ] || fail "tmp mode $(stat -c %a $R/tmp)"
for u in root guest nobody; do grep -q "^$u:" $R/etc/passwd || fail "no $u in passwd"; done
[ -s $R/etc/group ] && [ -s $R/etc/resolv.conf ] && grep -q '^ID=mkroot' $R/etc/os-release ||
  fail "etc files"
readelf -l $R/usr/bin/toybox | grep -q INTERP && fail "toybox is dynamic"
readelf -l $R/init | grep -q INTERP && fail "init is dynamic"
[ "$(readlink $R/usr/bin/sh)" == toybox ] || [ -e $R/usr/bin/sh ] || fail "no sh"
[ -e $R/usr/sbin/route ] || [ -e $R/usr/bin/route ] || fail "no route"
[ "$(ls $R/usr/bin $R/usr/sbin | wc -l)" -gt 150 ] || fail "too few toybox commands"
grep -q '^=== toybox' output/host/log.txt && grep -q 'CC\|cc ' output/host/log.txt || fail "log.txt"
# /init is built -Os, and nothing after it undoes that
grep 'src/init/init.c' output/host/cmdlog.txt | grep -q -- '-Os' &&
  ! grep 'src/init/init.c' output/host/cmdlog.txt | grep -q -- '-O[0-9]' || fail "init flags: $(grep init.c output/host/cmdlog.txt)"

# a rebuild deletes the old root (var/run and all) and changes no mode in
# the checkout it runs in
modes() { stat -c '%a %n' -- * .ci/* scripts/* tests/* src/*/* 2>/dev/null; }
gitst() { git status --porcelain --untracked-files=no 2>/dev/null; }
before="$(modes)" gbefore="$(gitst)"
# ... and after ./clean, the musl sysroot, kept with the toolchains, serves
# again: it isn't rebuilt
./clean || fail "./clean"
ls -d toolchain/musl/*/lib/libc.a > /dev/null || fail "./clean removed the musl sysroot"
out="$(./mkroot 2>&1)" || fail "./mkroot after ./clean: $out"
contains "$out" "=== libc musl (unchanged)"
[ "$before" == "$(modes)" ] || fail "modes changed: $(diff <(echo "$before") <(modes))"
[ "$gbefore" == "$(gitst)" ] || fail "git status changed: $(gitst)"

# the chroot: typing works, output comes back, nothing left mounted
out="$(printf 'echo typed-$((6*7))\nls /proc/self/fd | head -n 1 >/dev/null && echo procok\ntest -c /dev/null && echo devok\nexit\n' |
  chroot $R /init 2>&1)"; expect_rc 0 $? "chroot /init"
contains "$out" "typed-42"
contains "$out" "procok"
contains "$out" "devok"
grep -q "$(realpath $R)" /proc/mounts && fail "left mounted: $(grep "$(realpath $R)" /proc/mounts)"
echo "size of output/host/root: $(du -sh $R | cut -f1)"
pass

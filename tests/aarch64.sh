#!/bin/bash
# aarch64: a cross build through ./cross (Debian's aarch64-linux-gnu-gcc,
# in the airlock) of the root filesystem and kernel, then boottest under TCG.
# PATH is the compiler's directory then the airlock: configure --host finds
# the target's compiler. toybox's CROSS=aarch64 LINUX= builds the same.
. "$(dirname "$0")/lib.sh"

contains "$(./cross)" aarch64
start=$SECONDS
out="$(./cross aarch64 ./mkroot kernel 2>&1)"; expect_rc 0 $? "./cross aarch64 ./mkroot kernel"
echo "aarch64 build: $((SECONDS-start))s"
O=output/aarch64
for f in Image root.cpio.gz qemu-aarch64.sh aarch64.miniconf; do [ -s $O/$f ] || fail "no $O/$f"; done
readelf -h $O/root/usr/bin/toybox | grep -q AArch64 || fail "toybox is not aarch64"
readelf -h $O/root/init | grep -q AArch64 || fail "init is not aarch64"
readelf -l $O/root/usr/bin/toybox | grep -q INTERP && fail "toybox is dynamic"
# the build ran in the airlock: its PATH held no host directory
[ -x build/airlock/toybox ] && [ -L build/airlock/make ] || fail "no airlock"
M="$(mktemp -d)"
echo 'echo "$PATH" > "$OUTPUT/path.txt"; env > "$OUTPUT/env.txt"' > "$M/pathdump"
./cross aarch64 ./mkroot -n MODULE_PATH="$M" pathdump > /dev/null 2>&1 || fail "pathdump module"
# the compiler's directory, then the airlock (the seed's PATH)
[ "$(cat $O/path.txt)" == "$TOP/build/aarch64/cc:$TOP/build/airlock" ] || fail "PATH in the build: $(cat $O/path.txt)"

# an autoconf package configured the seed's dropbear way (--host, no CC=)
# finds the target's compiler on PATH and builds for the target
mkdir -p "$M/pkg"
cat > "$M/pkg/configure.ac" << 'EOM'
AC_INIT([hello], [1.0])
AC_PROG_CC
AC_CHECK_TOOL([STRIP], [strip])
AC_CONFIG_FILES([Makefile])
AC_OUTPUT
EOM
printf 'CC = @CC@\nSTRIP = @STRIP@\nhello: hello.c\n\t$(CC) -static -o hello hello.c\n\t$(STRIP) hello\n' > "$M/pkg/Makefile.in"
echo 'int main(void) { return 0; }' > "$M/pkg/hello.c"
(cd "$M/pkg" && autoconf) || fail "autoconf"
cat > "$M/autohello" << 'EOM'
cp -a "$PKG"/. . && ./configure --host=${CROSS_BASE%-} && make &&
  cp hello "$OUTPUT/hello" || die "configure --host=${CROSS_BASE%-}"
EOM
out="$(./cross aarch64 ./mkroot -n MODULE_PATH="$M" PKG="$M/pkg" autohello 2>&1)"
expect_rc 0 $? "configure --host without CC=: $out"
readelf -h $O/hello | grep Machine
readelf -h $O/hello | grep -q AArch64 || fail "configure --host built for the host"
grep -q "checking for aarch64-linux-musl-gcc... $TOP/build/aarch64/cc/aarch64-linux-musl-gcc\|checking for aarch64-linux-musl-gcc... aarch64-linux-musl-gcc" $O/log.txt ||
  fail "configure did not find aarch64-linux-musl-gcc: $(grep 'checking for.*gcc' $O/log.txt)"
rm -rf "$M"

# toybox's dialect: CROSS=aarch64 LINUX=... is ./cross aarch64 ./mkroot
# kernel: every step's key the same (nothing rebuilt), the same bytes
sums() { (cd $O && sha256sum Image root.cpio.gz qemu-aarch64.sh); }
before="$(sums)"
out="$(./mkroot CROSS=aarch64 LINUX=download/linux 2>&1)"; expect_rc 0 $? "CROSS=aarch64 LINUX=download/linux: $out"
for i in "root (unchanged)" "toybox (unchanged)" "init (unchanged)" "kernel aarch64 (unchanged)" "initramfs (unchanged)"; do
  contains "$out" "$i"
done
[ "$(sums)" == "$before" ] || fail "CROSS=aarch64 gave other bytes: $(sums)"
echo "ok: CROSS=aarch64 LINUX=download/linux: the same keys and bytes"

out="$(./boottest aarch64)"; rc=$?
echo "$out"
expect_rc 0 $rc "boottest aarch64"
contains "$out" "prompt:ok typing:ok date:ok network:ok disk:ok user:ok hosts:ok poweroff:ok"
pass

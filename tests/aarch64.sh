#!/bin/bash
# aarch64: a cross build through ./cross (Debian's aarch64-linux-gnu-gcc,
# in the airlock) of the root filesystem and kernel, then boottest under TCG.
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
rm -rf "$M"
out="$(./boottest aarch64)"; rc=$?
echo "$out"
expect_rc 0 $rc "boottest aarch64"
contains "$out" "prompt:ok typing:ok date:ok network:ok disk:ok user:ok hosts:ok poweroff:ok"
pass

#!/bin/bash
# native (make check-toolchain; long: the toolchains take an hour or more
# the first time): aarch64's cross toolchain from source (C and C++) and its
# native one. A system built on the cross toolchain (TOOLCHAIN=source)
# passes boottest; then, booted with the native image as an extra drive,
# its /etc/rc mounts the image by hand and compiles, links and runs a C
# and a C++ hello world inside the guest.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
QEMU=
trap '[ -n "$QEMU" ] && kill -9 -- -$QEMU 2>/dev/null; rm -rf "$T"' EXIT

start=$SECONDS
# toolchain builds run niced (the machine may be shared)
nice -n 19 ./cross toolchain aarch64 2>&1 | tee "$T/tc.out"; rc=${PIPESTATUS[0]}
out="$(cat "$T/tc.out")"
expect_rc 0 "$rc" "./cross toolchain aarch64"
echo "toolchains: $((SECONDS-start))s"
IMG="$(sed -n 's/^aarch64: native //p' <<< "$out")"
CC="$(sed -n 's/^aarch64: cross //p' <<< "$out")"
[ -s "$IMG" ] && [ -x "$CC" ] || fail "no image or compiler: $out"
echo "image: $(du -m "$IMG" | cut -f1) MiB; cross: $(du -sm "${CC%/bin/*}" | cut -f1) MiB"

# C++ on the cross compiler: a static program that runs (under QEMU's
# user mode when the host has it)
printf '#include <iostream>\nint main(){std::cout<<"c++ ok"<<std::endl;}\n' > "$T/t.cc"
"${CC%cc}g++" -static "$T/t.cc" -o "$T/t" || fail "cross g++"
readelf -h "$T/t" | grep -q AArch64 || fail "g++ output is not aarch64"

# The overlay's rc script: only with a squashfs drive attached
mkdir -p "$T/ovl/etc/rc"
cat > "$T/ovl/etc/rc/90native" << 'EOF'
mkdir -p /mnt
for d in /dev/vd?; do mount -t squashfs -o ro "$d" /mnt 2>/dev/null && break; done
if [ -x /mnt/bin/gcc ]; then
  cd /tmp || cd /
  export PATH=/mnt/bin:$PATH
  printf '#include <stdio.h>\nint main(void){puts("hello from C");return 0;}\n' > h.c
  printf '#include <iostream>\nint main(){std::cout<<"hello from C++"<<std::endl;}\n' > h.cc
  gcc -static h.c -o hc && ./hc
  g++ -static h.cc -o hcc && ./hcc
  echo "make: $(make --version | head -1); bash: $(bash -c 'echo $BASH_VERSION')"
  echo NATIVE-DONE
  poweroff -f
fi
EOF
start=$SECONDS
out="$(flock /work/kernel.lock env TOOLCHAIN=source ./cross aarch64 ./mkroot OVERLAY="$T/ovl" overlay kernel 2>&1)"
expect_rc 0 $? "TOOLCHAIN=source ./cross aarch64 ./mkroot overlay kernel: $(tail -5 <<< "$out")"
echo "system on the from-source toolchain: $((SECONDS-start))s"
grep -q "^Building aarch64 (target aarch64) with $(readlink -f toolchain)/aarch64-linux-musl-" output/aarch64/log.txt ||
  fail "not built with toolchain/'s compiler: $(head -1 output/aarch64/log.txt)"

out="$(./boottest aarch64)"; rc=$?
echo "$out"
expect_rc 0 "$rc" "boottest aarch64"
contains "$out" "prompt:ok typing:ok date:ok network:ok disk:ok user:ok hosts:ok poweroff:ok"

start=$SECONDS
timeout 1200 output/aarch64/qemu-aarch64.sh -m 1024 \
  -drive file="$IMG",format=raw,if=none,id=native,readonly=on \
  -device virtio-blk-pci,drive=native < /dev/null 2>&1 | tr -d '\r' > "$T/console"
grep -E '^(hello|make:|NATIVE)' "$T/console"
grep -q '^hello from C$' "$T/console" || fail "C hello world: $(tail -20 "$T/console")"
grep -q '^hello from C++$' "$T/console" || fail "C++ hello world: $(tail -20 "$T/console")"
grep -q 'make: GNU Make 4.3; bash: 5.2' "$T/console" || fail "make and bash"
echo "in the guest: $((SECONDS-start))s"
pass

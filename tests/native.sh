#!/bin/bash
# native (make check-toolchain; long: the toolchains take an hour or more
# the first time): aarch64's cross toolchain from source (C and C++) and its
# native one. A system built on the cross toolchain (TOOLCHAIN=source)
# with the native module passes boottest, and compiles, links and runs a
# C and a C++ hello world inside the guest (dynamic and static).
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT

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

# A system on the cross toolchain, with the native module: the image as a
# drive, mounted at boot
lock=()
[ -n "$KERNEL_LOCK" ] && lock=(flock "$KERNEL_LOCK")
start=$SECONDS
out="$("${lock[@]}" env TOOLCHAIN=source ./cross aarch64 ./mkroot native kernel 2>&1)"
expect_rc 0 $? "TOOLCHAIN=source ./cross aarch64 ./mkroot native kernel: $(tail -5 <<< "$out")"
echo "system on the from-source toolchain: $((SECONDS-start))s"
grep -q "^Building aarch64 (target aarch64) with $(readlink -f toolchain)/aarch64-linux-musl-" output/aarch64/log.txt ||
  fail "not built with toolchain/'s compiler: $(head -1 output/aarch64/log.txt)"

out="$(./boottest aarch64)"; rc=$?
echo "$out"
expect_rc 0 "$rc" "boottest aarch64"
contains "$out" "prompt:ok typing:ok date:ok network:ok disk:ok user:ok hosts:ok"

# C and C++, dynamic (the image's libc.so is the loader) and static
start=$SECONDS
out="$(./run --timeout 1200 aarch64 -- sh -c '
  printf "#include <stdio.h>\nint main(void){puts(\"hello from C\");return 0;}\n" > h.c
  printf "#include <iostream>\nint main(){std::cout<<\"hello from C++\"<<std::endl;}\n" > h.cc
  gcc h.c -o hc && ./hc && g++ h.cc -o hcc && ./hcc &&
  gcc -static h.c -o hcs && ./hcs && g++ -static h.cc -o hccs && ./hccs &&
  echo "make: $(make --version | head -n 1); bash: $BASH_VERSION"' 2>&1)"; rc=$?
echo "$out"
expect_rc 0 "$rc" "C and C++ in the guest: $(grep -a native: output/aarch64/run.log)"
[ "$(grep -c '^hello from C$' <<< "$out")" = 2 ] || fail "C hello world"
[ "$(grep -c '^hello from C++$' <<< "$out")" = 2 ] || fail "C++ hello world"
contains "$out" "make: GNU Make 4.3; bash: 5.2"
echo "in the guest: $((SECONDS-start))s"
pass

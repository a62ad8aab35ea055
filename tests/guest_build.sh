#!/bin/bash
# guest_build (make check-native; long: the native image takes an hour or
# more the first time, each guest build minutes): an aarch64 guest built
# with `dropbear distcc native kernel` builds GNU hello 2.10 from Debian's
# source (./configure && make && make check) natively, once with the
# host's distccd for it running (its log shows the compiles it served)
# and once without (the guest says so at boot and compiles alone). Then:
# a compile error comes back as the compiler's own; a damaged image and
# one for another target are one line at boot, and the system still runs.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
PORT=3647     # not distcc's usual 3632: a distccd the machine runs stays out
DCC=
cleanup() {
  [ -n "$DCC" ] && kill -- -"$DCC" 2> /dev/null
  [ -e "$T/native.sqf" ] && mv -f "$T/native.sqf" output/aarch64/native.sqf
  rm -rf "$T"
}
trap cleanup EXIT

SRC=download/hello_2.10.orig.tar.gz
[ -s "$SRC" ] || fail "$SRC missing: make deps-all"
mkdir "$T/src" && tar xzf "$SRC" -C "$T/src" --strip-components=1 ||
  fail "unpacking $SRC"

# KERNEL_LOCK=FILE: wait for other kernel builds on this machine (2 cores)
lock=()
[ -n "$KERNEL_LOCK" ] && lock=(flock "$KERNEL_LOCK")
start=$SECONDS
out="$("${lock[@]}" nice -n 10 ./cross aarch64 ./mkroot DISTCC_PORT=$PORT \
  dropbear distcc native kernel 2>&1)"
expect_rc 0 $? "./cross aarch64 ./mkroot dropbear distcc native kernel: $(tail -5 <<< "$out")"
echo "system: $((SECONDS-start))s; image $(du -m output/aarch64/native.sqf | cut -f1) MiB"
grep -q 'serial=mkroot-native' output/aarch64/qemu-aarch64.sh || fail "no native drive in the launch script"

out="$(./boottest aarch64)"; rc=$?
echo "$out"
expect_rc 0 "$rc" "boottest aarch64 with the native drive"

# The host's distccd for the guest, in its own process group
setsid scripts/distcc-server -t aarch64 -p $PORT > "$T/distccd.log" 2>&1 &
DCC=$!
listening() { (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null; }
for _ in $(seq 100); do
  listening && break
  sleep 0.5
done
listening || fail "distccd didn't start: $(cat "$T/distccd.log")"

BUILD='t0=$(date +%s); ./configure > configure.out 2>&1 || { tail -20 configure.out; exit 1; }; t1=$(date +%s); make -j3 > make.out 2>&1 || { tail -20 make.out; exit 1; }; t2=$(date +%s); make -j3 check > check.out 2>&1 || { tail -30 check.out; exit 1; }; t3=$(date +%s); grep -E "^# (TOTAL|PASS|FAIL)" check.out; ./hello; echo "phases: configure $((t1-t0))s, make $((t2-t1))s, make check $((t3-t2))s"'

# hello built in the guest, as WHAT; the boot said LINE. Sets secs
build_hello() {
  local start=$SECONDS out rc
  out="$(./run --timeout 3600 --share "$T/src" aarch64 -- sh -c "$BUILD" 2>&1)"; rc=$?
  secs=$((SECONDS-start))
  echo "$out"
  expect_rc 0 "$rc" "hello in the guest $1: $(tail -5 output/aarch64/run.log)"
  contains "$out" "Hello, world!"
  contains "$(cat output/aarch64/run.log)" "$2"
}

# 1: with distcc
build_hello "with distcc" "compiles go to distccd at 10.0.2.2:$PORT"
t1=$secs
served="$(grep -c 'COMPILE_OK' "$T/distccd.log")"
[ "$served" -gt 0 ] || fail "distccd served no compile: $(tail "$T/distccd.log")"
echo "with distcc: ${t1}s, distccd served $served compiles"

# a compile error in the guest: the compiler's own message, exit 1
n="$(grep -c 'COMPILE_ERROR' "$T/distccd.log")"
out="$(./run aarch64 -- sh -c 'printf "int f(void){return undeclared_thing;}\n" > b.c; gcc -c b.c' 2>&1)"; rc=$?
expect_rc 1 "$rc" "a bad compile: $out"
contains "$out" "undeclared_thing"
[ "$(grep -c 'COMPILE_ERROR' "$T/distccd.log")" -gt "$n" ] ||
  fail "the bad compile didn't go to distccd: $(tail -3 "$T/distccd.log")"

# 2: without
kill -- -"$DCC"; wait "$DCC" 2> /dev/null; DCC=
build_hello "without distcc" "no distccd answers at 10.0.2.2:$PORT"
t2=$secs
echo "without distcc: ${t2}s"

# a damaged image, then one for another target: one line, the rest runs
mv output/aarch64/native.sqf "$T/native.sqf"
head -c 1048576 /dev/urandom > output/aarch64/native.sqf
out="$(./run aarch64 -- sh -c 'echo still here; which gcc || echo no gcc')"; rc=$?
expect_rc 0 "$rc" "a damaged image"
contains "$out" "still here"
contains "$out" "no gcc"
grep -a "native: " output/aarch64/run.log
grep -aq "native: /dev/vd. is not a squashfs image" output/aarch64/run.log ||
  fail "no line for the damaged image: $(grep -a native output/aarch64/run.log)"
mkdir -p "$T/other/bin" "$T/other/lib/gcc/x86_64-linux-musl/11.3.0"
cp /bin/true "$T/other/bin/gcc"   # an x86_64 program: not this guest's
rm -f output/aarch64/native.sqf
mksquashfs "$T/other" output/aarch64/native.sqf -all-root -noappend > /dev/null || fail mksquashfs
out="$(./run aarch64 -- sh -c 'echo still here; which gcc || echo no gcc')"; rc=$?
expect_rc 0 "$rc" "an image for another target"
contains "$out" "no gcc"
grep -aq "native: /dev/vd. holds a toolchain for x86_64-linux-musl; this guest is aarch64-linux-musl" \
  output/aarch64/run.log || fail "no line for the other target's image: $(grep -a native output/aarch64/run.log)"
rm -f output/aarch64/native.sqf
mv "$T/native.sqf" output/aarch64/native.sqf

echo "hello 2.10 in the aarch64 guest: ${t1}s with distcc ($served compiles on the host), ${t2}s without"
pass

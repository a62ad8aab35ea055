#!/bin/bash
# cli: usage, bad options and names, -n refusals, unknown modules, a missing
# toybox source. Every refusal: one clear line, exit 1, nothing deleted.
. "$(dirname "$0")/lib.sh"

# usage on stderr, exit 1
out="$(./mkroot -x 2>&1 >/dev/null)"; rc=$?
expect_rc 1 $rc "unknown option"
contains "$out" "usage: mkroot [-n] [-d] [-l]"
# --help: each command's own usage on stdout, exit 0
out="$(./mkroot --help 2>/dev/null)"; expect_rc 0 $? "--help"
contains "$out" "NAME=VALUE"
for c in cross run clean boottest; do
  out="$(./$c --help 2>/dev/null)"; expect_rc 0 $? "$c --help"
  contains "$out" "usage: $c"
done
out="$(./mkroot --helper 2>&1)"; expect_rc 1 $? "--helper usage"
for v in download setupfor cleanup cpio extract rmrf miniconfig symcheck; do contains "$out" "$v"; done

# bad NAME=VALUE and module names
out="$(./mkroot '=x' 2>&1)"; expect_rc 1 $? "empty name"
contains "$out" "=x: bad variable name"
out="$(./mkroot ../evil 2>&1)"; expect_rc 1 $? "module with /"
contains "$out" "bad module name"
out="$(./mkroot .hidden 2>&1)"; expect_rc 1 $? "module with ."

# -n with no root, and with no module: refused, nothing deleted
T="$(mktemp -d)"; cd "$T" || exit 1
out="$("$TOP/mkroot" -n kernel 2>&1)"; expect_rc 1 $? "-n without root"
contains "$out" "no root to build over"
mkdir -p output/host/root/etc && echo keep > output/host/root/etc/marker
out="$("$TOP/mkroot" -n 2>&1)"; expect_rc 1 $? "-n without module"
contains "$out" "-n: no module"
[ "$(cat output/host/root/etc/marker)" == keep ] || fail "-n deleted the root"

# an unknown module lists the available ones
out="$("$TOP/mkroot" nosuchmodule 2>&1)"; expect_rc 1 $? "unknown module"
contains "$out" "nosuchmodule: no such module; available:"
contains "$out" "kernel"

# no toybox source: says how to get one
out="$(DOWNLOAD="$T/empty" "$TOP/mkroot" DOWNLOAD="$T/empty" 2>&1)"
expect_rc 1 $? "no toybox source"
contains "$out" "make deps"

# TARGET names output/TARGET: a path is refused before anything is deleted
mkdir -p "$T/x/root" && echo keep > "$T/x/root/keep" && mkdir -p "$T/a/b"
out="$(cd "$T/a/b" && "$TOP/mkroot" TARGET=../../x 2>&1)"; expect_rc 1 $? "TARGET=../../x"
contains "$out" "TARGET=../../x: bad target name"
[ -e "$T/x/root/keep" ] || fail "TARGET=../../x deleted outside output/"

# LIBC must be musl or glibc; a target that can't have musl says why
mkdir -p "$T/dl2" && ln -s "$TOP/download/toybox" "$T/dl2/toybox" && ln -s "$TOP/download/linux" "$T/dl2/linux"
out="$("$TOP/mkroot" DOWNLOAD="$T/dl2" LIBC=bionic 2>&1)"; expect_rc 1 $? "bad LIBC"
contains "$out" "LIBC=bionic: musl or glibc"
# no musl source: one line saying how to get it
out="$("$TOP/mkroot" DOWNLOAD="$T/dl2" MIRROR= 2>&1)"; expect_rc 1 $? "no musl source"
contains "$out" "no musl source (run 'make deps', or LIBC=glibc)"
[ ! -e output/host/root/usr/bin/toybox ] || fail "built without a libc"

# CROSS_COMPILE naming no compiler
out="$("$TOP/mkroot" CROSS_COMPILE=nosuch-linux- 2>&1)"; expect_rc 1 $? "bad CROSS_COMPILE"
contains "$out" "no nosuch-linux-cc or nosuch-linux-gcc in PATH"

# environment: only HOME PATH CROSS_COMPILE *_proxy and NAME=VALUE survive
mkdir -p mods && cat > mods/envdump << 'EOM'
env > "$OUTPUT/env.txt"
EOM
out="$(SECRET=1 TERM=dumb http_proxy=http://127.0.0.1:9 "$TOP/mkroot" -n LIBC=glibc MODULE_PATH="$T/mods" FOO=bar envdump 2>&1)"
expect_rc 0 $? "-n module run: $out"
grep -q '^FOO=bar$' output/host/env.txt || fail "FOO missing"
grep -q '^http_proxy=' output/host/env.txt || fail "proxy missing"
grep -q '^SECRET=\|^TERM=' output/host/env.txt && fail "environment not cleared"
# toybox's CROSS=: an unknown target lists the targets; a list stops at
# the first failure, allnonstop-style lists go on
out="$("$TOP/mkroot" CROSS=nosuch 2>&1)"; expect_rc 1 $? "CROSS=nosuch"
contains "$out" "CROSS=nosuch: unknown target; targets: x86_64"
contains "$out" "aarch64"
out="$("$TOP/mkroot" CROSS=nosuch1,nosuch2 2>&1)"; expect_rc 1 $? "CROSS=nosuch1,nosuch2"
contains "$out" "mkroot: CROSS=nosuch1: failed"
[[ "$out" != *nosuch2* ]] || fail "CROSS=a,b went on after a failure"
# ./cross: listing, unknown target, "all" with a failing target renamed
contains "$("$TOP/cross")" "x86_64"
out="$("$TOP/cross" nosuch true 2>&1)"; expect_rc 1 $? "cross nosuch"
contains "$out" "nosuch: unknown target; known: x86_64"
# (run in $T: no download/ here, so no compiler from source is built)
mkdir -p output/aarch64 && echo stale > output/aarch64/old
out="$(JOBS=2 "$TOP/cross" all sh -c 'echo "cc=$CROSS_COMPILE"; case "$CROSS_COMPILE" in *aarch64*) exit 1;; esac' 2>&1)"
expect_rc 1 $? "cross all with a failure"
grep -q '^aarch64 .*FAILED' <<< "$out" && grep -q '^x86_64 .*ok' <<< "$out" || fail "cross all table: $out"
[ -d output/aarch64.failed ] && [ ! -e output/aarch64 ] || fail "failed target not renamed"
grep -q '^cc=/usr/bin/x86_64-linux-gnu-$' output/x86_64/cross.txt || fail "cross.txt: $(cat output/x86_64/cross.txt)"
# a missing compiler or emulator: one line naming Debian's package
out="$(PATH=/nonexistent "$TOP/cross" x32 true 2>&1)"; expect_rc 1 $? "cross without the compiler"
contains "$(head -n 1 <<< "$out")" "x32: no compiler here (Debian's gcc-x86-64-linux-gnux32: make deps-all)"
mkdir -p output/powerpc64 && printf '#!/bin/sh\nexit 0\n' > output/powerpc64/qemu-powerpc64.sh
chmod +x output/powerpc64/qemu-powerpc64.sh
out="$(PATH=/nonexistent "$TOP/run" powerpc64 2>&1)"; expect_rc 1 $? "run without the emulator"
contains "$out" "qemu-system-ppc64: not found (Debian's qemu-system-ppc: make deps-all)"
out="$(PATH=/nonexistent "$TOP/boottest" powerpc64 2>&1)"; expect_rc 1 $? "boottest without the emulator"
contains "$out" "powerpc64    qemu-system-ppc64: not found (Debian's qemu-system-ppc"
rm -rf output/powerpc64
# TOOLCHAIN=source: a bad value, a row without a triple, missing sources
# (one line naming make deps-all, nothing created); the listing's table
out="$(TOOLCHAIN=bogus "$TOP/cross" aarch64 true 2>&1)"; expect_rc 1 $? "TOOLCHAIN=bogus"
contains "$out" "TOOLCHAIN=bogus: unknown"
out="$(TOOLCHAIN=source "$TOP/cross" m68k true 2>&1)"; expect_rc 1 $? "TOOLCHAIN=source m68k"
contains "$out" "m68k: TOOLCHAIN=source: no triple"
out="$(TOOLCHAIN=source "$TOP/cross" aarch64 true 2>&1)"; expect_rc 1 $? "TOOLCHAIN=source without sources"
contains "$out" "binutils-2.40.tar.xz: missing (run 'make deps-all')"
[ "$(wc -l <<< "$out")" -le 2 ] || fail "more than a line: $out"
[ ! -e toolchain ] || fail "toolchain/ made without sources"
out="$(TOOLCHAIN=source "$TOP/cross")"
grep -q '^aarch64 *no sources (make deps-all) *no sources' <<< "$out" || fail "cross listing: $out"
# sources there but not Debian's bytes: the listing says "not built", a
# build refuses with the hash, naming make deps-all, and leaves nothing
mkdir -p download && for f in binutils-2.40.tar.xz gcc-11.3.0-dfsg.tar.xz; do echo x > "download/$f"; done
out="$(TOOLCHAIN=source "$TOP/cross")"
grep -q '^aarch64 *not built *no sources' <<< "$out" || fail "cross listing with sources: $out"
out="$(TOOLCHAIN=source "$TOP/cross" aarch64 true 2>&1)"; expect_rc 1 $? "TOOLCHAIN=source, bad sources"
contains "$out" "binutils-2.40.tar.xz: sha256 mismatch"
contains "$out" "(run 'make deps-all')"
[ ! -e toolchain ] || fail "toolchain/ made from bad sources"
rm -rf download
out="$("$TOP/cross" toolchain aarch64 2>&1)"; expect_rc 1 $? "cross toolchain without sources"
contains "$out" "missing (run 'make deps-all')"
out="$("$TOP/cross" toolchain m68k 2>&1)"; expect_rc 1 $? "cross toolchain m68k"
contains "$out" "m68k: no triple"

# ./run and ./clean
out="$("$TOP/run" 2>&1)"; expect_rc 1 $? "run with nothing built"
contains "$out" "nothing built"
out="$("$TOP/run" nosuch 2>&1)"; expect_rc 1 $? "run nosuch"
# ./clean: the output/ and build/ of the checkout it belongs to, never those
# of the directory it runs in, never download/
mkdir -p co/output/x co/build/y co/download/keep other/output/z other/build co/src/lib co/module
touch co/Makefile co/src/lib/lib.h   # what makes co a checkout
cp "$TOP/mkroot" co/mkroot && ln -s mkroot co/clean
(cd other && ../co/clean) || fail "clean failed"
[ ! -e co/output ] && [ ! -e co/build ] && [ -d co/download/keep ] || fail "clean: checkout"
[ -d other/output/z ] && [ -d other/build ] || fail "clean deleted the current directory's output"
out="$("$TOP/clean" extra 2>&1)"; expect_rc 1 $? "clean with an argument"
cd /; rm -rf "$T"
pass

#!/bin/bash
# kmodules: toybox's MODULES. A module doing MODULES+= of two kernel
# symbols (toybox's tests package: FSCACHE,CACHEFILES), another module after
# it, then the kernel, for aarch64: module support is built in, the modules
# and their modules.dep are in the root's /lib/modules, and the guest loads
# both with toybox's modprobe. Its own kernel (module support changes every
# object): a top directory of its own in $T sharing this checkout's
# download/, airlock and musl, so the kernel tests/aarch64.sh keeps stays.
# Long (a kernel build): make check-kmodules.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/mods" "$T/top/build"
ln -s "$TOP/build/airlock" "$TOP/build/libc" "$T/top/build/"
cat > "$T/mods/symbols" << 'EOM'
MODULES+=FSCACHE,CACHEFILES
EOM
# toybox 0.8.9 has no tr: xargs (echo) joins the names
cat > "$T/mods/modtest" << 'EOM'
cat > "$ROOT/bin/modtest" << 'EOS'
#!/bin/sh
modprobe fscache && modprobe cachefiles &&
  echo "MODS: $(cut -d' ' -f1 /proc/modules | sort | xargs) "
EOS
chmod +x "$ROOT/bin/modtest"
EOM
cd "$T/top" || fail "cd $T/top"
start=$SECONDS
out="$("$TOP/cross" aarch64 "$TOP/mkroot" DOWNLOAD="$TOP/download" \
  MODULE_PATH="$T/mods" symbols modtest kernel 2>&1)"
expect_rc 0 $? "MODULES+=FSCACHE,CACHEFILES then a module then kernel: $(tail -n 20 <<< "$out")"
echo "build: $((SECONDS-start))s"
O=output/aarch64
contains "$out" "=== kernel modules FSCACHE,CACHEFILES"
grep -q '^CONFIG_MODULES=y$' $O/aarch64.config && grep -q '^CONFIG_FSCACHE=m$' $O/aarch64.config &&
  grep -q '^CONFIG_CACHEFILES=m$' $O/aarch64.config || fail "kernel config"
ls $O/root/lib/modules/*/kernel/fs/fscache/fscache.ko $O/root/lib/modules/*/kernel/fs/cachefiles/cachefiles.ko ||
  fail "modules not in the root"
ls $O/root/lib/modules/*/modules.dep || fail "no modules.dep"

# the guest runs modtest instead of a shell, then powers off
out="$(KARGS=HANDOFF=/bin/modtest timeout 300 $O/qemu-aarch64.sh < /dev/null 2>&1)"
grep -a 'MODS:' <<< "$out" | tail -1
[[ "$(grep -a 'MODS:' <<< "$out")" == *" cachefiles "* ]] &&
  [[ "$(grep -a 'MODS:' <<< "$out")" == *" fscache "* ]] ||
  fail "the guest did not load both: $(tail -n 20 <<< "$out")"
echo "ok: modprobe fscache, cachefiles in the guest"
pass

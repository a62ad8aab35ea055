#!/bin/bash
# kernel_boot: ./mkroot -n kernel over the host root builds the x86_64 kernel,
# the initramfs and the launch script; every requested symbol is checked;
# then boottest boots it under TCG and every check passes.
. "$(dirname "$0")/lib.sh"

[ -d output/host/root ] || ./mkroot > /dev/null 2>&1 || fail "no root"
start=$SECONDS
out="$(./mkroot -n kernel 2>&1)"; expect_rc 0 $? "./mkroot -n kernel"
echo "kernel build: $((SECONDS-start))s"
O=output/host
for f in bzImage root.cpio.gz qemu-x86_64.sh x86_64.miniconf x86_64.config; do
  [ -s $O/$f ] || fail "no $O/$f"
done
head -1 $O/x86_64.miniconf | grep -q '^# make ARCH=x86 allnoconfig' || fail "miniconf header"
grep -q 'did not stick' <<< "$out" && echo "warning: $(grep 'did not stick' <<< "$out")"
ls -l $O/bzImage $O/root.cpio.gz

# a KEXTRA symbol that does not exist is named by the symbol check
out="$(./mkroot -n KEXTRA=NO_SUCH_SYMBOL_XYZ STRICT=1 kernel 2>&1)"; expect_rc 1 $? "STRICT bad symbol"
contains "$out" "NO_SUCH_SYMBOL_XYZ did not stick"

out="$(./mkroot -n TARGET=nosuch kernel 2>&1)"; expect_rc 1 $? "unknown TARGET"
contains "$out" "x86_64"
out="$(./mkroot -n LINUX=/tmp kernel 2>&1)"; expect_rc 1 $? "LINUX not a tree"
contains "$out" "/tmp: not a kernel source tree"

# a kernel build failure shows its first error line and the log's path
F="$(mktemp -d)"; mkdir -p "$F/kernel"
cat > "$F/Makefile" << 'EOM'
allnoconfig:
	@mkdir -p $(O) && echo 'CONFIG_64BIT=y' > $(O)/.config
	@printf 'all:\n\t@echo "  CC  init/main.o"\n\t@echo "init/main.c:1:1: error: boom"\n\t@false\n' > $(O)/Makefile
EOM
# LIBC=glibc: with musl, the fake tree would be asked for musl's headers first.
# The fake tree builds in a directory of its own: the real build's .config
# (and so its next build's bytes) is left alone.
cp build/host/linux/.config "$F.config"
out="$(./mkroot -n LIBC=glibc LINUX="$F" kernel 2>&1)"; expect_rc 1 $? "kernel build failure"
contains "$out" "init/main.c:1:1: error: boom"
contains "$out" "kernel build failed, see $TOP/output/host/log.txt"
cmp -s build/host/linux/.config "$F.config" || fail "the fake tree's build wrote into the real one's directory"
ls build/host/linux-*/Makefile > /dev/null 2>&1 || fail "no build directory of the fake tree's own"
rm -rf "$F" "$F.config" build/host/linux-*

# the good build is still current (its step is skipped), then boot it
start=$SECONDS
./mkroot -n kernel > /dev/null 2>&1 || fail "rebuild"
echo "kernel rebuild with nothing changed: $((SECONDS-start))s"
out="$(./boottest host)"; rc=$?
echo "$out"
expect_rc 0 $rc "boottest host"
contains "$out" "prompt:ok typing:ok date:ok network:ok disk:ok user:ok hosts:ok poweroff:ok"
pass

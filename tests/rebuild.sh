#!/bin/bash
# rebuild: nothing is rebuilt twice, and the same inputs give the same
# bytes. After kernel_boot.sh built output/host:
#   a second ./mkroot kernel skips every step and changes no output;
#   touching a file in a source tree reruns the steps that read it (and the
#   root steps after them), nothing else;
#   a changed KEXTRA rebuilds only the kernel, and back;
#   a damaged cache entry is noticed and rebuilt;
#   a clean build in another directory gives the same kernel and initramfs.
. "$(dirname "$0")/lib.sh"

O=output/host
[ -s $O/bzImage ] || { ./mkroot kernel > /dev/null 2>&1 || fail "first build"; }
./mkroot kernel > /dev/null 2>&1 || fail "settling build"
sums() { sha256sum $O/bzImage $O/root.cpio.gz $O/qemu-x86_64.sh | cut -d' ' -f1; }
ran() { grep '^=== ' <<< "$1" | grep -v '(unchanged)\|^=== done\|^=== kernel config\|^=== airlock' | sed 's/^=== //; s/ .*//' | sort | tr '\n' ' '; }
before="$(sums)"

start=$(date +%s.%N)
out="$(./mkroot kernel 2>&1)"; expect_rc 0 $? "second build"
echo "second ./mkroot kernel: $(python3 -c "print(round($(date +%s.%N)-$start,2))")s"
[ -z "$(ran "$out")" ] || fail "steps ran again: $(ran "$out")"
for s in root toybox init "kernel x86_64" initramfs; do contains "$out" "=== $s (unchanged)"; done
[ "$before" == "$(sums)" ] || fail "outputs changed"

# a source tree touched: the steps that read it run, nothing else
touch download/toybox/README
out="$(./mkroot kernel 2>&1)"; expect_rc 0 $? "toybox touched"
[ "$(ran "$out")" == "init toybox " ] || fail "toybox touched, ran: $(ran "$out")"
contains "$out" "=== kernel x86_64 (unchanged)"
[ "$before" == "$(sums)" ] || fail "a rebuilt toybox changed the outputs"
touch download/linux/README
out="$(./mkroot kernel 2>&1)"; expect_rc 0 $? "kernel tree touched"
[ "$(ran "$out")" == "kernel " ] || fail "kernel tree touched, ran: $(ran "$out")"
[ "$before" == "$(sums)" ] || fail "kernel rebuilt with nothing changed: other bytes"

# KEXTRA: only the kernel, and back to the same bytes
out="$(./mkroot KEXTRA=MAGIC_SYSRQ kernel 2>&1)"; expect_rc 0 $? "KEXTRA"
[ "$(ran "$out")" == "kernel " ] || fail "KEXTRA, ran: $(ran "$out")"
grep -q '^CONFIG_MAGIC_SYSRQ=y' $O/x86_64.config || fail "KEXTRA not in the config"
out="$(./mkroot kernel 2>&1)"; expect_rc 0 $? "KEXTRA undone"
[ "$before" == "$(sums)" ] || fail "KEXTRA undone: other bytes"

# a damaged cache: a changed file in a step's saved root is noticed
f="$(ls -d build/host/steps/*/root/usr/bin/toybox | head -1)"
echo damage >> "$f"
out="$(./mkroot kernel 2>&1)"; expect_rc 0 $? "damaged cache"
[ -n "$(ran "$out")" ] || fail "a damaged cache entry was used"
[ "$before" == "$(sums)" ] || fail "after a damaged cache: other bytes"

# another directory, from clean trees, later: the same bytes
D="$(mktemp -d)"
trap 'rm -rf "$D"' EXIT
git clone -q "$TOP" "$D/co" 2>/dev/null || cp -r "$TOP/src" "$TOP/Makefile" "$D/co/"
(cd "$D/co" && make -s > /dev/null 2>&1 && ./mkroot DOWNLOAD="$TOP/download" kernel > "$D/log" 2>&1) ||
  fail "build in $D/co: $(tail -5 "$D/log")"
cmp $O/bzImage "$D/co/output/host/bzImage" || fail "kernel images differ"
cmp $O/root.cpio.gz "$D/co/output/host/root.cpio.gz" || fail "initramfs differ"
echo "same bytes from $D/co: bzImage $(stat -c %s $O/bzImage), root.cpio.gz $(stat -c %s $O/root.cpio.gz)"
pass

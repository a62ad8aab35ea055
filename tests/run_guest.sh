#!/bin/bash
# run_guest: ./run TARGET -- CMD boots the guest, runs CMD after the rc
# scripts and gives back its stdout and stderr apart (nothing of the
# kernel's), binary-safe, and its exit status, on x86_64 (output/host) and
# aarch64; a 10 MB file goes in with --share and comes back byte-identical
# through --out; a command the guest lacks is its shell's error and 127; a
# hung guest is killed at --timeout (124, one line); a target that isn't
# built, or a share too big for the guest's memory, is one line (125) and
# boots nothing; several targets side by side
# give one line each. Runs after kernel_boot.sh and aarch64.sh: their
# kernels are reused, nothing is rebuilt.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/share"
head -c 10000000 /dev/urandom > "$T/share/big"
head -c 100000 /dev/urandom > "$T/share/small"

for tgt in host aarch64; do
  [ -s output/$tgt/root.cpio.gz ] || fail "output/$tgt is not built (kernel_boot.sh, aarch64.sh)"
  start=$SECONDS
  ./run $tgt -- sh -c 'echo out; echo err >&2; exit 7' > "$T/o" 2> "$T/e"
  expect_rc 7 $? "./run $tgt -- sh -c 'echo out; echo err >&2; exit 7'"
  echo "$tgt: boot, run, power off: $((SECONDS-start))s"
  [ "$(cat "$T/o")" == out ] || fail "$tgt: stdout: $(cat "$T/o")"
  [ "$(cat "$T/e")" == err ] || fail "$tgt: stderr: $(cat "$T/e")"

  # binary stdout, and 10 MB in and back out
  rm -rf "$T/out"
  start=$SECONDS
  ./run --share "$T/share" --out "$T/out" $tgt -- \
    sh -c 'cat small; cp "$SHARE/big" "$OUT/big"' > "$T/o"
  expect_rc 0 $? "$tgt: --share, --out"
  echo "$tgt: 10 MB in and out: $((SECONDS-start))s"
  cmp "$T/o" "$T/share/small" || fail "$tgt: binary stdout differs"
  cmp "$T/out/big" "$T/share/big" || fail "$tgt: the 10 MB file came back different"
done

out="$(./run host -- nosuchcommand 2>&1)"
expect_rc 127 $? "a command the guest lacks"
contains "$out" "nosuchcommand"

start=$SECONDS
out="$(./run --timeout 5 host -- sleep 100 2>&1)"
expect_rc 124 $? "a guest that doesn't finish"
[ $((SECONDS-start)) -lt 30 ] || fail "the timeout took $((SECONDS-start))s"
contains "$out" "run: host: killed after 5 s"
[ "$(wc -l <<< "$out")" == 1 ] || fail "more than one line: $out"

start=$SECONDS
out="$(./run nosuch -- true 2>&1)"
expect_rc 125 $? "a target that isn't built"
[ "$out" == "run: output/nosuch: not built (./mkroot kernel)" ] || fail "$out"
mkdir -p "$T/huge" && truncate -s 200M "$T/huge/f"
start=$SECONDS
out="$(./run --share "$T/huge" host -- true 2>&1)"
expect_rc 125 $? "a share too big for the guest's memory"
contains "$out" "too big for host's 256 MiB of memory"
[ $((SECONDS-start)) -lt 5 ] || fail "the share's size was checked after booting"
out="$(./run host --bad-qemu-option -- true 2>&1)"
expect_rc 125 $? "QEMU refuses its arguments"
contains "$out" "run: host: the guest stopped before CMD finished"

out="$(./run host,aarch64,nosuch -- sh -c 'uname -m; exit 3')"
expect_rc 1 $? "three targets, one not built"
echo "$out"
grep -q '^host  *exit 3 ' <<< "$out" || fail "no line for host"
grep -q '^aarch64  *exit 3 ' <<< "$out" || fail "no line for aarch64"
grep -q '^nosuch  *not built' <<< "$out" || fail "no line for nosuch"
[ "$(cat output/aarch64/run.out)" == aarch64 ] || fail "aarch64's run.out"
pass

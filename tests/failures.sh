#!/bin/bash
# failures: mkroot never exits non-zero silently. Each way a module step or
# the module lookup can fail ends with one "mkroot: ..." line naming the
# module (or the variable) and the reason. The root steps run (not -n): a
# module lookup that broke after the first module used to exit 1 with no
# word. Also: toybox's MODULES (kernel symbols) beside our MODULE_PATH
# (module directories), and MODULE_PATH and OVERLAY relative to where
# mkroot started, outside the checkout; an unknown MODULES symbol is named
# (STRICT=1: an error). Runs after rootfs.sh: the root's steps are reused.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/mods" "$T/ovl/etc" && echo "from ../ovl" > "$T/ovl/etc/rel"
echo 'MODULE_PATH=/nonexistent' > "$T/mods/losepath"
echo 'MODULES+=FSCACHE,CACHEFILES' > "$T/mods/symbols"
echo 'echo "$MODULES" > "$OUTPUT/symbols.txt"' > "$T/mods/after"
echo 'exit 3' > "$T/mods/quiet"
echo 'kill -9 $$' > "$T/mods/killed"
echo 'exec true' > "$T/mods/execs"
echo 'die "the reason"' > "$T/mods/dies"
echo 'setupfor nosuchpackage' > "$T/mods/nosrc"
echo 'download 0123 http://127.0.0.1:9/nosuch.tar.gz' > "$T/mods/nodl"
echo 'rm -rf "$ROOT"' > "$T/mods/noroot"
echo 'rm -rf "$ROOT" && ln -s "$ELSEWHERE" "$ROOT"' > "$T/mods/linkroot"
mkdir -p "$T/elsewhere" && echo canary > "$T/elsewhere/canary"

# mkroot ARGS...: must fail, its last lines a "mkroot: " line and $WANT
loud() {
  local out rc
  out="$(./mkroot "$@" 2>&1)"; rc=$?
  [ $rc -ne 0 ] || fail "./mkroot $*: exit 0"
  [[ "$(tail -n 5 <<< "$out")" == *"$WANT"* ]] &&
    tail -n 5 <<< "$out" | grep -q '^mkroot: ' ||
    fail "./mkroot $*: exit $rc with no line naming '$WANT': $(tail -n 5 <<< "$out")"
  echo "ok: $* -> $(grep 'mkroot: ' <<< "$out" | tail -n 1)"
}
P="MODULE_PATH=$T/mods"
WANT="after: no such module in MODULE_PATH=/nonexistent" loud "$P" losepath after
WANT="quiet failed, see" loud "$P" quiet
WANT="killed failed, see" loud "$P" killed
WANT="execs: " loud "$P" execs
WANT="dies: the reason" loud "$P" dies
WANT="nosrc failed, see" loud "$P" nosrc
WANT="nodl failed, see" loud "$P" nodl
WANT="nosuch: no such module" loud "$P" nosuch
WANT="MODULE_PATH=$T/mods" loud MODULES="$T/mods" after
WANT="'-1': bad module name" loud "$P" -- -1
for i in -n ""; do
  WANT="after: no such module in MODULE_PATH=/nonexistent" loud $i "$P" losepath after
done
# (the root removed, or made a link, last: -n won't build over those)
WANT="noroot: the root it left can't be kept" loud "$P" noroot
WANT="linkroot: the root it left can't be kept" loud "$P" ELSEWHERE="$T/elsewhere" linkroot

# toybox's tests package: MODULES+= kernel symbols, then another module
# (and the directory a module made the root a link to is left alone)
out="$(./mkroot "$P" symbols after 2>&1)"; expect_rc 0 $? "MODULES+= then a module: $out"
[ "$(cat "$T/elsewhere/canary")" == canary ] && [ "$(ls "$T/elsewhere")" == canary ] ||
  fail "a build after a root made a link changed where it led"
[ -d output/host/root ] && [ ! -L output/host/root ] || fail "the root is still a link"
[ "$(cat output/host/symbols.txt)" == FSCACHE,CACHEFILES ] || fail "MODULES: $(cat output/host/symbols.txt)"

# relative MODULE_PATH and OVERLAY outside the checkout: from where mkroot
# started, not the module's scratch directory
mkdir -p "$T/top" && cd "$T/top" && mkdir -p output/host/root
echo 'echo "relative ok" > "$OUTPUT/rel.txt"' > "$T/mods/rel"
out="$("$TOP/mkroot" -n LIBC=glibc MODULE_PATH=../mods rel 2>&1)"; expect_rc 0 $? "MODULE_PATH=../mods: $out"
[ "$(cat output/host/rel.txt)" == "relative ok" ] || fail "MODULE_PATH=../mods"
out="$("$TOP/mkroot" -n LIBC=glibc OVERLAY=../ovl overlay 2>&1)"; expect_rc 0 $? "OVERLAY=../ovl: $out"
[ "$(cat output/host/root/etc/rel)" == "from ../ovl" ] || fail "OVERLAY=../ovl"

# MODULES naming a symbol the kernel lacks: named like one of KEXTRA's,
# an error with STRICT=1 (stops after the kernel's config: nothing compiled)
mkdir -p "$T/k/output/host/root" && cd "$T/k" || fail "cd $T/k"
out="$("$TOP/mkroot" -n LIBC=glibc DOWNLOAD="$TOP/download" STRICT=1 \
  MODULES=FSCACHE,NOSUCH_SYM kernel 2>&1)"; expect_rc 1 $? "STRICT=1 MODULES=FSCACHE,NOSUCH_SYM"
contains "$out" "mkroot: x86_64: kernel symbol NOSUCH_SYM=m did not stick"
contains "$out" "kernel symbols missing (STRICT set)"
grep -q '^CONFIG_MODULES=y$' output/host/x86_64.config && grep -q '^CONFIG_FSCACHE=m$' output/host/x86_64.config ||
  fail "MODULES=FSCACHE: no module support or no FSCACHE=m in the config"
pass

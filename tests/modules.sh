#!/bin/bash
# modules: module scripts run in command-line order with the seed's API;
# download/setupfor/cleanup call back into mkroot; a failing module stops the
# build; every variable a module sets (exported or not) reaches the next
# module, and an unexported one stays unexported; a module runs in a
# scratch directory, where the checkout's directories are reachable but its
# stray files don't land in the checkout; setupfor's copy of a source
# directory can be written without changing the source; -d fetches a
# module's source without building anything; -l records the commands.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/www/files" "$T/mods" "$T/top/output/host/root" "$T/top/ovl"
echo "from the checkout" > "$T/top/ovl/file"
echo "a stale file" > "$T/top/a.out"
mkdir -p "$T/top/download/srcdir" && echo original > "$T/top/download/srcdir/msg"
mkdir -p "$T/src/hello-1.0" && echo 'hello from a module' > "$T/src/hello-1.0/msg"
tar czf "$T/www/files/hello-1.0.tar.gz" -C "$T/src" hello-1.0
SHA="$(sha1sum "$T/www/files/hello-1.0.tar.gz" | cut -d' ' -f1)"
mkdir -p "$T/src/second-2.0" && echo two > "$T/src/second-2.0/two"
tar czf "$T/www/files/second-2.0.tar.gz" -C "$T/src" second-2.0
SHA2="$(sha1sum "$T/www/files/second-2.0.tar.gz" | cut -d' ' -f1)"
coproc SRV { exec python3 tests/httpd.py "$T/www"; }
SERVER=$SRV_PID
read -r PORT <&"${SRV[0]}"

cat > "$T/mods/first" << EOM
download $SHA http://127.0.0.1:$PORT/files/hello-1.0.tar.gz
setupfor hello
cp msg "\$ROOT/msg"
cleanup
export FROM_FIRST="set by first"
NOT_EXPORTED=1
cp ovl/file "\$OUTPUT/ovl.txt"
echo stray > stray.txt
[ -e a.out ] && echo "stale a.out seen" > "\$OUTPUT/stale.txt"
setupfor srcdir
echo changed > msg
cat msg > "\$OUTPUT/srcdir.txt"
cleanup
echo "first: \$TARGET \$CROSS_SHORT \$OUTPUT [\$CROSS_BASE]" > "\$OUTPUT/first.txt"
EOM
cat > "$T/mods/twice" << EOM
download $SHA http://127.0.0.1:$PORT/files/hello-1.0.tar.gz
setupfor hello
touch "\$TOP/built-something"
cleanup
download $SHA2 http://127.0.0.1:$PORT/files/second-2.0.tar.gz
setupfor second
exit 1
EOM
cat > "$T/mods/dies" << 'EOM'
announce "about to die"
die "the reason"
echo "should not get here" > "$OUTPUT/dies.txt"
EOM
cat > "$T/mods/fds" << 'EOM'
ls -l /proc/self/fd > "$OUTPUT/fds.txt"
EOM
cat > "$T/mods/second" << 'EOM'
echo "second: ${FROM_FIRST:-missing} ${NOT_EXPORTED:-unset}" \
  "$(bash -c 'echo ${NOT_EXPORTED:-unexported}')" > "$OUTPUT/second.txt"
EOM
cat > "$T/mods/broken" << 'EOM'
setupfor nosuchpackage
echo "should not get here" > "$OUTPUT/broken.txt"
EOM
cd "$T/top" || exit 1

# -d: the module's source fetched and verified, nothing built
out="$("$TOP/mkroot" LIBC=glibc -d MODULE_PATH="$T/mods" first 2>&1)"; expect_rc 0 $? "-d: $out"
[ -e download/hello-1.0.tar.gz ] || fail "-d did not download"
[ ! -e output/host/root/msg ] && [ ! -e output/host/first.txt ] || fail "-d built something"

# -d reaches every download of a module, past its setupfor, and runs
# nothing else
out="$("$TOP/mkroot" LIBC=glibc -d MODULE_PATH="$T/mods" twice 2>&1)"; expect_rc 0 $? "-d past setupfor: $out"
[ -e download/second-2.0.tar.gz ] || fail "-d stopped at the first setupfor"
[ ! -e built-something ] && [ ! -e build/host/hello ] || fail "-d ran a build command"

# die: the build stops, naming the module and the message; announce is a stage
out="$("$TOP/mkroot" LIBC=glibc -n MODULE_PATH="$T/mods" dies 2>&1)"; expect_rc 1 $? "die"
contains "$out" "=== about to die"
contains "$out" "dies: the reason"
[ ! -e output/host/dies.txt ] || fail "went on after die"

# no descriptor of ours reaches a module's commands (ls: 0 1 2 and 3)
"$TOP/mkroot" LIBC=glibc -n -l MODULE_PATH="$T/mods" fds > /dev/null 2>&1 || fail "fds module"
[ "$(grep -c -- ' -> ' output/host/fds.txt)" == 4 ] || fail "descriptors leaked: $(cat output/host/fds.txt)"

# modules in order, exports carried over, API works
out="$("$TOP/mkroot" LIBC=glibc -n -l MODULE_PATH="$T/mods" first second 2>&1)"; expect_rc 0 $? "modules: $out"
contains "$out" "=== first"
contains "$out" "=== second"
[ "$(cat output/host/root/msg)" == "hello from a module" ] || fail "module did not install"
[ "$(cat output/host/second.txt)" == "second: set by first 1 unexported" ] || fail "variables: $(cat output/host/second.txt)"
[ "$(cat output/host/ovl.txt)" == "from the checkout" ] || fail "a checkout directory was not reachable"
[ ! -e stray.txt ] || fail "a module's stray file landed in the checkout"
[ ! -e output/host/stale.txt ] || fail "a module saw a stale file of the checkout"
[ "$(cat output/host/srcdir.txt)" == changed ] || fail "setupfor's copy not writable"
[ "$(cat download/srcdir/msg)" == original ] || fail "a write in setupfor's tree reached download/srcdir"
[ ! -e build/host/module-first ] || fail "the scratch directory was left behind"
contains "$(cat output/host/first.txt)" "first: x86_64 host $T/top/output/host []"
[ ! -e build/host/hello ] || fail "cleanup left the build directory"
contains "$(cat output/host/log.txt)" "hello-1.0.tar.gz confirmed"
contains "$(cat output/host/cmdlog.txt)" "cp msg"

# a failing step stops the build, naming the module and the log
out="$("$TOP/mkroot" LIBC=glibc -n MODULE_PATH="$T/mods" broken second 2>&1)"; expect_rc 1 $? "broken module"
contains "$out" "broken failed, see"
[ ! -e output/host/broken.txt ] || fail "module went on after a failed setupfor"
pass

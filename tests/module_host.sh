#!/bin/bash
# module_host: what a module can name, set or leave running stays its own.
#   setupfor with any name (linux, cc, steps, stage) never reaches mkroot's
#   own directories in build/TARGET; a module named api.sh runs like any;
#   a variable a module did not export reaches the later modules' shells
#   and no program's environment, however big; -d runs only download
#   lines and what computes them, nothing that writes; setupfor's copy of
#   a source directory leaves out device nodes, FIFOs, sockets and links
#   that lead outside, naming each; DYNAMIC_LIBS names libraries, not
#   paths; kill -9 of mkroot stops the module it was running.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
cleanup_all() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
  for p in $(pgrep -f "sleep 76549[0-9]"); do kill -9 "$p"; done
  [ -n "$KEEP" ] || rm -rf "$T"   # KEEP=1: the files stay, for a look
}
trap cleanup_all EXIT
M="$TOP/mkroot"
mkdir -p "$T/www/files" "$T/mods" "$T/top/output/host/root" "$T/top/download"
mkroot() { (cd "$T/top" && "$M" LIBC=glibc -n MODULE_PATH="$T/mods" "$@" 2>&1); }
B="$T/top/build/host"

# --- setupfor: any name, never mkroot's own directories
for i in linux cc steps stage; do
  mkdir -p "$B/$i" "$T/top/download/$i" && echo "mkroot's" > "$B/$i/keep"
  echo "a package called $i" > "$T/top/download/$i/src"
done
cat > "$T/mods/names" << 'EOM'
for i in linux cc steps; do
  setupfor $i
  [ "$(cat src)" == "a package called $i" ] || die "$i: wrong tree"
  cleanup
done
mkdir -p "$BUILD/stage/lib" && echo staged > "$BUILD/stage/lib/libx.a"
EOM
cat > "$T/mods/ownbuild" << 'EOM'
BUILD="$TOP/build/host" DOWNLOAD=/nonexistent
setupfor linux
cleanup
EOM
cat > "$T/mods/stage" << 'EOM'
[ "$(cat "$BUILD/stage/lib/libx.a")" == staged ] || die "stage not shared"
setupfor stage
EOM
out="$(mkroot names ownbuild)"; expect_rc 0 $? "setupfor linux, cc, steps, and with BUILD set: $out"
for i in linux cc steps stage; do
  [ "$(cat "$B/$i/keep" 2>&1)" == "mkroot's" ] || fail "setupfor $i reached build/host/$i"
done
out="$(mkroot stage)"; expect_rc 1 $? "setupfor stage"
contains "$out" "setupfor stage: refused"
[ "$(cat "$B/modules/stage/lib/libx.a")" == staged ] || fail "setupfor stage deleted the staged files"

# --- a module whose name is the API's file name, then another
echo 'echo one > "$OUTPUT/api.txt"' > "$T/mods/api.sh"
echo 'echo two >> "$OUTPUT/api.txt"' > "$T/mods/module-api.sh"
echo 'echo three >> "$OUTPUT/api.txt"' > "$T/mods/after"
out="$(mkroot api.sh module-api.sh after)"; expect_rc 0 $? "module api.sh: $out"
[ "$(cat "$T/top/output/host/api.txt")" == "$(printf 'one\ntwo\nthree')" ] ||
  fail "modules after api.sh: $(cat "$T/top/output/host/api.txt")"

# --- unexported variables: the next modules' shells, no environment
cat > "$T/mods/big" << 'EOM'
BIG="$(head -c 200000 /dev/zero | tr '\0' x)"
LINES="$(printf 'a b\n$(touch "$OUTPUT/INJECTED")\n  c')"
export SMALL=exported
EOM
cat > "$T/mods/uses" << 'EOM'
{ echo "${#BIG} $SMALL"
  printf '%s\n' "$LINES"
  env | grep -c '^BIG=\|^LINES='
  if [[ ${BIG@a} == *x* ]]; then echo "BIG exported"; fi
} > "$OUTPUT/uses.txt"
EOM
cp "$T/mods/uses" "$T/mods/uses2"
out="$(mkroot big uses uses2)"; expect_rc 0 $? "a 200 kB unexported variable: $out"
want="$(printf '200000 exported\na b\n$(touch "$OUTPUT/INJECTED")\n  c\n0')"
[ "$(cat "$T/top/output/host/uses.txt")" == "$want" ] ||
  fail "unexported variables: $(cut -c1-80 "$T/top/output/host/uses.txt")"
[ ! -e "$T/top/output/host/INJECTED" ] || fail "a variable's value ran as a command"
ls -A "$B" | grep -q '^\.sh-' && fail "the variables' file was left: $(ls -A "$B")"

# --- setupfor's copy of a source directory: files, directories and the
# links that stay inside; the rest left out, each named
S="$T/top/download/hostile"
mkdir -p "$S/sub" "$T/outside" && echo precious > "$T/outside/file"
echo data > "$S/sub/file"
ln -s "$T/outside/file" "$S/abs"
ln -s ../../../outside/file "$S/sub/rel"
ln -s sub/file "$S/inside"
mkfifo "$S/fifo"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$S/sock"
[ "$(id -u)" == 0 ] && mknod "$S/disk" b 7 0
cat > "$T/mods/copy" << 'EOM'
setupfor hostile
for i in abs sub/rel; do [ -L $i ] && echo pwned > $i; done
{ ls -A; ls -A sub; cat inside; } > "$OUTPUT/copy.txt"
cleanup
EOM
out="$(mkroot copy)"; expect_rc 0 $? "setupfor of a hostile source directory: $out"
[ "$(cat "$T/outside/file")" == precious ] || fail "a write in setupfor's copy went through a link"
for i in fifo sock abs sub/rel $([ "$(id -u)" == 0 ] && echo disk); do
  [ "$(grep -c "/$i: left out of the copy" "$T/top/output/host/log.txt")" == 1 ] ||
    fail "$i: not named once: $(cat "$T/top/output/host/log.txt")"
done
[ "$(cat "$T/top/output/host/copy.txt")" == "$(printf 'inside\nsub\nfile\ndata')" ] ||
  fail "setupfor's copy: $(cat "$T/top/output/host/copy.txt")"

# --- DYNAMIC_LIBS: library names, never a path to one
out="$(mkroot DYNAMIC_LIBS="m :../../../lib/x86_64-linux-gnu/libz.so.1" dynamic)"
expect_rc 1 $? "DYNAMIC_LIBS with a path"
grep -q "dynamic: DYNAMIC_LIBS=m :../../../lib/x86_64-linux-gnu/libz.so.1: names only" \
  "$T/top/output/host/log.txt" || fail "DYNAMIC_LIBS: $(tail -3 "$T/top/output/host/log.txt")"
! ls "$T/top/output/host/root/lib" 2>/dev/null | grep -q libz || fail "DYNAMIC_LIBS put libz in the root"
out="$(mkroot DYNAMIC_LIBS="m z" dynamic)"; expect_rc 0 $? "DYNAMIC_LIBS=\"m z\": $out"
[ -e "$T/top/output/host/root/lib/libz.so.1" ] || fail "DYNAMIC_LIBS=z: no libz.so.1 in the root"

# --- kill -9 of mkroot: the module it was running stops, and all it started
cat > "$T/mods/sleeper" << 'EOM'
touch "$OUTPUT/started"
sleep 765491
echo late > "$ROOT/late"
EOM
(cd "$T/top" && exec "$M" LIBC=glibc -n MODULE_PATH="$T/mods" sleeper > /dev/null 2>&1) &
pid=$!
for i in $(seq 100); do [ -e "$T/top/output/host/started" ] && break; sleep 0.1; done
pgrep -f "sleep 765491" > /dev/null || fail "the module did not start"
kill -9 $pid; wait $pid 2>/dev/null
for i in $(seq 20); do pgrep -f "sleep 765491" > /dev/null || break; sleep 0.1; done
! pgrep -f "sleep 765491" > /dev/null || fail "kill -9 mkroot: the module's command still runs"
sleep 0.5
[ ! -e "$T/top/output/host/root/late" ] || fail "kill -9 mkroot: the module went on"
echo "ok: kill -9 of mkroot stops its module"

# --- -d: download lines and what computes them; nothing that writes
mkdir -p "$T/src/hello-1.0" "$T/src/other-2.0" && echo hi > "$T/src/hello-1.0/msg"
echo two > "$T/src/other-2.0/msg"
tar czf "$T/www/files/hello-1.0.tar.gz" -C "$T/src" hello-1.0
tar czf "$T/www/files/other-2.0.tar.gz" -C "$T/src" other-2.0
SHA="$(sha1sum < "$T/www/files/hello-1.0.tar.gz" | cut -d' ' -f1)"
SHA2="$(sha1sum < "$T/www/files/other-2.0.tar.gz" | cut -d' ' -f1)"
coproc SRV { exec python3 tests/httpd.py "$T/www"; }
SERVER=$SRV_PID
read -r PORT <&"${SRV[0]}"
mkdir -p "$T/top/ovl/etc" && echo from-overlay > "$T/top/ovl/etc/motd"
cat > "$T/mods/writes" << EOM
touch "\$ROOT/before-download"
mkdir -p "\$ROOT/lib" && cp /etc/hostname "\$ROOT/lib/" > /dev/null
echo x > "\$OUTPUT/redirected"
[[ v1.0 =~ v(.*) ]] && VERSION=\${BASH_REMATCH[1]} URL="http://127.0.0.1:$PORT/files"
: "\${HASH:=$SHA}"
[ -e "\$BUILD/nothing/here" ] || . "\$(dirname "\${BASH_SOURCE[0]}")/other"
while read -r line; do echo "\$line"; done < /etc/hostname
download "\$HASH" "\$URL/hello-\$VERSION.tar.gz"
die "a build command failed"
EOM
cat > "$T/mods/other" << EOM
download $SHA2 "\$URL/other-2.0.tar.gz"
EOM
rm -rf "$T/top/output/host/root" && mkdir "$T/top/output/host/root"
out="$(cd "$T/top" && "$M" LIBC=glibc -d MODULE_PATH="$T/mods" OVERLAY=ovl writes overlay dynamic 2>&1)"
expect_rc 0 $? "-d: $out"
[ -e "$T/top/download/hello-1.0.tar.gz" ] && [ -e "$T/top/download/other-2.0.tar.gz" ] ||
  fail "-d missed a download line: $(ls "$T/top/download")"
[ -z "$(ls -A "$T/top/output/host/root")" ] || fail "-d wrote into the root: $(ls -R "$T/top/output/host/root")"
[ ! -e "$T/top/output/host/redirected" ] || fail "-d ran a redirection"

pass

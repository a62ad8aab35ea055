#!/bin/bash
# distcc: two real distccd on loopback (their own ports and logs, a bounded
# lifetime), and an aarch64 build from scratch in a directory of its own
# with DISTCC_HOSTS naming both: the servers' logs show the compiles went
# to them (each some, together most of the kernel's), the system passes
# boottest, and the kernel image is the same bytes as the plain build's
# (aarch64.sh). A server that is down, and one that refuses us, are left
# out with one line each, and the build compiles here. The distcc module
# builds for aarch64 (there, through distcc) and for the host, and
# `distcc --version` runs in each guest, which has DISTCC_HOSTS pointing at
# the host. Runs after aarch64.sh and kernel_boot.sh.
. "$(dirname "$0")/lib.sh"

command -v distccd > /dev/null || fail "no distccd (make deps)"
[ -s output/aarch64/Image ] || fail "no plain aarch64 build to compare with (run aarch64.sh first)"
T="$(mktemp -d)" && chmod 755 "$T"   # distccd (its own user) writes its log here
PIDS=()
stop() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap stop EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# serve ALLOW LOG: one distccd on loopback for at most an hour; its port
# in $P
serve() {
  P="$(port)"
  touch "$2" && chmod 666 "$2"   # distccd drops root for its own user
  timeout 3600 distccd --daemon --no-detach --listen 127.0.0.1 --allow "$1" \
    --port "$P" --jobs 2 --log-file "$2" --log-level info > /dev/null 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$P),1)" 2>/dev/null && return
    sleep 0.1
  done
  fail "distccd on port $P did not start: $(cat "$2")"
}
serve 127.0.0.1 "$T/one.log"; P1=$P
serve 127.0.0.1 "$T/two.log"; P2=$P
serve 10.9.9.9/32 "$T/refuses.log"; P3=$P
DEAD="$(port)"
HOSTS="127.0.0.1:$P1/2 127.0.0.1:$P2/2"

# a module that has the guest say what distcc it has, at boot
mkdir -p "$T/mods"
cat > "$T/mods/distcc-says" << 'EOM'
printf '#!/bin/sh\necho "GUEST $(distcc --version | head -n 1) HOSTS=$DISTCC_HOSTS"\n' \
  > "$ROOT/etc/rc/zz-distcc" && chmod 755 "$ROOT/etc/rc/zz-distcc" || die "rc"
EOM
# boot output/$1 handing off to /bin/true (the guest powers off after its
# rc scripts) and check what the guest said
guest_says() {
  local out
  out="$(KARGS=HANDOFF=/bin/true timeout 240 "output/$1/qemu-$2.sh" < /dev/null 2>&1)"
  grep -a '^GUEST' <<< "$out"
  contains "$out" "GUEST distcc 3.4 $3"
  contains "$out" "HOSTS=10.0.2.2:3632/2"
}

# the host: the module builds, and distcc runs in the guest
out="$(./mkroot MODULE_PATH="$T/mods" distcc distcc-says kernel 2>&1)"
expect_rc 0 $? "./mkroot distcc kernel"
readelf -l output/host/root/usr/bin/distccd | grep -q INTERP && fail "distccd is dynamic"
guest_says host x86_64 x86_64
echo "ok: distcc --version in the x86_64 guest"

mkdir -p "$T/top" && cd "$T/top" || fail "cd"
start=$SECONDS
out="$("$TOP/cross" aarch64 "$TOP/mkroot" DOWNLOAD="$TOP/download" MODULE_PATH="$T/mods" \
  DISTCC_HOSTS="$HOSTS 127.0.0.1:$DEAD/2 127.0.0.1:$P3/2" distcc distcc-says kernel 2>&1)"
expect_rc 0 $? "./cross aarch64 ./mkroot DISTCC_HOSTS=... distcc kernel"
echo "build with distcc: $((SECONDS-start))s"
grep '^distcc' <<< "$out"
contains "$out" "distcc: 127.0.0.1:$DEAD/2: no answer: left out"
contains "$out" "distcc: 127.0.0.1:$P3/2: can't compile"
contains "$out" "distcc: compiling on $HOSTS"
[ "$(grep -c '^distcc' <<< "$out")" == 3 ] || fail "distcc said more than once per server"

one="$(grep -c COMPILE_OK "$T/one.log")" two="$(grep -c COMPILE_OK "$T/two.log")"
cc="$(grep -c '^  CC ' output/aarch64/log.txt)"
echo "jobs served: $P1 $one, $P2 $two; the kernel's CC lines: $cc"
[ "$one" -gt 0 ] && [ "$two" -gt 0 ] || fail "a server got no compiles"
for what in "toybox: toys/" "musl: src/[a-z0-9_]*/" "the distcc module: src/[a-z_]*\.c$\| popt/"; do
  n="$(cat "$T/one.log" "$T/two.log" | grep COMPILE_OK | grep -c " ${what#*: }")"
  echo "  ${what%%:*}: $n compiles served"
  [ "$n" -gt 0 ] || fail "no compile of ${what%%:*} went to the servers"
  rest=$((${rest:-$((one + two))} - n))
done
echo "  the kernel (the rest): $rest compiles served, for its $cc CC lines"
[ "$rest" -gt $((cc / 2)) ] || fail "the servers compiled $rest of the kernel's $cc"
cmp output/aarch64/Image "$TOP/output/aarch64/Image" || fail "kernel image differs from the plain build's"
echo "ok: the same kernel image as the plain build ($(stat -c %s output/aarch64/Image) bytes)"
out="$("$TOP/boottest" aarch64)"; rc=$?
echo "$out"
expect_rc 0 $rc "boottest aarch64 (built with distcc)"
guest_says aarch64 aarch64 aarch64
echo "ok: distcc --version in the aarch64 guest"

# every server down: one line, and the build goes on here
out="$("$TOP/cross" aarch64 "$TOP/mkroot" DOWNLOAD="$TOP/download" \
  DISTCC_HOSTS="127.0.0.1:$DEAD/2" kernel 2>&1)"
expect_rc 0 $? "a dead server only"
contains "$out" "distcc: no server can take the compiles: compiling here"
pass

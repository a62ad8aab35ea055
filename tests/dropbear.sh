#!/bin/bash
# dropbear: the zlib, dropbear and overlay modules build for the host; the
# guest boots with ssh: boottest's ssh check (a command over ssh, a file
# in with scp) passes; a wrong key and a password are refused. Bad input:
# OVERLAY naming no directory, a root too big for the guest's memory.
# Then toybox 0.8.9's own scripts/root/dropbear and overlay, unchanged, from
# source directories (the seed's offline way), with the port forward the
# script sets. Runs after kernel_boot: the kernel is reused.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
QEMU=
trap '[ -n "$QEMU" ] && kill -9 -- -$QEMU 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/ovl/etc" && echo "from the overlay" > "$T/ovl/etc/overlaid"

start=$SECONDS
out="$(./mkroot OVERLAY="$T/ovl" zlib dropbear overlay kernel 2>&1)"
expect_rc 0 $? "./mkroot zlib dropbear overlay kernel"
echo "build: $((SECONDS-start))s"
O=output/host
ar t build/host/modules/stage/lib/libz.a | grep -q '^deflate.o$' || fail "no staged libz.a"
readelf -h $O/root/bin/dropbearmulti | grep -q X86-64 || fail "dropbearmulti"
readelf -l $O/root/bin/dropbearmulti | grep -q INTERP && fail "dropbearmulti is dynamic"
echo "dropbearmulti: $(stat -c %s $O/root/bin/dropbearmulti) bytes"
for i in dropbear ssh scp dropbearkey; do [ -L $O/root/bin/$i ] || fail "no /bin/$i"; done
[ "$(cat $O/root/etc/overlaid)" == "from the overlay" ] || fail "overlay not copied"
[ -s $O/ssh_key ] && grep -q "$(cut -d' ' -f2 $O/ssh_key.pub)" $O/root/root/.ssh/authorized_keys ||
  fail "no key pair, or its public half not authorized"
[ "$(stat -c %a $O/root/root/.ssh/authorized_keys)" == 600 ] || fail "authorized_keys mode"
grep -q 'hostfwd=tcp:127.0.0.1:$SSH_PORT-:22' $O/qemu-x86_64.sh || fail "no port forward"

out="$(./boottest host)"; rc=$?
echo "$out"
expect_rc 0 $rc "boottest host"
contains "$out" "ssh:ok"

# By hand: the right key gets in, a wrong key and passwords don't
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
set -m
SSH_PORT=$PORT timeout 300 $O/qemu-x86_64.sh < /dev/null > "$T/console" 2>&1 &
QEMU=$!
set +m
S=(-p "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
   -o LogLevel=ERROR -o ConnectTimeout=10)
for i in $(seq 60); do
  got="$(ssh -n -i $O/ssh_key "${S[@]}" root@127.0.0.1 uname -m 2>/dev/null)" && break
  sleep 2
done
[ "$got" == x86_64 ] || fail "ssh with the output's key: '$got'"
echo "ok: ssh with the key"
ssh-keygen -q -t ed25519 -N '' -f "$T/other" || fail "ssh-keygen"
ssh -n -i "$T/other" "${S[@]}" root@127.0.0.1 true 2>/dev/null && fail "a wrong key got in"
echo "ok: a wrong key refused"
printf '#!/bin/sh\necho "$PW"\n' > "$T/askpass" && chmod +x "$T/askpass"
for pw in "" root; do
  PW="$pw" SSH_ASKPASS="$T/askpass" SSH_ASKPASS_REQUIRE=force setsid -w ssh -n \
    -o PubkeyAuthentication=no -o PreferredAuthentications=password \
    -o NumberOfPasswordPrompts=1 "${S[@]/BatchMode=yes/BatchMode=no}" \
    root@127.0.0.1 true < /dev/null 2>/dev/null && fail "password '$pw' got in"
done
echo "ok: passwords refused"
kill -9 -- -$QEMU 2>/dev/null; wait $QEMU 2>/dev/null; QEMU=

# Bad input: one line each, exit 1
out="$(./mkroot -n OVERLAY="$T/nosuch" overlay 2>&1)"; expect_rc 1 $? "OVERLAY names no directory"
contains "$out" "OVERLAY=$T/nosuch: no such directory"
out="$(./mkroot -n QEMU_MEMORY=64 kernel 2>&1)"; expect_rc 1 $? "a root too big for the guest"
contains "$out" "won't fit in the guest's 64 MiB"
echo "$out" | grep "won't fit"

# toybox's own scripts, unchanged: sources as directories in a download
# directory of their own (toybox's dropbear names 2022.82 and zlib 1.2.11,
# which the directories stand in for, as in the seed)
D="$T/download"
mkdir -p "$D"
for i in toybox linux zlib musl-1.2.3.tar.gz; do ln -s "$TOP/download/$i" "$D/$i"; done
tar xjf download/dropbear-2022.83.tar.bz2 -C "$D" && mv "$D/dropbear-2022.83" "$D/dropbear" ||
  fail "unpacking dropbear"
start=$SECONDS
out="$(./mkroot DOWNLOAD="$D" MODULE_PATH="$TOP/download/toybox/scripts/root" \
  OVERLAY="$T/ovl" dropbear overlay kernel 2>&1)"
expect_rc 0 $? "toybox's scripts/root/dropbear and overlay"
echo "build: $((SECONDS-start))s"
[ "$(cat $O/root/etc/overlaid)" == "from the overlay" ] || fail "toybox's overlay"
grep -q "hostfwd=tcp:127.0.0.1:2222-:22" $O/qemu-x86_64.sh || fail "the script's QEMU_MORE did not reach the launch script"
[ ! -e "$D/dropbear/config.sub.orig" ] && ! grep -q 'echo "$@"' "$D/dropbear/config.sub" ||
  fail "the script's write reached download/dropbear"
out="$(./boottest host)"; rc=$?
echo "$out"
expect_rc 0 $rc "boottest host (toybox's dropbear)"
contains "$out" "ssh:ok"
pass

#!/bin/bash
# guest_root: the root is the guest's. Every write mkroot makes into the
# root or output/ is opened beneath them, never through a symlink, so a
# link a guest (or a module, or a stale tree) left there can't lead a write
# onto the host:
#   the ssh key goes into /root/.ssh/authorized_keys: /root, /root/.ssh or
#   the file a symlink to a host path is refused, the host's untouched, and
#   so is output/TARGET/ssh_key.pub a symlink (nothing of the host's copied);
#   output/TARGET/root (or output/TARGET) a symlink is refused, and so is
#   an initramfs of one (not an archive of dev/console alone);
#   log.txt, cmdlog.txt, the launch helpers and boottest.log symlinked to a
#   host file: the host file is untouched;
#   a cache entry whose root is a symlink is not used, and never becomes
#   the output root.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
M="$TOP/mkroot"
W="$T/top"
O="$W/output/host"
mkdir -p "$T/mods" "$T/host/.ssh" "$O/root"
# a fake dropbear is enough: mkroot authorizes its key when one is there
echo 'mkdir -p "$ROOT/usr/bin" && touch "$ROOT/usr/bin/dropbear"' > "$T/mods/sshd"
echo 'echo ok > "$ROOT/quick"' > "$T/mods/quick"
nmk() { (cd "$W" && "$M" -n LIBC=glibc MODULE_PATH="$T/mods" "$@" 2>&1); }
host_same() {
  [ "$(cat "$T/host/.ssh/authorized_keys")" == "the host's own keys" ] &&
    [ "$(stat -c %a "$T/host/.ssh")" == 755 ] && [ "$(stat -c %a "$T/host")" == 751 ] &&
    [ "$(stat -c %a "$T/host/.ssh/authorized_keys")" == 644 ] || fail "$1: host files changed: $(ls -lR "$T/host")"
}
host_reset() {
  echo "the host's own keys" > "$T/host/.ssh/authorized_keys"
  chmod 755 "$T/host/.ssh"; chmod 751 "$T/host"; chmod 644 "$T/host/.ssh/authorized_keys"
}

# --- /root, /root/.ssh, /root/.ssh/authorized_keys: each a symlink to the host
for how in home dotssh file; do
  host_reset
  rm -rf "$O/root" && mkdir -p "$O/root/root/.ssh"
  case $how in
    home) rm -rf "$O/root/root"; ln -s "$T/host" "$O/root/root" ;;
    dotssh) rm -rf "$O/root/root/.ssh"; ln -s "$T/host/.ssh" "$O/root/root/.ssh" ;;
    file) ln -s "$T/host/.ssh/authorized_keys" "$O/root/root/.ssh/authorized_keys" ;;
  esac
  out="$(nmk sshd)"; expect_rc 1 $? "ssh key with $how a symlink"
  contains "$out" "a symlink"
  host_same "$how"
  # D2: nothing of the host's file copied into the image
  ! grep -rqs "the host.s own keys" "$O/root" ||
    fail "$how: the host's file copied into the root"
done
# and a plain root gets the key
rm -rf "$O/root" && mkdir -p "$O/root"
out="$(nmk sshd)"; expect_rc 0 $? "ssh key into a plain root: $out"
grep -q "$(cut -d' ' -f2 "$O/ssh_key.pub")" "$O/root/root/.ssh/authorized_keys" || fail "key not authorized"
[ "$(stat -c %a "$O/root/root/.ssh")" == 700 ] || fail ".ssh mode"
# the public key mkroot reads from output/ a symlink to a host file
echo "a host secret" > "$T/secret"
mv "$O/ssh_key.pub" "$T/pub" && ln -s "$T/secret" "$O/ssh_key.pub"
rm -rf "$O/root" && mkdir -p "$O/root"
out="$(nmk sshd)"; expect_rc 1 $? "output/host/ssh_key.pub a symlink"
contains "$out" "ssh_key.pub: a symlink"
! grep -rqs "a host secret" "$O/root" || fail "a host file copied into the root through ssh_key.pub"
rm "$O/ssh_key.pub" && mv "$T/pub" "$O/ssh_key.pub"

# --- the root or its output directory a symlink
mkdir -p "$T/elsewhere"
rm -rf "$O/root" && ln -s "$T/elsewhere" "$O/root"
out="$(nmk quick)"; expect_rc 1 $? "-n over a symlinked root"
contains "$out" "output/host/root: a symlink"
[ ! -e "$T/elsewhere/quick" ] || fail "a module ran in a symlinked root"
out="$("$M" --helper cpio "$O/root" "$T/r.cpio.gz" 2>&1)"; expect_rc 1 $? "initramfs of a symlinked root"
contains "$out" "a symlink"
[ ! -e "$T/r.cpio.gz" ] || fail "an initramfs was written from a symlinked root"
rm "$O/root" && mkdir "$O/root"
mv "$O" "$T/realout" && ln -s "$T/realout" "$O"
out="$(nmk quick)"; expect_rc 1 $? "-n with output/host a symlink"
contains "$out" "output/host: a symlink"
rm "$O" && mv "$T/realout" "$O"

# --- log.txt, cmdlog.txt and the ssh login helper symlinked to host files
for f in log.txt cmdlog.txt ssh2dropbear.sh; do
  echo precious > "$T/victim-$f"; rm -f "$O/$f"; ln -s "$T/victim-$f" "$O/$f"
done
out="$(nmk -l sshd)"; expect_rc 0 $? "-l build with symlinked logs: $out"
for f in log.txt cmdlog.txt ssh2dropbear.sh; do
  [ "$(cat "$T/victim-$f")" == precious ] || fail "wrote through output/host/$f"
  [ -f "$O/$f" ] && [ ! -L "$O/$f" ] || fail "output/host/$f not a file of its own"
done
grep -q 'touch' "$O/cmdlog.txt" || fail "cmdlog.txt lacks the module's commands"
# boottest's console log
mkdir -p "$W/output/fake"
printf '#!/bin/sh\nexit 0\n' > "$W/output/fake/qemu-x86_64.sh"; chmod +x "$W/output/fake/qemu-x86_64.sh"
echo precious > "$T/victim-bt"; ln -s "$T/victim-bt" "$W/output/fake/boottest.log"
(cd "$W" && BOOTTEST_TIMEOUT=10 "$TOP/boottest" fake > /dev/null 2>&1)
[ "$(cat "$T/victim-bt")" == precious ] || fail "boottest wrote through boottest.log's symlink"
[ ! -L "$W/output/fake/boottest.log" ] || fail "boottest.log still a symlink"

# --- a cache entry whose root is a symlink: not used, never the output root
# (a real build: the root's steps are cached only without -n)
rm -rf "$O"
(cd "$W" && "$M" DOWNLOAD="$TOP/download" LIBC=glibc MODULE_PATH="$T/mods" quick > "$T/b1" 2>&1) ||
  fail "build: $(tail -5 "$T/b1")"
e="$(dirname "$(ls -td "$W"/build/host/steps/*/root/quick | head -1)")"
cp -a "$e" "$T/copy" && rm -rf "$e" && ln -s "$T/copy" "$e"
rm -rf "$O/root"
out="$(cd "$W" && "$M" DOWNLOAD="$TOP/download" LIBC=glibc MODULE_PATH="$T/mods" quick 2>&1)"
expect_rc 0 $? "rebuild over a symlinked cache entry: $out"
[ -d "$O/root" ] && [ ! -L "$O/root" ] || fail "the output root is a symlink: $(ls -ld "$O/root")"
[ "$(cat "$O/root/quick")" == ok ] || fail "the module's file is missing"
grep -q '^=== quick$' <<< "$out" || fail "the step with a symlinked cache entry was not run again"
pass

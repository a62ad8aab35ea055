#!/bin/bash
# chroot_signals: "chroot ROOT /init" told to stop (SIGHUP when its terminal
# closes, SIGTERM) stops its shell, unmounts devtmpfs, devpts, proc and
# sysfs from the root, even with a process of the shell's still holding
# /dev/null open, and dies of that signal; ^C (SIGINT) is the shell's
# business, not init's. On a copy of the host root ./mkroot builds (as
# root: chroot and mount need it).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" == 0 ] || { echo "skipped: needs root"; pass; }
out="$(./mkroot 2>&1)" || fail "./mkroot: $out"
T="$(mktemp -d)"
R="$T/root"
mounted() { grep -F " $R/" /proc/mounts | cut -d' ' -f2; }
cleanup() {
  for f in "$R/shpid" "$R/bgpid"; do [ -s "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done
  for m in $(mounted | sort -r); do umount -l "$m"; done
  exec 7>&- 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
cp -a output/host/root "$R"
mkfifo "$T/in"

for sig in HUP TERM; do
  rm -f "$R/shpid" "$R/bgpid"
  # (a background job starts with ^C ignored: give it back its default)
  env --default-signal=INT chroot "$R" /init < "$T/in" > "$T/out" 2>&1 &
  pid=$!
  exec 7> "$T/in"
  # the shell runs, with a background process holding /dev/null (the mount
  # is busy); init ignores ^C (the shell's to handle)
  echo 'echo $$ > /shpid; sleep 600 < /dev/null > /dev/null 2>&1 & echo $! > /bgpid; echo READY' >&7
  for _ in $(seq 100); do grep -q READY "$T/out" 2>/dev/null && break; sleep 0.1; done
  grep -q READY "$T/out" || fail "SIG$sig: the chroot's shell did not start: $(cat "$T/out")"
  for m in dev dev/pts proc sys; do mounted | grep -qx "$R/$m" || fail "SIG$sig: $R/$m not mounted"; done
  kill -INT $pid
  sleep 0.3
  kill -0 $pid 2>/dev/null || fail "SIGINT killed /init"
  kill -$sig $pid
  for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
  kill -0 $pid 2>/dev/null && fail "SIG$sig: /init still running"
  wait $pid; rc=$?
  exec 7>&-
  [ $rc == $((128 + $(kill -l $sig))) ] || fail "SIG$sig: /init exit $rc, want death by SIG$sig"
  [ -z "$(mounted)" ] || fail "SIG$sig: left mounted in the root: $(mounted)"
  ! kill -0 "$(cat "$R/shpid")" 2>/dev/null || fail "SIG$sig: the shell kept running"
  kill -9 "$(cat "$R/bgpid")" 2>/dev/null
  echo "ok: SIG$sig: shell stopped, nothing left mounted"
done
pass

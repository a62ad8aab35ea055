#!/bin/bash
# musl_shared: one musl sysroot serves every build of its key (two targets
# of one compiler, two checkouts sharing toolchain/): a build that wants it
# while another holds it waits, says so, and then uses it, instead of
# building it a second time and failing over the first's. Runs after
# rootfs.sh (the host's musl is built; its lock is KEY.lock beside it).
. "$(dirname "$0")/lib.sh"

./mkroot > /dev/null 2>&1 || fail "a host build first"
locks=(toolchain/musl/*.lock)
[ -e "${locks[0]}" ] || fail "no toolchain/musl/KEY.lock after a musl build"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
# another build holding every sysroot's lock for 4 seconds
python3 - "$T/held" "${locks[@]}" << 'EOF2' &
import fcntl, sys, time
fds = [open(p, "a") for p in sys.argv[2:]]
for f in fds: fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[1], "w").close()
time.sleep(4)
EOF2
holder=$!
for _ in $(seq 50); do [ -e "$T/held" ] && break; sleep 0.1; done
start=$SECONDS
out="$(./mkroot 2>&1)"; expect_rc 0 $? "a build while the sysroot is held: $out"
contains "$out" "libc musl: another build is making"
contains "$out" "=== libc musl (unchanged)"
[ $((SECONDS - start)) -ge 2 ] || fail "did not wait for the holder"
wait $holder
pass

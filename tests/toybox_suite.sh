#!/bin/bash
# toybox_suite (make testroot): toybox's own test suite, tests/*.test from
# download/toybox run by its scripts/test.sh, inside the guest against the
# toybox in the root (TEST_HOST=1: the commands on the PATH), for each of
# $TARGETS (default: host aarch64), and on the host (toybox's "make tests",
# the same config: defconfig plus sh and route). The root gets the
# bash and toybox-tests modules (bash, diff and tr: the harness needs them;
# toybox 0.8.9's sh can't run it, its defconfig has no diff or tr). Prints
# PASS/FAIL/SKIP counts per target; each one's output is kept in
# output/TARGET/toybox-tests.txt, the host's in output/toybox-tests-host.txt.
# Not in the default tier: it takes many minutes under TCG.
. "$(dirname "$0")/lib.sh"

count() {
  printf '%-10s PASS %4d  FAIL %4d  SKIP %4d  (%s)\n' "$1" \
    "$(grep -ac '^PASS: ' "$2")" "$(grep -ac '^FAIL: ' "$2")" \
    "$(grep -ac '^SKIP: ' "$2")" "$2"
}

# KERNEL_LOCK=FILE: build under flock FILE (a machine shared by many)
lock=()
[ -n "$KERNEL_LOCK" ] && lock=(flock "$KERNEL_LOCK")
rc=0
for t in ${TARGETS:-host aarch64}; do
  if [ "$t" == host ]; then build=(./mkroot); else build=(./cross "$t" ./mkroot); fi
  "${lock[@]}" "${build[@]}" -n bash toybox-tests kernel > "output/toybox-tests-build-$t.txt" 2>&1 ||
    { rc=1; echo "$t: building with toybox-tests failed (output/toybox-tests-build-$t.txt)"; continue; }
  start=$SECONDS
  ./run --timeout "${SUITE_TIMEOUT:-5400}" --share download/toybox "$t" -- \
    sh -c 'CC=true TEST_HOST=1 VERBOSE=all scripts/test.sh' > "output/$t/toybox-tests.txt" 2>&1
  echo "$t: scripts/test.sh exited $?, $((SECONDS-start))s"
  count "$t" "output/$t/toybox-tests.txt"
done

if [ -z "$NOHOST" ]; then
  H="$TOP/build/toybox-tests-host"
  rm -rf "$H" && cp -r download/toybox "$H" && printf 'CONFIG_SH=y\nCONFIG_ROUTE=y\n' > "$H/.extra" &&
  (cd "$H" && make defconfig KCONFIG_ALLCONFIG=.extra > /dev/null 2>&1 &&
   VERBOSE=all make tests) > output/toybox-tests-host.txt 2>&1
  echo "host toybox: make tests exited $?"
  count "host-make" output/toybox-tests-host.txt
fi
exit $rc

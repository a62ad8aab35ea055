#!/bin/bash
# A row's kernel patch (sh4eb's) goes into a view of the kernel tree and
# never into the tree: the view's patched file is a copy, everything else
# a link into the tree; a patch that doesn't apply, a file the tree lacks,
# a crafted patch (a part whose two names differ, a NUL byte) is one line
# naming the patch and the file, and no view is left.
. "$(dirname "$0")/lib.sh"
T="$(mktemp -d)" && trap 'rm -rf "$T"' EXIT
LINUX="$TOP/download/linux" IO=arch/sh/include/asm/io.h
[ -f "$LINUX/$IO" ] || fail "no kernel tree at $LINUX (make deps)"
before="$(sha256sum < "$LINUX/$IO")"

./mkroot --helper kpatch sh4eb "$LINUX" "$T/view" > "$T/out" 2>&1
expect_rc 0 $? "sh4eb's patch applies to download/linux"
[ -f "$T/view/$IO" ] && [ ! -L "$T/view/$IO" ] || fail "$IO: not a copy in the view"
grep -q __sh_pci_le "$T/view/$IO" || fail "$IO: not patched in the view"
[ "$(sha256sum < "$LINUX/$IO")" == "$before" ] || fail "the tree's $IO changed"
grep -q __sh_pci_le "$LINUX/$IO" && fail "the tree's $IO was patched"
[ "$(readlink "$T/view/kernel")" == "$(realpath "$LINUX")/kernel" ] || fail "kernel/: not a link into the tree"
[ "$(readlink "$T/view/arch/sh/include/asm/page.h")" == "$(realpath "$LINUX")/arch/sh/include/asm/page.h" ] ||
  fail "a file beside the patched one: not a link into the tree"
[ "$(find "$T/view" -type f | wc -l)" -eq 3 ] || fail "other files than io.h, io_trapped.c and traps_32.c copied"
grep -q "__swab16(tmp)" "$T/view/arch/sh/kernel/io_trapped.c" || fail "io_trapped.c: not patched in the view"
grep -q "dst\[-3\] = 0xff" "$T/view/arch/sh/kernel/traps_32.c" || fail "traps_32.c: not patched in the view"
echo "ok: the view: io.h, io_trapped.c, traps_32.c patched, the rest links, the tree untouched"

./mkroot --helper kpatch sh4eb "$LINUX" "$T/view" > "$T/out" 2>&1
expect_rc 1 $? "an existing directory is refused"

# a tree whose io.h isn't the one the patch was made against
mkdir -p "$T/tree/arch/sh/include/asm" "$T/tree/kernel"
echo 'all:' > "$T/tree/Makefile"
sed 's/readw_relaxed/readw_changed/' "$LINUX/$IO" > "$T/tree/$IO"
./mkroot --helper kpatch sh4eb "$T/tree" "$T/v2" > "$T/out" 2>&1
expect_rc 1 $? "a patch that doesn't apply"
contains "$(grep mkroot "$T/out")" "patches/sh4eb-le-io.patch: does not apply to $T/tree/$IO"
[ "$(grep -c 'mkroot' "$T/out")" -eq 1 ] || fail "more than one line: $(cat "$T/out")"
[ -e "$T/v2" ] && fail "a view was left behind"
grep -q readw_changed "$T/tree/$IO" && ! grep -q __sh_pci_le "$T/tree/$IO" || fail "the tree's io.h changed"

rm "$T/tree/$IO"
./mkroot --helper kpatch sh4eb "$T/tree" "$T/v2" > "$T/out" 2>&1
expect_rc 1 $? "a file the tree lacks"
contains "$(grep mkroot "$T/out")" "sh4eb-le-io.patch: $T/tree/$IO: no such file in the kernel tree"
[ -e "$T/v2" ] && fail "a view was left behind"

# a relative DIR
(cd "$T" && "$TOP/mkroot" --helper kpatch sh4eb "$LINUX" relview) > "$T/out" 2>&1
expect_rc 0 $? "a relative DIR"
grep -q __sh_pci_le "$T/relview/$IO" || fail "relative DIR: not patched"

# crafted patches, beside a copy of mkroot (it reads patches/ beside itself)
mkdir -p "$T/bin/patches" && cp mkroot "$T/bin/"
P="$T/bin/patches/sh4eb-le-io.patch"
sed 's|^--- a/arch/sh/include/asm/io.h|--- a/Makefile|' patches/sh4eb-le-io.patch > "$P"
"$T/bin/mkroot" --helper kpatch sh4eb "$LINUX" "$T/v3" > "$T/out" 2>&1
expect_rc 1 $? "a part whose --- and +++ names differ"
contains "$(cat "$T/out")" "sh4eb-le-io.patch: b/$IO: not a -p1 change of an existing file"
[ -e "$T/v3" ] && fail "a view was left behind"
{ head -c 20 patches/sh4eb-le-io.patch; printf '\0'; tail -c +21 patches/sh4eb-le-io.patch; } > "$P"
"$T/bin/mkroot" --helper kpatch sh4eb "$LINUX" "$T/v3" > "$T/out" 2>&1
expect_rc 1 $? "a NUL byte"
contains "$(cat "$T/out")" "a NUL byte in it"
pass

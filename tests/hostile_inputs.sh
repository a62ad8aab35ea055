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
cd "$T/bt" || exit 1
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
cd "$TOP" || exit 1

# --- downloading an older version keeps the newer ones, deletes the older
mkdir -p "$T/www" "$T/dl"
tar -czf "$T/www/pkg-1.9.tar.gz" -C "$T" bt
for f in pkg-2.0.tar.gz pkg-1.10.tar.xz pkg-0.9.tar.gz pkg-1.8.1.tar.bz2; do echo "$f" > "$T/dl/$f"; done
out="$(DOWNLOAD="$T/dl" "$M" --helper download "$(sha1sum < "$T/www/pkg-1.9.tar.gz" | cut -d' ' -f1)" \
  "file://$T/www/pkg-1.9.tar.gz" 2>&1)"; expect_rc 0 $? "download an older version"
for f in pkg-2.0.tar.gz pkg-1.10.tar.xz pkg-1.9.tar.gz; do [ -e "$T/dl/$f" ] || fail "$f deleted: $out"; done
for f in pkg-0.9.tar.gz pkg-1.8.1.tar.bz2; do [ ! -e "$T/dl/$f" ] || fail "older $f kept"; done

# --- clean: a copy beside someone's build/ and output/ deletes nothing;
# in a checkout (Makefile, src/lib/lib.h, module/) it cleans
mkdir -p "$T/cl/build/x" "$T/cl/output/y"
cp "$M" "$T/cl/clean"
"$T/cl/clean" > "$T/out" 2> "$T/err"; expect_rc 1 $? "a copy of clean outside a checkout"
one_line "clean outside a checkout" "clean: $T/cl: not a mkroot checkout" "$(cat "$T/out")" "$(cat "$T/err")"
[ -d "$T/cl/build/x" ] && [ -d "$T/cl/output/y" ] || fail "a copy of clean deleted outside a checkout"
mkdir -p "$T/cl/src/lib" "$T/cl/module" && touch "$T/cl/src/lib/lib.h"
ln -s /etc/hostname "$T/cl/Makefile"
"$T/cl/clean" 2> /dev/null; expect_rc 1 $? "clean where the Makefile is a symlink"
rm "$T/cl/Makefile" && touch "$T/cl/Makefile"
"$T/cl/clean"; expect_rc 0 $? "clean in a checkout"
[ ! -e "$T/cl/build" ] && [ ! -e "$T/cl/output" ] || fail "clean in a checkout left build/ or output/"

# --- distcc-server: a mask is read as distccd reads it (a number, leading
# zeros and all): no spelling lets a large part of the internet in. A
# stand-in distccd on PATH says what it was given (distccd itself is
# tests/distcc.sh's).
mkdir -p "$T/fb"
printf '#!/bin/sh\necho "$*" > "%s/distccd.args"\n' "$T" > "$T/fb/distccd"
printf '#!/bin/sh\n' > "$T/fb/update-distcc-symlinks"
chmod +x "$T/fb/distccd" "$T/fb/update-distcc-symlinks"
for a in 0.0.0.0/0 0.0.0.0/00 0.0.0.0/000 1.2.3.4/0 1.2.3.4/07 0.0.0.0/1 0/0 1.2.3.4/ 1.2.3.4/+0 \
    1.2.3.4/-0 1.2.3.4/33 1.2.3.4/0x8 01.2.3.4 256.1.1.1 1.2.3 " 1.2.3.4" "1.2.3.4/24 " \
    "$(printf '1.2.3.4/24\nmkroot: x')" ::/0; do
  rm -f "$T/distccd.args"
  PATH="$T/fb:$PATH" scripts/distcc-server "$a" > "$T/out" 2> "$T/err"; expect_rc 1 $? "distcc-server '$a'"
  [ ! -e "$T/distccd.args" ] || fail "distcc-server '$a' started distccd: $(cat "$T/distccd.args")"
  one_line "distcc-server '$a'" "distcc-server: " "$(cat "$T/out")" "$(cat "$T/err")"
done
for a in 10.0.0.0/08:10.0.0.0/8 192.168.1.7:192.168.1.7/32 127.0.0.1/32:127.0.0.1/32; do
  rm -f "$T/distccd.args"
  PATH="$T/fb:$PATH" scripts/distcc-server "${a%%:*}" > /dev/null 2>&1; expect_rc 0 $? "distcc-server ${a%%:*}"
  contains "$(cat "$T/distccd.args")" "--allow ${a#*:}"
done

# --- names with newlines and escapes, from a tarball, a root and a URL:
# each message one line, the name escaped (\n, \033), no forged line
python3 - "$T" << 'EOF2'
import io, sys, tarfile
t = sys.argv[1]
def tar(name, entries):
    with tarfile.open(f"{t}/{name}", "w:gz") as tf:
        for n, kind, data in entries:
            i = tarfile.TarInfo(n)
            if kind == "file":
                i.size = len(data); tf.addfile(i, io.BytesIO(data))
            elif kind == "sym":
                i.type = tarfile.SYMTYPE; i.linkname = data; tf.addfile(i)
tar("nl.tar.gz", [("a\nmkroot: all done/../../evil", "file", b"x")])
tar("esc.tar.gz", [("b\033[2K\rmkroot: ok", "sym", "/etc\n/passwd")])
EOF2
forged() { ! grep -q "^mkroot: all done\|^mkroot: ok" <<< "$1" || fail "$2: a forged line: $1"; }
out="$("$M" --helper extract "$T/nl.tar.gz" "$T/x" 2>&1)"; expect_rc 1 $? "an entry with a newline"
one_line "an entry with a newline" "mkroot --helper: $T/nl.tar.gz: a\\nmkroot: all done/../../evil: refused" "" "$out"
forged "$out" "entry with a newline"
out="$("$M" --helper extract "$T/esc.tar.gz" "$T/x" 2>&1)"; expect_rc 1 $? "an entry with escapes"
one_line "an entry with escapes" "mkroot --helper: $T/esc.tar.gz: b\\033[2K\\rmkroot: ok: refused" "" "$out"
[[ "$out" != *$'\033'* ]] || fail "an escape sequence printed raw: $out"
out="$(DOWNLOAD="$T/dl" "$M" --helper download 0123456789012345678901234567890123456789 \
  "$(printf 'file:///nowhere/x\nmkroot: all done')" 2>&1)"; expect_rc 1 $? "a URL with a newline"
one_line "a URL with a newline" "mkroot --helper: file:///nowhere/x\\nmkroot: all done: " "" "$out"
mkdir -p "$T/nlroot/d" && truncate -s 4G "$T/nlroot/d/$(printf 'huge\nmkroot: all done')"
out="$("$M" --helper cpio "$T/nlroot" "$T/nl.cpio.gz" 2>&1)"; expect_rc 1 $? "a 4 GiB file with a newline in its name"
[ "$(printf '%s\n' "$out" | wc -l)" == 2 ] || fail "the root's name split a message: $out"
contains "$out" "$T/nlroot/d/huge\\nmkroot: all done: 4294967296 bytes"
forged "$out" "a path with a newline"
rm -rf "$T/nlroot"

# --- caps on what a tarball unpacks to: one line naming the tarball and
# the variable, nothing left; the default cap holds without a variable
python3 - "$T" << 'EOF2'
import io, sys, tarfile
t = sys.argv[1]
with tarfile.open(f"{t}/dl/zeros-1.tar.gz", "w:gz") as tf:
    i = tarfile.TarInfo("zeros-1"); i.type = tarfile.DIRTYPE; tf.addfile(i)
    for n in range(3):
        i = tarfile.TarInfo(f"zeros-1/z{n}"); i.size = 8 << 20
        tf.addfile(i, io.BytesIO(bytes(i.size)))
with tarfile.open(f"{t}/dl/many-1.tar.gz", "w:gz") as tf:
    for n in range(3000):
        i = tarfile.TarInfo(f"many-1/f{n}"); tf.addfile(i, io.BytesIO(b""))
EOF2
mkdir -p "$T/sp/sparse-1" && truncate -s 5G "$T/sp/sparse-1/big"
tar -S -czf "$T/dl/sparse-1.tar.gz" -C "$T/sp" sparse-1 && rm -rf "$T/sp"
# 40 MB of zeros in a second gzip member after the tar's end: not the
# tarball's, but the gzip check would inflate all of it
mkdir -p "$T/tr/trail-1" && echo x > "$T/tr/trail-1/x"
{ tar -cf - -C "$T/tr" trail-1 | gzip; head -c 40000000 /dev/zero | gzip -1; } > "$T/dl/trail-1.tar.gz"
rm -rf "$T/tr"
[ "$(stat -c %s "$T/dl/zeros-1.tar.gz")" -lt 100000 ] || fail "zeros-1.tar.gz is not small"
su() { DOWNLOAD="$T/dl" BUILD="$T/b" "$M" --helper setupfor "$@"; }
for c in "zeros EXTRACT_MAX=20000000 unpacks to more than 20000000 bytes (EXTRACT_MAX), at zeros-1/z2" \
         "many EXTRACT_MAX_ENTRIES=2000 more than 2000 entries (EXTRACT_MAX_ENTRIES)" \
         "sparse EXTRACT_MAX= unpacks to more than 4294967296 bytes (EXTRACT_MAX), at sparse-1/big" \
         "trail EXTRACT_MAX=20000000 unpacks to more than 20000000 bytes (EXTRACT_MAX), after the tarball's end"; do
  # shellcheck disable=SC2086 # split into words on purpose
  set -- $c; pkg=$1 var=$2; shift 2
  env "$var" DOWNLOAD="$T/dl" BUILD="$T/b" "$M" --helper setupfor "$pkg" > "$T/out" 2> "$T/err"
  expect_rc 1 $? "$pkg with $var"
  one_line "$pkg with $var" "mkroot --helper: $T/dl/$pkg-1.tar.gz: $*" "$(cat "$T/out")" "$(cat "$T/err")"
  [ ! -e "$T/b/$pkg" ] || fail "$pkg with $var: left $T/b/$pkg"
done
# shellcheck disable=SC2117 # su: this test's own function
d="$(EXTRACT_MAX=30000000 EXTRACT_MAX_ENTRIES=3001 su zeros)" && [ "$(stat -c %s "$d/z2")" == $((8 << 20)) ] ||
  fail "zeros within the caps"
# shellcheck disable=SC2117 # su: this test's own function
d="$(EXTRACT_MAX_ENTRIES=3000 su many)" && [ -e "$d/f2999" ] || fail "many within the caps"
out="$(EXTRACT_MAX=lots su zeros 2>&1)"; expect_rc 1 $? "EXTRACT_MAX=lots"
contains "$out" "EXTRACT_MAX=lots: not a number of bytes"
# the gzip check reads the file it unpacked, a relative name too
(cd "$T/dl" && "$M" --helper extract many-1.tar.gz "$T/rel") || fail "a relative tarball name"

# --- the initramfs: 4 GiB and more unpacked is too big for a 256 MiB guest,
# though gzip's trailer (the size modulo 4 GiB) says 8 MiB. The archive is
# 4104 copies of one deflate block of a MiB of zeros, written directly.
python3 - "$T/big.cpio.gz" 4104 << 'EOF2'
import sys, zlib, struct
out, mib = sys.argv[1], int(sys.argv[2])
chunk = bytes(1 << 20)
c = zlib.compressobj(9, zlib.DEFLATED, -15)
block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
assert block == c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
crc = 0
for i in range(mib): crc = zlib.crc32(chunk, crc)
with open(out, "wb") as f:
    f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03")
    for i in range(mib): f.write(block)
    f.write(zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH))
    f.write(struct.pack("<II", crc, (mib << 20) & 0xffffffff))
EOF2
[ "$(tail -c 4 "$T/big.cpio.gz" | od -An -tu4 | tr -d ' ')" == $((8 << 20)) ] || fail "the trailer is not 8 MiB"
out="$("$M" --helper fits "$T/big.cpio.gz" 2>&1)"; expect_rc 1 $? "a 4 GiB initramfs in 256 MiB"
contains "$out" "$T/big.cpio.gz: 4104.0 MiB unpacked"
contains "$out" "won't fit in the guest's 256 MiB"
rm "$T/big.cpio.gz"
mkdir -p "$T/small/etc" && echo x > "$T/small/etc/x" && "$M" --helper cpio "$T/small" "$T/small.cpio.gz" &&
  "$M" --helper fits "$T/small.cpio.gz" || fail "a small initramfs does not fit"

# --- hard links: 30,000 linked pairs in the initramfs writer within 5 s of
# CPU (looking each up among the others took 10 s and more), each pair one
# inode, its data once, nlink 2
mkdir -p "$T/hl/a" "$T/hl/b"
python3 -c "
import os, sys
for i in range(30000):
    p = f'$T/hl/a/f{i}'; open(p, 'w').write(str(i)); os.link(p, f'$T/hl/b/g{i}')"
(ulimit -t 5; exec "$M" --helper cpio "$T/hl" "$T/hl.cpio.gz") || fail "30,000 hard-linked pairs: not done in 5 s of CPU"
python3 - "$T/hl.cpio.gz" << 'EOF2' || fail "hard links in the initramfs"
import gzip, sys
d = gzip.open(sys.argv[1]).read(); p = 0; seen = {}
while True:
    h = d[p:p + 110]; f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
    ino, nlink, size, namesize = f[0], f[4], f[6], f[11]
    name = d[p + 110:p + 110 + namesize - 1].decode()
    if name == "TRAILER!!!": break
    p = (p + 110 + namesize + 3) & ~3; p = (p + size + 3) & ~3
    if name.startswith(("a/f", "b/g")): seen[name] = (ino, nlink, size)
assert len(seen) == 60000, len(seen)
for i in range(30000):
    a, b = seen[f"a/f{i}"], seen[f"b/g{i}"]
    assert a[0] == b[0] and a[1] == b[1] == 2 and a[2] == len(str(i)) and b[2] == 0, (i, a, b)
EOF2
rm -rf "$T/hl" "$T/hl.cpio.gz"

pass

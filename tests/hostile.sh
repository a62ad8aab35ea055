#!/bin/bash
# hostile: trees, tarballs and names built to break the build, each refused
# with one line naming the thing, nothing written or chmod'ed outside the
# build's directories, no partial result left:
#   deleting a tree never changes anything outside it, even through links;
#   corrupt tarballs, a full disk, symlink chains that climb out, setuid bits;
#   a file too big for the initramfs, and file data streamed, not slurped;
#   boottest with a hostile working directory, a symlinked disk image, and
#   an interrupt; mkroot interrupted mid-module.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
cleanup_all() {
  mountpoint -q "$T/small" && umount "$T/small"
  [ -e "$T/rm/tree/ro/stuck" ] && chattr -i "$T/rm/tree/ro/stuck" 2>/dev/null
  mountpoint -q "$T/rm/tree/m" && umount "$T/rm/tree/m"
  rm -rf "$T"
}
trap cleanup_all EXIT
M="$TOP/mkroot"
gone() { ! pgrep -f "$1" > /dev/null || fail "still running: $(pgrep -af "$1")"; }

# --- deleting a tree: relative to its directory, never through a symlink,
# chmod only the entry that needs it and only when it must
mkdir -p "$T/rm/cwd" "$T/rm/outside/dir" "$T/rm/tree/var/run" "$T/rm/tree/locked/sub"
touch "$T/rm/cwd/run" "$T/rm/outside/file" "$T/rm/tree/locked/sub/f"
chmod 0755 "$T/rm/cwd/run" "$T/rm/outside/dir"; chmod 0644 "$T/rm/outside/file"
mkdir "$T/rm/cwd/var"; chmod 0751 "$T/rm/cwd/var"
ln -s "$T/rm/outside" "$T/rm/tree/var/link"
ln -s "$T/rm/outside/file" "$T/rm/tree/filelink"
chmod 0500 "$T/rm/tree/locked/sub"; chmod 0 "$T/rm/tree/locked"
(cd "$T/rm/cwd" && "$M" --helper rmrf "$T/rm/tree") || fail "rmrf"
[ ! -e "$T/rm/tree" ] || fail "tree not deleted"
[ "$(stat -c %a "$T/rm/cwd/run")" == 755 ] && [ "$(stat -c %a "$T/rm/cwd/var")" == 751 ] ||
  fail "modes changed in the working directory: $(stat -c '%a %n' "$T/rm/cwd"/*)"
[ "$(stat -c %a "$T/rm/outside/dir")" == 755 ] && [ "$(stat -c %a "$T/rm/outside/file")" == 644 ] &&
  [ -e "$T/rm/outside/file" ] || fail "deleted or chmod'ed through a symlink"
echo "ok: delete stays inside"
if [ "$(id -u)" == 0 ]; then
  # an entry that can't be deleted is named
  mkdir -p "$T/rm/tree/ro" && touch "$T/rm/tree/ro/stuck"
  if chattr +i "$T/rm/tree/ro/stuck" 2>/dev/null; then
    out="$("$M" --helper rmrf "$T/rm/tree" 2>&1)"; expect_rc 1 $? "undeletable entry"
    contains "$out" "$T/rm/tree/ro/stuck: can't delete: Operation not permitted"
    chattr -i "$T/rm/tree/ro/stuck"
  fi
  # a filesystem mounted inside a tree: not ours to delete
  mkdir -p "$T/rm/tree/m" "$T/rm/mounted" && touch "$T/rm/mounted/important"
  mount --bind "$T/rm/mounted" "$T/rm/tree/m"
  out="$("$M" --helper rmrf "$T/rm/tree" 2>&1)"; expect_rc 1 $? "mount point inside"
  contains "$out" "a mount point"
  umount "$T/rm/tree/m"
  [ -e "$T/rm/mounted/important" ] || fail "deleted across a mount point"
  "$M" --helper rmrf "$T/rm/tree" || fail "rmrf after umount"
fi

# --- tarballs
mkdir -p "$T/t" "$T/x"
python3 - "$T/t" << 'EOF2'
import io, os, sys, tarfile, gzip
t = sys.argv[1]
def tar(name, entries, gz=True):
    with tarfile.open(f"{t}/{name}", "w:gz" if gz else "w") as tf:
        for n, kind, data, *mode in entries:
            i = tarfile.TarInfo(n)
            if mode: i.mode = mode[0]
            if kind == "file":
                i.size = len(data); tf.addfile(i, io.BytesIO(data))
            elif kind == "dir":
                i.type = tarfile.DIRTYPE; tf.addfile(i)
            elif kind == "sym":
                i.type = tarfile.SYMTYPE; i.linkname = data; tf.addfile(i)
            elif kind == "hard":
                i.type = tarfile.LNKTYPE; i.linkname = data; tf.addfile(i)
# a symlink chain: a -> . makes a/a/.. climb one level more than it seems
tar("chain.tar.gz", [("a", "sym", "."), ("esc", "sym", "a/a/../..")])
tar("chain2.tar.gz", [("esc", "sym", "a/a/../../x"), ("a", "sym", ".")])
tar("chain3.tar.gz", [("d", "dir", 0), ("d/up", "sym", ".."), ("e", "sym", "d/up/d/up/..")])
tar("hardvia.tar.gz", [("d", "sym", "."), ("h", "hard", "d/d/x")])
# names libarchive cleans up ("./l", "x//l", "a/./"): checked as cleaned
tar("dotname.tar.gz", [("x", "dir", 0), ("./x/./l", "sym", "../../../../victim")])
tar("slashes.tar.gz", [("x", "dir", 0), ("x//l", "sym", "../../../victim")])
# a hard link to a symlink that points out from where it is hard-linked
tar("hardsym.tar.gz", [("d1", "dir", 0), ("d1/d2", "dir", 0), ("d1/d2/l", "sym", "../../f"),
    ("f", "file", b"x"), ("l2", "hard", "d1/d2/l")])
# deeper than any source tree: would exhaust descriptors when deleted
tar("deep.tar.gz", [("d/" * 200 + "f", "file", b"x")])
tar("ok.tar.gz", [("d", "dir", 0), ("d/up", "sym", ".."), ("e", "sym", "d/up/d"),
    ("s", "file", b"x", 0o4777), ("g", "file", b"x", 0o2755), ("w", "dir", 0, 0o1777)])
# corrupt: a header whose checksum is wrong, and a gzip body damaged mid-way
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w") as tf:
    for n in range(50):
        d = os.urandom(3000); i = tarfile.TarInfo(f"f{n}"); i.size = len(d)
        tf.addfile(i, io.BytesIO(d))
b = bytearray(raw.getvalue()); b[512 * 7 + 3000 // 512 * 512 + 100] ^= 0xff
b2 = bytearray(raw.getvalue()); b2[3584 * 5 + 10] ^= 0x55   # header of entry 5
open(f"{t}/badhdr.tar", "wb").write(bytes(b2))
z = bytearray(gzip.compress(raw.getvalue())); z[len(z) // 2] ^= 0xff; z[len(z) // 2 + 1] ^= 0xff
open(f"{t}/badgz.tar.gz", "wb").write(bytes(z))
open(f"{t}/cut.tar.gz", "wb").write(gzip.compress(raw.getvalue())[:20000])
# and in compressible data, where inflate itself trips
raw = io.BytesIO()
with tarfile.open(fileobj=raw, mode="w") as tf:
    for n in range(50):
        d = (b"compressible text %d " % n) * 300; i = tarfile.TarInfo(f"t{n}"); i.size = len(d)
        tf.addfile(i, io.BytesIO(d))
z = bytearray(gzip.compress(raw.getvalue())); z[len(z) // 2] ^= 0xff; z[len(z) // 2 + 1] ^= 0xff
open(f"{t}/badtext.tar.gz", "wb").write(bytes(z))
# big: a megabyte that doesn't compress, for the full disk
tar("big.tar.gz", [("big-1.0", "dir", 0), ("big-1.0/big", "file", os.urandom(1 << 20))])
EOF2
for i in chain chain2 chain3 hardvia dotname slashes hardsym deep; do
  rm -rf "$T/x/$i"; out="$("$M" --helper extract "$T/t/$i.tar.gz" "$T/x/$i" 2>&1)"
  expect_rc 1 $? "symlink chain $i"
  contains "$out" "refused"
done
[ ! -e "$T/x/chain" ] || fail "a failed extract left its directory"
out="$("$M" --helper extract "$T/t/ok.tar.gz" "$T/x/ok" 2>&1)"; expect_rc 0 $? "links that stay inside: $out"
for f in s g w; do
  m=$(stat -c %a "$T/x/ok/$f")
  [ $((8#$m & 8#7002)) == 0 ] || fail "$f kept mode $m"
done
for i in badhdr.tar badgz.tar.gz badtext.tar.gz cut.tar.gz; do
  rm -rf "$T/x/c"
  out="$("$M" --helper extract "$T/t/$i" "$T/x/c" 2>&1)"; rc=$?
  expect_rc 1 $rc "corrupt $i"
  [ "$(wc -l <<< "$out")" == 1 ] && contains "$out" "$T/t/$i: " || fail "corrupt $i: $out"
done
# setupfor from a corrupt tarball: refused, no partial tree
mkdir -p "$T/dl" "$T/b" && cp "$T/t/badgz.tar.gz" "$T/dl/bad-1.0.tar.gz"
out="$(DOWNLOAD="$T/dl" BUILD="$T/b" "$M" --helper setupfor bad 2>&1)"; expect_rc 1 $? "setupfor corrupt"
[ ! -e "$T/b/bad" ] || fail "setupfor left a partial tree"
if [ "$(id -u)" == 0 ]; then
  # a full disk is an error, not a tree of holes
  mkdir -p "$T/small" && mount -t tmpfs -o size=256k tmpfs "$T/small"
  cp "$T/t/big.tar.gz" "$T/dl/big-1.0.tar.gz"
  out="$(DOWNLOAD="$T/dl" BUILD="$T/small" "$M" --helper setupfor big 2>&1)"
  expect_rc 1 $? "full disk"
  contains "$out" "No space left"
  [ ! -e "$T/small/big" ] || fail "full disk left a partial tree"
  umount "$T/small"
fi

# --- the initramfs: a file newc can't hold is named; data is streamed
mkdir -p "$T/r/etc" && echo x > "$T/r/etc/a"
truncate -s 4G "$T/r/huge"
out="$("$M" --helper cpio "$T/r" "$T/r.cpio.gz" 2>&1)"; expect_rc 1 $? "4 GiB file"
contains "$out" "$T/r/huge: 4294967296 bytes"
[ ! -e "$T/r.cpio.gz" ] && ! ls -A "$T" | grep -q part || fail "partial initramfs left"
rm "$T/r/huge" && truncate -s 300M "$T/r/sparse"
(ulimit -v 200000; "$M" --helper cpio "$T/r" "$T/r.cpio.gz") || fail "300 MiB file in 200 MB of memory"
[ "$(gzip -dc "$T/r.cpio.gz" | cpio -it --quiet 2>/dev/null | grep -c sparse)" == 1 ] || fail "sparse not in the archive"
out="$(SOURCE_DATE_EPOCH=-1 "$M" --helper cpio "$T/r" "$T/r2.cpio.gz" 2>&1)"; expect_rc 1 $? "SOURCE_DATE_EPOCH=-1"
contains "$out" "SOURCE_DATE_EPOCH=-1: not a number"
rm -f "$T/r/sparse"

# --- boottest: a working directory with quotes, spaces, commas and $(...),
# a disk image name that is a symlink, descriptors, an interrupt
W="$T/w'\$(touch $T/INJECTED)' d,e"
mkdir -p "$W/output/fake" && echo precious > "$T/victim"
ln -s "$T/victim" "$W/output/fake/boottest-disk.img"
cat > "$W/output/fake/qemu-x86_64.sh" << 'EOF2'
#!/bin/sh
printf '%s\n' "$@" > "$(dirname "$0")/args.txt"
ls -l /proc/self/fd > "$(dirname "$0")/fds.txt"
[ -n "$HANG" ] && exec sleep 876543
exit 0
EOF2
chmod +x "$W/output/fake/qemu-x86_64.sh"
out="$(cd "$W" && BOOTTEST_TIMEOUT=20 "$TOP/boottest" fake)"; expect_rc 1 $? "boottest of a guest that exits"
contains "$out" "prompt:FAIL"
[ ! -e "$T/INJECTED" ] || fail "boottest ran a command from a directory name"
[ "$(cat "$T/victim")" == precious ] || fail "boottest wrote through the disk image's symlink"
grep -q "^file=$W/output/fake/boottest-disk.img,format=raw" <<< "$(sed 's/,,/,/g' "$W/output/fake/args.txt")" ||
  fail "disk argument: $(cat "$W/output/fake/args.txt")"
grep -q "d,,e" "$W/output/fake/args.txt" || fail "comma in the path not doubled for QEMU"
# ls has 0, 1, 2 and 3 (the directory it reads): anything more leaked
[ "$(grep -c -- ' -> ' "$W/output/fake/fds.txt")" == 4 ] ||
  fail "descriptors leaked into the guest: $(cat "$W/output/fake/fds.txt")"
[ ! -e "$W/output/fake/boottest-disk.img" ] || fail "disk image left"
# a working directory named like a glob pattern never picks another's script
mkdir -p "$T/g[1]/output/x" "$T/g1/output/x"
printf '#!/bin/sh\ntouch "%s/EVIL"\n' "$T" > "$T/g1/output/x/qemu-x.sh"; chmod +x "$T/g1/output/x/qemu-x.sh"
(cd "$T/g[1]" && BOOTTEST_TIMEOUT=5 "$TOP/boottest" x > /dev/null 2>&1)
[ ! -e "$T/EVIL" ] || fail "boottest ran another directory's launch script"
out="$("$TOP/boottest" .. 2>&1)"; expect_rc 1 $? "boottest .."
contains "$out" "bad target name"
out="$("$TOP/run" .. 2>&1)"; expect_rc 1 $? "run .."

(cd "$W" && HANG=1 BOOTTEST_TIMEOUT=60 exec "$TOP/boottest" fake > /dev/null 2>&1) &
pid=$!
for i in $(seq 50); do pgrep -f "sleep 876543" > /dev/null && break; sleep 0.1; done
pgrep -f "sleep 876543" > /dev/null || fail "the fake guest did not start"
kill -TERM $pid; wait $pid
sleep 0.5
gone "sleep 876543"
[ ! -e "$W/output/fake/boottest-disk.img" ] || fail "interrupted boottest left its disk image"

# --- mkroot interrupted in a module: nothing keeps running, rerun works
mkdir -p "$T/top/output/host/root" "$T/mods"
printf 'sleep 765432 &\nsleep 765431\n' > "$T/mods/slow"
echo 'echo ok > "$OUTPUT/quick.txt"' > "$T/mods/quick"
for sig in INT TERM; do
  (cd "$T/top" && exec "$M" -n LIBC=glibc MODULE_PATH="$T/mods" slow > /dev/null 2>&1) &
  pid=$!
  for i in $(seq 50); do pgrep -f "sleep 765431" > /dev/null && break; sleep 0.1; done
  kill -$sig $pid; wait $pid; rc=$?
  [ $rc -ne 0 ] || fail "SIG$sig: exit 0"
  sleep 0.3
  gone "sleep 76543"
done
(cd "$T/top" && "$M" -n LIBC=glibc MODULE_PATH="$T/mods" quick > /dev/null 2>&1) && [ -e "$T/top/output/host/quick.txt" ] ||
  fail "rerun after interrupt"
pass

#!/bin/bash
# sources: download HASH URL against a real HTTP server on 127.0.0.1 (SHA-1,
# SHA-256, re-use without network, wrong hash, 404, a body cut short,
# connection refused, MIRROR), setupfor from a tarball and from a source
# directory, and hostile tarballs refused with nothing written outside.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
trap 'kill $SERVER 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/www/files" "$T/dl" "$T/b"
python3 - "$T" << 'EOF2'
import io, sys, tarfile
t = sys.argv[1]
def tar(name, entries):
    with tarfile.open(f"{t}/www/files/{name}", "w:gz") as tf:
        for n, kind, data in entries:
            i = tarfile.TarInfo(n)
            if kind == "file":
                i.size = len(data); tf.addfile(i, io.BytesIO(data))
            elif kind == "dir":
                i.type = tarfile.DIRTYPE; i.mode = 0o755; tf.addfile(i)
            elif kind == "sym":
                i.type = tarfile.SYMTYPE; i.linkname = data; tf.addfile(i)
            elif kind == "hard":
                i.type = tarfile.LNKTYPE; i.linkname = data; tf.addfile(i)
tar("pkg-1.0.tar.gz", [("pkg-1.0", "dir", 0), ("pkg-1.0/hello.txt", "file", b"hello\n"),
    ("pkg-1.0/sub", "dir", 0), ("pkg-1.0/sub/link", "sym", "../hello.txt")])
tar("other-2.0.tar.gz", [("other-2.0", "dir", 0), ("other-2.0/x", "file", b"x\n")])
tar("evil-1.0.tar.gz", [("evil-1.0", "dir", 0), ("evil-1.0/../../escaped", "file", b"bad\n")])
tar("abslink-1.0.tar.gz", [("abslink-1.0", "dir", 0), ("abslink-1.0/etc", "sym", "/etc")])
tar("uplink-1.0.tar.gz", [("uplink-1.0", "dir", 0), ("uplink-1.0/up", "sym", "../../..")])
tar("hardout-1.0.tar.gz", [("hardout-1.0", "dir", 0), ("hardout-1.0/h", "hard", "/etc/passwd")])
open(f"{t}/www/files/cutme-1.0.tar.gz", "wb").write(b"z" * 100000)
tar("hello-world-9.tar.gz", [("hello-world-9", "dir", 0), ("hello-world-9/w", "file", b"world\n")])
tar("hello-1.0.tar.gz", [("hello-1.0", "dir", 0), ("hello-1.0/h", "file", b"hello\n")])
EOF2
coproc SRV { exec python3 tests/httpd.py "$T/www"; }
SERVER=$SRV_PID
read -r PORT <&"${SRV[0]}"
URL="http://127.0.0.1:$PORT"
export DOWNLOAD="$T/dl" BUILD="$T/b"
dl() { ./mkroot --helper download "$@" 2>&1; }
sha1() { sha1sum "$T/www/files/$1" | cut -d' ' -f1; }
sha256() { sha256sum "$T/www/files/$1" | cut -d' ' -f1; }
reqs() { wc -l < "$T/www/requests.log"; }
noparts() { ! ls -A "$T/dl" | grep -q part || fail "partial file left: $(ls -A "$T/dl")"; }

# fetch verified by SHA-1, with an older version removed after it
echo old > "$T/dl/pkg-0.9.tar.gz"
out="$(dl "$(sha1 pkg-1.0.tar.gz)" "$URL/files/pkg-1.0.tar.gz")"; expect_rc 0 $? "sha1 fetch"
contains "$out" "pkg-1.0.tar.gz downloaded"
cmp -s "$T/dl/pkg-1.0.tar.gz" "$T/www/files/pkg-1.0.tar.gz" || fail "content differs"
[ ! -e "$T/dl/pkg-0.9.tar.gz" ] || fail "older version kept"

# second run: confirmed, no network
before=$(reqs)
out="$(dl "$(sha1 pkg-1.0.tar.gz)" "$URL/files/pkg-1.0.tar.gz")"; expect_rc 0 $? "re-use"
contains "$out" "pkg-1.0.tar.gz confirmed"
[ "$(reqs)" == "$before" ] || fail "re-use made a request"

# SHA-256, through a redirect
out="$(dl "$(sha256 other-2.0.tar.gz)" "$URL/redirect/other-2.0.tar.gz")"
expect_rc 0 $? "sha256 fetch via redirect"
cmp -s "$T/dl/other-2.0.tar.gz" "$T/www/files/other-2.0.tar.gz" || fail "sha256 content"

# wrong hash: one line, bad file deleted, a good file already there kept
good="$(sha1 pkg-1.0.tar.gz)"
out="$(dl 0123456789abcdef0123456789abcdef01234567 "$URL/files/pkg-1.0.tar.gz")"
expect_rc 1 $? "wrong hash"
contains "$out" "pkg-1.0.tar.gz: sha1 mismatch: want 0123456789abcdef0123456789abcdef01234567, got $good"
[ "$(sha1sum < "$T/dl/pkg-1.0.tar.gz" | cut -d' ' -f1)" == "$good" ] || fail "good file replaced"
out="$(dl "$(sha1 other-2.0.tar.gz)" "$URL/files/pkg-1.0.tar.gz")"; expect_rc 1 $? "wrong hash, new file"
noparts

# 404, body cut short, connection refused: an error and no partial file
out="$(dl "$(sha1 pkg-1.0.tar.gz)" "$URL/files/nothere-1.0.tar.gz")"; expect_rc 1 $? "404"
contains "$out" "404"
[ ! -e "$T/dl/nothere-1.0.tar.gz" ] || fail "404 left a file"
out="$(dl "$(sha1 cutme-1.0.tar.gz)" "$URL/cut/cutme-1.0.tar.gz")"; expect_rc 1 $? "cut short"
[ ! -e "$T/dl/cutme-1.0.tar.gz" ] || fail "cut short left a file"
out="$(dl "$(sha1 cutme-1.0.tar.gz)" "http://127.0.0.1:1/cutme-1.0.tar.gz")"; expect_rc 1 $? "refused"
contains "$out" "127.0.0.1:1"
noparts

# malformed hash: refused before any network traffic
before=$(reqs)
out="$(dl 12345 "$URL/files/pkg-1.0.tar.gz")"; expect_rc 1 $? "malformed hash"
contains "$out" "malformed hash"
[ "$(reqs)" == "$before" ] || fail "malformed hash made a request"

# MIRROR: tried first, in order, with the same file name
rm -f "$T/dl/pkg-1.0.tar.gz"
out="$(MIRROR="$URL/nowhere $URL/files" dl "$(sha1 pkg-1.0.tar.gz)" "http://127.0.0.1:1/pkg-1.0.tar.gz")"
expect_rc 0 $? "MIRROR fallback"
grep -q '^/nowhere/pkg-1.0.tar.gz$' "$T/www/requests.log" || fail "first mirror not tried"

# a package's name ends before "-<digit>": hello-world is not hello
dl "$(sha1 hello-1.0.tar.gz)" "$URL/files/hello-1.0.tar.gz" > /dev/null || fail "fetch hello"
cp "$T/dl/hello-1.0.tar.gz" "$T/dl/hello-1.0.tar.gz.sig"
mkdir -p "$T/dl/hello"
out="$(dl "$(sha1 hello-world-9.tar.gz)" "$URL/files/hello-world-9.tar.gz")"; expect_rc 0 $? "hello-world"
contains "$out" "hello-world-9.tar.gz downloaded"
[ -e "$T/dl/hello-1.0.tar.gz" ] && [ -e "$T/dl/hello-1.0.tar.gz.sig" ] || fail "hello-world deleted hello's files"
rmdir "$T/dl/hello"
d="$(./mkroot --helper setupfor hello)" && [ -e "$d/h" ] && [ ! -e "$d/w" ] || fail "setupfor hello took $(ls "$d")"
d="$(./mkroot --helper setupfor hello-world)" && [ -e "$d/w" ] || fail "setupfor hello-world"

# the file name comes from the URL's path, never its host or query
out="$(dl "$(sha1 pkg-1.0.tar.gz)" "http://127.0.0.1:$PORT")"; expect_rc 1 $? "URL without a path"
contains "$out" "no usable file name"
out="$(dl "$(sha1 pkg-1.0.tar.gz)" "$URL/files/?f=pkg-1.0.tar.gz")"; expect_rc 1 $? "file name in the query"
# a server may not redirect to a local file
out="$(dl "$(sha1 pkg-1.0.tar.gz)" "$URL/tofile/passwd-1.tar.gz")"; expect_rc 1 $? "redirect to file://"
[ ! -e "$T/dl/passwd-1.tar.gz" ] || fail "followed a redirect to file://"

# a size cap and a time limit: an endless body and a drip both end, with
# one line, and leave nothing
out="$(DOWNLOAD_MAX=200000 dl "$(sha1 pkg-1.0.tar.gz)" "$URL/endless/big-1.tar.gz")"
expect_rc 1 $? "endless body"
contains "$out" "larger than 200000 bytes (DOWNLOAD_MAX)"
start=$SECONDS
out="$(DOWNLOAD_TIMEOUT=3 dl "$(sha1 pkg-1.0.tar.gz)" "$URL/drip/slow-1.tar.gz")"
expect_rc 1 $? "drip"
contains "$out" "not done after 3 seconds (DOWNLOAD_TIMEOUT)"
[ $((SECONDS-start)) -lt 30 ] || fail "drip took $((SECONDS-start))s"
rm -f "$T/dl/other-2.0.tar.gz"
out="$(DOWNLOAD_MAX=100 dl "$(sha1 other-2.0.tar.gz)" "$URL/files/other-2.0.tar.gz")"
expect_rc 1 $? "a file over the cap"
out="$(DOWNLOAD_MAX=lots dl "$(sha1 other-2.0.tar.gz)" "$URL/files/other-2.0.tar.gz")"
expect_rc 1 $? "bad DOWNLOAD_MAX"
contains "$out" "DOWNLOAD_MAX=lots"
noparts

# an interrupted download leaves no partial file, and the rerun works
rm -f "$T/dl/pkg-1.0.tar.gz"
./mkroot --helper download "$(sha1 pkg-1.0.tar.gz)" "$URL/drip/pkg-1.0.tar.gz" > /dev/null 2>&1 &
pid=$!
sleep 1.5
ls -A "$T/dl" | grep -q part || fail "no partial file while downloading"
kill -TERM $pid; wait $pid
noparts
dl "$(sha1 pkg-1.0.tar.gz)" "$URL/files/pkg-1.0.tar.gz" > /dev/null || fail "rerun after interrupt"

# setupfor from the tarball: a fresh directory, links inside kept
d="$(./mkroot --helper setupfor pkg)"; expect_rc 0 $? "setupfor tarball"
[ "$d" == "$T/b/pkg" ] && [ "$(cat "$d/hello.txt")" == hello ] && [ "$(cat "$d/sub/link")" == hello ] ||
  fail "setupfor tree wrong: $d"

# a source directory overrides the tarball: "local", copied (a write to
# the copy, even through an existing file, never reaches download/mine)
mkdir -p "$T/dl/mine" && echo mine > "$T/dl/mine/file"
out="$(dl "$(sha1 pkg-1.0.tar.gz)" "$URL/files/mine-3.0.tar.gz")"; expect_rc 0 $? "source dir"
contains "$out" "mine-3.0.tar.gz local"
d="$(./mkroot --helper setupfor mine)" && [ ! -L "$d/file" ] && [ "$(cat "$d/file")" == mine ] ||
  fail "setupfor from directory"
echo changed > "$d/file" && [ "$(cat "$T/dl/mine/file")" == mine ] || fail "a write reached the source directory"
echo changed > "$d/new" && [ ! -e "$T/dl/mine/new" ] || fail "build wrote into the source"
NO_CLEANUP=1 ./mkroot --helper cleanup "$d" && [ -d "$d" ] || fail "NO_CLEANUP"
./mkroot --helper cleanup "$d" && [ ! -e "$d" ] || fail "cleanup"
[ -e "$T/dl/mine/file" ] || fail "cleanup deleted the source"
out="$(./mkroot --helper cleanup /etc 2>&1)"; expect_rc 1 $? "cleanup outside BUILD"
# only a directory setupfor could have made: BUILD/NAME, nothing else
mkdir -p "$T/victim" "$T/b/x/y" && touch "$T/victim/keep"
out="$(./mkroot --helper cleanup "$T/b/../victim" 2>&1)"; expect_rc 1 $? "cleanup BUILD/../victim"
contains "$out" "not a directory setupfor made"
out="$(./mkroot --helper cleanup "$T/b/x/y" 2>&1)"; expect_rc 1 $? "cleanup BUILD/x/y"
out="$(./mkroot --helper cleanup "$T/b/.." 2>&1)"; expect_rc 1 $? "cleanup BUILD/.."
[ -e "$T/victim/keep" ] && [ -d "$T/b/x/y" ] || fail "cleanup deleted outside"

# hostile tarballs: refused, naming the entry, nothing written outside
for i in evil abslink uplink hardout; do
  dl "$(sha1 $i-1.0.tar.gz)" "$URL/files/$i-1.0.tar.gz" > /dev/null || fail "fetch $i"
  out="$(./mkroot --helper setupfor $i 2>&1)"; expect_rc 1 $? "hostile $i"
  contains "$out" "refused"
  [ ! -e "$T/b/$i" ] || fail "$i: partial build dir left"
done
contains "$(./mkroot --helper setupfor evil 2>&1)" "evil-1.0/../../escaped: refused: path with .."
contains "$(./mkroot --helper setupfor abslink 2>&1)" "symlink pointing outside"
[ ! -e "$T/escaped" ] && [ ! -e "$T/b/escaped" ] || fail "escaped file written"
pass

#!/bin/bash
# toybox_url: TOYBOX_URL and TOYBOX_HASH choose toybox's source even when
# download/toybox is a tree (as it always is after make deps): the build
# unpacks the URL's tarball, checked against the hash, and -d fetches it;
# without them the tree is used again (the step's key tells them apart);
# one of the two without the other is refused before anything runs. The
# two sources are small stand-ins whose make install leaves a file naming
# the source, so no toybox is compiled.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
M="$TOP/mkroot"
mkdir -p "$T/dl/toybox" "$T/src/toybox-9.9" "$T/www" "$T/top"
fake() {  # DIR NAME: a toybox source whose install says NAME
  printf 'defconfig toybox:\n\t@echo $@\ninstall:\n\tmkdir -p $(PREFIX)/usr/bin\n\techo %s > $(PREFIX)/usr/bin/toybox-source\n' \
    "$2" > "$1/Makefile"
}
fake "$T/dl/toybox" tree
fake "$T/src/toybox-9.9" url
tar -czf "$T/www/toybox-9.9.tar.gz" -C "$T/src" toybox-9.9
URL="file://$T/www/toybox-9.9.tar.gz"
HASH="$(sha256sum < "$T/www/toybox-9.9.tar.gz" | cut -d' ' -f1)"
build() { (cd "$T/top" && "$M" LIBC=glibc DOWNLOAD="$T/dl" "$@" 2>&1); }
source_used() { cat "$T/top/output/host/root/usr/bin/toybox-source" 2>/dev/null; }

out="$(build)"; expect_rc 0 $? "the tree: $out"
[ "$(source_used)" == tree ] || fail "without TOYBOX_URL: source $(source_used)"

out="$(build TOYBOX_URL="$URL" TOYBOX_HASH="$HASH")"; expect_rc 0 $? "TOYBOX_URL: $out"
[ "$(source_used)" == url ] || fail "TOYBOX_URL ignored for download/toybox: source $(source_used)"
contains "$out" "=== toybox"
cmp -s "$T/dl/toybox-9.9.tar.gz" "$T/www/toybox-9.9.tar.gz" || fail "the URL's tarball is not in download/"
[ -e "$T/dl/toybox/Makefile" ] || fail "download/toybox was touched"

out="$(build)"; expect_rc 0 $? "the tree again"
[ "$(source_used)" == tree ] || fail "back without TOYBOX_URL: source $(source_used)"
[[ "$out" != *"toybox (unchanged)"* ]] || fail "the tree's build reused the URL's"

# a wrong hash fails the step; a URL alone, a hash alone, a URL without a
# file name: one line, before anything is deleted
out="$(build TOYBOX_URL="$URL" TOYBOX_HASH=0123456789012345678901234567890123456789)"
expect_rc 1 $? "TOYBOX_HASH wrong"
contains "$out" "toybox-9.9.tar.gz: sha1 mismatch"
echo keep > "$T/top/output/host/root/keep"
out="$(build TOYBOX_URL="$URL")"; expect_rc 1 $? "TOYBOX_URL without TOYBOX_HASH"
[ "$(wc -l <<< "$out")" == 1 ] && contains "$out" "TOYBOX_URL=$URL: needs TOYBOX_HASH="
out="$(build TOYBOX_HASH="$HASH")"; expect_rc 1 $? "TOYBOX_HASH without TOYBOX_URL"
[ "$(wc -l <<< "$out")" == 1 ] && contains "$out" "TOYBOX_HASH=$HASH: without TOYBOX_URL="
out="$(build TOYBOX_URL="file://$T/www/" TOYBOX_HASH="$HASH")"; expect_rc 1 $? "TOYBOX_URL without a file name"
[ "$(cat "$T/top/output/host/root/keep")" == keep ] || fail "a refused build deleted the root"

# -d fetches the URL's tarball though download/toybox is a tree
rm "$T/dl/toybox-9.9.tar.gz"
out="$(build -d TOYBOX_URL="$URL" TOYBOX_HASH="$HASH")"; expect_rc 0 $? "-d with TOYBOX_URL"
cmp -s "$T/dl/toybox-9.9.tar.gz" "$T/www/toybox-9.9.tar.gz" || fail "-d did not fetch TOYBOX_URL: $out"
pass

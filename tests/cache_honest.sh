#!/bin/bash
# cache_honest: the step cache never gives a result its inputs don't
# justify, and never another build's:
#   a second ./mkroot for the same checkout and target while one runs is
#   refused with one line, and the first is unharmed;
#   the order of NAME=VALUE arguments changes no key;
#   a file edited in a directory a variable names (OVERLAY) reruns the
#   module that reads it;
#   DISTCC_PORT/DISTCC_JOBS rerun the module that bakes them in; a cached
#   step never brings back the DISTCC_HOSTS of the run that cached it;
#   variables the tools read from the environment are in their steps' keys
#   (toybox's NOSTRIP; the kernel's KCFLAGS and LOCALVERSION, and a
#   LOCALVERSION a module exports reaches the kernel the background build
#   started without: a stand-in kernel tree records what make was given);
#   a sparse file stays sparse in the root and in the cache.
. "$(dirname "$0")/lib.sh"

T="$(mktemp -d)" && chmod 755 "$T"
PIDS=()
cleanup_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup_all EXIT
M="$TOP/mkroot"
W="$T/top"
O="$W/output/host"
mkdir -p "$W" "$T/mods" "$T/ovl"
echo one > "$T/ovl/f"
echo 'echo a > "$ROOT/a"' > "$T/mods/a"
echo 'KARGS="p=${DISTCC_PORT:-3632}/${DISTCC_JOBS:-2}"; echo "$KARGS" > "$ROOT/port"' > "$T/mods/port"
echo 'echo "hosts=$DISTCC_HOSTS" > "$ROOT/hosts"' > "$T/mods/hosts"
printf 'dd if=/dev/urandom of="$ROOT/sparse" bs=4k count=1 2>/dev/null\ntruncate -s 64M "$ROOT/sparse"\n' > "$T/mods/sparse"
echo 'sleep 4' > "$T/mods/slow"
echo 'export LOCALVERSION=-fromlv' > "$T/mods/lv"
MODS=(a overlay port sparse hosts)
mk() { (cd "$W" && "$M" DOWNLOAD="$TOP/download" LIBC=glibc MODULE_PATH="$T/mods" "$@" 2>&1); }
ran() { grep '^=== ' <<< "$1" | grep -v '(unchanged)\|^=== done' | sed 's/^=== //; s/ .*//' | sort | tr '\n' ' '; }

# --- one build per checkout and target
mkdir -p "$O/root"
(cd "$W" && exec "$M" -n LIBC=glibc MODULE_PATH="$T/mods" slow > "$T/first" 2>&1) &
first=$!
for _ in $(seq 50); do grep -q '=== slow' "$T/first" 2>/dev/null && break; sleep 0.1; done
out="$(cd "$W" && "$M" -n LIBC=glibc MODULE_PATH="$T/mods" a 2>&1)"; expect_rc 1 $? "a second mkroot while one runs"
contains "$out" "another mkroot (pid $first) is building host in this checkout"
[ "$(wc -l <<< "$out")" == 1 ] || fail "more than one line: $out"
[ ! -e "$O/root/a" ] || fail "the second build ran"
wait $first || fail "the first build: $(cat "$T/first")"
out="$(cd "$W" && "$M" -n LIBC=glibc MODULE_PATH="$T/mods" a 2>&1)"; expect_rc 0 $? "after the first: $out"

# --- a real build, again (nothing runs), then with its variables in
# another order (nothing runs either)
build() { out="$(mk X=1 Y=2 OVERLAY="$T/ovl" "$@" "${MODS[@]}")"; }
build; expect_rc 0 $? "build: $(tail -5 <<< "$out")"
build; expect_rc 0 $? "again"
[ -z "$(ran "$out")" ] || fail "the same build again ran: $(ran "$out")"
out="$(mk Y=2 X=1 OVERLAY="$T/ovl" "${MODS[@]}")"; expect_rc 0 $? "variables reordered"
[ -z "$(ran "$out")" ] || fail "variables in another order, ran: $(ran "$out")"
# (each check below starts from a settled cache: the build it changes ran
# twice, the second time with every step cached)
settle() { build && build; }

# --- sparse files: 64 MiB with 4 KiB of data, in the root and its cache
n=0
for f in "$O/root/sparse" "$W"/build/host/steps/*/root/sparse; do
  n=$((n+1))
  [ "$(stat -c %s "$f")" == 67108864 ] || fail "$f: size $(stat -c %s "$f")"
  [ $(($(stat -c %b "$f") * 512)) -lt 1048576 ] || fail "$f: $(($(stat -c %b "$f") / 2)) KiB on disk: holes filled"
done
[ $n -ge 3 ] || fail "sparse: only $n copies"
echo "ok: sparse file $(du -k "$O/root/sparse" | cut -f1) KiB on disk"

# the tree copy a build makes for a source directory too (setupfor)
mkdir -p "$T/dl/sp" && cp --sparse=always "$O/root/sparse" "$T/dl/sp/"
DOWNLOAD="$T/dl" BUILD="$T/b" "$M" --helper setupfor sp > /dev/null || fail "setupfor sp"
[ $(($(stat -c %b "$T/b/sp/sparse") * 512)) -lt 1048576 ] || fail "setupfor's copy filled the holes"

# --- a file in OVERLAY edited (same size): overlay runs again
settle
sleep 0.01; echo two > "$T/ovl/f"
build; expect_rc 0 $? "OVERLAY edited"
contains "$out" "=== overlay"$'\n'
[ "$(cat "$O/root/f")" == two ] || fail "the root has the old overlay file: $(cat "$O/root/f")"

# --- DISTCC_PORT and DISTCC_JOBS change what the module bakes in
settle
build DISTCC_PORT=4444 DISTCC_JOBS=7; expect_rc 0 $? "DISTCC_PORT"
[ "$(cat "$O/root/port")" == "p=4444/7" ] || fail "DISTCC_PORT/JOBS ignored: $(cat "$O/root/port")"

# --- a cached step keeps this build's DISTCC_HOSTS, not its cached run's
if command -v distccd > /dev/null; then
  P="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  touch "$T/d.log" && chmod 666 "$T/d.log"
  timeout 600 distccd --daemon --no-detach --listen 127.0.0.1 --allow 127.0.0.1 \
    --port "$P" --jobs 1 --log-file "$T/d.log" > /dev/null 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1',$P),1)" 2>/dev/null && break
    sleep 0.1
  done
  echo 'echo a2 > "$ROOT/a"' > "$T/mods/a"
  build DISTCC_HOSTS="127.0.0.1:$P/1"; expect_rc 0 $? "with distcc: $out"
  [ "$(cat "$O/root/hosts")" == "hosts=127.0.0.1:$P/1" ] || fail "DISTCC_HOSTS: $(cat "$O/root/hosts")"
  echo '# changed' >> "$T/mods/hosts"
  build; expect_rc 0 $? "without distcc"
  [ "$(ran "$out")" == "hosts " ] || fail "ran: $(ran "$out")"
  [ "$(cat "$O/root/hosts")" == "hosts=" ] || fail "a cached step brought back DISTCC_HOSTS: $(cat "$O/root/hosts")"
else
  echo "skipped: no distccd for the DISTCC_HOSTS check (make deps)"
fi

# --- toybox's NOSTRIP is in toybox's key (seen as the step starts; stopped there)
(cd "$W" && exec "$M" DOWNLOAD="$TOP/download" LIBC=glibc NOSTRIP=1 > "$T/nostrip" 2>&1) &
pid=$!
for _ in $(seq 300); do grep -q '^=== toybox' "$T/nostrip" && break; sleep 0.1; done
kill -INT $pid; wait $pid
grep -q '^=== toybox$' "$T/nostrip" || fail "NOSTRIP=1 did not rerun toybox: $(cat "$T/nostrip")"

# --- the kernel's variables: a stand-in kernel tree whose image records
# what make was given (the real one takes most of an hour here)
K="$T/linux"
mkdir -p "$K/kernel"
cat > "$K/Makefile" << 'EOF'
allnoconfig:
	mkdir -p $(O)
	grep -v '^#' $(KCONFIG_ALLCONFIG) > $(O)/.config
	echo 'include $(CURDIR)/image.mk' > $(O)/Makefile
EOF
cat > "$K/image.mk" << 'EOF'
all:
	mkdir -p arch/x86/boot
	echo "release=$(LOCALVERSION) kcflags=$(KCFLAGS)" > arch/x86/boot/bzImage
EOF
rm -rf "$O/root"; mkdir -p "$O/root"
nk() { (cd "$W" && "$M" -n LIBC=glibc LINUX="$K" MODULE_PATH="$T/mods" "$@" 2>&1); }
out="$(nk a kernel)"; expect_rc 0 $? "stand-in kernel: $out"
[ "$(cat "$O/bzImage")" == "release= kcflags=" ] || fail "image: $(cat "$O/bzImage")"
out="$(nk KCFLAGS=-DMINE a kernel)"; expect_rc 0 $? "KCFLAGS"
[ "$(cat "$O/bzImage")" == "release= kcflags=-DMINE" ] || fail "KCFLAGS not in the kernel's key: $(cat "$O/bzImage")"
out="$(nk lv kernel)"; expect_rc 0 $? "a module exports LOCALVERSION"
contains "$out" "kernel: variables changed since it started: building again"
[ "$(cat "$O/bzImage")" == "release=-fromlv kcflags=" ] || fail "the module's LOCALVERSION never reached the kernel: $(cat "$O/bzImage")"
pass

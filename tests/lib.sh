# lib.sh: helpers the shell tests share. Each test is a script that exits
# non-zero on the first failed assertion.
TOP="$(cd "$(dirname "$0")/.." && pwd)"
cd "$TOP" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() { [ "$1" == "$2" ] || fail "$3: exit $2, want $1"; echo "ok: $3"; }
contains() { [[ "$1" == *"$2"* ]] || fail "output lacks '$2': $1"; }
pass() { echo "PASS: $(basename "$0")"; exit 0; }

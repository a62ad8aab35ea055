#!/bin/bash
# tests/shellcheck.sh: the tree's shell scripts pass shellcheck (Debian's; the
# settings, and the reason for each check left out, are in .shellcheckrc):
# the module API (src/step/module-api.sh), the modules, the tests and
# scripts/. A script added there is checked too.
. "$(dirname "$0")/lib.sh"

command -v shellcheck > /dev/null || fail "no shellcheck (make deps installs it)"
files=(module/*)
while read -r f; do files+=("$f"); done < <(find src -name '*.sh' | sort)
for f in tests/* scripts/*; do
  [ -f "$f" ] || continue
  [[ $f == *.sh || "$(head -n 1 "$f")" =~ ^'#!'(/usr/bin/env\ |/bin/)(ba)?sh ]] &&
    files+=("$f")
done
[[ " ${files[*]} " == *" src/step/module-api.sh "* ]] || fail "module-api.sh not found"
out="$(shellcheck "${files[@]}" 2>&1)" || fail "shellcheck: $out"
echo "ok: ${#files[@]} scripts pass shellcheck"
pass

#!/bin/bash
# module-api.sh: the module API, the seed's functions, around one module.
# mkroot (module.c) runs "bash module-api.sh NAME" in the module's scratch
# directory with the build's exported variables as the environment; this
# defines download, setupfor, cleanup, die and announce (the first three
# call back into mkroot), sets the variables earlier modules left
# unexported, and sources the module, $MKROOT_MODULE. On success it writes
# every variable the module leaves set to $MKROOT_ENVOUT (NAME=VALUE, NUL
# after each), last MKROOT_SHVARS naming those not exported: mkroot passes
# them to the next module's shell in a file, never in an environment.
#
# With -d ($MKROOT_DOWNLOAD_ONLY) only the module's download lines run,
# with what computes them (assignments, tests, sourcing another module):
# every other command is skipped (extdebug: a DEBUG trap that fails skips
# the command), so nothing is built or written.

# The build's places as mkroot gave them: a module that sets BUILD or
# DOWNLOAD for its own use doesn't move what the callbacks touch
# shellcheck disable=SC2034 # MKROOT_DEPS: mkroot --helper reads it
readonly MKROOT_SELF MKROOT_WORK MKROOT_DEPS MKROOT_BUILD="$BUILD" \
  MKROOT_DOWNLOAD="$DOWNLOAD"
mkroot_helper() {
  BUILD="$MKROOT_BUILD" DOWNLOAD="$MKROOT_DOWNLOAD" "$MKROOT_SELF" --helper "$@"
}

download() {
  mkroot_helper download "$@" || exit 1
}

setupfor() {
  MKROOT_SETUP="$(mkroot_helper setupfor "$1")" && cd "$MKROOT_SETUP" ||
    exit 1
}

cleanup() {
  cd "$MKROOT_WORK" && mkroot_helper cleanup "$MKROOT_SETUP" || exit 1
}

die() { echo "$MKROOT_NAME: $*" >&2; exit 1; }
announce() { echo "=== $*"; }

# bash's own variables: those set now that are not exported
MKROOT_OWN=" REPLY OPTARG "
for MKROOT_V in $(compgen -v); do
  [[ ${!MKROOT_V@a} == *x* ]] || MKROOT_OWN+="$MKROOT_V "
done

# the variables earlier modules set and did not export: NAME=VALUE, NUL
# after each, names checked (printf -v would evaluate a subscript)
if [ -n "$MKROOT_SHVARS" ]; then
  while IFS= read -r -d '' MKROOT_V; do
    if [[ ${MKROOT_V%%=*} =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
      printf -v "${MKROOT_V%%=*}" '%s' "${MKROOT_V#*=}"
    fi
  done < "$MKROOT_SHVARS" || exit 1
fi
unset MKROOT_SHVARS

# every variable but bash's own and ours, arrays left out (the environment
# can't hold them), then which of them were not exported
mkroot_vars() {
  local MKROOT_V MKROOT_SH=
  for MKROOT_V in $(compgen -v); do
    [[ $MKROOT_V == MKROOT_* || $MKROOT_OWN == *" $MKROOT_V "* ]] && continue
    [[ ${!MKROOT_V@a} == *[aAn]* ]] && continue
    [[ ${!MKROOT_V@a} == *x* ]] || MKROOT_SH+="$MKROOT_V "
    printf '%s=%s\0' "$MKROOT_V" "${!MKROOT_V}"
  done
  printf 'MKROOT_SHVARS=%s\0' "$MKROOT_SH"
}

mkroot_exit() {
  local MKROOT_RC=$?
  if [ $MKROOT_RC -eq 0 ]; then
    mkroot_vars > "$MKROOT_ENVOUT" || MKROOT_RC=1
  fi
  exit $MKROOT_RC
}
trap mkroot_exit EXIT

# -d: may this command of the module run? Our own code (the top level
# here, the EXIT trap, download's body) always; the module's: download,
# assignments, and builtins and tools that write nothing, without a
# redirection. A skipped command succeeds, so a loop waiting on a skipped
# one would never end: too many skips stop the module.
MKROOT_SHWORD='("([^"\\]|\\.)*"|'\''[^'\'']*'\''|\\.|[^[:space:]"'\''\\])*'
MKROOT_ASSIGN="^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=$MKROOT_SHWORD([[:space:]]+|$)"
MKROOT_SKIPS=0
mkroot_download_only() {
  local c=$BASH_COMMAND m=("${BASH_REMATCH[@]}")
  case ${FUNCNAME[1]} in main|download|mkroot_*) return 0 ;; esac
  while [[ $c =~ $MKROOT_ASSIGN ]]; do c=${c:${#BASH_REMATCH[0]}}; done
  BASH_REMATCH=("${m[@]}")   # the module's, from its own =~
  if [[ $c != *'>'* ]]; then
    case ${c%%[[:space:]]*} in
      ""|download|announce|.|source|\[|\[\[|test|true|false|:|read|shift|\
      break|continue|set|shopt|local|declare|typeset|export|readonly|unset|\
      let|\(\(|echo|printf|dirname|basename) return 0 ;;
    esac
  fi
  if [ $((++MKROOT_SKIPS)) -gt 100000 ]; then
    echo "$MKROOT_NAME: -d: 100000 commands skipped: a loop waiting for one?" >&2
    exit 1
  fi
  return 1
}

if [ -n "$MKROOT_DOWNLOAD_ONLY" ]; then
  shopt -s extdebug
  trap mkroot_download_only DEBUG
elif [ -n "$MKROOT_CMDLOG" ]; then
  set -T
  trap 'printf "%s\n" "$BASH_COMMAND" >> "$MKROOT_CMDLOG"' DEBUG
fi
# shellcheck source=/dev/null
. "$MKROOT_MODULE"

# Helpers for the CLI tests. Source it first: `. "$(dirname "$0")/lib.sh"`.
set -euo pipefail
: "${CERTBUNDLE:?run through ctest}" "${TEST_DATA:?}" "${WORK:?}"
rm -rf "$WORK" && mkdir -p "$WORK" && cd "$WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_exit CODE CMD...: runs CMD, stdout to $WORK/out, stderr to $WORK/err; fails unless the
# exit code is CODE.
expect_exit() {
  local want=$1 got=0
  shift
  "$@" >"$WORK/out" 2>"$WORK/err" || got=$?
  if [ "$got" != "$want" ]; then
    echo "--- stdout"; cat "$WORK/out"; echo "--- stderr"; cat "$WORK/err"
    fail "exit code $got, expected $want: $*"
  fi
}

# expect_in FILE TEXT: FILE contains the fixed string TEXT.
expect_in() { grep -qF -- "$2" "$1" || { cat "$1"; fail "\"$2\" not in $1"; }; }

# expect_one_line FILE: an error message is exactly one line.
expect_one_line() { [ "$(wc -l <"$1")" -eq 1 ] || { cat "$1"; fail "$1 is not one line"; }; }

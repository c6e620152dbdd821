#!/bin/sh
# tests/golden.sh -- golden pairs: tests/golden/DIR/NAME.camp and NAME.expected.
#
# The first line of NAME.expected is the command, run from the repository
# root with `camp` standing for the binary under test; the rest is its exact
# stdout and stderr, then a line `exit N`.  UPDATE=1 rewrites the expected
# files (keeping their command line) for review in the commit.  Files whose
# name starts with _ are helpers used by other cases, not cases.
BUILD=${BUILD:-build}
CAMP=${CAMP:-$PWD/$BUILD/camp}
pass=0; fail=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
defaultCommand() {
  case "$1" in
    tokens) echo "camp tokens $2" ;;
    ast) echo "camp ast $2" ;;
    fmt) echo "camp fmt $2" ;;
    disasm) echo "camp disasm $2" ;;
    graph) echo "camp graph $2" ;;
    *) echo "camp check $2" ;;
  esac
}
for f in tests/golden/*/*.camp; do
  [ -f "$f" ] || continue
  case "$(basename "$f")" in _*) continue ;; esac
  dir=$(basename "$(dirname "$f")")
  exp="${f%.camp}.expected"
  if [ -f "$exp" ]; then cmd=$(head -n 1 "$exp"); else cmd=$(defaultCommand "$dir" "$f"); fi
  run=$(printf '%s' "$cmd" | sed "s#^camp #$CAMP #")
  { sh -c "$run" 2>&1; echo "exit $?"; } > "$tmp"
  if [ -n "${UPDATE:-}" ]; then
    { echo "$cmd"; cat "$tmp"; } > "$exp"
    pass=$((pass + 1))
  elif [ ! -f "$exp" ]; then
    echo "FAIL $f: no $exp (make golden-update writes it)"
    fail=$((fail + 1))
  elif tail -n +2 "$exp" | diff -u - "$tmp" > "$tmp.diff"; then
    pass=$((pass + 1))
  else
    echo "FAIL $f ($cmd)"
    head -n 30 "$tmp.diff"
    fail=$((fail + 1))
  fi
  rm -f "$tmp.diff"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# tests/golden.sh -- golden pairs: tests/golden/DIR/NAME.camp and NAME.expected,
# and the shipped examples: examples/NAME.camp and
# tests/golden/DIR/examples/NAME.expected, for each DIR that has examples/.
#
#   sh tests/golden.sh [DIR|FILE.camp ...]       run every case (or these)
#   UPDATE=1 sh tests/golden.sh [...]            rewrite the .expected files
#
# A DIR with an examples/ subdirectory pins every examples/*.camp under its
# command (disasm does: the bytecode the project ships).  The case is the
# example itself, not a copy that could drift: a change to an example's code
# fails the golden until the expectation is updated (and reviewed); a new
# example without its expectation fails, and so does an expectation whose
# example is gone.  A test of something no example shows is a case of its
# own in DIR, named for what it tests.
#
# The first line of NAME.expected is the command, run from the repository
# root with the word `camp` (at the start, or after ; && || |) standing for
# the binary under test ($CAMP, default $BUILD/camp); the rest is its exact
# stdout and stderr together, then a last line `exit N`.
#
# Directories with a default command (used when a case has no .expected
# yet, with UPDATE=1): tokens (camp tokens), ast (camp ast), fmt (camp fmt),
# diag (camp check), disasm (camp disasm), graph (camp graph).  A case with
# no .expected fails unless UPDATE=1; so does an .expected with no .camp.
# UPDATE=1 keeps each file's first line and names the files it changed, for
# review in the commit.  Files whose name starts with _ are helpers used by
# other cases (models, bodies), not cases.  Ends with `N passed, N failed`.
cd "$(dirname "$0")/.." || exit 2
BUILD=${BUILD:-build}
CAMP=${CAMP:-$PWD/$BUILD/camp}
if [ ! -x "$CAMP" ]; then echo "golden: no camp binary at $CAMP (run make)"; echo "0 passed, 1 failed"; exit 1; fi
pass=0; fail=0; updated=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
limit=""
command -v timeout >/dev/null 2>&1 && limit="timeout 60"

defaultCommand() {     # DIR FILE -> the command line, or nothing
  case "$1" in
    tokens) echo "camp tokens $2" ;;
    ast) echo "camp ast $2" ;;
    fmt) echo "camp fmt $2" ;;
    diag) echo "camp check $2" ;;
    disasm) echo "camp disasm $2" ;;
    graph) echo "camp graph $2" ;;
  esac
}

# The cases, one line each: SOURCE EXPECTATION DIR.  Every tests/golden/*/*.camp
# and, for each DIR with examples/, every examples/*.camp; or those of the
# arguments (a case directory, its examples/, or single files: an example
# is a case of each DIR that pins the examples).  Other subdirectories hold
# helpers, not cases.
examplesOf() {         # DIR -> the example cases of tests/golden/DIR
  [ -d "tests/golden/$1/examples" ] || return 0
  for e in examples/*.camp; do echo "$e tests/golden/$1/examples/$(basename "${e%.camp}").expected $1"; done
}
caseOf() {             # tests/golden/DIR/NAME.camp -> its case
  echo "$1 ${1%.camp}.expected $(basename "$(dirname "$1")")"
}
cases() {
  if [ $# -eq 0 ]; then set -- tests/golden; fi
  for a in "$@"; do
    a=${a%/}
    case "$a" in
      tests/golden) for f in $(ls tests/golden/*/*.camp 2>/dev/null); do caseOf "$f"; done
        for d in tests/golden/*/; do examplesOf "$(basename "$d")"; done ;;
      tests/golden/*/examples) examplesOf "$(basename "$(dirname "$a")")" ;;
      examples/*) for d in tests/golden/*/examples/; do
          d=${d%/examples/}; echo "$a $d/examples/$(basename "${a%.camp}").expected $(basename "$d")"; done ;;
      *) if [ -d "$a" ]; then
           for f in $(ls "$a"/*.camp 2>/dev/null); do caseOf "$f"; done
           examplesOf "$(basename "$a")"
         else caseOf "$a"; fi ;;
    esac
  done | sort
}

failed() {             # FILE WHY
  echo "FAIL $1: $2"
  fail=$((fail + 1))
}

cases "$@" > "$tmp/cases"
while read -r f exp dir; do
  case "$(basename "$f")" in _*) continue ;; esac
  [ -f "$f" ] || { failed "$f" "no such file"; continue; }
  if [ -f "$exp" ]; then cmd=$(head -n 1 "$exp"); else cmd=$(defaultCommand "$dir" "$f"); fi
  if [ -z "$cmd" ]; then failed "$f" "no $exp and no default command for tests/golden/$dir"; continue; fi
  run=$(printf '%s\n' "$cmd" | sed -e "s#^camp #$CAMP #" -e "s#\([;&|]\) *camp #\1 $CAMP #g")
  $limit sh -c "$run" < /dev/null > "$tmp/out" 2>&1
  echo "exit $?" >> "$tmp/out"
  if [ -n "${UPDATE:-}" ]; then
    { echo "$cmd"; cat "$tmp/out"; } > "$tmp/new"
    if ! cmp -s "$tmp/new" "$exp"; then
      mkdir -p "$(dirname "$exp")"
      cp "$tmp/new" "$exp"
      echo "updated $exp"
      updated=$((updated + 1))
    fi
    pass=$((pass + 1))
  elif [ ! -f "$exp" ]; then
    failed "$f" "missing expectation $exp (UPDATE=1 sh tests/golden.sh writes it; read it before committing)"
  elif tail -n +2 "$exp" | diff -u --label "$exp" --label "actual: $cmd" - "$tmp/out" > "$tmp/diff"; then
    pass=$((pass + 1))
  else
    failed "$f" "output differs from $exp"
    n=$(wc -l < "$tmp/diff")
    head -n 100 "$tmp/diff"
    [ "$n" -gt 100 ] && echo "... ($((n - 100)) more lines of diff)"
  fi
done < "$tmp/cases"

# An expectation without its case is a mistake (a renamed or deleted case).
if [ $# -eq 0 ]; then
  for e in $(ls tests/golden/*/*.expected 2>/dev/null); do
    [ -f "${e%.expected}.camp" ] || failed "$e" "no ${e%.expected}.camp for it"
  done
  for e in $(ls tests/golden/*/examples/*.expected 2>/dev/null); do
    [ -f "examples/$(basename "${e%.expected}").camp" ] || failed "$e" "no examples/$(basename "${e%.expected}").camp for it"
  done
fi

[ -n "${UPDATE:-}" ] && echo "$updated file(s) updated"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

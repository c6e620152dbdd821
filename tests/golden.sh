#!/bin/sh
# tests/golden.sh -- golden pairs: tests/golden/DIR/NAME.camp and NAME.expected.
#
#   sh tests/golden.sh [DIR|FILE.camp ...]       run every case (or these)
#   UPDATE=1 sh tests/golden.sh [...]            rewrite the .expected files
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
. tests/lib.sh
[ -x "$CAMP" ] || abort "golden: no camp binary at $CAMP (run make)"
updated=0
tmp=$D
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

# The cases: every tests/golden/*/*.camp, or those of the arguments (a case
# directory, or single files).  Subdirectories hold helpers, not cases.
cases() {
  if [ $# -eq 0 ]; then set -- tests/golden; fi
  for a in "$@"; do
    a=${a%/}
    if [ "$a" = tests/golden ]; then ls tests/golden/*/*.camp 2>/dev/null
    elif [ -d "$a" ]; then ls "$a"/*.camp 2>/dev/null
    else echo "$a"; fi
  done | sort
}

failed() { bad "$1: $2"; }       # FILE WHY

for f in $(cases "$@"); do
  case "$(basename "$f")" in _*) continue ;; esac
  [ -f "$f" ] || { failed "$f" "no such file"; continue; }
  dir=$(basename "$(dirname "$f")")
  exp="${f%.camp}.expected"
  if [ -f "$exp" ]; then cmd=$(head -n 1 "$exp"); else cmd=$(defaultCommand "$dir" "$f"); fi
  if [ -z "$cmd" ]; then failed "$f" "no $exp and no default command for tests/golden/$dir"; continue; fi
  run=$(printf '%s\n' "$cmd" | sed -e "s#^camp #$CAMP #" -e "s#\([;&|]\) *camp #\1 $CAMP #g")
  $limit sh -c "$run" > "$tmp/out" 2>&1
  echo "exit $?" >> "$tmp/out"
  if [ -n "${UPDATE:-}" ]; then
    { echo "$cmd"; cat "$tmp/out"; } > "$tmp/new"
    if ! cmp -s "$tmp/new" "$exp"; then
      cp "$tmp/new" "$exp"
      echo "updated $exp"
      updated=$((updated + 1))
    fi
    ok
  elif [ ! -f "$exp" ]; then
    failed "$f" "missing expectation $exp (UPDATE=1 sh tests/golden.sh writes it; read it before committing)"
  elif tail -n +2 "$exp" | diff -u --label "$exp" --label "actual: $cmd" - "$tmp/out" > "$tmp/diff"; then
    ok
  else
    failed "$f" "output differs"
    n=$(wc -l < "$tmp/diff")
    head -n 100 "$tmp/diff"
    [ "$n" -gt 100 ] && echo "... ($((n - 100)) more lines of diff)"
  fi
done

# An expectation without its case is a mistake (a renamed or deleted case).
if [ $# -eq 0 ]; then
  for e in $(ls tests/golden/*/*.expected 2>/dev/null); do
    [ -f "${e%.expected}.camp" ] || failed "$e" "no ${e%.expected}.camp for it"
  done
fi

[ -n "${UPDATE:-}" ] && echo "$updated file(s) updated"
finish

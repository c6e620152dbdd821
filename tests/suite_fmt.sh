#!/bin/sh
# tests/suite_fmt.sh -- `camp fmt` and `camp graph` beyond their golden pairs:
#   - every tests/golden/fmt expected output is already formatted (fmt of it
#     is the same bytes);
#   - for every .camp the project has, fmt(fmt(x)) == fmt(x) byte for byte,
#     and the code tokens (comments aside) are the same before and after;
#   - `camp fmt --check` passes on examples/ and on each examples/*.camp;
#   - --check names a messy file and exits 1, -w fixes it, a file with a
#     syntax error is left untouched (exit 1), usage errors exit 2;
#   - `camp graph` of every example and graph case is valid DOT (when
#     Graphviz's dot is installed).
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
t=$D

# 1. The expected outputs of the fmt golden cases are fixed points.
for e in tests/golden/fmt/*.expected; do
  [ "$(tail -n 1 "$e")" = "exit 0" ] || continue          # refused inputs have no output to re-format
  sed '1d;$d' "$e" > "$t/exp.camp"
  "$CAMP" fmt "$t/exp.camp" > "$t/again.camp" 2>&1
  if cmp -s "$t/exp.camp" "$t/again.camp"; then ok; else bad "fmt changes the expected output of $e"; diff "$t/exp.camp" "$t/again.camp" | head; fi
done

# 2. Idempotence and same tokens on every .camp.
codeTokens() { "$CAMP" tokens "$1" 2>/dev/null | grep -v ' comment ' | cut -d' ' -f2- | sed -e 's/^\(duration [0-9]*\)[[:space:]]*/\1 /' -e "s/^\('on' and a day on\)[[:space:]]*/\\1 /"; }
for f in examples/*.camp tests/golden/*/*.camp tests/scenarios/*.camp; do
  [ -f "$f" ] || continue
  "$CAMP" fmt "$f" > "$t/one.camp" 2>/dev/null || continue      # files with syntax errors are refused
  "$CAMP" fmt "$t/one.camp" > "$t/two.camp"
  if cmp -s "$t/one.camp" "$t/two.camp"; then ok; else bad "not idempotent: $f"; diff "$t/one.camp" "$t/two.camp" | head; fi
  codeTokens "$f" > "$t/a"; codeTokens "$t/one.camp" > "$t/b"
  if cmp -s "$t/a" "$t/b"; then ok; else bad "tokens changed: $f"; diff "$t/a" "$t/b" | head; fi
done

# 3. The examples are formatted.
if "$CAMP" fmt --check examples/ > "$t/out"; then ok; else bad "examples are not formatted:"; cat "$t/out"; fi
for f in examples/*.camp; do
  if "$CAMP" fmt --check "$f" > /dev/null; then ok; else bad "fmt --check $f"; fi
done

# 4. The modes and exit codes.
cp tests/golden/fmt/messy_spacing.camp "$t/w.camp"
"$CAMP" fmt --check "$t/w.camp" > "$t/out"; rc=$?
if [ $rc -eq 1 ] && [ "$(cat "$t/out")" = "$t/w.camp" ]; then ok; else bad "--check on a messy file: exit $rc, printed '$(cat "$t/out")'"; fi
if "$CAMP" fmt -w "$t/w.camp" && "$CAMP" fmt --check "$t/w.camp" > /dev/null; then ok; else bad "-w did not leave a formatted file"; fi
if sed '1d;$d' tests/golden/fmt/messy_spacing.expected | cmp -s - "$t/w.camp"; then ok; else bad "-w wrote something else than fmt prints"; fi
ls "$t" | grep -q 'fmt-' && bad "-w left a temporary file" || ok
cp "$t/w.camp" "$t/same.camp"; touch -d '2000-01-01' "$t/same.camp"
"$CAMP" fmt -w "$t/same.camp"
if [ "$(find "$t/same.camp" -newermt '2001-01-01')" = "" ]; then ok; else bad "-w rewrote a file that was already formatted"; fi
cp tests/golden/fmt/syntax_error_untouched.camp "$t/broken.camp"
"$CAMP" fmt -w "$t/broken.camp" 2> "$t/err"; rc=$?
if [ $rc -eq 1 ] && cmp -s "$t/broken.camp" tests/golden/fmt/syntax_error_untouched.camp && grep -q 'E007' "$t/err"; then ok; else bad "-w on a syntax error: exit $rc or the file changed"; fi
"$CAMP" fmt --check "$t/w.camp" "$t/broken.camp" > "$t/out" 2>/dev/null; rc=$?
if [ $rc -eq 1 ]; then ok; else bad "--check with a syntax error: exit $rc"; fi
"$CAMP" fmt > /dev/null 2>&1; rc1=$?
"$CAMP" fmt --check -w "$t/w.camp" > /dev/null 2>&1; rc2=$?
"$CAMP" fmt "$t/nonexistent.camp" > /dev/null 2>&1; rc3=$?
"$CAMP" fmt "$t/w.camp" "$t/same.camp" > /dev/null 2>&1; rc4=$?
"$CAMP" fmt --frobnicate "$t/w.camp" > /dev/null 2>&1; rc5=$?
if [ "$rc1$rc2$rc3$rc4$rc5" = "22222" ]; then ok; else bad "usage and I/O errors exit 2 (got $rc1 $rc2 $rc3 $rc4 $rc5)"; fi
printf 'model m{a text}' | "$CAMP" fmt - > "$t/out"
if [ "$(cat "$t/out")" = "$(printf 'model m {\n  a text\n}')" ]; then ok; else bad "fmt - (stdin)"; fi

# 5. Graphs are valid DOT.
if command -v dot > /dev/null 2>&1; then
  for f in examples/*.camp tests/golden/graph/*.camp; do
    "$CAMP" graph "$f" > "$t/g.dot" 2>/dev/null || continue      # the syntax-error case
    if dot -Tsvg "$t/g.dot" > /dev/null 2> "$t/err" && [ ! -s "$t/err" ]; then ok; else bad "invalid DOT for $f"; cat "$t/err"; fi
  done
fi

finish

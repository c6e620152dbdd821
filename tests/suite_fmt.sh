#!/bin/sh
# tests/suite_fmt.sh -- fmt keeps meaning and is a fixed point: for every
# .camp the project has, fmt(fmt(x)) == fmt(x) byte for byte, and the code
# tokens (comments aside) are the same before and after.
BUILD=${BUILD:-build}
CAMP=${CAMP:-$PWD/$BUILD/camp}
pass=0; fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
codeTokens() { "$CAMP" tokens "$1" 2>/dev/null | grep -v ' comment ' | cut -d' ' -f2- | sed 's/^\(duration [0-9]*\) */\1 /'; }
for f in examples/*.camp tests/golden/*/*.camp tests/scenarios/*.camp; do
  "$CAMP" fmt "$f" > "$t/one.camp" 2>/dev/null || continue      # files with syntax errors are refused
  "$CAMP" fmt "$t/one.camp" > "$t/two.camp"
  if cmp -s "$t/one.camp" "$t/two.camp"; then pass=$((pass + 1)); else echo "FAIL not idempotent: $f"; diff "$t/one.camp" "$t/two.camp" | head; fail=$((fail + 1)); fi
  codeTokens "$f" | tr -s ' ' > "$t/a"; codeTokens "$t/one.camp" | tr -s ' ' > "$t/b"
  if cmp -s "$t/a" "$t/b"; then pass=$((pass + 1)); else echo "FAIL tokens changed: $f"; diff "$t/a" "$t/b" | head; fail=$((fail + 1)); fi
done
if "$CAMP" fmt --check examples/ > "$t/out"; then pass=$((pass + 1)); else echo "FAIL examples are not formatted:"; cat "$t/out"; fail=$((fail + 1)); fi
cp tests/golden/fmt/messy_spacing.camp "$t/w.camp"
"$CAMP" fmt --check "$t/w.camp" > "$t/out"; rc=$?
if [ $rc -eq 1 ] && grep -q "w.camp" "$t/out"; then pass=$((pass + 1)); else echo "FAIL --check on a messy file: exit $rc"; fail=$((fail + 1)); fi
"$CAMP" fmt -w "$t/w.camp" && "$CAMP" fmt --check "$t/w.camp" > /dev/null
if [ $? -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL -w did not leave a formatted file"; fail=$((fail + 1)); fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# tests/suite_examples.sh -- every example checks clean with no warning,
# compiles to the same bytes twice, and (once fmt exists) is fmt-stable.
BUILD=${BUILD:-build}
CAMP=${CAMP:-$PWD/$BUILD/camp}
pass=0; fail=0
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
for f in examples/*.camp; do
  if out=$("$CAMP" check --werror "$f" 2>&1); then pass=$((pass + 1)); else echo "FAIL check $f"; echo "$out"; fail=$((fail + 1)); fi
  "$CAMP" compile "$f" -o "$t/a.campc" && "$CAMP" compile "$f" -o "$t/b.campc"
  if cmp -s "$t/a.campc" "$t/b.campc"; then pass=$((pass + 1)); else echo "FAIL $f: compile is not deterministic"; fail=$((fail + 1)); fi
  if "$CAMP" disasm "$t/a.campc" > "$t/d1" && "$CAMP" disasm "$f" > "$t/d2" && cmp -s "$t/d1" "$t/d2"; then pass=$((pass + 1));
  else echo "FAIL $f: disasm of the image and of the source differ"; fail=$((fail + 1)); fi
  if "$CAMP" help | grep -q '^  fmt '; then
    if "$CAMP" fmt --check "$f" > /dev/null 2>&1; then pass=$((pass + 1)); else echo "FAIL $f is not fmt-stable"; fail=$((fail + 1)); fi
  fi
done
# the whole directory in one invocation, SARIF output parses as JSON
if "$CAMP" check --format sarif examples/ | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["version"]=="2.1.0"' ; then pass=$((pass + 1)); else echo "FAIL sarif"; fail=$((fail + 1)); fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# tests/suite_examples.sh -- every example checks clean with no warning,
# compiles to the same bytes twice, and (once fmt exists) is fmt-stable.
. tests/lib.sh
t=$D
for f in examples/*.camp; do
  if out=$("$CAMP" check --werror "$f" 2>&1); then ok; else bad "check $f" "$out"; fi
  "$CAMP" compile "$f" -o "$t/a.campc" && "$CAMP" compile "$f" -o "$t/b.campc"
  if cmp -s "$t/a.campc" "$t/b.campc"; then ok; else bad "$f: compile is not deterministic"; fi
  if "$CAMP" disasm "$t/a.campc" > "$t/d1" && "$CAMP" disasm "$f" > "$t/d2" && cmp -s "$t/d1" "$t/d2"; then ok;
  else bad "$f: disasm of the image and of the source differ"; fi
  if "$CAMP" help | grep -q '^  fmt '; then
    if "$CAMP" fmt --check "$f" > /dev/null 2>&1; then ok; else bad "$f is not fmt-stable"; fi
  fi
done
# the whole directory in one invocation, SARIF output parses as JSON
if "$CAMP" check --format sarif examples/ | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["version"]=="2.1.0"' ; then ok; else bad "sarif"; fi
finish

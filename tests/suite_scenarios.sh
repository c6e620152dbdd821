#!/bin/sh
# tests/suite_scenarios.sh -- each tests/scenarios/NAME.sh prints a timeline
# that must equal NAME.expected exactly (UPDATE=1 rewrites them).
BUILD=${BUILD:-build}
CAMP=${CAMP:-$PWD/$BUILD/camp}
export CAMP
pass=0; fail=0
for s in tests/scenarios/*.sh; do
  [ "$(basename "$s")" = lib.sh ] && continue
  exp=${s%.sh}.expected
  out=$(sh -c ". tests/scenarios/lib.sh; . $s" 2>&1)
  if [ -n "${UPDATE:-}" ]; then printf '%s\n' "$out" > "$exp"; pass=$((pass + 1)); continue; fi
  if printf '%s\n' "$out" | diff -u "$exp" - > /tmp/scenario.diff 2>&1; then pass=$((pass + 1));
  else echo "FAIL $s"; head -40 /tmp/scenario.diff; fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

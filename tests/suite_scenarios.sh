#!/bin/sh
# tests/suite_scenarios.sh -- each tests/scenarios/NAME.sh prints a timeline
# that must equal NAME.expected exactly (UPDATE=1 rewrites them).
. tests/lib.sh
export CAMP
for s in tests/scenarios/*.sh; do
  [ "$(basename "$s")" = lib.sh ] && continue
  exp=${s%.sh}.expected
  out=$(sh -c ". tests/scenarios/lib.sh; . $s" 2>&1)
  if [ -n "${UPDATE:-}" ]; then printf '%s\n' "$out" > "$exp"; ok; continue; fi
  if printf '%s\n' "$out" | diff -u "$exp" - > "$D/scenario.diff" 2>&1; then ok
  else bad "$s" "$(head -40 "$D/scenario.diff")"; fi
done
finish

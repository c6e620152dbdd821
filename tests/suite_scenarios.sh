#!/bin/sh
# tests/suite_scenarios.sh -- the scenarios: the test blocks of tests/scenarios/*.camp, run by
# camp test (one ok or FAIL per test), and each tests/scenarios/NAME.sh, whose printed timeline
# must equal NAME.expected exactly (UPDATE=1 rewrites them).  A part of a scenario that cannot
# hold on PostgreSQL ends it there with a line "     skipped on PostgreSQL: WHAT (WHY)": the
# runner shows that line and compares what came before it with the start of NAME.expected.
# What stays in shell: what a test block cannot state -- the exact due times of a timeline (time
# zones, send windows), what a command prints (camp list, send, status, timeline, event), redeploys,
# configuration, hits as stored, a hit dated before the clock, a stopped campaign and a runner that
# was down.
# The shell scenarios run on the suite's store (tests/lib.sh: store_db); camp test runs on its
# own in-memory SQLite database on either.
# store: both
. tests/lib.sh
store_init
export CAMP

# The output of camp test for one file: an ok per passing test, a bad per FAIL line with the
# indented lines under it (and the diagnostics before it when the file has errors).
camp_tests() {
  "$CAMP" test "$1" > "$D/test.out" 2>&1
  rc=$? name= block= pre= seen=0 nl='
'
  while IFS= read -r line; do
    case $line in
      "ok "*) [ -z "$name" ] || bad "$name" "$block"; name=; ok; seen=$((seen + 1)) ;;
      "FAIL "*) [ -z "$name" ] || bad "$name" "$block"; name=${line#FAIL }; block=$pre; pre=; seen=$((seen + 1)) ;;
      "  "*) if [ -n "$name" ]; then block="$block${block:+$nl}$line"; else pre="$pre$line$nl"; fi ;;
      *" passed, "*" failed") ;;
      *) [ -z "$name" ] || bad "$name" "$block"; name=; pre="$pre$line$nl" ;;
    esac
  done < "$D/test.out"
  [ -z "$name" ] || bad "$name" "$block"
  if [ "$seen" -eq 0 ] || { [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$D/test.out"; }; then
    bad "camp test $1 (exit $rc)" "$(head -40 "$D/test.out")"
  fi
}
for f in $(grep -l '^test "' tests/scenarios/*.camp); do camp_tests "$f"; done

for s in tests/scenarios/*.sh; do
  [ "$(basename "$s")" = lib.sh ] && continue
  exp=${s%.sh}.expected
  out=$(sh -c ". tests/scenarios/lib.sh; . $s" 2>&1)
  skip=$(printf '%s\n' "$out" | tail -n 1 | grep '^     skipped on PostgreSQL: ')
  if [ -n "$skip" ]; then
    echo "$s:"; echo "$skip"
    out=$(printf '%s\n' "$out" | sed '$d')
    head -n "$(printf '%s\n' "$out" | wc -l)" "$exp" > "$D/scenario.exp"; exp=$D/scenario.exp
  fi
  if [ -n "${UPDATE:-}" ]; then printf '%s\n' "$out" > "$exp"; ok; continue; fi
  if printf '%s\n' "$out" | diff -u "$exp" - > "$D/scenario.diff" 2>&1; then ok
  else bad "$s" "$(head -40 "$D/scenario.diff")"; fi
done
finish

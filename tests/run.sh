#!/bin/sh
# tests/run.sh -- run every test runner and add up their closing lines.
#
# Runners: each unit-test binary in $BUILD/tests/, then every tests/suite_*.sh,
# then those marked "# store: both" again with CAMP_TEST_STORE=postgresql.
# Each prints "N passed, N failed" as its last line; a runner that fails to
# print it, or exits non-zero, counts as one failure.  Each runner's line
# says how long it took (CI must stay well under an hour).
BUILD=${BUILD:-build}
export BUILD CAMP="$PWD/$BUILD/camp"
total_pass=0; total_fail=0
run() {
  name=$1; shift
  t0=$(date +%s)
  out=$("$@" 2>&1); rc=$?
  secs=$(($(date +%s) - t0))
  last=$(printf '%s\n' "$out" | tail -n 1)
  p=$(printf '%s' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p')
  f=$(printf '%s' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
  if [ -z "$p" ]; then p=0; f=1; fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ "$f" -ne 0 ]; then printf '%s\n' "$out" | tail -n 40; fi
  printf '%-28s %5d s  %s passed, %s failed\n' "$name" "$secs" "$p" "$f"
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
}
for t in "$BUILD"/tests/*; do
  [ -x "$t" ] && [ -f "$t" ] && run "unit/$(basename "$t")" "$t"
done
# CAMP_TEST_SKIP: suites not run here, said so (make san: suite_fuzz, whose
# libFuzzer targets are built with the sanitizers in make test already)
for s in tests/suite_*.sh; do
  [ -f "$s" ] || continue
  n=$(basename "$s" .sh)
  case " ${CAMP_TEST_SKIP:-} " in
    *" $n "*) printf '%-28s skipped (CAMP_TEST_SKIP)\n' "$n"; continue ;;
  esac
  run "$n" sh "$s"
done
# the suites that run on either store, again on PostgreSQL (tests/lib.sh: store_db)
# (CAMP_TEST_RERUN=no: not again; `make san` skips them: the sanitizers see
# the PostgreSQL path through the suites that run only there)
if [ "${CAMP_TEST_RERUN:-postgresql}" = postgresql ]; then
  for s in $(grep -l '^# store: both' tests/suite_*.sh); do
    run "$(basename "$s" .sh)@postgresql" env CAMP_TEST_STORE=postgresql sh "$s"
  done
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]

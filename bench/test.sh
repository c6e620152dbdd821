#!/bin/sh
# bench/test.sh -- camp test's speed: every test block of the shipped
# examples (`camp test examples/`, as CI runs it) with one process and with
# --jobs 2, beside `camp check examples/` (the same files compiled, no test
# run) measured in the same run: what running the tests adds.
#
#   sh bench/test.sh [ROUNDS]      (default 5; the best round is kept)
set -eu
R=${1:-5}
CAMP=${CAMP:-build/camp}
[ -x "$CAMP" ] || make -s build/camp
out=$(mktemp)
trap 'rm -f "$out"' EXIT
now() { date +%s.%N; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b < a ? b : a) }'; }
best_check=999; best_one=999; best_two=999
for i in $(seq "$R"); do
  t0=$(now); "$CAMP" check examples > /dev/null
  t1=$(now); "$CAMP" test -j 1 examples > "$out" || { echo "camp test failed:"; tail -20 "$out"; exit 1; }
  t2=$(now); "$CAMP" test -j 2 examples > /dev/null
  t3=$(now)
  best_check=$(min "$best_check" "$(awk -v x="$t0" -v y="$t1" 'BEGIN { print y - x }')")
  best_one=$(min "$best_one" "$(awk -v x="$t1" -v y="$t2" 'BEGIN { print y - x }')")
  best_two=$(min "$best_two" "$(awk -v x="$t2" -v y="$t3" 'BEGIN { print y - x }')")
done
files=$(ls examples/*.camp | wc -l)
tests=$(grep -c '^ok  ' "$out" || true)
slowest=$(sed -n 's/^ok  .*(\([0-9.]*\) ms)$/\1/p' "$out" | sort -n | tail -1)
echo "examples:         $files files, $tests tests (slowest test $slowest ms)"
awk -v t="$best_one" -v n="$tests" -v f="$files" 'BEGIN { printf "camp test -j 1:   %.3f s  (%.0f tests/s, %.1f ms a file)   best of '"$R"'\n", t, n / t, t * 1000 / f }'
awk -v t="$best_two" -v n="$tests" 'BEGIN { printf "camp test -j 2:   %.3f s  (%.0f tests/s)\n", t, n / t }'
awk -v t="$best_check" 'BEGIN { printf "camp check:       %.3f s  (the same files compiled, no test run; same run)\n", t }'

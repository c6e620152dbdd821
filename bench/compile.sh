#!/bin/sh
# bench/compile.sh -- front-end throughput: `camp check` over 1,000 realistic
# campaign files (about 10 MB) in one invocation, beside a plain read of the
# same bytes (cat > /dev/null) measured in the same run.
#
#   sh bench/compile.sh [FILES]      (default 1000)
set -eu
N=${1:-1000}
CAMP=${CAMP:-build/camp}
[ -x "$CAMP" ] || make -s build/camp
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The generator writes models.camp and N campaign files, each a few
# campaigns with nested branches, filters and templates (~10 KB a file).
/usr/bin/env awk -v n="$N" -v dir="$dir" -f bench/gen_campaigns.awk
bytes=$(cat "$dir"/*.camp | wc -c)
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1048576 }')
now() { date +%s.%N; }
best_read=999; best_check=999
for i in 1 2 3 4 5; do
  t0=$(now); cat "$dir"/*.camp > /dev/null; t1=$(now)
  "$CAMP" check "$dir" > "$dir/out.txt" || { echo "camp check reported problems:"; head -20 "$dir/out.txt"; exit 1; }
  t2=$(now)
  best_read=$(awk -v a="$best_read" -v b="$(awk -v x="$t0" -v y="$t1" 'BEGIN{print y-x}')" 'BEGIN { print (b < a ? b : a) }')
  best_check=$(awk -v a="$best_check" -v b="$(awk -v x="$t1" -v y="$t2" 'BEGIN{print y-x}')" 'BEGIN { print (b < a ? b : a) }')
done
echo "files:        $N (+ models.camp), $mb MB"
awk -v t="$best_check" -v mb="$mb" 'BEGIN { printf "camp check:   %.3f s  (%.0f MB/s)   best of 5, one invocation\n", t, mb / t }'
awk -v t="$best_read" -v mb="$mb" 'BEGIN { printf "plain read:   %.3f s  (%.0f MB/s)   cat of the same files, same run\n", t, mb / t }'

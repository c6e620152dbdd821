#!/bin/sh
# bench/run.sh [N] -- the runtime at scale: N contacts (default 1,000,000),
# a three-step campaign (email -> on open: action; on no open within 3 days:
# sms), sink channels, generated opens (30%), 30 simulated days.  Prints wall
# time, traces per second and peak RSS, and beside them the floor measured
# in the same run: bench/floor.c inserting as many trace rows into SQLite
# with a prepared statement in batched transactions -- and bench/floor.c
# doing only the row writes this campaign's semantics need (participants,
# traces, claims, results, completions), with nothing else, in the best
# order: what any runtime keeping these records would pay at the least.
# Each floor is the best of three runs.
set -eu
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}
CAMP=${CAMP:-build/camp}
[ -x "$CAMP" ] || make -s build/camp
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
cc -O2 -o "$D/floor" bench/floor.c -lsqlite3
cat > "$D/models.camp" <<'C'
model contact {
  name text
  email email
  phone phone
}
C
bench_campaign > "$D/c.camp"
awk -v n="$N" 'BEGIN { print "name,email,phone"; for (i = 1; i <= n; i++) printf "P%d,p%d@x.test,+336%08d\n", i, i, i }' > "$D/c.csv"
"$CAMP" init --db "$D/db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$D/db" --start "$D/c.camp" > /dev/null
"$CAMP" import --db "$D/db" --model contact "$D/c.csv" > /dev/null
t0=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$D/rss1" "$CAMP" run --db "$D/db" --until +1h --mail sink: --sms sink: > "$D/run1"
t1=$(date +%s.%N)
# generated events: 30% of the messages are opened (through camp event --file)
sqlite3 "$D/db" "SELECT message_id FROM camp_trace WHERE message_id IS NOT NULL AND id % 10 < 3" |
  awk '{ printf "{\"event\":\"open\",\"message_id\":\"%s\"}\n", $0 }' > "$D/events.jsonl"
"$CAMP" event --db "$D/db" --file "$D/events.jsonl" > /dev/null
t2=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$D/rss2" "$CAMP" run --db "$D/db" --until +30d --mail sink: --sms sink: > "$D/run2"
t3=$(date +%s.%N)
traces=$(sqlite3 "$D/db" "SELECT count(*) FROM camp_trace")
rss=$(sort -n "$D/rss1" "$D/rss2" | tail -1)
# each floor is the best of three runs: a floor is what the machine can do
best() { for i in 1 2 3; do "$D/floor" "$@" "$D/floor.db"; done | sort -k2 -n | head -1; }
floor=$(best inserts "$traces")
writes=$(best writes "$N")
awk -v n="$N" -v tr="$traces" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v rss="$rss" -v fl="$floor" -v wr="$writes" 'BEGIN {
  split(fl, f, " "); split(wr, w, " "); run = (b - a) + (d - c); ev = c - b
  printf "contacts:        %d\ntraces:          %d\n", n, tr
  printf "camp run:        %.2f s for 30 simulated days (%.0f traces/s), events %.2f s\n", run, tr / run, ev
  printf "peak RSS:        %.1f MiB\n", rss / 1024
  printf "floor (SQLite):  %.2f s to insert %d trace rows (%.0f rows/s), same run\n", f[2], f[1], f[3]
  printf "writes floor:    %.2f s for only the row writes this campaign needs for %d contacts (%.1fx the floor), same run\n", w[2], n, w[2] / f[2]
  printf "camp / floor:    %.1fx\n", run / f[2]
  printf "camp / writes:   %.1fx\n", run / w[2]
}'

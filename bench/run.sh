#!/bin/sh
# bench/run.sh [N] [--store sqlite|postgresql] [--workers W] -- the runtime
# at scale: N contacts (default 1,000,000), a three-step campaign (email ->
# on open: action; on no open within 3 days: sms), sink channels,
# generated opens (30%), 30 simulated days.  Prints wall time, traces per
# second and peak RSS, and beside them the floor measured in the same run.
#
# On SQLite (the default): bench/floor.c inserting as many trace rows into
# SQLite with a prepared statement in batched transactions -- and
# bench/floor.c doing only the row writes this campaign's semantics need
# (participants, traces, claims, results, completions), with nothing else,
# in the best order: what any runtime keeping these records would pay at
# the least.  Each floor is the best of three runs.
#
# On PostgreSQL: a throwaway PostgreSQL 15 cluster (tests/pg.sh, with
# bench/pg.sh's durable settings), and bench/floor_pg.c on it after the
# run: COPY of as many trace rows, floor.c's writes with prepared
# statements, and the same writes pipelined (best of three each;
# BENCH_FLOOR_RUNS=1 for one).  Then the
# top statements by total time (pg_stat_statements) and the sizes of camp's
# tables and indexes.
#
# With W workers, each phase (to +1h, then to +30d) starts W `camp run`
# processes together and waits for all; each worker's peak RSS is printed,
# and the duplicates: the messages the workers say they sent beyond the
# traces that hold a sent message (must be 0).
set -eu
N=1000000 store=sqlite W=1
while [ $# -gt 0 ]; do
  case $1 in
    --store) store=${2:-}; shift 2 ;;
    --store=*) store=${1#*=}; shift ;;
    --workers) W=${2:-}; shift 2 ;;
    --workers=*) W=${1#*=}; shift ;;
    *[!0-9]* | '') echo "bench/run.sh: unknown argument '$1' (usage: run.sh [N] [--store sqlite|postgresql] [--workers W])" >&2; exit 2 ;;
    *) N=$1; shift ;;
  esac
done
case $store in sqlite | postgresql) ;; *) echo "bench/run.sh: --store is sqlite or postgresql, not '$store'" >&2; exit 2 ;; esac
case $W in '' | *[!0-9]* | 0) echo "bench/run.sh: --workers takes a number from 1, not '$W'" >&2; exit 2 ;; esac
. bench/lib.sh
CAMP=${CAMP:-build/camp}
[ -x "$CAMP" ] || make -s build/camp
if [ "$store" = postgresql ]; then
  . tests/lib.sh          # D, removed at exit, and what tests/pg.sh uses
  . tests/pg.sh
  trap 'exit 1' HUP PIPE  # the cluster is stopped and removed also when the output's reader went away (| head)
  . bench/pg.sh
  bench_pg_start || { echo "bench/run.sh: the PostgreSQL cluster did not start" >&2; exit 1; }
  db=$(pg_url bench)
  bench_pg_admin "CREATE DATABASE floor OWNER camp" postgres > /dev/null
  FLOOR_URL=$(pg_url bench floor)
  cc -O2 -o "$D/floor" bench/floor_pg.c -I"$(pg_config --includedir)" -lpq
  q() { pg_psql bench "$1"; }
else
  D=$(mktemp -d)
  trap 'rm -rf "$D"' EXIT
  db=$D/db
  cc -O2 -o "$D/floor" bench/floor.c -lsqlite3
  q() { sqlite3 "$db" "$1"; }
fi
cat > "$D/models.camp" <<'C'
model contact {
  name text
  email email
  phone phone
}
C
bench_campaign > "$D/c.camp"
awk -v n="$N" 'BEGIN { print "name,email,phone"; for (i = 1; i <= n; i++) printf "P%d,p%d@x.test,+336%08d\n", i, i, i }' > "$D/c.csv"
"$CAMP" init --db "$db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$db" --start "$D/c.camp" > /dev/null
"$CAMP" import --db "$db" --model contact "$D/c.csv" > /dev/null
[ "$store" = sqlite ] || bench_pg_admin "SELECT pg_stat_statements_reset()" > /dev/null

# phase NAME UNTIL: W `camp run` processes to UNTIL (absolute: a worker that
# starts after another moved the clock must aim at the same time), started
# together, all waited for; each one's peak RSS, CPU and output in $D
phase() {
  _i=1 _pids=
  while [ $_i -le "$W" ]; do
    /usr/bin/time -f "%M %U %S" -o "$D/time.$1.$_i" "$CAMP" run --db "$db" --until "$2" --mail sink: --sms sink: \
      > "$D/out.$1.$_i" 2> "$D/err.$1.$_i" &
    _pids="$_pids $!" _i=$((_i + 1))
  done
  _i=1
  for _p in $_pids; do
    wait "$_p" || { echo "bench/run.sh: worker $_i of phase $1 failed:" >&2; tail -n 5 "$D/err.$1.$_i" >&2; exit 1; }
    _i=$((_i + 1))
  done
}
[ "$store" = sqlite ] || { c0=$(bench_pg_cpu); w0=$(bench_pg_wal); }
t0=$(date +%s.%N)
phase 1 2026-01-05T10:00:00Z
t1=$(date +%s.%N)
# generated events: 30% of the messages are opened (through camp event --file)
q "SELECT message_id FROM camp_trace WHERE message_id IS NOT NULL AND id % 10 < 3" |
  awk '{ printf "{\"event\":\"open\",\"message_id\":\"%s\"}\n", $0 }' > "$D/events.jsonl"
[ "$store" = sqlite ] || c1=$(bench_pg_cpu)
"$CAMP" event --db "$db" --file "$D/events.jsonl" > /dev/null
[ "$store" = sqlite ] || c2=$(bench_pg_cpu)
t2=$(date +%s.%N)
phase 2 2026-02-04T10:00:00Z
t3=$(date +%s.%N)
[ "$store" = sqlite ] || { c3=$(bench_pg_cpu); w3=$(bench_pg_wal); }
traces=$(q "SELECT count(*) FROM camp_trace")
held=$(q "SELECT count(*) FROM camp_trace WHERE message_id IS NOT NULL AND state = 2")
distinct=$(q "SELECT count(DISTINCT message_id) FROM camp_trace WHERE message_id IS NOT NULL")
sent=$(cat "$D"/out.* | sed -n 's/.*(sent \([0-9]*\)).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
rss=$(cat "$D"/time.* | sort -n | tail -1 | cut -d' ' -f1)
if [ "$store" = postgresql ]; then
  top=$(bench_pg_top 10)
  bench_pg_admin "ANALYZE" > /dev/null
  sizes=$(bench_pg_sizes)
fi

# each floor is the best of three runs: a floor is what the machine can do
if [ "$store" = postgresql ]; then
  best() { for i in $(seq "${BENCH_FLOOR_RUNS:-3}"); do "$D/floor" "$@" "$FLOOR_URL"; done | sort -k2 -n | head -1; }
  floor=$(best copy "$traces")
else
  best() { for i in 1 2 3; do "$D/floor" "$@" "$D/floor.db"; done | sort -k2 -n | head -1; }
  floor=$(best inserts "$traces")
fi
[ "$store" = sqlite ] || f0=$(bench_pg_cpu)
writes=$(best writes "$N")
piped=
[ "$store" = sqlite ] || { f1=$(bench_pg_cpu); piped=$(best pipeline "$N"); }
awk -v pp="$piped" -v n="$N" -v tr="$traces" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v rss="$rss" -v fl="$floor" -v wr="$writes" -v st="$store" -v w="$W" 'BEGIN {
  split(fl, f, " "); split(wr, x, " "); run = (b - a) + (d - c); ev = c - b
  name = st == "sqlite" ? "SQLite" : "PostgreSQL"
  printf "contacts:        %d\n", n
  if (w > 1 || st != "sqlite") printf "store, workers:  %s, %d camp run processes per phase\n", name, w
  printf "traces:          %d\n", tr
  printf "camp run:        %.2f s for 30 simulated days (%.0f traces/s), events %.2f s\n", run, tr / run, ev
  printf "peak RSS:        %.1f MiB\n", rss / 1024
  if (st == "sqlite")
    printf "floor (SQLite):  %.2f s to insert %d trace rows (%.0f rows/s), same run\n", f[2], f[1], f[3]
  else
    printf "floor (PG COPY): %.2f s to COPY %d trace rows (%.0f rows/s), same run\n", f[2], f[1], f[3]
  printf "writes floor:    %.2f s for only the row writes this campaign needs for %d contacts (%.1fx the floor), same run\n", x[2], n, x[2] / f[2]
  if (pp != "") { split(pp, y, " "); printf "pipelined:       %.2f s for the same writes in libpq pipeline mode (no wait for each answer), same run\n", y[2] }
  printf "camp / floor:    %.1fx\n", run / f[2]
  printf "camp / writes:   %.1fx\n", run / x[2]
  if (pp != "") printf "camp / pipelined: %.1fx\n", run / y[2]
}'
if [ "$W" -gt 1 ] || [ "$store" = postgresql ]; then
  for p in 1 2; do
    printf 'phase %d workers: ' "$p"
    for i in $(seq "$W"); do
      printf '#%d %.1f MiB %.1f s CPU, ' "$i" "$(awk '{ print $1 / 1024 }' "$D/time.$p.$i")" "$(awk '{ print $2 + $3 }' "$D/time.$p.$i")"
    done | sed 's/, $//'
    echo
  done
  echo "duplicates:      $((sent - held)) (the workers sent $sent messages; $held traces hold a sent message, $distinct distinct Message-IDs)"
fi
if [ "$store" = postgresql ]; then
  awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v c0="$c0" -v c1="$c1" -v c2="$c2" -v c3="$c3" -v w="$W" -v cpu="$(cat "$D"/time.* | awk '{ s += $2 + $3 } END { print s }')" 'BEGIN {
    run = (b - a) + (d - c); pg = (c1 - c0) + (c3 - c2)
    printf "CPU in the runs: camp %.1f s, PostgreSQL %.1f s (%.0f%% of the CPU used), of %.1f s wall on 2 cores\n", cpu, pg, 100 * pg / (cpu + pg), run
  }'
  awk -v f0="$f0" -v f1="$f1" -v k="${BENCH_FLOOR_RUNS:-3}" -v c0="$c0" -v c1="$c1" -v c2="$c2" -v c3="$c3" -v tr="$traces" 'BEGIN {
    pg = (c1 - c0) + (c3 - c2); fl = (f1 - f0) / k
    printf "PostgreSQL CPU:  %.0f us per trace in the runs; %.0f us per trace in the writes floor (its CPU per run / %d traces)\n", 1e6 * pg / tr, 1e6 * fl / tr, tr
  }'
  echo "WAL written:     $(bench_pg_wal_mb "$w0" "$w3") MB from the first run to the end of the last (events included)"
  echo "$top"
  echo "$sizes"
fi

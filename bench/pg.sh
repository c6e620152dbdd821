# bench/pg.sh -- the PostgreSQL side of bench/run.sh --store postgresql;
# sourced after tests/lib.sh and tests/pg.sh (which own the throwaway
# cluster: initdb, pg_ctl, the role and database camp, pg_stat_statements).
#
# Owns: the cluster's settings for a benchmark (bench_pg_start), its CPU
# time (bench_pg_cpu) and WAL (bench_pg_wal), and what is read from it
# after a run: the top statements by total time (bench_pg_top) and the
# sizes of camp's tables and indexes (bench_pg_sizes).  Does not own: the run or the floors
# (bench/run.sh, bench/floor_pg.c).
#
# Settings: tests/pg.sh makes a cluster for speed (fsync,
# synchronous_commit and full_page_writes off); a benchmark of a store
# that promises crash safety measures it durable, as it would be deployed:
# fsync, full_page_writes and synchronous_commit on (PostgreSQL's
# defaults: a committed claim survives a server crash, so a message is
# never sent under a claim the server forgot), shared_buffers 256MB, and
# max_wal_size 4GB so that a million-contact run is not paced by forced
# checkpoints (1GB, the default, is a small-machine value).
# BENCH_PG_SYNC=off measures with synchronous_commit off (commits not
# waiting for their WAL flush, as SQLite's synchronous=NORMAL does not).
# BENCH_PG_CONF: more postgresql.conf lines, last (auto_explain, say).

# bench_pg_start: cluster `bench` started with the settings above; 1 when it fails
bench_pg_start() {
  pg_start bench || return 1
  cat >> "$PG_DATA_bench/postgresql.conf" << EOF
# bench/pg.sh: durable, as deployed (these lines win over the ones above)
fsync = on
full_page_writes = on
synchronous_commit = ${BENCH_PG_SYNC:-on}
shared_buffers = 256MB
max_wal_size = 4GB
${BENCH_PG_CONF:-}
EOF
  pg_stop bench fast && pg_start_again bench
}

# bench_pg_admin SQL [DB]: SQL as the superuser over the socket in DB (camp); rows unaligned
bench_pg_admin() {
  "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCKDIR_bench" -p "$PG_PORT_bench" -U campadmin -d "${2:-camp}" -c "$1"
}

# bench_pg_cpu: CPU seconds the cluster has used so far: the postmaster,
# its ended children (backends of closed connections) and its live ones
bench_pg_cpu() {
  _tck=$(getconf CLK_TCK)
  { sed 's/^.*) //' "/proc/$PG_PID_bench/stat" | awk '{ print $12 + $13 + $14 + $15 }'
    for _c in $(cat "/proc/$PG_PID_bench/task/$PG_PID_bench/children" 2> /dev/null); do
      sed 's/^.*) //' "/proc/$_c/stat" 2> /dev/null | awk '{ print $12 + $13 + $14 + $15 }'
    done
  } | awk -v t="$_tck" '{ s += $1 } END { printf "%.2f\n", s / t }'
}

# bench_pg_wal: the cluster's WAL position now (pg_current_wal_lsn)
bench_pg_wal() { bench_pg_admin "SELECT pg_current_wal_lsn()"; }
# bench_pg_wal_mb FROM TO: MB of WAL written between two positions
bench_pg_wal_mb() { bench_pg_admin "SELECT round(pg_wal_lsn_diff('$2', '$1') / 1048576.0, 1)"; }

# bench_pg_top [K]: the K (10) statements of database camp with the most
# total time in pg_stat_statements: calls, total ms, mean ms, rows, query
bench_pg_top() {
  echo "top statements by total time (pg_stat_statements, database camp):"
  printf '%10s %10s %9s %10s  %s\n' calls "total ms" "mean ms" rows query
  bench_pg_admin "SELECT s.calls, round(s.total_exec_time), round(s.mean_exec_time::numeric, 3), s.rows,
      left(regexp_replace(s.query, '\s+', ' ', 'g'), 90)
    FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
    WHERE d.datname = 'camp' ORDER BY s.total_exec_time DESC LIMIT ${1:-10}" |
    awk -F'|' '{ printf "%10d %10d %9.3f %10d  %s\n", $1, $2, $3, $4, $5 }'
}

# bench_pg_sizes: the largest tables (camp's and the model's) with their index sizes, after a run
bench_pg_sizes() {
  echo "sizes (pg_total_relation_size; index = all the table's indexes):"
  printf '%-20s %10s %10s %10s %10s\n' table rows total table index
  bench_pg_admin "SELECT c.relname, c.reltuples::bigint, pg_size_pretty(pg_total_relation_size(c.oid)),
      pg_size_pretty(pg_relation_size(c.oid)), pg_size_pretty(pg_indexes_size(c.oid))
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r' AND n.nspname = 'public'
    ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 7" |
    awk -F'|' '{ printf "%-20s %10s %10s %10s %10s\n", $1, $2, $3, $4, $5 }'
  bench_pg_admin "SELECT i.relname, pg_size_pretty(pg_relation_size(i.oid))
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
    WHERE t.relname IN ('camp_trace', 'camp_participant', 'camp_event') ORDER BY pg_relation_size(i.oid) DESC" |
    awk -F'|' '{ printf "  index %-48s %10s\n", $1, $2 }'
}

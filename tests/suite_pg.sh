#!/bin/sh
# tests/suite_pg.sh -- the PostgreSQL harness itself (tests/pg.sh), before
# any suite trusts it: a throwaway cluster starts as a non-root user, is
# PostgreSQL 15, takes the role camp over TCP with its password and only
# with it, and over its socket; new databases are separate; a stop cuts
# connections and a start again brings the same data back on the same port;
# a missing PostgreSQL fails loudly; at exit the cluster and its files are gone.
. tests/lib.sh
. tests/pg.sh

# gone PID: no process PID runs (a zombie's parent has not reaped it yet)
gone() { ! kill -0 "$1" 2> /dev/null || grep -q '^State:.*Z' "/proc/$1/status" 2> /dev/null; }
# psql_url URL SQL: SQL over URL, never prompting for a password nor reading ~/.pgpass
psql_url() { PGPASSFILE=$D/no-pgpass "$PG_BIN/psql" -X -w -q -A -t -c "$2" "$1" 2>&1; }

pg_start a || abort "cannot go on without a cluster"
ok "pg_start a"

# -- who runs it, which version --------------------------------------------------
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$PG_PID_a/status" 2> /dev/null)
expect_match "the postmaster runs as a user other than root" '[1-9]*' "$uid"
[ "$(id -u)" != 0 ] || check "under root, the postmaster runs as $_pg_user" "$uid" "$(id -u "$_pg_user")"
expect_match "the server is PostgreSQL 15" '15.*' "$(pg_psql a 'SHOW server_version')"
check "pg_stat_statements is there" "$(pg_psql a 'SELECT count(*) >= 0 FROM pg_stat_statements')" t

# -- connecting -------------------------------------------------------------------
expect_match "PG_URL_a is TCP with a password" "postgresql://camp:$PG_PASSWORD_a@127.0.0.1:$PG_PORT_a/camp" "$PG_URL_a"
check "the camp role over TCP with its password" "$(psql_url "$PG_URL_a" 'SELECT current_user, current_database()')" "camp|camp"
expect_match "a wrong password is refused" '*password authentication failed for user "camp"*' \
  "$(psql_url "postgresql://camp:wrong@127.0.0.1:$PG_PORT_a/camp" 'SELECT 1')"
expect_match "no password over TCP is refused" '*password*' "$(psql_url "postgresql://camp@127.0.0.1:$PG_PORT_a/camp" 'SELECT 1')"
check "the socket URL" "$(psql_url "$PG_SOCKET_URL_a" 'SELECT current_user, inet_server_port()')" "camp|"
check "pg_url a is PG_URL_a" "$(pg_url a)" "$PG_URL_a"
check "pg_socket_url a is PG_SOCKET_URL_a" "$(pg_socket_url a)" "$PG_SOCKET_URL_a"
expect_match "the socket is in PG_SOCKDIR_a" "$D/pg-a/sock" "$PG_SOCKDIR_a"
[ -S "$PG_SOCKDIR_a/.s.PGSQL.$PG_PORT_a" ] && ok "the socket file is there" || bad "the socket file is there" "$(ls -la "$PG_SOCKDIR_a")"

# -- fresh databases ---------------------------------------------------------------
pg_fresh_db a t1 && ok "pg_fresh_db a t1"
pg_fresh_db a t2 && ok "pg_fresh_db a t2"
check "t1 is owned by camp" "$(pg_psql a "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 't1'")" camp
check "t1 is empty" "$(pg_psql a "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" t1)" 0
pg_psql a "CREATE TABLE only_t1 (v int); INSERT INTO only_t1 VALUES (7)" t1
check "a table made in t1 over TCP" "$(psql_url "$(pg_url a t1)" 'SELECT v FROM only_t1')" 7
expect_match "is not in t2" '*does not exist*' "$(psql_url "$(pg_url a t2)" 'SELECT v FROM only_t1')"
expect_match "nor in camp" '*does not exist*' "$(pg_psql a 'SELECT v FROM only_t1' 2>&1)"
check "the socket URL of t2" "$(psql_url "$(pg_socket_url a t2)" 'SELECT current_database()')" t2

# -- stop and start again ------------------------------------------------------------
pg_psql a "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('written before the stop')"
pid=$PG_PID_a port=$PG_PORT_a
pg_stop a && ok "pg_stop a"
# pg_ctl's wait ends when postmaster.pid is removed, a moment before the process ends
wait_for -n 100 gone "$pid" && ok "the postmaster is gone after pg_stop" || bad "the postmaster is gone after pg_stop" "$(ps -fp "$pid")"
expect_match "TCP connections fail while stopped" '*onnection*refused*' "$(psql_url "$PG_URL_a" 'SELECT 1')"
expect_match "socket connections fail while stopped" '*No such file*' "$(psql_url "$PG_SOCKET_URL_a" 'SELECT 1')"
pg_start_again a && ok "pg_start_again a"
check "the same port" "$PG_PORT_a" "$port"
[ "$PG_PID_a" != "$pid" ] && kill -0 "$PG_PID_a" 2> /dev/null && ok "a new postmaster in PG_PID_a" || bad "a new postmaster in PG_PID_a" "before $pid, after $PG_PID_a"
check "the row written before the stop, over TCP after" "$(psql_url "$PG_URL_a" 'SELECT v FROM kept')" "written before the stop"
check "t1 is still there" "$(pg_psql a 'SELECT v FROM only_t1' t1)" 7
pg_stop a immediate && pg_start_again a && ok "an immediate stop (a crash) and a start again"
check "the row after a crash" "$(pg_psql a 'SELECT v FROM kept')" "written before the stop"

# -- a missing PostgreSQL fails loudly -----------------------------------------------
out=$(PG_BIN=/nonexistent; pg_start zz; echo "status $? failed $fail")
expect_match "pg_start without PostgreSQL: one failed check, status 1" \
  "FAIL pg_start zz: no PostgreSQL in /nonexistent*status 1 failed $((fail + 1))" "$out"
expect_match "pg_psql of an unknown cluster says so" "pg: no cluster nope*" "$(pg_psql nope 'SELECT 1' 2>&1)"

# -- at exit, nothing is left ---------------------------------------------------------
# A suite of its own under a long TMPDIR: its socket goes to a short directory in /tmp.
long=$D/a-long-directory-name-for-the-temporary-files/of-a-suite-whose-sockets-would-not-fit
mkdir -p "$long" && chmod -R 755 "$D"/a-long-*
out=$(TMPDIR=$long sh -c '. tests/lib.sh; . tests/pg.sh; pg_start b > /dev/null || exit 1
  echo "$PG_PID_b $D $PG_SOCKDIR_b $(pg_psql b "SELECT 6 * 7")"' 2>&1)
set -- $out
expect_match "a suite under a long TMPDIR started a cluster" '[0-9]* */a-long-* /tmp/pgs.* 42' "$out"
if [ $# = 4 ]; then
  wait_for -n 100 gone "$1" && ok "its postmaster is gone at its exit" || bad "its postmaster is gone at its exit" "$(ps -fp "$1")"
  [ ! -e "$2" ] && ok "its directory is gone" || bad "its directory is gone" "$(ls -la "$2")"
  [ ! -e "$3" ] && ok "its socket directory is gone" || bad "its socket directory is gone" "$(ls -la "$3")"
fi

finish

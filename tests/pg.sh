# tests/pg.sh -- throwaway PostgreSQL 15 clusters for the suites that run
# camp on PostgreSQL.  A suite sources it after tests/lib.sh
# (`. tests/lib.sh; . tests/pg.sh`).
#
# Owns: starting a cluster in $D/pg-NAME (initdb and pg_ctl from Debian's
# postgresql package, as a non-root user: postgres, else nobody, when the
# suite runs as root), its stop, restart and removal at exit, a role and a
# database `camp`, new databases, psql as camp, and the URLs camp is given.
# Does not own: what a suite checks, or camp's schema (camp creates it).
#
# After `pg_start NAME` (NAME: letters, digits, _), exported:
#   PG_URL_NAME         postgresql://camp:PASSWORD@127.0.0.1:PORT/camp (TCP, password)
#   PG_SOCKET_URL_NAME  postgresql://camp@/camp?host=SOCKDIR&port=PORT (socket, trust)
#   PG_PASSWORD_NAME    camp's password (campadmin, the superuser, has the same)
#   PG_PORT_NAME PG_SOCKDIR_NAME PG_DATA_NAME PG_LOG_NAME
#   PG_PID_NAME         the postmaster's PID (renewed by pg_start_again)
#   PG_BIN              the directory of initdb, pg_ctl and psql
# Every cluster is stopped (immediate mode) and its files removed when the
# suite exits, before lib.sh's cleanup.  A helper that cannot do its job
# says so in one failed check (bad) and returns 1: a suite without
# PostgreSQL fails, it never passes silently.
#
# Settings are for speed, not safety: fsync, synchronous_commit and
# full_page_writes off, shared_buffers 32MB; pg_stat_statements is preloaded
# and created in the database camp.

PG_BIN=$(pg_config --bindir 2> /dev/null)
[ -x "$PG_BIN/initdb" ] || PG_BIN=/usr/lib/postgresql/15/bin
export PG_BIN
_pg_names=

# The user clusters run as: ourselves, or postgres (else nobody) under root.
if [ "$(id -u)" = 0 ]; then
  _pg_user=postgres
  id -u "$_pg_user" > /dev/null 2>&1 || _pg_user=nobody
  _pg_uid=$(id -u "$_pg_user") _pg_gid=$(id -g "$_pg_user")
else
  _pg_user=$(id -un) _pg_uid=
fi

# _pg_as CMD...: CMD as the cluster's user, from $_pg_dir
_pg_as() {
  if [ -n "$_pg_uid" ]; then
    (cd "$_pg_dir" && setpriv --reuid="$_pg_uid" --regid="$_pg_gid" --init-groups env HOME="$_pg_dir" "$@")
  else
    (cd "$_pg_dir" && "$@")
  fi
}
# _pg_load NAME: _pg_dir, _pg_port, _pg_sock of cluster NAME (1 when NAME was never started)
_pg_load() {
  case $1 in '' | *[!A-Za-z0-9_]*) echo "pg: bad cluster name '$1' (letters, digits, _)"; return 1 ;; esac
  eval "_pg_port=\${PG_PORT_$1:-} _pg_sock=\${PG_SOCKDIR_$1:-}"
  _pg_dir=$D/pg-$1
  [ -n "$_pg_port" ] || { echo "pg: no cluster $1 (pg_start $1 first)"; return 1; }
}
# _pg_fail WHAT: a failed check naming WHAT, with the end of the cluster's log; 1
_pg_fail() { bad "$1" "$(tail -n 15 "$_pg_dir/log" 2> /dev/null)"; return 1; }
# _pg_admin SQL [DB]: SQL as campadmin over the socket; the output or the error
_pg_admin() {
  "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$_pg_sock" -p "$_pg_port" -U campadmin -d "${2:-postgres}" -c "$1" 2>&1
}
# _pg_pid: the postmaster's PID from the data directory (empty when none)
_pg_pid() { head -n 1 "$_pg_dir/data/postmaster.pid" 2> /dev/null; }
# _pg_ctl_start: pg_ctl start, waiting until it accepts connections; sets PG_PID_NAME
_pg_ctl_start() {
  _pg_as "$PG_BIN/pg_ctl" -D "$_pg_dir/data" -l "$_pg_dir/log" -w -t 120 start > "$_pg_dir/pg_ctl.out" 2>&1 || return 1
  export "PG_PID_$_pg_name=$(_pg_pid)"
}

# pg_start NAME: a new cluster NAME (see the top of this file); 1 and a
# failed check when PostgreSQL is missing or does not start
pg_start() {
  _pg_name=$1
  case $_pg_name in '' | *[!A-Za-z0-9_]*) bad "pg_start: bad cluster name '$_pg_name' (letters, digits, _)"; return 1 ;; esac
  _pg_dir=$D/pg-$_pg_name
  [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/psql" ] ||
    { bad "pg_start $_pg_name: no PostgreSQL in $PG_BIN (Debian: apt-get install -y postgresql)"; return 1; }
  [ ! -e "$_pg_dir" ] || { bad "pg_start $_pg_name: $_pg_dir exists (started twice?)"; return 1; }
  mkdir -p "$_pg_dir/data" "$_pg_dir/sock"
  _pg_sock=$_pg_dir/sock
  # a Unix socket path holds 107 bytes: $_pg_sock/.s.PGSQL.NNNNN must fit
  if [ ${#_pg_sock} -gt 80 ]; then
    _pg_sock=$(mktemp -d /tmp/pgs.XXXXXX) || { bad "pg_start $_pg_name: no short socket directory"; return 1; }
    echo "$_pg_sock" > "$_pg_dir/sock.outside"
  fi
  _pg_names="$_pg_names $_pg_name"
  chmod 755 "$_pg_dir" "$_pg_sock"
  chmod 700 "$_pg_dir/data"
  _pg_pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  echo "$_pg_pw" > "$_pg_dir/pwfile"
  : > "$_pg_dir/log"
  [ -z "$_pg_uid" ] || chown -R "$_pg_uid:$_pg_gid" "$_pg_dir" "$_pg_sock"
  _pg_as test -w "$_pg_dir/data" ||
    { bad "pg_start $_pg_name: user $_pg_user cannot write $_pg_dir/data (a parent directory closed to it?)"; return 1; }
  _pg_port=$(free_port)
  _pg_as "$PG_BIN/initdb" -D "$_pg_dir/data" -U campadmin --pwfile="$_pg_dir/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 --no-locale -E UTF8 --no-sync > "$_pg_dir/initdb.out" 2>&1 ||
    { bad "pg_start $_pg_name: initdb failed" "$(tail -n 15 "$_pg_dir/initdb.out")"; return 1; }
  cat >> "$_pg_dir/data/postgresql.conf" << EOF
# tests/pg.sh: a throwaway cluster
port = $_pg_port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$_pg_sock'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 100
shared_preload_libraries = 'pg_stat_statements'
log_min_messages = warning
log_connections = off
EOF
  export "PG_PORT_$_pg_name=$_pg_port" "PG_SOCKDIR_$_pg_name=$_pg_sock" "PG_DATA_$_pg_name=$_pg_dir/data" \
    "PG_LOG_$_pg_name=$_pg_dir/log" "PG_PASSWORD_$_pg_name=$_pg_pw" \
    "PG_URL_$_pg_name=postgresql://camp:$_pg_pw@127.0.0.1:$_pg_port/camp" \
    "PG_SOCKET_URL_$_pg_name=postgresql://camp@/camp?host=$_pg_sock&port=$_pg_port"
  _pg_ctl_start || { _pg_fail "pg_start $_pg_name: pg_ctl start failed ($(tail -n 1 "$_pg_dir/pg_ctl.out"))"; return 1; }
  _pg_out=$(_pg_admin "CREATE ROLE camp LOGIN CREATEDB PASSWORD '$_pg_pw'" &&
    _pg_admin "CREATE DATABASE camp OWNER camp" &&
    _pg_admin "CREATE EXTENSION pg_stat_statements" camp) ||
    { bad "pg_start $_pg_name: setting up role and database camp failed" "$_pg_out"; return 1; }
}

# pg_stop NAME [MODE]: stop cluster NAME (pg_ctl stop -m MODE: fast, the
# default, or immediate: a crash); its files stay
pg_stop() {
  _pg_name=$1
  _pg_load "$1" > "$D/pg.err" || { bad "pg_stop: $(cat "$D/pg.err")"; return 1; }
  _pg_as "$PG_BIN/pg_ctl" -D "$_pg_dir/data" -m "${2:-fast}" -w -t 120 stop > "$_pg_dir/pg_ctl.out" 2>&1 ||
    { _pg_fail "pg_stop $1: pg_ctl stop failed ($(tail -n 1 "$_pg_dir/pg_ctl.out"))"; return 1; }
}

# pg_start_again NAME: start stopped cluster NAME again, same port, socket and data
pg_start_again() {
  _pg_name=$1
  _pg_load "$1" > "$D/pg.err" || { bad "pg_start_again: $(cat "$D/pg.err")"; return 1; }
  _pg_ctl_start || { _pg_fail "pg_start_again $1: pg_ctl start failed ($(tail -n 1 "$_pg_dir/pg_ctl.out"))"; return 1; }
}

# pg_psql NAME SQL [DB]: SQL as camp over the socket in database DB (camp);
# rows unaligned (fields joined by |), without headers; psql's status
pg_psql() {
  _pg_load "$1" || return 1
  "$PG_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$_pg_sock" -p "$_pg_port" -U camp -d "${3:-camp}" -c "$2"
}

# pg_fresh_db NAME DB: a new empty database DB owned by camp in cluster NAME;
# a failed check (and 1) when it cannot be made
pg_fresh_db() {
  _pg_load "$1" > "$D/pg.err" || { bad "pg_fresh_db: $(cat "$D/pg.err")"; return 1; }
  _pg_out=$(_pg_admin "CREATE DATABASE \"$2\" OWNER camp") || { bad "pg_fresh_db $1 $2" "$_pg_out"; return 1; }
}

# pg_url NAME [DB]: the TCP URL (with the password) of DB (camp) in cluster NAME
pg_url() { _pg_load "$1" && eval "echo \"postgresql://camp:\$PG_PASSWORD_$1@127.0.0.1:$_pg_port/${2:-camp}\""; }
# pg_socket_url NAME [DB]: the socket URL of DB (camp) in cluster NAME
pg_socket_url() { _pg_load "$1" && echo "postgresql://camp@/${2:-camp}?host=$_pg_sock&port=$_pg_port"; }

# _pg_cleanup: every cluster stopped at once (immediate), its short socket
# directory removed; the exit trap, before lib.sh's cleanup removes $D
_pg_cleanup() {
  for _pg_name in $_pg_names; do
    _pg_dir=$D/pg-$_pg_name
    [ -z "$(_pg_pid)" ] || _pg_as "$PG_BIN/pg_ctl" -D "$_pg_dir/data" -m immediate -w -t 60 stop > /dev/null 2>&1
    [ ! -f "$_pg_dir/sock.outside" ] || rm -rf "$(cat "$_pg_dir/sock.outside")"
  done
}
trap '_pg_cleanup; cleanup' EXIT

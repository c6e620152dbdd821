# tests/lib.sh -- what the shell suites share.  A suite sources it first,
# from the repository root (`. tests/lib.sh`).
#
# Owns: the binary under test (CAMP), a scratch directory D removed on exit
# (KEEP=1 keeps it), background processes stopped on exit, the pass/fail
# counters and the closing `N passed, N failed` line, checks, waits on a
# condition (never a bare sleep), new databases, the SMTP test server, camp
# serve, and the front door: traces, suppressions and reports read through
# camp's own output (`timeline --format json`, `suppress list --format json`,
# `report --format json`), not through the schema.
# Does not own: what a suite checks; the scenario language
# (tests/scenarios/lib.sh, which builds on this); the golden runner
# (tests/golden.sh).
#
# Helpers keep their own variables under a leading underscore, so a suite's
# i, n or want are never touched.
BUILD=${BUILD:-build}
CAMP=${CAMP:-$PWD/$BUILD/camp}
PY=/usr/bin/python3
D=$(mktemp -d)
chmod 755 "$D"        # unprivileged users (dovecot, setpriv checks) read below D
PIDS=
pass=0; fail=0
T0=$(date +%s)

# -- processes and cleanup ---------------------------------------------------

# started PID: stop PID (SIGTERM) when the suite exits
started() { PIDS="$PIDS $1"; }
# stop_pid PID: SIGTERM, wait; its exit status; forgotten by the exit trap
# (dash reports a job a signal ended, even once waited for: not here)
stop_pid() {
  PIDS=$(echo " $PIDS " | sed "s/ $1 / /g")
  kill -TERM "$1" 2> /dev/null
  wait "$1" 2> /dev/null
}
cleanup() {
  for _p in $PIDS; do kill "$_p" 2> /dev/null; done
  for _p in $PIDS; do wait "$_p" 2> /dev/null; done
  if [ -n "${KEEP:-}" ]; then echo "kept $D"; return; fi
  chmod -R u+w "$D" 2> /dev/null
  rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# -- counting ------------------------------------------------------------------

# ok [NAME]: a check passed (a named one is printed; TIMING=1 adds seconds)
ok() { pass=$((pass + 1)); [ -z "${1:-}" ] || echo "ok   $1${TIMING:+ ($(($(date +%s) - T0)) s)}"; }
# bad NAME [DETAIL]: a check failed; DETAIL is printed indented below
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/     /'; return 0; }
# expect NAME WANT GOT: passes when GOT is WANT
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "want: $2
got:  $3"; fi; }
# check NAME GOT WANT: expect with what was got first
check() { expect "$1" "$3" "$2"; }
# expect_match NAME PATTERN GOT: passes when GOT matches the shell PATTERN
expect_match() { case $3 in $2) ok "$1" ;; *) bad "$1" "want: $2
got:  $(printf '%.300s' "$3")" ;; esac; }
# finish: the closing line; the suite's exit status
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
# abort WHY: the suite cannot go on (a missing tool): one failure, the closing line, exit 1
abort() { echo "$1"; fail=$((fail + 1)); finish; exit 1; }

# -- waiting -------------------------------------------------------------------

# wait_for [-n TRIES] [-s STEP] CMD...: run CMD until it succeeds, every STEP
# seconds (0.1), at most TRIES times (600: a minute, for a loaded machine
# under the sanitizers; a wait ends as soon as CMD succeeds); 1 if it never did
wait_for() {
  _tries=600 _step=0.1
  while :; do
    case $1 in -n) _tries=$2; shift 2 ;; -s) _step=$2; shift 2 ;; *) break ;; esac
  done
  _i=1
  until "$@"; do
    [ $_i -lt "$_tries" ] || return 1
    sleep "$_step"; _i=$((_i + 1))
  done
}
# answers WANT CMD...: CMD prints WANT
answers() { _want=$1; shift; [ "$("$@")" = "$_want" ]; }
# at_least N CMD...: CMD prints a number of N or more
at_least() { _n=$1; shift; [ "$("$@")" -ge "$_n" ]; }

# -- programs on 127.0.0.1 ------------------------------------------------------

# free_port: a TCP port free on 127.0.0.1 right now
free_port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# listening PORT: something accepts connections on 127.0.0.1:PORT
listening() { $PY -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2> /dev/null; }
# has_module NAME: Debian's python has module NAME
has_module() { $PY -c "import $1" 2> /dev/null; }
# code CURL-ARGS...: the HTTP status curl gets
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# smtp_server NAME [server.py options]: tests/smtp/server.py in $D/NAME (with
# $D/cert.pem and key.pem when they exist); sets SRV, PORT and PID_NAME
smtp_server() {
  SRV=$D/$1; shift
  mkdir -p "$SRV"
  [ -f "$D/cert.pem" ] && cp "$D/cert.pem" "$D/key.pem" "$SRV/"
  $PY tests/smtp/server.py "$SRV" "$@" > "$SRV/log" 2>&1 &
  started $!
  eval "PID_$(basename "$SRV")=$!"
  wait_for test -s "$SRV/port"
  PORT=$(cat "$SRV/port" 2> /dev/null)
  [ -n "$PORT" ] || { echo "server $SRV did not start:"; cat "$SRV/log"; }
}
# smtp_stop NAME: stop the server smtp_server NAME started
smtp_stop() { eval "stop_pid \$PID_$1"; }

# camp_serve DB [VAR=VALUE...]: camp serve on DB at 127.0.0.1 and a free
# port, with VAR=VALUE added to the environment; sets SERVER, BASE, PORT; a
# failed check (and 1) when it does not listen within a minute
camp_serve() {
  _db=$1; shift
  : > "$D/serve.log"      # now, not in the child: a last server's "listening" line must be gone before we look
  env "$@" "$CAMP" serve --db "$_db" --listen 127.0.0.1:0 > "$D/serve.log" 2>&1 &
  SERVER=$!
  started $SERVER
  wait_for grep -q listening "$D/serve.log"
  BASE=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$D/serve.log")
  PORT=${BASE##*:}
  [ -n "$BASE" ] && return 0
  if kill -0 "$SERVER" 2> /dev/null; then _why="still starting after a minute"; else wait "$SERVER"; _why="exit status $?"; fi
  bad "server did not start ($_why)" "$(cat "$D/serve.log")"
  return 1
}

# -- databases -------------------------------------------------------------------

# new_db DB FILE.camp [CSV [CLOCK]]: a new database at CLOCK (default
# 2026-01-05T09:00:00Z; 'real': the real clock) with FILE.camp deployed and
# started and CSV (when given) imported as contacts; a failed check naming
# DB (and 1) when a step fails
new_db() {
  _clock=${4:-2026-01-05T09:00:00Z}
  [ "$_clock" = real ] && _clock=
  "$CAMP" init --db "$1" ${_clock:+--clock "$_clock"} > /dev/null &&
    "$CAMP" deploy --db "$1" --start "$2" > /dev/null &&
    { [ -z "${3:-}" ] || "$CAMP" import --db "$1" --model contact "$3" > /dev/null; } ||
    { bad "setup of $1"; return 1; }
}

# -- the store switch -------------------------------------------------------------
# A suite that makes its databases with store_db runs on the store
# CAMP_TEST_STORE names: sqlite (default: a file in $D) or postgresql (a
# fresh database in a throwaway PostgreSQL 15 cluster, tests/pg.sh, started
# by store_init; its URL shows no password in what camp prints).  tests/run.sh
# runs the suites marked "# store: both" once per store.
STORE=${CAMP_TEST_STORE:-sqlite}
# store_init: the cluster, when the suite runs on PostgreSQL (once, in the
# suite's own shell: subshells and scripts it runs inherit it)
store_init() {
  [ "$STORE" = postgresql ] || return 0
  [ -n "${PG_PORT_store:-}" ] && { . tests/pg.sh; return 0; }
  . tests/pg.sh
  pg_start store || abort "store: no PostgreSQL cluster"
}
# store_db NAME [VAR]: VAR (DB) is a new, empty database's target for camp
# --db: $D/NAME.db, or a new PostgreSQL database NAME_<pid> (unique across
# the suite's scripts)
store_db() {
  if [ "$STORE" = postgresql ]; then
    pg_fresh_db store "$1_$$" || return 1
    eval "${2:-DB}=\$(pg_url store \"\$1_\$\$\")"
  else eval "${2:-DB}=\$D/\$1.db"; fi
}
# store_sql DB SQL: the rows of SQL on DB, columns joined by '|'
store_sql() {
  case $1 in
    postgres*) pg_psql store "$2" "${1##*/}" ;;
    *) sqlite3 "$1" "$2" ;;
  esac
}
# store_mask: what a store's name looks like in camp's output, as a path in $D would
store_mask() { sed "s#postgresql://camp@127.0.0.1:[0-9]*/\([a-z0-9_]*\)_[0-9]*#$D/\1.db#g"; }

# csv_column CSV NAME: column NAME of every row of CSV, a line each: line N
# is record N when CSV was imported into an empty model (ids follow the file)
csv_column() { $PY -c 'import csv, sys; print("\n".join(r[sys.argv[2]] for r in csv.DictReader(open(sys.argv[1], newline=""))))' "$1" "$2"; }
# record_of CSV NAME VALUE: the record id of CSV's row whose NAME is VALUE (as csv_column)
record_of() { csv_column "$1" "$2" | grep -nxF -- "$3" | cut -d: -f1; }
# join_lines SEP: stdin's lines joined by SEP
join_lines() { awk -v s="$1" 'NR > 1 { printf "%s", s } { printf "%s", $0 } END { if (NR) print "" }'; }
# trace_of MESSAGE-ID: the trace number a Message-ID names (t<trace>.<mac>@camp)
trace_of() { sed -n 's/^t\([0-9]*\)\..*/\1/p'; }

# -- the front door: what camp itself says ------------------------------------------

# rows FIELDS [COND...] < JSON: for each object of the JSON on stdin (an
# array, or the one array an object holds) that meets every COND (KEY=VALUE,
# KEY!=VALUE, or KEY~TEXT: VALUE contains TEXT), its FIELDS
# (comma-separated) joined by '|', a line each, in order.  Lists are joined
# by commas, null is empty, booleans are true and false.
rows() {
  $PY -c '
import json, re, sys
def text(v):
    if v is None: return ""
    if isinstance(v, bool): return "true" if v else "false"
    if isinstance(v, list): return ",".join(text(x) for x in v)
    return str(v)
data = json.load(sys.stdin)
if isinstance(data, dict): data = next(v for v in data.values() if isinstance(v, list))
conds = [re.match(r"([a-z_]+)(!=|=|~)(.*)$", c, re.S).groups() for c in sys.argv[2:]]
for o in data:
    if all({"=": lambda a, b: a == b, "!=": lambda a, b: a != b, "~": lambda a, b: b in a}[op](text(o[k]), v) for k, op, v in conds):
        print("|".join(text(o[f]) for f in sys.argv[1].split(",")))
' "$@"
}
# traces DB FIELDS [COND...]: rows of `camp timeline --format json` (fields:
# campaign record test participant activity state due done attempts events
# message_id message)
traces() { _db=$1; shift; "$CAMP" timeline --db "$_db" --format json | rows "$@"; }
# ntraces DB [COND...]: how many traces meet every COND
ntraces() { _db=$1; shift; traces "$_db" state "$@" | wc -l | tr -d ' '; }
# suppressions DB FIELDS [COND...]: rows of `camp suppress list --format json`
# (channel address at reason), sorted
suppressions() { _db=$1; shift; "$CAMP" suppress --db "$_db" list --format json | rows "$@" | sort; }
# report DB EXPR [ARG...]: a Python expression over `camp report --format
# json` (r); acts is every activity of every campaign, ARGs are sys.argv[2:]
report() {
  _db=$1; shift
  "$CAMP" report --db "$_db" --format json | $PY -c '
import json, sys
r = json.load(sys.stdin)
acts = [a for c in r["campaigns"] for a in c["activities"]]
print(eval(sys.argv[1]))' "$@"
}

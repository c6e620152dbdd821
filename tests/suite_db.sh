#!/bin/sh
# tests/suite_db.sh -- runtime/db.h, the store's one SQL API, on a real
# SQLite file and a real PostgreSQL 15 database (tests/pg.sh): the same
# checks on both (tests/db/dbcheck.c: parameters, quotes, big ints, reals,
# blobs, nulls, RETURNING, changes, transactions, errors, retries, COPY,
# LISTEN/NOTIFY), a PostgreSQL server restarted under open connections
# (dbcheck --restart), and a PostgreSQL connection that fails says why in
# one line, never with the password, in dbcheck and in camp.
. tests/lib.sh
. tests/pg.sh
DBCHECK=${DBCHECK:-$PWD/$BUILD/db/dbcheck}
[ -x "$DBCHECK" ] || abort "$DBCHECK is missing (make $BUILD/db/dbcheck)"

# same NAME N OUT: a dbcheck run passed its N checks (one ok; the output when not)
same() {
  case $3 in *"
$2 passed, 0 failed") ok "$1" ;; *) bad "$1" "$(printf '%s\n' "$3" | grep -v '^ok' | tail -20)" ;; esac
}
same "dbcheck on a SQLite file" 51 "$("$DBCHECK" "$D/check.db" 2>&1)"

pg_start a || abort "cannot go on without a cluster"
pg_fresh_db a dbc
same "dbcheck on PostgreSQL over TCP with a password" 71 "$("$DBCHECK" "$(pg_url a dbc)" 2>&1)"
pg_fresh_db a dbs
same "dbcheck on PostgreSQL over its socket" 71 "$("$DBCHECK" "$(pg_socket_url a dbs)" 2>&1)"

# -- the server restarted under open connections: dbcheck --restart says
# "restart" or "stop" and waits for a line; the cluster starts again in the
# background, while dbcheck's next call waits for it (no sleep here)
pg_fresh_db a dbr
mkfifo "$D/answer"
"$DBCHECK" --restart "$(pg_url a dbr)" < "$D/answer" > "$D/restart.out" 2>&1 &
rpid=$!
started $rpid
exec 3> "$D/answer"
if wait_for grep -qx restart "$D/restart.out"; then
  pg_stop a fast
  pg_start_again a > "$D/start.out" 2>&1 &
  spid=$!
  echo go >&3
  wait $spid && ok "the cluster started again in the background" || bad "the cluster started again in the background" "$(cat "$D/start.out")"
fi
if wait_for grep -qx stop "$D/restart.out"; then
  pg_stop a fast
  echo go >&3
fi
wait $rpid
rc=$?
exec 3>&-
out=$(cat "$D/restart.out")
same "dbcheck --restart: reconnects, prepares again, refuses the rest of a lost transaction, listens again" 18 "$out"
check "dbcheck --restart: exit 0" "$rc" 0
expect_match "a server away for longer than CAMP_PG_RECONNECT_SECONDS: one line" \
  "*message: connection to PostgreSQL lost; not back within 1 s: cannot connect to PostgreSQL at 127.0.0.1:$PG_PORT_a: Connection refused
*" "$out"
pg_start_again a || abort "the cluster does not start again"

# -- the store's tables on PostgreSQL: the columns a SQLite camp init makes
"$CAMP" init --db "$D/init.db" > /dev/null
pg_fresh_db a schema
out=$("$DBCHECK" --pg-schema "$(pg_url a schema)" 2>&1) && ok "the PostgreSQL schema is created" || bad "the PostgreSQL schema is created" "$out"
lite=$(sqlite3 "$D/init.db" "SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p
  WHERE m.type = 'table' ORDER BY 1")
pg=$(pg_psql a "SELECT table_name || '.' || column_name AS c FROM information_schema.columns WHERE table_schema = 'public'
  ORDER BY table_name || '.' || column_name COLLATE \"C\"" schema)
check "every table has the same columns on PostgreSQL as on SQLite" "$pg" "$lite"
lite=$(sqlite3 "$D/init.db" "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY 1")
pg=$(pg_psql a "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'
  AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = indexname) ORDER BY indexname COLLATE \"C\"" schema)
check "and the same indexes" "$pg" "$lite"

# opening NAME URL WANT: dbcheck --open URL prints WANT (a pattern), exits 1, never shows the password
opening() {
  _out=$("$DBCHECK" --open "$2" 2>&1); _rc=$?
  expect_match "$1: one line" "$3" "$_out"
  check "$1: exit 1" "$_rc" 1
  case $_out in *"$PG_PASSWORD_a"*|*wrongpass*|*"
"*) bad "$1: the password or more than one line in the message" "$_out" ;; *) ok "$1: no password shown" ;; esac
}
port=$(free_port)
opening "nothing listens on the port" "postgresql://camp:wrongpass@127.0.0.1:$port/camp" \
  "cannot connect to PostgreSQL at 127.0.0.1:$port: Connection refused"
opening "a wrong password" "postgresql://camp:wrongpass@127.0.0.1:$PG_PORT_a/camp" \
  "PostgreSQL refused user 'camp': password authentication failed"
opening "no such database" "postgresql://camp:$PG_PASSWORD_a@127.0.0.1:$PG_PORT_a/nosuch" \
  "PostgreSQL has no database 'nosuch' (create it: createdb -O camp nosuch)"
opening "no such user" "postgresql://nobody:wrongpass@127.0.0.1:$PG_PORT_a/camp" \
  "PostgreSQL refused user 'nobody': password authentication failed"
opening "not a URL libpq reads" "postgresql://camp:wrongpass@127.0.0.1:$PG_PORT_a/camp?nosuchoption=1" \
  "'postgresql://camp@127.0.0.1:$PG_PORT_a/camp?nosuchoption=1' is not a PostgreSQL URL that libpq reads: invalid URI query parameter: \"nosuchoption\""
check "a URL's name is shown without its password" "$("$DBCHECK" --open "$(pg_url a dbc)" | sed -n 's/^name: //p')" \
  "postgresql://camp@127.0.0.1:$PG_PORT_a/dbc"

# -- camp import on PostgreSQL (COPY; with --key a copy and a merge): the
# same records as on SQLite, odd values, a key twice, records without a key
cat > "$D/m.camp" << 'C'
model contact {
  name text
  email email
  age int
  score real
  vip bool
  born datetime
}
C
$PY - "$D" << 'P'
import csv, sys
d = sys.argv[1]
def write(name, rows):
    with open(f"{d}/{name}", "w", newline="") as f: csv.writer(f, lineterminator="\n").writerows(rows)
h = ["name", "email", "age", "score", "vip", "born"]
write("plain.csv", [h, ["tab\there", "a@x.test", "1", "0.1", "yes", "2026-01-05"],
    ["line\nbreak\\back\\N", "b@x.test", "", "1e3", "no", "2026-01-05T09:00:00+02:00"],
    ["Zoë ✓ \"quoted\"", "", "-9007199254740993", "", "", ""], ["\\.", "c@x.test", "+7", "-2.5", "1", ""]])
write("keyed.csv", [["email", "name", "age"], ["a@x.test", "updated", "10"], ["d@x.test", "new, first", "20"],
    ["", "no key 1", "30"], ["d@x.test", "new, last", "21"], ["", "no key 2", "31"], ["b@x.test", "b again", ""],
    ["e@x.test", "new e", "40"]])
write("bad.csv", [h, ["ok", "f@x.test", "1", "", "", ""], ["bad", "g@x.test", "x1", "", "", ""]])
P
pg_fresh_db a imp
for db in "$D/imp.db" "$(pg_url a imp)"; do
  "$CAMP" init --db "$db" > /dev/null && "$CAMP" deploy --db "$db" "$D/m.camp" > /dev/null || bad "setup of $db"
done
# records DB: every contact, a line each (a real as millionths: no two engines print a double alike)
records() {
  _sql="SELECT id, name, email, age, CAST(round(score * 1000000) AS BIGINT), vip, born FROM contact ORDER BY id"
  case $1 in postgres*) pg_psql a "$_sql" imp ;; *) sqlite3 "$1" "$_sql" ;; esac
}
for f in plain keyed bad; do
  key=; [ $f = keyed ] && key="--key email"
  lite=$("$CAMP" import --db "$D/imp.db" --model contact $key "$D/$f.csv" 2>&1; echo "exit $?")
  pg=$("$CAMP" import --db "$(pg_url a imp)" --model contact $key "$D/$f.csv" 2>&1; echo "exit $?")
  check "camp import $key $f.csv: the same output on PostgreSQL as on SQLite" "$pg" "$lite"
  check "and the same records" "$(records "$(pg_url a imp)")" "$(records "$D/imp.db")"
done
expect_match "a bad value: FILE:LINE, nothing imported" "*bad.csv:3: error: column 'age': 'x1' is not an int*nothing imported*exit 1" "$pg"
check "the keyed import: the last record of a key wins, records without a key each their own" \
  "$(pg_psql a "SELECT name FROM contact WHERE id > 4 ORDER BY id" imp | join_lines ,)" "new, last,no key 1,no key 2,new e"

# -- camp itself, given a URL it cannot use: one line, exit 1, no password
for cmd in init status; do
  for case in "a wrong password|postgresql://camp:wrongpass@127.0.0.1:$PG_PORT_a/camp|PostgreSQL refused user 'camp': password authentication failed" \
    "no such database|postgresql://camp:$PG_PASSWORD_a@127.0.0.1:$PG_PORT_a/nosuch|PostgreSQL has no database 'nosuch' (create it: createdb -O camp nosuch)" \
    "nothing listening|postgresql://camp:wrongpass@127.0.0.1:$port/camp|cannot connect to PostgreSQL at 127.0.0.1:$port: Connection refused"; do
    what=${case%%|*} rest=${case#*|}
    out=$(cd "$D" && "$CAMP" $cmd --db "${rest%%|*}" 2>&1); rc=$?
    check "camp $cmd --db URL, $what: exit 1" "$rc" 1
    check "camp $cmd --db URL, $what: one line without the password" "$out" "camp $cmd: ${rest#*|}"
  done
done

# -- camp itself on a PostgreSQL URL: the store is made there, and no
# message shows the password (camp echoed the whole URL as a file path once)
shown="postgresql://camp@127.0.0.1:$PG_PORT_a/camp"
out=$(cd "$D" && "$CAMP" init --db "$(pg_url a)" --clock 2026-01-05T09:00:00Z 2>&1); rc=$?
check "camp init --db URL: exit 0" "$rc" 0
check "camp init --db URL: names the store without the password" "$out" "$shown: ready (simulated clock)"
out=$(cd "$D" && "$CAMP" init --db "$(pg_url a)" 2>&1); rc=$?
check "camp init --db URL again: exit 1" "$rc" 1
check "camp init --db URL again: refused in one line, no password" "$out" \
  "camp init: '$shown' already has a camp store; camp init only creates a new one (use it with --db, or give an empty database)"
out=$(cd "$D" && "$CAMP" status --db "$(pg_url a)" 2>&1); rc=$?
check "camp status --db URL: exit 0" "$rc" 0
check "camp status --db URL: the store without the password" "$(printf '%s\n' "$out" | sed -n 1p)" "database  $shown"
pg_fresh_db a empty
out=$(cd "$D" && "$CAMP" status --db "$(pg_url a empty)" 2>&1); rc=$?
check "camp status on an empty PostgreSQL database: exit 1" "$rc" 1
check "camp status on an empty PostgreSQL database: one line" "$out" \
  "camp status: 'postgresql://camp@127.0.0.1:$PG_PORT_a/empty' is not a camp database (create it with camp init --db)"
check "camp init --db URL made no file" "$(ls "$D" | grep -c postgres)" 0
finish

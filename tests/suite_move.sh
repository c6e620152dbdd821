#!/bin/sh
# tests/suite_move.sh -- camp migrate (runtime/store_move.c): a camp database
# with real content (campaigns run with sink:, events, lists, a suppression,
# a website visit) copied SQLite -> PostgreSQL -> SQLite, and SQLite ->
# SQLite, PostgreSQL -> PostgreSQL; every table's rows compared on both
# sides (a typed dump on SQLite, values on PostgreSQL); the copy opens with
# camp and its secret still verifies the Message-IDs sent before; the
# refusals (not a camp database, a target that is not new, a missing file,
# a wrong password or database) are one line and exit 1; a copy that fails
# half-way or is killed leaves the target as it was; 100,000 traces timed.
. tests/lib.sh
. tests/pg.sh
C=$CAMP

# dump DB [typed]: every table of a camp database but camp_runner (and
# PostgreSQL's camp_meta 'schema'), a row a line, sorted: table|v|v...  DB is
# a SQLite file or pg:NAME (database NAME of cluster main).  Blobs as hex,
# reals as Python's repr; typed (SQLite only) prefixes each value with its
# storage class, so an integer stored as text shows.
dump() {
  $PY - "$@" << 'PY'
import os, sqlite3, subprocess, sys
target, typed = sys.argv[1], len(sys.argv) > 2
def value(v, real=False):
    if v is None: return "n" if typed else "<NULL>"
    if isinstance(v, bytes): return ("b:" if typed else "") + v.hex().upper()
    if isinstance(v, float) or real: return ("f:" if typed else "") + repr(float(v))
    if isinstance(v, int): return ("i:" if typed else "") + str(v)
    return ("t:" if typed else "") + v.replace("\\", "\\\\").replace("\n", "\\n")
out = []
if target.startswith("pg:"):
    def psql(sql):
        r = subprocess.run([os.environ["PG_BIN"] + "/psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-R", "\x1e", "-P", "null=\x1d",
                            "-h", os.environ["PG_SOCKDIR_main"], "-p", os.environ["PG_PORT_main"], "-U", "camp", "-d", target[3:],
                            "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True, check=True)
        text = r.stdout[:-1] if r.stdout.endswith("\n") else r.stdout     # psql ends its output with a newline
        return [row.split("\x1f") for row in text.split("\x1e") if row]
    cols = {}
    for t, c, ty in psql("SELECT table_name, column_name, data_type FROM information_schema.columns "
                         "WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"):
        cols.setdefault(t, []).append((c, ty))
    for t, cs in sorted(cols.items()):
        if t == "camp_runner": continue
        sel = ", ".join("upper(encode(\"%s\", 'hex'))" % c if ty == "bytea" else "CAST(\"%s\" AS TEXT)" % c for c, ty in cs)
        where = " WHERE key <> 'schema'" if t == "camp_meta" else ""
        for row in psql('SELECT %s FROM "%s"%s' % (sel, t, where)):
            vals = [None if v == "\x1d" else v for v in row]
            out.append(t + "|" + "|".join(value(v, ty == "double precision" and v is not None) for v, (c, ty) in zip(vals, cs)))
else:
    db = sqlite3.connect(target)
    db.text_factory = lambda b: b.decode("utf-8", "replace")
    for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        if t == "camp_runner": continue
        for row in db.execute('SELECT * FROM "%s"' % t):
            out.append(t + "|" + "|".join(value(v) for v in row))
print("\n".join(sorted(out)))
PY
}
# same_rows NAME A B [typed]: dump A and dump B are the same (the first lines that differ when not)
same_rows() {
  dump "$2" ${4:+typed} > "$D/dump.a" && dump "$3" ${4:+typed} > "$D/dump.b" || { bad "$1: cannot dump"; return; }
  if cmp -s "$D/dump.a" "$D/dump.b"; then ok "$1 ($(wc -l < "$D/dump.a") rows)"
  else bad "$1" "$(diff "$D/dump.a" "$D/dump.b" | head -20)"; fi
}
# refused NAME PATTERN MIGRATE-ARGS...: camp migrate exits 1 with one line matching PATTERN
refused() {
  _name=$1 _want=$2; shift 2
  _out=$("$C" migrate "$@" 2>&1); _rc=$?
  check "$_name: exit 1" "$_rc" 1
  expect_match "$_name: says why in one line" "camp migrate: $_want" "$_out"
  case $_out in *"$PG_PASSWORD_main"*|*wrongpass*) bad "$_name: the password is shown" "$_out" ;; esac
}
# pg_tables DB: how many tables database DB of cluster main has
pg_tables() { pg_psql main "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'" "$1"; }

# -- a source with real content ------------------------------------------------
new_db "$D/src.db" examples/welcome_flow.camp examples/data/contacts.csv 2026-06-02T09:00:00Z || abort "no source database"
"$C" deploy --db "$D/src.db" examples/oro_lists.camp > /dev/null &&
  "$C" deploy --db "$D/src.db" --start examples/website.camp > /dev/null &&
  "$C" list --db "$D/src.db" add vip_customers --key email --file examples/data/oro_vip.csv > /dev/null &&
  "$C" list --db "$D/src.db" refresh spring_prospects > /dev/null &&
  "$C" suppress --db "$D/src.db" add --reason "asked by phone" blocked@example.com > /dev/null &&
  "$C" run --db "$D/src.db" --mail sink: --until +3d > /dev/null 2>&1 || abort "the source's content could not be made"
traces "$D/src.db" message_id | grep . > "$D/mids"
mid1=$(sed -n 1p "$D/mids") mid2=$(sed -n 2p "$D/mids") mid3=$(sed -n 3p "$D/mids")
"$C" event --db "$D/src.db" open --message-id "$mid1" > /dev/null &&
  "$C" event --db "$D/src.db" click --message-id "$mid1" --url https://shop.example.com/ > /dev/null &&
  "$C" event --db "$D/src.db" visit --site camp-shop --record 3 --url "https://shop.example.com/p?pk_campaign=SUMMER26" > /dev/null ||
  abort "the source's events could not be recorded"
check "the source has traces, events, list members, a suppression, hits and an image" \
  "$(sqlite3 "$D/src.db" "SELECT (SELECT count(*) > 20 FROM camp_trace) + (SELECT count(*) > 0 FROM camp_event)
     + (SELECT count(*) > 0 FROM camp_list_member) + (SELECT count(*) FROM camp_suppression)
     + (SELECT count(*) > 0 FROM camp_hit) + (SELECT count(*) > 0 FROM camp_image) + (SELECT count(*) > 0 FROM camp_send_log)")" 7

pg_start main || abort "cannot go on without a cluster"
url=$(pg_url main copy)
shown="postgresql://camp@127.0.0.1:$PG_PORT_main"

# -- SQLite -> PostgreSQL ------------------------------------------------------------
pg_fresh_db main copy
out=$("$C" migrate --from "$D/src.db" --to "$url" 2>&1); rc=$?
check "SQLite -> PostgreSQL: exit 0" "$rc" 0
expect_match "SQLite -> PostgreSQL: the summary, without the password" \
  "copied 3? tables, * rows from $D/src.db to $shown/copy in *s; counts verified" "$out"
same_rows "every table's rows are the same on PostgreSQL" "$D/src.db" pg:copy
check "the model tables are made with deploy's types" \
  "$(pg_psql main "SELECT data_type FROM information_schema.columns WHERE table_name = 'contact' AND column_name IN ('id', 'email', 'score') ORDER BY column_name" copy | join_lines ,)" \
  "text,bigint,bigint"
check "the schema version is PostgreSQL's" "$(pg_psql main "SELECT value FROM camp_meta WHERE key = 'schema'" copy)" 9
check "the secret is the source's" "$(pg_psql main "SELECT value FROM camp_meta WHERE key = 'secret'" copy)" \
  "$(sqlite3 "$D/src.db" "SELECT value FROM camp_meta WHERE key = 'secret'")"
# behind: the tables whose identity sequence is behind their max id
behind() {
  for _t in $(pg_psql main "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND is_identity = 'YES'" "$1"); do
    pg_psql main "SELECT '$_t' WHERE coalesce((SELECT max(id) FROM \"$_t\"), 0) > coalesce((SELECT last_value FROM pg_sequences
      WHERE schemaname || '.' || sequencename = pg_get_serial_sequence('\"$_t\"', 'id')), 0)" "$1"
  done
}
check "every identity sequence is past the ids copied" "$(behind copy)" ""
check "a new trace takes the next id" "$(pg_psql main "INSERT INTO camp_trace(participant, activity, state) VALUES (1, 1, 0) RETURNING id" copy)" \
  "$(($(sqlite3 "$D/src.db" "SELECT max(id) FROM camp_trace") + 1))"
pg_psql main "DELETE FROM camp_trace WHERE id = (SELECT max(id) FROM camp_trace)" copy

# -- and back: PostgreSQL -> SQLite ----------------------------------------------------
out=$("$C" migrate --from "$url" --to "$D/back.db" 2>&1); rc=$?
check "PostgreSQL -> SQLite: exit 0" "$rc" 0
expect_match "PostgreSQL -> SQLite: the summary" "copied 3? tables, * rows from $shown/copy to $D/back.db in *s; counts verified" "$out"
same_rows "the copy back has the source's rows, value and type" "$D/src.db" "$D/back.db" typed
check "and the source's schema" "$(sqlite3 "$D/back.db" "SELECT type, name, sql FROM sqlite_master ORDER BY name" | md5sum)" \
  "$(sqlite3 "$D/src.db" "SELECT type, name, sql FROM sqlite_master ORDER BY name" | md5sum)"
check "no file is left beside it" "$(ls "$D" | grep -c 'migrate-')" 0
check "camp status on the copy says what it says on the source" "$("$C" status --db "$D/back.db" | sed 1d)" \
  "$("$C" status --db "$D/src.db" | sed 1d)"
check "camp report on the copy says what it says on the source" "$("$C" report --db "$D/back.db" --format json | md5sum)" \
  "$("$C" report --db "$D/src.db" --format json | md5sum)"
out=$("$C" event --db "$D/back.db" click --message-id "$mid2" --url https://shop.example.com/ 2>&1)
check "a Message-ID sent before verifies on the copy (the secret came along)" "$?" 0
bad_mid=$(echo "$mid3" | sed 's/\.\(.\)/.\1x/')
out=$("$C" event --db "$D/back.db" click --message-id "$bad_mid" --url https://shop.example.com/ 2>&1)
check "and a forged one does not" "$?" 1
check "the copy's clock goes on from the source's" "$("$C" run --db "$D/back.db" --mail sink: --until +1d 2>&1 > /dev/null | grep -c error)" 0
check "its clock is the source's plus a day" "$(sqlite3 "$D/back.db" "SELECT typeof(value), value FROM camp_meta WHERE key = 'clock'")" \
  "integer|$(($(sqlite3 "$D/src.db" "SELECT value FROM camp_meta WHERE key = 'clock'") + 86400))"

# -- between two of a kind ----------------------------------------------------------------
out=$("$C" migrate --from "$D/src.db" --to "$D/lite.db" 2>&1)
check "SQLite -> SQLite: exit 0" "$?" 0
same_rows "SQLite -> SQLite: the same rows, value and type" "$D/src.db" "$D/lite.db" typed
pg_fresh_db main copy2
out=$("$C" migrate --from "$url" --to "$(pg_url main copy2)" 2>&1)
check "PostgreSQL -> PostgreSQL: exit 0" "$?" 0
same_rows "PostgreSQL -> PostgreSQL: the same rows" pg:copy pg:copy2
url2=$(pg_url main copy2)
# camp itself on the copy, once camp runs on PostgreSQL: a campaign deployed,
# imported, run and reported on a database camp init made there.  Until
# then (the store's statements move to PostgreSQL's dialect, issue 15), a
# visible skip line, counted neither way: what differs would be the store's.
# camp_on_pg: camp runs on PostgreSQL; else why not in $out
camp_on_pg() {
  pg_fresh_db main native && _u=$(pg_url main native) &&
    out=$("$C" init --db "$_u" --clock 2026-06-02T09:00:00Z 2>&1 && "$C" deploy --db "$_u" --start examples/welcome_flow.camp 2>&1 &&
      "$C" import --db "$_u" --model contact examples/data/contacts.csv 2>&1 && "$C" run --db "$_u" --mail sink: --until +3d 2>&1 &&
      "$C" report --db "$_u" 2>&1 && "$C" timeline --db "$_u" 2>&1 && "$C" lists --db "$_u" 2>&1 && "$C" status --db "$_u" 2>&1) &&
    ! printf '%s\n' "$out" | grep -q -e 'database:' -e 'nothing pending'
}
if camp_on_pg; then
  check "camp status on PostgreSQL says what it says on the source" "$("$C" status --db "$url2" 2>&1 | sed 1d)" \
    "$("$C" status --db "$D/src.db" | sed 1d)"
  check "camp report on PostgreSQL says what it says on the source" "$("$C" report --db "$url2" --format json 2>&1 | md5sum)" \
    "$("$C" report --db "$D/src.db" --format json | md5sum)"
  check "camp timeline on PostgreSQL says what it says on the source" "$("$C" timeline --db "$url2" --format json 2>&1 | md5sum)" \
    "$("$C" timeline --db "$D/src.db" --format json | md5sum)"
  check "camp lists on PostgreSQL says what it says on the source" "$("$C" lists --db "$url2" 2>&1)" "$("$C" lists --db "$D/src.db")"
  "$C" event --db "$url2" click --message-id "$mid3" --url https://shop.example.com/ > /dev/null 2>&1
  check "a Message-ID sent before verifies on PostgreSQL" "$?" 0
else
  echo "skip camp status, report, timeline, lists and event on the PostgreSQL copy: camp does not run on PostgreSQL yet:"
  printf '%s\n' "$out" | grep -e 'database:' -e 'error' -e 'nothing pending' | head -3 | sed 's/^/     /'
fi

# -- what is not copied as it is: a claim's owner; a text PostgreSQL refuses ------------------
cp "$D/src.db" "$D/odd.db"
sqlite3 "$D/odd.db" "UPDATE camp_trace SET message = CAST(X'61FF620063' AS TEXT) WHERE id = 1;
  UPDATE camp_trace SET state = 6, owner = 99 WHERE id = 2"
pg_fresh_db main odd
out=$("$C" migrate --from "$D/odd.db" --to "$(pg_url main odd)" 2>&1)
expect_match "a text that is not UTF-8 is counted in the summary" \
  "copied * counts verified
note: texts that were not UTF-8 (or held a NUL), which PostgreSQL refuses, copied with their bad bytes as '?': 1" "$out"
check "and copied with its bad bytes as '?'" "$(pg_psql main "SELECT message FROM camp_trace WHERE id = 1" odd)" "a?b?c"
check "a claimed send is nobody's on the copy: an interrupted send, its Message-ID kept" \
  "$(pg_psql main "SELECT state, coalesce(owner, 0), message_id FROM camp_trace WHERE id = 2" odd)" \
  "6|0|$(sqlite3 "$D/odd.db" "SELECT message_id FROM camp_trace WHERE id = 2")"

# -- refusals: one line, exit 1 -------------------------------------------------------------
refused "a SQLite target that exists" "'$D/lite.db' already exists; camp migrate writes a new database (give a new path)" \
  --from "$D/src.db" --to "$D/lite.db"
refused "a PostgreSQL target with camp tables" "'$shown/copy' already has camp tables; camp migrate copies into an empty database only" \
  --from "$D/src.db" --to "$url"
refused "a source that does not exist" "'$D/nosuch.db': No such file or directory" --from "$D/nosuch.db" --to "$D/x.db"
sqlite3 "$D/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1)"
refused "a SQLite source that is not a camp database" "'$D/other.db' is not a camp database*" --from "$D/other.db" --to "$D/x.db"
pg_fresh_db main empty
refused "a PostgreSQL source without camp tables" "'$shown/empty' is not a camp database (no camp tables)" \
  --from "$(pg_url main empty)" --to "$D/x.db"
refused "a wrong password" "PostgreSQL refused user 'camp': password authentication failed" \
  --from "$D/src.db" --to "postgresql://camp:wrongpass@127.0.0.1:$PG_PORT_main/empty"
port=$(free_port)
refused "nothing listening" "cannot connect to PostgreSQL at 127.0.0.1:$port: *" \
  --from "$D/src.db" --to "postgresql://camp:wrongpass@127.0.0.1:$port/camp"
refused "no such database" "PostgreSQL has no database 'nosuch' (create it: createdb -O camp nosuch)" \
  --from "$D/src.db" --to "$(pg_url main nosuch)"
check "nothing was written by the refusals" "$(ls "$D" | grep -c -e '^x.db' -e migrate-) $(pg_tables empty)" "0 0"
"$C" migrate --from "$D/src.db" > /dev/null 2>&1
check "no --to: a usage error" "$?" 2

# -- a copy that fails half-way leaves the target as it was ----------------------------------
pg_fresh_db main conflict
pg_psql main "CREATE TABLE contact(x BIGINT); INSERT INTO contact VALUES (7)" conflict
refused "a model table the target has already" "cannot create the model table 'contact' on $shown/conflict: *already exists" \
  --from "$D/src.db" --to "$(pg_url main conflict)"
check "the target is as it was: its table, no camp table" "$(pg_tables conflict) $(pg_psql main "SELECT x FROM contact" conflict)" "1 7"
cp "$D/src.db" "$D/late.db"
sqlite3 "$D/late.db" "UPDATE camp_trace SET due = 'never' WHERE id = (SELECT max(id) FROM camp_trace)"
pg_fresh_db main late
refused "a value PostgreSQL refuses in the last trace" "cannot write table 'camp_trace' on $shown/late: *invalid input syntax for type bigint*" \
  --from "$D/late.db" --to "$(pg_url main late)"
check "after tables were copied, nothing is left on the target" "$(pg_tables late)" 0
sqlite3 "$D/late.db" "ALTER TABLE contact ADD COLUMN extra TEXT"
refused "a model column camp_model does not list, into SQLite" "*model table 'contact' has a column 'extra' that camp_model does not list" \
  --from "$D/late.db" --to "$D/late2.db"
check "no SQLite target, no file beside it" "$(ls "$D" | grep -c -e '^late2' -e migrate-)" 0

# -- 100,000 traces: the time, and a copy killed half-way -----------------------------------
mkdir -p "$D/big"
cp examples/models.camp "$D/big/"
cat > "$D/big/big.camp" << 'CAMP'
use "models.camp"

campaign big "Big" {
  target contact
  where email is set
  email hello {
    subject "Hello {{ name }}"
    body "<p>Hi {{ name }}, <a href='https://example.com/x'>look</a></p>"
  }
}
CAMP
awk 'BEGIN { print "name,email"; for (i = 1; i <= 100000; i++) printf "P%d,p%d@x.test\n", i, i }' > "$D/big/c.csv"
new_db "$D/big.db" "$D/big/big.camp" "$D/big/c.csv" && "$C" run --db "$D/big.db" --mail sink: --until +1h > /dev/null 2>&1 ||
  abort "no big database"
check "the big source has 100,000 traces" "$(sqlite3 "$D/big.db" "SELECT count(*) FROM camp_trace")" 100000
pg_fresh_db main big
t0=$(date +%s.%N)
out=$("$C" migrate --from "$D/big.db" --to "$(pg_url main big)" 2>&1)
t1=$(date +%s.%N)
expect_match "100,000 traces to PostgreSQL" "copied * tables, * rows from * in *s; counts verified" "$out"
echo "     SQLite -> PostgreSQL, 100,000 traces ($(echo "$out" | sed -n 's/^copied .*, \([0-9]*\) rows .*/\1/p') rows): $(echo "$t0 $t1" | awk '{ printf "%.2f s", $2 - $1 }')"
t0=$(date +%s.%N)
out=$("$C" migrate --from "$(pg_url main big)" --to "$D/big2.db" 2>&1)
t1=$(date +%s.%N)
expect_match "and back to SQLite" "copied * tables, * rows from * in *s; counts verified" "$out"
echo "     PostgreSQL -> SQLite, the same: $(echo "$t0 $t1" | awk '{ printf "%.2f s", $2 - $1 }')"
check "the big copy back has the source's traces" "$(sqlite3 "$D/big2.db" "SELECT count(*), sum(id), max(message_id) FROM camp_trace")" \
  "$(sqlite3 "$D/big.db" "SELECT count(*), sum(id), max(message_id) FROM camp_trace")"

pg_fresh_db main killed
"$C" migrate --from "$D/big.db" --to "$(pg_url main killed)" > "$D/killed.out" 2>&1 &
pid=$!
started $pid
# writing_rows: the copy is writing the rows of a table of 100,000 (camp_participant, camp_send_log, camp_trace)
writing_rows() {
  [ "$(pg_psql main "SELECT count(*) FROM pg_stat_activity WHERE datname = 'killed'
    AND (query LIKE 'INSERT INTO \"camp\_participant\"%' OR query LIKE 'INSERT INTO \"camp\_send\_log\"%'
         OR query LIKE 'INSERT INTO \"camp\_trace\"%')")" = 1 ]
}
if wait_for -s 0.01 writing_rows; then
  kill -KILL $pid
  wait $pid 2> /dev/null
  gone() { [ "$(pg_psql main "SELECT count(*) FROM pg_stat_activity WHERE datname = 'killed'")" = 0 ]; }
  wait_for gone
  check "a copy into PostgreSQL killed half-way leaves no table behind" "$(pg_tables killed)" 0
else
  bad "the copy into PostgreSQL was never seen writing" "$(cat "$D/killed.out")"
fi
"$C" migrate --from "$(pg_url main big)" --to "$D/killed.db" > "$D/killed.out" 2>&1 &
pid=$!
started $pid
# writing_file: the copy has written a few MB into its file beside the target
writing_file() { [ "$(cat "$D"/killed.db.migrate-*-wal 2> /dev/null | wc -c)" -gt 4000000 ]; }
if wait_for -s 0.01 writing_file; then
  kill -KILL $pid
  wait $pid 2> /dev/null
  check "a copy into SQLite killed half-way leaves no target (only its file beside, by name)" \
    "$(ls "$D" | grep -c '^killed\.db$') $(ls "$D" | grep -c '^killed\.db\.migrate-......$')" "0 1"
else
  bad "the copy into SQLite was never seen writing" "$(cat "$D/killed.out")"
fi
finish

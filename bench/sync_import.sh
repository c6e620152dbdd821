#!/bin/sh
# bench/sync_import.sh [ROWS] [MEMBERS] -- the import of ROWS (default
# 1,000,000) activity rows of one Mailchimp campaign sent to MEMBERS
# (default 200,000) contacts: wall time and peak RSS of campSyncImport,
# beside a floor and a smaller import measured in the same run.
#
# The rows are made by a throwaway driver in bench/sync_import.c (linked
# with build/libcamp.a), not fetched from tests/esp/mailchimp_fake.py:
# seeding a million rows through the fake's one-row-per-request control
# API and paging them back over HTTP would measure the fake and Python's
# HTTP server, not camp.  What is timed is exactly what `camp sync` does
# with the rows the driver hands over: MEMBERS sends (a participant, a
# processed trace with its Message-ID, the list's contacted count), then
# opens and clicks alternating (each a keyed delta: camp_sync_seen checked
# and written, the event counted on its trace), in one transaction with
# the cursor.
#
#   floor      one prepared INSERT of ROWS keys into camp_sync_seen in one
#              transaction: the least any import of ROWS keyed rows writes
#   import/4   ROWS/4 rows (MEMBERS/4 contacts): peak RSS must not grow
#              with the rows (the rows stream; nothing is kept per row)
#   import     ROWS rows, MEMBERS contacts
#   again      the same rows once more: every key seen, nothing counted twice
set -eu
N=${1:-1000000}
M=${2:-200000}
CAMP=${CAMP:-build/camp}
BUILD=${BUILD:-build}
[ -x "$CAMP" ] || make -s "$CAMP"
make -s "$BUILD/libcamp.a"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
LIBS="-lsqlite3 -lcurl -ljansson -lmicrohttpd -lcrypto -lm -lpthread $(pkg-config --libs gmime-3.0 libxml-2.0 libgit2 libpq glib-2.0)"
cc -O2 -std=c11 -D_GNU_SOURCE -I. -I"$BUILD" $(pkg-config --cflags glib-2.0) -o "$D/imp" bench/sync_import.c "$BUILD/libcamp.a" $LIBS
cat > "$D/news.camp" <<'C'
model person {
  email email
  first_name text
}
list newsletter "Newsletter" {
  target person
  where email is set
}
sync news_mc "Newsletter in Mailchimp" {
  list newsletter
  mailchimp audience "a1b2c3d4e5"
  field FNAME = first_name
}
C
# db NAME MEMBERS: a database with MEMBERS contacts m0@bench.example ...
db() {
  "$CAMP" init --db "$D/$1.db" --clock 2026-03-20T00:00:00Z > /dev/null
  "$CAMP" deploy --db "$D/$1.db" "$D/news.camp" > /dev/null
  awk -v m="$2" 'BEGIN { print "email,first_name"; for (i = 0; i < m; i++) printf "m%d@bench.example,Name%d\n", i, i }' > "$D/people.csv"
  "$CAMP" import --db "$D/$1.db" --model person "$D/people.csv" > /dev/null
}
# timed LABEL CMD...: wall time and peak RSS of CMD (GNU time -v)
timed() {
  label=$1; shift
  /usr/bin/time -v "$@" > "$D/out" 2> "$D/time"
  rows=$(tail -n 1 "$D/out" | cut -d' ' -f1)
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$D/time")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$D/time")
  inner=$(tail -n 1 "$D/out" | cut -d' ' -f2)
  printf '%-10s %9s rows  %8s s in the call  wall %8s  peak RSS %7.1f MB\n' "$label" "$rows" "$inner" "$wall" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
}
db floor 0
timed floor "$D/imp" floor "$D/floor.db" "$N"
db quarter "$((M / 4))"
timed import/4 "$D/imp" gen "$D/quarter.db" news_mc "$((N / 4))" "$((M / 4))"
db full "$M"
timed import "$D/imp" gen "$D/full.db" news_mc "$N" "$M"
timed again "$D/imp" gen "$D/full.db" news_mc "$N" "$M"
"$CAMP" report --db "$D/full.db" news_mc_bench1 | sed -n '1,4p'

#!/bin/sh
# bench/visits.sh [HITS] -- visit grouping: HITS (default 1,000,000)
# ungrouped hits on a deployed database, grouped by campStoreVisitsGroup in
# one call (bench/visits_group.c, linked with build/libcamp.a), beside the
# floors measured in the same run on copies of the same database: sqlite3
# inserting the hits, reading them in key and time order through
# camp_hit_ungrouped (the walk's reads), and one UPDATE marking every hit
# (the walk's hit writes).  Each figure is the best of three runs.
#
# The mix: sessions of 5 hits two minutes apart (80% page views, the rest
# signup/purchase events), 4 sessions per visitor at pseudo-random times
# over 30 days, 50,000 visitors, every fifth a contact, 2% bots; rows
# arrive in session order, visitors interleaved.
set -eu
N=${1:-1000000}
CAMP=${CAMP:-build/camp}
BUILD=${BUILD:-build}
[ -x "$CAMP" ] || make -s "$CAMP"
make -s "$BUILD/libcamp.a"
. "$(dirname "$0")/lib.sh"
need_pkg bench/visits.sh sqlite3 sqlite3
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
LIBS="-lsqlite3 -lcurl -ljansson -lmicrohttpd -lcrypto -lm -lpthread $(pkg-config --libs gmime-3.0 libxml-2.0 libgit2 libpq)"
cc -O2 -std=c11 -D_GNU_SOURCE -I. -I"$BUILD" -o "$D/group" bench/visits_group.c "$BUILD/libcamp.a" $LIBS
cp tests/scenarios/models.camp "$D/"
cat > "$D/site.camp" <<'C'
use "models.camp"
website shop "Shop" {
  site_id "shop-1"
  url "https://shop.example.com"
  target contact
  goal "purchase"
}
C
"$CAMP" init --db "$D/base.db" --clock 2026-03-01T00:00:00Z > /dev/null
"$CAMP" deploy --db "$D/base.db" "$D/site.camp" > /dev/null
sqlite3 "$D/base.db" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
# insert: the hits into a fresh copy of the deployed database; prints seconds
insert() {
  cp "$D/base.db" "$D/$1"
  /usr/bin/python3 - "$D/$1" "$N" <<'P'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2])
t0 = time.monotonic()
db.execute("""INSERT INTO camp_hit(site, at, visitor, model, record_id, url, title, referrer, name, value, code, source, medium,
                                   ip, ua, ua_class)
WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n + 1 < ?1),
  h AS (SELECT n, n / 5 AS s, n % 5 AS k, ((n / 5) * 7919) % 50000 AS v FROM i)
SELECT 'shop-1', 1772323200 + (s * 104729) % 2592000 + k * 120, 'v' || v,
       CASE WHEN v % 5 = 0 THEN 'contact' END, CASE WHEN v % 5 = 0 THEN v / 5 + 1 END,
       'https://shop.example.com/p/' || (n % 97), 'Page ' || (n % 97), CASE WHEN k = 0 THEN 'https://search.example/' END,
       CASE WHEN n % 10 = 9 THEN 'purchase' WHEN n % 10 = 8 THEN 'signup' ELSE 'visit' END, CASE WHEN n % 10 = 9 THEN 25.5 ELSE 1 END,
       CASE WHEN s % 3 = 0 THEN 'SPRING' END, CASE WHEN s % 3 = 0 THEN 'newsletter' END, CASE WHEN s % 3 = 0 THEN 'email' END,
       '192.0.2.0', 'Mozilla/5.0', CASE WHEN v % 50 = 7 THEN 'bot' WHEN v % 3 = 0 THEN 'mobile' ELSE 'desktop' END
FROM h""", (n,))
db.commit()
print("%.3f" % (time.monotonic() - t0))
P
}
best() { sort -n | head -1; }
ins=$(for r in 1 2 3; do insert "ins$r.db"; done | best)
rm -f "$D"/ins[23].db*
sqlite3 "$D/ins1.db" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
# each timed run on its own copy of the same database
runs() { for r in 1 2 3; do cp "$D/ins1.db" "$D/run.db"; rm -f "$D/run.db-wal" "$D/run.db-shm"; "$D/group" "$1" "$D/run.db"; done; }
scan=$(runs scan | sort -k2 -n | head -1)
mark=$(runs mark | sort -k2 -n | head -1)
grp=$(runs group | sort -k2 -n | head -1)
set -- $grp
hits=$1 gs=$2 visits=$3
set -- $scan
ss=$2
set -- $mark
ms=$2
awk -v n="$N" -v hits="$hits" -v visits="$visits" -v ins="$ins" -v ss="$ss" -v ms="$ms" -v gs="$gs" 'BEGIN {
  printf "visit grouping of %d hits (best of 3)\n", n
  printf "  campStoreVisitsGroup   %7.3f s  %9.0f hits/s  %d hits into %d visits\n", gs, hits / gs, hits, visits
  printf "  floor: sqlite3 insert  %7.3f s  %9.0f rows/s  (the same rows, one INSERT ... SELECT)\n", ins, n / ins
  printf "  floor: key-order scan  %7.3f s  %9.0f rows/s  (camp_hit_ungrouped, every column the walk reads)\n", ss, n / ss
  printf "  floor: mark every hit  %7.3f s  %9.0f rows/s  (one UPDATE ... SET visit)\n", ms, n / ms
  printf "  grouping / (scan + mark) = %.2f\n", gs / (ss + ms)
}'

#!/bin/sh
# bench/visit_trigger.sh [HITS] [RECORDS] -- what `on visit` costs the
# collector's writer: HITS (default 100,000) contact hits, half of them
# /pricing pages, on a database where RECORDS (default 10,000) contacts are
# participants of a running campaign whose sent email waits on three visit
# branches (tests/scenarios/visits.camp), beside two campaigns over the
# same model without one.  Each hit is campStoreHitAdd then campSchedVisit,
# 500 to a transaction (bench/visit_trigger.c); the floor is the same hits
# with campStoreHitAdd alone, on a copy of the same database.  Best of three.
set -eu
N=${1:-100000}
R=${2:-10000}
CAMP=${CAMP:-build/camp}
BUILD=${BUILD:-build}
[ -x "$CAMP" ] || make -s "$CAMP"
make -s "$BUILD/libcamp.a"
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
LIBS="-lsqlite3 -lcurl -ljansson -lmicrohttpd -lcrypto -lm -lpthread $(pkg-config --libs gmime-3.0 libxml-2.0 libgit2 libpq)"
cc -O2 -std=c11 -D_GNU_SOURCE -I. -I"$BUILD" -o "$D/bench" bench/visit_trigger.c "$BUILD/libcamp.a" $LIBS
cp tests/scenarios/models.camp tests/scenarios/visits.camp "$D/"
cat > "$D/others.camp" <<'C'
use "models.camp"
campaign plain_a "A" {
  target contact
  email a after 1 hour { subject "a"  body "<p>a</p>"  on click within 2 days { action t { add_tag("a") } } }
}
campaign plain_b "B" {
  target contact
  email b after 1 hour { subject "b"  body "<p>b</p>"  on open within 2 days { action t { add_tag("b") } } }
}
C
/usr/bin/python3 -c "
import sys
print('name,email,phone,opt_out,tags,score')
for i in range(1, $R + 1): print('C%d,c%d@x.test,,false,,%d' % (i, i, i % 10))
" > "$D/records.csv"
"$CAMP" init --db "$D/base.db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$D/base.db" --start "$D/visits.camp" "$D/others.camp" > /dev/null
"$CAMP" import --db "$D/base.db" --model contact "$D/records.csv" > /dev/null
"$CAMP" run --db "$D/base.db" --until +3h --mail sink: > /dev/null
best() {
  b=
  for _ in 1 2 3; do
    cp "$D/base.db" "$D/t.db"; rm -f "$D/t.db-wal" "$D/t.db-shm"
    r=$("$D/bench" "$1" "$D/t.db" "$N" "$R")
    s=$(echo "$r" | cut -d' ' -f2)
    if [ -z "$b" ] || [ "$(echo "$s < $(echo "$b" | cut -d' ' -f2)" | bc)" = 1 ]; then b=$r; fi
  done
  echo "$b"
}
act=$(best act)
add=$(best add)
rate() { echo "$1" | awk '{ printf "%.0f", $1 / $2 }'; }
echo "hits with on visit (campStoreHitAdd + campSchedVisit): $(rate "$act") hits/s ($(echo "$act" | cut -d' ' -f3) branches fired)"
echo "floor (campStoreHitAdd alone):                          $(rate "$add") hits/s"

#!/bin/sh
# bench/sync.sh [N] -- camp sync at scale: a dynamic list of N members
# (default 100,000) exported to the Mailchimp fake (tests/esp/mailchimp_fake.py,
# on loopback), then synced again with nothing changed.  Prints, for each
# run, the requests camp made (the fake's count, by method), the wall time,
# camp's own CPU time (the rest of the wall time is the fake's) and its peak
# RSS; then the baseline measured in the same run: paging
# through the segment's members with a bare client (Python urllib, 1,000 a
# page) -- the reads any sync must make to know the provider's side, which
# is all a re-run with nothing changed should cost.
#
# Owns: the sync benchmark.  Does not own: the fake (tests/esp/), camp sync.
set -eu
N=${1:-100000}
CAMP=${CAMP:-build/camp}
PY=/usr/bin/python3
[ -x "$CAMP" ] || make -s build/camp
. "$(dirname "$0")/lib.sh"
need_pkg bench/sync.sh time /usr/bin/time
D=$(mktemp -d)
FAKE=
trap '[ -z "$FAKE" ] || kill "$FAKE" 2> /dev/null; rm -rf "$D"' EXIT
KEY=benchkey-us1
$PY tests/esp/mailchimp_fake.py --port-file "$D/port" --key "$KEY" > "$D/fake.log" 2>&1 &
FAKE=$!
i=0; while [ ! -s "$D/port" ]; do i=$((i + 1)); [ $i -lt 300 ] || { echo "the fake did not start"; exit 1; }; sleep 0.1; done
URL=http://127.0.0.1:$(cat "$D/port")
curl -s -u "camp:$KEY" -H 'Content-Type: application/json' -d '{"id":"bench","name":"Bench"}' "$URL/_fake/audiences" > /dev/null

cat > "$D/b.camp" <<'C'
model contact {
  name text
  email email
  tags tags
  city text
}
list readers "Readers" {
  target contact
  where "news" in tags
}
sync readers_mc "Readers in Mailchimp" {
  list readers
  mailchimp audience "bench"
  field FNAME = name
  field E_CITY = "{{ city | upper }}"
}
C
$PY -c '
import sys
n = int(sys.argv[1])
print("name,email,tags,city")
for i in range(n): print("Reader %d,reader%d@example.com,news,city%d" % (i, i, i % 100))' "$N" > "$D/people.csv"
"$CAMP" init --db "$D/b.db" > /dev/null
"$CAMP" deploy --db "$D/b.db" "$D/b.camp" > /dev/null
"$CAMP" import --db "$D/b.db" --model contact "$D/people.csv" > /dev/null

stats() { curl -s -u "camp:$KEY" "$URL/_fake/stats"; }
reset() { curl -s -u "camp:$KEY" -X POST "$URL/_fake/stats/reset" > /dev/null; }
by_method() { stats | $PY -c '
import json, sys
s = json.load(sys.stdin)
m = {}
for r, n in s["by_route"].items(): m[r.split()[0]] = m.get(r.split()[0], 0) + n
print("%d requests (%s)" % (s["requests"], ", ".join("%s %d" % kv for kv in sorted(m.items()))))'; }
now() { date +%s.%N; }
run() {
  reset
  t0=$(now)
  CAMP_MAILCHIMP_KEY=$KEY CAMP_MAILCHIMP_URL=$URL/3.0 /usr/bin/time -v "$CAMP" sync --db "$D/b.db" > "$D/out" 2> "$D/time" ||
    { cat "$D/out" "$D/time"; exit 1; }
  t1=$(now)
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$D/time")
  cpu=$(awk -F': ' '/User time|System time/ { t += $2 } END { print t }' "$D/time")
  awk -v a="$t0" -v b="$t1" -v r="$rss" -v c="$cpu" -v what="$1" -v req="$(by_method)" -v camp="$(grep '^requests:' "$D/out")" \
    'BEGIN { printf "%-22s %7.2f s  %s; camp says %s; camp CPU %.2f s, peak RSS %.0f MB\n", what, b - a, req, camp, c, r / 1024 }'
}
echo "members:               $N (a dynamic list, 2 merge fields, one a template)"
run "first export:"
run "re-run, no change:"
# the baseline: every page of the segment's members, nothing else
reset
t0=$(now)
$PY - "$URL/3.0" "$KEY" <<'P'
import base64, json, sys, urllib.request
base, key = sys.argv[1], sys.argv[2]
h = {"Authorization": "Basic " + base64.b64encode(("camp:" + key).encode()).decode()}
get = lambda p: json.load(urllib.request.urlopen(urllib.request.Request(base + p, headers=h)))
sid = get("/lists/bench/segments?count=1000")["segments"][0]["id"]
off = 0
while True:
    ms = get("/lists/bench/segments/%s/members?count=1000&offset=%d" % (sid, off))["members"]
    off += len(ms)
    if len(ms) < 1000: break
P
t1=$(now)
awk -v a="$t0" -v b="$t1" -v req="$(by_method)" 'BEGIN { printf "%-22s %7.2f s  %s: paging the segment with a bare client\n", "baseline:", b - a, req }'

#!/bin/sh
# bench/timing.sh [N] -- what the timing rules cost: bench/run.sh's
# campaign (email -> on open: action; on no open within 3 days: sms) for N
# contacts (default 1,000,000) over 30 simulated days, twice in the same
# run on the same records: plain, and timed -- each contact's own time zone
# (`timezone from tz`, the records spread over 20 zones, a tenth of them
# with an empty or unknown zone), a send window (08:00-20:00 on weekdays)
# and the database's caps (cap.email 3 per 7 days, cap.sms 2 per 7 days:
# counted and logged for every message).  A third run has the zones and the
# window without the caps, to tell the two costs apart.  Prints each run's
# wall time, traces/s and the messages held by the window, and the ratios:
# the cost of the timing rules.
set -eu
. "$(dirname "$0")/lib.sh"
N=${1:-1000000}
CAMP=${CAMP:-build/camp}
[ -x "$CAMP" ] || make -s build/camp
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
cat > "$D/models.camp" <<'C'
model contact {
  name text
  email email
  phone phone
  tz text
}
C
bench_campaign > "$D/plain.camp"
bench_campaign '  timezone from tz
  timezone "Europe/Paris"
  send between 08:00 and 20:00 on mon-fri' > "$D/timed.camp"
cp "$D/timed.camp" "$D/zoned.camp"
awk -v n="$N" 'BEGIN {
  split("Europe/Paris Europe/London America/New_York America/Chicago America/Denver America/Los_Angeles " \
        "America/Sao_Paulo Asia/Kolkata Asia/Tokyo Asia/Shanghai Asia/Singapore Asia/Dubai Australia/Sydney " \
        "Pacific/Auckland Africa/Johannesburg Europe/Berlin Europe/Moscow America/Mexico_City Asia/Kathmandu Pacific/Honolulu", z, " ")
  print "name,email,phone,tz"
  for (i = 1; i <= n; i++) {
    tz = i % 10 == 0 ? (i % 20 == 0 ? "" : "Mars/Base") : z[i % 20 + 1]
    printf "P%d,p%d@x.test,+336%08d,%s\n", i, i, i, tz
  }
}' > "$D/c.csv"
# $1: plain, zoned (zones and window) or timed (and caps); prints "seconds traces held"
one() {
  db="$D/$1.db"
  "$CAMP" init --db "$db" --clock 2026-01-05T09:00:00Z > /dev/null
  if [ "$1" = timed ]; then
    "$CAMP" config --db "$db" cap.email "3 per 7 days" > /dev/null
    "$CAMP" config --db "$db" cap.sms "2 per 7 days" > /dev/null
  elif [ "$1" = plain ]; then
    "$CAMP" config --db "$db" window.sms off > /dev/null      # the plain run has no timing rule at all
  fi
  "$CAMP" deploy --db "$db" --start "$D/models.camp" "$D/$1.camp" > /dev/null
  "$CAMP" import --db "$db" --model contact "$D/c.csv" > /dev/null
  t0=$(date +%s.%N)
  "$CAMP" run --db "$db" --until +1h --mail sink: --sms sink: > /dev/null 2> "$D/$1.log"
  t1=$(date +%s.%N)
  sqlite3 "$db" "SELECT message_id FROM camp_trace WHERE message_id IS NOT NULL AND id % 10 < 3" |
    awk '{ printf "{\"event\":\"open\",\"message_id\":\"%s\"}\n", $0 }' > "$D/events.jsonl"
  "$CAMP" event --db "$db" --file "$D/events.jsonl" > /dev/null
  t2=$(date +%s.%N)
  "$CAMP" run --db "$db" --until +30d --mail sink: --sms sink: > /dev/null 2>> "$D/$1.log"
  t3=$(date +%s.%N)
  echo "$t0 $t1 $t2 $t3 $(sqlite3 "$db" "SELECT count(*), count(due0) FROM camp_trace" | tr '|' ' ')" |
    awk '{ printf "%.3f %d %d\n", ($2 - $1) + ($4 - $3), $5, $6 }'
}
plain=$(one plain)
zoned=$(one zoned)
timed=$(one timed)
echo "$plain $zoned $timed" | awk -v n="$N" '{
  printf "contacts:        %d over 30 simulated days, sink channels\n", n
  printf "plain:           %.2f s, %d traces (%.0f traces/s)\n", $1, $2, $2 / $1
  printf "zones + window:  %.2f s, %d traces (%.0f traces/s), %d held by the window; a zone per contact (20 zones)\n", $4, $5, $5 / $4, $6
  printf "+ 2 caps:        %.2f s, %d traces (%.0f traces/s), %d held by the window\n", $7, $8, $8 / $7, $9
  printf "zoned / plain:   %.2fx wall time, same run\n", $4 / $1
  printf "timed / plain:   %.2fx wall time, same run (zones, window and caps)\n", $7 / $1
}'

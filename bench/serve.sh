#!/bin/sh
# bench/serve.sh [SECONDS] [CONNECTIONS] -- camp serve under load: wrk
# against /o/TOKEN, /r/TOKEN, the collector's single GET /matomo.php and
# bulk POSTs of 100 hits (default 10 s each, 64 keep-alive connections, 2
# wrk threads), printing requests (and hits) per second and p99 latency;
# after the server stops, the events and website hits recorded beside the
# hits answered (they must be equal).  In the same run, the baseline:
# bench/mhd_floor.c, a bare libmicrohttpd serving the GIF.
set -eu
[ -n "${BENCH_DEBUG:-}" ] && set -x
SECS=${1:-10}
CONNS=${2:-64}
THREADS=${THREADS:-2}
CAMP=${CAMP:-build/camp}
[ -x "$CAMP" ] || make -s build/camp
. "$(dirname "$0")/lib.sh"
need_pkg bench/serve.sh wrk wrk
D=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2> /dev/null; rm -rf "$D"' EXIT
cc -O2 -o "$D/floor" bench/mhd_floor.c -lmicrohttpd
# up PORT: wait (up to a minute, never a fixed sleep) until something listens there
up() { /usr/bin/python3 -c 'import socket, sys, time
for _ in range(600):
    try: socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close(); sys.exit(0)
    except OSError: time.sleep(0.1)
sys.exit("nothing listens on port " + sys.argv[1])' "$1"; }
freeport() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# one contact, one email with a link: its open and click tokens
cp tests/scenarios/models.camp "$D/"
cat > "$D/c.camp" <<'C'
use "models.camp"

campaign bench "Bench" {
  target contact
  where email is set

  email hello {
    subject "Hello"
    body "<p><a href='https://example.com/landing'>go</a></p>"
  }
}

website site "Bench site" {
  site_id "bench-1"
  url "https://shop.example.com"
  target contact
}
C
printf 'name,email\nAda,ada@x.test\n' > "$D/c.csv"
"$CAMP" init --db "$D/db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$D/db" --start "$D/c.camp" > /dev/null
"$CAMP" import --db "$D/db" --model contact "$D/c.csv" > /dev/null
PORT=$(freeport)
BASE=http://127.0.0.1:$PORT
"$CAMP" run --db "$D/db" --until +1h --mail "file:$D/mail" --base-url "$BASE" > /dev/null
/usr/bin/python3 tests/serve/client.py tokens "$D/mail" > "$D/tokens"
read -r _ _ OPEN REDIRECT _ < "$D/tokens"   # address, Message-ID, open, clicks, unsubscribe

# the collector: a page view as Matomo's tracker sends it, and a bulk of 100
UA='Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0'
HIT='idsite=bench-1&rec=1&url=https%3A%2F%2Fshop.example.com%2Fpricing%3Futm_source%3Dnews&action_name=Pricing&_id=0123456789abcdef&urlref=https%3A%2F%2Fsearch.example%2F'
/usr/bin/python3 - "$HIT" "$UA" > "$D/bulk.lua" <<'PY'
import json, sys
hit, ua = sys.argv[1], sys.argv[2]
body = json.dumps({"requests": ["?" + hit + "&e_c=bench&e_a=view&e_v=%d" % i for i in range(100)]})
print('wrk.method = "POST"')
print('wrk.body = %s' % json.dumps(body))
print('wrk.headers["Content-Type"] = "application/json"')
print('wrk.headers["User-Agent"] = %s' % json.dumps(ua))
PY
printf 'wrk.headers["User-Agent"] = "%s"\n' "$UA" > "$D/get.lua"

# wrk's figures: requests/s, p99, total requests, failed (non-2xx/3xx and socket errors)
load() {
  wrk -t2 -c"$CONNS" -d"${SECS}s" --latency ${2:+-s "$2"} "$1" > "$D/wrk" 2>&1
  awk '/Requests\/sec/ { rps = $2 } /^ +99%/ { p99 = $2 } / requests in / { n = $1 }
       /Non-2xx or 3xx/ { bad += $NF } /Socket errors/ { gsub(/,/, ""); bad += $4 + $6 + $8 + $10 }
       END { printf "%s %s %d %d\n", rps, p99, n, bad }' "$D/wrk"
}

"$D/floor" "$PORT" "$THREADS" & SERVER=$!
up "$PORT"
set -- $(load "$BASE/o/x"); FRPS=$1 FP99=$2
kill $SERVER; wait $SERVER 2> /dev/null || true; SERVER=

"$CAMP" serve --db "$D/db" --listen "127.0.0.1:$PORT" --threads "$THREADS" > "$D/serve.log" 2>&1 & SERVER=$!
up "$PORT"
set -- $(load "$OPEN"); ORPS=$1 OP99=$2 ON=$3 OBAD=$4
set -- $(load "$REDIRECT"); RRPS=$1 RP99=$2 RN=$3 RBAD=$4
set -- $(load "$BASE/matomo.php?$HIT" "$D/get.lua"); MRPS=$1 MP99=$2 MN=$3 MBAD=$4
set -- $(load "$BASE/matomo.php" "$D/bulk.lua"); BRPS=$1 BP99=$2 BN=$3 BBAD=$4
kill -TERM $SERVER; wait $SERVER; SERVER=
hits=$(sqlite3 "$D/db" "SELECT count(*) FROM camp_hit")
bulkhits=$(sqlite3 "$D/db" "SELECT count(*) FROM camp_hit WHERE name = 'view'")
opens=$(sqlite3 "$D/db" "SELECT coalesce(sum(1 + repeats), 0) FROM camp_event WHERE kind = 'open'")
clicks=$(sqlite3 "$D/db" "SELECT coalesce(sum(1 + repeats), 0) FROM camp_event WHERE kind = 'click'")
printf 'camp serve, %s s each, %s connections, %s server threads (2 cores shared with wrk)\n' "$SECS" "$CONNS" "$THREADS"
printf '  /o/TOKEN   %8.0f req/s   p99 %-8s  %d answered, %d failed, %d opens recorded\n' "$ORPS" "$OP99" "$((ON - OBAD))" "$OBAD" "$opens"
printf '  /r/TOKEN   %8.0f req/s   p99 %-8s  %d answered, %d failed, %d clicks recorded\n' "$RRPS" "$RP99" "$((RN - RBAD))" "$RBAD" "$clicks"
printf '  GET /matomo.php %8.0f hits/s  p99 %-8s  %d answered, %d failed\n' "$MRPS" "$MP99" "$((MN - MBAD))" "$MBAD"
printf '  bulk POST x100  %8.0f hits/s  p99 %-8s  %d answered (%.0f req/s), %d failed\n' \
  "$(awk -v r="$BRPS" 'BEGIN { print r * 100 }')" "$BP99" "$((BN - BBAD))" "$BRPS" "$BBAD"
printf '  website hits recorded: %d (%d single, %d in bulks)\n' "$hits" "$((hits - bulkhits))" "$bulkhits"
printf 'baseline: bare libmicrohttpd GIF   %8.0f req/s   p99 %s (same run)\n' "$FRPS" "$FP99"
# wrk counts the responses that completed within its time; the server
# counts every hit it answered (those in flight when wrk stopped as well)
answered=$(sed -n 's/.* \([0-9]*\) hits answered.*/\1/p' "$D/serve.log")
printf 'server: %s hits answered, %s recorded (opens + clicks + website hits): %s\n' "$answered" "$((opens + clicks + hits))" \
  "$( [ "$answered" -eq $((opens + clicks + hits)) ] && echo 'every hit recorded' || echo 'MISMATCH')"

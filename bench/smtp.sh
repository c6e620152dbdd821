#!/bin/sh
# bench/smtp.sh [N] [CONNECTIONS] -- mail over SMTP at scale: N contacts
# (default 100,000), a one-email campaign, `camp run --mail smtp://…
# --mail-connections C` (default 8) against postfix's smtp-sink on loopback.
# Beside it, in the same run and against the same sink, postfix's
# smtp-source sends as many messages of the same size over as many
# sessions: the floor an SMTP client can reach here.  Prints both rates and
# the ratio.  Also prints the same camp run with the sink: channel (no
# network at all), which tells the runtime's share from the carrier's.
set -eu
N=${1:-100000}
C=${2:-8}
CAMP=${CAMP:-build/camp}
[ -x "$CAMP" ] || make -s build/camp
for t in /usr/sbin/smtp-sink /usr/sbin/smtp-source; do
  [ -x $t ] || { echo "bench/smtp.sh: $t missing (apt-get install postfix)" >&2; exit 1; }
done
D=$(mktemp -d)
SINK=
cleanup() { [ -n "$SINK" ] && kill "$SINK" 2>/dev/null; rm -rf "$D"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
/usr/sbin/smtp-sink -u nobody 127.0.0.1:"$PORT" 256 &
SINK=$!
sleep 0.5

cat > "$D/models.camp" <<'M'
model contact {
  name text
  email email
}
M
cat > "$D/c.camp" <<'M'
use "models.camp"

campaign bench "Bench" {
  target contact
  where email is set

  email hello {
    subject "Hello {{ name }}, a word from the shop"
    body "<html><body><p>Hi {{ name }},</p><p>Our spring range is in: <a href='https://example.com/spring'>have a look</a>, or <a href='https://example.com/sale'>see the sale</a>.</p><p>The Shop</p></body></html>"
    from "The Shop <shop@example.com>"
  }
}
M
awk -v n="$N" 'BEGIN { print "name,email"; for (i = 1; i <= n; i++) printf "Person %d,p%d@d%d.test\n", i, i, i % 50 }' > "$D/c.csv"
setup() {
  rm -f "$D/db"
  "$CAMP" init --db "$D/db" --clock 2026-01-05T09:00:00Z > /dev/null
  "$CAMP" deploy --db "$D/db" --start "$D/c.camp" > /dev/null
  "$CAMP" import --db "$D/db" --model contact "$D/c.csv" > /dev/null
}
now() { date +%s.%N; }

# the runtime alone
setup
t0=$(now); "$CAMP" run --db "$D/db" --until +1h --mail sink: > "$D/run0"; t1=$(now)
sinkSecs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

# camp over SMTP
setup
t0=$(now)
"$CAMP" run --db "$D/db" --until +1h --mail "smtp://127.0.0.1:$PORT" --mail-connections "$C" > "$D/run1"
t1=$(now)
sent=$(sqlite3 "$D/db" "SELECT count(*) FROM camp_trace WHERE state = 2")
campSecs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

# the size of one of camp's messages, for smtp-source
head -2 "$D/c.csv" > "$D/one.csv"
"$CAMP" init --db "$D/one.db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$D/one.db" --start "$D/c.camp" > /dev/null
"$CAMP" import --db "$D/one.db" --model contact "$D/one.csv" > /dev/null
"$CAMP" run --db "$D/one.db" --until +1h --mail "file:$D/one" > /dev/null
size=$(cat "$D"/one/*.eml | wc -c)

# smtp-source: same count, same sessions (-d: kept open, as camp keeps
# them), messages of camp's size
t0=$(now)
/usr/sbin/smtp-source -d -s "$C" -m "$N" -l "$size" -f shop@example.com -t p1@d1.test 127.0.0.1:"$PORT"
t1=$(now)
srcSecs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

awk -v n="$N" -v sent="$sent" -v c="$C" -v cs="$campSecs" -v ss="$srcSecs" -v ks="$sinkSecs" -v size="$size" 'BEGIN {
  cr = sent / cs; sr = n / ss
  printf "camp run, sink: channel   %d messages in %6.2f s  %8.0f msg/s (the runtime alone)\n", n, ks, n / ks
  printf "camp run, smtp (%d conns)  %d messages in %6.2f s  %8.0f msg/s\n", c, sent, cs, cr
  printf "smtp-source -s %d          %d messages in %6.2f s  %8.0f msg/s\n", c, n, ss, sr
  printf "ratio camp / smtp-source  %.2f (message size %d bytes)\n", cr / sr, size
}'

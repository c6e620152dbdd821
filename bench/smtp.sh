#!/bin/sh
# bench/smtp.sh [N] [CONNECTIONS] -- mail over SMTP at scale: N contacts
# (default 100,000), a one-email campaign, `camp run --mail smtp://…
# --mail-connections C` (default 8) against postfix's smtp-sink on loopback.
# Beside it, in the same run and against the same sink, postfix's
# smtp-source sends as many messages of the same size over as many
# sessions: the floor an SMTP client can reach here.  Prints both rates and
# the ratio.  Also prints the same camp run with the sink: channel (no
# network at all), which tells the runtime's share from the carrier's.
# ROUNDS (default 3) rounds, back to back; medians are compared.
set -eu
N=${1:-100000}
C=${2:-8}
CAMP=${CAMP:-build/camp}
[ -x "$CAMP" ] || make -s build/camp
. "$(dirname "$0")/lib.sh"
need_pkg bench/smtp.sh postfix /usr/sbin/smtp-sink
need_pkg bench/smtp.sh postfix /usr/sbin/smtp-source
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

# the size of one of camp's messages, for smtp-source
head -2 "$D/c.csv" > "$D/one.csv"
"$CAMP" init --db "$D/one.db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$D/one.db" --start "$D/c.camp" > /dev/null
"$CAMP" import --db "$D/one.db" --model contact "$D/one.csv" > /dev/null
"$CAMP" run --db "$D/one.db" --until +1h --mail "file:$D/one" > /dev/null
size=$(cat "$D"/one/*.eml | wc -c)

# Rounds, each: the runtime alone (sink: channel), camp over SMTP, and
# smtp-source with the same count, the same sessions (-d: kept open, as
# camp keeps them) and messages of camp's size.  Run back to back, so a
# slow moment of the machine hits both sides; the medians are compared.
ROUNDS=${ROUNDS:-3}
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
: > "$D/times"
r=1
while [ "$r" -le "$ROUNDS" ]; do
  setup
  t0=$(now); "$CAMP" run --db "$D/db" --until +1h --mail sink: > "$D/run0"; t1=$(now)
  echo "sink $(secs "$t0" "$t1")" >> "$D/times"
  setup
  t0=$(now)
  "$CAMP" run --db "$D/db" --until +1h --mail "smtp://127.0.0.1:$PORT" --mail-connections "$C" > "$D/run1"
  t1=$(now)
  sent=$(sqlite3 "$D/db" "SELECT count(*) FROM camp_trace WHERE state = 2")
  [ "$sent" -eq "$N" ] || { echo "bench/smtp.sh: camp sent $sent of $N messages" >&2; exit 1; }
  echo "camp $(secs "$t0" "$t1")" >> "$D/times"
  t0=$(now)
  /usr/sbin/smtp-source -d -s "$C" -m "$N" -l "$size" -f shop@example.com -t p1@d1.test 127.0.0.1:"$PORT"
  t1=$(now)
  echo "source $(secs "$t0" "$t1")" >> "$D/times"
  r=$((r + 1))
done

med() { awk -v k="$1" '$1 == k { print $2 }' "$D/times" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
all() { awk -v k="$1" '$1 == k { printf "%s%.2f", sep, $2; sep = " " }' "$D/times"; }
awk -v n="$N" -v c="$C" -v rounds="$ROUNDS" -v ks="$(med sink)" -v cs="$(med camp)" -v ss="$(med source)" -v size="$size" \
    -v ka="$(all sink)" -v ca="$(all camp)" -v sa="$(all source)" 'BEGIN {
  printf "%d rounds of %d messages, median times (all rounds in brackets)\n", rounds, n
  printf "camp run, sink: channel   %6.2f s  %8.0f msg/s (the runtime alone) [%s]\n", ks, n / ks, ka
  printf "camp run, smtp (%d conns)  %6.2f s  %8.0f msg/s [%s]\n", c, cs, n / cs, ca
  printf "smtp-source -s %d          %6.2f s  %8.0f msg/s [%s]\n", c, ss, n / ss, sa
  printf "ratio camp / smtp-source  %.2f (message size %d bytes)\n", ss / cs, size
}'

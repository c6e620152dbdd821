#!/bin/sh
# bench/mailing.sh [N] -- a mailing at scale: a deferred mailing to a
# dynamic list of N members (default 1,000,000) on sink: channels.  Prints
# the mailing's wall time, messages per second and peak RSS (/usr/bin/time
# -v), and the time of `camp list show LIST --format csv > /dev/null` for
# that list (when the command exists); then, as the baseline measured in the
# same invocation, the automation run of bench/run.sh on BASE_N contacts
# (default N; BASE_N=0 skips it).
#
# Owns: the mailing benchmark.  Does not own: the automation benchmark and
# its floors (bench/run.sh, called as it is).
set -eu
N=${1:-1000000}
BASE_N=${BASE_N:-$N}
CAMP=${CAMP:-build/camp}
[ -x "$CAMP" ] || make -s build/camp
. "$(dirname "$0")/lib.sh"
need_pkg bench/mailing.sh time /usr/bin/time
need_pkg bench/mailing.sh sqlite3 sqlite3
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT

cat > "$D/models.camp" <<'C'
model contact {
  name text
  email email
  phone phone
}
C
cat > "$D/m.camp" <<'C'
use "models.camp"

list everyone "Everyone" {
  target contact
  where email is set
}

mailing news "News" {
  to list everyone
  at 2026-01-05T10:00:00Z
  subject "News for {{ name }}"
  body "<p>Hi {{ name }}, <a href='https://example.com/x'>look</a></p>"
  from "Bench <bench@example.com>"
}
C
awk -v n="$N" 'BEGIN { print "name,email,phone"; for (i = 1; i <= n; i++) printf "P%d,p%d@x.test,+336%08d\n", i, i, i }' > "$D/c.csv"
"$CAMP" init --db "$D/db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$D/db" --start "$D/m.camp" > /dev/null
"$CAMP" import --db "$D/db" --model contact "$D/c.csv" > /dev/null

# vtime OUT CMD...: CMD's wall time (s) and peak RSS (KiB) into OUT.time/.rss
vtime() {
  out=$1; shift
  a=$(date +%s.%N)
  /usr/bin/time -v -o "$out.v" "$@"
  b=$(date +%s.%N)
  awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f\n", b - a }' > "$out.time"
  sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$out.v" > "$out.rss"
}

# before its time nothing is sent: the first run reaches 09:59 only
"$CAMP" run --db "$D/db" --until 2026-01-05T09:59:00Z --mail sink: --sms sink: > /dev/null
early=$(sqlite3 "$D/db" "SELECT count(*) FROM camp_trace WHERE message_id IS NOT NULL")
vtime "$D/send" "$CAMP" run --db "$D/db" --until 2026-01-05T11:00:00Z --mail sink: --sms sink: > "$D/run.out"
sent=$(sqlite3 "$D/db" "SELECT count(*) FROM camp_trace WHERE message_id IS NOT NULL")

show="not measured: this camp has no 'camp list' command"
if "$CAMP" help | grep -q '^  list '; then
  vtime "$D/show" "$CAMP" list show --db "$D/db" everyone --format csv > /dev/null
  rows=$(($("$CAMP" list show --db "$D/db" everyone --format csv | wc -l) - 1))   # again, untimed: the rows
  show=$(awk -v t="$(cat "$D/show.time")" -v r="$(cat "$D/show.rss")" -v n="$rows" \
    'BEGIN { printf "%.2f s for %d member rows (%.0f rows/s), peak RSS %.1f MiB", t, n, n / t, r / 1024 }')
fi

awk -v n="$N" -v early="$early" -v sent="$sent" -v t="$(cat "$D/send.time")" -v rss="$(cat "$D/send.rss")" -v show="$show" 'BEGIN {
  printf "list members:    %d (dynamic list, where email is set)\n", n
  printf "before its time: %d messages (the run up to 09:59, the mailing is at 10:00)\n", early
  printf "mailing:         %d messages in %.2f s (%.0f messages/s), sink: channel\n", sent, t, sent / t
  printf "peak RSS:        %.1f MiB (camp run, /usr/bin/time -v)\n", rss / 1024
  printf "list show csv:   %s\n", show
}'

if [ "$BASE_N" -gt 0 ]; then
  echo "-- baseline, same invocation: sh bench/run.sh $BASE_N (the automation run) --"
  CAMP=$CAMP sh "$(dirname "$0")/run.sh" "$BASE_N"
fi

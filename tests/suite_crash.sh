#!/bin/sh
# tests/suite_crash.sh -- crash safety: `camp run` is killed with SIGKILL at
# random moments (12 times) over a few thousand participants and restarted
# each time; then it must hold that every trace ended in a final state, every
# sent message exists (named by its Message-ID), no participant got two
# messages for one activity, and PRAGMA integrity_check is ok.
BUILD=${BUILD:-build}
CAMP=${CAMP:-$PWD/$BUILD/camp}
N=${CRASH_CONTACTS:-12000}
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
pass=0; fail=0
check() { if [ "$1" = "$2" ]; then pass=$((pass + 1)); else echo "FAIL $3: got '$1', expected '$2'"; fail=$((fail + 1)); fi; }
cat > "$D/models.camp" <<'C'
model contact {
  name text
  email email
  phone phone
}
C
cat > "$D/c.camp" <<'C'
use "models.camp"

campaign crash "Crash" {
  target contact
  where email is set

  email hello after 1 hour {
    subject "Hello {{ name }}"
    body "<p>Hi {{ name }} <a href='https://example.com/x'>x</a></p>"

    on open within 3 days {
      action opened { note("opened") }
    }

    on no open within 3 days {
      sms nudge {
        text "Still there, {{ name }}? https://example.com/s"
      }
    }
  }

  email followup after 2 days {
    subject "Day two"
    body "<p>more</p>"
  }
}
C
"$CAMP" init --db "$D/db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$D/db" --start "$D/c.camp" > /dev/null
kills=0
seed=7
wave=0
while [ "$kills" -lt 12 ] && [ "$wave" -lt 40 ]; do
  # a wave of new contacts each round, so every restart has work in flight
  awk -v w="$wave" -v n="$((N / 12))" 'BEGIN { print "name,email,phone"; for (i = 1; i <= n; i++) { k = w * n + i; printf "P%d,p%d@x.test,+336%08d\n", k, k, k } }' > "$D/c.csv"
  "$CAMP" import --db "$D/db" --model contact "$D/c.csv" > /dev/null
  wave=$((wave + 1))
  "$CAMP" run --db "$D/db" --until +2h --mail "file:$D/mail" --sms "file:$D/sms" > /dev/null 2>&1 &
  pid=$!
  seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
  sleep "0.$(printf %02d $(( seed % 15 + 1 )))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null
done
N=$(sqlite3 "$D/db" "SELECT count(*) FROM contact")
"$CAMP" run --db "$D/db" --until 2026-02-10T00:00:00Z --mail "file:$D/mail" --sms "file:$D/sms" > /dev/null
echo "killed camp run $kills times"
[ "$kills" -ge 10 ] && pass=$((pass + 1)) || { echo "FAIL only $kills kills landed"; fail=$((fail + 1)); }
check "$(sqlite3 "$D/db" "SELECT count(*) FROM camp_trace WHERE state IN (0, 1, 6)")" 0 "traces not in a final state"
check "$(sqlite3 "$D/db" "SELECT count(*) FROM camp_participant WHERE state = 'running'")" 0 "participants still running"
check "$(sqlite3 "$D/db" "SELECT count(*) FROM camp_participant")" "$N" "participants"
sent=$(sqlite3 "$D/db" "SELECT count(*) FROM camp_trace t JOIN camp_activity a ON a.id = t.activity WHERE t.state = 2 AND a.kind = 1")
check "$(ls "$D/mail" | grep -c '\.eml$')" "$sent" "emails on disk vs processed email traces"
check "$sent" "$((2 * N))" "every participant got both emails"
missing=0
for id in $(sqlite3 "$D/db" "SELECT message_id FROM camp_trace WHERE state = 2 AND message_id IS NOT NULL"); do
  [ -f "$D/mail/$id.eml" ] || [ -f "$D/sms/$id.txt" ] || missing=$((missing + 1))
done
check "$missing" 0 "processed traces whose message is missing"
check "$(sqlite3 "$D/db" "SELECT count(*) FROM (SELECT participant, activity FROM camp_trace GROUP BY 1, 2 HAVING count(*) > 1)")" 0 "participant x activity with two traces"
check "$(sqlite3 "$D/db" "SELECT count(*) FROM (SELECT message_id FROM camp_trace WHERE message_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1)")" 0 "Message-IDs used twice"
check "$(ls "$D/sms" | grep -c '\.txt$')" "$N" "SMS nudges (no opens were recorded)"
check "$(sqlite3 "$D/db" "PRAGMA integrity_check")" ok "integrity_check"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

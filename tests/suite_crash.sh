#!/bin/sh
# tests/suite_crash.sh -- crash safety: `camp run` is killed with SIGKILL at
# random moments (12 times) over a few thousand participants and restarted
# each time; then it must hold that every trace ended in a final state, every
# sent message exists (named by its Message-ID), no participant got two
# messages for one activity, and PRAGMA integrity_check is ok.
#
# What it reads comes from camp (timeline, report); the raw schema only for
# what no command tells: how many records were imported and integrity_check.
# store: both
. tests/lib.sh
store_init
N=${CRASH_CONTACTS:-12000}
# on PostgreSQL (the rerun), a third of the contacts unless given: the same
# 12 kills and checks; suite_workers carries the scale there
[ "$STORE" = postgresql ] && N=${CRASH_CONTACTS_PG:-4000}
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
store_db db CDB
new_db "$CDB" "$D/c.camp"
kills=0
seed=7
wave=0
while [ "$kills" -lt 12 ] && [ "$wave" -lt 40 ]; do
  # a wave of new contacts each round, so every restart has work in flight
  awk -v w="$wave" -v n="$((N / 12))" 'BEGIN { print "name,email,phone"; for (i = 1; i <= n; i++) { k = w * n + i; printf "P%d,p%d@x.test,+336%08d\n", k, k, k } }' > "$D/c.csv"
  "$CAMP" import --db "$CDB" --model contact "$D/c.csv" > /dev/null
  wave=$((wave + 1))
  "$CAMP" run --db "$CDB" --until +2h --mail "file:$D/mail" --sms "file:$D/sms" > /dev/null 2>&1 &
  pid=$!
  seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
  sleep "0.$(printf %02d $(( seed % 15 + 1 )))"
  if kill -9 "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null
done
N=$(store_sql "$CDB" "SELECT count(*) FROM contact")     # no command lists records
"$CAMP" run --db "$CDB" --until 2026-02-10T00:00:00Z --mail "file:$D/mail" --sms "file:$D/sms" > /dev/null
echo "killed camp run $kills times"
[ "$kills" -ge 10 ] && ok || bad "only $kills kills landed"
traces "$CDB" record,activity,state,participant,message_id > "$D/traces"
check "traces not in a final state" "$(awk -F'|' '$3 ~ /^(scheduled|waiting|sending)$/' "$D/traces" | wc -l | tr -d ' ')" 0
check "participants still running" "$(awk -F'|' '$4 == "running" { print $1 }' "$D/traces" | sort -u | wc -l | tr -d ' ')" 0
check "participants" "$(cut -d'|' -f1 "$D/traces" | sort -u | wc -l | tr -d ' ')" "$N"
sent=$(report "$CDB" 'sum(a["processed"] for a in acts if a["kind"] == "email")')
check "emails on disk vs processed email traces" "$(ls "$D/mail" | grep -c '\.eml$')" "$sent"
check "every participant got both emails" "$sent" "$((2 * N))"
missing=0
for id in $(awk -F'|' '$3 == "processed" { print $5 }' "$D/traces"); do
  [ -f "$D/mail/$id.eml" ] || [ -f "$D/sms/$id.txt" ] || missing=$((missing + 1))
done
check "processed traces whose message is missing" "$missing" 0
check "participant x activity with two traces" "$(cut -d'|' -f1,2 "$D/traces" | sort | uniq -d | wc -l | tr -d ' ')" 0
check "Message-IDs used twice" "$(cut -d'|' -f5 "$D/traces" | grep -v '^$' | sort | uniq -d | wc -l | tr -d ' ')" 0
check "SMS nudges (no opens were recorded)" "$(ls "$D/sms" | grep -c '\.txt$')" "$N"
[ "$STORE" = postgresql ] || check "integrity_check" "$(sqlite3 "$CDB" "PRAGMA integrity_check")" ok

# -- a manual mailing: `camp send` killed with SIGKILL during a large send and
# run again until it is done; every address gets the mailing exactly once
# (one Message-ID each: a message resent after a crash keeps its ID and its
# file), and each recipient is its own unit of work.
M=${CRASH_MAILING:-20000}
cat > "$D/m.camp" <<'C'
use "models.camp"

list everyone "Everyone" {
  target contact
  where email is set
}

mailing blast "Blast" {
  to list everyone
  subject "News for {{ name }}"
  body "<p>Hi {{ name }} <a href='https://example.com/n'>n</a></p>"
  from "News <news@example.com>"
}
C
awk -v n="$M" 'BEGIN { print "name,email,phone"; for (i = 1; i <= n; i++) printf "M%d,m%d@x.test,\n", i, i }' > "$D/m.csv"
store_db mdb MDB
new_db "$MDB" "$D/m.camp" "$D/m.csv"
mkills=0
tries=0
while [ "$mkills" -lt 6 ] && [ "$tries" -lt 30 ]; do
  tries=$((tries + 1))
  "$CAMP" send --db "$MDB" blast --mail "file:$D/mmail" > "$D/send.out" 2>&1 &
  pid=$!
  seed=$(( (seed * 1103515245 + 12345) % 2147483648 ))
  sleep "0.$(printf %02d $(( seed % 30 + 5 )))"
  if kill -9 "$pid" 2>/dev/null; then mkills=$((mkills + 1)); fi
  wait "$pid" 2>/dev/null
  grep -q "already sent" "$D/send.out" && break       # a run finished before its kill
done
echo "killed camp send $mkills times"
[ "$mkills" -ge 3 ] && ok || bad "only $mkills kills of camp send landed"
"$CAMP" send --db "$MDB" blast --mail "file:$D/mmail" > "$D/send.out" 2>&1
grep -q -e "already sent" -e "^mailing blast: sent" "$D/send.out" && ok || bad "the last camp send: $(cat "$D/send.out")"
"$CAMP" send --db "$MDB" blast --mail "file:$D/mmail" > "$D/send.out" 2>&1
check "then it is refused as sent" "$?: $(grep -c 'was already sent at' "$D/send.out")" "1: 1"
check "mailing: one message file per address" "$(ls "$D/mmail" | grep -c '\.eml$')" "$M"
check "mailing: no address got two (each To: once)" \
  "$(cat "$D"/mmail/*.eml | sed -n 's/^To: .*<\(.*\)>\r*$/\1/p' | sort | uniq -d | wc -l | tr -d ' ') $(cat "$D"/mmail/*.eml | grep -c '^To: ')" "0 $M"
"$CAMP" report --db "$MDB" blast --members --format csv > "$D/members.csv"
check "mailing: every member sent once, nothing pending" \
  "$(awk -F, 'NR > 1 && $3 == "processed" && $4 == 1' "$D/members.csv" | wc -l | tr -d ' ')" "$M"
check "mailing: Message-IDs of the traces are the files" \
  "$(traces "$MDB" message_id message_id!= | sort | sed 's/$/.eml/' | cmp -s - "$(ls "$D/mmail" | sort > "$D/files"; echo "$D/files")" && echo same)" same
[ "$STORE" = postgresql ] || check "mailing: integrity_check" "$(sqlite3 "$MDB" "PRAGMA integrity_check")" ok
finish

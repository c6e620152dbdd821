#!/bin/sh
# tests/suite_workers.sh -- many `camp run` workers and `camp serve`
# instances on one PostgreSQL store (issue 15), against a real PostgreSQL 15
# cluster (tests/pg.sh) and a real SMTP server (tests/smtp/server.py).
#   1. 4 workers on NW contacts x 2 emails; two of them are killed (kill -9)
#      at random moments (the seed is printed): every (recipient, activity)
#      arrives under exactly one Message-ID, extra copies only within the
#      in-flight rule (the killed workers' connections), every trace final.
#   2. PostgreSQL stopped for OUTAGE seconds in the middle of a run of 2
#      workers, with a `camp serve` taking opens: every worker and the server
#      reconnect and go on; nothing lost, nothing under two Message-IDs.
#   3. A worker cut off (SIGSTOP) for longer than its lease, as if on
#      another machine: another worker takes its claimed sends over (same
#      Message-IDs); when it comes back it does not overwrite the new
#      owner's results.
#   4. A lock timeout (another session holds the campaign's enrolment
#      lock): the run is retried, never shown as a failure.
#   5. Frequency caps and a send-once mailing stay exact across 4 workers.
#   6. A service-mode worker wakes on news (LISTEN/NOTIFY) at once.
# What arrived is counted by tests/smtp/tally.py (by content, never by
# arrival order); waits are on conditions with generous limits.  The
# outage's length is the fault itself, not a wait for something.
. tests/lib.sh
. tests/pg.sh
TIMING=${TIMING-1}
HERE=$PWD/tests/smtp
NW=${NW:-10000}         # contacts for the four workers (2 emails each)
OUTAGE=${OUTAGE:-10}    # seconds PostgreSQL stays down in part 2
CONN=4
T=$D

has_module aiosmtpd || abort "aiosmtpd missing: apt-get install python3-aiosmtpd"
pg_start main || abort "no PostgreSQL cluster"

received() { n=$(sed -n 's/.*"messages": \([0-9]*\).*/\1/p' "$1/stats" 2>/dev/null); echo "${n:-0}"; }
tally() { $PY "$HERE/tally.py" "$1/mail"; }
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "/^$2\$/{n;p;}"; }
arrived_or_ended() { [ "$(received "$SRV")" -ge "$1" ] || ! kill -0 "$2" 2> /dev/null; }
# a random number in [lo, hi) from the seed's stream
SEED=${SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
echo "     seed $SEED (SEED=$SEED sh $0 repeats the kill moments)"
pick() { awk -v s="$SEED" -v k="$1" -v lo="$2" -v hi="$3" 'BEGIN { srand(s + k); print int(lo + rand() * (hi - lo)) }'; }

cat > "$T/c.camp" <<'C'
model contact {
  name text
  email email
}

campaign conc "Workers" {
  target contact
  where email is set

  email first {
    subject "first {{ name }}"
    body "<p>Hi {{ name }} <a href=\"https://example.com/x\">x</a></p>"
    from "Shop <shop@example.com>"

    on done {
      email second {
        subject "second {{ name }}"
        body "<p>Again, {{ name }}</p>"
        from "Shop <shop@example.com>"
      }
    }
  }
}
C
contacts() { awk -v n="$1" 'BEGIN { print "name,email"; for (i = 1; i <= n; i++) printf "P%d,p%d@x.test\n", i, i }' > "$T/c.csv"; }

# db NAME N: a fresh PostgreSQL database NAME with the campaign and N contacts; sets DB (its URL)
db() {
  pg_fresh_db main "$1" || return 1
  DB=$(pg_url main "$1")
  contacts "$2"
  new_db "$DB" "$T/c.camp" "$T/c.csv"
}
final() {
  traces "$DB" state,participant | awk -F'|' '$1 !~ /^(processed|rejected|canceled|error)$/ { n++ } $2 != "completed" { m++ }
    END { print n + 0, m + 0 }'
}
sql() { pg_psql main "$1" "$2"; }
# worker NAME [ENV...]: camp run in the background on DB; its pid in WPID, output in $T/NAME
worker() {
  _n=$1; shift
  env "$@" "$CAMP" run --db "$DB" --until +1h --mail "smtp://127.0.0.1:$PORT" --mail-connections $CONN > "$T/$_n" 2>&1 &
  WPID=$!
  started $WPID
}

# -- 1. four workers, two killed --------------------------------------------------
smtp_server four --delay 0.002
db four "$NW"
k1=$(pick 1 $((NW / 5)) $((NW)))
k2=$(pick 2 $((NW)) $((NW * 9 / 5)))
echo "     kill -9 of worker 1 after $k1 messages, of worker 2 after $k2 (of $((2 * NW)))"
worker w1; p1=$WPID
worker w2; p2=$WPID
worker w3; p3=$WPID
worker w4; p4=$WPID
wait_for -n 6000 -s 0.05 arrived_or_ended "$k1" "$p1"; kill -9 "$p1" 2> /dev/null
wait_for -n 6000 -s 0.05 arrived_or_ended "$k2" "$p2"; kill -9 "$p2" 2> /dev/null
wait "$p3"; r3=$?
wait "$p4"; r4=$?
expect "four workers: the two not killed exit 0" "00" "$r3$r4"
# what the killed ones held is free at once on this machine (their pids are gone)
"$CAMP" run --db "$DB" --until +1h --mail "smtp://127.0.0.1:$PORT" --mail-connections $CONN > "$T/w5" 2>&1 ||
  bad "a last worker after the kills" "$(tail -n 3 "$T/w5")"
t=$(tally "$SRV")
echo "     $t"
expect "four workers: every (recipient, activity) arrived" "$((2 * NW))" "$(field "$t" pairs)"
expect "four workers: one Message-ID per (recipient, activity)" "$((2 * NW)) 0" "$(field "$t" distinct_ids) $(field "$t" mixed)"
extra=$(field "$t" dup_pairs)
expect "four workers: extra copies only in flight at the kills ($extra <= 2 x $CONN)" yes \
  "$([ "$extra" -le $((2 * CONN)) ] && echo yes || echo no)"
expect "four workers: every trace final, every participant completed" "0 0" "$(final)"
expect "four workers: every trace processed" "$((2 * NW))" "$(ntraces "$DB" state=processed)"
expect "four workers: the two that finished each sent a share" 2 \
  "$(cat "$T/w3" "$T/w4" | sed -n 's/.*(sent \([0-9]*\)).*/\1/p' | awk '$1 > 0' | wc -l | tr -d ' ')"
expect "four workers: no runner row left by the ones that ended" 0 "$(sql "SELECT count(*) FROM camp_runner" four)"

# -- 2. PostgreSQL restarted in the middle of a run, two serve instances -----------------
smtp_server restart --delay 0.01
db restart 1500
SMTP=$PORT
camp_serve "$DB"; BASE1=$BASE
camp_serve "$DB"; BASE2=$BASE
PORT=$SMTP                                       # camp_serve set it to its own
"$CAMP" run --db "$DB" --until +1h --mail "smtp://127.0.0.1:$PORT" --mail-connections $CONN --base-url "$BASE1" > "$T/r1" 2>&1 &
p1=$!; started $p1
"$CAMP" run --db "$DB" --until +1h --mail "smtp://127.0.0.1:$PORT" --mail-connections $CONN --base-url "$BASE1" > "$T/r2" 2>&1 &
p2=$!; started $p2
wait_for -n 2400 -s 0.05 at_least 300 received "$SRV" || bad "300 messages arrived before the restart"
pg_stop main fast
atstop=$(received "$SRV")
sleep "$OUTAGE"                                  # the outage itself
pg_start_again main
wait "$p1"; r1=$?
wait "$p2"; r2=$?
echo "     $atstop of 3000 messages had arrived when PostgreSQL stopped for $OUTAGE s"
expect "restart: it stopped in the middle of the run" yes "$([ "$atstop" -lt 3000 ] && echo yes || echo no)"
expect "restart: both workers went on and exit 0" "00" "$r1$r2"
t=$(tally "$SRV")
echo "     $t"
expect "restart: every (recipient, activity) arrived" 3000 "$(field "$t" pairs)"
expect "restart: one Message-ID per (recipient, activity)" "3000 0" "$(field "$t" distinct_ids) $(field "$t" mixed)"
expect "restart: every trace final, every participant completed" "0 0" "$(final)"
# the servers were up through the outage: opens through either are recorded after it
opens=$($PY tests/serve/client.py tokens "$SRV/mail" 2> /dev/null | awk '{ print $3 }' | sort -u | head -n 2)
o1=$(printf '%s\n' "$opens" | sed -n 1p); o2=$(printf '%s\n' "$opens" | sed -n 2p | sed "s|^$BASE1|$BASE2|")
expect "restart: two open pixels found in the mail" yes "$([ -n "$o1" ] && [ -n "$o2" ] && echo yes || echo no)"
expect "restart: serve 1 answers an open after the outage" 200 "$(code "$o1")"
expect "restart: serve 2 answers an open after the outage" 200 "$(code "$o2")"
wait_for answers 2 ntraces "$DB" events~open
expect "restart: both opens recorded in the one store" 2 "$(ntraces "$DB" events~open)"

# -- 3. a worker cut off for longer than its lease ------------------------------------------
smtp_server lease --delay 0.05
db lease 200
worker slow CAMP_RUNNER_HOST=machine-a CAMP_LEASE_SECONDS=3; pa=$WPID
wait_for -n 2400 -s 0.05 at_least 10 received "$SRV" || bad "the first worker sent 10 messages"
kill -STOP "$pa"
held=$(sql "SELECT count(*) FROM camp_trace WHERE state = 6 AND owner IS NOT NULL" lease)
expect "lease: the stopped worker holds claimed sends" yes "$([ "$held" -gt 0 ] && echo yes || echo no)"
# another machine's worker, once the lease passed, takes them over and finishes
# (a heartbeat is in whole seconds: 4 s old is surely past a 3 s lease)
wait_for -n 200 -s 0.1 answers 0 sql "SELECT count(*) FROM camp_runner WHERE heartbeat >= extract(epoch FROM now()) - 4" lease
worker other CAMP_RUNNER_HOST=machine-b CAMP_LEASE_SECONDS=3; pb=$WPID
wait "$pb"; rb=$?
expect "lease: the other machine's worker exits 0" 0 "$rb"
expect "lease: it did everything (every trace final)" "0 0" "$(final)"
before=$(sql "SELECT count(*), sum(length(message)) FROM camp_trace" lease)
kill -CONT "$pa"
wait "$pa"; ra=$?
expect "lease: the worker that came back exits 0" 0 "$ra"
t=$(tally "$SRV")
echo "     $t"
expect "lease: every (recipient, activity) arrived under one Message-ID" "400 400 0" \
  "$(field "$t" pairs) $(field "$t" distinct_ids) $(field "$t" mixed)"
extra=$(field "$t" dup_pairs)
expect "lease: the one that came back sent only what was in flight when it stopped ($extra <= 2 x $CONN)" yes \
  "$([ "$extra" -le $((2 * CONN)) ] && echo yes || echo no)"
expect "lease: it said it was judged dead" 1 "$(grep -c "run: this runner was judged dead while its batch was out" "$T/slow")"
expect "lease: the one that came back overwrote nothing" "$before" "$(sql "SELECT count(*), sum(length(message)) FROM camp_trace" lease)"
expect "lease: every trace still final" "0 0" "$(final)"

# -- 4. a lock timeout is retried, not shown as a failure ------------------------------------
# a session holds the campaign's enrolment lock for LOCKHOLD seconds while the
# database allows 200 ms of lock waiting: the worker's enrolment times out
# (SQLSTATE 55P03) and is run again until the lock is free
smtp_server tmo
db tmo 300
sql "ALTER DATABASE tmo SET lock_timeout = '200ms'" tmo
cid=$(sql "SELECT id FROM camp_campaign WHERE name = 'conc'" tmo)
pg_psql main "SELECT pg_advisory_lock(1667329392, $cid), pg_sleep(${LOCKHOLD:-3})" tmo > /dev/null 2>&1 &
holder=$!; started $holder
wait_for answers 1 sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1667329392 AND granted" tmo
worker t1; p1=$WPID
wait "$p1"; r1=$?
expect "lock timeout: the worker exits 0" 0 "$r1"
expect "lock timeout: it said it tried again" yes "$(grep -q 'trying again' "$T/t1" && echo yes || cat "$T/t1")"
expect "lock timeout: every trace final" "0 0" "$(final)"
t=$(tally "$SRV")
expect "lock timeout: one Message-ID per (recipient, activity)" "600 600 0" "$(field "$t" pairs) $(field "$t" distinct_ids) $(field "$t" mixed)"

# -- 5. frequency caps and a send-once mailing across four workers ----------------------------
# three campaigns and a mailing each write to every contact at 09:00 under a
# database cap of one email a day: over four days each contact gets exactly
# one a day, and the mailing exactly once, whichever worker took which
cat > "$T/caps.camp" <<'C'
model contact {
  name text
  email email
}
campaign c1 "One" { target contact where email is set email m1 { subject "c1 {{ name }}" body "<p>1</p>" } }
campaign c2 "Two" { target contact where email is set email m2 { subject "c2 {{ name }}" body "<p>2</p>" } }
campaign c3 "Three" { target contact where email is set email m3 { subject "c3 {{ name }}" body "<p>3</p>" } }
list all "Everyone" {
  target contact
  where email is set
}
mailing promo "Promotion" {
  to list all
  at 2026-01-05T09:00:00Z
  subject "promo {{ name }}"
  body "<p>p</p>"
}
C
smtp_server caps
NC=400
pg_fresh_db main caps && DB=$(pg_url main caps)
contacts $NC
new_db "$DB" "$T/caps.camp" "$T/c.csv"
"$CAMP" config --db "$DB" cap.email "1 per 1 day" > /dev/null || bad "camp config cap.email"
for day in 2026-01-05T12:00:00Z 2026-01-06T12:00:00Z 2026-01-07T12:00:00Z 2026-01-08T12:00:00Z; do
  pids=
  for k in 1 2 3 4; do
    "$CAMP" run --db "$DB" --until "$day" --mail "smtp://127.0.0.1:$PORT" --mail-connections 2 > "$T/caps.$k" 2>&1 &
    pids="$pids $!"
  done
  rcs=
  for p in $pids; do wait "$p"; rcs="$rcs$?"; done
  expect "caps: four workers up to $day exit 0" 0000 "$rcs"
done
t=$(tally "$SRV")
echo "     $t"
expect "caps: each contact got each of the 4 messages once, under one Message-ID" "$((4 * NC)) $((4 * NC)) $((4 * NC)) 0 0" \
  "$(field "$t" messages) $(field "$t" pairs) $(field "$t" distinct_ids) $(field "$t" dup_pairs) $(field "$t" mixed)"
expect "caps: nobody got two in one day" 0 \
  "$(sql "SELECT count(*) FROM (SELECT contact, at / 86400 AS day FROM camp_send_log GROUP BY contact, at / 86400 HAVING count(*) > 1) AS x" caps)"
expect "caps: the mailing went to each member once" "$NC" "$(ntraces "$DB" campaign=promo state=processed)"

# -- 6. a waiting worker wakes on news (LISTEN/NOTIFY), not at its next poll --------------------
# a service-mode worker on the real clock has sent the welcome and has
# nothing due for days (it would look again in 60 s); an open recorded by
# camp event wakes it at once, and the open's action runs
cat > "$T/wake.camp" <<'C'
model contact {
  name text
  email email
}
campaign wake "Wake" {
  target contact
  where email is set
  email hello {
    subject "hello {{ name }}"
    body "<p>Hi</p>"
    on open within 3 days {
      action opened { note("opened") }
    }
  }
}
C
smtp_server wake
pg_fresh_db main wake && DB=$(pg_url main wake)
contacts 3
new_db "$DB" "$T/wake.camp" "$T/c.csv" real
"$CAMP" run --db "$DB" --mail "smtp://127.0.0.1:$PORT" > "$T/wake.out" 2>&1 &
pw=$!; started $pw
wait_for -n 600 -s 0.1 answers 3 ntraces "$DB" activity=hello state=processed || bad "the service worker sent the welcomes"
mid=$(traces "$DB" message_id record=2 activity=hello)
"$CAMP" event --db "$DB" open --message-id "$mid" > /dev/null || bad "camp event open"
# 20 s is a third of the 60 s the worker would otherwise sleep
wait_for -n 200 -s 0.1 answers 1 ntraces "$DB" activity=opened state=processed
expect "wake: the open's action ran within 20 s of the event" 1 "$(ntraces "$DB" activity=opened state=processed)"
kill -TERM "$pw"; wait "$pw"
expect "wake: the worker stops on SIGTERM, exit 0" 0 "$?"

finish

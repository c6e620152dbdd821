#!/bin/sh
# tests/suite_caps.sh -- frequency caps (docs/RUNTIME.md "Frequency caps").
#
# On the simulated clock, file channel:
#   1. a contact in 3 campaigns over one morning under the database's cap
#      (2 emails per 7 days) gets 2; the third is held until the oldest
#      send leaves the period, says so, and goes out then; the contact is
#      the address lower case (two records, one address: one contact)
#   2. a mailing counts toward the cap; an SMS cap is its own channel's
#   3. test participants (camp test) are neither held nor counted
#   4. a cap setting of "off" (or none) caps nothing and logs nothing
#   5. `cap skip`, `cap exempt`, a campaign's
#      own cap, priority deciding who gets the last place
# Against a real SMTP server on 127.0.0.1 (tests/smtp/server.py):
#   6. a send that fails for good keeps its place in the count (an
#      attempt); a retried one (greylisted) is counted once, when first claimed
#   7. THE CONCURRENCY TEST: two `camp run` processes on one database over
#      many contacts, each in 3 campaigns under a cap of 2: nobody receives
#      more than 2 (counted at the server, per recipient lower case), and
#      the send log agrees with the traces.
# Traces are read through camp timeline; the send log, which no command
# shows, through store_sql.  Waits are on conditions, never fixed sleeps.
# store: both
. tests/lib.sh
store_init
TIMING=${TIMING-1}
N=${N:-1000}            # contacts of the concurrency test
T=$D
cp tests/scenarios/models.camp "$T/models.camp"

# setcap DB CHANNEL TEXT: the database's cap on CHANNEL (email, sms), by
# camp config when it knows caps, else straight into camp_meta
setcap() {
  if "$CAMP" config --help 2>&1 | grep -q 'cap\.'; then
    "$CAMP" config --db "$1" "cap.$2" "$3" > /dev/null || bad "camp config cap.$2 '$3'"
  else
    store_sql "$1" "INSERT INTO camp_meta(key, value) VALUES('cap.$2', '$3') ON CONFLICT(key) DO UPDATE SET value = excluded.value"
  fi
}
# db NAME CAMP-FILE CSV-TEXT: a new database at 2026-01-05T09:00:00Z with
# the campaigns started and the records imported; sets DB
db() {
  store_db "$1"
  [ "$2" -ef "$T/$1.camp" ] || cp "$2" "$T/$1.camp"
  printf '%s\n' "$3" > "$T/$1.csv"
  new_db "$DB" "$T/$1.camp" "$T/$1.csv"
}
run() { "$CAMP" run --db "$DB" --until "$1" --mail "file:$T/mail" --sms "file:$T/sms" > "$T/run.out" 2>&1 || bad "run --until $1" "$(cat "$T/run.out")"; }
# one CAMPAIGN RECORD [FIELDS]: state|due|message of the record's real trace in CAMPAIGN
one() { traces "$DB" "${3:-state,due,message}" campaign="$1" record="$2" test=false; }
# logged [WHERE]: rows of the send log (channel 0 email, 1 sms)
logged() { store_sql "$DB" "SELECT count(*) FROM camp_send_log ${1:+WHERE $1}"; }
CSV_HEAD='name,email,phone,opt_out,tags,score'

# three campaigns, one email each: at once, an hour later, two hours later
cat > "$T/three.camp" <<'C'
use "models.camp"
campaign c1 "One" {
  target contact
  where email is set
  email m1 { subject "m1" body "<p>1</p>" }
}
campaign c2 "Two" {
  target contact
  where email is set
  email m2 after 1 hour { subject "m2" body "<p>2</p>" }
}
campaign c3 "Three" {
  target contact
  where email is set
  email m3 after 2 hours { subject "m3" body "<p>3</p>" }
}
C

# -- 1. three campaigns over one morning --------------------------------------
db morning "$T/three.camp" "$CSV_HEAD
Ada,Ada@X.test,,false,,1
Bob,bob@x.test,,false,,2
Ada again,ada@x.TEST,,false,,3"
MORNING=$DB
setcap "$DB" email "2 per 7 days"
run 2026-01-05T12:00:00Z
HELD='scheduled|2026-01-12T09:00:00Z|held for the frequency cap (2 emails per 7 days) until 2026-01-12T09:00:00Z'
expect "morning: Bob gets m1 at 09:00" "processed|2026-01-05T09:00:00Z|" "$(one c1 2)"
expect "morning: Bob gets m2 at 10:00" "processed|2026-01-05T10:00:00Z|" "$(one c2 2)"
expect "morning: Bob's m3 is held until m1 leaves the 7 days" "$HELD" "$(one c3 2)"
# Ada's two records are one contact (the address lower case): 2 of their 6 messages go
expect "morning: one address, two records: 2 messages in all" "2" "$(ntraces "$DB" state=processed record!=2)"
expect "morning: ... the 4 others held until the first leaves the period" \
  "4" "$(traces "$DB" message record!=2 state=scheduled | grep -c 'until 2026-01-12T09:00:00Z')"
expect "morning: the send log has a row per message sent, keyed lower case" \
  "ada@x.test 2|bob@x.test 2" "$(store_sql "$DB" "SELECT contact || ' ' || count(*) FROM camp_send_log GROUP BY contact ORDER BY contact" | join_lines '|')"
expect "morning: 4 messages written" "4" "$(ls "$T/mail" | grep -c '\.eml$')"
expect "morning: camp status shows c3's 3 pending messages due when the cap allows" "3 2026-01-12T09:00:00Z" \
  "$("$CAMP" status --db "$DB" | awk '$1 == "campaign" && $2 == "c3" { print $(NF - 1), $NF }')"
# a week later Bob's m3 goes at 09:00; Ada's two records take the 2 places that free up
run 2026-01-12T12:00:00Z
expect "a week later: Bob's m3 goes when the cap allows, and keeps its note" \
  "processed|2026-01-12T09:00:00Z|held for the frequency cap (2 emails per 7 days) until 2026-01-12T09:00:00Z" "$(one c3 2)"
expect "a week later: Ada's records get 2 more (09:00 and 10:00 free up)" \
  "2" "$(traces "$DB" done record!=2 state=processed | grep -c '^2026-01-12')"
expect "a week later: Ada's last 2 are held again, until the second week's sends leave" \
  "2" "$(traces "$DB" message record!=2 state=scheduled | grep -c 'until 2026-01-19T09:00:00Z')"

# -- 2. a mailing counts; the SMS cap is its own ---------------------------------
cat > "$T/mail.camp" <<'C'
use "models.camp"
list all "Everyone" {
  target contact
  where email is set
}
mailing news "News" {
  to list all
  at 2026-01-05T09:00:00Z
  subject "news"
  body "<p>news</p>"
}
campaign later "Later" {
  target contact
  where email is set
  email hello after 1 hour { subject "hello" body "<p>hello</p>" }
  sms ping after 2 hours { text "ping" }
  sms pong after 3 hours { text "pong" }
}
C
db mailing "$T/mail.camp" "$CSV_HEAD
Ada,ada@x.test,+33 6 00 00 00 01,false,,1"
setcap "$DB" email "1 per 1 day"
setcap "$DB" sms "1 per 12 hours"
run 2026-01-05T13:00:00Z
expect "mailing: the mailing's email goes" "processed" "$(one news 1 state)"
expect "mailing: the campaign's email waits a day after it" \
  "scheduled|2026-01-06T09:00:00Z|held for the frequency cap (1 email per 1 day) until 2026-01-06T09:00:00Z" "$(traces "$DB" state,due,message activity=hello)"
expect "mailing: the first SMS goes (email sends do not count on sms)" "processed" "$(traces "$DB" state activity=ping)"
expect "mailing: the second SMS waits 12 hours" \
  "scheduled|2026-01-05T23:00:00Z|held for the frequency cap (1 SMS per 12 hours) until 2026-01-05T23:00:00Z" "$(traces "$DB" state,due,message activity=pong)"
expect "mailing: an SMS is logged under its number without separators" "+33600000001" "$(store_sql "$DB" "SELECT contact FROM camp_send_log WHERE channel = 1")"

# -- 3. test participants --------------------------------------------------------
DB=$MORNING
before=$(logged)
"$CAMP" test --db "$DB" c1 --record 2 --mail "file:$T/mail" > "$T/test.out" 2>&1 || bad "camp test" "$(cat "$T/test.out")"
expect "camp test: a test participant at the cap still gets its message" "processed" "$(traces "$DB" state campaign=c1 record=2 test=true)"
expect "camp test: ... and it is not counted" "$before" "$(logged)"

# -- 4. off ----------------------------------------------------------------------
db off "$T/three.camp" "$CSV_HEAD
Bob,bob@x.test,,false,,2"
setcap "$DB" email off
run 2026-01-05T12:00:00Z
expect "cap off: every message goes" "3" "$(ntraces "$DB" state=processed)"
expect "cap off: each is logged all the same (a cap set later counts them)" "3" "$(logged)"

# -- 5. the language: skip, exempt, own caps, priority -----------------------------
lang() {
  # cap skip: over the cap, canceled, and counted as canceled by the run
  sed 's#body "<p>2</p>" }#body "<p>2</p>" cap skip }#' "$T/three.camp" > "$T/skip.camp"
  db skip "$T/skip.camp" "$CSV_HEAD
Bob,bob@x.test,,false,,2"
  setcap "$DB" email "1 per 1 day"
  run 2026-01-05T12:00:00Z
  expect "cap skip: the message over the cap is canceled" \
    "canceled|frequency cap: 1 email per 1 day reached" "$(one c2 1 state,message)"
  expect_match "cap skip: the run counts it canceled" "*canceled 1,*" "$(tail -n 1 "$T/run.out")"
  expect "cap skip: the participant is complete" "completed" "$(one c2 1 participant)"
  expect "cap skip: not logged" "1" "$(logged)"
  expect_match "cap skip: ... while c3, without it, waits" "scheduled|2026-01-06T09:00:00Z|held for*" "$(one c3 1)"

  # cap exempt: neither counted nor held
  cat > "$T/exempt.camp" <<'C'
use "models.camp"
campaign receipt "Receipt" {
  target contact
  where email is set
  email r1 {
    subject "receipt"
    body "<p>r</p>"
    cap exempt
  }
}
campaign news "News" {
  target contact
  where email is set
  email n1 after 1 hour { subject "n1" body "<p>n</p>" }
  email n2 after 2 hours { subject "n2" body "<p>n</p>" }
  email reset after 3 hours {
    subject "reset"
    body "<p>reset</p>"
    cap exempt
  }
}
C
  db exempt "$T/exempt.camp" "$CSV_HEAD
Bob,bob@x.test,,false,,2"
  setcap "$DB" email "1 per 1 day"
  run 2026-01-05T12:00:00Z
  expect "cap exempt: the exempt receipt goes" "processed|2026-01-05T09:00:00Z" "$(traces "$DB" state,done activity=r1)"
  expect "cap exempt: ... and does not count: the next one goes too" "processed|2026-01-05T10:00:00Z" "$(traces "$DB" state,done activity=n1)"
  expect_match "cap exempt: the one after that is held" "scheduled|2026-01-06T10:00:00Z|held for the frequency cap*" "$(traces "$DB" state,due,message activity=n2)"
  expect "cap exempt: an exempt message over the cap is not held" "processed|2026-01-05T12:00:00Z" "$(traces "$DB" state,done activity=reset)"
  expect "cap exempt: only the counted message is logged" "1" "$(logged)"

  # a campaign's own cap counts its own messages only
  cat > "$T/own.camp" <<'C'
use "models.camp"
campaign drip "Drip" {
  target contact
  where email is set
  cap email 1 per 1 day
  email d1 { subject "d1" body "<p>1</p>" }
  email d2 after 2 hours { subject "d2" body "<p>2</p>" }
}
campaign other "Other" {
  target contact
  where email is set
  email o1 after 1 hour { subject "o1" body "<p>o</p>" }
  email o2 after 3 hours { subject "o2" body "<p>o</p>" }
}
C
  db own "$T/own.camp" "$CSV_HEAD
Bob,bob@x.test,,false,,2"
  run 2026-01-05T13:00:00Z
  expect "own cap: the campaign's second email waits a day from its first" \
    "scheduled|2026-01-06T09:00:00Z|held for the campaign's own frequency cap (1 email per 1 day) until 2026-01-06T09:00:00Z" \
    "$(traces "$DB" state,due,message activity=d2)"
  expect "own cap: another campaign is not held by it" "processed processed" "$(traces "$DB" state campaign=other | join_lines ' ')"
  # a database cap set now counts the 3 sends of the 5th (logged, capped or
  # not); each cap must have room: the database's 2 per 7 days frees a place
  # when the second oldest (o1, 10:00) leaves
  setcap "$DB" email "2 per 7 days"
  run 2026-01-06T12:00:00Z
  expect "own cap and database cap: the later time wins" \
    "scheduled|2026-01-12T10:00:00Z|held for the frequency cap (2 emails per 7 days) until 2026-01-12T10:00:00Z" \
    "$(traces "$DB" state,due,message activity=d2)"

  # priority: three campaigns at 09:00, one place a day
  cat > "$T/prio.camp" <<'C'
use "models.camp"
campaign low "Low" {
  target contact
  where email is set
  priority 20
  email l1 { subject "low" body "<p>l</p>" }
}
campaign mid "Default" {
  target contact
  where email is set
  email m1 { subject "mid" body "<p>m</p>" }
}
campaign high "High" {
  target contact
  where email is set
  priority 90
  email h1 { subject "high" body "<p>h</p>" }
}
C
  db prio "$T/prio.camp" "$CSV_HEAD
Bob,bob@x.test,,false,,2
Eve,eve@x.test,,false,,3"
  setcap "$DB" email "1 per 1 day"
  run 2026-01-05T12:00:00Z
  expect "priority: the highest gets the day's place" "high|2026-01-05T09:00:00Z high|2026-01-05T09:00:00Z" \
    "$(traces "$DB" campaign,done state=processed | join_lines ' ')"
  expect "priority: the others wait a day" "2026-01-06T09:00:00Z 2026-01-06T09:00:00Z 2026-01-06T09:00:00Z 2026-01-06T09:00:00Z" \
    "$(traces "$DB" due state=scheduled | join_lines ' ')"
  run 2026-01-06T12:00:00Z
  expect "priority: the next day, the default (50) before the low (20)" "mid mid" "$(traces "$DB" campaign done~2026-01-06 | join_lines ' ')"
  run 2026-01-07T12:00:00Z
  expect "priority: the low one last" "low low" "$(traces "$DB" campaign done~2026-01-07 | join_lines ' ')"

  # a mailing's priority against a campaign's (declared first: taken first)
  cat > "$T/mprio.camp" <<'C'
use "models.camp"
campaign welcome "Welcome" {
  target contact
  where email is set
  email w1 { subject "welcome" body "<p>w</p>" }
}
list all "Everyone" {
  target contact
  where email is set
}
mailing promo "Promotion" {
  to list all
  at 2026-01-05T09:00:00Z
  priority 90
  subject "promo"
  body "<p>p</p>"
}
C
  db mprio "$T/mprio.camp" "$CSV_HEAD
Bob,bob@x.test,,false,,2"
  setcap "$DB" email "1 per 1 day"
  run 2026-01-05T12:00:00Z
  expect "priority: a mailing of priority 90 takes the place before a campaign of 50" \
    "promo|processed|2026-01-05T09:00:00Z welcome|scheduled|2026-01-06T09:00:00Z" "$(traces "$DB" campaign,state,due | sort | join_lines ' ')"
}
lang

# -- 6. failed and retried sends ------------------------------------------------------
cat > "$T/fail.camp" <<'C'
use "models.camp"
campaign refused "Refused by the server" {
  target contact
  where score = 1
  email r1 { subject "r1" body "<p>r</p>" from "Shop <shop+refused@example.com>" }
}
campaign grey "Greylisted" {
  target contact
  where score = 2
  email g1 { subject "g1" body "<p>g</p>" }
}
campaign after "After" {
  target contact
  where email is set
  email a1 after 1 hour { subject "a1" body "<p>a</p>" }
}
C
if has_module aiosmtpd; then
  smtp_server failsrv
  db failed "$T/fail.camp" "$CSV_HEAD
Rex,rex@x.test,,false,,1
Gus,grey1@x.test,,false,,2"
  setcap "$DB" email "1 per 1 day"
  "$CAMP" run --db "$DB" --until 2026-01-05T12:00:00Z --mail "smtp://127.0.0.1:$PORT" > "$T/run.out" 2>&1
  expect_match "failed for good: the message ends in error" "error|*" "$(one refused 1 state,message)"
  expect "failed for good: it keeps its row in the send log (an attempt)" "1" "$(logged "contact = 'rex@x.test'")"
  expect "failed for good: the next message waits for it to leave the period" \
    "scheduled|2026-01-06T09:00:00Z|held for the frequency cap (1 email per 1 day) until 2026-01-06T09:00:00Z" "$(one after 1)"
  expect "greylisted then retried: sent on the second attempt" "processed 1" "$(one grey 2 state,attempts | tr '|' ' ')"
  expect "greylisted then retried: logged once, when first claimed" "1 2026-01-05T09:00:00Z" \
    "$(store_sql "$DB" "SELECT count(*), min(at) FROM camp_send_log WHERE contact = 'grey1@x.test'" |
      { IFS='|' read -r n at; echo "$n $(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)"; })"
  expect "greylisted then retried: the next message waits a day from the first claim" \
    "scheduled|2026-01-06T09:00:00Z" "$(one after 2 state,due)"
fi

# -- 7. two runners, one database, many contacts ---------------------------------------
if ! has_module aiosmtpd; then
  bad "aiosmtpd missing: apt-get install python3-aiosmtpd (the concurrency test)"
  finish
  exit
fi
# N contacts, and N/4 more records whose address is one of theirs in capitals
awk -v n="$N" 'BEGIN { print "name,email,phone,opt_out,tags,score";
  for (i = 1; i <= n; i++) printf "P%d,p%d@x.test,,false,,%d\n", i, i, i % 5;
  for (i = 1; i <= n / 4; i++) printf "Q%d,P%d@X.TEST,,false,,%d\n", i, i, i % 5 }' > "$T/many.csv"
smtp_server two
store_db two
# everything due at once: the three campaigns' emails all at 09:00
sed 's/ after [12] hours\{0,1\}//' "$T/three.camp" > "$T/now.camp"
new_db "$DB" "$T/now.camp" "$T/many.csv"
setcap "$DB" email "2 per 7 days"
"$CAMP" run --db "$DB" --until +1h --mail "smtp://127.0.0.1:$PORT" --mail-connections 4 > "$T/two.1" 2>&1 &
p1=$!
"$CAMP" run --db "$DB" --until +1h --mail "smtp://127.0.0.1:$PORT" --mail-connections 4 > "$T/two.2" 2>&1 &
p2=$!
wait $p1; rc1=$?
wait $p2; rc2=$?
expect "two runners: both exit 0" "00" "$rc1$rc2"
# per recipient, lower case, what the server accepted
per=$($PY -c '
import collections, glob, json, os, sys
c = collections.Counter(json.load(open(p))["rcpt_tos"][0].lower() for p in glob.glob(os.path.join(sys.argv[1], "*.env")))
print(len(c), sum(c.values()), max(c.values(), default=0), min(c.values(), default=0))' "$SRV/mail")
expect "two runners: $N recipients got 2 messages each, none more" "$N $((2 * N)) 2 2" "$per"
sent=$(cat "$T/two.1" "$T/two.2" | sed -n 's/.*(sent \([0-9]*\)).*/\1/p' | awk '{ s += $1; n += ($1 > 0) } END { print s, n }')
# both must have decided batches, or the test proves nothing about two runners
expect "two runners: their counts add up, and both sent some" "$((2 * N)) 2" "$sent"
expect "two runners: the send log has 2 rows per contact" "$N 2 2" \
  "$(store_sql "$DB" "SELECT count(*), min(n), max(n) FROM (SELECT count(*) n FROM camp_send_log GROUP BY contact) per" | tr '|' ' ')"
expect "two runners: every processed trace is logged once, and only those" "$((2 * N)) $((2 * N)) $((2 * N))" \
  "$(ntraces "$DB" state=processed) $(logged) $(store_sql "$DB" "SELECT count(DISTINCT trace) FROM camp_send_log")"
held=$(traces "$DB" state,due,message state=scheduled | sort | uniq -c | sed 's/^ *//')
expect "two runners: the rest held until the cap allows" \
  "$((3 * N + 3 * N / 4 - 2 * N)) scheduled|2026-01-12T09:00:00Z|held for the frequency cap (2 emails per 7 days) until 2026-01-12T09:00:00Z" "$held"

finish

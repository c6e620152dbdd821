#!/bin/sh
# tests/suite_suppress.sh -- suppression per channel and address: `camp
# suppress list|add|remove` (channels, normalisation, idempotence, all or
# nothing), what runs send once addresses are suppressed on one channel,
# opt_out() on both channels, and the report's unsubscribes.
set -u
. tests/lib.sh
sup() { "$CAMP" suppress --db "$D/db" "$@"; }
# the state of record $1's trace of activity $2, and its message
state() { traces "$D/db" state,message record="$1" activity="$2" | tr '|' ' '; }

"$CAMP" init --db "$D/db" --clock 2026-01-05T09:00:00Z > /dev/null

# -- the command ------------------------------------------------------------
check "add: channel from the address, stored normalised" \
  "$(sup add ' Ada@X.test ' '+33 6 00-00.00 01' --reason 'asked by phone')" \
  "$(printf 'suppressed email ada@x.test\nsuppressed sms +33600000001')"
check "add again: idempotent, says so" "$(sup add ada@x.test)" "already suppressed: email ada@x.test"
check "add --channel sms: the phone form of the same number" "$(sup add --channel sms +33600000001)" "already suppressed: sms +33600000001"
check "list: channel, address, time, reason" "$(sup list | sed 's/  */ /g')" \
  "$(printf 'channel address at reason\nemail ada@x.test 2026-01-05T09:00:00Z asked by phone\nsms +33600000001 2026-01-05T09:00:00Z asked by phone')"
check "list --channel sms --format csv" "$(sup list --channel sms --format csv)" \
  "$(printf 'channel,address,at,reason\nsms,+33600000001,2026-01-05T09:00:00Z,asked by phone')"
check "list --format json" "$(sup list --format json | grep -c '"channel": "email", "address": "ada@x.test"')" 1
# a bad address anywhere in the list: nothing is added
sup add cid@x.test not-an-address > "$D/out" 2> "$D/err"
check "bad address: exit 1" "$?" 1
check "bad address: says which" "$(cat "$D/err")" "camp suppress: 'not-an-address' is not a phone number (nothing changed)"
check "bad address: nothing printed as done" "$(cat "$D/out")" ""
check "bad address: the good one was not added either" "$(suppressions "$D/db" address address=cid@x.test | wc -l | tr -d ' ')" 0
sup add --channel email '+33600000009' > /dev/null 2> "$D/err"
check "a phone number on the email channel is refused" "$?" 1
sup add --channel fax x > /dev/null 2> "$D/err"
check "unknown channel: usage error" "$?" 2
check "remove: per channel" "$(sup remove --channel email ada@x.test)" "removed email ada@x.test"
check "remove again: idempotent" "$(sup remove ADA@x.test)" "not suppressed: email ada@x.test"
check "the phone stays suppressed" "$(suppressions "$D/db" channel,address | tr '|' ' ')" "sms +33600000001"
sup remove --channel sms '+33 6 00 00 00 01' > /dev/null
check "remove by another spelling of the number" "$(suppressions "$D/db" address | wc -l | tr -d ' ')" 0

# -- what runs send -------------------------------------------------------------
"$CAMP" deploy --db "$D/db" --root tests --start tests/suppress/both.camp > /dev/null || bad "deploy"
printf 'name,email,phone,opt_out,tags,score\nAda,ada@x.test,+33600000001,false,,1\nBob,bob@x.test,+33600000002,false,,9\nCid,cid@x.test,+33600000003,false,,1\n' > "$D/r.csv"
"$CAMP" import --db "$D/db" --model contact "$D/r.csv" > /dev/null || bad "import"
sup add --channel sms +33600000001 > /dev/null            # Ada: no SMS
sup add cid@x.test > /dev/null                             # Cid: no email
"$CAMP" run --db "$D/db" --until +1h --mail "file:$D/mail" --sms "file:$D/sms" > /dev/null || bad "run 1"
check "Ada: email sent, SMS canceled" "$(state 1 mail1)|$(state 1 sms1)" "processed |canceled address suppressed (opted out or bounced)"
check "Cid: email canceled, SMS sent" "$(state 3 mail1)|$(state 3 sms1)" "canceled address suppressed (opted out or bounced)|processed "
sup remove --channel sms +33600000001 > /dev/null          # Ada may have SMS again
"$CAMP" run --db "$D/db" --until +1d --mail "file:$D/mail" --sms "file:$D/sms" > /dev/null || bad "run 2"
check "Ada after remove: SMS sent again" "$(state 1 sms2)" "processed "
# the block action (Bob, score 9) suppresses his email and his phone
"$CAMP" run --db "$D/db" --until +4d --mail "file:$D/mail" --sms "file:$D/sms" > /dev/null || bad "run 3"
check "opt_out(): both of Bob's addresses" "$(suppressions "$D/db" channel,address,reason | grep -e '|bob' -e '2|' | tr '|' ' ' | paste -sd'|')" \
  "email bob@x.test opt-out|sms +33600000002 opt-out"
check "Bob: no email, no SMS after opt_out()" "$(state 2 mail3)|$(state 2 sms3)" \
  "canceled address suppressed (opted out or bounced)|canceled address suppressed (opted out or bounced)"
check "Ada: both still go" "$(state 1 mail3)|$(state 1 sms3)" "processed |processed "
check "files written to Cid's email address" "$(grep -l 'cid@x.test' "$D"/mail/* | wc -l | tr -d ' ')" 0

# -- the report's unsubscribes ---------------------------------------------------
mid() { traces "$D/db" message_id record="$1" activity="$2"; }
"$CAMP" event --db "$D/db" unsubscribe --message-id "$(mid 1 mail1)" > /dev/null || bad "event"
"$CAMP" event --db "$D/db" unsubscribe --message-id "$(mid 1 mail1)" > /dev/null 2>&1    # a repeat counts once
"$CAMP" event --db "$D/db" unsubscribe --message-id "$(mid 3 sms1)" > /dev/null || bad "event"
check "report: unsubscribes in the table" "$("$CAMP" report --db "$D/db" | head -1)" \
  "campaign both: 0 running, 3 completed, 0 left, 2 unsubscribed"
check "report: unsubscribes in JSON" "$("$CAMP" report --db "$D/db" --format json | grep -o '"unsubscribes": [0-9]*')" '"unsubscribes": 2'
check "an unsubscribe from an SMS suppresses the phone" "$(suppressions "$D/db" reason channel=sms address=+33600000003)" "unsubscribe"

finish

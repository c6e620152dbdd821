#!/bin/sh
# tests/suite_sms.sh -- SMS over an HTTP gateway and the webhook action,
# against a real HTTP server on 127.0.0.1 (tests/sms/gateway.py): the JSON
# shape, the Authorization header from the environment, tracked short links
# (and on click for SMS), 503 retried and delivered once, 400 an error with
# the gateway's words, a gateway that is down retried; the webhook's JSON,
# its retry and its error.
# store: both
set -u
. tests/lib.sh
store_init
q() { store_sql "$DB" "$1"; }
# SMS go out over several connections at once: requests are picked by what
# they carry (the SMS's "to", the webhook's record), never by arrival order.
# req PATH KEY=VALUE FIELD: FIELD of the first request to PATH whose JSON
# body has KEY = VALUE ("body.x" a field of the body, else a request attribute)
req() { $PY tests/sms/gateway.py find "$D/gw" "$@" | head -n 1; }
# count PATH [KEY=VALUE]: how many requests to PATH (with that body value)
count() { $PY tests/sms/gateway.py count "$D/gw" "$@"; }
# the record id of NAME: records are numbered in the order they were imported
rec() { cat "$D/r.csv" "$D/hold.csv" "$D/more.csv" 2> /dev/null | grep -v '^name,' | cut -d, -f1 | grep -nx "$1" | cut -d: -f1; }
# the message id of NAME's trace of ACTIVITY
mid() { traces "$DB" message_id record="$(rec "$1")" activity="$2"; }
# the state, attempts and message of NAME's trace of ACTIVITY
state() { traces "$DB" state,attempts,message record="$(rec "$1")" activity="$2"; }

mkdir -p "$D/gw"
$PY tests/sms/gateway.py "$D/gw" > "$D/gw.log" 2>&1 &
GW=$!
started $GW
wait_for test -f "$D/gw/port"
PORT=$(cat "$D/gw/port")
cp tests/scenarios/models.camp "$D/"
sed "s/GATEWAY_PORT/$PORT/" tests/sms/sms.camp > "$D/sms.camp"
printf 'name,email,phone,opt_out,tags,score\nAda,,+33600000001,false,,0\nonce503,,+33600000002,false,,1\nbad400,,+33600000003,false,,2\nBob,,+33600000004,false,,0\n' > "$D/r.csv"
store_db db
new_db "$DB" "$D/sms.camp" "$D/r.csv"

CAMP_SMS_AUTH="Bearer s3cret-token" "$CAMP" run --db "$DB" --once --sms "http://127.0.0.1:$PORT/sms" \
  --base-url https://t.example --mail sink: > /dev/null 2> "$D/run.err" || bad "run: $(cat "$D/run.err")"

# -- the SMS requests
check "one SMS request per contact, one more for the 503" "$(count /sms)" 4
check "one SMS request for Ada" "$(count /sms to=+33600000001)" 1
check "JSON content type" "$(req /sms to=+33600000001 content_type)" application/json
check "Authorization from CAMP_SMS_AUTH" "$(req /sms to=+33600000001 authorization)" "Bearer s3cret-token"
check "message_id is the trace's" "$(req /sms to=+33600000001 body.message_id)" "$(mid Ada hello)"
check "campaign code" "$(req /sms to=+33600000001 body.campaign)" sms-1
text=$(req /sms to=+33600000001 body.text)
case $text in "Hi Ada, see https://t.example/r/"*" now") ok ;; *) bad "text with a tracked short link: '$text'" ;; esac
case $text in *example.com*) bad "the original link leaked into the SMS" ;; *) ok ;; esac
check "Ada sent" "$(state Ada hello)" "processed|0|"
check "503: pending, attempt 1, the gateway's words" "$(state once503 hello)" 'sending|1|attempt 1: HTTP 503: {"error": "try later"}'
check "400: error with the gateway's words" "$(state bad400 hello)" 'error|0|HTTP 400: {"error": "invalid number"}'

# -- the webhook action (contacts with score >= 1)
check "webhooks posted" "$(count /hook)" 2
check "one webhook for each contact with a score" "$(count /hook record.name=once503) $(count /hook record.name=bad400)" "1 1"
check "webhook JSON: campaign" "$(req /hook record.name=once503 body.campaign)" hooks
check "webhook JSON: activity" "$(req /hook record.name=once503 body.activity)" notify
check "webhook JSON: the record" "$(req /hook record.name=once503 body.record.name)|$(req /hook record.name=once503 body.record.phone)" "once503|+33600000002"
check "webhook JSON: named values" "$(req /hook record.name=once503 body.values)" '{"source": "camp", "score": 1}'
check "webhook JSON: the record as the activity's own set() left it" "$(req /hook record.name=once503 body.record.score)" 11
check "webhook 503: the actions committed once, the POST retried later" "$(state once503 notify)|$(q "SELECT score FROM contact WHERE name = 'once503'")" \
  'sending|1|attempt 1: webhook http://127.0.0.1:'"$PORT"'/hook: HTTP 503: {"error": "try later"}|11'
check "webhook 400: error with the target's words" "$(state bad400 notify)" 'error|0|webhook http://127.0.0.1:'"$PORT"'/hook: HTTP 400: {"error": "invalid number"}'
check "webhooks wait in the outbox only while they are retried" "$(q "SELECT count(*) FROM camp_outbox")" 1

# -- the retry: the 503s succeed later, exactly once each
"$CAMP" run --db "$DB" --until +2h --sms "http://127.0.0.1:$PORT/sms" --base-url https://t.example --mail sink: > /dev/null 2>&1
check "503 SMS delivered on retry" "$(state once503 hello)" "processed|1|"
check "webhook delivered on retry" "$(state once503 notify)" "processed|1|"
check "the retried SMS went out twice in all" "$(count /sms to=+33600000002)" 2
check "the 400 was not retried" "$(count /sms to=+33600000003)" 1
check "the 400 webhook was not retried" "$(count /hook)" 3
check "the retried webhook: set() ran once" "$(q "SELECT score FROM contact WHERE name = 'once503'")" 11
check "the outbox is empty once every webhook is settled" "$(q "SELECT count(*) FROM camp_outbox")" 0

# -- on click works for SMS: the short link's token names the trace
"$CAMP" event --db "$DB" click --message-id "$(mid Ada hello)" > /dev/null
check "click recorded with the SMS link's target" "$(report "$DB" '" ".join(l["url"] for c in r["campaigns"] for l in c["links"])')" \
  "https://example.com/offer?id=7&who=Ada&utm_campaign=sms-1&utm_medium=sms&utm_source=hello"
check "a link that differs per record: a list of links per message" \
  "$(q "SELECT count(*) || ' ' || count(DISTINCT linkset) FROM camp_trace WHERE linkset IS NOT NULL") $(q 'SELECT count(*) FROM camp_linkset')" "4 4 4"
"$CAMP" run --db "$DB" --until +3h --sms "http://127.0.0.1:$PORT/sms" --base-url https://t.example --mail sink: > /dev/null 2>&1
check "on click branch ran" "$(state Ada clicked)" "processed|0|"

# -- a webhook is POSTed after the commit: while the target holds the
# request, the database is free for others (SQLite: it held the write lock;
# PostgreSQL: it held a transaction open, and the rows it locked)
printf 'name,email,phone,opt_out,tags,score\nhold,,+33600000008,false,,1\n' > "$D/hold.csv"
"$CAMP" import --db "$DB" --model contact "$D/hold.csv" > /dev/null
"$CAMP" run --db "$DB" --once --sms "http://127.0.0.1:$PORT/sms" --base-url https://t.example --mail sink: > /dev/null 2>&1 &
RUN=$!
wait_for at_least 1 count /hook record.name=hold
check "the held webhook reached the target" "$(count /hook record.name=hold)" 1
if [ "$STORE" = postgresql ]; then
  # no session of the run is inside a transaction
  check "no transaction open while the webhook is out" "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL")" 0
# sqlite3 waits for no lock: it fails at once if the run holds the write lock
elif sqlite3 "$DB" "INSERT INTO camp_note(model, record_id, text, at) VALUES('contact', 0, 'probe', 0)" 2> "$D/probe.err"; then ok
else bad "another writer while the webhook is out: $(cat "$D/probe.err")"; fi
touch "$D/gw/release"
wait $RUN
check "the held webhook then settled" "$(state hold notify)" "processed|0|"

# -- a gateway that is down: retried, not an error
stop_pid $GW
printf 'name,email,phone,opt_out,tags,score\nCy,,+33600000009,false,,0\n' > "$D/more.csv"
"$CAMP" import --db "$DB" --model contact "$D/more.csv" > /dev/null
"$CAMP" run --db "$DB" --once --sms "http://127.0.0.1:$PORT/sms" --base-url https://t.example --mail sink: > /dev/null 2>&1
s=$(state Cy hello)
case $s in "sending|1|attempt 1: request failed: "*) ok ;; *) bad "gateway down: '$s'" ;; esac
if "$CAMP" run --db "$DB" --once --sms "http://user:pw@127.0.0.1:$PORT/sms" > /dev/null 2> "$D/err"; then bad "credentials in the gateway URL accepted"; else ok; fi
finish

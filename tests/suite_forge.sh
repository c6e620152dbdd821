#!/bin/sh
# tests/suite_forge.sh -- nobody can forge an event: each database has its
# own secret (no default in the source), so its tokens and Message-IDs mean
# nothing to another database; keys rotate; webhooks need their own secret,
# a fresh timestamp and a delivery id seen once; a pixel hit a thousand
# times is one row; an SMS STOP suppresses the phone.  camp serve runs on
# 127.0.0.1 with only the environment each check names.  Every check reads
# the database afterwards (through camp timeline, suppress list and report;
# the schema only for secrets, which no command prints, and for how hits are
# stored: one row per message and kind, repeats counted on it).
set -u
. tests/lib.sh
CLIENT=tests/serve/client.py
q() { sqlite3 "$D/$1.db" "$2"; }
unset CAMP_SECRET CAMP_SECRET_PREVIOUS CAMP_HOOK_SECRET

# a database NAME with four contacts who got the tracking campaign's email
# (file:$D/NAME.mail); extra arguments are environment for camp run
makeDb() {
  name=$1; shift
  new_db "$D/$name.db" "$D/serve.camp" "$D/r.csv"
  env "$@" "$CAMP" run --db "$D/$name.db" --until +1h --mail "file:$D/$name.mail" --base-url http://camp.invalid > /dev/null
  $PY $CLIENT tokens "$D/$name.mail" | sed 's|http://camp.invalid||g' > "$D/$name.tokens"
}
# field F (1 message-id, 2 open, 3 and 4 links, 5 unsubscribe) of the
# message to contact N of r.csv (client.py tokens: the recipient first)
tok() { addr=$(sed -n "$(($2 + 1))p" "$D/r.csv" | cut -d, -f2); grep "^$addr " "$D/$1.tokens" | cut -d' ' -f"$(($3 + 1))"; }
# camp serve on database NAME with the environment given; sets BASE
start() { name=$1; shift; camp_serve "$D/$name.db" "$@"; }
stop() { stop_pid "$SERVER"; }
# hits NAME TRACE: the opens trace TRACE of database NAME was hit, repeats included
hits() { q "$1" "SELECT coalesce(sum(1 + repeats), 0) FROM camp_event WHERE kind = 'open' AND trace = $2"; }
# barrier NAME PATH TRACE: everything hit before this is recorded once this open is (one writer, in order)
barrier() {
  before=$(hits "$1" "$3")
  code "$BASE$2" > /dev/null
  wait_for answers $((before + 1)) hits "$1" "$3"
}
# suppressed NAME [COND...]: how many addresses database NAME suppresses
suppressed() { _name=$1; shift; suppressions "$D/$_name.db" address "$@" | wc -l | tr -d ' '; }
# clicks NAME: every click database NAME recorded, repeats included (the report's links)
clicks() { report "$D/$1.db" 'sum(l["clicks"] for c in r["campaigns"] for l in c["links"])'; }

cp tests/scenarios/models.camp tests/serve/serve.camp "$D/"
printf 'name,email,phone\nAda,ada@x.test,+33600000001\nBob,bob@x.test,+33600000002\nCy,cy@x.test,+33600000003\nDi,di@x.test,+33600000004\n' > "$D/r.csv"

# -- two databases, no CAMP_SECRET anywhere ------------------------------------
makeDb A
makeDb B
check "each database has a secret of 256 bits" "$(q A "SELECT length(value) FROM camp_meta WHERE key = 'secret'")|$(q B "SELECT length(value) FROM camp_meta WHERE key = 'secret'")" "64|64"
[ "$(q A "SELECT value FROM camp_meta WHERE key = 'secret'")" != "$(q B "SELECT value FROM camp_meta WHERE key = 'secret'")" ] && ok || bad "two databases share a secret"
check "the same trace in A and B" "$(traces "$D/A.db" message_id message_id!= | head -n 1 | trace_of)" "$(traces "$D/B.db" message_id message_id!= | head -n 1 | trace_of)"
[ "$(tok A 1 1)" != "$(tok B 1 1)" ] && ok || bad "A and B gave trace 1 the same Message-ID: $(tok A 1 1)"
[ "$(tok A 1 5)" != "$(tok B 1 5)" ] && ok || bad "A and B gave trace 1 the same unsubscribe token"
check "Message-ID: t<trace>.<16 hex digits>@camp" "$(tok A 1 1 | grep -cE '^t1\.[0-9a-f]{16}@camp$')" 1
check "the Message-ID is the one stored on the trace" "$(ntraces "$D/A.db" message_id="$(tok A 1 1)")" 1

start B
check "serve without CAMP_SECRET: B's own open" "$(code "$BASE$(tok B 1 2)")" 200
wait_for answers 1 ntraces "$D/B.db" events~open
check "serve without CAMP_SECRET: recorded" "$(ntraces "$D/B.db" events~open message_id="$(tok B 1 1)")" 1
check "A's unsubscribe token on B" "$(code -X POST -d List-Unsubscribe=One-Click "$BASE$(tok A 2 5)")" 404
check "A's open token on B" "$(code "$BASE$(tok A 3 2)")" 404
# a token made with the default secret old versions fell back to
old=$($PY $CLIENT token camp-development-secret u "$(tok B 4 1 | trace_of)")
check "a token signed with the old default secret" "$(code -X POST -d List-Unsubscribe=One-Click "$BASE/u/$old")" 404
barrier B "$(tok B 1 2)" 1
check "nothing suppressed in B" "$(suppressed B)" 0
check "nothing recorded in B but its own open" "$(ntraces "$D/B.db" events!=)" 1

# -- a thousand hits on one pixel: one row, the rest counted -------------------
t3=$(tok B 3 1 | trace_of)
check "1000 hits answered" "$($PY $CLIENT hits 127.0.0.1 "$PORT" "$(tok B 3 2)" 1000)" 1000
wait_for answers 1000 hits B "$t3"
check "1000 opens: one row, 999 repeats" "$(q B "SELECT count(*) || ' ' || sum(repeats) FROM camp_event WHERE trace = $t3")" "1 999"
$PY $CLIENT hits 127.0.0.1 "$PORT" "$(tok B 3 3)" 5 > /dev/null
wait_for answers 5 clicks B
check "5 clicks of one link: one row" "$(q B "SELECT count(*) || ' ' || sum(repeats) FROM camp_event WHERE kind = 'click'")" "1 4"
check "report: opened counts messages (Ada and Cy), sent 4" "$(report "$D/B.db" '"%d %d %d" % (acts[0]["sent"], acts[0]["opened"], acts[0]["clicked"])' 2>&1)" "4 2 1"
check "report: the link's clicks are all five" "$(report "$D/B.db" '[l["clicks"] for l in r["campaigns"][0]["links"]]' 2>&1)" "[5]"

# -- webhooks need their own secret --------------------------------------------
body="{\"id\":\"x1\",\"events\":[{\"type\":\"bounce\",\"message_id\":\"$(tok B 2 1)\"}]}"
oldsig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac camp-development-secret | sed 's/^.* //')
check "hook without CAMP_HOOK_SECRET, signed the old way with the old default" "$(code -X POST -H "X-Camp-Signature: sha256=$oldsig" --data-binary "$body" "$BASE/hooks/events")" 401
check "hook without CAMP_HOOK_SECRET, signed with B's own secret" "$($PY $CLIENT hook "$BASE/hooks/events" "$(q B "SELECT value FROM camp_meta WHERE key = 'secret'")" "$body" | cut -d' ' -f1)" 401
check "sms hook without CAMP_HOOK_SECRET" "$($PY $CLIENT hook "$BASE/hooks/sms" "" '{"id":"s0","from":"+33600000002","text":"STOP"}' | cut -d' ' -f1)" 401
check "no hook recorded anything" "$(suppressed B)|$(ntraces "$D/B.db" events~bounce)" "0|0"
stop

# -- signed webhooks: fresh, and each delivery once -----------------------------
start B CAMP_HOOK_SECRET=hook-key
hook() { $PY $CLIENT hook "$BASE/hooks/$1" hook-key "$2" ${3:-0}; }
di=$(tok B 4 1)
body="{\"id\":\"d-1\",\"events\":[{\"type\":\"reply\",\"message_id\":\"$di\"}]}"
check "a signed delivery" "$(hook events "$body")" '200 {"recorded":1,"unknown":0,"invalid":0}'
for i in 2 3 4 5 6; do
  check "replay $i of the delivery" "$(hook events "$body")" '200 {"duplicate":true,"recorded":0,"unknown":0,"invalid":0}'
done
check "six posts, one reply recorded" "$(q B "SELECT count(*) || ' ' || sum(repeats) FROM camp_event v JOIN camp_trace t ON t.id = v.trace WHERE v.kind = 'reply' AND t.message_id = '$di'")" "1 0"
check "the delivery id is kept" "$(q B "SELECT id FROM camp_hook_event")" "events:d-1"
body="{\"id\":\"d-2\",\"events\":[{\"type\":\"bounce\",\"message_id\":\"$(tok B 2 1)\"}]}"
check "a timestamp 10 minutes old" "$(hook events "$body" 600 | cut -d' ' -f1)" 401
check "a timestamp 10 minutes ahead" "$(hook events "$body" -600 | cut -d' ' -f1)" 401
check "stale deliveries recorded nothing" "$(ntraces "$D/B.db" events~bounce)|$(q B 'SELECT count(*) FROM camp_hook_event')" "0|1"
check "the same delivery, fresh" "$(hook events "$body")" '200 {"recorded":1,"unknown":0,"invalid":0}'
check "a forged Message-ID in a signed delivery matches nothing" \
  "$(hook events "{\"id\":\"d-3\",\"events\":[{\"type\":\"bounce\",\"message_id\":\"$(tok B 3 1 | sed 's/\.[0-9a-f]*@/.0000000000000000@/')\"}]}")" \
  '200 {"recorded":0,"unknown":1,"invalid":0}'

# -- one-click unsubscribe as multipart/form-data (RFC 8058 allows both encodings)
check "one-click, multipart, another field" "$(code -F 'Other=One-Click' "$BASE$(tok B 1 5)")" 400
check "one-click, multipart, another value" "$(code -F 'List-Unsubscribe=Two-Clicks' "$BASE$(tok B 1 5)")" 400
check "one-click, multipart" "$(code -F 'List-Unsubscribe=One-Click' "$BASE$(tok B 1 5)")" 200
wait_for answers 1 suppressed B address=ada@x.test
check "one-click, multipart: suppressed" "$(suppressions "$D/B.db" channel,address reason=unsubscribe | tr '|' ' ')" "email ada@x.test"

# -- STOP from an SMS gateway ----------------------------------------------------
"$CAMP" suppress --db "$D/B.db" remove ada@x.test bob@x.test > /dev/null     # the unsubscribe and the bounce above
check "sms: STOP" "$(hook sms '{"id":"s1","from":"+33600000003","text":"STOP"}')" '200 {"suppressed":1}'
check "sms: another text" "$(hook sms '{"id":"s2","from":"+33600000001","text":"Hello, what is this?"}')" '200 {"suppressed":0}'
check "sms: arrêt, any case, blanks" "$(hook sms '{"id":"s3","from":"+33600000004","text":" Arrêt \n"}')" '200 {"suppressed":1}'
check "sms: not a phone number" "$(hook sms '{"id":"s4","from":"cy@x.test","text":"STOP"}' | cut -d' ' -f1)" 400
check "sms: unsigned" "$($PY $CLIENT hook "$BASE/hooks/sms" - '{"id":"s5","from":"+33600000001","text":"STOP"}' | cut -d' ' -f1)" 401
check "sms: the phones only, on the sms channel" "$(suppressions "$D/B.db" channel,address,reason | tr '|' ' ' | join_lines ', ')" \
  "sms +33600000003 stop, sms +33600000004 stop"
stop
# an SMS campaign afterwards reaches the two phones that did not say STOP
printf 'use "models.camp"\ncampaign texts "Texts" {\n  target contact\n  where phone is set\n  sms hello { text "Hi {{ name }}" }\n}\n' > "$D/texts.camp"
"$CAMP" deploy --db "$D/B.db" --start "$D/texts.camp" > /dev/null
"$CAMP" run --db "$D/B.db" --until +1h --sms "file:$D/B.sms" --mail "file:$D/B.mail" > /dev/null
check "sms after STOP: sent to the others only" "$(cat "$D"/B.sms/*.txt | sed -n 's/^To: //p' | sort | tr '\n' ' ')" "+33600000001 +33600000002 "

# -- rotation: CAMP_SECRET with previous keys ------------------------------------
makeDb C CAMP_SECRET=key-1
t1=$(tok C 1 1 | trace_of)
check "client.py makes the token camp run made" "/o/$($PY $CLIENT token key-1 o "$t1")" "$(tok C 1 2)"
start C CAMP_SECRET=key-2 "CAMP_SECRET_PREVIOUS=key-0, key-1"
check "rotation: a key-1 token while key-1 is a previous key" "$(code "$BASE$(tok C 1 2)")" 200
wait_for answers 1 ntraces "$D/C.db" events~open
check "rotation: recorded" "$(traces "$D/C.db" message_id events~open | trace_of)" "$t1"
check "rotation: a key-2 token" "$(code "$BASE/o/$($PY $CLIENT token key-2 o "$t1")")" 200
check "rotation: the database's own key still verifies" "$(code "$BASE/o/$($PY $CLIENT token "$(q C "SELECT value FROM camp_meta WHERE key = 'secret'")" o "$t1")")" 200
check "rotation: another key" "$(code "$BASE/o/$($PY $CLIENT token key-3 o "$t1")")" 404
stop
start C CAMP_SECRET=key-2
check "rotation over: a key-1 token" "$(code "$BASE$(tok C 1 2)")" 404
stop

# -- rotation: the database's own secret ----------------------------------------
makeDb E
e1=$(tok E 1 1 | trace_of)
old=$(q E "SELECT value FROM camp_meta WHERE key = 'secret'")
"$CAMP" secret rotate --db "$D/E.db" > /dev/null; rc=$?
check "camp secret rotate" "$rc" 0
new=$(q E "SELECT value FROM camp_meta WHERE key = 'secret'")
[ "$new" != "$old" ] && [ ${#new} -eq 64 ] && ok || bad "rotate made no new secret"
"$CAMP" secret rotate --db "$D/E.db" 2>&1 | grep -q "$old" && bad "camp secret printed a secret" || ok
q E "UPDATE camp_meta SET value = '$new' WHERE key = 'secret'; UPDATE camp_meta SET value = '$old' WHERE key = 'secret_previous'"
start E
check "db rotation: a link signed before the rotation" "$(code "$BASE$(tok E 1 2)")" 200
check "db rotation: a link signed after" "$(code "$BASE/o/$($PY $CLIENT token "$new" o "$e1")")" 200
stop
"$CAMP" secret retire --db "$D/E.db" > /dev/null
start E
check "db rotation retired: a link signed before" "$(code "$BASE$(tok E 1 2)")" 404
check "db rotation retired: a link signed after" "$(code "$BASE/o/$($PY $CLIENT token "$new" o "$e1")")" 200
stop
check "secret: usage" "$("$CAMP" secret --db "$D/E.db" > /dev/null 2>&1; echo $?)" 2

# -- an older database gets its secret on first open -------------------------------
q C "DELETE FROM camp_meta WHERE key = 'secret'"
for i in 1 2 3 4; do "$CAMP" report --db "$D/C.db" > /dev/null & done; wait
check "a database without a secret gets one, once" "$(q C "SELECT count(*) || ' ' || length(value) FROM camp_meta WHERE key = 'secret'")" "1 64"
check "integrity" "$(q B 'PRAGMA integrity_check')" ok
finish

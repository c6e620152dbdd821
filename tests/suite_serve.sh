#!/bin/sh
# tests/suite_serve.sh -- camp serve against real clients on 127.0.0.1: curl
# for every endpoint, headless Chromium clicking the unsubscribe button,
# thousands of forged tokens, open-redirect attempts, oversized and
# malformed requests, and camp run working on the same database meanwhile.
# Every check reads the database afterwards: answers are not enough.  It is
# read through camp timeline, suppress list and report; the schema only for
# how links and hits are stored (one link list shared by messages, repeats
# counted on one row), which no command tells.
# store: both
set -u
. tests/lib.sh
store_init
CLIENT=tests/serve/client.py
q() { store_sql "$DB" "$1"; }
# opens MID: how many traces with Message-ID MID have an open
opens() { ntraces "$DB" events~open message_id="$1"; }
# clicks [URL-PREFIX]: every click recorded (on links starting with URL-PREFIX), repeats included
clicks() { report "$DB" 'sum(l["clicks"] for c in r["campaigns"] for l in c["links"] if l["url"].startswith(sys.argv[2]))' "${1:-}"; }
# suppressed [COND...]: how many addresses are suppressed
suppressed() { suppressions "$DB" address "$@" | wc -l | tr -d ' '; }

cp tests/scenarios/models.camp tests/serve/serve.camp "$D/"
printf 'name,email\nAda,ada@x.test\nBob,bob@x.test\nCy,cy@x.test\nDi,di@x.test\n' > "$D/r.csv"
store_db db
new_db "$DB" "$D/serve.camp" "$D/r.csv"

# the server first (a free port), then the run that writes its URLs
HOOKSECRET=hook-test-secret
camp_serve "$DB" CAMP_HOOK_SECRET=$HOOKSECRET && ok "the server listens" || { finish; exit 1; }
"$CAMP" run --db "$DB" --until +1h --mail "file:$D/mail" --base-url "$BASE" > /dev/null
$PY $CLIENT tokens "$D/mail" > "$D/tokens"
check "four messages with their URLs" "$(wc -l < "$D/tokens" | tr -d ' ')" 4
check "their links are kept once, shared" "$(q "SELECT count(*) || ' ' || count(DISTINCT linkset) FROM camp_trace WHERE linkset IS NOT NULL") $(q 'SELECT count(*) FROM camp_linkset')" "4 1 1"
# a message by its recipient: the files' order says nothing of whose they are
set -- $(grep '^ada@x.test ' "$D/tokens"); MID1=$2 O1=$3 R1A=$4 R1B=$5 U1=$6
set -- $(grep '^bob@x.test ' "$D/tokens"); MID2=$2 O2=$3 R2A=$4 U2=$6
set -- $(grep '^cy@x.test ' "$D/tokens"); U3=$6
set -- $(grep '^di@x.test ' "$D/tokens"); MID4=$2 O4=$3
check "one message each, picked by recipient" "${MID1:+1}${MID2:+1}${U3:+1}${MID4:+1}" 1111

# -- /o/: a GIF, and an open recorded
curl -s -D "$D/h" -o "$D/pixel" "$O1"
check "open: status" "$(head -1 "$D/h" | tr -d '\r' | cut -d' ' -f2)" 200
check "open: content type" "$(grep -i '^content-type' "$D/h" | tr -d '\r' | cut -d' ' -f2)" image/gif
check "open: a GIF of 43 bytes" "$(head -c 6 "$D/pixel")$(wc -c < "$D/pixel" | tr -d ' ')" GIF89a43
grep -qi '^cache-control: no-store' "$D/h" && ok || bad "open: not marked no-store"
wait_for answers 1 ntraces "$DB" events~open
check "open: recorded on its trace" "$(traces "$DB" message_id events~open)" "$MID1"
check "open: HEAD answers" "$(code -I "$O1")" 200
check "click: HEAD answers" "$(code -I "$R2A")" 302
check "open: POST refused" "$(code -X POST "$O1")" 405

# -- /r/: exactly the registered URL
check "click: status" "$(code "$R1A")" 302
check "click: first link" "$(curl -s -o /dev/null -w '%{redirect_url}' "$R1A")" "https://example.com/a?utm_campaign=track-1&utm_medium=email&utm_source=hello"
check "click: second link (&amp; read as &)" "$(curl -s -o /dev/null -w '%{redirect_url}' "$R1B")" "https://example.com/b?x=1&y=2&utm_campaign=track-1&utm_medium=email&utm_source=hello"
# hits are recorded in the order they were answered: once the last click
# (link b) is recorded, anything the HEADs above recorded would be too
wait_for answers 1 clicks 'https://example.com/b?'
check "a HEAD (a link checker) records nothing" "$(q "SELECT sum(1 + repeats) FROM camp_event WHERE kind = 'open'") $(ntraces "$DB" message_id="$MID2" events!=)" "1 0"
check "click: URLs recorded, a repeat counted" "$(report "$DB" '" ".join("%s x%d" % (l["url"], l["clicks"]) for c in r["campaigns"] for l in c["links"])')" \
  "https://example.com/a?utm_campaign=track-1&utm_medium=email&utm_source=hello x2 https://example.com/b?x=1&y=2&utm_campaign=track-1&utm_medium=email&utm_source=hello x1"
# open-redirect attempts: the token decides, nothing else
for u in "$R1A?url=https://evil.example" "$R1A?next=//evil.example&redirect=https%3A%2F%2Fevil.example" "$R1A#https://evil.example"; do
  check "redirect ignores '${u#"$R1A"}'" "$(curl -s -o /dev/null -w '%{redirect_url}' "$u")" "https://example.com/a?utm_campaign=track-1&utm_medium=email&utm_source=hello"
done
for p in "/r//evil.example" "/r/%2F%2Fevil.example" "${R1A#"$BASE"}/evil.example" "${R1A#"$BASE"}%2Fevil" "/r/https://evil.example" "/r/" "/r" "/../r/x"; do
  check "no redirect for $p" "$(code --path-as-is "$BASE$p")" 404
done
check "an open token is not a redirect" "$(code "$BASE/r/${O2##*/}")" 404
check "a redirect token is not an open" "$(code "$BASE/o/${R2A##*/}")" 404

# -- /u/: a page, then one-click unsubscribe, idempotent
curl -s "$U1" > "$D/page"
grep -q '<form method="post"' "$D/page" && grep -q 'id="confirm"' "$D/page" && ok || bad "unsubscribe page has no confirm form"
check "page changes nothing" "$(suppressed)" 0
check "POST without the one-click body" "$(code -X POST "$U1")" 400
check "POST with another body" "$(code -X POST -d 'List-Unsubscribe=No' "$U1")" 400
# hits are recorded in the order they were answered: once a later hit (Bob's
# open) is recorded, whatever those two POSTs did would be recorded too
check "an open answered after them" "$(code "$O2")" 200
wait_for answers 1 opens "$MID2"
check "they change nothing" "$(suppressed)" 0
check "one-click POST" "$(code -X POST -d 'List-Unsubscribe=One-Click' "$U1")" 200
wait_for answers 1 suppressed
check "address suppressed" "$(suppressions "$DB" address)" ada@x.test
check "second POST" "$(code -X POST -d 'List-Unsubscribe=One-Click' "$U1")" 200

# -- a real browser clicks the button
CHROMEPORT=$(free_port)
chromedriver --port="$CHROMEPORT" > "$D/driver.log" 2>&1 &
DRIVER=$!
started $DRIVER
driver_ready() { curl -s "http://127.0.0.1:$CHROMEPORT/status" | grep -q '"ready": *true'; }
wait_for driver_ready
check "chromium: confirmation page" "$($PY $CLIENT chrome "$CHROMEPORT" "$U3" 2> "$D/chrome.err")" "You are unsubscribed"
[ -s "$D/chrome.err" ] && tail -5 "$D/chrome.err"
wait_for answers 1 suppressed address=cy@x.test
check "chromium: address suppressed" "$(suppressed address=cy@x.test)" 1
# the browser's unsubscribe was answered after the second one-click POST, so
# with it recorded, whatever that POST did is recorded too
check "second POST: still one suppression of the address" "$(suppressed address=ada@x.test)" 1
stop_pid "$DRIVER"

# -- /hooks/events: signed JSON from a provider (client.py hook signs "TIMESTAMP.BODY")
hook() { $PY $CLIENT hook "$BASE/hooks/events" "$@"; }
body="{\"id\":\"d1\",\"events\":[{\"type\":\"bounce\",\"message_id\":\"$MID2\",\"at\":\"2026-01-05T10:30:00Z\"},{\"type\":\"open\",\"message_id\":\"t999.deadbeef@camp\"}]}"
check "hook: signed" "$(hook "$HOOKSECRET" "$body")" '200 {"recorded":1,"unknown":1,"invalid":0}'
check "hook: bounce on its trace" "$(ntraces "$DB" events~bounce message_id="$MID2")" 1
check "hook: bounce suppresses" "$(suppressed address=bob@x.test)" 1
events=$(q 'SELECT count(*), sum(repeats) FROM camp_event')
check "hook: bad signature" "$(hook wrong "$body" | cut -d' ' -f1)" 401
check "hook: no signature" "$(hook - "$body" | cut -d' ' -f1)" 401
check "hook: no timestamp" "$(code -X POST -H "X-Camp-Signature: sha256=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$HOOKSECRET" | sed 's/^.* //')" --data-binary "$body" "$BASE/hooks/events")" 401
check "hook: malformed JSON" "$(hook "$HOOKSECRET" '{"events":[{"type":' | cut -d' ' -f1)" 400
check "hook: no id" "$(hook "$HOOKSECRET" '{"events":[]}' | cut -d' ' -f1)" 400
check "hook: GET refused" "$(code "$BASE/hooks/events")" 405
head -c 2000000 /dev/zero | tr '\0' 'x' > "$D/big"
check "hook: 2 MB body" "$(code -X POST -H 'X-Camp-Signature: sha256=00' --data-binary @"$D/big" "$BASE/hooks/events")" 413
check "rejected hooks changed nothing" "$(q 'SELECT count(*), sum(repeats) FROM camp_event')" "$events"

# -- forged tokens: thousands, all 404, nothing recorded
set -- $($PY $CLIENT forge 127.0.0.1 "$PORT" "${O4##*/}" 2> "$D/forge.err")
[ "${1:-0}" -gt 3000 ] && ok || bad "forged tokens tried: ${1:-none}"
check "forged tokens all 404" "${2:-x}" 0
check "forged tokens recorded nothing" "$(q 'SELECT count(*), sum(repeats) FROM camp_event')" "$events"
check "the real token of record 4 was never opened" "$(opens "$MID4")" 0

# -- oversized and malformed requests; the server stays up
check "oversized URL" "$(code "$BASE/o/$(head -c 100000 /dev/zero | tr '\0' A)")" 414
check "unknown path" "$(code "$BASE/")" 404
check "unknown method" "$(code -X DELETE "$O1")" 405
$PY $CLIENT garbage 127.0.0.1 "$PORT" > /dev/null
check "still serving after garbage" "$(code "$O4")" 200

# -- /u/ of a message sent to a list: unsubscribe from that list, or from everything
cp tests/serve/serve_list.camp "$D/"
"$CAMP" deploy --db "$DB" "$D/serve_list.camp" > /dev/null
"$CAMP" send --db "$DB" news --mail "file:$D/mail_list" --base-url "$BASE" > /dev/null || bad "camp send news failed"
UL=$($PY $CLIENT tokens "$D/mail_list" | awk '$1 == "di@x.test" { print $NF }')
MIDL=$($PY $CLIENT tokens "$D/mail_list" | awk '$1 == "di@x.test" { print $2 }')
check "list: Di got the mailing (the others are suppressed)" "$(ls "$D/mail_list" | wc -l | tr -d ' ')${UL:+ with a link}" "1 with a link"
curl -s "$UL" > "$D/page"
check "list page: names the list, escaped" \
  "$(grep -c '<h1>Unsubscribe from News &amp; &quot;&lt;b&gt;Offers&lt;/b&gt;&quot;?</h1>' "$D/page")$(grep -c '<b>Offers' "$D/page")" 10
check "list page: a button for the list and one for everything" \
  "$(grep -o 'id="confirm">Unsubscribe from News &amp;' "$D/page" | wc -l | tr -d ' ') $(grep -o 'name="scope" value="all"><button type="submit" id="everything">Unsubscribe from everything' "$D/page" | wc -l | tr -d ' ')" "1 1"
# list_unsubscribed: Di's row in the list is marked (written with the event)
list_unsubscribed() { q "SELECT count(*) FROM camp_list_member WHERE list = 'readers' AND record_id = 4 AND unsubscribed_at IS NOT NULL"; }
curl -s -d 'List-Unsubscribe=One-Click' "$UL" > "$D/page"
check "list: one-click POST unsubscribes from the list, and says so" \
  "$(grep -c '<h1>You are unsubscribed from News &amp; &quot;&lt;b&gt;Offers&lt;/b&gt;&quot;</h1>' "$D/page") $(grep -c 'id="everything"' "$D/page")" "1 1"
wait_for answers 1 list_unsubscribed
check "list: unsubscribed from the list, the address not suppressed" "$(suppressed address=di@x.test)" 0
check "list: the change is logged" "$(q "SELECT action || ' ' || detail FROM camp_list_log WHERE list = 'readers' AND record_id = 4")" "unsubscribe unsubscribe link"
check "list: the mailing counts the unsubscribe on Di" \
  "$("$CAMP" report --db "$DB" news --members --format csv | awk -F, '$1 == 4 { print $9 }')" 1
check "list: a second one-click POST" "$(code -X POST -d 'List-Unsubscribe=One-Click' "$UL")" 200
curl -s -d 'List-Unsubscribe=One-Click&scope=all' "$UL" > "$D/page"
check "everything: the page says so" "$(grep -c '<h1>You are unsubscribed from everything</h1>' "$D/page")" 1
wait_for answers 1 suppressed address=di@x.test
check "everything: the address is suppressed" "$(suppressions "$DB" address,reason address=di@x.test)" "di@x.test|unsubscribe"
check "list: the repeat logged nothing more" "$(q "SELECT count(*) FROM camp_list_log WHERE list = 'readers'")" 1
check "hook: an abuse report (a complaint) from a provider" \
  "$(hook "$HOOKSECRET" "{\"id\":\"d9\",\"events\":[{\"type\":\"abuse\",\"message_id\":\"$MIDL\"}]}")" '200 {"recorded":1,"unknown":0,"invalid":0}'
check "hook: the abuse report counts on Di's mailing message" \
  "$("$CAMP" report --db "$DB" news --members --format csv | awk -F, '$1 == 4 { print $10 }')" 1

# -- camp run on the same database while hits arrive: none lost
before=$(q "SELECT count(*) + sum(repeats) FROM camp_event")
$PY $CLIENT hits 127.0.0.1 "$PORT" "${O2#"$BASE"}" 500 > "$D/hits" &
HITS=$!
"$CAMP" run --db "$DB" --until +4d --mail "file:$D/mail" --base-url "$BASE" > /dev/null || bad "camp run beside the server failed"
wait $HITS
check "hits answered" "$(cat "$D/hits")" 500
stop_pid "$SERVER"; rc=$?
check "server stops cleanly" "$rc" 0
[ "$rc" -eq 0 ] || tail -30 "$D/serve.log"
grep -q " 0 lost" "$D/serve.log" && ok || bad "server summary: $(tail -1 "$D/serve.log")"
check "every answered hit recorded (repeats counted on one row)" "$(q "SELECT count(*) + sum(repeats) FROM camp_event")" "$((before + 500))"
check "on click branch ran" "$(ntraces "$DB" activity=clicked state=processed)" 1
if [ "$STORE" = postgresql ]; then echo "     skipped on PostgreSQL: integrity (PRAGMA integrity_check is SQLite's)"
else check "integrity" "$(q 'PRAGMA integrity_check')" ok; fi
finish

#!/bin/sh
# tests/suite_serve.sh -- camp serve against real clients on 127.0.0.1: curl
# for every endpoint, headless Chromium clicking the unsubscribe button,
# thousands of forged tokens, open-redirect attempts, oversized and
# malformed requests, and camp run working on the same database meanwhile.
# Every check reads the database afterwards: answers are not enough.
set -u
CAMP=${CAMP:-build/camp}
PY=/usr/bin/python3
CLIENT=tests/serve/client.py
D=$(mktemp -d)
SERVER=; DRIVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2> /dev/null
  [ -n "$DRIVER" ] && kill "$DRIVER" 2> /dev/null
  rm -rf "$D"
}
trap cleanup EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if [ "$2" = "$3" ]; then ok; else no "$1: got '$2', expected '$3'"; fi; }
q() { sqlite3 "$D/db" "$1"; }
# wait until a query answers what is expected (the writer records within ms)
settle() { i=0; while [ "$(q "$1")" != "$2" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done; }
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

cp tests/scenarios/models.camp tests/serve/serve.camp "$D/"
"$CAMP" init --db "$D/db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$D/db" --start "$D/serve.camp" > /dev/null
printf 'name,email\nAda,ada@x.test\nBob,bob@x.test\nCy,cy@x.test\nDi,di@x.test\n' > "$D/r.csv"
"$CAMP" import --db "$D/db" --model contact "$D/r.csv" > /dev/null

# the server first (a free port), then the run that writes its URLs
HOOKSECRET=hook-test-secret
CAMP_HOOK_SECRET=$HOOKSECRET "$CAMP" serve --db "$D/db" --listen 127.0.0.1:0 > "$D/serve.log" 2>&1 &
SERVER=$!
i=0; while ! grep -q listening "$D/serve.log" && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
BASE=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$D/serve.log")
PORT=${BASE##*:}
[ -n "$BASE" ] && ok || { no "server did not start: $(cat "$D/serve.log")"; echo "$pass passed, $fail failed"; exit 1; }
"$CAMP" run --db "$D/db" --until +1h --mail "file:$D/mail" --base-url "$BASE" > /dev/null
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
grep -qi '^cache-control: no-store' "$D/h" && ok || no "open: not marked no-store"
settle "SELECT count(*) FROM camp_event WHERE kind = 'open'" 1
check "open: recorded on its trace" "$(q "SELECT t.message_id FROM camp_event v JOIN camp_trace t ON t.id = v.trace WHERE v.kind = 'open'")" "$MID1"
check "open: HEAD answers" "$(code -I "$O1")" 200
check "click: HEAD answers" "$(code -I "$R2A")" 302
check "open: POST refused" "$(code -X POST "$O1")" 405

# -- /r/: exactly the registered URL
check "click: status" "$(code "$R1A")" 302
check "click: first link" "$(curl -s -o /dev/null -w '%{redirect_url}' "$R1A")" "https://example.com/a?utm_campaign=track-1&utm_medium=email&utm_source=hello"
check "click: second link (&amp; read as &)" "$(curl -s -o /dev/null -w '%{redirect_url}' "$R1B")" "https://example.com/b?x=1&y=2&utm_campaign=track-1&utm_medium=email&utm_source=hello"
# hits are recorded in the order they were answered: once the last click
# (link b) is recorded, anything the HEADs above recorded would be too
settle "SELECT count(*) FROM camp_event WHERE kind = 'click' AND url LIKE 'https://example.com/b?%'" 1
check "a HEAD (a link checker) records nothing" "$(q "SELECT sum(1 + repeats) FROM camp_event WHERE kind = 'open'") $(q "SELECT count(*) FROM camp_event v JOIN camp_trace t ON t.id = v.trace WHERE t.message_id = '$MID2'")" "1 0"
check "click: URLs recorded, a repeat counted on its first row" "$(q "SELECT group_concat(url || ' x' || (1 + repeats), ' ') FROM (SELECT url, repeats FROM camp_event WHERE kind = 'click' ORDER BY id)")" \
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
grep -q '<form method="post"' "$D/page" && grep -q 'id="confirm"' "$D/page" && ok || no "unsubscribe page has no confirm form"
check "page changes nothing" "$(q 'SELECT count(*) FROM camp_suppression')" 0
check "POST without the one-click body" "$(code -X POST "$U1")" 400
check "POST with another body" "$(code -X POST -d 'List-Unsubscribe=No' "$U1")" 400
# hits are recorded in the order they were answered: once a later hit (Bob's
# open) is recorded, whatever those two POSTs did would be recorded too
check "an open answered after them" "$(code "$O2")" 200
settle "SELECT count(*) FROM camp_event v JOIN camp_trace t ON t.id = v.trace WHERE v.kind = 'open' AND t.message_id = '$MID2'" 1
check "they change nothing" "$(q 'SELECT count(*) FROM camp_suppression')" 0
check "one-click POST" "$(code -X POST -d 'List-Unsubscribe=One-Click' "$U1")" 200
settle "SELECT count(*) FROM camp_suppression" 1
check "address suppressed" "$(q 'SELECT address FROM camp_suppression')" ada@x.test
check "second POST" "$(code -X POST -d 'List-Unsubscribe=One-Click' "$U1")" 200

# -- a real browser clicks the button
CHROMEPORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chromedriver --port="$CHROMEPORT" > "$D/driver.log" 2>&1 &
DRIVER=$!
i=0; while ! curl -s "http://127.0.0.1:$CHROMEPORT/status" | grep -q '"ready": *true' && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
check "chromium: confirmation page" "$($PY $CLIENT chrome "$CHROMEPORT" "$U3" 2> "$D/chrome.err")" "You are unsubscribed"
[ -s "$D/chrome.err" ] && tail -5 "$D/chrome.err"
settle "SELECT count(*) FROM camp_suppression WHERE address = 'cy@x.test'" 1
check "chromium: address suppressed" "$(q "SELECT count(*) FROM camp_suppression WHERE address = 'cy@x.test'")" 1
# the browser's unsubscribe was answered after the second one-click POST, so
# with it recorded, whatever that POST did is recorded too
check "second POST: still one suppression of the address" "$(q "SELECT count(*) FROM camp_suppression WHERE address = 'ada@x.test'")" 1
kill "$DRIVER" 2> /dev/null; DRIVER=

# -- /hooks/events: signed JSON from a provider (client.py hook signs "TIMESTAMP.BODY")
hook() { $PY $CLIENT hook "$BASE/hooks/events" "$@"; }
body="{\"id\":\"d1\",\"events\":[{\"type\":\"bounce\",\"message_id\":\"$MID2\",\"at\":\"2026-01-05T10:30:00Z\"},{\"type\":\"open\",\"message_id\":\"t999.deadbeef@camp\"}]}"
check "hook: signed" "$(hook "$HOOKSECRET" "$body")" '200 {"recorded":1,"unknown":1,"invalid":0}'
check "hook: bounce on its trace" "$(q "SELECT count(*) FROM camp_event v JOIN camp_trace t ON t.id = v.trace WHERE v.kind = 'bounce' AND t.message_id = '$MID2'")" 1
check "hook: bounce suppresses" "$(q "SELECT count(*) FROM camp_suppression WHERE address = 'bob@x.test'")" 1
events=$(q 'SELECT count(*) || sum(repeats) FROM camp_event')
check "hook: bad signature" "$(hook wrong "$body" | cut -d' ' -f1)" 401
check "hook: no signature" "$(hook - "$body" | cut -d' ' -f1)" 401
check "hook: no timestamp" "$(code -X POST -H "X-Camp-Signature: sha256=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$HOOKSECRET" | sed 's/^.* //')" --data-binary "$body" "$BASE/hooks/events")" 401
check "hook: malformed JSON" "$(hook "$HOOKSECRET" '{"events":[{"type":' | cut -d' ' -f1)" 400
check "hook: no id" "$(hook "$HOOKSECRET" '{"events":[]}' | cut -d' ' -f1)" 400
check "hook: GET refused" "$(code "$BASE/hooks/events")" 405
head -c 2000000 /dev/zero | tr '\0' 'x' > "$D/big"
check "hook: 2 MB body" "$(code -X POST -H 'X-Camp-Signature: sha256=00' --data-binary @"$D/big" "$BASE/hooks/events")" 413
check "rejected hooks changed nothing" "$(q 'SELECT count(*) || sum(repeats) FROM camp_event')" "$events"

# -- forged tokens: thousands, all 404, nothing recorded
set -- $($PY $CLIENT forge 127.0.0.1 "$PORT" "${O4##*/}" 2> "$D/forge.err")
[ "${1:-0}" -gt 3000 ] && ok || no "forged tokens tried: ${1:-none}"
check "forged tokens all 404" "${2:-x}" 0
check "forged tokens recorded nothing" "$(q 'SELECT count(*) || sum(repeats) FROM camp_event')" "$events"
check "the real token of record 4 was never opened" "$(q "SELECT count(*) FROM camp_event v JOIN camp_trace t ON t.id = v.trace WHERE v.kind = 'open' AND t.message_id = '$MID4'")" 0

# -- oversized and malformed requests; the server stays up
check "oversized URL" "$(code "$BASE/o/$(head -c 100000 /dev/zero | tr '\0' A)")" 414
check "unknown path" "$(code "$BASE/")" 404
check "unknown method" "$(code -X DELETE "$O1")" 405
$PY $CLIENT garbage 127.0.0.1 "$PORT" > /dev/null
check "still serving after garbage" "$(code "$O4")" 200

# -- camp run on the same database while hits arrive: none lost
before=$(q "SELECT count(*) + sum(repeats) FROM camp_event")
$PY $CLIENT hits 127.0.0.1 "$PORT" "${O2#"$BASE"}" 500 > "$D/hits" &
HITS=$!
"$CAMP" run --db "$D/db" --until +4d --mail "file:$D/mail" --base-url "$BASE" > /dev/null || no "camp run beside the server failed"
wait $HITS
check "hits answered" "$(cat "$D/hits")" 500
kill -TERM "$SERVER"; wait "$SERVER"; rc=$?; SERVER=
check "server stops cleanly" "$rc" 0
[ "$rc" -eq 0 ] || tail -30 "$D/serve.log"
grep -q " 0 lost" "$D/serve.log" && ok || no "server summary: $(tail -1 "$D/serve.log")"
check "every answered hit recorded (repeats counted on one row)" "$(q "SELECT count(*) + sum(repeats) FROM camp_event")" "$((before + 500))"
check "on click branch ran" "$(q "SELECT count(*) FROM camp_trace t JOIN camp_activity a ON a.id = t.activity WHERE a.name = 'clicked' AND t.state = 2")" 1
check "integrity" "$(q 'PRAGMA integrity_check')" ok
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# tests/suite_esp_mailchimp.sh -- the Mailchimp fake (tests/esp/mailchimp_fake.py)
# held to the real API by Mailchimp's official Node client, @mailchimp/mailchimp_marketing
# (tests/esp/mailchimp_client.js: every endpoint camp's driver calls, the answers' shapes);
# a deliberately broken fake route must make that client test fail; the fake's
# politeness rules (429 above 10 concurrent requests, injected 429/500 storms).
# camp's own side -- runtime/esp_http.c's retries and the driver runtime/esp_mailchimp.c --
# is tested against the same fake by build/tests/test_esp_mailchimp (tests/unit).
set -u
. tests/lib.sh
NPM=$PWD/$BUILD/npm-esp
KEY=fakekey-us6
command -v node > /dev/null || abort "node is missing (make test-deps installs it)"
[ -f "$NPM/.installed" ] || abort "the official client is missing: make $BUILD/npm-esp/.installed"

# fake NAME [options]: a fresh fake in $D/NAME; sets URL
fake() {
  _n=$1; shift
  mkdir -p "$D/$_n"
  $PY tests/esp/mailchimp_fake.py --port-file "$D/$_n/port" --key $KEY "$@" > "$D/$_n/log" 2>&1 &
  started $!
  wait_for test -s "$D/$_n/port" || abort "the fake did not start: $(cat "$D/$_n/log")"
  URL=http://127.0.0.1:$(cat "$D/$_n/port")
}
# ctl PATH JSON: a POST to the fake's control endpoints
ctl() { curl -s -X POST -H 'Content-Type: application/json' -d "$2" "$URL$1"; }
# stat KEY: a field of /_fake/stats
stat() { curl -s "$URL/_fake/stats" | $PY -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# -- the official client, every endpoint camp calls ---------------------------------
fake good
node tests/esp/mailchimp_client.js "$URL" $KEY "$NPM/node_modules" > "$D/client.out" 2>&1
rc=$?
last=$(tail -n 1 "$D/client.out")
expect_match "official client: every endpoint against the fake (exit 0, none failed)" "0|* passed, 0 failed" "$rc|$last"
[ $rc -eq 0 ] || cat "$D/client.out"
check "official client: more than 50 checks ran" "$(echo "$last" | sed 's/ passed.*//' | awk '{print ($1 > 50)}')" 1

# -- a broken route makes the client test fail ---------------------------------------
fake broken --break "GET /lists/{list_id}/segments"
node tests/esp/mailchimp_client.js "$URL" $KEY "$NPM/node_modules" > "$D/broken.out" 2>&1
rc=$?
check "a fake with GET /lists/{id}/segments broken: the client test fails (exit 1)" "$rc" 1
check "... on that route" "$(grep -c '^FAIL lists.listSegments: answer has no segments' "$D/broken.out")" 1
fake broken2 --break "POST /lists/{list_id}"
node tests/esp/mailchimp_client.js "$URL" $KEY "$NPM/node_modules" > "$D/broken2.out" 2>&1
check "a fake with batch subscribe broken: the client test fails" "$?|$(grep -c '^FAIL lists.batchListMembers: answer has no new_members' "$D/broken2.out")" "1|1"

# -- politeness ------------------------------------------------------------------------
fake polite
ctl /_fake/audiences '{"id":"aud1","name":"News"}' > /dev/null
ctl /_fake/fail '{"status":429,"count":2,"retry_after":"7","match":"/ping"}' > /dev/null
h=$(curl -s -D - -o /dev/null -u camp:$KEY "$URL/3.0/ping" | tr -d '\r' | grep -i '^retry-after:')
check "an injected 429 carries Retry-After" "$h" "Retry-After: 7"
check "the next one too, then the route answers again" \
  "$(code -u camp:$KEY "$URL/3.0/ping")|$(code -u camp:$KEY "$URL/3.0/ping")" "429|200"
ctl /_fake/fail '{"status":500,"count":3,"methods":["POST"]}' > /dev/null
check "a 500 storm only hits the methods named" "$(code -u camp:$KEY "$URL/3.0/ping")" 200
check "... and POSTs get it" "$(code -u camp:$KEY -X POST -d '{}' "$URL/3.0/lists/aud1")" 500
check "failed_injected counts them" "$(stat failed_injected)" 3
check "a wrong key: 401 API Key Invalid" \
  "$(curl -s -u camp:nope "$URL/3.0/ping" | $PY -c 'import json, sys; d = json.load(sys.stdin); print(d["status"], d["title"])')" \
  "401 API Key Invalid"

# more than 10 requests in flight with one key: 429 (each request held 1 s)
ctl /_fake/delay '{"seconds":1}' > /dev/null
i=0
while [ $i -lt 16 ]; do
  (code -u camp:$KEY "$URL/3.0/ping"; echo) > "$D/conc.$i" &
  i=$((i + 1))
done
# done_count: how many of them have answered
done_count() { cat "$D"/conc.* | grep -c '^[0-9][0-9][0-9]$'; }
wait_for answers 16 done_count
n429=$(cat "$D"/conc.* | grep -c '^429$')
n200=$(cat "$D"/conc.* | grep -c '^200$')
check "16 at once: the fake saw more than 10 in flight" "$(stat max_concurrent | awk '{print ($1 > 10)}')" 1
check "16 at once: the ones over 10 answered 429, the rest 200" "$((n429 + n200))|$([ "$n429" -ge 1 ] && [ "$n200" -ge 1 ] && echo yes)" "16|yes"
ctl /_fake/delay '{"seconds":0}' > /dev/null

finish

#!/bin/sh
# tests/suite_sync_deliver.sh -- mailings delivered through an ESP (`via
# mailchimp|dotdigital SYNC`, docs/SYNC.md), against the fakes of
# tests/esp/: camp send creates the provider's campaign for the sync's
# segment / address book with the mailing's subject, sender and content
# (the mapped fields as the provider's merge tags) and sends it; camp run
# schedules a deferred one at its `at`; a send killed between the
# campaign's creation and its send, run again, sends that one campaign
# once; a second camp send is refused; nobody is enrolled for camp's own
# channels.
set -u
. tests/lib.sh
[ -x "$CAMP" ] || abort "sync_deliver: no camp binary at $CAMP (run make)"
for f in tests/esp/mailchimp_fake.py tests/esp/dotdigital_fake.py; do
  [ -f "$f" ] || abort "sync_deliver: $f is missing"
done
DB=$D/db
CAMP_ESP_BACKOFF=0.01
export CAMP_ESP_BACKOFF
try() { "$@" > "$D/out" 2> "$D/err"; rc=$?; }

# -- the fakes -------------------------------------------------------------------
# The Mailchimp fake with GET /campaigns/{id}/content (Mailchimp's own
# endpoint; camp never calls it) so the content camp put can be read back.
cat > "$D/mc.py" <<'PY'
import runpy, sys
sys.path.insert(0, "tests/esp")
import mailchimp_fake as f

@f.route("GET", "/campaigns/{campaign_id}/content")
def get_content(req, campaign_id):
    c = f.campaign(campaign_id)
    k = c["_content"] or {"html": "", "plain_text": ""}
    return 200, {"html": k["html"], "plain_text": k["plain_text"], "_links": []}

f.main()
PY
$PY "$D/mc.py" --port-file "$D/mc.port" --key fakekey-us1 > "$D/mc.log" 2>&1 &
started $!
$PY tests/esp/dotdigital_fake.py --port-file "$D/dd.port" --user dduser --password ddpass > "$D/dd.log" 2>&1 &
started $!
wait_for test -s "$D/mc.port" || abort "the Mailchimp fake did not start: $(cat "$D/mc.log")"
wait_for test -s "$D/dd.port" || abort "the Dotdigital fake did not start: $(cat "$D/dd.log")"
MC=http://127.0.0.1:$(cat "$D/mc.port")
DD=http://127.0.0.1:$(cat "$D/dd.port")
CAMP_MAILCHIMP_KEY=fakekey-us1 CAMP_MAILCHIMP_URL=$MC/3.0
CAMP_DOTDIGITAL_USER=dduser CAMP_DOTDIGITAL_PASSWORD=ddpass CAMP_DOTDIGITAL_URL=$DD
export CAMP_MAILCHIMP_KEY CAMP_MAILCHIMP_URL CAMP_DOTDIGITAL_USER CAMP_DOTDIGITAL_PASSWORD CAMP_DOTDIGITAL_URL
# fake URL [JSON]: GET (or POST JSON to) the fake, the answer on stdout
fake() { if [ $# -gt 1 ]; then curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$1"; else curl -sf "$1"; fi; }
mcget() { curl -sf -u "camp:fakekey-us1" "$MC/3.0$1"; }
# js EXPR: EXPR over the JSON on stdin (as j)
js() { $PY -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' "$@"; }
fake "$MC/_fake/audiences" '{"id": "a1b2c3d4e5", "name": "Shop"}' > /dev/null
fake "$MC/_fake/clock" '{"now": "2026-01-05T09:00:00+00:00"}' > /dev/null
fake "$DD/_fake/clock" '{"now": "2026-01-05T09:00:00+00:00"}' > /dev/null

# kill_at_send FAKE ROUTE MATCH MAILING: camp send MAILING, the provider
# answering its first POST to a path holding MATCH (the send, after the
# campaign was created) 429 with Retry-After 60; killed (SIGKILL) once the
# fake has counted a request on ROUTE
asked() { [ "$(fake "$1/_fake/stats" | js 'j["by_route"].get(sys.argv[2], 0)' "$2")" -ge 1 ]; }
kill_at_send() {
  fake "$1/_fake/stats/reset" '{}' > /dev/null
  fake "$1/_fake/fail" "{\"status\": 429, \"count\": 1, \"retry_after\": \"60\", \"match\": \"$3\", \"methods\": [\"POST\"]}" > /dev/null
  CAMP_ESP_BACKOFF=1 "$CAMP" send --db "$DB" "$4" > "$D/k.out" 2> "$D/k.err" &
  _k=$!
  started $_k
  if wait_for asked "$1" "POST $2"; then ok "$4: the provider was asked to send (and answered 429, Retry-After 60)"
  else bad "$4: the send was never asked" "$(cat "$D/k.err")"; fi
  kill -KILL $_k 2> /dev/null
  wait $_k 2> /dev/null
}

# -- the database ------------------------------------------------------------------
cp tests/scenarios/models.camp "$D/models.camp"
cat > "$D/via.camp" <<'CAMP'
use "models.camp"
list news "Newsletter" {
  target contact
  where score >= 1
}
sync news_mc "Newsletter in Mailchimp" {
  list news
  mailchimp audience "a1b2c3d4e5"
  segment "camp news"
  field FNAME = name
}
sync news_dd "Newsletter in Dotdigital" {
  list news
  dotdigital address_book "Newsletter"
  field FIRSTNAME = name
}
mailing spring "Spring sale" {
  to list news
  via mailchimp news_mc
  subject "Spring, {{ name }}"
  body "<p>Hello {{ name }}, <a href=\"https://shop.example/spring\">the sale</a></p>"
  from "Shop <news@shop.example>"
}
mailing summer "Summer" {
  to list news
  via mailchimp news_mc
  at 2026-01-06T10:00:00Z
  subject "Summer"
  body "<p>Summer, {{ name }}</p>"
  from "Shop <news@shop.example>"
}
mailing autumn "Autumn" {
  to list news
  via mailchimp news_mc
  subject "Autumn"
  body "<p>Autumn, {{ name }}</p>"
  from "Shop <news@shop.example>"
}
mailing fall "Fall" {
  to list news
  via dotdigital news_dd
  subject "Fall"
  body "<p>Fall, {{ name }}</p>"
  from "Shop <news@shop.example>"
}
mailing winter "Winter" {
  to list news
  via dotdigital news_dd
  subject "Winter, {{ name }}"
  body "<p>Winter, {{ name }} ({{ email }})</p>"
  text "Winter, {{ name }}"
  from "Shop <news@shop.example>"
}
CAMP
printf 'name,email,phone,opt_out,tags,score\nAda,ada@x.test,,false,,1\nBob,bob@x.test,,false,,2\nCid,cid@x.test,,false,,3\n' > "$D/r.csv"
new_db "$DB" "$D/via.camp" "$D/r.csv" || abort "setup failed"
for y in news_mc news_dd; do
  try "$CAMP" sync --db "$DB" $y
  check "camp sync $y: the segment / address book filled" "$rc" 0
  [ "$rc" -eq 0 ] || cat "$D/out" "$D/err"
done

# -- via Mailchimp, now ---------------------------------------------------------------
try "$CAMP" send --db "$DB" spring
check "send spring: done" "$rc" 0
[ "$rc" -eq 0 ] || cat "$D/err"
expect_match "send spring: says the provider and its campaign" "mailing spring: sent via mailchimp (campaign *) at 2026-01-05T09:00:00Z" "$(cat "$D/out")"
mcget "/campaigns?count=1000" > "$D/c.json"
check "mailchimp: one campaign" "$(js 'j["total_items"]' < "$D/c.json")" 1
cid=$(js 'j["campaigns"][0]["id"]' < "$D/c.json")
sid=$(mcget "/lists/a1b2c3d4e5/segments?count=1000" | js '[s["id"] for s in j["segments"] if s["name"] == "camp news"][0]')
check "mailchimp: the campaign: sent, to the sync's segment, subject with the merge tag, the sender" \
  "$(js '(lambda c: " | ".join(str(x) for x in (c["status"], c["recipients"]["list_id"], c["recipients"]["segment_opts"].get("saved_segment_id"), c["settings"]["subject_line"], c["settings"]["from_name"], c["settings"]["reply_to"], c["emails_sent"])))(j["campaigns"][0])' < "$D/c.json")" \
  "sent | a1b2c3d4e5 | $sid | Spring, *|FNAME|* | Shop | news@shop.example | 3"
mcget "/campaigns/$cid/content" > "$D/content.json"
check "mailchimp: the HTML rendered once, FNAME as a merge tag, links left to the provider" \
  "$(js 'j["html"]' < "$D/content.json")" '<p>Hello *|FNAME|*, <a href="https://shop.example/spring">the sale</a></p>'
expect_match "mailchimp: a plain part made from the HTML" "*Hello \*|FNAME|\*, the sale (https://shop.example/spring)*" "$(js 'j["plain_text"]' < "$D/content.json")"
check "camp: nobody enrolled for camp's channels" "$("$CAMP" timeline --db "$DB" --format json | js 'len(j["traces"])')" 0
try "$CAMP" send --db "$DB" spring
check "send spring again: refused" "$rc" 1
expect_match "send spring again: already sent" "*mailing 'spring' was already sent at 2026-01-05T09:00:00Z*" "$(cat "$D/err")"
check "mailchimp: still one campaign" "$(mcget "/campaigns?count=1000" | js 'j["total_items"]')" 1

# -- its statistics come home through the import, on this mailing ------------------------
fake "$MC/_fake/campaigns/$cid/activity" '{"email": "ada@x.test", "action": "open"}' > /dev/null
fake "$MC/_fake/campaigns/$cid/activity" '{"email": "bob@x.test", "action": "click", "url": "https://shop.example/spring"}' > /dev/null
try "$CAMP" sync --db "$DB" news_mc --import-only
check "import: done" "$rc" 0
[ "$rc" -eq 0 ] || cat "$D/out" "$D/err"
check "import: no second mailing for the campaign camp created" \
  "$("$CAMP" status --db "$DB" --format json | js '" ".join(sorted(c["name"] for c in j["campaigns"] if c.get("transport")))')" "spring"
check "import: spring's members: sent to 3, Ada opened, Bob clicked" \
  "$("$CAMP" report --db "$DB" spring --members --format json | js '" ".join("%s:%d/%d/%d" % (m["address"], m["sent"], m["opens"], m["clicks"]) for m in sorted(j["members"], key=lambda m: m["address"]))')" \
  "ada@x.test:1/1/0 bob@x.test:1/0/1 cid@x.test:1/0/0"

# -- killed between the campaign's creation and its send, run again ----------------------
kill_at_send "$MC" "/campaigns/{campaign_id}/actions/send" /actions/send autumn
check "autumn: killed, two campaigns at the provider (the second not sent)" \
  "$(mcget "/campaigns?count=1000" | js '" ".join(sorted(c["status"] for c in j["campaigns"]))')" "save sent"
try "$CAMP" send --db "$DB" autumn
check "autumn: run again: done" "$rc" 0
[ "$rc" -eq 0 ] || cat "$D/err"
check "autumn: run again: that campaign sent, none created" \
  "$(mcget "/campaigns?count=1000" | js '" ".join(sorted(c["status"] for c in j["campaigns"]))')" "sent sent"
check "autumn: the provider was asked to create one campaign in all" \
  "$(fake "$MC/_fake/stats" | js 'j["by_route"].get("POST /campaigns", 0)')" 1
check "autumn: asked to send twice (the 429, then once)" \
  "$(fake "$MC/_fake/stats" | js 'j["by_route"].get("POST /campaigns/{campaign_id}/actions/send", 0)')" 2

# -- deferred: camp run schedules it at its time ---------------------------------------------
try "$CAMP" send --db "$DB" summer
check "send summer (deferred): refused" "$rc" 1
try env -u CAMP_MAILCHIMP_KEY "$CAMP" run --db "$DB" --once
check "camp run without the key: fails" "$rc" 1
expect_match "camp run without the key: says which mailing and why" "*mailing summer: *CAMP_MAILCHIMP_KEY*" "$(cat "$D/err")"
check "camp run without the key: summer not sent" \
  "$("$CAMP" status --db "$DB" --format json | js '[c["sent_at"] for c in j["campaigns"] if c["name"] == "summer"][0]')" None
try "$CAMP" run --db "$DB" --once
check "camp run: done" "$rc" 0
[ "$rc" -eq 0 ] || cat "$D/err"
check "summer: scheduled at its at" \
  "$(mcget "/campaigns?count=1000" | js '" ".join(c["status"] + " " + c["send_time"] for c in j["campaigns"] if c["settings"]["subject_line"] == "Summer")')" \
  "schedule 2026-01-06T10:00:00+00:00"
try "$CAMP" run --db "$DB" --once
check "camp run again: summer not scheduled twice" "$(mcget "/campaigns?count=1000" | js 'j["total_items"]')" 3
fake "$MC/_fake/clock" '{"now": "2026-01-06T10:00:00+00:00"}' > /dev/null
check "summer: sent by the provider at its time" \
  "$(mcget "/campaigns?count=1000" | js '" ".join(c["status"] + " " + str(c["emails_sent"]) for c in j["campaigns"] if c["settings"]["subject_line"] == "Summer")')" "sent 3"

# -- via Dotdigital ----------------------------------------------------------------------------
try "$CAMP" send --db "$DB" winter
check "send winter: done" "$rc" 0
[ "$rc" -eq 0 ] || cat "$D/err"
fake "$DD/_fake/state" > "$D/dd.json"
check "dotdigital: one campaign, the data field as @FIRSTNAME@, the address as @EMAIL@, the sender" \
  "$(js '" | ".join(str(c[k]) for c in j["campaigns"] for k in ("subject", "fromName", "htmlContent", "plainTextContent"))' < "$D/dd.json")" \
  "Winter, @FIRSTNAME@ | Shop | <p>Winter, @FIRSTNAME@ (@EMAIL@)</p> | Winter, @FIRSTNAME@"
fake "$DD/_fake/clock" '{"now": "2026-01-05T09:00:01+00:00"}' > /dev/null       # the fake's send goes out
ddget() { curl -sf -u "dduser:ddpass" "$DD$1"; }
ddid=$(js 'j["campaigns"][0]["id"]' < "$D/dd.json")
check "dotdigital: sent, to the sync's address book" \
  "$(ddget "/v2/campaigns/$ddid" | js 'j["status"]') $(ddget "/v2/campaigns/$ddid/address-books" | js '" ".join("%s:%d" % (b["name"], b["contacts"]) for b in j)')" \
  "Sent Newsletter:3"
check "winter: the transport and the provider's id kept" \
  "$("$CAMP" status --db "$DB" --format json | js '" ".join(str(c.get(k)) for c in j["campaigns"] if c["name"] == "winter" for k in ("transport", "esp_id"))')" \
  "dotdigital $ddid"
try "$CAMP" send --db "$DB" winter
check "send winter again: refused" "$rc" 1
expect_match "send winter again: already sent" "*mailing 'winter' was already sent at 2026-01-05T09:00:00Z*" "$(cat "$D/err")"
check "dotdigital: still one campaign" "$(fake "$DD/_fake/state" | js 'len(j["campaigns"])')" 1

# -- Dotdigital: killed between the campaign's creation and its send, run again ---------------
kill_at_send "$DD" "/v2/campaigns/send" /v2/campaigns/send fall
check "fall: killed: its campaign created, not sent" \
  "$(fake "$DD/_fake/state" | js '" ".join(c["status"] for c in j["campaigns"] if c["subject"] == "Fall")')" "Unsent"
try "$CAMP" send --db "$DB" fall
check "fall: run again: done" "$rc" 0
[ "$rc" -eq 0 ] || cat "$D/err"
fake "$DD/_fake/clock" '{"now": "2026-01-05T09:00:02+00:00"}' > /dev/null
check "fall: run again: that campaign sent, none created" \
  "$(fake "$DD/_fake/state" | js '" ".join(c["status"] for c in j["campaigns"] if c["subject"] == "Fall")')" "Sent"
check "fall: created once, asked to send twice (the 429, then once)" \
  "$(fake "$DD/_fake/stats" | js '"%d %d" % (j["by_route"].get("POST /v2/campaigns", 0), j["by_route"].get("POST /v2/campaigns/send", 0))')" "1 2"

# -- status shows the transport ------------------------------------------------------------------
check "status --format json: spring's transport" \
  "$("$CAMP" status --db "$DB" --format json | js '[c.get("transport") for c in j["campaigns"] if c["name"] == "spring"][0]')" mailchimp

# -- service mode: a provider that refuses is logged, tried again a minute later, the service goes on
cat > "$D/svc.camp" <<'CAMP'
use "models.camp"
list news "Newsletter" {
  target contact
  where score >= 1
}
sync news_mc "Newsletter in Mailchimp" {
  list news
  mailchimp audience "a1b2c3d4e5"
  field FNAME = name
}
mailing past "Past" {
  to list news
  via mailchimp news_mc
  at 2020-01-06T10:00:00Z
  subject "Past"
  body "<p>Past, {{ name }}</p>"
  from "Shop <news@shop.example>"
}
CAMP
new_db "$D/svc.db" "$D/svc.camp" "$D/r.csv" real
env -u CAMP_MAILCHIMP_KEY "$CAMP" run --db "$D/svc.db" > "$D/svc.out" 2> "$D/svc.err" &
svc=$!
started $svc
said_retry() { grep -q "mailing past: .*CAMP_MAILCHIMP_KEY.*; trying again in a minute" "$D/svc.err"; }
if wait_for said_retry; then ok "service mode: the refused hand-over is logged with the provider's words, tried again later"
else bad "service mode: the refused hand-over is logged with the provider's words, tried again later" "$(cat "$D/svc.err")"; fi
check "service mode: still running after the refusal" "$(kill -0 $svc 2> /dev/null && echo alive)" alive
stop_pid $svc
check "service mode: stopped by SIGTERM, exit 0" "$?" 0
check "service mode: one attempt in the minute (not one per pass)" "$(grep -c "trying again in a minute" "$D/svc.err")" 1

finish

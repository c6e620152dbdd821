#!/bin/sh
# tests/suite_initiatives.sh -- initiatives (Oro's marketing campaigns):
# deploy and the code history (a code another initiative has or had is
# refused and nothing is deployed; a changed code retires the old one, which
# still finds the initiative), camp initiatives, and camp report
# --initiative: each member's numbers are those of its own report, the
# totals their sums, the series in buckets of the hour, day or month on the
# simulated clock adds up to the totals, cost per send and per click, the
# JSON against docs/report.schema.json, the HTML page against the JSON and
# escaping a hostile title.
. tests/lib.sh
has_module jsonschema || abort "python3-jsonschema is missing (make test-deps)"
DB=$D/db
W=$D/w
mkdir -p "$W"
cp tests/scenarios/models.camp "$W/models.camp"

# spring CODE [PROPERTIES]: $W/spring.camp with the initiative spring
# (CODE, budget 110 EUR unless PROPERTIES say otherwise), the mailing news to
# the French contacts on 2026-03-02 09:00 and the campaign welcome (two
# emails: at once and a day later) in it, and the campaign other outside it
spring() {
  cat > "$W/spring.camp" <<EOF
use "models.camp"
list fr "French" {
  target contact
  where "fr" in tags
}
initiative spring "${TITLE:-Spring 2026}" {
  code "$1"
  ${2:-budget 110 EUR}
  description "Spring push"
}
mailing news "News" {
  to list fr
  initiative spring
  at 2026-03-02T09:00:00Z
  subject "Hi"
  body "<p>Spring <a href=\"https://example.com/a\">offers</a></p>"
  from "Shop <shop@x.test>"
}
campaign welcome "Welcome" {
  target contact
  ${WELCOME_IN:-initiative spring}
  email hi {
    subject "Welcome"
    body "<p>Hello <a href=\"https://example.com/b\">shop</a></p>"
    from "Shop <shop@x.test>"
  }
  email later after 1 day {
    subject "Still there?"
    body "<p>Hello again <a href=\"https://example.com/c\">shop</a></p>"
    from "Shop <shop@x.test>"
  }
}
campaign other "Other" {
  target contact
  email o {
    subject "Other"
    body "<p>Other <a href=\"https://example.com/o\">o</a></p>"
    from "Shop <shop@x.test>"
  }
}
EOF
}
# autumn CODE: $W/autumn.camp, another initiative with a campaign of its own
autumn() {
  cat > "$W/autumn.camp" <<EOF
use "models.camp"
initiative autumn "Autumn" {
  code "$1"
  budget 50 EUR
}
campaign fall "Fall" {
  target contact
  initiative autumn
  email f {
    subject "Fall"
    body "<p>Fall</p>"
    from "Shop <shop@x.test>"
  }
}
EOF
}
deploy() { "$CAMP" deploy --db "$DB" --root "$W" "$@" 2>&1; }
# refused FILE...: what a deploy that must fail says on stderr, after its exit status
refused() { "$CAMP" deploy --db "$DB" --root "$W" "$@" 2>&1 > /dev/null; echo "exit $?"; }
# j EXPR [ARG...]: a Python expression over the JSON on stdin (r); ARGs are sys.argv[2:]
j() { $PY -c 'import json, sys; r = json.load(sys.stdin); print(eval(sys.argv[1]))' "$@"; }
inits() { "$CAMP" initiatives --db "$DB" --format json | j "$@"; }
ireport() { _k=$1; shift; "$CAMP" report --db "$DB" --initiative "$_k" --format json | j "$@"; }
valid() {
  $PY -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for e in jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))):
    print("/".join(map(str, e.absolute_path)) + ": " + e.message)' docs/report.schema.json "$1" 2>&1
}

# -- deploy and the code history ---------------------------------------------------------
"$CAMP" init --db "$DB" --clock 2026-03-01T09:00:00Z > /dev/null || bad "init"
spring SPRING26
got=$(deploy --start "$W/spring.camp")
expect_match "deploy: the initiative is added with its code" '*+ initiative spring (new, code "SPRING26")*Deployed: *' "$got"
check "camp initiatives: code, history, budget, scale, members" \
  "$(inits '[(i["name"], i["code"], [c["code"] + ":" + str(c["until"]) for c in i["codes"]], i["budget"], i["currency"], i["scale"], i["start"], [m["kind"] + " " + m["name"] for m in i["members"]]) for i in r["initiatives"]]')" \
  "[('spring', 'SPRING26', ['SPRING26:None'], 110.0, 'EUR', 'day', None, ['mailing news', 'campaign welcome'])]"
got=$(deploy "$W/spring.camp")
expect_match "deploy again: no changes" '*initiative spring: no changes (code "SPRING26")*No changes.' "$got"

autumn SPRING26
check "another initiative taking a current code: refused, naming the owner and since when" "$(refused "$W/autumn.camp" | join_lines '|')" \
  'camp deploy: initiative '"'autumn'"': the code "SPRING26" is taken: initiative '"'spring'"' has it since 2026-03-01T09:00:00Z (a code is never reused)|exit 1'
check "... and nothing of that deploy stays (one transaction)" \
  "$(inits '[i["name"] for i in r["initiatives"]]')|$("$CAMP" report --db "$DB" fall 2>&1)" "['spring']|camp report: no campaign 'fall' is deployed"
got=$(deploy "$W/spring.camp" "$W/autumn.camp"); rc=$?
check "two files of one deploy with one code: refused" "$rc" 1

"$CAMP" run --db "$DB" --until 2026-03-01T12:00:00Z --mail "file:$D/mail" > /dev/null || bad "run"
spring SPRING27
got=$("$CAMP" plan --db "$DB" --root "$W" "$W/spring.camp"); rc=$?
expect_match "plan: the code change, the old code retired" \
  '*~ initiative spring*    code: "SPRING26" -> "SPRING27"*"SPRING26" retired*' "$rc|$got"
check "plan: exit 2, and nothing changed" "$rc|$(inits '[i["code"] for i in r["initiatives"]]')" "2|['SPRING26']"
got=$(deploy "$W/spring.camp")
expect_match "deploy: the code changes" '*    code: "SPRING26" -> "SPRING27"*' "$got"
check "the history: SPRING26 until the deploy's time, SPRING27 since it" \
  "$(inits '[(c["code"], c["since"], c["until"]) for i in r["initiatives"] for c in i["codes"]]')" \
  "[('SPRING26', '2026-03-01T09:00:00Z', '2026-03-01T12:00:00Z'), ('SPRING27', '2026-03-01T12:00:00Z', None)]"
expect_match "camp initiatives (table): the past code and when" '*code SPRING27*past codes: SPRING26 (2026-03-01T09:00:00Z .. 2026-03-01T12:00:00Z)*' \
  "$("$CAMP" initiatives --db "$DB")"
check "another initiative taking a past code: refused, naming the owner and when it had it" "$(refused "$W/autumn.camp" | join_lines '|')" \
  'camp deploy: initiative '"'autumn'"': the code "SPRING26" is taken: initiative '"'spring'"' had it from 2026-03-01T09:00:00Z until 2026-03-01T12:00:00Z (a code is never reused, even after it changed)|exit 1'
autumn AUTUMN26
got=$(deploy --start "$W/autumn.camp")
expect_match "a new code is fine" '*+ initiative autumn (new, code "AUTUMN26")*' "$got"
check "the report finds spring by its name, its code and its past code" \
  "$(for k in spring SPRING27 SPRING26 AUTUMN26; do ireport "$k" 'r["initiative"]["name"]'; done | join_lines ' ')" "spring spring spring autumn"
got=$("$CAMP" report --db "$DB" --initiative SPRING99 2>&1); rc=$?
check "an unknown code: exit 1, says so" "$rc|$got" \
  "1|camp report: no initiative is named 'SPRING99' or has or had it as its code (camp initiatives lists them)"
check "--initiative with a campaign, or as csv: usage errors" \
  "$("$CAMP" report --db "$DB" --initiative spring welcome > /dev/null 2>&1; echo $?)$("$CAMP" report --db "$DB" --initiative spring --format csv > /dev/null 2>&1; echo $?)" 22

# -- data: the mailing, two emails of welcome, other outside; events on a few days --------------
printf 'name,email,phone,opt_out,tags,score\n' > "$D/c.csv"
for i in 1 2 3 4 5 6; do
  tags=; [ $i -le 4 ] && tags=fr
  printf 'P%d,p%d@x.test,,false,%s,%d\n' $i $i "$tags" $i >> "$D/c.csv"
done
"$CAMP" import --db "$DB" --model contact "$D/c.csv" > /dev/null || bad "import"
"$CAMP" run --db "$DB" --until 2026-03-04T09:00:00Z --mail "file:$D/mail" > /dev/null || bad "run to 03-04"
# ev KIND CAMPAIGN ACTIVITY RECORD TIME: the event on that message
ev() {
  "$CAMP" event --db "$DB" "$1" --message-id "$(traces "$DB" message_id campaign="$2" activity="$3" record="$4" test=false)" --at "$5" \
    > /dev/null || bad "event $*"
}
ev open news news 1 2026-03-02T10:15:00Z
ev click news news 1 2026-03-02T10:20:00Z
ev open news news 2 2026-03-03T08:00:00Z
ev reply news news 3 2026-03-03T09:30:00Z
ev bounce news news 4 2026-03-02T09:05:00Z
ev unsubscribe news news 2 2026-03-03T08:05:00Z
ev open welcome hi 5 2026-03-01T12:30:00Z
ev click welcome later 6 2026-03-02T13:00:00Z
ev click welcome later 6 2026-03-03T13:00:00Z
ev open other o 1 2026-03-02T10:00:00Z
"$CAMP" report --db "$DB" --initiative SPRING26 --format json > "$D/i.json" || bad "report --initiative json"
check "JSON: valid against docs/report.schema.json" "$(valid "$D/i.json")" ""
for bad_edit in 'r["initiative"]["totals"]["bogus"] = 1' 'r["initiative"]["series"]["buckets"][0]["bucket"] = "March"' \
                'r["initiative"]["members"][0]["sent"] = -1' 'del r["initiative"]["series"]'; do
  $PY -c 'import json, sys; r = json.load(open(sys.argv[1])); exec(sys.argv[2]); json.dump(r, open(sys.argv[3], "w"))' "$D/i.json" "$bad_edit" "$D/bad.json"
  expect_match "the schema refuses: $bad_edit" "?*" "$(valid "$D/bad.json")"
done
check "the UTM campaign of a member's links is the initiative's code (clicked links, as the report lists them)" \
  "$(j 'sorted(set(l["url"] for c in r["campaigns"] for l in c["links"]))' < "$D/i.json")" \
  "['https://example.com/a?utm_campaign=SPRING27&utm_medium=email&utm_source=news', 'https://example.com/c?utm_campaign=SPRING27&utm_medium=email&utm_source=later']"
check "the members: news and welcome (other is not in it)" "$(j '[m["name"] for m in r["initiative"]["members"]] == [c["name"] for c in r["campaigns"]] and [m["name"] for m in r["initiative"]["members"]]' < "$D/i.json")" \
  "['news', 'welcome']"
# each member's numbers from its own camp report --format json
for m in news welcome; do
  "$CAMP" report --db "$DB" --format json "$m" | j '" ".join(str(sum(a.get(k, 0) for c in r["campaigns"] for a in c["activities"])) for k in ("sent", "opened", "clicked", "replied", "bounced")) + " " + str(r["campaigns"][0]["unsubscribes"])' > "$D/own.$m"
  check "$m: its numbers are those of its own report" \
    "$(j '" ".join(str(m[k]) for m in r["initiative"]["members"] if m["name"] == sys.argv[2] for k in ("sent", "opened", "clicked", "replied", "bounced", "unsubscribed"))' "$m" < "$D/i.json")" \
    "$(cat "$D/own.$m")"
done
check "the numbers themselves: news 4 sent, 3 opened, 2 clicked, 1 replied, 1 bounced, 1 unsubscribed; welcome 12 sent" \
  "$(cat "$D/own.news")|$(cat "$D/own.welcome")" "4 3 2 1 1 1|12 2 1 0 0 0"
check "totals: the sums of the members' own reports" \
  "$(j '" ".join(str(r["initiative"]["totals"][k]) for k in ("sent", "opened", "clicked", "replied", "bounced", "unsubscribed"))' < "$D/i.json")" \
  "$(paste -d' ' "$D/own.news" "$D/own.welcome" | awk '{ for (i = 1; i <= 6; i++) printf "%s%d", (i > 1 ? " " : ""), $i + $(i + 6); print "" }')"
check "cost per send and per click: 110 EUR over 16 sends and 3 clicks" \
  "$(j '(r["initiative"]["cost_per_send"], r["initiative"]["cost_per_click"], r["initiative"]["budget"], r["initiative"]["currency"])' < "$D/i.json")" \
  "(6.875, 36.6667, 110.0, 'EUR')"
expect_match "table: members, totals and costs" \
  '*news*mailing*4*3*2*1*1*1*welcome*campaign*12*2*1*0*0*0*total*16*5*3*1*1*1*cost per send: 6.8750 EUR; cost per click: 36.6667 EUR*' \
  "$("$CAMP" report --db "$DB" --initiative spring)"

# -- the series: every bucket of the scale, adding up to the totals ---------------------------------
# series: bucket:sent/opened/clicked/replied/bounced/unsubscribed of the buckets with anything
series() { j '" ".join(b["bucket"] + ":" + "/".join(str(b[k]) for k in ("sent", "opened", "clicked", "replied", "bounced", "unsubscribed")) for b in r["initiative"]["series"]["buckets"] if any(b[k] for k in ("sent", "opened", "clicked", "replied", "bounced", "unsubscribed")))'; }
sums() { j 'all(sum(b[k] for b in r["initiative"]["series"]["buckets"]) == v for k, v in r["initiative"]["totals"].items())'; }
check "day (open period): from the first send's day to the last event's, every day" \
  "$(j '(r["initiative"]["series"]["scale"], r["initiative"]["series"]["from"], r["initiative"]["series"]["to"], [b["bucket"] for b in r["initiative"]["series"]["buckets"]])' < "$D/i.json")" \
  "('day', '2026-03-01', '2026-03-03', ['2026-03-01', '2026-03-02', '2026-03-03'])"
check "day: per day (a click implies an open, a reply a click, each message once at its first)" "$(series < "$D/i.json")" \
  "2026-03-01:6/1/0/0/0/0 2026-03-02:10/2/2/0/1/0 2026-03-03:0/2/1/1/0/1"
check "day: the series adds up to the totals" "$(sums < "$D/i.json")" True
spring SPRING27 "scale hour
  budget 110 EUR"
got=$(deploy "$W/spring.camp")
expect_match "deploy: the scale changes" '*~ initiative spring*    scale: day -> hour*' "$got"
ireport spring 'json.dumps(r)' > "$D/h.json"
check "hour: buckets 'YYYY-MM-DD HH:00', every hour of the span" \
  "$(j '(r["initiative"]["series"]["from"], r["initiative"]["series"]["to"], len(r["initiative"]["series"]["buckets"]))' < "$D/h.json")" \
  "('2026-03-01 12:00', '2026-03-03 09:00', 46)"
check "hour: the busy hours" "$(series < "$D/h.json")" \
  "2026-03-01 12:00:6/1/0/0/0/0 2026-03-02 09:00:4/0/0/0/1/0 2026-03-02 10:00:0/1/1/0/0/0 2026-03-02 12:00:6/0/0/0/0/0 2026-03-02 13:00:0/1/1/0/0/0 2026-03-03 08:00:0/1/0/0/0/1 2026-03-03 09:00:0/1/1/1/0/0"
check "hour: the series adds up to the totals" "$(sums < "$D/h.json")" True
spring SPRING27 "scale month
  start 2026-02-15
  end 2026-04-10
  budget 0 EUR"
deploy "$W/spring.camp" > /dev/null
ireport SPRING26 'json.dumps(r)' > "$D/m.json"
check "month (a period): the first of each month from the start's to the end's" \
  "$(j '(r["initiative"]["start"], r["initiative"]["end"], [b["bucket"] for b in r["initiative"]["series"]["buckets"]])' < "$D/m.json")" \
  "('2026-02-15T00:00:00Z', '2026-04-10T00:00:00Z', ['2026-02-01', '2026-03-01', '2026-04-01'])"
check "month: everything in March" "$(series < "$D/m.json")" "2026-03-01:16/5/3/1/1/1"
check "a budget of 0: cost 0.0 per send and per click" "$(j '(r["initiative"]["cost_per_send"], r["initiative"]["cost_per_click"])' < "$D/m.json")" "(0.0, 0.0)"
spring SPRING27 "scale day
  start 2026-03-02
  end 2026-03-02T23:00:00Z"
deploy "$W/spring.camp" > /dev/null
ireport spring 'json.dumps(r)' > "$D/p.json"
check "day, a one-day period: only its bucket (the rest is in the totals only)" "$(series < "$D/p.json")|$(j 'r["initiative"]["totals"]["sent"]' < "$D/p.json")" \
  "2026-03-02:10/2/2/0/1/0|16"
check "no budget: costs null in JSON, n/a in the table" \
  "$(j '(r["initiative"]["budget"], r["initiative"]["cost_per_send"], r["initiative"]["cost_per_click"])' < "$D/p.json")|$("$CAMP" report --db "$DB" --initiative spring | grep -c 'cost per send: n/a; cost per click: n/a')" \
  "(None, None, None)|1"
check "a budget and no click: a cost per send, no cost per click (null, n/a)" \
  "$(ireport autumn '(r["initiative"]["totals"]["sent"], r["initiative"]["cost_per_send"], r["initiative"]["cost_per_click"])')|$("$CAMP" report --db "$DB" --initiative autumn | grep -c 'cost per send: 8.3333 EUR; cost per click: n/a')" \
  "(6, 8.3333, None)|1"

# -- test participants never count; a code of its own comes back ----------------------------------------
"$CAMP" test --db "$DB" welcome --record 1 --until +2d --mail "file:$D/mail" > /dev/null || bad "camp test"
check "a test participant's messages count neither in the totals nor in the series" \
  "$(ireport spring '(r["initiative"]["totals"]["sent"], sum(b["sent"] for b in r["initiative"]["series"]["buckets"]))')" "(16, 10)"
"$CAMP" run --db "$DB" --until +1h --mail "file:$D/mail" > /dev/null || bad "run +1h"
spring SPRING26 "budget 110 EUR"
got=$(deploy "$W/spring.camp")
expect_match "an initiative takes back a code of its own" '*    code: "SPRING27" -> "SPRING26"*"SPRING27" retired*' "$got"
check "... SPRING26 current again since now, SPRING27 retired" \
  "$(inits '[(c["code"], c["since"], c["until"]) for i in r["initiatives"] if i["name"] == "spring" for c in i["codes"]]')" \
  "[('SPRING27', '2026-03-01T12:00:00Z', '2026-03-04T10:00:00Z'), ('SPRING26', '2026-03-04T10:00:00Z', None)]"
check "... and both find it" "$(ireport SPRING27 'r["initiative"]["code"]')" SPRING26
spring SPRING27

# -- leaving the initiative ------------------------------------------------------------------------
WELCOME_IN=" " spring SPRING27 "budget 110 EUR"
deploy "$W/spring.camp" > /dev/null
check "a campaign that no longer names it leaves its members" "$(ireport spring '[m["name"] for m in r["initiative"]["members"]]')" "['news']"
check "... and its report's totals" "$(ireport spring 'r["initiative"]["totals"]["sent"]')" 4

# -- the HTML page ------------------------------------------------------------------------------------
TITLE="Tom & Jerry's <script>alert(1)</script> \\\"quoted\\\"" spring SPRING27
deploy "$W/spring.camp" > /dev/null
"$CAMP" report --db "$DB" --initiative SPRING26 --format html -o "$D/i.html" 2> "$D/err"
check "html -o: exit 0" "$?|$(cat "$D/err")" "0|"
"$CAMP" report --db "$DB" --initiative SPRING26 --format json > "$D/i.json"
check "html: every number is the JSON's (members, totals, series buckets, each member's own report)" \
  "$($PY tests/report/compare.py "$D/i.html" "$D/i.json" 2>&1 > /dev/null | head -3)" ""
check "html: the members' and totals' numbers are there" \
  "$(grep -o 'data-json="/initiative/\(members\|totals\)[^"]*"' "$D/i.html" | wc -l)" 18
check "html: the series chart, a line per count, and its table" \
  "$(grep -c 'class="chart series"' "$D/i.html")|$(grep -o '<polyline class="line s-' "$D/i.html" | wc -l)|$(grep -o 'data-json="/initiative/series/buckets/[0-9]*/sent"' "$D/i.html" | wc -l)" \
  "1|6|$(j 'sum(1 for b in r["initiative"]["series"]["buckets"] if any(v for k, v in b.items() if k != "bucket"))' < "$D/i.json")"
check "html: costs with their currency" "$(grep -o 'data-money="cost_per_[a-z]*">[^<]*' "$D/i.html" | join_lines ' ')" \
  'data-money="cost_per_send">6.8750 EUR data-money="cost_per_click">36.6667 EUR'
check "html: the hostile title escaped, never raw" \
  "$(grep -o 'Tom &amp; Jerry&#39;s &lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot;' "$D/i.html" | wc -l)|$(grep -c '<script' "$D/i.html")" "2|0"
check "html: the past code is shown" "$(grep -c 'was SPRING26 until 2026-03-04T10:00:00Z' "$D/i.html")" 1
# the page in headless Chromium: no console error, the series chart and each member's charts rendered
CHROMEPORT=$(free_port)
chromedriver --port="$CHROMEPORT" > "$D/driver.log" 2>&1 &
started $!
driver_ready() { curl -s "http://127.0.0.1:$CHROMEPORT/status" | grep -q '"ready": *true'; }
wait_for driver_ready || bad "chromedriver did not start" "$(cat "$D/driver.log")"
mkdir -p "$BUILD/report"
got=$($PY tests/report/browser.py "$CHROMEPORT" "file://$D/i.html" "$PWD/$BUILD/report/initiative.png" 2> "$D/browser.err")
check "chromium: no console error; the series chart and 3 charts per member (screenshot in $BUILD/report/initiative.png)" \
  "$(echo "$got" | $PY -c 'import json, sys; g = json.load(sys.stdin); print(g.get("errors"), g.get("svgs"), g.get("scripts"))' 2>&1)" "[] 7 0"
finish

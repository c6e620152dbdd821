#!/bin/sh
# tests/suite_report.sh -- camp report: the JSON against docs/report.schema.json,
# the HTML page against the JSON (every number), the page in headless Chromium
# (no console error, every bar and point rendered, a screenshot in
# $BUILD/report/report.png), an empty database, a campaign that sent nothing
# (rates are a dash, never a division by zero), escaping, and -o FILE written
# whole or not at all.
#
# The database: the example campaigns, a mailing and tests/report/report.camp
# on a simulated clock, 21 days run one at a time, with synthetic opens,
# clicks, replies, bounces and unsubscribes (tests/report/engage.py) every day.
# store: both
. tests/lib.sh
store_init
has_module jsonschema || abort "python3-jsonschema is missing (make test-deps)"
SCHEMA=docs/report.schema.json
SHOT_DIR=$BUILD/report
mkdir -p "$SHOT_DIR"

# valid JSON-FILE: nothing when JSON-FILE meets the schema, else its errors
valid() {
  $PY -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
for e in jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))):
    print("/".join(map(str, e.absolute_path)) + ": " + e.message)' "$SCHEMA" "$1" 2>&1
}
# jq_py JSON-FILE EXPR [ARG...]: a Python expression over the JSON file (r); ARGs are sys.argv[3:]
jq_py() { $PY -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

# -- the database -------------------------------------------------------------------
store_db db
mkdir -p "$D/mail" "$D/sms"
"$CAMP" init --db "$DB" --clock 2026-03-01T09:00:00Z > /dev/null || bad "init"
"$CAMP" deploy --db "$DB" --root . --start examples/models.camp examples/welcome_flow.camp examples/commercial_prospection.camp \
  examples/newsletter_mailing.camp tests/report/report.camp > /dev/null || bad "deploy"
awk 'BEGIN {
  print "name,email,phone,opt_out,is_user,company,country,salesperson,tags,score,created"
  split("FR DE FR US GB", country, " ")
  for (i = 1; i <= 120; i++)
    printf "Person %d,p%d@example.net,+336100%05d,false,false,Co %d,%s,Alice,,%d,2026-02-20T10:00:00Z\n", i, i, i, i, country[i % 5 + 1], i % 100
}' > "$D/contacts.csv"
# 40 contacts on day 0, then 4 a day: enrolment (and sending) goes on for the whole run
head -n 41 "$D/contacts.csv" > "$D/c-0.csv"
"$CAMP" import --db "$DB" --model contact "$D/c-0.csv" > /dev/null || bad "import day 0"
: > "$D/seen"
day=1
while [ $day -le 21 ]; do
  { head -n 1 "$D/contacts.csv"; sed -n "$((42 + (day - 1) * 4)),$((41 + day * 4))p" "$D/contacts.csv"; } > "$D/c-$day.csv"
  [ "$(wc -l < "$D/c-$day.csv")" -gt 1 ] && { "$CAMP" import --db "$DB" --model contact "$D/c-$day.csv" > /dev/null || bad "import day $day"; }
  "$CAMP" run --db "$DB" --until +1d --mail "file:$D/mail" --sms "file:$D/sms" > /dev/null 2> "$D/run.err" || bad "run day $day" "$(cat "$D/run.err")"
  ls "$D/mail" "$D/sms" | sed -n 's/\.\(eml\|txt\)$//p' | sort > "$D/all"
  comm -13 "$D/seen" "$D/all" | $PY tests/report/engage.py > "$D/events.jsonl"
  cp "$D/all" "$D/seen"
  "$CAMP" event --db "$DB" --file "$D/events.jsonl" > /dev/null 2>&1
  day=$((day + 1))
done

# -- JSON and its schema ---------------------------------------------------------------
"$CAMP" report --db "$DB" --format json > "$D/r.json" || bad "report --format json"
check "JSON: valid against $SCHEMA" "$(valid "$D/r.json")" ""
check "JSON: version" "$(jq_py "$D/r.json" 'r["version"]')" 1
check "JSON: the database's clock" "$(jq_py "$D/r.json" 'r["at"] + " " + r["clock"]')" "2026-03-22T09:00:00Z simulated"
check "JSON: 15 days ending on the clock's day" "$(jq_py "$D/r.json" 'set((c["days"][0]["date"], c["days"][14]["date"], len(c["days"])) for c in r["campaigns"])')" \
  "{('2026-03-08', '2026-03-22', 15)}"
check "JSON: the run spans more than the 15 days (sent on the first of them and on the day before)" \
  "$(jq_py "$D/r.json" '[c["days"][i]["processed"] > 0 for c in r["campaigns"] if c["name"] == "commercial_prospection" for i in (0, 13)]')" "[True, True]"
check "JSON: campaigns and the mailing, with state and version" \
  "$(jq_py "$D/r.json" '" ".join("%s:%s:%s:%d" % (c["name"], c["kind"], c["state"], c["version"]) for c in r["campaigns"])')" \
  "commercial_prospection:campaign:running:1 report_quiet:campaign:running:1 spring_news:mailing:running:1 welcome_flow:campaign:running:1"
check "JSON: the mailing sent at its time, to the French contacts" \
  "$(jq_py "$D/r.json" '[(c["at"], a["sent"] > 0) for c in r["campaigns"] if c["kind"] == "mailing" for a in c["activities"]]')" \
  "[('2026-03-20T09:00:00Z', True)]"
check "JSON: every kind of event happened" \
  "$(jq_py "$D/r.json" 'all(sum(a.get(k, 0) for c in r["campaigns"] for a in c["activities"]) > 0 for k in ("opened", "clicked", "replied", "bounced", "unsubscribed"))')" True
check "JSON: delivered is sent less bounced; unsubscribes sum the activities'" \
  "$(jq_py "$D/r.json" 'all(a["delivered"] == a["sent"] - a["bounced"] for c in r["campaigns"] for a in c["activities"] if "sent" in a) and all(c["unsubscribes"] == sum(a.get("unsubscribed", 0) for a in c["activities"]) for c in r["campaigns"])')" True
check "JSON: enrolled is the participants' sum" \
  "$(jq_py "$D/r.json" 'all(c["enrolled"] == sum(c["participants"].values()) for c in r["campaigns"])')" True
check "JSON: rates print with one decimal (no 43.799999999999997)" "$(grep -cE '_rate": [0-9]+\.[0-9]{2,}' "$D/r.json")" 0
# the schema can fail: a report missing its version, an activity with an unknown field, a rate over 100
for bad_edit in 'del r["version"]' 'r["campaigns"][0]["activities"][0]["bogus"] = 1' 'r["campaigns"][0]["activities"][0]["opened_rate"] = 101'; do
  $PY -c 'import json, sys; r = json.load(open(sys.argv[1])); exec(sys.argv[2]); json.dump(r, open(sys.argv[3], "w"))' "$D/r.json" "$bad_edit" "$D/bad.json"
  expect_match "schema refuses: $bad_edit" "?*" "$(valid "$D/bad.json")"
done

# -- zero sends: rates are null in JSON, a dash on the page ----------------------------------
check "zero sends: sent 0, every rate null" \
  "$(jq_py "$D/r.json" '[(a["sent"], set(a[k] for k in a if k.endswith("_rate"))) for c in r["campaigns"] for a in c["activities"] if a["name"] == "later"]')" \
  "[(0, {None})]"

# -- the HTML page -----------------------------------------------------------------------------
"$CAMP" report --db "$DB" --format html -o "$D/report.html" 2> "$D/err"
check "html -o: exit 0, nothing said" "$?|$(cat "$D/err")" "0|"
"$CAMP" report --db "$DB" --format html > "$D/stdout.html"
check "html on stdout is the -o file" "$(cmp "$D/stdout.html" "$D/report.html" 2>&1)" ""
"$CAMP" report --db "$DB" --format json > "$D/r.json"      # again: the same database state as the page
COUNTS=$($PY tests/report/compare.py "$D/report.html" "$D/r.json" 2> "$D/cmp.err")
check "every number on the page is the JSON's, and every promised one is there" "$?|$(head -5 "$D/cmp.err")" "0|"
expect_match "the comparison covers hundreds of numbers" '*"numbers": [1-9][0-9][0-9]*' "$COUNTS"
# the comparison can fail: one value changed on the page, or one shown number changed
sed 's/data-value="\([0-9]*\)">\([0-9,]*\)<\/td>/data-value="\1">9\2<\/td>/' "$D/report.html" > "$D/tampered.html"
$PY tests/report/compare.py "$D/tampered.html" "$D/r.json" > /dev/null 2> "$D/cmp.err"
expect_match "a tampered page fails the comparison" "*shows*the JSON says*" "$(head -1 "$D/cmp.err")"
grep -v 'class="bar"' "$D/report.html" > "$D/nobars.html"
$PY tests/report/compare.py "$D/nobars.html" "$D/r.json" > /dev/null 2> "$D/cmp.err"
expect_match "a page without its bars fails the comparison" "*bars: 0 on the page*" "$(cat "$D/cmp.err")"
check "no script in the page" "$(grep -ci '<script' "$D/report.html")" 0
check "nothing fetched: no src=, <link, url( or @import" "$(grep -ciE ' src=|<link|url\(|@import' "$D/report.html")" 0
check "no NaN or infinity anywhere" "$(grep -ciE 'nan|inf[^o]' "$D/report.html")" 0
check "the title, escaped" "$(grep -c "Tom &amp; Jerry&#39;s &lt;b&gt;deal&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot;" "$D/report.html")" 2
# in_links URL: in how many campaigns' links URL was clicked
in_links() { jq_py "$D/r.json" 'sum(1 for c in r["campaigns"] for l in c["links"] if l["url"] == sys.argv[3])' "$1"; }
check "a clicked URL, escaped, as a link (in each campaign where it was clicked)" \
  "$(grep -c '<a href="https://example.com/offer?a=1&amp;b=2&quot;&lt;x&gt;&#39;" rel="noopener noreferrer">' "$D/report.html")" \
  "$(in_links "https://example.com/offer?a=1&b=2\"<x>'")"
check "a URL that is not a web link stays text" \
  "$(grep -c "href=\"javascript" "$D/report.html")|$(grep -c "javascript:alert(&#39;x&#39;)" "$D/report.html")" "0|$(in_links "javascript:alert('x')")"
check "zero sends: the rates show a dash" \
  "$(grep -o 'data-json="/campaigns/1/activities/[0-9]*/opened_rate" data-value="">–<' "$D/report.html" | wc -l)" 1

# -- the page in headless Chromium ---------------------------------------------------------------
CHROMEPORT=$(free_port)
chromedriver --port="$CHROMEPORT" > "$D/driver.log" 2>&1 &
started $!
driver_ready() { curl -s "http://127.0.0.1:$CHROMEPORT/status" | grep -q '"ready": *true'; }
wait_for driver_ready || bad "chromedriver did not start" "$(cat "$D/driver.log")"
# browser URL [SHOT]: browser.py's JSON for the page at URL
browser() { $PY tests/report/browser.py "$CHROMEPORT" "$@" 2> "$D/browser.err" || echo "{\"failed\": \"$(tail -1 "$D/browser.err")\"}"; }
cp tests/report/broken.html "$D/broken.html"
got=$(browser "file://$D/broken.html")
expect_match "control: a page with a missing image shows a console error" '*"errors": \["*ERR_FILE_NOT_FOUND*' "$got"
rm -f "$SHOT_DIR/report.png"
got=$(browser "file://$D/report.html" "$PWD/$SHOT_DIR/report.png")
echo "$got" > "$SHOT_DIR/render.json"
check "chromium: no console error" "$(echo "$got" | $PY -c 'import json, sys; print(json.load(sys.stdin).get("errors"))')" "[]"
check "chromium: bars, points and funnel rows as the JSON makes them" \
  "$(echo "$got" | $PY -c 'import json, sys; g = json.load(sys.stdin); print(g.get("bars"), g.get("points"), g.get("funnel"), g.get("scripts"))')" \
  "$(echo "$COUNTS" | $PY -c 'import json, sys; w = json.load(sys.stdin); print(w["bars"], w["points"], w["funnel"], 0)')"
check "chromium: a chart of each kind per campaign (funnel, bars, days; report_quiet has its SMS)" \
  "$(echo "$got" | $PY -c 'import json, sys; print(json.load(sys.stdin).get("svgs"))')" 12
check "screenshot written" "$(test -s "$SHOT_DIR/report.png" && head -c 8 "$SHOT_DIR/report.png" | od -An -c | tr -d ' ')" '211PNG\r\n032\n'
echo "     screenshot: $SHOT_DIR/report.png; render: $(echo "$got" | $PY -c 'import json, sys; g = json.load(sys.stdin); print("load %s ms, first paint %s ms, %s px high" % (g.get("load_ms"), g.get("paint_ms"), g.get("height")))')"

# -- an empty database -------------------------------------------------------------------------------
store_db empty EDB
"$CAMP" init --db "$EDB" --clock 2026-03-01T09:00:00Z > /dev/null
"$CAMP" report --db "$EDB" --format json > "$D/empty.json"
check "empty: JSON valid, no campaign" "$(valid "$D/empty.json")|$(jq_py "$D/empty.json" 'len(r["campaigns"])')" "|0"
"$CAMP" report --db "$EDB" --format html -o "$D/empty.html"
check "empty: the page says so" "$?|$(grep -c 'No campaign or mailing is deployed' "$D/empty.html")" "0|1"
check "empty: the page matches the JSON" "$($PY tests/report/compare.py "$D/empty.html" "$D/empty.json" 2>&1)" \
  '{"bars": 0, "points": 0, "funnel": 0, "numbers": 1}'
got=$(browser "file://$D/empty.html")
check "empty: chromium renders it, no console error" "$(echo "$got" | $PY -c 'import json, sys; g = json.load(sys.stdin); print(g.get("errors"), g.get("svgs"))')" "[] 0"

# -- a campaign deployed, nothing run: every count 0, every rate a dash --------------------------------
store_db new NDB
"$CAMP" init --db "$NDB" --clock 2026-03-01T09:00:00Z > /dev/null
"$CAMP" deploy --db "$NDB" --root . --start tests/report/report.camp > /dev/null
"$CAMP" report --db "$NDB" --format json > "$D/new.json"
"$CAMP" report --db "$NDB" --format html -o "$D/new.html"
check "nothing sent: JSON valid, the page matches it" "$(valid "$D/new.json")|$($PY tests/report/compare.py "$D/new.html" "$D/new.json" 2>&1 > /dev/null)" "|"
check "nothing sent: 12 rates, 12 dashes" "$(grep -o '_rate" data-value="">–<' "$D/new.html" | wc -l)" 12

# -- -o FILE: whole or not at all ------------------------------------------------------------------------
mkdir -p "$D/out"
"$CAMP" report --db "$DB" --format html -o "$D/out/r.html"
cp "$D/out/r.html" "$D/out/before.html"
"$CAMP" report --db "$DB" --format html -o "$D/out/r.html" no_such_campaign 2> "$D/err"
check "-o on an error: exit 1, says why" "$?|$(cat "$D/err")" "1|camp report: no campaign 'no_such_campaign' is deployed"
check "-o on an error: the old file is left as it was, no temporary file" "$(cmp "$D/out/r.html" "$D/out/before.html" 2>&1)|$(ls "$D/out" | tr '\n' ' ')" \
  "|before.html r.html "
"$CAMP" report --db "$DB" --format html -o "$D/nodir/r.html" 2> "$D/err"
check "-o in a missing directory: exit 1, says why, writes nothing" "$?|$(cat "$D/err")|$(ls "$D/nodir" 2>&1 | wc -l)" \
  "1|camp report: cannot write '$D/nodir/r.html': No such file or directory|1"
"$CAMP" report --db "$DB" --format json --output="$D/out/r.json"
check "--output=FILE for JSON too" "$(cmp "$D/out/r.json" "$D/r.json" 2>&1)" ""
check "-o: the file's mode follows the umask" "$(umask 022; "$CAMP" report --db "$DB" -o "$D/out/t.txt" && stat -c %a "$D/out/t.txt")" 644
"$CAMP" report --db "$DB" --format pdf > /dev/null 2> "$D/err"
check "an unknown format lists html" "$?|$(cat "$D/err")" "2|camp report: unknown format 'pdf' (table, json, csv or html)"
finish

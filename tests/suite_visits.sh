#!/bin/sh
# tests/suite_visits.sh -- website visits and their reports, on hits written
# straight into camp_hit of a deployed database (what the collector records):
# grouping (the 30-minute cut exactly at 1800 s and 1801 s, the keys apart:
# website, visitor id, contact; late hits joining the visit they fall in or
# starting their own, in a later call too; the first hit's referrer, code,
# UTM and IP; bots flagged), camp visits (its filters and JSON), camp forget
# (what it removes and what it keeps: another contact's hits stay), and the
# web reports: camp report --website in the hour, day and month scales, and
# the web section of camp report --initiative beside the budget, both in
# JSON (numbers computed by hand from the fixture below, against
# docs/report.schema.json) and HTML (every number the JSON's).
# store: both
. tests/lib.sh
store_init
has_module jsonschema || abort "python3-jsonschema is missing (make test-deps)"
store_db db
W=$D/w
mkdir -p "$W"
cp tests/scenarios/models.camp "$W/models.camp"
# site CODE: the initiative spring (CODE, 100 EUR) and two websites: shop
# (goal purchase) and blog (no goal)
site() {
  cat > "$W/site.camp" <<EOF
use "models.camp"
initiative spring "Spring" {
  code "$1"
  budget 100 EUR
}
website shop "Shop" {
  site_id "shop-1"
  url "https://shop.example.com"
  target contact
  goal "purchase"
}
website blog "Blog" {
  site_id "blog-1"
  url "https://blog.example.com"
}
EOF
}
site SPRING
printf 'name,email\nAda,ada@x.test\nBob,bob@x.test\nCyd,cyd@x.test\n' > "$W/c.csv"
new_db "$DB" "$W/site.camp" "$W/c.csv" 2026-03-05T00:00:00Z || { finish; exit 1; }

# hits < LINES: one hit a line, seconds from T0 = 2026-03-02T10:00:00Z:
#   SITE OFFSET VISITOR RECORD NAME VALUE CODE UA REFERRER SOURCE MEDIUM
# '-' is none (a RECORD is a contact's); IP 192.0.2.OFFSET%256; one INSERT (all or nothing)
hits() {
  store_sql "$DB" "$($PY -c '
import sys
T0 = 1772445600          # 2026-03-02T10:00:00Z
def lit(v):
    if v is None: return "NULL"
    if isinstance(v, (int, float)): return repr(v)
    return "\x27" + v.replace("\x27", "\x27\x27") + "\x27"
rows = []
for line in sys.stdin:
    f = [None if x == "-" else x for x in line.split()]
    if not f: continue
    site, off, visitor, rec, name, value, code, ua, ref, src, med = f
    rows.append("(" + ", ".join(map(lit, (site, T0 + int(off), visitor, "contact" if rec else None, int(rec) if rec else None,
                "https://x.test/p", name, float(value), code, src, med, ref, "192.0.2.%d" % (int(off) % 256), "UA", ua))) + ")")
print("INSERT INTO camp_hit(site, at, visitor, model, record_id, url, name, value, code, source, medium, referrer, ip, ua, ua_class)"
      " VALUES " + ", ".join(rows))')"
}
# the fixture, first part
hits <<'EOF'
shop-1 0     a1 - visit    1  SPRING desktop https://search.example/ news email
shop-1 1800  a1 - visit    1  -      desktop -                       -    -
shop-1 3601  a1 - visit    1  -      desktop -                       -    -
shop-1 10    -  - visit    1  -      desktop -                       -    -
blog-1 10    a1 - visit    1  -      desktop -                       -    -
shop-1 50    c1 - visit    1  -      mobile  -                       -    -
shop-1 100   c1 1 visit    1  SPRING mobile  -                       -    -
shop-1 200   c1 1 purchase 30 SPRING mobile  -                       -    -
shop-1 300   c1 1 signup   1  SPRING mobile  -                       -    -
shop-1 500   b1 - visit    1  SPRING bot     -                       -    -
shop-1 510   b1 - visit    1  SPRING bot     -                       -    -
shop-1 5000  c1 2 visit    1  -      desktop -                       -    -
shop-1 7200  -  3 visit    1  OTHER  desktop -                       -    -
shop-1 86400 c2 2 visit    1  SPRING desktop -                       -    -
shop-1 86460 c2 2 purchase 20 SPRING desktop -                       -    -
EOF
# the anonymous hit without a visitor id (offset 10) is not in any report
# check below: it is removed again here, after proving it groups on its own
visits() { "$CAMP" visits --db "$DB" --format json "$@"; }
vrows() { _f=$1; shift; visits "$@" | rows "$_f"; }

# -- grouping ---------------------------------------------------------------------------------------
check "camp visits groups the pending hits first (none left)" \
  "$(vrows website --bots | wc -l)|$(store_sql "$DB" "SELECT count(*) FROM camp_hit WHERE visit IS NULL")" \
  "10|0"
check "the 30-minute cut: 1800 s later joins, 1801 s later starts a visit (a1 on shop: 0..1800, 3601)" \
  "$(visits --website shop | rows first_at,last_at,pages visitor=a1 | join_lines ' ')" \
  "2026-03-02T11:00:01Z|2026-03-02T11:00:01Z|1 2026-03-02T10:00:00Z|2026-03-02T10:30:00Z|2"
check "keys apart: the same visitor on another website, anonymous and as a contact, two contacts on one visitor id" \
  "$(visits | rows website,visitor,model,record,first_at visitor~1 | LC_ALL=C sort | join_lines ' ')" \
  "blog|a1|||2026-03-02T10:00:10Z shop|a1|||2026-03-02T10:00:00Z shop|a1|||2026-03-02T11:00:01Z shop|c1|contact|1|2026-03-02T10:01:40Z shop|c1|contact|2|2026-03-02T11:23:20Z shop|c1|||2026-03-02T10:00:50Z"
check "a visit: pages and events, the first hit's referrer, code, source/medium, IP and class" \
  "$(visits --record 1 | rows pages,events,referrer,code,source,medium,ip,ua_class,bot)|$(visits --website shop | rows pages,referrer,code,source,medium,ip visitor=a1 first_at=2026-03-02T10:00:00Z)" \
  "1|2||SPRING|||192.0.2.100|mobile|false|2|https://search.example/|SPRING|news|email|192.0.2.0"
check "bots: left out unless --bots, then flagged" \
  "$(visits | rows visitor visitor=b1 | wc -l)|$(visits --bots | rows visitor,pages,ua_class,bot visitor=b1)" "0|b1|2|bot|true"
check "no visitor id: a contact's hits are one key, an anonymous one's another" \
  "$(visits --website shop | rows model,record,pages visitor= | LC_ALL=C sort | join_lines ' ')" "contact|3|1 ||1"
store_sql "$DB" "DELETE FROM camp_visit WHERE visitor IS NULL AND record_id IS NULL"
store_sql "$DB" "DELETE FROM camp_hit WHERE visitor IS NULL AND record_id IS NULL"

# -- late hits, in a later call ---------------------------------------------------------------------
hits <<'EOF'
shop-1 -600   a1 - visit 1 - desktop https://late.example/ - -
shop-1 -86400 a1 - visit 1 - desktop -                     - -
shop-1 5401   a1 - visit 1 - desktop -                     - -
EOF
check "late hits: one joins the visit it falls in (its referrer now, the UTM kept), one starts its own; 1800 s joins across calls" \
  "$(visits --website shop | rows first_at,last_at,pages,referrer,code,source,ip visitor=a1 | join_lines ' ')" \
  "2026-03-02T11:00:01Z|2026-03-02T11:30:01Z|2||||192.0.2.17 2026-03-02T09:50:00Z|2026-03-02T10:30:00Z|3|https://late.example/|SPRING|news|192.0.2.168 2026-03-01T10:00:00Z|2026-03-01T10:00:00Z|1||||192.0.2.128"
check "grouping twice changes nothing" "$(visits --bots | md5sum)" "$(visits --bots | md5sum)"

# -- camp visits: filters -----------------------------------------------------------------------------
check "newest first, every website, bots left out" \
  "$(vrows first_at | head -2 | join_lines ' ')|$(vrows first_at | wc -l)|$(vrows first_at --bots | wc -l)" \
  "2026-03-03T10:00:00Z 2026-03-02T12:00:00Z|9|10"
check "--website by name or site_id" "$(vrows visitor --website blog)|$(vrows visitor --website blog-1)" "a1|a1"
check "--record, --model" \
  "$(vrows record --record 2 | join_lines ' ')|$(vrows record --record 2 --model contact | wc -l)|$(vrows record --record 2 --model lead | wc -l)" \
  "2 2|2|0"
check "--initiative by name or code: the visits whose code it has" \
  "$(vrows visitor --initiative spring | join_lines ' ')|$(vrows visitor --initiative SPRING | join_lines ' ')|$(vrows visitor --initiative SPRING --bots | wc -l)" \
  "c2 c1 a1|c2 c1 a1|4"
check "--since, absolute and relative to the database's clock" \
  "$(vrows first_at --since 2026-03-03 | join_lines ' ')|$(vrows first_at --since -2d | join_lines ' ')" \
  "2026-03-03T10:00:00Z|2026-03-03T10:00:00Z"
check "the table: a header and a line a visit" \
  "$("$CAMP" visits --db "$DB" --record 1 | awk 'NR == 1 { print $1, $2, $3 } NR == 2 { print $1, $2, $3, $6, $7, $9 }' | join_lines ' ')" \
  "website visitor contact shop c1 contact:1 1 2 SPRING"
"$CAMP" visits --db "$DB" --website nosuch > /dev/null 2> "$D/err"
check "an unknown website: exit 1, said" "$?|$(cat "$D/err")" "1|camp visits: no website is named 'nosuch' or has it as its site_id"
"$CAMP" visits --db "$DB" --initiative NOPE > /dev/null 2> "$D/err"
check "an unknown initiative: exit 1, said" "$?|$(cat "$D/err")" "1|camp visits: no initiative is named 'NOPE' or has or had it as its code (camp initiatives lists them)"
"$CAMP" visits --db "$DB" --model contact > /dev/null 2>&1
check "--model without --record: a usage error" "$?" 2

# -- the website report ---------------------------------------------------------------------------------
# shop, bots left out: a1 6 page views in 3 visits, contact 1 (c1) 1 page view, a
# purchase of 30 and a signup in 1 visit, c1 anonymous 1, contact 2 on c1 1, contact
# 3 (no visitor id) 1, contact 2 (c2) 1 page view and a purchase of 20 the next day
wreport() { "$CAMP" report --db "$DB" --website shop --format json "$@"; }
j() { $PY -c 'import json, sys; r = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
wreport > "$D/w.json"
check "website: visits, bots apart, unique visitors (c1, a1, c2, contact 3), page views, events, conversions, revenue" \
  "$(j 'tuple(r["website"]["web"][k] for k in ("visits", "bot_visits", "unique_visitors", "page_views", "events", "conversions", "revenue"))' < "$D/w.json")" \
  "(8, 1, 4, 11, 3, 2, 50.0)"
check "website: events by name with their value, the goal marked" \
  "$(j '[(e["name"], e["count"], e["value"], e["goal"]) for e in r["website"]["web"]["by_name"]]' < "$D/w.json")" \
  "[('visit', 11, 11.0, False), ('purchase', 2, 50.0, True), ('signup', 1, 1.0, False)]"
check "website: the head" "$(j '(r["website"]["name"], r["website"]["site_id"], r["website"]["goals"], r["website"]["target"], r["campaigns"])' < "$D/w.json")" \
  "('shop', 'shop-1', ['purchase'], 'contact', [])"
check "day (the default): every date from the first hit's to the last's" \
  "$(j '[(b["bucket"], b["visits"], b["visitors"], b["page_views"], b["events"], b["conversions"], b["revenue"]) for b in r["website"]["web"]["series"]["buckets"]]' < "$D/w.json")" \
  "[('2026-03-01', 1, 1, 1, 0, 0, 0.0), ('2026-03-02', 6, 3, 9, 2, 1, 30.0), ('2026-03-03', 1, 1, 1, 1, 1, 20.0)]"
wreport --scale hour > "$D/h.json"
check "hour: YYYY-MM-DD HH:00, every hour from the first hit's to the last's" \
  "$(j '(r["website"]["web"]["series"]["scale"], len(r["website"]["web"]["series"]["buckets"]), r["website"]["web"]["series"]["from"], r["website"]["web"]["series"]["to"])' < "$D/h.json")" \
  "('hour', 49, '2026-03-01 10:00', '2026-03-03 10:00')"
check "hour: 09:00 has the late hit's visit, 10:00 two visits (c1 anonymous, contact 1) of one visitor, 11:00 two" \
  "$(j '[(b["bucket"], b["visits"], b["visitors"], b["page_views"], b["events"]) for b in r["website"]["web"]["series"]["buckets"] if b["bucket"].startswith("2026-03-02 09") or b["bucket"].startswith("2026-03-02 1")][:3]' < "$D/h.json")" \
  "[('2026-03-02 09:00', 1, 1, 1, 0), ('2026-03-02 10:00', 2, 2, 4, 2), ('2026-03-02 11:00', 2, 2, 3, 0)]"
check "month: the first of the month" \
  "$(wreport --scale month | j '[(b["bucket"], b["visits"], b["page_views"]) for b in r["website"]["web"]["series"]["buckets"]]')" \
  "[('2026-03-01', 8, 11)]"
check "the series adds up to the totals" \
  "$(j 'sum(b["visits"] for b in r["website"]["web"]["series"]["buckets"]), sum(b["page_views"] for b in r["website"]["web"]["series"]["buckets"])' < "$D/h.json")" "(8, 11)"
check "blog: its own hits only" "$("$CAMP" report --db "$DB" --website blog --format json | j '(r["website"]["web"]["visits"], r["website"]["web"]["page_views"], r["website"]["web"]["conversions"])')" \
  "(1, 1, 0)"
check "the table" "$("$CAMP" report --db "$DB" --website shop | sed -n 2p)" \
  "  visits 8 (bots apart: 1), unique visitors 4, page views 11, events 3, conversions 2, revenue 50.00"
"$CAMP" report --db "$DB" --website shop --scale week > /dev/null 2> "$D/err"
check "--scale: hour, day or month" "$?|$(cat "$D/err")" "2|camp report: --scale 'week': hour, day or month"
"$CAMP" report --db "$DB" --website nosuch > /dev/null 2> "$D/err"
check "an unknown website: exit 1" "$?|$(cat "$D/err")" "1|camp report: no website is named 'nosuch' or has it as its site_id"

# -- the initiative's web section ---------------------------------------------------------------------
# its hits (code SPRING): a1's first (visit 1), contact 1's three, contact 2's two
# the next day; the bot's two apart.  Budget 100: 100/3 per visit, 100/2 per
# conversion, return (50 - 100) / 100
ireport() { "$CAMP" report --db "$DB" --initiative "$1" --format json; }
WEB='tuple(r["initiative"]["web"][k] for k in ("visits", "bot_visits", "unique_visitors", "page_views", "events", "conversions", "revenue", "cost_per_visit", "cost_per_conversion", "return"))'
check "initiative: visits, visitors, page views, events, conversions, revenue, costs, return" \
  "$(ireport spring | j "$WEB")" "(3, 1, 3, 3, 3, 2, 50.0, 33.3333, 50.0, -0.5)"
site SPRING2
"$CAMP" deploy --db "$DB" "$W/site.camp" > /dev/null || bad "deploy SPRING2"
hits <<'EOF'
shop-1 172800 c2 2 purchase 150 SPRING2 desktop - - -
EOF
ireport SPRING > "$D/i.json"
check "a new code: the old code's hits still count, and the new one's" \
  "$(j "$WEB" < "$D/i.json")" "(4, 1, 3, 3, 4, 3, 200.0, 25.0, 33.3333, 1.0)"
check "initiative series by its scale (day): visits in the bucket of their first hit" \
  "$(j '[(b["bucket"], b["visits"], b["conversions"], b["revenue"]) for b in r["initiative"]["web"]["series"]["buckets"]]' < "$D/i.json")" \
  "[('2026-03-02', 2, 1, 30.0), ('2026-03-03', 1, 1, 20.0), ('2026-03-04', 1, 1, 150.0)]"
check "the initiative table has its web lines" \
  "$("$CAMP" report --db "$DB" --initiative spring | grep -c 'cost per visit: 25.00 EUR; cost per conversion: 33.3333 EUR; return 1.0000')" 1
"$CAMP" report --db "$DB" --website shop --format json > "$D/w2.json"
check "JSON against docs/report.schema.json (website, initiative)" \
  "$($PY -c 'import json, sys, jsonschema
s = json.load(open("docs/report.schema.json"))
for f in sys.argv[1:]: jsonschema.validate(json.load(open(f)), s)
print("valid")' "$D/w2.json" "$D/i.json" "$D/h.json" 2>&1 | tail -1)" valid

# -- HTML --------------------------------------------------------------------------------------------------
"$CAMP" report --db "$DB" --website shop --format html -o "$D/w.html" || bad "website html"
check "website html: every number is the JSON's" "$($PY tests/report/compare.py "$D/w.html" "$D/w2.json" 2>&1 > /dev/null | head -3)" ""
check "website html: its section, the chart (a line a count), the money" \
  "$(grep -c 'class="card website"' "$D/w.html")|$(grep -o '<polyline class="line w-' "$D/w.html" | wc -l)|$(grep -o 'data-money="web_revenue">[^<]*' "$D/w.html")" \
  '1|5|data-money="web_revenue">200.00'
check "website html: the totals and the events by name carry their JSON place" \
  "$(grep -o 'data-json="/website/web/[a-z_]*"' "$D/w.html" | wc -l)|$(grep -o 'data-json="/website/web/by_name/[0-9]*/count"' "$D/w.html" | wc -l)" "6|3"
"$CAMP" report --db "$DB" --initiative spring --format html -o "$D/i.html" || bad "initiative html"
check "initiative html: every number is the JSON's" "$($PY tests/report/compare.py "$D/i.html" "$D/i.json" 2>&1 > /dev/null | head -3)" ""
check "initiative html: the web section with its costs and return" \
  "$(grep -c 'Web: the hits with its codes' "$D/i.html")|$(grep -o 'data-money="web_[a-z_]*">[^<]*' "$D/i.html" | join_lines ' ')" \
  '1|data-money="web_revenue">200.00 EUR data-money="web_cost_per_visit">25.00 EUR data-money="web_cost_per_conversion">33.3333 EUR data-money="web_return">+100.0%'

# -- camp forget -----------------------------------------------------------------------------------------------
before2=$(vrows first_at --record 2 | join_lines ' ')
a1=$(visits | rows first_at visitor=a1 | wc -l)
check "forget: what it removed (contact 1, and c1's anonymous visit)" "$("$CAMP" forget --db "$DB" 1)" \
  "forgot contact 1: 2 visits, 4 hits, 1 visitor id"
check "... contact 1's and c1's anonymous visits are gone" \
  "$(visits | rows visitor visitor=c1 | join_lines ' ')|$(visits --record 1 | rows visitor | wc -l)" "c1|0"
check "... another contact's visits stay, c1's included" "$(vrows first_at --record 2 | join_lines ' ')" "$before2"
check "... other visitors' stay" "$(visits | rows first_at visitor=a1 | wc -l)" "$a1"
check "... and no hit of contact 1 or anonymous on c1 is left" \
  "$(store_sql "$DB" "SELECT count(*) FROM camp_hit WHERE record_id = 1 OR (visitor = 'c1' AND record_id IS NULL)")" 0
check "forget again: nothing to forget (exit 0)" "$("$CAMP" forget --db "$DB" --model contact 1; echo "exit $?")" \
  "nothing to forget: contact 1 has no hit, visit or visitor id
exit 0"
check "a contact without a visitor id" "$("$CAMP" forget --db "$DB" 3)" "forgot contact 3: 1 visit, 1 hit, 0 visitor ids"
check "an unknown record: nothing to forget" "$("$CAMP" forget --db "$DB" 99)" "nothing to forget: contact 99 has no hit, visit or visitor id"
"$CAMP" forget --db "$DB" abc > /dev/null 2>&1
check "a record that is not an id: a usage error" "$?" 2
check "the website report after forgetting" "$("$CAMP" report --db "$DB" --website shop --format json | j '(r["website"]["web"]["visits"], r["website"]["web"]["conversions"], r["website"]["web"]["revenue"])')" \
  "(6, 2, 170.0)"
finish

#!/bin/sh
# tests/suite_pgstore.sh -- every command works the same on both stores
# (issue 15): the same inputs on a simulated clock, given once to a SQLite
# file and once to a PostgreSQL 15 database (tests/pg.sh), step by step,
# and each step's output compared -- deploy and plan of every example, CSV
# imports, runs with the mail they write, events, a manual mailing, lists,
# suppressions, website visits, camp forget, a live-database test, and
# the reports: status, report (table, JSON, CSV, HTML, a mailing's
# members, an initiative's, a website's), timeline, graph, initiatives,
# websites, visits.  Identical means identical: the databases are given
# the same secret, so the Message-IDs (and the mail written) match too.
# First, every statement the store's files spell out is prepared on both
# (tests/pgstore/prepare.py), the ones no step runs as well.
#
# Does not own: the SQL layer's own checks (suite_db.sh), concurrency on
# PostgreSQL (suite_workers.sh) or moving a database (suite_move.sh).
. tests/lib.sh
. tests/pg.sh

pg_start s || abort "cannot go on without a cluster"
pg_fresh_db s flow || abort "cannot go on without a database"
PG=$(pg_url s flow)
PGSHOWN=postgresql://camp@127.0.0.1:$PG_PORT_s/flow
LITE=$D/lite/camp.db
SECRET=00000000000000000000000000000000000000000000000000000000c0ffee15
mkdir -p "$D/lite/mail" "$D/lite/sms" "$D/pg/mail" "$D/pg/sms"
EX=$PWD/examples      # camp runs from $D/lite and $D/pg

# on STORE CMD [ARGS...]: camp CMD --db (STORE's database) ARGS, run from
# STORE's directory (lite or pg: mail goes to its file:mail) with the
# environment ENV_STORE adds (VAR=VALUE...); its output (stdout and
# stderr) and exit status, the database's name shown as DB.  ID_STORE (an
# id a fake provider gave that store) stands for @ID@ in ARGS and is
# shown as @ID@.
ENV_lite= ENV_pg= ID_lite= ID_pg=
on() {
  _s=$1 _c=$2
  shift 2
  if [ "$_s" = lite ]; then _db=$LITE _env=$ENV_lite _id=$ID_lite; else _db=$PG _env=$ENV_pg _id=$ID_pg; fi
  for _a; do set -- "$@" "$(printf '%s' "$_a" | sed "s/@ID@/$_id/g")"; shift; done
  (cd "$D/$_s" && env $_env "$CAMP" "$_c" --db "$_db" "$@" 2>&1; echo "exit $?") |
    sed -e "s#$LITE#DB#g" -e "s#$PGSHOWN#DB#g" -e "s#${_id:-@ID@}#@ID@#g"
}
# same NAME CMD [ARGS...]: CMD's output is the same on both stores (one
# check); OUT holds it (SQLite's), for a check that something happened
same() {
  _n=$1
  shift
  on lite "$@" > "$D/out.lite"
  on pg "$@" > "$D/out.pg"
  OUT=$(cat "$D/out.lite")
  if cmp -s "$D/out.lite" "$D/out.pg"; then ok "$_n"
  else bad "$_n" "$(diff "$D/out.lite" "$D/out.pg" | head -n 20)"; fi
}
# events DAY: the synthetic engagement of the messages the SQLite store
# wrote since the last call (the PostgreSQL store's must be the same:
# checked apart), as camp event --file reads it, in $D/events-DAY.jsonl
: > "$D/seen.txt"
events() {
  ls "$D/lite/mail" | sed -n 's/\.eml$//p' | sort > "$D/all.txt"
  comm -13 "$D/seen.txt" "$D/all.txt" > "$D/new.txt"
  cp "$D/all.txt" "$D/seen.txt"
  awk -v day="$1" 'BEGIN { srand(1000 + day) }
  {
    if (rand() < 0.03) { printf "{\"event\":\"bounce\",\"message_id\":\"%s\"}\n", $0; next }
    if (rand() < 0.5) {
      if (rand() < 0.4) {
        if (rand() < 0.2) printf "{\"event\":\"reply\",\"message_id\":\"%s\"}\n", $0
        else printf "{\"event\":\"click\",\"message_id\":\"%s\",\"url\":\"https://example.com/day%d\"}\n", $0, day % 3
      } else printf "{\"event\":\"open\",\"message_id\":\"%s\"}\n", $0
      if (rand() < 0.02) printf "{\"event\":\"unsubscribe\",\"message_id\":\"%s\"}\n", $0
      if (rand() < 0.1) printf "{\"event\":\"open\",\"message_id\":\"%s\"}\n", $0
    }
  }' "$D/new.txt" > "$D/events-$1.jsonl"
}

# visits: a few contacts' website visits and goals on the day after the
# invitation (examples/website.camp), each after a run to its time
visits() {
  same "run to a page view" run --until 2026-01-06T12:10:00Z --mail file:mail --sms file:sms --base-url https://t.example.com
  same "a page view" event visit --site camp-shop --record 1 --url "https://shop.example.com/sale?utm_source=newsletter&utm_medium=email" \
    --at 2026-01-06T12:10:00Z
  expect_match "and it was recorded" "visit recorded: contact 1 on camp-shop*" "$OUT"
  same "another page" event visit --site camp-shop --record 1 --url https://shop.example.com/pricing --at 2026-01-06T12:12:00Z
  same "run to a goal" run --until 2026-01-06T18:05:00Z --mail file:mail --sms file:sms --base-url https://t.example.com
  same "a goal" event visit --site camp-shop --record 2 --event signup --value 0 --at 2026-01-06T18:05:00Z
  same "a campaign's page" event visit --site camp-shop --record 5 --url "https://shop.example.com/sale?utm_campaign=SUMMER26" \
    --at 2026-01-06T18:05:00Z
  same "a page at the same time" event visit --site camp-shop --record 4 --url https://shop.example.com/pricing/summer \
    --at 2026-01-06T18:05:00Z
  same "a purchase" event visit --site camp-shop --record 4 --event purchase --value 89.90 --at 2026-01-06T18:05:00Z
}

# -- every statement the store spells out, prepared on both (tests/pgstore/prepare.py):
# those no step below runs too
pg_fresh_db s prep
"$CAMP" init --db "$(pg_url s prep)" > /dev/null && "$CAMP" init --db "$D/prep.db" > /dev/null || abort "camp init failed"
out=$($PY tests/pgstore/prepare.py "$D/prep.db" "$PG_BIN/psql -X -q -A -t -h $PG_SOCKDIR_s -p $PG_PORT_s -U camp -d prep" \
  "${CC:-cc} -std=c11 -D_GNU_SOURCE -I. -I$BUILD $(pkg-config --cflags libpq)" $(ls runtime/store_*.c | grep -v -e store_db -e store_move) 2>&1)
expect_match "every statement of the store prepares on PostgreSQL and on SQLite" "[1-9][0-9][0-9] statements, 0 refused" "$out"

# -- a database on each store, with the same secret ---------------------------
same "init" init --clock 2026-01-05T09:00:00Z --timezone Europe/Paris --sender "Camp Shop <news@example.com>"
sqlite3 "$LITE" "UPDATE camp_meta SET value = '$SECRET' WHERE key = 'secret'"
pg_psql s "UPDATE camp_meta SET value = '$SECRET' WHERE key = 'secret'" flow
same "config: a cap" config cap.email "5 per 7 days"
same "config: the settings" config

# -- every example deployed and planned ------------------------------------------
same "plan of every example, before any deploy" plan "$EX"/*.camp
same "deploy of every example" deploy --start "$EX"/*.camp
expect_match "and they were deployed" "*Deployed: *added*" "$OUT"
same "deploy again: no changes" deploy "$EX"/*.camp
sed -e 's/after 2 hours/after 3 hours/' -e 's/within 1 week/within 2 weeks/' "$EX"/welcome_flow.camp > "$D/welcome_flow.camp"
cp -r "$EX"/models.camp "$EX"/welcome_flow "$D/"
same "plan of a changed campaign" plan "$D/welcome_flow.camp"
expect_match "and the plan shows the change" "*delay: 2 hours -> 3 hours*" "$OUT"

# -- records ---------------------------------------------------------------------------
awk 'BEGIN {
  srand(42)
  split("Ada Grace Alan Linus Barbara Ken Margaret Dennis Frances Edsger Radia John", first, " ")
  split("Lovelace Hopper Turing Torvalds Liskov Thompson Hamilton Ritchie Allen Dijkstra Perlman Backus", last, " ")
  split("FR DE BE NL ES IT US GB", country, " ")
  split("Europe/Paris Europe/Berlin Europe/Brussels Europe/Amsterdam Europe/Madrid Europe/Rome America/New_York Europe/London", zone, " ")
  print "name,email,phone,opt_out,is_user,company,country,salesperson,tags,score,created,tz"
  for (i = 1; i <= 150; i++) {
    f = first[int(rand() * 12) + 1]; l = last[int(rand() * 12) + 1]
    c = int(rand() * 8) + 1
    printf "%s %s,%s,+3361%07d,%s,%s,%s Corp,%s,Alice,\"%s\",%d,2025-12-%02dT10:00:00Z,%s\n",
      f, l, (rand() < 0.03) ? "" : tolower(f) "." tolower(l) i "@example.net", i, rand() < 0.05 ? "true" : "false",
      rand() < 0.02 ? "true" : "false", l, country[c], rand() < 0.3 ? "newsletter" : "", int(rand() * 100),
      int(rand() * 28) + 1, rand() < 0.1 ? "" : zone[c]
  }
}' > "$D/contacts.csv"
same "import the example contacts" import --model contact "$EX"/data/contacts.csv
expect_match "and they were imported" "imported 30 records*" "$OUT"
same "import synthetic contacts" import --model contact "$D/contacts.csv"
same "import leads" import --model lead "$EX"/data/leads.csv
same "import a CSV of addresses only" import --model contact "$EX"/data/oro_vip.csv
same "a CSV of an unknown field is refused" import --model lead "$EX"/data/contacts.csv
expect_match "and says why" "*: error: model 'lead' has no field 'opt_out'*exit 1" "$OUT"

# -- ten days: runs and engagement -------------------------------------------------------
day=1
while [ "$day" -le 10 ]; do
  same "day $day: run" run --until +1d --mail file:mail --sms file:sms --base-url https://t.example.com
  events "$day"
  same "day $day: events" event --file "$D/events-$day.jsonl"
  [ "$day" -eq 1 ] && visits
  day=$((day + 1))
done
check "the runs wrote the same mail on both stores" "$(diff -r "$D/lite/mail" "$D/pg/mail" 2>&1 | head -n 5)" ""
check "and the same SMS" "$(diff -r "$D/lite/sms" "$D/pg/sms" 2>&1 | head -n 5)" ""
n=$(ls "$D/lite/mail" | wc -l)
[ "$n" -gt 100 ] && ok "mail was sent ($n messages)" || bad "mail was sent" "$n messages"
mid=$(ls "$D/lite/mail" | sed -n '1s/\.eml$//p')
same "an event by its Message-ID" event click --message-id "$mid" --url https://example.com/by-hand
same "an event for no message" event open --message-id "<t999999.0000000000000000@camp>"

# -- lists, a manual mailing --------------------------------------------------------------
same "lists" lists
same "list add by key from a file" list add vip_customers --key email --file "$EX"/data/oro_vip.csv
same "list add by id" list add vip_customers 5 7
same "list add again: nothing changes" list add vip_customers 5
same "list refresh" list refresh spring_prospects
same "list remove" list remove spring_prospects --key email helene.moreau@example.fr
same "list unsubscribe" list unsubscribe newsletter_readers --key email camille.durand@example.fr
same "list subscribe" list subscribe newsletter_readers 3
same "list undo-remove" list undo-remove spring_prospects --key email helene.moreau@example.fr
for l in vip_customers spring_prospects newsletter_readers french_customers; do
  same "list show $l" list show "$l" --format json
  expect_match "$l has members" '*{"id":*' "$OUT"
  same "list log $l" list log "$l"
done
same "lists after the changes" lists
same "send a manual mailing" send spring_preview --mail file:mail --base-url https://t.example.com
expect_match "and it was sent" "mailing spring_preview: sent [1-9]*" "$OUT"
same "send it again: refused" send spring_preview --mail file:mail --base-url https://t.example.com
same "run to the newsletter's date" run --until 2026-03-21T00:00:00Z --mail file:mail --sms file:sms --base-url https://t.example.com
same "a mailing's members" report spring_news --members --format json
expect_match "with what was sent to them" '*"state":"processed","sent":1,*' "$OUT"
same "a campaign's members as CSV" report welcome_flow --members --format csv

# -- suppressions ----------------------------------------------------------------------------
same "suppress add" suppress add --reason complaint Ada.Lovelace@Example.com "+33 6 00 00 00 01"
same "suppress add again" suppress add ada.lovelace@example.com
same "suppress remove" suppress remove "+33600000001"
same "suppress list" suppress list --format json
same "suppress list of a channel" suppress list --channel sms

# -- website visits, forget ---------------------------------------------------------------------
same "visits" visits --format json
expect_match "visits were grouped" '*"site_id": "camp-shop"*' "$OUT"
same "visits of a record" visits --record 1
same "visits of an initiative" visits --initiative SUMMER26
same "websites" websites
same "report of a website by day" report --website shop --format json
expect_match "it counts the conversions" '*"conversions": 2,*' "$OUT"
same "report of a website by hour" report --website camp-shop --scale hour
same "report of a website by month" report --website shop --scale month --format json
same "report of an initiative" report --initiative SUMMER26 --format json
expect_match "it has the website's numbers" '*"visits": [1-9]*' "$OUT"
same "report of an initiative as text" report --initiative spring_sale
same "initiatives" initiatives --format json
same "forget a contact's visits" forget --model contact 1
same "visits after forget" visits --format json

# -- camp serve: a tracked click that lands on the shop, its contact token
# in a hit, an anonymous visitor's hits, an open, a one-click unsubscribe
mail=$(grep -l "^X-Camp-Campaign: SUMMER26" "$D/lite/mail"/*.eml | xargs grep -l "^To: .*<grace.hopper@example.com>" | head -n 1)
# the message's tracked paths: its opening pixel, its links (r/...) and its unsubscribe (u/...)
paths=$($PY -c 'import email, email.policy, re, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
html = m.get_body(("html",)).get_content()
seen = []
for p in re.findall(r"https://t\.example\.com/([oru]/[A-Za-z0-9_=-]+)", html) + [m["List-Unsubscribe"].strip("<>").split("/", 3)[3]]:
    if p not in seen: seen.append(p)
print(" ".join(seen))' "$mail")
expect_match "Grace's invitation has links, an opening pixel and an unsubscribe" "r/* o/* u/*" "$paths"
BROWSER="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"   # a person's, not a bot's
# serving STORE DB: the requests against camp serve on DB, what they answered in $D/serve.STORE
serving() {
  camp_serve "$2" || return 1
  for p in $paths; do
    case $p in
      u/*) curl -s -o /dev/null -w "$p %{http_code}\n" -X POST -d List-Unsubscribe=One-Click "$BASE/$p" ;;
      *) curl -s -o /dev/null -w "$p %{http_code} %{redirect_url}\n" "$BASE/$p" ;;
    esac
  done > "$D/serve.$1"
  token=$(sed -n 's/.*camp_ct=\([^#&]*\).*/\1/p' "$D/serve.$1" | head -n 1)
  hit="$BASE/matomo.php?idsite=camp-shop&rec=1"
  for q in "uid=$token&url=https://shop.example.com/sale" "uid=$token&url=https://shop.example.com/pricing" \
           "_id=0123456789abcdef&url=https://shop.example.com/&urlref=https://search.example/" \
           "_id=0123456789abcdef&url=https://shop.example.com/sale&e_c=shop&e_a=signup&e_n=signup&e_v=0"; do
    curl -s -o /dev/null -A "$BROWSER" -w "hit %{http_code}\n" "$hit&$q" >> "$D/serve.$1"
  done
  stop_pid "$SERVER"
}
serving lite "$LITE"
serving pg "$PG"
# a contact token holds the (real) time it was issued: told apart
for s in lite pg; do sed 's/camp_ct=[A-Za-z0-9_-]*/camp_ct=TOKEN/' "$D/serve.$s" > "$D/served.$s"; done
check "camp serve answered the same on both stores" "$(diff "$D/served.lite" "$D/served.pg")" ""
expect_match "a link landed on the shop with a contact token" "*r/* 302 https://shop.example.com/*camp_ct=*" "$(cat "$D/serve.lite")"
same "the visits camp serve recorded" visits --format json --since 2026-03-21T00:00:00Z
expect_match "the contact's and the anonymous visitor's" '*"visitor": "0123456789abcdef"*"record": 2,*' "$OUT"
same "the suppressions after the unsubscribe" suppress list --format json
expect_match "Grace unsubscribed" '*"address": "grace.hopper@example.com", "at": "2026-03-21T00:00:00Z", "reason": "unsubscribe"*' "$OUT"
same "Grace's traces" timeline summer_invitation --format json

# -- a live-database test ----------------------------------------------------------------------------
same "camp test on a live record" test welcome_flow --record 9 --until +3d --mail file:mail
expect_match "it ran" "*welcome*" "$OUT"

# -- syncs: camp sync against the fakes of tests/esp/, one fake per store ---------------------
export CAMP_ESP_BACKOFF=0.01
# fake NAME STORE ARGS...: tests/esp/NAME_fake.py for STORE on a free port; sets FAKE_STORE (its base URL)
fake() {
  _n=$1 _st=$2
  shift 2
  $PY "tests/esp/${_n}_fake.py" --port-file "$D/$_n.$_st.port" "$@" > "$D/$_n.$_st.log" 2>&1 &
  started $!
  wait_for test -s "$D/$_n.$_st.port" || { bad "the $_n fake did not start" "$(tail -n 5 "$D/$_n.$_st.log")"; return 1; }
  eval "FAKE_$_st=http://127.0.0.1:$(cat "$D/$_n.$_st.port")"
}
# ctl PATH JSON: set up the fake at $FAKE (its /_fake/ control paths)
ctl() { curl -sS -X POST -H 'Content-Type: application/json' -d "$2" "$FAKE$1" > /dev/null; }
# api METHOD PATH [JSON]: the fake's answer, as a client with $AUTH
api() { curl -sS -u "$AUTH" -X "$1" -H 'Content-Type: application/json' ${3:+-d "$3"} "$FAKE$2"; }
# sent URL: a Dotdigital send's status is Sent
sent() { [ "$(curl -sS -u "$AUTH" "$1" | json 'd["status"]')" = Sent ]; }
# imported NAME SYNC OPENS CLICKS: SYNC's import on both stores, twice, and its campaign's
# members (the mailing camp made of it: SYNC_@ID@), Ann with OPENS and CLICKS
imported() {
  same "$1: the import" sync "$2" --import-only
  same "$1: the import again" sync "$2" --import-only
  same "$1: its campaign's members" report "$2_@ID@" --members --format json
  expect_match "$1: Ann's opens and clicks" "*\"address\":\"ann@example.com\",*\"opens\":$3,\"clicks\":$4,*" "$OUT"
}
json() { $PY -c 'import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
cat > "$D/news.camp" << 'C'
model person { first_name text  email email }
list vip "VIP" { target person }
list newsletter "Newsletter" { target person  where email is set }
sync news_dd "Newsletter in Dotdigital" { list newsletter  dotdigital address_book "Newsletter" }
sync news_mc "Newsletter in Mailchimp" { list newsletter  mailchimp audience "aud1"  field FNAME = first_name }
sync vip_mc "VIP in Mailchimp" { list vip  mailchimp audience "aud1"  segment "vip" }
C
printf 'email,first_name\nann@example.com,Ann\nEve@Example.com,Eve\neve@example.com,Eve2\nbob@example.com,Bob\ncarl@example.com,Carl\n' > "$D/people.csv"
pg_fresh_db s syncs
LITE=$D/lite/syncs.db PG=$(pg_url s syncs) PGSHOWN=postgresql://camp@127.0.0.1:$PG_PORT_s/syncs
same "syncs: init" init --clock 2026-03-20T00:00:00Z
sqlite3 "$LITE" "UPDATE camp_meta SET value = '$SECRET' WHERE key = 'secret'"
pg_psql s "UPDATE camp_meta SET value = '$SECRET' WHERE key = 'secret'" syncs
same "syncs: deploy" deploy "$D/news.camp"
same "syncs: import" import --model person "$D/people.csv"
same "syncs: a list" list add vip 2 3

fake dotdigital lite --user apiuser --password secret && fake dotdigital pg --user apiuser --password secret
AUTH=apiuser:secret
ENV_lite="CAMP_DOTDIGITAL_USER=apiuser CAMP_DOTDIGITAL_PASSWORD=secret CAMP_DOTDIGITAL_URL=$FAKE_lite"
ENV_pg="CAMP_DOTDIGITAL_USER=apiuser CAMP_DOTDIGITAL_PASSWORD=secret CAMP_DOTDIGITAL_URL=$FAKE_pg"
for st in lite pg; do FAKE=$(eval echo "\$FAKE_$st"); ctl /_fake/clock '{"now": "2026-03-20T08:00:00+00:00"}'; done
same "Dotdigital: the export" sync news_dd --export-only
# on Dotdigital's side, the same on both fakes: an unsubscribe, a hard bounce, a campaign sent to the book and its activity
for st in lite pg; do
  FAKE=$(eval echo "\$FAKE_$st")
  book=$(api GET /v2/address-books | json '[b["id"] for b in d if b["name"] == "Newsletter"][0]')
  ctl /_fake/clock '{"now": "2026-03-20T09:00:00+00:00"}'
  ctl /_fake/contacts/eve@example.com/status '{"status": "Unsubscribed"}'
  ctl /_fake/contacts/bob@example.com/status '{"status": "HardBounced"}'
  cid=$(api POST /v2/campaigns '{"name": "Spring on DD", "subject": "Spring!", "fromName": "Shop", "htmlContent": "<p>Hi</p>", "plainTextContent": "Hi"}' |
    json 'd["id"]')
  send=$(api POST /v2/campaigns/send "{\"campaignId\": $cid, \"addressBookIds\": [$book]}" | json 'd["id"]')
  wait_for sent "$FAKE/v2/campaigns/send/$send" || bad "the Dotdigital campaign was not sent"
  ctl /_fake/clock '{"now": "2026-03-20T10:00:00+00:00"}'
  ctl "/_fake/campaigns/$cid/activity" '{"email": "ann@example.com", "opens": 3, "clicks": 2}'
  eval "ID_$st=$cid"
done
imported Dotdigital news_dd 3 2

fake mailchimp lite --key mckey-us1 && fake mailchimp pg --key mckey-us1
AUTH=camp:mckey-us1
ENV_lite="CAMP_MAILCHIMP_KEY=mckey-us1 CAMP_MAILCHIMP_URL=$FAKE_lite/3.0" ENV_pg="CAMP_MAILCHIMP_KEY=mckey-us1 CAMP_MAILCHIMP_URL=$FAKE_pg/3.0"
for st in lite pg; do
  FAKE=$(eval echo "\$FAKE_$st")
  ctl /_fake/clock '{"now": "2026-03-20T08:00:00+00:00"}'
  ctl /_fake/audiences '{"id": "aud1", "name": "Shop"}'
done
same "Mailchimp: the export" sync news_mc vip_mc --export-only
# on Mailchimp's side: an unsubscribe, a campaign a marketer sends to the segment, its activity
for st in lite pg; do
  FAKE=$(eval echo "\$FAKE_$st")
  sid=$(api GET "/3.0/lists/aud1/segments?count=1000" | json '[s["id"] for s in d["segments"] if s["name"] == "Newsletter"][0]')
  ctl /_fake/clock '{"now": "2026-03-20T09:00:00+00:00"}'
  ctl /_fake/members '{"list_id": "aud1", "email": "carl@example.com", "status": "unsubscribed"}'
  cid=$(api POST /3.0/campaigns "{\"type\": \"regular\", \"recipients\": {\"list_id\": \"aud1\", \"segment_opts\": {\"saved_segment_id\": $sid}},
    \"settings\": {\"subject_line\": \"Spring!\", \"title\": \"Spring on MC\", \"from_name\": \"Shop\", \"reply_to\": \"shop@example.com\"}}" | json 'd["id"]')
  api PUT "/3.0/campaigns/$cid/content" '{"html": "<p>Hi</p>", "plain_text": "Hi"}' > /dev/null
  api POST "/3.0/campaigns/$cid/actions/send" > /dev/null
  ctl /_fake/clock '{"now": "2026-03-20T10:00:00+00:00"}'
  ctl "/_fake/campaigns/$cid/activity" '{"email": "ann@example.com", "action": "open"}'
  ctl /_fake/clock '{"now": "2026-03-20T10:05:00+00:00"}'
  ctl "/_fake/campaigns/$cid/activity" '{"email": "ann@example.com", "action": "open"}'
  ctl "/_fake/campaigns/$cid/activity" '{"email": "ann@example.com", "action": "click", "url": "https://shop.example/sale"}'
  eval "ID_$st=$cid"
done
imported Mailchimp news_mc 2 1
same "syncs: the list" sync --list
same "syncs: the lists' members" list show newsletter --format json
same "syncs: the suppressions" suppress list --format json
same "syncs: the traces" timeline --format json
same "syncs: the report" report --format json
ENV_lite= ENV_pg= ID_lite= ID_pg=
LITE=$D/lite/camp.db PG=$(pg_url s flow) PGSHOWN=postgresql://camp@127.0.0.1:$PG_PORT_s/flow

# -- the reports ----------------------------------------------------------------------------------------
same "status" status --format json
same "status as text" status
same "report" report --format json
expect_match "the report counts what was sent" '*"sent": [1-9]*' "$OUT"
same "report as text" report
same "report as CSV" report --format csv
same "report as HTML" report --format html
same "report of one campaign" report welcome_flow --format json
same "timeline" timeline --format json
expect_match "the timeline has the messages and their events" '*"message_id":"t*"received":[{"event":"*' "$OUT"
same "timeline as text" timeline
same "timeline of one campaign" timeline welcome_flow
same "graph with live numbers" graph welcome_flow
expect_match "with numbers" "digraph*sent*" "$OUT"
same "syncs" sync --list
check "the mail of the whole flow is the same on both stores" "$(diff -r "$D/lite/mail" "$D/pg/mail" 2>&1 | head -n 5)" ""
finish

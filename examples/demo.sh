#!/bin/sh
# examples/demo.sh -- `make demo`: a month of the example campaigns in seconds.
#
# Creates demo.db on a simulated clock, generates contacts and leads (fixed
# seed), deploys every example campaign, then simulates 30 days one day at
# a time: camp run sends what is due (mail to demo-out/ as .eml files), and
# the ENGAGEMENT GENERATOR below -- a stand-in for real people, clearly not
# real data -- opens, clicks, replies to and bounces some of the messages
# sent that day, as events through `camp event --file`, the path real
# tracking hits and bounces take.  Finally it prints the report, and writes
# it as a self-contained HTML page (demo-out/report.html).
set -eu
CAMP=${1:-build/camp}
DB=demo.db
OUT=demo-out
N=${DEMO_CONTACTS:-3000}
rm -rf "$DB" "$DB-wal" "$DB-shm" "$OUT"
mkdir -p "$OUT/mail" "$OUT/sms"

"$CAMP" init --db "$DB" --clock 2026-01-05T09:00:00Z --timezone Europe/Paris
# timing rules for the whole database: no customer gets more than five
# emails a week from all campaigns together (the Morning Digest adds its own)
"$CAMP" config --db "$DB" cap.email "5 per 7 days" > /dev/null
"$CAMP" deploy --db "$DB" --start examples/models.camp examples/tag_hot_contacts.camp examples/welcome_flow.camp \
  examples/double_opt_in.camp examples/commercial_prospection.camp examples/schedule_calls.camp \
  examples/prioritize_hot_leads.camp examples/morning_digest.camp > "$OUT/deploy.log"

# -- synthetic records (fixed seed) --------------------------------------------
awk -v n="$N" 'BEGIN {
  srand(42)
  split("Ada Grace Alan Linus Barbara Ken Margaret Dennis Frances Edsger Radia John", first, " ")
  split("Lovelace Hopper Turing Torvalds Liskov Thompson Hamilton Ritchie Allen Dijkstra Perlman Backus", last, " ")
  split("FR DE BE NL ES IT US GB", country, " ")
  split("Alice Bruno Chloe", sales, " ")
  split("Europe/Paris Europe/Berlin Europe/Brussels Europe/Amsterdam Europe/Madrid Europe/Rome America/New_York Europe/London", zone, " ")
  print "name,email,phone,opt_out,is_user,company,country,salesperson,tags,score,created,tz"
  for (i = 1; i <= n; i++) {
    f = first[int(rand() * 12) + 1]; l = last[int(rand() * 12) + 1]
    tags = rand() < 0.3 ? "newsletter" : ""
    optout = rand() < 0.05 ? "true" : "false"
    email = (rand() < 0.03) ? "" : tolower(f) "." tolower(l) i "@example.net"
    c = int(rand() * 8) + 1
    printf "%s %s,%s,+3361%07d,%s,%s,%s Corp,%s,%s,\"%s\",%d,2025-12-%02dT10:00:00Z,%s\n",
      f, l, email, i, optout, (rand() < 0.02 ? "true" : "false"), l, country[c],
      sales[int(rand() * 3) + 1], tags, int(rand() * 100), int(rand() * 28) + 1, (rand() < 0.1 ? "" : zone[c])
  }
}' > "$OUT/contacts.csv"
awk -v n="$((N / 6))" 'BEGIN {
  srand(7)
  print "name,email,contact_name,salesperson,priority,stage,expected_revenue,created"
  for (i = 1; i <= n; i++)
    printf "Deal %d,buyer%d@example.org,%s,%s,normal,%s,%d.0,2026-01-0%dT08:00:00Z\n", i, i,
      (rand() < 0.5 ? "Contact " i : ""), (rand() < 0.8 ? "Alice" : ""), (rand() < 0.7 ? "new" : "won"),
      int(rand() * 50000), int(rand() * 4) + 1
}' > "$OUT/leads.csv"
# a third of the contacts exist on day 1; the rest sign up over the month
head -n "$((N / 3 + 1))" "$OUT/contacts.csv" > "$OUT/contacts-0.csv"
tail -n "+$((N / 3 + 2))" "$OUT/contacts.csv" | awk -v dir="$OUT" -v per="$(( (N - N / 3) / 29 + 1 ))" \
  -v head="$(head -n 1 "$OUT/contacts.csv")" '{ f = sprintf("%s/contacts-%d.csv", dir, int((NR - 1) / per) + 1);
  if (!(f in seen)) { print head > f; seen[f] = 1 } print > f }'
"$CAMP" import --db "$DB" --model contact "$OUT/contacts-0.csv" > /dev/null
"$CAMP" import --db "$DB" --model lead "$OUT/leads.csv" > /dev/null

# -- 30 simulated days ------------------------------------------------------------
seen="$OUT/seen.txt"; : > "$seen"
day=1
while [ "$day" -le 30 ]; do
  [ -f "$OUT/contacts-$day.csv" ] && "$CAMP" import --db "$DB" --model contact "$OUT/contacts-$day.csv" > /dev/null
  "$CAMP" run --db "$DB" --until +1d --mail "file:$OUT/mail" --sms "file:$OUT/sms" --base-url https://t.example.com > "$OUT/run-$day.log"
  # ENGAGEMENT GENERATOR (synthetic): for each message sent today, a
  # deterministic draw decides: 2% bounce, else 45% open, of which 35% click,
  # of which 20% reply; 1% of openers unsubscribe.
  ls "$OUT/mail" | sed -n 's/\.eml$//p' | sort > "$OUT/all.txt"
  comm -13 "$seen" "$OUT/all.txt" > "$OUT/new.txt"
  cp "$OUT/all.txt" "$seen"
  awk -v day="$day" 'BEGIN { srand(1000 + day) }
  {
    r = rand()
    if (r < 0.02) { printf "{\"event\":\"bounce\",\"message_id\":\"%s\"}\n", $0; next }
    if (rand() < 0.45) {
      if (rand() < 0.35) {
        if (rand() < 0.20) printf "{\"event\":\"reply\",\"message_id\":\"%s\"}\n", $0
        else printf "{\"event\":\"click\",\"message_id\":\"%s\"}\n", $0
      } else printf "{\"event\":\"open\",\"message_id\":\"%s\"}\n", $0
      if (rand() < 0.01) printf "{\"event\":\"unsubscribe\",\"message_id\":\"%s\"}\n", $0
    }
  }' "$OUT/new.txt" > "$OUT/events-$day.jsonl"
  "$CAMP" event --db "$DB" --file "$OUT/events-$day.jsonl" > "$OUT/event-$day.log"
  day=$((day + 1))
done

echo "== 30 simulated days: $(ls "$OUT/mail" | wc -l) emails written to $OUT/mail, synthetic engagement from the generator =="
"$CAMP" report --db "$DB"
"$CAMP" report --db "$DB" --format html -o "$OUT/report.html"
echo "== the same report as a page to open or forward: $OUT/report.html ($(wc -c < "$OUT/report.html") bytes) =="

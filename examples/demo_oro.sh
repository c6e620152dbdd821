#!/bin/sh
# examples/demo_oro.sh -- `make demo-oro`: Oro's marketing toolset on a
# simulated March (examples/oro_lists.camp, examples/oro_spring.camp).
#
# Creates oro.db on a simulated clock with a default sender, deploys the
# three lists, the initiative SPRING26 and its two mailings and campaign,
# imports the thirty sample contacts (examples/data/contacts.csv), fills the
# manual VIP list from examples/data/oro_vip.csv and takes the first
# snapshot of the on-demand list.  Then March, a day at a time: camp run
# sends what is due (mail to oro-out/mail/ as .eml files), and the
# ENGAGEMENT GENERATOR below -- a stand-in for real people, clearly not real
# data -- opens and clicks some of each day's messages through `camp event
# --file`.  On 4 March a prospect is removed from her list, on 9 March the
# VIP preview is sent by hand (`camp send`), on 16 March a reader
# unsubscribes from the newsletter list, and on 20 March `camp run` sends
# the deferred newsletter.  Last, the lists, the
# mailings' per-member statistics and the initiative's combined report.
set -eu
CAMP=${1:-build/camp}
DB=oro.db
OUT=oro-out
rm -rf "$DB" "$DB-wal" "$DB-shm" "$OUT"
mkdir -p "$OUT/mail"
has() { "$CAMP" help | grep -q "^  $1 "; }                  # COMMAND: this camp has it
say() { printf '\n== %s\n' "$*"; }

"$CAMP" init --db "$DB" --clock 2026-03-02T08:00:00Z --sender "Camp Shop <news@example.com>"
"$CAMP" deploy --db "$DB" --start examples/models.camp examples/oro_lists.camp examples/oro_spring.camp > "$OUT/deploy.log"
"$CAMP" import --db "$DB" --model contact examples/data/contacts.csv > /dev/null
if has initiatives; then
  say "the initiative, as deployed"
  "$CAMP" initiatives --db "$DB"
fi
if has list; then
  say "the manual list, filled by hand; the on-demand list's first snapshot"
  "$CAMP" list add --db "$DB" vip_customers --key email --file examples/data/oro_vip.csv
  "$CAMP" list refresh --db "$DB" spring_prospects
  "$CAMP" lists --db "$DB"
fi

# -- March, one simulated day at a time ------------------------------------------
seen="$OUT/seen.txt"; : > "$seen"
day=2
while [ "$day" -le 31 ]; do
  if [ "$day" -eq 9 ]; then
    say "9 March: the manual mailing, sent once by hand"
    "$CAMP" send --db "$DB" spring_preview --mail "file:$OUT/mail" --base-url https://t.example.com
    "$CAMP" send --db "$DB" spring_preview --mail "file:$OUT/mail" --base-url https://t.example.com || true
  fi
  if [ "$day" -eq 4 ] && has list; then
    say "4 March: a prospect is taken off the list (her pending reminder is canceled)"
    "$CAMP" list remove --db "$DB" spring_prospects --key email helene.moreau@example.fr
  fi
  if [ "$day" -eq 16 ] && has list; then
    say "16 March: a reader unsubscribes from the newsletter list only (other lists still reach her)"
    "$CAMP" list unsubscribe --db "$DB" newsletter_readers --key email camille.durand@example.fr
  fi
  "$CAMP" run --db "$DB" --until +1d --mail "file:$OUT/mail" --base-url https://t.example.com > "$OUT/run-$day.log"
  # ENGAGEMENT GENERATOR (synthetic): for each message sent today, a
  # deterministic draw: 60% open, and half of the openers click.
  ls "$OUT/mail" | sed -n 's/\.eml$//p' | sort > "$OUT/all.txt"
  comm -13 "$seen" "$OUT/all.txt" > "$OUT/new.txt"
  cp "$OUT/all.txt" "$seen"
  awk -v day="$day" 'BEGIN { srand(300 + day) }
  {
    if (rand() < 0.6) {
      printf "{\"event\":\"open\",\"message_id\":\"%s\"}\n", $0
      if (rand() < 0.5) printf "{\"event\":\"click\",\"message_id\":\"%s\"}\n", $0
    }
  }' "$OUT/new.txt" > "$OUT/events-$day.jsonl"
  "$CAMP" event --db "$DB" --file "$OUT/events-$day.jsonl" > "$OUT/event-$day.log"
  day=$((day + 1))
done

say "March done: $(ls "$OUT/mail" | wc -l) emails written to $OUT/mail, synthetic opens and clicks from the generator"
"$CAMP" status --db "$DB"
if has list; then
  say "the VIP list: the four added by hand, and the prospects whose click promoted them"
  "$CAMP" list show --db "$DB" vip_customers
  say "the newsletter list: Camille unsubscribed (still listed, not sent to), the others contacted once"
  "$CAMP" list show --db "$DB" newsletter_readers
  say "the prospects, removed ones too"
  "$CAMP" list show --db "$DB" spring_prospects --removed
  say "every list, and the VIP list's log"
  "$CAMP" lists --db "$DB"
  "$CAMP" list log --db "$DB" vip_customers
fi
say "the manual mailing, member by member"
"$CAMP" report --db "$DB" spring_preview --members
if "$CAMP" report --help | grep -q -e '--initiative'; then
  say "the initiative SPRING26: both mailings and the campaign, combined"
  "$CAMP" report --db "$DB" --initiative SPRING26
  "$CAMP" report --db "$DB" --initiative SPRING26 --format html -o "$OUT/spring.html"
  echo "== the same report as a page: $OUT/spring.html ($(wc -c < "$OUT/spring.html") bytes) =="
else
  say "the report (this camp has no report --initiative yet)"
  "$CAMP" report --db "$DB"
fi

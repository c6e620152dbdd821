#!/bin/sh
# examples/demo_web.sh -- `make demo-web`: a website's visits driving a
# campaign, on a simulated week of June (examples/website.camp).
#
# Creates web.db on a simulated clock, deploys the summer sale initiative,
# the shop website (site_id camp-shop) and the invitation campaign, imports
# the thirty sample contacts (examples/data/contacts.csv) and prints the
# snippet the shop would paste into its pages.  camp run sends the
# invitation (mail to web-out/mail/ as .eml files); then the VISIT
# GENERATOR below -- a stand-in for real people browsing the shop, clearly
# not real data -- records page views and events with `camp event visit`,
# each at its time on the simulated clock, the hit the collector records
# when a contact's browser sends one:
#   - Ada looks at /sale, then /pricing: the discount email goes 2 hours later;
#   - Grace signs up (event "signup", worth nothing in itself): she is
#     tagged a member, and the signup is a conversion;
#   - Camille looks at /pricing/summer and buys (event "purchase", 89.90):
#     a discount, and a conversion with its revenue;
#   - Lucas only looks at /sale: no discount, and no reminder;
#   - Sofia comes on the fifth day: too late for the 2-day window;
#   - nobody else visits: their reminder goes out after 2 days.
# Last, the visits (`camp visits`), the campaign's report and the
# initiative's, where the visits and the conversions sit beside the sends.
set -eu
CAMP=${1:-build/camp}
DB=web.db
OUT=web-out
rm -rf "$DB" "$DB-wal" "$DB-shm" "$OUT"
mkdir -p "$OUT/mail"
say() { printf '\n== %s\n' "$*"; }
if ! "$CAMP" event --help 2>&1 | grep -q -e '--site'; then
  echo "demo-web: this camp has no 'camp event visit' (website visits on the simulated clock)" >&2
  exit 1
fi

"$CAMP" init --db "$DB" --clock 2026-06-01T08:00:00Z --sender "Camp Shop <news@example.com>" > /dev/null
"$CAMP" deploy --db "$DB" --start examples/website.camp > "$OUT/deploy.log"
"$CAMP" import --db "$DB" --model contact examples/data/contacts.csv > /dev/null
if "$CAMP" help | grep -q '^  website '; then
  say "the snippet to paste into the shop's pages"
  "$CAMP" website --db "$DB" snippet shop --server https://t.example.com
fi

run() {                      # run UNTIL: camp run sends what is due up to UNTIL
  "$CAMP" run --db "$DB" --until "$1" --mail "file:$OUT/mail" --base-url https://t.example.com >> "$OUT/run.log"
}
# VISIT GENERATOR (synthetic): a page view or an event of record ID at WHEN,
# the clock run up to it first.  Records follow the CSV's rows (Ada is 1).
page() {                     # page ID WHEN PATH
  run "$2"
  "$CAMP" event --db "$DB" visit --site camp-shop --record "$1" --url "https://shop.example.com$3" --at "$2"
}
event() {                    # event ID WHEN NAME VALUE
  run "$2"
  "$CAMP" event --db "$DB" visit --site camp-shop --record "$1" --event "$3" --value "$4" --at "$2"
}

say "1 June, 09:00: the invitation goes to the newsletter readers"
run 2026-06-01T10:00:00Z
echo "$(ls "$OUT/mail" | wc -l | tr -d ' ') invitations in $OUT/mail"

say "the visits (synthetic), each recorded as the collector would"
page 1 2026-06-01T12:10:00Z "/sale?utm_source=newsletter&utm_medium=email"
page 1 2026-06-01T12:12:00Z /pricing
page 2 2026-06-01T18:00:00Z /sale
event 2 2026-06-01T18:05:00Z signup 0
page 4 2026-06-02T09:30:00Z /pricing/summer
event 4 2026-06-02T09:41:00Z purchase 89.90
page 5 2026-06-02T20:00:00Z "/sale?utm_campaign=SUMMER26&utm_source=newsletter"
page 8 2026-06-05T10:00:00Z /pricing

say "the week runs out"
run 2026-06-09T00:00:00Z
echo "$(ls "$OUT/mail" | wc -l | tr -d ' ') emails in $OUT/mail: invitations, discounts and reminders"

say "the visits"
"$CAMP" visits --db "$DB"
say "the campaign: the discount went to the two who looked at the prices, the reminder to those who never came"
"$CAMP" report --db "$DB" summer_invitation
say "the initiative SUMMER26: sends, visits and conversions beside the budget"
"$CAMP" report --db "$DB" --initiative SUMMER26
"$CAMP" report --db "$DB" --initiative SUMMER26 --format html -o "$OUT/summer.html"
echo "== the same report as a page: $OUT/summer.html ($(wc -c < "$OUT/summer.html") bytes) =="

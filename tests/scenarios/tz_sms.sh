. tests/scenarios/tz.inc
say "SMS have a default window, 09:00-20:00 every day in the recipient's zone: at 22:00 in Paris an SMS waits until 09:00; in New York (17:00) it goes"
tz_setup tests/scenarios/tz_sms.camp 'name,email,phone,tz
Ada,,+33600000001,Europe/Paris
Bob,,+12125550002,America/New_York' 2026-03-20T21:00:00Z
run 2026-03-20T21:30:00Z
show
run 2026-03-21T12:00:00Z
show
say "camp config window.sms off lifts it"
"$CAMP" config --db "$DB" window.sms off
run 2026-03-21T22:00:00Z
update_person() { printf '%s\n' "$1" > "$D/update.csv"; "$CAMP" import --db "$DB" --model person "$D/update.csv" > /dev/null; }
update_person 'name,email,phone,tz
Cy,,+33600000003,Europe/Paris'
run 2026-03-21T22:30:00Z
show

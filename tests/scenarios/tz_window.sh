. tests/scenarios/tz.inc
say "due Friday 20 Mar 20:30 in Paris, outside 08:00-20:00 Mon-Fri: held until Monday 08:00; the Saturday window holds its own until Saturday 10:00"
tz_setup tests/scenarios/tz_window.camp 'name,email,phone,tz
Ada,ada@x.test,,' 2026-03-20T18:30:00Z
run 2026-03-21T12:00:00Z
show
say "Monday: hello goes out at 08:00; short_lived (expire 2 days from Friday 20:30) is canceled as expired"
run 2026-03-24T00:00:00Z
show
tz_show "*=Europe/Paris"
say "a database window applies to a campaign without one"
store_db dbwin
tz_setup tests/scenarios/tz_dst.camp 'name,email,phone,tz
Ada,ada@x.test,,Europe/Paris' 2026-03-20T18:30:00Z
"$CAMP" config --db "$DB" window.email "10:00-11:00 sat-sun"
run 2026-03-22T00:00:00Z
show

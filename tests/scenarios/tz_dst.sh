. tests/scenarios/tz.inc
PEOPLE='name,email,phone,tz
Ada,ada@x.test,,Europe/Paris
Bob,bob@x.test,,America/New_York'
say "spring 2026: New York moves on 8 Mar, Paris on 29 Mar; every message stays at 09:00 local"
tz_setup tests/scenarios/tz_dst.camp "$PEOPLE" 2026-03-06T20:00:00Z
run 2026-04-01T00:00:00Z
tz_show "1=Europe/Paris 2=America/New_York"
show
say "autumn 2026: Paris moves back on 25 Oct, New York on 1 Nov"
store_db autumn
tz_setup tests/scenarios/tz_dst.camp "$PEOPLE" 2026-10-23T20:00:00Z
run 2026-11-20T00:00:00Z
tz_show "1=Europe/Paris 2=America/New_York"
show

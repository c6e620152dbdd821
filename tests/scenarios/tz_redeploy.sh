. tests/scenarios/tz.inc
say "enrolled 30 Jan 09:00 in Paris; a redeploy to after 1 month at 08:00 moves the pending trace to 28 Feb 08:00 (from when it was enrolled); a new activity after 2 days at 09:00 reaches the participant"
tz_setup tests/scenarios/tz_redeploy_v1.camp 'name,email,phone,tz
Ada,ada@x.test,,' 2026-01-30T08:00:00Z
run 2026-01-30T10:00:00Z
tz_show "*=Europe/Paris"
redeploy tests/scenarios/tz_redeploy_v2.camp
tz_show "*=Europe/Paris"
run 2026-03-01T00:00:00Z
tz_show "*=Europe/Paris"

. tests/scenarios/tz.inc
say "enrolled Friday 27 Mar 15:00 in Paris: after 2 days at 09:00 is Sunday 09:00 (+02:00, after the DST change), earlier in the day than 15:00"
tz_setup tests/scenarios/tz_days_at.camp 'name,email,phone,tz
Ada,ada@x.test,,' 2026-03-27T14:00:00Z Europe/Paris
run 2026-04-01T00:00:00Z
tz_show "*=Europe/Paris"

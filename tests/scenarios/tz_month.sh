. tests/scenarios/tz.inc
say "after 1 month from 31 Jan 09:00 in Paris: 28 Feb 09:00, then 28 Mar 09:00 (+01:00, the day before DST)"
tz_setup tests/scenarios/tz_month.camp 'name,email,phone,tz
Ada,ada@x.test,,' 2026-01-31T08:00:00Z
run 2026-04-01T00:00:00Z
tz_show "*=Europe/Paris"
say "in a leap year: 31 Jan 2028 + 1 month = 29 Feb 2028"
store_db leap
tz_setup tests/scenarios/tz_month.camp 'name,email,phone,tz
Ada,ada@x.test,,' 2028-01-31T08:00:00Z
run 2028-03-01T00:00:00Z
tz_show "*=Europe/Paris"

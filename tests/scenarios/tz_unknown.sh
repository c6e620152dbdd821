. tests/scenarios/tz.inc
say "Mars/Base is no zone: the campaign's (Paris) is used and the trace says so; an empty zone falls back silently; with no campaign zone, the database's (New York)"
tz_setup tests/scenarios/tz_unknown.camp 'name,email,phone,tz
Ada,ada@x.test,,Mars/Base
Bob,bob@x.test,,
Asha,asha@x.test,,Asia/Kolkata' 2026-03-10T12:00:00Z America/New_York
run 2026-03-12T00:00:00Z
show

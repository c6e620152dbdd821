. tests/scenarios/tz.inc
say "a mailing at 2026-03-20 09:00 local: enrolled 14 hours before 09:00 UTC, each recipient at 09:00 in their zone (no zone: the database's, Paris)"
tz_setup tests/scenarios/tz_mailing.camp 'name,email,phone,tz
Kiri,kiri@x.test,,Pacific/Auckland
Asha,asha@x.test,,Asia/Kolkata
Ada,ada@x.test,,
Bob,bob@x.test,,America/New_York' 2026-03-18T00:00:00Z Europe/Paris
run 2026-03-19T18:59:00Z
echo "before 19 Mar 19:00 UTC: $(ntraces "$DB") traces"
run 2026-03-21T00:00:00Z
tz_show "1=Pacific/Auckland 2=Asia/Kolkata 3=Europe/Paris 4=America/New_York"

. tests/scenarios/tz.inc
PEOPLE='name,email,phone,tz
Kiri,kiri@x.test,,Pacific/Auckland
Asha,asha@x.test,,Asia/Kolkata'
say "Auckland is a day ahead (enrolled 2 Apr 01:00 there); its DST ends 5 Apr: 09:00 stays 09:00; Kolkata at +05:30"
tz_setup tests/scenarios/tz_far.camp "$PEOPLE" 2026-04-01T12:00:00Z
run 2026-04-08T00:00:00Z
tz_show "1=Pacific/Auckland 2=Asia/Kolkata"
show
say "Auckland's DST starts 27 Sep 2026 (02:00 -> 03:00): 26 Sep 09:00 +12:00, a day later 27 Sep 09:00 +13:00 (23 hours)"
store_db spring
tz_setup tests/scenarios/tz_far.camp "$PEOPLE" 2026-09-23T12:00:00Z
run 2026-10-01T00:00:00Z
tz_show "1=Pacific/Auckland 2=Asia/Kolkata"

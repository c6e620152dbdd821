say "a visit before the email was sent does not count, even when it is recorded after the send"
setup tests/scenarios/visits.camp "$ADA_BOB"
visit 1 "https://shop.example.com/pricing" 2026-01-05T10:00:00Z
run +3h
visit 2 "https://shop.example.com/pricing" 2026-01-05T10:30:00Z
visit 2 "https://shop.example.com/pricing" 2026-01-05T11:00:00Z
run +3d
show

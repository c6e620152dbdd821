say "a bounce cancels the visit branches of its message; a later visit fires nothing"
setup tests/scenarios/visits.camp "$ADA_BOB"
run +3h
event bounce 1 hello 2026-01-05T12:00:00Z
visit 1 "https://shop.example.com/pricing" 2026-01-05T13:00:00Z
run +8d
show

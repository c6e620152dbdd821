say "a visit after the window is late: the branch is closed (by the visit, or by a run before it) and its opposite is not canceled"
setup tests/scenarios/visits.camp "$ADA_BOB"
run +3h
visit 1 "https://shop.example.com/pricing" 2026-01-07T11:00:00Z
run +2d
visit 2 "https://shop.example.com/pricing"
run +1d
show

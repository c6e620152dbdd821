say "on no visit within 2 days, then after 1 day: a visit inside the window cancels it (Bob); one after the window's end (Ada, 7 Jan 12:00) is too late, though the branch is due only on the 8th"
setup tests/scenarios/tz_no_visit.camp "$ADA_BOB"
run +3h
visit 2 "https://shop.example.com/pricing" 2026-01-06T10:00:00Z
visit 1 "https://shop.example.com/pricing" 2026-01-07T12:00:00Z
run 2026-01-09T00:00:00Z
show

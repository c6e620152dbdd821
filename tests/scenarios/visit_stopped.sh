say "a stopped campaign: a hit while it is stopped is recorded but acts on nothing (not even after camp start, as events); a hit once it runs again does"
setup tests/scenarios/visits.camp "$ADA_BOB"
run +3h
"$CAMP" stop --db "$DB" visits > /dev/null
visit 1 "https://shop.example.com/pricing" 2026-01-05T12:00:00Z
"$CAMP" start --db "$DB" visits > /dev/null
visit 2 "https://shop.example.com/pricing" 2026-01-05T12:30:00Z
show

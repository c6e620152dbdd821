say "under an SMS: a visit of /sale fires on visit and cancels on no visit; without one, on no visit runs"
setup tests/scenarios/visits_sms.camp "$ADA_BOB"
run +1h
visit 1 "https://shop.example.com/sale?utm_medium=sms" 2026-01-05T09:30:00Z
run +2d
show

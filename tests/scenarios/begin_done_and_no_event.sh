say "top level after 2h, on done +1h; no events: the no-open/no-click branches fire after 2 days, positives end with the window"
setup tests/scenarios/flow.camp "$ADA_BOB"
run +1h
show
run +5d
show

say "an open: on open due at event + 30m, on no open canceled; no click still fires"
setup tests/scenarios/flow.camp "$ADA_BOB"
run +3h
event open 1 hello 2026-01-05T12:00:00Z
run +4d
show

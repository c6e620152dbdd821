say "an open: on open due at event + 30m, on no open canceled; no click still fires"
setup tests/scenarios/flow.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,1
Bob,bob@x.test,+33600000002,false,,2'
run +3h
event open 1 hello 2026-01-05T12:00:00Z
run +4d
show

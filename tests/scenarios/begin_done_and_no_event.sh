say "top level after 2h, on done +1h; no events: the no-open/no-click branches fire after 2 days, positives end with the window"
setup tests/scenarios/flow.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,1
Bob,bob@x.test,+33600000002,false,,2'
run +1h
show
run +5d
show

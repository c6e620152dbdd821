say "a click with no open before it implies the open"
setup tests/scenarios/flow.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,1
Bob,bob@x.test,+33600000002,false,,2'
run +3h
event click 1 hello
run +4d
show

say "a record that stops matching leaves: its pending traces are canceled"
setup tests/scenarios/flow.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,1
Bob,bob@x.test,+33600000002,false,,2'
run +3h
update 'email,opt_out
ada@x.test,true'
run +2d
show

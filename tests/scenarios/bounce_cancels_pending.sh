say "a bounce arms on bounce and cancels every other pending child, positive and negative; the address is suppressed"
setup tests/scenarios/flow.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,1
Bob,bob@x.test,+33600000002,false,,2'
run +3h
event bounce 1 hello
run +4d
show

say "a record that stops matching leaves: its pending traces are canceled"
setup tests/scenarios/flow.camp "$ADA_BOB"
run +3h
update 'email,opt_out
ada@x.test,true'
run +2d
show

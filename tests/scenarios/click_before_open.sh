say "a click with no open before it implies the open"
setup tests/scenarios/flow.camp "$ADA_BOB"
run +3h
event click 1 hello
run +4d
show

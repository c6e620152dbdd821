say "a click after the window changes nothing"
setup tests/scenarios/flow.camp "$ADA_BOB"
run +5d
event click 1 hello
run +1d
show

say "a reply implies an open and a click"
setup tests/scenarios/flow.camp "$ADA_BOB"
run +3h
event reply 2 hello
run +4d
show

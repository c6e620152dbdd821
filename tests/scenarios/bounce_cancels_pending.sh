say "a bounce arms on bounce and cancels every other pending child, positive and negative; the address is suppressed"
setup tests/scenarios/flow.camp "$ADA_BOB"
run +3h
event bounce 1 hello
run +4d
show

say "a manual mailing is sent by camp send, once, now; a second camp send is refused and says when it was sent"
setup tests/scenarios/mailings.camp "$ADA_BOB"
run +1d
say "camp run never sends a manual mailing"
show
send launch
send launch
run +1h
say "each member got it once"
show

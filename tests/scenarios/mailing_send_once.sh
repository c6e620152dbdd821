say "a second camp send of a manual mailing is refused and says when it was sent (the sending itself: mailings.camp's tests)"
setup tests/scenarios/mailings.camp "$ADA_BOB"
run +1d
send launch
send launch

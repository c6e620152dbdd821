say "camp send refuses a deferred mailing (it says its time); camp status says when camp run sent it (the sending itself: mailings.camp's tests)"
setup tests/scenarios/mailings.camp "$ADA_BOB"
send later
run 2026-01-07T08:59:00Z
"$CAMP" status --db "$DB" | sed -n '/^MAILING/,$p'
run +1m
"$CAMP" status --db "$DB" | sed -n '/^MAILING/,$p'
send later

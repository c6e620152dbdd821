say "a deferred mailing is sent by camp run when its time comes, and only then; camp send refuses it (it says its time)"
setup tests/scenarios/mailings.camp "$ADA_BOB"
send later
run 2026-01-07T08:59:00Z
say "a minute before its time nothing is sent"
show
"$CAMP" status --db "$DB" | sed -n '/^MAILING/,$p'
run +1m
say "at its time it is sent, and status says when"
show
"$CAMP" status --db "$DB" | sed -n '/^MAILING/,$p'
send later

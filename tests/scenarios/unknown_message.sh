say "an event for a message camp never sent is reported and changes nothing"
setup tests/scenarios/flow.camp "$ADA_BOB"
run +3h
"$CAMP" event --db "$DB" open --message-id nobody@nowhere; echo "exit $?"
show

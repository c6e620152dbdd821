say "an event for a message camp never sent is reported and changes nothing"
setup tests/scenarios/flow.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,1
Bob,bob@x.test,+33600000002,false,,2'
run +3h
"$CAMP" event --db "$DB" open --message-id nobody@nowhere; echo "exit $?"
show

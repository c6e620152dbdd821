say "statistics per member of a mailing: sent at, opens, clicks, bounces, unsubscribes and abuse reports, from the events on its messages"
setup tests/scenarios/mailings.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1
Bob,bob@x.test,,false,,2
Cid,cid@x.test,,false,,3
Dan,dan@x.test,,false,,4'
send launch
"$CAMP" run --db "$DB" --until +1h > /dev/null
event open 1 launch
event open 1 launch
event click 1 launch
event bounce 2 launch
event unsubscribe 3 launch
event abuse 4 launch
members launch
say "an abuse report suppresses the address as a complaint; the report counts it"
"$CAMP" suppress --db "$DB" list
"$CAMP" report --db "$DB" launch | sed -n '1,3p'

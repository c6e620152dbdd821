say "a member of the list without an email address is skipped (the timeline says why), the others are sent"
setup tests/scenarios/mailings.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1
Eve,,+33600000005,false,,2
Bob,bob@x.test,,false,,3'
send launch
show
members launch

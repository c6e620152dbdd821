say "camp send sends to the send set: members unsubscribed from the list are left out, suppressed or opted-out addresses are canceled, a member without an address rejected; each says why"
setup tests/scenarios/mailings.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1
Bob,bob@x.test,,false,,2
Cid,cid@x.test,,false,,3
Eve,,,false,,4
Opt,opt@x.test,,true,,5'
"$CAMP" suppress --db "$DB" add bob@x.test
lst unsubscribe everyone 3
send launch
show
members launch

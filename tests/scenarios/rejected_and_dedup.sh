say "activity filter rejects; unique email dedups (case-insensitive, first id wins); empty unique values are excluded"
setup tests/scenarios/filters.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,1
Bob,bob@x.test,,false,,2
Bob again,BOB@x.test,+33600000003,false,,5
Nobody,,+33600000004,false,,9'
run +2h
show

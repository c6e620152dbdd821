say "mailings: sent once at their time to a dynamic list (deduplicated by email) and to a manual list; later records never get them"
setup tests/scenarios/mailing.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1
Bob,bob@x.test,,false,,2
Cid,cid@x.test,,false,,3
Dup,BOB@x.test,,false,,5
Eve,,,false,,4'
run 2026-01-05T12:00:00Z
say "before 2026-01-06T09:00 nothing is sent"
show
run +1d
update 'name,email,phone,opt_out,tags,score
Fay,fay@x.test,,false,,9'
run +2d
show

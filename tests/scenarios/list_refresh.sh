say "camp list refresh prints what it did, camp lists and camp list log show when; it refuses a dynamic or manual list (what a refresh holds: lists.camp's tests)"
setup tests/scenarios/lists.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1
Bob,bob@x.test,,false,,2
Cid,cid@x.test,,false,,3
Dan,dan@x.test,,false,,4'
lst refresh snap
update 'name,email,phone,opt_out,tags,score
Bob,bob@x.test,,false,,5
Dan,dan@x.test,,false,,0'
run +1d
lst refresh snap
lists
lst log snap
lst refresh high
lst refresh vip

say "target list: the campaign enrols the list's send set that matches its filter; one unsubscribed leaves, one removed leaves; in_list() counts unsubscribed members, not removed ones"
setup tests/scenarios/list_target.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1
Bob,bob@x.test,,false,,2
Cid,cid@x.test,,false,,3
Dan,dan@x.test,,false,,4
Eve,eve@x.test,,false,,5'
lst add vip 1 2 3 4 5
lst unsubscribe vip 4
lst remove vip 5
run +1h
say "Bob and Cid joined club (Ada fails its filter, Dan is unsubscribed, Eve removed); listed has Ada, Bob, Cid and Dan (in_list: unsubscribed still listed), not Eve"
show
lst unsubscribe vip 2
lst remove vip 3
run +3d
say "Bob and Cid left club before 'later'"
show

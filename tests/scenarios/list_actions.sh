say "add_to_list() makes a manual member (joined now, logged), remove_from_list() ends it (logged as leave); a removed member stays hidden"
setup tests/scenarios/list_actions.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1
Bob,bob@x.test,,false,,2
Cid,cid@x.test,,false,,3'
lst remove vip 2
run +1h
lst remove vip 2
lst show vip --removed
run +2d
say "a day later Cid left the list (remove_from_list)"
lst show vip
lst log vip

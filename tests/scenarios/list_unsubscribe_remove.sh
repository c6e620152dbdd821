say "unsubscribe vs remove: an unsubscribed member is listed (not subscribed) but not sent to; a removed one is hidden and not sent to; both undo"
setup tests/scenarios/lists.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1
Bob,bob@x.test,,false,,2
Cid,cid@x.test,,false,,3'
lst add vip 1 2 3
lst unsubscribe vip --key email bob@x.test
lst unsubscribe vip 2
lst remove vip 3
lst remove vip 3
lst show vip
lst show vip --removed
run 2026-01-06T10:00:00Z
say "to_vip went to Ada only"
show
lst subscribe vip 2
lst subscribe vip 2
lst undo-remove vip 3
lst undo-remove vip 1
lst show vip
run 2026-01-08T10:00:00Z
say "again_vip went to all three"
show
lst log vip

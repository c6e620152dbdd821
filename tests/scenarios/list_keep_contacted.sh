say "keep_contacted: a member contacted through a list stays one after it stops matching (high); without it, it leaves (high_nokeep)"
setup tests/scenarios/lists.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1
Cid,cid@x.test,,false,,3
Dan,dan@x.test,,false,,4'
run 2026-01-06T10:00:00Z
say "Cid's score drops after the first mailings"
update 'name,email,phone,opt_out,tags,score
Cid,cid@x.test,,false,,1'
lst show high
lst show high_nokeep
run 2026-01-08T10:00:00Z
say "again_high reaches Cid (kept: contacted), again_high_nokeep does not"
show
lst show high

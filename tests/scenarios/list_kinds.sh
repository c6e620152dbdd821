say "a manual list holds the records added by hand (camp list add refuses the others); camp lists (what dynamic and on_demand lists hold: lists.camp's tests)"
setup tests/scenarios/lists.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1
Bob,bob@x.test,,false,,2
Cid,cid@x.test,,false,,3
Dan,dan@x.test,,false,,4'
lists
lst add vip 1 2
lst add high 1
lst add snap 1
run 2026-01-06T10:00:00Z
say "to_vip went to Ada and Bob"
show | grep '^to_vip' -A1
lists

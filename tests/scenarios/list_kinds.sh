say "list kinds: a dynamic list is its filter, an on_demand list is empty until refreshed, a manual list holds the records added by hand"
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
say "to_high went to Cid and Dan, to_snap to nobody (never refreshed), to_vip to Ada and Bob"
show
lists

say "on_demand list: empty until refreshed; a refresh takes a snapshot of the filter, which later record changes do not touch"
setup tests/scenarios/lists.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1
Bob,bob@x.test,,false,,2
Cid,cid@x.test,,false,,3
Dan,dan@x.test,,false,,4'
lst show snap
lst refresh snap
lst show snap
say "Bob's score goes up, Dan's down: the snapshot does not change"
update 'name,email,phone,opt_out,tags,score
Bob,bob@x.test,,false,,5
Dan,dan@x.test,,false,,0'
lst show snap
say "refreshed again a day later (after to_snap went to Cid and Dan): Bob joins, Dan stays as a contacted member (keep_contacted)"
run +1d
lst refresh snap
lst show snap
lists
lst log snap
lst refresh high
lst refresh vip

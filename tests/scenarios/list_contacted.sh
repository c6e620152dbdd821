say "contacted: each message sent through a list counts on its member (times and last time); a member without an address is skipped and its trace says why"
setup tests/scenarios/lists.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1
Eve,,,false,,2'
lst add vip 1 2
run 2026-01-06T10:00:00Z
lst show vip
run 2026-01-08T10:00:00Z
lst show vip --format json
show

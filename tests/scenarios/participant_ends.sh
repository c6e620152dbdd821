say "a participant ends when its last trace is final, whatever made it final: a bounce with no bounce branch, an open, a filter rejecting, a suppressed address, a redeploy removing what it waited for"
setup tests/scenarios/ends.camp 'name,email,phone,opt_out,tags,score
Bounced,b@x.test,,false,,1
Opened,o@x.test,,false,,1
Silent,s@x.test,,false,,1
Unsub,u@x.test,,false,,9
Other,w@x.test,,false,,1'
run +30m
event unsubscribe 4 hello
run +2h
event bounce 1 hello
event open 2 hello
say "right after the bounce (record 1: nothing left pending) and the open (record 2: its branch is due)"
show
run +1d
say "a day later"
show
redeploy tests/scenarios/ends_v2.camp
say "the redeploy removed the branches records 3 to 5 waited for"
show

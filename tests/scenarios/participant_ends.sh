say "a redeploy that removes the branches a participant waits for cancels them and completes it (the other ways a participant ends: ends.camp's tests)"
setup tests/scenarios/ends.camp 'name,email,phone,opt_out,tags,score
Silent,s@x.test,,false,,1'
run +1h
show
redeploy tests/scenarios/ends_v2.camp
show

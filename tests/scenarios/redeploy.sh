say "redeploy: a changed delay moves pending traces, a removed activity's traces are canceled, a new top-level activity reaches running participants from now"
setup tests/scenarios/redeploy_v1.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,1
Bob,bob@x.test,+33600000002,false,,2'
run +1h
"$CAMP" plan --db "$DB" tests/scenarios/redeploy_v2.camp > "$D/plan.txt"; echo "plan exit $?"; sed "s#tests/scenarios/##" "$D/plan.txt"
redeploy tests/scenarios/redeploy_v2.camp
run +3d
show

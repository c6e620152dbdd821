say "redeploy: a changed delay moves pending traces, a removed activity's traces are canceled, a new top-level activity reaches running participants from now"
setup tests/scenarios/redeploy_v1.camp "$ADA_BOB"
run +1h
"$CAMP" plan --db "$DB" tests/scenarios/redeploy_v2.camp > "$D/plan.txt"; echo "plan exit $?"; sed "s#tests/scenarios/##" "$D/plan.txt"
redeploy tests/scenarios/redeploy_v2.camp
run +3d
show

say "a trace that comes up after its validity is canceled: the runner was down for 4 hours"
setup tests/scenarios/expiry.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,,false,,1'
"$CAMP" run --db "$DB" --once > /dev/null
clock=$(store_sql "$DB" "SELECT value FROM camp_meta WHERE key = 'clock'")
store_sql "$DB" "UPDATE camp_meta SET value = $((clock + 4 * 3600)) WHERE key = 'clock'"
"$CAMP" run --db "$DB" --once --mail file:$D/m > /dev/null
show

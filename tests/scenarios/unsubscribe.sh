say "an unsubscribe suppresses the address for every later send"
setup tests/scenarios/filters.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,5'
"$CAMP" stop --db "$DB" filters
"$CAMP" start --db "$DB" filters
"$CAMP" run --db "$DB" --until +10m --mail "file:$D/mail" > /dev/null
event unsubscribe 1 vip_only
cat > "$D/c2.camp" <<'C'
use "models.camp"

campaign second "Second" {
  target contact
  email later after 1 day {
    subject "x"
    body "y"
  }
}
C
"$CAMP" deploy --db "$DB" --start "$D/c2.camp" > /dev/null
run +2d
show

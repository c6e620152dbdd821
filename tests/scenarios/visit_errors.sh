say "camp event visit refuses an unknown site, record or model and records nothing; usage errors exit 2"
setup tests/scenarios/visits.camp "$ADA_BOB"
run +3h
# camp event visit ARGS: the first line it said and its exit status
try() { "$CAMP" event --db "$DB" visit "$@" > "$D/try.out" 2>&1; _rc=$?; head -n 1 "$D/try.out"; echo "exit $_rc"; }
try --site nope --record 1 --url https://shop.example.com/pricing
try --site shop-1 --record 99 --url https://shop.example.com/pricing
try --site shop-1 --record 1 --model lead --url https://shop.example.com/pricing
try --site blog-1 --record 1 --url https://blog.example.com/
try --site blog-1 --record 1 --model lead --url https://blog.example.com/
try --site shop-1 --record 1
try --site shop-1 --record 1 --url https://shop.example.com/ --value 3
try --site shop-1 --record x --url https://shop.example.com/
try --site shop-1 --record 1 --event signup --value lots
try --site shop-1 --record 1 --url https://shop.example.com/ --at never
say "hits recorded: none"
store_sql "$DB" "SELECT count(*) FROM camp_hit"
say "well formed, they are recorded (a /pricing page of any tracked website meets url like \"/pricing%\")"
visit 1 "https://shop.example.com/" 2026-01-05T12:00:00Z
try --site blog-1 --record 2 --model contact --url https://blog.example.com/pricing --at 2026-01-05T12:00:00Z
store_sql "$DB" "SELECT count(*) FROM camp_hit"

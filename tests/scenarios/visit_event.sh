say "a website event's hit (which names fire on visit event: visits.camp's tests): its value (1 unless given) and its code (the URL's mtm_campaign, else the website's)"
setup tests/scenarios/visits.camp "$ADA_BOB"
run +3h
visit_event 1 signup 2026-01-06T09:03:00Z
"$CAMP" event --db "$DB" visit --site shop-1 --record 2 --event signup --value 25 --url "https://shop.example.com/welcome?mtm_campaign=FRIENDS" --at 2026-01-06T10:00:00Z
# value is a REAL: 1.0 on SQLite, 1 on PostgreSQL; in hundredths it prints the same on both
store_sql "$DB" "SELECT record_id, name, url, CAST(value * 100 AS BIGINT), code FROM camp_hit ORDER BY id"

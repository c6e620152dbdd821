say "on visit event \"signup\" fires on a website event of that name only: not another name, another case, or a page view of /signup"
setup tests/scenarios/visits.camp "$ADA_BOB"
run +3h
visit_event 1 newsletter 2026-01-06T09:00:00Z
visit_event 1 Signup 2026-01-06T09:01:00Z
visit 1 "https://shop.example.com/signup" 2026-01-06T09:02:00Z
visit_event 1 signup 2026-01-06T09:03:00Z
"$CAMP" event --db "$DB" visit --site shop-1 --record 2 --event signup --value 25 --url "https://shop.example.com/welcome?mtm_campaign=FRIENDS" --at 2026-01-06T10:00:00Z
run +8d
show
say "the hits: an event's value (1 unless given) and its code (the URL's mtm_campaign, else the website's)"
sqlite3 "$DB" "SELECT record_id, name, url, value, code FROM camp_hit ORDER BY id"

say "the hits as recorded (the branches they fire: visits.camp's tests): a page view is named visit; the code is the URL's utm_campaign, else the website's"
setup tests/scenarios/visits.camp "$ADA_BOB"
run +3h
visit 1 "https://shop.example.com/about" 2026-01-05T12:01:00Z
visit 1 "https://shop.example.com/pricing?plan=pro&utm_campaign=SPRING" 2026-01-05T12:02:00Z
visit 1 "https://shop.example.com/pricing" 2026-01-05T12:03:00Z
store_sql "$DB" "SELECT record_id, name, url, code FROM camp_hit ORDER BY id"

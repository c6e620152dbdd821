say "email, click, a visit of /pricing within 2 days: the on visit branch fires and its opposite is canceled; a contact who never visits gets on no visit"
setup tests/scenarios/visits.camp "$ADA_BOB"
run +3h
event click 1 hello 2026-01-05T12:00:00Z
visit 1 "https://shop.example.com/about" 2026-01-05T12:01:00Z
visit 1 "https://shop.example.com/pricing?plan=pro&utm_campaign=SPRING" 2026-01-05T12:02:00Z
visit 1 "https://shop.example.com/pricing" 2026-01-05T12:03:00Z
run +3d
show
say "the tags the branches' actions added"
sqlite3 "$DB" "SELECT id, tags FROM contact ORDER BY id"
say "the hits as recorded: a page view is named visit; the code is the URL's utm_campaign, else the website's"
sqlite3 "$DB" "SELECT record_id, name, url, code FROM camp_hit ORDER BY id"

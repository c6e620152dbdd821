say "visited() in a campaign's and lists' filters: a page, a whole URL, within a duration before now or ever; bots' hits do not count"
setup tests/scenarios/visits_filter.camp "$ADA_BOB"
run +1h
lst show pricing_week
visit 1 "https://shop.example.com/pricing?plan=pro" 2026-01-05T10:00:00Z
visit 2 "https://shop.example.com/about" 2026-01-05T10:00:00Z
# a crawler's hit on Bob's /pricing (the collector records bots; visited() leaves them out)
store_sql "$DB" "INSERT INTO camp_hit(site, at, model, record_id, url, name, value, ua_class) VALUES('shop-1', $(date -u -d 2026-01-05T10:05:00Z +%s), 'contact', 2, 'https://shop.example.com/pricing', 'visit', 1, 'bot')"
run +1h
say "Ada saw the prices: she is in pricing_week and gets the offer; Bob only saw /about"
lst show pricing_week
lst refresh shop_ever
lst show shop_ever
show
run +7d
say "8 days later: no longer within 7 days of now, so out of the dynamic list; the snapshot keeps both"
lst show pricing_week
lst show shop_ever

#!/bin/sh
# tests/suite_website.sh -- knowing who visited, with real clients on
# 127.0.0.1: camp serve, a loopback test website on another origin
# (tests/website/site.py), headless Chromium (tests/website/browser.py)
# loading pages with camp's snippet and with a Matomo tracker from npm,
# Matomo's own Node.js tracker, curl, and a real email sent by camp run
# --mail file:DIR whose tracked link is clicked.  Checks: /camp.js as served,
# the contact token a tracked link carries to a website (and never to
# another), the cookie and address bar after landing, the hits recorded
# (page views with title and URL, an event with its value, the contact of
# the visit, pk_campaign's code), the npm trackers' hits field by field
# against camp's, and `camp website`/`camp websites`.
# Hits are read from camp_hit (no command prints a hit's fields).
set -u
. tests/lib.sh
W=tests/website
NPM=$PWD/$BUILD/npm-website
q() { sqlite3 "$D/db" "$1"; }
# nhits SQL-CONDITION: how many hits meet it (conditions are the suite's own text)
nhits() { q "SELECT count(*) FROM camp_hit WHERE $1"; }
# hit FIELDS SQL-CONDITION: FIELDS of the hits that meet it, '|'-joined, a line each, by id
hit() { q "SELECT $1 FROM camp_hit WHERE $2 ORDER BY id"; }
# browse STEP...: one Chromium session (tests/website/browser.py), its JSON lines
browse() { $PY $W/browser.py "$CHROMEPORT" "$@" 2>> "$D/browser.err"; }
# field N NAME < LINES: NAME of JSON line N
field() { sed -n "$1p" | $PY -c 'import json, sys; print(json.loads(sys.stdin.read() or "{}").get(sys.argv[1], "-"))' "$2"; }
# cookie NAME < LINE: the value of cookie NAME in a browse line's cookies
cookie() { $PY -c 'import json, sys; c = dict(p.split("=", 1) for p in json.load(sys.stdin)["cookies"].split("; ") if "=" in p); print(c.get(sys.argv[1], "-"))' "$1"; }

for tool in chromium chromedriver sqlite3 node; do
  command -v $tool > /dev/null || abort "$tool is missing (make test-deps installs it)"
done
[ -f "$NPM/.installed" ] || abort "the npm trackers are missing: make $BUILD/npm-website/.installed"

# -- the test website (another origin than camp serve: its own port) -----------------------------
mkdir -p "$D/site/npm"
$PY $W/site.py "$D/site" "$D/site.port" > "$D/site.log" 2>&1 &
started $!
wait_for test -s "$D/site.port" || abort "the test website did not start: $(cat "$D/site.log")"
SP=$(cat "$D/site.port")
SITE=http://127.0.0.1:$SP
cp tests/scenarios/models.camp "$D/"
sed -e "s|@SITE@|$SITE|g" -e "s|@QUIET@|http://localhost:$SP|g" -e "s|@HTTPS@|https://127.0.0.1:$SP|g" $W/site.camp > "$D/site.camp"
printf 'name,email\nAda,ada@x.test\nBob,bob@x.test\n' > "$D/r.csv"
new_db "$D/db" "$D/site.camp" "$D/r.csv"
ADA=$(record_of "$D/r.csv" email ada@x.test)

camp_serve "$D/db" && ok "the server listens" || { finish; exit 1; }

# -- camp websites and camp website --------------------------------------------------------------
check "websites: both, with target and link_token" \
  "$("$CAMP" websites --db "$D/db" --format json | rows name,site_id,target,link_token,goals | join_lines ' ')" \
  "quiet|quiet-1||false| shop|shop-1|contact|true|purchase"
check "website list: the same table as websites" "$("$CAMP" website --db "$D/db" list)" "$("$CAMP" websites --db "$D/db")"
"$CAMP" website --db "$D/db" snippet shop --server "$BASE/" > "$D/snippet"
check "snippet: loads camp.js from the server, posts to its /matomo.php, site_id shop-1" \
  "$(grep -c "var u = \"$BASE/\";" "$D/snippet")|$(grep -c '"setTrackerUrl", u + "matomo.php"' "$D/snippet")|$(grep -c '"setSiteId", "shop-1"' "$D/snippet")|$(grep -c 'u + "camp.js"' "$D/snippet")" \
  "1|1|1|1"
check "snippet: the server defaults to a run's base URL" "$("$CAMP" website --db "$D/db" snippet shop | grep -c 'var u = "http://127.0.0.1:8080/";')" 1
got=$("$CAMP" website --db "$D/db" snippet shop --server 'https://t.example/"</script><script>alert(1)')
check "snippet: a hostile --server stays inside its JS string (one </script>, quotes escaped)" \
  "$(printf '%s\n' "$got" | grep -c '</script>')|$(printf '%s\n' "$got" | grep -c 'https://t.example/\\x22\\x3c/script\\x3e\\x3cscript\\x3ealert(1)')" "1|1"
"$CAMP" website --db "$D/db" snippet shop --server ftp://x.example > /dev/null 2> "$D/err"
check "snippet: --server ftp:// refused (exit 2)" "$?|$(cat "$D/err")" "2|camp website: --server 'ftp://x.example': give the public http(s):// address of camp serve"
"$CAMP" website --db "$D/db" snippet nope > /dev/null 2> "$D/err"
check "snippet: an unknown website (exit 1)" "$?|$(cat "$D/err")" "1|camp website: no deployed website 'nope' (camp websites lists them)"
"$CAMP" website --db "$D/db" token 99 > /dev/null 2> "$D/err"
check "token: no such record (exit 1)" "$?|$(cat "$D/err")" "1|camp website: no record 99 in model contact"
"$CAMP" website --db "$D/db" token --model lead 1 > /dev/null 2> "$D/err"
check "token: no such model (exit 1)" "$?|$(cat "$D/err")" "1|camp website: no model 'lead' (deployed: contact)"
"$CAMP" website --db "$D/db" token 1x > /dev/null 2> "$D/err"
check "token: not a record id (exit 2)" "$?|$(cat "$D/err")" "2|camp website: '1x' is not a record id (a number from 1)"
"$CAMP" website --db "$D/db" token 1 --days 0 > /dev/null 2> "$D/err"
check "token: --days 0 (exit 2)" "$?" 2
"$CAMP" website --db "$D/db" frob > /dev/null 2> "$D/err"
check "an unknown subcommand (exit 2)" "$?" 2
"$CAMP" website --db "$D/db" auth > /dev/null 2> "$D/err"
check "auth without a name (exit 2)" "$?|$(cat "$D/err")" "2|camp website: auth needs the website's NAME"
check "auth: 32 hex digits of HMAC-SHA256(\$CAMP_SECRET, auth:SITE_ID)" \
  "$(CAMP_SECRET=k3y "$CAMP" website --db "$D/db" auth shop)" "$(printf 'auth:shop-1' | openssl dgst -sha256 -hmac k3y | sed 's/^.* //' | cut -c1-32)"
expect_match "auth: the database's secret otherwise" '[0-9a-f]*' "$("$CAMP" website --db "$D/db" auth shop | grep -x '[0-9a-f]\{32\}')"

# -- /camp.js ---------------------------------------------------------------------------------------
curl -s -D "$D/h" -o "$D/camp.js" "$BASE/camp.js"
header() { grep -i "^$1:" "$D/h" | tr -d '\r' | cut -d' ' -f2-; }
check "camp.js: 200, JavaScript, cacheable for a day" "$(head -1 "$D/h" | tr -d '\r' | cut -d' ' -f2)|$(header content-type)|$(header cache-control)" \
  "200|text/javascript; charset=utf-8|public, max-age=86400"
cmp -s "$D/camp.js" runtime/camp.js && ok "camp.js: exactly runtime/camp.js" || bad "camp.js: not runtime/camp.js"
ETAG=$(header etag)
expect_match "camp.js: an ETag" '"????????????????"' "$ETAG"
check "camp.js: If-None-Match with it: 304" "$(code -H "If-None-Match: $ETAG" "$BASE/camp.js")" 304
check "camp.js: a weak or listed one too" "$(code -H "If-None-Match: \"x\", W/$ETAG" "$BASE/camp.js")" 304
check "camp.js: another ETag: 200" "$(code -H 'If-None-Match: "0000000000000000"' "$BASE/camp.js")" 200
check "camp.js: HEAD" "$(curl -s -I "$BASE/camp.js" | grep -i '^content-length' | tr -d '\r' | cut -d' ' -f2)" "$(wc -c < runtime/camp.js | tr -d ' ')"
check "camp.js: POST refused" "$(code -X POST "$BASE/camp.js")" 405
check "camp.js/x: not found" "$(code "$BASE/camp.js/x")" 404

# -- a real email, its tracked links --------------------------------------------------------------------
"$CAMP" run --db "$D/db" --until +1h --mail "file:$D/mail" --base-url "$BASE" > /dev/null || bad "camp run"
set -- $($PY tests/serve/client.py tokens "$D/mail" | grep '^ada@x.test ')
R_SHOP=${4:-} R_THIRD=${5:-} R_QUIET=${6:-} R_HTTPS=${7:-}
set -- $($PY tests/serve/client.py tokens "$D/mail" | grep '^bob@x.test ')
R_BOB=${4:-}
check "Ada's message: four tracked links" "${R_SHOP:+1}${R_THIRD:+1}${R_QUIET:+1}${R_HTTPS:+1}" 1111
landing() { curl -s -o /dev/null -w '%{redirect_url}' "$1"; }
UTM="utm_campaign=SPRING26&utm_medium=email&utm_source=hello"
got=$(landing "$R_SHOP")
expect_match "the shop's link carries the contact token, in the query, before the #fragment" \
  "$SITE/page.html?from=mail&$UTM&camp_ct=*#top" "$got"
TOKEN=$(printf '%s' "$got" | sed 's/.*camp_ct=\([^#&]*\).*/\1/')
expect_match "... a URL-safe token" '[A-Za-z0-9_-]*' "$(printf '%s' "$TOKEN" | grep -x '[A-Za-z0-9_-]\{20,\}')"
check "a third-party link never gets the token" "$(landing "$R_THIRD")" "https://third.example/x?a=1&$UTM"
check "a website with link_token false: untouched" "$(landing "$R_QUIET")" "http://localhost:$SP/q.html?$UTM"
check "the shop's host on https (another origin): untouched" "$(landing "$R_HTTPS")" "https://127.0.0.1:$SP/page.html?$UTM"
BOBTOKEN=$(landing "$R_BOB" | sed 's/.*camp_ct=\([^#&]*\).*/\1/')
check "Bob's link carries Bob's token, not Ada's" "$([ -n "$BOBTOKEN" ] && [ "$BOBTOKEN" != "$TOKEN" ] && echo different)" different
check "a HEAD is not a click but lands the same way" "$(curl -s -I "$R_QUIET" | grep -i '^location' | tr -d '\r' | cut -d' ' -f2)" "http://localhost:$SP/q.html?$UTM"

# -- the collector takes the tokens camp makes --------------------------------------------------------------
COLLECT="$BASE/matomo.php?idsite=shop-1&rec=1&url=$SITE/curl.html"
check "a hit with the link's token as uid: answered" "$(code "$COLLECT?a=link&uid=$TOKEN")" 204
check "a hit with camp website token's token: answered" "$(code "$COLLECT?a=cli&uid=$("$CAMP" website --db "$D/db" token "$ADA")")" 204
check "a hit with a forged token: answered" "$(code "$COLLECT?a=forged&uid=${TOKEN%?}A")" 204
wait_for answers 3 nhits "url LIKE '$SITE/curl.html%'"
check "the link's token and camp website token name Ada; a forged one nobody" \
  "$(hit "substr(url, instr(url, '?a=') + 3), coalesce(model, '-'), coalesce(record_id, '-')" "url LIKE '$SITE/curl.html%'" | sort | join_lines ' ')" \
  "cli|contact|$ADA forged|-|- link|contact|$ADA"

# -- headless Chromium ------------------------------------------------------------------------------------
for p in page second; do
  awk -v f="$D/snippet" '/<!--SNIPPET-->/ { while ((getline l < f) > 0) print l; next } { print }' $W/$p.html > "$D/site/$p.html"
done
sed "s|@CAMP@|$BASE|g" $W/npm.html > "$D/site/npm.html"
cp "$NPM"/node_modules/@jonkoops/matomo-tracker/es/*.js "$D/site/npm/"
CHROMEPORT=$(free_port)
chromedriver --port="$CHROMEPORT" > "$D/driver.log" 2>&1 &
started $!
driver_ready() { curl -s "http://127.0.0.1:$CHROMEPORT/status" | grep -q '"ready": *true'; }
wait_for driver_ready || abort "chromedriver did not start: $(cat "$D/driver.log")"

# (1) a page with camp's snippet: a page view with its title and URL
browse "open:$SITE/page.html" > "$D/b1"
check "chromium: the page loads" "$(field 1 title < "$D/b1")" "Shop page"
wait_for at_least 1 nhits "url = '$SITE/page.html'"
check "a page view: site, name, title, URL, anonymous" \
  "$(hit "site, name, title, url, coalesce(model, '-'), value" "url = '$SITE/page.html'")" "shop-1|visit|Shop page|$SITE/page.html|-|1.0"
check "... with a 16-hex visitor id from the camp_id cookie" \
  "$(hit visitor "url = '$SITE/page.html'" | grep -cx '[0-9a-f]\{16\}')|$(hit visitor "url = '$SITE/page.html'")" "1|$(sed -n 1p "$D/b1" | cookie camp_id)"

# (2) + (3) the email's link clicked: lands with the token, keeps it, attaches the visit to Ada; an event with its value
browse "open:$R_SHOP" "click:buy" "click:next" "title:Second page" > "$D/b2"
check "landing: the page, camp_ct gone from the address bar (other parameters and #top kept)" \
  "$(field 1 url < "$D/b2")" "$SITE/page.html?from=mail&$UTM#top"
CT=$(sed -n 1p "$D/b2" | cookie camp_ct)
expect_match "landing: a token in the first-party cookie camp_ct (each click signs its own)" '[A-Za-z0-9_-]*' "$(printf '%s' "$CT" | grep -x '[A-Za-z0-9_-]\{20,\}')"
check "camp_ct: the site's own first-party cookie: its host, path /, SameSite Lax, not Secure on http, 30 days" \
  "$(sed -n 1p "$D/b2" | $PY -c 'import json, sys; l = json.load(sys.stdin); c = l["jar"]["camp_ct"]; print(c["domain"], c["path"], c["sameSite"], c["secure"], abs(c["expiry"] - l["now"] - 30 * 86400) < 120)')" \
  "127.0.0.1 / Lax False True"
check "the next page: still the cookie" "$(sed -n 4p "$D/b2" | cookie camp_ct)|$(field 4 url < "$D/b2")" "$CT|$SITE/second.html"
wait_for at_least 1 nhits "url = '$SITE/second.html'"
wait_for at_least 1 nhits "name = 'purchase' AND record_id IS NOT NULL"
VIS=$(sed -n 1p "$D/b2" | cookie camp_id)
check "the landing, the event and the next page: Ada's, one visitor, in order" \
  "$(hit "name, title, url, category, action, value, model, record_id" "visitor = '$VIS'" | join_lines ' ')" \
  "visit|Shop page|$SITE/page.html?from=mail&$UTM#top|||1.0|contact|$ADA purchase||$SITE/page.html?from=mail&$UTM#top|shop|purchase|42.5|contact|$ADA visit|Second page|$SITE/second.html|||1.0|contact|$ADA"
check "the landing's code, source and medium from its utm_ parameters" "$(hit "code, source, medium" "visitor = '$VIS' AND title = 'Shop page' AND name = 'visit'")" "SPRING26|hello|email"
check "no hit keeps the token in its URL" "$(nhits "url LIKE '%camp_ct%'")" 0
grouped() { q "SELECT count(DISTINCT visit) || '|' || count(*) FROM camp_hit WHERE visitor = '$VIS' AND visit IS NOT NULL"; }
wait_for answers "1|3" grouped
check "the visit is Ada's" "$(q "SELECT DISTINCT v.model || '|' || v.record_id FROM camp_visit v JOIN camp_hit h ON h.visit = v.id WHERE h.visitor = '$VIS'")" "contact|$ADA"

# (4) pk_campaign credits the initiative; a forged token in the URL names nobody
browse "open:$SITE/page.html?pk_campaign=SPRING26&x=1" "open:$SITE/page.html?forged=1&camp_ct=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" > "$D/b4"
wait_for at_least 1 nhits "url = '$SITE/page.html?pk_campaign=SPRING26&x=1'"
check "pk_campaign=SPRING26: the hit's code" "$(hit code "url = '$SITE/page.html?pk_campaign=SPRING26&x=1'")" SPRING26
wait_for at_least 1 nhits "url = '$SITE/page.html?forged=1'"
check "a forged camp_ct: out of the address bar, the hit anonymous" \
  "$(field 2 url < "$D/b4")|$(hit "coalesce(model, '-')" "url = '$SITE/page.html?forged=1'")" "$SITE/page.html?forged=1|-"

# (5) the same page with @jonkoops/matomo-tracker (npm), and Matomo's Node.js tracker: the same hits
browse "open:$SITE/page.html?same=1" "click:buy" > "$D/b5a"
browse "open:$SITE/npm.html?same=1" "click:buy" > "$D/b5b"
check "npm page: loads" "$(field 1 title < "$D/b5b")|$(field 2 step < "$D/b5b")" "Shop page|click:buy"
NODEVIS=0123456789abcdef
node $W/node_tracker.js "$NPM" "$BASE/matomo.php" shop-1 "$SITE/page.html?same=1" "$NODEVIS" 2> "$D/node.err"
check "Matomo's Node.js tracker: both hits answered" "$?|$(cat "$D/node.err")" "0|"
wait_for answers 2 nhits "url = '$SITE/page.html?same=1' AND visitor <> '$NODEVIS'"
wait_for answers 2 nhits "url = '$SITE/npm.html?same=1'"
wait_for answers 2 nhits "visitor = '$NODEVIS'"
FIELDS="site, name, coalesce(title, '-'), coalesce(category, '-'), coalesce(action, '-'), value, coalesce(code, '-'), coalesce(source, '-'),
        coalesce(medium, '-'), coalesce(keyword, '-'), coalesce(referrer, '-'), coalesce(model, '-'), coalesce(record_id, '-')"
SNIP=$(hit "$FIELDS, url, ua, ua_class" "url = '$SITE/page.html?same=1' AND visitor <> '$NODEVIS'" | sort)
check "npm tracker in Chromium: the same hits, field by field" \
  "$(hit "$FIELDS, replace(url, 'npm.html', 'page.html'), ua, ua_class" "url = '$SITE/npm.html?same=1'" | sort)" "$SNIP"
check "Matomo's Node.js tracker: the same hits, field by field" \
  "$(hit "$FIELDS, url" "visitor = '$NODEVIS'" | sort)" "$(hit "$FIELDS, url" "url = '$SITE/page.html?same=1' AND visitor <> '$NODEVIS'" | sort)"
check "the page view and the event (value 42.5) are among them" "$(printf '%s\n' "$SNIP" | cut -d'|' -f2,6 | join_lines ' ')" "purchase|42.5 visit|1.0"

[ -s "$D/browser.err" ] && { echo "browser.py said:"; tail -5 "$D/browser.err"; }
finish

#!/bin/sh
# tests/suite_collect.sh -- the website collector of camp serve (/matomo.php,
# /piwik.php) against curl on 127.0.0.1: every parameter and default, GET,
# POST, bulk, the GIF, CORS, who a hit belongs to (contact tokens, the
# identify field, forged/expired/other-model tokens), cdt with and without
# token_auth, the anonymised IP (and --keep-ip), and bad input (unknown
# sites, 10 MB bodies, 10,000 parameters, a bulk of 100,000) refused with
# 400 and nothing recorded.  Hits are matched by content in camp_hit (each
# check's hit has its own URL); the writer is waited for, never slept on.
set -u
. tests/lib.sh
q() { sqlite3 "$D/db" "$1"; }
SECRET=collect-test-secret OLD=collect-old-secret
UA='Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0'
CLOCK=2026-01-05T09:00:00Z NOW=1767603600    # the database's clock, in Unix seconds

# tok SECRET MODEL RECORD EXPIRES: a contact token (runtime/track.c's format)
tok() {
  $PY -c 'import base64, hashlib, hmac, struct, sys
key, model, rec, exp = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
p = struct.pack("<QQ", exp, rec) + model.encode()
m = hmac.new(key.encode(), b"c" + p, hashlib.sha256).digest()[:12]
print(base64.urlsafe_b64encode(p + m).decode().rstrip("="))' "$@"
}
# auth SECRET SITE_ID: the website's token_auth under SECRET
auth() { $PY -c 'import hashlib, hmac, sys; print(hmac.new(sys.argv[1].encode(), b"auth:" + sys.argv[2].encode(), hashlib.sha256).hexdigest()[:32])' "$@"; }
# enc TEXT: TEXT percent-encoded for a query
enc() { $PY -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
# get QUERY [CURL-ARGS]: the status of GET /matomo.php?QUERY (a browser's UA)
get() { _q=$1; shift; curl -s -o /dev/null -w '%{http_code}' -A "$UA" "$@" "$BASE/matomo.php?$_q"; }
# hit PATH: the row's FIELDS of the hit whose url is https://shop.example.com/PATH
U=https://shop.example.com
row() { q "SELECT $2 FROM camp_hit WHERE url = '$U/$1'"; }
nrows() { q "SELECT count(*) FROM camp_hit WHERE url LIKE '$U/$1'"; }
# recorded PATH: wait until the hit of PATH is recorded
recorded() { wait_for answers 1 nrows "$1" || bad "hit $1 never recorded"; }

cp tests/scenarios/models.camp "$D/"
cat > "$D/sites.camp" <<'EOF'
use "models.camp"

model lead {
  email email
}

website shop "Shop" {
  site_id "shop-1"
  url "https://shop.example.com"
  target contact
  code "SHOPCODE"
  identify email
}

website blog "Blog" {
  site_id "blog-1"
  url "https://blog.example.com"
  target contact
}

website open "Open" {
  site_id "any-1"
  url "https://any.example.com"
}
EOF
printf 'name,email\nAda,ada@x.test\nBob,bob@x.test\n' > "$D/r.csv"
printf 'email\nlee@x.test\n' > "$D/l.csv"
new_db "$D/db" "$D/sites.camp" "$D/r.csv" "$CLOCK"
"$CAMP" import --db "$D/db" --model lead "$D/l.csv" > /dev/null || bad "lead import"

# serve [OPTIONS]: camp serve on a free port with the test keys (sets SERVER, BASE)
serve() {
  : > "$D/serve.log"
  CAMP_SECRET=$SECRET CAMP_SECRET_PREVIOUS=$OLD "$CAMP" serve --db "$D/db" --listen "${LISTEN:-127.0.0.1:0}" "$@" > "$D/serve.log" 2>&1 &
  SERVER=$!
  started $SERVER
  wait_for grep -q listening "$D/serve.log"
  BASE=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$D/serve.log")
  [ -n "$BASE" ] || { bad "server did not start" "$(cat "$D/serve.log")"; finish; exit 1; }
}
serve

# -- a page view with every parameter
PAGE=$(enc "$U/p1?utm_source=news&utm_medium=email&pk_campaign=SPRING&utm_term=shoes")
check "page view: 204" "$(get "idsite=shop-1&rec=1&url=$PAGE&action_name=Hello%20%C3%A9t%C3%A9&urlref=$(enc https://ref.example/x)&_id=0123456789abcdef")" 204
wait_for answers 1 q "SELECT count(*) FROM camp_hit WHERE url LIKE '$U/p1?%'"
check "page view: every field" "$(q "SELECT site, at, visitor, coalesce(model, '-'), coalesce(record_id, '-'), title, referrer, name, coalesce(category, '-'), value, code, source, medium, keyword, ip, ua, ua_class, coalesce(visit, 'ungrouped') FROM camp_hit WHERE url LIKE '$U/p1?%'")" \
  "shop-1|$NOW|0123456789abcdef|-|-|Hello été|https://ref.example/x|visit|-|1.0|SPRING|news|email|shoes|127.0.0.0|$UA|desktop|ungrouped"
grep -q "GET /matomo.php 204 hit shop-1 visit by anonymous$" "$D/serve.log" && ok "page view: logged" || bad "page view: log" "$(tail -3 "$D/serve.log")"

# -- defaults and the campaign code's sources
get "idsite=shop-1&rec=1&url=$(enc "$U/d1")" > /dev/null
get "idsite=blog-1&rec=1&url=$(enc "$U/d2")" > /dev/null
get "idsite=shop-1&rec=1&url=$(enc "$U/d3?mtm_campaign=MTM&mtm_source=ms&mtm_medium=mm&mtm_kwd=mk")" > /dev/null
get "idsite=shop-1&rec=1&url=$(enc "$U/d4?utm_campaign=UTM&pk_cpn=CPN")&_rcn=RCN&_rck=RCK" > /dev/null
get "idsite=shop-1&rec=1&url=$(enc "$U/d5?pk_cpn=CPN&utm_campaign=UTM")" > /dev/null
get "idsite=shop-1&rec=1&url=$(enc "$U/d6?utm_campaign=UTM")" > /dev/null
recorded 'd6%'
check "default: the website's own code, no title, no visitor" "$(row d1 "code || '|' || coalesce(title, '-') || '|' || coalesce(visitor, '-') || '|' || name || '|' || value")" "SHOPCODE|-|-|visit|1.0"
check "default: a website without a code: none" "$(row d2 "coalesce(code, '-')")" "-"
check "mtm_ parameters" "$(q "SELECT code, source, medium, keyword FROM camp_hit WHERE url LIKE '$U/d3?%'")" "MTM|ms|mm|mk"
check "_rcn and _rck win over the URL" "$(q "SELECT code, keyword FROM camp_hit WHERE url LIKE '$U/d4?%'")" "RCN|RCK"
check "pk_cpn before utm_campaign" "$(q "SELECT code FROM camp_hit WHERE url LIKE '$U/d5?%'")" "CPN"
check "utm_campaign" "$(q "SELECT code FROM camp_hit WHERE url LIKE '$U/d6?%'")" "UTM"

# -- events
get "idsite=shop-1&rec=1&url=$(enc "$U/e1")&e_c=shop&e_a=purchase&e_v=19.5" > /dev/null
get "idsite=shop-1&rec=1&url=$(enc "$U/e2")&e_c=video&e_a=play&e_n=intro" > /dev/null
get "idsite=shop-1&rec=1&url=$(enc "$U/e3")&e_c=misc" > /dev/null
recorded e3
check "event: e_a names it, e_v its value" "$(row e1 "name || '|' || category || '|' || action || '|' || value")" "purchase|shop|purchase|19.5"
check "event: e_n names it, value 1" "$(row e2 "name || '|' || value")" "intro|1.0"
check "event: only a category" "$(row e3 "name")" "misc"

# -- rec, send_image, piwik.php, CORS
check "without rec=1: 204" "$(get "idsite=shop-1&url=$(enc "$U/r1")")" 204
check "rec=0: 204" "$(get "idsite=shop-1&rec=0&url=$(enc "$U/r2")")" 204
curl -s -D "$D/h" -o "$D/gif" -A "$UA" "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/g1")&send_image=1"
check "send_image=1: 200, a GIF of 43 bytes" "$(head -1 "$D/h" | cut -d' ' -f2) $(grep -i '^content-type' "$D/h" | tr -d '\r' | cut -d' ' -f2) $(head -c 6 "$D/gif")$(wc -c < "$D/gif" | tr -d ' ')" "200 image/gif GIF89a43"
grep -qi '^access-control-allow-origin: \*' "$D/h" && ok "CORS on the GIF" || bad "no CORS header on the GIF"
curl -s -D "$D/h" -o /dev/null -A "$UA" "$BASE/piwik.php?idsite=shop-1&rec=1&url=$(enc "$U/w1")"
check "piwik.php: 204 with CORS" "$(head -1 "$D/h" | cut -d' ' -f2) $(grep -ci '^access-control-allow-origin: \*' "$D/h")" "204 1"
curl -s -D "$D/h" -o /dev/null -X OPTIONS -H 'Origin: https://shop.example.com' -H 'Access-Control-Request-Method: POST' "$BASE/matomo.php"
check "OPTIONS preflight" "$(head -1 "$D/h" | cut -d' ' -f2) $(tr -d '\r' < "$D/h" | grep -i '^access-control-allow' | sort | tr '\n' ';')" \
  "204 Access-Control-Allow-Headers: Content-Type;Access-Control-Allow-Methods: GET, POST;Access-Control-Allow-Origin: *;"
curl -s -D "$D/h" -o /dev/null "$BASE/matomo.php?idsite=nope&rec=1&url=x"
check "a refusal has CORS too" "$(head -1 "$D/h" | cut -d' ' -f2) $(grep -ci '^access-control-allow-origin: \*' "$D/h")" "400 1"
check "DELETE: 405" "$(code -X DELETE "$BASE/matomo.php")" 405
recorded w1
check "rec not 1: nothing recorded" "$(nrows 'r%')" 0
grep -q "GET /matomo.php?* 204 rec is not 1: nothing recorded" "$D/serve.log" && ok "rec not 1: logged" || bad "rec not 1: log" "$(grep 'rec is' "$D/serve.log")"
check "send_image and piwik.php recorded" "$(nrows g1)$(nrows w1)" 11

# -- POST: a form body, the query as body (Matomo's JS tracker), a bulk
check "POST form" "$(curl -s -o /dev/null -w '%{http_code}' -A "$UA" -H 'Content-Type: application/x-www-form-urlencoded; charset=UTF-8' \
  --data "idsite=shop-1&rec=1&url=$(enc "$U/f1")&action_name=Form+post" "$BASE/matomo.php")" 204
check "POST with parameters in URL and body" "$(curl -s -o /dev/null -w '%{http_code}' -A "$UA" --data "url=$(enc "$U/f2")&action_name=mixed" "$BASE/matomo.php?idsite=shop-1&rec=1")" 204
B1=$(enc "$U/b1") B2=$(enc "$U/b2") B3=$(enc "$U/b3")
check "bulk of 3 (one without rec)" "$(curl -s -w ' %{http_code}' -A "$UA" -H 'Content-Type: application/json' \
  --data "{\"requests\":[\"?idsite=shop-1&rec=1&url=$B1\",\"?idsite=blog-1&rec=1&url=$B2&e_c=c&e_a=a\",\"?idsite=shop-1&url=$B3\"]}" "$BASE/piwik.php")" \
  '{"status":"success","tracked":2,"invalid":0}
 200'
recorded b2
check "POST: form fields" "$(row f1 "title")|$(row f2 "title")" "Form post|mixed"
check "bulk: its hits, and not the one without rec" "$(row b1 site)|$(row b2 "site || ' ' || name")|$(nrows b3)" "shop-1|blog-1 a|0"
grep -q "POST /piwik.php 200 hit blog-1 a by anonymous" "$D/serve.log" && ok "bulk: a log line per hit" || bad "bulk log"

# -- user agents, caps
get "idsite=shop-1&rec=1&url=$(enc "$U/u1")" -A 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' > /dev/null
get "idsite=shop-1&rec=1&url=$(enc "$U/u2")" -A 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148' > /dev/null
get "idsite=shop-1&rec=1&url=$(enc "$U/u3")" -A 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0.0.0 Safari/537.36' > /dev/null
curl -s -o /dev/null "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/u4")"
get "idsite=shop-1&rec=1&url=$(enc "$U/u5")&ua=$(enc 'Mozilla/5.0 (Linux; Android 14) Mobile Safari')" > /dev/null
get "idsite=shop-1&rec=1&url=$(enc "$U/u6")" -A 'python-requests/2.31' > /dev/null
LONGT=$($PY -c 'print("a" + "é" * 300)') LONGUA=$($PY -c 'print("Mozilla/5.0 " + "x" * 700)') LONGU="$U/c1/$(head -c 3000 /dev/zero | tr '\0' y)"
get "idsite=shop-1&rec=1&url=$(enc "$LONGU")&action_name=$(enc "$LONGT")&e_c=$(enc "$LONGT")&ua=$(enc "$LONGUA")" > /dev/null
recorded 'c1/%'
check "ua: a bot, a phone, headless Chrome, curl, the ua parameter, a library" \
  "$(for i in 1 2 3 4 5 6; do row "u$i" ua_class; done | join_lines ' ')" "bot mobile desktop bot mobile bot"
check "ua parameter stored" "$(row u5 ua)" "Mozilla/5.0 (Linux; Android 14) Mobile Safari"
check "caps: url 2048, title and category 499 (a UTF-8 boundary), ua 512" \
  "$(q "SELECT length(CAST(url AS BLOB)), length(CAST(title AS BLOB)), length(CAST(category AS BLOB)), length(CAST(ua AS BLOB)), title = '$(printf '%s' "$LONGT" | head -c 499)' FROM camp_hit WHERE url LIKE '$U/c1/%'")" "2048|499|499|512|1"

# -- who: contact tokens, the identify field, anonymous
T_ADA=$(tok "$SECRET" contact 1 $((NOW + 86400)))
T_OLD=$(tok "$OLD" contact 2 $((NOW + 86400)))
T_EXP=$(tok "$SECRET" contact 1 $((NOW - 1)))
T_LEAD=$(tok "$SECRET" lead 1 $((NOW + 86400)))
T_FORGED=$(tok wrong-secret contact 1 $((NOW + 86400)))
T_ALTERED=$(printf '%s' "$T_ADA" | sed 's/.$/A/'); [ "$T_ALTERED" = "$T_ADA" ] && T_ALTERED=$(printf '%s' "$T_ADA" | sed 's/.$/B/')
who() { get "idsite=$1&rec=1&url=$(enc "$U/$2")&uid=$(enc "$3")" > /dev/null; }
who shop-1 k1 "$T_ADA"; who shop-1 k2 "$T_OLD"; who shop-1 k3 "$T_EXP"; who shop-1 k4 "$T_LEAD"; who any-1 k5 "$T_LEAD"
who shop-1 k6 "$T_FORGED"; who shop-1 k7 "$T_ALTERED"; who shop-1 k8 bob@x.test; who shop-1 k9 BOB@X.TEST
who blog-1 k10 bob@x.test; who shop-1 k11 nobody@x.test; who blog-1 k12 "$T_ADA"
get "idsite=shop-1&rec=1&url=$(enc "$U/k13")&uid=$(enc "$T_ADA")" -A 'Googlebot/2.1' > /dev/null
recorded k13
check "who: token, old key's token, expired, other model, any model, forged, altered, identify, identify (case), identify off, no match, blog token, bot" \
  "$(for i in 1 2 3 4 5 6 7 8 9 10 11 12 13; do row "k$i" "coalesce(model || ' ' || record_id, 'anonymous')"; done | join_lines ,)" \
  "contact 1,contact 2,anonymous,anonymous,lead 1,anonymous,anonymous,contact 2,contact 2,anonymous,anonymous,contact 1,contact 1"
# forged and altered tokens on shop (identify on) are looked up as emails, and match none
check "who: the log says what was not attached" \
  "$(for w in 'an expired contact token' 'not a contact token (forged or unsigned)' 'a contact token of another model' \
      "not a contact token, and not one record's email"; do grep -c "by anonymous (uid: $w: not attached)" "$D/serve.log"; done | join_lines ' ') $(grep -c 'by contact 1 (bot)' "$D/serve.log")" "1 1 1 3 1"
check "who: no uid stored" "$(q "SELECT count(*) FROM camp_hit WHERE visitor LIKE '%@%' OR ua LIKE '%@x.test%'")" 0

# -- cdt: only with the website's token_auth
A=$(auth "$SECRET" shop-1) AOLD=$(auth "$OLD" shop-1) ABLOG=$(auth "$SECRET" blog-1)
check "cdt with token_auth" "$(get "idsite=shop-1&rec=1&url=$(enc "$U/t1")&cdt=$((NOW - 3600))&token_auth=$A")" 204
check "cdt as a date, token_auth of a previous key" "$(get "idsite=shop-1&rec=1&url=$(enc "$U/t2")&cdt=$(enc '2026-01-04 08:30:00')&token_auth=$AOLD")" 204
check "cdt within the minute ahead" "$(get "idsite=shop-1&rec=1&url=$(enc "$U/t3")&cdt=$((NOW + 30))&token_auth=$A")" 204
curl -s -A "$UA" "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/t4")&cdt=$((NOW - 60))" > "$D/body"
check "cdt without token_auth: 400, says so" "$(cat "$D/body")" "cdt needs token_auth (the website's, from camp website auth)"
check "cdt with another site's token_auth" "$(get "idsite=shop-1&rec=1&url=$(enc "$U/t5")&cdt=$((NOW - 60))&token_auth=$ABLOG")" 400
check "cdt with a wrong token_auth" "$(get "idsite=shop-1&rec=1&url=$(enc "$U/t6")&cdt=$((NOW - 60))&token_auth=0123456789abcdef0123456789abcdef")" 400
check "cdt in the future" "$(get "idsite=shop-1&rec=1&url=$(enc "$U/t7")&cdt=$((NOW + 3600))&token_auth=$A")" 400
check "cdt not a time" "$(get "idsite=shop-1&rec=1&url=$(enc "$U/t8")&cdt=yesterday&token_auth=$A")" 400
check "token_auth without cdt: the clock's time" "$(get "idsite=shop-1&rec=1&url=$(enc "$U/t9")&token_auth=$A")" 204
recorded t9
check "cdt: the hits' times" "$(for i in 1 2 3 9; do row "t$i" at; done | join_lines ' ')" "$((NOW - 3600)) 1767515400 $((NOW + 30)) $NOW"
check "cdt refused: nothing recorded" "$(for i in 4 5 6 7 8; do nrows "t$i"; done | join_lines '')" 00000

# -- bad input: 400, a one-line reason, nothing recorded, still serving
# bad NAME WANT-REASON CURL-ARGS...: 400 and the reason's start
refused() {
  _name=$1 _want=$2; shift 2
  _got=$(curl -s -w ' %{http_code}' -A "$UA" "$@")
  expect_match "$_name" "$_want*400" "$_got"
}
refused "no url" "url is missing" "$BASE/matomo.php?idsite=shop-1&rec=1"
refused "no idsite" "idsite is missing" "$BASE/matomo.php?rec=1&url=$(enc "$U/x1")"
refused "unknown idsite" "unknown idsite 'nope'" "$BASE/matomo.php?idsite=nope&rec=1&url=$(enc "$U/x2")"
refused "_id not 16 hex digits" "_id must be 16 hex digits" "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/x3")&_id=xyz"
refused "e_v not a number" "e_v must be a number" "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/x4")&e_c=a&e_a=b&e_v=lots"
refused "e_v infinite" "e_v must be a number" "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/x5")&e_v=inf"
refused "malformed percent-encoding (GET)" "malformed percent-encoding" "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/x6")&action_name=50%zz"
refused "malformed percent-encoding (POST)" "malformed percent-encoding" --data "idsite=shop-1&rec=1&url=$(enc "$U/x7")&action_name=50%" "$BASE/matomo.php"
refused "a NUL byte" "malformed percent-encoding" --data "idsite=shop-1&rec=1&url=$(enc "$U/x8")&action_name=a%00b" "$BASE/matomo.php"
refused "a value over 8 KiB" "parameter 'action_name' is longer than 8192 bytes" --data "idsite=shop-1&rec=1&url=$(enc "$U/x9")&action_name=$(head -c 9000 /dev/zero | tr '\0' z)" "$BASE/matomo.php"
$PY -c 'print("&".join("p%d=1" % i for i in range(10000)))' > "$D/params"
refused "10,000 parameters (POST)" "more than 100 parameters" --data-binary "@$D/params" "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/x10")"
P101=$($PY -c 'print("&".join("p%d=1" % i for i in range(98)))')
refused "101 parameters (GET)" "more than 100 parameters" "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/x11")&$P101"
# via GET, 10,000 parameters do not fit libmicrohttpd's 32 KiB per connection:
# it answers 414 (a long query) or closes the connection (many short ones)
P10K=$($PY -c 'print("&".join("p%d=1" % i for i in range(10000)))')
expect_match "10,000 parameters (GET, long): 414" "414" "$(code "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/x19")&$P10K")"
P10K=$($PY -c 'print("&".join("p" for i in range(10000)))')
expect_match "10,000 parameters (GET, short): refused or closed" "[04][01]*" "$(code "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/x20")&$P10K")"
head -c 10000000 /dev/zero | tr '\0' x > "$D/big"
refused "a 10 MB body" "request body over 1 MiB" --data-binary "@$D/big" "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/x12")"
refused "malformed JSON" "malformed JSON at line 1" --data '{"requests":["?idsite=shop-1&rec=1&url=x"' "$BASE/matomo.php"
refused "JSON without requests" 'a bulk is {"requests"' --data '{"hits":[]}' "$BASE/matomo.php"
$PY -c 'import json; print(json.dumps({"requests": ["?"] * 100000}))' > "$D/bulk100k"
refused "a bulk of 100,000 (under 1 MiB)" "a bulk of 100000 requests: at most 1000" --data-binary "@$D/bulk100k" "$BASE/matomo.php"
$PY -c 'import json, sys; print(json.dumps({"requests": ["?idsite=shop-1&rec=1&url=" + sys.argv[1] + "%d" % i for i in range(100000)]}))' "$(enc "$U/x13/")" > "$D/bulk100kfull"
refused "a bulk of 100,000 hits (over 1 MiB)" "request body over 1 MiB" --data-binary "@$D/bulk100kfull" "$BASE/matomo.php"
$PY -c 'import json, sys; print(json.dumps({"requests": ["?idsite=shop-1&rec=1&url=" + sys.argv[1] + "%d" % i for i in range(1001)]}))' "$(enc "$U/x14/")" > "$D/bulk1001"
refused "a bulk of 1001" "a bulk of 1001 requests: at most 1000" --data-binary "@$D/bulk1001" "$BASE/matomo.php"
X15=$(enc "$U/x15")
refused "a bulk with one unknown site: named, all refused" "request 1 of the bulk: unknown idsite 'nope'" \
  --data "{\"requests\":[\"?idsite=shop-1&rec=1&url=$X15\",\"?idsite=nope&rec=1&url=$X15\",\"?idsite=shop-1&rec=1&url=$X15\"]}" "$BASE/matomo.php"
refused "a bulk entry not a string" "request 0 of the bulk: not a string" --data '{"requests":[{"idsite":"shop-1"}]}' "$BASE/matomo.php"
T_FORGED_BULK=$(tok wrong contact 1 $((NOW + 86400)))
check "a forged token in a bulk: recorded anonymous" "$(curl -s -o /dev/null -w '%{http_code}' -A "$UA" --data "{\"requests\":[\"?idsite=shop-1&rec=1&url=$(enc "$U/x16")&uid=$T_FORGED_BULK\"]}" "$BASE/matomo.php")" 200
check "bulk: token_auth for every request" "$(curl -s -o /dev/null -w '%{http_code}' -A "$UA" --data "{\"token_auth\":\"$A\",\"requests\":[\"?idsite=shop-1&rec=1&url=$(enc "$U/x17")&cdt=$((NOW - 7200))\"]}" "$BASE/matomo.php")" 200
# a garbage connection, then the server still serves
$PY -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.sendall(b"POST /matomo.php HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n" + b"\xff" * 65536)
s.close()' "${BASE##*:}" 2> /dev/null
check "still serving" "$(get "idsite=shop-1&rec=1&url=$(enc "$U/x18")")" 204
recorded x18
check "refused requests recorded nothing" "$(q "SELECT count(*) FROM camp_hit WHERE url LIKE '$U/x%' AND url NOT IN ('$U/x16', '$U/x17', '$U/x18')")" 0
check "forged token in a bulk: anonymous; bulk token_auth: its time" "$(row x16 "coalesce(model, 'anonymous')") $(row x17 at)" "anonymous $((NOW - 7200))"
grep -q "400 refused, nothing recorded: a bulk of 100000 requests: at most 1000" "$D/serve.log" && ok "refusals logged" || bad "refusals not logged"

stop_pid "$SERVER"; rc=$?
check "server stops cleanly" "$rc" 0
grep -q " 0 lost" "$D/serve.log" && ok "nothing lost" || bad "server summary: $(tail -1 "$D/serve.log")"
check "every answered hit recorded" "$(sed -n 's/.* \([0-9]*\) hits answered, \([0-9]*\) recorded.*/\1 \2/p' "$D/serve.log")" "$(q 'SELECT count(*) FROM camp_hit') $(q 'SELECT count(*) FROM camp_hit')"

# -- --keep-ip, and IPv6 anonymised
serve --keep-ip
get "idsite=shop-1&rec=1&url=$(enc "$U/i1")" > /dev/null
recorded i1
check "--keep-ip: the whole address" "$(row i1 ip)" 127.0.0.1
stop_pid "$SERVER"
if $PY -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2> /dev/null; then
  LISTEN='[::1]:0' serve
  curl -s -o /dev/null -A "$UA" "$BASE/matomo.php?idsite=shop-1&rec=1&url=$(enc "$U/i2")"
  recorded i2
  check "IPv6: the last 80 bits dropped" "$(row i2 ip)" "::"
  stop_pid "$SERVER"
else
  ok "(no IPv6 on this machine: IPv6 anonymisation not tried)"
fi
check "integrity" "$(q 'PRAGMA integrity_check')" ok
finish

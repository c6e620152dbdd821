#!/bin/sh
# tests/suite_sync.sh -- camp sync end to end (docs/SYNC.md) against the
# stateful fakes of tests/esp/ started on loopback: a first sync of the
# three kinds of list, members leaving and joining, unsubscribes and
# removals, the dry run and its exit codes, a re-run that only reads, 429
# and 500 storms, syncs killed at random points and run again, credential
# and audience errors; the same for Dotdigital once its fake is there.
#
# The provider's end state is read through its own API (every member with
# status and merge fields, every segment with its members), so two runs are
# compared as the provider sees them.
. tests/lib.sh
export CAMP_ESP_BACKOFF=0.01
MC_KEY=fakekey-us1
[ -f tests/esp/mailchimp_fake.py ] || abort "tests/esp/mailchimp_fake.py is missing"

# mc_start NAME: a Mailchimp fake; sets MC_NAME_URL (its /3.0 base) and MC_NAME_PID
mc_start() {
  mkdir -p "$D/fake_$1"
  rm -f "$D/fake_$1/port"
  $PY tests/esp/mailchimp_fake.py --port-file "$D/fake_$1/port" --key "$MC_KEY" > "$D/fake_$1/log" 2>&1 &
  eval "MC_$1_PID=$!"
  started $!
  wait_for test -s "$D/fake_$1/port" || { bad "the Mailchimp fake $1 starts"; return 1; }
  eval "MC_$1_URL=http://127.0.0.1:$(cat "$D/fake_$1/port")/3.0"
}
# fake URL METHOD PATH [JSON]: a control or API call to a fake, its JSON answer
fake() {
  if [ -n "${4:-}" ]; then curl -s -u "camp:$MC_KEY" -X "$2" -H 'Content-Type: application/json' -d "$4" "${1%/3.0}$3"
  else curl -s -u "camp:$MC_KEY" -X "$2" "${1%/3.0}$3"; fi
}
# hung_up FAKEFN URL: the fake has no client connection open but the one asking
hung_up() { [ "$("$1" "$2" GET /_fake/stats | $PY -c 'import json, sys; print(json.load(sys.stdin)["connections"])')" -le 1 ]; }
audiences() { for _a in aud_vip aud_pro aud_rd; do fake "$1" POST /_fake/audiences "{\"id\":\"$_a\",\"name\":\"$_a\"}" > /dev/null; done; }
# mc_dump URL: the fake's audiences as the API shows them, one line per
# member (audience, address, status, the merge fields camp maps) and per
# segment member, sorted
mc_dump() {
  $PY - "$1" "$MC_KEY" <<'EOF'
import base64, json, sys, urllib.request
base, key = sys.argv[1], sys.argv[2]
auth = "Basic " + base64.b64encode(("camp:" + key).encode()).decode()
def get(path):
    r = urllib.request.Request(base + path, headers={"Authorization": auth})
    return json.load(urllib.request.urlopen(r))
def every(path, field):
    out, off = [], 0
    while True:
        sep = "&" if "?" in path else "?"
        page = get("%s%scount=1000&offset=%d" % (path, sep, off))[field]
        out += page
        if len(page) < 1000: return out
        off += 1000
lines = []
for a in ("aud_vip", "aud_pro", "aud_rd"):
    for m in every("/lists/%s/members" % a, "members"):
        mf = {k: v for k, v in m.get("merge_fields", {}).items() if k in ("FNAME", "E_CITY", "E_SCORE") and v != ""}
        lines.append("%s member %s %s %s" % (a, m["email_address"], m["status"], json.dumps(mf, sort_keys=True)))
    for s in get("/lists/%s/segments?count=1000" % a)["segments"]:
        for m in every("/lists/%s/segments/%s/members?include_unsubscribed=true&include_cleaned=true" % (a, s["id"]), "members"):
            lines.append("%s segment %r %s" % (a, s["name"], m["email_address"]))
print("\n".join(sorted(lines)))
EOF
}
stats() { fake "$1" GET /_fake/stats; }
# requests URL: the fake's request count; writes URL: how many requests were not GETs
requests() { stats "$1" | $PY -c 'import json, sys; print(json.load(sys.stdin)["requests"])'; }
writes() { stats "$1" | $PY -c 'import json, sys; print(sum(n for r, n in json.load(sys.stdin)["by_route"].items() if not r.startswith("GET")))'; }

cat > "$D/shop.camp" <<'EOF'
model contact {
  name text
  email email
  tags tags
  score int
  city text
}
list vip "VIP customers" {
  target contact
  kind manual
}
list prospects "Prospects" {
  target contact
  kind on_demand
  where score >= 40
}
list readers "Newsletter readers" {
  target contact
  where "news" in tags
  keep_contacted false
}
sync vip_mc "VIP in Mailchimp" {
  list vip
  mailchimp audience "aud_vip"
  segment "VIP"
  field FNAME = name
  field E_CITY = "{{ city | upper }}"
}
sync pro_mc "Prospects in Mailchimp" {
  list prospects
  mailchimp audience "aud_pro"
  field FNAME = name
}
sync rd_mc "Readers in Mailchimp" {
  list readers
  mailchimp audience "aud_rd"
  segment "Readers"
  field FNAME = name
  field score
}
EOF
cat > "$D/people.csv" <<'EOF'
name,email,tags,score,city
Ada,ada@x.test,news,50,Paris
Bob,bob@x.test,news,10,Lyon
Cy,cy@x.test,,60,Nice
Dee,Dee@X.test,news,45,
Eve,eve@x.test,,5,Brest
Ada again,ADA@x.test,news,1,Rome
Nomail,,news,99,Metz
EOF
# db NAME: a new database with the project deployed, the people imported, vip = Ada, Cy, Eve and prospects refreshed
db() {
  new_db "$D/$1.db" "$D/shop.camp" "$D/people.csv" real &&
    "$CAMP" list --db "$D/$1.db" add vip 1 3 5 > /dev/null &&
    "$CAMP" list --db "$D/$1.db" refresh prospects > /dev/null || bad "lists of $1"
}
# sync URL DB [ARGS...]: camp sync against the fake at URL; stdout, stderr and exit status in $D/out, $D/err, RC
sync() {
  _url=$1 _db=$2; shift 2
  CAMP_MAILCHIMP_KEY=$MC_KEY CAMP_MAILCHIMP_URL=$_url "$CAMP" sync --db "$D/$_db.db" "$@" > "$D/out" 2> "$D/err"
  RC=$?
}

# -- the first sync of three kinds of list --------------------------------------------------------
mc_start a || abort "no Mailchimp fake"
audiences "$MC_a_URL"
db one
sync "$MC_a_URL" one --dry-run
check "a dry run before the first sync: exit 2 (changes pending)" "$RC" 2
check "the dry run wrote nothing at Mailchimp" "$(writes "$MC_a_URL")" 0
expect_match "the plan names the sync, its list and audience" "*sync rd_mc: list readers <-> mailchimp audience aud_rd, segment \"Readers\"*" "$(cat "$D/out")"
expect_match "the plan: Ada subscribed with her fields" "*+ ada@x.test               subscribe, add to segment (FNAME \"Ada\", E_CITY \"PARIS\")*" "$(cat "$D/out")"
expect_match "the plan's counts" "*Plan: 3 to add, 0 to change, 0 to unsubscribe, 0 to remove on mailchimp;*" "$(cat "$D/out")"
sync "$MC_a_URL" one vip_mc --dry-run --color always
esc=$(printf '\033')
expect_match "--color always: the marks coloured as plan colours them" "*    ${esc}[32m+${esc}[0m ada@x.test *" "$(cat "$D/out")"
sync "$MC_a_URL" one
check "the first sync: exit 0" "$RC $(cat "$D/err")" "0 "
expect_match "the summary counts the requests" "*requests: [1-9]* (0 retried)*" "$(cat "$D/out")"
check "Mailchimp holds the three lists' send sets with their merge fields" "$(mc_dump "$MC_a_URL")" \
'aud_pro member ada@x.test subscribed {"FNAME": "Ada"}
aud_pro member cy@x.test subscribed {"FNAME": "Cy"}
aud_pro member dee@x.test subscribed {"FNAME": "Dee"}
aud_pro segment '"'"'Prospects'"'"' ada@x.test
aud_pro segment '"'"'Prospects'"'"' cy@x.test
aud_pro segment '"'"'Prospects'"'"' dee@x.test
aud_rd member ada@x.test subscribed {"E_SCORE": "50", "FNAME": "Ada"}
aud_rd member bob@x.test subscribed {"E_SCORE": "10", "FNAME": "Bob"}
aud_rd member dee@x.test subscribed {"E_SCORE": "45", "FNAME": "Dee"}
aud_rd segment '"'"'Readers'"'"' ada@x.test
aud_rd segment '"'"'Readers'"'"' bob@x.test
aud_rd segment '"'"'Readers'"'"' dee@x.test
aud_vip member ada@x.test subscribed {"E_CITY": "PARIS", "FNAME": "Ada"}
aud_vip member cy@x.test subscribed {"E_CITY": "NICE", "FNAME": "Cy"}
aud_vip member eve@x.test subscribed {"E_CITY": "BREST", "FNAME": "Eve"}
aud_vip segment '"'"'VIP'"'"' ada@x.test
aud_vip segment '"'"'VIP'"'"' cy@x.test
aud_vip segment '"'"'VIP'"'"' eve@x.test'
sync "$MC_a_URL" one --dry-run
check "a dry run after the sync: exit 0 (in sync)" "$RC" 0
expect_match "it says so" "*no changes: in sync*Plan: 0 to add, 0 to change, 0 to unsubscribe, 0 to remove on mailchimp;*" "$(cat "$D/out")"
fake "$MC_a_URL" POST /_fake/stats/reset > /dev/null
sync "$MC_a_URL" one
check "a re-run with nothing changed: exit 0" "$RC" 0
check "... only reads (paging GETs)" "$(writes "$MC_a_URL")" 0
NOCHANGE=$(requests "$MC_a_URL")
expect_match "... a handful of requests" "[1-9]*" "$NOCHANGE"
"$CAMP" sync --db "$D/one.db" --list > "$D/list" 2>&1
expect_match "--list shows each sync with its last run" "*rd_mc: list readers <-> mailchimp audience \"aud_rd\", segment \"Readers\" (id *)*last run: 20*, ok*" "$(cat "$D/list")"

# -- leaving, joining, unsubscribing, removing --------------------------------------------------------
printf 'email,tags,name\nbob@x.test,,Bob\nada@x.test,news,Adaline\nfay@x.test,news,Fay\n' > "$D/change.csv"
"$CAMP" import --db "$D/one.db" --model contact --key email "$D/change.csv" > /dev/null
"$CAMP" list --db "$D/one.db" remove vip 5 > /dev/null
"$CAMP" list --db "$D/one.db" unsubscribe vip 3 > /dev/null
sync "$MC_a_URL" one vip_mc rd_mc --dry-run
check "a dry run with changes: exit 2" "$RC" 2
expect_match "~ Ada's new name" "*~ ada@x.test               FNAME \"Ada\" -> \"Adaline\"*" "$(cat "$D/out")"
expect_match "+ Fay joins the readers" "*+ fay@x.test               subscribe, add to segment (FNAME \"Fay\")*" "$(cat "$D/out")"
expect_match "- Bob left the dynamic list" "*- bob@x.test               remove from segment (no longer in the list)*" "$(cat "$D/out")"
expect_match "! Cy unsubscribed from the list" "*! cy@x.test                unsubscribe (unsubscribed in list vip)*" "$(cat "$D/out")"
expect_match "- Eve removed from the manual list" "*- eve@x.test               remove from segment and archive (removed from list vip)*" "$(cat "$D/out")"
sync "$MC_a_URL" one vip_mc rd_mc
check "the sync: exit 0" "$RC $(cat "$D/err")" "0 "
got=$(mc_dump "$MC_a_URL" | grep -v '^aud_pro')
check "Mailchimp: Bob out of the segment, Fay in, Cy unsubscribed, Eve archived, Ada renamed" "$got" \
'aud_rd member ada@x.test subscribed {"E_SCORE": "50", "FNAME": "Adaline"}
aud_rd member bob@x.test subscribed {"E_SCORE": "10", "FNAME": "Bob"}
aud_rd member dee@x.test subscribed {"E_SCORE": "45", "FNAME": "Dee"}
aud_rd member fay@x.test subscribed {"FNAME": "Fay"}
aud_rd segment '"'"'Readers'"'"' ada@x.test
aud_rd segment '"'"'Readers'"'"' dee@x.test
aud_rd segment '"'"'Readers'"'"' fay@x.test
aud_vip member ada@x.test subscribed {"E_CITY": "PARIS", "FNAME": "Adaline"}
aud_vip member cy@x.test unsubscribed {"E_CITY": "NICE", "FNAME": "Cy"}
aud_vip segment '"'"'VIP'"'"' ada@x.test'
eve=$($PY -c 'import hashlib; print(hashlib.md5(b"eve@x.test").hexdigest())')
expect_match "... Eve archived (the member listing leaves archived members out)" '*"status":*"archived"*' "$(fake "$MC_a_URL" GET "/3.0/lists/aud_vip/members/$eve")"
sync "$MC_a_URL" one --dry-run
expect_match "then in sync but for the prospects' rename" "2*~ ada@x.test*Plan: 0 to add, 1 to change, 0 to unsubscribe, 0 to remove on mailchimp;*" "$RC $(sed -n '/pro_mc/,$p' "$D/out")"
sync "$MC_a_URL" one
sync "$MC_a_URL" one --dry-run
check "and in sync after the next" "$RC" 0
# the provider unsubscribed someone: never subscribed again by the export
fake "$MC_a_URL" POST /_fake/members '{"list_id":"aud_rd","email":"dee@x.test","status":"unsubscribed"}' > /dev/null
sync "$MC_a_URL" one rd_mc --export-only
check "an address Mailchimp unsubscribed is not subscribed again" "$RC $(mc_dump "$MC_a_URL" | grep 'aud_rd member dee')" \
  '0 aud_rd member dee@x.test unsubscribed {"E_SCORE": "45", "FNAME": "Dee"}'
sync "$MC_a_URL" one rd_mc --dry-run
expect_match "... a whole sync's dry run plans the unsubscribe home, nothing for dee at Mailchimp" "2 *camp:*dee@x.test*" "$RC $(cat "$D/out")"
check "... (no line for dee on Mailchimp's side)" "$(sed -n '/mailchimp:/,/camp:/p' "$D/out" | grep -c 'dee@')" 0
sync "$MC_a_URL" one rd_mc
check "... the sync brings it home: dee unsubscribed from readers in camp" \
  "$RC $("$CAMP" list --db "$D/one.db" show readers --format csv | grep -i ',dee@x.test,')" "0 4,Dee@X.test,no,,0,"
sync "$MC_a_URL" one rd_mc --dry-run
check "... then in sync" "$RC" 0

# -- storms: 429 and 500 -------------------------------------------------------------------------
mc_start clean
audiences "$MC_clean_URL"
db clean
sync "$MC_clean_URL" clean
CLEAN=$(mc_dump "$MC_clean_URL")
mc_start storm
audiences "$MC_storm_URL"
db storm
fake "$MC_storm_URL" POST /_fake/fail '{"status":429,"count":6,"retry_after":"1"}' > /dev/null
fake "$MC_storm_URL" POST /_fake/fail '{"status":500,"count":4,"methods":["POST"]}' > /dev/null
fake "$MC_storm_URL" POST /_fake/fail '{"status":503,"count":3,"match":"segments"}' > /dev/null
sync "$MC_storm_URL" storm
check "through 429, 500 and 503 storms: exit 0" "$RC $(cat "$D/err")" "0 "
expect_match "the retries are counted" "*requests: * ([1-9]* retried)*" "$(cat "$D/out")"
check "the same end state as a clean run" "$(mc_dump "$MC_storm_URL")" "$CLEAN"

# -- killed at random points and run again -------------------------------------------------------------
# a bigger list so the run takes many requests: 1,200 readers
$PY -c '
print("name,email,tags,score,city")
for i in range(1200): print("R%d,r%d@x.test,news,%d,C%d" % (i, i, i % 100, i % 7))' > "$D/many.csv"
new_db "$D/big.db" "$D/shop.camp" "$D/many.csv" real
mc_start bigclean
audiences "$MC_bigclean_URL"
sync "$MC_bigclean_URL" big rd_mc --dry-run
expect_match "a plan of 1,200 changes shows 20 lines and counts the rest" "*+ r1017@x.test*    ... and 1180 more
Plan: 1200 to add, 0 to change, 0 to unsubscribe, 0 to remove on mailchimp;*" "$(cat "$D/out")"
check "... 20 lines shown" "$(grep -c '^    + ' "$D/out")" 20
sync "$MC_bigclean_URL" big rd_mc
BIGCLEAN=$(mc_dump "$MC_bigclean_URL")
expect_match "1,200 readers subscribed" "*aud_rd segment 'Readers' r999@x.test*" "$BIGCLEAN"
for n in 1 2 3 5 8; do
  mc_start kill$n
  eval "url=\$MC_kill${n}_URL"
  audiences "$url"
  fake "$url" POST /_fake/delay '{"seconds":0.05}' > /dev/null
  new_db "$D/k$n.db" "$D/shop.camp" "$D/many.csv" real
  CAMP_MAILCHIMP_KEY=$MC_KEY CAMP_MAILCHIMP_URL=$url "$CAMP" sync --db "$D/k$n.db" rd_mc > /dev/null 2>&1 &
  pid=$!
  wait_for at_least "$n" requests "$url"
  kill -9 "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
  # the request in flight when camp died still lands first: its connection answered and closed
  wait_for hung_up fake "$url" || bad "the killed sync's connection closes"
  fake "$url" POST /_fake/delay '{"seconds":0}' > /dev/null
  sync "$url" k$n rd_mc
  check "killed after $n requests, run again: exit 0" "$RC $(cat "$D/err")" "0 "
  check "... the same end state as one clean run" "$(mc_dump "$url")" "$BIGCLEAN"
done
# SIGTERM: stops after the current step, says so, exits 1; the next run finishes
mc_start term
audiences "$MC_term_URL"
fake "$MC_term_URL" POST /_fake/delay '{"seconds":0.05}' > /dev/null
new_db "$D/term.db" "$D/shop.camp" "$D/many.csv" real
CAMP_MAILCHIMP_KEY=$MC_KEY CAMP_MAILCHIMP_URL=$MC_term_URL "$CAMP" sync --db "$D/term.db" rd_mc > "$D/out" 2> "$D/err" &
pid=$!
wait_for at_least 2 requests "$MC_term_URL"
kill -TERM "$pid"
wait "$pid"
check "SIGTERM: exit 1 and one line" "$? $(cat "$D/err")" "1 camp sync: stopped: run camp sync again to finish"
fake "$MC_term_URL" POST /_fake/delay '{"seconds":0}' > /dev/null
sync "$MC_term_URL" term rd_mc
check "... run again: the clean end state" "$RC $(mc_dump "$MC_term_URL")" "0 $BIGCLEAN"

# -- errors: one line, exit 1 -----------------------------------------------------------------------------
CAMP_MAILCHIMP_KEY= "$CAMP" sync --db "$D/one.db" vip_mc > "$D/out" 2> "$D/err"
check "no key: exit 1, one line" "$? $(cat "$D/err")" \
  "1 camp sync: sync vip_mc: CAMP_MAILCHIMP_KEY is not set (an API key ending in -<dc>: docs/SYNC.md)"
CAMP_MAILCHIMP_KEY=wrong-us1 CAMP_MAILCHIMP_URL=$MC_a_URL "$CAMP" sync --db "$D/one.db" vip_mc > "$D/out" 2> "$D/err"
rc=$?
expect_match "a wrong key: exit 1, the provider's words" "1 camp sync: sync vip_mc: mailchimp: 401 API Key Invalid*" "$rc $(cat "$D/err")"
check "... on one line" "$(wc -l < "$D/err" | tr -d ' ')" 1
expect_match "--list shows the failure" "*vip_mc:*failed: mailchimp: 401*" "$("$CAMP" sync --db "$D/one.db" --list)"
mc_start noaud
db noaud
sync "$MC_noaud_URL" noaud vip_mc
expect_match "an audience Mailchimp lacks: exit 1, one line" "1 camp sync: sync vip_mc: mailchimp: *aud_vip*" "$RC $(cat "$D/err")"
check "... on one line" "$(wc -l < "$D/err" | tr -d ' ')" 1
sync "$MC_a_URL" one nosuch
check "an unknown sync: a usage error" "$RC $(cat "$D/err")" \
  "2 camp sync: no sync 'nosuch' is deployed (camp sync --list shows those that are)"
sync "$MC_a_URL" one --export-only --import-only
check "--export-only with --import-only: a usage error" "$RC" 2

# -- service mode: camp run syncs what is due ------------------------------------------------------------
mc_start svc
audiences "$MC_svc_URL"
sed -e 's/^  segment "VIP"$/  segment "VIP"\
  every 1 minute/' "$D/shop.camp" > "$D/svc.camp"
new_db "$D/svc.db" "$D/svc.camp" "$D/people.csv" real
"$CAMP" list --db "$D/svc.db" add vip 1 3 5 > /dev/null
CAMP_MAILCHIMP_KEY=$MC_KEY CAMP_MAILCHIMP_URL=$MC_svc_URL "$CAMP" run --db "$D/svc.db" > "$D/svc.out" 2> "$D/svc.log" &
svc=$!
started $svc
svc_synced() { mc_dump "$MC_svc_URL" | grep -q "^aud_vip segment 'VIP' eve@x.test"; }
wait_for svc_synced && ok "camp run (service mode) syncs a sync declared with every" || bad "camp run (service mode) syncs a sync declared with every" "$(cat "$D/svc.log")"
svc_logged() { grep -q "run: synced: 3 added" "$D/svc.log"; }   # the log line follows the provider's writes
wait_for svc_logged
expect_match "... and logs it" "*run: synced: 3 added*" "$(cat "$D/svc.log")"
check "... only that one (the others have no every)" "$(mc_dump "$MC_svc_URL" | grep -c '^aud_rd\|^aud_pro')" 0
stop_pid $svc
expect_match "--list: its last run" "*vip_mc: list vip <-> mailchimp audience \"aud_vip\", segment \"VIP\" (id *), every 1 minute*last run: 20*, ok*" \
  "$("$CAMP" sync --db "$D/svc.db" --list)"

# -- Dotdigital ------------------------------------------------------------------------------------------------
DD_USER=apiuser-camp@apiconnector.com DD_PASSWORD=camp-secret
# dd_start NAME: a Dotdigital fake; sets DD_NAME_URL
dd_start() {
  mkdir -p "$D/ddfake_$1"
  $PY tests/esp/dotdigital_fake.py --port-file "$D/ddfake_$1/port" --user "$DD_USER" --password "$DD_PASSWORD" > "$D/ddfake_$1/log" 2>&1 &
  started $!
  wait_for test -s "$D/ddfake_$1/port" || { bad "the Dotdigital fake $1 starts"; return 1; }
  eval "DD_$1_URL=http://127.0.0.1:$(cat "$D/ddfake_$1/port")"
}
ddfake() {
  if [ -n "${4:-}" ]; then curl -s -u "$DD_USER:$DD_PASSWORD" -X "$2" -H 'Content-Type: application/json' -d "$4" "$1$3"
  else curl -s -u "$DD_USER:$DD_PASSWORD" -X "$2" "$1$3"; fi
}
# dd_dump URL: every address book's contacts (book, address, status, data fields camp maps), sorted
dd_dump() {
  $PY - "$1" "$DD_USER" "$DD_PASSWORD" <<'EOF'
import base64, json, sys, urllib.request
base, user, pw = sys.argv[1:4]
auth = "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
def get(path):
    return json.load(urllib.request.urlopen(urllib.request.Request(base + path, headers={"Authorization": auth})))
lines = []
for b in get("/v2/address-books?select=1000"):
    skip = 0
    while True:
        page = get("/v2/address-books/%s/contacts?withFullData=true&select=1000&skip=%d" % (b["id"], skip))
        for c in page:
            mapped = ("FIRSTNAME", "CITY") if b["name"] == "VIP" else ("FIRSTNAME",)   # data fields are the contact's, not the book's
            df = {f["key"]: f["value"] for f in c["dataFields"] or [] if f["key"] in mapped and f["value"]}
            lines.append("%s %s %s %s" % (b["name"], c["email"].lower(), c["status"], json.dumps(df, sort_keys=True)))
        if len(page) < 1000: break
        skip += 1000
print("\n".join(sorted(lines)))
EOF
}
dd_stat() { ddfake "$1" GET /_fake/stats | $PY -c "import json, sys; r = json.load(sys.stdin)['by_route']; print(sum(n for k, n in r.items() if $2))"; }
dd_writes() { dd_stat "$1" 'not k.startswith("GET")'; }
dd_imports() { dd_stat "$1" 'k.startswith("POST") and k.endswith("/contacts/import")'; }
dd_requests_at_least() { [ "$(dd_stat "$2" True)" -ge "$1" ]; }
sed -e '/^sync /,$d' "$D/shop.camp" > "$D/dd.camp"
cat >> "$D/dd.camp" <<'EOF'
sync vip_dd "VIP in Dotdigital" {
  list vip
  dotdigital address_book "VIP"
  field FIRSTNAME = name
  field city
}
sync pro_dd "Prospects in Dotdigital" {
  list prospects
  dotdigital address_book "Prospects"
  field FIRSTNAME = name
}
sync rd_dd "Readers in Dotdigital" {
  list readers
  dotdigital address_book "Readers"
  field FIRSTNAME = name
}
EOF
# dddb NAME [CSV]: a database of the Dotdigital project (the people: vip = 1, 3, 5 as db; prospects refreshed)
dddb() {
  new_db "$D/$1.db" "$D/dd.camp" "${2:-$D/people.csv}" real &&
    { [ -n "${2:-}" ] || "$CAMP" list --db "$D/$1.db" add vip 1 3 5 > /dev/null; } &&
    "$CAMP" list --db "$D/$1.db" refresh prospects > /dev/null || bad "lists of $1"
}
# ddsync URL DB [ARGS...]: camp sync against the Dotdigital fake at URL (as sync)
ddsync() {
  _url=$1 _db=$2; shift 2
  CAMP_DOTDIGITAL_USER=$DD_USER CAMP_DOTDIGITAL_PASSWORD=$DD_PASSWORD CAMP_DOTDIGITAL_URL=$_url \
    "$CAMP" sync --db "$D/$_db.db" "$@" > "$D/out" 2> "$D/log"
  RC=$?
  grep -v ': waiting for ' "$D/log" > "$D/err"   # the driver's progress lines (a contact import polled) are not failures
}
dd_start a || abort "no Dotdigital fake"
dddb dd1
ddsync "$DD_a_URL" dd1 --dry-run
check "Dotdigital: a dry run before the first sync: exit 2" "$RC $(cat "$D/err")" "2 "
check "... nothing written there" "$(dd_writes "$DD_a_URL")" 0
expect_match "... the plan adds to the address book" "*sync vip_dd: list vip <-> dotdigital address book \"VIP\"*+ ada@x.test               add to address book (FIRSTNAME \"Ada\", CITY \"Paris\")*" "$(cat "$D/out")"
ddfake "$DD_a_URL" POST /_fake/stats/reset > /dev/null
ddsync "$DD_a_URL" dd1
check "Dotdigital: the first sync of three lists: exit 0" "$RC $(cat "$D/err")" "0 "
check "... one contact import per sync" "$(dd_imports "$DD_a_URL")" 3
check "... the books hold the send sets with their data fields" "$(dd_dump "$DD_a_URL")" \
'Prospects ada@x.test Subscribed {"FIRSTNAME": "Ada"}
Prospects cy@x.test Subscribed {"FIRSTNAME": "Cy"}
Prospects dee@x.test Subscribed {"FIRSTNAME": "Dee"}
Readers ada@x.test Subscribed {"FIRSTNAME": "Ada"}
Readers bob@x.test Subscribed {"FIRSTNAME": "Bob"}
Readers dee@x.test Subscribed {"FIRSTNAME": "Dee"}
VIP ada@x.test Subscribed {"CITY": "Paris", "FIRSTNAME": "Ada"}
VIP cy@x.test Subscribed {"CITY": "Nice", "FIRSTNAME": "Cy"}
VIP eve@x.test Subscribed {"CITY": "Brest", "FIRSTNAME": "Eve"}'
ddsync "$DD_a_URL" dd1 --dry-run
check "Dotdigital: a dry run after the sync: exit 0" "$RC $(cat "$D/err")" "0 "
ddfake "$DD_a_URL" POST /_fake/stats/reset > /dev/null
ddsync "$DD_a_URL" dd1
check "Dotdigital: a re-run with nothing changed only reads" "$RC $(dd_writes "$DD_a_URL")" "0 0"
"$CAMP" import --db "$D/dd1.db" --model contact --key email "$D/change.csv" > /dev/null
"$CAMP" list --db "$D/dd1.db" remove vip 5 > /dev/null
"$CAMP" list --db "$D/dd1.db" unsubscribe vip 3 > /dev/null
ddsync "$DD_a_URL" dd1 vip_dd rd_dd --dry-run
check "Dotdigital: a dry run with changes: exit 2" "$RC" 2
expect_match "... each change planned, in the order the syncs were named" "sync vip_dd*~ ada@x.test               FIRSTNAME \"Ada\" -> \"Adaline\"*! cy@x.test                unsubscribe (unsubscribed in list vip)*- eve@x.test               remove from address book (removed from list vip)*sync rd_dd*+ fay@x.test               add to address book (FIRSTNAME \"Fay\")*~ ada@x.test*- bob@x.test               remove from address book (no longer in the list)*" "$(cat "$D/out")"
ddfake "$DD_a_URL" POST /_fake/stats/reset > /dev/null
ddsync "$DD_a_URL" dd1 vip_dd rd_dd
check "Dotdigital: leaving, joining, unsubscribed, removed: exit 0" "$RC $(cat "$D/err")" "0 "
check "... the books follow" "$(dd_dump "$DD_a_URL" | grep -v '^Prospects')" \
'Readers ada@x.test Subscribed {"FIRSTNAME": "Adaline"}
Readers dee@x.test Subscribed {"FIRSTNAME": "Dee"}
Readers fay@x.test Subscribed {"FIRSTNAME": "Fay"}
VIP ada@x.test Subscribed {"CITY": "Paris", "FIRSTNAME": "Adaline"}'
check "... one contact import per sync" "$(dd_imports "$DD_a_URL")" 2
# an unsubscribe made on Dotdigital's side: the dry run plans it home and plans nothing for it there; the
# run brings it home (dee unsubscribed from readers in camp) and never puts dee back into the book
ddfake "$DD_a_URL" POST /_fake/contacts/dee@x.test/status '{"status":"Unsubscribed"}' > /dev/null
ddsync "$DD_a_URL" dd1 rd_dd --dry-run
expect_match "Dotdigital unsubscribed dee: the dry run plans it home only" "2 *camp:*dee@x.test*" "$RC $(cat "$D/out")"
check "... and nothing for dee on Dotdigital's side" "$(sed -n '/dotdigital:/,/camp:/p' "$D/out" | grep -c 'dee@')" 0
ddsync "$DD_a_URL" dd1 rd_dd
check "... the run: exit 0" "$RC $(cat "$D/err")" "0 "
check "... dee is unsubscribed from readers in camp" "$("$CAMP" list --db "$D/dd1.db" show readers --format csv | grep -i ',dee@x.test,')" "4,Dee@X.test,no,,0,"
check "... and still unsubscribed on Dotdigital" "$(dd_dump "$DD_a_URL" | grep '^Readers dee')" 'Readers dee@x.test Unsubscribed {"FIRSTNAME": "Dee"}'
ddsync "$DD_a_URL" dd1 rd_dd --dry-run
check "... then in sync" "$RC $(cat "$D/err")" "0 "
# storms and kills: the same end state as a clean run
dd_start clean
dddb ddclean "$D/many.csv"
ddsync "$DD_clean_URL" ddclean rd_dd
DDCLEAN=$(dd_dump "$DD_clean_URL")
expect_match "Dotdigital: 1,200 readers in the book" "*Readers r999@x.test Subscribed*" "$DDCLEAN"
dd_start storm
dddb ddstorm "$D/many.csv"
ddfake "$DD_storm_URL" POST /_fake/fail '{"status":429,"count":3,"retry_after":"1"}' > /dev/null
ddfake "$DD_storm_URL" POST /_fake/fail '{"status":500,"count":3,"methods":["POST"]}' > /dev/null
ddfake "$DD_storm_URL" POST /_fake/fail '{"status":503,"count":3,"match":"/contacts/import/"}' > /dev/null
ddfake "$DD_storm_URL" POST /_fake/import_polls '{"n":3}' > /dev/null
ddsync "$DD_storm_URL" ddstorm rd_dd
check "Dotdigital: through 429 and 500 storms: exit 0" "$RC $(cat "$D/err")" "0 "
expect_match "... the retries are counted" "*requests: * ([1-9]* retried)*" "$(cat "$D/out")"
check "... the same end state as a clean run" "$(dd_dump "$DD_storm_URL")" "$DDCLEAN"
for n in 2 4 6; do
  dd_start kill$n
  eval "url=\$DD_kill${n}_URL"
  ddfake "$url" POST /_fake/import_polls '{"n":5}' > /dev/null
  dddb ddk$n "$D/many.csv"
  CAMP_DOTDIGITAL_USER=$DD_USER CAMP_DOTDIGITAL_PASSWORD=$DD_PASSWORD CAMP_DOTDIGITAL_URL=$url \
    "$CAMP" sync --db "$D/ddk$n.db" rd_dd > /dev/null 2>&1 &
  pid=$!
  wait_for dd_requests_at_least "$n" "$url"
  kill -9 "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
  wait_for hung_up ddfake "$url" || bad "the killed sync's connection closes"   # the request in flight lands first
  ddsync "$url" ddk$n rd_dd
  check "Dotdigital: killed after $n requests, run again: exit 0" "$RC $(cat "$D/err")" "0 "
  check "... the same end state as one clean run" "$(dd_dump "$url")" "$DDCLEAN"
done
CAMP_DOTDIGITAL_USER= "$CAMP" sync --db "$D/dd1.db" vip_dd > "$D/out" 2> "$D/err"
expect_match "Dotdigital: no user: exit 1, one line" "1 camp sync: sync vip_dd: CAMP_DOTDIGITAL_USER is not set*" "$? $(cat "$D/err")"
CAMP_DOTDIGITAL_USER=$DD_USER CAMP_DOTDIGITAL_PASSWORD=wrong CAMP_DOTDIGITAL_URL=$DD_a_URL "$CAMP" sync --db "$D/dd1.db" vip_dd > "$D/out" 2> "$D/err"
expect_match "Dotdigital: a wrong password: exit 1, the provider's words" "1 camp sync: sync vip_dd: dotdigital: 401*" "$? $(cat "$D/err")"
check "... on one line" "$(wc -l < "$D/err" | tr -d ' ')" 1

finish

#!/bin/sh
# tests/suite_split.sh -- splits, conditions and A/B tests on the simulated
# clock (docs/RUNTIME.md "Splits, conditions and A/B tests"): a 3-way split
# sends each participant down exactly one path, the one the spec's hash
# names; an if with a null field goes to else (and without an else arm
# stops); an if reads the record as it is when reached, not at enrolment;
# the property test: 100,000 records (20,000 on PostgreSQL) over a 50/30/20 split land within 1
# percentage point of the shares, and a redeploy followed by another run
# moves nobody (paths before and after compared); an A/B mailing: variants
# to ~20% split evenly, more opens for b, the rest gets b's subject at the
# winner's time, the report shows the winner (and a tie goes to a); the
# report's branches in table, JSON (against docs/report.schema.json) and
# HTML (every number the JSON's).
# store: both
set -u
. tests/lib.sh
store_init
has_module jsonschema || abort "python3-jsonschema is missing (make test-deps)"
command -v sqlite3 > /dev/null || abort "sqlite3 is missing (make test-deps)"
cp tests/scenarios/models.camp "$D/models.camp"

# valid JSON-FILE: nothing when JSON-FILE meets docs/report.schema.json, else its errors
valid() {
  $PY -c '
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for e in jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))):
    print("/".join(map(str, e.absolute_path)) + ": " + e.message)' docs/report.schema.json "$1" 2>&1
}
# run DB UNTIL: camp run on DB up to UNTIL, mail to $D/mail-DB (DB's last part)
run() { "$CAMP" run --db "$1" --until "$2" --mail "file:$D/mail-$(basename "$1")" > /dev/null 2> "$D/run.err" || bad "run $1 until $2" "$(cat "$D/run.err")"; }
# contacts N [SCORE-EXPR]: a CSV of N contacts, contact i scoring SCORE-EXPR (awk, default i % 100)
contacts() {
  awk -v n="$1" 'BEGIN { print "name,email,phone,opt_out,tags,score"
    for (i = 1; i <= n; i++) printf "P%d,p%d@x.test,,false,,%d\n", i, i, '"${2:-i % 100}"' }'
}
# paths DB NODE: "record path" of every non-test participant's trace of activity NODE, by record
paths() {
  store_sql "$1" "SELECT p.record_id, t.path FROM camp_trace t JOIN camp_participant p ON p.id = t.participant
    JOIN camp_activity a ON a.id = t.activity WHERE a.name = '$2' AND p.test = 0 ORDER BY p.record_id, t.id"
}
# hashed CAMPAIGN NODE SHARES N: "record path" for records 1..N by the spec's hash
# (SHA-256 of "camp-split" NUL campaign NUL node NUL id, first 8 bytes big-endian mod 10000),
# computed here with Python's hashlib: the runtime's paths must be these
hashed() {
  $PY -c '
import hashlib, sys
camp, node, shares, n = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3].split(",")], int(sys.argv[4])
for rid in range(1, n + 1):
    h = hashlib.sha256(b"camp-split\0" + camp.encode() + b"\0" + node.encode() + b"\0" + str(rid).encode()).digest()
    b, upto = int.from_bytes(h[:8], "big") % 10000, 0
    for k, s in enumerate(shares):
        upto += s
        if b < upto: break
    print("%d|%d" % (rid, k))' "$@"
}

# -- a 3-way split: exactly one path each ---------------------------------------------
cat > "$D/three.camp" <<'CAMP'
use "models.camp"
campaign three "Three ways" {
  target contact
  split three_way {
    50% {
      email a {
        subject "A"
        body "<p>a</p>"
      }
    }
    30% {
      email b {
        subject "B"
        body "<p>b</p>"
      }
      action tag_b { add_tag("b") }
    }
    20% { }
  }
}
CAMP
store_db three
contacts 300 > "$D/three.csv"
new_db "$DB" "$D/three.camp" "$D/three.csv"
run "$DB" +1d
check "split: one processed node trace per participant" "$(ntraces "$DB" activity=three_way state=processed)" 300
check "split: each participant on exactly one path (a, b or none)" \
  "$(traces "$DB" record,activity | awk -F'|' '$2 == "a" || $2 == "b" { n[$1]++ } END { for (r in n) if (n[r] > 1) print r }')" ""
check "split: the paths are the spec's hash (Python's hashlib)" "$(paths "$DB" three_way)" "$(hashed three three_way 5000,3000,2000 300)"
check "split: the node's note names its path" \
  "$(traces "$DB" message activity=three_way | sort | uniq -c | awk '{ $1 = ""; print substr($0, 2) }')" \
  "$(printf 'path 1 of 3 (50%%)\npath 2 of 3 (30%%)\npath 3 of 3 (20%%)')"
n1=$(paths "$DB" three_way | grep -c '|0$'); n2=$(paths "$DB" three_way | grep -c '|1$'); n3=$(paths "$DB" three_way | grep -c '|2$')
check "split: path 1 sent a, path 2 sent b and tagged, path 3 nothing" \
  "$(ntraces "$DB" activity=a state=processed) $(ntraces "$DB" activity=b state=processed) $(ntraces "$DB" activity=tag_b state=processed)" "$n1 $n2 $n2"
check "split: everyone completed (the empty path too)" "$(report "$DB" 'r["campaigns"][0]["participants"]["completed"]')" 300
check "split: the mail of a path 1 record is a, of a path 2 record b" \
  "$(traces "$DB" activity record=$(paths "$DB" three_way | grep -m1 '|0$' | cut -d'|' -f1) | sort | join_lines ,)|$(traces "$DB" activity record=$(paths "$DB" three_way | grep -m1 '|1$' | cut -d'|' -f1) | sort | join_lines ,)" \
  "a,three_way|b,tag_b,three_way"
"$CAMP" report --db "$DB" --format json > "$D/three.json"
check "report: JSON valid against the schema" "$(valid "$D/three.json")" ""
check "report: the split's paths side by side (label, share, participants, sent)" \
  "$(jq_paths() { $PY -c 'import json, sys; b = json.load(open(sys.argv[1]))["campaigns"][0]["branches"][0]; print(b["name"], b["kind"], b["participants"], [(p["label"], p["share"], p["participants"], p["sent"], p["activities"]) for p in b["paths"]])' "$1"; }; jq_paths "$D/three.json")" \
  "three_way split 300 [('path 1', 50.0, $n1, $n1, ['a']), ('path 2', 30.0, $n2, $n2, ['b', 'tag_b']), ('path 3', 20.0, $n3, 0, [])]"
check "report: split and action kinds of the activities" \
  "$($PY -c 'import json, sys; print([(a["name"], a["kind"], "sent" in a) for a in json.load(open(sys.argv[1]))["campaigns"][0]["activities"]])' "$D/three.json")" \
  "[('three_way', 'split', False), ('a', 'email', True), ('b', 'email', True), ('tag_b', 'action', False)]"
"$CAMP" report --db "$DB" > "$D/three.txt"
expect_match "report: the table has a row per path" "*split three_way: 300 participants*path 1 * 50% * $n1 * $n1 *path 2 * 30% * $n2 * $n2 *path 3 * 20% * $n3 * 0 *" \
  "$(tr '\n' ' ' < "$D/three.txt")"
"$CAMP" report --db "$DB" --format html -o "$D/three.html"
check "report: every number of the page is the JSON's, the branches' promised ones included" \
  "$($PY tests/report/compare.py "$D/three.html" "$D/three.json" 2>&1 > /dev/null)" ""
check "report: the page has the section" "$(grep -c 'Splits, conditions and A/B tests' "$D/three.html")" 1
# the schema can fail: a path without participants, an unknown branch kind
for bad_edit in 'del r["campaigns"][0]["branches"][0]["paths"][0]["participants"]' 'r["campaigns"][0]["branches"][0]["kind"] = "maybe"'; do
  $PY -c 'import json, sys; r = json.load(open(sys.argv[1])); exec(sys.argv[2]); json.dump(r, open(sys.argv[3], "w"))' "$D/three.json" "$bad_edit" "$D/bad.json"
  expect_match "schema refuses: $bad_edit" "?*" "$(valid "$D/bad.json")"
done
check "preview: a split is no message" "$("$CAMP" preview --db "$DB" three three_way --record 1 2>&1 | head -1)" \
  "camp preview: activity 'three_way' is a split, not a message (email or SMS): nothing to preview (three's messages: a, b)"

# -- if / else: a null goes to else; no else arm: nobody continues -------------------------
# an if with an email in each arm (both campaigns below have it)
HIGH_LOW='if score >= 50 {
    email high {
      subject "High"
      body "<p>high</p>"
    }
  } else {
    email low {
      subject "Low"
      body "<p>low</p>"
    }
  }'
cat > "$D/cond.camp" <<CAMP
use "models.camp"
campaign cond "Condition" {
  target contact
  $HIGH_LOW
  if score < 50 {
    action small { add_tag("small") }
  }
}
CAMP
store_db cond
printf 'name,email,phone,opt_out,tags,score\nHi,hi@x.test,,false,,80\nLo,lo@x.test,,false,,10\nNull,null@x.test,,false,,\n' > "$D/cond.csv"
new_db "$DB" "$D/cond.camp" "$D/cond.csv"
run "$DB" +1d
check "if: 80 then, 10 else, null else (not rejected by both)" \
  "$(traces "$DB" record,activity,state,message activity~if_ | sort | join_lines ' ')" \
  "1|if_1|processed|then 1|if_2|processed|else 2|if_1|processed|else 2|if_2|processed|then 3|if_1|processed|else 3|if_2|processed|else"
check "if: the chosen arm's email, and only it" "$(traces "$DB" record,activity state=processed activity!=if_1 activity!=if_2 | sort | join_lines ' ')" \
  "1|high 2|low 2|small 3|low"
check "if: nothing rejected" "$(ntraces "$DB" state=rejected)" 0
check "if: report then/else" \
  "$(report "$DB" '[(b["name"], b["kind"], [(p["label"], p["share"], p["participants"], p["sent"]) for p in b["paths"]]) for b in r["campaigns"][0]["branches"]]')" \
  "[('if_1', 'if', [('then', None, 1, 1), ('else', None, 2, 2)]), ('if_2', 'if', [('then', None, 1, 0), ('else', None, 2, 0)])]"
"$CAMP" report --db "$DB" --format json > "$D/cond.json"
check "if: report JSON valid" "$(valid "$D/cond.json")" ""

# -- nested: a split in an if arm; camp test takes the same paths ------------------------------
cat > "$D/nested.camp" <<'CAMP'
use "models.camp"
campaign nested "Nested" {
  target contact
  if score >= 50 {
    split inner {
      50% {
        email x {
          subject "X"
          body "<p>x</p>"
        }
      }
      50% {
        email y {
          subject "Y"
          body "<p>y</p>"
        }
      }
    }
  }
}
CAMP
store_db nested
contacts 100 > "$D/nested.csv"
new_db "$DB" "$D/nested.camp" "$D/nested.csv"
run "$DB" +1d
check "nested: only the then arm reaches the split, each on the hash's path" \
  "$(paths "$DB" inner)" "$(hashed nested inner 5000,5000 100 | awk -F'|' '$1 % 100 >= 50')"
check "nested: the if's then path holds the split and its emails, and sums their sends" \
  "$(report "$DB" '[(b["name"], [(p["label"], p["participants"], p["activities"], p["sent"]) for p in b["paths"]]) for b in r["campaigns"][0]["branches"]]')" \
  "[('if_1', [('then', 50, ['inner', 'x', 'y'], 50), ('else', 50, [], 0)]), ('inner', [('path 1', $(paths "$DB" inner | grep -c '|0$'), ['x'], $(ntraces "$DB" activity=x state=processed)), ('path 2', $(paths "$DB" inner | grep -c '|1$'), ['y'], $(ntraces "$DB" activity=y state=processed))])]"
rec=$(paths "$DB" inner | grep -m1 '|1$' | cut -d'|' -f1)
"$CAMP" test --db "$DB" nested --record "$rec" --mail "file:$D/test-mail" > "$D/test.out" 2>&1 || bad "nested: camp test" "$(cat "$D/test.out")"
check "nested: camp test of a path 2 record runs then, path 2 of 2 and y" \
  "$(awk 'NR > 1 { print $1, $3 }' "$D/test.out" | join_lines ', ')|$(grep -c 'path 2 of 2 (50%)' "$D/test.out")" "if_1 processed, inner processed, y processed|1"

# -- an if reads the record when it is reached ------------------------------------------------
cat > "$D/late.camp" <<CAMP
use "models.camp"
campaign late "Late" {
  target contact
  email first after 2 days {
    subject "First"
    body "<p>first</p>"
    on done {
      $HIGH_LOW
    }
  }
}
CAMP
store_db late
printf 'name,email,phone,opt_out,tags,score\nUp,up@x.test,,false,,10\nDown,down@x.test,,false,,90\nSame,same@x.test,,false,,90\n' > "$D/late.csv"
new_db "$DB" "$D/late.camp" "$D/late.csv"
run "$DB" +1d
check "late: enrolled, the if not reached yet" "$(ntraces "$DB" activity=first state=scheduled) $(ntraces "$DB" activity=if_1)" "3 0"
printf 'email,score\nup@x.test,95\ndown@x.test,\n' > "$D/late-update.csv"
"$CAMP" import --db "$DB" --model contact --key email "$D/late-update.csv" > /dev/null || bad "late: import the changes"
store_sql "$DB" "UPDATE contact SET score = 5 WHERE email = 'same@x.test'"    # a change no import made: read all the same
run "$DB" +3d
check "late: each record took the arm of its value at the node's time" \
  "$(traces "$DB" record,activity,message activity~if_ | sort | join_lines ' ')" "1|if_1|then 2|if_1|else 3|if_1|else"
check "late: and got that arm's email" "$(traces "$DB" record,activity state=processed activity!=first activity!=if_1 | sort | join_lines ' ')" \
  "1|high 2|low 3|low"

# -- the property test: 100,000 records, 50/30/20, a redeploy moves nobody ---------------------
cat > "$D/big.camp" <<'CAMP'
use "models.camp"
campaign big "Big" {
  target contact
  split halves {
    50% { }
    30% { }
    20% { }
  }
  email later after 30 days {
    subject "Later"
    body "<p>later</p>"
  }
}
CAMP
# on PostgreSQL (the rerun) 20,000 records unless given: the same checks
# (the paths are the hash of fixed ids: the shares are the same every run)
PN=100000
[ "$STORE" = postgresql ] && PN=${SPLIT_RECORDS_PG:-20000}
store_db big
contacts "$PN" > "$D/big.csv"
new_db "$DB" "$D/big.camp" "$D/big.csv"
t0=$(date +%s)
run "$DB" +1d
echo "     $PN records enrolled and split in $(($(date +%s) - t0)) s"
paths "$DB" halves > "$D/before"
shares=$(awk -F'|' -v t="$PN" '{ n[$2]++ } END { printf "%.2f %.2f %.2f", 100 * n[0] / t, 100 * n[1] / t, 100 * n[2] / t }' "$D/before")
echo "     observed shares: $shares (declared 50 30 20)"
check "property: $PN participants, one path each" "$(wc -l < "$D/before" | tr -d ' ') $(cut -d'|' -f1 "$D/before" | sort -u | wc -l | tr -d ' ')" "$PN $PN"
check "property: each observed share within 1 percentage point of the declared one" \
  "$(echo "$shares" | awk '{ d1 = $1 - 50; d2 = $2 - 30; d3 = $3 - 20; print (d1 * d1 <= 1 && d2 * d2 <= 1 && d3 * d3 <= 1) ? "within" : "off: " $0 }')" within
hashed big halves 5000,3000,2000 "$PN" > "$D/big-hash"
check "property: every path is the spec's hash (Python's hashlib)" "$(cmp "$D/before" "$D/big-hash" 2>&1 && echo same)" same
sed 's/subject "Later"/subject "Later, changed"/' "$D/big.camp" > "$D/big2.camp"
"$CAMP" deploy --db "$DB" "$D/big2.camp" > "$D/deploy.out" 2>&1 || bad "property: redeploy" "$(cat "$D/deploy.out")"
check "property: the redeploy made version 2" "$(report "$DB" 'r["campaigns"][0]["version"]')" 2
run "$DB" +2d
paths "$DB" halves > "$D/after"
check "property: after the redeploy and a run, nobody moved" "$(cmp "$D/before" "$D/after" 2>&1 && echo same)" same
# the same records under the new version in a database of their own: the same paths
store_db big2
new_db "$DB" "$D/big2.camp" "$D/big.csv"
run "$DB" +1d
check "property: version 2 from scratch puts everyone where version 1 did" "$(paths "$DB" halves | cmp - "$D/before" 2>&1 && echo same)" same

# -- an A/B mailing ---------------------------------------------------------------------------------
# ab NAME METRIC OPEN-A OPEN-B [CLICK-A CLICK-B]: a database with 1000 contacts
# and the A/B mailing NAME (winner by METRIC) sent at 10:00; after the variants
# went out, OPEN-A of a's messages in 100 and OPEN-B of b's are opened, CLICK-A
# and CLICK-B clicked (a click is an open too); then the run goes past the
# winner's time
ab() {
  cat > "$D/$1.camp" <<CAMP
use "models.camp"
list everyone "Everyone" {
  target contact
  where email is set
}
mailing $1 "Spring" {
  to list everyone
  at 2026-01-05T10:00:00Z
  subject "Spring"
  body "<p>spring</p>"
  test 20% {
    variant a { subject "Spring is here" }
    variant b { subject "Our spring sale" }
    winner by $2 after 4 hours
  }
}
CAMP
  store_db "$1"
  contacts 1000 > "$D/ab.csv"
  new_db "$DB" "$D/$1.camp" "$D/ab.csv"
  run "$DB" 2026-01-05T11:00:00Z
  "$CAMP" timeline --db "$DB" --format json | $PY -c '
import json, sys
opens, clicks, seen = {"a": int(sys.argv[1]), "b": int(sys.argv[2])}, {"a": int(sys.argv[3]), "b": int(sys.argv[4])}, {"a": 0, "b": 0}
for t in json.load(sys.stdin)["traces"]:
    v = t["activity"]
    if v in seen and t["message_id"]:
        if seen[v] % 100 < clicks[v]:
            print(json.dumps({"event": "click", "message_id": t["message_id"], "url": "https://example.com/sale"}))
        elif seen[v] % 100 < opens[v]:
            print(json.dumps({"event": "open", "message_id": t["message_id"]}))
        seen[v] += 1' "$3" "$4" "${5:-0}" "${6:-0}" > "$D/opens.jsonl"
  "$CAMP" event --db "$DB" --file "$D/opens.jsonl" > /dev/null 2>&1 || bad "$1: the opens"
  run "$DB" 2026-01-05T15:00:00Z
}
ab spring opens 10 50
na=$(ntraces "$DB" activity=a state=processed); nb=$(ntraces "$DB" activity=b state=processed); nw=$(ntraces "$DB" activity=winner)
echo "     A/B: a $na, b $nb, the rest $nw"
check "A/B: the variants went to about 20%, split evenly (each 70-130 of 1000)" \
  "$(echo "$na $nb" | awk '{ print ($1 >= 70 && $1 <= 130 && $2 >= 70 && $2 <= 130) ? "yes" : "no" }')" yes
check "A/B: everyone else waits for the winner, one message each" "$((na + nb + nw))" 1000
check "A/B: the winner went out at its time, to all of the rest" \
  "$(traces "$DB" done activity=winner state=processed | sort -u | join_lines ' ')" "2026-01-05T14:00:00Z"
check "A/B: the rest got b's subject" \
  "$(traces "$DB" message_id activity=winner | while read -r m; do grep -m1 '^Subject:' "$D/mail-$(basename "$DB")/$m.eml"; done | tr -d '\r' | sort | uniq -c | awk '{ $1 = $1; print }')" \
  "$nw Subject: Our spring sale"
check "A/B: the winner's traces say why" \
  "$(traces "$DB" message activity=winner | sort -u)" \
  "$(report "$DB" '"A/B winner: b (opens %.1f%% vs a %.1f%%)" % tuple(100 * a["opened"] / a["sent"] for n in "ba" for a in acts if a["name"] == n)')"
"$CAMP" report --db "$DB" --format json > "$D/ab.json"
check "A/B: report JSON valid" "$(valid "$D/ab.json")" ""
check "A/B: the report shows the test, its variants and the winner" \
  "$($PY -c 'import json, sys; b = json.load(open(sys.argv[1]))["campaigns"][0]["branches"][0]; print(b["name"], b["kind"], b["metric"], b["winner"], [(p["label"], p["share"], p["participants"], p["sent"], p.get("chosen")) for p in b["paths"]])' "$D/ab.json")" \
  "test test opens b [('a', 10.0, $na, $na, 0), ('b', 10.0, $nb, $nb, $nw), ('winner', 80.0, $nw, $nw, None)]"
"$CAMP" report --db "$DB" > "$D/ab.txt"
expect_match "A/B: the table names the winner" "*A/B test test (winner by opens): 1000 participants, winner b*" "$(cat "$D/ab.txt")"
"$CAMP" report --db "$DB" --format html -o "$D/ab.html"
check "A/B: the page's numbers are the JSON's" "$($PY tests/report/compare.py "$D/ab.html" "$D/ab.json" 2>&1 > /dev/null)" ""
# the other way round, and a tie: the earlier variant
ab autumn opens 60 20
check "A/B: more opens for a: the rest gets a" "$(report "$DB" 'r["campaigns"][0]["branches"][0]["winner"]')" a
ab clicks clicks 30 60 30 0
check "A/B: by clicks, a (clicked) wins over b (opened more, never clicked)" \
  "$(report "$DB" '" ".join(r["campaigns"][0]["branches"][0][k] for k in ("metric", "winner"))')" "clicks a"
check "A/B: the clicks note" "$(traces "$DB" message activity=winner | sort -u)" \
  "$(report "$DB" '"A/B winner: a (clicks %.1f%% vs b 0.0%%)" % [100 * a["clicked"] / a["sent"] for a in acts if a["name"] == "a"][0]')"
ab even opens 0 0
check "A/B: no opens at all (a tie): the earlier variant, a" "$(report "$DB" 'r["campaigns"][0]["branches"][0]["winner"]')" a
check "A/B: the tie's note" "$(traces "$DB" message activity=winner | sort -u)" "A/B winner: a (opens 0.0% vs b 0.0%)"

# -- one winner across a local mailing's waves ---------------------------------------------------
# A mailing `at ... local` goes out in waves, one per zone, and so do its
# winner emails: the first wave's winner (Tokyo's, 04:00 UTC) is the test's,
# and the later waves (Paris, 12:00 UTC) send it too -- even when the counts
# have turned since (every message of a opened in between).  Before, each
# wave chose again: Paris got a.
cat > "$D/zoned_models.camp" <<'CAMP'
model contact {
  name text
  email email
  tz text
}
CAMP
cat > "$D/waves.camp" <<'CAMP'
use "zoned_models.camp"
list everyone "Everyone" {
  target contact
  where email is set
}
mailing waves "Waves" {
  to list everyone
  at 2026-01-05 09:00 local
  timezone from tz
  subject "Spring"
  body "<p>spring</p>"
  test 20% {
    variant a { subject "Spring is here" }
    variant b { subject "Our spring sale" }
    winner by opens after 4 hours
  }
}
CAMP
awk 'BEGIN { print "name,email,tz"; for (i = 1; i <= 1000; i++) printf "P%d,p%d@x.test,%s\n", i, i, i % 2 ? "Asia/Tokyo" : "Europe/Paris" }' > "$D/waves.csv"
store_db waves
"$CAMP" init --db "$DB" --clock 2026-01-04T12:00:00Z > /dev/null
"$CAMP" deploy --db "$DB" --start "$D/zoned_models.camp" "$D/waves.camp" > /dev/null 2>&1 || bad "waves: deploy"
"$CAMP" import --db "$DB" --model contact "$D/waves.csv" > /dev/null || bad "waves: import"
# opens VARIANT: every message of VARIANT sent so far is opened
opens() {
  traces "$DB" message_id activity="$1" message_id!= | awk '{ printf "{\"event\":\"open\",\"message_id\":\"%s\"}\n", $0 }' > "$D/waves.jsonl"
  "$CAMP" event --db "$DB" --file "$D/waves.jsonl" > /dev/null 2>&1 || bad "waves: opens of $1"
}
run "$DB" 2026-01-05T03:00:00Z
opens b                                             # Tokyo's wave: b opened, a not
run "$DB" 2026-01-05T09:00:00Z                      # Tokyo's winners (04:00 UTC), Paris's variants (08:00 UTC)
opens a                                             # now every a opened: a leads
run "$DB" 2026-01-05T13:00:00Z                      # Paris's winners (12:00 UTC)
check "waves: the winners went out in two waves" "$(traces "$DB" done activity=winner state=processed | sort -u | join_lines ' ')" \
  "2026-01-05T04:00:00Z 2026-01-05T12:00:00Z"
check "waves: every winner email sent b's subject, in both waves" \
  "$(traces "$DB" message_id activity=winner | while read -r m; do grep -m1 '^Subject:' "$D/mail-$(basename "$DB")/$m.eml"; done | tr -d '\r' | sort -u)" \
  "Subject: Our spring sale"
check "waves: one note for all of them" "$(traces "$DB" message activity=winner | sort -u | wc -l | tr -d ' ')" 1
check "waves: the report's winner is b" "$(report "$DB" 'r["campaigns"][0]["branches"][0]["winner"]')" b

finish

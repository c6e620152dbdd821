#!/bin/sh
# tests/suite_graph.sh -- `camp graph --db DB CAMPAIGN`: the deployed workflow
# with live numbers (the drawings of files are golden pairs in
# tests/golden/graph/).
#   - tests/golden/graph/live.camp (a campaign and a mailing) is deployed,
#     run over a simulated day and a half with opens, clicks and a bounce,
#     and a test participant (which never counts);
#     the drawings of both are exactly tests/golden/graph/db/*.dot
#     (UPDATE=1 rewrites them, for review in the commit);
#   - the lists a campaign tests or fills (in_list, add_to_list) are drawn
#     from the image with the same edges as from the file, and so are the
#     trigger edges of visit branches with their conditions;
#   - every number drawn (participants; per activity processed, rejected,
#     waiting, canceled, error, sent, opened, clicked) is the one
#     `camp report --format json` gives, and every current activity is drawn;
#   - the drawings are valid DOT (Graphviz's dot renders them without a word);
#   - a stopped campaign says so; after a redeploy that reorders the
#     activities the numbers stay with their activities, a removed one is
#     not drawn, and the version is the new one;
#   - without --db, an operand that is no file and does not end in .camp is
#     a campaign of $CAMP_DB (a missing FILE.camp still cannot be read);
#   - a campaign that is not deployed, a missing database and usage errors
#     exit 1, 1 and 2 with a message.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
[ -x "$CAMP" ] || abort "graph: no camp binary at $CAMP (run make)"
G=tests/golden/graph
DB=$D/g.db
run() { "$CAMP" run --db "$DB" --until "$1" --mail "file:$D/mail" --sms "file:$D/sms" > /dev/null || bad "run --until $1"; }
mid() { traces "$DB" message_id record="$1" activity="$2" test=false; }
event() { "$CAMP" event --db "$DB" "$1" --message-id "$(mid "$2" "$3")" --at "$4" ${5:+--url "$5"} > /dev/null || bad "event $1 $2 $3"; }

# same NAME DOT CAMPAIGN: every number of the drawing DOT is what the
# report says of CAMPAIGN, and each current activity is drawn once
same() {
  "$CAMP" report --db "$DB" --format json "$3" > "$D/report.json" || { bad "$1: report"; return; }
  got=$($PY - "$2" "$D/report.json" <<'EOF'
import json, re, sys
dot = open(sys.argv[1], encoding="utf-8").read()
camp = json.load(open(sys.argv[2]))["campaigns"][0]
labels = {}
for m in re.finditer(r'^\s*(c\d+(?:_\d+)?|m\d+) \[label="((?:[^"\\]|\\.)*)"', dot, re.M):
    labels[m.group(1)] = m.group(2).split("\\n")
def num(lines, word):
    for l in lines:
        m = re.search(r"\b%s (\d+)" % word, l)
        if m: return int(m.group(1))
    return 0
bad = []
drawn = {}
for node, lines in labels.items():
    if node == "c1":
        drawn_parts = dict((k, int(n)) for l in lines if l.startswith("participants:") for n, k in re.findall(r"(\d+) (\w+)", l))
        for k in ("running", "completed", "left", "unlinked"):
            if drawn_parts.get(k, 0) != camp["participants"][k]: bad.append("start %s" % k)
        if "running" not in drawn_parts: bad.append("no participants on the start")
        continue
    name = lines[0].split(" ", 1)[1]
    drawn[name] = drawn.get(name, 0) + 1
    act = next((a for a in camp["activities"] if a["name"] == name), None)
    if act is None: bad.append("%s not in the report" % name); continue
    pairs = [("processed", "processed"), ("rejected", "rejected"), ("waiting", "scheduled"), ("canceled", "canceled"), ("error", "error")]
    if act["kind"] != "action": pairs += [("sent", "sent"), ("opened", "opened"), ("clicked", "clicked")]
    for word, key in pairs:
        if num(lines, word) != act[key]: bad.append("%s %s: drawn %d, report %d" % (name, word, num(lines, word), act[key]))
for a in camp["activities"]:
    if a["active"] and drawn.get(a["name"]) != 1: bad.append("%s drawn %d times" % (a["name"], drawn.get(a["name"], 0)))
    if not a["active"] and a["name"] in drawn: bad.append("removed %s drawn" % a["name"])
print("; ".join(bad) if bad else "same")
EOF
)
  expect "$1" same "$got"
}

# golden NAME DOT: DOT is tests/golden/graph/db/NAME.dot (UPDATE=1 rewrites it)
golden() {
  if [ -n "${UPDATE:-}" ]; then cp "$2" "$G/db/$1.dot"; ok "$1 (updated $G/db/$1.dot)"; return; fi
  if diff -u "$G/db/$1.dot" "$2" > "$D/diff"; then ok "$1 is $G/db/$1.dot"; else bad "$1 differs from $G/db/$1.dot" "$(head -n 60 "$D/diff")"; fi
}

# valid NAME DOT: Graphviz renders DOT without an error or a warning
valid() {
  if ! command -v dot > /dev/null 2>&1; then bad "$1: no dot (make test installs graphviz)"; return; fi
  if dot -Tsvg "$2" > "$D/out.svg" 2> "$D/dot.err" && [ ! -s "$D/dot.err" ] && grep -q '<svg' "$D/out.svg"; then ok "$1 is valid DOT"
  else bad "$1 is not valid DOT" "$(cat "$D/dot.err")"; fi
}

# 1. A campaign and a mailing, run with events.
printf '%s\n' 'name,email,phone,opt_out,tags,score' 'Ada,ada@x.test,+33600000001,false,,1' 'Bob,bob@x.test,,false,,2' \
  'Cy,cy@x.test,+33600000003,false,,3' 'Dee,,+33600000004,false,,5' 'Eve,eve@x.test,+33600000005,false,,0' > "$D/c.csv"
new_db "$DB" "$G/live.camp" "$D/c.csv" || { finish; exit 1; }
run +3h
event open 1 hello 2026-01-05T12:00:00Z
event click 1 hello 2026-01-05T12:05:00Z https://example.com/a
event click 2 hello 2026-01-05T12:10:00Z https://example.com/a
event bounce 3 hello 2026-01-05T12:15:00Z
run 2026-01-06T12:00:00Z
# a test participant's traces never count (the report leaves them out too)
"$CAMP" test --db "$DB" live --record 5 --run hello --mail "file:$D/mail" --sms "file:$D/sms" > /dev/null || bad "camp test"
expect "the test participant has traces" 1 "$([ "$(ntraces "$DB" test=true)" -ge 3 ] && echo 1)"

"$CAMP" graph --db "$DB" live > "$D/live.dot" 2> "$D/err"; rc=$?
expect "graph --db live: exit 0, nothing on stderr" "0 " "$rc $(cat "$D/err")"
golden live "$D/live.dot"
same "live: numbers are the report's" "$D/live.dot" live
valid live "$D/live.dot"
"$CAMP" graph --db "$DB" news > "$D/news.dot"; rc=$?
expect "graph --db news (a mailing): exit 0" 0 "$rc"
golden news "$D/news.dot"
same "news: numbers are the report's" "$D/news.dot" news
valid news "$D/news.dot"
# the drawing says something worth drawing: waiting traces, a rejection, a click
expect_match "live: the drawing shows waiting, rejected and canceled traces" \
  '*"sms thanks*processed 1, rejected 1, waiting 1*clicked 0"*"email reminder*waiting 1, canceled 3*' "$(tr '\n' ' ' < "$D/live.dot")"

# the lists a campaign tests or fills are drawn from the image as from the file
for f in "$G/live.camp" examples/double_opt_in.camp; do
  n=$(basename "$f" .camp)
  [ "$n" = live ] && db=$DB || { db=$D/$n.db; new_db "$db" "$f" || continue; }
  "$CAMP" graph "$f" | grep '^  c[0-9_]* -> l' > "$D/file.edges"
  "$CAMP" graph --db "$db" "$(sed -n 's/^campaign \([a-z_]*\) .*/\1/p' "$f")" | grep '^  c[0-9_]* -> l' > "$D/db.edges"
  expect "$n: the same list edges from the database as from the file" "$(cat "$D/file.edges")" "$(cat "$D/db.edges")"
  [ -s "$D/db.edges" ] || bad "$n: no list edges"
done

# visit branches: the edges carry their condition (URL pattern or event
# name, escaped for DOT) from the image as from the file
v=$G/visit_branches.camp
if new_db "$D/visits.db" "$v"; then
  "$CAMP" graph "$v" | grep -- '-> c1_[0-9]* \[' > "$D/file.edges"
  "$CAMP" graph --db "$D/visits.db" c | grep -- '-> c1_[0-9]* \[' > "$D/db.edges"
  expect "visit_branches: the same trigger edges from the database as from the file" "$(cat "$D/file.edges")" "$(cat "$D/db.edges")"
  expect_match "visit_branches: the conditions are drawn" '*"visited /pricing% within 2 days"*"event signup within 1 week"*"no visit /say \\"hi\\"\\\\% within 3 days"*' \
    "$(tr '\n' ' ' < "$D/db.edges")"
  "$CAMP" graph --db "$D/visits.db" c > "$D/visits.dot"
  valid visit_branches "$D/visits.dot"
fi

# splits and ifs: each path's edge carries its share or then/else, a path
# nobody continues on ends in an end node, from the image as from the file;
# a mailing's A/B test is named on its node
b=$G/branches.camp
if new_db "$D/branches.db" "$b"; then
  "$CAMP" graph "$b" | grep -- '-> c1_[0-9_]* \[' > "$D/file.edges"
  "$CAMP" graph --db "$D/branches.db" onboarding | grep -- '-> c1_[0-9_]* \[' > "$D/db.edges"
  expect "branches: the same path edges from the database as from the file" "$(cat "$D/file.edges")" "$(cat "$D/db.edges")"
  expect "branches: shares, then/else and ends are drawn" 3 "$(grep -cxF -e '    c1_2 -> c1_3 [label="50%"];' \
    -e '    c1_2 -> c1_2_2 [label="12.5%", style=dotted];' -e '    c1_5 -> c1_7 [label="else"];' "$D/db.edges")"
  "$CAMP" graph --db "$D/branches.db" onboarding > "$D/branches.dot"
  valid branches "$D/branches.dot"
  expect "branches: the start node shows zone, window, caps and priority, from the image as from the file" \
    "$("$CAMP" graph "$b" | grep '^    c1 \[' | sed 's/", shape=oval.*//')" \
    "$(grep '^    c1 \[' "$D/branches.dot" | sed 's/\\nparticipants:.*//')"
  "$CAMP" graph --db "$D/branches.db" spring > "$D/spring.dot"
  expect_match "branches: the A/B test on the mailing's node" '*A/B test 20%: a, b, c; winner by clicks after 4 hours*' "$(cat "$D/spring.dot")"
  valid spring "$D/spring.dot"
fi

# 2. State and versions.
"$CAMP" stop --db "$DB" live > /dev/null
expect_match "a stopped campaign says so" '*(live)?nversion 1, stopped";*' "$("$CAMP" graph --db "$DB" live)"
# v2: score_check first, reminder removed; the numbers stay with the names
sed -n '1,/^campaign live/p' "$G/live.camp" > "$D/live_v2.camp"
cat >> "$D/live_v2.camp" <<'EOF'
  target contact
  where email is set

  action score_check after 2 hours {
    where score >= 2 or in_list(scored)
    add_tag("scored")
  }

  email hello after 1 hour {
    subject "Hello {{ name }}"
    body "<p>Hi <a href='https://example.com/a'>a</a></p>"
    from "Shop <shop@example.com>"
    expire 2 days

    on open within 3 days {
      action opened after 30 minutes {
        add_tag("opened")
      }
    }
    on click within 3 days {
      sms thanks {
        where phone is set
        text "Thanks {{ name }}"
      }
    }
    on bounce within 3 days {
      action block {
        opt_out()
      }
    }
  }
}
EOF
"$CAMP" check "$D/live_v2.camp" > "$D/check" 2>&1 || bad "live_v2.camp checks" "$(cat "$D/check")"
"$CAMP" deploy --db "$DB" "$D/live_v2.camp" > /dev/null || bad "deploy v2"
"$CAMP" graph --db "$DB" live > "$D/v2.dot"
expect_match "v2: score_check is drawn first, version 2" \
  '*(live)?nversion 2, stopped";*c1_1 ?label="action score_check*' "$(tr '\n' ' ' < "$D/v2.dot")"
expect "v2: the removed reminder is not drawn" 0 "$(grep -c 'reminder' "$D/v2.dot")"
same "v2: numbers follow the activities, not their places" "$D/v2.dot" live
valid v2 "$D/v2.dot"

# 3. Without --db: an operand that is no file (and not NAME.camp) is a
# campaign of $CAMP_DB; a missing NAME.camp is still a file that cannot be read.
CAMP_DB=$DB "$CAMP" graph live > "$D/env.dot" 2>&1; rc=$?
"$CAMP" graph --db "$DB" live > "$D/v2again.dot"
expect "CAMP_DB=DB camp graph CAMPAIGN draws as --db does" "0 same" "$rc $(cmp -s "$D/env.dot" "$D/v2again.dot" && echo same)"
CAMP_DB=$DB "$CAMP" graph "$D/none.camp" > /dev/null 2> "$D/err"; rc=$?
expect_match "a missing FILE.camp: exit 2, cannot read" "2 *cannot read*none.camp*" "$rc $(cat "$D/err")"

# 4. Errors.
"$CAMP" graph --db "$DB" nope > "$D/out" 2> "$D/err"; rc=$?
expect "a campaign not deployed: exit 1, a message, no drawing" "1 camp graph: no campaign 'nope' is deployed|" \
  "$rc $(cat "$D/err")|$(cat "$D/out")"
"$CAMP" graph --db "$D/none.db" live > "$D/out" 2> "$D/err"; rc=$?
expect_match "a missing database: exit 1 with a message" "1 camp graph: *" "$rc $(cat "$D/err")"
"$CAMP" graph --db "$DB" > /dev/null 2> "$D/err"; rc=$?
expect_match "--db without CAMPAIGN: exit 2, usage" "2 *usage: camp graph*" "$rc $(cat "$D/err")"
"$CAMP" graph --db "$DB" live news > /dev/null 2>&1; rc=$?
expect "two campaigns: exit 2" 2 "$rc"
"$CAMP" graph --db "$DB" --root . live > /dev/null 2> "$D/err"; rc=$?
expect_match "--root with --db: exit 2" "2 *--root*" "$rc $(cat "$D/err")"

finish

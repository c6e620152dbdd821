#!/bin/sh
# tests/suite_plan.sh -- `camp plan` shows what a redeploy changes, the way
# Terraform does: per activity added (+), removed (-, with the pending
# traces it cancels) and changed (~) with each property old -> new --
# subjects, bodies as a unified diff, filters as fmt prints them (a change
# of layout alone shows nothing), delays and windows in human units -- and
# per campaign what the next sync would do.  Exit 2 when anything would
# change (enrolment alone included), 0 when nothing would.  `camp deploy`
# prints the same lines as it applies them.
#
# Fixtures: tests/plan/v1 and v2 (welcome.camp and its body file
# hello.html), over tests/plan/models.camp.
set -u
. tests/lib.sh
P=$D/p
mkdir -p "$P"
cp tests/plan/models.camp tests/plan/v1/* "$P"
DB=$D/db
printf 'name,email,phone,opt_out,tags,score\nAda,ada@x.test,,false,,3\nBob,bob@x.test,,false,,5\n' > "$D/two.csv"
new_db "$DB" "$P/welcome.camp" "$D/two.csv"
"$CAMP" run --db "$DB" --until +2h --mail sink: > /dev/null || bad "first run"
plan() { NO_COLOR= "$CAMP" plan --db "$DB" "$P/welcome.camp" > "$D/plan" 2>&1; echo $?; }
has() { grep -cxF -- "$1" "$D/plan"; }

# -- a new version ---------------------------------------------------------------
cp tests/plan/v2/* "$P"
"$CAMP" timeline --db "$DB" > "$D/before"
check "changes: exit 2" "$(plan)" 2
check "campaign line: version old -> new" "$(has '~ campaign welcome (version 1 -> 2)')" 1
check "subject: old -> new, quoted, its {{ }} laid out as fmt would" "$(has '      subject: "Hi {{ name }}" -> "Hello {{ name }}"')" 1
check "body: a unified diff of the body file ({{name}} for {{ name }} on line 1 is no change)" \
  "$(grep -A8 -x '      body:' "$D/plan" | sed -n '2p;6,7p')" \
  "$(printf '        @@ -3,6 +3,6 @@\n        -  <li>offers</li>\n        +  <li>deals</li>')"
check "filter: old -> new as source text" "$(has '      where: score > 1 -> score > 2')" 1
check "filter laid out differently: no change shown" "$(grep -c '^    where' "$D/plan")" 0
check "delay in human units" "$(has '      delay: 3 days -> 1 week')" 1
check "window in human units" "$(has '      window: 3 days -> 5 days')" 1
check "the changed activities, each once" "$(grep '^  ~ activity' "$D/plan" | paste -sd'|')" \
  "  ~ activity hello|  ~ activity thanks|  ~ activity later"
check "removed activity with its pending traces canceled" "$(has '  - activity dropped (2 pending traces canceled)')" 1
check "added activity: kind, trigger, delay" "$(has '  + activity added (sms, top level, after 2 hours)')" 1
check "added activity reaches the running participants" "$(grep -A1 -F '+ activity added' "$D/plan" | tail -n 1)" \
  "      2 running participants get it"
check "no duration in seconds" "$(grep -cE '[0-9]+s( |$)' "$D/plan")" 0
check "summary" "$(tail -n 1 "$D/plan")" "Plan: 1 to add, 3 to change, 1 to remove."
check "the whole plan" "$(cat "$D/plan")" "$(cat tests/plan/v2.expected)"
"$CAMP" timeline --db "$DB" > "$D/after"
check "plan changes nothing" "$(cmp -s "$D/before" "$D/after" && echo same)" same
check "no colour when not a terminal" "$(grep -c "$(printf '\033')" "$D/plan")" 0
"$CAMP" plan --color=always --db "$DB" "$P/welcome.camp" > "$D/always" 2>&1
check "--color=always: coloured marks and diff lines, same text" \
  "$(grep -c "$(printf '\033\\[31m-  <li>offers</li>\033\\[0m')" "$D/always") $(sed "s/$(printf '\033')\[[0-9]*m//g" "$D/always" | cmp -s - "$D/plan" && echo same)" "1 same"
if command -v script > /dev/null; then
  script -qc "$CAMP plan --db $DB $P/welcome.camp" /dev/null > "$D/tty" 2>&1
  check "colour on a terminal: ~ yellow, + green, - red" \
    "$(grep -c "$(printf '\033\\[33m~\033\\[0m campaign')" "$D/tty") $(grep -c "$(printf '\033\\[32m+\033\\[0m activity')" "$D/tty") $(grep -c "$(printf '\033\\[31m-\033\\[0m activity')" "$D/tty")" "1 1 1"
  NO_COLOR=1 script -qc "$CAMP plan --db $DB $P/welcome.camp" /dev/null > "$D/tty" 2>&1
  check "NO_COLOR: none on a terminal either" "$(grep -c "$(printf '\033')" "$D/tty")" 0
  script -qc "$CAMP plan --color=never --db $DB $P/welcome.camp" /dev/null > "$D/tty" 2>&1
  check "--color=never: none on a terminal" "$(grep -c "$(printf '\033')" "$D/tty")" 0
else
  ok "colour on a terminal (no script(1) here: not checked)"; ok "NO_COLOR (not checked)"; ok "--color=never (not checked)"
fi

# -- deploy prints the same lines as it applies them -----------------------------
"$CAMP" deploy --db "$DB" "$P/welcome.camp" > "$D/deploy" 2>&1 || bad "deploy v2"
check "deploy: the plan's lines" "$(sed '$d' "$D/deploy")" "$(sed '$d' "$D/plan")"
check "deploy: its summary" "$(tail -n 1 "$D/deploy")" "Deployed: 1 added, 3 changed, 1 removed."
check "deployed: the delay moved the pending traces" "$(traces "$DB" due record=1 activity=later)" "2026-01-12T09:00:00Z"

# -- nothing but enrolment ---------------------------------------------------------
"$CAMP" run --db "$DB" --until +1m --mail sink: > /dev/null
check "no change: exit 0" "$(plan)" 0
check "no change: says so" "$(cat "$D/plan")" "$(printf 'campaign welcome: no changes (version 2)\nNo changes.')"
printf 'name,email,phone,opt_out,tags,score\nCy,cy@x.test,,false,,3\n' > "$D/cy.csv"
"$CAMP" import --db "$DB" --model contact "$D/cy.csv" > /dev/null
check "a record to enrol: exit 2" "$(plan)" 2
check "a record to enrol: the campaign's line" "$(cat "$D/plan")" \
  "$(printf '~ campaign welcome (version 2)\n  1 record would be enrolled\nPlan: 0 to add, 0 to change, 0 to remove; 1 record would be enrolled.')"
"$CAMP" run --db "$DB" --until +1m --mail sink: > /dev/null
printf 'email,opt_out\nada@x.test,true\n' > "$D/out.csv"
"$CAMP" import --db "$DB" --model contact --key email "$D/out.csv" > /dev/null
check "a participant to leave: exit 2" "$(plan)" 2
check "a participant to leave: said" "$(has '  1 participant would leave')" 1

# -- every kind of property -------------------------------------------------------------
mkdir -p "$D/k"
cp tests/plan/models.camp "$D/k"
cp tests/plan/more/v1.camp "$D/k/c.camp"
"$CAMP" init --db "$D/k.db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$D/k.db" "$D/k/c.camp" > /dev/null || bad "deploy more/v1"
cp tests/plan/more/v2.camp "$D/k/c.camp"
NO_COLOR= "$CAMP" plan --db "$D/k.db" "$D/k/c.camp" > "$D/plan" 2>&1
check "title, filter added, kind, delay, expire, a property added and removed, trigger, actions" \
  "$(cat "$D/plan")" "$(cat tests/plan/more/v2.expected)"

# -- timing: zone, window, caps, priority, calendar delays, at, shares, paths, an if's condition, a local time --
mkdir -p "$D/t"
cp tests/plan/models.camp "$D/t"
cp tests/plan/timing/v1.camp "$D/t/c.camp"
"$CAMP" init --db "$D/t.db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$D/t.db" "$D/t/c.camp" > /dev/null || bad "deploy timing/v1"
cp tests/plan/timing/v2.camp "$D/t/c.camp"
NO_COLOR= "$CAMP" plan --db "$D/t.db" "$D/t/c.camp" > "$D/plan" 2>&1
check "timing: zone, window, caps, priority, delays in calendar units, at, cap mode, shares, paths, condition, local time" \
  "$(cat "$D/plan")" "$(cat tests/plan/timing/v2.expected)"

# -- several files: one plan, one transaction ------------------------------------------
"$CAMP" init --db "$D/two.db" --clock 2026-01-05T09:00:00Z > /dev/null
printf 'use "models.camp"\n\ncampaign other "Other" {\n  target contact\n\n  email one {\n    subject "One"\n    body "x"\n  }\n}\n' > "$P/other.camp"
NO_COLOR= "$CAMP" plan --db "$D/two.db" "$P/models.camp" "$P/welcome.camp" "$P/other.camp" > "$D/plan" 2>&1
check "several files: each model planned once" "$(grep -c '^+ model contact' "$D/plan")" 1
check "several files: one summary" "$(grep -c '^Plan:' "$D/plan") $(tail -n 1 "$D/plan")" "1 Plan: 8 to add, 0 to change, 0 to remove."
printf 'campaign broken "B" {\n  target nobody\n}\n' > "$P/broken.camp"
"$CAMP" deploy --db "$D/two.db" "$P/welcome.camp" "$P/broken.camp" > /dev/null 2>&1
check "a file with errors: deploy exits 1" "$?" 1
check "a file with errors: nothing deployed, not even the files before it" "$(report "$D/two.db" 'len(r["campaigns"])')" 0

# -- a version deployed before camp kept sources --------------------------------------
sqlite3 "$D/old.db" < tests/migrate/v1.sql
mkdir -p "$D/m"
cp tests/plan/models.camp "$D/m"
sed 's/Hello {{/Hey {{/; s/within 3 days/within 4 days/' tests/migrate/v1.camp > "$D/m/c.camp"
NO_COLOR= "$CAMP" plan --db "$D/old.db" "$D/m/c.camp" > "$D/plan" 2>&1
check "old version: says its source is not stored" \
  "$(has '    (source of version 1 not stored: subjects, bodies and filters not compared)')" 1
check "old version: no guess at the subject" "$(grep -c 'subject:' "$D/plan")" 0
check "old version: the window still compared" "$(has '      window: 3 days -> 4 days')" 1
"$CAMP" deploy --db "$D/old.db" "$D/m/c.camp" > /dev/null
sed -i 's/Hey {{/Hi {{/' "$D/m/c.camp"
NO_COLOR= "$CAMP" plan --db "$D/old.db" "$D/m/c.camp" > "$D/plan" 2>&1
check "once redeployed its source is kept" "$(has '      subject: "Hey {{ name }}" -> "Hi {{ name }}"')" 1
finish

#!/bin/sh
# tests/suite_actions.sh -- actions of one activity run in order on one
# record: each sees what the one before it wrote (two add_tag keep both
# tags; a set reads the value the set before it wrote).
. tests/lib.sh

printf 'name,email,tags\nAda,ada@x.test,old\nBob,bob@x.test,\n' > "$D/c.csv"
new_db "$D/a.db" tests/scenarios/actions_sequence.camp "$D/c.csv" || { finish; exit 1; }
"$CAMP" run --db "$D/a.db" --until +1h > /dev/null
check "actions ran" "$(ntraces "$D/a.db" state=processed)" 2
field() { sqlite3 "$D/a.db" "SELECT $1 FROM contact WHERE id = $2"; }
check "add_tag twice, then remove_tag: both new tags kept" "$(field tags 1)" "one,two"
check "from no tags: both" "$(field tags 2)" "one,two"
check "a set reads the set before it" "$(field name 1)" "RENAMED"
finish

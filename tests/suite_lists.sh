#!/bin/sh
# tests/suite_lists.sh -- the list commands: `camp lists` and `camp list
# show|add|remove|undo-remove|subscribe|unsubscribe|refresh|log` (formats,
# idempotency, --key and --file, errors that change nothing, the log), and
# deploy registering lists, a file of lists only included.  The semantics of
# sending to lists are the scenarios' (tests/scenarios/list_*.sh).
# store: both
set -u
. tests/lib.sh
store_init
store_db db
cp tests/scenarios/models.camp "$D/models.camp"
cat > "$D/lists.camp" <<'CAMP'
use "models.camp"
list vip "VIP" {
  target contact
}
list hi "High" {
  target contact
  where score >= 3
}
list snap "Snapshot" {
  target contact
  kind on_demand
  where score >= 2
  keep_contacted false
}
CAMP
printf 'name,email,phone,opt_out,tags,score\nAda,ada@x.test,,false,,1\nBob,bob@x.test,,false,,2\nCid,Cid@X.test,,false,,3\nDan,,+33600000004,false,,4\n' > "$D/r.csv"
lst() { "$CAMP" list --db "$DB" "$@"; }
# run "$@", keep stdout in out, stderr in err, its exit status in rc
try() { "$@" > "$D/out" 2> "$D/err"; rc=$?; }

# -- deploy of a file of lists only ------------------------------------------------
"$CAMP" init --db "$DB" --clock 2026-01-05T09:00:00Z > /dev/null
check "deploy: lists only, each said" "$("$CAMP" deploy --db "$DB" "$D/lists.camp")" "$(printf '%s\n' '+ model contact (new table, 6 fields)' \
  '+ list vip (manual, model contact)' '+ list hi (dynamic, model contact)' '+ list snap (on_demand, model contact)' \
  'Deployed: 4 added, 0 changed, 0 removed.')"
check "deploy again: no changes" "$("$CAMP" deploy --db "$DB" "$D/lists.camp" | tail -n 2)" "$(printf 'list snap: no changes\nNo changes.')"
sed 's/keep_contacted false/keep_contacted true/' "$D/lists.camp" > "$D/lists2.camp"
check "plan: a changed list" "$("$CAMP" plan --db "$DB" "$D/lists2.camp" | grep snap)" "~ list snap (keep_contacted false -> true)"
sed 's/^  where \(.*\)$/  where (\1) and id > 0/' "$D/lists.camp" > "$D/lists3.camp"
check "plan: a changed filter is named, old and new" "$("$CAMP" plan --db "$DB" "$D/lists3.camp" | grep -c '^~ list [a-z]* (where .* -> (.*) and id > 0)$')" \
  "$(grep -c '^  where ' "$D/lists.camp")"
"$CAMP" import --db "$DB" --model contact "$D/r.csv" > /dev/null

# -- camp lists ---------------------------------------------------------------------
check "lists: table" "$("$CAMP" lists --db "$DB" | sed 's/  */ /g')" "$(printf '%s\n' 'list kind model size subscribed refreshed' \
  'hi dynamic contact 2 2 -' 'snap on_demand contact 0 0 -' 'vip manual contact 0 0 -')"
check "lists: csv" "$("$CAMP" lists --db "$DB" --format csv | sed -n 2p)" "hi,dynamic,contact,2,2,"
check "lists: json" "$("$CAMP" lists --db "$DB" --format json | $PY -c 'import json,sys; print([(l["name"], l["size"], l["keep_contacted"]) for l in json.load(sys.stdin)])')" \
  "[('hi', 2, True), ('snap', 0, False), ('vip', 0, False)]"
try "$CAMP" lists --db "$DB" --format xml
check "lists: unknown format is a usage error" "$rc" 2

# -- add, by id, --key, --file ---------------------------------------------------------
check "add by id" "$(lst add vip 1)" "$(printf 'record 1 <ada@x.test>: added\nlist vip: 1 added, 0 unchanged')"
check "add again: idempotent" "$(lst add vip 1)" "$(printf 'record 1 <ada@x.test>: already a member\nlist vip: 0 added, 1 unchanged')"
check "add --key email, without case" "$(lst add vip --key email cid@x.test)" "$(printf 'record 3 <Cid@X.test>: added\nlist vip: 1 added, 0 unchanged')"
printf 'phone,name\n+33600000004,Dan\n' > "$D/keys.csv"
check "add --file with the --key column" "$(lst add vip --key phone --file "$D/keys.csv")" "$(printf 'record 4: added\nlist vip: 1 added, 0 unchanged')"
printf 'id\n2\n' > "$D/ids.csv"
check "add --file with an id column" "$(lst add vip --file "$D/ids.csv" | tail -n 1)" "list vip: 1 added, 0 unchanged"
printf 'name\nAda\n' > "$D/bad.csv"
try lst add vip --file "$D/bad.csv"
check "--file without the column: exit 1" "$rc" 1
expect_match "--file without the column: says so" "*no column 'id'*" "$(cat "$D/err")"

# -- errors change nothing ---------------------------------------------------------------
try lst unsubscribe vip 1 99
check "unknown record: exit 1" "$rc" 1
check "unknown record: nothing printed as done" "$(cat "$D/out")" ""
check "unknown record: says which" "$(cat "$D/err")" "camp list: no record of model 'contact' has id '99' (nothing changed)"
check "unknown record: record 1 was not unsubscribed" "$(lst show vip --format csv | grep '^1,' | cut -d, -f3)" "yes"
try lst unsubscribe vip --key email nobody@x.test
check "unknown key value: exit 1" "$rc:$(cat "$D/err")" "1:camp list: no record of model 'contact' has email 'nobody@x.test' (nothing changed)"
try lst add nolist 1
check "unknown list: exit 1, says so" "$rc:$(cat "$D/err")" "1:camp list: no list 'nolist' is deployed (camp lists shows those that are)"
try lst add hi 1
check "add to a dynamic list: refused" "$rc:$(cat "$D/err")" \
  "1:camp list: list 'hi' is dynamic: its members come from its filter (change the filter); add is for manual lists"
try lst add snap 1
expect_match "add to an on_demand list: refused, says refresh" "*on_demand*camp list refresh*" "$(cat "$D/err")"
try lst add vip
check "no records: usage error" "$rc" 2
try lst frobnicate vip 1
check "unknown verb: usage error" "$rc" 2
try lst add vip abc
check "a bad id: exit 1" "$rc:$(cat "$D/err")" "1:camp list: 'abc' is not a record id"
try lst add vip --key colour red
expect_match "an unknown --key field: says so" "*no field 'colour'*" "$(cat "$D/err")"

# -- overlays ---------------------------------------------------------------------------
check "unsubscribe" "$(lst unsubscribe vip 2 | head -n 1)" "record 2 <bob@x.test>: unsubscribed"
check "unsubscribe again" "$(lst unsubscribe vip 2 | head -n 1)" "record 2 <bob@x.test>: already unsubscribed"
check "remove" "$(lst remove vip 3 | head -n 1)" "record 3 <Cid@X.test>: removed"
check "remove again" "$(lst remove vip 3 | head -n 1)" "record 3 <Cid@X.test>: already removed"
check "remove a non-member" "$(lst remove hi 1 | head -n 1)" "record 1 <ada@x.test>: not a member"
check "show: removed hidden, unsubscribed listed" "$(lst show vip --format csv)" "$(printf '%s\n' 'id,contact,subscribed,joined,contacted,last_contacted' \
  '1,ada@x.test,yes,2026-01-05T09:00:00Z,0,' '2,bob@x.test,no,2026-01-05T09:00:00Z,0,' '4,,yes,2026-01-05T09:00:00Z,0,')"
check "show --removed" "$(lst show vip --removed --format csv | grep '^3,')" "3,Cid@X.test,yes,2026-01-05T09:00:00Z,0,,yes"
check "show: json" "$(lst show vip --format json | $PY -c 'import json,sys; print([(m["id"], m["subscribed"]) for m in json.load(sys.stdin)])')" \
  "[(1, True), (2, False), (4, True)]"
check "show: table" "$(lst show vip | sed -n 3p | sed 's/  */ /g')" " 2 bob@x.test no 2026-01-05T09:00:00Z 0 -"
check "lists: vip's size and subscribed" "$("$CAMP" lists --db "$DB" --format csv | grep '^vip')" "vip,manual,contact,3,2,"
check "subscribe" "$(lst subscribe vip 2 2 | head -n 2)" "$(printf 'record 2 <bob@x.test>: subscribed\nrecord 2 <bob@x.test>: already subscribed')"
check "undo-remove" "$(lst undo-remove vip 3 1)" "$(printf 'record 3 <Cid@X.test>: restored\nrecord 1 <ada@x.test>: not removed\nlist vip: 1 restored, 1 unchanged')"
check "unsubscribe a dynamic member" "$(lst unsubscribe hi 3 | head -n 1)" "record 3 <Cid@X.test>: unsubscribed"
check "a dynamic list's unsubscribed member is listed" "$(lst show hi --format csv | cut -d, -f1,3 | tail -n +2 | join_lines ' ')" "3,no 4,yes"

# -- refresh ------------------------------------------------------------------------------
check "refresh" "$(lst refresh snap)" "list snap refreshed: 3 joined, 0 left, 0 kept (contacted)"
check "refresh again: nothing changes" "$(lst refresh snap)" "list snap refreshed: 0 joined, 0 left, 0 kept (contacted)"
printf 'name,email,phone,opt_out,tags,score\nBob,bob@x.test,,false,,0\n' > "$D/u.csv"
"$CAMP" import --db "$DB" --model contact --key email "$D/u.csv" > /dev/null
check "a snapshot does not follow the record" "$(lst show snap --format csv | cut -d, -f1 | tail -n +2 | join_lines ' ')" "2 3 4"
check "refresh: Bob leaves" "$(lst refresh snap)" "list snap refreshed: 0 joined, 1 left, 0 kept (contacted)"
check "refreshed time in lists" "$("$CAMP" lists --db "$DB" --format csv | grep '^snap')" "snap,on_demand,contact,2,2,2026-01-05T09:00:00Z"
try lst refresh vip
check "refresh a manual list: refused" "$rc" 1

# -- the log ------------------------------------------------------------------------------
check "log: every change with its time" "$(lst log vip --format csv | head -n 3)" "$(printf '%s\n' 'at,record,action,detail' \
  '2026-01-05T09:00:00Z,1,add,camp list' '2026-01-05T09:00:00Z,3,add,camp list')"
check "log: the idempotent repeats are not logged" "$(lst log vip --format csv | grep -c ',2,unsubscribe,')" 1
check "log: json" "$(lst log snap --format json | $PY -c 'import json,sys; print([(l["action"], l["detail"]) for l in json.load(sys.stdin)][-1])')" \
  "('refresh', '0 joined, 1 left, 0 kept (contacted)')"
finish

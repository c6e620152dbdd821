#!/bin/sh
# tests/suite_migrate.sh -- a database written by an older camp opens and
# works: tests/migrate/v1.sql is a schema-1 database (made by camp at
# schema 1 from tests/migrate/v1.camp: two contacts, each sent one email
# with two links, on a simulated clock).  camp must migrate it to the
# current schema on open, keep every trace, keep each message's link
# targets (once per distinct list, in camp_linkset), and go on: events,
# runs and reports work on it.
set -u
. tests/lib.sh

sqlite3 "$D/db" < tests/migrate/v1.sql
check "fixture schema" "$(sqlite3 "$D/db" 'PRAGMA user_version')" 1
sqlite3 "$D/db" "INSERT INTO camp_suppression VALUES('old@x.test', 'bounce', 5), ('+33600000009', 'bounce', 6)"
"$CAMP" report --db "$D/db" --format json > "$D/report.json" 2> "$D/err" || bad "report on the old database: $(cat "$D/err")"
check "migrated schema" "$(sqlite3 "$D/db" 'PRAGMA user_version')" 9
check "suppressions kept, by channel" "$(suppressions "$D/db" channel,address | tr '|' ' ' | paste -sd'|')" \
  "email old@x.test|sms +33600000009"
check "traces kept" "$(ntraces "$D/db")" 4
check "links kept with the trace" "$(sqlite3 "$D/db" "SELECT replace(s.links, char(10), '|') FROM camp_trace t JOIN camp_linkset s ON s.id = t.linkset WHERE t.id = 1")" \
  "https://example.com/a|https://example.com/b?x=1|"
check "the two messages share one list" "$(sqlite3 "$D/db" "SELECT count(*) || ' ' || count(DISTINCT linkset) FROM camp_trace WHERE linkset IS NOT NULL")" "2 1"
check "no links column left" "$(sqlite3 "$D/db" "SELECT count(*) FROM pragma_table_info('camp_trace') WHERE name = 'links'")" 0
check "old link table gone" "$(sqlite3 "$D/db" "SELECT count(*) FROM sqlite_master WHERE name = 'camp_link'")" 0
check "report sent" "$(report "$D/db" 'acts[0]["sent"]')" 2
mid=$(traces "$D/db" message_id record=1 message_id!= | head -n 1)
"$CAMP" event --db "$D/db" click --message-id "$mid" > /dev/null 2>&1 || bad "click on a migrated message"
check "click URL from the migrated links" "$(report "$D/db" '" ".join(l["url"] for c in r["campaigns"] for l in c["links"])')" "https://example.com/a"
"$CAMP" run --db "$D/db" --until +1d --mail sink: > /dev/null 2> "$D/run.err" || bad "run on the migrated database"
check "run warns that the old image does not escape values" "$(grep -c "warning: campaign '.*' was compiled by an older camp" "$D/run.err")" 1
check "on click branch ran" "$(ntraces "$D/db" activity=clicked state=processed)" 1
check "integrity" "$(sqlite3 "$D/db" 'PRAGMA integrity_check')" ok
# a database from a newer camp is refused, untouched
sqlite3 "$D/db" 'PRAGMA user_version = 99'
if "$CAMP" report --db "$D/db" > /dev/null 2> "$D/err"; then bad "a newer schema was accepted"; else ok; fi
grep -q "schema version 99" "$D/err" && ok || bad "newer schema message: $(cat "$D/err")"
finish

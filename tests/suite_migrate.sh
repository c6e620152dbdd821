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

# A month was 30 days before image version 7 (camp 0.10, schema 8): a
# deployed campaign keeps that meaning -- its image is what was reviewed --
# until it is redeployed; the plan then says the delay becomes a calendar
# month and moves the pending trace.  tests/migrate/v8_month.sql: camp 0.10
# ran tests/migrate/v8_month.camp for Ann, enrolled on 31 January 09:00.
M="$D/month.db"
sqlite3 "$M" < tests/migrate/v8_month.sql
due() { sqlite3 "$M" "SELECT strftime('%Y-%m-%dT%H:%M', t.due, 'unixepoch') FROM camp_trace t JOIN camp_activity a ON a.id = t.activity WHERE a.name = 'later'"; }
check "month fixture: schema 8" "$(sqlite3 "$M" 'PRAGMA user_version')" 8
"$CAMP" run --db "$M" --until 2026-02-28T12:00:00Z --mail sink: > /dev/null 2> "$D/month.err" || bad "run on the schema-8 database: $(cat "$D/month.err")"
check "month: migrated to schema 9" "$(sqlite3 "$M" 'PRAGMA user_version')" 9
check "month: the deployed image keeps its 30 days" "$(due)" "2026-03-02T09:00"
"$CAMP" plan --db "$M" tests/migrate/v8_month.camp > "$D/month.plan"
check "month: plan exits 2 (a change)" "$?" 2
check "month: plan says the delay becomes a calendar month" "$(grep -c 'delay: 30 days -> 1 month' "$D/month.plan")" 1
check "month: plan says the pending trace moves" "$(grep -c '1 pending trace moves' "$D/month.plan")" 1
"$CAMP" deploy --db "$M" tests/migrate/v8_month.camp > /dev/null 2>&1 || bad "redeploy of the month campaign"
check "month: redeployed, the trace is due on the last day of February" "$(due)" "2026-02-28T09:00"
"$CAMP" run --db "$M" --until 2026-03-01T00:00:00Z --mail sink: > /dev/null 2>&1 || bad "run after the redeploy"
check "month: sent on 28 February" "$(sqlite3 "$M" "SELECT strftime('%Y-%m-%d', t.done_at, 'unixepoch') FROM camp_trace t JOIN camp_activity a ON a.id = t.activity WHERE a.name = 'later' AND t.state = 2")" "2026-02-28"

# a database from a newer camp is refused, untouched
sqlite3 "$D/db" 'PRAGMA user_version = 99'
if "$CAMP" report --db "$D/db" > /dev/null 2> "$D/err"; then bad "a newer schema was accepted"; else ok; fi
grep -q "schema version 99" "$D/err" && ok || bad "newer schema message: $(cat "$D/err")"
finish

say "camp timeline --format json: every trace with its state, times to the second, attempts, the events seen by name and the Message-ID (its MAC masked: each database has its own secret)"
setup tests/scenarios/flow.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,1
Bob,bob@x.test,+33600000002,false,,2
Cy,cy@x.test,+33600000003,false,,3'
run +3h
event click 1 hello
event reply 2 hello
event bounce 3 hello
run +1h
"$CAMP" timeline --db "$DB" --format json | sed 's/"t\([0-9]*\)\.[0-9a-f]*@camp"/"t\1.MAC@camp"/'
say "one campaign by name; nothing deployed under another name prints an empty list"
"$CAMP" timeline --db "$DB" --format json flow | grep -c '"campaign":"flow"'
"$CAMP" timeline --db "$DB" --format json nothing
say "an unknown format is a usage error"
"$CAMP" timeline --db "$DB" --format xml; echo "exit $?"
say "it parses as JSON; --format text is the default's text"
"$CAMP" timeline --db "$DB" --format json | $PY -c 'import json, sys; print(len(json.load(sys.stdin)["traces"]), "traces")'
[ "$("$CAMP" timeline --db "$DB" --format text)" = "$("$CAMP" timeline --db "$DB")" ] && echo "same text"
if [ "$STORE" = postgresql ]; then
  echo "     skipped on PostgreSQL: a message that is not UTF-8 (its TEXT refuses such bytes, so none can be stored)"
else
  say "a message that is not UTF-8 (a server's words can be anything) keeps its ASCII, '?' for the rest, and the output stays JSON"
  sqlite3 "$DB" "UPDATE camp_trace SET message = CAST(x'353530206261640a20ff2162' AS TEXT) WHERE id = 1"
  "$CAMP" timeline --db "$DB" --format json | $PY -c 'import json, sys; print(repr(json.load(sys.stdin)["traces"][0]["message"]))'
fi

say "a mailing without from goes out from the default sender (camp config sender), one with from from its own"
setup tests/scenarios/mailings.camp "$ADA_BOB"
"$CAMP" config --db "$DB"
"$CAMP" config --db "$DB" sender "Camp News <news@example.com>"
send launch
run 2026-01-07T09:00:00Z
for f in "$D"/mail/*.eml; do sed -n 's/^Subject: \(.*\)\r$/\1/p; s/^From: \(.*\)\r$/  from \1/p' "$f"; done | paste - - | sort
"$CAMP" config --db "$DB" sender "not an address"
echo "exit $?"
say "camp init --sender sets it when the database is made; a malformed one makes no database"
store_db s2 DB2
store_db s3 DB3
"$CAMP" init --db "$DB2" --sender "Shop <shop@example.com>" > /dev/null
"$CAMP" config --db "$DB2" sender
"$CAMP" init --db "$DB3" --sender "shop at example" 2>&1
echo "exit $?, database made: $(made "$DB3" && echo yes || echo no)"

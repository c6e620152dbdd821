say "a mailing without from goes out from the default sender (camp config sender), one with from from its own"
setup tests/scenarios/mailings.camp "$ADA_BOB"
"$CAMP" config --db "$DB"
"$CAMP" config --db "$DB" sender "Camp News <news@example.com>"
send launch
run 2026-01-07T09:00:00Z
for f in "$D"/mail/*.eml; do sed -n 's/^Subject: \(.*\)\r$/\1/p; s/^From: \(.*\)\r$/  from \1/p' "$f"; done | paste - - | sort
"$CAMP" config --db "$DB" sender "not an address"
echo "exit $?"

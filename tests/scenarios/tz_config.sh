say "camp init --timezone: an unknown zone is one line, exit 1, and no database"
store_db bad BAD
"$CAMP" init --db "$BAD" --timezone Mars/Base 2>&1
echo "exit $?, database made: $(made "$BAD" && echo yes || echo no)"
"$CAMP" init --db "$DB" --timezone Asia/Kolkata > /dev/null
"$CAMP" config --db "$DB"
say "camp config checks and normalises each key; a bad value is one line, exit 1, nothing written"
"$CAMP" config --db "$DB" timezone America/New_York
"$CAMP" config --db "$DB" window.email "08:00 - 20:00 on MON-fri"
"$CAMP" config --db "$DB" window.sms "22:00-06:00 fri, sat"
"$CAMP" config --db "$DB" cap.email "3 per 7 days"
for kv in "timezone Europe/Pariss" "window.email 08:00-08:00" "window.email 08:00-20:00 someday" "window.sms 24:00-06:00" "cap.sms 0 per 1 day"; do
  "$CAMP" config --db "$DB" ${kv%% *} "${kv#* }" 2>&1
  echo "exit $?"
done
"$CAMP" config --db "$DB" nope 2>&1
echo "exit $?"
"$CAMP" config --db "$DB"
say "\"\" unsets a key: back to its default"
"$CAMP" config --db "$DB" window.sms ""
"$CAMP" config --db "$DB" timezone ""

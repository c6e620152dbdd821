say "the six templates: each example campaign with its expected outcome"
cp -r examples "$D/ex"
"$CAMP" init --db "$DB" --clock 2026-01-05T09:00:00Z > /dev/null
for f in tag_hot_contacts welcome_flow double_opt_in commercial_prospection schedule_calls prioritize_hot_leads; do
  "$CAMP" deploy --db "$DB" --start "$D/ex/$f.camp" > /dev/null || echo "deploy $f failed"
done
cat > "$D/contacts.csv" <<'C'
name,email,phone,opt_out,is_user,company,country,salesperson,tags,score,created
Ada Lovelace,ada@x.test,,false,false,Engines,GB,Alice,newsletter,10,2026-01-01T10:00:00Z
Grace Hopper,grace@x.test,,false,false,Navy,US,Bruno,,20,2026-01-01T10:00:00Z
Internal User,me@camp.test,,false,true,Camp,FR,,,0,2026-01-01T10:00:00Z
C
cat > "$D/leads.csv" <<'C'
name,email,contact_name,salesperson,priority,stage,expected_revenue,created
Big deal,buyer@corp.test,Ada Lovelace,Alice,normal,new,50000,2026-01-02T10:00:00Z
Cold deal,cold@corp.test,,,normal,new,100,2026-01-02T10:00:00Z
C
"$CAMP" import --db "$DB" --model contact "$D/contacts.csv" > /dev/null
"$CAMP" import --db "$DB" --model lead "$D/leads.csv" > /dev/null
run +3h
event click 1 tag_hot_contacts.welcome   # Ada clicks Tag Hot's welcome: tagged Hot 2 hours later
event bounce 2 tag_hot_contacts.welcome  # Grace bounces: a note to check her address
event bounce 2 welcome_flow.welcome      # and Welcome Flow blacklists her
event click 1 confirmation       # Ada confirms the double opt-in
event open 1 first_contact       # the big deal's lead opens: high priority
run +8d
event reply 1 partnership        # Ada replies to the partnership offer: a note for the salesperson
run +3d
show
echo "== records after"
for q in "id, name, tags FROM contact ORDER BY id" "id, name, priority FROM lead ORDER BY id" \
  "subject, \"user\", contact_email FROM call ORDER BY id" "record_id, text FROM camp_note ORDER BY id" \
  "list, record_id FROM camp_list_member ORDER BY list, record_id" "address, reason FROM camp_suppression ORDER BY address"; do
  store_sql "$DB" "SELECT $q"
done

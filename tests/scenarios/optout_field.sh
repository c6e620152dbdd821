say "a record with opt_out = true gets no mailing and no SMS though the filters forgot 'not opt_out'; actions still run"
setup tests/scenarios/optout_field.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,1
Bob,bob@x.test,+33600000002,true,,2'
run +2d
show
say "messages written to Bob"
grep -l "bob@x.test" "$D"/mail/* 2>/dev/null | wc -l
grep -l "+33600000002" "$D"/sms/* 2>/dev/null | wc -l

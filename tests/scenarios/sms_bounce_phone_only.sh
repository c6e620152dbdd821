say "an SMS bounce suppresses the phone it went to, not the email: the email still goes, the next SMS is canceled"
setup tests/scenarios/channels.camp 'name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,1
Bob,bob@x.test,+33600000002,false,,2'
run +1h
event bounce 1 first
run +2d
show
say "suppressed (channel, address, reason)"
suppressions "$DB" channel,address,reason
say "messages written: emails to Ada, SMS to Ada's phone"
grep -l "ada@x.test" "$D"/mail/* | wc -l
grep -l "+33600000001" "$D"/sms/* | wc -l

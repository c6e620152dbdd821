say "an SMS bounce suppresses the phone it went to, not the email: the email still goes, the next SMS is canceled"
setup tests/scenarios/channels.camp "$ADA_BOB"
run +1h
event bounce 1 first
run +2d
show
say "suppressed (channel, address, reason)"
suppressions "$DB" channel,address,reason
say "messages written: emails to Ada, SMS to Ada's phone"
grep -l "ada@x.test" "$D"/mail/* | wc -l
grep -l "+33600000001" "$D"/sms/* | wc -l

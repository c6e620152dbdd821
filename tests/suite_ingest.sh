#!/bin/sh
# tests/suite_ingest.sh -- camp ingest: delivery status notifications (a
# Postfix hard bounce with text/rfc822-headers, a soft 4.2.2 with the whole
# message/rfc822), replies by In-Reply-To and by folded References, an
# out-of-office answer, a bounce of a message camp never sent and an
# unrelated mail -- from files, then from a real Dovecot IMAP server on
# 127.0.0.1; and forged bounces guessing other recipients' Message-IDs.
# Each check reads the traces afterwards.
set -u
. tests/lib.sh          # D is readable by Dovecot's own users (its configuration is there)
# the state of record N's trace of ACTIVITY
state() { traces "$D/db" state record="$1" activity="$2"; }
# the Message-ID of record N's email (by record, not by participant or trace id)
mid() { traces "$D/db" message_id record="$1" message_id!=; }
# the events seen on record N's email
events() { traces "$D/db" events record="$1" activity=hello; }

cp tests/scenarios/models.camp tests/scenarios/flow.camp "$D/"
printf 'name,email,opt_out\nAda,ada@x.test,false\nBob,bob@x.test,false\nCy,cy@x.test,false\nDi,di@x.test,false\nEve,eve@x.test,false\n' > "$D/r.csv"
new_db "$D/db" "$D/flow.camp" "$D/r.csv"
"$CAMP" run --db "$D/db" --until +3h --mail sink: > /dev/null
# the test mail, naming the Message-IDs this database gave its messages
# (they are keyed by the database's own secret: another database's differ)
fill_in() {
rm -rf "$D/in"; mkdir "$D/in"
for f in tests/ingest/*.eml; do
  sed -e "s/MID_1/$(mid 1)/" -e "s/MID_2/$(mid 2)/" -e "s/MID_3/$(mid 3)/" -e "s/MID_4/$(mid 4)/" "$f" > "$D/in/$(basename "$f")"
  # the base64 part carries MID_5 encoded: decode, substitute, encode again
  if grep -q '^Content-Transfer-Encoding: base64' "$D/in/$(basename "$f")"; then
    /usr/bin/python3 - "$D/in/$(basename "$f")" "$(mid 5)" <<'P'
import base64, re, sys
path, mid = sys.argv[1], sys.argv[2]
text = open(path).read()
def swap(m):
    raw = base64.b64decode(m.group(1)).replace(b"MID_5", mid.encode())
    return m.group(0).replace(m.group(1), base64.encodebytes(raw).decode())
open(path, "w").write(re.sub(r"Content-Transfer-Encoding: base64\n\n([A-Za-z0-9+/=\n]+)", swap, text))
P
  fi
done
}
fill_in

"$CAMP" ingest --db "$D/db" "$D/in" > "$D/out" 2> "$D/err"; rc=$?
check "exit status" "$rc" 0
check "summary" "$(tail -1 "$D/out")" "ingest: 8 read, 3 bounces (2 hard, 1 soft), 2 replies, 1 auto-replies, 0 abuse reports, 2 unmatched"
check "unmatched: the bounce of a message camp never sent" "$(grep -c "unknown_bounce.eml: unmatched: bounce of 't999.deadbeef@camp', which camp did not send" "$D/out")" 1
check "unmatched: an unrelated mail" "$(grep -c "forwarded.eml: unmatched: neither a delivery report nor a reply" "$D/out")" 1
check "hard bounce: recorded on Ada's message" "$(events 1)" bounce
check "hard bounce: the bounce branch is due, the others canceled" "$(state 1 bounced)|$(state 1 opened)|$(state 1 no_open)" "scheduled|canceled|canceled"
check "hard bounce: address suppressed" "$(suppressions "$D/db" address address=ada@x.test | wc -l | tr -d ' ')" 1
check "soft bounce: counted, nothing recorded" "$(events 2)|$(state 2 bounced)" "|waiting"
check "reply (In-Reply-To): reply implies open and click" "$(events 3)" open,click,reply
check "reply (In-Reply-To): the reply branch is due" "$(state 3 replied)" scheduled
check "reply (folded References, camp's ID in the middle)" "$(events 4)" open,click,reply
check "the out-of-office answer was not a reply" "$(ntraces "$D/db" events~reply)" 2
check "a base64 rfc822-headers part, two recipients (2.0.0 and 5.2.1): Eve bounced" "$(events 5)" bounce
"$CAMP" run --db "$D/db" --until +1h --mail sink: > /dev/null
check "branches ran" "$(state 1 bounced)|$(state 3 replied)|$(state 4 replied)" "processed|processed|processed"

# again: the flags and branches do not change twice
"$CAMP" ingest --db "$D/db" "$D/in" > /dev/null 2>&1
check "re-ingest changes no flags" "$(events 1)|$(events 3)|$(events 4)" "bounce|open,click,reply|open,click,reply"
check "re-ingest runs no branch twice" "$(ntraces "$D/db" activity=replied)" 5

# usage and unreadable input
"$CAMP" ingest --db "$D/db" "$D/missing.eml" > /dev/null 2> "$D/err"; rc=$?
check "a missing file: exit 1" "$rc" 1
grep -q "cannot read '$D/missing.eml'" "$D/err" && ok || bad "missing file message: $(cat "$D/err")"
"$CAMP" ingest --db "$D/db" > /dev/null 2>&1; check "no input: usage" "$?" 2
"$CAMP" ingest --db "$D/db" --imap "imaps://user:pw@127.0.0.1/INBOX" > /dev/null 2> "$D/err"; rc=$?
check "credentials in the IMAP URL refused" "$rc" 1

# -- forged bounces: a recipient knows its own Message-ID and guesses the
# others' by changing the trace number: none of them may match
mkdir "$D/f" "$D/f/in"
cp tests/scenarios/models.camp tests/scenarios/flow.camp "$D/f/"
{ echo name,email,opt_out; i=1; while [ $i -le 20 ]; do echo "P$i,p$i@x.test,false"; i=$((i + 1)); done; } > "$D/f/r.csv"
new_db "$D/f/db" "$D/f/flow.camp" "$D/f/r.csv"
"$CAMP" run --db "$D/f/db" --until +3h --mail sink: > /dev/null
own=$(traces "$D/f/db" message_id record=1 message_id!=)
# another recipient's Message-ID begins t<its trace>.: that number, with own's MAC
for m in $(traces "$D/f/db" message_id record!=1 message_id!=); do
  t=${m%%.*}
  sed "s/MID_1/$t.${own#*.}/" tests/ingest/hard.eml > "$D/f/in/forged$t.eml"
done
check "forged bounces: one per other recipient" "$(ls "$D/f/in" | wc -l | tr -d ' ')" 19
"$CAMP" ingest --db "$D/f/db" "$D/f/in" > "$D/f/out" 2>&1
check "forged bounces: all unmatched" "$(tail -1 "$D/f/out")" "ingest: 19 read, 0 bounces (0 hard, 0 soft), 0 replies, 0 auto-replies, 0 abuse reports, 19 unmatched"
check "forged bounces: nothing suppressed" "$(suppressions "$D/f/db" address | wc -l | tr -d ' ')" 0
check "forged bounces: no event recorded" "$(ntraces "$D/f/db" events!=)" 0
check "Message-IDs: t<trace>.<16 hex digits>@camp" "$(echo "$own" | grep -cE '^t[0-9]+\.[0-9a-f]{16}@camp$')" 1

# -- abuse reports (RFC 5965 ARF) -------------------------------------------------
# a complaint on Bob's message (his soft bounce recorded nothing), and a
# not-spam feedback report that complains of nothing
cp "$D/db" "$D/arf.db"
mkdir "$D/arf"
for f in tests/ingest/arf/*.eml; do sed "s/MID_2/$(mid 2)/" "$f" > "$D/arf/$(basename "$f")"; done
"$CAMP" ingest --db "$D/arf.db" "$D/arf" > "$D/arf.out" 2>&1
check "ARF: a complaint recorded, a not-spam report unmatched" "$(tail -1 "$D/arf.out")" \
  "ingest: 2 read, 0 bounces (0 hard, 0 soft), 0 replies, 0 auto-replies, 1 abuse reports, 1 unmatched"
check "ARF: the not-spam report says why" "$(grep -c "not_spam.eml: unmatched: a feedback report of type 'not-spam', not a complaint" "$D/arf.out")" 1
# abuse_on N: the abuse events received on record N's messages
abuse_on() { "$CAMP" timeline --db "$D/arf.db" --record "$1" | grep -c ' abuse'; }
check "ARF: an abuse event on Bob's message" "$(abuse_on 2)" 1
check "ARF: Bob's address is suppressed as a complaint" "$(suppressions "$D/arf.db" address,reason address=bob@x.test)" "bob@x.test|complaint"
"$CAMP" ingest --db "$D/arf.db" "$D/arf/complaint.eml" > "$D/arf.out" 2>&1
check "ARF: the same report again changes nothing" \
  "$(abuse_on 2)|$(suppressions "$D/arf.db" address address=bob@x.test | wc -l | tr -d ' ')" "1|1"

# -- IMAP, against Dovecot on 127.0.0.1 ---------------------------------------
if [ -x /usr/sbin/dovecot ]; then
  PORT=$(free_port)
  TLSPORT=$(free_port)
  mkdir -p "$D/dc/run" "$D/dc/mail/camp/new" "$D/dc/mail/camp/cur" "$D/dc/mail/camp/tmp"
  chmod 755 "$D/dc"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$D/dc/key.pem" -out "$D/dc/cert.pem" -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 > /dev/null 2>&1
  chown -R nobody:nogroup "$D/dc/mail"
  printf 'camp:{PLAIN}imap-secret\n' > "$D/dc/passwd"
  cat > "$D/dc/dovecot.conf" <<C
base_dir = $D/dc/run
state_dir = $D/dc/run
log_path = $D/dc/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$D/dc/cert.pem
ssl_key = <$D/dc/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$D/dc/mail/%u
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $D/dc/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$D/dc/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $TLSPORT
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
C
  # a fresh database and the same mail, delivered to the mailbox
  rm -f "$D/db"*
  new_db "$D/db" "$D/flow.camp" "$D/r.csv"
  "$CAMP" run --db "$D/db" --until +3h --mail sink: > /dev/null
  fill_in
  n=0
  for f in "$D"/in/*.eml; do n=$((n + 1)); cp "$f" "$D/dc/mail/camp/new/176761440$n.M$n.test"; done
  chown -R nobody:nogroup "$D/dc/mail"
  /usr/sbin/dovecot -F -c "$D/dc/dovecot.conf" > "$D/dc/out" 2>&1 &
  started $!
  wait_for listening "$PORT"
  CAMP_IMAP_USER=camp CAMP_IMAP_PASSWORD=imap-secret "$CAMP" ingest --db "$D/db" --imap "imap://127.0.0.1:$PORT/INBOX" > "$D/out" 2> "$D/err"; rc=$?
  check "imap: exit status" "$rc" 0
  [ $rc -eq 0 ] || { cat "$D/err" "$D/dc/out"; tail -5 "$D/dc/dovecot.log"; }
  check "imap: summary" "$(tail -1 "$D/out")" "ingest: 8 read, 3 bounces (2 hard, 1 soft), 2 replies, 1 auto-replies, 0 abuse reports, 2 unmatched"
  check "imap: the same effects" "$(events 1)|$(events 3)|$(events 4)|$(events 5)" "bounce|open,click,reply|open,click,reply|bounce"
  check "imap: every message marked read" "$(ls "$D/dc/mail/camp/cur" | grep -c ':2,.*S')" 8
  CAMP_IMAP_USER=camp CAMP_IMAP_PASSWORD=imap-secret "$CAMP" ingest --db "$D/db" --imap "imap://127.0.0.1:$PORT/INBOX" > "$D/out" 2>&1
  check "imap: a second pass reads nothing new" "$(tail -1 "$D/out")" "ingest: 0 read, 0 bounces (0 hard, 0 soft), 0 replies, 0 auto-replies, 0 abuse reports, 0 unmatched"
  CAMP_IMAP_USER=camp CAMP_IMAP_PASSWORD=wrong "$CAMP" ingest --db "$D/db" --imap "imap://127.0.0.1:$PORT/INBOX" > /dev/null 2> "$D/err"; rc=$?
  check "imap: a wrong password fails" "$rc" 1
  # imaps with the server's self-signed certificate: refused unless trusted with ?cafile=
  for f in "$D"/in/reply.eml "$D"/in/hard.eml; do n=$((n + 1)); cp "$f" "$D/dc/mail/camp/new/176761450$n.M$n.test"; done
  chown -R nobody:nogroup "$D/dc/mail"
  CAMP_IMAP_USER=camp CAMP_IMAP_PASSWORD=imap-secret "$CAMP" ingest --db "$D/db" --imap "imaps://127.0.0.1:$TLSPORT/INBOX" > /dev/null 2> "$D/err"; rc=$?
  check "imaps: an untrusted certificate is refused" "$rc" 1
  grep -qi "certificate" "$D/err" && ok || bad "imaps: refusal does not say why: $(cat "$D/err")"
  CAMP_IMAP_USER=camp CAMP_IMAP_PASSWORD=imap-secret "$CAMP" ingest --db "$D/db" --imap "imaps://127.0.0.1:$TLSPORT/INBOX?cafile=$D/dc/cert.pem" > "$D/out" 2> "$D/err"; rc=$?
  check "imaps: with ?cafile=" "$rc" 0
  check "imaps: the two new messages" "$(tail -1 "$D/out")" "ingest: 2 read, 1 bounces (1 hard, 0 soft), 1 replies, 0 auto-replies, 0 abuse reports, 0 unmatched"
  check "imaps: flags unchanged by the repeats" "$(events 1)|$(events 3)" "bounce|open,click,reply"
else
  bad "dovecot is not installed (apt-get install dovecot-imapd)"
fi
finish

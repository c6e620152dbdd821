#!/bin/sh
# tests/suite_ingest.sh -- camp ingest: delivery status notifications (a
# Postfix hard bounce with text/rfc822-headers, a soft 4.2.2 with the whole
# message/rfc822), replies by In-Reply-To and by folded References, an
# out-of-office answer, a bounce of a message camp never sent and an
# unrelated mail -- from files, then from a real Dovecot IMAP server on
# 127.0.0.1; and forged bounces guessing other recipients' Message-IDs.
# Each check reads the traces afterwards.
set -u
CAMP=${CAMP:-build/camp}
D=$(mktemp -d)
chmod 755 "$D"     # Dovecot's own users read its configuration here
DOVE=
trap '[ -n "$DOVE" ] && kill $DOVE 2> /dev/null && wait $DOVE; rm -rf "$D"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); }
no() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if [ "$2" = "$3" ]; then ok; else no "$1: got '$2', expected '$3'"; fi; }
q() { sqlite3 "$D/db" "$1"; }
state() { q "SELECT t.state FROM camp_trace t JOIN camp_participant p ON p.id = t.participant JOIN camp_activity a ON a.id = t.activity
             WHERE p.record_id = $1 AND a.name = '$2'"; }
# the Message-ID of record N's email (by record, not by participant or trace id)
mid() { q "SELECT t.message_id FROM camp_trace t JOIN camp_participant p ON p.id = t.participant
           WHERE p.record_id = $1 AND t.message_id IS NOT NULL"; }
events() { q "SELECT events FROM camp_trace t JOIN camp_participant p ON p.id = t.participant JOIN camp_activity a ON a.id = t.activity
              WHERE p.record_id = $1 AND a.name = 'hello'"; }

cp tests/scenarios/models.camp tests/scenarios/flow.camp "$D/"
"$CAMP" init --db "$D/db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$D/db" --start "$D/flow.camp" > /dev/null
printf 'name,email,opt_out\nAda,ada@x.test,false\nBob,bob@x.test,false\nCy,cy@x.test,false\nDi,di@x.test,false\nEve,eve@x.test,false\n' > "$D/r.csv"
"$CAMP" import --db "$D/db" --model contact "$D/r.csv" > /dev/null
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
check "summary" "$(tail -1 "$D/out")" "ingest: 8 read, 3 bounces (2 hard, 1 soft), 2 replies, 1 auto-replies, 2 unmatched"
check "unmatched: the bounce of a message camp never sent" "$(grep -c "unknown_bounce.eml: unmatched: bounce of 't999.deadbeef@camp', which camp did not send" "$D/out")" 1
check "unmatched: an unrelated mail" "$(grep -c "forwarded.eml: unmatched: neither a delivery report nor a reply" "$D/out")" 1
check "hard bounce: recorded on Ada's message" "$(events 1)" 8
check "hard bounce: the bounce branch is due, the others canceled" "$(state 1 bounced)|$(state 1 opened)|$(state 1 no_open)" "0|4|4"
check "hard bounce: address suppressed" "$(q "SELECT count(*) FROM camp_suppression WHERE address = 'ada@x.test'")" 1
check "soft bounce: counted, nothing recorded" "$(events 2)|$(state 2 bounced)" "0|1"
check "reply (In-Reply-To): reply implies open and click" "$(events 3)" 7
check "reply (In-Reply-To): the reply branch is due" "$(state 3 replied)" 0
check "reply (folded References, camp's ID in the middle)" "$(events 4)" 7
check "the out-of-office answer was not a reply" "$(q "SELECT count(*) FROM camp_event WHERE kind = 'reply'")" 2
check "a base64 rfc822-headers part, two recipients (2.0.0 and 5.2.1): Eve bounced" "$(events 5)" 8
"$CAMP" run --db "$D/db" --until +1h --mail sink: > /dev/null
check "branches ran" "$(state 1 bounced)|$(state 3 replied)|$(state 4 replied)" "2|2|2"

# again: the flags and branches do not change twice
"$CAMP" ingest --db "$D/db" "$D/in" > /dev/null 2>&1
check "re-ingest changes no flags" "$(events 1)|$(events 3)|$(events 4)" "8|7|7"
check "re-ingest runs no branch twice" "$(q "SELECT count(*) FROM camp_trace t JOIN camp_activity a ON a.id = t.activity WHERE a.name = 'replied'")" 5

# usage and unreadable input
"$CAMP" ingest --db "$D/db" "$D/missing.eml" > /dev/null 2> "$D/err"; rc=$?
check "a missing file: exit 1" "$rc" 1
grep -q "cannot read '$D/missing.eml'" "$D/err" && ok || no "missing file message: $(cat "$D/err")"
"$CAMP" ingest --db "$D/db" > /dev/null 2>&1; check "no input: usage" "$?" 2
"$CAMP" ingest --db "$D/db" --imap "imaps://user:pw@127.0.0.1/INBOX" > /dev/null 2> "$D/err"; rc=$?
check "credentials in the IMAP URL refused" "$rc" 1

# -- forged bounces: a recipient knows its own Message-ID and guesses the
# others' by changing the trace number: none of them may match
mkdir "$D/f" "$D/f/in"
cp tests/scenarios/models.camp tests/scenarios/flow.camp "$D/f/"
"$CAMP" init --db "$D/f/db" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$D/f/db" --start "$D/f/flow.camp" > /dev/null
{ echo name,email,opt_out; i=1; while [ $i -le 20 ]; do echo "P$i,p$i@x.test,false"; i=$((i + 1)); done; } > "$D/f/r.csv"
"$CAMP" import --db "$D/f/db" --model contact "$D/f/r.csv" > /dev/null
"$CAMP" run --db "$D/f/db" --until +3h --mail sink: > /dev/null
own=$(sqlite3 "$D/f/db" "SELECT message_id FROM camp_trace WHERE participant = 1 AND message_id IS NOT NULL")
for t in $(sqlite3 "$D/f/db" "SELECT id FROM camp_trace WHERE participant != 1 AND message_id IS NOT NULL"); do
  sed "s/MID_1/t$t.${own#*.}/" tests/ingest/hard.eml > "$D/f/in/forged$t.eml"
done
check "forged bounces: one per other recipient" "$(ls "$D/f/in" | wc -l | tr -d ' ')" 19
"$CAMP" ingest --db "$D/f/db" "$D/f/in" > "$D/f/out" 2>&1
check "forged bounces: all unmatched" "$(tail -1 "$D/f/out")" "ingest: 19 read, 0 bounces (0 hard, 0 soft), 0 replies, 0 auto-replies, 19 unmatched"
check "forged bounces: nothing suppressed" "$(sqlite3 "$D/f/db" "SELECT count(*) FROM camp_suppression")" 0
check "forged bounces: no event recorded" "$(sqlite3 "$D/f/db" "SELECT count(*) FROM camp_event")" 0
check "Message-IDs: t<trace>.<16 hex digits>@camp" "$(echo "$own" | grep -cE '^t[0-9]+\.[0-9a-f]{16}@camp$')" 1

# -- IMAP, against Dovecot on 127.0.0.1 ---------------------------------------
if [ -x /usr/sbin/dovecot ]; then
  freeport() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
  PORT=$(freeport)
  TLSPORT=$(freeport)
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
  "$CAMP" init --db "$D/db" --clock 2026-01-05T09:00:00Z > /dev/null
  "$CAMP" deploy --db "$D/db" --start "$D/flow.camp" > /dev/null
  "$CAMP" import --db "$D/db" --model contact "$D/r.csv" > /dev/null
  "$CAMP" run --db "$D/db" --until +3h --mail sink: > /dev/null
  fill_in
  n=0
  for f in "$D"/in/*.eml; do n=$((n + 1)); cp "$f" "$D/dc/mail/camp/new/176761440$n.M$n.test"; done
  chown -R nobody:nogroup "$D/dc/mail"
  /usr/sbin/dovecot -F -c "$D/dc/dovecot.conf" > "$D/dc/out" 2>&1 &
  DOVE=$!
  # wait (20 s at most) until Dovecot accepts connections; /dev/tcp is a bash
  # feature, so under sh this asks python
  listening() { /usr/bin/python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$1" 2> /dev/null; }
  i=0; while ! listening "$PORT" && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
  CAMP_IMAP_USER=camp CAMP_IMAP_PASSWORD=imap-secret "$CAMP" ingest --db "$D/db" --imap "imap://127.0.0.1:$PORT/INBOX" > "$D/out" 2> "$D/err"; rc=$?
  check "imap: exit status" "$rc" 0
  [ $rc -eq 0 ] || { cat "$D/err" "$D/dc/out"; tail -5 "$D/dc/dovecot.log"; }
  check "imap: summary" "$(tail -1 "$D/out")" "ingest: 8 read, 3 bounces (2 hard, 1 soft), 2 replies, 1 auto-replies, 2 unmatched"
  check "imap: the same effects" "$(events 1)|$(events 3)|$(events 4)|$(events 5)" "8|7|7|8"
  check "imap: every message marked read" "$(ls "$D/dc/mail/camp/cur" | grep -c ':2,.*S')" 8
  CAMP_IMAP_USER=camp CAMP_IMAP_PASSWORD=imap-secret "$CAMP" ingest --db "$D/db" --imap "imap://127.0.0.1:$PORT/INBOX" > "$D/out" 2>&1
  check "imap: a second pass reads nothing new" "$(tail -1 "$D/out")" "ingest: 0 read, 0 bounces (0 hard, 0 soft), 0 replies, 0 auto-replies, 0 unmatched"
  CAMP_IMAP_USER=camp CAMP_IMAP_PASSWORD=wrong "$CAMP" ingest --db "$D/db" --imap "imap://127.0.0.1:$PORT/INBOX" > /dev/null 2> "$D/err"; rc=$?
  check "imap: a wrong password fails" "$rc" 1
  # imaps with the server's self-signed certificate: refused unless trusted with ?cafile=
  for f in "$D"/in/reply.eml "$D"/in/hard.eml; do n=$((n + 1)); cp "$f" "$D/dc/mail/camp/new/176761450$n.M$n.test"; done
  chown -R nobody:nogroup "$D/dc/mail"
  CAMP_IMAP_USER=camp CAMP_IMAP_PASSWORD=imap-secret "$CAMP" ingest --db "$D/db" --imap "imaps://127.0.0.1:$TLSPORT/INBOX" > /dev/null 2> "$D/err"; rc=$?
  check "imaps: an untrusted certificate is refused" "$rc" 1
  grep -qi "certificate" "$D/err" && ok || no "imaps: refusal does not say why: $(cat "$D/err")"
  CAMP_IMAP_USER=camp CAMP_IMAP_PASSWORD=imap-secret "$CAMP" ingest --db "$D/db" --imap "imaps://127.0.0.1:$TLSPORT/INBOX?cafile=$D/dc/cert.pem" > "$D/out" 2> "$D/err"; rc=$?
  check "imaps: with ?cafile=" "$rc" 0
  check "imaps: the two new messages" "$(tail -1 "$D/out")" "ingest: 2 read, 1 bounces (1 hard, 0 soft), 1 replies, 0 auto-replies, 0 unmatched"
  check "imaps: flags unchanged by the repeats" "$(events 1)|$(events 3)" "8|7"
else
  no "dovecot is not installed (apt-get install dovecot-imapd)"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

#!/bin/sh
# tests/suite_smtp.sh -- the smtp:// carrier against real SMTP servers.
#
# Each test starts its own server (tests/smtp/server.py, aiosmtpd, under
# Debian's /usr/bin/python3) on 127.0.0.1 and a free port, sends the
# campaign tests/smtp/mail.camp with `camp run --mail smtp://…`, and looks
# at what arrived (tests/smtp/check_mail.py) and at the traces camp
# timeline shows.  Servers are stopped by the test, and by the exit trap
# (KEEP=1 keeps the scratch directory).
# store: both
. tests/lib.sh
store_init
HERE=$PWD/tests/smtp
BASE=https://t.example.test
T=$D
unset CAMP_SMTP_USER CAMP_SMTP_PASSWORD
CRLF=$(printf '\r\nx') CRLF=${CRLF%x}

has_module aiosmtpd || abort "aiosmtpd missing: apt-get install python3-aiosmtpd"

# A self-signed certificate for 127.0.0.1, shared by the TLS servers.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null ||
  abort "openssl cannot make a certificate"

# server NAME [server.py options], stop NAME: tests/smtp/server.py in $T/NAME (sets PORT, SRV)
server() { smtp_server "$@"; }
stop() { smtp_stop "$1"; }
stat() { $PY -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$T/$1/stats" "$2"; }
received() { ls "$T/$1/mail" 2>/dev/null | grep -c '\.eml$'; }

# db NAME CSV-TEXT: a database at 2026-01-05T09:00:00Z with the campaign
# deployed and the records imported; sets DB and CSV
db() {
  store_db "$1"
  CSV=$T/$1.csv
  mkdir -p "$T/camp"
  cp "$HERE/mail.camp" "$HERE/models.camp" "$T/camp/"
  printf '%b\n' "$2" > "$CSV"
  new_db "$DB" "$T/camp/mail.camp" "$CSV"
}
# run ARGS...: camp run on $DB, its output in $T/out; a run that fails
# (or a sanitizer that complains) is a failed test of its own
run() {
  "$CAMP" run --db "$DB" --base-url "$BASE" "$@" > "$T/out" 2>&1
  rc=$?
  [ $rc -eq 0 ] || bad "camp run $* exited with $rc" "$(tail -n 5 "$T/out")"
}
# trace EMAIL FIELDS: timeline fields of the trace of the message to EMAIL
trace() { traces "$DB" "$2" record="$(record_of "$CSV" email "$1")"; }
# states: every trace's state, '|' between them
states() { traces "$DB" state | join_lines '|'; }

# -- 1. delivery and the message itself ------------------------------------------
server normal
NPORT=$PORT
db content 'name,email\nAda Lövelace,ada@x.test\n"Eve\r\nBcc: x@evil",eve@x.test\nBob,bob@y.test\n"Zoë O'"'"'Neil, PhD",zoe@x.test'
expect "setup: a record name holds CR LF" "1" "$(store_sql "$DB" "SELECT count(*) FROM contact WHERE name LIKE '%$CRLF%'")"
run --until +1h --mail "smtp://127.0.0.1:$PORT"
expect "four messages sent over SMTP" "processed|processed|processed|processed" "$(states)"
# each message's recipient and Message-ID (record N is line N of the CSV)
csv_column "$CSV" email > "$T/emails"
traces "$DB" record,message_id | awk -F'|' 'NR == FNR { e[FNR] = $0; next } { print e[$1] "|" $2 }' "$T/emails" - > "$T/expect"
$PY "$HERE/check_mail.py" "$T/normal/mail" "$T/expect" "$BASE" > "$T/checks" 2>&1
[ -s "$T/checks" ] || echo "FAIL check_mail.py printed nothing" > "$T/checks"
while IFS= read -r line; do
  case $line in
    "ok "*) ok "message: ${line#ok }" ;;
    *) bad "message: ${line#FAIL }" ;;
  esac
done < "$T/checks"
expect "sessions reused: 4 messages over at most 4 sessions, one run" "yes" \
  "$( [ "$(stat normal sessions)" -le 4 ] && echo yes || echo "no: $(stat normal sessions) sessions")"

# -- 2. a record's address that would inject an SMTP command never reaches the wire
db inject 'name,email\nMallory,mallory@x.test'
store_sql "$DB" "UPDATE contact SET email = 'a@b.c>${CRLF}RCPT TO:<evil@x' WHERE name = 'Mallory'"
before=$(received normal)
run --until +1h --mail "smtp://127.0.0.1:$PORT"
expect_match "an address with CR LF is an error, not a command" "error|invalid recipient address*" \
  "$(traces "$DB" state,message)"
expect "nothing sent for it" "$before" "$(received normal)"

# -- 3. 451 then 250: retried with backoff, delivered exactly once --------------
db grey 'name,email\nGrey,grey@x.test\nAda,ada@x.test'
run --once --mail "smtp://127.0.0.1:$PORT"
expect "451: the trace stays pending with attempt 1" "sending|1" "$(trace grey@x.test state,attempts)"
expect_match "451: the server's words in the trace" "attempt 1: 451 4.7.1 <grey@x.test>: Greylisted, try again later" \
  "$(trace grey@x.test message)"
expect "451: the rest of the batch is delivered" "processed" "$(trace ada@x.test state)"
run --until +2h --mail "smtp://127.0.0.1:$PORT"
expect "451: a later run delivers it" "processed|1" "$(trace grey@x.test state,attempts)"
expect "451: received exactly once" "1" "$(grep -l '"grey@x.test"' "$T"/normal/mail/*.env | wc -l)"

# -- 4. 550: a hard bounce, with the server's words (block 12: what follows) -----
db reject 'name,email\nRex,reject@x.test\nBob,bob2@x.test\nLat,latin1@x.test'
run --until +1d --mail "smtp://127.0.0.1:$PORT"
expect "550: the trace is processed and bounced, with the server's words" \
  "processed|0|550 5.1.1 <reject@x.test>: Recipient address rejected: User unknown" \
  "$(trace reject@x.test state,attempts,message)"
expect "550: the rest of the batch is delivered" "processed" "$(trace bob2@x.test state)"
expect "550 in Latin-1: bounced, the words kept, '?' for each byte that is not UTF-8" \
  "processed|550 5.1.1 <latin1@x.test>: bo?te inconnue" "$(trace latin1@x.test state,message)"

# -- 5. a connection dropped mid-message: retried, then delivered once -----------
db drop 'name,email\nDrop,drop@x.test'
run --once --mail "smtp://127.0.0.1:$PORT"
expect_match "dropped connection: pending, attempt 1" "sending|1|attempt 1: connection lost*" \
  "$(trace drop@x.test state,attempts,message)"
run --until +2h --mail "smtp://127.0.0.1:$PORT"
expect "dropped connection: delivered once later" "processed|1" \
  "$(trace drop@x.test state)|$(grep -l '"drop@x.test"' "$T"/normal/mail/*.env | wc -l)"

# -- 6. a server without PIPELINING: one command at a time ---------------------
server seq --no-pipelining
db seq 'name,email\nAda,ada@x.test\nRex,reject@x.test\nGrey,grey@x.test\nBob,bob@x.test'
run --once --mail "smtp://127.0.0.1:$PORT"
expect "no PIPELINING: sent, 550 bounced, 451 pending" "ada processed|reject processed|grey sending|bob processed" \
  "$(for e in ada reject grey bob; do echo "$e $(trace "$e@x.test" state)"; done | join_lines '|')"
expect "no PIPELINING: nothing was pipelined" "0|2" "$(stat seq pipelined)|$(received seq)"
$PY "$HERE/check_mail.py" "$T/seq/mail" /dev/null "$BASE" 2>&1 | grep -E '^(ok|FAIL) (CRLF|dot-stuffing)' > "$T/checks"
expect "no PIPELINING: the messages arrive whole (CRLF, dot-stuffing)" "ok CRLF line ends
ok dot-stuffing: lines starting with '.' arrive intact" "$(cat "$T/checks")"
stop seq

# -- 7. parallel sessions and the per-domain cap ---------------------------------
server par
rows='name,email'
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do rows="$rows\nS$i,slow$i@d$((i % 2)).test"; done
db par "$rows"
run --until +1h --mail "smtp://127.0.0.1:$PORT" --mail-connections 4
expect "parallel: 12 messages sent" "12" "$(ntraces "$DB" state=processed)"
expect "parallel: --mail-connections 4 keeps 4 sessions busy at once" "4" "$(stat par max_open)"
expect "parallel: connections reused (4 sessions for 12 messages)" "4" "$(stat par sessions)"
stop par
server cap
db cap "$rows"
run --until +1h --mail "smtp://127.0.0.1:$PORT?domain-cap=1" --mail-connections 4
expect "domain cap: all 12 sent" "12" "$(ntraces "$DB" state=processed)"
expect "domain cap 1: never two messages at once to one domain" "1" "$(stat cap max_domain)"
expect "domain cap 1: two domains still go in parallel" "2" "$(stat cap max_open)"
stop cap

# -- 8. STARTTLS -----------------------------------------------------------------
expect "plain server offers no TLS (control)" "false" \
  "$($PY -c 'import json,sys; print(str(json.load(open(sys.argv[1]))["tls"]).lower())' "$T/normal/mail/1.env")"
db tlsreq 'name,email\nAda,ada@x.test'
run --once --mail "smtp://127.0.0.1:$NPORT?tls=required"
expect_match "tls=required, no STARTTLS offered: pending with a clear message" \
  "sending|attempt 1: TLS required (tls=required) but the server does not offer STARTTLS" \
  "$(trace ada@x.test state,message)"
stop normal

server tls --mode starttls
db starttls 'name,email\nAda,ada@x.test'
run --until +1h --mail "smtp://127.0.0.1:$PORT?tls=required&cafile=$T/cert.pem"
expect "STARTTLS: delivered" "processed" "$(trace ada@x.test state)"
expect "STARTTLS: the session was encrypted" "true" \
  "$($PY -c 'import json,sys; print(str(json.load(open(sys.argv[1]))["tls"]).lower())' "$T/tls/mail/1.env" 2>&1)"
db untrusted 'name,email\nAda,ada@x.test'
run --once --mail "smtp://127.0.0.1:$PORT"
expect_match "STARTTLS with an untrusted certificate: refused, retried" "sending|attempt 1: TLS failed: *" \
  "$(trace ada@x.test state,message)"
expect "STARTTLS with an untrusted certificate: nothing sent" "1" "$(received tls)"
stop tls

server smtps --mode smtps
db smtps 'name,email\nAda,ada@x.test'
run --until +1h --mail "smtps://127.0.0.1:$PORT?cafile=$T/cert.pem"
expect "smtps://: implicit TLS, delivered encrypted" "processed|true" \
  "$(trace ada@x.test state)|$($PY -c 'import json,sys; print(str(json.load(open(sys.argv[1]))["tls"]).lower())' "$T/smtps/mail/1.env" 2>&1)"
stop smtps

# -- 9. AUTH ------------------------------------------------------------------------
server auth --mode starttls --auth "camp:s3cret pass"
db auth 'name,email\nAda,ada@x.test'
CAMP_SMTP_USER=camp CAMP_SMTP_PASSWORD="s3cret pass" run --until +1h --mail "smtp://127.0.0.1:$PORT?cafile=$T/cert.pem"
expect "AUTH with CAMP_SMTP_USER/CAMP_SMTP_PASSWORD: delivered" "processed|1" "$(trace ada@x.test state)|$(stat auth auth_ok)"
db authbad 'name,email\nAda,ada@x.test\nBob,bob@x.test'
CAMP_SMTP_USER=camp CAMP_SMTP_PASSWORD=wrong run --once --mail "smtp://127.0.0.1:$PORT?cafile=$T/cert.pem"
expect_match "AUTH refused: pending (not an error) with the server's words" "sending|attempt 1: authentication failed: 535 *" \
  "$(trace ada@x.test state,message)"
expect "AUTH refused: no trace of the batch burnt to error" "0" "$(ntraces "$DB" state=error)"
db authnone 'name,email\nAda,ada@x.test'
run --once --mail "smtp://127.0.0.1:$PORT?cafile=$T/cert.pem"
expect_match "AUTH required, no credentials: pending, says which variables" \
  "sending|attempt 1: authentication failed: 530 *(set CAMP_SMTP_USER and CAMP_SMTP_PASSWORD)" \
  "$(trace ada@x.test state,message)"
stop auth

# -- 10. no server, a silent server, a refusing server ----------------------------------------------
DEAD=$(free_port)
db refused 'name,email\nAda,ada@x.test\nBob,bob@x.test'
run --once --mail "smtp://127.0.0.1:$DEAD"
expect_match "connection refused: pending with attempt 1" "sending|1|attempt 1: cannot connect: *" \
  "$(trace ada@x.test state,attempts,message)"
expect "connection refused: the whole batch pending" "sending|sending" "$(states)"

server silent --mode silent
db silent 'name,email\nAda,ada@x.test'
t0=$(date +%s)
run --once --mail "smtp://127.0.0.1:$PORT?timeout=2"
t1=$(date +%s)
expect_match "silent server: timed out, pending" "sending|attempt 1: timed out: *" "$(trace ada@x.test state,message)"
expect "silent server: the run ends within its timeout" "yes" "$( [ $((t1 - t0)) -le 10 ] && echo yes || echo "no: $((t1 - t0)) s")"
stop silent

server stall
db stall 'name,email\nStall,stall@x.test'
t0=$(date +%s)
run --once --mail "smtp://127.0.0.1:$PORT?timeout=2"
t1=$(date +%s)
expect "no reply to the end of DATA: timed out, pending" "sending|attempt 1: timed out: no reply from the server in 2 s" \
  "$(trace stall@x.test state,message)"
expect "no reply to the end of DATA: the run ends within its timeout" "yes" "$( [ $((t1 - t0)) -le 10 ] && echo yes || echo "no: $((t1 - t0)) s")"
stop stall

server refuse --mode refuse
db refuse "$rows"
run --once --mail "smtp://127.0.0.1:$PORT"
expect_match "554 greeting: pending, not an error (it says nothing of the recipient)" \
  "sending|attempt 1: the server refused the session: 554 5.7.1 No SMTP service for you" "$(trace slow1@d1.test state,message)"
expect "554 greeting: all 12 pending, the rest of the batch not tried (4 sessions at most)" "12 yes" \
  "$(ntraces "$DB" state=sending) $( [ "$(stat refuse sessions)" -le 4 ] && echo yes || echo "no: $(stat refuse sessions)")"
stop refuse

# -- 11. URLs ----------------------------------------------------------------------
db url 'name,email\nAda,ada@x.test'
"$CAMP" run --db "$DB" --once --mail "smtp://me:pw@127.0.0.1:25" > "$T/out" 2>&1
expect_match "credentials in the URL are refused" "*no credentials in the URL; set CAMP_SMTP_USER and CAMP_SMTP_PASSWORD*" "$(cat "$T/out")"
"$CAMP" run --db "$DB" --once --mail "smtp://127.0.0.1:25?tls=maybe" > "$T/out" 2>&1
expect_match "an unknown option value is refused" "*bad option 'tls=maybe'*" "$(cat "$T/out")"
expect "refused URLs sent nothing and touched no trace" "" "$(traces "$DB" state state!=scheduled)"

# -- 12. a 5xx to RCPT TO or DATA is a hard bounce; 5xx to MAIL FROM an error ----
# (tests/smtp/bounce.camp: hello with `on bounce` and `on open` branches,
# later a day after)
server bounce
mkdir -p "$T/bcamp" && cp "$HERE/bounce.camp" "$HERE/models.camp" "$T/bcamp/"
store_db bounce
CSV=$T/bounce.csv
printf 'name,email\nada,ada@x.test\nrex,reject@x.test\nbea,baddata@x.test\nrefused,ref@x.test\ngus,grey@x.test\n' > "$CSV"
new_db "$DB" "$T/bcamp/bounce.camp" "$CSV"
# act EMAIL ACTIVITY FIELDS: timeline fields of that record's trace of that activity
act() { traces "$DB" "$3" record="$(record_of "$CSV" email "$1")" activity="$2"; }
run --until +1h --mail "smtp://127.0.0.1:$PORT"
expect "550 at RCPT: processed, bounced, the server's words" \
  "processed|bounce|550 5.1.1 <reject@x.test>: Recipient address rejected: User unknown" "$(act reject@x.test hello state,events,message)"
expect "550 at RCPT: recorded as a bounce event" "bounce" "$(act reject@x.test hello events)"
expect "550 at RCPT: on bounce fired" "processed" "$(act reject@x.test bounced state)"
expect "550 at RCPT: the other branch canceled" "canceled|parent activity bounced" "$(act reject@x.test opened state,message)"
expect "554 to DATA: a bounce too, on bounce fired" "processed|bounce|processed" \
  "$(act baddata@x.test hello state,events)|$(act baddata@x.test bounced state)"
expect "550 to MAIL FROM: an error about the sender, not a bounce" \
  "error||550 5.7.1 <shop+refused@example.com>: Sender address rejected: not allowed" "$(act ref@x.test hello state,events,message)"
expect "451: retried (one attempt) then delivered, never a bounce" "processed|1|" "$(act grey@x.test hello state,attempts,events)"
expect "suppressed: the two bounced addresses, on the email channel only" "email baddata@x.test bounce|email reject@x.test bounce" \
  "$(suppressions "$DB" channel,address,reason | tr '|' ' ' | join_lines '|')"
run --until +2d --mail "smtp://127.0.0.1:$PORT"
expect "a day later: nothing more to the bounced addresses" "canceled|canceled" "$(act reject@x.test later state)|$(act baddata@x.test later state)"
expect "a day later: the others get it; 451 delivered on retry" "processed|processed|processed" \
  "$(act ada@x.test later state)|$(act grey@x.test later state)|$(act grey@x.test hello state)"
expect "the server received nothing for the bounced addresses" "0" \
  "$(cat "$T"/bounce/mail/*.env | grep -c -e reject@x.test -e baddata@x.test)"
stop bounce

finish

#!/bin/sh
# tests/suite_escape.sh -- record values typed by strangers against the
# emails camp sends: `camp run --mail file:DIR` on tests/escape/escape.camp,
# then the .eml files (tests/escape/check_eml.py parses them with Python's
# email package) and the links registered in the database.
#
# A name holding markup and a link must arrive as text and its link must
# never be signed; a `javascript:` website must not become a link; `| raw`
# on a constant stays markup; CR LF in a name cannot add a header; a long
# name folds into lines of at most 78; a 10 MB subject is refused with a
# clear trace error; a value in the sender's name cannot pick the sender
# address; `camp check` warns on `| raw` applied to a field.
BUILD=${BUILD:-build}
CAMP=${CAMP:-$PWD/$BUILD/camp}
PY=/usr/bin/python3
HERE=$PWD/tests/escape
BASE=https://t.example.test
T=$(mktemp -d)
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$T"' EXIT
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/     /'; return 0; }
expect() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "want: $2
got:  $3"; fi; }
expect_match() { case $3 in $2) ok "$1" ;; *) bad "$1" "want: $2
got:  $(printf '%.300s' "$3")" ;; esac; }
# fact ADDRESS NAME: one fact about the message sent to ADDRESS
fact() { grep "^$2=" "$T/facts.$1" | head -n 1 | cut -d= -f2-; }

DB=$T/e.db
cp "$HERE/escape.camp" "$HERE/hello.html" "$T/"
cat > "$T/r.csv" <<'CSV'
name,email,website,score,seller
"<a href=""https://evil.example/phish"">Claim prize</a><script>alert(1)</script>",evil@x.test,javascript:alert(1),7,Eve <attacker@evil.example>
"Eve
Bcc: x@evil.example",eve@x.test,https://ok.example/w,8,Ann
Huge,huge@x.test,,9,Ann
Long,long@x.test,  JaVaScRiPt:alert(2),10,Ann
CSV
"$CAMP" init --db "$DB" --clock 2026-01-05T09:00:00Z > /dev/null &&
  "$CAMP" deploy --db "$DB" --start "$T/escape.camp" > /dev/null &&
  "$CAMP" import --db "$DB" --model contact "$T/r.csv" > /dev/null || bad "setup"
# CR LF exactly (the CSV line break is LF); a 10 MB name; a long name with spaces
sqlite3 "$DB" "UPDATE contact SET name = 'Hi' || char(13, 10) || 'Bcc: x@evil.example' WHERE email = 'eve@x.test';
               UPDATE contact SET name = replace(hex(zeroblob(5242880)), '0', 'a') WHERE email = 'huge@x.test';
               UPDATE contact SET name = trim(replace(hex(zeroblob(200)), '00', 'word ')) WHERE email = 'long@x.test'"
expect "setup: a name holds CR LF, one 10 MB" "1|10485760" \
  "$(sqlite3 "$DB" "SELECT sum(instr(name, char(13, 10)) > 0) || '|' || max(length(name)) FROM contact")"

"$CAMP" run --db "$DB" --until +1h --base-url "$BASE" --mail "file:$T/mail" > "$T/out" 2>&1 ||
  bad "camp run exited with $?" "$(tail -n 5 "$T/out")"
for a in evil eve huge long; do $PY "$HERE/check_eml.py" "$T/mail" "$a@x.test" > "$T/facts.$a" 2>&1; done

# -- markup and links inside a value -------------------------------------------
expect "evil: the message was written" "1" "$(fact evil found)"
expect "evil: the name is HTML-escaped text in the body" "1" "$(fact evil html_escaped_name)"
expect "evil: no <script> in the body" "0" "$(fact evil html_script)"
expect "evil: no href to evil.example in the body" "0" "$(fact evil html_evil_href)"
expect "evil: | raw on a constant stays markup" "1" "$(fact evil html_raw_constant)"
expect "evil: a javascript: website becomes '#'" "#" "$(fact evil html_site_href)"
expect "evil: no javascript: anywhere in the body" "0" "$(fact evil html_javascript)"
expect "long: a javascript: website with blanks and odd case becomes '#'" "#" "$(fact long html_site_href)"
expect "evil: the author's two links are tracked, the value's are not" "2" "$(fact evil html_tracked_links)"
expect "evil: the text part keeps the value's link as written" "1" "$(fact evil text_evil_link_as_written)"
expect "evil: the text part tracks only the author's link" "1" "$(fact evil text_tracked_links)"
expect "eve: an https website is a link, as written" "https://ok.example/w" "$(fact eve html_site_href)"
expect "no value mark reaches a message" "0|0|0" "$(fact evil marks)|$(fact eve marks)|$(fact long marks)"
expect "no registered link leads to a value's host" "0" \
  "$(sqlite3 "$DB" "SELECT count(*) FROM camp_linkset WHERE links LIKE '%//evil.example%' OR links LIKE '%//ok.example%'")"
expect "the author's link with a value in its path is registered per record" "1" \
  "$(sqlite3 "$DB" "SELECT count(*) FROM camp_linkset WHERE links LIKE '%https://shop.example/u/7?utm_campaign=promo-2026%'")"

# -- headers ----------------------------------------------------------------------
expect "evil: a seller '<attacker@…>' in the from template does not become the sender" \
  "shop@example.com|Eve <attacker@evil.example>" "$(fact evil from_address)|$(fact evil from_name)"
expect "eve: CR LF in the subject starts no Bcc header" "0|None" "$(fact eve bcc_lines)|$(fact eve bcc_header)"
expect "eve: no control character in the header block" "0" "$(fact eve header_controls)"
expect "eve: the subject is one line of text" "Hello Hi  Bcc: x@evil.example" "$(fact eve subject)"
expect_match "long: a 1005-character subject folds into lines of at most 78" "[1-7][0-9]" "$(fact long longest_header_line)"
expect "long: nothing of the subject is lost in the folds" \
  "$(sqlite3 "$DB" "SELECT length('Hello ' || name) FROM contact WHERE email = 'long@x.test'")" "$(fact long subject_length)"
expect "huge: a 10 MB subject writes no message" "0" "$(fact huge found)"
expect_match "huge: its trace is an error that says why" "*the subject is 10485766 bytes: a header holds at most 16384*" \
  "$(sqlite3 "$DB" "SELECT t.state || ' ' || t.message FROM camp_trace t JOIN camp_participant p ON p.id = t.participant
                    JOIN contact c ON c.id = p.record_id WHERE c.email = 'huge@x.test'")"
expect "the others were sent" "3" "$(ls "$T/mail" | grep -c '\.eml$')"

# -- the same over SMTP: the refused subject never reaches the wire ------------------
if $PY -c 'import aiosmtpd' 2>/dev/null; then
  mkdir -p "$T/srv"
  $PY tests/smtp/server.py "$T/srv" --mode plain > "$T/srv/log" 2>&1 &
  SRV=$!
  i=0
  while [ ! -s "$T/srv/port" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
  DB2=$T/smtp.db
  "$CAMP" init --db "$DB2" --clock 2026-01-05T09:00:00Z > /dev/null &&
    "$CAMP" deploy --db "$DB2" --start "$T/escape.camp" > /dev/null &&
    "$CAMP" import --db "$DB2" --model contact "$T/r.csv" > /dev/null || bad "smtp: setup"
  sqlite3 "$DB2" "UPDATE contact SET name = replace(hex(zeroblob(5242880)), '0', 'a') WHERE email = 'huge@x.test'"
  "$CAMP" run --db "$DB2" --until +1h --base-url "$BASE" --mail "smtp://127.0.0.1:$(cat "$T/srv/port")" > "$T/out" 2>&1 ||
    bad "smtp: camp run exited with $?" "$(tail -n 5 "$T/out")"
  kill "$SRV" 2>/dev/null
  expect "smtp: the three others arrived, the 10 MB subject did not" "3|0" \
    "$(ls "$T/srv/mail" | grep -c '\.eml$')|$(grep -l huge@x.test "$T"/srv/mail/*.env | wc -l)"
  expect_match "smtp: its trace is an error that says why" "*the subject is 10485766 bytes: a header holds at most 16384*" \
    "$(sqlite3 "$DB2" "SELECT t.state || ' ' || t.message FROM camp_trace t JOIN camp_participant p ON p.id = t.participant
                       JOIN contact c ON c.id = p.record_id WHERE c.email = 'huge@x.test'")"
else
  bad "aiosmtpd missing: apt-get install python3-aiosmtpd"
fi

# -- the plain part derived from the HTML (runtime/compose.c) ------------------------
cat > "$T/plain.camp" <<'CAMP'
model contact {
  name text
  email email
}
campaign plain "Plain" {
  target contact
  where email is set
  email hi {
    subject "Hi"
    body "<p>Caf&eacute; {{ name }}</p><!-- <a href='https://old.example/'>old</a> --><table><tr><td>A</td><td><a href='https://shop.example/x'>B</a></td></tr></table>"
  }
}
CAMP
printf 'name,email\nZo\303\253 & co,zoe@x.test\n' > "$T/p.csv"
"$CAMP" init --db "$T/p.db" --clock 2026-01-05T09:00:00Z > /dev/null &&
  "$CAMP" deploy --db "$T/p.db" --start "$T/plain.camp" > /dev/null &&
  "$CAMP" import --db "$T/p.db" --model contact "$T/p.csv" > /dev/null &&
  "$CAMP" run --db "$T/p.db" --until +1h --base-url "$BASE" --mail "file:$T/pmail" > /dev/null 2>&1 || bad "plain: setup and run"
$PY "$HERE/check_eml.py" "$T/pmail" zoe@x.test > "$T/facts.zoe" 2>&1
expect_match "plain part: references decoded, no commented-out link, cells apart, the link after its text" \
  "Café Zoë & co\\\\nA$(printf '\t')B ($BASE/r/*)" "$(fact zoe text)"

# -- camp check ---------------------------------------------------------------------
sed 's/{{ name }},<\/p>/{{ name | raw }},<\/p>/' "$T/hello.html" > "$T/hello2.html" && mv "$T/hello2.html" "$T/hello.html"
out=$("$CAMP" check "$T/escape.camp" 2>&1)
expect_match "check: | raw on a record field warns W060" "*hello.html:2:12: warning: 'raw' on a value read from the record*[W060]*" "$out"
expect_match "check: a record value as a link target warns W061" "*hello.html:5:16: warning: a link target read from the record*[W061]*" "$out"
expect_match "check: | raw on a constant does not warn" "*0 errors, 2 warnings*" "$out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

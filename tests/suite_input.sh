#!/bin/sh
# tests/suite_input.sh -- bad input gets a clear error and changes nothing.
#   import: a header of 200 long names (overflowed a stack buffer), NUL bytes,
#     a UTF-8 BOM, --delimiter, RFC 4180 quoting ("ab"c refused; quoted line
#     breaks and doubled quotes kept), invalid UTF-8, datetimes that do not
#     exist and offsets converted to UTC, email and phone values that could
#     reach a channel's headers (CR/LF, spaces, control bytes, 'aBcc:v@x.test');
#     every error as FILE:LINE: error: column 'NAME': ..., nothing imported
#   init: an existing database is refused (its clock unchanged); a missing
#     parent, a parent that is a file and an unwritable directory are named
#     (the last as an unprivileged user through setpriv when run as root)
#   a damaged page of camp_trace makes report and timeline (text and JSON) fail with SQLite's
#     message; run says when no campaign is running
set -u
. tests/lib.sh
# has NAME FILE TEXT: FILE holds the line TEXT (fixed string)
has() { if grep -qF -- "$3" "$2"; then ok; else bad "$1: no '$3' in: $(head -c 600 "$2")"; fi; }
q() { sqlite3 "$DB" "$1"; }

cat > "$D/person.camp" <<'C'
model person {
  name text
  email email
  phone phone
  born datetime
  age int
  vip bool
}
campaign hello "Hello" {
  target person
  where email is set
  email hi after 1 hour {
    subject "Hi {{ name }}"
    body "<p>Hi</p>"
  }
}
C
DB=$D/p.db
"$CAMP" init --db "$DB" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$DB" "$D/person.camp" > /dev/null
# imp CSV-TEXT [OPTIONS]: import printf's rendering of CSV-TEXT from $D/t.csv;
# the exit status in $rc, stderr in $D/err
imp() {
  printf "$1" > "$D/t.csv"; shift
  "$CAMP" import --db "$DB" --model person "$@" "$D/t.csv" > /dev/null 2> "$D/err"; rc=$?
}
records() { q "SELECT count(*) FROM person"; }      # no command lists records

# -- CSV ----------------------------------------------------------------------
/usr/bin/python3 - "$D/long.csv" <<'P'
import sys
with open(sys.argv[1], "w") as f:
    f.write(",".join("column_with_a_rather_long_name_number_%03d_%s" % (i, "x" * 40) for i in range(200)) + "\n")
    f.write(",".join(str(i) for i in range(200)) + "\n")
P
"$CAMP" import --db "$DB" --model person "$D/long.csv" > /dev/null 2> "$D/err"; rc=$?
check "200 long column names: a clear error, no crash" "$rc" 1
check "200 long column names: each named, then the count" "$(grep -c "long.csv:1: error: model 'person' has no field 'column_with" "$D/err")|$(tail -1 "$D/err")" \
  "200|camp import: 200 problems; nothing imported"

imp 'name,email\nBefore,before@x.test\nNu\000ll,nul@x.test\n'
check "NUL byte: refused" "$rc|$(records)" "1|0"
has "NUL byte: file, line and column named" "$D/err" "t.csv:3: error: column 'name': a NUL byte"

imp '\357\273\277name,email\nBom,bom@x.test\n'
check "UTF-8 BOM: skipped" "$rc|$(q "SELECT name FROM person WHERE email = 'bom@x.test'")" "0|Bom"

imp 'name;email;age\nSemi;semi@x.test;7\n"With;semicolon";with@x.test;8\n' --delimiter ';'
check "--delimiter ';'" "$rc|$(q "SELECT group_concat(name || '/' || age, ' ') FROM person WHERE email IN ('semi@x.test', 'with@x.test')")" \
  "0|Semi/7 With;semicolon/8"
"$CAMP" import --db "$DB" --model person --delimiter ab "$D/t.csv" > /dev/null 2>&1
check "--delimiter of two characters: a usage error" "$?" 2

n=$(records)
imp 'name,email\n"ab"c,abc@x.test\n'
check "\"ab\"c: refused" "$rc|$(records)" "1|$n"
has "\"ab\"c: what is wrong, where" "$D/err" "t.csv:2: error: column 'name': 'c' after the closing quote of a quoted field"
imp 'name,email\nab"c,abc@x.test\n'
check "a quote inside an unquoted field: refused" "$rc|$(records)" "1|$n"
imp 'name,email\n"never closed,abc@x.test\n'
check "an unclosed quote: refused" "$rc|$(records)" "1|$n"
has "an unclosed quote: where it opens" "$D/err" "a quoted field is not closed (its '\"' opens at line 2)"

imp 'name,email\r\n"Line one\nline ""two""",multi@x.test\r\nNext,next@x.test\r\n'
check "quoted line break and doubled quotes kept, CRLF lines" \
  "$rc|$(q "SELECT name = 'Line one' || char(10) || 'line \"two\"' FROM person WHERE email = 'multi@x.test'")|$(q "SELECT name FROM person WHERE email = 'next@x.test'")" \
  "0|1|Next"

n=$(records)
imp 'name,email\nBad\377byte,utf@x.test\n'
check "invalid UTF-8: refused" "$rc|$(records)" "1|$n"
has "invalid UTF-8: the byte named" "$D/err" "t.csv:2: error: column 'name': not valid UTF-8 (byte 0xff at offset 3)"
imp 'name,email\nOverlong \300\257,utf@x.test\n'
check "overlong UTF-8: refused" "$rc|$(records)" "1|$n"

imp 'name,email,born\nFeb,feb@x.test,2026-02-30\n'
check "2026-02-30: refused" "$rc|$(records)" "1|$n"
has "2026-02-30: column named" "$D/err" "t.csv:2: error: column 'born': '2026-02-30' is not an ISO 8601 date or datetime that exists"
imp 'name,email,born\nOff,off@x.test,2026-03-01T12:00:00+02:00\nZulu,zulu@x.test,2026-03-01T10:00:00Z\nDay,day@x.test,2026-03-01\nWest,west@x.test,2026-03-01T04:30-05:30\n'
check "datetimes: offsets converted to UTC, Z, date only" \
  "$rc|$(q "SELECT group_concat(name || '=' || born, ' ') FROM (SELECT name, born FROM person WHERE born IS NOT NULL ORDER BY id)")" \
  "0|Off=1772359200 Zulu=1772359200 Day=1772323200 West=1772359200"

n=$(records)
imp 'name,email\nCr,"a@x.test\r\nBcc: v@x.test"\nSp,a b@x.test\nHdr,aBcc:v@x.test\nCtl,a\001b@x.test\nTwo,a@b@x.test\nName,Ann <ann@x.test>\nTab,\tt@x.test\n'
check "emails that could break a header: refused" "$rc|$(records)|$(grep -c "column 'email'" "$D/err")" "1|$n|7"
has "email with CR/LF: named, shown without the break" "$D/err" "t.csv:2: error: column 'email': 'a@x.test??Bcc: v@x.test' is not one plain email address"
has "aBcc:v@x.test: refused" "$D/err" "t.csv:5: error: column 'email': 'aBcc:v@x.test' is not one plain email address"
imp "name,email\nOk,o.k+tag@sub.x-y.test\n"
check "a plain address with dots, plus and hyphens: accepted" "$rc" 0

n=$(records)
imp 'name,phone\nLetters,+33abc\nNoPlus,0612345678\nBrackets,+1 (555) 0100\nLong,+1234567890123456\n'
check "phones that are not E.164: refused" "$rc|$(records)|$(grep -c "column 'phone'" "$D/err")" "1|$n|4"
has "phone with letters: column named" "$D/err" "t.csv:2: error: column 'phone': '+33abc' is not an international phone number"
imp 'name,phone\nSpaced,+33 6 12 34 56 78\nDashed,+1-202-555-0142\n'
check "phones: separators removed, E.164 stored" "$rc|$(q "SELECT group_concat(phone, ' ') FROM (SELECT phone FROM person WHERE phone IS NOT NULL ORDER BY id)")" \
  "0|+33612345678 +12025550142"

n=$(records)
imp 'name,email,name,\nA,dup@x.test,B,\n'
check "a column named twice, a column without a name: refused" "$rc|$(records)" "1|$n"
has "a column named twice: both named" "$D/err" "t.csv:1: error: column 'name': named twice (columns 1 and 3)"
has "a column without a name" "$D/err" "t.csv:1: error: column 4 has no name"
imp 'phone,age\n+33 6 12 34 56 78,41\n' --key phone
check "--key phone: the key is compared in its stored (E.164) form" "$rc|$(records)|$(q "SELECT age FROM person WHERE phone = '+33612345678'")" "0|$n|41"

n=$(records)
imp 'name,email,age\nGood,good@x.test,1\nAlso,also@x.test,2\nBad,bad@x.test,two\n'
check "all or nothing: good records before a bad one are not written" "$rc|$(records)" "1|$n"
has "a bad int: line and column" "$D/err" "t.csv:4: error: column 'age': 'two' is not an int"

# -- init and opening ----------------------------------------------------------
clock() { q "SELECT value FROM camp_meta WHERE key = 'clock'"; }
before=$(clock)
"$CAMP" init --db "$DB" --clock 2027-06-01T00:00:00Z > /dev/null 2> "$D/err"; rc=$?
check "init on an existing database: refused, clock unchanged" "$rc|$(clock)" "1|$before"
has "init on an existing database: says so" "$D/err" "already exists; camp init only creates a new database"
"$CAMP" init --db "$DB" > /dev/null 2>&1
check "init (real clock) on an existing database: still simulated" "$?|$(clock)" "1|$before"

: > "$D/afile"
"$CAMP" init --db "$D/afile/x.db" > /dev/null 2> "$D/err"; rc=$?
check "init under a regular file: refused" "$rc" 1
has "init under a regular file: says it is not a directory" "$D/err" "'$D/afile' is not a directory"
"$CAMP" init --db "$D/missing/x.db" > /dev/null 2> "$D/err"; rc=$?
check "init in a missing directory: refused" "$rc" 1
has "init in a missing directory: says so" "$D/err" "directory '$D/missing' does not exist"
"$CAMP" run --db "$D/nothing.db" --once > /dev/null 2> "$D/err"; rc=$?
check "run on a database that does not exist: exit 1, no file left" "$rc|$(ls "$D" | grep -c nothing)" "1|0"
has "run on a database that does not exist: says so" "$D/err" "database '$D/nothing.db' does not exist (create it with camp init)"

# an unwritable directory: root writes anywhere, so the checks run as nobody
mkdir "$D/ro"
cp "$DB" "$D/ro/p.db"
chmod 644 "$D/ro/p.db"
chmod 555 "$D/ro"
as_user() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
as_user "$CAMP" init --db "$D/ro/new.db" > /dev/null 2> "$D/err"; rc=$?
check "init in an unwritable directory: refused, nothing created" "$rc|$(ls "$D/ro")" "1|p.db"
has "init in an unwritable directory: says so" "$D/err" "cannot create database '$D/ro/new.db': directory '$D/ro' is not writable"
as_user "$CAMP" report --db "$D/ro/p.db" > /dev/null 2> "$D/err"; rc=$?
check "report in an unwritable directory: exit 1, not 'not a camp database'" "$rc|$(grep -c 'not a camp database' "$D/err")" "1|0"
has "report in an unwritable directory: says why" "$D/err" "directory '$D/ro' is not writable"

# -- run with only drafts ------------------------------------------------------
"$CAMP" run --db "$DB" --once > /dev/null 2> "$D/err"; rc=$?
check "run with only drafts: exit 0" "$rc" 0
has "run with only drafts: says nothing runs" "$D/err" "camp run: no campaign is running (1 draft, 0 stopped)"
"$CAMP" start --db "$DB" hello
"$CAMP" run --db "$DB" --once > /dev/null 2> "$D/err"
check "run with a running campaign: no such line" "$(grep -c 'no campaign is running' "$D/err")" 0

# -- a damaged page ------------------------------------------------------------
DB=$D/c.db
cp tests/scenarios/models.camp tests/scenarios/flow.camp "$D/"
"$CAMP" init --db "$DB" --clock 2026-01-05T09:00:00Z > /dev/null
"$CAMP" deploy --db "$DB" --start "$D/flow.camp" > /dev/null
awk 'BEGIN { print "name,email,opt_out"; for (i = 1; i <= 1000; i++) printf "P%d,p%d@x.test,false\n", i, i }' > "$D/c.csv"
"$CAMP" import --db "$DB" --model contact "$D/c.csv" > /dev/null
"$CAMP" run --db "$DB" --until +3h --mail sink: > /dev/null
"$CAMP" report --db "$DB" > /dev/null 2>&1
check "report before the damage" "$?" 0
q "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
size=$(q "PRAGMA page_size")
# a leaf page in the middle of camp_trace (dbstat), else its root page
page=$(q "SELECT pageno FROM dbstat WHERE name = 'camp_trace' AND pagetype = 'leaf' ORDER BY pageno LIMIT 1 OFFSET 5" 2> /dev/null)
[ -n "$page" ] || page=$(q "SELECT rootpage FROM sqlite_master WHERE name = 'camp_trace'")
head -c "$size" /dev/zero | tr '\0' '\377' | dd of="$DB" bs="$size" seek=$((page - 1)) conv=notrunc status=none
for cmd in "report" "report --format json" "timeline" "timeline --format json"; do
  "$CAMP" $cmd --db "$DB" > /dev/null 2> "$D/err"; rc=$?
  check "$cmd on a damaged page: fails" "$rc" 1
  has "$cmd on a damaged page: SQLite's message" "$D/err" "database disk image is malformed"
done

finish

#!/bin/sh
# tests/suite_testing.sh -- camp test, the runner of `test` blocks: every
# step and expectation when it holds (tests/testing/pass.camp), what it says
# when one does not (tests/testing/fail.camp), the three output formats,
# --jobs, exit statuses, a broken copy of an example, and every shipped
# example's own tests.
. tests/lib.sh
T=tests/testing

# -- what holds passes -----------------------------------------------------------
out=$("$CAMP" test $T/pass.camp 2>&1); rc=$?
check "pass.camp: exit 0" "$rc" 0
check "pass.camp: five tests pass" "$(printf '%s\n' "$out" | tail -1)" "5 passed, 0 failed"
for name in "a click promotes the contact" "no open: an sms three days later" \
            "records from a file, a change, a manual mailing" "a bounce blocks the address" \
            "a visit to the spring page, a website event, a list's changes"; do
  expect_match "pass.camp: ok line for '$name'" "*ok    $T/pass.camp:[0-9]*: $name (*ms)*" "$out"
done

# -- an A/B mailing's winner is chosen in each test's own database (the
# winner was kept per process once: the second test got the first's)
out=$("$CAMP" test -j 1 $T/ab.camp 2>&1)
check "ab.camp: each test chooses its own winner" "$(printf '%s\n' "$out" | tail -1)" "2 passed, 0 failed"

# -- what does not hold fails, saying where, what and what happened -----------------
out=$("$CAMP" test $T/fail.camp 2>&1); rc=$?
check "fail.camp: exit 1" "$rc" 1
check "fail.camp: every test fails" "$(printf '%s\n' "$out" | tail -1)" "0 passed, 17 failed"
# failing NAME STEP-TEXT HAPPENED: the test's FAIL line, then its failing step's
# file:line:col (the step's own line in the file) with what it expected and what happened
failing() {
  _line=$(grep -n -F "$2" $T/fail.camp | head -1 | cut -d: -f1)
  _block=$(printf '%s\n' "$out" | sed -n "/^FAIL  .*: $1 (/,/^\(FAIL\|ok\|[0-9]\)/p")
  _w=$(printf '%s' "$2" | sed 's/[][]/\\&/g'); _h=$(printf '%s' "$3" | sed 's/[][]/\\&/g')
  expect_match "fail.camp: $1: where and what" "*$T/fail.camp:$_line:3: expected: $_w
    happened: $_h*" "$_block"
}
failing "sent: not yet" "ann sent hello.greet" "its trace is scheduled, due 2026-01-05T10:00:00Z"
failing "not sent: it was" "ann not sent hello.greet" "it was sent at 2026-01-05T10:00:00Z (Message-ID t1.*@camp)"
failing "subject: another" 'ann sent hello.greet subject like "Hello%"' 'its subject was "Hi Ann"'
failing "trace: another state" "ann trace hello.promote processed" "its trace is waiting for its event until 2026-01-07T10:00:00Z"
failing "in: still running" "ann in hello completed" "ann is running"
failing "in: never enrolled" "bob in hello running" "bob is not a participant of hello"
failing "field: another value" "ann.score = 41" "ann.score is 40"
failing "list: nobody" "list vips = [ann]" "its members are []"
failing "count: one email" "2 email sent" "1 email went out"
failing "suppressed: not" "ann suppressed" "ann's address ann@x.test is not suppressed"
failing "not suppressed: a bounce" "ann not suppressed email" "ann's address ann@x.test is suppressed (bounce at 2026-01-05T11:00:00Z)"
failing "suppressed: no phone" "ann suppressed sms" "ann has no phone number"
_line=$(grep -n '  send later' $T/fail.camp | cut -d: -f1)
expect_match "fail.camp: send refuses a deferred mailing" "*$T/fail.camp:$_line:3: expected: the mailing to be sent
    happened: mailing 'later' is deferred to 2026-02-01T09:00:00Z: camp run sends it when that time comes*" "$out"
failing "not in: enrolled" "ann not in hello" "ann is a participant of hello, running"
_line=$(grep -n '  add ann to readers' $T/fail.camp | cut -d: -f1)
expect_match "fail.camp: add refuses a dynamic list, as camp list add does" "*$T/fail.camp:$_line:3: expected: list readers to take the record
    happened: list 'readers' is dynamic: its members come from its filter (change the filter); add is for manual lists*" "$out"
_line=$(grep -n 'at 2026-01-05 09:30' $T/fail.camp | cut -d: -f1)
expect_match "fail.camp: time only moves on" "*$T/fail.camp:$_line:3: expected: a time after the test's clock
    happened: 2026-01-05T09:30:00Z is before the clock's 2026-01-05T11:00:00Z: time only moves on*" "$out"
expect_match "fail.camp: an event needs a message" "*expected: ann to have a message from hello.greet to open
    happened: ann has no trace of it: nothing went out*" "$out"
expect_match "a failure shows the record's timeline" "*timeline:
      hello record 1 (running): greet            processed due 2026-01-05T10:00*" "$out"

# -- formats ----------------------------------------------------------------------
"$CAMP" test --format junit $T/pass.camp $T/fail.camp > "$D/junit.xml" 2> "$D/junit.err"
check "junit: exit 1 with a failure" "$?" 1
check "junit: the totals on stderr" "$(cat "$D/junit.err")" "5 passed, 17 failed"
check "junit: well-formed, a testsuite per file with its counts" "$($PY - "$D/junit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for s in root.iter("testsuite"):
    cases = s.findall("testcase")
    fails = [c for c in cases if c.find("failure") is not None]
    assert int(s.get("tests")) == len(cases) and int(s.get("failures")) == len(fails), s.attrib
    print(s.get("name"), len(cases), len(fails), all(c.get("file") == s.get("name") and int(c.get("line")) > 0 for c in cases))
PY
)" "tests/testing/pass.camp 5 0 True
tests/testing/fail.camp 17 17 True"
l=$(grep -n 'ann.score = 41' $T/fail.camp | cut -d: -f1)
expect_match "junit: a failure's message says where, what and what happened" \
  "*<failure message=\"tests/testing/fail.camp:$l:3: expected: ann.score = 41; happened: ann.score is 40\" type=\"expectation\">*" \
  "$(cat "$D/junit.xml")"
out=$("$CAMP" test --format github $T/fail.camp 2>&1)
expect_match "github: an ::error annotation per failure at the step" \
  "*::error file=tests/testing/fail.camp,line=$l,col=3,title=camp test%3A field%3A another value::expected: ann.score = 41%0Ahappened: ann.score is 40*" "$out"
check "github: an annotation per failing test" "$(printf '%s\n' "$out" | grep -c '^::error ')" 17

# -- jobs: the same report, whatever the number of processes ----------------------------
strip() { sed 's/ ([0-9.]* ms)$//; s/t[0-9]*\.[0-9a-f]*@camp/MID/'; }
one=$("$CAMP" test -j 1 $T examples/welcome_flow.camp 2>&1 | strip)
three=$("$CAMP" test --jobs 3 $T examples/welcome_flow.camp 2>&1 | strip)
check "--jobs 3 reports what --jobs 1 does, in file order" "$three" "$one"

# -- usage and files ------------------------------------------------------------------
"$CAMP" test > /dev/null 2>&1; check "no path: usage, exit 2" "$?" 2
"$CAMP" test --format xml $T/pass.camp > /dev/null 2>&1; check "unknown format: exit 2" "$?" 2
"$CAMP" test --jobs 0 $T/pass.camp > /dev/null 2>&1; check "--jobs 0: exit 2" "$?" 2
"$CAMP" test "$D/none.camp" > "$D/none.out" 2>&1; check "a missing path: exit 2" "$?" 2
expect_match "a missing path: said" "*cannot read '$D/none.camp'*" "$(cat "$D/none.out")"
mkdir -p "$D/bad" && cp $T/models.camp "$D/bad/" && printf 'use "models.camp"\n\ntest "t" {\n  expect nobody.score = 1\n}\n' > "$D/bad/x.camp"
out=$("$CAMP" test "$D/bad/x.camp" 2>&1); rc=$?
check "a file with errors: exit 1" "$rc" 1
expect_match "a file with errors: its diagnostics, then no test ran" "*x.camp:4:10: error: 'nobody' is not a record of this test*FAIL  $D/bad/x.camp: the file has errors: no test ran*0 passed, 1 failed" "$out"
ls -a "$T" > "$D/before"; "$CAMP" test $T > /dev/null 2>&1; ls -a "$T" > "$D/after"
check "nothing is written beside the files (the database is in memory)" "$(diff "$D/before" "$D/after")" ""

# -- the examples' own tests, and a broken example ----------------------------------------
out=$("$CAMP" test examples 2>&1); rc=$?
check "camp test examples: exit 0" "$rc" 0
n=$(printf '%s\n' "$out" | grep -c '^ok  ')
expect "camp test examples: every example has tests, all pass" 1 "$([ "$n" -ge 20 ] && printf '%s\n' "$out" | tail -1 | grep -q "^$n passed, 0 failed$" && echo 1)"
for f in examples/*.camp; do
  case $f in examples/models.camp) continue ;; esac
  expect_match "$f has tests that pass" "*ok    $f:*" "$out"
done
cp -r examples "$D/ex"
sed -i 's/email welcome after 2 hours/email welcome after 5 hours/' "$D/ex/welcome_flow.camp"
out=$("$CAMP" test "$D/ex/welcome_flow.camp" 2>&1); rc=$?
check "a broken welcome flow: its tests fail (exit 1)" "$rc" 1
expect_match "a broken welcome flow: the failure is readable" "*FAIL  $D/ex/welcome_flow.camp:*
  $D/ex/welcome_flow.camp:*:*: expected: * welcome_flow.welcome*
    happened: *
    timeline:
      welcome_flow record 1 *welcome *" "$out"
finish

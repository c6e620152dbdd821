#!/bin/sh
# tests/suite_progress.sh -- what camp run and camp serve show while they
# work: the live line of camp run on a terminal (a pty from util-linux's
# script), its timestamped lines off a terminal ($CAMP_PROGRESS_INTERVAL_MS
# shortens their 10 s), the table per campaign at the end, the log lines of
# the service mode (real clock, no --until), and camp serve's log line per
# hit, on IPv4, IPv6 ([::1]) and every address (:PORT), and the usage
# errors of a bad --listen.  The runs are made slow by an SMTP server that
# waits before each answer, never by a sleep here.
set -u
. tests/lib.sh
CLIENT=tests/serve/client.py
command -v script > /dev/null || abort "script (util-linux) is missing: needed for a terminal"
TS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
# matches FILE REGEX: how many lines of FILE match the extended REGEX (whole line)
matches() { grep -a -c -E "^$2\$" "$1"; }

cp tests/scenarios/models.camp "$D/"
cat > "$D/two.camp" <<'C'
use "models.camp"

campaign slow "Slow" {
  target contact
  where email is set

  email first {
    subject "One {{ name }}"
    body "<p>one</p>"

    on done {
      email second after 1 day {
        subject "Two {{ name }}"
        body "<p>two</p>"
      }
    }
  }
}

campaign quick "Quick" {
  target contact
  where email is set

  action mark { note("seen") }
}
C
N=300
awk -v n=$N 'BEGIN { print "name,email"; for (i = 1; i <= n; i++) printf "P%d,p%d@x.test\n", i, i }' > "$D/c.csv"
new_db "$D/base.db" "$D/two.camp" "$D/c.csv"
for db in pty pipe fast; do cp "$D/base.db" "$D/$db.db"; done
# each message waits 5 ms at the server: a step of N messages takes a while
smtp_server slow --delay 0.005
MAIL="smtp://127.0.0.1:$PORT"
SUMMARY="enrolled 600, left 0, processed 900 (sent 600), rejected 0, canceled 0, errors 0, retried 0, completed 600"

# -- on a terminal: one line rewritten, cleared at the end --------------------
script -qfec "\"$CAMP\" run --db \"$D/pty.db\" --until +2d --mail $MAIL" /dev/null > "$D/pty.out" 2>&1 < /dev/null
# the pty turns \n into \r\n: the live line's \r are those not before \n
$PY - "$D/pty.out" > "$D/pty.check" <<'PY'
import re, sys
raw = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
line = r"\r(\d{4}-\d\d-\d\d \d\d:\d\d)  [\d,]+ traces/s(  enrolled [\d,]+)?  sent [\d,]+  errors [\d,]+(  ETA \d+ (s|min|h \d\d min))?\x1b\[K"
lines = re.findall(line, raw)
print("lines", "many" if len(lines) >= 2 else len(lines))
print("eta", "yes" if any(l[2] for l in lines) else "no")
print("clock moved", "yes" if len(set(l[0] for l in lines)) >= 2 else "no")
print("stray", len(re.findall(r"\r(?!\n)", re.sub(line, "", raw))) - 1)     # only the final clear is left
print("cleared before the table", "yes" if "\r\x1b[Kcampaign " in raw else "no")
PY
check "terminal: a live line rewritten in place" "$(sed -n 1p "$D/pty.check")" "lines many"
check "terminal: the line shows the ETA to --until" "$(sed -n 2p "$D/pty.check")" "eta yes"
check "terminal: the line follows the simulated clock" "$(sed -n 3p "$D/pty.check")" "clock moved yes"
check "terminal: nothing else rewritten" "$(sed -n 4p "$D/pty.check")" "stray 0"
check "terminal: the line is cleared before the table" "$(sed -n 5p "$D/pty.check")" "cleared before the table yes"
check "terminal: the totals line last" "$(tr -d '\r' < "$D/pty.out" | tail -n 1)" "$SUMMARY"

# -- off a terminal: a timestamped line every CAMP_PROGRESS_INTERVAL_MS ----------
CAMP_PROGRESS_INTERVAL_MS=200 "$CAMP" run --db "$D/pipe.db" --until +2d --mail "$MAIL" > "$D/pipe.out" 2> "$D/pipe.err"
check "pipe: run succeeds" "$?" 0
LINE="$TS run: at $TS, [0-9]+ enrolled, [0-9]+ processed, [0-9]+ sent, [0-9]+ errors, [0-9]+ traces/s(, ETA [0-9]+ (s|min|h [0-9]{2} min))?"
n=$(matches "$D/pipe.err" "$LINE")
[ "$n" -ge 2 ] && ok "pipe: timestamped progress lines ($n)" || bad "pipe: timestamped progress lines" "$(cat "$D/pipe.err")"
check "pipe: nothing else on stderr" "$(grep -a -v -c -E "^$LINE\$" "$D/pipe.err")" 0
check "pipe: no carriage return" "$(tr -cd '\r' < "$D/pipe.err" | wc -c | tr -d ' ')" 0
grep -a -q -E "ETA [0-9]" "$D/pipe.err" && ok || bad "pipe: no line with an ETA" "$(cat "$D/pipe.err")"
# the table per campaign, then the totals
cat > "$D/table.want" <<T
campaign   enrolled  processed       sent   rejected     errors
slow            300        600        600          0          0
quick           300        300          0          0          0
$SUMMARY
T
check "the table per campaign, then the totals" "$(cat "$D/pipe.out")" "$(cat "$D/table.want")"
check "the table agrees with camp report" \
  "$(report "$D/pipe.db" '" ".join(sorted("%s:%d" % (c["name"], sum(a["processed"] for a in c["activities"])) for c in r["campaigns"]))')" "quick:300 slow:600"
# the default interval is 10 s: a short run says nothing; 0 turns the lines off
"$CAMP" run --db "$D/fast.db" --until +1h --mail sink: > /dev/null 2> "$D/fast.err"
check "a run shorter than 10 s prints no progress line" "$(cat "$D/fast.err")" ""
cp "$D/base.db" "$D/off.db"
CAMP_PROGRESS_INTERVAL_MS=0 "$CAMP" run --db "$D/off.db" --until +2d --mail "$MAIL" > /dev/null 2> "$D/off.err"
check "CAMP_PROGRESS_INTERVAL_MS=0: no progress line" "$(cat "$D/off.err")" ""
smtp_stop slow

# -- service mode: a log line per event --------------------------------------------
new_db "$D/svc.db" "$D/two.camp" "$D/c.csv" real
"$CAMP" run --db "$D/svc.db" --mail sink: > "$D/svc.out" 2> "$D/svc.err" &
SVC=$!
started $SVC
wait_for grep -q -E "run: [0-9]+ enrolled" "$D/svc.err" || bad "service: no pass logged" "$(cat "$D/svc.err")"
stop_pid $SVC
check "service: stops with 0 on SIGTERM" "$?" 0
check "service: a start line" "$(matches "$D/svc.err" "$TS run: started on .*svc\.db \(real clock\).*")" 1
check "service: a line for the pass with work" "$(matches "$D/svc.err" "$TS run: 600 enrolled, 600 processed, 300 sent")" 1
check "service: a stop line" "$(matches "$D/svc.err" "$TS run: stopped by signal; .*")" 1
check "service: every line timestamped" "$(grep -a -v -c -E "^$TS run: " "$D/svc.err")" 0
check "service: the table and the totals of every pass" "$(cat "$D/svc.out")" "campaign   enrolled  processed       sent   rejected     errors
slow            300        300        300          0          0
quick           300        300          0          0          0
enrolled 600, left 0, processed 600 (sent 300), rejected 0, canceled 0, errors 0, retried 0, completed 300"

# A pass whose enrolment waits (here on another process's write lock, held
# until a second has passed since the service started; on a loaded machine,
# a slow enrolment) works the participants it enrolled in the same pass:
# their first activities are due at their enrolment, after the pass began.
new_db "$D/svc2.db" "$D/two.camp" "$D/c.csv" real
$PY - "$D/svc2.db" "$D/svc2.err" "$D/svc2.locked" <<'PY' &
import os, sqlite3, sys, time
db, log, flag = sys.argv[1:4]
c = sqlite3.connect(db, isolation_level=None)
c.execute("BEGIN IMMEDIATE")
open(flag, "w").close()
for _ in range(600):                      # the service's start line, at most 60 s
    if os.path.exists(log) and "run: started" in open(log, errors="replace").read(): break
    time.sleep(0.1)
time.sleep(1.5)                           # its pass began before this second ended
c.execute("ROLLBACK")
PY
LOCKER=$!
started $LOCKER
wait_for test -f "$D/svc2.locked" || bad "service: the lock was not taken"
"$CAMP" run --db "$D/svc2.db" --mail sink: > /dev/null 2> "$D/svc2.err" &
SVC=$!
started $SVC
wait_for grep -q -E "run: [0-9]+ enrolled" "$D/svc2.err" || bad "service: no pass logged after the lock" "$(cat "$D/svc2.err")"
stop_pid $SVC
stop_pid $LOCKER
check "service: a pass that waited for the lock works what it enrolled" \
  "$(grep -a -o -E "run: [0-9]+ enrolled.*" "$D/svc2.err" | head -n 1)" "run: 600 enrolled, 600 processed, 300 sent"

# -- camp serve: TIMESTAMP METHOD PATH STATUS WHAT -------------------------------------
cp tests/serve/serve.camp "$D/"
printf 'name,email\nAda,ada@x.test\nBob,bob@x.test\n' > "$D/r.csv"
new_db "$D/serve.db" "$D/serve.camp" "$D/r.csv"
camp_serve "$D/serve.db" || { finish; exit 1; }
"$CAMP" run --db "$D/serve.db" --until +1h --mail "file:$D/mail" --base-url "$BASE" > /dev/null
$PY $CLIENT tokens "$D/mail" > "$D/tokens"
set -- $(grep '^ada@x.test ' "$D/tokens"); MID1=$2 O1=$3 R1A=$4 U1=$6
set -- $(grep '^bob@x.test ' "$D/tokens"); MID2=$2 O2=$3
T1=$(echo "$MID1" | trace_of) T2=$(echo "$MID2" | trace_of)
check "serve: listening line" "$(matches "$D/serve.log" "$TS camp serve: listening on $BASE")" 1
check "serve: open" "$(code "$O1")" 200
check "serve: HEAD" "$(code -I "$O2")" 200
check "serve: click" "$(code "$R1A")" 302
check "serve: unknown path" "$(code "$BASE/nothing")" 404
check "serve: a newline in the path" "$(code "$BASE/x%0Ay%20z")" 404
check "serve: hooks off" "$(code -X POST -d '{}' "$BASE/hooks/events")" 401
check "serve: one-click unsubscribe" "$(code -X POST -d 'List-Unsubscribe=One-Click' "$U1")" 200
wait_for grep -q " unsubscribe t" "$D/serve.log"
check "serve: the open's line" "$(matches "$D/serve.log" "$TS GET ${O1#"$BASE"} 200 open t$T1")" 1
check "serve: the HEAD's line (nothing recorded)" "$(matches "$D/serve.log" "$TS HEAD ${O2#"$BASE"} 200 HEAD: not an open")" 1
check "serve: the click's line, with its target" "$(matches "$D/serve.log" "$TS GET ${R1A#"$BASE"} 302 click t$T1 https://example\.com/a\?utm_campaign=track-1&utm_medium=email&utm_source=hello")" 1
check "serve: a 404's line" "$(matches "$D/serve.log" "$TS GET /nothing 404 -")" 1
check "serve: control bytes written %XX, one line" "$(matches "$D/serve.log" "$TS GET /x%0Ay%20z 404 -")" 1
check "serve: the hook's line says why" "$(matches "$D/serve.log" "$TS POST /hooks/events 401 webhooks are off: set CAMP_HOOK_SECRET")" 1
check "serve: the unsubscribe's line" "$(matches "$D/serve.log" "$TS POST ${U1#"$BASE"} 200 unsubscribe t$T1")" 1
check "serve: the open is recorded" "$(ntraces "$D/serve.db" events~open message_id="$MID1")" 1
stop_pid "$SERVER"
check "serve: the closing line" "$(matches "$D/serve.log" "$TS camp serve: 3 hits answered, 3 recorded, 0 for unknown messages, 0 lost")" 1
check "serve: every line timestamped" "$(grep -a -v -c -E "^$TS " "$D/serve.log")" 0

# -- --listen: IPv6, every address, a name; bad values ------------------------------------
# serve_on ADDR LOG: camp serve --listen ADDR, its log in LOG; sets SERVER and BASE
serve_on() {
  : > "$2"
  "$CAMP" serve --db "$D/serve.db" --listen "$1" > "$2" 2>&1 &
  SERVER=$!
  started $SERVER
  wait_for grep -q listening "$2"
  BASE=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$2")
}
if ip -6 addr show lo 2> /dev/null | grep -q 'inet6 ::1/128'; then
  serve_on '[::1]:0' "$D/v6.log"
  expect_match "[::1]: listens on the IPv6 loopback" "http://\[::1\]:[0-9]*" "$BASE"
  check "[::1]: an open over IPv6" "$(code -g "$BASE/o/${O2##*/}")" 200
  wait_for answers 1 ntraces "$D/serve.db" events~open message_id="$MID2"
  check "[::1]: recorded" "$(ntraces "$D/serve.db" events~open message_id="$MID2")" 1
  check "[::1]: logged" "$(matches "$D/v6.log" "$TS GET /o/${O2##*/} 200 open t$T2")" 1
  stop_pid $SERVER
  serve_on ':0' "$D/any.log"
  P=${BASE##*:}
  expect_match ":PORT listens on every address" "http://\[::\]:[0-9]* (every address, IPv6 and IPv4)" "$(sed -n 's/.*listening on //p' "$D/any.log")"
  check ":PORT answers on IPv4 and IPv6" "$(code "http://127.0.0.1:$P/nothing") $(code -g "http://[::1]:$P/nothing")" "404 404"
  stop_pid $SERVER
else
  echo "note: no IPv6 loopback here (ip -6 addr show lo has no ::1): the [::1] and :PORT checks are skipped"
fi
serve_on 'localhost:0' "$D/name.log"
expect_match "localhost: its IPv4 address" "http://127.0.0.1:[0-9]*" "$BASE"
check "localhost: answers" "$(code "$BASE/nothing")" 404
stop_pid $SERVER
for v in 8080 '::1:8080' '[::1]' '[::1]8080' '[]:80' '[zz]:80' '127.0.0.1:99999' '127.0.0.1:http' 'x:'; do
  "$CAMP" serve --db "$D/serve.db" --listen "$v" > "$D/bad.out" 2> "$D/bad.err"; rc=$?
  check "--listen '$v': usage error" "$rc|$(cut -c1-$((24 + ${#v})) "$D/bad.err")" "2|camp serve: --listen '$v':"
done
check "a bad --listen names the forms" "$("$CAMP" serve --db "$D/serve.db" --listen 8080 2>&1)" \
  "camp serve: --listen '8080': no port; give ADDRESS:PORT: 127.0.0.1:8080, [::1]:8080, localhost:8080 or :8080 (every address)"
finish

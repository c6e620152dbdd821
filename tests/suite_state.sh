#!/bin/sh
# tests/suite_state.sh -- what camp says about a database's state: `camp
# status` (text and JSON, its values checked against the database itself),
# `camp timeline` (the Message-IDs are the ones in the messages sent, the
# events received with their times and URLs, --campaign and --record, time
# order), what `camp event` says it did and its exit codes (recorded,
# duplicate, unknown message, after its window, --ignore-unknown, --file
# counts), and `camp preview` (its three files, the same message a send
# writes, nothing written to the database, its errors).
set -u
. tests/lib.sh
DB=$D/db
sql() { sqlite3 "$DB" "$1"; }
# the Message-ID record $1 got from activity hello (as the timeline says it)
mid() { traces "$DB" message_id record="$1" activity=hello; }
# py EXPR: a Python expression over the JSON on stdin (j)
py() { $PY -c 'import json, sys; j = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

cp tests/scenarios/flow.camp tests/scenarios/models.camp tests/scenarios/mailing.camp "$D/"
printf 'name,email,phone,opt_out,tags,score\nAda,ada@x.test,+33600000001,false,,1\nBob,bob@x.test,+33600000002,false,,2\nCy,cy@x.test,+33600000003,false,,3\n' > "$D/r.csv"
new_db "$DB" "$D/flow.camp" "$D/r.csv"

# -- status -----------------------------------------------------------------------
"$CAMP" status --db "$DB" > "$D/st" 2>&1
check "status: exit 0" "$?" 0
check "status: the database and the simulated clock's now" "$(sed -n 1,2p "$D/st")" \
  "$(printf 'database  %s\nclock     simulated, now 2026-01-05T09:00:00Z' "$DB")"
check "status: nothing is due before the first run (its sync enrols)" "$(sed -n 3p "$D/st")" "next due  - (nothing pending)"
"$CAMP" run --db "$DB" --until +3h --mail "file:$D/mail" > /dev/null
"$CAMP" deploy --db "$DB" "$D/mailing.camp" > /dev/null
"$CAMP" status --db "$DB" > "$D/st"
check "status: the table's header" "$(sed -n 5p "$D/st" | tr -s ' ')" "KIND NAME STATE VERSION HASH RUNNING COMPLETED LEFT UNLINKED TEST PENDING NEXT DUE"
hash=$(sql "SELECT v.hash FROM camp_version v JOIN camp_campaign c ON c.id = v.campaign WHERE c.name = 'flow'")
pending=$(sql "SELECT count(*) FROM camp_trace WHERE state IN (0, 1, 6)")
due=$(sql "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', min(due), 'unixepoch') FROM camp_trace WHERE state IN (0, 1, 6)")
check "status: flow's row, values as the database holds them" "$(grep '^campaign  flow' "$D/st" | tr -s ' ')" \
  "campaign flow running 1 $(echo "$hash" | cut -c1-12) 3 0 0 0 0 $pending $due"
check "status: the next due time" "$(sed -n 3p "$D/st")" "next due  $due"
check "status: a new mailing is a draft" "$(grep '^mailing   news' "$D/st" | awk '{print $3, $4, $NF}')" "draft 1 -"
check "status: the columns are aligned (each column starts where its header does)" \
  "$(sed -n '5,/^$/{/^$/!p;}' "$D/st" | $PY -c '
import re, sys
rows = sys.stdin.read().splitlines()
starts = lambda l: [m.start() for m in re.finditer(r"(?:^|(?<=  ))\S", l)]
print(all(starts(l) == starts(rows[0].replace("NEXT DUE", "NEXT_DUE")) for l in rows[1:]))')" True
"$CAMP" status --db "$DB" --format json > "$D/st.json"
check "status json: database, clock, now" "$(py '(j["database"], j["clock"], j["now"])' < "$D/st.json")" \
  "('$DB', 'simulated', '2026-01-05T12:00:00Z')"
check "status json: the whole hash" "$(py '[c["hash"] for c in j["campaigns"] if c["name"] == "flow"][0]' < "$D/st.json")" "$hash"
for s in running completed left unlinked; do
  n=$(sql "SELECT count(*) FROM camp_participant p JOIN camp_campaign c ON c.id = p.campaign WHERE c.name = 'flow' AND p.test = 0 AND p.state = '$s'")
  check "status json: $s participants as in the database" \
    "$(py "[c['participants']['$s'] for c in j['campaigns'] if c['name'] == 'flow'][0]" < "$D/st.json")" "$n"
done
check "status json: pending and next due" "$(py '[(c["pending"], c["next_due"]) for c in j["campaigns"] if c["name"] == "flow"][0]' < "$D/st.json")" \
  "($pending, '$due')"
check "status json: every campaign and mailing, kinds and states" \
  "$(py '" ".join("%s:%s:%s" % (c["kind"], c["name"], c["state"]) for c in j["campaigns"])' < "$D/st.json")" \
  "campaign:enlist:draft campaign:flow:running mailing:news:draft mailing:vip_note:draft"
"$CAMP" start --db "$DB" news > /dev/null
check "status json: a running mailing is next due at its time" \
  "$(py '[(c["state"], c["next_due"], c["at"]) for c in j["campaigns"] if c["name"] == "news"][0]' < "$D/st.json" | sed 's/draft/x/')" "('x', None, '2026-01-06T09:00:00Z')"
check "status json: started, its next due is its time" \
  "$("$CAMP" status --db "$DB" --format json | py '[(c["state"], c["next_due"]) for c in j["campaigns"] if c["name"] == "news"][0]')" \
  "('running', '2026-01-06T09:00:00Z')"
cp "$DB" "$D/db2"
"$CAMP" run --db "$D/db2" --until 2026-01-06T10:00:00Z --mail "file:$D/mail2" > /dev/null
"$CAMP" stop --db "$D/db2" flow > /dev/null
check "status: a mailing sent to its list is sent; a stopped campaign stopped" \
  "$("$CAMP" status --db "$D/db2" --format json | py '" ".join("%s:%s" % (c["name"], c["state"]) for c in j["campaigns"])')" \
  "enlist:draft flow:stopped news:sent vip_note:draft"
"$CAMP" init --db "$D/real.db" > /dev/null
check "status: a real clock says so, and an empty database says what to do" \
  "$("$CAMP" status --db "$D/real.db" | sed -n '2p;5p' | cut -c1-15)" "$(printf 'clock     real,\nno campaign is ')"
"$CAMP" status --db "$DB" --format xml > /dev/null 2>&1
check "status: an unknown format is a usage error" "$?" 2
"$CAMP" status --db "$D/none.db" > /dev/null 2>&1
check "status: a missing database fails" "$?" 1

# -- timeline: Message-IDs as sent -------------------------------------------------
sent=$(for f in "$D"/mail/*.eml; do sed -n 's/^Message-ID: <\(.*\)>\r*$/\1/p' "$f"; done | sort)
check "three emails were sent" "$(echo "$sent" | wc -l | tr -d ' ')" 3
check "timeline json: the Message-IDs are the sent messages' Message-ID headers" \
  "$(traces "$DB" message_id message_id!= | sort)" "$sent"
check "timeline text: the same Message-IDs, under their traces" \
  "$("$CAMP" timeline --db "$DB" | sed -n 's/^    message-id //p' | sort)" "$sent"

# -- event: what it did, exit codes ---------------------------------------------------
m1=$(mid 1) m2=$(mid 2) m3=$(mid 3)
out=$("$CAMP" event --db "$DB" click --message-id "$m1" --url https://example.com/a 2>&1)
check "event: recorded, exit 0" "$? $out" "0 recorded: click on $m1"
out=$("$CAMP" event --db "$DB" click --message-id "$m1" --url https://example.com/a 2>&1)
check "event: the same click again is a duplicate, exit 0" "$? $out" \
  "0 duplicate: click on $m1 was recorded before (counted as a repeat, nothing else changed)"
out=$("$CAMP" event --db "$DB" click --message-id "<$m1>" --url https://example.com/b 2>&1)
check "event: a click on another URL is recorded" "$? $out" "0 recorded: click on <$m1>"
out=$("$CAMP" event --db "$DB" open --message-id "t1.0000000000000000@camp" 2>&1)
check "event: unknown message, exit 1" "$? $out" "1 camp event: unknown message 't1.0000000000000000@camp': nothing changed"
out=$("$CAMP" event --db "$DB" open --message-id nobody@nowhere --ignore-unknown 2> "$D/err")
check "event --ignore-unknown: exit 0, still says it" "$? $out $(cat "$D/err")" "0  camp event: unknown message 'nobody@nowhere': nothing changed"
# the window of hello's branches ends 3 days after it was sent (2026-01-05T11:00)
check "before: record 2's 'clicked' waits" "$(traces "$DB" state record=2 activity=clicked)" "waiting"
out=$("$CAMP" event --db "$DB" click --message-id "$m2" --at 2026-01-08T12:00:00Z 2>&1)
check "event: a click after its branch's window: says so, exit 0" "$? $out" \
  "0 after its window: click on $m2 is recorded, but the window of 'opened' ended at 2026-01-08T11:00:00Z: nothing triggered"
check "event after the window: the waiting branches are closed, not fired (before: made due)" \
  "$(traces "$DB" activity,state,message record=2 activity~ed test=false | grep -e opened -e clicked)" \
  "$(printf 'opened|canceled|the event did not happen within the window\nclicked|canceled|the event did not happen within the window')"
out=$("$CAMP" event --db "$DB" click --message-id "$m3" --at 2026-01-08T10:59:00Z 2>&1)
check "event: a click a minute before the window ends is recorded" "$? $out" "0 recorded: click on $m3"
check "... and fires its branch" "$(traces "$DB" state,due record=3 activity=clicked)" "scheduled|2026-01-08T10:59:00Z"
"$CAMP" stop --db "$DB" flow > /dev/null
out=$("$CAMP" event --db "$DB" reply --message-id "$m1" 2>&1)
check "event: on a stopped campaign, recorded and not acted on" "$? $out $(traces "$DB" state record=1 activity=replied)" \
  "0 recorded: reply on $m1 (its campaign is stopped: not acted on) waiting"
"$CAMP" start --db "$DB" flow > /dev/null
"$CAMP" event --db "$DB" bogus --message-id "$m1" > /dev/null 2>&1
check "event: an unknown kind is an error" "$?" 1
printf '%s\n' "{\"event\":\"open\",\"message_id\":\"$m3\"}" "{\"event\":\"open\",\"message_id\":\"$m3\"}" \
  "{\"event\":\"open\",\"message_id\":\"t9.0@camp\"}" "{\"event\":\"reply\",\"message_id\":\"$m2\",\"at\":\"2026-01-09T00:00:00Z\"}" "not json" > "$D/ev.jsonl"
out=$("$CAMP" event --db "$DB" --file "$D/ev.jsonl" 2> "$D/err")
check "event --file: a count per outcome; a malformed line fails the file" "$? $out" \
  "1 5 events: 1 recorded, 1 duplicates, 1 after their window, 1 unknown messages, 1 malformed"
check "event --file: unknown messages named on stderr" "$(grep -c "unknown message 't9.0@camp'" "$D/err")" 1
"$CAMP" event --db "$DB" --file "$D/ev.jsonl" --ignore-unknown 2> "$D/err" > /dev/null
check "event --file --ignore-unknown: unknown messages not named" "$(grep -c "unknown message" "$D/err")" 0

# -- timeline: events, filters, order ----------------------------------------------------
"$CAMP" timeline --db "$DB" --record 1 > "$D/tl"
check "timeline --record 1: only record 1" "$(grep -c '^flow record 1 ' "$D/tl") $(grep -c '^flow record [^1] ' "$D/tl")" \
  "$(grep -c '^flow' "$D/tl") 0"
check "timeline text: each event with its time and URL, a repeat counted, a reply" \
  "$(sed -n "/message-id $m1/,/^flow/p" "$D/tl" | sed -n 's/^    2026/2026/p')" \
  "$(printf '2026-01-05T12:00 click https://example.com/a (2 times)\n2026-01-05T12:00 click https://example.com/b\n2026-01-05T12:00 reply')"
check "timeline json: received events with time, URL and count" \
  "$("$CAMP" timeline --db "$DB" --format json --campaign flow --record 1 | py '[t["received"] for t in j["traces"] if t["message_id"]][0]')" \
  "[{'event': 'click', 'at': '2026-01-05T12:00:00Z', 'url': 'https://example.com/a', 'count': 2}, {'event': 'click', 'at': '2026-01-05T12:00:00Z', 'url': 'https://example.com/b', 'count': 1}, {'event': 'reply', 'at': '2026-01-05T12:00:00Z', 'url': None, 'count': 1}]"
check "timeline json: a click without URL (its first link's target) and a reply, in time order" \
  "$("$CAMP" timeline --db "$DB" --format json --record 2 | py '[[(r["event"], r["url"]) for r in t["received"]] for t in j["traces"] if t["message_id"]][0]')" \
  "[('click', 'https://example.com/a?utm_campaign=flow&utm_medium=email&utm_source=hello'), ('reply', None)]"
check "timeline: in time order (done, else due) within each participant" \
  "$("$CAMP" timeline --db "$DB" --format json | py 'all([(a["record"], a["done"] or a["due"] or "~") <= (b["record"], b["done"] or b["due"] or "~") for a, b in zip(j["traces"], j["traces"][1:])])')" "True"
check "timeline --campaign and the positional CAMPAIGN agree" \
  "$("$CAMP" timeline --db "$DB" --campaign flow | md5sum)" "$("$CAMP" timeline --db "$DB" flow | md5sum)"
check "timeline --campaign news: nothing of flow" "$("$CAMP" timeline --db "$DB" --campaign news --format json)" '{"traces": []}'
"$CAMP" timeline --db "$DB" --campaign flow news > /dev/null 2>&1
check "timeline: two different campaigns is a usage error" "$?" 2
"$CAMP" timeline --db "$DB" --record x > /dev/null 2>&1
check "timeline: --record must be a number" "$?" 2

# -- preview -----------------------------------------------------------------------------
before=$(sqlite3 "$DB" .dump | md5sum)
out=$("$CAMP" preview --db "$DB" flow hello --record 1 -o "$D/pv" 2> "$D/err")
check "preview: exit 0, prints the subject" "$? $out" "0 Hello Ada"
check "preview: nothing written to the database" "$(sqlite3 "$DB" .dump | md5sum)" "$before"
check "preview: the three files" "$(cd "$D/pv" && ls)" "$(printf 'preview.eml\npreview.html\npreview.txt')"
check "preview: no temporary file left" "$(ls -A "$D/pv" | grep -c tmp)" 0
$PY - "$D/pv" > "$D/eml.out" 2>&1 <<'EOF'
import email, email.policy, sys
d = sys.argv[1]
m = email.message_from_bytes(open(d + "/preview.eml", "rb").read(), policy=email.policy.default)
print(m["Subject"])
print(m["To"])
print(m.get_content_type())
html = m.get_body(("html",)).get_content()
text = m.get_body(("plain",)).get_content()
print(html.rstrip("\r\n") == open(d + "/preview.html").read())     # the encoder ends each part with a line break
print(text.rstrip("\r\n") == open(d + "/preview.txt").read())
print("http://127.0.0.1:8080/r/" in html, "example.com" not in html, "http://127.0.0.1:8080/o/" in html)
print(m["List-Unsubscribe"].startswith("<http://127.0.0.1:8080/u/"))
EOF
check "preview.eml parses: subject, recipient, both parts equal to the other files, tracked /r/ links and the pixel" \
  "$(cat "$D/eml.out")" "$(printf 'Hello Ada\nAda <ada@x.test>\nmultipart/alternative\nTrue\nTrue\nTrue True True\nTrue')"
check "preview: the tracked link's target named (UTM included)" "$(tail -1 "$D/err")" \
  "  https://example.com/a?utm_campaign=flow&utm_medium=email&utm_source=hello"
# the message Ada was sent, and the preview, differ only in the date, the
# Message-ID and the tokens that name the trace
sentfile=$(grep -l "^To: \"Ada\"" "$D"/mail/*.eml)
# quoted-printable may cut a token over two lines: compare the decoded parts and the headers
$PY - "$sentfile" "$D/pv/preview.eml" > "$D/cmp" <<'EOF'
import email, email.policy, re, sys
def norm(path):
    m = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    heads = [(k, re.sub(r"/[rou]/[A-Za-z0-9_-]+", "/TOKEN", str(v))) for k, v in m.items() if k not in ("Date", "Message-ID")]
    parts = [re.sub(r"/[rou]/[A-Za-z0-9_-]+", "/TOKEN", p.get_content()) for p in m.walk() if not p.is_multipart()]
    return heads, parts
print(norm(sys.argv[1]) == norm(sys.argv[2]))
EOF
check "preview.eml is the message a send writes (date, Message-ID and tokens aside)" "$(cat "$D/cmp")" "True"
check "preview's Message-ID names no trace (t0)" "$(sed -n 's/^Message-ID: <\(t[0-9]*\)\..*/\1/p' "$D/pv/preview.eml")" "t0"
out=$("$CAMP" event --db "$DB" open --message-id "$(sed -n 's/^Message-ID: <\(.*\)>\r*$/\1/p' "$D/pv/preview.eml")" 2>&1)
check "an event on the preview's Message-ID is unknown" "$?" 1
(cd "$D/pv" && "$CAMP" preview --db "$DB" news news --record 2 > "$D/out" 2> /dev/null)
check "preview: -o defaults to the current directory; a mailing by name" "$? $(cat "$D/out") $(grep -c '^Subject: News for Bob' "$D/pv/preview.eml")" "0 News for Bob 1"
err() { "$CAMP" preview --db "$DB" "$@" -o "$D/pe" 2>&1 > /dev/null; echo "exit $?"; }
check "preview: unknown campaign" "$(err nope hello --record 1)" "$(printf "camp preview: no campaign 'nope' is deployed\nexit 1")"
check "preview: unknown activity, the campaign's messages listed" "$(err flow nope --record 1)" \
  "$(printf "camp preview: campaign 'flow' has no activity 'nope' (its messages: hello)\nexit 1")"
check "preview: an action says what it is" "$(err flow logged --record 1)" \
  "$(printf "camp preview: activity 'logged' is an action, not a message (email or SMS): nothing to preview (flow's messages: hello)\nexit 1")"
check "preview: unknown record" "$(err flow hello --record 99)" "$(printf "camp preview: no record 99 in model 'contact'\nexit 1")"
check "preview: --record is required" "$(err flow hello | tail -1)" "exit 2"
cp tests/scenarios/channels.camp "$D/"
"$CAMP" init --db "$D/sms.db" --clock 2026-01-05T09:00:00Z > /dev/null && "$CAMP" deploy --db "$D/sms.db" "$D/channels.camp" > /dev/null &&
  "$CAMP" import --db "$D/sms.db" --model contact "$D/r.csv" > /dev/null
out=$("$CAMP" preview --db "$D/sms.db" channels first --record 2 -o "$D/ps" 2> /dev/null)
check "preview of an SMS: its text alone, no subject" "$? [$out] $(ls "$D/ps") $(cat "$D/ps/preview.txt")" "0 [] preview.txt Hi Bob"
check "preview: nothing written on errors" "$(ls "$D/pe" 2> /dev/null | wc -l | tr -d ' ')" 0
finish

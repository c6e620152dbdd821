# tests/scenarios/lib.sh -- the scenario language: a campaign, records, a
# script of clock moves and events, and the timeline it produces.
#   setup FILE.camp CSV-TEXT     new database at 2026-01-05T09:00:00Z, deploy, import
#   run TIME                     camp run --until TIME (ISO or +2h)
#   event KIND RECORD [CAMPAIGN.]ACTIVITY   the event on the message RECORD got from it
#   show                         the timeline of every trace
#   say TEXT                     a heading in the output
set -u
D=$(mktemp -d)
trap 'rm -rf "$D"' EXIT
DB=$D/s.db
setup() {
  cp "$1" "$D/c.camp"
  cp tests/scenarios/models.camp "$D/models.camp"
  printf '%s\n' "$2" > "$D/records.csv"
  "$CAMP" init --db "$DB" --clock 2026-01-05T09:00:00Z > /dev/null
  "$CAMP" deploy --db "$DB" --start "$D/c.camp" > /dev/null || echo "deploy failed"
  "$CAMP" import --db "$DB" --model contact "$D/records.csv" > /dev/null || echo "import failed"
}
run() { "$CAMP" run --db "$DB" --until "$1" --mail "file:$D/mail" --sms "file:$D/sms" > /dev/null || echo "run failed"; }
# the Message-ID of the message record $1 got from activity $2 (or CAMPAIGN.ACTIVITY)
mid() {
  camp=${2%%.*}; act=${2#*.}
  [ "$camp" = "$2" ] && camp=%
  sqlite3 "$DB" "SELECT t.message_id FROM camp_trace t JOIN camp_participant p ON p.id = t.participant
    JOIN camp_activity a ON a.id = t.activity JOIN camp_campaign c ON c.id = p.campaign
    WHERE p.record_id = $1 AND a.name = '$act' AND c.name LIKE '$camp' AND p.test = 0"
}
event() { "$CAMP" event --db "$DB" "$1" --message-id "$(mid "$2" "$3")" ${4:+--at "$4"} || echo "event failed"; }
update() { printf '%s\n' "$1" > "$D/update.csv"; "$CAMP" import --db "$DB" --model contact --key email "$D/update.csv" > /dev/null; }
redeploy() { cp "$1" "$D/c.camp"; "$CAMP" deploy --db "$DB" "$D/c.camp" | sed "s#$D/##g"; }
show() { "$CAMP" timeline --db "$DB"; }
say() { echo "== $*"; }

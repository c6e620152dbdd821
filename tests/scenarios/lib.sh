# tests/scenarios/lib.sh -- the scenario language: a campaign, records, a
# script of clock moves and events, and the timeline it produces.  Built on
# tests/lib.sh (the scratch directory D, new databases, reading traces).
#   setup FILE.camp CSV-TEXT     new database at 2026-01-05T09:00:00Z, deploy, import
#   run TIME                     camp run --until TIME (ISO or +2h)
#   event KIND RECORD [CAMPAIGN.]ACTIVITY [TIME]   the event on the message RECORD got from it; what camp event said
#   update CSV-TEXT              import again, keyed by email
#   redeploy FILE.camp           deploy a new version
#   show                         the timeline of every trace
#   send MAILING                 camp send MAILING; what it said and its exit status
#   members MAILING              camp report MAILING --members (a row per member)
#   say TEXT                     a heading in the output
#   visit RECORD URL [TIME]      camp event visit: RECORD views URL on site shop-1; what it said
#   visit_event RECORD NAME [TIME]   the same for the website event NAME
#   made DB                      camp made its database at DB (a file, or its tables in a PostgreSQL database)
# DB is a new database on the suite's store (tests/lib.sh: store_db; another: store_db NAME).
set -u
. tests/lib.sh
store_init
store_db s
# the two contacts most scenarios start from
ADA_BOB='name,email,phone,opt_out,tags,score
Ada,ada@x.test,+33600000001,false,,1
Bob,bob@x.test,+33600000002,false,,2'
setup() {
  cp "$1" "$D/c.camp"
  cp tests/scenarios/models.camp "$D/models.camp"
  printf '%s\n' "$2" > "$D/records.csv"
  new_db "$DB" "$D/c.camp" "$D/records.csv"
}
run() { "$CAMP" run --db "$DB" --until "$1" --mail "file:$D/mail" --sms "file:$D/sms" > /dev/null || echo "run failed"; }
# the Message-ID of the message record $1 got from activity $2 (or CAMPAIGN.ACTIVITY)
mid() {
  case $2 in
    *.*) traces "$DB" message_id record="$1" campaign="${2%%.*}" activity="${2#*.}" test=false ;;
    *) traces "$DB" message_id record="$1" activity="$2" test=false ;;
  esac
}
# Message-IDs with their MAC masked (each database has its own secret)
mask() { sed 's/\(t[0-9]*\)\.[0-9a-f]\{16\}@camp/\1.MAC@camp/g'; }
event() { { "$CAMP" event --db "$DB" "$1" --message-id "$(mid "$2" "$3")" ${4:+--at "$4"} || echo "event failed"; } | mask; }
update() { printf '%s\n' "$1" > "$D/update.csv"; "$CAMP" import --db "$DB" --model contact --key email "$D/update.csv" > /dev/null; }
redeploy() { cp "$1" "$D/c.camp"; "$CAMP" deploy --db "$DB" "$D/c.camp" | sed "s#$D/##g"; }
show() { "$CAMP" timeline --db "$DB" | mask; }
say() { echo "== $*"; }
visit() { "$CAMP" event --db "$DB" visit --site shop-1 --record "$1" --url "$2" ${3:+--at "$3"} 2>&1 || echo "(exit $?)"; }
visit_event() { "$CAMP" event --db "$DB" visit --site shop-1 --record "$1" --event "$2" ${3:+--at "$3"} 2>&1 || echo "(exit $?)"; }
send() { { "$CAMP" send --db "$DB" "$1" --mail "file:$D/mail" 2>&1; echo "exit $?"; } | mask; }
members() { "$CAMP" report --db "$DB" "$1" --members; }
# camp list / camp lists on the scenario's database (what they print, errors included)
lst() { "$CAMP" list --db "$DB" "$@" 2>&1 || echo "(exit $?)"; }
lists() { "$CAMP" lists --db "$DB" 2>&1; }
made() {
  case $1 in
    postgres*) [ "$(store_sql "$1" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" != 0 ] ;;
    *) [ -e "$1" ] ;;
  esac
}

#!/bin/sh
# tests/suite_cli.sh -- the command line's conventions, for every command:
# -h/--help and `camp help CMD` (synopsis, options, environment, example,
# exit status; exit 0), `camp --version`, --opt=value and --opt value, `--`
# ending options, unknown options listing the valid ones, missing values,
# and colour (--color, NO_COLOR, off when not a terminal).
. tests/lib.sh

# every command: visible ones from `camp help`, plus the hidden ones
cmds=$("$CAMP" help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
for c in $cmds tokens ast; do
  out=$("$CAMP" "$c" --help); rc=$?
  check "$c --help exits 0" "$rc" 0
  for part in "usage: camp $c" "options:" "  -h, --help" "environment:" "example:" "exit status:"; do
    case $out in *"$part"*) ok ;; *) bad "$c --help has '$part'" "$out" ;; esac
  done
  check "$c -h is --help" "$("$CAMP" "$c" -h)" "$out"
  check "camp help $c is $c --help" "$("$CAMP" help "$c")" "$out"
  # every option the help lists is one the command takes: --help after it still wins
  for o in $(printf '%s\n' "$out" | sed -n '/^options:/,/^$/s/^  \(-[a-z], \)\{0,1\}\(--[a-z-]*\).*/\2/p'); do
    "$CAMP" "$c" "$o" x --help > /dev/null 2>&1 || "$CAMP" "$c" "$o" --help > /dev/null 2>&1 || bad "$c accepts its listed option $o"
  done
done
n=$(printf '%s\n' $cmds | wc -l)
expect_match "camp help lists the commands ($n)" "[2-9][0-9]" "$n"

# the top level
check "camp --help exits 0" "$("$CAMP" --help > /dev/null; echo $?)" 0
check "camp with no command exits 2" "$("$CAMP" 2> /dev/null; echo $?)" 2
expect_match "unknown command names itself" "*unknown command 'frob'*" "$("$CAMP" frob 2>&1)"
check "camp help frob exits 2" "$("$CAMP" help frob 2> /dev/null; echo $?)" 2
v=$("$CAMP" --version); rc=$?
check "--version exits 0" "$rc" 0
expect_match "--version names camp's version" "camp [0-9]*.[0-9]*.[0-9]*" "$(printf '%s\n' "$v" | head -n 1)"
for lib in SQLite libcurl libmicrohttpd jansson OpenSSL GMime GLib libxml2 libgit2; do
  expect_match "--version names $lib" "*$lib [0-9]*" "$v"
done
check "camp version is camp --version" "$("$CAMP" version)" "$v"

# options: both spellings, --, unknown ones, missing values
db=$D/a.db
"$CAMP" init --db="$db" --clock=2026-01-05T09:00:00Z > /dev/null
check "--db=DB and --clock=TIME" "$?" 0
"$CAMP" deploy --db "$db" --start examples/welcome_flow.camp > /dev/null
check "--db DB (separate value)" "$?" 0
out=$("$CAMP" run --until=+1d --db="$db" 2>&1)
expect_match "options in any order, --until=+1d" "*enrolled*" "$out"
out=$("$CAMP" run --untill +1d --db "$db" 2>&1); rc=$?
check "an unknown option exits 2" "$rc" 2
expect_match "an unknown option lists the valid ones" "*unknown option '--untill' (valid: --db, --until, --once,*--help; camp run --help)*" "$out"
out=$("$CAMP" run --db "$db" --until 2>&1); rc=$?
check "a missing value exits 2" "$rc" 2
expect_match "a missing value says which" "*option '--until' needs a value (TIME)*" "$out"
out=$("$CAMP" start --db "$db" --once 2>&1); rc=$?
expect_match "another command's option is unknown here" "*unknown option '--once'*" "$out"
out=$("$CAMP" run --db "$db" --once=yes 2>&1); rc=$?
check "a flag given a value exits 2" "$rc" 2
expect_match "a flag given a value says so" "*'--once' takes no value*" "$out"
out=$("$CAMP" serve --db "$db" --threads 0 2>&1); rc=$?
expect_match "a number out of range" "*--threads '0': give a number from 1 to 64*" "$out"
printf 'campaign x {\n' > "$D/-w.camp"
out=$(cd "$D" && "$CAMP" check -- -w.camp 2>&1); rc=$?
check "-- ends options: -w.camp is a file (with an error: exit 1)" "$rc" 1
expect_match "-- ends options: its diagnostic" "*-w.camp:*error*" "$out"
out=$("$CAMP" compile examples/welcome_flow.camp -o "$D/w.campc" && "$CAMP" compile examples/welcome_flow.camp --output="$D/w2.campc" && cmp "$D/w.campc" "$D/w2.campc" && echo same)
check "-o FILE and --output=FILE" "$out" same

# colour: only when asked, or on a terminal without NO_COLOR
esc=$(printf '\033')
printf 'campaign x {\n' > "$D/bad.camp"
out=$("$CAMP" check "$D/bad.camp")
case $out in *"$esc"*) bad "no colour when stdout is not a terminal" ;; *) ok ;; esac
out=$("$CAMP" check --color=always "$D/bad.camp")
case $out in *"$esc["*) ok ;; *) bad "--color=always colours" "$out" ;; esac
out=$(NO_COLOR=1 "$CAMP" check --color always "$D/bad.camp")
case $out in *"$esc["*) ok ;; *) bad "--color=always wins over NO_COLOR" "$out" ;; esac
out=$("$CAMP" check --color=never "$D/bad.camp")
case $out in *"$esc"*) bad "--color=never" ;; *) ok ;; esac
out=$("$CAMP" check --color=sometimes "$D/bad.camp" 2>&1); rc=$?
check "--color=sometimes exits 2" "$rc" 2
expect_match "--color=sometimes says what is valid" "*give auto, always or never*" "$out"
if command -v script > /dev/null; then
  out=$(script -qec "$CAMP check $D/bad.camp" /dev/null)
  case $out in *"$esc["*) ok ;; *) bad "colour on a terminal" "$out" ;; esac
  out=$(NO_COLOR=1 script -qec "$CAMP check $D/bad.camp" /dev/null)
  case $out in *"$esc["*) bad "NO_COLOR on a terminal" "$out" ;; *) ok ;; esac
else
  bad "script (util-linux) is missing: colour on a terminal is untested"
fi

# the caret stays under its column past line 99999 (the gutter widens)
awk 'BEGIN { for (i = 0; i < 100000; i++) print ""; print "campaign x {" }' > "$D/long.camp"
out=$("$CAMP" check "$D/long.camp" | sed -n '2,3p' | awk -F'|' '{ print length($1) }' | sort -u | wc -l)
check "line 100001: source and caret lines share the gutter" "$out" 1

# an initiative's code is unique across the files of one check (E048), but a
# `use`d file's own initiative, met through two root files, is one declaration
mkdir -p "$D/codes"
printf 'model contact {\n  email email\n}\n' > "$D/codes/m.camp"
printf 'use "m.camp"\ninitiative a "A" {\n  code "X1"\n}\n' > "$D/codes/a.camp"
printf 'use "a.camp"\n' > "$D/codes/c.camp"
printf 'use "m.camp"\ninitiative z "Z" {\n  code "X1"\n}\n' > "$D/codes/z.camp"
out=$("$CAMP" check --color=never "$D/codes/a.camp" "$D/codes/c.camp" 2>&1); rc=$?
check "one initiative used by two files is no clash" "$rc $out" "0 "
out=$("$CAMP" check --color=never "$D/codes/a.camp" "$D/codes/z.camp" 2>&1); rc=$?
check "two files' initiatives sharing a code: exit 1" "$rc" 1
expect_match "the clash names both and points at the first" \
  "*z.camp:3:8: error: initiative 'a' and initiative 'z' share the code \"X1\" \[E048\]*a.camp:2:12: note: 'a' is declared here*" "$out"

finish

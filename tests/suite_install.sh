#!/bin/sh
# tests/suite_install.sh -- camp installed like a tool: `make install
# DESTDIR PREFIX` writes every file (binary, camp(1) and camp-language(5),
# bash and zsh completions, the examples and docs), the man pages render
# without a warning, camp(1) documents every command `camp help` lists and
# every option each accepts (so the page cannot drift from the option
# tables), `make uninstall` leaves no file, and the completions offer
# commands, options, fixed values and the campaign and activity names of a
# real database.
set -u
. tests/lib.sh
MAKE="make -s BUILD=$BUILD"
ROOT=$D/root
PAGE=docs/camp.1.scd

# -- install --------------------------------------------------------------------
out=$($MAKE install DESTDIR="$ROOT" PREFIX=/usr 2>&1) || bad "make install" "$out"
want="bin/camp share/man/man1/camp.1 share/man/man5/camp-language.5 share/bash-completion/completions/camp
share/zsh/site-functions/_camp share/doc/camp/README.md share/doc/camp/import.md"
for f in examples/*.camp examples/*/*.html examples/data/*.csv; do want="$want share/doc/camp/$f"; done
# editor support, when editors/ has it: the Vim files where Vim looks, and editors/ beside the docs
for f in editors/vim/*/camp.vim; do [ -f "$f" ] && want="$want share/vim/vimfiles/${f#editors/vim/}"; done
for f in $(find editors -type f -o -type l 2> /dev/null); do want="$want share/doc/camp/$f"; done
missing=
for f in $want; do [ -f "$ROOT/usr/$f" ] || missing="$missing $f"; done
check "install: every file" "$missing" ""
check "install: nothing else" "$(cd "$ROOT/usr" && find . -type f | sed 's|^\./||' | sort)" "$(printf '%s\n' $want | sort)"
check "installed camp runs" "$("$ROOT/usr/bin/camp" --version | head -n 1 | cut -d' ' -f1)" camp
check "the installed example compiles where it was installed" \
  "$("$ROOT/usr/bin/camp" check "$ROOT/usr/share/doc/camp/examples/welcome_flow.camp" > /dev/null 2>&1; echo $?)" 0
[ -x "$ROOT/usr/bin/camp" ] && ok "the binary is executable" || bad "the binary is executable"

# -- the man pages render, without warnings ----------------------------------------
for p in man1/camp.1 man5/camp-language.5; do
  f=$ROOT/usr/share/man/$p
  err=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 > "$D/$(basename "$p").txt")
  check "man -l $p: no warnings" "$err" ""
  expect_match "man -l $p: a NAME section" "NAME*" "$(sed -n 3p "$D/$(basename "$p").txt")"
done
check "camp(1): the version from the Makefile" \
  "$(grep -c "camp $(sed -n 's/^VERSION *= *//p' Makefile)" "$D/camp.1.txt" | tr -d ' ')" 1
# every section of LANGUAGE.md is a section of camp-language(5), none lost
lost=
for h in $(sed -n 's/^## //p' docs/LANGUAGE.md | tr ' ' '_'); do
  grep -qx "$(echo "$h" | tr '_' ' ' | tr '[:lower:]' '[:upper:]' | sed 's/`//g')" "$D/camp-language.5.txt" || lost="$lost $h"
done
check "camp-language(5): every section of LANGUAGE.md" "$lost" ""
check "camp-language(5): a code block kept as written" \
  "$(grep -c '^ *template  := ' "$D/camp-language.5.txt" | tr -d ' ')" 1
check "camp-language(5): every diagnostic code" \
  "$(grep -o '^| [EW][0-9][0-9][0-9] ' docs/LANGUAGE.md | wc -l | tr -d ' ')" \
  "$(grep -o '│[EW][0-9][0-9][0-9] ' "$D/camp-language.5.txt" | wc -l | tr -d ' ')"
printf '# T\n\n1. one\n' | $PY tools/md2scd.py x 5 1 > /dev/null 2> "$D/md2scd.err"
check "md2scd refuses what it does not handle (a numbered list)" "$?: $(cat "$D/md2scd.err")" \
  "1: md2scd: line 3: Markdown that md2scd does not handle: 1. one"

# -- camp(1) covers every command and option (the drift test) ------------------------
listed=$("$CAMP" help | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { f = 0 }')
check "camp complete commands is camp help's list" "$("$CAMP" complete commands)" "$listed"
# drift PAGE: each command of camp help without a "## CMD" section in PAGE
# (as "CMD"), and each option it accepts that is not a term (a line that a
# tab-indented definition follows) of its section ("CMD:--opt")
drift() {
  for c in $listed; do
    s=$(awk -v h="## $c" '$0 == h { f = 1; print "#"; next } f && /^#/ { exit } f && /^\t/ && last !~ /^\t/ { print last } f { last = $0 }' "$1")
    if [ -z "$s" ]; then echo "$c"; continue; fi
    for o in $("$CAMP" complete options "$c" | cut -f1); do
      case $o in --help|--color) continue ;; esac
      printf '%s\n' "$s" | grep -q -- "\*$o\*" || echo "$c:$o"
    done
  done | paste -sd' ' -
}
check "camp(1): every command and every option it accepts, in its section" "$(drift "$PAGE")" ""
# the check itself: a page without run's --until, or without the stop section
sed '/^\*--until\* _TIME_$/{N;d;}' "$PAGE" | sed '/^## stop$/,/^## run$/{/^## run$/!d;}' > "$D/drift.scd"
check "the drift check notices a missing option and command" "$(drift "$D/drift.scd")" "stop run:--until test:--until"
common=$(awk '/^# COMMON OPTIONS/ { f = 1; next } f && /^#/ { exit } f' "$PAGE")
check "camp(1): --help and --color under COMMON OPTIONS" \
  "$(printf '%s\n' "$common" | grep -c -e '^\*-h\*, \*--help\*$' -e '^\*--color\* _WHEN_$')" 2
stale=
for c in $(sed -n 's/^## //p' "$PAGE"); do "$CAMP" help "$c" > /dev/null 2>&1 || stale="$stale $c"; done
check "camp(1): no section for a command that does not exist" "$stale" ""
check "camp(1): every command in the rendered page" \
  "$(for c in $listed; do grep -qx "   $c" "$D/camp.1.txt" || echo "$c"; done)" ""

# -- docs/import.md: its example says what camp import says ------------------------
# block N: the Nth ``` block of docs/import.md
block() { awk -v n="$1" '/^```/ { k++; next } k == 2 * n - 1' docs/import.md; }
new_db "$D/imp.db" examples/welcome_flow.camp || true
block 3 > "$D/contacts.csv"
(cd "$D" && "$CAMP" import --db imp.db --model contact contacts.csv > /dev/null 2> err; echo $? > rc)
check "import.md: the example's messages are camp import's" "$(cat "$D/err")" "$(block 4)"
check "import.md: the example exits 1" "$(cat "$D/rc")" 1

# -- uninstall -------------------------------------------------------------------
out=$($MAKE uninstall DESTDIR="$ROOT" PREFIX=/usr 2>&1) || bad "make uninstall" "$out"
check "uninstall: no file left" "$(find "$ROOT" -type f)" ""
check "uninstall: share/doc/camp removed" "$(find "$ROOT" -path '*doc/camp*')" ""

# -- camp complete ------------------------------------------------------------------
new_db "$D/db" examples/welcome_flow.camp || true
"$CAMP" deploy --db "$D/db" examples/double_opt_in.camp > /dev/null || bad "deploy double_opt_in"
check "complete campaigns" "$("$CAMP" complete --db "$D/db" campaigns)" "$(printf 'double_opt_in\nwelcome_flow')"
check "complete activities" "$("$CAMP" complete --db "$D/db" activities welcome_flow)" "$(printf 'welcome\nblacklist')"
# an activity removed by a redeploy is not offered
cp examples/models.camp "$D/models.camp"
"$CAMP" init --db "$D/db2" > /dev/null || bad "init db2"
act() { printf 'email %s { subject "s" body "b" from "a@x.test" }\n' "$@"; }
printf 'use "models.camp"\ncampaign c1 "C" {\n target contact\n %s\n %s\n}\n' "$(act one)" "$(act two)" > "$D/c1.camp"
"$CAMP" deploy --db "$D/db2" "$D/c1.camp" > /dev/null || bad "deploy c1"
check "complete activities: both" "$("$CAMP" complete --db "$D/db2" activities c1 | paste -sd' ' -)" "one two"
printf 'use "models.camp"\ncampaign c1 "C" {\n target contact\n %s\n}\n' "$(act one)" > "$D/c1.camp"
"$CAMP" deploy --db "$D/db2" "$D/c1.camp" > /dev/null || bad "deploy c1 again"
check "complete activities: not one a redeploy removed" "$("$CAMP" complete --db "$D/db2" activities c1)" one
check "complete campaigns, CAMP_DB" "$(CAMP_DB=$D/db "$CAMP" complete campaigns | wc -l | tr -d ' ')" 2
check "complete, no database: nothing, exit 0" "$("$CAMP" complete --db "$D/none.db" campaigns 2>&1; echo "rc=$?")" "rc=0"
check "complete, no database: none created" "$(ls "$D" | grep -c none)" 0
echo garbage > "$D/junk.db"
check "complete, not a database: nothing, exit 0" "$("$CAMP" complete --db "$D/junk.db" activities x 2>&1; echo "rc=$?")" "rc=0"
check "complete options run: from the option table" "$("$CAMP" complete options run | cut -f1 | head -n 2 | paste -sd' ')" "--db --until"
check "complete: hidden from camp help" "$("$CAMP" help | grep -c '^  complete ')" 0

# -- bash completion ------------------------------------------------------------------
# bashc WORD...: what the bash completion offers for the line WORD... (the
# last word the one being completed), space-separated
bashc() {
  PATH=$(dirname "$CAMP"):$PATH bash -c '. completions/camp.bash
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _camp; echo "${COMPREPLY[*]}"' bashc "$@"
}
check "bash: camp ru<TAB>" "$(bashc camp ru)" run
check "bash: camp run --u<TAB>" "$(bashc camp run --u)" --until
check "bash: camp start <TAB> with --db" "$(bashc camp start --db "$D/db" '')" "double_opt_in welcome_flow"
check "bash: camp stop <TAB> from CAMP_DB" "$(CAMP_DB=$D/db bashc camp stop w)" welcome_flow
check "bash: --db=DB (split at =)" "$(bashc camp report --db = "$D/db" d)" double_opt_in
check "bash: test CAMPAIGN --run <TAB>: its activities" "$(bashc camp test --db "$D/db" welcome_flow --record 1 --run '')" "welcome blacklist"
check "bash: --format values from the command's help" "$(bashc camp report --format '')" "table json csv html"
check "bash: --format=<TAB> of check" "$(bashc camp check --format = '')" "text json sarif github"
check "bash: --color" "$(bashc camp timeline --color '')" "auto always never"
check "bash: --channel" "$(bashc camp suppress list --channel '')" "email sms"
check "bash: event kinds" "$(bashc camp event '')" "open click reply bounce unsubscribe abuse visit"
check "bash: files for check" "$(cd examples && PATH=$(dirname "$CAMP"):$PATH bash -c '. ../completions/camp.bash; COMP_WORDS=(camp check welcome_f); COMP_CWORD=2; _camp; echo "${COMPREPLY[*]}"')" \
  "welcome_flow welcome_flow.camp"
check "bash: no database: no names, no noise" "$(bashc camp start --db "$D/none.db" '' 2>&1)" ""

# -- zsh completion ------------------------------------------------------------------
zsh -n completions/_camp 2> "$D/zerr"
check "zsh -n parses _camp" "$?|$(cat "$D/zerr")" "0|"
# zshc PREFIX WORD...: what _camp offers for the line WORD... (the last word
# is the one being completed, PREFIX what is typed of it), with the
# completion builtins stubbed to print what they are given
zshc() {
  PATH=$(dirname "$CAMP"):$PATH zsh -f -c '
    compadd() { local a; while [[ $1 == -* ]]; do [[ $1 == -a ]] && { shift; print -l -- ${(P)1}; shift; continue; }; shift; done; (( $# )) && print -l -- "$@"; }
    _describe() { local a=${(P)4}; print -l -- ${(P)4%%:*}; }
    _files() { print -- "<files $*>"; }
    compset() { PREFIX=${PREFIX#*=}; }
    source completions/_camp >/dev/null 2>&1
    PREFIX=$1; shift; words=("$@"); CURRENT=$#
    _camp' zshc "$@" | paste -sd' ' -
}
check "zsh: camp ru<TAB>" "$(zshc ru camp ru | tr ' ' '\n' | grep '^ru')" run
check "zsh: camp run --u<TAB>" "$(zshc --u camp run --u | tr ' ' '\n' | grep -c -- '^--until$')" 1
check "zsh: camp start <TAB> with --db" "$(zshc '' camp start --db "$D/db" '')" "double_opt_in welcome_flow"
check "zsh: test CAMPAIGN --run <TAB>" "$(zshc '' camp test --db "$D/db" welcome_flow --run '')" "welcome blacklist"
check "zsh: --color=<TAB>" "$(zshc --color= camp run --color=)" "auto always never"
check "zsh: files for compile" "$(zshc '' camp compile '')" "<files >"
finish

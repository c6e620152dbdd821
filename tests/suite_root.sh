#!/bin/sh
# tests/suite_root.sh -- `.camp` files read nothing outside their project.
#
# A project directory with campaign files that `use` or embed as a body:
# /etc/shadow, /proc/self/environ, /dev/zero, a FIFO, a symbolic link out of
# the project, a ../ escape, a file over the size limit.  Each must be a
# one-line `file:line:col: error:` with a non-zero exit, quickly, and the
# output must hold nothing of the refused file (each target carries a
# canary line that would show up if it were read and quoted).  --root
# widens the project; links that stay inside still work; deploy refuses the
# same files and writes nothing.
set -u
. tests/lib.sh
T="timeout 20"

P=$D/proj
mkdir -p "$P/sub" "$D/outside"
printf 'model contact {\n  name text\n  email email\n}\n' > "$P/models.camp"
# canaries: a syntax error on the first line would make the old compiler quote it
printf 'CANARY-OUTSIDE secret line {\n' > "$D/outside/secret.camp"
printf 'CANARY-BODY <p>{{ secret }}</p>\n' > "$D/outside/secret.html"
printf 'model contact {\n  name text\n  email email\n}\n' > "$D/outside/models.camp"
ln -s "$D/outside/secret.camp" "$P/link_out.camp"
ln -s "$D/outside" "$P/dir_out"
ln -s models.camp "$P/link_in.camp"
mkfifo "$P/fifo.camp"
truncate -s 17M "$P/big.camp"
# campaign USE BODY: a file using USE (unless empty) with BODY as its body
campaign() {
  [ -n "$1" ] && printf 'use "%s"\n' "$1"
  case $1 in *models.camp|link_in.camp) ;; *) printf 'model contact {\n  name text\n  email email\n}\n' ;; esac
  printf 'campaign c "C" {\n  target contact\n  where email is set\n  email hello {\n'
  printf '    from "shop@example.com"\n    subject "Hi"\n    body "%s"\n  }\n}\n' "$2"
}

# refused NAME USE BODY PATTERN: camp check on the file fails (exit 1) with
# an error matching PATTERN and prints no canary and nothing of the target
refused() {
  campaign "$2" "$3" > "$P/t_$1.camp"
  out=$(CAMP_CANARY_ENV=canary-env-value $T "$CAMP" check "$P/t_$1.camp" 2>&1); rc=$?
  check "$1: exit status" "$rc" 1
  case $out in *"$P/t_$1.camp:"[0-9]*:[0-9]*": error: "$4*) ok ;; *) bad "$1: message: $out" ;; esac
  case $out in *CANARY*|*canary-env-value*|*root:*) bad "$1: the refused file's content was printed: $out" ;; *) ok ;; esac
}

refused shadow "/etc/shadow" "<p>x</p>" "'/etc/shadow' is outside the project directory"
refused environ "/proc/self/environ" "<p>x</p>" "'/proc/self/environ' is outside the project directory"
t0=$(date +%s)
refused devzero "/dev/zero" "<p>x</p>" "'/dev/zero' is outside the project directory"
check "/dev/zero: refused at once" "$( [ $(( $(date +%s) - t0 )) -le 5 ] && echo yes)" yes
refused dotdot "../outside/secret.camp" "<p>x</p>" "'*outside/secret.camp' is outside the project directory"
refused symlink "link_out.camp" "<p>x</p>" "'$P/link_out.camp' leads outside the project directory"
refused symlinkdir "dir_out/secret.camp" "<p>x</p>" "'$P/dir_out/secret.camp' leads outside the project directory"
refused fifo "fifo.camp" "<p>x</p>" "'$P/fifo.camp' is a FIFO, not a regular file"
refused dir "sub" "<p>x</p>" "'$P/sub' is a directory, not a regular file"
refused big "big.camp" "<p>x</p>" "'$P/big.camp' is larger than the 16 MiB limit"
refused bodydotdot "" "../outside/secret.html" "body file '$P/../outside/secret.html' is outside the project directory"
refused bodylink "" "dir_out/secret.html" "body file '$P/dir_out/secret.html' leads outside the project directory"
refused bodyabs "" "/etc/passwd.txt" "body file '/etc/passwd.txt' is outside the project directory"
ln -s /dev/zero "$P/zero.html"
refused bodydevice "" "zero.html" "body file '$P/zero.html' leads outside the project directory"
ln -s fifo.camp "$P/fifo.html"
refused bodyfifo "" "fifo.html" "body file '$P/fifo.html' is a FIFO, not a regular file"

# inside the project: a link that stays in, a file in a subdirectory
campaign link_in.camp "<p>x</p>" > "$P/inside.camp"
$T "$CAMP" check "$P/inside.camp" > "$D/out" 2>&1; check "a link inside the project is followed" "$?" 0
printf '<p>Hi {{ name }}</p>\n' > "$P/sub/hi.html"
campaign models.camp "sub/hi.html" > "$P/subbody.camp"
$T "$CAMP" check "$P/subbody.camp" > "$D/out" 2>&1; check "a body file in a subdirectory" "$?" 0

# --root widens the project to the directory given
campaign "../outside/models.camp" "<p>x</p>" > "$P/wide.camp"
$T "$CAMP" check "$P/wide.camp" > /dev/null 2>&1; check "../outside refused without --root" "$?" 1
$T "$CAMP" check --root "$D" "$P/wide.camp" > "$D/out" 2>&1; check "--root DIR allows files below DIR" "$?" 0
$T "$CAMP" check --root "$P" "$P/t_dotdot.camp" > /dev/null 2>&1; check "--root does not allow what is outside it" "$?" 1
$T "$CAMP" check --root "$D/none" "$P/wide.camp" > "$D/out" 2>&1; rc=$?
check "--root that is not a directory: usage error" "$rc|$(cat "$D/out")" "2|camp check: --root '$D/none': No such file or directory"
$T "$CAMP" compile --root "$D" "$P/wide.camp" -o "$D/wide.campc" > /dev/null 2>&1; check "compile --root" "$?" 0
$T "$CAMP" disasm --root "$D" "$P/wide.camp" > /dev/null 2>&1; check "disasm --root" "$?" 0
$T "$CAMP" graph --root "$D" "$P/wide.camp" > /dev/null 2>&1; check "graph --root" "$?" 0
$T "$CAMP" graph "$P/t_symlink.camp" > "$D/out" 2>&1; rc=$?
check "graph refuses too" "$rc $(grep -c 'leads outside the project' "$D/out")" "1 1"

# deploy: the same refusal, nothing written
"$CAMP" init --db "$D/db" --clock 2026-01-05T09:00:00Z > /dev/null
$T "$CAMP" deploy --db "$D/db" "$P/t_shadow.camp" > "$D/out" 2>&1; rc=$?
check "deploy refuses" "$rc $(grep -c "is outside the project directory" "$D/out")" "1 1"
check "deploy wrote nothing" "$(report "$D/db" 'len(r["campaigns"])')" 0
$T "$CAMP" deploy --db "$D/db" --root "$D" "$P/wide.camp" > /dev/null 2>&1; check "deploy --root" "$?" 0

# files named on the command line: not confined, but bounded
out=$($T "$CAMP" check /dev/zero 2>&1); rc=$?
check "check /dev/zero: bounded, exit 2" "$rc|$out" "2|camp check: cannot read '/dev/zero': larger than the 16 MiB limit of a source or body file"
out=$($T "$CAMP" tokens "$P/big.camp" 2>&1); rc=$?
check "tokens on a file over the limit" "$rc|$out" "2|camp tokens: cannot read '$P/big.camp': larger than the 16 MiB limit of a source or body file"
finish

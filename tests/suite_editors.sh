#!/bin/sh
# tests/suite_editors.sh -- the editor support in editors/, checked against
# camp's own lexer (`camp tokens`, the keywords of grammar/lexer.re):
#   - the JSON files are valid and the TextMate grammar is source.camp;
#   - TextMate grammar, tokenized by VS Code's engine (vscode-textmate +
#     vscode-oniguruma from npm, installed by the Makefile into $BUILD/npm):
#     every keyword of grammar/lexer.re is named by a keyword rule and is
#     scoped as a keyword in tests/editors/keywords*.camp; in every .camp
#     file of the project that parses, each keyword the lexer reads is
#     scoped as a keyword (or, for a contextual one, as a name), and
#     comments, strings, durations, datetimes and numbers are scoped where
#     the lexer has them; the scopes of examples/welcome_flow.camp are those
#     of tests/editors/welcome_flow.scopes (UPDATE=1 rewrites it), and so
#     are those of its plist form (Sublime Text's); a grammar with a rule
#     removed fails these checks;
#   - Vim: editors/vim loads on every example without an error (filetype,
#     ftplugin, syntax), names every keyword of grammar/lexer.re, highlights
#     each one as a keyword in tests/editors/keywords*.camp, and, in every
#     file that parses, each keyword the tokens around it make one.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh
[ -x "$CAMP" ] || abort "editors: no camp binary at $CAMP (run make)"
NPM_DIR=${NPM_DIR:-$BUILD/npm}
GRAMMAR=editors/camp.tmLanguage.json
VIMSYN=editors/vim/syntax/camp.vim
GOLDEN=tests/editors/welcome_flow.scopes
KWFILES="tests/editors/keywords_model.camp tests/editors/keywords.camp"
export NPM_DIR CAMP GRAMMAR
t=$D

# The keywords of the lexer: its rules `"word" { t.type = TK_...`.
keywords=$(sed -n 's/^[[:space:]]*"\([a-z_]*\)"[[:space:]]*{[[:space:]]*t\.type = TK_.*/\1/p' grammar/lexer.re)
n=$(echo "$keywords" | wc -w)
if [ "$n" -ge 30 ]; then ok "grammar/lexer.re has $n keywords"; else bad "only $n keywords read from grammar/lexer.re"; fi

# Results of a checker ("ok X" / "FAIL X" and indented details) as checks.
tally() {
  while IFS= read -r _l; do
    case $_l in
      "ok "*) ok "${_l#ok }" ;;
      "FAIL "*) fail=$((fail + 1)); echo "$_l" ;;
      *) echo "$_l" ;;
    esac
  done
}

# 1. Valid JSON; the grammar's scope and file type.
for j in $GRAMMAR editors/vscode/package.json editors/vscode/language-configuration.json tests/editors/package.json; do
  if node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' "$j" 2> "$t/err"; then ok "valid JSON: $j"; else bad "invalid JSON: $j" "$(cat "$t/err")"; fi
done
check "scopeName" "$(node -p 'const g = require("./'$GRAMMAR'"); g.scopeName + " " + g.fileTypes' 2>&1)" "source.camp camp"
check "the VS Code extension points at the grammar" \
  "$(node -p 'const fs = require("fs"), p = require("./editors/vscode/package.json"), g = p.contributes.grammars[0];
    g.scopeName + " " + (fs.realpathSync("editors/vscode/" + g.path) === fs.realpathSync(process.argv[1]))' $GRAMMAR 2>&1)" \
  "source.camp true"

# The .camp files of the project that parse (a file with a syntax error has
# nothing for an editor to agree with).
files=
nfiles=0
for f in examples/*.camp tests/golden/*/*.camp tests/golden/*/*/*.camp tests/scenarios/*.camp $KWFILES; do
  [ -f "$f" ] || continue
  "$CAMP" ast "$f" > /dev/null 2>&1 || continue
  files="$files $f"; nfiles=$((nfiles + 1))
done
if [ "$nfiles" -ge 100 ]; then ok "$nfiles .camp files parse"; else bad "only $nfiles .camp files parse"; fi

# 2. The TextMate grammar through VS Code's engine.
tm() { node tests/editors/textmate.js "$@"; }
if [ ! -f "$NPM_DIR/node_modules/vscode-textmate/package.json" ] || [ ! -f "$NPM_DIR/node_modules/vscode-oniguruma/package.json" ]; then
  bad "vscode-textmate and vscode-oniguruma are not installed in $NPM_DIR" \
    "run: make $NPM_DIR/.installed   (that is: mkdir -p $NPM_DIR && cp tests/editors/package.json tests/editors/package-lock.json $NPM_DIR/ && npm ci --prefix $NPM_DIR --no-audit --no-fund)"
else
  if $CAMP check $KWFILES > "$t/out" 2>&1; then ok "camp check $KWFILES"; else bad "camp check $KWFILES" "$(cat "$t/out")"; fi
  tm coverage $KWFILES > "$t/out" 2>&1; tally < "$t/out"

  tm check $files > "$t/out" 2>&1; tally < "$t/out"

  tm scopes examples/welcome_flow.camp > "$t/scopes" 2> "$t/err" || bad "tokenize examples/welcome_flow.camp" "$(cat "$t/err")"
  if [ -n "${UPDATE:-}" ] && ! cmp -s "$t/scopes" "$GOLDEN"; then
    cp "$t/scopes" "$GOLDEN"; echo "updated $GOLDEN"
  fi
  if cmp -s "$t/scopes" "$GOLDEN"; then ok "the scopes of examples/welcome_flow.camp are $GOLDEN"
  else bad "the scopes of examples/welcome_flow.camp differ from $GOLDEN (UPDATE=1 rewrites it)" "$(diff "$GOLDEN" "$t/scopes" | head -20)"; fi
  for s in meta.template.expression punctuation.section.embedded.begin support.function.filter constant.other.duration \
           comment.line string.quoted.double string.quoted.single storage.type.activity entity.name.function.activity \
           keyword.control.trigger keyword.operator.logical entity.name.type.campaign; do
    if grep -q "[[:space:]]$s\." "$GOLDEN"; then ok "$GOLDEN pins $s"; else bad "$GOLDEN has no $s"; fi
  done

  # The property-list form Sublime Text reads (editors/README.md converts to
  # it) gives the same scopes.
  if $PY -c 'import json, plistlib, sys; plistlib.dump(json.load(open(sys.argv[1])), open(sys.argv[2], "wb"))' $GRAMMAR "$t/camp.tmLanguage" &&
     GRAMMAR=$t/camp.tmLanguage tm scopes examples/welcome_flow.camp > "$t/plist" 2>&1 && cmp -s "$t/plist" "$GOLDEN"; then ok "the .tmLanguage plist gives the scopes of $GOLDEN"
  else bad "the .tmLanguage plist does not give the scopes of $GOLDEN" "$(diff "$GOLDEN" "$t/plist" | head)"; fi

  # The checks can fail: without its branch rule (on done, on no open ...)
  # or with 'and' dropped from the operators, the grammar is caught.
  node -e '
    const fs = require("fs"), g = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    delete g.repository.branch; g.patterns = g.patterns.filter((p) => p.include !== "#branch");
    fs.writeFileSync(process.argv[2], JSON.stringify(g));
    const h = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    for (const p of h.repository["expression-core"].patterns) if (p.match === "\\b(and|or|not)\\b") p.match = "\\b(or|not)\\b";
    fs.writeFileSync(process.argv[3], JSON.stringify(h));' $GRAMMAR "$t/nobranch.json" "$t/noand.json"
  GRAMMAR=$t/nobranch.json tm coverage $KWFILES > "$t/out" 2>&1
  if grep -q "^FAIL keyword 'done'" "$t/out"; then ok "a grammar without its branch rule fails coverage"; else bad "a grammar without its branch rule passes coverage" "$(head "$t/out")"; fi
  GRAMMAR=$t/noand.json tm check examples/welcome_flow.camp > "$t/out" 2>&1
  if grep -q "keyword 'and': an operator or value without a keyword scope" "$t/out"; then ok "a grammar without 'and' fails the examples"; else bad "a grammar without 'and' passes the examples" "$(head "$t/out")"; fi
fi

# 3. Vim.
for kw in $keywords; do
  if grep -v '^[[:space:]]*"' $VIMSYN | grep -q "\\(\\<\\|[^a-z_]\\)$kw\\([^a-z_]\\|\$\\)"; then ok; else bad "$VIMSYN does not name the keyword '$kw'"; fi
done
if command -v vim > /dev/null 2>&1; then
  # Every keyword token of the keyword files, and, in every file that
  # parses, each keyword the tokens around it make one (tests/editors/textmate.js).
  for f in $KWFILES; do
    "$CAMP" tokens "$f" | awk -v f="$f" '$2 ~ /^\x27[a-z_]+\x27$/ { split($1, p, ":"); print f, p[1], p[2], $3 }'
  done > "$t/pos"
  node tests/editors/textmate.js places $files > "$t/places" 2> "$t/err" || bad "textmate.js places" "$(cat "$t/err")"
  cat "$t/places" >> "$t/pos"
  VIMRTP=editors/vim FILES="$(echo examples/*.camp) $KWFILES" POS=$t/pos OUT=$t/vim \
    vim -u NONE -i NONE -N -es -S tests/editors/vimcheck.vim < /dev/null > "$t/vimlog" 2>&1
  rc=$?
  if [ $rc -eq 0 ] && [ -s "$t/vim" ]; then ok "vim runs tests/editors/vimcheck.vim"; else bad "vim -es exited $rc" "$(cat "$t/vimlog" "$t/vim" 2> /dev/null | head)"; fi
  grep -v '^at ' "$t/vim" | sed 's/^ok /ok vim loads editors\/vim on /' | tally
  # A keyword group links to one of these (a contextual keyword used as a
  # name may be a name: Identifier, Function, none).
  keywordLink=' (Keyword|Statement|Conditional|Label|Operator|Include|Structure|StorageClass|Type|Boolean|Constant)$'
  for kw in $keywords; do
    if grep "^at tests/editors/keywords[a-z_]*\.camp:[0-9:]* $kw " "$t/vim" | grep -Eq "$keywordLink"; then ok
    else bad "vim: '$kw' is not highlighted as a keyword in $KWFILES" "$(grep "^at [^ ]* $kw " "$t/vim" | head -3)"; fi
  done
  sed 's/^\([^ ]*\) \([0-9]*\) \([0-9]*\) /at \1:\2:\3 /' "$t/places" | sort -u > "$t/want"
  grep -Ff "$t/want" "$t/vim" | sort -u > "$t/got"
  grep -Ev "$keywordLink" "$t/got" > "$t/notkw"
  nplaces=$(wc -l < "$t/want")
  if [ "$nplaces" -ge 1000 ] && [ "$(wc -l < "$t/got")" -eq "$nplaces" ] && [ ! -s "$t/notkw" ]; then ok "vim highlights the $nplaces keywords in keyword places of $nfiles files"
  else bad "vim: of $nplaces keywords in keyword places, $(wc -l < "$t/notkw") are not highlighted as keywords" "$(head "$t/notkw")"; fi
else
  bad "vim is not installed (apt-get install -y vim)"
fi

finish

// tests/editors/textmate.js -- tokenizes camp files with editors/camp.tmLanguage.json
// through VS Code's own engine (vscode-textmate + vscode-oniguruma, installed by
// the Makefile into $BUILD/npm), for tests/suite_editors.sh.
//
// Owns: loading the grammar, tokenizing, and comparing the scopes with what
// camp's real lexer says (`camp tokens`).  Does not own: which files are
// checked or the closing line (the suite), the keyword list (grammar/lexer.re).
//
//   node textmate.js scopes FILE             token -> scopes, a line each (the golden format)
//   node textmate.js check FILE...           lexer tokens vs scopes, a result line per file
//   node textmate.js coverage FILE...        every keyword of grammar/lexer.re is scoped
//   node textmate.js places FILE...          'FILE LINE BYTECOL WORD' of each keyword that
//                                            must be highlighted as one (for Vim; needs no npm)
//
// Environment: NPM_DIR (where node_modules is), CAMP (the binary), GRAMMAR
// (default editors/camp.tmLanguage.json), LEXER (default grammar/lexer.re).
// Result lines start with "ok " or "FAIL "; details follow indented.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const npmDir = process.env.NPM_DIR || 'build/npm';
const modules = path.resolve(npmDir, 'node_modules');
let vsctm, onig;                                   // loaded when a command tokenizes
const grammarPath = process.env.GRAMMAR || 'editors/camp.tmLanguage.json';
const lexerPath = process.env.LEXER || 'grammar/lexer.re';
const camp = process.env.CAMP || 'build/camp';

// Keywords that are always operators or values (docs/LANGUAGE.md, "Lexical
// rules"): wherever the lexer sees one, the grammar must scope it as one.
const ALWAYS = new Set(['and', 'or', 'not', 'in', 'like', 'is', 'true', 'false', 'null', 'now']);
// What a keyword in keyword position is scoped as.
const KEYWORD_SCOPE = /^(keyword\.|storage\.type|constant\.language|variable\.language)/;
// What a contextual keyword standing for a name may be scoped as instead:
// a field, a declared name, a call or a named argument.
const NAME_SCOPE = /^(variable\.other|variable\.parameter|entity\.name|support\.function)/;
// Lexer token types and the scope each must start with.
const TYPE_SCOPE = {
  comment: /^comment\.line/,
  string: /^string\.quoted/,
  duration: /^constant\.other\.duration/,
  datetime: /^constant\.other\.datetime/,
  integer: /^constant\.numeric/,
  number: /^constant\.numeric/,
};

// The keywords of grammar/lexer.re: its rules `"word" { t.type = TK_...`.
function lexerKeywords() {
  const re = /^\s*"([a-z_]+)"\s*\{\s*t\.type\s*=\s*TK_/;
  const kws = [];
  for (const line of fs.readFileSync(lexerPath, 'utf8').split('\n')) {
    const m = re.exec(line);
    if (m) kws.push(m[1]);
  }
  if (kws.length === 0) throw new Error(`no keywords found in ${lexerPath}`);
  return kws;
}

async function loadGrammar() {
  vsctm = require(path.join(modules, 'vscode-textmate'));
  onig = require(path.join(modules, 'vscode-oniguruma'));
  const wasm = fs.readFileSync(path.join(modules, 'vscode-oniguruma/release/onig.wasm'));
  await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources) => new onig.OnigScanner(sources),
      createOnigString: (s) => new onig.OnigString(s),
    }),
    loadGrammar: async (scope) => scope === 'source.camp'
      ? vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), path.resolve(grammarPath))
      : null,
  });
  const g = await registry.loadGrammar('source.camp');
  if (!g) throw new Error(`cannot load ${grammarPath}`);
  return g;
}

// The file's lines, each with its tokens {start, end, text, scopes} (UTF-16
// indices into the line; scopes without the root source.camp).
function tokenize(grammar, file) {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  let stack = vsctm.INITIAL;
  return lines.map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    const toks = r.tokens.map((t) => {
      const end = Math.min(t.endIndex, line.length);
      return { start: t.startIndex, end, text: line.slice(t.startIndex, end), scopes: t.scopes.slice(1) };
    }).filter((t) => t.end > t.start);
    return { line, toks };
  });
}

// `camp tokens FILE`: [{line, col (UTF-16, 0-based), type, text}]; col from
// the lexer's byte column.
function lexerTokens(file, lines) {
  const out = execFileSync(camp, ['tokens', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const toks = [];
  for (const l of out.split('\n')) {
    const m = /^(\d+):(\d+) (\S+) (.*)$/.exec(l);
    if (!m) continue;                              // the rest of a multi-line string
    const ln = +m[1] - 1, byteCol = +m[2] - 1;
    const text = lines[ln] ? lines[ln].line : '';
    const col = Buffer.from(text, 'utf8').subarray(0, byteCol).toString('utf8').length;
    toks.push({ line: ln, col, byteCol, type: m[3], text: m[4] });
  }
  return toks;
}

function tokenAt(lines, ln, col) {
  const l = lines[ln];
  return l && l.toks.find((t) => t.start <= col && col < t.end);
}

const has = (scopes, re) => scopes.some((s) => re.test(s));

// Whether the lexer's tokens around code[i] (comments left out) make that
// keyword a keyword for the parser, whatever the grammar says: the grammar
// must then scope it as one.  The same contexts the grammar recognises,
// read from the real tokens.
const TRIGGERS = new Set(["'done'", "'open'", "'click'", "'reply'", "'bounce'", "'visit'"]);
const isName = (t) => t && (t.type === 'identifier' || /^'[a-z_]+'$/.test(t.type));
// `a div b`: div is the operator when an operand ends before it and one starts after.
const OPERAND_END = new Set(['identifier', 'integer', 'number', "')'", "']'"]);
const OPERAND_START = new Set(['identifier', 'integer', 'number', "'('", "'-'"]);
function inKeywordPlace(code, i) {
  const ty = (k) => (code[k] ? code[k].type : '');
  const kw = ty(i).slice(1, -1);
  switch (kw) {
    case 'use': return ty(i + 1) === 'string';
    case 'model': return isName(code[i + 1]) && ty(i + 2) === "'{'";
    case 'campaign': case 'list': case 'mailing': case 'website': case 'sync':
      return (isName(code[i + 1]) && ty(i + 2) === 'string') || (kw === 'list' && ty(i - 1) === "'to'");
    case 'email': case 'sms': case 'action':   // not the channel of a test's `expect N email sent`
      return ty(i - 2) !== "'expect'" && isName(code[i + 1]) && (ty(i + 2) === "'after'" || ty(i + 2) === "'at'" || ty(i + 2) === "'{'");
    case 'on': return TRIGGERS.has(ty(i + 1)) || (ty(i + 1) === "'no'" && TRIGGERS.has(ty(i + 2)));
    case 'no': return ty(i - 1) === "'on'" && TRIGGERS.has(ty(i + 1));
    case 'done': case 'open': case 'click': case 'reply': case 'bounce': case 'visit':
      return ty(i - 1) === "'on'" || (ty(i - 1) === "'no'" && ty(i - 2) === "'on'") ||
        (kw === 'visit' && (ty(i + 1) === 'string' || (ty(i + 1) === "'event'" && ty(i + 2) === 'string')));   // a test's visit
    case 'after': case 'within': case 'expire': return ty(i + 1) === 'duration';
    case 'subject': case 'body': case 'text': case 'from': case 'code':
    case 'site_id': case 'goal': case 'event': return ty(i + 1) === 'string';
    case 'url':                                    // url "..." or on [no] visit where url like "..."
      return ty(i + 1) === 'string' || (ty(i - 1) === "'where'" && ty(i + 1) === "'like'" && ty(i - 2) === "'visit'");
    case 'link_token': return ty(i + 1) === "'true'" || ty(i + 1) === "'false'";
    case 'to': return ty(i + 1) === "'list'";
    case 'at': return ty(i + 1) === 'datetime' || ty(i + 1) === 'time';   // `time of day`: HH:MM
    case 'timezone': return ty(i + 1) === 'string' || ty(i + 1) === "'from'";
    case 'send':                                   // send between ..., or a test's `send MAILING` ending its line
      return ty(i + 1) === "'between'" || (isName(code[i + 1]) && code[i + 1].line === code[i].line &&
        (!code[i + 2] || code[i + 2].line !== code[i].line || ty(i + 2) === "'}'"));
    case 'between': return ty(i - 1) === "'send'";
    case 'cap': return ty(i + 1) === "'skip'" || ty(i + 1) === "'exempt'" || (isName(code[i + 1]) && ty(i + 2) === 'integer' && ty(i + 3) === "'per'");
    case 'skip': case 'exempt': return ty(i - 1) === "'cap'";
    case 'per': return ty(i - 3) === "'cap'" && ty(i + 1) === 'duration';
    case 'priority': return ty(i + 1) === 'integer';
    case 'split': return ty(i + 1) === "'{'" || (isName(code[i + 1]) && ty(i + 2) === "'{'");
    case 'if': return ty(i - 1) === "'{'" || ty(i - 1) === "'}'";
    case 'else': return ty(i - 1) === "'}'" && ty(i + 1) === "'{'";
    case 'test': return (ty(i + 1) === 'integer' && ty(i + 2) === "'%'") || (ty(i + 1) === 'string' && ty(i + 2) === "'{'");
    // a test block's steps: records MODEL, expect ..., R [not] sent / trace, C.A for R
    case 'records': return isName(code[i + 1]) && (ty(i + 2) === "'{'" || ty(i + 2) === "'from'");
    case 'expect': return isName(code[i + 1]) || ty(i + 1) === 'integer';
    case 'sent': return ty(i - 2) === "'expect'" || (ty(i - 1) === "'not'" && ty(i - 3) === "'expect'") || ty(i - 3) === "'expect'";
    case 'trace': return ty(i - 2) === "'expect'";
    case 'add': return isName(code[i + 1]) && ty(i + 2) === "'to'";          // a test's add R to LIST
    case 'remove': return isName(code[i + 1]) && ty(i + 2) === "'from'";     // remove R from LIST
    case 'refresh':                                // refresh LIST ending its line
      return isName(code[i + 1]) && code[i + 1].line === code[i].line &&
        (!code[i + 2] || code[i + 2].line !== code[i].line || ty(i + 2) === "'}'");
    case 'for': return isName(code[i + 1]) && ty(i - 2) === "'.'";
    case 'variant': return isName(code[i + 1]) && ty(i + 2) === "'{'";
    case 'winner': return ty(i + 1) === "'by'";
    case 'by': return ty(i - 1) === "'winner'";
    case 'local': return ty(i - 1) === 'datetime' && ty(i - 2) === "'at'";
    case 'div': return OPERAND_END.has(ty(i - 1)) && OPERAND_START.has(ty(i + 1));
    case 'set': return ty(i - 1) === "'is'" || (ty(i - 1) === "'not'" && ty(i - 2) === "'is'");
    case 'mailchimp': return ty(i + 1) === "'audience'" || ty(i - 1) === "'via'";
    case 'dotdigital': return ty(i + 1) === "'address_book'" || ty(i - 1) === "'via'";
    case 'audience': return ty(i - 1) === "'mailchimp'" && ty(i + 1) === 'string';
    case 'address_book': return ty(i - 1) === "'dotdigital'" && ty(i + 1) === 'string';
    case 'segment': return ty(i + 1) === 'string';
    case 'every': return ty(i + 1) === 'duration';
    case 'via': return ty(i + 1) === "'mailchimp'" || ty(i + 1) === "'dotdigital'";
    case 'field':                                  // field TAG = ..., or field FIELD at the end of its line
      return isName(code[i + 1]) && (ty(i + 2) === "'='" || !code[i + 2] || code[i + 2].line !== code[i + 1].line);
    default: return false;
  }
}

// The problems of one file: each lexer keyword scoped as a keyword (or, for
// a contextual one outside its keyword places, as a name), never inside a
// string or comment, on a token of its own; comments, strings, durations,
// datetimes and numbers where the lexer has them.
function checkFile(grammar, file, keywords) {
  const lines = tokenize(grammar, file);
  const problems = [];
  const all = lexerTokens(file, lines);
  const code = all.filter((t) => t.type !== 'comment');
  const place = new Map(code.map((t, i) => [t, inKeywordPlace(code, i)]));
  for (const lt of all) {
    const where = `${file}:${lt.line + 1}:${lt.col + 1}`;
    const tm = tokenAt(lines, lt.line, lt.col);
    const scopes = tm ? tm.scopes : [];
    const shown = scopes.join(' ') || '(no scope)';
    const kw = /^'([a-z_]+)'$/.exec(lt.type);
    if (kw && keywords.has(kw[1])) {
      const word = kw[1];
      let why = null;
      if (!tm || tm.start !== lt.col || tm.text !== word) why = `not a token of its own (got '${tm ? tm.text : ''}')`;
      else if (has(scopes, /^(string|comment)\./)) why = 'inside a string or comment';
      else if (has(scopes, KEYWORD_SCOPE)) why = null;
      else if (ALWAYS.has(word)) why = 'an operator or value without a keyword scope';
      else if (place.get(lt)) why = 'a keyword here (by the tokens around it) without a keyword scope';
      else if (has(scopes, NAME_SCOPE)) why = null;
      else why = 'neither a keyword nor a name scope';
      if (why) problems.push(`${where}: keyword '${word}': ${why}: ${shown}`);
    } else if (TYPE_SCOPE[lt.type]) {
      if (!tm || tm.start !== lt.col) problems.push(`${where}: ${lt.type} does not start a token: ${shown}`);
      else if (!has(scopes, TYPE_SCOPE[lt.type])) problems.push(`${where}: ${lt.type} ${lt.text.slice(0, 40)}: ${shown}`);
    }
  }
  return problems;
}

// Every regular expression of the grammar with the scopes its rule gives.
function grammarRules(raw) {
  const rules = [];
  const visit = (r) => {
    if (!r || typeof r !== 'object') return;
    const scopes = [r.name, r.contentName];
    for (const k of ['captures', 'beginCaptures', 'endCaptures']) {
      for (const c of Object.values(r[k] || {})) scopes.push(c.name);
    }
    for (const k of ['match', 'begin']) {
      if (r[k]) rules.push({ re: r[k], scopes: scopes.filter(Boolean) });
    }
    (r.patterns || []).forEach(visit);
  };
  (raw.patterns || []).forEach(visit);
  Object.values(raw.repository || {}).forEach(visit);
  return rules;
}

function results(list) {
  for (const [name, problems] of list) {
    if (problems.length === 0) console.log(`ok   ${name}`);
    else {
      console.log(`FAIL ${name}`);
      for (const p of problems.slice(0, 20)) console.log(`     ${p}`);
      if (problems.length > 20) console.log(`     ... and ${problems.length - 20} more`);
    }
  }
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  const keywords = lexerKeywords();
  if (cmd === 'places') {
    const set = new Set(keywords);
    for (const file of args) {
      const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).map((line) => ({ line }));
      const code = lexerTokens(file, lines).filter((t) => t.type !== 'comment');
      code.forEach((t, i) => {
        const word = t.type.slice(1, -1);
        if (set.has(word) && (ALWAYS.has(word) || inKeywordPlace(code, i))) {
          console.log(`${file} ${t.line + 1} ${t.byteCol + 1} ${word}`);
        }
      });
    }
    return;
  }
  const grammar = await loadGrammar();
  if (cmd === 'scopes') {
    const lines = tokenize(grammar, args[0]);
    const out = [];
    lines.forEach((l, i) => {
      for (const t of l.toks) {
        if (/^\s*$/.test(t.text)) continue;
        out.push(`${i + 1}:${t.start + 1}\t${JSON.stringify(t.text)}\t${t.scopes.join(' ') || '-'}`);
      }
    });
    process.stdout.write(out.join('\n') + '\n');
  } else if (cmd === 'check') {
    const set = new Set(keywords);
    results(args.map((f) => [`scopes agree with the lexer: ${f}`, checkFile(grammar, f, set)]));
  } else if (cmd === 'coverage') {
    const files = args.join(' ');
    const seen = new Map();                         // keyword -> its keyword-scoped uses in FILES
    for (const file of args) {
      const lines = tokenize(grammar, file);
      for (const lt of lexerTokens(file, lines)) {
        const kw = /^'([a-z_]+)'$/.exec(lt.type);
        if (!kw) continue;
        const tm = tokenAt(lines, lt.line, lt.col);
        const ok = tm && tm.start === lt.col && tm.text === kw[1] && has(tm.scopes, KEYWORD_SCOPE);
        if (!seen.has(kw[1])) seen.set(kw[1], 0);
        if (ok) seen.set(kw[1], seen.get(kw[1]) + 1);
      }
    }
    const raw = JSON.parse(fs.readFileSync(grammarPath, 'utf8'));
    const rules = grammarRules(raw).filter((r) => r.scopes.some((s) => KEYWORD_SCOPE.test(s)));
    const list = [];
    for (const kw of keywords) {
      const p = [];
      if (!seen.has(kw)) p.push(`${files} never use '${kw}'`);
      else if (seen.get(kw) === 0) p.push(`no use of '${kw}' in ${files} is scoped as a keyword`);
      const word = new RegExp(`(^|[^A-Za-z0-9_])${kw}($|[^A-Za-z0-9_])`);
      if (!rules.some((r) => word.test(r.re.replace(/\\[A-Za-z]/g, ' ')))) {
        p.push(`no keyword-scoped rule of ${grammarPath} names '${kw}'`);
      }
      list.push([`keyword '${kw}' of ${lexerPath} is in the grammar`, p]);
    }
    results(list);
  } else {
    console.error('usage: textmate.js scopes FILE | check FILE... | coverage FILE... | places FILE...');
    process.exit(2);
  }
}

main().catch((e) => { console.log(`FAIL textmate.js: ${e.stack || e}`); process.exit(1); });

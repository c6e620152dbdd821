/*
** compiler/parse.c -- the parser driver: tokens in, a tree out.
**
** Owns: feeding the lexer's tokens to the lemon parser, syntax-error
** messages (what was expected; which block's '{' is left open, named from
** the parser's stack, and where its '}' was due), templates inside strings
** and body files, and loading a unit's `use`d files (relative paths,
** missing files, cycles; only from the project directory, see
** campDiagLoadUsed).  Does not own: the grammar (parser.y) or the nodes
** (ast.c).
**
** The generated parser is included here rather than compiled on its own so
** that, at a syntax error, the driver can copy the parser state and try
** every terminal against it: that is how "expected …" is computed, and how
** a '}' left out is found (closing blocks on a copy until the parse goes
** on).
*/
#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/ast.h"
#include "runtime/program.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "parser.c"
#pragma GCC diagnostic pop

#define MAX_NESTING 64          /* braces, brackets and parentheses */

void campUnitInit(Unit *u, Diags *d) {
  memset(u, 0, sizeof *u);
  campArenaInit(&u->arena);
  u->diags = d;
}

void campUnitFree(Unit *u) { campArenaFree(&u->arena); }

void campUnitReset(Unit *u) {
  Arena keep = u->arena;
  Diags *d = u->diags;
  campArenaReset(&keep);
  memset(u, 0, sizeof *u);
  u->arena = keep;
  u->diags = d;
}

void campParseDone(ParseCtx *c, Ast *root) {
  if (c->silent) return;
  Ast *n;
  if (c->result && c->result->kind == AST_TEMPLATE) {   /* one expression of a template */
    c->result->b = root;
    return;
  }
  n = campAstNew(c->u, AST_FILE, c->file, 0, c->u->diags->src[c->file].len);
  n->kids = root;
  c->result = n;
}

void campParseSyntaxError(ParseCtx *c, int major, Token t) {
  (void)major; (void)t;
  c->failed = 1;
}

void campParseOverflow(ParseCtx *c) {
  c->failed = 2;
}

/* A copy of parser p (its stack pointers moved into the copy) and of ctx,
** silent and not failed, to try tokens on without touching p. */
static void trialCopy(yyParser *copy, const yyParser *p, ParseCtx *trial, const ParseCtx *ctx) {
  memcpy(copy, p, sizeof *copy);
  copy->yytos = copy->yystack + (p->yytos - p->yystack);
  copy->yystackEnd = copy->yystack + (p->yystackEnd - p->yystack);
  *trial = *ctx;
  trial->silent = 1;
  trial->failed = 0;
}

/* Would the parser, in state p, accept terminal `tok` next? */
static int accepts(yyParser *p, const ParseCtx *ctx, int tok, Token at) {
  yyParser copy;
  ParseCtx trial;
  trialCopy(&copy, p, &trial, ctx);
  campParser(&copy, tok, at, &trial);
  return !trial.failed;
}

/* Would the parser, in state p, take the next n tokens of lx without a
** syntax error, and then the rest of the header they start: on to the
** first '{' or the end, at most 8 tokens in all?  Tried on a copy; p and lx
** are left as they are. */
static int takesNext(yyParser *p, const ParseCtx *ctx, Lexer lx, uint32_t n) {
  yyParser copy;
  ParseCtx trial;
  int brace = 0;
  trialCopy(&copy, p, &trial, ctx);
  for (uint32_t i = 0; (i < n || (i < 8 && !brace)) && !trial.failed; i++) {
    const char *why;
    Token t = campLexToken(&lx, &why);
    if (t.type == TK_ILLEGAL) break;
    campParser(&copy, t.type, t, &trial);
    if (t.type == 0) break;
    brace |= t.type == TK_LBRACE;
  }
  return !trial.failed;
}

/* "expected X, Y or Z" for the terminals state p accepts, keywords that
** only stand in for an identifier left out.  Empty when too many (more
** than the nine kinds of declaration). */
static void expectedList(yyParser *p, const ParseCtx *ctx, Token at, char *buf, size_t size) {
  int ok[YYNTOKEN] = { 0 }, n = 0;
  for (int t = 1; t < YYNTOKEN; t++) {
    if (t == TK_COMMENT || t == TK_ILLEGAL || t == TK_TPLSTART) continue;
    ok[t] = accepts(p, ctx, t, at);
  }
  for (int t = 1; t < YYNTOKEN; t++) {
    if (ok[TK_ID] && yyFallback[t] == TK_ID) ok[t] = 0;   /* a keyword taken as a name */
    n += ok[t];
  }
  buf[0] = 0;
  if (n == 0 || n > 9) return;
  size_t len = 0;
  int i = 0;
  len += (size_t)snprintf(buf + len, size - len, ", expected ");
  for (int t = 1; t < YYNTOKEN && len < size; t++) {
    if (!ok[t]) continue;
    i++;
    len += (size_t)snprintf(buf + len, size - len, "%s%s", i == 1 ? "" : i == n ? " or " : ", ",
                            campLexTokenName(t));
  }
}

typedef struct Opener { int type; uint32_t off; } Opener;

static const char *closerFor(int type) {
  return type == TK_LBRACE ? "'}'" : type == TK_LPAREN ? "')'" : "']'";
}

/* Start `parser` fresh and feed it, silently, the first ntok tokens of the
** text lx was started on (errors are rare; copying the state before every
** token would cost more than the whole parse).  On return `again` is
** positioned after those tokens and `quiet` is the silent context used. */
static void replay(const ParseCtx *c, const Lexer *lx, uint32_t startPos, int startToken, uint32_t ntok,
                   yyParser *parser, ParseCtx *quiet, Lexer *again) {
  *quiet = *c;
  *again = *lx;
  quiet->silent = 1;
  quiet->failed = 0;
  again->pos = startPos;
  campParserInit(parser);
  if (startToken) {
    Token t0 = { startToken, lx->base, 0 };
    campParser(parser, startToken, t0, quiet);
  }
  for (uint32_t i = 0; i < ntok; i++) {
    const char *why;
    Token t = campLexToken(again, &why);
    campParser(parser, t.type, t, quiet);
  }
}

/* ", expected …" for the parser state just before the token that failed. */
static void expectedBefore(ParseCtx *c, const Lexer *lx, uint32_t startPos, int startToken,
                           uint32_t ntok, Token at, char *buf, size_t size) {
  yyParser parser;
  ParseCtx quiet;
  Lexer again;
  replay(c, lx, startPos, startToken, ntok, &parser, &quiet, &again);
  expectedList(&parser, &quiet, at, buf, size);
  campParserFinalize(&parser);
}

/* -- unclosed blocks: name the '{' that was never closed ------------------ */

static int isTerminal(const yyStackEntry *e) { return e->major < YYNTOKEN; }

/* The source text of a token, at most 40 bytes shown (for "%.*s"). */
static int shownLen(const Token *t) { return t->len > 40 ? 40 : (int)t->len; }
static const char *textOf(const ParseCtx *c, const Token *t) { return c->text + (t->off - c->textBase); }

/* branch := ON trigger vcond within LBRACE: "on no open" re-read from the source
** (the trigger's value on the stack is a number). */
static void branchName(const ParseCtx *c, Token on, char *buf, size_t size) {
  Lexer lx = { .text = c->text, .len = c->u->diags->src[c->file].len - c->textBase,
               .pos = on.off - c->textBase, .base = c->textBase };
  size_t len = 0;
  buf[0] = 0;
  for (int i = 0; i < 4 && len < size; i++) {
    const char *why;
    Token t = campLexToken(&lx, &why);
    if (t.type == 0 || t.type == TK_WITHIN || t.type == TK_LBRACE || t.type == TK_ILLEGAL || t.type == TK_WHERE || t.type == TK_EVENT) break;
    len += (size_t)snprintf(buf + len, size - len, "%s%.*s", i ? " " : "", shownLen(&t), textOf(c, &t));
  }
}

/* The '{' still open in parser p, `outer` levels out from the innermost:
** its token in *brace and what it opens ("activity 'x'", "branch 'on
** open'", "campaign 'c'", …) in what.  Reads the parser's stack: the
** symbols before an LBRACE say which of the grammar's block rules it
** belongs to.  Returns 0 when there is no such '{'. */
static int openBlock(const yyParser *p, const ParseCtx *c, int outer, Token *brace, char *what, size_t size) {
  const yyStackEntry *s = p->yystack;
  int i = (int)(p->yytos - p->yystack), closed = 0;
  for (; i > 0; i--) {             /* a '}' shifted but not yet reduced closes the '{' below it */
    if (s[i].major == TK_RBRACE) closed++;
    else if (s[i].major == TK_LBRACE && closed) closed--;
    else if (s[i].major == TK_LBRACE && outer) outer--;
    else if (s[i].major == TK_LBRACE) break;
  }
  if (i < 3) return 0;
  *brace = s[i].minor.yy0;
  const yyStackEntry *k3 = &s[i - 3], *k2 = &s[i - 2], *k1 = &s[i - 1];
  if (isTerminal(k1) && k2->major == TK_MODEL)                          /* MODEL ID { */
    snprintf(what, size, "model '%.*s'", shownLen(&k1->minor.yy0), textOf(c, &k1->minor.yy0));
  else if (k1->major == TK_STRING && isTerminal(k2) &&                  /* CAMPAIGN ID STRING { */
           (k3->major == TK_CAMPAIGN || k3->major == TK_LIST || k3->major == TK_MAILING || k3->major == TK_INITIATIVE ||
            k3->major == TK_WEBSITE || k3->major == TK_SYNC))
    snprintf(what, size, "%s '%.*s'", k3->major == TK_CAMPAIGN ? "campaign" : k3->major == TK_LIST ? "list"
             : k3->major == TK_MAILING ? "mailing" : k3->major == TK_WEBSITE ? "website"
             : k3->major == TK_SYNC ? "sync" : "initiative",
             shownLen(&k2->minor.yy0), textOf(c, &k2->minor.yy0));
  else if (i >= 4 && s[i - 4].major == TK_ON && !isTerminal(k3)) {     /* ON trigger vcond within { */
    char name[128];
    branchName(c, s[i - 4].minor.yy0, name, sizeof name);
    snprintf(what, size, "branch '%s'", name);
  } else if (k1->major == TK_SPLIT)                                     /* SPLIT { */
    snprintf(what, size, "split");
  else if (k2->major == TK_SPLIT || k2->major == TK_VARIANT)            /* SPLIT ID { | VARIANT ID { */
    snprintf(what, size, "%s '%.*s'", k2->major == TK_SPLIT ? "split" : "variant", shownLen(&k1->minor.yy0), textOf(c, &k1->minor.yy0));
  else if (k2->major == TK_IF)                                          /* IF expr { */
    snprintf(what, size, "if");
  else if (k1->major == TK_ELSE)                                        /* ELSE { */
    snprintf(what, size, "else");
  else if (k1->major == TK_PERCENT && k3->major == TK_TEST)             /* TEST INT % { */
    snprintf(what, size, "test");
  else if (k1->major == TK_PERCENT)                                     /* NUMBER % { */
    snprintf(what, size, "path '%.*s%%'", shownLen(&k2->minor.yy0), textOf(c, &k2->minor.yy0));
  else if (isTerminal(k2) && !isTerminal(k1) && !isTerminal(k3))      /* akind ID timing { */
    snprintf(what, size, "activity '%.*s'", shownLen(&k2->minor.yy0), textOf(c, &k2->minor.yy0));
  else
    snprintf(what, size, "this block");
  return 1;
}

/* Bytes of blank before the first character of the line holding offset
** off (a file's offset: only for files, not templates), and in *first
** whether off is that first character.  The line's start comes from the
** line table, so a long line costs nothing. */
static uint32_t indentOf(const ParseCtx *c, uint32_t off, int *first) {
  uint32_t line, col;
  campDiagLineCol(c->u->diags, c->file, off, &line, &col);
  const char *at = c->text + (off - c->textBase), *ls = at - (col - 1), *q = ls;
  while (q < at && (*q == ' ' || *q == '\t')) q++;
  *first = q == at;
  return (uint32_t)(q - ls);
}

/* Keywords that begin a declaration, an activity or a branch. */
static int startsBlock(int type) {
  return type == TK_USE || type == TK_MODEL || type == TK_CAMPAIGN || type == TK_LIST || type == TK_MAILING ||
         type == TK_INITIATIVE ||
         type == TK_EMAIL || type == TK_SMS || type == TK_ACTION || type == TK_ON || type == TK_SPLIT || type == TK_IF;
}

/* The first '}' in the current top-level block that closed a block while
** indented less than the line of the block's '{': at end of file, a hint
** that this block, not the one left open, is the one missing its '}' (the
** '}'s after it are each one block off too). */
typedef struct Misfit { uint32_t brace, close; char what[192]; } Misfit;

/* Before feeding the '}' t to the parser: does it close the innermost
** block while indented less than that block's line?  Then remember it. */
static void checkIndent(const ParseCtx *c, const yyParser *parser, Token t, Misfit *m) {
  Token brace;
  char what[192];
  int first, firstBrace;
  uint32_t indent = indentOf(c, t.off, &first);
  if (m->what[0] || !first || !openBlock(parser, c, 0, &brace, what, sizeof what)) return;
  if (indent >= indentOf(c, brace.off, &firstBrace)) return;
  m->brace = brace.off;
  m->close = t.off;
  memcpy(m->what, what, sizeof what);
}

/* The note on a misfit inside the block of `brace` (reported as open). */
static void noteMisfit(ParseCtx *c, const Misfit *m, Token brace) {
  uint32_t line, col;
  if (!m->what[0] || m->brace <= brace.off) return;
  campDiagLineCol(c->u->diags, c->file, m->close, &line, &col);
  campDiagReport(c->u->diags, DIAG_NOTE, c->file, m->brace, 1,
                 "%s may be the block missing its '}': the '}' at line %u that closes it is indented "
                 "like an outer block", m->what, line);
}

/* At end of file inside a '{': report the brace (the innermost open block)
** and, as notes, where the file ends and what was still expected, and a
** block inside it whose '}' looks borrowed from an outer block (m). */
static int reportNeverClosed(ParseCtx *c, yyParser *parser, Token eof, const Misfit *m) {
  Token brace;
  char what[192], exp[512];
  if (!openBlock(parser, c, 0, &brace, what, sizeof what)) return 0;
  campDiagReport(c->u->diags, DIAG_E007, c->file, brace.off, 1, "'{' of %s is never closed", what);
  if (accepts(parser, c, TK_RBRACE, eof))
    campDiagReport(c->u->diags, DIAG_NOTE, c->file, eof.off, 0, "the file ends here; '}' expected");
  else {
    expectedList(parser, c, eof, exp, sizeof exp);
    if (!exp[0] && accepts(parser, c, TK_INT, eof)) snprintf(exp, sizeof exp, ", where an expression was expected");
    campDiagReport(c->u->diags, DIAG_NOTE, c->file, eof.off, 0, "the file ends here%s", exp);
  }
  noteMisfit(c, m, brace);
  return 1;
}

/* How many '}' (1 to MAX_CLOSE) must go before the next token of lx, in
** parser p, for it and the `more` tokens after it to parse; 0 if none do. */
#define MAX_CLOSE 8
static int closesNeeded(yyParser *p, ParseCtx *quiet, const Lexer *lx, Token before, uint32_t more) {
  Token close = { TK_RBRACE, before.off, 0 };
  for (int n = 1; n <= MAX_CLOSE && accepts(p, quiet, TK_RBRACE, close); n++) {
    campParser(p, TK_RBRACE, close, quiet);
    if (quiet->failed) return 0;
    if (takesNext(p, quiet, *lx, more + 1)) return n;
  }
  return 0;
}

/* Report n blocks left open before the keyword kw, the innermost (of
** `brace`, described in what) named in the error, all of them in the note. */
static void reportLeftOpen(ParseCtx *c, const yyParser *parser, int n, Token brace, const char *what, Token kw,
                           const Misfit *m) {
  uint32_t line, col;
  campDiagLineCol(c->u->diags, c->file, kw.off, &line, &col);
  campDiagReport(c->u->diags, DIAG_E007, c->file, brace.off, 1, "'{' of %s is not closed before line %u",
                 what, line);
  if (n == 1)
    campDiagReport(c->u->diags, DIAG_NOTE, c->file, kw.off, kw.len, "'}' expected before this '%.*s'",
                   shownLen(&kw), textOf(c, &kw));
  else {
    char all[512];                 /* every block the '}'s close, innermost first */
    size_t len = (size_t)snprintf(all, sizeof all, "%s", what);
    for (int k = 1; k < n && len < sizeof all; k++) {
      Token b;
      char outer[192];
      if (!openBlock(parser, c, k, &b, outer, sizeof outer)) break;
      len += (size_t)snprintf(all + len, sizeof all - len, k + 1 == n ? " and %s" : ", %s", outer);
    }
    campDiagReport(c->u->diags, DIAG_NOTE, c->file, kw.off, kw.len, "%d '}' expected before this '%.*s' (to close %s)",
                   n, shownLen(&kw), textOf(c, &kw), all);
  }
  noteMisfit(c, m, brace);
}

/* A syntax error at token ntok that a missing '}' explains: one of the two
** tokens before it, or itself, starts a line with a keyword that opens a
** block (`campaign`, `email`, `on`, …) no deeper than the line of the
** innermost open '{', and closing blocks just before the keyword lets the
** parse go on past the failing token.  Reports the innermost brace and
** returns 1; else returns 0 and reports nothing. */
static int reportNotClosed(ParseCtx *c, const Lexer *lx, uint32_t startPos, int startToken, uint32_t ntok,
                           const Misfit *m) {
  for (uint32_t back = 0; back <= 2 && back <= ntok; back++) {
    yyParser parser;
    ParseCtx quiet;
    Lexer again;
    const char *why;
    Token brace, kw;
    char what[192];
    int first = 0, firstBrace, n = 0;
    replay(c, lx, startPos, startToken, ntok - back, &parser, &quiet, &again);
    Lexer peek = again;
    kw = campLexToken(&peek, &why);
    uint32_t kwIndent = kw.type ? indentOf(c, kw.off, &first) : 0;
    if (startsBlock(kw.type) && first && openBlock(&parser, c, 0, &brace, what, sizeof what) &&
        kwIndent <= indentOf(c, brace.off, &firstBrace)) {
      yyParser tried;
      ParseCtx trial;
      trialCopy(&tried, &parser, &trial, &quiet);
      n = closesNeeded(&tried, &trial, &again, kw, back);
    }
    if (n) reportLeftOpen(c, &parser, n, brace, what, kw, m);
    campParserFinalize(&parser);
    if (n) return 1;
  }
  return 0;
}

/* Feed tokens from lx to a fresh parser.  Stops at the first syntax error,
** which it reports.  Returns the parse context's result or NULL. */
static Ast *runParser(ParseCtx *c, Lexer *lx, int startToken) {
  yyParser parser;
  Opener open[MAX_NESTING];
  Misfit misfit = { 0 };
  int depth = 0;
  uint32_t ntok = 0, startPos = lx->pos;
  campParserInit(&parser);
  if (startToken) {
    Token t0 = { startToken, lx->base, 0 };
    campParser(&parser, startToken, t0, c);
  }
  for (;;) {
    const char *why;
    Token t = campLexToken(lx, &why);
    if (t.type == TK_ILLEGAL) {
      int isString = why && strstr(why, "string");
      campDiagReport(c->u->diags, isString ? DIAG_E002 : DIAG_E003, c->file, t.off,
                     isString ? t.len : 1, "%s", why);
      c->failed = 1;
      break;
    }
    if (t.type == TK_LBRACE || t.type == TK_LPAREN || t.type == TK_LBRACKET) {
      if (depth == MAX_NESTING) {
        campDiagReport(c->u->diags, DIAG_E008, c->file, t.off, t.len,
                       "nesting deeper than %d levels", MAX_NESTING);
        c->failed = 1;
        break;
      }
      open[depth].type = t.type;
      open[depth++].off = t.off;
    }
    if (t.type == TK_RBRACE && depth > 0 && open[depth - 1].type == TK_LBRACE && !startToken)
      checkIndent(c, &parser, t, &misfit);
    if (t.type == 0 && depth > 0 && open[depth - 1].type == TK_LBRACE && !startToken &&
        reportNeverClosed(c, &parser, t, &misfit)) {
      c->failed = 1;
      break;
    }
    if (t.type == 0 && depth > 0) {
      uint32_t line, col;
      Opener *o = &open[depth - 1];
      campDiagLineCol(c->u->diags, c->file, o->off, &line, &col);
      campDiagReport(c->u->diags, DIAG_E007, c->file, t.off, 0,
                     "%s expected at end of file (to close '%c' at line %u)", closerFor(o->type),
                     o->type == TK_LBRACE ? '{' : o->type == TK_LPAREN ? '(' : '[', line);
      c->failed = 1;
      break;
    }
    campParser(&parser, t.type, t, c);
    if (c->failed == 2) {
      campDiagReport(c->u->diags, DIAG_E008, c->file, t.off, t.len,
                     "expression or nesting too deep (parser stack limit %d)", YYSTACKDEPTH);
      break;
    }
    if (c->failed) {
      char exp[512];
      expectedBefore(c, lx, startPos, startToken, ntok, t, exp, sizeof exp);
      Token unit = { 0 };
      if (t.type == TK_INT && strstr(exp, "duration")) {    /* `after 1 dai`: a number, then a word that is no unit */
        const char *ignored;
        Lexer peek = *lx;
        unit = campLexToken(&peek, &ignored);
      }
      if (unit.type == TK_ID)
        campDiagReport(c->u->diags, DIAG_E001, c->file, unit.off, unit.len,
                       "unknown duration unit '%.*s' (minutes, hours, days, weeks, months)",
                       unit.len > 40 ? 40 : (int)unit.len, c->text + (unit.off - c->textBase));
      else if (t.type != 0 && !startToken && reportNotClosed(c, lx, startPos, startToken, ntok, &misfit))
        ;                                                   /* a '}' left out before a new block */
      else if (t.type == 0)
        campDiagReport(c->u->diags, DIAG_E001, c->file, t.off, 0, "unexpected end of %s%s",
                       startToken == TK_TPLSTART ? "the '{{ }}' expression" : "file", exp);
      else if (t.type == TK_ID || t.type == TK_INT || t.type == TK_REAL || t.type == TK_STRING ||
               t.type == TK_DATETIME || t.type == TK_DURATION)
        campDiagReport(c->u->diags, DIAG_E001, c->file, t.off, t.len, "unexpected %s '%.*s'%s",
                       campLexTokenName(t.type), t.len > 40 ? 40 : (int)t.len,
                       c->text + (t.off - c->textBase), exp);
      else
        campDiagReport(c->u->diags, DIAG_E001, c->file, t.off, t.len, "unexpected %s%s",
                       campLexTokenName(t.type), exp);
      break;
    }
    if (t.type == TK_RBRACE || t.type == TK_RPAREN || t.type == TK_RBRACKET) depth--;
    if (depth == 0) misfit.what[0] = 0;             /* a whole top-level block closed: balanced */
    if (t.type == 0) break;
    ntok++;
  }
  campParserFinalize(&parser);
  return c->failed ? NULL : c->result;
}

Ast *campParseFile(Unit *u, uint32_t file) {
  Source *s = &u->diags->src[file];
  ParseCtx c = { .u = u, .file = file, .text = s->text, .textBase = 0 };
  Lexer lx = { .text = s->text, .len = s->len };
  return runParser(&c, &lx, 0);
}

/* The end of a `{{ … }}` expression starting at p: the offset of "}}" not
** inside a string, or -1. */
static long templateEnd(const char *t, uint32_t p, uint32_t len) {
  char q = 0;
  for (; p + 1 < len + 1 && p < len; p++) {
    if (q) { if (t[p] == '\\') p++; else if (t[p] == q) q = 0; continue; }
    if (t[p] == '"' || t[p] == '\'') q = t[p];
    else if (t[p] == '}' && p + 1 < len && t[p + 1] == '}') return (long)p;
    else if (t[p] == '\n') return -1;
  }
  return -1;
}

Ast *campParseTemplate(Unit *u, uint32_t file, uint32_t base, const char *text, uint32_t len) {
  Ast *tpl = campAstNew(u, AST_TEMPLATE, file, base, len);
  uint32_t p = 0, lit = 0;
  int bad = 0;
  while (p < len) {
    if (!(text[p] == '{' && p + 1 < len && text[p + 1] == '{')) { p++; continue; }
    if (p > lit) {
      Ast *s = campAstNew(u, AST_STR, file, base + lit, p - lit);
      s->name = campArenaStrndup(&u->arena, text + lit, p - lit);
      s->nameLen = p - lit;
      campAstAppend(tpl, s);
    }
    long end = templateEnd(text, p + 2, len);
    if (end < 0) {
      campDiagReport(u->diags, DIAG_E038, file, base + p, 2, "'}}' expected on the same line (to close '{{')");
      return NULL;
    }
    uint32_t e0 = p + 2, e1 = (uint32_t)end;
    while (e0 < e1 && (text[e0] == ' ' || text[e0] == '\t')) e0++;
    if (e0 == e1) {
      campDiagReport(u->diags, DIAG_E038, file, base + p, e1 + 2 - p, "empty '{{ }}' in a template");
      bad = 1;
    } else {
      /* Lex just the inside: a NUL-terminated copy so the lexer stops there. */
      char *inner = campArenaStrndup(&u->arena, text + p + 2, e1 - (p + 2));
      ParseCtx c = { .u = u, .file = file, .text = inner, .textBase = base + p + 2, .result = tpl };
      Lexer lx = { .text = inner, .len = e1 - (p + 2), .base = base + p + 2, .inTemplate = 1 };
      tpl->b = NULL;
      if (!runParser(&c, &lx, TK_TPLSTART)) bad = 1;
      else campAstAppend(tpl, tpl->b);
      tpl->b = NULL;
    }
    p = lit = e1 + 2;
  }
  if (len > lit) {
    Ast *s = campAstNew(u, AST_STR, file, base + lit, len - lit);
    s->name = campArenaStrndup(&u->arena, text + lit, len - lit);
    s->nameLen = len - lit;
    campAstAppend(tpl, s);
  }
  return bad ? NULL : tpl;
}

/* -- units: a root file and what it uses -------------------------------- */

typedef struct UseStack { uint32_t file; struct UseStack *up; } UseStack;

/* Join dir-of(from) and rel into an arena string; absolute rel stays. */
static char *relativeTo(Unit *u, const char *from, const char *rel) {
  if (rel[0] == '/') return campArenaStrndup(&u->arena, rel, strlen(rel));
  const char *slash = strrchr(from, '/');
  size_t dl = slash ? (size_t)(slash - from + 1) : 0;
  char *p = campArenaAlloc(&u->arena, dl + strlen(rel) + 1);
  memcpy(p, from, dl);
  strcpy(p + dl, rel);
  /* fold "dir/../" so paths in messages stay readable */
  for (char *q; (q = strstr(p, "/../")) != NULL;) {
    char *prev = q;
    while (prev > p && prev[-1] != '/') prev--;
    if (prev == q || !strncmp(prev, "../", 3)) break;
    memmove(prev, q + 4, strlen(q + 4) + 1);
  }
  while (!strncmp(p, "./", 2)) memmove(p, p + 2, strlen(p + 2) + 1);
  return p;
}

static int loadedFile(Unit *u, uint32_t file) {
  for (Ast *f = u->files; f; f = f->next)
    if (f->file == file) return 1;
  return 0;
}

static void appendFile(Unit *u, Ast *f) {
  Ast **p = &u->files;
  while (*p) p = &(*p)->next;
  *p = f;
}

static void parseWithUses(Unit *u, uint32_t file, UseStack *up) {
  UseStack me = { file, up };
  Ast *root = campParseFile(u, file);
  if (!root) return;
  for (Ast *d = root->kids; d; d = d->next) {
    if (d->kind != AST_USE) continue;
    const char *path = relativeTo(u, u->diags->src[file].path, d->a->name);
    int idx = campDiagFindSource(u->diags, path);
    int cycle = 0;
    for (UseStack *s = &me; s && idx >= 0; s = s->up)
      if (s->file == (uint32_t)idx) cycle = 1;
    if (cycle) {
      campDiagReport(u->diags, DIAG_E006, file, d->a->off, d->a->len,
                     "'%s' is used in a cycle ('%s' uses it, directly or through other files)",
                     path, u->diags->src[file].path);
      continue;
    }
    /* checked again when already loaded: an earlier root may have allowed it */
    char *why;
    idx = campDiagLoadUsed(u->diags, path, "", &why);
    if (idx < 0) {
      campDiagReport(u->diags, DIAG_E005, file, d->a->off, d->a->len, "%s", why);
      free(why);
      continue;
    }
    if (!loadedFile(u, (uint32_t)idx)) {
      if (++u->depth > 32) {
        campDiagReport(u->diags, DIAG_E008, file, d->a->off, d->a->len, "files used more than 32 deep");
        u->depth--;
        continue;
      }
      parseWithUses(u, (uint32_t)idx, &me);
      u->depth--;
    }
  }
  appendFile(u, root);
}

int campParseUnit(Unit *u, const char *path) {
  uint32_t before = u->diags->nerror;
  if (campDiagRootFor(u->diags, path) < 0) return -1;
  int idx = campDiagFindSource(u->diags, path);
  if (idx < 0) idx = campDiagLoadFile(u->diags, path);
  if (idx < 0) return -1;
  u->root = (uint32_t)idx;
  parseWithUses(u, (uint32_t)idx, NULL);
  return (int)(u->diags->nerror - before);
}

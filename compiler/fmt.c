/*
** compiler/fmt.c -- the canonical layout of a .camp file (`camp fmt`).
**
** Owns: printing a parsed file in one layout: two-space indentation by
** block, one declaration, property, call or activity per line, `{` at the
** end of its header and `}` alone, one blank line between top-level
** declarations and before each activity or branch that follows a sibling,
** single spaces between the tokens of an expression (none inside brackets,
** before commas or before a call's parenthesis), strings as written.
** Comments are kept: a comment on its own line stays on its own line before
** the construct that follows it; a comment after code stays at the end of
** that line.  fmt of fmt output is the same bytes.
** Does not own: parsing (parse.c) or deciding what is valid (resolve.c).
*/
#include <stdlib.h>
#include <string.h>
#include "compiler/fmt.h"
#include "parser.h"

typedef struct Out { char *p; size_t n, cap; } Out;

typedef struct Fmt {
  const Source *src;
  Token *tok; uint32_t ntok;     /* every token of the file, comments included */
  uint32_t next;                 /* first token not yet printed or passed */
  Out out;
  int indent;
  uint32_t lastCodeEnd;          /* source offset just after the last code token printed */
  uint32_t lastEnd;              /* ... or comment */
} Fmt;

static void put(Out *o, const char *s, size_t n) {
  if (o->n + n + 1 > o->cap) {
    o->cap = (o->n + n + 1) * 2;
    o->p = realloc(o->p, o->cap);
    if (!o->p) abort();
  }
  memcpy(o->p + o->n, s, n);
  o->n += n;
  o->p[o->n] = 0;
}
static void puts_(Out *o, const char *s) { put(o, s, strlen(s)); }

static int sameLine(const Fmt *f, uint32_t a, uint32_t b) {
  if (a > b) { uint32_t t = a; a = b; b = t; }
  return memchr(f->src->text + a, '\n', b - a) == NULL;
}

static void newline(Fmt *f) {
  while (f->out.n && f->out.p[f->out.n - 1] == ' ') f->out.n--;
  puts_(&f->out, "\n");
  for (int i = 0; i < f->indent; i++) puts_(&f->out, "  ");
}

static void blankLine(Fmt *f) {
  /* at most one blank line: "…\n\n" then the indent */
  while (f->out.n && (f->out.p[f->out.n - 1] == ' ' || f->out.p[f->out.n - 1] == '\n')) f->out.n--;
  if (f->out.n) puts_(&f->out, "\n\n");
  for (int i = 0; i < f->indent; i++) puts_(&f->out, "  ");
}

static void startLine(Fmt *f) {
  if (f->out.n == 0) return;
  size_t i = f->out.n;
  while (i && f->out.p[i - 1] == ' ') i--;
  if (i && f->out.p[i - 1] == '\n') { f->out.n = i; for (int k = 0; k < f->indent; k++) puts_(&f->out, "  "); return; }
  newline(f);
}

static void comment(Fmt *f, const Token *t) {
  const char *s = f->src->text + t->off;
  uint32_t n = t->len;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
  if (f->lastCodeEnd && sameLine(f, f->lastCodeEnd, t->off) && f->out.n && f->out.p[f->out.n - 1] != '\n' &&
      f->out.p[f->out.n - 1] != ' ') {
    puts_(&f->out, " ");                  /* after code: stays at the end of the line */
  } else {
    /* a blank line the author left above an own-line comment is kept (one at most) */
    const char *p = f->src->text + f->lastEnd, *q = f->src->text + t->off;
    int lines = 0;
    for (; p < q; p++) lines += *p == '\n';
    if (f->lastEnd && lines >= 2 && f->out.n) blankLine(f); else startLine(f);
  }
  put(&f->out, s, n);
  f->lastEnd = t->off + t->len;
  newline(f);
}

/* Print the comments that come before source offset `off`. */
static void commentsBefore(Fmt *f, uint32_t off) {
  while (f->next < f->ntok && f->tok[f->next].off < off) {
    const Token *t = &f->tok[f->next++];
    if (t->type == TK_COMMENT) comment(f, t);
  }
}

/* Can a token end an operand?  After one, '-' is binary. */
static int endsValue(int t) {
  return t == TK_ID || t == TK_STRING || t == TK_INT || t == TK_REAL || t == TK_DATETIME || t == TK_DURATION ||
         t == TK_TRUE || t == TK_FALSE || t == TK_NULL || t == TK_NOW || t == TK_RPAREN || t == TK_RBRACKET || t == TK_SET;
}

static int isOpen(int t) { return t == TK_LPAREN || t == TK_LBRACKET; }
static int isClose(int t) { return t == TK_RPAREN || t == TK_RBRACKET; }

/* Print the code tokens of [off, end) on the current line with canonical
** spacing; comments among them go to the end of the line. */
static void tokens(Fmt *f, uint32_t off, uint32_t end) {
  int prev = 0, prevPrev = 0, prevWord = 0;
  const Token *trailing[16];
  int ntrail = 0;
  commentsBefore(f, off);
  while (f->next < f->ntok && f->tok[f->next].off < end) {
    const Token *t = &f->tok[f->next++];
    if (t->type == TK_COMMENT) { if (ntrail < 16) trailing[ntrail++] = t; continue; }
    int space = prev != 0;
    if (isClose(t->type) || t->type == TK_COMMA || t->type == TK_COLON) space = 0;
    if (isOpen(prev)) space = 0;
    if (t->type == TK_LPAREN && prevWord) space = 0;       /* a call: f(x) */
    if (prev == TK_MINUS && !endsValue(prevPrev)) space = 0;   /* unary minus */
    if (space && f->out.n && f->out.p[f->out.n - 1] != ' ' && f->out.p[f->out.n - 1] != '\n') puts_(&f->out, " ");
    const char *s = f->src->text + t->off;
    if (t->type == TK_DURATION) {                /* "2   hours" -> "2 hours" */
      uint32_t i = 0;
      while (i < t->len && s[i] >= '0' && s[i] <= '9') i++;
      put(&f->out, s, i);
      puts_(&f->out, " ");
      while (i < t->len && (s[i] == ' ' || s[i] == '\t')) i++;
      put(&f->out, s + i, t->len - i);
    } else {
      put(&f->out, s, t->len);
    }
    f->lastCodeEnd = f->lastEnd = t->off + t->len;
    prevPrev = prev;
    prev = t->type;
    prevWord = prev == TK_ID || prev == TK_SET;     /* a name that can be called (set is a keyword and an action) */
  }
  for (int i = 0; i < ntrail; i++) {
    const char *s = f->src->text + trailing[i]->off;
    uint32_t n = trailing[i]->len;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r')) n--;
    puts_(&f->out, " ");
    put(&f->out, s, n);
  }
}

static uint32_t endOf(const Ast *n) { return n->off + n->len; }

static void block(Fmt *f, const Ast *n);

/* A header `kw … {` (tokens from the node start up to its first '{'), the
** body, then `}`.  An empty body stays on one line: `{ }`. */
static void blockNode(Fmt *f, const Ast *n, uint32_t bodyStart) {
  tokens(f, n->off, bodyStart);
  uint32_t close = endOf(n) - 1;                    /* the '}' */
  int empty = n->kids == NULL;
  /* comments inside an empty block still force it open */
  for (uint32_t i = f->next; i < f->ntok && f->tok[i].off < close; i++) if (f->tok[i].type == TK_COMMENT) empty = 0;
  f->next++;                                        /* the '{' */
  if (empty) {
    puts_(&f->out, " { }");
    f->next++;
    f->lastCodeEnd = f->lastEnd = close + 1;
    return;
  }
  puts_(&f->out, " {");
  f->lastCodeEnd = f->lastEnd = bodyStart + 1;
  f->indent++;
  block(f, n);
  commentsBefore(f, close);
  f->indent--;
  startLine(f);
  puts_(&f->out, "}");
  f->next++;                                        /* the '}' */
  f->lastCodeEnd = f->lastEnd = close + 1;
}

/* The offset of the '{' that opens n's body. */
static uint32_t braceOf(Fmt *f, const Ast *n) {
  for (uint32_t i = f->next; i < f->ntok && f->tok[i].off < endOf(n); i++)
    if (f->tok[i].type == TK_LBRACE) return f->tok[i].off;
  return endOf(n);
}

/* Own-line comments right above a spaced item belong to it: emit the blank
** line first, then the comments.  Done by peeking before printing. */
static void commentsThenBlank(Fmt *f, uint32_t off, int blank) {
  int have = f->next < f->ntok && f->tok[f->next].type == TK_COMMENT && f->tok[f->next].off < off &&
             !(f->lastCodeEnd && sameLine(f, f->lastCodeEnd, f->tok[f->next].off));
  if (blank && have) blankLine(f);
  commentsBefore(f, off);
  if (blank && !have) blankLine(f); else startLine(f);
}

static void item(Fmt *f, const Ast *k, const Ast *prev) {
  int spaced = prev && (k->kind == AST_ACTIVITY || k->kind == AST_BRANCH ||
                        prev->kind == AST_ACTIVITY || prev->kind == AST_BRANCH);
  commentsThenBlank(f, k->off, spaced);
  if (k->kind == AST_ACTIVITY || k->kind == AST_BRANCH) {
    blockNode(f, k, braceOf(f, k));
  } else {
    tokens(f, k->off, endOf(k));
  }
}

static void block(Fmt *f, const Ast *n) {
  const Ast *prev = NULL;
  for (const Ast *k = n->kids; k; prev = k, k = k->next) item(f, k, prev);
}

int campFmtSource(Unit *u, uint32_t file, const Ast *root, char **out, size_t *outLen) {
  Fmt f;
  memset(&f, 0, sizeof f);
  f.src = &u->diags->src[file];
  Lexer lx = { .text = f.src->text, .len = f.src->len, .comments = 1 };
  uint32_t cap = 1024;
  f.tok = malloc(cap * sizeof *f.tok);
  for (;;) {
    const char *why;
    Token t = campLexToken(&lx, &why);
    if (t.type == 0) break;
    if (f.ntok == cap) { cap *= 2; f.tok = realloc(f.tok, cap * sizeof *f.tok); }
    f.tok[f.ntok++] = t;
  }
  const Ast *prev = NULL;
  for (const Ast *d = root->kids; d; prev = d, d = d->next) {
    int blank = prev && !(prev->kind == AST_USE && d->kind == AST_USE);
    commentsThenBlank(&f, d->off, blank);
    if (d->kind == AST_USE) tokens(&f, d->off, endOf(d));
    else blockNode(&f, d, braceOf(&f, d));
  }
  commentsBefore(&f, f.src->len + 1);
  while (f.out.n && (f.out.p[f.out.n - 1] == '\n' || f.out.p[f.out.n - 1] == ' ')) f.out.n--;
  if (f.out.n) puts_(&f.out, "\n");
  else puts_(&f.out, "");
  free(f.tok);
  *out = f.out.p;
  *outLen = f.out.n;
  return 0;
}

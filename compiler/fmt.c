/*
** compiler/fmt.c -- the canonical layout of a .camp file (`camp fmt`).
**
** Owns: printing a parsed file in one layout.  The printer walks the
** lexer's token stream (comments included) and takes from the syntax tree
** only what the tokens cannot say: which token starts an item (a
** declaration, field, property, call, activity or branch), which name is
** called (no space before its '('), which '-' is unary, and where an
** expression runs (line breaks the author put inside a `where` or a call's
** arguments are kept, as continuation lines).  Everything else follows:
**
**   - two spaces of indentation per '{', `{` ends its header line, `}` is
**     alone on its line, an empty block is `{ }`;
**   - one item per line; one blank line between top-level declarations
**     (consecutive `use` lines stay together) and around activities and
**     branches that have a sibling; other blank lines the author left
**     between items are kept, at most one, never just after `{` or before
**     `}`;
**   - one space between tokens, none inside ( ) [ ], before , or :, after
**     a unary minus or before a call's '(';
**   - a continuation line is indented one level below the line that opened
**     the innermost bracket still open, or below its item when none is (a
**     closing bracket that starts a line goes back to its opener's line);
**   - a comment on its own line stays on its own line, indented like the
**     code that follows it; a comment after code stays at the end of that
**     line (one space, then the text as written); a comment inside a
**     header or property that fmt joins onto one line moves to the end of
**     that line;
**   - string, number and datetime tokens are copied as written; a duration
**     gets one space between its number and its unit.
**
** The output is a fixed point: fmt of fmt output is the same bytes, because
** every decision depends only on tokens and on line breaks that the output
** keeps.  Does not own: parsing (parse.c) or deciding what is valid
** (resolve.c); the caller refuses files that do not parse.
*/
#include <stdlib.h>
#include <string.h>
#include "compiler/fmt.h"
#include "runtime/program.h"
#include "parser.h"

enum {
  F_ITEM = 1,       /* the token starts an item: it begins a line */
  F_BLANK = 2,      /* ... with a blank line above it (a spaced item) */
  F_CALL = 4,       /* a called name: no space before the '(' that follows */
  F_UNARY = 8,      /* a unary minus, a share's number (`50%`), a day before '-' (`mon-fri`): no space after it */
  F_EXPR = 16       /* inside an expression: the author's line breaks stay */
};

typedef struct Fmt {
  const char *text;         /* token offsets minus base index it */
  uint32_t base;
  Token *tok; uint8_t *flag; uint32_t ntok;
  char *out; size_t n, cap;
  int depth;                /* braces open */
  int parens;               /* ( and [ open in the current item ... */
  int openedAt[64];         /* ... the indentation of the line each opened on */
  int lineIndent;           /* the indentation of the current output line */
  int *pending;             /* comments waiting for the end of the line */
  int npending, cappending;
  int lastCode;             /* index of the last code token printed, -1 */
  int ownSinceCode;         /* own-line comments printed since lastCode */
} Fmt;

/* -- output ----------------------------------------------------------- */

static void put(Fmt *f, const char *s, size_t n) {
  if (f->n + n + 1 > f->cap) {
    f->cap = (f->n + n + 1) * 2;
    f->out = realloc(f->out, f->cap);
    if (!f->out) abort();
  }
  memcpy(f->out + f->n, s, n);
  f->n += n;
  f->out[f->n] = 0;
}

static void putComment(Fmt *f, const Token *t) {
  uint32_t n = t->len;
  const char *s = f->text + t->off;
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\f' || s[n - 1] == '\v')) n--;
  put(f, s, n);
}

/* Nothing but indentation on the current output line so far? */
static int atLineStart(const Fmt *f) {
  size_t i = f->n;
  while (i && f->out[i - 1] == ' ') i--;
  return i == 0 || f->out[i - 1] == '\n';
}

/* End the current line (after the comments waiting for its end), leave a
** blank line when asked, and indent the next one `indent` levels. */
static void newline(Fmt *f, int blank, int indent) {
  for (int i = 0; i < f->npending; i++) {
    put(f, " ", 1);
    putComment(f, &f->tok[f->pending[i]]);
  }
  f->npending = 0;
  while (f->n && f->out[f->n - 1] == ' ') f->n--;
  if (f->n) {
    if (f->out[f->n - 1] != '\n') put(f, "\n", 1);
    if (blank && !(f->n >= 2 && f->out[f->n - 2] == '\n')) put(f, "\n", 1);
  }
  for (int i = 0; i < indent; i++) put(f, "  ", 2);
}

/* -- the tokens ---------------------------------------------------------- */

static int newlines(const Fmt *f, uint32_t from, uint32_t to) {
  int k = 0;
  for (uint32_t i = from; i < to; i++) k += f->text[i] == '\n';
  return k;
}

static uint32_t endOf(const Token *t) { return t->off + t->len; }

/* Line breaks in the source between token i and the token before it. */
static int gapLines(const Fmt *f, uint32_t i) {
  return i == 0 ? 0 : newlines(f, endOf(&f->tok[i - 1]), f->tok[i].off);
}

/* The index of the token that starts at off, or -1. */
static int tokenAt(const Fmt *f, uint32_t off) {
  uint32_t lo = 0, hi = f->ntok;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (f->tok[mid].off < off) lo = mid + 1; else hi = mid;
  }
  return lo < f->ntok && f->tok[lo].off == off ? (int)lo : -1;
}

static void markRange(Fmt *f, uint32_t from, uint32_t to, uint8_t bit) {
  for (int i = tokenAt(f, from); i >= 0 && (uint32_t)i < f->ntok && f->tok[i].off < to; i++) f->flag[i] |= bit;
}

/* Called names and unary minus signs in expression n (not its siblings). */
static void markExpr(Fmt *f, const Ast *n) {
  if (!n) return;
  int i = tokenAt(f, n->off);
  if (i >= 0 && n->kind == AST_CALL) f->flag[i] |= F_CALL;
  if (i >= 0 && n->kind == AST_UNARY && n->op == TK_MINUS) f->flag[i] |= F_UNARY;
  markExpr(f, n->a);
  markExpr(f, n->b);
  for (const Ast *k = n->kids; k; k = k->next) markExpr(f, k);
}

static int spacedKind(const Ast *n) { return n->kind == AST_ACTIVITY || n->kind == AST_BRANCH; }

static void markItems(Fmt *f, const Ast *first, int top);

/* A window's day ranges: `mon-fri` without spaces. */
static void markDays(Fmt *f, const Ast *d) {
  for (; d; d = d->next) {
    if (!d->b) continue;
    int k = tokenAt(f, d->b->off);             /* back from the last day: the '-', then the first (maybe an ONDAY token) */
    for (int marked = 0; k > 0 && marked < 2;)
      if (f->tok[--k].type != TK_COMMENT) { f->flag[k] |= F_UNARY; marked++; }
  }
}

/* `if COND { … } else { … }`: the condition is an expression, the arms'
** activities are items, and the arms' braces and `else` stay on the lines
** of the `if` and of the '}' before them. */
static void markIf(Fmt *f, const Ast *n) {
  for (const Ast *k = n->kids; k; k = k->next) {
    if (k->kind == AST_PROP) {
      markRange(f, k->a->off, k->a->off + k->a->len, F_EXPR);
      markExpr(f, k->a);
    } else markItems(f, k->kids, 0);
  }
}

/* The items of one block (or of the file, top = 1), and what is in them. */
static void markItems(Fmt *f, const Ast *first, int top) {
  const Ast *prev = NULL;
  for (const Ast *k = first; k; prev = k, k = k->next) {
    int i = tokenAt(f, k->off);
    if (i < 0) continue;
    f->flag[i] |= F_ITEM;
    if (prev && (top ? !(prev->kind == AST_USE && k->kind == AST_USE) : spacedKind(k) || spacedKind(prev)))
      f->flag[i] |= F_BLANK;
    switch (k->kind) {
    case AST_ACTIVITY:
      if (k->op == ACT_IF) { markIf(f, k); break; }
      markItems(f, k->kids, 0);
      break;
    case AST_PATH:                            /* a split's `50% {`: no space before the '%' */
      if (k->a) f->flag[i] |= F_UNARY;
      markItems(f, k->kids, 0);
      break;
    case AST_MODEL: case AST_CAMPAIGN: case AST_LIST: case AST_MAILING: case AST_INITIATIVE: case AST_WEBSITE: case AST_SYNC:
    case AST_BRANCH: case AST_VARIANT: case AST_TEST: case AST_RECORDS: case AST_ROW:
      markItems(f, k->kids, 0);
      if (k->kind == AST_MODEL) markItems(f, k->b, 0);      /* its `optout` lines */
      break;
    case AST_PROP:
      if (k->op == PROP_WHERE && k->a) markRange(f, k->a->off, k->a->off + k->a->len, F_EXPR);
      if (k->op == PROP_BUDGET && k->a) {                  /* budget -5 EUR: the '-' is a sign */
        int n = tokenAt(f, k->a->off) - 1;
        while (n > 0 && f->tok[n].type == TK_COMMENT) n--;
        if (n > 0 && f->tok[n].type == TK_MINUS) f->flag[n] |= F_UNARY;
      }
      if (k->op == PROP_WINDOW) markDays(f, k->kids);
      if (k->op == PROP_TEST) {               /* test 20% { variant … winner … } */
        int n = tokenAt(f, k->a->off);
        if (n >= 0) f->flag[n] |= F_UNARY;
        markItems(f, k->kids, 0);
        break;
      }
      markExpr(f, k->a);
      break;
    case AST_NAMEDARG:                        /* a test record's field: `score -5` */
      markExpr(f, k->a);
      break;
    case AST_STEP:
      markExpr(f, k->b);
      break;
    case AST_CALL:
      /* a statement call: its arguments, from '(' on, are an expression */
      if ((uint32_t)i + 1 < f->ntok) markRange(f, f->tok[i + 1].off, k->off + k->len, F_EXPR);
      markExpr(f, k);
      break;
    default:
      break;
    }
  }
}

static int isOpen(int t) { return t == TK_LPAREN || t == TK_LBRACKET; }
static int isClose(int t) { return t == TK_RPAREN || t == TK_RBRACKET; }

typedef enum { BRK_NONE, BRK_ITEM, BRK_CLOSE, BRK_CONT } Break;

/* How code token i starts: a new item, a closing '}' on its own line, a
** continuation line the author wrote inside an expression, or on the line
** being built. */
static Break breakOf(const Fmt *f, uint32_t i, int lastCode) {
  const Token *t = &f->tok[i];
  int prev = lastCode >= 0 ? f->tok[lastCode].type : 0;
  if (f->flag[i] & F_ITEM) return BRK_ITEM;
  if (t->type == TK_RBRACE) return prev == TK_LBRACE && lastCode == (int)i - 1 ? BRK_NONE : BRK_CLOSE;
  if (t->type == TK_ELSE && prev == TK_RBRACE) return BRK_NONE;      /* `} else {` */
  if (prev == TK_LBRACE || prev == TK_RBRACE) return BRK_ITEM;        /* defensive: always true above */
  if (lastCode >= 0 && (f->flag[i] & F_EXPR) && (f->flag[lastCode] & F_EXPR) &&
      newlines(f, endOf(&f->tok[lastCode]), t->off))
    return BRK_CONT;
  return BRK_NONE;
}

/* The indentation of a continuation line that starts with token type t:
** one level below the line that opened the innermost bracket still open
** (a closing bracket goes back to that line's level), or one level below
** the item when no bracket is open. */
static int contIndent(const Fmt *f, int t) {
  int k = f->parens < 64 ? f->parens : 64;
  if (k == 0) return f->depth + 1;
  return f->openedAt[k - 1] + (isClose(t) ? 0 : 1);
}

/* The indentation at which code token i (starting with break b) goes. */
static int indentOf(const Fmt *f, uint32_t i, Break b) {
  if (b == BRK_CLOSE) return f->depth > 0 ? f->depth - 1 : 0;
  if (b == BRK_CONT) return contIndent(f, f->tok[i].type);
  return f->depth;
}

/* Does a space go between code tokens a and b on one line? */
static int spaceBetween(const Fmt *f, uint32_t a, uint32_t b) {
  int ta = f->tok[a].type, tb = f->tok[b].type;
  if (isClose(tb) || tb == TK_COMMA || tb == TK_COLON || isOpen(ta)) return 0;
  if (ta == TK_DOT || tb == TK_DOT) return 0;           /* campaign.activity, record.field */
  if (tb == TK_LPAREN && (f->flag[a] & F_CALL)) return 0;
  return !(f->flag[a] & F_UNARY);
}

/* Print a duration as "N unit" whatever the spacing was. */
static void putDuration(Fmt *f, const Token *t) {
  const char *s = f->text + (t->off - f->base);
  uint32_t i = 0;
  while (i < t->len && s[i] >= '0' && s[i] <= '9') i++;
  put(f, s, i);
  put(f, " ", 1);
  while (i < t->len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\f' || s[i] == '\v')) i++;
  put(f, s + i, t->len - i);
}

/* Are we where a blank line the author left may stay?  Not at the top of
** the file nor just inside a '{'. */
static int blankAllowed(const Fmt *f) {
  if (f->n == 0) return 0;
  return !(f->lastCode >= 0 && f->tok[f->lastCode].type == TK_LBRACE && f->ownSinceCode == 0);
}

static void code(Fmt *f, uint32_t i) {
  const Token *t = &f->tok[i];
  Break b = breakOf(f, i, f->lastCode);
  if (b == BRK_ITEM) {
    int blank = ((f->flag[i] & F_BLANK) && f->ownSinceCode == 0) || (gapLines(f, i) >= 2 && blankAllowed(f));
    newline(f, blank && f->n, f->depth);
    f->parens = 0;
    f->lineIndent = f->depth;
  } else if (b == BRK_CLOSE || b == BRK_CONT) {
    f->lineIndent = indentOf(f, i, b);
    newline(f, 0, f->lineIndent);
  } else if (!atLineStart(f) && spaceBetween(f, (uint32_t)f->lastCode, i)) {
    put(f, " ", 1);
  }
  if (t->type == TK_DURATION) putDuration(f, t);
  else if (t->type == TK_ONDAY) { put(f, "on ", 3); put(f, f->text + t->off + t->len - 3, 3); }   /* `on  mon` */
  else put(f, f->text + t->off, t->len);
  if (t->type == TK_LBRACE) { f->depth++; f->parens = 0; }
  else if (t->type == TK_RBRACE) { if (f->depth > 0) f->depth--; f->parens = 0; }
  else if (isOpen(t->type)) { if (f->parens < 64) f->openedAt[f->parens] = f->lineIndent; f->parens++; }
  else if (isClose(t->type) && f->parens > 0) f->parens--;
  f->lastCode = (int)i;
  f->ownSinceCode = 0;
}

static void comment(Fmt *f, uint32_t i) {
  int own = i == 0 || gapLines(f, i) > 0;
  uint32_t j = i + 1;
  while (j < f->ntok && f->tok[j].type == TK_COMMENT) j++;
  Break b = j < f->ntok ? breakOf(f, j, f->lastCode) : BRK_ITEM;
  if (own && b != BRK_NONE) {
    int required = j < f->ntok && (f->flag[j] & F_BLANK) && f->ownSinceCode == 0;
    int blank = required || (gapLines(f, i) >= 2 && blankAllowed(f));
    /* above a closing '}', ')' or ']' a comment stays inside */
    int indent = j >= f->ntok ? 0 : b == BRK_CLOSE ? f->depth : b == BRK_CONT ? contIndent(f, 0) : indentOf(f, j, b);
    newline(f, blank && f->n, indent);
    putComment(f, &f->tok[i]);
    f->ownSinceCode++;
    return;
  }
  /* after code, or inside a line that fmt joins: at the end of the line */
  if (f->npending == f->cappending) {
    f->cappending = f->cappending ? f->cappending * 2 : 8;
    f->pending = realloc(f->pending, (size_t)f->cappending * sizeof *f->pending);
    if (!f->pending) abort();
  }
  f->pending[f->npending++] = (int)i;
}

/* Lex the tokens of src that start in [from, to) (comments included) into
** f; 0, or -1 on a token the lexer rejects (the caller has parsed the file,
** so never). */
static int lexAll(Fmt *f, const char *text, uint32_t len, uint32_t from, uint32_t to, int inTemplate) {
  Lexer lx = { .text = text, .len = len, .pos = from - f->base, .base = f->base, .comments = 1, .inTemplate = inTemplate };
  uint32_t cap = 256;
  f->tok = malloc(cap * sizeof *f->tok);
  if (!f->tok) abort();
  for (;;) {
    const char *why;
    Token t = campLexToken(&lx, &why);
    if (t.type == 0 || t.off >= to) break;
    if (t.type == TK_ILLEGAL) return -1;
    if (f->ntok == cap) {
      cap *= 2;
      f->tok = realloc(f->tok, cap * sizeof *f->tok);
      if (!f->tok) abort();
    }
    f->tok[f->ntok++] = t;
  }
  f->flag = calloc(f->ntok + 1, 1);
  if (!f->flag) abort();
  return 0;
}

int campFmtSource(Unit *u, uint32_t file, const Ast *root, char **out, size_t *outLen) {
  const Source *src = &u->diags->src[file];
  Fmt f;
  memset(&f, 0, sizeof f);
  f.text = src->text;
  f.lastCode = -1;
  *out = NULL;
  *outLen = 0;
  if (lexAll(&f, src->text, src->len, 0, src->len, 0) < 0 || !root) {
    free(f.tok);
    free(f.flag);
    return -1;
  }
  markItems(&f, root->kids, 1);
  for (uint32_t i = 0; i < f.ntok; i++) {
    if (f.tok[i].type == TK_COMMENT) comment(&f, i);
    else code(&f, i);
  }
  newline(&f, 0, 0);
  while (f.n && f.out[f.n - 1] == '\n') f.n--;
  if (f.n) put(&f, "\n", 1);
  else put(&f, "", 0);
  free(f.tok);
  free(f.flag);
  free(f.pending);
  *out = f.out;
  *outLen = f.n;
  return 0;
}

/* Expression n, lexed from text (whose first byte is at offset base) as
** campFmtExpr prints it. */
static char *exprFrom(const char *text, uint32_t len, uint32_t base, const Ast *n, int inTemplate) {
  Fmt f;
  memset(&f, 0, sizeof f);
  f.text = text;
  f.base = base;
  int prev = -1;
  if (lexAll(&f, text, len, n->off, n->off + n->len, inTemplate) == 0) {
    markExpr(&f, n);
    for (uint32_t i = 0; i < f.ntok; i++) {
      if (f.tok[i].type == TK_COMMENT) continue;
      if (prev >= 0 && spaceBetween(&f, (uint32_t)prev, i)) put(&f, " ", 1);
      if (f.tok[i].type == TK_DURATION) putDuration(&f, &f.tok[i]);
      else put(&f, f.text + (f.tok[i].off - base), f.tok[i].len);
      prev = (int)i;
    }
  }
  if (!f.out) put(&f, "", 0);
  free(f.tok);
  free(f.flag);
  return f.out;
}

char *campFmtExpr(const Unit *u, const Ast *n) {
  const Source *src = &u->diags->src[n->file];
  return exprFrom(src->text, src->len, 0, n, 0);
}

char *campFmtTemplateExpr(const Ast *tpl, const char *text, uint32_t len, const Ast *n) {
  return exprFrom(text, len, tpl->off, n, 1);
}

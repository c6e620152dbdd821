/*
** compiler/codegen.c -- from a resolved tree to a bytecode image.
**
** Owns: the Program builder (string and constant pools with dedupe, the
** activity table in depth-first order so a parent always precedes its
** children, one code block per filter, template and action body, the
** pc -> line table), the expression code generator, and the escaping of
** template values (an OP_ESCAPE after each value of an HTML body, text or
** SMS part, its mode from compiler/html.c), timing (zones, windows, caps,
** priority; an `after`'s calendar days and months apart from its seconds),
** branch nodes (a split's shares appended to p.shares, an if's condition
** as its filter, their children's paths), and each mailing lowered to the
** campaign the runtime runs (the lowering itself is
** campProgramLowerMailing, which old images share; an A/B test then
** becomes a split, an email per variant and the winner: lowerTest).  Does not own:
** checking (resolve.c), serialising (runtime/program.c) or running (vm.c).
**
** Everything is emitted in source order (but each mailing's campaign and
** email come after every campaign's), so the same source gives the same
** bytes.  The builder's arrays are malloc'd here and freed here once
** campProgramSave has written them.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "compiler/fmt.h"
#include "compiler/html.h"
#include "compiler/resolve.h"
#include "runtime/hash.h"
#include "runtime/opcodes.h"
#include "runtime/program.h"
#include "parser.h"

#define GROW(v, n, cap) do { if ((n) == (cap)) { (cap) = (cap) ? (cap) * 2 : 16; \
  (v) = realloc((v), (cap) * sizeof *(v)); if (!(v)) { fputs("camp: out of memory\n", stderr); abort(); } } } while (0)

/* What a mailing has beyond ProgMailing: its timing, and its A/B test's
** variants (templates over the mailing's) and winner. */
typedef struct MailVariant { uint32_t name, subject, body, text, from, line; } MailVariant;
typedef struct MailExtra {
  const Ast *decl;
  MailVariant *variants; uint32_t nvariant;
  uint32_t testBp;            /* the test's share in basis points, 0: no test */
  const Ast *winner;          /* PROP_WINNER */
} MailExtra;

typedef struct Gen {
  Unit *u;
  const Resolved *t;
  Program p;
  uint32_t capStr, capConst, capModel, capCamp, capAct, capList, capMail, capInit, capSite, capGoal, capSync, capSField, capCode, capBc, capLine, capShare;
  uint32_t *strHash; uint32_t strHashCap;     /* open addressing: index + 1 */
  Value **listItems; uint32_t nListItems, capListItems;
  ProgMailing *mails; uint32_t nmail;         /* the mailings, lowered after the campaigns */
  MailExtra *extra;                           /* each mailing's timing and A/B test, beside mails */
  uint32_t lastLine;
} Gen;

/* Intern s[0..n) in the string pool; returns its index. */
static uint32_t str(Gen *g, const char *s, uint32_t n) {
  if (g->p.nstr * 2 >= g->strHashCap) {
    uint32_t cap = g->strHashCap ? g->strHashCap * 2 : 256;
    uint32_t *h = calloc(cap, sizeof *h);
    if (!h) abort();
    for (uint32_t i = 0; i < g->p.nstr; i++) {
      uint32_t k = campHashFnv1a(g->p.str[i], g->p.strLen[i]) & (cap - 1);
      while (h[k]) k = (k + 1) & (cap - 1);
      h[k] = i + 1;
    }
    free(g->strHash);
    g->strHash = h;
    g->strHashCap = cap;
  }
  uint32_t k = campHashFnv1a(s, n) & (g->strHashCap - 1);
  for (; g->strHash[k]; k = (k + 1) & (g->strHashCap - 1)) {
    uint32_t i = g->strHash[k] - 1;
    if (g->p.strLen[i] == n && !memcmp(g->p.str[i], s, n)) return i;
  }
  uint32_t cap = g->capStr;
  GROW(g->p.str, g->p.nstr, g->capStr);
  if (cap != g->capStr) { g->p.strLen = realloc(g->p.strLen, g->capStr * sizeof *g->p.strLen); if (!g->p.strLen) abort(); }
  char *copy = malloc(n + 1);
  if (!copy) abort();
  memcpy(copy, s, n);
  copy[n] = 0;
  g->p.str[g->p.nstr] = copy;
  g->p.strLen[g->p.nstr] = n;
  g->strHash[k] = g->p.nstr + 1;
  return g->p.nstr++;
}

static uint32_t cstr(Gen *g, const char *s) { return str(g, s, (uint32_t)strlen(s)); }

static int sameValue(const Value *a, const Value *b) {
  if (a->tag != b->tag || a->len != b->len) return 0;
  switch (a->tag) {
  case VAL_NULL: return 1;
  case VAL_REAL: return memcmp(&a->u.r, &b->u.r, sizeof a->u.r) == 0;
  case VAL_TEXT: return a->u.s == b->u.s;        /* both point into the interned pool */
  case VAL_LIST:
    for (uint32_t i = 0; i < a->len; i++) if (!sameValue(&a->u.items[i], &b->u.items[i])) return 0;
    return 1;
  default: return a->u.i == b->u.i;
  }
}

/* Add a constant (deduplicated); returns its index. */
static uint32_t konst(Gen *g, Value v) {
  for (uint32_t i = 0; i < g->p.nconst; i++)
    if (sameValue(&g->p.consts[i], &v)) {
      if (v.tag == VAL_LIST) free((void *)v.u.items);
      return i;
    }
  GROW(g->p.consts, g->p.nconst, g->capConst);
  g->p.consts[g->p.nconst] = v;
  return g->p.nconst++;
}

static Value textValue(Gen *g, const char *s, uint32_t n) {
  Value v = { .tag = VAL_TEXT, .len = n };
  uint32_t i = str(g, s, n);          /* before reading p.str: str() may move it */
  v.u.s = g->p.str[i];
  return v;
}

/* -- emitting ------------------------------------------------------------- */

static void byte(Gen *g, uint8_t b) {
  GROW(g->p.bc, g->p.nbc, g->capBc);
  g->p.bc[g->p.nbc++] = b;
}

static void u32(Gen *g, uint32_t v) { for (int i = 0; i < 4; i++) byte(g, (uint8_t)(v >> (8 * i))); }

/* Note that code from pc onward comes from n's line. */
static void lineOf(Gen *g, const Ast *n) {
  uint32_t line, col;
  campDiagLineCol(g->u->diags, n->file, n->off, &line, &col);
  if (line == g->lastLine) return;
  g->lastLine = line;
  if (g->p.nline && g->p.lines[g->p.nline - 1].pc == g->p.nbc) {
    g->p.lines[g->p.nline - 1].line = line;
    return;
  }
  GROW(g->p.lines, g->p.nline, g->capLine);
  g->p.lines[g->p.nline].pc = g->p.nbc;
  g->p.lines[g->p.nline++].line = line;
}

static void op(Gen *g, Opcode o) { byte(g, (uint8_t)o); }
static void opU32(Gen *g, Opcode o, uint32_t v) { op(g, o); u32(g, v); }

/* Jumps are absolute within the block: code starts at block start. */
static uint32_t jumpFrom(Gen *g, Opcode o, uint32_t blockStart) {
  (void)blockStart;
  op(g, o);
  uint32_t at = g->p.nbc;
  u32(g, 0);
  return at;
}

static void patch(Gen *g, uint32_t at, uint32_t blockStart) {
  uint32_t target = g->p.nbc - blockStart;
  for (int i = 0; i < 4; i++) g->p.bc[at + i] = (uint8_t)(target >> (8 * i));
}

static void native(Gen *g, Opcode o, int nat, int argc) {
  op(g, o);
  byte(g, (uint8_t)(nat & 0xff));
  byte(g, (uint8_t)(nat >> 8));
  byte(g, (uint8_t)argc);
}

static Value constOf(Gen *g, const Ast *n);

static Value constOf(Gen *g, const Ast *n) {
  Value v = { 0 };
  switch (n->kind) {
  case AST_STR: return textValue(g, n->name, n->nameLen);
  case AST_INT: v.tag = VAL_INT; v.u.i = n->v.i; return v;
  case AST_REAL: v.tag = VAL_REAL; v.u.r = n->v.r; return v;
  case AST_BOOL: v.tag = VAL_BOOL; v.u.i = n->v.i; return v;
  case AST_TIME: v.tag = VAL_TIME; v.u.i = n->v.i; return v;
  case AST_DUR: v.tag = VAL_DURATION; v.u.i = n->v.i; return v;
  case AST_UNARY:   /* a negative number in a list */
    v = constOf(g, n->a);
    if (v.tag == VAL_INT) v.u.i = -v.u.i; else v.u.r = -v.u.r;
    return v;
  case AST_ARRAY: {
    uint32_t k = 0;
    for (Ast *e = n->kids; e; e = e->next) k++;
    Value *items = calloc(k ? k : 1, sizeof *items);
    if (!items) abort();
    k = 0;
    for (Ast *e = n->kids; e; e = e->next) {
      items[k] = constOf(g, e);
      if (n->op == TYPE_REAL && items[k].tag == VAL_INT) { items[k].tag = VAL_REAL; items[k].u.r = (double)items[k].u.i; }
      k++;
    }
    v.tag = VAL_LIST; v.len = k; v.u.items = items;
    return v;
  }
  default: return v;
  }
}

static void expr(Gen *g, const Ast *n, uint32_t blockStart);

/* What a template renders: a header or an expression's text (values as
** they are), a text or SMS part (values marked, so links in them are not
** tracked) or an HTML body (values escaped for where they land, and
** marked).  runtime/opcodes.h ESC_* says what each mode does. */
typedef enum { TPL_PLAIN, TPL_TEXT, TPL_HTML } TplKind;

/* `{{ x | raw }}`: raw is the last filter. */
static int isRaw(const Ast *k) {
  return k->kind == AST_PIPE && k->index >= 0 && !strcmp(campNatives[k->index].name, "raw");
}

/* The constant for the author's text s[0..n).  In a marked template the
** two bytes that mark values (invalid in UTF-8) become U+FFFD: only
** values are ever between marks. */
static uint32_t literal(Gen *g, const char *s, uint32_t n, TplKind kind) {
  uint32_t marks = 0;
  if (kind != TPL_PLAIN)
    for (uint32_t i = 0; i < n; i++) marks += s[i] == CAMP_VALUE_OPEN || s[i] == CAMP_VALUE_CLOSE;
  if (!marks) return konst(g, textValue(g, s, n));
  char *t = malloc(n + 2 * marks), *o = t;
  if (!t) { fputs("camp: out of memory\n", stderr); abort(); }
  for (uint32_t i = 0; i < n; i++) {
    if (s[i] == CAMP_VALUE_OPEN || s[i] == CAMP_VALUE_CLOSE) { memcpy(o, "\xef\xbf\xbd", 3); o += 3; }
    else *o++ = s[i];
  }
  uint32_t k = konst(g, textValue(g, t, (uint32_t)(o - t)));
  free(t);
  return k;
}

static void templ(Gen *g, const Ast *tpl, uint32_t blockStart, TplKind kind) {
  int n = 0;
  HtmlScan html;
  campHtmlInit(&html);
  for (const Ast *k = tpl->kids; k; k = k->next, n++) {
    if (k->kind == AST_STR) {
      if (kind == TPL_HTML) campHtmlText(&html, k->name, k->nameLen);
      opU32(g, OP_CONST, literal(g, k->name, k->nameLen, kind));
      continue;
    }
    int mode = kind == TPL_HTML ? campHtmlValue(&html) : ESC_MARK;
    expr(g, k, blockStart);
    if (kind == TPL_PLAIN) continue;
    op(g, OP_ESCAPE);
    mode = isRaw(k) ? ESC_MARK : mode;
    byte(g, (uint8_t)mode);
    byte(g, 0);
  }
  if (n != 1 || tpl->kids->kind != AST_STR) { op(g, OP_CONCAT); byte(g, (uint8_t)(n & 0xff)); byte(g, (uint8_t)(n >> 8)); }
}

/* A string: its template's code, or the constant. */
static void text(Gen *g, const Ast *s, uint32_t blockStart) {
  if (s->tpl) templ(g, s->tpl, blockStart, TPL_PLAIN);
  else opU32(g, OP_CONST, konst(g, textValue(g, s->name, s->nameLen)));
}

/* Arguments as the host reads them: F, M and L parameters as the int index
** of the field, model or list; a named argument as its key (the field
** index for create, the name for webhook) then its value. */
static int args(Gen *g, const Ast *a, int nat, uint32_t blockStart) {
  int argc = 0;
  const char *p = campNatives[nat].params;
  for (; a; a = a->next) {
    if (a->kind == AST_NAMEDARG) {
      Value key = { .tag = VAL_INT };
      if (a->index >= 0) key.u.i = a->index;
      else key = textValue(g, a->name, a->nameLen);
      opU32(g, OP_CONST, konst(g, key));
      if (a->a->kind == AST_STR) text(g, a->a, blockStart); else expr(g, a->a, blockStart);
      argc += 2;
      continue;
    }
    char want = 0;
    int k = 0;
    for (const char *q = p; *q; q++) {
      if (*q == '?' || *q == '*') continue;
      if (k++ == argc) { want = *q; break; }
    }
    if (want == 'F' || want == 'M' || want == 'L') {
      Value v = { .tag = VAL_INT };
      v.u.i = a->index;
      opU32(g, OP_CONST, konst(g, v));
    } else if (a->kind == AST_STR) {
      text(g, a, blockStart);
    } else {
      expr(g, a, blockStart);
    }
    argc++;
  }
  return argc;
}

static Opcode binaryOp(int tk) {
  switch (tk) {
  case TK_EQ: return OP_EQ;
  case TK_NE: return OP_NE;
  case TK_LT: return OP_LT;
  case TK_LE: return OP_LE;
  case TK_GT: return OP_GT;
  case TK_GE: return OP_GE;
  case TK_IN: return OP_IN;
  case TK_LIKE: return OP_LIKE;
  case TK_PLUS: return OP_ADD;
  case TK_MINUS: return OP_SUB;
  case TK_STAR: return OP_MUL;
  case TK_PERCENT: return OP_MOD;
  case TK_DIV: return OP_IDIV;
  default: return OP_DIV;
  }
}

static void expr(Gen *g, const Ast *n, uint32_t blockStart) {
  lineOf(g, n);
  switch (n->kind) {
  case AST_NULL: op(g, OP_NULL); return;
  case AST_NOW: op(g, OP_NOW); return;
  case AST_NAME: opU32(g, OP_FIELD, (uint32_t)n->index); return;
  case AST_STR: text(g, n, blockStart); return;
  case AST_TEMPLATE: templ(g, n, blockStart, TPL_PLAIN); return;
  case AST_BINARY:
    if (n->op == TK_AND || n->op == TK_OR) {
      expr(g, n->a, blockStart);
      uint32_t j = jumpFrom(g, n->op == TK_AND ? OP_ANDJ : OP_ORJ, blockStart);
      expr(g, n->b, blockStart);
      patch(g, j, blockStart);
      return;
    }
    expr(g, n->a, blockStart);
    expr(g, n->b, blockStart);
    op(g, binaryOp(n->op));
    return;
  case AST_UNARY:
    if (n->op == TK_MINUS && (n->a->kind == AST_INT || n->a->kind == AST_REAL)) {
      opU32(g, OP_CONST, konst(g, constOf(g, n)));
      return;
    }
    expr(g, n->a, blockStart);
    op(g, n->op == TK_NOT ? OP_NOT : OP_NEG);
    return;
  case AST_ISSET:
    expr(g, n->a, blockStart);
    op(g, OP_ISSET);
    if (!n->op) op(g, OP_NOT);
    return;
  case AST_CALL: {
    int argc = args(g, n->kids, n->index, blockStart);
    native(g, OP_CALL, n->index, argc);
    return;
  }
  case AST_PIPE: {
    expr(g, n->a, blockStart);
    int argc = 1;
    for (const Ast *a = n->kids; a; a = a->next, argc++) expr(g, a, blockStart);
    native(g, OP_CALL, n->index, argc);
    return;
  }
  default:
    opU32(g, OP_CONST, konst(g, constOf(g, n)));
  }
}

/* -- blocks ---------------------------------------------------------------- */

static uint32_t beginBlock(Gen *g, CodeKind kind, int model, const Ast *at) {
  uint32_t line, col;
  GROW(g->p.code, g->p.ncode, g->capCode);
  ProgCode *c = &g->p.code[g->p.ncode];
  memset(c, 0, sizeof *c);
  campDiagLineCol(g->u->diags, at->file, at->off, &line, &col);
  const char *path = g->u->diags->src[at->file].path, *base = strrchr(path, '/');
  c->kind = (uint8_t)kind;
  c->model = (uint32_t)model;
  c->start = g->p.nbc;
  c->line = line;
  c->file = cstr(g, base ? base + 1 : path);
  g->lastLine = 0;
  return g->p.ncode++;
}

static void endBlock(Gen *g, uint32_t idx) {
  op(g, OP_RET);
  g->p.code[idx].len = g->p.nbc - g->p.code[idx].start;
}

static uint32_t filterBlock(Gen *g, const Ast *e, int model) {
  if (!e) return CAMP_NONE;
  uint32_t b = beginBlock(g, CODE_FILTER, model, e);
  expr(g, e, g->p.code[b].start);
  endBlock(g, b);
  return b;
}

static uint32_t textBlock(Gen *g, const Ast *prop, int model, TplKind kind) {
  if (!prop) return CAMP_NONE;
  const Ast *s = prop->a;
  uint32_t b = beginBlock(g, CODE_TEMPLATE, model, s->tpl ? s->tpl : s);
  if (s->tpl) {
    lineOf(g, s->tpl);
    templ(g, s->tpl, g->p.code[b].start, kind);
  } else {
    lineOf(g, s);
    opU32(g, OP_CONST, literal(g, s->name, s->nameLen, kind));
  }
  endBlock(g, b);
  return b;
}

static uint32_t actionBlock(Gen *g, const Ast *act, int model) {
  uint32_t b = CAMP_NONE;
  for (const Ast *k = act->kids; k; k = k->next) {
    if (k->kind != AST_CALL) continue;
    if (b == CAMP_NONE) b = beginBlock(g, CODE_ACTIONS, model, k);
    lineOf(g, k);
    int argc = args(g, k->kids, k->index, g->p.code[b].start);
    native(g, OP_ACTION, k->index, argc);
  }
  if (b != CAMP_NONE) { op(g, OP_NULL); endBlock(g, b); }
  return b;
}

static uint32_t lineNo(Gen *g, const Ast *n) {
  uint32_t line, col;
  campDiagLineCol(g->u->diags, n->file, n->noff, &line, &col);
  return line;
}

static const Ast *propValue(const Ast *decl, PropKind k) {
  const Ast *p = campResolveProp(decl, k);
  return p ? p->a : NULL;
}

static ProgWindow windowOf(const Ast *w) {
  ProgWindow x = { 0, 0, 0 };
  if (w) { x.from = (uint16_t)w->a->v.i; x.to = (uint16_t)w->b->v.i; x.days = (uint8_t)w->v.i; }
  return x;
}

static uint8_t capModeOf(const Ast *decl) {
  const Ast *m = propValue(decl, PROP_CAPMODE);
  return !m ? CAP_WAIT : !strcmp(m->name, "skip") ? CAP_SKIP : CAP_EXEMPT;
}

static void addShare(Gen *g, uint32_t bp) {
  GROW(g->p.shares, g->p.nshare, g->capShare);
  g->p.shares[g->p.nshare++] = (uint16_t)bp;
}

/* An activity's window and cap mode; a split's shares (appended to p.shares). */
static void activityTiming(Gen *g, const Ast *a, ProgActivity *x) {
  x->win = windowOf(campResolveProp(a, PROP_WINDOW));
  x->capMode = capModeOf(a);
  if (a->op != ACT_SPLIT) return;
  x->share0 = g->p.nshare;
  for (const Ast *p = a->kids; p; p = p->next) addShare(g, (uint32_t)p->v.i);
  x->nshare = g->p.nshare - x->share0;
}

/* A campaign's or mailing's zone, zone field, window, caps and priority. */
static void campaignTiming(Gen *g, const Ast *d, ProgCampaign *x) {
  const Ast *tz = propValue(d, PROP_TIMEZONE), *field = propValue(d, PROP_TZFIELD), *prio = propValue(d, PROP_PRIORITY);
  x->tz = tz ? str(g, tz->name, tz->nameLen) : CAMP_NONE;
  x->tzField = field ? (uint32_t)field->index : CAMP_NONE;
  x->win = windowOf(campResolveProp(d, PROP_WINDOW));
  x->priority = prio ? (uint8_t)prio->v.i : CAMP_PRIORITY_DEFAULT;
  for (const Ast *k = d->kids; k; k = k->next) {
    if (k->kind != AST_PROP || k->op != PROP_CAP) continue;
    ProgCap *c = &x->cap[!strcmp(k->a->name, "sms")];
    c->n = (uint32_t)k->b->v.i;
    c->period = k->kids->v.i;
  }
}

/* br: the branch or path a hangs under, NULL at the top level. */
static void activity(Gen *g, const Ast *a, uint32_t camp, uint32_t parent, const Ast *br, int model) {
  GROW(g->p.acts, g->p.nact, g->capAct);
  uint32_t me = g->p.nact++;
  ProgActivity x;
  memset(&x, 0, sizeof x);
  x.name = str(g, a->name, a->nameLen);
  x.campaign = camp;
  x.kind = (uint8_t)a->op;
  x.trigger = (uint8_t)(br ? br->op : TRIG_BEGIN);
  x.parent = parent;
  campAstDelayParts(a->a, &x.delay, &x.delayDays, &x.delayMonths);
  x.window = br && br->kind == AST_BRANCH && br->a ? br->a->v.i : 0;
  x.match = MATCH_ANY;
  x.pattern = CAMP_NONE;
  x.atMinute = a->b ? (uint16_t)a->b->v.i : CAMP_NO_TIME;
  x.path = CAMP_NONE;
  if (br && br->kind == AST_PATH) { x.trigger = TRIG_DONE; x.path = (uint32_t)br->index; }
  if (br && br->kind == AST_BRANCH && br->b) {                          /* on visit where url like "…" | event "…" */
    x.match = br->b->op == PROP_URL ? MATCH_URL : MATCH_EVENT;
    x.pattern = str(g, br->b->a->name, br->b->a->nameLen);
  }
  const Ast *exp = propValue(a, PROP_EXPIRE);
  x.expire = exp ? exp->v.i : 0;
  x.filter = filterBlock(g, propValue(a, PROP_WHERE), model);
  x.subject = textBlock(g, campResolveProp(a, PROP_SUBJECT), model, TPL_PLAIN);
  x.body = textBlock(g, campResolveProp(a, PROP_BODY), model, TPL_HTML);
  x.text = textBlock(g, campResolveProp(a, PROP_TEXT), model, TPL_TEXT);
  x.from = textBlock(g, campResolveProp(a, PROP_FROM), model, TPL_PLAIN);
  x.actions = actionBlock(g, a, model);
  x.line = lineNo(g, a);
  activityTiming(g, a, &x);
  g->p.acts[me] = x;
  for (const Ast *k = a->kids; k; k = k->next)
    if (k->kind == AST_BRANCH || k->kind == AST_PATH)
      for (const Ast *c = k->kids; c; c = c->next) activity(g, c, camp, me, k, model);
}

/* The initiative a campaign or mailing names, or CAMP_NONE. */
static uint32_t initiativeOf(const Ast *d) {
  const Ast *n = propValue(d, PROP_INITIATIVE);
  return n ? (uint32_t)n->index : CAMP_NONE;
}

static void initiative(Gen *g, const Ast *n) {
  GROW(g->p.inits, g->p.ninit, g->capInit);
  ProgInitiative *x = &g->p.inits[g->p.ninit++];
  memset(x, 0, sizeof *x);
  const Ast *code = propValue(n, PROP_CODE), *desc = propValue(n, PROP_DESCRIPTION);
  const Ast *start = propValue(n, PROP_START), *end = propValue(n, PROP_END), *scale = propValue(n, PROP_SCALE);
  const Ast *budget = campResolveProp(n, PROP_BUDGET);
  x->name = str(g, n->name, n->nameLen);
  x->title = str(g, n->a->name, n->a->nameLen);
  x->code = str(g, code->name, code->nameLen);
  x->currency = budget ? str(g, budget->b->name, budget->b->nameLen) : CAMP_NONE;
  x->description = desc ? str(g, desc->name, desc->nameLen) : CAMP_NONE;
  x->start = start ? start->v.i : 0;
  x->end = end ? end->v.i : 0;
  x->budget = !budget ? -1 : budget->a->kind == AST_INT ? budget->a->v.i * 100 : (int64_t)llround(budget->a->v.r * 100);
  x->scale = !scale || !strcmp(scale->name, "day") ? SCALE_DAY : !strcmp(scale->name, "hour") ? SCALE_HOUR : SCALE_MONTH;
  x->line = lineNo(g, n);
}

/* A website and its goals (appended to p.goals). */
static void website(Gen *g, const Ast *w) {
  GROW(g->p.sites, g->p.nsite, g->capSite);
  ProgWebsite *x = &g->p.sites[g->p.nsite++];
  memset(x, 0, sizeof *x);
  const Ast *id = propValue(w, PROP_SITE_ID), *url = propValue(w, PROP_URL), *code = propValue(w, PROP_CODE);
  const Ast *ident = propValue(w, PROP_IDENTIFY), *link = propValue(w, PROP_LINK_TOKEN);
  x->name = str(g, w->name, w->nameLen);
  x->title = str(g, w->a->name, w->a->nameLen);
  x->siteId = str(g, id->name, id->nameLen);
  x->url = str(g, url->name, url->nameLen);
  x->model = w->index >= 0 ? (uint32_t)w->index : CAMP_NONE;
  x->initiative = initiativeOf(w);
  x->code = x->initiative != CAMP_NONE ? g->p.inits[x->initiative].code : code ? str(g, code->name, code->nameLen) : CAMP_NONE;
  x->identify = ident ? (uint32_t)ident->index : CAMP_NONE;
  x->linkToken = link ? (uint8_t)link->v.i : 1;
  x->goal0 = g->p.ngoal;
  for (const Ast *k = w->kids; k; k = k->next) {
    if (k->kind != AST_PROP || k->op != PROP_GOAL) continue;
    GROW(g->p.goals, g->p.ngoal, g->capGoal);
    g->p.goals[g->p.ngoal++] = str(g, k->a->name, k->a->nameLen);
  }
  x->ngoal = g->p.ngoal - x->goal0;
  x->line = lineNo(g, w);
}

/* A sync and its fields (appended to p.sfields); the tags final. */
static void sync(Gen *g, const Ast *y) {
  GROW(g->p.syncs, g->p.nsync, g->capSync);
  ProgSync *x = &g->p.syncs[g->p.nsync++];
  memset(x, 0, sizeof *x);
  const Ast *esp = campResolveProp(y, PROP_ESP), *seg = propValue(y, PROP_SEGMENT), *every = propValue(y, PROP_EVERY);
  const Ast *list = propValue(y, PROP_TO);
  x->name = str(g, y->name, y->nameLen);
  x->title = str(g, y->a->name, y->a->nameLen);
  x->list = (uint32_t)list->index;
  x->esp = (uint8_t)esp->v.i;
  x->remote = str(g, esp->a->name, esp->a->nameLen);
  x->segment = CAMP_NONE;
  if (x->esp == ESP_MAILCHIMP) x->segment = seg ? str(g, seg->name, seg->nameLen) : g->p.lists[x->list].title;
  x->every = every ? every->v.i : 0;
  x->field0 = g->p.nsfield;
  int model = g->t->lists[x->list]->index;
  for (const Ast *k = y->kids; k; k = k->next) {
    if (k->kind != AST_PROP || k->op != PROP_FIELD) continue;
    char tag[64];
    campResolveSyncTag(k, x->esp, tag, sizeof tag);
    uint32_t t = cstr(g, tag);
    uint32_t v = k->a->index >= 0 ? CAMP_NONE : textBlock(g, k, model, TPL_PLAIN);
    GROW(g->p.sfields, g->p.nsfield, g->capSField);
    g->p.sfields[g->p.nsfield++] = (ProgSyncField){ t, k->a->index >= 0 ? (uint32_t)k->a->index : CAMP_NONE, v };
  }
  x = &g->p.syncs[g->p.nsync - 1];
  x->nfield = g->p.nsfield - x->field0;
  x->line = lineNo(g, y);
}

static void campaign(Gen *g, const Ast *c) {
  GROW(g->p.camps, g->p.ncamp, g->capCamp);
  uint32_t me = g->p.ncamp++;
  ProgCampaign x;
  memset(&x, 0, sizeof x);
  x.name = str(g, c->name, c->nameLen);
  x.title = str(g, c->a->name, c->a->nameLen);
  x.model = (uint32_t)c->index;
  x.filter = filterBlock(g, propValue(c, PROP_WHERE), c->index);
  const Ast *u = propValue(c, PROP_UNIQUE), *code = propValue(c, PROP_CODE), *to = propValue(c, PROP_TO);
  x.unique = u ? (uint32_t)u->index : CAMP_NONE;
  x.code = code ? str(g, code->name, code->nameLen) : CAMP_NONE;
  x.list = to ? (uint32_t)to->index : CAMP_NONE;     /* `target list NAME` */
  x.initiative = initiativeOf(c);
  x.via = CAMP_NONE;
  campaignTiming(g, c, &x);
  if (x.initiative != CAMP_NONE) x.code = g->p.inits[x.initiative].code;
  x.firstAct = g->p.nact;
  x.line = lineNo(g, c);
  for (const Ast *a = c->kids; a; a = a->next)
    if (a->kind == AST_ACTIVITY) activity(g, a, me, CAMP_NONE, NULL, c->index);
  x.nact = g->p.nact - x.firstAct;
  g->p.camps[me] = x;
}

/* A mailing's A/B test: each variant's templates (the mailing's, with the
** variant's own in their place), emitted in source order. */
static MailExtra testOf(Gen *g, const Ast *m, const ProgMailing *x) {
  MailExtra e = { m, NULL, 0, 0, NULL };
  const Ast *t = campResolveProp(m, PROP_TEST);
  if (!t) return e;
  e.testBp = (uint32_t)t->a->v.i * 100;
  for (const Ast *k = t->kids; k; k = k->next) {
    if (k->kind == AST_PROP) { e.winner = k; continue; }
    const Ast *subject = campResolveProp(k, PROP_SUBJECT), *body = campResolveProp(k, PROP_BODY);
    const Ast *text = campResolveProp(k, PROP_TEXT), *from = campResolveProp(k, PROP_FROM);
    MailVariant v = { str(g, k->name, k->nameLen), x->subject, x->body, x->text, x->from, lineNo(g, k) };
    if (subject) v.subject = textBlock(g, subject, m->index, TPL_PLAIN);
    if (body) v.body = textBlock(g, body, m->index, TPL_HTML);
    if (text) v.text = textBlock(g, text, m->index, TPL_TEXT);
    if (from) v.from = textBlock(g, from, m->index, TPL_PLAIN);
    e.variants = realloc(e.variants, (e.nvariant + 1) * sizeof *e.variants);
    if (!e.variants) abort();
    e.variants[e.nvariant++] = v;
  }
  return e;
}

/* A mailing's code is emitted in source order with the rest; the campaign
** it runs as is added by lowerMailings. */
static void mailing(Gen *g, const Ast *m) {
  GROW(g->mails, g->nmail, g->capMail);
  ProgMailing x;
  memset(&x, 0, sizeof x);
  x.name = str(g, m->name, m->nameLen);
  x.title = str(g, m->a->name, m->a->nameLen);
  x.list = (uint32_t)propValue(m, PROP_TO)->index;
  const Ast *at = propValue(m, PROP_AT);
  x.at = at ? at->v.i : CAMP_AT_MANUAL;
  x.initiative = initiativeOf(m);
  const Ast *via = propValue(m, PROP_VIA);
  x.via = via ? (uint32_t)via->index : CAMP_NONE;
  x.subject = textBlock(g, campResolveProp(m, PROP_SUBJECT), m->index, TPL_PLAIN);
  x.body = textBlock(g, campResolveProp(m, PROP_BODY), m->index, TPL_HTML);
  x.text = textBlock(g, campResolveProp(m, PROP_TEXT), m->index, TPL_TEXT);
  x.from = textBlock(g, campResolveProp(m, PROP_FROM), m->index, TPL_PLAIN);
  x.line = lineNo(g, m);
  g->mails[g->nmail] = x;
  g->extra = realloc(g->extra, g->capMail * sizeof *g->extra);
  if (!g->extra) abort();
  g->extra[g->nmail++] = testOf(g, m, &x);
}

/* A mailing with an A/B test: its one email becomes a split named "test"
** (the test's share evenly over the variants, the remainder to the first
** ones, then the rest), an email per variant on paths 0.., and the
** "winner" email on the last path, after the winner's delay.  The loader's
** mailingShapeOk (runtime/program.c) checks this shape. */
static void lowerTest(Gen *g, const MailExtra *e, uint32_t camp) {
  uint32_t first = g->p.camps[camp].firstAct;
  ProgActivity mail = g->p.acts[first], *s = &g->p.acts[first];
  s->name = cstr(g, "test");
  s->kind = ACT_SPLIT;
  s->subject = s->body = s->text = s->from = CAMP_NONE;
  s->capMode = CAP_WAIT;
  s->share0 = g->p.nshare;
  s->nshare = e->nvariant + 1;
  for (uint32_t k = 0; k < e->nvariant; k++) addShare(g, e->testBp / e->nvariant + (k < e->testBp % e->nvariant));
  addShare(g, 10000 - e->testBp);
  for (uint32_t k = 0; k <= e->nvariant; k++) {
    GROW(g->p.acts, g->p.nact, g->capAct);
    ProgActivity *v = &g->p.acts[g->p.nact++];
    *v = mail;
    v->trigger = TRIG_DONE;
    v->parent = first;
    v->path = k;
    if (k == e->nvariant) {
      v->name = cstr(g, "winner");
      v->line = lineNo(g, e->winner);
      campAstDelayParts(e->winner->b, &v->delay, &v->delayDays, &v->delayMonths);
      v->abMetric = !strcmp(e->winner->a->name, "clicks") ? AB_CLICKS : AB_OPENS;
      continue;
    }
    const MailVariant *x = &e->variants[k];
    v->name = x->name;
    v->line = x->line;
    v->subject = x->subject; v->body = x->body; v->text = x->text; v->from = x->from;
  }
  g->p.camps[camp].nact = e->nvariant + 2;
}

/* Each mailing becomes the campaign the runtime runs (campProgramLowerMailing),
** after every campaign and with its email after every activity: the
** indexes the runtime gave them when it lowered them on load (images before
** version 3), so a database's activity rows keep their meaning. */
static void lowerMailings(Gen *g) {
  for (uint32_t i = 0; i < g->nmail; i++) {
    GROW(g->p.camps, g->p.ncamp, g->capCamp);
    GROW(g->p.acts, g->p.nact, g->capAct);
    ProgCampaign *c = &g->p.camps[g->p.ncamp];
    ProgActivity *a = &g->p.acts[g->p.nact];
    const Ast *at = campResolveProp(g->extra[i].decl, PROP_AT);
    campProgramLowerMailing(&g->p, &g->mails[i], g->p.ncamp, g->p.nact, c, a);
    campaignTiming(g, g->extra[i].decl, c);
    c->atLocal = at && at->v.i;
    a->capMode = capModeOf(g->extra[i].decl);
    g->p.ncamp++;
    g->p.nact++;
    if (g->extra[i].testBp) lowerTest(g, &g->extra[i], g->p.ncamp - 1);
  }
}

static void freeGen(Gen *g) {
  for (uint32_t i = 0; i < g->p.nstr; i++) free((void *)g->p.str[i]);
  for (uint32_t i = 0; i < g->p.nconst; i++) if (g->p.consts[i].tag == VAL_LIST) free((void *)g->p.consts[i].u.items);
  for (uint32_t i = 0; i < g->p.nmodel; i++) free(g->p.models[i].fields);
  free(g->p.str); free(g->p.strLen); free(g->p.consts); free(g->p.models); free(g->p.camps);
  free(g->p.acts); free(g->p.lists); free(g->p.inits); free(g->p.sites); free(g->p.goals); free(g->p.syncs); free(g->p.sfields); free(g->mails); free(g->p.code); free(g->p.shares);
  for (uint32_t i = 0; i < g->nmail; i++) free(g->extra[i].variants);
  free(g->extra); free(g->p.bc); free(g->p.lines);
  free(g->strHash);
}

int campCodegenUnit(Unit *u, uint8_t **out, size_t *outLen, char *err, size_t errSize) {
  Gen g;
  memset(&g, 0, sizeof g);
  g.u = u;
  g.t = campResolveTables(u);
  if (!g.t || u->diags->nerror) { snprintf(err, errSize, "the unit has errors"); return -1; }
  for (uint32_t i = 0; i < g.t->nmodel; i++) {
    const Ast *m = g.t->models[i];
    GROW(g.p.models, g.p.nmodel, g.capModel);
    ProgModel *pm = &g.p.models[g.p.nmodel++];
    uint32_t n = 1;
    for (const Ast *f = m->kids; f; f = f->next) n++;
    pm->name = str(&g, m->name, m->nameLen);
    pm->nfield = n;
    pm->fields = calloc(n, sizeof *pm->fields);
    if (!pm->fields) abort();
    pm->fields[0].name = cstr(&g, "id");
    pm->fields[0].type = TYPE_INT;
    n = 1;
    for (const Ast *f = m->kids; f; f = f->next, n++) {
      pm->fields[n].name = str(&g, f->name, f->nameLen);
      pm->fields[n].type = (uint8_t)f->op;
    }
    pm->optOut = m->b && m->b->index > 0 ? (uint32_t)m->b->index : CAMP_NONE;   /* `optout FIELD` */
  }
  for (uint32_t i = 0; i < g.t->nlist; i++) {
    const Ast *l = g.t->lists[i];
    GROW(g.p.lists, g.p.nlist, g.capList);
    ProgList *pl = &g.p.lists[g.p.nlist++];
    pl->name = str(&g, l->name, l->nameLen);
    pl->title = str(&g, l->a->name, l->a->nameLen);
    pl->model = (uint32_t)l->index;
    pl->filter = filterBlock(&g, propValue(l, PROP_WHERE), l->index);
    pl->line = lineNo(&g, l);
    pl->kind = (uint8_t)l->op;
    pl->keep = (uint8_t)l->v.i;
    pl->contact = campProgramContactField(&g.p.models[pl->model]);
    const Ast *where = propValue(l, PROP_WHERE);
    pl->where = CAMP_NONE;
    if (where) {                              /* its text, for deploy and plan to compare */
      char *t = campFmtExpr(u, where);
      pl->where = str(&g, t, (uint32_t)strlen(t));
      free(t);
    }
  }
  for (uint32_t i = 0; i < g.t->ninit; i++) initiative(&g, g.t->inits[i]);
  for (uint32_t i = 0; i < g.t->nsite; i++) website(&g, g.t->sites[i]);
  for (uint32_t i = 0; i < g.t->nsync; i++) sync(&g, g.t->syncs[i]);
  for (const Ast *f = u->files; f; f = f->next) {
    if (f->file != u->root) continue;
    for (const Ast *d = f->kids; d; d = d->next) {
      if (d->kind == AST_CAMPAIGN) campaign(&g, d);
      else if (d->kind == AST_MAILING) mailing(&g, d);
    }
  }
  lowerMailings(&g);
  int rc = campProgramSave(&g.p, out, outLen);
  if (rc < 0) snprintf(err, errSize, "out of memory writing the image");
  freeGen(&g);
  return rc;
}

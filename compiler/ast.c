/*
** compiler/ast.c -- syntax tree nodes: the grammar's actions and the dump.
**
** Owns: building nodes from tokens (one call per grammar action), decoding
** literals (strings, numbers, datetimes, durations) and reporting malformed
** ones, and the S-expression dump of golden tests.  Does not own: the
** grammar (grammar/parser.y), driving the parser (parse.c) or meaning
** (resolve.c).
*/
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "compiler/ast.h"
#include "runtime/clock.h"
#include "runtime/program.h"
#include "parser.h"

Ast *campAstNew(Unit *u, AstKind kind, uint32_t file, uint32_t off, uint32_t len) {
  Ast *n = campArenaAlloc(&u->arena, sizeof *n);
  n->kind = (uint8_t)kind;
  n->file = file;
  n->off = n->noff = off;
  n->len = n->nlen = len;
  n->index = -1;
  return n;
}

Ast *campAstAppend(Ast *parent, Ast *kid) {
  Ast **p = &parent->kids;
  while (*p) p = &(*p)->next;
  *p = kid;
  return parent;
}

void campAstSpan(Ast *n, uint32_t endOff, uint32_t endLen) {
  if (endOff + endLen > n->off) n->len = endOff + endLen - n->off;
}

static Ast *node(ParseCtx *c, AstKind kind, Token t) {
  return campAstNew(c->u, kind, c->file, t.off, t.len);
}

static const char *tokText(ParseCtx *c, Token t) {
  return c->text + (t.off - c->textBase);
}

static void setName(ParseCtx *c, Ast *n, Token t) {
  n->name = campArenaStrndup(&c->u->arena, tokText(c, t), t.len);
  n->nameLen = t.len;
  n->noff = t.off;
  n->nlen = t.len;
}

__attribute__((format(printf, 4, 5)))
static void report(ParseCtx *c, DiagCode code, Token t, const char *fmt, ...) {
  va_list ap;
  if (c->silent) return;
  va_start(ap, fmt);
  campDiagReportV(c->u->diags, code, c->file, t.off, t.len, fmt, ap);
  va_end(ap);
}

AstChain campAstChain(ParseCtx *c, AstChain *prev, Ast *item) {
  AstChain r = { 0, 0 };
  (void)c;
  if (prev) r = *prev;
  if (!item) return r;
  if (r.tail) r.tail->next = item; else r.head = item;
  r.tail = item;
  while (r.tail->next) r.tail = r.tail->next;
  return r;
}

/* Decode a string token ("…", '…' or """…""") into the node's name. */
static void decodeString(ParseCtx *c, Ast *n, Token t) {
  const char *s = tokText(c, t);
  uint32_t q = (t.len >= 6 && s[0] == '"' && s[1] == '"' && s[2] == '"') ? 3 : 1;
  const char *p = s + q, *end = s + t.len - q;
  char *out = campArenaAlloc(&c->u->arena, t.len + 1), *o = out;
  if (q == 3 && p < end && *p == '\n') p++;    /* """ then a newline: the text starts below */
  for (; p < end; p++) {
    if (*p != '\\') { *o++ = *p; continue; }
    p++;
    switch (p < end ? *p : 0) {
    case 'n': *o++ = '\n'; break;
    case 't': *o++ = '\t'; break;
    case '\\': *o++ = '\\'; break;
    case '"': *o++ = '"'; break;
    case '\'': *o++ = '\''; break;
    default: {
      Token e = { 0, (uint32_t)(t.off + (p - s) - 1), 2 };
      char esc[3] = { '\\', p < end ? *p : 0, 0 };
      report(c, DIAG_E002, e, "unknown escape '%s' in string (use \\\\ for a backslash)", esc);
      if (p < end) *o++ = *p;
    }
    }
  }
  *o = 0;
  n->name = out;
  n->nameLen = (uint32_t)(o - out);
}

static int num(const char *s, int n) {
  int v = 0;
  for (int i = 0; i < n; i++) v = v * 10 + (s[i] - '0');
  return v;
}

/* Parse the lexer's DATETIME shape; returns 0 and sets *out, or -1. */
static int parseDatetime(const char *s, uint32_t len, int64_t *out) {
  int y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2), h = 0, mi = 0, se = 0, zone = 0;
  if (mo < 1 || mo > 12 || d < 1 || d > campClockDaysInMonth(y, mo)) return -1;
  if (len > 10) {
    h = num(s + 11, 2); mi = num(s + 14, 2);
    uint32_t p = 16;
    if (p < len && s[p] == ':') { se = num(s + 17, 2); p = 19; }
    if (p < len && (s[p] == '+' || s[p] == '-')) {
      int zh = num(s + p + 1, 2), zm = num(s + p + 4, 2);
      if (zh > 14 || zm > 59) return -1;
      zone = (s[p] == '+' ? 1 : -1) * (zh * 3600 + zm * 60);
    }
    if (h > 23 || mi > 59 || se > 59) return -1;
  }
  *out = campClockFromCivil(y, mo, d) + h * 3600 + mi * 60 + se - zone;
  return 0;
}

static const struct { const char *unit; int64_t secs; } durationUnits[] = {
  { "minute", 60 }, { "hour", 3600 }, { "day", 86400 }, { "week", 604800 }, { "month", 2592000 },
};

Ast *campAstLeaf(ParseCtx *c, Token t) {
  const char *s = tokText(c, t);
  Ast *n;
  switch (t.type) {
  case TK_STRING:
    n = node(c, AST_STR, t);
    decodeString(c, n, t);
    return n;
  case TK_INT: {
    n = node(c, AST_INT, t);
    errno = 0;
    n->v.i = strtoll(s, NULL, 10);
    if (errno == ERANGE) report(c, DIAG_E004, t, "integer '%s' is out of range (limit 9223372036854775807)",
                                campArenaStrndup(&c->u->arena, s, t.len));
    return n;
  }
  case TK_REAL:
    n = node(c, AST_REAL, t);
    n->v.r = strtod(s, NULL);
    return n;
  case TK_DATETIME:
    n = node(c, AST_TIME, t);
    if (parseDatetime(s, t.len, &n->v.i) < 0)
      report(c, DIAG_E004, t, "'%s' is not a valid date and time",
             campArenaStrndup(&c->u->arena, s, t.len));
    return n;
  case TK_DURATION: {
    n = node(c, AST_DUR, t);
    char *end;
    errno = 0;
    long long amount = strtoll(s, &end, 10);
    while (*end == ' ' || *end == '\t') end++;
    for (unsigned i = 0; i < sizeof durationUnits / sizeof durationUnits[0]; i++)
      if (!strncmp(end, durationUnits[i].unit, strlen(durationUnits[i].unit))) {
        n->op = (uint16_t)(i + 1);
        if (errno == ERANGE || amount > INT64_MAX / durationUnits[i].secs)
          report(c, DIAG_E004, t, "duration '%s' is out of range",
                 campArenaStrndup(&c->u->arena, s, t.len));
        else n->v.i = amount * durationUnits[i].secs;
      }
    return n;
  }
  case TK_CLOCK: {
    n = node(c, AST_CLOCK, t);
    int h = num(s, (int)t.len - 3), m = num(s + t.len - 2, 2);
    if (t.len < 5)
      report(c, DIAG_E082, t, "'%.*s': write a time of day with two digits for the hour (0%.*s)", (int)t.len, s, (int)t.len, s);
    else if (h > 23 || m > 59)
      report(c, DIAG_E082, t, "'%.*s' is not a time of day (00:00 to 23:59)", (int)t.len, s);
    else n->v.i = h * 60 + m;
    return n;
  }
  case TK_TRUE: case TK_FALSE:
    n = node(c, AST_BOOL, t);
    n->v.i = t.type == TK_TRUE;
    return n;
  case TK_NULL: return node(c, AST_NULL, t);
  case TK_NOW: return node(c, AST_NOW, t);
  default:
    n = node(c, AST_NAME, t);
    setName(c, n, t);
    return n;
  }
}

Ast *campAstUse(ParseCtx *c, Token kw, Token path) {
  Ast *n = node(c, AST_USE, kw);
  n->a = campAstLeaf(c, path);
  campAstSpan(n, path.off, path.len);
  return n;
}

/* Number a campaign's unnamed branch nodes split_1, if_1, ... in source
** order (a walk of its whole tree). */
static void nameNodes(ParseCtx *c, Ast *list, int *nsplit, int *nif) {
  for (Ast *k = list; k; k = k->next) {
    if (k->kind == AST_ACTIVITY && (k->op == ACT_SPLIT || k->op == ACT_IF) && !k->name) {
      char buf[32];
      int len = snprintf(buf, sizeof buf, "%s_%d", k->op == ACT_SPLIT ? "split" : "if",
                         k->op == ACT_SPLIT ? ++*nsplit : ++*nif);
      k->name = campArenaStrndup(&c->u->arena, buf, (uint32_t)len);
      k->nameLen = (uint32_t)len;
    }
    if (k->kind == AST_ACTIVITY || k->kind == AST_BRANCH || k->kind == AST_PATH) nameNodes(c, k->kids, nsplit, nif);
  }
}

Ast *campAstDecl(ParseCtx *c, AstKind kind, Token kw, Token name, const Token *title, Ast *kids, Token end) {
  Ast *n = node(c, kind, kw);
  setName(c, n, name);
  if (title) n->a = campAstLeaf(c, *title);
  n->kids = kids;
  campAstSpan(n, end.off, end.len);
  if (kind == AST_CAMPAIGN) {
    int nsplit = 0, nif = 0;
    nameNodes(c, kids, &nsplit, &nif);
  }
  return n;
}

/* model := MODEL IDENT { (field | optout IDENT)* }: the fields stay the
** model's kids (their position is their index); `optout` lines go to b. */
Ast *campAstModel(ParseCtx *c, Token kw, Token name, Ast *items, Token end) {
  Ast *n = campAstDecl(c, AST_MODEL, kw, name, 0, NULL, end);
  Ast **field = &n->kids, **prop = &n->b;
  for (Ast *k = items, *next; k; k = next) {
    next = k->next;
    k->next = NULL;
    if (k->kind == AST_PROP) { *prop = k; prop = &k->next; }
    else { *field = k; field = &k->next; }
  }
  return n;
}

Ast *campAstField(ParseCtx *c, Token name, Token type) {
  Ast *n = node(c, AST_FIELD, name);
  setName(c, n, name);
  n->a = campAstLeaf(c, type);
  for (int i = TYPE_TEXT; i <= TYPE_TAGS; i++) {    /* the types a field may declare */
    const char *t = campValueTypeName(i);
    if (strlen(t) == type.len && !memcmp(t, tokText(c, type), type.len)) n->op = (uint16_t)i;
  }
  campAstSpan(n, type.off, type.len);
  return n;
}

Ast *campAstProp(ParseCtx *c, Token kw, PropKind prop, Ast *value) {
  Ast *n = node(c, AST_PROP, kw);
  n->op = (uint16_t)prop;
  n->a = value;
  if (value) campAstSpan(n, value->off, value->len);
  return n;
}

Ast *campAstPropId(ParseCtx *c, Token kw, PropKind prop, Token name) {
  return campAstProp(c, kw, prop, campAstLeaf(c, name));
}

Ast *campAstPropToken(ParseCtx *c, Token kw, PropKind prop, Token value) {
  return campAstProp(c, kw, prop, campAstLeaf(c, value));
}

/* budget [-]NUMBER CURRENCY: the amount as written (resolve refuses a
** negative one) and the currency's name in b. */
Ast *campAstBudget(ParseCtx *c, Token kw, int negative, Token amount, Token currency) {
  Ast *v = campAstLeaf(c, amount);
  if (negative && v->kind == AST_INT) v->v.i = -v->v.i;
  else if (negative) v->v.r = -v->v.r;
  Ast *n = campAstProp(c, kw, PROP_BUDGET, v);
  n->b = campAstLeaf(c, currency);
  campAstSpan(n, currency.off, currency.len);
  return n;
}

/* `mailchimp audience "ID"` / `dotdigital address_book "NAME"` in a sync. */
Ast *campAstEsp(ParseCtx *c, Token kw, int esp, Token remote) {
  Ast *n = campAstProp(c, kw, PROP_ESP, campAstLeaf(c, remote));
  n->v.i = esp;
  return n;
}

/* `via mailchimp SYNC` / `via dotdigital SYNC` in a mailing. */
Ast *campAstVia(ParseCtx *c, Token kw, int esp, Token sync) {
  Ast *n = campAstProp(c, kw, PROP_VIA, campAstLeaf(c, sync));
  n->v.i = esp;
  return n;
}

/* `field [TAG =] FIELD` or `field TAG = "template"` in a sync. */
Ast *campAstSyncField(ParseCtx *c, Token kw, const Token *tag, Token value) {
  Ast *n = campAstProp(c, kw, PROP_FIELD, campAstLeaf(c, value));
  if (tag) n->b = campAstLeaf(c, *tag);
  return n;
}

Ast *campAstActivity(ParseCtx *c, Token kind, Token name, AstTiming timing, Ast *kids, Token end) {
  Ast *n = node(c, AST_ACTIVITY, kind);
  setName(c, n, name);
  n->op = kind.type == TK_EMAIL ? ACT_EMAIL : kind.type == TK_SMS ? ACT_SMS : ACT_ACTION;
  n->a = timing.after;
  n->b = timing.at;
  n->kids = kids;
  campAstSpan(n, end.off, end.len);
  return n;
}

/* split [NAME] { paths }: the paths numbered in order; an unnamed node is
** named when its campaign is complete (nameNodes). */
Ast *campAstSplit(ParseCtx *c, Token kw, const Token *name, Ast *paths, Token end) {
  Ast *n = node(c, AST_ACTIVITY, kw);
  n->op = ACT_SPLIT;
  n->nlen = kw.len;
  if (name) { setName(c, n, *name); n->v.i = 1; }
  n->kids = paths;
  int i = 0;
  for (Ast *p = paths; p; p = p->next) p->index = i++;
  campAstSpan(n, end.off, end.len);
  return n;
}

/* if COND { then } [else { … }]: kids are the condition (a PROP_WHERE, so
** the node's filter is its condition), the then path and the else path. */
Ast *campAstIf(ParseCtx *c, Token kw, Ast *cond, Token open, Ast *then, Token close, Ast *elseArm) {
  Ast *n = node(c, AST_ACTIVITY, kw);
  n->op = ACT_IF;
  n->nlen = kw.len;
  Ast *where = campAstProp(c, kw, PROP_WHERE, cond);
  Ast *t = campAstPath(c, open, NULL, then, close);
  t->index = 0;
  where->next = t;
  if (elseArm) { elseArm->index = 1; t->next = elseArm; }
  n->kids = where;
  campAstSpan(n, close.off, close.len);
  if (elseArm) campAstSpan(n, elseArm->off, elseArm->len);
  return n;
}

Ast *campAstPath(ParseCtx *c, Token start, Ast *share, Ast *acts, Token end) {
  Ast *n = node(c, AST_PATH, start);
  n->a = share;
  n->kids = acts;
  campAstSpan(n, end.off, end.len);
  return n;
}

int campAstDayIndex(const char *name) {
  static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
  for (int i = 0; i < 7; i++) if (!strcasecmp(name, days[i])) return i;   /* Mon-Fri too */
  return -1;
}

/* send between FROM and TO [on DAYS]: v.i the day bits (bit 0 Monday; all
** seven without days; an unknown day adds none, resolve reports it). */
Ast *campAstWindow(ParseCtx *c, Token kw, Token from, Token to, Ast *days) {
  Ast *n = campAstProp(c, kw, PROP_WINDOW, campAstLeaf(c, from));
  n->b = campAstLeaf(c, to);
  n->kids = days;
  n->v.i = days ? 0 : 127;
  campAstSpan(n, to.off, to.len);
  for (Ast *d = days; d; d = d->next) {
    int first = campAstDayIndex(d->name), last = d->b ? campAstDayIndex(d->b->name) : first;
    for (int i = first; first >= 0 && last >= 0; i = (i + 1) % 7) { n->v.i |= 1 << i; if (i == last) break; }
    campAstSpan(n, d->off, d->len);
  }
  return n;
}

/* A day of a window; `first` may be the lexer's ONDAY (`on mon`): the day
** is its last three bytes. */
Ast *campAstDay(ParseCtx *c, Token first, const Token *last) {
  if (first.type == TK_ONDAY) { first.off += first.len - 3; first.len = 3; first.type = TK_ID; }
  Ast *n = campAstLeaf(c, first);
  if (last) {
    n->b = campAstLeaf(c, *last);
    campAstSpan(n, last->off, last->len);
  }
  return n;
}

Ast *campAstCap(ParseCtx *c, Token kw, Token channel, Token count, Token period) {
  Ast *n = campAstProp(c, kw, PROP_CAP, campAstLeaf(c, channel));
  n->b = campAstLeaf(c, count);
  n->kids = campAstLeaf(c, period);
  campAstSpan(n, period.off, period.len);
  return n;
}

/* `at DATETIME local`: v.i 1. */
Ast *campAstLocal(ParseCtx *c, Token kw, Token at, Token local) {
  Ast *n = campAstPropToken(c, kw, PROP_AT, at);
  n->v.i = 1;
  campAstSpan(n, local.off, local.len);
  return n;
}

Ast *campAstTest(ParseCtx *c, Token kw, Token percent, Ast *items, Token end) {
  Ast *n = campAstPropToken(c, kw, PROP_TEST, percent);
  n->kids = items;
  campAstSpan(n, end.off, end.len);
  return n;
}

Ast *campAstWinner(ParseCtx *c, Token kw, Token metric, Token after) {
  Ast *n = campAstPropToken(c, kw, PROP_WINNER, metric);
  n->b = campAstLeaf(c, after);
  campAstSpan(n, after.off, after.len);
  return n;
}

/* -- tests: checked by resolve_test.c, ignored by codegen -- */

Ast *campAstRecords(ParseCtx *c, Token kw, Token model, const Token *path, Ast *rows, Token end) {
  Ast *n = node(c, AST_RECORDS, kw);
  setName(c, n, model);
  if (path) n->a = campAstLeaf(c, *path);
  n->kids = rows;
  campAstSpan(n, end.off, end.len);
  return n;
}

static void spanTo(Ast *n, const Ast *last) {
  if (last) campAstSpan(n, last->off, last->len);
}

Ast *campAstStep(ParseCtx *c, Token kw, int step, const Token *name, Ast *a, Ast *b) {
  Ast *n = node(c, AST_STEP, kw);
  n->op = (uint16_t)step;
  if (name) setName(c, n, *name);
  n->a = a;
  n->b = b;
  spanTo(n, a);
  spanTo(n, b);
  return n;
}

Ast *campAstEvent(ParseCtx *c, Token kw, Token kind, const Token *url, Ast *ref, Token record) {
  Ast *n = campAstStep(c, kw, STEP_EVENT, &record, ref, url ? campAstLeaf(c, *url) : 0);
  n->kids = campAstLeaf(c, kind);   /* AST_NAME: open, click ... (keywords fall back to names) */
  campAstSpan(n, record.off, record.len);
  return n;
}

Ast *campAstSent(ParseCtx *c, Token kw, Token record, int negated, Ast *ref, Ast *patterns) {
  Ast *n = campAstStep(c, kw, STEP_SENT, &record, ref, 0);
  n->v.i = negated;
  n->kids = patterns;
  for (Ast *p = patterns; p; p = p->next) spanTo(n, p);
  return n;
}

Ast *campAstVisit(ParseCtx *c, Token kw, int event, Token text, Ast *website, Token record) {
  Ast *n = campAstStep(c, kw, STEP_VISIT, &record, campAstLeaf(c, text), website);
  n->v.i = event;
  campAstSpan(n, record.off, record.len);
  return n;
}

Ast *campAstSuppressed(ParseCtx *c, Token kw, Token record, int negated, Token word, Ast *channel) {
  Ast *n = campAstStep(c, kw, STEP_SUPPRESSED, &record, campAstLeaf(c, word), channel);
  n->v.i = negated;
  return n;
}

Ast *campAstCount(ParseCtx *c, Token kw, Token count, Token channel, Token end) {
  Ast *n = campAstStep(c, kw, STEP_COUNT, 0, campAstLeaf(c, count), campAstLeaf(c, channel));
  campAstSpan(n, end.off, end.len);
  return n;
}

Ast *campAstRef(ParseCtx *c, Token first, Token second) {
  Ast *n = node(c, AST_REF, first);
  setName(c, n, first);
  n->a = campAstLeaf(c, second);
  spanTo(n, n->a);
  return n;
}

void campAstDelayParts(const Ast *dur, int64_t *secs, int32_t *days, int32_t *months) {
  *secs = 0; *days = 0; *months = 0;
  if (!dur) return;
  int64_t unit = dur->op >= 1 && dur->op <= 5 ? durationUnits[dur->op - 1].secs : 1;
  if (dur->op == 3 || dur->op == 4) *days = (int32_t)(dur->v.i / 86400);
  else if (dur->op == 5) *months = (int32_t)(dur->v.i / unit);
  else *secs = dur->v.i;
}

Ast *campAstBranch(ParseCtx *c, Token on, int trigger, Ast *cond, Ast *within, Ast *kids, Token end) {
  Ast *n = node(c, AST_BRANCH, on);
  n->op = (uint16_t)trigger;
  n->a = within;
  n->b = cond;
  n->kids = kids;
  campAstSpan(n, end.off, end.len);
  return n;
}

Ast *campAstCall(ParseCtx *c, Token name, Ast *args, Token end) {
  Ast *n = node(c, AST_CALL, name);
  setName(c, n, name);
  n->kids = args;
  campAstSpan(n, end.off, end.len);
  return n;
}

Ast *campAstNamedArg(ParseCtx *c, Token name, Ast *value) {
  Ast *n = node(c, AST_NAMEDARG, name);
  setName(c, n, name);
  n->a = value;
  campAstSpan(n, value->off, value->len);
  return n;
}

static Ast *binary(ParseCtx *c, int op, Token at, Ast *a, Ast *b) {
  Ast *n = campAstNew(c->u, AST_BINARY, c->file, a->off, a->len);
  n->op = (uint16_t)op;
  n->noff = at.off; n->nlen = at.len;
  n->a = a; n->b = b;
  campAstSpan(n, b->off, b->len);
  return n;
}

Ast *campAstBinary(ParseCtx *c, Token op, Ast *a, Ast *b) { return binary(c, op.type, op, a, b); }

Ast *campAstNotIn(ParseCtx *c, Token op, Ast *a, Ast *b) {
  Ast *in = binary(c, TK_IN, op, a, b);
  Ast *n = campAstNew(c->u, AST_UNARY, c->file, in->off, in->len);
  n->op = TK_NOT;
  n->noff = op.off; n->nlen = op.len;
  n->a = in;
  return n;
}

Ast *campAstUnary(ParseCtx *c, Token op, Ast *a) {
  Ast *n = node(c, AST_UNARY, op);
  n->op = (uint16_t)op.type;
  n->a = a;
  campAstSpan(n, a->off, a->len);
  return n;
}

Ast *campAstIsSet(ParseCtx *c, Ast *a, int set, Token end) {
  Ast *n = campAstNew(c->u, AST_ISSET, c->file, a->off, a->len);
  n->op = (uint16_t)set;
  n->a = a;
  campAstSpan(n, end.off, end.len);
  return n;
}

Ast *campAstParen(ParseCtx *c, Token open, Ast *a, Token close) {
  (void)c;
  a->off = open.off;
  a->len = close.off + close.len - open.off;
  return a;
}

Ast *campAstArray(ParseCtx *c, Token open, Ast *items, Token close) {
  Ast *n = node(c, AST_ARRAY, open);
  n->kids = items;
  campAstSpan(n, close.off, close.len);
  return n;
}

Ast *campAstPipe(ParseCtx *c, Token name, Ast *args) {
  Ast *n = node(c, AST_PIPE, name);
  setName(c, n, name);
  n->kids = args;
  for (Ast *a = args; a; a = a->next) campAstSpan(n, a->off, a->len);
  return n;
}

Ast *campAstPipes(ParseCtx *c, Ast *input, Ast *pipes) {
  (void)c;
  Ast *cur = input;
  while (pipes) {
    Ast *next = pipes->next;
    pipes->next = NULL;
    pipes->a = cur;
    pipes->off = cur->off;
    campAstSpan(pipes, pipes->noff, pipes->nlen);
    for (Ast *a = pipes->kids; a; a = a->next) campAstSpan(pipes, a->off, a->len);
    cur = pipes;
    pipes = next;
  }
  return cur;
}

/* -- names and the dump -------------------------------------------------- */

const char *campAstKindName(AstKind k) {
  static const char *const names[] = {
    "?", "file", "use", "model", "field", "campaign", "list", "mailing", "initiative", "website", "sync", "activity", "branch",
    "prop", "str", "int", "real", "bool", "time", "dur", "array", "name", "now", "null",
    "binary", "unary", "isset", "call", "namedarg", "template", "pipe", "path", "variant", "clock",
    "test", "records", "row", "step", "ref",
  };
  _Static_assert(sizeof names / sizeof names[0] == AST_KIND_COUNT_, "a name for every AstKind");
  return k < AST_KIND_COUNT_ ? names[k] : "?";
}

const char *campAstPropName(PropKind p) {
  static const char *const names[] = {
    "?", "target", "where", "unique", "code", "subject", "body", "text", "from", "expire", "to", "at", "optout",
    "kind", "keep_contacted", "initiative", "start", "end", "budget", "description", "scale",
    "site_id", "url", "goal", "identify", "link_token", "event",
    "esp", "segment", "field", "every", "via",
    "timezone", "timezone from", "send between", "cap", "cap", "priority", "test", "winner",
  };
  _Static_assert(sizeof names / sizeof names[0] == PROP_COUNT_, "a name for every PropKind");
  return p < PROP_COUNT_ ? names[p] : "?";
}

const char *campAstTriggerName(int trig) {
  static const char *const names[] = {
    "?", "begin", "done", "open", "click", "reply", "bounce", "no open", "no click", "no reply", "visit", "no visit",
  };
  _Static_assert(sizeof names / sizeof names[0] == TRIG_NO_VISIT + 1, "a name for every Trigger");
  return trig >= 0 && trig <= TRIG_NO_VISIT ? names[trig] : "?";
}

const char *campAstActKindName(int kind) {
  return kind == ACT_EMAIL ? "email" : kind == ACT_SMS ? "sms" : kind == ACT_ACTION ? "action"
       : kind == ACT_SPLIT ? "split" : kind == ACT_IF ? "if" : "?";
}

const char *campAstStepName(int step) {
  static const char *const names[] = {
    "?", "at", "after", "event", "set", "sent", "trace", "in", "field", "list", "count", "send",
    "suppressed", "visit", "add", "remove", "refresh",
  };
  _Static_assert(sizeof names / sizeof names[0] == STEP_COUNT_, "a name for every StepKind");
  return step > 0 && step < STEP_COUNT_ ? names[step] : "?";
}

void campAstEscape(const char *s, uint32_t n, FILE *out) {
  for (uint32_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '"' || ch == '\\') fprintf(out, "\\%c", ch);
    else if (ch == '\n') fputs("\\n", out);
    else if (ch == '\t') fputs("\\t", out);
    else if (ch < 0x20) fprintf(out, "\\x%02x", ch);
    else fputc(ch, out);
  }
}

static void dump(const Unit *u, const Ast *n, int depth, FILE *out) {
  uint32_t line, col;
  for (; n; n = n->next) {
    campDiagLineCol(u->diags, n->file, n->off, &line, &col);
    fprintf(out, "%*s(%s", depth * 2, "", campAstKindName(n->kind));
    switch (n->kind) {
    case AST_PROP:
      fprintf(out, " %s", campAstPropName(n->op));
      if (n->op == PROP_ESP || n->op == PROP_VIA) fputs(n->v.i == ESP_MAILCHIMP ? " mailchimp" : " dotdigital", out);
      if (n->op == PROP_AT && n->v.i) fputs(" local", out);
      break;
    case AST_ACTIVITY: fprintf(out, " %s %s", campAstActKindName(n->op), n->name); break;
    case AST_STEP:
      fprintf(out, " %s%s", (n->op == STEP_SENT || n->op == STEP_SUPPRESSED || n->op == STEP_IN) && n->v.i ? "not " : "", campAstStepName(n->op));
      if (n->op == STEP_VISIT && n->v.i) fputs(" event", out);
      if (n->name) fprintf(out, " %s", n->name);
      break;
    case AST_TEST: break;
    case AST_BRANCH: fprintf(out, " \"%s\"", campAstTriggerName(n->op)); break;
    case AST_BINARY: case AST_UNARY: fprintf(out, " %s", campLexTokenName(n->op)); break;
    case AST_ISSET: fputs(n->op ? " set" : " not set", out); break;
    case AST_STR: fputs(" \"", out); campAstEscape(n->name, n->nameLen, out); fputc('"', out); break;
    case AST_INT: case AST_TIME: case AST_DUR: case AST_BOOL: fprintf(out, " %lld", (long long)n->v.i); break;
    case AST_CLOCK: fprintf(out, " %02d:%02d", (int)(n->v.i / 60), (int)(n->v.i % 60)); break;
    case AST_PATH: fprintf(out, " %d", n->index); break;
    case AST_REAL: fprintf(out, " %.17g", n->v.r); break;
    case AST_FIELD: fprintf(out, " %s %s", n->name, n->a ? n->a->name : "?"); break;
    default: if (n->name) fprintf(out, " %s", n->name);
    }
    fprintf(out, " @%u:%u", line, col);
    if (n->kind != AST_FIELD && (n->a || n->b || n->kids)) {
      fputc('\n', out);
      if (n->a) dump(u, n->a, depth + 1, out);
      if (n->b) dump(u, n->b, depth + 1, out);
      dump(u, n->kids, depth + 1, out);
      fprintf(out, "%*s)\n", depth * 2, "");
    } else {
      fputs(")\n", out);
    }
    if (depth == 0 && n->kind == AST_FILE) break;
  }
}

void campAstDump(const Unit *u, const Ast *n, FILE *out) {
  dump(u, n, 0, out);
}

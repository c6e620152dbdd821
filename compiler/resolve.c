/*
** compiler/resolve.c -- names, types and the lint rules.
**
** Owns: binding every name in a unit (models, fields, lists, natives),
** typing every expression and template, reading body files, and every
** semantic check of `camp check` (see compiler/diag.def) but those of
** timing and branching (resolve_timing.c).  All semantic errors are
** collected, none stops the walk.  Does not own: syntax (parse.c) or code
** (codegen.c).
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "compiler/compile.h"
#include "compiler/resolve.h"
#include "compiler/resolve_int.h"
#include "compiler/html.h"
#include "runtime/clock.h"
#include "runtime/opcodes.h"
#include "runtime/program.h"
#include "parser.h"



void err(Resolver *r, DiagCode code, const Ast *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  campDiagReportV(r->d, code, n->file, n->off, n->len, fmt, ap);
  va_end(ap);
}

/* Report at a declaration's name rather than its whole span. */
void errName(Resolver *r, DiagCode code, const Ast *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  campDiagReportV(r->d, code, n->file, n->noff, n->nlen, fmt, ap);
  va_end(ap);
}

void noteAt(Resolver *r, const Ast *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  campDiagReportV(r->d, DIAG_NOTE, n->file, n->noff, n->nlen, fmt, ap);
  va_end(ap);
}


/* Levenshtein distance, capped: enough to suggest a near name. */
static int distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 40 || lb > 40) return 99;
  int row[41];
  for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    int prev = row[0];
    row[0] = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int cur = row[j];
      int best = prev + (a[i - 1] != b[j - 1]);
      if (row[j] + 1 < best) best = row[j] + 1;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      row[j] = best;
      prev = cur;
    }
  }
  return row[lb];
}

static int nearEnough(const char *typed, const char *cand) {
  int d = distance(typed, cand);
  size_t n = strlen(typed);
  return d <= (n <= 3 ? 1 : n <= 6 ? 2 : 3);
}

Ast *campResolveProp(const Ast *decl, PropKind prop) {
  for (Ast *k = decl->kids; k; k = k->next)
    if (k->kind == AST_PROP && k->op == prop) return k;
  return NULL;
}

const Resolved *campResolveTables(const Unit *u) { return u->resolved; }

/* -- types ---------------------------------------------------------------- */

static int isTextLike(int t) { return t == TYPE_TEXT || t == TYPE_EMAIL || t == TYPE_PHONE; }
static int isNumber(int t) { return t == TYPE_INT || t == TYPE_REAL; }

/* Can a value of type `have` stand where `want` is expected? */
int fits(int want, int have) {
  if (want == have || want == TYPE_ANY || have == TYPE_ANY) return 1;
  if (isTextLike(want) && isTextLike(have)) return 1;
  if (want == TYPE_REAL && have == TYPE_INT) return 1;
  return 0;
}

/* May a and b be compared with = or != ? */
static int comparable(int a, int b) {
  return fits(a, b) || fits(b, a) || (isNumber(a) && isNumber(b));
}

static int letterType(char c) {
  switch (c) {
  case 't': return TYPE_TEXT;
  case 'i': return TYPE_INT;
  case 'r': return TYPE_REAL;
  case 'b': return TYPE_BOOL;
  case 'd': return TYPE_DATETIME;
  case 'u': return TYPE_DURATION;
  case 'e': return TYPE_EMAIL;
  case 'p': return TYPE_PHONE;
  case 'g': return TYPE_TAGS;
  case 'v': return TYPE_VOID;
  default: return TYPE_ANY;
  }
}

/* -- symbols ------------------------------------------------------------- */

int findModel(Resolver *r, const char *name) {
  for (uint32_t i = 0; i < r->t.nmodel; i++)
    if (nameIs(r->t.models[i], name)) return (int)i;
  return -1;
}

int findList(Resolver *r, const char *name) {
  for (uint32_t i = 0; i < r->t.nlist; i++)
    if (nameIs(r->t.lists[i], name)) return (int)i;
  return -1;
}

static int findWebsite(Resolver *r, const char *name) {
  for (uint32_t i = 0; i < r->t.nsite; i++)
    if (nameIs(r->t.sites[i], name)) return (int)i;
  return -1;
}

static int findSync(Resolver *r, const char *name) {
  for (uint32_t i = 0; i < r->t.nsync; i++)
    if (nameIs(r->t.syncs[i], name)) return (int)i;
  return -1;
}

static int findInitiative(Resolver *r, const char *name) {
  for (uint32_t i = 0; i < r->t.ninit; i++)
    if (nameIs(r->t.inits[i], name)) return (int)i;
  return -1;
}

/* Field index in model m (0 = the implicit id), or -1. */
int findField(Resolver *r, int m, const char *name, Ast **decl) {
  if (!strcmp(name, "id")) { if (decl) *decl = NULL; return 0; }
  int i = 1;
  for (Ast *f = r->t.models[m]->kids; f; f = f->next, i++)
    if (nameIs(f, name)) { if (decl) *decl = f; return i; }
  return -1;
}

int fieldType(Resolver *r, int m, int idx) {
  if (idx == 0) return TYPE_INT;
  Ast *f = r->t.models[m]->kids;
  while (--idx > 0 && f) f = f->next;
  return f && f->op ? f->op : TYPE_ANY;
}

static int findNative(const char *name) {
  for (int i = 0; i < campNativeCount; i++)
    if (!strcmp(campNatives[i].name, name)) return i;
  return -1;
}

void unknownModel(Resolver *r, const Ast *n) {
  err(r, DIAG_E010, n, "unknown model '%s'", n->name);
  for (uint32_t i = 0; i < r->t.nmodel; i++)
    if (nearEnough(n->name, r->t.models[i]->name)) {
      noteAt(r, r->t.models[i], "did you mean '%s'?", r->t.models[i]->name);
      break;
    }
}

void unknownField(Resolver *r, const Ast *n, int m) {
  Ast *model = r->t.models[m];
  err(r, DIAG_E011, n, "unknown field '%s' in model '%s'", n->name, model->name);
  for (Ast *f = model->kids; f; f = f->next)
    if (nearEnough(n->name, f->name)) { noteAt(r, f, "did you mean '%s'?", f->name); break; }
}

void unknownList(Resolver *r, const Ast *n) {
  err(r, DIAG_E014, n, "unknown list '%s'", n->name);
  for (uint32_t i = 0; i < r->t.nlist; i++)
    if (nearEnough(n->name, r->t.lists[i]->name)) {
      noteAt(r, r->t.lists[i], "did you mean '%s'?", r->t.lists[i]->name);
      break;
    }
}

static void unknownNative(Resolver *r, const Ast *n, int kind) {
  const char *what = kind == NATIVE_ACT ? "action" : kind == NATIVE_FLT ? "filter" : "function";
  for (int i = 0; i < campNativeCount; i++)
    if ((campNatives[i].kind == kind || (kind == NATIVE_FLT && campNatives[i].kind == NATIVE_FN))
        && nearEnough(n->name, campNatives[i].name)) {
      errName(r, DIAG_E012, n, "unknown %s '%s' (did you mean '%s'?)", what, n->name, campNatives[i].name);
      return;
    }
  errName(r, DIAG_E012, n, "unknown %s '%s'", what, n->name);
}

/* -- expressions ---------------------------------------------------------- */

static int typeExpr(Resolver *r, Ast *n);

/* arg ::= ID ':' expr, naming a native's last parameter (natives.def's
** ":NAME"): it becomes that positional argument, in place, so the code
** generator emits its value as any other. */
static void positional(Ast *arg) {
  Ast *next = arg->next;
  *arg = *arg->a;
  arg->next = next;
}

/* The letter of a native's parameter k (0 first) in its params, '?' and
** '*' markers skipped; 0 past the last. */
static char paramLetter(const char *p, int k) {
  int i = 0;
  const char *q = p;
  for (; *q && *q != ':'; q++) {
    if (*q == '?' || *q == '*') continue;
    if (i++ == k) break;
  }
  return *q == '*' || *q == ':' ? 0 : *q;
}

/* Check the arguments of a call or pipe against native `nat`'s parameters.
** first: an already-typed piped input (filters) or NULL. */
static int typeCall(Resolver *r, Ast *call, int nat, Ast *first, Ast *args) {
  const NativeInfo *f = &campNatives[nat];
  const char *p = f->params;
  const char *label = strchr(p, ':');      /* ":NAME": the last parameter may be named */
  int nargs = 0, maxArgs = 0, minArgs = 0, named = 0, modelArg = -1, resultType = letterType(f->result);
  for (const char *q = p; *q && *q != ':'; q++) {
    if (*q == '?') { minArgs--; continue; }
    if (*q == '*') { named = 1; continue; }
    maxArgs++; minArgs++;
  }
  Ast *arg = first ? first : args;
  int firstType = TYPE_ANY;
  for (; arg; arg = (arg == first ? args : arg->next)) {
    if (arg->kind == AST_NAMEDARG && !named && label && !strcmp(arg->name, label + 1)) {
      if (nargs != maxArgs - 1) {
        if (maxArgs == 2) err(r, DIAG_E018, arg, "'%s:' names argument 2 of '%s': give argument 1 first", arg->name, f->name);
        else err(r, DIAG_E018, arg, "'%s:' names argument %d of '%s': give arguments 1 to %d first", arg->name, maxArgs, f->name, maxArgs - 1);
        continue;
      }
      positional(arg);
    }
    if (arg->kind == AST_NAMEDARG) {
      if (!named) {
        if (label) err(r, DIAG_E018, arg, "'%s' takes no named argument '%s' (only '%s:')", f->name, arg->name, label + 1);
        else err(r, DIAG_E018, arg, "'%s' takes no named arguments", f->name);
        continue;
      }
      int t = typeExpr(r, arg->a);
      if (modelArg >= 0) {
        Ast *decl;
        int fi = findField(r, modelArg, arg->name, &decl);
        if (fi < 0) {
          Ast tmp = *arg;
          tmp.off = arg->noff; tmp.len = arg->nlen;
          int save = r->model;
          unknownField(r, &tmp, modelArg);
          r->model = save;
        } else if (!fits(fieldType(r, modelArg, fi), t)) {
          err(r, DIAG_E049, arg->a, "field '%s' of model '%s' is %s, not %s", arg->name,
              r->t.models[modelArg]->name, campValueTypeName(fieldType(r, modelArg, fi)), campValueTypeName(t));
        } else {
          arg->index = fi;
        }
      }
      continue;
    }
    char want = paramLetter(p, nargs);
    nargs++;
    if (!want) { if (arg != first) typeExpr(r, arg); continue; }
    if (want == 'F' || want == 'M' || want == 'L') {
      if (arg->kind != AST_NAME) {
        err(r, DIAG_E018, arg, "argument %d of '%s' must be a %s name", nargs, f->name,
            want == 'F' ? "field" : want == 'M' ? "model" : "list");
        continue;
      }
      if (want == 'F') {
        int fi = r->model >= 0 ? findField(r, r->model, arg->name, NULL) : -1;
        if (r->model >= 0 && fi < 0) unknownField(r, arg, r->model);
        else if (fi == 0) err(r, DIAG_E018, arg, "the id of a record cannot be changed");
        else { arg->index = fi; arg->type = (uint8_t)fieldType(r, r->model, fi); firstType = arg->type; }
      } else if (want == 'M') {
        int m = findModel(r, arg->name);
        if (m < 0) unknownModel(r, arg);
        else { arg->index = m; modelArg = m; }
      } else {
        int l = findList(r, arg->name);
        if (l < 0) unknownList(r, arg);
        else arg->index = l;
      }
      continue;
    }
    int t = arg == first ? arg->type : typeExpr(r, arg);
    if (nargs == 1) firstType = t;
    int wt = want == 'n' ? TYPE_REAL : letterType(want);
    if (f->params[0] == 'F' && nargs == 2) wt = firstType;   /* set(field, value) */
    if (!fits(wt, t) && !(wt == TYPE_TEXT && t == TYPE_TAGS && f->kind != NATIVE_ACT)) {
      if (f->params[0] == 'F' && nargs == 2)
        err(r, DIAG_E049, arg, "field '%s' is %s, not %s", args->name, campValueTypeName(wt), campValueTypeName(t));
      else
        err(r, DIAG_E018, arg, "argument %d of '%s' must be %s, not %s", nargs, f->name, campValueTypeName(wt), campValueTypeName(t));
    }
  }
  if (nargs < minArgs || nargs > maxArgs) {
    if (minArgs == maxArgs)
      errName(r, DIAG_E017, call, "'%s' takes %d argument%s, not %d", f->name, maxArgs, maxArgs == 1 ? "" : "s", nargs);
    else
      errName(r, DIAG_E017, call, "'%s' takes %d to %d arguments, not %d", f->name, minArgs, maxArgs, nargs);
  }
  if (f->result == 'a') resultType = firstType;
  return resultType;
}

/* An int `/` inside arithmetic compared with = or != (`id / 2 * 2 = id`):
** `/` gives a real, so the test is not what it looks like. */
static const Ast *intDivision(const Ast *n) {
  if (n->kind == AST_UNARY && n->op == TK_MINUS) return intDivision(n->a);
  if (n->kind != AST_BINARY || (n->op != TK_PLUS && n->op != TK_MINUS && n->op != TK_STAR && n->op != TK_SLASH)) return NULL;
  if (n->op == TK_SLASH && n->a->type == TYPE_INT && n->b->type == TYPE_INT) return n;
  const Ast *d = intDivision(n->a);
  return d ? d : intDivision(n->b);
}

static void lintIntDivision(Resolver *r, const Ast *side) {
  const Ast *d = intDivision(side);
  if (d) campDiagReport(r->d, DIAG_W091, d->file, d->noff, d->nlen,
                        "'/' gives a real number here (7 / 2 is 3.5): use div or %% for whole-number division");
}

static int typeBinary(Resolver *r, Ast *n) {
  int a = typeExpr(r, n->a), b = typeExpr(r, n->b);
  const char *op = campLexTokenName(n->op);
  Ast opNode = *n;
  opNode.off = n->noff; opNode.len = n->nlen;
  if (a == TYPE_ANY && b == TYPE_ANY && n->op != TK_AND && n->op != TK_OR) return TYPE_ANY;
  switch (n->op) {
  case TK_AND: case TK_OR:
    if (!fits(TYPE_BOOL, a)) err(r, DIAG_E019, n->a, "%s needs bool operands, this is %s", op, campValueTypeName(a));
    if (!fits(TYPE_BOOL, b)) err(r, DIAG_E019, n->b, "%s needs bool operands, this is %s", op, campValueTypeName(b));
    return TYPE_BOOL;
  case TK_EQ: case TK_NE:
    lintIntDivision(r, n->a);
    lintIntDivision(r, n->b);
    if (!comparable(a, b)) {
      if (a == TYPE_TAGS || b == TYPE_TAGS)
        err(r, DIAG_E016, &opNode, "cannot compare %s with %s (to test a tag, write \"tag\" in field)",
            campValueTypeName(a), campValueTypeName(b));
      else
        err(r, DIAG_E016, &opNode, "cannot compare %s with %s", campValueTypeName(a), campValueTypeName(b));
    }
    return TYPE_BOOL;
  case TK_LT: case TK_LE: case TK_GT: case TK_GE:
    if (a == TYPE_BOOL || a == TYPE_TAGS || a == TYPE_LIST || b == TYPE_BOOL || b == TYPE_TAGS || b == TYPE_LIST)
      err(r, DIAG_E020, &opNode, "%s does not order %s values", op, campValueTypeName(a == TYPE_BOOL || a == TYPE_TAGS || a == TYPE_LIST ? a : b));
    else if (!comparable(a, b))
      err(r, DIAG_E016, &opNode, "cannot compare %s with %s", campValueTypeName(a), campValueTypeName(b));
    return TYPE_BOOL;
  case TK_IN:
    if (b == TYPE_TAGS) {
      if (!isTextLike(a) && a != TYPE_ANY) err(r, DIAG_E016, n->a, "a tag is text, not %s", campValueTypeName(a));
    } else if (b == TYPE_LIST) {
      if (n->b->op && !comparable(a, n->b->op))
        err(r, DIAG_E016, &opNode, "cannot look for %s in a list of %s", campValueTypeName(a), campValueTypeName(n->b->op));
    } else if (b != TYPE_ANY) {
      err(r, DIAG_E020, n->b, "'in' needs a list [..] or a tags field on its right, not %s", campValueTypeName(b));
    }
    return TYPE_BOOL;
  case TK_LIKE:
    if (!isTextLike(a) && a != TYPE_ANY) err(r, DIAG_E020, n->a, "'like' matches text, not %s", campValueTypeName(a));
    if (!isTextLike(b) && b != TYPE_ANY) err(r, DIAG_E020, n->b, "a 'like' pattern is text, not %s", campValueTypeName(b));
    return TYPE_BOOL;
  case TK_PLUS: case TK_MINUS:
    if (isNumber(a) && isNumber(b)) return a == TYPE_REAL || b == TYPE_REAL ? TYPE_REAL : TYPE_INT;
    if (a == TYPE_DATETIME && b == TYPE_DURATION) return TYPE_DATETIME;
    if (n->op == TK_PLUS && a == TYPE_DURATION && b == TYPE_DATETIME) return TYPE_DATETIME;
    if (a == TYPE_DURATION && b == TYPE_DURATION) return TYPE_DURATION;
    if (n->op == TK_MINUS && a == TYPE_DATETIME && b == TYPE_DATETIME) return TYPE_DURATION;
    if (a == TYPE_ANY || b == TYPE_ANY) return TYPE_ANY;
    err(r, DIAG_E020, &opNode, "%s is not defined for %s and %s", op, campValueTypeName(a), campValueTypeName(b));
    return TYPE_ANY;
  case TK_PERCENT: case TK_DIV:
    if (a == TYPE_INT && b == TYPE_INT) return TYPE_INT;
    if ((a == TYPE_INT || a == TYPE_ANY) && (b == TYPE_INT || b == TYPE_ANY)) return TYPE_ANY;
    err(r, DIAG_E020, &opNode, "%s takes ints, not %s and %s%s", op, campValueTypeName(a), campValueTypeName(b),
        a == TYPE_REAL || b == TYPE_REAL ? " (whole-number division has no meaning for a real: use '/')" : "");
    return TYPE_ANY;
  case TK_STAR: case TK_SLASH:
    if (isNumber(a) && isNumber(b)) return a == TYPE_REAL || b == TYPE_REAL || n->op == TK_SLASH ? TYPE_REAL : TYPE_INT;
    if (a == TYPE_ANY || b == TYPE_ANY) return TYPE_ANY;
    err(r, DIAG_E020, &opNode, "%s is not defined for %s and %s", op, campValueTypeName(a), campValueTypeName(b));
    return TYPE_ANY;
  }
  return TYPE_ANY;
}

static int typeExprInner(Resolver *r, Ast *n) {
  switch (n->kind) {
  case AST_STR: return TYPE_TEXT;
  case AST_INT: return TYPE_INT;
  case AST_REAL: return TYPE_REAL;
  case AST_BOOL: return TYPE_BOOL;
  case AST_TIME: return TYPE_DATETIME;
  case AST_DUR: return TYPE_DURATION;
  case AST_NOW: return TYPE_DATETIME;
  case AST_NULL: return TYPE_ANY;
  case AST_ARRAY: {
    int elem = 0;
    for (Ast *k = n->kids; k; k = k->next) {
      int t = typeExpr(r, k);
      if (k->kind != AST_STR && k->kind != AST_INT && k->kind != AST_REAL && k->kind != AST_BOOL &&
          k->kind != AST_TIME && k->kind != AST_DUR && !(k->kind == AST_UNARY && k->op == TK_MINUS &&
          (k->a->kind == AST_INT || k->a->kind == AST_REAL)))
        err(r, DIAG_E043, k, "list elements must be constants");
      else if (elem && !comparable(elem, t))
        err(r, DIAG_E016, k, "a list of %s cannot hold %s", campValueTypeName(elem), campValueTypeName(t));
      else if (!elem || (elem == TYPE_INT && t == TYPE_REAL)) elem = t;
    }
    n->op = (uint16_t)elem;
    return TYPE_LIST;
  }
  case AST_NAME: {
    if (r->model < 0) { err(r, DIAG_E011, n, "'%s': no record here to read fields from", n->name); return TYPE_ANY; }
    int fi = findField(r, r->model, n->name, NULL);
    if (fi < 0) {
      int m = findModel(r, n->name), l = findList(r, n->name);
      unknownField(r, n, r->model);
      if (l >= 0) noteAt(r, r->t.lists[l], "'%s' is a list: test membership with in_list(%s)", n->name, n->name);
      else if (m >= 0) noteAt(r, r->t.models[m], "'%s' is a model, not a field", n->name);
      return TYPE_ANY;
    }
    n->index = fi;
    return fieldType(r, r->model, fi);
  }
  case AST_BINARY: return typeBinary(r, n);
  case AST_UNARY: {
    int t = typeExpr(r, n->a);
    if (n->op == TK_NOT) {
      if (!fits(TYPE_BOOL, t)) err(r, DIAG_E019, n->a, "'not' needs a bool, this is %s", campValueTypeName(t));
      return TYPE_BOOL;
    }
    if (!isNumber(t) && t != TYPE_DURATION && t != TYPE_ANY)
      err(r, DIAG_E020, n, "'-' is not defined for %s", campValueTypeName(t));
    return t;
  }
  case AST_ISSET:
    typeExpr(r, n->a);
    return TYPE_BOOL;
  case AST_CALL: {
    int nat = findNative(n->name);
    if (nat < 0) {
      unknownNative(r, n, NATIVE_FN);
      for (Ast *a = n->kids; a; a = a->next) typeExpr(r, a->kind == AST_NAMEDARG ? a->a : a);
      return TYPE_ANY;
    }
    if (campNatives[nat].kind == NATIVE_ACT) {
      errName(r, DIAG_E033, n, "'%s' is an action: it can only be a statement of an action activity", n->name);
      return TYPE_ANY;
    }
    n->index = nat;
    return typeCall(r, n, nat, NULL, n->kids);
  }
  case AST_PIPE: {
    typeExpr(r, n->a);
    int nat = findNative(n->name);
    if (nat < 0 || campNatives[nat].kind == NATIVE_ACT) {
      unknownNative(r, n, NATIVE_FLT);
      for (Ast *a = n->kids; a; a = a->next) typeExpr(r, a);
      return TYPE_ANY;
    }
    n->index = nat;
    return typeCall(r, n, nat, n->a, n->kids);
  }
  case AST_TEMPLATE:
    for (Ast *k = n->kids; k; k = k->next)
      if (k->kind != AST_STR) typeExpr(r, k);
    return TYPE_TEXT;
  default:
    return TYPE_ANY;
  }
}

static int typeExpr(Resolver *r, Ast *n) {
  int t = typeExprInner(r, n);
  n->type = (uint8_t)t;
  return t;
}

void checkCondition(Resolver *r, Ast *e, const char *where) {
  int t = typeExpr(r, e);
  if (!fits(TYPE_BOOL, t)) err(r, DIAG_E019, e, "%s must be a bool condition, this is %s", where, campValueTypeName(t));
}

/* -- templates and bodies ---------------------------------------------- */

/* Parse and type a string used as a template.  Inline strings are lexed
** from their decoded text with offsets into the .camp file. */
void checkTemplateString(Resolver *r, Ast *s) {
  if (!strstr(s->name, "{{")) return;
  uint32_t quote = 1;
  const char *src = r->d->src[s->file].text + s->off;
  if (s->len >= 6 && !strncmp(src, "\"\"\"", 3)) quote = 3;
  Ast *tpl = campParseTemplate(r->u, s->file, s->off + quote, s->name, s->nameLen);
  if (!tpl) return;
  typeExpr(r, tpl);
  s->tpl = tpl;
}

static int isBodyFile(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || strpbrk(s, " \t\r\n<{")) return 0;
  static const char *const ext[] = { ".html", ".htm", ".txt", ".md" };
  for (unsigned i = 0; i < sizeof ext / sizeof ext[0]; i++) {
    size_t e = strlen(ext[i]);
    if (n > e && !strcmp(s + n - e, ext[i])) return 1;
  }
  return 0;
}

/* Does expression n read a field of the record? */
static int readsRecord(const Ast *n) {
  if (!n) return 0;
  if (n->kind == AST_NAME) return 1;
  if (readsRecord(n->a) || readsRecord(n->b)) return 1;
  for (const Ast *k = n->kids; k; k = k->next) if (readsRecord(k)) return 1;
  return 0;
}

/* The values of an HTML body that the compiler cannot make safe for the
** author: `| raw` on a record value (W060: escaping is off, the tracker
** leaves its links alone, but markup goes out as the record has it) and a
** record value as a link target (W061: checked and untracked at send
** time).  campHtml* is the scanner codegen uses to choose the escaping. */
static void lintHtmlValues(Resolver *r, const Ast *tpl) {
  if (!tpl) return;
  HtmlScan html;
  campHtmlInit(&html);
  for (const Ast *k = tpl->kids; k; k = k->next) {
    if (k->kind == AST_STR) { campHtmlText(&html, k->name, k->nameLen); continue; }
    int mode = campHtmlValue(&html);
    int raw = k->kind == AST_PIPE && k->index >= 0 && !strcmp(campNatives[k->index].name, "raw");
    if (raw && readsRecord(k->a))
      campDiagReport(r->d, DIAG_W060, k->file, k->off, k->len,
                     "'raw' on a value read from the record: markup in it reaches the email unescaped "
                     "(use 'raw' on constants only)");
    else if (!raw && mode == ESC_URL && readsRecord(k))
      campDiagReport(r->d, DIAG_W061, k->file, k->off, k->len,
                     "a link target read from the record: sent only when it is an http(s):// or mailto: URL "
                     "(else '#'), and never tracked");
  }
}

char *besideFile(Resolver *r, const Ast *s) {
  const char *from = r->d->src[s->file].path;
  const char *slash = strrchr(from, '/');
  size_t dl = slash && s->name[0] != '/' ? (size_t)(slash - from + 1) : 0;
  char *path = campArenaAlloc(&r->u->arena, dl + s->nameLen + 1);
  memcpy(path, from, dl);
  strcpy(path + dl, s->name);
  return path;
}

void checkBody(Resolver *r, Ast *s) {
  if (!isBodyFile(s->name)) { checkTemplateString(r, s); lintHtmlValues(r, s->tpl); return; }
  char *path = besideFile(r, s);
  char *why;
  int f = campDiagLoadUsed(r->d, path, "body file ", &why);
  if (f < 0) {
    err(r, DIAG_E027, s, "%s", why);
    free(why);
    return;
  }
  Source *src = &r->d->src[f];
  if (memchr(src->text, 0, src->len)) {
    err(r, DIAG_E027, s, "body file '%s' is not text (it holds a NUL byte)", path);
    return;
  }
  Ast *tpl = campParseTemplate(r->u, (uint32_t)f, 0, src->text, src->len);
  if (!tpl) return;
  typeExpr(r, tpl);
  s->tpl = tpl;
  lintHtmlValues(r, tpl);
}

int campResolveFromValid(const char *v) {
  const char *lt = strchr(v, '<');
  const char *addr = lt ? lt + 1 : v;
  size_t n = lt ? strcspn(addr, ">") : strlen(addr);
  const char *at = memchr(addr, '@', n);
  return n > 2 && at && at > addr && at < addr + n - 1 && memchr(at + 1, '.', (size_t)(addr + n - at - 1)) &&
         !memchr(addr, ' ', n) && (!lt || addr[n] == '>');
}

void checkFrom(Resolver *r, Ast *s) {
  checkTemplateString(r, s);
  if (s->tpl) return;
  if (!campResolveFromValid(s->name))
    err(r, DIAG_E039, s, "'%s' is not a sender address (write \"Name <user@example.com>\" or \"user@example.com\")", s->name);
}

/* -- durations ------------------------------------------------------------- */

void checkDuration(Resolver *r, Ast *d, const char *what, int zeroOk) {
  if (!d) return;
  if (!zeroOk && d->v.i == 0) err(r, DIAG_E028, d, "%s must be longer than zero", what);
  else if (d->v.i > MAX_DURATION) err(r, DIAG_E029, d, "%s of %lld days is beyond the limit of 5 years", what,
                                      (long long)(d->v.i / 86400));
}

/* -- declarations ----------------------------------------------------------- */

/* A property may appear once; report the second. */
int onceProps(Resolver *r, Ast *decl) {
  int errors = 0;
  for (Ast *k = decl->kids; k; k = k->next) {
    if (k->kind != AST_PROP || k->op == PROP_GOAL || k->op == PROP_FIELD || k->op == PROP_ESP || k->op == PROP_CAP)
      continue;    /* a website has as many goals as it likes, a sync as many fields; checkSync counts providers */
    for (Ast *j = decl->kids; j != k; j = j->next)
      if (j->kind == AST_PROP && j->op == k->op) {
        Ast kw = *k;
        kw.len = (uint32_t)strlen(campAstPropName(k->op));
        err(r, DIAG_E035, &kw, "'%s' given twice", campAstPropName(k->op));
        noteAt(r, j, "first given here");
        errors++;
        break;
      }
  }
  return errors;
}

void propNotAllowed(Resolver *r, Ast *p, const char *where) {
  Ast kw = *p;
  kw.len = (uint32_t)strlen(campAstPropName(p->op));
  err(r, DIAG_E036, &kw, "'%s' is not allowed in %s", campAstPropName(p->op), where);
}

static int isMailTrigger(int t) {
  return t == TRIG_OPEN || t == TRIG_REPLY || t == TRIG_NO_OPEN || t == TRIG_NO_REPLY;
}
static int isEventTrigger(int t) { return t >= TRIG_OPEN; }
static int isPositive(int t) { return campTriggerPositive(t); }
static int isNegative(int t) { return campTriggerNegative(t); }
static int isVisit(int t) { return t == TRIG_VISIT || t == TRIG_NO_VISIT; }

/* Two branches wait for the same thing: one trigger, and for visits one
** condition. */
static int sameBranch(const Ast *a, const Ast *b) {
  if (a->op != b->op) return 0;
  if (!a->b || !b->b) return !a->b && !b->b;
  return a->b->op == b->b->op && !strcmp(a->b->a->name, b->b->a->name);
}

/* `on visit where url like "…" | event "…"`: only visit branches have a
** condition, and it is not empty. */
static void checkVisitCondition(Resolver *r, Ast *br) {
  Ast *c = br->b;
  if (!c) return;
  if (!isVisit(br->op)) {
    err(r, DIAG_E076, c, "'%s' is a condition of 'on visit' and 'on no visit', not of 'on %s'",
        c->op == PROP_URL ? "where url like" : "event", campAstTriggerName(br->op));
    return;
  }
  if (!c->a->name[0])
    err(r, DIAG_E076, c->a, c->op == PROP_URL ? "an empty URL pattern matches nothing (\"%%/pricing%%\", or drop 'where')"
                                             : "an empty event name matches nothing");
}

/* W051: without a default sender (camp config sender) the runtime would
** send from camp <noreply@camp.invalid>, which no real server accepts
** (runtime/compose.c campComposeSplitFrom). */
#define NO_FROM "%s '%s' has no 'from': it goes out from the database's default sender (camp config sender), else as " \
                "'camp <noreply@camp.invalid>', which mail servers refuse (add from \"Name <you@example.com>\")"


/* The offset of the '{' of a branch (its node starts at `on`): re-read from
** the source, since the tree keeps no token of it. */
static uint32_t branchBrace(Resolver *r, const Ast *br) {
  const Source *s = &r->d->src[br->file];
  Lexer lx = { .text = s->text, .len = s->len, .pos = br->off };
  for (;;) {
    const char *why;
    Token t = campLexToken(&lx, &why);
    if (t.type == TK_LBRACE) return t.off;
    if (t.type == 0 || t.type == TK_ILLEGAL) return br->off;
  }
}

static void checkBranch(Resolver *r, Ast *br, const Ast *parent, Ast *campaign) {
  int t = br->op;
  Ast on = *br;
  on.len = 2;
  if (isEventTrigger(t)) {
    if (parent->op == ACT_ACTION)
      err(r, DIAG_E021, &on, "'on %s' needs an email%s parent; '%s' is an action", campAstTriggerName(t),
          isMailTrigger(t) ? "" : " or SMS", parent->name);
    else if (parent->op == ACT_SMS && isMailTrigger(t))
      err(r, DIAG_E022, &on, "'on %s' is a mail trigger; an SMS parent ('%s') has click, no click and bounce",
          campAstTriggerName(t), parent->name);
  }
  if (t == TRIG_DONE && br->a)
    err(r, DIAG_E040, br->a, "'within' has no meaning on 'on done' (use 'after' on the activities)");
  if (isNegative(t) && !br->a)
    err(r, DIAG_E023, &on, "'on %s' needs 'within DURATION': how long to wait for the %s", campAstTriggerName(t),
        campAstTriggerName(t) + 3);
  if (isPositive(t) && !br->a)
    campDiagReport(r->d, DIAG_W024, br->file, br->off, 2,
                   "'on %s' without 'within': participants whose '%s' never sees %s %s never complete",
                   campAstTriggerName(t), parent->name, t == TRIG_OPEN ? "an" : "a", campAstTriggerName(t));
  checkDuration(r, br->a, "'within'", 0);
  checkVisitCondition(r, br);
  for (Ast *k = parent->kids; k != br; k = k->next)
    if (k->kind == AST_BRANCH && sameBranch(k, br)) {
      campDiagReport(r->d, DIAG_W045, br->file, br->off, 2, "a second 'on %s' branch under '%s'",
                     campAstTriggerName(t), parent->name);
      noteAt(r, k, "the first is here; put both activities in one branch");
      break;
    }
  if (!br->kids)
    campDiagReport(r->d, DIAG_W062, br->file, branchBrace(r, br), 1,
                   "empty branch: 'on %s' under '%s' has no activities (add one, or remove the branch)",
                   campAstTriggerName(t), parent->name);
  for (Ast *a = br->kids; a; a = a->next) checkActivity(r, a, parent, campaign);
}

/* Names must be unique within a campaign, across its whole tree. */
static void checkActivityName(Resolver *r, Ast *act, Ast *tree, int *seen) {
  for (Ast *k = tree->kids; k && !*seen; k = k->next) {
    if (k == act) { *seen = 1; return; }
    if (k->kind == AST_ACTIVITY && nameIs(k, act->name)) {
      errName(r, DIAG_E015, act, "duplicate activity '%s' in this campaign", act->name);
      noteAt(r, k, "'%s' is first declared here", k->name);
      *seen = 2;
      return;
    }
    if (k->kind == AST_ACTIVITY || k->kind == AST_BRANCH || k->kind == AST_PATH) checkActivityName(r, act, k, seen);
  }
}

void checkActivity(Resolver *r, Ast *act, const Ast *parent, Ast *campaign) {
  const char *kind = campAstActKindName(act->op);
  int seen = 0;
  (void)parent;
  checkActivityName(r, act, campaign, &seen);
  if (act->op == ACT_SPLIT || act->op == ACT_IF) { checkNode(r, act, campaign); return; }
  checkDuration(r, act->a, "'after'", 1);
  onceProps(r, act);
  int calls = 0;
  Ast *subject = NULL, *body = NULL, *text = NULL, *from = NULL;
  for (Ast *k = act->kids; k; k = k->next) {
    if (k->kind == AST_CALL) {
      calls++;
      if (act->op != ACT_ACTION) {
        errName(r, DIAG_E033, k, "'%s(…)' is an action call; it belongs in an action activity, not an %s", k->name, kind);
        continue;
      }
      int nat = findNative(k->name);
      if (nat < 0) { unknownNative(r, k, NATIVE_ACT); continue; }
      if (campNatives[nat].kind != NATIVE_ACT) {
        errName(r, DIAG_E033, k, "'%s' is a function, not an action: an action body holds action calls", k->name);
        continue;
      }
      k->index = nat;
      typeCall(r, k, nat, NULL, k->kids);
      for (Ast *a = k->kids; a; a = a->next) {
        Ast *v = a->kind == AST_NAMEDARG ? a->a : a;
        if (v->kind == AST_STR) { checkTemplateString(r, v); }
      }
      continue;
    }
    if (k->kind != AST_PROP) continue;
    switch (k->op) {
    case PROP_SUBJECT: case PROP_BODY: case PROP_FROM:
      if (act->op != ACT_EMAIL) { propNotAllowed(r, k, act->op == ACT_SMS ? "an sms (it has 'text')" : "an action"); break; }
      if (k->op == PROP_SUBJECT) { subject = k; checkTemplateString(r, k->a); }
      else if (k->op == PROP_BODY) { body = k; checkBody(r, k->a); }
      else { from = k; checkFrom(r, k->a); }
      break;
    case PROP_TEXT:
      if (act->op == ACT_ACTION) { propNotAllowed(r, k, "an action"); break; }
      text = k;
      checkTemplateString(r, k->a);
      if (act->op == ACT_SMS && k->a->nameLen > 1530)
        campDiagReport(r->d, DIAG_W047, k->a->file, k->a->off, k->a->len,
                       "SMS text of %u bytes needs more than 10 segments", k->a->nameLen);
      break;
    case PROP_WHERE:
      checkCondition(r, k->a, "an activity's 'where'");
      break;
    case PROP_WINDOW: case PROP_CAPMODE: case PROP_CAP: case PROP_TIMEZONE: case PROP_TZFIELD: case PROP_PRIORITY:
      checkTimingProp(r, k, kind, -1, NULL);
      break;
    case PROP_EXPIRE:
      checkDuration(r, k->a, "'expire'", 0);
      if (act->a && k->a->v.i > 0 && k->a->v.i < act->a->v.i) {
        char exp[CAMP_CLOCK_DURATION_SIZE], after[CAMP_CLOCK_DURATION_SIZE];
        campClockFormatDuration(k->a->v.i, exp);
        campClockFormatDuration(act->a->v.i, after);
        err(r, DIAG_E031, k->a, "'expire' (%s) is shorter than the activity's own delay ('after', %s)", exp, after);
      }
      break;
    default:
      propNotAllowed(r, k, "an activity");
    }
  }
  if (act->op == ACT_EMAIL && !subject) errName(r, DIAG_E025, act, "email '%s' has no subject", act->name);
  if (act->op == ACT_EMAIL && !body) errName(r, DIAG_E026, act, "email '%s' has no body", act->name);
  if (act->op == ACT_EMAIL && !from) errName(r, DIAG_W051, act, NO_FROM, "email", act->name);
  if (act->op == ACT_SMS && !text) errName(r, DIAG_E032, act, "sms '%s' has no text", act->name);
  if (act->op == ACT_ACTION && calls == 0)
    errName(r, DIAG_E046, act, "action '%s' does nothing: give it an action call such as note(\"…\")", act->name);
  for (Ast *k = act->kids; k; k = k->next)
    if (k->kind == AST_BRANCH) checkBranch(r, k, act, campaign);
}

/* target MODEL: sets r->model; returns the model index or -1. */
static int checkTarget(Resolver *r, Ast *decl, const char *what) {
  Ast *t = campResolveProp(decl, PROP_TARGET), *to = decl->kind == AST_CAMPAIGN ? campResolveProp(decl, PROP_TO) : NULL;
  if (to) {                                   /* a campaign's `target list NAME` */
    if (t) { err(r, DIAG_E072, t, "campaign '%s' targets both model '%s' and list '%s': say one (a list brings its model)",
                 decl->name, t->a->name, to->a->name); noteAt(r, to, "the list is named here"); }
    int l = findList(r, to->a->name);
    if (l < 0) { unknownList(r, to->a); return -1; }
    to->a->index = l;
    decl->b = r->t.lists[l];
    return r->t.lists[l]->index;
  }
  if (!t) { errName(r, DIAG_E034, decl, decl->kind == AST_CAMPAIGN ? "%s '%s' has no 'target MODEL' or 'target list NAME'"
                    : "%s '%s' has no 'target MODEL'", what, decl->name); return -1; }
  int m = findModel(r, t->a->name);
  if (m < 0) unknownModel(r, t->a);
  else t->a->index = m;
  return m;
}

/* `initiative NAME` in a campaign or mailing: a declared one.  A campaign's
** links take its code as their UTM campaign, so a `code` of its own too is
** one code too many. */
static void checkMember(Resolver *r, Ast *d) {
  Ast *p = campResolveProp(d, PROP_INITIATIVE);
  if (!p) return;
  int i = findInitiative(r, p->a->name);
  if (i < 0) {
    err(r, DIAG_E065, p->a, "unknown initiative '%s'", p->a->name);
    for (uint32_t k = 0; k < r->t.ninit; k++)
      if (nearEnough(p->a->name, r->t.inits[k]->name)) { noteAt(r, r->t.inits[k], "did you mean '%s'?", r->t.inits[k]->name); break; }
    return;
  }
  p->a->index = i;
  Ast *code = campResolveProp(d, PROP_CODE);
  if (code) {
    err(r, DIAG_E071, code, d->kind == AST_WEBSITE ? "website '%s' credits initiative '%s', whose code its visits carry: remove its own code \"%s\""
                          : "campaign '%s' belongs to initiative '%s', whose code its links carry: remove its own code \"%s\"",
        d->name, p->a->name, code->a->name);
    noteAt(r, p, "the initiative is named here");
  }
}

static void checkCampaign(Resolver *r, Ast *c) {
  onceProps(r, c);
  checkMember(r, c);
  int m = checkTarget(r, c, "campaign");
  c->index = m;
  r->model = m;
  int acts = 0;
  Ast *caps[2] = { 0, 0 };
  for (Ast *k = c->kids; k; k = k->next) {
    if (k->kind == AST_ACTIVITY) { acts++; continue; }
    if (k->kind != AST_PROP) continue;
    if (checkTimingProp(r, k, "campaign", m, caps)) continue;
    if (k->op == PROP_WHERE && m >= 0) checkCondition(r, k->a, "a campaign's 'where'");
    if (k->op == PROP_UNIQUE && m >= 0) {
      int fi = findField(r, m, k->a->name, NULL);
      if (fi < 0)
        err(r, DIAG_E030, k->a, "'unique %s': model '%s' has no field '%s'", k->a->name, r->t.models[m]->name, k->a->name);
      else if (fi == 0)
        err(r, DIAG_E030, k->a, "'unique id' says nothing: every record is its own participant already");
      else if (fieldType(r, m, fi) == TYPE_TAGS)
        err(r, DIAG_E030, k->a, "'unique %s': a tags field cannot dedupe participants", k->a->name);
      else k->a->index = fi;
    }
  }
  if (!acts) campDiagReport(r->d, DIAG_W037, c->file, c->noff, c->nlen, "campaign '%s' has no activities", c->name);
  if (m >= 0)
    for (Ast *k = c->kids; k; k = k->next)
      if (k->kind == AST_ACTIVITY) checkActivity(r, k, NULL, c);
  r->model = -1;
}

/* A list's kind (Oro's three) fits its filter: dynamic and on_demand read
** one, manual has none; keep_contacted (default on) is for the first two. */
static void checkListKind(Resolver *r, Ast *l, const Ast *where) {
  static const char *const kinds[] = { NULL, "dynamic", "on_demand", "manual" };
  Ast *k = campResolveProp(l, PROP_KIND), *keep = campResolveProp(l, PROP_KEEP);
  l->op = where ? LIST_DYNAMIC : LIST_MANUAL;
  if (k) {
    int found = 0;
    for (int i = LIST_DYNAMIC; i <= LIST_MANUAL; i++) if (nameIs(k->a, kinds[i])) found = i;
    if (!found) { err(r, DIAG_E064, k->a, "unknown list kind '%s' (kinds: dynamic, on_demand, manual)", k->a->name); return; }
    l->op = (uint16_t)found;
    if (found == LIST_MANUAL && where)
      err(r, DIAG_E064, k->a, "a manual list has no filter: its members are added by hand or by actions (remove 'where', "
          "or say 'kind on_demand' for a snapshot of it)");
    if (found != LIST_MANUAL && !where)
      err(r, DIAG_E064, k->a, "%s list is its filter%s: give it a 'where'", found == LIST_ON_DEMAND ? "an on_demand" : "a dynamic",
          found == LIST_ON_DEMAND ? " as of its last refresh" : "");
  }
  l->v.i = l->op != LIST_MANUAL && (!keep || keep->a->v.i);
  if (keep && l->op == LIST_MANUAL) propNotAllowed(r, keep, "a manual list (it keeps every member until removed)");
}

/* The model's first email field, else its first phone field: how a
** member is contacted (0: none). */
static int contactField(Resolver *r, int m) {
  int i = 1, phone = 0;
  for (Ast *f = r->t.models[m]->kids; f; f = f->next, i++) {
    if (f->op == TYPE_EMAIL) return i;
    if (f->op == TYPE_PHONE && !phone) phone = i;
  }
  return phone;
}

static void checkList(Resolver *r, Ast *l) {
  onceProps(r, l);
  int m = checkTarget(r, l, "list");
  l->index = m;
  r->model = m;
  Ast *w = campResolveProp(l, PROP_WHERE);
  if (w && m >= 0) checkCondition(r, w->a, "a list's 'where'");
  if (m >= 0 && !contactField(r, m))
    errName(r, DIAG_E063, l, "list '%s' targets model '%s', which has no email or phone field: its members could not be contacted",
            l->name, r->t.models[m]->name);
  checkListKind(r, l, w);
  r->model = -1;
}

/* s is 1 to max letters, digits, '_', '-' (and '.' when dot). */
static int wordValid(const char *s, size_t max, int dot) {
  size_t len = strlen(s);
  int ok = len >= 1 && len <= max;
  for (size_t i = 0; ok && i < len; i++)
    ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
         s[i] == '-' || (dot && s[i] == '.');
  return ok;
}

static void checkCode(Resolver *r, const Ast *code) {
  if (!wordValid(code->a->name, 20, 0))
    err(r, DIAG_E066, code->a, "code \"%s\": a code is 1 to 20 letters, digits, '_' or '-'", code->a->name);
}

/* An initiative's code (Oro's rule), period, budget and scale. */
static void checkInitiative(Resolver *r, Ast *n) {
  onceProps(r, n);
  Ast *code = campResolveProp(n, PROP_CODE), *start = campResolveProp(n, PROP_START), *end = campResolveProp(n, PROP_END);
  if (!code) errName(r, DIAG_E070, n, "initiative '%s' has no code (code \"SPRING26\": the UTM campaign of its links)", n->name);
  else checkCode(r, code);
  if (start && end && start->a->v.i >= end->a->v.i) {
    err(r, DIAG_E067, end->a, "initiative '%s' ends before it starts", n->name);
    noteAt(r, start, "it starts here");
  }
  Ast *b = campResolveProp(n, PROP_BUDGET);
  if (b && (b->a->kind == AST_INT ? b->a->v.i < 0 : b->a->v.r < 0))
    err(r, DIAG_E068, b->a, "a budget is 0 or more");
  if (b && (b->a->kind == AST_INT ? b->a->v.i > INT64_MAX / 100 : b->a->v.r > 1e15))
    err(r, DIAG_E068, b->a, "budget out of range (at most 10^15)");
  else if (b && b->a->kind == AST_REAL && fabs(b->a->v.r * 100 - (double)llround(b->a->v.r * 100)) > 1e-6)
    err(r, DIAG_E068, b->a, "a budget has at most two decimals");
  if (b) {
    const char *c = b->b->name;
    int ok = strlen(c) == 3;
    for (int i = 0; ok && i < 3; i++) ok = c[i] >= 'A' && c[i] <= 'Z';
    if (!ok) err(r, DIAG_E068, b->b, "currency '%s': write its ISO 4217 code (EUR, USD, GBP ...)", c);
  }
  Ast *sc = campResolveProp(n, PROP_SCALE);
  if (sc && !nameIs(sc->a, "hour") && !nameIs(sc->a, "day") && !nameIs(sc->a, "month"))
    err(r, DIAG_E069, sc->a, "unknown report scale '%s' (hour, day or month)", sc->a->name);
}

/* An http(s) URL with a host: where a website is. */
static int siteUrlValid(const char *u) {
  const char *h = !strncmp(u, "https://", 8) ? u + 8 : !strncmp(u, "http://", 7) ? u + 7 : NULL;
  if (!h || !*h || *h == '/' || *h == ':') return 0;
  for (const char *c = u; *c; c++) if ((unsigned char)*c <= ' ' || *c == '"' || *c == '<' || *c == '>' || *c == '\\') return 0;
  return 1;
}

/* identify FIELD: a text-like field of the website's target whose value
** the collector trusts as a user id. */
static void checkIdentify(Resolver *r, Ast *w, int m) {
  Ast *id = campResolveProp(w, PROP_IDENTIFY);
  if (!id) return;
  if (!campResolveProp(w, PROP_TARGET)) {
    err(r, DIAG_E075, id->a, "'identify %s' needs 'target MODEL': the model whose field it is", id->a->name);
    return;
  }
  if (m < 0) return;
  int f = findField(r, m, id->a->name, NULL);
  if (f < 0) unknownField(r, id->a, m);
  else if (f == 0 || !isTextLike(fieldType(r, m, f)))
    err(r, DIAG_E075, id->a, "'identify %s': a user id is matched against a text, email or phone field", id->a->name);
  else id->a->index = f;
}

/* A website: its identifier, URL, contacts' model, default code and goals. */
static void checkWebsite(Resolver *r, Ast *w) {
  onceProps(r, w);
  checkMember(r, w);
  Ast *id = campResolveProp(w, PROP_SITE_ID), *url = campResolveProp(w, PROP_URL), *t = campResolveProp(w, PROP_TARGET);
  if (!id) errName(r, DIAG_E073, w, "website '%s' has no site_id (site_id \"shop\": the idsite its tracker sends)", w->name);
  else if (!wordValid(id->a->name, 64, 1))
    err(r, DIAG_E073, id->a, "site_id \"%s\": 1 to 64 letters, digits, '_', '-' or '.'", id->a->name);
  else
    for (uint32_t i = 0; i < r->t.nsite && r->t.sites[i] != w; i++) {
      Ast *o = campResolveProp(r->t.sites[i], PROP_SITE_ID);
      if (o && !strcmp(o->a->name, id->a->name)) {
        err(r, DIAG_E073, id->a, "site_id \"%s\" is taken by website '%s': each site has its own", id->a->name, r->t.sites[i]->name);
        noteAt(r, o, "'%s' has it here", r->t.sites[i]->name);
        break;
      }
    }
  if (!url) errName(r, DIAG_E074, w, "website '%s' has no url (url \"https://shop.example.com\")", w->name);
  else if (!siteUrlValid(url->a->name))
    err(r, DIAG_E074, url->a, "url \"%s\": a website's url is http:// or https:// and its host", url->a->name);
  int m = -1;
  if (t && (m = findModel(r, t->a->name)) < 0) unknownModel(r, t->a);
  else if (t) t->a->index = m;
  w->index = m;
  Ast *code = campResolveProp(w, PROP_CODE);
  if (code) checkCode(r, code);
  checkIdentify(r, w, m);
  for (Ast *g = w->kids; g; g = g->next) {
    if (g->kind != AST_PROP || g->op != PROP_GOAL) continue;
    if (!g->a->name[0] || strlen(g->a->name) > 200) err(r, DIAG_E077, g->a, "a goal is an event name of 1 to 200 bytes");
    for (Ast *h = w->kids; h != g; h = h->next)
      if (h->kind == AST_PROP && h->op == PROP_GOAL && !strcmp(h->a->name, g->a->name)) {
        err(r, DIAG_E077, g->a, "goal \"%s\" given twice", g->a->name);
        noteAt(r, h, "first given here");
        break;
      }
  }
}

/* -- syncs (docs/SYNC.md) ------------------------------------------------- */

static int isVowel(char c) { return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U'; }

/* The tag a sync field goes by: as written, else from the record field's
** name -- Mailchimp: Oro's rule, "E_" + the name upper-cased, and when that
** is longer than 10 its vowels and spaces dropped (the "E_" kept), then
** cut to 10; Dotdigital: the name upper-cased. */
void campResolveSyncTag(const Ast *field, int esp, char *out, size_t size) {
  if (field->b) { snprintf(out, size, "%s", field->b->name); return; }
  char up[CAMP_MAX_NAME + 3];
  size_t n = 0;
  if (esp == ESP_MAILCHIMP) { up[n++] = 'E'; up[n++] = '_'; }
  for (const char *c = field->a->name; *c && n + 1 < sizeof up; c++)
    up[n++] = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
  up[n] = 0;
  if (esp == ESP_MAILCHIMP && n > 10) {
    size_t w = 2;
    for (size_t i = 2; i < n; i++) if (!isVowel(up[i]) && up[i] != ' ') up[w++] = up[i];
    up[w < 10 ? w : 10] = 0;
  }
  snprintf(out, size, "%s", up);
}

/* A merge tag (Mailchimp: 1 to 10) or data field name (Dotdigital: 1 to
** 20): upper-case letters, digits and '_', starting with a letter; EMAIL is
** the address itself. */
static void checkSyncTag(Resolver *r, Ast *f, int esp, const char *tag) {
  size_t max = esp == ESP_MAILCHIMP ? 10 : 20, len = strlen(tag);
  int ok = len >= 1 && len <= max && tag[0] >= 'A' && tag[0] <= 'Z';
  for (size_t i = 0; ok && i < len; i++) ok = (tag[i] >= 'A' && tag[i] <= 'Z') || (tag[i] >= '0' && tag[i] <= '9') || tag[i] == '_';
  const Ast *at = f->b ? f->b : f->a;
  if (!ok)
    err(r, DIAG_E080, at, "%s \"%s\": 1 to %zu upper-case letters, digits or '_', starting with a letter%s", 
        esp == ESP_MAILCHIMP ? "merge tag" : "data field", tag, max, f->b ? "" : " (name it: field TAG = ...)");
  else if (!strcmp(tag, "EMAIL"))
    err(r, DIAG_E080, at, "EMAIL is the member's address, which every sync sends: map another name");
}

/* One `field` line: its value is a field of the list's model (a.index) or
** a template over it (a.index -1); its tag valid and not repeated. */
static void checkSyncField(Resolver *r, Ast *y, Ast *f, int esp, int m) {
  if (f->a->kind == AST_NAME) {
    int i = m >= 0 ? findField(r, m, f->a->name, NULL) : -1;
    if (m >= 0 && i < 0) unknownField(r, f->a, m);
    f->a->index = i;
  } else {
    f->a->index = -1;
    if (m >= 0) checkTemplateString(r, f->a);
  }
  if (!esp) return;
  char tag[64], other[64];
  campResolveSyncTag(f, esp, tag, sizeof tag);
  checkSyncTag(r, f, esp, tag);
  for (Ast *g = y->kids; g != f; g = g->next) {
    if (g->kind != AST_PROP || g->op != PROP_FIELD) continue;
    campResolveSyncTag(g, esp, other, sizeof other);
    if (!strcmp(tag, other)) {
      err(r, DIAG_E080, f->b ? f->b : f->a, "%s \"%s\" mapped twice", esp == ESP_MAILCHIMP ? "merge tag" : "data field", tag);
      noteAt(r, g, "first mapped here");
      break;
    }
  }
}

/* Exactly one provider, its audience id or address book name, the
** segment only for Mailchimp, a period of a minute or more. */
static int checkSyncProvider(Resolver *r, Ast *y) {
  Ast *esp = NULL;
  for (Ast *k = y->kids; k; k = k->next) {
    if (k->kind != AST_PROP || k->op != PROP_ESP) continue;
    if (esp) {
      err(r, DIAG_E079, k, "sync '%s' already mirrors to %s: a sync has one provider (declare another sync)", y->name,
          esp->v.i == ESP_MAILCHIMP ? "mailchimp" : "dotdigital");
      noteAt(r, esp, "the first is here");
      continue;
    }
    esp = k;
    const char *v = k->a->name;
    if (k->v.i == ESP_MAILCHIMP && !wordValid(v, 64, 0))
      err(r, DIAG_E079, k->a, "audience \"%s\": a Mailchimp audience id is 1 to 64 letters, digits, '_' or '-'", v);
    if (k->v.i == ESP_DOTDIGITAL && (!v[0] || strlen(v) > 200))
      err(r, DIAG_E079, k->a, "an address book name is 1 to 200 bytes");
  }
  if (!esp) errName(r, DIAG_E079, y, "sync '%s' has no provider (mailchimp audience \"ID\" or dotdigital address_book \"NAME\")", y->name);
  Ast *seg = campResolveProp(y, PROP_SEGMENT), *every = campResolveProp(y, PROP_EVERY);
  if (seg && esp && esp->v.i != ESP_MAILCHIMP) err(r, DIAG_E079, seg, "'segment' is a Mailchimp audience's: an address book has none");
  else if (seg && (!seg->a->name[0] || strlen(seg->a->name) > 100)) err(r, DIAG_E079, seg->a, "a segment name is 1 to 100 bytes");
  if (every && every->a->v.i < 60) err(r, DIAG_E079, every->a, "a sync runs at most once a minute ('every 1 minute' or more)");
  return esp ? (int)esp->v.i : 0;
}

static void checkSync(Resolver *r, Ast *y) {
  onceProps(r, y);
  Ast *to = campResolveProp(y, PROP_TO);
  int m = -1;
  if (!to) errName(r, DIAG_E078, y, "sync '%s' has no list (list NAME: the list it mirrors)", y->name);
  else {
    int l = findList(r, to->a->name);
    if (l < 0) unknownList(r, to->a);
    else {
      to->a->index = l;
      m = r->t.lists[l]->index;
      int email = 0, i = 1;
      if (m >= 0) for (Ast *f = r->t.models[m]->kids; f; f = f->next, i++) email |= f->op == TYPE_EMAIL;
      if (m >= 0 && !email)
        err(r, DIAG_E078, to->a, "list '%s' targets model '%s', which has no email field: an ESP keeps members by address",
            to->a->name, r->t.models[m]->name);
    }
  }
  int esp = checkSyncProvider(r, y);
  r->model = m;
  for (Ast *k = y->kids; k; k = k->next)
    if (k->kind == AST_PROP && k->op == PROP_FIELD) checkSyncField(r, y, k, esp, m);
  r->model = -1;
  y->index = m;
}

/* Does sync y map record field `name` as it is (field TAG = name)? */
static int syncMaps(const Ast *y, const char *name) {
  for (const Ast *k = y->kids; k; k = k->next)
    if (k->kind == AST_PROP && k->op == PROP_FIELD && k->a->kind == AST_NAME && !strcmp(k->a->name, name)) return 1;
  return 0;
}

/* Is name the field sync y sends as each member's address (its model's
** first email field: the ESP's EMAIL)? */
static int syncEmail(const Resolver *r, const Ast *y, const char *name) {
  if (y->index < 0) return 0;
  for (const Ast *f = r->t.models[y->index]->kids; f; f = f->next)
    if (f->op == TYPE_EMAIL) return !strcmp(f->name, name);
  return 0;
}

/* The record fields a mailing sent via an ESP reads must be ones its sync
** maps, or the address: the ESP renders the message per member from its
** merge fields. */
static void checkViaFields(Resolver *r, const Ast *y, const Ast *n, const char *mailing) {
  if (!n) return;
  if (n->kind == AST_NAME && !syncMaps(y, n->name) && !syncEmail(r, y, n->name)) {
    err(r, DIAG_E081, n, "mailing '%s' is sent via sync '%s', which does not map '%s': the ESP fills in only mapped fields "
        "(add 'field TAG = %s' to the sync)", mailing, y->name, n->name, n->name);
    return;
  }
  if (n->kind != AST_CALL) checkViaFields(r, y, n->a, mailing);
  checkViaFields(r, y, n->b, mailing);
  /* a native's model and list arguments (in_list(news)) name no field; a pipe's input is its parameter 0 */
  int call = (n->kind == AST_CALL || n->kind == AST_PIPE) && n->index >= 0, i = n->kind == AST_PIPE;
  for (const Ast *k = n->kids; k; k = k->next, i++) {
    char want = call ? paramLetter(campNatives[n->index].params, i) : 0;
    if (want != 'M' && want != 'L') checkViaFields(r, y, k, mailing);
  }
}

/* `via mailchimp|dotdigital SYNC`: a declared sync of that provider, on the
** mailing's own list. */
static void checkVia(Resolver *r, Ast *ml) {
  Ast *via = campResolveProp(ml, PROP_VIA);
  if (!via) return;
  int s = findSync(r, via->a->name);
  if (s < 0) {
    err(r, DIAG_E081, via->a, "unknown sync '%s'", via->a->name);
    for (uint32_t i = 0; i < r->t.nsync; i++)
      if (nearEnough(via->a->name, r->t.syncs[i]->name)) { noteAt(r, r->t.syncs[i], "did you mean '%s'?", r->t.syncs[i]->name); break; }
    return;
  }
  Ast *y = r->t.syncs[s], *esp = campResolveProp(y, PROP_ESP), *to = campResolveProp(y, PROP_TO);
  via->a->index = s;
  const char *want = via->v.i == ESP_MAILCHIMP ? "mailchimp" : "dotdigital";
  if (esp && esp->v.i != via->v.i) {
    err(r, DIAG_E081, via->a, "sync '%s' is not a %s sync", y->name, want);
    noteAt(r, esp, "it mirrors to %s", esp->v.i == ESP_MAILCHIMP ? "mailchimp" : "dotdigital");
  }
  if (ml->b && to && to->a->index >= 0 && r->t.lists[to->a->index] != ml->b) {
    err(r, DIAG_E081, via->a, "sync '%s' mirrors list '%s', not this mailing's list '%s'", y->name, to->a->name, ml->b->name);
    noteAt(r, to, "its list is named here");
  }
  for (Ast *k = ml->kids; k; k = k->next)
    if (k->kind == AST_PROP && (k->op == PROP_SUBJECT || k->op == PROP_BODY || k->op == PROP_TEXT || k->op == PROP_FROM) && k->a->tpl)
      checkViaFields(r, y, k->a->tpl, ml->name);
}

static void checkMailing(Resolver *r, Ast *ml) {
  onceProps(r, ml);
  checkMember(r, ml);
  Ast *to = campResolveProp(ml, PROP_TO);
  int m = -1;
  if (!to) errName(r, DIAG_E044, ml, "mailing '%s' has no 'to list NAME'", ml->name);
  else {
    int l = findList(r, to->a->name);
    if (l < 0) unknownList(r, to->a);
    else { to->a->index = l; m = r->t.lists[l]->index; ml->b = r->t.lists[l]; }
  }
  ml->index = m;
  r->model = m;
  Ast *subject = NULL, *body = NULL, *from = NULL;
  for (Ast *k = ml->kids; k; k = k->next) {
    if (k->kind != AST_PROP) continue;
    if (checkTimingProp(r, k, "mailing", m, NULL)) continue;
    if (k->op == PROP_TEST) { if (m >= 0) checkTest(r, ml, k); continue; }
    if (k->op == PROP_SUBJECT) { subject = k; if (m >= 0) checkTemplateString(r, k->a); }
    if (k->op == PROP_BODY) { body = k; if (m >= 0) checkBody(r, k->a); }
    if (k->op == PROP_TEXT && m >= 0) checkTemplateString(r, k->a);
    if (k->op == PROP_FROM) from = k;
    if (k->op == PROP_FROM && m >= 0) checkFrom(r, k->a);
  }
  if (!from) errName(r, DIAG_W051, ml, NO_FROM, "mailing", ml->name);
  if (!subject) errName(r, DIAG_E025, ml, "mailing '%s' has no subject", ml->name);
  if (!body) errName(r, DIAG_E026, ml, "mailing '%s' has no body", ml->name);
  checkVia(r, ml);
  checkViaTiming(r, ml);
  r->model = -1;
}

/* A model or field name becomes an SQL identifier: no longer than the store
** takes it whole. */
static void checkNameLength(Resolver *r, Ast *n, const char *what) {
  size_t len = strlen(n->name);
  if (len > CAMP_MAX_NAME)
    errName(r, DIAG_E008, n, "%s name of %zu bytes: names of models and fields are at most %d bytes", what, len,
            CAMP_MAX_NAME);
}

/* optout FIELD (model items, kept in m->b): once per model, naming one of
** its bool fields -- the runtime never sends to a record where it is true. */
static void checkOptOut(Resolver *r, int mi) {
  Ast *m = r->t.models[mi];
  for (Ast *p = m->b; p; p = p->next) {
    if (p != m->b) {
      err(r, DIAG_E035, p, "model '%s' declares its opt-out field twice", m->name);
      noteAt(r, m->b, "first declared here");
      continue;
    }
    Ast *decl = NULL;
    int idx = findField(r, mi, p->a->name, &decl);
    if (idx < 0) {
      unknownField(r, p->a, mi);
      for (int t = TYPE_TEXT; t <= TYPE_TAGS; t++)
        if (nameIs(p->a, campValueTypeName(t))) { noteAt(r, p, "'optout FIELD' names the opt-out field: a field cannot be called 'optout'"); break; }
      continue;
    }
    if (idx == 0 || !decl || decl->op != TYPE_BOOL) {
      err(r, DIAG_E016, p->a, "the opt-out field '%s' is %s; it must be a bool field", p->a->name,
          idx == 0 ? "int" : decl && decl->op ? campValueTypeName(decl->op) : "of an unknown type");
      continue;
    }
    p->index = idx;
  }
}

static void checkModel(Resolver *r, Ast *m) {
  if (!m->kids) errName(r, DIAG_E050, m, "model '%s' has no fields", m->name);
  checkNameLength(r, m, "model");
  uint32_t nfield = 1;                        /* id */
  for (Ast *f = m->kids; f; f = f->next) {
    if (++nfield == CAMP_MAX_FIELDS + 1) {
      uint32_t all = nfield;
      for (Ast *g = f->next; g; g = g->next) all++;
      errName(r, DIAG_E008, f, "model '%s' has %u fields with 'id': a model holds at most %d (%d declared and 'id')",
              m->name, all, CAMP_MAX_FIELDS, CAMP_MAX_FIELDS - 1);
    }
    checkNameLength(r, f, "field");
    if (nameIs(f, "id")) { errName(r, DIAG_E042, f, "'id' is reserved: every model has 'id int' already"); continue; }
    for (Ast *g = m->kids; g != f; g = g->next)
      if (nameIs(g, f->name)) {
        errName(r, DIAG_E015, f, "duplicate field '%s' in model '%s'", f->name, m->name);
        noteAt(r, g, "'%s' is first declared here", g->name);
        break;
      }
    if (!f->op) {
      err(r, DIAG_E041, f->a, "unknown field type '%s' (types: text int real bool datetime email phone tags)", f->a->name);
    }
  }
}

/* Declarations of one kind share a namespace; report a second one. */
static void checkDuplicateDecl(Resolver *r, Ast *d, Ast *files) {
  for (Ast *f = files; f; f = f->next)
    for (Ast *e = f->kids; e; e = e->next) {
      if (e == d) return;
      int clash = e->kind == d->kind && nameIs(e, d->name);
      if ((e->kind == AST_INITIATIVE || d->kind == AST_INITIATIVE) && (e->kind == AST_CAMPAIGN || e->kind == AST_INITIATIVE) &&
          (d->kind == AST_CAMPAIGN || d->kind == AST_INITIATIVE)) {
        Ast *c1 = campResolveProp(d, PROP_CODE), *c2 = campResolveProp(e, PROP_CODE);
        if (!clash && c1 && c2 && (e->kind == AST_INITIATIVE || e->kind == AST_CAMPAIGN) && !strcmp(c1->a->name, c2->a->name)) {
          err(r, DIAG_E048, c1->a, "%s '%s' and %s '%s' share the code \"%s\"", e->kind == AST_INITIATIVE ? "initiative" : "campaign",
              e->name, d->kind == AST_INITIATIVE ? "initiative" : "campaign", d->name, c1->a->name);
          noteAt(r, e, "'%s' is declared here", e->name);
          return;
        }
      }
      if (d->kind == AST_CAMPAIGN || d->kind == AST_MAILING)
        clash = (e->kind == AST_CAMPAIGN || e->kind == AST_MAILING) && nameIs(e, d->name);
      if (clash) {
        errName(r, DIAG_E015, d, "duplicate %s '%s'", d->kind == AST_MODEL ? "model" : d->kind == AST_LIST ? "list" :
                d->kind == AST_MAILING ? "mailing" : d->kind == AST_INITIATIVE ? "initiative" :
                d->kind == AST_WEBSITE ? "website" : d->kind == AST_SYNC ? "sync" : "campaign", d->name);
        noteAt(r, e, "'%s' is first declared here", e->name);
        return;
      }
      if (d->kind == AST_CAMPAIGN && e->kind == AST_CAMPAIGN) {
        Ast *c1 = campResolveProp(d, PROP_CODE), *c2 = campResolveProp(e, PROP_CODE);
        if (c1 && c2 && !strcmp(c1->a->name, c2->a->name)) {
          err(r, DIAG_E048, c1->a, "campaigns '%s' and '%s' share the code \"%s\"", e->name, d->name, c1->a->name);
          noteAt(r, e, "'%s' is declared here", e->name);
        }
      }
    }
}

static void push(Resolver *r, Ast ***v, uint32_t *n, uint32_t *cap, Ast *d) {
  if (*n == *cap) {
    uint32_t nc = *cap ? *cap * 2 : 16;
    Ast **nv = campArenaAlloc(&r->u->arena, nc * sizeof *nv);
    if (*n) memcpy(nv, *v, *n * sizeof *nv);
    *v = nv;
    *cap = nc;
  }
  (*v)[(*n)++] = d;
}

int campResolveUnit(Unit *u) {
  Resolver r = { .u = u, .d = u->diags, .model = -1 };
  uint32_t before = u->diags->nerror;
  for (Ast *f = u->files; f; f = f->next)
    for (Ast *d = f->kids; d; d = d->next) {
      if (d->kind != AST_USE && d->kind != AST_TEST) checkDuplicateDecl(&r, d, u->files);
      if (d->kind == AST_MODEL && findModel(&r, d->name) < 0) push(&r, &r.t.models, &r.t.nmodel, &r.capModel, d);
      if (d->kind == AST_LIST && findList(&r, d->name) < 0) push(&r, &r.t.lists, &r.t.nlist, &r.capList, d);
      if (d->kind == AST_INITIATIVE && findInitiative(&r, d->name) < 0) push(&r, &r.t.inits, &r.t.ninit, &r.capInit, d);
      if (d->kind == AST_WEBSITE && findWebsite(&r, d->name) < 0) push(&r, &r.t.sites, &r.t.nsite, &r.capSite, d);
      if (d->kind == AST_SYNC && findSync(&r, d->name) < 0) push(&r, &r.t.syncs, &r.t.nsync, &r.capSync, d);
    }
  for (uint32_t i = 0; i < r.t.nmodel; i++) { checkModel(&r, r.t.models[i]); checkOptOut(&r, (int)i); }
  for (uint32_t i = 0; i < r.t.nlist; i++) checkList(&r, r.t.lists[i]);
  for (uint32_t i = 0; i < r.t.ninit; i++) checkInitiative(&r, r.t.inits[i]);
  for (uint32_t i = 0; i < r.t.nsite; i++) checkWebsite(&r, r.t.sites[i]);
  for (uint32_t i = 0; i < r.t.nsync; i++) checkSync(&r, r.t.syncs[i]);
  for (Ast *f = u->files; f; f = f->next)
    for (Ast *d = f->kids; d; d = d->next) {
      if (d->kind == AST_CAMPAIGN) checkCampaign(&r, d);
      else if (d->kind == AST_MAILING) checkMailing(&r, d);
      else if (d->kind == AST_TEST) checkTestBlock(&r, d);
    }
  Resolved *t = campArenaAlloc(&u->arena, sizeof *t);
  *t = r.t;
  u->resolved = t;
  return (int)(u->diags->nerror - before);
}

int campCompileCheck(Unit *u, const char *path) {
  int e = campParseUnit(u, path);
  if (e < 0) return -1;
  /* Resolve only what parsed: a file with a syntax error is left out, so its
  ** one syntax error is not followed by a cascade of unknown names. */
  uint32_t before = u->diags->nerror;
  for (Ast *f = u->files; f; f = f->next)
    if (f->file == u->root) { campResolveUnit(u); break; }
  return (int)(u->diags->nerror - before) + e;
}

/* -- codes across root files -------------------------------------------- */

static void codeSeen(Resolver *r, CodeBook *b, size_t earlier, Ast *d, const Ast *code) {
  for (size_t i = 0; i < earlier; i++) {
    const struct CodeSeen *s = &b->v[i];
    if (strcmp(s->code, code->name)) continue;
    if (s->file == d->file && s->off == d->noff) return;         /* the same declaration, `use`d by both */
    err(r, DIAG_E048, code, "%s '%s' and %s '%s' share the code \"%s\"", s->initiative ? "initiative" : "campaign", s->name,
        d->kind == AST_INITIATIVE ? "initiative" : "campaign", d->name, code->name);
    campDiagReport(r->d, DIAG_NOTE, s->file, s->off, s->len, "'%s' is declared here", s->name);
    return;
  }
  for (size_t i = earlier; i < b->n; i++)
    if (!strcmp(b->v[i].code, code->name)) return;              /* within the unit: reported by checkDuplicateDecl */
  if (b->n == b->cap) {
    size_t nc = b->cap ? b->cap * 2 : 16;
    struct CodeSeen *nv = realloc(b->v, nc * sizeof *nv);
    if (!nv) abort();
    b->v = nv;
    b->cap = nc;
  }
  struct CodeSeen *s = &b->v[b->n++];
  s->code = strdup(code->name);
  s->name = strdup(d->name);
  if (!s->code || !s->name) abort();
  s->file = d->file; s->off = d->noff; s->len = d->nlen; s->initiative = d->kind == AST_INITIATIVE;
}

void campResolveCodeBook(Unit *u, CodeBook *b) {
  Resolver r = { .u = u, .d = u->diags, .model = -1 };
  size_t earlier = b->n;
  for (Ast *f = u->files; f; f = f->next)
    for (Ast *d = f->kids; d; d = d->next) {
      if (d->kind != AST_INITIATIVE && d->kind != AST_CAMPAIGN) continue;
      Ast *code = campResolveProp(d, PROP_CODE);
      if (code) codeSeen(&r, b, earlier, d, code->a);
    }
}

void campResolveCodeBookFree(CodeBook *b) {
  for (size_t i = 0; i < b->n; i++) { free(b->v[i].code); free(b->v[i].name); }
  free(b->v);
  memset(b, 0, sizeof *b);
}

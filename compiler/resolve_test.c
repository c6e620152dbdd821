/*
** compiler/resolve_test.c -- the checks of `test` blocks.
**
** Owns: a test's records (inline rows typed against their model, or a CSV
** file beside the .camp file: found like `use`, its header read), the names
** its steps and expectations use (records, campaigns and their activities,
** mailings and their variants, lists, websites, fields), the words they take (event
** kinds, trace and participant states, channels) and the warning for a test
** that expects nothing.  Codegen ignores tests: a file compiles to the same
** image with or without them.  Does not own: the rest of resolve
** (resolve.c) or running tests.
*/
#include <stdlib.h>
#include <string.h>
#include "compiler/resolve_int.h"
#include "runtime/program.h"
#include "parser.h"

/* One record a test starts from: its name and model. */
typedef struct TestRecord { const Ast *row; const char *name; int model; } TestRecord;

typedef struct TestScope {
  TestRecord *v; uint32_t n, cap;
  int anyFromFile;      /* records read from a CSV whose rows have no names we know */
} TestScope;

static void addRecord(Resolver *r, TestScope *s, const Ast *at, const char *name, int m) {
  for (uint32_t i = 0; i < s->n; i++)
    if (!strcmp(s->v[i].name, name)) {
      errName(r, DIAG_E095, at, "record '%s' is given twice in this test", name);
      if (s->v[i].row) noteAt(r, s->v[i].row, "'%s' is first given here", name);
      return;
    }
  if (s->n == s->cap) {
    uint32_t nc = s->cap ? s->cap * 2 : 8;
    TestRecord *nv = campArenaAlloc(&r->u->arena, nc * sizeof *nv);
    if (s->n) memcpy(nv, s->v, s->n * sizeof *nv);
    s->v = nv;
    s->cap = nc;
  }
  s->v[s->n++] = (TestRecord){ at, name, m };
}

/* The record's model, or -2 when n names no record of the test (reported). */
static int findRecord(Resolver *r, TestScope *s, const Ast *n) {
  for (uint32_t i = 0; i < s->n; i++)
    if (!strcmp(s->v[i].name, n->name)) return s->v[i].model;
  if (s->anyFromFile) return -1;
  errName(r, DIAG_E093, n, "'%s' is not a record of this test (give it under 'records')", n->name);
  return -2;
}

/* The type of a literal value (a row's value, `set` and `expect` values). */
static int literalType(const Ast *v) {
  switch (v->kind) {
  case AST_STR: return TYPE_TEXT;
  case AST_INT: return TYPE_INT;
  case AST_REAL: return TYPE_REAL;
  case AST_BOOL: return TYPE_BOOL;
  case AST_TIME: return TYPE_DATETIME;
  case AST_NULL: return TYPE_ANY;
  case AST_UNARY: return v->a ? literalType(v->a) : 0;
  default: return 0;
  }
}

/* Value v for field `field` (an AST_NAME or a row's AST_NAMEDARG) of model m. */
static void checkValue(Resolver *r, const Ast *field, Ast *v, int m) {
  int idx = findField(r, m, field->name, NULL);
  if (idx < 0) { unknownField(r, field, m); return; }
  int want = fieldType(r, m, idx), have = literalType(v);
  if (want == TYPE_TAGS && have == TYPE_TEXT) return;
  if (!have || !fits(want, have))
    err(r, DIAG_E092, v, "field '%s' of model '%s' is %s, not %s", field->name,
        r->t.models[m]->name, campValueTypeName(want), have ? campValueTypeName(have) : "a literal value");
}

/* -- records ---------------------------------------------------------------- */

/* The next CSV cell of line p (up to '\n'), unquoted, into buf. */
static const char *csvCell(const char *p, const char *end, char *buf, size_t size) {
  size_t n = 0;
  int quoted = p < end && *p == '"';
  if (quoted) p++;
  for (; p < end && *p != '\n'; p++) {
    if (quoted && *p == '"') {
      if (p + 1 < end && p[1] == '"') p++;
      else { quoted = 0; continue; }
    } else if (!quoted && (*p == ',' || *p == '\r')) break;
    if (n + 1 < size) buf[n++] = *p;
  }
  buf[n] = 0;
  while (p < end && *p == '\r') p++;
  return p < end && *p == ',' ? p + 1 : p;
}

/* `records MODEL from "file.csv"`: the file exists beside the .camp file
** (the rules of `use`) and its header names fields of the model; a column
** `record` names the rows for the test's steps. */
static void checkRecordsFile(Resolver *r, TestScope *s, Ast *rec, int m) {
  Ast *p = rec->a;
  char *path = besideFile(r, p);
  char *why;
  int f = campDiagLoadUsed(r->d, path, "records file ", &why);
  if (f < 0) { err(r, DIAG_E099, p, "%s", why); free(why); return; }
  p->index = f;                                     /* camp test imports it from there */
  const Source *src = &r->d->src[f];
  const char *q = src->text, *end = src->text + src->len;
  char cell[256];
  int col = 0, nameCol = -1;
  while (q < end && *q != '\n') {
    q = csvCell(q, end, cell, sizeof cell);
    if (!strcmp(cell, "record")) nameCol = col;
    else if (!cell[0] || findField(r, m, cell, NULL) < 0) {
      err(r, DIAG_E099, p, "records file '%s': column '%s' is not a field of model '%s'", path, cell, r->t.models[m]->name);
      return;
    }
    col++;
  }
  if (nameCol < 0) { s->anyFromFile = 1; return; }
  while (q < end) {                                 /* each row's `record` cell */
    q++;
    for (int c = 0; q < end && *q != '\n'; c++) {
      q = csvCell(q, end, cell, sizeof cell);
      if (c == nameCol && cell[0]) addRecord(r, s, rec, campArenaStrndup(&r->u->arena, cell, (uint32_t)strlen(cell)), m);
    }
  }
}

static void checkRecords(Resolver *r, TestScope *s, Ast *rec) {
  int m = findModel(r, rec->name);
  if (m < 0) {
    Ast at = *rec;
    at.off = rec->noff; at.len = rec->nlen;
    unknownModel(r, &at);
    s->anyFromFile = 1;                               /* its names stay unchecked */
    return;
  }
  rec->index = m;
  if (rec->a) { checkRecordsFile(r, s, rec, m); return; }
  for (Ast *row = rec->kids; row; row = row->next) {
    addRecord(r, s, row, row->name, m);
    for (Ast *f = row->kids; f; f = f->next) {
      for (Ast *g = row->kids; g != f; g = g->next)
        if (nameIs(g, f->name)) { errName(r, DIAG_E092, f, "field '%s' is given twice for '%s'", f->name, row->name); break; }
      checkValue(r, f, f->a, m);
    }
  }
}

/* -- campaigns and activities ------------------------------------------------ */

static Ast *findDecl(Resolver *r, AstKind kind, const char *name) {
  for (Ast *f = r->u->files; f; f = f->next)
    for (Ast *d = f->kids; d; d = d->next)
      if (d->kind == kind && nameIs(d, name)) return d;
  return NULL;
}

static Ast *findActivity(Ast *list, const char *name) {
  for (Ast *k = list; k; k = k->next) {
    if (k->kind == AST_ACTIVITY && nameIs(k, name)) return k;
    if (k->kind == AST_ACTIVITY || k->kind == AST_BRANCH || k->kind == AST_PATH) {
      Ast *a = findActivity(k->kids, name);
      if (a) return a;
    }
  }
  return NULL;
}

/* CAMPAIGN.ACTIVITY, MAILING.MAILING or MAILING.VARIANT: the activity kind
** that receives events (ACT_EMAIL for a mailing), or -1 (reported). */
static int checkRef(Resolver *r, const Ast *ref) {
  Ast *c = findDecl(r, AST_CAMPAIGN, ref->name);
  if (c) {
    Ast *a = findActivity(c->kids, ref->a->name);
    if (a) return a->op;
    err(r, DIAG_E094, ref->a, "campaign '%s' has no activity '%s'", ref->name, ref->a->name);
    return -1;
  }
  Ast *ml = findDecl(r, AST_MAILING, ref->name);
  if (!ml) {
    errName(r, DIAG_E094, ref, "unknown campaign or mailing '%s'", ref->name);
    return -1;
  }
  if (nameIs(ml, ref->a->name)) return ACT_EMAIL;
  Ast *t = campResolveProp(ml, PROP_TEST);
  for (Ast *v = t ? t->kids : NULL; v; v = v->next)
    if (v->kind == AST_VARIANT && nameIs(v, ref->a->name)) return ACT_EMAIL;
  if (t && !strcmp(ref->a->name, "winner")) return ACT_EMAIL;     /* the winner's emails to the rest */
  err(r, DIAG_E094, ref->a, "mailing '%s' has no variant '%s' (write %s.%s for the mailing itself)",
      ref->name, ref->a->name, ref->name, ref->name);
  return -1;
}

/* The step's record (its name span), the model or a negative value. */
static Ast recordName(const Ast *st) {
  return (Ast){ .kind = AST_NAME, .file = st->file, .off = st->noff, .len = st->nlen,
                .noff = st->noff, .nlen = st->nlen, .name = st->name };
}

static int stepRecord(Resolver *r, TestScope *s, const Ast *st) {
  Ast n = recordName(st);
  return findRecord(r, s, &n);
}

static int isWord(const char *w, const char *const *words) {
  for (; *words; words++)
    if (!strcmp(w, *words)) return 1;
  return 0;
}

static void checkEvent(Resolver *r, TestScope *s, Ast *st) {
  static const char *const kinds[] = { "open", "click", "reply", "bounce", "unsubscribe", NULL };
  static const char *const bySms[] = { "click", "bounce", "unsubscribe", NULL };
  const Ast *kind = st->kids;
  stepRecord(r, s, st);
  int act = checkRef(r, st->a);
  if (!isWord(kind->name, kinds)) {
    err(r, DIAG_E097, kind, "unknown event '%s' (events: open, click, reply, bounce, unsubscribe)", kind->name);
    return;
  }
  if (st->b && strcmp(kind->name, "click"))
    err(r, DIAG_E097, st->b, "only a click has a URL");
  if (act == ACT_SMS && !isWord(kind->name, bySms))
    err(r, DIAG_E097, kind, "an sms receives no '%s' (an sms gets click, bounce or unsubscribe)", kind->name);
  else if (act >= 0 && act != ACT_EMAIL && act != ACT_SMS)
    err(r, DIAG_E097, kind, "'%s' is %s %s: it receives no events", st->a->a->name,
        act == ACT_ACTION ? "an" : "a", campAstActKindName(act));
}

/* -- steps ------------------------------------------------------------------------ */

static void checkListMembers(Resolver *r, TestScope *s, Ast *st) {
  Ast n = { .kind = AST_NAME, .file = st->file, .off = st->noff, .len = st->nlen, .name = st->name };
  if (findList(r, st->name) < 0) unknownList(r, &n);
  if (st->b->kind != AST_ARRAY) { err(r, DIAG_E092, st->b, "a list's members are written [record, ...]"); return; }
  for (Ast *k = st->b->kids; k; k = k->next) {
    if (k->kind != AST_NAME) { err(r, DIAG_E092, k, "a list's members are the test's record names"); continue; }
    findRecord(r, s, k);
  }
}

/* `send MAILING`: the name is a mailing's (with or without `at`: the test
** sends it now). */
static void checkSend(Resolver *r, const Ast *name) {
  if (findDecl(r, AST_MAILING, name->name)) return;
  if (findDecl(r, AST_CAMPAIGN, name->name))
    err(r, DIAG_E094, name, "'%s' is a campaign: 'send' sends a mailing", name->name);
  else
    err(r, DIAG_E094, name, "unknown mailing '%s'", name->name);
}

/* `visit [event] STRING [on WEBSITE] for R`: the website named, else the
** only one the file and its uses declare. */
static void checkVisit(Resolver *r, TestScope *s, const Ast *st) {
  int m = stepRecord(r, s, st);
  const Ast *w = st->b ? findDecl(r, AST_WEBSITE, st->b->name) : r->t.nsite == 1 ? r->t.sites[0] : NULL;
  const Ast *target = w ? campResolveProp(w, PROP_TARGET) : NULL;
  Ast rec = recordName(st);
  if (target && m >= 0 && strcmp(target->a->name, r->t.models[m]->name))
    err(r, DIAG_E094, &rec, "'%s' is a %s: website '%s' tracks %s records", st->name, r->t.models[m]->name, w->name, target->a->name);
  if (st->b) {
    if (!w) err(r, DIAG_E094, st->b, "unknown website '%s'", st->b->name);
  } else if (r->t.nsite == 0) {
    err(r, DIAG_E094, st, "'visit' needs a website: this file and its uses declare none");
  } else if (r->t.nsite > 1) {
    err(r, DIAG_E094, st, "%u websites are declared ('%s', '%s'%s): say which, as in: visit \"%s\" on %s for %s", r->t.nsite,
        r->t.sites[0]->name, r->t.sites[1]->name, r->t.nsite > 2 ? ", ..." : "", st->a->name, r->t.sites[0]->name, st->name);
  }
  if (st->v.i && !st->a->name[0]) err(r, DIAG_E097, st->a, "a website event has a name");
}

/* `add R to LIST`, `remove R from LIST`, `refresh LIST`: a declared list
** (its kind is camp test's to judge, as camp list's). */
static void checkListStep(Resolver *r, TestScope *s, const Ast *st) {
  if (st->name) stepRecord(r, s, st);
  if (findList(r, st->a->name) < 0) unknownList(r, st->a);
}

static void checkStep(Resolver *r, TestScope *s, Ast *st) {
  static const char *const traces[] = { "scheduled", "processed", "rejected", "canceled", "error", NULL };
  static const char *const parts[] = { "running", "completed", "left", NULL };
  int m;
  switch (st->op) {
  case STEP_AFTER: checkDuration(r, st->a, "a test's 'after'", 0); break;
  case STEP_EVENT: checkEvent(r, s, st); break;
  case STEP_SET: case STEP_FIELD:
    if ((m = stepRecord(r, s, st)) >= 0) checkValue(r, st->a, st->b, m);
    break;
  case STEP_SENT: {
    stepRecord(r, s, st);
    int kind = checkRef(r, st->a);
    if (kind > 0 && kind != ACT_EMAIL && kind != ACT_SMS)
      err(r, DIAG_E094, st->a, "'%s.%s' is %s: it sends nothing (write: expect %s trace %s.%s processed)", st->a->name,
          st->a->a->name, kind == ACT_ACTION ? "an action" : "a branch", st->name, st->a->name, st->a->a->name);
    break;
  }
  case STEP_TRACE:
    stepRecord(r, s, st);
    checkRef(r, st->a);
    if (!isWord(st->b->name, traces))
      err(r, DIAG_E098, st->b, "unknown trace state '%s' (scheduled, processed, rejected, canceled or error)", st->b->name);
    break;
  case STEP_IN:
    stepRecord(r, s, st);
    if (!findDecl(r, AST_CAMPAIGN, st->a->name)) err(r, DIAG_E094, st->a, "unknown campaign '%s'", st->a->name);
    if (st->b && !isWord(st->b->name, parts))
      err(r, DIAG_E098, st->b, "unknown participant state '%s' (running, completed or left)", st->b->name);
    break;
  case STEP_LIST: checkListMembers(r, s, st); break;
  case STEP_SEND: checkSend(r, st->a); break;
  case STEP_VISIT: checkVisit(r, s, st); break;
  case STEP_ADD: case STEP_REMOVE: case STEP_REFRESH: checkListStep(r, s, st); break;
  case STEP_SUPPRESSED:
    stepRecord(r, s, st);
    if (strcmp(st->a->name, "suppressed"))
      err(r, DIAG_E098, st->a, "unknown expectation '%s' (did you mean 'suppressed'?)", st->a->name);
    break;                                  /* its channel is email or sms: the parser's words */
  case STEP_COUNT:
    if (strcmp(st->b->name, "email") && strcmp(st->b->name, "sms"))
      err(r, DIAG_E098, st->b, "unknown channel '%s' (email or sms)", st->b->name);
    break;
  default: break;
  }
}

static int isExpectation(const Ast *st) {
  return st->kind == AST_STEP && ((st->op >= STEP_SENT && st->op <= STEP_COUNT) || st->op == STEP_SUPPRESSED);
}

void checkTestBlock(Resolver *r, Ast *test) {
  TestScope s = { 0 };
  int expects = 0;
  for (Ast *k = test->kids; k; k = k->next)
    if (k->kind == AST_RECORDS) checkRecords(r, &s, k);
  for (Ast *k = test->kids; k; k = k->next) {
    if (k->kind != AST_STEP) continue;
    expects |= isExpectation(k);
    checkStep(r, &s, k);
  }
  if (!expects)
    campDiagReport(r->d, DIAG_W096, test->file, test->noff, test->nlen, "test %s expects nothing: it checks nothing (add an 'expect')",
                   test->name);
}

/*
** cli/test_run.c -- one `test` block run: a fresh in-memory database on a
** simulated clock, the file deployed and started, the test's records
** created, then its steps in order (docs/LANGUAGE.md, "Running tests").
**
** Owns: the steps' meaning (moving the clock runs what is due, an event
** goes to the message a record got from an activity, a change to a record,
** a manual mailing's send, a website visit, a change to a list) and judging each expectation against what the
** store and the keeping sinks hold, with what happened instead.  Does not
** own: finding and printing tests (cli/test.c), the reads (store_test.c).
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cli.h"
#include "cli/test_run.h"
#include "compiler/diag.h"
#include "compiler/resolve.h"
#include "runtime/clock.h"
#include "runtime/engine.h"
#include "runtime/message.h"
#include "runtime/sched.h"
#include "runtime/store.h"
#include "runtime/vm.h"

/* The test clock's start: a Monday, 09:00 UTC (docs/LANGUAGE.md). */
#define TEST_START 1767603600      /* 2026-01-05T09:00:00Z */
#define TEST_SENDER "Camp Test <test@camp.invalid>"
#define TEST_BASE_URL "https://camp.invalid"

typedef struct TestRec { const char *name, *model; int64_t id; char *own; } TestRec;   /* own: name's copy, freed */

typedef struct Runner {
  Unit *u;
  Engine *e;
  Channel *mail, *sms;
  TestRec *recs; size_t nrec, cap;
  int started;                  /* the clock has moved (or a step ran what is due) */
  int oom;
  TestResult *r;
  const Ast *step;              /* the step being run */
  const TestRec *about;         /* the record the failing step names */
  const char *campaign;         /* and its campaign, when it names one */
} Runner;

/* -- failing ---------------------------------------------------------------------- */

static char *vformat(const char *fmt, va_list ap) {
  char *s = NULL;
  if (vasprintf(&s, fmt, ap) < 0) s = NULL;
  return s;
}

/* The step fails: what it expected and what happened instead.  Returns 1. */
__attribute__((format(printf, 3, 4)))
static int fail(Runner *x, const char *expected, const char *fmt, ...) {
  if (x->r->failed) return 1;
  va_list ap;
  va_start(ap, fmt);
  x->r->happened = vformat(fmt, ap);
  va_end(ap);
  for (size_t n = x->r->happened ? strlen(x->r->happened) : 0; n && strchr(" \n", x->r->happened[n - 1]); n--)
    x->r->happened[n - 1] = 0;
  x->r->expected = strdup(expected);
  x->r->failed = 1;
  campDiagLineCol(x->u->diags, x->step->file, x->step->off, &x->r->fline, &x->r->fcol);
  return 1;
}

/* The test could not run (the database or a channel failed): a failure too. */
static int broken(Runner *x, const char *what, const char *err) {
  fail(x, what, "%s", err);
  x->r->failed = 2;
  return 1;
}

static const TestRec *findRec(Runner *x, const char *name) {
  for (size_t i = 0; i < x->nrec; i++)
    if (!strcmp(x->recs[i].name, name)) return &x->recs[i];
  return NULL;
}

/* The source text of a step's part (a reference, a value) for messages. */
static char *spanText(Runner *x, const Ast *n) {
  const Source *s = &x->u->diags->src[n->file];
  return strndup(s->text + n->off, n->len);
}

/* -- running what is due ---------------------------------------------------------- */

static int runTo(Runner *x, int64_t until, int64_t campaign) {
  RunOptions o = { .until = until, .mail = x->mail, .sms = x->sms, .baseUrl = TEST_BASE_URL,
                   .secret = campEngineSecret(x->e), .campaign = campaign, .once = campaign != 0 };
  RunStats st;
  char err[512];
  x->started = 1;
  if (campSchedRun(x->e, &o, &st, err, sizeof err) < 0) return broken(x, "the run to go on", err);
  return 0;
}

static int runNow(Runner *x) { return runTo(x, campEngineNow(x->e), 0); }

/* -- records ---------------------------------------------------------------------- */

/* A literal of the test (a row's value, set and expect) as a Value (text
** pointing into the unit). */
static Value literal(const Ast *v) {
  switch (v->kind) {
  case AST_STR: return (Value){ .tag = VAL_TEXT, .len = v->nameLen, .u.s = v->name };
  case AST_INT: return (Value){ .tag = VAL_INT, .u.i = v->v.i };
  case AST_REAL: return (Value){ .tag = VAL_REAL, .u.r = v->v.r };
  case AST_BOOL: return (Value){ .tag = VAL_BOOL, .u.i = v->v.i };
  case AST_TIME: return (Value){ .tag = VAL_TIME, .u.i = v->v.i };
  case AST_UNARY: {
    Value a = v->a ? literal(v->a) : (Value){ .tag = VAL_NULL };
    if (a.tag == VAL_INT) a.u.i = -a.u.i;
    else if (a.tag == VAL_REAL) a.u.r = -a.u.r;
    return a;
  }
  default: return (Value){ .tag = VAL_NULL };
  }
}

static int addRec(Runner *x, const char *name, const char *model, int64_t id) {
  if (x->nrec == x->cap) {
    size_t nc = x->cap ? x->cap * 2 : 8;
    TestRec *nv = realloc(x->recs, nc * sizeof *nv);
    if (!nv) return -1;
    x->recs = nv;
    x->cap = nc;
  }
  x->recs[x->nrec++] = (TestRec){ name, model, id, NULL };
  return 0;
}

/* A row of a records file: its name (the column `record`) and new id. */
static void csvRow(void *ctx, const char *name, int64_t id) {
  Runner *x = ctx;
  char *own = strdup(name);
  if (!own || addRec(x, own, x->step->name, id) < 0) { free(own); x->oom = 1; return; }
  x->recs[x->nrec - 1].own = own;
}

/* `records MODEL from "file.csv"`: imported as camp import would, all or nothing. */
static int csvRows(Runner *x, const Ast *rec) {
  const char *path = x->u->diags->src[rec->a->index].path;
  char *errs = NULL, err[512];
  size_t n = 0;
  long added;
  FILE *f = open_memstream(&errs, &n);
  if (!f) return -1;
  int rc = campStoreImportNamed(x->e, rec->name, path, f, csvRow, x, &added, err, sizeof err);
  fclose(f);
  if (rc < 0) broken(x, "the records file to import", errs && *errs ? errs : err);
  free(errs);
  return rc < 0 ? 1 : x->oom ? -1 : 0;
}

static int inlineRows(Runner *x, const Ast *rec) {
  for (const Ast *row = rec->kids; row; row = row->next) {
    int n = 0;
    for (const Ast *f = row->kids; f; f = f->next) n++;
    const char **fields = calloc((size_t)n + 1, sizeof *fields);
    Value *values = calloc((size_t)n + 1, sizeof *values);
    if (!fields || !values) { free(fields); free(values); return -1; }
    n = 0;
    for (const Ast *f = row->kids; f; f = f->next, n++) { fields[n] = f->name; values[n] = literal(f->a); }
    char err[512];
    int rc = campStoreRecordCreate(x->e, rec->name, n, fields, values, err, sizeof err);
    free(fields);
    free(values);
    if (rc < 0) return broken(x, "the test's records to be created", err);
    if (addRec(x, row->name, rec->name, campStoreTestLastRecord(x->e)) < 0) return -1;
  }
  return 0;
}

/* -- steps ------------------------------------------------------------------------ */

static void timeText(int64_t t, char out[CAMP_CLOCK_ISO_SIZE]) {
  if (t == INT64_MIN) snprintf(out, CAMP_CLOCK_ISO_SIZE, "-");
  else campClockFormat(t, out);
}

static int stepAt(Runner *x, int64_t t) {
  char want[CAMP_CLOCK_ISO_SIZE], now[CAMP_CLOCK_ISO_SIZE];
  if (!x->started) {                 /* a first `at` is where the test's clock starts */
    if (campStoreSetClock(x->e, t) < 0) return broken(x, "the clock to move", campStoreError(x->e));
    return runTo(x, t, 0);
  }
  if (t < campEngineNow(x->e)) {
    timeText(t, want);
    timeText(campEngineNow(x->e), now);
    return fail(x, "a time after the test's clock", "%s is before the clock's %s: time only moves on", want, now);
  }
  return runTo(x, t, 0);
}

static int stepAfter(Runner *x, const Ast *dur) {
  int64_t secs;
  int32_t days, months;
  campAstDelayParts(dur, &secs, &days, &months);
  int64_t t = campClockAddCalendar(campClockZone("UTC"), campEngineNow(x->e), months, days) + secs;
  return runTo(x, t, 0);
}

/* The record a step names (checked by camp check: present). */
static const TestRec *stepRec(Runner *x, const Ast *st) {
  const TestRec *t = findRec(x, st->name);
  x->about = t;
  if (!t) fail(x, "a record of this test", "no record is named '%s' (a records file names its rows in a column 'record')", st->name);
  return t;
}

/* The trace of ref (CAMPAIGN.ACTIVITY, MAILING.MAILING, MAILING.VARIANT) for t. */
static int refTrace(Runner *x, const Ast *ref, const TestRec *t, StoreTestTrace *tr) {
  char err[512];
  x->campaign = ref->name;
  if (campStoreTestTrace(x->e, ref->name, ref->a->name, t->id, tr, err, sizeof err) < 0)
    return broken(x, "the store to answer", err);
  return 0;
}

static int stepEvent(Runner *x, const Ast *st) {
  const TestRec *t = stepRec(x, st);
  StoreTestTrace tr;
  if (!t || refTrace(x, st->a, t, &tr)) return 1;
  char *ref = spanText(x, st->a), want[512];
  snprintf(want, sizeof want, "%s to have a message from %s to %s", st->name, ref ? ref : "?", st->kids->name);
  free(ref);
  if (!tr.found || !tr.messageId[0])
    return fail(x, want, tr.found ? "its trace is %s%s%s: no message went out" : "%s has no trace of it: nothing went out",
                tr.found ? campStoreStateName(tr.state) : st->name, tr.found && tr.note[0] ? ", " : "", tr.note);
  EventResult res;
  char err[512];
  int rc = campSchedEventOutcome(x->e, st->kids->name, tr.messageId, campEngineNow(x->e), st->b ? st->b->name : NULL,
                                 &res, err, sizeof err);
  campSchedEventResultFree(&res);
  if (rc < 0) return broken(x, "the event to be recorded", err);
  return runNow(x);
}

static int stepSet(Runner *x, const Ast *st) {
  const TestRec *t = stepRec(x, st);
  if (!t) return 1;
  Value v = literal(st->b);
  char err[512];
  if (campStoreRecordSet(x->e, t->model, t->id, st->a->name, &v, err, sizeof err) < 0)
    return broken(x, "the record to change", err);
  return runNow(x);
}

static int stepSend(Runner *x, const char *name) {
  StoreMailing m;
  char err[512];
  int got = campStoreMailingGet(x->e, name, &m, err, sizeof err);
  if (got < 0) return broken(x, "the mailing to be found", err);
  if (got == 1) return fail(x, "a mailing to send", "no mailing '%s' is in this file", name);
  if (campSendRefusal(name, &m, err, sizeof err)) return fail(x, "the mailing to be sent", "%s", err);
  if (runTo(x, INT64_MAX, m.id)) return 1;
  return runNow(x);
}

/* The website a visit step names, else the file's only one (camp check
** saw to it): its site_id, or NULL. */
static const char *visitSite(Runner *x, const Ast *st) {
  const Ast *site = NULL;
  for (const Ast *f = x->u->files; f; f = f->next)
    for (const Ast *d = f->kids; d; d = d->next)
      if (d->kind == AST_WEBSITE && (!st->b || !strcmp(d->name, st->b->name))) site = d;
  const Ast *id = site ? campResolveProp(site, PROP_SITE_ID) : NULL;
  return id ? id->a->name : NULL;
}

/* `visit [event] STRING [on WEBSITE] for R`: R's hit at the test's clock,
** recorded as camp event visit records it, then what is due now. */
static int stepVisit(Runner *x, const Ast *st) {
  const TestRec *t = stepRec(x, st);
  if (!t) return 1;
  WebHit h = { .site = visitSite(x, st), .at = campEngineNow(x->e), .model = t->model, .record = t->id,
               .url = st->v.i ? NULL : st->a->name, .name = st->v.i ? st->a->name : "visit", .value = 1, .uaClass = "desktop" };
  if (!h.site) return fail(x, "a website to visit", "this file declares no website");
  VisitResult res;
  char err[512], model[256];
  int rc = campCliVisit(x->e, &h, model, sizeof model, &res, err, sizeof err);
  campSchedVisitResultFree(&res);
  if (rc > 0) return fail(x, "the visit to be recorded", "%s", err);
  if (rc < 0) return broken(x, "the visit to be recorded", err);
  return runNow(x);
}

/* `add R to LIST`, `remove R from LIST`, `refresh LIST`: as camp list
** does them, then what is due now. */
static int stepList(Runner *x, const Ast *st) {
  static const char *const verbs[] = { [STEP_ADD] = "add", [STEP_REMOVE] = "remove", [STEP_REFRESH] = "refresh" };
  const TestRec *t = st->name ? stepRec(x, st) : NULL;
  if (st->name && !t) return 1;
  char want[512], err[512];
  snprintf(want, sizeof want, "list %s to %s", st->a->name, st->op == STEP_ADD ? "take the record" : st->op == STEP_REMOVE ? "drop the record" : "be refreshed");
  int rc = campCliListChange(x->e, st->a->name, verbs[st->op], t ? t->id : 0, err, sizeof err);
  if (rc > 0) return fail(x, want, "%s", err);
  if (rc < 0) return broken(x, want, err);
  return runNow(x);
}

/* -- expectations ------------------------------------------------------------------ */

/* "R sent C.A" as the step says it. */
static char *stepText(Runner *x, const Ast *st) {
  const Source *s = &x->u->diags->src[st->file];
  const char *p = s->text + st->off;
  size_t n = st->len;
  if (n > 7 && !strncmp(p, "expect ", 7)) { p += 7; n -= 7; }
  return strndup(p, n);
}

static int like(const char *s, const char *pattern) {
  return s && campVmLike(s, strlen(s), pattern, strlen(pattern));
}

/* The trace's state as the failure says it: "scheduled, due ...", "canceled (why)". */
static void traceWords(const StoreTestTrace *tr, char *out, size_t size) {
  char due[CAMP_CLOCK_ISO_SIZE], done[CAMP_CLOCK_ISO_SIZE];
  timeText(tr->due, due);
  timeText(tr->doneAt, done);
  const char *state = campStoreStateName(tr->state);
  if (!strcmp(state, "waiting")) snprintf(out, size, "its trace is waiting for its event until %s", due);
  else if (tr->doneAt == INT64_MIN) snprintf(out, size, "its trace is %s, due %s", state, due);
  else snprintf(out, size, "its trace is %s at %s%s%s", state, done, tr->note[0] ? ": " : "", tr->note);
}

static int expectSent(Runner *x, const Ast *st, const char *want) {
  const TestRec *t = stepRec(x, st);
  StoreTestTrace tr;
  if (!t || refTrace(x, st->a, t, &tr)) return 1;
  int out = tr.found && tr.messageId[0] && tr.doneAt != INT64_MIN && !strcmp(campStoreStateName(tr.state), "processed");
  char words[512], at[CAMP_CLOCK_ISO_SIZE];
  if (st->v.i) {                                            /* not sent */
    if (!out) return 0;
    timeText(tr.doneAt, at);
    return fail(x, want, "it was sent at %s (Message-ID %s)", at, tr.messageId);
  }
  if (!tr.found) return fail(x, want, "%s has no trace of it", st->name);
  if (!out) { traceWords(&tr, words, sizeof words); return fail(x, want, "%s", words); }
  const SinkMessage *m = campChanSinkFind(x->mail, tr.messageId);
  if (!m) m = campChanSinkFind(x->sms, tr.messageId);
  for (const Ast *p = st->kids; p; p = p->next) {
    int subject = p->op == PROP_SUBJECT;
    const char *have = !m ? NULL : subject ? m->subject : m->text;
    if (!like(have, p->a->name))
      return fail(x, want, "its %s was \"%s\"", subject ? "subject" : "text", have ? have : "(none)");
  }
  return 0;
}

static int expectTrace(Runner *x, const Ast *st, const char *want) {
  const TestRec *t = stepRec(x, st);
  StoreTestTrace tr;
  if (!t || refTrace(x, st->a, t, &tr)) return 1;
  if (!tr.found) return fail(x, want, "%s has no trace of it", st->name);
  const char *state = campStoreStateName(tr.state);
  if (!strcmp(state, st->b->name) || (!strcmp(state, "waiting") && !strcmp(st->b->name, "scheduled"))) return 0;
  char words[512];
  traceWords(&tr, words, sizeof words);
  return fail(x, want, "%s", words);
}

static int expectIn(Runner *x, const Ast *st, const char *want) {
  const TestRec *t = stepRec(x, st);
  if (!t) return 1;
  x->campaign = st->a->name;
  char state[32], err[512];
  int got = campStoreTestState(x->e, st->a->name, t->id, state, sizeof state, err, sizeof err);
  if (got < 0) return broken(x, "the store to answer", err);
  if (!st->b) return got ? fail(x, want, "%s is a participant of %s, %s", st->name, st->a->name, state) : 0;   /* not in */
  if (!got) return fail(x, want, "%s is not a participant of %s", st->name, st->a->name);
  return strcmp(state, st->b->name) ? fail(x, want, "%s is %s", st->name, state) : 0;
}

/* A field's value as a test would write it. */
static void valueWords(const Value *v, const Ast *like, char *out, size_t size) {
  switch (v->tag) {
  case VAL_NULL: snprintf(out, size, "null"); break;
  case VAL_REAL: snprintf(out, size, "%g", v->u.r); break;
  case VAL_TEXT: snprintf(out, size, "\"%.*s\"", (int)v->len, v->u.s); break;
  default:
    if (like->kind == AST_BOOL) snprintf(out, size, "%s", v->u.i ? "true" : "false");
    else if (like->kind == AST_TIME) { char t[CAMP_CLOCK_ISO_SIZE]; campClockFormat(v->u.i, t); snprintf(out, size, "%s", t); }
    else snprintf(out, size, "%lld", (long long)v->u.i);
  }
}

static int sameValue(const Value *have, const Value *want) {
  if (have->tag == VAL_NULL || want->tag == VAL_NULL) return have->tag == want->tag;
  if (have->tag == VAL_TEXT || want->tag == VAL_TEXT)
    return have->tag == want->tag && have->len == want->len && !memcmp(have->u.s, want->u.s, have->len);
  double h = have->tag == VAL_REAL ? have->u.r : (double)have->u.i, w = want->tag == VAL_REAL ? want->u.r : (double)want->u.i;
  return h == w;
}

static int expectField(Runner *x, const Ast *st, const char *want) {
  const TestRec *t = stepRec(x, st);
  if (!t) return 1;
  Value have, expect = literal(st->b);
  char *text, err[512];
  if (campStoreTestField(x->e, t->model, t->id, st->a->name, &have, &text, err, sizeof err) < 0)
    return broken(x, "the store to answer", err);
  int same = sameValue(&have, &expect);
  char words[512];
  valueWords(&have, st->b, words, sizeof words);
  free(text);
  return same ? 0 : fail(x, want, "%s.%s is %s", st->name, st->a->name, words);
}

static int hasId(const int64_t *ids, size_t n, int64_t id) {
  for (size_t i = 0; i < n; i++) if (ids[i] == id) return 1;
  return 0;
}

static int expectList(Runner *x, const Ast *st, const char *want) {
  int64_t *ids;
  size_t n;
  char err[512];
  if (campCliListMembers(x->e, st->name, &ids, &n, err, sizeof err) < 0) return broken(x, "the list to be read", err);
  size_t named = 0, right = 0;
  for (const Ast *k = st->b->kids; k; k = k->next, named++) {
    const TestRec *t = findRec(x, k->name);
    right += t && hasId(ids, n, t->id);
  }
  int ok = right == named && n == named;
  char *have = NULL;
  size_t hn = 0;
  FILE *f = ok ? NULL : open_memstream(&have, &hn);
  for (size_t i = 0; f && i < n; i++) {
    const char *name = NULL;
    for (size_t k = 0; k < x->nrec; k++) if (x->recs[k].id == ids[i]) name = x->recs[k].name;
    if (name) fprintf(f, "%s%s", i ? ", " : "", name);
    else fprintf(f, "%srecord %lld", i ? ", " : "", (long long)ids[i]);
  }
  if (f) fclose(f);
  free(ids);
  if (!ok) fail(x, want, "its members are [%s]", have ? have : "");
  free(have);
  return !ok;
}

static int expectCount(Runner *x, const Ast *st, const char *want) {
  int sms = !strcmp(st->b->name, "sms");
  long n = (sms ? x->sms : x->mail)->sent;
  if (n == st->a->v.i) return 0;
  return fail(x, want, "%ld %s went out", n, sms ? (n == 1 ? "sms" : "sms") : (n == 1 ? "email" : "emails"));
}

/* R [not] suppressed [email|sms]: R's address on the channel is on the
** suppression list (or not). */
static int expectSuppressed(Runner *x, const Ast *st, const char *want) {
  const TestRec *t = stepRec(x, st);
  if (!t) return 1;
  int sms = st->b && !strcmp(st->b->name, "sms");
  char addr[512], reason[128], err[512], at[CAMP_CLOCK_ISO_SIZE];
  int64_t when;
  int got = campStoreTestAddress(x->e, t->model, t->id, sms, addr, sizeof addr, err, sizeof err);
  if (got < 0) return broken(x, "the store to answer", err);
  if (!got) return fail(x, want, "%s has no %s", st->name, sms ? "phone number" : "email address");
  got = campStoreTestSuppression(x->e, sms, addr, reason, sizeof reason, &when, err, sizeof err);
  if (got < 0) return broken(x, "the store to answer", err);
  if (got == !st->v.i) return 0;
  if (!got) return fail(x, want, "%s's address %s is not suppressed", st->name, addr);
  timeText(when, at);
  return fail(x, want, "%s's address %s is suppressed (%s at %s)", st->name, addr, reason, at);
}

/* An expectation: the state what is due now leaves. */
static int expect(Runner *x, const Ast *st) {
  if (runNow(x)) return 1;
  char *want = stepText(x, st);
  if (!want) return -1;
  int rc;
  switch (st->op) {
  case STEP_SENT: rc = expectSent(x, st, want); break;
  case STEP_TRACE: rc = expectTrace(x, st, want); break;
  case STEP_IN: rc = expectIn(x, st, want); break;
  case STEP_FIELD: rc = expectField(x, st, want); break;
  case STEP_LIST: rc = expectList(x, st, want); break;
  case STEP_SUPPRESSED: rc = expectSuppressed(x, st, want); break;
  default: rc = expectCount(x, st, want); break;
  }
  free(want);
  return rc;
}

static int step(Runner *x, const Ast *st) {
  x->step = st;
  x->about = NULL;
  x->campaign = NULL;
  switch (st->op) {
  case STEP_AT: return stepAt(x, st->a->v.i);
  case STEP_AFTER: return stepAfter(x, st->a);
  case STEP_EVENT: return stepEvent(x, st);
  case STEP_SET: return stepSet(x, st);
  case STEP_SEND: return stepSend(x, st->a->name);
  case STEP_VISIT: return stepVisit(x, st);
  case STEP_ADD: case STEP_REMOVE: case STEP_REFRESH: return stepList(x, st);
  default: return expect(x, st);
  }
}

/* -- the test ----------------------------------------------------------------------- */

/* The timeline of the failing step's record, as camp timeline prints it. */
static void keepTimeline(Runner *x) {
  size_t n = 0;
  FILE *f = open_memstream(&x->r->timeline, &n);
  if (!f) return;
  char err[512];
  if (x->about && campStoreTimeline(x->e, x->campaign, &x->about->id, REPORT_TABLE, f, err, sizeof err) < 0)
    fprintf(f, "(no timeline: %s)\n", err);
  fclose(f);
}

int campTestBase(const uint8_t *img, size_t len, TestBase *b, char *err, size_t errSize) {
  memset(b, 0, sizeof *b);
  Engine *e = campEngineOpen(":memory:", 1, TEST_START, err, errSize);
  if (!e) return -1;
  DeployImage im = { img, len, NULL };
  DeployOptions o = { .start = 1 };
  int rc = campSendSetSender(e, TEST_SENDER, err, errSize) < 0 || campEngineDeploy(e, &im, 1, &o, err, errSize) < 0 ? -1 : 0;
  if (rc == 0 && !(b->db = campStoreSnapshot(e, &b->len))) { snprintf(err, errSize, "out of memory"); rc = -1; }
  campEngineClose(e);
  return rc;
}

void campTestBaseFree(TestBase *b) {
  campStoreSnapshotFree(b->db);
  memset(b, 0, sizeof *b);
}

static int openTestDb(Runner *x, const TestBase *b) {
  char err[512];
  x->e = campEngineOpenSnapshot(b->db, b->len, err, sizeof err);
  if (!x->e) return broken(x, "a test database", err);
  x->mail = campChanSinkOpenKeeping();
  x->sms = campChanSinkOpenKeeping();
  return x->mail && x->sms ? 0 : -1;
}

int campTestRun(Unit *u, const Ast *t, const TestBase *b, TestResult *r) {
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  memset(r, 0, sizeof *r);
  r->name = t->a ? t->a->name : "";
  r->path = u->diags->src[t->file].path;
  campDiagLineCol(u->diags, t->file, t->off, &r->line, &r->col);
  Runner x = { .u = u, .r = r, .step = t };
  int rc = openTestDb(&x, b);
  for (const Ast *k = t->kids; rc == 0 && k; k = k->next)      /* records first, before the clock moves */
    if (k->kind == AST_RECORDS) { x.step = k; rc = k->a ? csvRows(&x, k) : inlineRows(&x, k); }
  for (const Ast *k = t->kids; rc == 0 && k; k = k->next)
    if (k->kind == AST_STEP) rc = step(&x, k);
  if (r->failed) keepTimeline(&x);
  if (x.mail) campChanClose(x.mail);
  if (x.sms) campChanClose(x.sms);
  if (x.e) campEngineClose(x.e);
  for (size_t i = 0; i < x.nrec; i++) free(x.recs[i].own);
  free(x.recs);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  r->ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
  return rc < 0 ? -1 : 0;
}

void campTestResultFree(TestResult *r) {
  free(r->expected);
  free(r->happened);
  free(r->timeline);
  memset(r, 0, sizeof *r);
}

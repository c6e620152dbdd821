/*
** runtime/sync.c -- a run of ESP syncs (docs/SYNC.md): each sync opened,
** its import and export run in order, the plan or summary printed.
**
** Owns: campSyncRun (which syncs, in what order, what a failure or a stop
** leaves), campSyncOpen/Close (a deployed sync and its driver connection),
** campSyncPlanLine and the plan's layout (lines kept per side, the first
** 20 of each shown, the counts line).  Does not own: the export's desired
** set, diff and apply (sync_members.c), the import (sync_import.c), the
** provider's API (esp_*.c), the SQL (store_sync*.c).
*/
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/buf.h"
#include "runtime/sync_int.h"

#define PLAN_SHOWN 20   /* lines shown per side; the rest counted */

/* What one side of the plan holds. */
typedef struct PlanSide { char *line[PLAN_SHOWN]; long n; } PlanSide;
struct SyncPlan { PlanSide e, c; int opened; char **tags; };

static int stopped(const SyncCtx *x) { return x->o->stop && *x->o->stop; }

void campSyncPlanLine(SyncCtx *x, char side, char mark, const char *fmt, ...) {
  if (mark) x->changes = 1;
  if (!x->plan) return;
  PlanSide *s = side == 'e' ? &x->plan->e : &x->plan->c;
  if (s->n++ >= PLAN_SHOWN) return;
  Buf b = { 0 };
  campBufPrintf(&b, "    %c ", mark ? mark : ' ');
  va_list ap;
  va_start(ap, fmt);
  char *text = NULL;
  if (vasprintf(&text, fmt, ap) < 0) text = NULL;
  va_end(ap);
  campBufPuts(&b, text ? text : "(out of memory)");
  campBufPut(&b, "", 1);
  free(text);
  s->line[s->n - 1] = b.oom ? NULL : b.p;
  if (b.oom) free(b.p);
}

/* A plan line, its mark coloured as plan colours it (+ green, - red, ~ yellow, ! magenta). */
static void printLine(FILE *out, const char *line, int color) {
  char m = line[4];
  const char *sgr = m == '+' ? "32" : m == '-' ? "31" : m == '~' ? "33" : m == '!' ? "35" : NULL;
  if (!color || !sgr) fprintf(out, "%s\n", line);
  else fprintf(out, "    \033[%sm%c\033[0m%s\n", sgr, m, line + 5);
}

/* One side's lines under its heading, "... and N more" past the first 20. */
static void printSide(FILE *out, const char *heading, PlanSide *s, int color) {
  if (!s->n) return;
  fprintf(out, "  %s:\n", heading);
  for (long i = 0; i < s->n && i < PLAN_SHOWN; i++) printLine(out, s->line[i] ? s->line[i] : "      (out of memory)", color);
  if (s->n > PLAN_SHOWN) fprintf(out, "    ... and %ld more\n", s->n - PLAN_SHOWN);
}

static void freeSide(PlanSide *s) {
  for (long i = 0; i < s->n && i < PLAN_SHOWN; i++) free(s->line[i]);
  memset(s, 0, sizeof *s);
}

static const char *plural(long n, const char *one, const char *many) { return n == 1 ? one : many; }

/* The sync's counts line: what the plan would do (a dry run), or what the
** run did followed by its requests. */
static void printCounts(const SyncCtx *x, FILE *out, const SyncStats *d) {
  const char *esp = x->d->name;
  if (x->o->dryRun) {
    fprintf(out, "Plan: %ld to add, %ld to change, %ld to unsubscribe, %ld to remove on %s; %ld to unsubscribe, %ld %s to import",
            d->add, d->update, d->unsubscribe, d->remove, esp, d->unsubscribed, d->mailings, plural(d->mailings, "mailing", "mailings"));
    if (d->activity) fprintf(out, ", %ld activity %s to import", d->activity, plural(d->activity, "row", "rows"));
    fprintf(out, " in camp.\n");
    return;
  }
  fprintf(out, "Done: %ld added, %ld changed, %ld unsubscribed, %ld removed on %s", d->add, d->update, d->unsubscribe, d->remove, esp);
  if (d->failed) fprintf(out, " (%ld refused)", d->failed);
  fprintf(out, "; %ld unsubscribed, %ld suppressed, %ld %s imported, %ld activity %s in camp.\n", d->unsubscribed, d->suppressed,
          d->mailings, plural(d->mailings, "mailing", "mailings"), d->activity, plural(d->activity, "row", "rows"));
  fprintf(out, "requests: %ld (%ld retried)\n", d->requests, d->retries);
}

/* The sync's heading: what it connects. */
static void printHeading(const SyncCtx *x, FILE *out) {
  const EspConn *c = &x->c;
  if (c->segment)
    fprintf(out, "sync %s: list %s <-> %s audience %s, segment \"%s\"", x->name, x->list, x->d->name, c->remote, c->segment);
  else fprintf(out, "sync %s: list %s <-> %s address book \"%s\"", x->name, x->list, x->d->name, c->remote);
  if (c->remoteId[0]) fprintf(out, " (id %s)", c->remoteId);
  else if (x->o->dryRun) fprintf(out, " (not created yet)");
  fputc('\n', out);
}

/* -- opening a sync ------------------------------------------------------------------ */

/* The model's email field: the list's contact when it is one, else the
** first email field; CAMP_NONE when it has none. */
static uint32_t emailField(const Program *p, const ProgList *l) {
  const ProgModel *m = &p->models[l->model];
  if (l->contact != CAMP_NONE && l->contact < m->nfield && m->fields[l->contact].type == TYPE_EMAIL) return l->contact;
  for (uint32_t f = 0; f < m->nfield; f++) if (m->fields[f].type == TYPE_EMAIL) return f;
  return CAMP_NONE;
}

static int fillCtx(SyncCtx *x, const char *name, char *err, size_t errSize) {
  uint32_t si;
  if (!(x->p = campStoreSyncProgram(x->e, name, &si, err, errSize))) return -1;
  const Program *p = x->p;
  x->y = &p->syncs[si];
  const ProgList *l = &p->lists[x->y->list];
  x->name = p->str[x->y->name];
  x->list = p->str[l->name];
  x->model = p->str[p->models[l->model].name];
  x->email = emailField(p, l);
  x->d = campEspDriver(x->y->esp);
  if (x->email == CAMP_NONE || !x->d) {
    snprintf(err, errSize, x->d ? "model %s has no email field" : "unknown provider", x->model);
    return -1;
  }
  char **tags = x->y->nfield ? calloc(x->y->nfield, sizeof *tags) : NULL;
  if (x->y->nfield && !tags) { snprintf(err, errSize, "out of memory"); return -1; }
  for (uint32_t f = 0; f < x->y->nfield; f++) tags[f] = (char *)p->str[p->sfields[x->y->field0 + f].tag];
  x->plan->tags = tags;
  EspConn *c = &x->c;
  c->esp = x->y->esp;
  c->sync = x->name;
  c->remote = p->str[x->y->remote];
  c->segment = x->y->segment != CAMP_NONE ? p->str[x->y->segment] : NULL;
  c->tags = (const char *const *)tags;
  c->nfield = x->y->nfield;
  c->dryRun = x->o->dryRun;
  c->log = x->o->log;
  if (campStoreSyncRemote(x->e, x->name, c->remoteId, sizeof c->remoteId) < 0) {
    snprintf(err, errSize, "database: %s", campStoreError(x->e));
    return -1;
  }
  return 0;
}

int campSyncOpen(SyncCtx *x, Engine *e, const SyncOptions *o, SyncStats *st, const char *name, char *err, size_t errSize) {
  memset(x, 0, sizeof *x);
  x->e = e;
  x->o = o;
  x->st = st;
  x->plan = calloc(1, sizeof *x->plan);
  x->gone = g_hash_table_new_full(g_str_hash, g_str_equal, free, NULL);
  if (!x->plan || !x->gone) { snprintf(err, errSize, "out of memory"); return -1; }
  if (fillCtx(x, name, err, errSize) < 0) return -1;
  char known[sizeof x->c.remoteId];
  memcpy(known, x->c.remoteId, sizeof known);
  if (x->d->open(&x->c, err, errSize) < 0) { x->plan->opened = 1; return -1; }
  x->plan->opened = 1;
  x->c.http.stop = o->stop;
  if (!o->dryRun && strcmp(known, x->c.remoteId) && campStoreSyncRemoteSet(e, x->name, x->c.remoteId) < 0) {
    snprintf(err, errSize, "database: %s", campStoreError(e));
    return -1;
  }
  return 0;
}

void campSyncClose(SyncCtx *x) {
  if (x->plan && x->plan->opened && x->d && x->d->close) x->d->close(&x->c);
  if (x->plan) {
    freeSide(&x->plan->e);
    freeSide(&x->plan->c);
    free(x->plan->tags);
    free(x->plan);
  }
  if (x->gone) g_hash_table_destroy(x->gone);
  campProgramFree(x->p);
  memset(x, 0, sizeof *x);
}

/* -- the export ---------------------------------------------------------------------- */

#define APPLY_CHUNK 1000   /* changes per apply call (Mailchimp): a stop waits for one chunk at most */

/* A change with what the plan line says of it. */
typedef struct Change { EspChange ch; char *const *old; int gone; } Change;
typedef struct Changes { Change *v; size_t n, cap; } Changes;

static int addChange(Changes *cs, EspOp op, const char *email, char *const *values, const char *id, char *const *old, int gone) {
  if (cs->n == cs->cap) {
    size_t cap = cs->cap ? cs->cap * 2 : 256;
    Change *v = realloc(cs->v, cap * sizeof *v);
    if (!v) return -1;
    cs->v = v;
    cs->cap = cap;
  }
  cs->v[cs->n++] = (Change){ { op, email, values, id }, old, gone };
  return 0;
}

static int byOpThenEmail(const void *a, const void *b) {
  const EspChange *x = &((const Change *)a)->ch, *y = &((const Change *)b)->ch;
  return x->op != y->op ? (int)x->op - (int)y->op : strcmp(x->email, y->email);
}

static const char *orEmpty(const char *s) { return s ? s : ""; }

/* Does any wanted value differ from what the provider holds (NULL = "")? */
static int differs(size_t n, char *const *want, char *const *have) {
  for (size_t f = 0; f < n; f++) if (strcmp(orEmpty(want[f]), orEmpty(have ? have[f] : NULL))) return 1;
  return 0;
}

/* s quoted for a plan line: '"' and '\' escaped, control bytes as '?',
** cut after 60 bytes (on a character boundary) with "...". */
static void quoted(Buf *b, const char *s) {
  size_t n = strlen(s), cut = n > 60 ? 60 : n;
  while (cut < n && cut && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--;
  campBufPut(b, "\"", 1);
  for (size_t i = 0; i < cut; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') campBufPut(b, "\\", 1);
    campBufPut(b, c < 0x20 || c == 0x7f ? "?" : &s[i], 1);
  }
  campBufPuts(b, cut < n ? "...\"" : "\"");
}

/* The plan line of one change. */
static void planChange(SyncCtx *x, const Change *c) {
  const EspChange *ch = &c->ch;
  const char *box = x->c.segment ? "segment" : "address book";
  Buf b = { 0 };
  size_t nf = x->c.nfield;
  char mark = '-';
  if (ch->op == ESP_ADD) {
    mark = '+';
    campBufPrintf(&b, x->c.segment ? "subscribe, add to %s" : "add to %s", box);
    int any = 0;
    for (size_t f = 0; f < nf; f++) {
      if (!ch->values[f] || !ch->values[f][0]) continue;
      campBufPrintf(&b, "%s%s ", any++ ? ", " : " (", x->c.tags[f]);
      quoted(&b, ch->values[f]);
    }
    if (any) campBufPuts(&b, ")");
  } else if (ch->op == ESP_UPDATE) {
    mark = '~';
    int any = 0;
    for (size_t f = 0; f < nf; f++) {
      const char *was = orEmpty(c->old ? c->old[f] : NULL), *now = orEmpty(ch->values[f]);
      if (!strcmp(was, now)) continue;
      campBufPrintf(&b, "%s%s ", any++ ? ", " : "", x->c.tags[f]);
      quoted(&b, was);
      campBufPuts(&b, " -> ");
      quoted(&b, now);
    }
  } else if (ch->op == ESP_UNSUBSCRIBE) {
    mark = '!';
    if (c->gone) campBufPrintf(&b, "unsubscribe (unsubscribed on %s)", x->d->name);
    else campBufPrintf(&b, "unsubscribe (unsubscribed in list %s)", x->list);
  } else if (ch->op == ESP_REMOVE) campBufPrintf(&b, "remove from %s (no longer in the list)", box);
  else campBufPrintf(&b, x->c.segment ? "remove from %s and archive (removed from list %s)" : "remove from %s (removed from list %s)",
                     box, x->list);
  campBufPut(&b, "", 1);
  campSyncPlanLine(x, 'e', mark, "%-24s %s", ch->email, b.oom ? "(out of memory)" : b.p);
  free(b.p);
}

/* What one remote member needs (appended to cs). */
static int diffMember(SyncCtx *x, GHashTable *want, const EspMember *m, Changes *cs) {
  SyncWant *w = g_hash_table_lookup(want, m->email);
  int gone = g_hash_table_contains(x->gone, m->email), state = w ? w->state : 0;
  if (state == WANT_SEND && gone) state = WANT_UNSUB;
  int sub = m->status == ESP_SUBSCRIBED;
  int theirs = m->status == ESP_UNSUBSCRIBED || m->status == ESP_CLEANED || m->status == ESP_COMPLAINED;
  switch (state) {
  case WANT_SEND:
    if (sub && differs(x->c.nfield, w->values, m->values)) return addChange(cs, ESP_UPDATE, m->email, w->values, m->id, m->values, 0);
    if (!sub && !theirs) return addChange(cs, ESP_ADD, m->email, w->values, m->id, NULL, 0);   /* never re-subscribe theirs */
    return 0;
  case WANT_UNSUB: return sub ? addChange(cs, ESP_UNSUBSCRIBE, m->email, NULL, m->id, NULL, gone) : 0;
  case WANT_REMOVED: return addChange(cs, ESP_DELETE, m->email, NULL, m->id, NULL, 0);
  default: return addChange(cs, ESP_REMOVE, m->email, NULL, m->id, NULL, 0);
  }
}

/* The changes: the remote members against the desired set, then the send
** set's members the provider lacks; sorted by kind and address. */
static int diff(SyncCtx *x, GHashTable *want, const EspMembers *ms, Changes *cs) {
  GHashTable *remote = g_hash_table_new(g_str_hash, g_str_equal);
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < ms->n; i++) {
    g_hash_table_add(remote, ms->v[i].email);
    rc = diffMember(x, want, &ms->v[i], cs);
  }
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, want);
  while (rc == 0 && g_hash_table_iter_next(&it, &key, &value)) {
    const SyncWant *w = value;
    if (w->state == WANT_SEND && !g_hash_table_contains(remote, key) && !g_hash_table_contains(x->gone, key))
      rc = addChange(cs, ESP_ADD, w->email, w->values, NULL, NULL, 0);
  }
  g_hash_table_destroy(remote);
  if (rc == 0 && cs->n) qsort(cs->v, cs->n, sizeof *cs->v, byOpThenEmail);
  return rc;
}

static void onRefused(void *ctx, const char *email, const char *why) {
  SyncCtx *x = ctx;
  x->st->failed++;
  fprintf(x->o->log ? x->o->log : stderr, "sync %s: %s: %s\n", x->name, email ? email : "?", why ? why : "refused");
}

/* The changes made at the provider: in chunks (a stop waits for one), or
** for Dotdigital at once (one CSV import per run).  0 or -1. */
static int apply(SyncCtx *x, const Changes *cs, char *err, size_t errSize) {
  EspChange *v = malloc((cs->n ? cs->n : 1) * sizeof *v);
  if (!v) { snprintf(err, errSize, "out of memory"); return -1; }
  for (size_t i = 0; i < cs->n; i++) v[i] = cs->v[i].ch;
  size_t chunk = x->c.esp == ESP_DOTDIGITAL ? cs->n : APPLY_CHUNK;
  int rc = 0;
  for (size_t i = 0; rc == 0 && i < cs->n; i += chunk) {
    if (stopped(x)) { rc = -1; break; }
    size_t n = cs->n - i < chunk ? cs->n - i : chunk;
    rc = x->d->apply(&x->c, v + i, n, onRefused, x, err, errSize);
  }
  free(v);
  return rc;
}

static int exportSync(SyncCtx *x, char *err, size_t errSize) {
  EspMembers ms = { 0 };
  Changes cs = { 0 };
  GHashTable *want = campSyncMembersDesired(x, err, errSize);
  int rc = want ? 0 : -1;
  if (rc == 0 && !stopped(x)) rc = x->d->members(&x->c, &ms, err, errSize);
  if (rc == 0 && !stopped(x) && diff(x, want, &ms, &cs) < 0) { snprintf(err, errSize, "out of memory"); rc = -1; }
  for (size_t i = 0; rc == 0 && i < cs.n; i++) {
    EspOp op = cs.v[i].ch.op;
    long *count = op == ESP_ADD ? &x->st->add : op == ESP_UPDATE ? &x->st->update : op == ESP_UNSUBSCRIBE ? &x->st->unsubscribe
                                                                                                              : &x->st->remove;
    (*count)++;
    planChange(x, &cs.v[i]);
  }
  if (rc == 0 && !x->o->dryRun && cs.n && !stopped(x)) rc = apply(x, &cs, err, errSize);
  free(cs.v);
  campEspMembersFree(&ms, x->c.nfield);
  if (want) g_hash_table_destroy(want);
  return rc;
}

/* -- a run ------------------------------------------------------------------------------ */

static void statsDiff(SyncStats *d, const SyncStats *now, const SyncStats *before) {
#define D(f) d->f = now->f - before->f
  D(add); D(update); D(unsubscribe); D(remove); D(failed);
  D(unsubscribed); D(suppressed); D(mailings); D(activity); D(requests); D(retries);
#undef D
}

/* The steps of one open sync in the agreed order: the import (statuses,
** so the export knows whom the provider unsubscribed; then its campaigns
** and activity), then the export.  0 or -1. */
static int steps(SyncCtx *x, char *err, size_t errSize) {
  const SyncOptions *o = x->o;
  if (!o->exportOnly && campSyncImport(x, err, errSize) < 0) return -1;
  if (stopped(x)) return -1;
  if (!o->importOnly && exportSync(x, err, errSize) < 0) return -1;
  return 0;
}

/* Run sync name: 0, 1 (a dry run: changes), -1 (err: "sync NAME: ..."). */
static int runOne(Engine *e, const SyncOptions *o, SyncStats *st, const char *name, char *err, size_t errSize) {
  SyncCtx x;
  SyncStats before = *st;
  char why[1024] = "";
  int rc = campSyncOpen(&x, e, o, st, name, why, sizeof why);
  if (rc == 0 && o->out) printHeading(&x, o->out);
  if (rc == 0) rc = steps(&x, why, sizeof why);
  if (rc == 0 && stopped(&x)) rc = -1;
  if (rc < 0 && stopped(&x)) snprintf(why, sizeof why, "stopped: run camp sync again to finish");
  st->requests += x.c.http.requests;
  st->retries += x.c.http.retries;
  if (o->out && x.plan && x.d && (rc == 0 || x.plan->e.n || x.plan->c.n)) {
    printSide(o->out, x.d->name, &x.plan->e, o->color);
    printSide(o->out, "camp", &x.plan->c, o->color);
    if (!x.plan->e.n && !x.plan->c.n) fprintf(o->out, "  no changes: in sync\n");
    SyncStats d;
    statsDiff(&d, st, &before);
    printCounts(&x, o->out, &d);
  }
  if (!o->dryRun && x.name && campStoreSyncRan(e, x.name, campEngineNow(e), rc < 0 ? why : NULL) < 0 && rc == 0) {
    snprintf(why, sizeof why, "database: %s", campStoreError(e));
    rc = -1;
  }
  int changes = x.changes;
  campSyncClose(&x);
  if (rc < 0) {
    if (!strncmp(why, "stopped:", 8)) snprintf(err, errSize, "%s", why);
    else snprintf(err, errSize, "sync %s: %s", name, why);
    return -1;
  }
  return o->dryRun && changes ? 1 : 0;
}

int campSyncRun(Engine *e, const SyncOptions *o, SyncStats *st, char *err, size_t errSize) {
  memset(st, 0, sizeof *st);
  char **owned = NULL;
  size_t n = o->nname;
  const char *const *names = o->names;
  int rc = 0;
  if (!n) {
    rc = o->dueOnly ? campStoreSyncDue(e, campEngineNow(e), &owned, &n, err, errSize)
                    : campStoreSyncNames(e, &owned, &n, err, errSize);
    names = (const char *const *)owned;
  }
  int changes = 0;
  for (size_t i = 0; rc == 0 && i < n; i++) {
    if (o->stop && *o->stop) { snprintf(err, errSize, "stopped: run camp sync again to finish"); rc = -1; break; }
    if (i && o->out) fputc('\n', o->out);
    int r = runOne(e, o, st, names[i], err, errSize);
    if (r < 0) rc = -1;
    changes |= r == 1;
  }
  for (size_t i = 0; owned && i < n; i++) free(owned[i]);
  free(owned);
  return rc < 0 ? -1 : changes;
}

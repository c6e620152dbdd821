/*
** runtime/sync_import.c -- the import half of a sync (docs/SYNC.md):
** what comes home from the provider into camp.
**
** Owns: campSyncImport, in three steps, each one transaction committed
** with its cursor so that a run killed anywhere and run again ends where
** one clean run would:
**   1. statuses -- an address the provider unsubscribed, cleaned (hard
**      bounce) or saw complain is unsubscribed from every list connected to
**      the same audience / address book, for every record of that list's
**      model with the address (compared lower-cased); a hard bounce or a
**      complaint also suppresses it; the export then leaves it alone
**      (x->gone);
**   2. campaigns -- each campaign the provider sent to the segment / book
**      becomes a mailing in camp: a one-mailing image over the sync's list
**      (the ESP's subject as its subject), deployed as `camp deploy`
**      stores a mailing, then marked sent at the provider's send time with
**      its transport and ESP id -- or, when camp delivered it (`via`), the
**      mailing that is already there;
**   3. activity -- per campaign since its cursor: a send becomes the
**      participant and its processed trace (with a Message-ID as camp
**      makes them) for each record with the address, and the list's
**      contacted count (once per member and mailing); opens, clicks,
**      bounces, abuse reports and unsubscribes become camp_event rows on
**      that trace as camp's own tracking records them.  Deltas (Mailchimp)
**      count once by their key (camp_sync_seen); totals (Dotdigital) are
**      set, never added.
** Rows stream from the driver's callbacks into cached statements: memory
** does not grow with the number of rows.  A dry run reads both sides,
** prints the plan lines and counts, and writes nothing.
** Does not own: the SQL (store_sync_import.c), the provider's API (the
** drivers, esp_*.c), the run, the export and the plan (sync.c).
*/
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/opcodes.h"
#include "runtime/track.h"
#include "runtime/sync_int.h"

/* A list connected to the sync's audience / address book. */
typedef struct Conn { char *list, *model; } Conn;

/* What one import carries between the driver's callbacks. */
typedef struct Imp {
  SyncCtx *x;
  Engine *e;
  const char *esp;          /* the provider's name */
  Conn *conn;
  size_t nconn;
  Buf addr;                 /* the row's address, lower-cased (reused: grows to the longest) */
  char *err;
  size_t errSize;
  int failed;               /* a callback failed: err says why */
  /* the campaign whose activity is being read */
  int64_t campaign, activity, sentAt;
  long kinds[ESP_ACT_UNSUB + 1];
  long uncommitted;         /* activity rows applied since the last commit */
  /* campaigns met in a dry run (not stored): their ESP ids */
  char **fresh;
  size_t nfresh;
} Imp;

static const char *const KIND[] = { [ESP_ACT_SENT] = "sent", [ESP_ACT_OPEN] = "open", [ESP_ACT_CLICK] = "click",
                                    [ESP_ACT_BOUNCE] = "bounce", [ESP_ACT_ABUSE] = "abuse", [ESP_ACT_UNSUB] = "unsubscribe" };

/* "2026-03-20 09:00" (UTC) into out. */
static void shortTime(int64_t t, char out[32]) {
  time_t s = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&s, &tm) || !strftime(out, 32, "%Y-%m-%d %H:%M", &tm)) snprintf(out, 32, "%" PRId64, t);
}

/* The row's address trimmed and lower-cased into m->addr; 0 when it is
** not one (empty, or no '@'). */
static int takeAddr(Imp *m, const char *s) {
  m->addr.n = 0;
  if (!s) return 0;
  while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
  size_t n = strlen(s);
  while (n && strchr(" \t\r\n", s[n - 1])) n--;
  for (size_t i = 0; i < n; i++) {
    char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
    campBufPut(&m->addr, &c, 1);
  }
  campBufPut(&m->addr, "", 0);
  return !m->addr.oom && m->addr.n && memchr(m->addr.p, '@', m->addr.n);
}

static int fail(Imp *m, const char *what) {
  if (!m->failed) snprintf(m->err, m->errSize, "%s: %s", what, m->addr.oom ? "out of memory" : campStoreError(m->e));
  m->failed = 1;
  return -1;
}

/* -- the connected lists ------------------------------------------------------------ */

/* Every list whose sync goes to the same provider and audience / book,
** each model's index of records by address built. */
static int connect(Imp *m) {
  SyncCtx *x = m->x;
  char **lists = NULL;
  size_t n = 0;
  if (campStoreSyncConnected(m->e, m->esp, x->p->str[x->y->remote], &lists, &n, m->err, m->errSize) < 0) return -1;
  int rc = 0;
  m->conn = calloc(n ? n : 1, sizeof *m->conn);
  if (!m->conn) { snprintf(m->err, m->errSize, "out of memory"); rc = -1; }
  for (size_t i = 0; rc == 0 && i < n; i++) {
    uint32_t li;
    Program *p = campStoreListProgram(m->e, lists[i], &li, m->err, m->errSize);
    if (!p) { rc = -1; break; }
    const ProgList *l = &p->lists[li];
    const ProgModel *md = &p->models[l->model];
    if (l->contact != CAMP_NONE && md->fields[l->contact].type == TYPE_EMAIL) {
      Conn *c = &m->conn[m->nconn++];
      c->list = lists[i];
      lists[i] = NULL;
      c->model = strdup(p->str[md->name]);
      int built = 0;
      for (size_t k = 0; k + 1 < m->nconn; k++) built |= !strcmp(m->conn[k].model, c->model);
      if (!c->model) { snprintf(m->err, m->errSize, "out of memory"); rc = -1; }
      else if (!built) rc = campStoreSyncAddrIndex(m->e, c->model, p->str[md->fields[l->contact].name], m->err, m->errSize);
    }
    campProgramFree(p);
  }
  for (size_t i = 0; i < n; i++) free(lists[i]);
  free(lists);
  /* the sync's own list is one of them once deployed; its model indexed whatever the store says */
  int own = 0;
  for (size_t k = 0; k < m->nconn; k++) own |= !strcmp(m->conn[k].model, x->model);
  if (rc == 0 && !own && x->email < x->p->models[x->p->lists[x->y->list].model].nfield)
    rc = campStoreSyncAddrIndex(m->e, x->model, x->p->str[x->p->models[x->p->lists[x->y->list].model].fields[x->email].name],
                                m->err, m->errSize);
  return rc;
}

static void disconnect(Imp *m) {
  for (size_t i = 0; i < m->nconn; i++) { free(m->conn[i].list); free(m->conn[i].model); }
  free(m->conn);
  for (size_t i = 0; i < m->nfresh; i++) free(m->fresh[i]);
  free(m->fresh);
  campBufFree(&m->addr);
}

/* A step's transaction (none in a dry run) and its end: committed with
** the cursor key = next, or rolled back.  A long step (a campaign's
** activity) also commits every STEP_BATCH rows, so that camp serve and
** camp run are not kept waiting on the database while the provider is
** paged: safe because every row is idempotent (a send finds its trace, a
** Mailchimp event its seen key committed with it, a Dotdigital total is
** set), so a run killed between two batches and run again redoes the
** step from its old cursor to the same end. */
enum { STEP_BATCH = 10000 };
static int stepBegin(Imp *m) {
  return m->x->o->dryRun ? 0 : campStoreBegin(m->e, 1, m->err, m->errSize);
}

static int stepEnd(Imp *m, int rc, const char *key, const char *next) {
  if (m->x->o->dryRun) return rc;
  if (rc == 0 && campStoreSyncCursorSet(m->e, m->x->name, key, next) < 0) rc = fail(m, "cursor");
  if (rc == 0 && campStoreCommit(m->e, m->err, m->errSize) < 0) rc = -1;
  if (rc < 0) { campStoreRollback(m->e); campStoreForgetAll(m->e); }
  return rc;
}

/* -- 1. statuses ------------------------------------------------------------------- */

typedef struct Unsub { Imp *m; const Conn *c; int64_t at; const char *detail; int changed; } Unsub;

static int unsubRecord(void *ctx, int64_t record) {
  Unsub *u = ctx;
  Imp *m = u->m;
  if (m->x->o->dryRun) {
    StoreListRow row;
    int rc = campStoreListRow(m->e, u->c->list, u->c->model, record, &row);
    if (rc < 0) return fail(m, "list");
    u->changed |= !row.unsubscribed;
    return 0;
  }
  int rc = campStoreListSet(m->e, u->c->list, u->c->model, record, "unsubscribe", u->at, u->detail, m->err, m->errSize);
  if (rc < 0) { m->failed = 1; return -1; }
  u->changed |= rc;
  return 0;
}

/* What the provider calls a status, in camp's words. */
static const char *statusWord(const Imp *m, EspStatus s) {
  int dd = !strcmp(m->esp, "dotdigital");
  return s == ESP_CLEANED ? (dd ? "hard bounced" : "cleaned") : s == ESP_COMPLAINED ? "complained" : "unsubscribed";
}

static int onStatus(void *ctx, const EspStatusChange *s) {
  Imp *m = ctx;
  SyncCtx *x = m->x;
  if (m->failed) return -1;
  if (s->status != ESP_UNSUBSCRIBED && s->status != ESP_CLEANED && s->status != ESP_COMPLAINED) return 0;
  if (!takeAddr(m, s->email)) return m->addr.oom ? fail(m, "status") : 0;
  int64_t at = s->at == INT64_MIN ? campEngineNow(m->e) : s->at;
  const char *word = statusWord(m, s->status);
  char when[32], detail[64];
  shortTime(at, when);
  snprintf(detail, sizeof detail, "%s: %s", m->esp, word);
  for (size_t i = 0; i < m->nconn; i++) {
    Unsub u = { m, &m->conn[i], at, detail, 0 };
    if (campStoreSyncAddrEach(m->e, u.c->model, m->addr.p, unsubRecord, &u) < 0) return m->failed ? -1 : fail(m, "status");
    if (!u.changed) continue;
    x->st->unsubscribed++;
    campSyncPlanLine(x, 'c', '!', "%-24s unsubscribe from %s (%s on %s %s)", m->addr.p, u.c->list, word, m->esp, when);
  }
  if (s->status != ESP_UNSUBSCRIBED) {
    char reason[64];
    snprintf(reason, sizeof reason, "%s (%s)", s->status == ESP_CLEANED ? "hard bounce" : "complaint", m->esp);
    int added = x->o->dryRun ? campStoreSuppressed(m->e, 0, m->addr.p, m->addr.n, m->err, m->errSize)
                             : campStoreSuppress(m->e, 0, m->addr.p, m->addr.n, reason, at, m->err, m->errSize);
    if (x->o->dryRun && added >= 0) added = !added;                 /* would be added: not suppressed yet */
    if (added < 0) { m->failed = 1; return -1; }
    if (added) {
      x->st->suppressed++;
      campSyncPlanLine(x, 'c', '!', "%-24s suppress (%s)", m->addr.p, reason);
    }
  }
  if (x->gone && !g_hash_table_contains(x->gone, m->addr.p)) { char *k = strdup(m->addr.p); if (!k) return fail(m, "status"); g_hash_table_add(x->gone, k); };
  return 0;
}

static int importStatuses(Imp *m) {
  SyncCtx *x = m->x;
  char cursor[256], next[256] = "";
  if (campStoreSyncCursor(m->e, x->name, "statuses", cursor, sizeof cursor) < 0) return fail(m, "cursor");
  if (stepBegin(m) < 0) return -1;
  int rc = x->d->statuses(&x->c, cursor, onStatus, m, next, sizeof next, m->err, m->errSize);
  if (m->failed) rc = -1;
  return stepEnd(m, rc, "statuses", next[0] ? next : cursor);
}

/* -- 2. campaigns -------------------------------------------------------------------- */

/* A template block that is the text s: CONST k; RET. */
static void literalBlock(Program *q, uint32_t str, uint32_t model, uint32_t file, uint8_t *bc) {
  uint32_t k = q->nconst++;
  q->consts[k] = (Value){ .tag = VAL_TEXT, .len = q->strLen[str], .u.s = q->str[str] };
  bc[0] = OP_CONST;
  for (int i = 0; i < 4; i++) bc[1 + i] = (uint8_t)(k >> (8 * i));
  bc[5] = OP_RET;
  q->code[q->ncode++] = (ProgCode){ .kind = CODE_TEMPLATE, .model = model, .start = (uint32_t)(bc - q->bc), .len = 6, .file = file };
}

/* The image of the mailing an ESP campaign becomes: the sync's image
** (its models and lists) with one mailing -- name, title, over the sync's
** list, at the send time, the ESP's subject and a note as its body --
** instead of its campaigns.  *img malloc'd; -1 out of memory. */
static int mailingImage(const SyncCtx *x, const char *name, const char *title, const char *subject, const char *body,
                        int64_t sentAt, uint8_t **img, size_t *len) {
  const Program *p = x->p;
  Program q = *p;
  const char *texts[4] = { name, title, subject, body };
  q.str = malloc((p->nstr + 4) * sizeof *q.str);
  q.strLen = malloc((p->nstr + 4) * sizeof *q.strLen);
  q.consts = malloc((p->nconst + 2) * sizeof *q.consts);
  q.code = malloc((p->ncode + 2) * sizeof *q.code);
  q.bc = malloc(p->nbc + 12);
  int rc = -1;
  if (!q.str || !q.strLen || !q.consts || !q.code || !q.bc) goto done;
  memcpy(q.str, p->str, p->nstr * sizeof *q.str);
  memcpy(q.strLen, p->strLen, p->nstr * sizeof *q.strLen);
  memcpy(q.consts, p->consts, p->nconst * sizeof *q.consts);
  memcpy(q.code, p->code, p->ncode * sizeof *q.code);
  memcpy(q.bc, p->bc, p->nbc);
  for (int i = 0; i < 4; i++) { q.str[p->nstr + i] = texts[i]; q.strLen[p->nstr + i] = (uint32_t)strlen(texts[i]); }
  q.nstr = p->nstr + 4;
  uint32_t model = p->lists[x->y->list].model;
  literalBlock(&q, p->nstr + 2, model, p->nstr, q.bc + p->nbc);
  literalBlock(&q, p->nstr + 3, model, p->nstr, q.bc + p->nbc + 6);
  q.nbc = p->nbc + 12;
  ProgMailing ml = { .name = p->nstr, .title = p->nstr + 1, .list = x->y->list, .at = sentAt, .subject = q.ncode - 2,
                     .body = q.ncode - 1, .text = CAMP_NONE, .from = CAMP_NONE, .initiative = CAMP_NONE, .via = CAMP_NONE };
  ProgCampaign camp;
  ProgActivity act;
  campProgramLowerMailing(&q, &ml, 0, 0, &camp, &act);
  q.camps = &camp; q.ncamp = 1;
  q.acts = &act; q.nact = 1;
  rc = campProgramSave(&q, img, len);
done:
  free(q.str); free(q.strLen); free(q.consts); free(q.code); free(q.bc);
  return rc;
}

/* "<sync>_<the ESP id: letters and digits lower-cased, anything else _>",
** with "_2", "_3" ... after it while another campaign has the name. */
static int mailingName(Imp *m, const char *espId, Buf *name) {
  campBufPuts(name, m->x->name);
  campBufPuts(name, "_");
  for (const char *s = espId; *s; s++) {
    char c = *s >= 'A' && *s <= 'Z' ? (char)(*s + 32) : *s;
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) c = '_';
    campBufPut(name, &c, 1);
  }
  size_t base = name->n;
  for (int k = 2;; k++) {
    if (name->oom) { snprintf(m->err, m->errSize, "out of memory"); return -1; }
    int taken = campStoreSyncNameTaken(m->e, name->p);
    if (taken < 0) return fail(m, "campaign");
    if (!taken) return 0;
    name->n = base;
    campBufPrintf(name, "_%d", k);
  }
}

/* Deploy the mailing of ESP campaign c as `camp deploy` stores a mailing,
** then mark it sent; its id in *id. */
static int storeMailing(Imp *m, const EspCampaign *c, const char *name, int64_t *id) {
  SyncCtx *x = m->x;
  Buf body = { 0 };
  campBufPrintf(&body, "Sent through %s (campaign %s).", m->esp, c->id);
  uint8_t *img = NULL;
  size_t len = 0;
  const char *title = c->title && *c->title ? c->title : c->id, *subject = c->subject ? c->subject : "";
  if (body.oom || mailingImage(x, name, title, subject, body.p, c->sentAt, &img, &len) < 0) {
    campBufFree(&body);
    snprintf(m->err, m->errSize, "out of memory");
    return -1;
  }
  campBufFree(&body);
  /* loaded back: what is stored is exactly what the loader accepts */
  Program *q = campProgramLoad(img, len, m->err, m->errSize);
  DeployImage im = { img, len, NULL };
  DeployStats stats = { 0 };
  DeployOptions o = { .start = 1, .out = NULL, .stats = &stats };
  DeployedCampaign dc;
  int rc = q ? campStoreDeployCampaign(m->e, q, 0, &im, &o, &stats, &dc, m->err, m->errSize) : -1;
  campProgramFree(q);
  free(img);
  if (rc == 0) rc = campStoreSyncMailingMark(m->e, dc.id, m->esp, c->id, c->sentAt, m->err, m->errSize);
  *id = dc.id;
  return rc < 0 ? -1 : 0;
}

/* Remember a campaign met in a dry run (its activity is read all the same). */
static int keepFresh(Imp *m, const char *id) {
  char **v = realloc(m->fresh, (m->nfresh + 1) * sizeof *v);
  if (!v || !(v[m->nfresh] = strdup(id))) { if (v) m->fresh = v; snprintf(m->err, m->errSize, "out of memory"); m->failed = 1; return -1; }
  m->fresh = v;
  m->nfresh++;
  return 0;
}

static int onCampaign(void *ctx, const EspCampaign *c) {
  Imp *m = ctx;
  SyncCtx *x = m->x;
  if (m->failed) return -1;
  if (!c->id || !*c->id) return 0;
  int64_t id = campStoreSyncMailingFind(m->e, m->esp, c->id, NULL, NULL, m->err, m->errSize);
  if (id < 0) { m->failed = 1; return -1; }
  Buf key = { 0 };
  campBufPrintf(&key, "activity:%s", c->id);
  char ign[8];
  int tracked = key.oom ? -1 : campStoreSyncCursor(m->e, x->name, key.p, ign, sizeof ign);
  int rc = tracked < 0 ? fail(m, "cursor") : 0;
  if (rc == 0 && !id) {
    Buf name = { 0 };
    char when[32];
    shortTime(c->sentAt, when);
    rc = mailingName(m, c->id, &name);
    if (rc == 0 && !x->o->dryRun) rc = storeMailing(m, c, name.p, &id);
    if (rc == 0) {
      x->st->mailings++;
      Buf what = { 0 };                                 /* "mailing NAME" in the plan's address column */
      campBufPrintf(&what, "mailing %s", name.p);
      campSyncPlanLine(x, 'c', '+', "%-24s \"%s\" sent %s", what.oom ? "mailing" : what.p, c->title ? c->title : c->id, when);
      campBufFree(&what);
    }
    campBufFree(&name);
  }
  /* from now on its activity is read (a dry run: read all the same, from the start) */
  if (rc == 0 && !tracked && !x->o->dryRun && campStoreSyncCursorSet(m->e, x->name, key.p, "") < 0) rc = fail(m, "cursor");
  if (rc == 0 && !tracked && x->o->dryRun) rc = keepFresh(m, c->id);
  campBufFree(&key);
  if (rc < 0) m->failed = 1;
  return rc;
}

static int importCampaigns(Imp *m) {
  SyncCtx *x = m->x;
  char cursor[256], next[256] = "";
  if (campStoreSyncCursor(m->e, x->name, "campaigns", cursor, sizeof cursor) < 0) return fail(m, "cursor");
  if (stepBegin(m) < 0) return -1;
  int rc = x->d->campaigns(&x->c, cursor, onCampaign, m, next, sizeof next, m->err, m->errSize);
  if (m->failed) rc = -1;
  return stepEnd(m, rc, "campaigns", next[0] ? next : cursor);
}

/* -- 3. activity ------------------------------------------------------------------------ */

typedef struct Act { Imp *m; const EspActivity *a; int64_t at; int changed; } Act;

static const int BITS[] = { [ESP_ACT_OPEN] = EV_OPEN, [ESP_ACT_CLICK] = EV_OPEN | EV_CLICK, [ESP_ACT_BOUNCE] = EV_BOUNCE };

/* The activity on one record's message: found (or made: a send, or an
** event whose send was not reported) and the event counted or set. */
static int actRecord(void *ctx, int64_t record) {
  Act *t = ctx;
  Imp *m = t->m;
  SyncCtx *x = m->x;
  const EspActivity *a = t->a;
  SyncMessage msg = { m->campaign, m->activity, record, t->at, m->addr.p };
  int64_t trace;
  int fresh, dry = x->o->dryRun;
  if (campStoreSyncMessage(m->e, &msg, !dry, &trace, &fresh) < 0) return fail(m, "activity");
  if (dry) {
    if (!trace) { t->changed = 1; return 0; }
    if (a->kind == ESP_ACT_SENT) return 0;
    long now = a->key ? 0 : campStoreSyncEventCount(m->e, trace, KIND[a->kind], a->url);
    t->changed |= a->key ? 1 : now != a->count;
    return 0;
  }
  if (fresh & SYNC_NEW_TRACE) {
    char mid[128];
    if (campTrackMessageId(campEngineSecret(m->e), trace, mid, sizeof mid) < 0 || campStoreSyncMessageId(m->e, trace, mid) < 0)
      return fail(m, "message id");
  }
  if ((fresh & SYNC_NEW_PARTICIPANT) && campStoreListContacted(m->e, x->list, x->model, record, t->at) < 0) return fail(m, "list");
  t->changed |= fresh != 0;
  if (a->kind == ESP_ACT_SENT) return 0;
  int rc;
  if (a->key) rc = campStoreRecordEvent(m->e, trace, KIND[a->kind], t->at, a->url) < 0 ? -1 : 0;
  else {
    long before = campStoreSyncEventCount(m->e, trace, KIND[a->kind], a->url);
    rc = before < 0 ? -1 : campStoreSyncEventSet(m->e, trace, KIND[a->kind], a->url, t->at, a->count);
    t->changed |= before != a->count;
  }
  if (a->key) t->changed = 1;
  if (rc == 0 && a->kind <= ESP_ACT_BOUNCE && BITS[a->kind] && (a->key || a->count > 0)) rc = campStoreAddEvents(m->e, trace, BITS[a->kind]);
  return rc < 0 ? fail(m, "activity") : 0;
}

static int anyRecord(void *ctx, int64_t record) {
  ((Act *)ctx)->changed = 1;
  return 1;
}

static int onActivity(void *ctx, const EspActivity *a) {
  Imp *m = ctx;
  SyncCtx *x = m->x;
  if (m->failed) return -1;
  if (a->kind < ESP_ACT_SENT || a->kind > ESP_ACT_UNSUB) return 0;
  if (!takeAddr(m, a->email)) return m->addr.oom ? fail(m, "activity") : 0;
  if (a->key) {
    int seen = campStoreSyncSeen(m->e, x->name, a->key, !x->o->dryRun);
    if (seen < 0) return fail(m, "activity");
    if (seen) return 0;
  }
  Act t = { m, a, a->at != INT64_MIN ? a->at : m->sentAt, 0 };
  /* a dry run's campaign not imported yet: all of it is new for an address camp has */
  if (campStoreSyncAddrEach(m->e, x->model, m->addr.p, m->campaign ? actRecord : anyRecord, &t) < 0)
    return m->failed ? -1 : fail(m, "activity");
  if (t.changed) { m->kinds[a->kind]++; x->st->activity++; }
  if (!x->o->dryRun && ++m->uncommitted >= STEP_BATCH) {
    m->uncommitted = 0;
    if (campStoreCommit(m->e, m->err, m->errSize) < 0 || campStoreBegin(m->e, 1, m->err, m->errSize) < 0) return fail(m, "activity");
  }
  return 0;
}

/* The plan line of a campaign's activity:
** "~ mailing NAME             3 sent, 2 opens, 1 click" (NAME: the ESP's
** campaign id when a dry run has not imported it). */
static void activityLine(Imp *m, const char *name, const char *espId) {
  long total = 0;
  for (int k = ESP_ACT_SENT; k <= ESP_ACT_UNSUB; k++) total += m->kinds[k];
  if (!total) return;
  static const char *const one[] = { [ESP_ACT_SENT] = "sent", [ESP_ACT_OPEN] = "open", [ESP_ACT_CLICK] = "click",
                                     [ESP_ACT_BOUNCE] = "bounce", [ESP_ACT_ABUSE] = "abuse report", [ESP_ACT_UNSUB] = "unsubscribe" };
  static const char *const many[] = { [ESP_ACT_SENT] = "sent", [ESP_ACT_OPEN] = "opens", [ESP_ACT_CLICK] = "clicks",
                                      [ESP_ACT_BOUNCE] = "bounces", [ESP_ACT_ABUSE] = "abuse reports", [ESP_ACT_UNSUB] = "unsubscribes" };
  Buf what = { 0 }, line = { 0 };
  if (name) campBufPrintf(&what, "mailing %s", name);
  else campBufPrintf(&what, "%s campaign %s", m->esp, espId);
  for (int k = ESP_ACT_SENT; k <= ESP_ACT_UNSUB; k++)
    if (m->kinds[k]) campBufPrintf(&line, "%s%ld %s", line.n ? ", " : "", m->kinds[k], m->kinds[k] == 1 ? one[k] : many[k]);
  campSyncPlanLine(m->x, 'c', '~', "%-24s %s", what.oom ? "?" : what.p, line.oom ? "?" : line.p);
  campBufFree(&what);
  campBufFree(&line);
}

static int importActivity(Imp *m, const char *espId) {
  SyncCtx *x = m->x;
  Buf key = { 0 };
  campBufPrintf(&key, "activity:%s", espId);
  if (key.oom) { snprintf(m->err, m->errSize, "out of memory"); return -1; }
  char cursor[256] = "", next[256] = "";
  int rc = campStoreSyncCursor(m->e, x->name, key.p, cursor, sizeof cursor) < 0 ? fail(m, "cursor") : stepBegin(m);
  if (rc < 0) { campBufFree(&key); return -1; }
  memset(m->kinds, 0, sizeof m->kinds);
  m->activity = 0;
  char *name = NULL;
  m->campaign = rc < 0 ? 0 : campStoreSyncMailingFind(m->e, m->esp, espId, &m->sentAt, &name, m->err, m->errSize);
  if (m->campaign < 0) rc = -1;
  if (rc == 0 && m->campaign && (m->activity = campStoreSyncMailingActivity(m->e, m->campaign, m->err, m->errSize)) < 0) rc = -1;
  if (rc == 0 && (!m->campaign || m->sentAt == INT64_MIN)) m->sentAt = campEngineNow(m->e);
  if (rc == 0 && !m->campaign && !x->o->dryRun) {      /* its mailing is gone: nothing to count it on, the cursor stays */
    rc = stepEnd(m, 0, key.p, cursor);
    campBufFree(&key);
    return rc;
  }
  if (rc == 0) rc = x->d->activity(&x->c, espId, cursor, onActivity, m, next, sizeof next, m->err, m->errSize);
  if (m->failed) rc = -1;
  if (rc == 0) activityLine(m, name, espId);
  free(name);
  rc = stepEnd(m, rc, key.p, next[0] ? next : cursor);
  campBufFree(&key);
  return rc;
}

int campSyncImport(SyncCtx *x, char *err, size_t errSize) {
  Imp m = { .x = x, .e = x->e, .esp = campStoreSyncEspName(x->y->esp), .err = err, .errSize = errSize };
  if (errSize) err[0] = 0;
  int rc = connect(&m);
  if (rc == 0 && !(x->o->stop && *x->o->stop)) rc = importStatuses(&m);
  if (rc == 0 && !(x->o->stop && *x->o->stop)) rc = importCampaigns(&m);
  char **ids = NULL;
  size_t n = 0;
  if (rc == 0 && campStoreSyncTracked(m.e, x->name, &ids, &n, err, errSize) < 0) rc = -1;
  for (size_t i = 0; rc == 0 && i < n; i++) if (!(x->o->stop && *x->o->stop)) rc = importActivity(&m, ids[i]);
  for (size_t i = 0; rc == 0 && i < m.nfresh; i++) if (!(x->o->stop && *x->o->stop)) rc = importActivity(&m, m.fresh[i]);
  for (size_t i = 0; i < n; i++) free(ids[i]);
  free(ids);
  disconnect(&m);
  return rc;
}

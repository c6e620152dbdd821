/*
** runtime/store_run.c -- the scheduler: participant sync, due traces, events.
**
** Owns: one execution pass as Odoo defines it (expired -> canceled; record
** gone or failing a filter -> rejected; suppressed address -> canceled; else
** run -> processed or error; then children made due or armed), crash-safe
** sends (a send is claimed with its Message-ID in the transaction that
** moves its trace; an interrupted send is retried with the same ID),
** completion, window expiry, and events with their implications.
** Work is read in batches from the (state, due) index and committed per
** batch; nothing about the audience is held in memory.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/store_engine.h"
#include "runtime/track.h"

#define MAX_ATTEMPTS 8

/* A participant with nothing pending is completed: one statement, which
** looks for pending traces only while the participant still runs. */
int campStoreMaybeComplete(Engine *e, int64_t participant) {
  char ign_[160];
  sqlite3_stmt *s = campStoreStmt(e, "UPDATE camp_participant SET state = 'completed' WHERE id = ?1 AND state = 'running' "
                                     "AND NOT EXISTS (SELECT 1 FROM camp_trace WHERE participant = ?1 AND (+state <= 1 OR +state = 6))",
                                  ign_, sizeof ign_);
  if (!s) return -1;
  sqlite3_bind_int64(s, 1, participant);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return -1;
  return sqlite3_changes(e->db) > 0;
}

int campStoreCompleteCampaign(Engine *e, int64_t campaign) {
  char ign_[160];
  sqlite3_stmt *s = campStoreStmt(e, "UPDATE camp_participant SET state = 'completed' WHERE campaign = ?1 AND state = 'running' "
                                     "AND NOT EXISTS (SELECT 1 FROM camp_trace t WHERE t.participant = camp_participant.id "
                                     "AND (+t.state <= 1 OR +t.state = 6))", ign_, sizeof ign_);
  if (!s) return -1;
  sqlite3_bind_int64(s, 1, campaign);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? 0 : -1;
}

static int maybeComplete(Engine *e, int64_t participant, RunStats *st) {
  int r = campStoreMaybeComplete(e, participant);
  if (r > 0 && st) st->completed++;
  return r < 0 ? -1 : 0;
}

static int setTrace(Engine *e, int64_t trace, int state, const char *msg, int64_t doneAt) {
  char ign_[160];
  sqlite3_stmt *s = campStoreStmt(e, "UPDATE camp_trace SET state = ?, message = ?, done_at = ? WHERE id = ?", ign_, sizeof ign_);
  if (!s) return -1;
  sqlite3_bind_int(s, 1, state);
  if (msg) sqlite3_bind_text(s, 2, msg, -1, SQLITE_TRANSIENT); else sqlite3_bind_null(s, 2);
  sqlite3_bind_int64(s, 3, doneAt);
  sqlite3_bind_int64(s, 4, trace);
  int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
  sqlite3_reset(s);
  return rc;
}

/* Cancel every pending trace of a participant (it left, or its record went). */
static int cancelPending(Engine *e, int64_t participant, const char *why, int64_t now) {
  char ign_[160];
  sqlite3_stmt *s = campStoreStmt(e, "UPDATE camp_trace SET state = 4, message = ?, done_at = ? WHERE participant = ? AND +state IN (0, 1)", ign_, sizeof ign_);
  if (!s) return -1;
  sqlite3_bind_text(s, 1, why, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, now);
  sqlite3_bind_int64(s, 3, participant);
  int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
  sqlite3_reset(s);
  return rc;
}

static int insertTrace(Engine *e, int64_t participant, int64_t activity, int64_t parent, int state,
                       int64_t due, int hasDue, int64_t base) {
  char ign_[160];
  sqlite3_stmt *s = campStoreStmt(e, "INSERT INTO camp_trace(participant, activity, parent, state, due, base) VALUES(?, ?, ?, ?, ?, ?)", ign_, sizeof ign_);
  if (!s) return -1;
  sqlite3_bind_int64(s, 1, participant);
  sqlite3_bind_int64(s, 2, activity);
  if (parent) sqlite3_bind_int64(s, 3, parent); else sqlite3_bind_null(s, 3);
  sqlite3_bind_int(s, 4, state);
  if (hasDue) sqlite3_bind_int64(s, 5, due); else sqlite3_bind_null(s, 5);
  if (state == TRACE_SCHEDULED) sqlite3_bind_int64(s, 6, base); else sqlite3_bind_null(s, 6);
  int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
  sqlite3_reset(s);
  return rc;
}

/* The children of activity `act` once it was processed at `now`:
** done and no-X children are scheduled, positive ones armed (waiting, with
** their window's end as due, or no due without a window). */
static int createChildren(Engine *e, const Loaded *l, uint32_t act, int64_t trace, int64_t participant, int64_t now,
                          int *spawned) {
  const Program *p = l->p;
  const ProgCampaign *c = &p->camps[l->camp];
  for (uint32_t i = c->firstAct; i < c->firstAct + c->nact; i++) {
    const ProgActivity *a = &p->acts[i];
    if (a->parent != act) continue;
    int rc;
    if (a->trigger == TRIG_DONE) rc = insertTrace(e, participant, l->actId[i], trace, TRACE_SCHEDULED, now + a->delay, 1, now);
    else if (a->trigger >= TRIG_NO_OPEN) rc = insertTrace(e, participant, l->actId[i], trace, TRACE_SCHEDULED, now + a->window + a->delay, 1, now);
    else rc = insertTrace(e, participant, l->actId[i], trace, TRACE_WAITING, now + a->window, a->window != 0, now);
    if (rc < 0) return -1;
    if (spawned) *spawned = 1;
  }
  return 0;
}

/* -- participant sync -------------------------------------------------------- */

static int enrol(Engine *e, const Loaded *l, int64_t campaign, int64_t record, const char *uniq, int test, int64_t now,
                 int64_t *participantOut) {
  char ign_[160];
  sqlite3_stmt *s = campStoreStmt(e, "INSERT INTO camp_participant(campaign, record_id, state, test, unique_value, enrolled_at) "
                                "VALUES(?, ?, 'running', ?, ?, ?)", ign_, sizeof ign_);
  if (!s) return -1;
  sqlite3_bind_int64(s, 1, campaign);
  sqlite3_bind_int64(s, 2, record);
  sqlite3_bind_int(s, 3, test);
  if (uniq) sqlite3_bind_text(s, 4, uniq, -1, SQLITE_TRANSIENT); else sqlite3_bind_null(s, 4);
  sqlite3_bind_int64(s, 5, now);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return -1;
  int64_t participant = sqlite3_last_insert_rowid(e->db);
  if (participantOut) *participantOut = participant;
  const ProgCampaign *c = &l->p->camps[l->camp];
  for (uint32_t i = c->firstAct; i < c->firstAct + c->nact; i++)
    if (l->p->acts[i].trigger == TRIG_BEGIN &&
        insertTrace(e, participant, l->actId[i], 0, TRACE_SCHEDULED, now + l->p->acts[i].delay, 1, now) < 0) return -1;
  return 0;
}

static int uniqueTaken(Engine *e, int64_t campaign, const char *value) {
  char ign_[160];
  sqlite3_stmt *s = campStoreStmt(e, "SELECT 1 FROM camp_participant WHERE campaign = ? AND unique_value = ? AND test = 0 LIMIT 1", ign_, sizeof ign_);
  if (!s) return 1;
  sqlite3_bind_int64(s, 1, campaign);
  sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
  int r = sqlite3_step(s) == SQLITE_ROW;
  sqlite3_reset(s);
  return r;
}

/* Odoo's sync: running participants whose record is gone are unlinked and
** those that stopped matching leave (their pending traces canceled); new
** matching records are enrolled in id order, deduplicated on `unique`. */
static int syncWith(Engine *e, const Loaded *l, int64_t campaign, const char *cols, const char *id, RunStats *rs,
                    char *err, size_t errSize);

int campStoreSync(Engine *e, int64_t campaign, RunStats *rs, char *err, size_t errSize) {
  const Loaded *l = campStoreLoaded(e, campaign, err, errSize);
  if (!l) return -1;
  /* the model's columns and table, quoted (built to their size) */
  const ProgModel *m = &l->p->models[l->p->camps[l->camp].model];
  Buf cols = { 0 }, id = { 0 };
  for (uint32_t f = 0; f < m->nfield; f++) { campBufPuts(&cols, f ? ", m." : "m."); campStoreIdentPut(&cols, l->p->str[m->fields[f].name]); }
  campStoreIdentPut(&id, l->p->str[m->name]);
  int rc = cols.oom || id.oom ? (snprintf(err, errSize, "out of memory"), -1) : syncWith(e, l, campaign, cols.p, id.p, rs, err, errSize);
  campBufFree(&cols);
  campBufFree(&id);
  return rc;
}

static int syncWith(Engine *e, const Loaded *l, int64_t campaign, const char *cols, const char *id, RunStats *rs,
                    char *err, size_t errSize) {
  const Program *p = l->p;
  const ProgCampaign *c = &p->camps[l->camp];
  const ProgModel *m = &p->models[c->model];
  int64_t now = campEngineNow(e);
  VmHost host;
  campStoreHost(e, &host);

  /* A mailing is sent once, at its time: it enrols its list then and never
  ** again, and nobody leaves it. */
  if (c->isMailing) {
    if (c->at > now) return 0;
    sqlite3_stmt *q = campStoreStmt(e, "SELECT last_sync IS NOT NULL FROM camp_campaign WHERE id = ?", err, errSize);
    if (!q) return -1;
    sqlite3_bind_int64(q, 1, campaign);
    int done = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
    sqlite3_reset(q);
    if (done) return 0;
  }

  /* 1. participants whose record is gone or no longer matches */
  Buf q = { 0 };
  campBufPrintf(&q, "SELECT pa.id, m.id IS NULL, %s FROM camp_participant pa LEFT JOIN %s m ON m.id = pa.record_id "
                    "WHERE pa.campaign = ? AND pa.state = 'running' AND pa.test = 0", cols, id);
  if (q.oom) { snprintf(err, errSize, "out of memory"); return -1; }
  sqlite3_stmt *st = c->isMailing ? NULL : campStorePrepare(e, q.p, err, errSize);
  campBufFree(&q);
  if (!st && !c->isMailing) return -1;
  sqlite3_bind_int64(st, 1, campaign);
  int64_t *leave = NULL;
  int *gone = NULL;
  size_t nleave = 0, capLeave = 0;
  int rc = SQLITE_DONE;
  while (st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    int isGone = sqlite3_column_int(st, 1), match = 1;
    if (!isGone) {
      campStoreRowToFields(e, l, st, 2);
      VmRecord r = { c->model, m->nfield, e->fields };
      match = campVmFilter(e->vm, p, c->filter, &r, now, &host, err, errSize) != 0;
    }
    if (isGone || !match) {
      if (nleave == capLeave) {
        capLeave = capLeave ? capLeave * 2 : 64;
        int64_t *l2 = realloc(leave, capLeave * sizeof *leave);
        if (l2) leave = l2;
        int *g2 = l2 ? realloc(gone, capLeave * sizeof *gone) : NULL;
        if (g2) gone = g2;
        if (!l2 || !g2) { rc = SQLITE_NOMEM; break; }
      }
      leave[nleave] = sqlite3_column_int64(st, 0);
      gone[nleave++] = isGone;
    }
  }
  sqlite3_finalize(st);
  for (size_t i = 0; i < nleave && rc == SQLITE_DONE; i++) {
    sqlite3_stmt *u = campStoreStmt(e, "UPDATE camp_participant SET state = ? WHERE id = ?", err, errSize);
    if (!u) { rc = SQLITE_ERROR; break; }
    sqlite3_bind_text(u, 1, gone[i] ? "unlinked" : "left", -1, SQLITE_STATIC);
    sqlite3_bind_int64(u, 2, leave[i]);
    rc = sqlite3_step(u);
    sqlite3_reset(u);
    if (rc == SQLITE_DONE && cancelPending(e, leave[i], gone[i] ? "record deleted" : "record no longer matches the campaign filter", now) < 0)
      rc = SQLITE_ERROR;
    rs->left++;
  }
  free(leave);
  free(gone);
  if (rc != SQLITE_DONE) { snprintf(err, errSize, "database: %s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(e->db)); return -1; }

  /* 2. new matching records, in id order (a mailing to a manual list: its
  ** members) */
  int manual = c->isMailing && c->filter == CAMP_NONE;
  campBufPrintf(&q, "SELECT %s FROM %s m WHERE NOT EXISTS (SELECT 1 FROM camp_participant pa "
                    "WHERE pa.campaign = ? AND pa.record_id = m.id AND pa.test = 0)%s ORDER BY m.id", cols, id,
                manual ? " AND m.id IN (SELECT record_id FROM camp_list_member WHERE list = ? AND model = ?)" : "");
  if (q.oom) { snprintf(err, errSize, "out of memory"); return -1; }
  st = campStorePrepare(e, q.p, err, errSize);
  campBufFree(&q);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, campaign);
  if (manual) {
    sqlite3_bind_text(st, 2, p->str[p->lists[c->list].name], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->str[m->name], -1, SQLITE_STATIC);
  }
  int failed = 0;
  while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    campStoreRowToFields(e, l, st, 0);
    VmRecord r = { c->model, m->nfield, e->fields };
    if (campVmFilter(e->vm, p, c->filter, &r, now, &host, err, errSize) <= 0) continue;
    char *u = NULL;
    if (c->unique != CAMP_NONE) {
      Value t;
      const Value *v = &e->fields[c->unique];
      if (v->tag == VAL_NULL || (v->tag == VAL_TEXT && v->len == 0)) continue;    /* empty values are excluded */
      campVmToText(e->vm, v, &t);
      if (!(u = malloc(t.len + 1))) { failed = 1; snprintf(err, errSize, "out of memory"); break; }
      memcpy(u, t.u.s, t.len);
      u[t.len] = 0;
      for (char *k = u; *k; k++) if (*k >= 'A' && *k <= 'Z') *k = (char)(*k + 32);
      if (uniqueTaken(e, campaign, u)) { free(u); continue; }
    }
    if (enrol(e, l, campaign, e->recordId, u, 0, now, NULL) < 0) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); failed = 1; }
    else rs->enrolled++;
    free(u);
  }
  sqlite3_finalize(st);
  if (!failed && rc != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); failed = 1; }
  if (failed) return -1;
  sqlite3_stmt *ls = campStoreStmt(e, "UPDATE camp_campaign SET last_sync = ? WHERE id = ?", err, errSize);
  if (!ls) return -1;
  sqlite3_bind_int64(ls, 1, now);
  sqlite3_bind_int64(ls, 2, campaign);
  rc = sqlite3_step(ls);
  sqlite3_reset(ls);
  if (rc != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); return -1; }
  return 0;
}

static int syncAll(Engine *e, RunStats *rs, char *err, size_t errSize) {
  sqlite3_stmt *st = campStorePrepare(e, "SELECT id FROM camp_campaign WHERE state = 'running' ORDER BY id", err, errSize);
  if (!st) return -1;
  int64_t *ids = NULL;
  size_t n = 0, cap = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == cap) {
      int64_t *grown = realloc(ids, (cap = cap ? cap * 2 : 64) * sizeof *ids);
      if (!grown) { rc = SQLITE_NOMEM; break; }
      ids = grown;
    }
    ids[n++] = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) { snprintf(err, errSize, "database: %s", sqlite3_errstr(rc)); free(ids); return -1; }
  e->gen++;
  for (size_t i = 0; i < n && rc == SQLITE_DONE; i++) {
    if (campStoreExec(e, "BEGIN IMMEDIATE", err, errSize) < 0) { rc = -1; break; }
    if (campStoreSync(e, ids[i], rs, err, errSize) < 0) { sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL); rc = -1; break; }
    if (campStoreExec(e, "COMMIT", err, errSize) < 0) rc = -1;
  }
  free(ids);
  return rc == SQLITE_DONE ? 0 : -1;
}

/* -- executing due traces -------------------------------------------------- */

typedef struct Work {
  int64_t trace, participant, parent, due, record, campaign;
  int state, attempts, actIdx, test;
  int spawned;              /* it created children: its participant has work pending */
  int queued;               /* claimed for sending: finished after the send */
  char messageId[96];
} Work;

typedef struct Outgoing {
  Work *w;
  const Loaded *l;          /* valid only until the next batch is decided: finishing looks it up again */
  int version;              /* of l, when the message was decided */
  char *code;               /* the campaign code (owned: the send outlives l) */
  char *subject, *html, *text, *from, *to, *toName, *unsub;
  char *fromName, *fromAddr;    /* split from `from` when sending, each sized to it */
  int sms;
  int hook;                 /* webhooks of an action: POST hookBody[i] to hookUrl[i] */
  int nhook;
  char **hookUrl, **hookBody;
} Outgoing;

static char *dupValue(Engine *e, const Value *v) {
  Value t;
  campVmToText(e->vm, v, &t);
  char *s = malloc(t.len + 1);
  if (s) { memcpy(s, t.u.s, t.len); s[t.len] = 0; }
  return s;
}

static char *render(Engine *e, const Loaded *l, uint32_t block, int64_t now, char *err, size_t errSize) {
  if (block == CAMP_NONE) return NULL;
  const ProgCampaign *c = &l->p->camps[l->camp];
  VmRecord r = { c->model, l->p->models[c->model].nfield, e->fields };
  VmHost host;
  Value out;
  campStoreHost(e, &host);
  if (campVmRun(e->vm, l->p, block, &r, now, &host, &out, err, errSize) < 0) return NULL;
  return dupValue(e, &out);
}

/* The links of one message, numbered across its HTML and text parts. */
typedef struct LinkCtx {
  const char *campaign, *medium, *source;     /* UTM values */
  Buf seen;           /* the URLs as written, each followed by '\n' */
  Buf targets;        /* where each redirects (with UTM), each followed by '\n': kept on the trace */
  uint32_t n;
} LinkCtx;

static void utmParam(Buf *b, const char *name, const char *value) {
  static const char hex[] = "0123456789ABCDEF";
  campBufPrintf(b, "&%s=", name);
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p)) campBufPut(b, (const char *)p, 1);
    else { char enc[3] = { '%', hex[*p >> 4], hex[*p & 15] }; campBufPut(b, enc, 3); }
  }
}

/* The URL a tracked link redirects to: the link (with HTML's &amp; read as
** &) plus the campaign's UTM values (utm_campaign: the campaign code, else
** its name; utm_medium: email or sms; utm_source: the activity), unless
** the link sets its own. */
static void withUtm(const LinkCtx *k, const char *url, size_t len, Buf *b) {
  const char *hash = memchr(url, '#', len);
  size_t base = hash ? (size_t)(hash - url) : len;
  for (size_t i = 0; i < base; i++) {
    campBufPut(b, url + i, 1);
    if (url[i] == '&' && base - i >= 5 && !memcmp(url + i, "&amp;", 5)) i += 4;
  }
  int own = 0;
  for (size_t i = 1; i + 4 <= base && !own; i++) own = !memcmp(url + i, "utm_", 4) && (url[i - 1] == '?' || url[i - 1] == '&' || url[i - 1] == ';');
  if (!own) {
    size_t mark = b->n;
    utmParam(b, "utm_campaign", k->campaign);
    utmParam(b, "utm_medium", k->medium);
    utmParam(b, "utm_source", k->source);
    if (!b->oom) b->p[mark] = memchr(url, '?', base) ? '&' : '?';
  }
  campBufPut(b, url + base, len - base);
}

/* TrackLinkFn: the index of url in this message, adding it when new. */
static uint32_t registerLink(void *ctx, const char *url, size_t len) {
  LinkCtx *k = ctx;
  const char *p = k->seen.p;
  for (uint32_t i = 0; i < k->n; i++) {
    const char *nl = memchr(p, '\n', k->seen.n - (size_t)(p - k->seen.p));
    if ((size_t)(nl - p) == len && !memcmp(p, url, len)) return i;
    p = nl + 1;
  }
  if (k->n == 256 || memchr(url, '\n', len) || memchr(url, '\r', len)) return UINT32_MAX;   /* left untracked */
  campBufPut(&k->seen, url, len);
  campBufPut(&k->seen, "\n", 1);
  withUtm(k, url, len, &k->targets);
  campBufPut(&k->targets, "\n", 1);
  if (k->seen.oom || k->targets.oom) return UINT32_MAX;
  return k->n++;
}

/* The id of a message's list of link targets in camp_linkset, added when
** new; 0 on a database error.  The messages of an activity mostly share
** theirs, so the lists met in this batch's transaction are remembered (a
** batch that rolls back takes its memory with it: gen moves on). */
static int64_t linkset(Engine *e, const Buf *targets) {
  uint32_t h = campStoreHash(targets->p, targets->n);
  for (int i = 0; i < LINKSETS_SEEN; i++) {
    if (e->linksets[i].gen == e->gen && e->linksets[i].links && e->linksets[i].hash == h && e->linksets[i].len == targets->n &&
        !memcmp(e->linksets[i].links, targets->p, targets->n))
      return e->linksets[i].id;
  }
  char ign_[160];
  int64_t id = 0;
  sqlite3_stmt *s = campStoreStmt(e, "SELECT id FROM camp_linkset WHERE links = ?", ign_, sizeof ign_);
  if (!s) return 0;
  sqlite3_bind_text(s, 1, targets->p, (int)targets->n, SQLITE_STATIC);
  if (sqlite3_step(s) == SQLITE_ROW) id = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  if (!id) {
    if (!(s = campStoreStmt(e, "INSERT INTO camp_linkset(links) VALUES(?)", ign_, sizeof ign_))) return 0;
    sqlite3_bind_text(s, 1, targets->p, (int)targets->n, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_DONE) id = sqlite3_last_insert_rowid(e->db);
    sqlite3_reset(s);
    if (!id) return 0;
  }
  char *copy = malloc(targets->n + 1);
  if (copy) {
    int k = e->nextLinkset++ % LINKSETS_SEEN;
    free(e->linksets[k].links);
    memcpy(copy, targets->p, targets->n);
    e->linksets[k].gen = e->gen;
    e->linksets[k].hash = h;
    e->linksets[k].len = targets->n;
    e->linksets[k].links = copy;
    e->linksets[k].id = id;
  }
  return id;
}

/* Is the address suppressed on the channel it is about to be sent on? */
static int suppressed(Engine *e, int sms, const char *addr, char *err, size_t errSize) {
  return campStoreSuppressed(e, sms, addr, strlen(addr), err, errSize);
}

static void freeOut(Outgoing *o) {
  free(o->subject); free(o->html); free(o->text); free(o->from); free(o->to); free(o->toName); free(o->unsub); free(o->code);
  free(o->fromName); free(o->fromAddr);
  for (int i = 0; i < o->nhook; i++) { free(o->hookUrl[i]); free(o->hookBody[i]); }
  free(o->hookUrl); free(o->hookBody);
  memset(o, 0, sizeof *o);
}

/* Queue the webhooks waiting in camp_outbox for w's trace as one send and
** claim the trace for this runner; none left (all POSTed before a crash):
** the activity is done. */
static int claimHooks(Engine *e, Work *w, const Loaded *l, int64_t now, Outgoing *out, int *queued) {
  char ign_[160];
  memset(out, 0, sizeof *out);
  sqlite3_stmt *q = campStoreStmt(e, "SELECT url, body FROM camp_outbox WHERE trace = ? ORDER BY idx", ign_, sizeof ign_);
  if (!q) return -1;
  sqlite3_bind_int64(q, 1, w->trace);
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    char **u = realloc(out->hookUrl, (size_t)(out->nhook + 1) * sizeof *u), **bd = u ? realloc(out->hookBody, (size_t)(out->nhook + 1) * sizeof *bd) : NULL;
    if (u) out->hookUrl = u;
    if (bd) out->hookBody = bd;
    if (!u || !bd) { rc = SQLITE_NOMEM; break; }
    out->hookUrl[out->nhook] = strdup((const char *)sqlite3_column_text(q, 0));
    out->hookBody[out->nhook++] = strdup((const char *)sqlite3_column_text(q, 1));
  }
  sqlite3_reset(q);
  if (rc != SQLITE_DONE) { freeOut(out); return -1; }
  if (!out->nhook) {
    freeOut(out);
    if (setTrace(e, w->trace, TRACE_PROCESSED, NULL, now) < 0) return -1;
    return createChildren(e, l, (uint32_t)w->actIdx, w->trace, w->participant, now, &w->spawned);
  }
  out->w = w;
  out->l = l;
  out->version = l->version;
  out->hook = 1;
  sqlite3_stmt *s = campStoreStmt(e, "UPDATE camp_trace SET state = 6, owner = ? WHERE id = ?", ign_, sizeof ign_);
  if (!s) { freeOut(out); return -1; }
  sqlite3_bind_int64(s, 1, e->runner);
  sqlite3_bind_int64(s, 2, w->trace);
  rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) { freeOut(out); return -1; }
  *queued = 1;
  return 0;
}

/* Decide one due trace inside the batch transaction.  Messages are claimed
** (state SENDING with their Message-ID and this runner as owner) and
** queued in *out for sending after the commit; actions run here, in the
** transaction that records them.  -1 fails the run: a database error, or
** a message due on a channel the run was not given (runErr says which;
** the transaction is rolled back and the trace stays due). */
static int decide(Engine *e, Work *w, const RunOptions *o, int64_t now, Outgoing *out, int *queued, RunStats *rs,
                  char *runErr, size_t runErrSize) {
  char err[512] = "";
  const Loaded *l = campStoreLoaded(e, w->campaign, err, sizeof err);
  if (!l) return setTrace(e, w->trace, TRACE_ERROR, err, now);
  if (w->actIdx < 0) { rs->canceled++; return setTrace(e, w->trace, TRACE_CANCELED, "activity removed from the campaign", now); }
  const Program *p = l->p;
  const ProgActivity *a = &p->acts[w->actIdx];
  const ProgCampaign *c = &p->camps[l->camp];
  if (w->state == TRACE_SCHEDULED && a->expire && w->due + a->expire < now) {
    rs->canceled++;
    return setTrace(e, w->trace, TRACE_CANCELED, "expired: came up after its validity", now);
  }
  /* an action whose webhooks were claimed but not all POSTed (a crash, a
  ** retry): its actions ran and were committed; only the POSTs are left */
  if (a->kind == ACT_ACTION && w->state == TRACE_SENDING) return claimHooks(e, w, l, now, out, queued);
  int got = campStoreLoadRecord(e, l, w->record, err, sizeof err);
  if (got < 0) return -1;
  if (got == 1) { rs->rejected++; return setTrace(e, w->trace, TRACE_REJECTED, "record deleted", now); }
  VmRecord r = { c->model, p->models[c->model].nfield, e->fields };
  VmHost host;
  campStoreHost(e, &host);
  int f1 = campVmFilter(e->vm, p, c->filter, &r, now, &host, err, sizeof err);
  int f2 = f1 > 0 ? campVmFilter(e->vm, p, a->filter, &r, now, &host, err, sizeof err) : f1;
  if (f1 < 0 || f2 < 0) { rs->errors++; return setTrace(e, w->trace, TRACE_ERROR, err, now); }
  if (!f1 || !f2) { rs->rejected++; return setTrace(e, w->trace, TRACE_REJECTED, "rejected by the campaign or activity filter", now); }
  if (a->kind == ACT_ACTION) {
    if (a->actions != CAMP_NONE) {
      /* all of an activity's actions, or none (a savepoint); the webhooks
      ** they queue are POSTed after the commit, as a claimed send */
      Value v;
      e->curActivity = (uint32_t)w->actIdx;
      e->curTrace = w->trace;
      e->outboxed = 0;
      if (campStoreStep(e, "SAVEPOINT actions", NULL, 0) < 0) return -1;
      int failed = campVmRun(e->vm, p, a->actions, &r, now, &host, &v, err, sizeof err) < 0;
      e->curActivity = CAMP_NONE;
      if (failed) campStoreStep(e, "ROLLBACK TO actions", NULL, 0);
      campStoreStep(e, "RELEASE actions", NULL, 0);
      if (failed) {
        rs->errors++;
        return setTrace(e, w->trace, TRACE_ERROR, err, now);
      }
      if (e->outboxed) {
        if (campStoreLoadRecord(e, l, w->record, err, sizeof err) < 0 ||
            campStoreOutboxBodies(e, l, (uint32_t)w->actIdx, w->trace, err, sizeof err) < 0)
          return -1;
        return claimHooks(e, w, l, now, out, queued);
      }
    }
    rs->processed++;
    if (setTrace(e, w->trace, TRACE_PROCESSED, NULL, now) < 0) return -1;
    return createChildren(e, l, (uint32_t)w->actIdx, w->trace, w->participant, now, &w->spawned);
  }
  int sms = a->kind == ACT_SMS;
  if (!(sms ? o->sms : o->mail)) {
    snprintf(runErr, runErrSize, "campaign '%s', activity '%s': %s is due but the run has no %s channel (give --%s URL, e.g. --%s file:DIR)",
             p->str[c->name], p->str[a->name], sms ? "an SMS" : "an email", sms ? "SMS" : "mail", sms ? "sms" : "mail",
             sms ? "sms" : "mail");
    return -1;
  }
  int af = sms ? l->phoneField : l->emailField;
  if (af < 0 || e->fields[af].tag != VAL_TEXT || e->fields[af].len == 0) {
    rs->rejected++;
    return setTrace(e, w->trace, TRACE_REJECTED, sms ? "no phone number" : "no email address", now);
  }
  memset(out, 0, sizeof *out);
  out->to = dupValue(e, &e->fields[af]);
  int sup = suppressed(e, sms, out->to, err, sizeof err);
  if (sup < 0) { freeOut(out); return -1; }
  if (sup) {
    rs->canceled++;
    freeOut(out);
    return setTrace(e, w->trace, TRACE_CANCELED, "address suppressed (opted out or bounced)", now);
  }
  if (l->optOutField >= 0 && e->fields[l->optOutField].tag == VAL_BOOL && e->fields[l->optOutField].u.i) {
    /* the model's declared opt-out field holds whatever the filters say */
    char why[300];
    snprintf(why, sizeof why, "record opted out (field '%s')", p->str[p->models[c->model].fields[l->optOutField].name]);
    rs->canceled++;
    freeOut(out);
    return setTrace(e, w->trace, TRACE_CANCELED, why, now);
  }
  if (!w->messageId[0] && campTrackMessageId(e->secret, w->trace, w->messageId, sizeof w->messageId) < 0) { freeOut(out); rs->errors++; return setTrace(e, w->trace, TRACE_ERROR, "cannot make a Message-ID (OpenSSL failed)", now); }
  out->w = w;
  out->l = l;
  out->version = l->version;
  out->code = c->code != CAMP_NONE ? strdup(p->str[c->code]) : NULL;
  out->sms = sms;
  out->toName = l->nameField >= 0 ? dupValue(e, &e->fields[l->nameField]) : NULL;
  LinkCtx lk = { c->code != CAMP_NONE ? p->str[c->code] : p->str[c->name], sms ? "sms" : "email", p->str[a->name], { 0 }, { 0 }, 0 };
  char *text = render(e, l, a->text, now, err, sizeof err);
  char tok[64];
  Buf b = { 0 };
  if (sms) {
    if (text) campTrackText(text, o->baseUrl, o->secret, w->trace, registerLink, &lk, &b);
    out->text = b.p ? b.p : strdup("");
    free(text);
  } else {
    char *html = render(e, l, a->body, now, err, sizeof err);
    out->subject = render(e, l, a->subject, now, err, sizeof err);
    out->from = render(e, l, a->from, now, err, sizeof err);
    campTrackHtml(html ? html : "", o->baseUrl, o->secret, w->trace, registerLink, &lk, &b);
    free(html);
    out->html = b.p;
    if (text) { Buf t = { 0 }; campTrackText(text, o->baseUrl, o->secret, w->trace, registerLink, &lk, &t); out->text = t.p; free(text); }
    campTrackToken(o->secret, 'u', w->trace, 0, tok);
    Buf u = { 0 };
    campBufPrintf(&u, "%s/u/%s", o->baseUrl, tok);
    out->unsub = u.p;
  }
  /* the claim: the Message-ID and the links' targets, with the state */
  char ign_[160];
  int64_t links = lk.n && !lk.targets.oom ? linkset(e, &lk.targets) : 0;
  sqlite3_stmt *s = lk.n && !links ? NULL : campStoreStmt(e, "UPDATE camp_trace SET state = 6, message_id = ?, linkset = ?, owner = ? WHERE id = ?", ign_, sizeof ign_);
  int rc = -1;
  if (s) {
    sqlite3_bind_text(s, 1, w->messageId, -1, SQLITE_STATIC);
    if (links) sqlite3_bind_int64(s, 2, links);
    sqlite3_bind_int64(s, 3, e->runner);
    sqlite3_bind_int64(s, 4, w->trace);
    rc = sqlite3_step(s) == SQLITE_DONE ? 0 : -1;
    sqlite3_reset(s);
  }
  campBufFree(&lk.seen);
  campBufFree(&lk.targets);
  if (rc == 0) *queued = 1; else freeOut(out);
  return rc;
}

static void splitFrom(const char *from, char *name, size_t ns, char *addr, size_t as) {
  const char *lt = from ? strrchr(from, '<') : NULL;     /* the last: a value in the name cannot name the address */
  if (!from || !*from) { snprintf(name, ns, "camp"); snprintf(addr, as, "noreply@camp.invalid"); return; }
  if (!lt) { name[0] = 0; snprintf(addr, as, "%s", from); return; }
  size_t n = (size_t)(lt - from);
  while (n && from[n - 1] == ' ') n--;
  snprintf(name, ns, "%.*s", (int)n, from);
  if (name[0] == '"') { memmove(name, name + 1, strlen(name)); if (*name && name[strlen(name) - 1] == '"') name[strlen(name) - 1] = 0; }
  snprintf(addr, as, "%.*s", (int)strcspn(lt + 1, ">"), lt + 1);
}

/* Settle a claim: set its state and message -- only while this runner
** still owns it (a runner judged dead lost its claims to another).  1 when
** it did, 0 when the claim is another runner's now, -1 on error. */
static int settleClaim(Engine *e, int64_t trace, int64_t owner, int state, const char *msg, int64_t doneAt) {
  char ign_[160];
  sqlite3_stmt *s = campStoreStmt(e, "UPDATE camp_trace SET state = ?, message = ?, done_at = ?, owner = NULL "
                                     "WHERE id = ? AND state = 6 AND owner = ?", ign_, sizeof ign_);
  if (!s) return -1;
  sqlite3_bind_int(s, 1, state);
  if (msg) sqlite3_bind_text(s, 2, msg, -1, SQLITE_TRANSIENT); else sqlite3_bind_null(s, 2);
  sqlite3_bind_int64(s, 3, doneAt);
  sqlite3_bind_int64(s, 4, trace);
  sqlite3_bind_int64(s, 5, owner);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return -1;
  return sqlite3_changes(e->db) > 0;
}

/* The children of a message just sent.  The version may have changed while
** the message was out (a deploy): children follow the version now current,
** by the activity's name. */
static int sentChildren(Engine *e, Outgoing *og, int64_t now) {
  Work *w = og->w;
  char err[256];
  const Loaded *l = campStoreLoaded(e, w->campaign, err, sizeof err);
  if (!l) return 0;
  int idx = w->actIdx;
  if (l->version != og->version) {
    sqlite3_stmt *q = campStoreStmt(e, "SELECT a.idx FROM camp_trace t JOIN camp_activity a ON a.id = t.activity WHERE t.id = ?", err, sizeof err);
    if (!q) return -1;
    sqlite3_bind_int64(q, 1, w->trace);
    idx = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) : -1;
    sqlite3_reset(q);
    if (idx < 0) return 0;                  /* the activity is gone: no children */
  }
  return createChildren(e, l, (uint32_t)idx, w->trace, w->participant, now, &w->spawned);
}

static int dropOutbox(Engine *e, int64_t trace) {
  char ign_[160];
  sqlite3_stmt *s = campStoreStmt(e, "DELETE FROM camp_outbox WHERE trace = ?", ign_, sizeof ign_);
  if (!s) return -1;
  sqlite3_bind_int64(s, 1, trace);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE ? 0 : -1;
}

/* Record what became of one send, inside a results transaction.  Results
** land only on claims this runner still owns. */
static int finishSend(Engine *e, int64_t owner, Outgoing *og, const SendStatus *ss, int64_t now, RunStats *rs) {
  Work *w = og->w;
  char ign_[160];
  if (ss->result == SEND_UNSENT) {
    /* the run stopped before this one started: the claim is let go, the
    ** trace stays SENDING with its Message-ID for the next runner */
    sqlite3_stmt *s = campStoreStmt(e, "UPDATE camp_trace SET owner = NULL WHERE id = ? AND owner = ?", ign_, sizeof ign_);
    if (!s) return -1;
    sqlite3_bind_int64(s, 1, w->trace);
    sqlite3_bind_int64(s, 2, owner);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    w->spawned = 1;                             /* still pending: not complete */
    rs->unsent++;
    return rc == SQLITE_DONE ? 0 : -1;
  }
  if (ss->result == SEND_OK || ss->result == SEND_BOUNCED) {
    int mine = settleClaim(e, w->trace, owner, TRACE_PROCESSED, ss->result == SEND_BOUNCED ? ss->why : NULL, now);
    if (mine <= 0) { w->spawned = 1; return mine; }
    if (og->hook && dropOutbox(e, w->trace) < 0) return -1;
    rs->processed++;
    if (!og->hook) rs->sent++;
    int rc = sentChildren(e, og, now);
    /* refused for good at send time (SMTP 5xx to RCPT/DATA): a hard bounce,
    ** recorded as a bounce event is, once its children exist */
    char err[256];
    if (rc == 0 && ss->result == SEND_BOUNCED && campEngineEvent(e, "bounce", w->messageId, now, NULL, err, sizeof err) < 0) rc = -1;
    return rc;
  }
  if (ss->result == SEND_RETRY && w->attempts + 1 < MAX_ATTEMPTS) {
    /* back in line for any runner, with the same Message-ID */
    int64_t backoff = 60LL << (w->attempts < 8 ? w->attempts : 8);
    char msg[600];
    snprintf(msg, sizeof msg, "attempt %d: %s", w->attempts + 1, ss->why);
    sqlite3_stmt *s = campStoreStmt(e, "UPDATE camp_trace SET attempts = attempts + 1, due = ?, message = ?, owner = NULL "
                                       "WHERE id = ? AND state = 6 AND owner = ?", ign_, sizeof ign_);
    if (!s) return -1;
    sqlite3_bind_int64(s, 1, now + backoff);
    sqlite3_bind_text(s, 2, msg, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, w->trace);
    sqlite3_bind_int64(s, 4, owner);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    w->spawned = 1;
    rs->retried++;
    return rc == SQLITE_DONE ? 0 : -1;
  }
  int mine = settleClaim(e, w->trace, owner, TRACE_ERROR, ss->why, now);
  if (mine > 0 && og->hook && dropOutbox(e, w->trace) < 0) return -1;
  if (mine > 0) rs->errors++;
  else w->spawned = 1;
  return mine < 0 ? -1 : 0;
}

/* A batch of due work: decided and claimed in one transaction (take),
** sent outside any transaction on its own thread while the next batch is
** decided, and recorded by that thread as the results come in. */
typedef struct Batch {
  Work *work;
  Outgoing *out;
  int n, nout;
  Message *m;               /* the messages, mail first, then SMS */
  SendStatus *ss;
  int *order;               /* m[j] is out[order[j]] */
  int nmail, nmsg;          /* m[0, nmail) mail, [nmail, nmsg) SMS, [nmsg, nout) webhooks (no Message) */
  Channel *mail, *sms;
  pthread_t thread;
  int sending;              /* the thread runs */
  /* recording (on the send thread) */
  Engine *rec;              /* the connection results are written on (the engine's recorder, or the engine) */
  int64_t owner, now;
  int first;                /* offset of the channel now sending in m */
  int eager;                /* record each result as it comes (the carrier does not dedupe) */
  int *pending, npending;   /* results final but not yet recorded (indexes in m) */
  RunStats st;              /* what recording counted */
  int failed;
  char err[512];
  volatile sig_atomic_t *stop;
} Batch;

static void freeBatch(Batch *b) {
  for (int i = 0; i < b->nout; i++) freeOut(&b->out[i]);
  free(b->work); free(b->out); free(b->m); free(b->ss); free(b->order); free(b->pending);
  memset(b, 0, sizeof *b);
}

/* Record the pending results in one transaction.  wait == 0: only if the
** write lock is free now (another runner or the next batch's decisions may
** hold it; the results stay pending for the next try). */
static void recordPending(Batch *b, int wait) {
  Engine *r = b->rec;
  if (!b->npending || b->failed) return;
  r->noWait = !wait;
  int rc = sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  r->noWait = 0;
  if (rc == SQLITE_BUSY && !wait) return;
  int ok = rc == SQLITE_OK;
  r->gen++;
  for (int k = 0; k < b->npending && ok; k++) {
    int j = b->pending[k];
    ok = finishSend(r, b->owner, &b->out[b->order[j]], &b->ss[j], b->now, &b->st) == 0;
  }
  for (int k = 0; k < b->npending && ok; k++) {
    Work *w = b->out[b->order[b->pending[k]]].w;
    if (!w->spawned) ok = maybeComplete(r, w->participant, &b->st) == 0;
  }
  if (ok) {                                   /* a heartbeat while the batch is out */
    char ign_[160];
    sqlite3_stmt *s = campStoreStmt(r, "UPDATE camp_runner SET heartbeat = ? WHERE id = ?", ign_, sizeof ign_);
    if (s) {
      sqlite3_bind_int64(s, 1, (int64_t)time(NULL));
      sqlite3_bind_int64(s, 2, b->owner);
      ok = sqlite3_step(s) == SQLITE_DONE;
      sqlite3_reset(s);
    }
  }
  if (ok && sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) { b->npending = 0; return; }
  snprintf(b->err, sizeof b->err, "database: recording results: %s", sqlite3_errmsg(r->db));
  sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
  b->failed = 1;
}

/* Channel.done: message i of the channel now sending is settled. */
static void onSettled(void *ctx, int i) {
  Batch *b = ctx;
  b->pending[b->npending++] = b->first + i;
  if (b->eager) recordPending(b, 0);
}

/* The webhooks of the batch's actions, POSTed one by one: a trace's
** result is the worst of its requests' (a retry POSTs them all again). */
static void postHooks(Batch *b) {
  if (b->nmsg == b->nout) return;             /* none: a deduping carrier's results stay for finishBatch */
  b->first = 0;
  b->eager = b->rec != NULL;
  for (int j = b->nmsg; j < b->nout; j++) {
    Outgoing *og = &b->out[b->order[j]];
    campChanHttpPostHooks((const char *const *)og->hookUrl, (const char *const *)og->hookBody, og->nhook, b->stop, &b->ss[j]);
    onSettled(b, j);
  }
  if (b->rec) recordPending(b, 1);
}

/* The send thread: sends the batch and records the results of carriers
** that do not dedupe on its own connection as they come; the rest (file:,
** sink:, or without a recorder) are left for finishBatch. */
static void *sendBatch(void *arg) {
  Batch *b = arg;
  for (int sms = 0; sms < 2; sms++) {
    int first = sms ? b->nmail : 0, k = sms ? b->nmsg : b->nmail;
    Channel *ch = sms ? b->sms : b->mail;
    if (k == first) continue;
    b->first = first;
    b->eager = b->rec && !ch->dedupes;
    ch->done = onSettled;
    ch->doneCtx = b;
    ch->send(ch, b->m + first, k - first, b->ss + first);
    ch->done = NULL;
    if (b->eager) recordPending(b, 1);          /* a deduping carrier's results: finishBatch */
  }
  postHooks(b);
  return NULL;
}

/* Build the batch's messages and start sending them. */
static int startSend(Engine *e, Batch *b, const RunOptions *o, int64_t now, char *err, size_t errSize) {
  b->m = calloc((size_t)b->nout, sizeof *b->m);
  b->ss = calloc((size_t)b->nout, sizeof *b->ss);
  b->order = calloc((size_t)b->nout, sizeof *b->order);
  b->pending = calloc((size_t)b->nout, sizeof *b->pending);
  if (!b->m || !b->ss || !b->order || !b->pending) { snprintf(err, errSize, "out of memory"); return -1; }
  int k = 0;
  for (int sms = 0; sms < 2; sms++) {
    for (int i = 0; i < b->nout; i++) {
      Outgoing *og = &b->out[i];
      if (og->sms != sms || og->hook) continue;
      size_t fs = (og->from ? strlen(og->from) : 0) + 32;
      if (!(og->fromName = malloc(fs)) || !(og->fromAddr = malloc(fs))) { snprintf(err, errSize, "out of memory"); return -1; }
      splitFrom(og->from, og->fromName, fs, og->fromAddr, fs);
      b->m[k] = (Message){ og->w->messageId, og->fromName[0] ? og->fromName : NULL, og->fromAddr, og->toName, og->to,
                           og->subject, og->html, og->text, og->unsub, og->code, now };
      b->order[k++] = i;
    }
    if (!sms) b->nmail = k;
  }
  b->nmsg = k;
  for (int i = 0; i < b->nout; i++) if (b->out[i].hook) b->order[k++] = i;
  b->stop = o->stop;
  b->mail = o->mail;
  b->sms = o->sms;
  if (o->mail) o->mail->stop = o->stop;
  if (o->sms) o->sms->stop = o->stop;
  b->owner = e->runner;
  b->now = now;
  /* results are written on a second connection by the send thread, as they
  ** come; a database without a file (":memory:") has none: finishBatch
  ** writes them */
  const char *path = sqlite3_db_filename(e->db, "main");
  if (!e->recorder && path && *path) {
    char ign[512];
    e->recorder = campEngineOpen(path, 0, INT64_MIN, ign, sizeof ign);
  }
  b->rec = e->recorder;
  if (!b->rec || pthread_create(&b->thread, NULL, sendBatch, b) != 0) {   /* no thread: send here */
    Engine *rec = b->rec;
    b->rec = NULL;
    sendBatch(b);
    b->rec = rec ? rec : e;
    return 0;
  }
  b->sending = 1;
  return 0;
}

/* Wait for the sends and their recording; record what is left (without a
** recorder thread) and add up what it counted. */
static int finishBatch(Engine *e, Batch *b, RunStats *rs, char *err, size_t errSize) {
  if (b->sending) pthread_join(b->thread, NULL);
  b->sending = 0;
  b->rec = e;                                 /* the thread is done with its connection */
  recordPending(b, 1);
  rs->processed += b->st.processed; rs->sent += b->st.sent; rs->retried += b->st.retried; rs->errors += b->st.errors;
  rs->completed += b->st.completed; rs->unsent += b->st.unsent;
  if (b->failed) { snprintf(err, errSize, "%s", b->err); return -1; }
  return 0;
}

/* Take one batch of due work at time now: read, decide, claim, commit.
** Claimed sends (state SENDING) are taken only when no live runner owns
** them: interrupted by a crash, or let go by a run that stopped. */
static int takeBatch(Engine *e, const RunOptions *o, int64_t now, int testOnly, int64_t testParticipant,
                     Batch *b, RunStats *rs, char *err, size_t errSize) {
  int batch = o->batch > 0 ? o->batch : 500;
  memset(b, 0, sizeof *b);
  b->work = calloc((size_t)batch, sizeof *b->work);
  b->out = calloc((size_t)batch, sizeof *b->out);
  Work *work = b->work;
  Outgoing *out = b->out;
  int n = 0, nout = 0, rc = 0;
  if (!work || !out) { snprintf(err, errSize, "out of memory"); return -1; }
  e->gen++;
  if (campStoreExec(e, "BEGIN IMMEDIATE", err, errSize) < 0) return -1;
  if (campStoreRunnerBeat(e, err, errSize) < 0) { sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL); return -1; }
  /* Interrupted sends first, then scheduled work, each read in (state, due)
  ** index order: one state per query keeps the index's order, so a batch
  ** costs its own rows, not a sort of everything due. */
  /* "(state <= 1 OR state = 6)" is the partial (state, due) index's own WHERE,
  ** written out so SQLite uses it (it does not infer it from "state = 0"). */
#define DUE_SQL(S) \
      "SELECT t.id, t.participant, t.parent, t.due, t.state, t.attempts, coalesce(t.message_id, ''), pa.record_id, pa.campaign, a.idx, pa.test " \
      "FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant JOIN camp_activity a ON a.id = t.activity " \
      "JOIN camp_campaign c ON c.id = pa.campaign " \
      "WHERE t.state = " S " AND (t.state <= 1 OR t.state = 6) AND t.due <= ? AND pa.state = 'running' AND (c.state = 'running' OR pa.test = 1) " \
      "AND pa.test = ? AND (? = 0 OR pa.id = ?) " \
      "AND (t.owner IS NULL OR NOT EXISTS (SELECT 1 FROM camp_runner r WHERE r.id = t.owner)) ORDER BY t.state, t.due LIMIT ?"
  static const char *const dueSql[] = { DUE_SQL("6"), DUE_SQL("0") };
#undef DUE_SQL
  for (int k = 0; k < 2 && n < batch; k++) {
    sqlite3_stmt *st = campStoreStmt(e, dueSql[k], err, errSize);
    if (!st) { sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL); return -1; }
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int(st, 2, testOnly);
    sqlite3_bind_int64(st, 3, testParticipant);
    sqlite3_bind_int64(st, 4, testParticipant);
    sqlite3_bind_int(st, 5, batch - n);
    while (n < batch && sqlite3_step(st) == SQLITE_ROW) {
      Work *w = &work[n++];
      w->trace = sqlite3_column_int64(st, 0);
      w->participant = sqlite3_column_int64(st, 1);
      w->parent = sqlite3_column_int64(st, 2);
      w->due = sqlite3_column_int64(st, 3);
      w->state = sqlite3_column_int(st, 4);
      w->attempts = sqlite3_column_int(st, 5);
      snprintf(w->messageId, sizeof w->messageId, "%s", (const char *)sqlite3_column_text(st, 6));
      w->record = sqlite3_column_int64(st, 7);
      w->campaign = sqlite3_column_int64(st, 8);
      w->actIdx = sqlite3_column_int(st, 9);
      w->test = sqlite3_column_int(st, 10);
    }
    sqlite3_reset(st);
  }
  for (int i = 0; i < n && rc == 0; i++) {
    int queued = 0;
    rc = decide(e, &work[i], o, now, &out[nout], &queued, rs, err, errSize);
    nout += queued;
    work[i].queued = queued;
  }
  /* participants with nothing left pending complete in the same transaction */
  for (int i = 0; i < n && rc == 0; i++) if (!work[i].queued && !work[i].spawned) maybeComplete(e, work[i].participant, rs);
  if (rc == 0) rc = campStoreExec(e, "COMMIT", err, errSize);
  else {
    if (!err[0]) snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
    sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL);
    for (int i = 0; i < nout; i++) freeOut(&out[i]);
    nout = 0;
  }
  b->n = n;
  b->nout = nout;
  return rc < 0 ? -1 : n;
}

/* Positive branches whose window passed without the event: canceled, in
** one statement; their participants may then be complete. */
static int expireWindows(Engine *e, int64_t now, RunStats *rs, char *err, size_t errSize) {
  if (campStoreExec(e, "BEGIN IMMEDIATE", err, errSize) < 0) return -1;
  sqlite3_stmt *st = campStoreStmt(e, "UPDATE camp_trace SET state = 4, message = 'the event did not happen within the window', "
                                      "done_at = ? WHERE state = 1 AND (state <= 1 OR state = 6) AND due <= ? RETURNING participant", err, errSize);
  if (!st) { sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL); return -1; }
  sqlite3_bind_int64(st, 1, now);
  sqlite3_bind_int64(st, 2, now);
  int64_t *parts = NULL;
  size_t n = 0, cap = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (n == cap) {
      int64_t *p = realloc(parts, (cap = cap ? cap * 2 : 256) * sizeof *p);
      if (!p) { rc = SQLITE_NOMEM; break; }
      parts = p;
    }
    parts[n++] = sqlite3_column_int64(st, 0);
  }
  sqlite3_reset(st);
  if (rc != SQLITE_DONE) {
    snprintf(err, errSize, "database: %s", sqlite3_errstr(rc));
    free(parts);
    sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
  }
  rs->canceled += (long)n;
  for (size_t i = 0; i < n; i++) maybeComplete(e, parts[i], rs);
  free(parts);
  return campStoreExec(e, "COMMIT", err, errSize);
}

/* The next time anything is due (or a window ends) after now; INT64_MAX none. */
static int64_t nextDue(Engine *e, int test) {
  sqlite3_stmt *st = NULL;
  int64_t next = INT64_MAX;
  const char *sql = test ? "SELECT min(t.due) FROM camp_trace t JOIN camp_participant pa ON pa.id = t.participant "
                           "WHERE (t.state <= 1 OR t.state = 6) AND pa.test = 1"
                         : "SELECT min(due) FROM (SELECT min(due) AS due FROM camp_trace WHERE state = 0 AND (state <= 1 OR state = 6) "
                           "UNION ALL SELECT min(due) FROM camp_trace WHERE state = 1 AND (state <= 1 OR state = 6) "
                           "UNION ALL SELECT min(due) FROM camp_trace WHERE state = 6 AND (state <= 1 OR state = 6) "
                           "AND (owner IS NULL OR NOT EXISTS (SELECT 1 FROM camp_runner r WHERE r.id = owner)))";
  if (sqlite3_prepare_v2(e->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
      sqlite3_column_type(st, 0) != SQLITE_NULL)
    next = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return next;
}

/* The earliest send time of a running mailing not yet sent (INT64_MIN when
** one waits for no time; INT64_MAX: none). */
static int64_t nextMailing(Engine *e) {
  char ign_[160];
  sqlite3_stmt *st = campStoreStmt(e, "SELECT min(coalesce(at, -9223372036854775808)) FROM camp_campaign "
                                      "WHERE kind = 'mailing' AND state = 'running' AND last_sync IS NULL", ign_, sizeof ign_);
  int64_t next = INT64_MAX;
  if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) next = sqlite3_column_int64(st, 0);
  if (st) sqlite3_reset(st);
  return next;
}

int64_t campEngineNextDue(Engine *e) {
  int64_t a = nextDue(e, 0), b = nextMailing(e);
  return a < b ? a : b;
}

/* Everything due at now, batch by batch.  Sends happen outside the
** transactions: a crash leaves claimed traces SENDING with their
** Message-ID, and the next run sends them again.  While one batch's
** messages are out, the next batch is decided. */
static int drain(Engine *e, const RunOptions *o, int64_t now, int test, int64_t testParticipant, RunStats *st, char *err, size_t errSize) {
  if (expireWindows(e, now, st, err, errSize) < 0) return -1;
  Batch two[2];
  Batch *out = NULL;                          /* the batch whose messages are out */
  int rc = 0;
  memset(two, 0, sizeof two);
  for (int k = 0;; k ^= 1) {
    Batch *b = &two[k];
    int stopping = o->stop && *o->stop;
    int n = stopping ? 0 : takeBatch(e, o, now, test, testParticipant, b, st, err, errSize);
    if (out) {
      char err2[512];
      if (finishBatch(e, out, st, err2, sizeof err2) < 0 && n >= 0) { snprintf(err, errSize, "%s", err2); n = -1; }
      freeBatch(out);
      out = NULL;
    }
    if (n <= 0) { rc = n; freeBatch(b); break; }
    if (!b->nout) { freeBatch(b); continue; }
    if (startSend(e, b, o, now, err, errSize) < 0) { freeBatch(b); rc = -1; break; }
    out = b;
  }
  return rc < 0 ? -1 : 0;
}

int campEngineRun(Engine *e, const RunOptions *o, RunStats *st, char *err, size_t errSize) {
  memset(st, 0, sizeof *st);
  int64_t now = campEngineNow(e), lastSync = INT64_MIN;
  long writesAtSync = -1;
  if (!e->simulated && !o->once && o->until == INT64_MAX) { snprintf(err, errSize, "service mode: use --once or --until"); }
  for (;;) {
    /* Sync when the run starts (records may have been imported or changed by
    ** anyone), then at most daily, and only when this run's actions changed
    ** records: a re-scan of the audience costs as much as the records. */
    if (lastSync == INT64_MIN || (now - lastSync >= 86400 && e->recordWrites != writesAtSync) || nextMailing(e) <= now) {
      writesAtSync = e->recordWrites;
      if (syncAll(e, st, err, errSize) < 0) return -1;
      lastSync = now;
    }
    if (drain(e, o, now, 0, 0, st, err, errSize) < 0) return -1;
    if (o->stop && *o->stop) return 0;        /* stopped: the clock stays where the work stopped */
    if (o->once) break;
    int64_t next = campEngineNextDue(e);
    if (next <= now) next = now + 1;
    if (next > o->until) break;
    now = next;
    if (e->simulated && campStoreSetClock(e, now) < 0) { snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db)); return -1; }
    if (o->log) fflush(o->log);
  }
  if (e->simulated && !o->once && o->until != INT64_MAX && o->until > campEngineNow(e) && campStoreSetClock(e, o->until) < 0) {
    snprintf(err, errSize, "database: %s", sqlite3_errmsg(e->db));
    return -1;
  }
  return 0;
}

/* -- test mode ----------------------------------------------------------------- */

int campEngineTest(Engine *e, const char *campaign, int64_t record, const char *activity, int64_t until,
                   const RunOptions *o, FILE *out, char *err, size_t errSize) {
  sqlite3_stmt *st = campStorePrepare(e, "SELECT id FROM camp_campaign WHERE name = ?", err, errSize);
  if (!st) return -1;
  sqlite3_bind_text(st, 1, campaign, -1, SQLITE_STATIC);
  int64_t cid = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  if (!cid) { snprintf(err, errSize, "no campaign '%s' is deployed", campaign); return -1; }
  const Loaded *l = campStoreLoaded(e, cid, err, errSize);
  if (!l) return -1;
  int got = campStoreLoadRecord(e, l, record, err, errSize);
  if (got != 0) { if (got == 1) snprintf(err, errSize, "no record %lld in model '%s'", (long long)record, l->p->str[l->p->models[l->p->camps[l->camp].model].name]); return -1; }
  int64_t now = campEngineNow(e), participant = 0;
  st = campStorePrepare(e, "SELECT id FROM camp_participant WHERE campaign = ? AND record_id = ? AND test = 1", err, errSize);
  sqlite3_bind_int64(st, 1, cid);
  sqlite3_bind_int64(st, 2, record);
  if (sqlite3_step(st) == SQLITE_ROW) participant = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  if (!participant && (campStoreExec(e, "BEGIN IMMEDIATE", err, errSize) < 0 ||
                       enrol(e, l, cid, record, NULL, 1, now, &participant) < 0 || campStoreExec(e, "COMMIT", err, errSize) < 0)) {
    sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
  }
  RunStats rs = { 0 };
  if (activity) {
    /* run that activity's pending trace now, ignoring its date */
    uint32_t ai = campProgramFindActivity(l->p, l->camp, activity);
    if (ai == CAMP_NONE) { snprintf(err, errSize, "campaign '%s' has no activity '%s'", campaign, activity); return -1; }
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE camp_trace SET due = %lld WHERE participant = %lld AND activity = %lld AND state = 0",
             (long long)now, (long long)participant, (long long)l->actId[ai]);
    if (campStoreExec(e, sql, err, errSize) < 0) return -1;
    if (!sqlite3_changes(e->db)) { snprintf(err, errSize, "activity '%s' has no pending trace for this participant", activity); return -1; }
    if (drain(e, o, now, 1, participant, &rs, err, errSize) < 0) return -1;
  } else {
    /* the test participant's own timeline, without touching the clock */
    int64_t t = now;
    for (;;) {
      if (drain(e, o, t, 1, participant, &rs, err, errSize) < 0) return -1;
      int64_t next = nextDue(e, 1);
      if (next == INT64_MAX || next > until) break;
      t = next > t ? next : t + 1;
    }
  }
  st = campStorePrepare(e, "SELECT a.name, t.due, t.state, coalesce(t.message_id, ''), coalesce(t.message, '') FROM camp_trace t "
                           "JOIN camp_activity a ON a.id = t.activity WHERE t.participant = ? ORDER BY t.id", err, errSize);
  if (!st) return -1;
  sqlite3_bind_int64(st, 1, participant);
  static const char *const states[] = { "scheduled", "waiting", "processed", "rejected", "canceled", "error", "sending" };
  fprintf(out, "%-20s %-20s %-10s %-28s %s\n", "activity", "due", "state", "message-id", "message");
  while (sqlite3_step(st) == SQLITE_ROW) {
    char due[32] = "-";
    if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
      time_t t = (time_t)sqlite3_column_int64(st, 1);
      struct tm tm;
      gmtime_r(&t, &tm);
      strftime(due, sizeof due, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    int s = sqlite3_column_int(st, 2);
    fprintf(out, "%-20s %-20s %-10s %-28s %s\n", sqlite3_column_text(st, 0), due, s >= 0 && s <= 6 ? states[s] : "?",
            sqlite3_column_text(st, 3), sqlite3_column_text(st, 4));
  }
  sqlite3_finalize(st);
  return 0;
}

/*
** runtime/sched.c -- the scheduler: the trigger semantics of docs/RUNTIME.md,
** written against the store's verbs (runtime/store.h).
**
** Owns: participant sync (leave, unlink, enrol), the run loop over the
** clock, taking due work in batches, one execution pass per due trace as
** Odoo defines it (expired -> canceled; record gone or failing a filter ->
** rejected; suppressed address -> canceled; else run -> processed or
** error; then children made due or armed), window expiry, completion, the
** retry policy, and test mode.  Sends are claimed with their Message-ID in
** the transaction that decides them and handed to sched_send.c after the
** commit; nothing about the audience is held in memory.  Also when the
** progress callback is called and the counts per campaign (RunTally).
** Does not own: SQL (store_*.c), what a message says (compose.c), what an
** action does (actions.c), carrying anything (chan_*.c), printing anything
** (the callback's owner, e.g. cli/progress.c).
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "runtime/clock.h"
#include "runtime/compose.h"
#include "runtime/sched_send.h"
#include "runtime/sched_timing.h"
#include "runtime/sync.h"
#include "runtime/track.h"

#define MAX_ATTEMPTS 8
#define PROGRESS_MS 100           /* wall time between two progress callbacks, at least */
#define SYNC_TICK 1024            /* records or participants a sync walks between two looks at the clock */

/* -- progress and counts per campaign ------------------------------------------ */

/* When the progress callback was last called (the run's own, on its stack). */
typedef struct Tick {
  const RunOptions *o;
  const RunStats *st;
  int64_t nextMs;           /* monotonic milliseconds before which it is not called again */
} Tick;

static int64_t monotonicMs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The callback, unless it was called less than PROGRESS_MS ago: one clock
** read, nothing when there is no callback (t NULL or o->progress NULL). */
static void tick(Tick *t, int64_t reached) {
  if (!t || !t->o->progress) return;
  int64_t ms = monotonicMs();
  if (ms < t->nextMs) return;
  t->nextMs = ms + PROGRESS_MS;
  t->o->progress(t->o->progressCtx, t->st, reached);
}

void campSchedTallyFree(RunTally *t) {
  for (size_t i = 0; t && i < t->n; i++) free(t->v[i].name);
  if (t) free(t->v);
}

/* The tally's row of campaign (added, named, when new); NULL without a
** tally or memory (the counts per campaign are then incomplete, the run's
** totals are not). */
static RunStats *tallyRow(Engine *e, RunTally *t, int64_t campaign) {
  if (!t) return NULL;
  for (size_t i = t->n; i-- > 0;) if (t->v[i].campaign == campaign) return &t->v[i].st;
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 8;
    RunCampaign *v = realloc(t->v, cap * sizeof *v);
    if (!v) return NULL;
    t->v = v;
    t->cap = cap;
  }
  char err[256];
  const Loaded *l = campStoreLoaded(e, campaign, err, sizeof err);
  Buf name = { 0 };
  if (l) campBufPuts(&name, l->p->str[l->p->camps[l->camp].name]);
  else campBufPrintf(&name, "#%lld", (long long)campaign);
  if (name.oom) return NULL;
  t->v[t->n] = (RunCampaign){ campaign, name.p, { 0 } };
  return &t->v[t->n++].st;
}

/* Add what changed in a run's counts (now - before) to campaign's row. */
static void tallyAdd(Engine *e, RunTally *t, int64_t campaign, const RunStats *now, const RunStats *before) {
  RunStats *row = tallyRow(e, t, campaign);
  if (!row) return;
#define ADD(f) row->f += now->f - before->f
  ADD(enrolled); ADD(left); ADD(processed); ADD(rejected); ADD(canceled);
  ADD(errors); ADD(sent); ADD(retried); ADD(completed); ADD(unsent);
#undef ADD
}

/* A batch's sends, once recorded, to their campaigns' rows: what
** sched_send.c's finishSend counts, read from each send's result (a claim
** another runner took over meanwhile is counted here but not there). */
static void tallySends(Engine *e, RunTally *t, const Batch *b) {
  for (int j = 0; t && b->ss && j < b->nout; j++) {
    const Outgoing *og = &b->out[b->order[j]];
    RunStats *row = tallyRow(e, t, og->w->campaign);
    SendResult r = b->ss[j].result;
    if (!row || r == SEND_UNSENT) continue;
    if (r == SEND_OK || r == SEND_BOUNCED) { row->processed++; row->sent += !og->hook; }
    else if (r == SEND_RETRY && campSchedBackoff(og->w->attempts) >= 0) row->retried++;
    else row->errors++;
  }
}

int64_t campSchedBackoff(int attempts) {
  if (attempts + 1 >= MAX_ATTEMPTS) return -1;
  return 60LL << (attempts < 8 ? attempts : 8);
}

int campSchedComplete(Engine *e, int64_t participant, RunStats *st) {
  int r = campStoreComplete(e, participant);
  if (r > 0 && st) st->completed++;
  return r < 0 ? -1 : 0;
}

/* Done and no-X children are scheduled, positive ones armed (waiting, with
** their window's end as due, or no due without a window).  Their due
** times come from campSchedDue (zones, calendar delays, times of day). */
int campSchedChildren(Engine *e, const Loaded *l, uint32_t act, int64_t trace, int64_t participant, int64_t record,
                      int64_t now, int *spawned) {
  return campSchedPath(e, l, act, -1, trace, participant, record, now, spawned);
}

int campSchedPath(Engine *e, const Loaded *l, uint32_t act, int path, int64_t trace, int64_t participant, int64_t record,
                  int64_t now, int *spawned) {
  const Program *p = l->p;
  const ProgCampaign *c = &p->camps[l->camp];
  for (uint32_t i = c->firstAct; i < c->firstAct + c->nact; i++) {
    const ProgActivity *a = &p->acts[i];
    if (a->parent != act || (path >= 0 && a->path != (uint32_t)path)) continue;
    int rc;
    if (a->trigger == TRIG_DONE) rc = campStoreSpawn(e, participant, l->actId[i], trace, TRACE_SCHEDULED, campSchedDue(e, l, i, now, record), 1, now);
    else if (campTriggerNegative(a->trigger))
      rc = campStoreSpawn(e, participant, l->actId[i], trace, TRACE_SCHEDULED, campSchedDue(e, l, i, now + a->window, record), 1, now);
    else rc = campStoreSpawn(e, participant, l->actId[i], trace, TRACE_WAITING, now + a->window, a->window != 0, now);
    if (rc < 0) return -1;
    if (spawned) *spawned = 1;
  }
  return 0;
}

/* -- participant sync -------------------------------------------------------- */

/* A new participant with its top-level activities scheduled. */
static int enrol(Engine *e, const Loaded *l, int64_t record, const char *uniq, int test, int64_t now, int64_t *participant) {
  if (campStoreEnrol(e, l->campaign, record, uniq, test, now, participant) < 0) return -1;
  const ProgCampaign *c = &l->p->camps[l->camp];
  for (uint32_t i = c->firstAct; i < c->firstAct + c->nact; i++)
    if (l->p->acts[i].trigger == TRIG_BEGIN &&
        campStoreSpawn(e, *participant, l->actId[i], 0, TRACE_SCHEDULED, campSchedDue(e, l, i, now, record), 1, now) < 0) return -1;
  return 0;
}

typedef struct Sync {
  Engine *e;
  const Loaded *l;
  int64_t now;
  SchedHost host;
  RunStats *rs;
  int64_t *leave;           /* participants to leave, and whether their record is gone */
  int *gone;
  size_t nleave, cap;
  char *err;
  size_t errSize;
  Tick *tick;               /* the run's progress, or NULL */
  long walked;              /* records and participants looked at */
} Sync;

/* Note participant to leave once the walk is over (gone: its record was
** deleted); -1 out of memory. */
static int addLeaver(Sync *s, int64_t participant, int gone) {
  if (s->nleave == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 64;
    int64_t *l2 = realloc(s->leave, s->cap * sizeof *s->leave);
    if (l2) s->leave = l2;
    int *g2 = l2 ? realloc(s->gone, s->cap * sizeof *s->gone) : NULL;
    if (g2) s->gone = g2;
    if (!l2 || !g2) { snprintf(s->err, s->errSize, "out of memory"); return -1; }
  }
  s->leave[s->nleave] = participant;
  s->gone[s->nleave++] = gone;
  return 0;
}

/* StoreRowFn: a running participant that no longer matches (or whose
** record is gone) is noted to leave once the walk is over. */
static int noteLeaver(void *ctx, int64_t participant, const VmRecord *r) {
  Sync *s = ctx;
  if (++s->walked % SYNC_TICK == 0) tick(s->tick, s->now);
  if (r && campVmFilter(campStoreVm(s->e), s->l->p, s->l->p->camps[s->l->camp].filter, r, s->now, &s->host.vm, s->err, s->errSize) != 0)
    return 0;
  return addLeaver(s, participant, r == NULL);
}

/* The record's unique value, lower case (malloc'd), NULL when it has none
** (*skip: empty values are excluded -- except from a mailing, whose trace
** then says the member has no address). */
static char *uniqueValue(Sync *s, const VmRecord *r, int *skip) {
  const ProgCampaign *c = &s->l->p->camps[s->l->camp];
  *skip = 0;
  if (c->unique == CAMP_NONE) return NULL;
  const Value *v = &r->fields[c->unique];
  /* a mailing's member without an address is enrolled all the same: its
  ** message is rejected, and the trace says why (oro.md section 2) */
  if (v->tag == VAL_NULL || (v->tag == VAL_TEXT && v->len == 0)) { *skip = !c->isMailing; return NULL; }
  char *u = campComposeValue(campStoreVm(s->e), v);
  if (!u) { *skip = -1; return NULL; }
  for (char *k = u; *k; k++) if (*k >= 'A' && *k <= 'Z') *k = (char)(*k + 32);
  if (campStoreUniqueTaken(s->e, s->l->campaign, u)) { free(u); *skip = 1; return NULL; }
  return u;
}

/* StoreRowFn: a record not yet enrolled joins when it matches. */
static int enrolNewcomer(void *ctx, int64_t record, const VmRecord *r) {
  Sync *s = ctx;
  if (++s->walked % SYNC_TICK == 0) tick(s->tick, s->now);
  if (campVmFilter(campStoreVm(s->e), s->l->p, s->l->p->camps[s->l->camp].filter, r, s->now, &s->host.vm, s->err, s->errSize) <= 0)
    return 0;
  int skip;
  char *u = uniqueValue(s, r, &skip);
  if (skip < 0) { snprintf(s->err, s->errSize, "out of memory"); return -1; }
  if (skip) return 0;
  int64_t participant;
  int rc = enrol(s->e, s->l, record, u, 0, s->now, &participant);
  free(u);
  if (rc < 0) { snprintf(s->err, s->errSize, "database: %s", campStoreError(s->e)); return -1; }
  s->rs->enrolled++;
  return 0;
}

/* The list's send set and the campaign's own filter on r, whose row on
** the list is row: 1 in, 0 out, -1 error. */
static int listMatch(Sync *s, const VmRecord *r, const StoreListRow *row) {
  const Program *p = s->l->p;
  const ProgCampaign *c = &p->camps[s->l->camp];
  const ProgList *pl = &p->lists[c->list];
  int match = 0;
  if (pl->kind == LIST_DYNAMIC) {
    match = campVmFilter(campStoreVm(s->e), p, pl->filter, r, s->now, &s->host.vm, s->err, s->errSize);
    if (match < 0) return -1;
  }
  if (!campSchedListSendable(pl, match, row)) return 0;
  return campVmFilter(campStoreVm(s->e), p, c->filter, r, s->now, &s->host.vm, s->err, s->errSize);
}

/* StoreListFn: a participant of a `target list` campaign whose record left
** the list's send set (or its filter) is noted to leave. */
static int noteListLeaver(void *ctx, int64_t participant, const VmRecord *r, const StoreListRow *row) {
  Sync *s = ctx;
  if (++s->walked % SYNC_TICK == 0) tick(s->tick, s->now);
  int in = r ? listMatch(s, r, row) : 0;
  if (in < 0) return -1;
  return in ? 0 : addLeaver(s, participant, r == NULL);
}

/* StoreListFn: a record of the list not yet enrolled joins when it is in
** the send set and matches the campaign's filter. */
static int enrolListNewcomer(void *ctx, int64_t record, const VmRecord *r, const StoreListRow *row) {
  Sync *s = ctx;
  int in = listMatch(s, r, row);
  if (in <= 0) { if (++s->walked % SYNC_TICK == 0) tick(s->tick, s->now); return in < 0 ? -1 : 0; }
  return enrolNewcomer(ctx, record, r);
}

/* The leavers of a campaign: of its filter, or of its list's send set. */
static int noteLeavers(Sync *s, char *err, size_t errSize) {
  const ProgCampaign *c = &s->l->p->camps[s->l->camp];
  if (c->list != CAMP_NONE) return campStoreListParticipants(s->e, s->l, noteListLeaver, s, err, errSize);
  return campStoreEachParticipant(s->e, s->l, noteLeaver, s, err, errSize);
}

/* Odoo's sync for one campaign, inside the caller's transaction: running
** participants whose record is gone are unlinked and those that stopped
** matching leave (their pending traces canceled); new matching records are
** enrolled in id order, deduplicated on `unique`.  A mailing is sent once,
** at its time (a manual one when sendNow: camp send): it enrols its list
** then and never again, and nobody leaves it. */
static int syncCampaign(Engine *e, int64_t campaign, int sendNow, RunStats *rs, Tick *t, char *err, size_t errSize) {
  const Loaded *l = campStoreLoaded(e, campaign, err, errSize);
  if (!l) return -1;
  if (campStoreLockCampaign(e, campaign) < 0) { snprintf(err, errSize, "database: %s", campStoreError(e)); return -1; }
  const ProgCampaign *c = &l->p->camps[l->camp];
  Sync s = { e, l, campEngineNow(e), { { 0 }, 0, 0, 0, 0 }, rs, NULL, NULL, 0, 0, err, errSize, t, 0 };
  campSchedHost(&s.host, e, l, 0);
  if (c->isMailing) {
    /* `at ... local`: from 14 hours before, each recipient at that time in their zone (campSchedDue) */
    if (campSchedMailingStart(c) > s.now && !(sendNow && c->at == CAMP_AT_MANUAL)) return 0;
    int done = campStoreSynced(e, campaign, err, errSize);
    if (done) return done < 0 ? -1 : 0;
  } else {
    int rc = noteLeavers(&s, err, errSize);
    for (size_t i = 0; i < s.nleave && rc == 0; i++) {
      rc = campStoreLeave(e, s.leave[i], s.gone[i], s.gone[i] ? "record deleted" : c->list != CAMP_NONE
                          ? "record left the list or no longer matches the campaign filter"
                          : "record no longer matches the campaign filter", s.now);
      if (rc < 0) snprintf(err, errSize, "database: %s", campStoreError(e));
      rs->left++;
    }
    free(s.leave);
    free(s.gone);
    if (rc) return -1;
  }
  if (c->list != CAMP_NONE ? campStoreListEach(e, l->p, c->list, LIST_WALK_NEWCOMERS, campaign, enrolListNewcomer, &s, err, errSize)
                           : campStoreEachNewcomer(e, l, enrolNewcomer, &s, err, errSize)) return -1;
  return campStoreMarkSynced(e, campaign, s.now, err, errSize);
}

int campSchedSync(Engine *e, int64_t campaign, RunStats *rs, char *err, size_t errSize) {
  return syncCampaign(e, campaign, 0, rs, NULL, err, errSize);
}

/* A mailing delivered via an ESP (`via`) enrols nobody for camp's channels:
** once started it is handed to the provider (runtime/sync_deliver.c), which
** sends it, or schedules it at its `at`; a manual one only by camp send.  1
** when campaign is such a mailing, 0 when not, -1 on an error -- the
** provider's refusal too (after the driver's retries): the run stops and
** says it rather than retrying every second; the next run tries again.  In
** service mode the refusal is logged and every hand-over waits a minute
** (o->viaRetryAt), while the rest of the work goes on. */
static int viaMailing(Engine *e, int64_t campaign, const RunOptions *o, char *err, size_t errSize) {
  const Loaded *l = campStoreLoaded(e, campaign, err, errSize);
  if (!l) return -1;
  const ProgCampaign *c = &l->p->camps[l->camp];
  if (!c->isMailing || c->via == CAMP_NONE) return 0;
  if (c->at == CAMP_AT_MANUAL) return 1;
  int done = campStoreSynced(e, campaign, err, errSize);
  if (done) return done < 0 ? -1 : 1;
  if (o->viaRetryAt && campClockWall() < *o->viaRetryAt) return 1;
  char *name = strdup(l->p->str[c->name]), why[512];
  if (!name) { snprintf(err, errSize, "out of memory"); return -1; }
  int rc = campSyncDeliver(e, name, o->log, why, sizeof why);
  if (rc < 0) snprintf(err, errSize, "mailing %s: %s", name, why);
  free(name);
  if (rc < 0 && o->viaRetryAt) {
    campSchedLog(o->log, "%s; trying again in a minute", err);
    *o->viaRetryAt = campClockWall() + 60;
    return 1;
  }
  return rc < 0 ? -1 : 1;
}

static int syncAll(Engine *e, const RunOptions *o, RunStats *rs, Tick *t, char *err, size_t errSize) {
  int64_t *ids;
  size_t n;
  if (campStoreRunningCampaigns(e, &ids, &n, err, errSize) < 0) return -1;
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    if (o->campaign && ids[i] != o->campaign) continue;
    if ((rc = viaMailing(e, ids[i], o, err, errSize)) != 0) { rc = rc < 0 ? -1 : 0; continue; }
    RunStats before = *rs;
    if ((rc = campStoreBegin(e, 1, err, errSize)) < 0) break;
    if ((rc = syncCampaign(e, ids[i], o->campaign != 0, rs, t, err, errSize)) < 0) campStoreRollback(e);
    else if ((rc = campStoreCommit(e, err, errSize)) == 0) tallyAdd(e, o->tally, ids[i], rs, &before);
  }
  free(ids);
  return rc;
}

/* -- deciding one due trace ---------------------------------------------------- */

/* A template of the current record, rendered (malloc'd; NULL when absent). */
static char *render(Engine *e, const Loaded *l, uint32_t block, int64_t now, char *err, size_t errSize) {
  VmRecord r = campStoreRecord(e, l);
  SchedHost host;
  campSchedHost(&host, e, l, 0);
  return campComposeRender(campStoreVm(e), l->p, block, &r, now, &host.vm, err, errSize);
}

/* The action's webhooks waiting in the outbox, queued as one send, and the
** trace claimed for this runner; none left (all POSTed before a crash):
** the activity is done. */
static int claimHooks(Engine *e, DueTrace *w, const Loaded *l, int64_t now, Outgoing *out, int *queued) {
  memset(out, 0, sizeof *out);
  if (campStoreOutbox(e, w->trace, &out->hookUrl, &out->hookBody, &out->nhook) < 0) { campSchedOutFree(out); return -1; }
  if (!out->nhook) {
    campSchedOutFree(out);
    if (campStoreSetTrace(e, w->trace, TRACE_PROCESSED, NULL, now) < 0) return -1;
    return campSchedChildren(e, l, (uint32_t)w->actIdx, w->trace, w->participant, w->record, now, &w->spawned);
  }
  out->w = w;
  out->l = l;
  out->version = l->version;
  out->hook = 1;
  if (campStoreClaimHooks(e, w->trace) < 0) { campSchedOutFree(out); return -1; }
  *queued = 1;
  return 0;
}

static int finish(Engine *e, DueTrace *w, int state, const char *msg, int64_t now, long *count) {
  if (count) (*count)++;
  return campStoreSetTrace(e, w->trace, state, msg, now);
}

/* All of an action activity's actions, or none (a mark); the webhooks they
** queue are POSTed after the commit, as a claimed send. */
static int act(Engine *e, DueTrace *w, const Loaded *l, VmRecord *r, int64_t now, Outgoing *out, int *queued, RunStats *rs) {
  const ProgActivity *a = &l->p->acts[w->actIdx];
  char err[512] = "";
  if (a->actions != CAMP_NONE) {
    Value v;
    SchedHost host;
    campSchedHost(&host, e, l, w->trace);
    if (campStoreMark(e) < 0) return -1;
    int failed = campVmRun(campStoreVm(e), l->p, a->actions, r, now, &host.vm, &v, err, sizeof err) < 0;
    campStoreMarkEnd(e, !failed);
    if (failed) return finish(e, w, TRACE_ERROR, err, now, &rs->errors);
    if (host.hooks) {
      /* their bodies carry the record as the actions left it */
      if (campStoreLoadRecord(e, l, w->record, err, sizeof err) < 0 || campSchedHookBodies(&host, (uint32_t)w->actIdx, err, sizeof err) < 0)
        return -1;
      return claimHooks(e, w, l, now, out, queued);
    }
  }
  if (finish(e, w, TRACE_PROCESSED, NULL, now, &rs->processed) < 0) return -1;
  return campSchedChildren(e, l, (uint32_t)w->actIdx, w->trace, w->participant, w->record, now, &w->spawned);
}

/* Why a message to this record is not sent now (a static message), or NULL:
** no address, a suppressed address, the model's opt-out field. */
static const char *blocked(Engine *e, const Loaded *l, int sms, const char *to, char *why, size_t whySize, int *state) {
  const Program *p = l->p;
  char err[256];
  int sup = campStoreSuppressed(e, sms, to, strlen(to), err, sizeof err);
  *state = TRACE_CANCELED;
  if (sup < 0) { *state = -1; return "database"; }
  if (sup) return "address suppressed (opted out or bounced)";
  VmRecord r = campStoreRecord(e, l);
  if (l->optOutField >= 0 && r.fields[l->optOutField].tag == VAL_BOOL && r.fields[l->optOutField].u.i) {
    /* the model's declared opt-out field holds whatever the filters say */
    snprintf(why, whySize, "record opted out (field '%s')", p->str[p->models[p->camps[l->camp].model].fields[l->optOutField].name]);
    return why;
  }
  return NULL;
}

/* A message's parts for trace, its links numbered in lk (sched_send.h: the
** send registers them with its claim; a preview keeps them to itself). */
void campSchedCompose(Engine *e, const Loaded *l, uint32_t act, int64_t trace, const RunOptions *o, int64_t now,
                      Outgoing *out, ComposeLinks *lk) {
  const Program *p = l->p;
  const ProgActivity *a = &p->acts[act];
  const ProgCampaign *c = &p->camps[l->camp];
  VmRecord r = campStoreRecord(e, l);
  out->code = c->code != CAMP_NONE ? strdup(p->str[c->code]) : NULL;
  out->sms = a->kind == ACT_SMS;
  out->toName = l->nameField >= 0 ? campComposeValue(campStoreVm(e), &r.fields[l->nameField]) : NULL;
  *lk = (ComposeLinks){ c->code != CAMP_NONE ? p->str[c->code] : p->str[c->name], out->sms ? "sms" : "email", p->str[a->name],
                        { 0 }, { 0 }, 0 };
  char err[512];
  char *text = render(e, l, a->text, now, err, sizeof err);
  Buf b = { 0 };
  if (out->sms) {
    if (text) campTrackText(text, o->baseUrl, o->secret, trace, campComposeLinkAdd, lk, &b);
    out->text = b.p ? b.p : strdup("");
    free(text);
    return;
  }
  char *html = render(e, l, a->body, now, err, sizeof err);
  out->subject = render(e, l, a->subject, now, err, sizeof err);
  out->from = render(e, l, a->from, now, err, sizeof err);
  if (!out->from || !*out->from) { free(out->from); out->from = campStoreMailingSender(e); }   /* camp config sender, or NULL */
  campTrackHtml(html ? html : "", o->baseUrl, o->secret, trace, campComposeLinkAdd, lk, &b);
  free(html);
  out->html = b.p;
  if (text) { Buf t = { 0 }; campTrackText(text, o->baseUrl, o->secret, trace, campComposeLinkAdd, lk, &t); out->text = t.p; free(text); }
  char tok[64];
  campTrackToken(o->secret, 'u', trace, 0, tok);
  Buf u = { 0 };
  campBufPrintf(&u, "%s/u/%s", o->baseUrl, tok);
  out->unsub = u.p;
}

/* A message activity: checked, composed and claimed (SENDING with its
** Message-ID and link targets, owned by this runner). */
static int message(Engine *e, DueTrace *w, const Loaded *l, const RunOptions *o, int64_t now, Outgoing *out, int *queued,
                   RunStats *rs, char *runErr, size_t runErrSize) {
  const Program *p = l->p;
  const ProgActivity *a = &p->acts[w->actIdx];
  const ProgCampaign *c = &p->camps[l->camp];
  int sms = a->kind == ACT_SMS;
  if (!(sms ? o->sms : o->mail)) {
    snprintf(runErr, runErrSize, "campaign '%s', activity '%s': %s is due but the run has no %s channel (give --%s URL, e.g. --%s file:DIR)",
             p->str[c->name], p->str[a->name], sms ? "an SMS" : "an email", sms ? "SMS" : "mail", sms ? "sms" : "mail",
             sms ? "sms" : "mail");
    return -1;
  }
  VmRecord r = campStoreRecord(e, l);
  int af = sms ? l->phoneField : l->emailField;
  if (af < 0 || r.fields[af].tag != VAL_TEXT || r.fields[af].len == 0)
    return finish(e, w, TRACE_REJECTED, sms ? "no phone number" : "no email address", now, &rs->rejected);
  memset(out, 0, sizeof *out);
  out->to = campComposeValue(campStoreVm(e), &r.fields[af]);
  char why[300];
  int state = -1;
  const char *no = out->to ? blocked(e, l, sms, out->to, why, sizeof why, &state) : NULL;
  if (no || !out->to) {
    campSchedOutFree(out);
    return state < 0 || !no ? -1 : finish(e, w, TRACE_CANCELED, no, now, &rs->canceled);
  }
  int held = campSchedGate(e, w, l, out->to, now, rs);
  if (held) { campSchedOutFree(out); return held < 0 ? -1 : 0; }
  if (!w->messageId[0] && campTrackMessageId(campEngineSecret(e), w->trace, w->messageId, sizeof w->messageId) < 0) {
    campSchedOutFree(out);
    return finish(e, w, TRACE_ERROR, "cannot make a Message-ID (OpenSSL failed)", now, &rs->errors);
  }
  out->w = w;
  out->l = l;
  out->version = l->version;
  ComposeLinks lk;
  char note[512];                        /* an A/B test's winner sends its best variant (sched_branch.c) */
  int sends = a->abMetric ? campSchedWinner(e, l, (uint32_t)w->actIdx, w->trace, note, sizeof note) : w->actIdx;
  if (sends < 0) { campSchedOutFree(out); return -1; }
  if (a->abMetric && note[0] && !(out->note = strdup(note))) { campSchedOutFree(out); return -1; }
  campSchedCompose(e, l, (uint32_t)sends, w->trace, o, now, out, &lk);
  if (c->list != CAMP_NONE) {           /* counted on the member's row once sent (sched_send.c) */
    const ProgList *pl = &p->lists[c->list];
    out->list = strdup(p->str[pl->name]);
    out->listModel = strdup(p->str[p->models[pl->model].name]);
  }
  int64_t links = lk.n && !lk.targets.oom ? campStoreLinkset(e, lk.targets.p, lk.targets.n) : 0;
  int rc = lk.n && !links ? -1 : campStoreClaimSend(e, w->trace, w->messageId, links);
  campComposeLinksFree(&lk);
  if (rc == 0) *queued = 1; else campSchedOutFree(out);
  return rc;
}

/* Decide one due trace inside the batch transaction.  Messages are claimed
** and queued in *out for sending after the commit; actions run here, in
** the transaction that records them.  -1 fails the run: a database error,
** or a message due on a channel the run was not given (runErr says which;
** the transaction is rolled back and the trace stays due). */
static int decide(Engine *e, DueTrace *w, const RunOptions *o, int64_t now, Outgoing *out, int *queued, RunStats *rs,
                  char *runErr, size_t runErrSize) {
  char err[512] = "";
  const Loaded *l = campStoreLoaded(e, w->campaign, err, sizeof err);
  if (!l) return finish(e, w, TRACE_ERROR, err, now, NULL);
  if (w->actIdx < 0) return finish(e, w, TRACE_CANCELED, "activity removed from the campaign", now, &rs->canceled);
  const Program *p = l->p;
  const ProgActivity *a = &p->acts[w->actIdx];
  const ProgCampaign *c = &p->camps[l->camp];
  if (w->state == TRACE_SCHEDULED && a->expire && w->due0 + a->expire < now)
    return finish(e, w, TRACE_CANCELED, "expired: came up after its validity", now, &rs->canceled);
  /* an action whose webhooks were claimed but not all POSTed (a crash, a
  ** retry): its actions ran and were committed; only the POSTs are left */
  if (a->kind == ACT_ACTION && w->state == TRACE_SENDING) return claimHooks(e, w, l, now, out, queued);
  int got = campStoreLoadRecord(e, l, w->record, err, sizeof err);
  if (got < 0) return -1;
  if (got == 1) return finish(e, w, TRACE_REJECTED, "record deleted", now, &rs->rejected);
  VmRecord r = campStoreRecord(e, l);
  SchedHost host;
  campSchedHost(&host, e, l, 0);
  int f1 = campVmFilter(campStoreVm(e), p, c->filter, &r, now, &host.vm, err, sizeof err);
  /* an if node's filter is its condition, which chooses its path (sched_branch.c) */
  int f2 = f1 > 0 && a->kind != ACT_IF ? campVmFilter(campStoreVm(e), p, a->filter, &r, now, &host.vm, err, sizeof err) : f1;
  if (f1 < 0 || f2 < 0) return finish(e, w, TRACE_ERROR, err, now, &rs->errors);
  if (!f1 || !f2) return finish(e, w, TRACE_REJECTED, "rejected by the campaign or activity filter", now, &rs->rejected);
  int in = c->list != CAMP_NONE ? campSchedInSendSet(e, l, w->record, &host.vm, err, sizeof err) : 1;
  if (in < 0) return finish(e, w, TRACE_ERROR, err, now, &rs->errors);
  if (!in) {
    snprintf(err, sizeof err, "not in the send set of list '%s' (unsubscribed, removed or no longer a member)",
             p->str[p->lists[c->list].name]);
    return finish(e, w, TRACE_REJECTED, err, now, &rs->rejected);
  }
  if (campActIsBranch(a->kind)) return campSchedBranch(e, w, l, now, rs);
  if (a->kind == ACT_ACTION) return act(e, w, l, &r, now, out, queued, rs);
  return message(e, w, l, o, now, out, queued, rs, runErr, runErrSize);
}

/* -- batches and the run loop ---------------------------------------------------- */

/* Take one batch of due work at time now: read, decide, claim, commit. */
static int takeBatch(Engine *e, const RunOptions *o, int64_t now, int testOnly, int64_t testParticipant,
                     Batch *b, RunStats *rs, char *err, size_t errSize) {
  int batch = o->batch > 0 ? o->batch : 500;
  memset(b, 0, sizeof *b);
  b->work = calloc((size_t)batch, sizeof *b->work);
  b->out = calloc((size_t)batch, sizeof *b->out);
  if (!b->work || !b->out) { snprintf(err, errSize, "out of memory"); return -1; }
  if (campStoreBegin(e, 1, err, errSize) < 0) return -1;
  RunStats keep = *rs;          /* a batch rolled back counted nothing (o->tally may have: it is not undone) */
  int n = campStoreRunnerBeat(e, err, errSize) < 0 ? -1 : campStoreTakeDue(e, now, testOnly, testParticipant, o->campaign, b->work, batch, err, errSize);
  int nout = 0, rc = n < 0 ? -1 : 0;
  if (n > 1) campSchedOrder(e, b->work, n);
  /* counts per campaign are added as the traces are decided: a batch that
  ** fails ends the run, whose counts are then not reported */
  RunStats before;
  for (int i = 0; i < n && rc == 0; i++) {
    int queued = 0;
    before = *rs;
    rc = decide(e, &b->work[i], o, now, &b->out[nout], &queued, rs, err, errSize);
    nout += queued;
    b->work[i].queued = queued;
    if (o->tally) tallyAdd(e, o->tally, b->work[i].campaign, rs, &before);
  }
  /* participants with nothing left pending complete in the same transaction */
  for (int i = 0; i < n && rc == 0; i++) {
    if (b->work[i].queued || b->work[i].spawned) continue;
    before = *rs;
    campSchedComplete(e, b->work[i].participant, rs);
    if (o->tally) tallyAdd(e, o->tally, b->work[i].campaign, rs, &before);
  }
  if (rc == 0 && n > 0) rc = campStoreNotifyWork(e);   /* others waiting on rows this batch locked look again */
  if (rc == 0) rc = campStoreCommit(e, err, errSize);
  else {
    if (!err[0]) snprintf(err, errSize, "database: %s", campStoreError(e));
    campStoreRollback(e);
    for (int i = 0; i < nout; i++) campSchedOutFree(&b->out[i]);
    nout = 0;
    *rs = keep;
  }
  b->n = n;
  b->nout = nout;
  return rc < 0 ? -1 : n;
}

/* Positive branches whose window passed without the event: canceled, in
** one statement; their participants may then be complete. */
static int expireWindows(Engine *e, int64_t now, RunStats *rs, char *err, size_t errSize) {
  if (campStoreBegin(e, 1, err, errSize) < 0) return -1;
  int64_t *parts = NULL;
  long n = campStoreExpireWindows(e, now, &parts, err, errSize);
  if (n < 0) { campStoreRollback(e); return -1; }
  rs->canceled += n;
  for (long i = 0; i < n; i++) campSchedComplete(e, parts[i], rs);
  free(parts);
  return campStoreCommit(e, err, errSize);
}

int64_t campSchedNextDue(Engine *e) {
  int64_t a = campStoreNextDue(e, 0), b = campStoreNextMailing(e);
  return a < b ? a : b;
}

/* Everything due at now, batch by batch.  Sends happen outside the
** transactions: a crash leaves claimed traces SENDING with their
** Message-ID, and the next run sends them again.  While one batch's
** messages are out, the next batch is decided. */
static int drain(Engine *e, const RunOptions *o, int64_t now, int test, int64_t testParticipant, RunStats *st, Tick *t,
                 char *err, size_t errSize) {
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
      if (campSchedSendFinish(e, out, st, err2, sizeof err2) < 0 && n >= 0) { snprintf(err, errSize, "%s", err2); n = -1; }
      tallySends(e, o->tally, out);
      campSchedBatchFree(out);
      out = NULL;
    }
    tick(t, now);
    if (n <= 0) { rc = n; campSchedBatchFree(b); break; }
    if (!b->nout) { campSchedBatchFree(b); continue; }
    if (campSchedSendStart(e, b, o, now, err, errSize) < 0) { campSchedBatchFree(b); rc = -1; break; }
    out = b;
  }
  return rc < 0 ? -1 : 0;
}

void campSchedLog(FILE *log, const char *fmt, ...) {
  char now[CAMP_CLOCK_ISO_SIZE], msg[1024];
  campClockFormat(campClockWall(), now);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fprintf(log ? log : stderr, "%s run: %s\n", now, msg);
}

/* After a failed step of the run: 1 when it may be run again (PostgreSQL
** restarted, a deadlock: campStoreRetryable; at most SCHED_RETRIES times in
** a row), saying so in the log; 0 when the run ends with err. */
static int again(Engine *e, const RunOptions *o, int *tries, char *err) {
  if (!campStoreRetryable(e) || ++*tries > SCHED_RETRIES) return 0;
  campStoreRollback(e);
  campSchedLog(o->log, "%s; trying again", err);
  err[0] = 0;
  return 1;
}

int campSchedRun(Engine *e, const RunOptions *o, RunStats *st, char *err, size_t errSize) {
  memset(st, 0, sizeof *st);
  int64_t now = campEngineNow(e), lastSync = INT64_MIN;
  Tick t = { o, st, 0 };
  long writesAtSync = -1;
  int simulated = campEngineIsSimulated(e), tries = 0;
  if (!simulated && !o->once && o->until == INT64_MAX) { snprintf(err, errSize, "service mode: use --once or --until"); }
  for (;; tries = 0) {
    /* Sync when the run starts (records may have been imported or changed by
    ** anyone), then at most daily, and only when this run's actions changed
    ** records: a re-scan of the audience costs as much as the records. */
    if (lastSync == INT64_MIN || (now - lastSync >= 86400 && campStoreRecordWrites(e) != writesAtSync) || campStoreNextMailing(e) <= now) {
      writesAtSync = campStoreRecordWrites(e);
      long enrolled = st->enrolled;
      while (syncAll(e, o, st, &t, err, errSize) < 0)
        if (!again(e, o, &tries, err)) return -1;
      if (st->enrolled - enrolled >= 1000) campStoreAnalyze(e);   /* the planner learns the new sizes */
      lastSync = now;
    }
    /* on the real clock, what the sync enrolled is due at its enrolment, after
    ** this pass began (a wait for a lock, a large audience): work it now */
    if (!simulated) { int64_t wall = campEngineNow(e); if (wall > now) now = wall; }
    while (drain(e, o, now, 0, 0, st, &t, err, errSize) < 0)
      if (!again(e, o, &tries, err)) return -1;
    if (o->stop && *o->stop) return 0;        /* stopped: the clock stays where the work stopped */
    if (o->once) break;
    int64_t next = campSchedNextDue(e);
    /* work due now that another runner holds (PostgreSQL): wait for its commit */
    if (next <= now && campStoreShared(e) && campStoreWaitWork(e, 1000) > 0) continue;
    if (next <= now) next = now + 1;
    if (next > o->until) break;
    now = next;
    while (simulated && campStoreSetClock(e, now) < 0) {
      snprintf(err, errSize, "database: %s", campStoreError(e));
      if (!again(e, o, &tries, err)) return -1;
    }
    if (o->log) fflush(o->log);
  }
  if (simulated && !o->once && o->until != INT64_MAX && o->until > campEngineNow(e) && campStoreSetClock(e, o->until) < 0) {
    snprintf(err, errSize, "database: %s", campStoreError(e));
    return -1;
  }
  return 0;
}

/* -- test mode ----------------------------------------------------------------- */

/* The test participant of record in campaign, enrolled when new. */
static int64_t testParticipant(Engine *e, const Loaded *l, int64_t record, int64_t now, char *err, size_t errSize) {
  int64_t participant = campStoreTestParticipant(e, l->campaign, record, err, errSize);
  if (participant) return participant;
  if (campStoreBegin(e, 1, err, errSize) < 0) return 0;
  if (enrol(e, l, record, NULL, 1, now, &participant) < 0 || campStoreCommit(e, err, errSize) < 0) {
    if (!err[0]) snprintf(err, errSize, "database: %s", campStoreError(e));
    campStoreRollback(e);
    return 0;
  }
  return participant;
}

const Loaded *campSchedLoadFor(Engine *e, const char *campaign, int64_t record, char *err, size_t errSize) {
  err[0] = 0;
  int64_t cid = campStoreCampaignId(e, campaign, err, errSize);
  if (!cid) { if (!err[0]) snprintf(err, errSize, "no campaign '%s' is deployed", campaign); return NULL; }
  const Loaded *l = campStoreLoaded(e, cid, err, errSize);
  if (!l) return NULL;
  int got = campStoreLoadRecord(e, l, record, err, errSize);
  if (got == 1)
    snprintf(err, errSize, "no record %lld in model '%s'", (long long)record, l->p->str[l->p->models[l->p->camps[l->camp].model].name]);
  return got == 0 ? l : NULL;
}

int campSchedTest(Engine *e, const char *campaign, int64_t record, const char *activity, int64_t until,
                   const RunOptions *o, FILE *out, char *err, size_t errSize) {
  const Loaded *l = campSchedLoadFor(e, campaign, record, err, errSize);
  if (!l) return -1;
  int64_t now = campEngineNow(e), participant = testParticipant(e, l, record, now, err, errSize);
  if (!participant) return -1;
  RunStats rs = { 0 };
  if (activity) {
    /* run that activity's pending trace now, ignoring its date */
    uint32_t ai = campProgramFindActivity(l->p, l->camp, activity);
    if (ai == CAMP_NONE) { snprintf(err, errSize, "campaign '%s' has no activity '%s'", campaign, activity); return -1; }
    int moved = campStoreDueNow(e, participant, l->actId[ai], now, err, errSize);
    if (moved < 0) return -1;
    if (!moved) { snprintf(err, errSize, "activity '%s' has no pending trace for this participant", activity); return -1; }
    if (drain(e, o, now, 1, participant, &rs, NULL, err, errSize) < 0) return -1;
  } else {
    /* the test participant's own timeline, without touching the clock */
    int64_t t = now;
    for (;;) {
      if (drain(e, o, t, 1, participant, &rs, NULL, err, errSize) < 0) return -1;
      int64_t next = campStoreNextDue(e, 1);
      if (next == INT64_MAX || next > until) break;
      t = next > t ? next : t + 1;
    }
  }
  return campStoreParticipantTimeline(e, participant, out, err, errSize);
}

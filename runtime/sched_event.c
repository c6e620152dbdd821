/*
** runtime/sched_event.c -- what an event does to a participant's branches.
**
** Owns: the trigger semantics of events (docs/RUNTIME.md): a click implies
** an open, a reply an open and a click; an event makes the armed positive
** children of its message due (event time + their delay) -- one whose
** `within` window ended before the event's time is closed instead, as the
** run would have closed it -- and cancels the opposite negative ones; a bounce cancels every other pending child and
** suppresses the address, as an unsubscribe and an abuse report (a
** complaint) do; the participant may then
** be complete.  Events are acted on only while the campaign is draft or
** running (a stopped one records them).  One path for every source: `camp
** event`, the tracking server, ingest, and a send refused for good; each
** says what it did (recorded, duplicate, unknown message, after its window).
** Does not own: storing any of it (store_event.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/sched_send.h"
#include "runtime/sched_timing.h"

static int bitsOf(const char *kind) {
  if (!strcmp(kind, "open")) return EV_OPEN;
  if (!strcmp(kind, "click")) return EV_OPEN | EV_CLICK;
  if (!strcmp(kind, "reply")) return EV_OPEN | EV_CLICK | EV_REPLY;
  if (!strcmp(kind, "bounce")) return EV_BOUNCE;
  return 0;
}

static int positiveBit(int trig) {
  return trig == TRIG_OPEN ? EV_OPEN : trig == TRIG_CLICK ? EV_CLICK : trig == TRIG_REPLY ? EV_REPLY
       : trig == TRIG_BOUNCE ? EV_BOUNCE : 0;
}

static int negativeBit(int trig) {
  return trig == TRIG_NO_OPEN ? EV_OPEN : trig == TRIG_NO_CLICK ? EV_CLICK : trig == TRIG_NO_REPLY ? EV_REPLY : 0;
}

/* A waiting positive branch an event fires (sched_send.h): due, or closed
** when its window ended first, as the run would have closed it. */
int campSchedEventFire(Engine *e, const Loaded *l, const StoreChild *k, int64_t record, int64_t at, EventResult *r, int *fired) {
  const ProgActivity *a = &l->p->acts[k->idx];
  if (!k->hasDue || k->due > at) { (*fired)++; return campStoreMakeDue(e, k->id, campSchedDue(e, l, (uint32_t)k->idx, at, record), at); }
  if (!r->late) { r->late = 1; free(r->branch); r->branch = strdup(l->p->str[a->name]); r->windowEnd = k->due; }
  return campStoreCloseWindow(e, k->id, k->due);
}

/* The children of the message: armed positives become due, opposites
** cancel; *fired counts the branches made due. */
static int branch(Engine *e, const Loaded *l, const StoreMessage *m, int fresh, int64_t at, EventResult *r, int *fired) {
  StoreChild *kids;
  int n, rc = 0;
  if (campStorePendingChildren(e, m->participant, m->trace, &kids, &n) < 0) return -1;
  for (int i = 0; i < n && rc == 0; i++) {
    if (kids[i].idx < 0) continue;
    const ProgActivity *a = &l->p->acts[kids[i].idx];
    int waited = kids[i].state == TRACE_WAITING && (positiveBit(a->trigger) & fresh);
    const char *why = NULL;
    if (fresh & EV_BOUNCE) {
      if (a->trigger != TRIG_BOUNCE) why = "parent activity bounced";
    } else if (negativeBit(a->trigger) & fresh) {
      why = "the event happened";
    }
    if (why) rc = campStoreSetTrace(e, kids[i].id, TRACE_CANCELED, why, at);
    else if (waited) rc = campSchedEventFire(e, l, &kids[i], m->record, at, r, fired);
  }
  free(kids);
  return rc;
}

/* A branch waiting for these events that a run already closed (its window
** passed): noted in *r, when none was noted yet. */
static int closedBefore(Engine *e, const Loaded *l, const StoreMessage *m, int fresh, EventResult *r) {
  StoreChild *kids;
  int n;
  if (campStoreClosedChildren(e, m->participant, m->trace, &kids, &n) < 0) return -1;
  for (int i = 0; i < n && !r->late; i++) {
    if (kids[i].idx < 0 || !(positiveBit(l->p->acts[kids[i].idx].trigger) & fresh)) continue;
    r->late = 1;
    r->branch = strdup(l->p->str[l->p->acts[kids[i].idx].name]);
    r->windowEnd = kids[i].due;
  }
  free(kids);
  return 0;
}

/* What a stored event did when it acted on nothing new: a repeat of the
** same kind and URL is a duplicate, anything else a new record. */
static EventOutcome stored(int repeat) { return repeat ? EVENT_DUPLICATE : EVENT_RECORDED; }

/* An unsubscribe: from the list of the message's campaign when fromList
** and it has one (the record stays, its row in that list is marked
** unsubscribed), else from everything (the address suppressed). */
static int unsubscribe(Engine *e, const Loaded *l, const StoreMessage *m, int fromList, int64_t at, char *err, size_t errSize) {
  const Program *p = l->p;
  uint32_t list = p->camps[l->camp].list;
  if (!fromList || list >= p->nlist) return campStoreSuppressTrace(e, l, m->trace, m->record, "unsubscribe", at, err, errSize);
  const ProgList *pl = &p->lists[list];
  return campStoreListSet(e, p->str[pl->name], p->str[p->models[pl->model].name], m->record, "unsubscribe", at,
                          "unsubscribe link", err, errSize) < 0 ? -1 : 0;
}

/* 0 with r->outcome, or -1 error.  fromList: an unsubscribe is from the
** message's list (unsubscribe()). */
static int apply(Engine *e, const char *kind, const char *messageId, int64_t at, const char *url, int fromList, EventResult *r,
                 char *err, size_t errSize) {
  StoreMessage m;
  int found = campStoreFindMessage(e, messageId, &m, err, errSize);
  if (found) { r->outcome = EVENT_UNKNOWN; return found < 0 ? -1 : 0; }
  char first[2048];
  if (!url && !strcmp(kind, "click") && campStoreLinkUrl(e, m.trace, 0, first, sizeof first) == 0) url = first;  /* the message's first link */
  int repeat = campStoreRecordEvent(e, m.trace, kind, at, url);
  if (repeat < 0) { snprintf(err, errSize, "database: %s", campStoreError(e)); return -1; }
  r->outcome = stored(repeat);
  const Loaded *l = campStoreLoaded(e, m.campaign, err, errSize);
  if (!l) return -1;
  if (!strcmp(kind, "unsubscribe")) return unsubscribe(e, l, &m, fromList, at, err, errSize);
  /* an abuse report (a complaint: ARF, a provider hook) stops mail to the address as an unsubscribe does */
  if (!strcmp(kind, "abuse")) return campStoreSuppressTrace(e, l, m.trace, m.record, "complaint", at, err, errSize);
  if (!m.active) { r->stopped = 1; return 0; }  /* stopped: recorded, not acted on */
  int fresh = bitsOf(kind) & ~m.events, fired = 0;
  if (!fresh) return 0;
  if (campStoreAddEvents(e, m.trace, fresh) < 0 || branch(e, l, &m, fresh, at, r, &fired) < 0 ||
      (!fired && closedBefore(e, l, &m, fresh, r) < 0)) {
    snprintf(err, errSize, "database: %s", campStoreError(e));
    return -1;
  }
  r->outcome = fired || !r->late ? EVENT_RECORDED : EVENT_LATE;
  if ((fresh & EV_BOUNCE) && campStoreSuppressTrace(e, l, m.trace, m.record, "bounce", at, err, errSize) < 0) return -1;
  /* the event may have settled the participant's last pending trace (a
  ** bounce cancels every other branch; an event cancels its no-event one;
  ** a window closed here) */
  if (campStoreComplete(e, m.participant) < 0) { snprintf(err, errSize, "database: %s", campStoreError(e)); return -1; }
  return 0;
}

/* apply() in its own transaction, or inside the caller's as a step that a
** failure undoes alone (a failing event must not undo a batch's others). */
static int applyStep(Engine *e, const char *kind, const char *messageId, int64_t at, const char *url, int fromList,
                     EventResult *r, char *err, size_t errSize) {
  if (!campStoreInTransaction(e)) {
    if (campStoreBegin(e, 1, err, errSize) < 0) return -1;
    int rc = apply(e, kind, messageId, at, url, fromList, r, err, errSize);
    if (rc < 0) { campStoreRollback(e); return -1; }
    if (campStoreNotifyWork(e) < 0) { campStoreRollback(e); snprintf(err, errSize, "database: %s", campStoreError(e)); return -1; }
    return campStoreCommit(e, err, errSize) < 0 ? -1 : 0;     /* an event is news for waiting runners */
  }
  if (campStoreMark(e) < 0) { snprintf(err, errSize, "database: %s", campStoreError(e)); return -1; }
  int rc = apply(e, kind, messageId, at, url, fromList, r, err, errSize);
  campStoreMarkEnd(e, rc >= 0);
  return rc;
}

int campSchedEventOutcome(Engine *e, const char *kind, const char *messageId, int64_t at, const char *url,
                          EventResult *r, char *err, size_t errSize) {
  memset(r, 0, sizeof *r);
  if (!bitsOf(kind) && strcmp(kind, "unsubscribe") && strcmp(kind, "abuse")) {
    snprintf(err, errSize, "unknown event '%s' (open, click, reply, bounce, unsubscribe or abuse)", kind);
    return -1;
  }
  return applyStep(e, kind, messageId, at, url, 0, r, err, errSize);
}

int campSchedUnsubscribeList(Engine *e, const char *messageId, int64_t at, char *err, size_t errSize) {
  EventResult r;
  memset(&r, 0, sizeof r);
  int rc = applyStep(e, "unsubscribe", messageId, at, NULL, 1, &r, err, errSize);
  campSchedEventResultFree(&r);
  return rc < 0 ? -1 : r.outcome == EVENT_UNKNOWN ? 1 : 0;
}

void campSchedEventResultFree(EventResult *r) {
  free(r->branch);
  r->branch = NULL;
}

int campSchedEvent(Engine *e, const char *kind, const char *messageId, int64_t at, const char *url,
                   char *err, size_t errSize) {
  EventResult r;
  int rc = campSchedEventOutcome(e, kind, messageId, at, url, &r, err, errSize);
  campSchedEventResultFree(&r);
  if (rc < 0) return -1;
  return r.outcome == EVENT_UNKNOWN ? 1 : 0;
}

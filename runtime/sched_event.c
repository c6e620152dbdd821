/*
** runtime/sched_event.c -- what an event does to a participant's branches.
**
** Owns: the trigger semantics of events (docs/RUNTIME.md): a click implies
** an open, a reply an open and a click; an event makes the armed positive
** children of its message due (event time + their delay) and cancels the
** opposite negative ones; a bounce cancels every other pending child and
** suppresses the address, as an unsubscribe does; the participant may then
** be complete.  Events are acted on only while the campaign is draft or
** running (a stopped one records them).  One path for every source: `camp
** event`, the tracking server, ingest, and a send refused for good.
** Does not own: storing any of it (store_event.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "runtime/sched_send.h"

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

/* The children of the message: armed positives become due, opposites cancel. */
static int branch(Engine *e, const Loaded *l, const StoreMessage *m, int fresh, int64_t at) {
  StoreChild *kids;
  int n, rc = 0;
  if (campStorePendingChildren(e, m->participant, m->trace, &kids, &n) < 0) return -1;
  for (int i = 0; i < n && rc == 0; i++) {
    if (kids[i].idx < 0) continue;
    const ProgActivity *a = &l->p->acts[kids[i].idx];
    const char *why = NULL;
    if (fresh & EV_BOUNCE) {
      if (a->trigger != TRIG_BOUNCE) why = "parent activity bounced";
    } else if (negativeBit(a->trigger) & fresh) {
      why = "the event happened";
    }
    if (why) rc = campStoreSetTrace(e, kids[i].id, TRACE_CANCELED, why, at);
    else if (kids[i].state == TRACE_WAITING && (positiveBit(a->trigger) & fresh)) rc = campStoreMakeDue(e, kids[i].id, at + a->delay, at);
  }
  free(kids);
  return rc;
}

/* 0 applied, 1 the message is unknown (nothing changed), -1 error. */
static int apply(Engine *e, const char *kind, const char *messageId, int64_t at, const char *url, char *err, size_t errSize) {
  StoreMessage m;
  int found = campStoreFindMessage(e, messageId, &m, err, errSize);
  if (found) return found;
  char first[2048];
  if (!url && !strcmp(kind, "click") && campStoreLinkUrl(e, m.trace, 0, first, sizeof first) == 0) url = first;  /* the message's first link */
  if (campStoreRecordEvent(e, m.trace, kind, at, url) < 0) { snprintf(err, errSize, "database: %s", campStoreError(e)); return -1; }
  const Loaded *l = campStoreLoaded(e, m.campaign, err, errSize);
  if (!l) return -1;
  if (!strcmp(kind, "unsubscribe")) return campStoreSuppressTrace(e, l, m.trace, m.record, "unsubscribe", at, err, errSize);
  if (!m.active) return 0;                      /* stopped: recorded, not acted on */
  int fresh = bitsOf(kind) & ~m.events;
  if (!fresh) return 0;
  if (campStoreAddEvents(e, m.trace, fresh) < 0 || branch(e, l, &m, fresh, at) < 0) {
    snprintf(err, errSize, "database: %s", campStoreError(e));
    return -1;
  }
  if ((fresh & EV_BOUNCE) && campStoreSuppressTrace(e, l, m.trace, m.record, "bounce", at, err, errSize) < 0) return -1;
  /* the event may have settled the participant's last pending trace (a
  ** bounce cancels every other branch; an event cancels its no-event one) */
  if (campStoreComplete(e, m.participant) < 0) { snprintf(err, errSize, "database: %s", campStoreError(e)); return -1; }
  return 0;
}

int campSchedEvent(Engine *e, const char *kind, const char *messageId, int64_t at, const char *url,
                   char *err, size_t errSize) {
  if (!bitsOf(kind) && strcmp(kind, "unsubscribe")) {
    snprintf(err, errSize, "unknown event '%s' (open, click, reply, bounce or unsubscribe)", kind);
    return -1;
  }
  if (!campStoreInTransaction(e)) {              /* its own transaction */
    if (campStoreBegin(e, 1, err, errSize) < 0) return -1;
    int rc = apply(e, kind, messageId, at, url, err, errSize);
    if (rc < 0) { campStoreRollback(e); return -1; }
    if (campStoreCommit(e, err, errSize) < 0) return -1;
    return rc;
  }
  /* inside a batch: a failing event must not undo the others */
  if (campStoreMark(e) < 0) { snprintf(err, errSize, "database: %s", campStoreError(e)); return -1; }
  int rc = apply(e, kind, messageId, at, url, err, errSize);
  campStoreMarkEnd(e, rc >= 0);
  return rc;
}
